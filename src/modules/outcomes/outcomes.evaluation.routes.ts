import type { FastifyInstance } from 'fastify';
import { NotFoundError, ValidationError } from '../../common/errors.ts';
import { isAllowed } from '../../common/permissions.ts';
import { sendCsv, tableRows } from '../../web/csv.ts';
import { formErrors } from '../../web/forms.ts';
import {
  EVALUATION_TABLES,
  type EvaluationQuery,
  type EvaluationService,
  type EvaluationTableName,
} from './outcomes.evaluation.service.ts';
import type { PracticeChangeService } from './outcomes.practice-changes.ts';
import { registerPracticeChangeRoutes } from './outcomes.practice-changes.routes.ts';

const VIEW = 'outcomes/views/evaluation/evaluation.njk';
const QUERY_FIELDS = ['indicator', 'change', 'grain', 'cohortPeriod', 'cohortLocalities'] as const;

/** The query as asked: strings only, empty boxes left out (so defaults apply). */
function asked(query: unknown): Record<string, string> {
  const q = (query ?? {}) as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const key of QUERY_FIELDS) {
    const v = q[key];
    if (typeof v === 'string' && v.trim() !== '') out[key] = v.trim();
  }
  return out;
}

function csvHrefs(query: EvaluationQuery): Record<EvaluationTableName, string> {
  const params = (table: string) =>
    new URLSearchParams({
      table,
      indicator: query.indicator,
      change: query.change,
      grain: query.grain,
      cohortPeriod: query.cohortPeriod,
      cohortLocalities: query.cohortLocalities,
    }).toString();
  return Object.fromEntries(
    EVALUATION_TABLES.map((t) => [t, `/outcomes/evaluation.csv?${params(t)}`]),
  ) as Record<EvaluationTableName, string>;
}

/** The evaluation page (figures and CSV files) and the practice changes it evaluates. */
export function registerEvaluationRoutes(
  app: FastifyInstance,
  services: { evaluation: EvaluationService; practiceChanges: PracticeChangeService },
) {
  const evaluation = services.evaluation;
  registerPracticeChangeRoutes(app, services);

  app.get('/outcomes/evaluation', { config: { access: 'aggregates.view' } }, async (request, reply) => {
    const ctx = request.ctx();
    const choices = await evaluation.choices(ctx);
    const canAdminister = isAllowed(ctx, 'partnership.administer');
    const given = asked(request.query);
    const values = { ...evaluation.defaults(choices.changes), ...given };
    if (!values.change || !values.indicator)
      return reply.page(VIEW, { choices, values, canAdminister, noChanges: choices.changes.length === 0 });
    try {
      const figures = await evaluation.evaluate(ctx, values);
      return reply.page(VIEW, {
        choices,
        values: figures.query,
        figures,
        csv: csvHrefs(figures.query),
        canAdminister,
      });
    } catch (error) {
      if (error instanceof ValidationError)
        return reply.page(VIEW, { choices, values, canAdminister, errors: formErrors(error.fields) }, 400);
      throw error;
    }
  });

  app.get('/outcomes/evaluation.csv', { config: { access: 'aggregates.view' } }, async (request, reply) => {
    const ctx = request.ctx();
    const tableAsked = (request.query as Record<string, unknown> | undefined)?.table;
    const table = EVALUATION_TABLES.find((t) => t === tableAsked);
    if (!table) throw new NotFoundError('That table');
    let figures;
    try {
      figures = await evaluation.evaluate(ctx, asked(request.query), { table });
    } catch (error) {
      if (error instanceof ValidationError) {
        const choices = await evaluation.choices(ctx);
        return reply.page(
          VIEW,
          { choices, values: asked(request.query), errors: formErrors(error.fields), canAdminister: false },
          400,
        );
      }
      throw error;
    }
    return sendCsv(
      reply,
      `evaluation-${table}-${figures.indicator.code}-${figures.change.changedOn}.csv`,
      tableRows(figures.tables[table]),
    );
  });
}
