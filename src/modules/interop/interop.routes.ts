import { stringify } from 'csv-stringify/sync';
import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../../common/errors.ts';
import { londonDate } from '../../common/plain-dates.ts';
import { formErrors } from '../../web/forms.ts';
import { registerFormPage } from '../../web/form-route.ts';
import { RULE_TEXTS, rulesFor, type RuleFailure } from './interop.cin-rules.ts';
import { ReturnSettingsInput, type CinCensusRun, type StatutoryReturnService } from './interop.service.ts';

const VIEW = 'interop/views/cin-census.njk';
/** The most failures listed on the page; the CSV has them all. */
export const PAGE_FAILURE_LIMIT = 1000;

/** The last census year that has ended by this day. */
export function lastEndedCensusYear(now: Date): number {
  const today = londonDate(now);
  const year = Number(today.slice(0, 4));
  return today > `${year}-03-31` ? year : year - 1;
}

function byRule(failures: RuleFailure[]) {
  const counts = new Map<string, { code: string; level: string; message: string; count: number }>();
  for (const f of failures) {
    const entry = counts.get(f.ruleId) ?? { code: f.code, level: f.level, message: f.message, count: 0 };
    entry.count++;
    counts.set(f.ruleId, entry);
  }
  return [...counts.values()];
}

const yearOf = (query: unknown) => (query as Record<string, unknown> | undefined)?.year;

/** The Children in Need census: check a year, list what fails, download the XML and the failures. */
export function registerStatutoryReturnRoutes(
  app: FastifyInstance,
  services: { statutoryReturns: StatutoryReturnService },
) {
  const returns = services.statutoryReturns;

  app.get('/returns/cin-census', { config: { access: 'returns.export' } }, async (request, reply) => {
    const ctx = request.ctx();
    const { laCode } = await returns.settings(ctx);
    const asked = yearOf(request.query);
    const base = { laCode, ruleCount: RULE_TEXTS.length };
    if (asked === undefined)
      return reply.page(VIEW, { ...base, values: { year: String(lastEndedCensusYear(request.now())) } });
    let run: CinCensusRun;
    try {
      run = await returns.cinCensus(ctx, asked, 'validate');
    } catch (error) {
      if (error instanceof ValidationError)
        return reply.page(VIEW, { ...base, values: { year: asked }, errors: formErrors(error.fields) }, 400);
      throw error;
    }
    return reply.page(VIEW, {
      ...base,
      values: { year: String(run.year) },
      run,
      byRule: byRule(run.failures),
      failures: run.failures.slice(0, PAGE_FAILURE_LIMIT),
      rulesApplied: rulesFor(run.year).length,
    });
  });

  app.get('/returns/cin-census.xml', { config: { access: 'returns.export' } }, async (request, reply) => {
    const ctx = request.ctx();
    const asked = yearOf(request.query);
    let result;
    try {
      result = await returns.cinCensusXml(ctx, asked);
    } catch (error) {
      if (error instanceof ValidationError) {
        const { laCode } = await returns.settings(ctx);
        return reply.page(
          VIEW,
          { laCode, ruleCount: RULE_TEXTS.length, values: { year: asked }, errors: formErrors(error.fields) },
          400,
        );
      }
      throw error;
    }
    const { run, xml } = result;
    return reply
      .header('content-type', 'application/xml; charset=utf-8')
      .header('content-disposition', `attachment; filename="cin-census-${run.laCode}-${run.year}.xml"`)
      .header('cache-control', 'no-store')
      .send(xml);
  });

  app.get(
    '/returns/cin-census-errors.csv',
    { config: { access: 'returns.export' } },
    async (request, reply) => {
      const ctx = request.ctx();
      const asked = yearOf(request.query);
      let run: CinCensusRun;
      try {
        run = await returns.cinCensus(ctx, asked, 'errors-csv');
      } catch (error) {
        if (error instanceof ValidationError) {
          const { laCode } = await returns.settings(ctx);
          return reply.page(
            VIEW,
            {
              laCode,
              ruleCount: RULE_TEXTS.length,
              values: { year: asked },
              errors: formErrors(error.fields),
            },
            400,
          );
        }
        throw error;
      }
      const csv = stringify(
        [
          ['LA child id', 'Referral date', 'Rule', 'Kind', 'Message', 'Fields'],
          ...run.failures.map((f) => [
            f.laChildId ?? 'Whole return',
            f.referralDate ?? '',
            f.code,
            f.level,
            f.message,
            f.fields.join(' '),
          ]),
        ],
        { bom: true, escape_formulas: true },
      );
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="cin-census-${run.year}-errors.csv"`)
        .header('cache-control', 'no-store')
        .send(csv);
    },
  );

  registerFormPage(app, {
    url: '/returns/settings',
    access: 'returns.export',
    view: 'interop/views/settings-form.njk',
    schema: ReturnSettingsInput,
    load: async (ctx) => ({ values: await returns.settings(ctx) }),
    submit: async (ctx, data) => {
      await returns.updateSettings(ctx, data);
      return { redirect: '/returns/cin-census', flash: 'Local authority number saved' };
    },
  });
}
