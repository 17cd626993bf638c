import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import type { Ctx } from '../../common/context.ts';
import { requirePerson } from '../../common/context.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../common/errors.ts';
import { addMonths, londonDate } from '../../common/plain-dates.ts';
import type { Db, Tx } from '../../db/database.ts';
import type { AccessService } from '../access/index.ts';
import type { AuditService } from '../audit/index.ts';
import { INDICATORS, indicatorByCode, type Indicator } from './outcomes.indicators.ts';
import { parseFigures } from './outcomes.import.ts';
import type { MeasureKind, MeasureSource } from '../../db/measures.ts';
import { refreshMeasures } from './outcomes.refresh.ts';
import {
  GRAINS,
  computedSeries,
  importedSeries,
  type Grain,
  type Locality,
  type Series,
} from './outcomes.series.ts';
import * as store from './outcomes.store.ts';
import { trendOf, type Trend } from './outcomes.trend.ts';
import type { Grouping } from './outcomes.local-frameworks.ts';
import { frameworksFor } from '../../common/outcome-frameworks.ts';
import { annualReview, financialYear } from './outcomes.review.ts';

export const IndicatorQuery = z.object({
  grain: z.enum(GRAINS, { error: 'Choose years, quarters or months' }).default('year'),
  framework: z.string().trim().max(100).optional(),
});

export const ReviewNoteInput = z.object({
  commentary: z
    .string()
    .trim()
    .min(1, 'Enter the commentary')
    .max(4000, 'The commentary must be 4,000 characters or fewer'),
  version: z.coerce.number().int().positive().optional(),
});
export type ReviewNoteInput = z.output<typeof ReviewNoteInput>;

export const TargetInput = z.object({
  target: z
    .string({ error: 'Enter the target' })
    .trim()
    .min(1, 'Enter the target')
    .transform(Number)
    .pipe(
      z.number({ error: 'Enter the target as a number, like 12.5' }).min(0, 'The target must be 0 or more'),
    ),
  targetBy: z.iso.date({ error: 'Enter the date to reach it by as YYYY-MM-DD, for example 2028-03-31' }),
  version: z.coerce.number().int().positive().optional(),
});
export type TargetInput = z.output<typeof TargetInput>;

/** An indicator's figures with its target and its curve, for one page or one CSV file. */
export type IndicatorView = {
  indicator: Indicator;
  series: Series;
  trend: Trend | null;
  target: store.Target | null;
};

/** The contract the evaluation reads: the raw counts behind an indicator, per locality and period. */
export type IndicatorPanel = {
  indicator: Indicator;
  localities: { id: string; code: string; name: string }[];
  points: { localityId: string | null; period: string; numerator: number; denominator: number | null }[];
};

/**
 * Outcome indicators and performance measures for boards, managers and analysts: aggregates only,
 * small numbers suppressed (outcomes.series.ts), each look audited as `aggregate.view`. Figures are
 * read from the precomputed monthly counts (on the read replica when there is one) and kept in memory
 * until the next refresh, import or target changes them.
 */
export class OutcomeService {
  private readonly cache = new LRUCache<string, Series>({ max: 500 });
  private readonly kinds: ReadonlyMap<string, MeasureKind>;

  constructor(
    private readonly db: Db,
    private readonly readDb: Db,
    private readonly audit: AuditService,
    private readonly access: AccessService,
    private readonly sources: readonly MeasureSource[],
  ) {
    this.kinds = new Map(sources.flatMap((s) => s.measures.map((m) => [m.name, m.kind] as const)));
  }

  /** Every indicator's latest figure for the whole area, with its direction of travel and target. */
  /** The framework the partnership's figures are grouped by unless another is chosen. */
  async defaultFramework(ctx: Ctx): Promise<string> {
    const partnershipId = await this.access.require(ctx, 'aggregates.view', 'outcomes.overview');
    return frameworksFor(await store.jurisdictionOf(this.db, partnershipId))[0]!.id;
  }

  async overview(ctx: Ctx, grain: Grain) {
    const partnershipId = await this.access.require(ctx, 'aggregates.view', 'outcomes.overview');
    await this.audit.recordAlone(ctx, {
      action: 'aggregate.view',
      detail: { table: 'outcomes-overview', grain },
    });
    const { views, refreshed } = await this.read(partnershipId, async (tx, mark) => ({
      views: await Promise.all(
        INDICATORS.map((i) => this.view(tx, partnershipId, mark, i, grain, londonDate(ctx.now))),
      ),
      refreshed: await store.refreshTimes(tx, partnershipId),
    }));
    return { grain, views, refreshed };
  }

  /** One indicator: every period, for the area and each locality. */
  async indicator(ctx: Ctx, code: string, grain: Grain, options: { download?: boolean } = {}) {
    const partnershipId = await this.access.require(ctx, 'aggregates.view', 'outcomes.indicator');
    const indicator = indicatorByCode(code);
    if (!indicator) throw new NotFoundError('That indicator');
    await this.audit.recordAlone(ctx, {
      action: 'aggregate.view',
      detail: { table: `indicator:${code}`, grain, ...(options.download ? { download: 'csv' } : {}) },
    });
    return this.read(partnershipId, (tx, mark) =>
      this.view(tx, partnershipId, mark, indicator, grain, londonDate(ctx.now)),
    );
  }

  /** The financial years a review can be written for: those that have ended, newest first, up to ten. */
  reviewYears(ctx: Ctx): number[] {
    const today = londonDate(ctx.now);
    const latest = Number(today.slice(0, 4)) - (today.slice(5) >= '04-01' ? 1 : 2);
    return Array.from({ length: 10 }, (_, i) => latest - i);
  }

  /** The annual outcome review of a financial year (2025: April 2025 to March 2026). */
  async review(ctx: Ctx, year: number, framework: Grouping) {
    const partnershipId = await this.access.require(ctx, 'aggregates.view', 'outcomes.review');
    this.checkYear(ctx, year);
    await this.audit.recordAlone(ctx, {
      action: 'aggregate.view',
      detail: { table: 'outcomes-review', year },
    });
    return this.read(partnershipId, async (tx, mark) => {
      const today = londonDate(ctx.now);
      const views = await Promise.all(
        INDICATORS.map((i) => this.view(tx, partnershipId, mark, i, 'year', today)),
      );
      return annualReview({
        year,
        views,
        notes: await store.reviewNotes(tx, partnershipId, year),
        framework,
      });
    });
  }

  async reviewNoteForm(ctx: Ctx, year: number, code: string) {
    const partnershipId = await this.access.require(ctx, 'outcomes.manage', 'outcomes.review.note');
    this.checkYear(ctx, year);
    const indicator = indicatorByCode(code);
    if (!indicator) throw new NotFoundError('That indicator');
    const note = (await store.reviewNotes(this.db, partnershipId, year)).find(
      (n) => n.indicatorCode === code,
    );
    return { indicator, year: financialYear(year), note: note ?? null };
  }

  /** Write the year's commentary on an indicator; a stale version (someone wrote meanwhile) is a conflict. */
  async saveReviewNote(ctx: Ctx, year: number, code: string, input: ReviewNoteInput) {
    const partnershipId = await this.access.require(ctx, 'outcomes.manage', 'outcomes.review.note');
    const userId = requirePerson(ctx).userId;
    this.checkYear(ctx, year);
    const indicator = indicatorByCode(code);
    if (!indicator) throw new NotFoundError('That indicator');
    await this.db.transaction().execute(async (tx) => {
      const saved = await store.saveReviewNote(
        tx,
        partnershipId,
        { year, indicatorCode: code, commentary: input.commentary, version: input.version ?? null },
        { userId, at: ctx.now },
      );
      if (!saved)
        throw new ConflictError(
          'Someone else changed this commentary while you were writing. Check it and try again.',
        );
      await this.audit.record(tx, ctx, { action: 'outcomes.review.note', detail: { year, indicator: code } });
    });
    return indicator;
  }

  private checkYear(ctx: Ctx, year: number) {
    if (!this.reviewYears(ctx).includes(year)) throw new NotFoundError('A review for that year');
  }

  /** The counts behind an indicator for the evaluation's own estimates (the caller suppresses what it shows). */
  async series(ctx: Ctx, query: { indicator: string; grain: Grain }): Promise<IndicatorPanel> {
    const partnershipId = await this.access.require(ctx, 'aggregates.view', 'outcomes.series');
    const indicator = indicatorByCode(query.indicator);
    if (!indicator) throw new NotFoundError('That indicator');
    return this.read(partnershipId, async (tx) => {
      const localities = await store.localities(tx, partnershipId);
      const series = await this.seriesOf(
        tx,
        partnershipId,
        indicator,
        query.grain,
        londonDate(ctx.now),
        localities,
      );
      const points = series.lines
        .filter((line) => line.key !== 'unknown')
        .flatMap((line) =>
          line.points.map((p) => ({
            localityId: line.key === 'area' ? null : line.key,
            period: p.period.start,
            numerator: p.raw.numerator,
            denominator: p.raw.denominator,
          })),
        )
        .filter((p) => p.numerator !== null)
        .map((p) => ({ ...p, numerator: p.numerator! }));
      return { indicator, localities, points };
    });
  }

  async targetForm(ctx: Ctx, code: string) {
    const partnershipId = await this.access.require(ctx, 'outcomes.manage', 'outcomes.target');
    const indicator = indicatorByCode(code);
    if (!indicator) throw new NotFoundError('That indicator');
    const target =
      (await store.targets(this.db, partnershipId)).find((t) => t.indicatorCode === code) ?? null;
    return { indicator, target };
  }

  /** Set or change an indicator's target; a stale version (someone changed it meanwhile) is a conflict. */
  async setTarget(ctx: Ctx, code: string, input: TargetInput) {
    const partnershipId = await this.access.require(ctx, 'outcomes.manage', 'outcomes.target');
    const userId = requirePerson(ctx).userId;
    const indicator = indicatorByCode(code);
    if (!indicator) throw new NotFoundError('That indicator');
    if (indicator.unit === 'percent' && input.target > 100)
      throw new ValidationError([
        { field: 'target', message: 'A percentage target cannot be more than 100' },
      ]);
    if (input.targetBy <= londonDate(ctx.now))
      throw new ValidationError([
        { field: 'targetBy', message: 'The date to reach the target by must be in the future' },
      ]);
    await this.db.transaction().execute(async (tx) => {
      const saved = await store.saveTarget(
        tx,
        partnershipId,
        {
          indicatorCode: code,
          target: input.target,
          targetBy: input.targetBy,
          version: input.version ?? null,
        },
        { userId, at: ctx.now },
      );
      if (!saved)
        throw new ConflictError(
          'Someone else changed this target while you were editing it. Check it and try again.',
        );
      await this.audit.record(tx, ctx, {
        action: 'outcomes.target.set',
        detail: { indicator: code, target: input.target, targetBy: input.targetBy },
      });
    });
    return indicator;
  }

  /** Load published figures from a CSV file: every row checked first, then all written or none. */
  async importFigures(ctx: Ctx, text: string) {
    const partnershipId = await this.access.require(ctx, 'outcomes.manage', 'outcomes.import');
    const userId = requirePerson(ctx).userId;
    const localities = await store.localities(this.db, partnershipId);
    const { rows, errors } = parseFigures(text, localities);
    if (errors.length > 0) throw new ValidationError(errors.slice(0, 50));
    await this.db.transaction().execute(async (tx) => {
      await store.saveFigures(
        tx,
        rows.map((r) => ({ partnershipId, ...r, importedAt: ctx.now, importedBy: userId })),
      );
      await this.audit.record(tx, ctx, {
        action: 'outcomes.figures.import',
        detail: { rows: rows.length, indicators: [...new Set(rows.map((r) => r.indicatorCode))] },
      });
    });
    return { rows: rows.length, indicators: [...new Set(rows.map((r) => r.indicatorCode))] };
  }

  /** Count again the months changed since the last refresh (every month with `full`), for every partnership. */
  async refresh(options: { full?: boolean } = {}) {
    const results = [];
    for (const partnershipId of await store.partnershipIds(this.db)) {
      results.push({
        partnershipId,
        sources: await refreshMeasures(this.db, this.sources, partnershipId, options),
      });
    }
    return results;
  }

  private read<T>(partnershipId: string, work: (tx: Tx, mark: string) => Promise<T>): Promise<T> {
    return this.readDb
      .transaction()
      .setAccessMode('read only')
      .execute(async (tx) => work(tx, await store.changeMark(tx, partnershipId)));
  }

  private async view(
    tx: Tx,
    partnershipId: string,
    mark: string,
    indicator: Indicator,
    grain: Grain,
    today: string,
  ): Promise<IndicatorView> {
    const cacheKey = `${partnershipId}|${mark}|${today}|${indicator.code}|${grain}`;
    let series = this.cache.get(cacheKey);
    if (!series) {
      series = await this.seriesOf(
        tx,
        partnershipId,
        indicator,
        grain,
        today,
        await store.localities(tx, partnershipId),
      );
      this.cache.set(cacheKey, series);
    }
    const target =
      (await store.targets(tx, partnershipId)).find((t) => t.indicatorCode === indicator.code) ?? null;
    const area = series.lines[0]?.points.map((p) => p.value) ?? [];
    return { indicator, series, trend: trendOf(area, indicator.better), target };
  }

  private async seriesOf(
    tx: Tx,
    partnershipId: string,
    indicator: Indicator,
    grain: Grain,
    today: string,
    localities: Locality[],
  ): Promise<Series> {
    if (!indicator.computed) {
      return importedSeries({
        indicator,
        figures: await store.importedFigures(tx, partnershipId, indicator.code),
        localities,
      });
    }
    const { numerator, denominator } = indicator.computed;
    const measures = [numerator, denominator === 'children' ? 'people.born' : denominator];
    const first = await store.firstMonth(tx, partnershipId, [numerator]);
    if (!first)
      return computedSeries({
        indicator,
        kinds: this.kinds,
        rows: [],
        localities,
        grain,
        firstMonth: today,
        today,
      });
    return computedSeries({
      indicator,
      kinds: this.kinds,
      // Children at the first period's end were born in the 18 years before it.
      rows: await store.measureCounts(tx, partnershipId, measures, addMonths(first, -18 * 12)),
      localities,
      grain,
      firstMonth: first,
      today,
    });
  }
}
