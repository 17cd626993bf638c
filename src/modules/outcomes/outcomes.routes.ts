import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { NotFoundError, ValidationError } from '../../common/errors.ts';
import { isAllowed } from '../../common/permissions.ts';
import { pathParams, registerFormPage } from '../../web/form-route.ts';
import { sendCsv } from '../../web/csv.ts';
import { formErrors, parseWith } from '../../web/forms.ts';
import { IMPORT_COLUMNS, MAX_IMPORT_ROWS } from './outcomes.import.ts';
import { financialYear } from './outcomes.review.ts';
import { UNIT_LABELS } from './outcomes.indicators.ts';
import { indicatorCsvRows, indicatorPage, overviewGroups, unitText } from './outcomes.present.ts';
import { IndicatorQuery, ReviewNoteInput, TargetInput, type OutcomeService } from './outcomes.service.ts';
import type { EvaluationService } from './outcomes.evaluation.service.ts';
import type { LocalFrameworkService } from './outcomes.local-frameworks.ts';

const VIEWS = 'outcomes/views';
/** A year of monthly figures for every locality is far smaller than this. */
const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;

type Upload = { name: string; data: Buffer };

/** What the review reports of each practice change: what an integrated locality team sets out to move. */
const REVIEW_EVALUATION_INDICATORS = ['early_help_rate', 'child_protection_rate', 're_referral_rate'];

/** A year in a path: four digits, or no such page. */
function yearParam(text: string | undefined): number {
  if (!text || !/^\d{4}$/.test(text)) throw new NotFoundError('A review for that year');
  return Number(text);
}

/** The outcome pages: the overview, an indicator's page and CSV file, targets, and loading published figures. */
export function registerOutcomeRoutes(
  app: FastifyInstance,
  services: {
    outcomes: OutcomeService;
    localFrameworks: LocalFrameworkService;
    evaluation: Pick<EvaluationService, 'headlines'>;
  },
) {
  const { outcomes, localFrameworks, evaluation } = services;

  app.get('/outcomes', { config: { access: 'aggregates.view' } }, async (request, reply) => {
    const ctx = request.ctx();
    const frameworks = await localFrameworks.list(ctx);
    const query = parseWith(IndicatorQuery, request.query ?? {});
    const chosen = query.ok ? (query.data.framework ?? (await outcomes.defaultFramework(ctx))) : undefined;
    const grouping = frameworks.find((f) => f.id === chosen);
    if (!query.ok || !grouping) {
      const errors = query.ok
        ? [{ field: 'framework', message: 'Choose a framework from the list' }]
        : query.errors;
      return reply.page(
        `${VIEWS}/overview.njk`,
        { errors: formErrors(errors), values: request.query, frameworks },
        400,
      );
    }
    const { views, refreshed } = await outcomes.overview(ctx, query.data.grain);
    return reply.page(`${VIEWS}/overview.njk`, {
      groups: overviewGroups(views, grouping),
      grouping,
      frameworks,
      refreshed,
      values: { ...query.data, framework: grouping.id },
      canManage: isAllowed(ctx, 'outcomes.manage'),
      canDefine: isAllowed(ctx, 'partnership.administer'),
    });
  });

  app.get('/outcomes/indicators/:code', { config: { access: 'aggregates.view' } }, async (request, reply) => {
    const ctx = request.ctx();
    const { code } = pathParams(request);
    const query = parseWith(IndicatorQuery, request.query ?? {});
    const grain = query.ok ? query.data.grain : 'year';
    const view = await outcomes.indicator(ctx, code!, grain);
    return reply.page(
      `${VIEWS}/indicator.njk`,
      {
        view,
        page: indicatorPage(view),
        unitLabel: UNIT_LABELS[view.indicator.unit],
        unit: unitText(view.indicator),
        values: query.ok ? query.data : request.query,
        ...(query.ok ? {} : { errors: formErrors(query.errors) }),
        csvHref: `/outcomes/indicators/${view.indicator.code}/figures.csv?grain=${grain}`,
        canManage: isAllowed(ctx, 'outcomes.manage'),
      },
      query.ok ? 200 : 400,
    );
  });

  app.get(
    '/outcomes/indicators/:code/figures.csv',
    { config: { access: 'aggregates.view' } },
    async (request, reply) => {
      const { code } = pathParams(request);
      const query = parseWith(IndicatorQuery, request.query ?? {});
      if (!query.ok) throw new ValidationError(query.errors);
      const view = await outcomes.indicator(request.ctx(), code!, query.data.grain, { download: true });
      return sendCsv(reply, `${view.indicator.code}-${query.data.grain}.csv`, indicatorCsvRows(view.series));
    },
  );

  registerFormPage(app, {
    url: '/outcomes/indicators/:code/target',
    access: 'outcomes.manage',
    view: `${VIEWS}/target-form.njk`,
    schema: TargetInput,
    load: async (ctx, params) => {
      const { indicator, target } = await outcomes.targetForm(ctx, params.code!);
      return {
        indicator,
        unitLabel: UNIT_LABELS[indicator.unit],
        values: target ? { target: target.target, targetBy: target.targetBy, version: target.version } : {},
      };
    },
    submit: async (ctx, data, params) => {
      const indicator = await outcomes.setTarget(ctx, params.code!, data);
      return {
        redirect: `/outcomes/indicators/${indicator.code}`,
        flash: `Target set for ${indicator.name}`,
      };
    },
  });

  app.get('/outcomes/review', { config: { access: 'aggregates.view' } }, async (request, reply) => {
    const [latest] = outcomes.reviewYears(request.ctx());
    return reply.redirect(`/outcomes/review/${latest}`, 303);
  });

  app.get('/outcomes/review/:year', { config: { access: 'aggregates.view' } }, async (request, reply) => {
    const ctx = request.ctx();
    const year = yearParam(pathParams(request).year);
    const frameworks = await localFrameworks.list(ctx);
    const asked = (request.query as Record<string, unknown> | undefined)?.framework;
    const chosen = typeof asked === 'string' ? asked : await outcomes.defaultFramework(ctx);
    const grouping = frameworks.find((f) => f.id === chosen);
    if (!grouping) throw new NotFoundError('That framework');
    const review = await outcomes.review(ctx, year, grouping);
    return reply.page(`${VIEWS}/review.njk`, {
      review,
      evaluations: await evaluation.headlines(ctx, review.year.end, REVIEW_EVALUATION_INDICATORS),
      frameworks,
      years: outcomes.reviewYears(ctx).map(financialYear),
      canManage: isAllowed(ctx, 'outcomes.manage'),
    });
  });

  registerFormPage(app, {
    url: '/outcomes/review/:year/notes/:code',
    access: 'outcomes.manage',
    view: `${VIEWS}/review-note-form.njk`,
    schema: ReviewNoteInput,
    load: async (ctx, params) => {
      const form = await outcomes.reviewNoteForm(ctx, yearParam(params.year), params.code!);
      return {
        ...form,
        values: form.note ? { commentary: form.note.commentary, version: form.note.version } : {},
      };
    },
    submit: async (ctx, data, params) => {
      const year = yearParam(params.year);
      const indicator = await outcomes.saveReviewNote(ctx, year, params.code!, data);
      return {
        redirect: `/outcomes/review/${year}#${indicator.code}`,
        flash: `Commentary saved for ${indicator.name}`,
      };
    },
  });

  // The upload takes multipart form data; only this scope parses it.
  void app.register(async (scope) => {
    await scope.register(fastifyMultipart, {
      attachFieldsToBody: 'keyValues',
      onFile: async (part) => {
        part.value = { name: part.filename, data: await part.toBuffer() } satisfies Upload;
      },
      limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 3 },
    });
    const form = { columns: IMPORT_COLUMNS, maxRows: MAX_IMPORT_ROWS };

    scope.get(
      '/outcomes/figures/import',
      { config: { access: 'outcomes.manage' } },
      async (_request, reply) => reply.page(`${VIEWS}/import-form.njk`, { ...form, values: {} }),
    );

    scope.post(
      '/outcomes/figures/import',
      { config: { access: 'outcomes.manage' } },
      async (request, reply) => {
        const body = (request.body ?? {}) as Record<string, unknown>;
        const file = body.file as Upload | undefined;
        const refuse = (problems: ValidationError['fields']) =>
          reply.page(
            `${VIEWS}/import-form.njk`,
            {
              ...form,
              values: {},
              errors: formErrors([
                {
                  field: 'file',
                  message:
                    problems.length === 1
                      ? problems[0]!.message
                      : `The file has ${problems.length === 50 ? 'at least 50' : problems.length} problems, listed below; nothing was loaded`,
                },
              ]),
              problems: problems.length > 1 ? problems.map((p) => p.message) : [],
            },
            400,
          );
        if (!(file?.data instanceof Buffer) || file.data.length === 0) {
          return refuse([{ field: 'file', message: 'Choose a CSV file of figures to load' }]);
        }
        try {
          const loaded = await outcomes.importFigures(request.ctx(), file.data.toString('utf8'));
          return reply
            .flash(
              `${loaded.rows} figure${loaded.rows === 1 ? '' : 's'} loaded for ${loaded.indicators.length} indicator${loaded.indicators.length === 1 ? '' : 's'}`,
            )
            .redirect('/outcomes', 303);
        } catch (error) {
          if (error instanceof ValidationError) return refuse(error.fields);
          throw error;
        }
      },
    );
  });
}
