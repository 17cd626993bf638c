import { z } from 'zod';
import type { Ctx } from '../../common/context.ts';
import { ValidationError } from '../../common/errors.ts';
import { londonDate } from '../../common/plain-dates.ts';
import type { Db } from '../../db/database.ts';
import type { AccessService } from '../access/index.ts';
import { censusAssessments } from '../assessments/index.ts';
import type { AuditService } from '../audit/index.ts';
import { censusPeople } from '../people/index.ts';
import { censusPlans } from '../plans/index.ts';
import { censusReferrals } from '../referrals/index.ts';
import { buildCinCensus, censusEnd, censusPeriod, type CinReturn } from './interop.cin-census.ts';
import { validateCinReturn, type RuleFailure } from './interop.cin-rules.ts';
import { cinCensusXml } from './interop.cin-xml.ts';
import * as store from './interop.store.ts';

/** The first census year the platform will build (the CIN census began in 2008 to 2009). */
export const FIRST_CENSUS_YEAR = 2009;

/** The census year asked for: its last year, as four digits ("2025" is 1 April 2024 to 31 March 2025). */
export function parseCensusYear(value: unknown, now: Date): number {
  const text = typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
  const fail = (message: string): never => {
    throw new ValidationError([{ field: 'year', message }]);
  };
  if (text === '') return fail('Enter the census year, for example 2025');
  if (!/^\d{4}$/.test(text)) return fail('Enter the census year as 4 digits, for example 2025');
  const year = Number(text);
  if (year < FIRST_CENSUS_YEAR) return fail(`The census year must be ${FIRST_CENSUS_YEAR} or later`);
  const { start } = censusPeriod(year);
  if (start > londonDate(now))
    return fail(
      `The ${year - 1} to ${year} census year starts on 1 April ${year - 1}, which is in the future`,
    );
  return year;
}

export const ReturnSettingsInput = z.object({
  laCode: z
    .string({ error: 'Enter the local authority number' })
    .trim()
    .regex(/^\d{3}$/, { error: 'Enter the local authority number as 3 digits, for example 370' }),
});
export type ReturnSettingsInput = z.output<typeof ReturnSettingsInput>;

export type CinCensusRun = {
  year: number;
  period: { start: string; referenceDate: string };
  /** The census year has not ended: the return is a draft of the year so far. */
  inProgress: boolean;
  laCode: string | null;
  ret: CinReturn;
  failures: RuleFailure[];
  counts: { children: number; episodes: number; errors: number; queries: number; childrenFailing: number };
};

export type CinCensusPurpose = 'validate' | 'xml' | 'errors-csv';

/** Statutory returns: the Children in Need census, built, checked and exported from the platform's data. */
export class StatutoryReturnService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly access: AccessService,
  ) {}

  async settings(ctx: Ctx): Promise<{ laCode: string | null }> {
    const partnershipId = await this.access.require(ctx, 'returns.export', 'returns.settings.view');
    return { laCode: (await store.findSettings(this.db, partnershipId))?.laCode ?? null };
  }

  async updateSettings(ctx: Ctx, input: ReturnSettingsInput): Promise<void> {
    const partnershipId = await this.access.require(ctx, 'returns.export', 'returns.settings.update');
    await this.db.transaction().execute(async (tx) => {
      await store.saveSettings(tx, partnershipId, input.laCode, ctx);
      await this.audit.record(tx, ctx, {
        action: 'returns.settings.update',
        detail: { laCode: input.laCode },
      });
    });
  }

  /**
   * The census for a year, built from the platform's data and checked against the DfE's rules. Child-level
   * personal data leaves the platform here, so every run (a look at the errors, a download of the XML or of
   * the error list) is one audit event naming the year, the counts and every child in the return.
   */
  async cinCensus(ctx: Ctx, yearInput: unknown, purpose: CinCensusPurpose): Promise<CinCensusRun> {
    const partnershipId = await this.access.require(ctx, 'returns.export', 'returns.cin-census');
    const year = parseCensusYear(yearInput, ctx.now);
    const period = censusPeriod(year);
    const run = await this.db
      .transaction()
      .setAccessMode('read only')
      .execute(async (tx) => {
        const settings = await store.findSettings(tx, partnershipId);
        const referrals = await censusReferrals(tx, partnershipId, censusEnd(year));
        const personIds = [...new Set(referrals.map((r) => r.personId))];
        const episodeIds = referrals.flatMap((r) => (r.episodeId ? [r.episodeId] : []));
        // One after another: a transaction has one connection.
        const people = await censusPeople(tx, partnershipId, personIds);
        const assessments = await censusAssessments(tx, partnershipId, personIds);
        const plans = await censusPlans(tx, partnershipId, personIds);
        const childCodes = await store.childCodes(tx, partnershipId, personIds);
        const episodeCodes = await store.episodeCodes(tx, partnershipId, episodeIds);
        const laCode = settings?.laCode ?? null;
        const ret = buildCinCensus(
          { referrals, people, assessments, ...plans, childCodes, episodeCodes },
          { year, laCode, now: ctx.now },
        );
        return { laCode, ret };
      });
    const failures = validateCinReturn(run.ret);
    const counts = {
      children: run.ret.children.length,
      episodes: run.ret.children.reduce((n, c) => n + c.details.length, 0),
      errors: failures.filter((f) => f.level === 'error').length,
      queries: failures.filter((f) => f.level === 'query').length,
      childrenFailing: new Set(failures.flatMap((f) => (f.personId ? [f.personId] : []))).size,
    };
    await this.audit.recordAlone(ctx, {
      action: 'returns.cin-census',
      subjectType: 'statutory-return',
      subjectId: `cin-census-${year}`,
      detail: { year, purpose, ...counts },
      personIds: run.ret.children.map((c) => c.personId),
    });
    return {
      year,
      period,
      inProgress: period.referenceDate >= londonDate(ctx.now),
      laCode: run.laCode,
      ret: run.ret,
      failures,
      counts,
    };
  }

  /** The census as the DfE's XML; refused (with a message for the page) until the LA number is set. */
  async cinCensusXml(ctx: Ctx, yearInput: unknown): Promise<{ run: CinCensusRun; xml: string }> {
    const { laCode } = await this.settings(ctx);
    parseCensusYear(yearInput, ctx.now); // a bad year is named before a missing LA number
    if (!laCode)
      throw new ValidationError([
        { field: 'laCode', message: 'Set the local authority number before downloading the return' },
      ]);
    const run = await this.cinCensus(ctx, yearInput, 'xml');
    return { run, xml: cinCensusXml(run.ret) };
  }
}
