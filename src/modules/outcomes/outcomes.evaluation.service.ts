import { z } from 'zod';
import type { Ctx } from '../../common/context.ts';
import { NotFoundError, ValidationError } from '../../common/errors.ts';
import { londonDate, spokenDate } from '../../common/plain-dates.ts';
import { SUPPRESSION_THRESHOLD, type Shown } from '../../common/suppression.ts';
import type { Db } from '../../db/database.ts';
import type { AccessService } from '../access/index.ts';
import type { Cell, FigureTable as Figures } from '../../web/figure-table.ts';
import type { AuditService } from '../audit/index.ts';
import { cohortStrata, type CohortStratum } from '../referrals/index.ts';
import {
  NotEnoughDataError,
  describeDid,
  differenceInDifferences,
  formatFigure,
  type DidResult,
} from './outcomes.evaluation.ts';
import { compareCohorts, describeComparison, type CohortComparison } from './outcomes.evaluation.cohorts.ts';
import {
  INDICATORS,
  UNIT_LABELS,
  UNIT_SCALE,
  indicatorByCode,
  type Indicator,
} from './outcomes.indicators.ts';
import type { PracticeChange, PracticeChangeService } from './outcomes.practice-changes.ts';
import type { OutcomeService } from './outcomes.service.ts';
import type { Grain } from './outcomes.series.ts';

/**
 * The evaluation page's figures: for a practice change and an indicator, the locality's figures
 * before and after against the other localities (difference-in-differences, outcomes.evaluation.ts),
 * and the cohort comparison of children who received early help against similar children who did not
 * (outcomes.evaluation.cohorts.ts), both aggregates only.
 *
 * Small numbers. The estimates, their intervals and the means over many periods are published as
 * they are: each rests on many counts, and none can be turned back into one. A single period's rate
 * for the locality that changed is shown only when its count is 0 or at least 5, and the comparison
 * localities' average only when every count it averages is (the rule of common/suppression.ts, as
 * the indicator pages apply it). Cohort counts go through `suppressRow`; a proportion is shown only
 * where the counts it rests on are.
 */

export const EVALUATION_TABLES = ['did-summary', 'did-periods', 'cohort'] as const;
export type EvaluationTableName = (typeof EVALUATION_TABLES)[number];

const GRAIN_VALUES = ['month', 'quarter', 'year'] as const;
const GRAIN_WORDS: Record<Grain, { per: string; label: string }> = {
  month: { per: 'a month', label: 'Months' },
  quarter: { per: 'a quarter', label: 'Quarters' },
  year: { per: 'a year', label: 'Years (April to March)' },
};

export const EvaluationQuery = z.object({
  indicator: z
    .string({ error: 'Choose an indicator' })
    .refine((code) => indicatorByCode(code) !== undefined, 'Choose an indicator from the list'),
  change: z.uuid({ error: 'Choose a practice change from the list' }),
  grain: z.enum(GRAIN_VALUES, { error: 'Choose months, quarters or years' }).default('quarter'),
  cohortPeriod: z
    .enum(['all', 'before', 'after'], { error: 'Choose when the contacts were decided' })
    .default('all'),
  cohortLocalities: z
    .enum(['all', 'treated', 'comparison'], { error: 'Choose which localities’ children to compare' })
    .default('all'),
});
export type EvaluationQuery = z.output<typeof EvaluationQuery>;

export type FigureTable = Figures<EvaluationTableName>;
/** The shape of `lineChart` in web/views/_charts.njk. */
export type LineChart = {
  title: string;
  description: string;
  labels: string[];
  series: { name: string; values: (number | null)[]; dash: string }[];
};

const NOT_SHOWN = 'Not available';
const percent = new Intl.NumberFormat('en-GB', { style: 'percent', maximumFractionDigits: 1 });
const monthShort = new Intl.DateTimeFormat('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' });

function shownCell(s: Shown): Cell {
  return s.kind === 'count'
    ? { text: s.value.toLocaleString('en-GB'), value: s.value }
    : { text: s.display, value: s.display };
}
const text = (t: string, value: string | number = t): Cell => ({ text: t, value });
const figure = (v: number | null, ref?: number): Cell =>
  v === null ? text(NOT_SHOWN, '') : { text: formatFigure(v, ref), value: Math.round(v * 10_000) / 10_000 };
const share = (v: number | null): Cell =>
  v === null ? text(NOT_SHOWN, '') : { text: percent.format(v), value: Math.round(v * 1000) / 10 };
const points = (v: number | null): Cell =>
  v === null ? text(NOT_SHOWN, '') : { text: (v * 100).toFixed(1), value: Math.round(v * 1000) / 10 };

const small = (n: number) => n >= 1 && n < SUPPRESSION_THRESHOLD;

export class EvaluationService {
  constructor(
    private readonly readDb: Db,
    private readonly audit: AuditService,
    private readonly access: AccessService,
    private readonly outcomes: Pick<OutcomeService, 'series'>,
    private readonly practiceChanges: PracticeChangeService,
  ) {}

  /** What the page offers: the indicators and the practice changes in force. */
  async choices(ctx: Ctx) {
    await this.access.require(ctx, 'aggregates.view', 'evaluation.view');
    const changes = await this.practiceChanges.listForEvaluation(ctx);
    return {
      indicators: INDICATORS.map((i) => ({ code: i.code, name: i.name })),
      changes,
      grains: GRAIN_VALUES.map((g) => ({ value: g, text: GRAIN_WORDS[g].label })),
    };
  }

  /**
   * The defaults for a first visit: the newest practice change, and children supported by an early
   * help plan, the figure an integrated locality team most directly sets out to change.
   */
  defaults(changes: readonly PracticeChange[]): Partial<EvaluationQuery> {
    const indicator = INDICATORS.find((i) => i.code === 'early_help_rate') ?? INDICATORS[0];
    return {
      ...(indicator ? { indicator: indicator.code } : {}),
      ...(changes[0] ? { change: changes[0].id } : {}),
    };
  }

  /**
   * For the annual review: each practice change in force by `yearEnd`, judged by quarters on the
   * indicators given, in the page's plain words (or why there is not enough data). Audited as one
   * `aggregate.view` event.
   */
  async headlines(ctx: Ctx, yearEnd: string, indicatorCodes: readonly string[]) {
    await this.access.require(ctx, 'aggregates.view', 'evaluation.view');
    const changes = (await this.practiceChanges.listForEvaluation(ctx)).filter((c) => c.changedOn <= yearEnd);
    await this.audit.recordAlone(ctx, {
      action: 'aggregate.view',
      detail: { table: 'evaluation-headlines', yearEnd, changes: changes.length },
    });
    const results = [];
    for (const change of changes) {
      for (const code of indicatorCodes) {
        const indicator = indicatorByCode(code);
        if (!indicator) continue;
        const { words, didProblem } = await this.differenceFor(ctx, indicator, change, 'quarter');
        results.push({ change, indicator, words, problem: didProblem });
      }
    }
    return results;
  }

  /** The difference-in-differences of one indicator around one practice change, with its words. */
  private async differenceFor(ctx: Ctx, indicator: Indicator, change: PracticeChange, grain: Grain) {
    const panel = await this.outcomes.series(ctx, { indicator: indicator.code, grain });
    const localityPoints = panel.points.flatMap((p) =>
      p.localityId === null ? [] : [{ ...p, localityId: p.localityId }],
    );
    const scale = UNIT_SCALE[indicator.unit];
    const isCount = localityPoints.length > 0 && localityPoints.every((p) => p.denominator === null);
    const unit = isCount
      ? 'a period'
      : indicator.unit === 'percent'
        ? 'percentage points'
        : UNIT_LABELS[indicator.unit];

    let did: DidResult | null = null;
    let didProblem: string | null = null;
    try {
      did = differenceInDifferences({
        points: localityPoints,
        treatedLocalityId: change.localityId,
        changedOn: change.changedOn,
        scale,
      });
    } catch (error) {
      if (!(error instanceof NotEnoughDataError)) throw error;
      didProblem = error.message;
    }
    const words = did
      ? describeDid(did, { treated: change.localityName, unit, perPeriod: GRAIN_WORDS[grain].per })
      : null;
    return { localityPoints, isCount, did, didProblem, words };
  }

  /**
   * The figures, audited as one `aggregate.view` event (naming the table when one is downloaded),
   * written before anything is read.
   */
  async evaluate(ctx: Ctx, asked: unknown, options: { table?: EvaluationTableName } = {}) {
    const partnershipId = await this.access.require(ctx, 'aggregates.view', 'evaluation.view');
    const parsed = EvaluationQuery.safeParse(asked ?? {});
    if (!parsed.success)
      throw new ValidationError(
        parsed.error.issues.map((i) => ({
          field: i.path.map(String).join('.') || 'form',
          message: i.message,
        })),
      );
    const query = parsed.data;
    const indicator = indicatorByCode(query.indicator) as Indicator;
    let change: PracticeChange;
    try {
      change = await this.practiceChanges.getForEvaluation(ctx, query.change);
    } catch (error) {
      if (error instanceof NotFoundError)
        throw new ValidationError([{ field: 'change', message: 'Choose a practice change from the list' }]);
      throw error;
    }
    await this.audit.recordAlone(ctx, {
      action: 'aggregate.view',
      detail: {
        table: 'evaluation',
        ...(options.table ? { download: options.table } : {}),
        indicator: query.indicator,
        change: query.change,
        grain: query.grain,
        cohortPeriod: query.cohortPeriod,
        cohortLocalities: query.cohortLocalities,
      },
    });

    const { localityPoints, isCount, did, didProblem, words } = await this.differenceFor(
      ctx,
      indicator,
      change,
      query.grain,
    );

    // Which single-period values may be published (see the comment at the top).
    const smallAt = new Map<string, { treated: boolean; comparison: boolean }>();
    for (const p of localityPoints) {
      const at = smallAt.get(p.period) ?? { treated: false, comparison: false };
      if (small(p.numerator)) {
        if (p.localityId === change.localityId) at.treated = true;
        else at.comparison = true;
      }
      smallAt.set(p.period, at);
    }
    const periods = (did?.periods ?? []).map((p) => {
      const hide = smallAt.get(p.period) ?? { treated: false, comparison: false };
      const treated = hide.treated ? null : p.treated;
      const comparison = hide.comparison ? null : p.comparison;
      return { ...p, treated, comparison, gap: treated === null || comparison === null ? null : p.gap };
    });
    const ref = Math.max(0, ...periods.flatMap((p) => [p.treated ?? 0, p.comparison ?? 0]));

    // The cohort comparison.
    const split =
      query.cohortPeriod === 'before'
        ? { decidedBefore: change.changedOn }
        : query.cohortPeriod === 'after'
          ? { decidedFrom: change.changedOn }
          : {};
    const strata: CohortStratum[] = (
      await cohortStrata(this.readDb, partnershipId, { followedUpTo: ctx.now, ...split })
    ).filter((s) =>
      query.cohortLocalities === 'treated'
        ? s.localityId === change.localityId
        : query.cohortLocalities === 'comparison'
          ? s.localityId !== null && s.localityId !== change.localityId
          : true,
    );
    const cohort = compareCohorts(strata);

    const unitLabel = isCount ? 'count' : UNIT_LABELS[indicator.unit];
    const changeText = `${change.localityName}, ${change.title}, from ${spokenDate(change.changedOn)}`;
    const tables = buildTables({
      did,
      periods,
      ref,
      unitLabel,
      change,
      changeText,
      indicator,
      cohort,
      query,
    });
    const firstAfter = periods.findIndex((p) => p.phase !== 'before');
    const chart: LineChart | null = did
      ? {
          title: `${indicator.name}: ${change.localityName} and the other localities`,
          description:
            `Two lines, one point per period: ${change.localityName} (solid) and the average of the other ` +
            `${did.comparisonLocalities} localities (dashed), ${unitLabel}. The change took effect on ` +
            `${spokenDate(change.changedOn)}` +
            (firstAfter >= 0
              ? `, so the periods from ${periodLabel(periods[firstAfter]!.period, query.grain)} are after it`
              : '') +
            '. A period whose figure rests on a number too small to publish has no point. ' +
            'The table that follows gives every figure.',
          labels: periods.map((p) => periodLabel(p.period, query.grain)),
          series: [
            { name: change.localityName, values: periods.map((p) => rounded(p.treated, ref)), dash: '' },
            { name: 'Other localities', values: periods.map((p) => rounded(p.comparison, ref)), dash: '8 6' },
          ],
        }
      : null;

    return {
      query,
      indicator: { code: indicator.code, name: indicator.name, unit: unitLabel, better: indicator.better },
      change,
      changeText,
      did,
      didProblem,
      words,
      cohort,
      cohortWords: cohort.measures.map(describeComparison),
      chart,
      tables,
      asOf: londonDate(ctx.now),
    };
  }
}

/** A value rounded as `formatFigure` shows it, for the chart's points. */
function rounded(v: number | null, ref: number): number | null {
  if (v === null) return null;
  const digits = ref >= 100 ? 0 : ref >= 10 ? 1 : ref >= 1 ? 2 : 3;
  return Number(v.toFixed(digits));
}

function periodLabel(period: string, grain: Grain): string {
  const d = new Date(`${period}T00:00:00Z`);
  if (grain === 'year') return `${d.getUTCFullYear()} to ${String(d.getUTCFullYear() + 1).slice(2)}`;
  if (grain === 'quarter') return `${monthShort.format(d)} quarter`;
  return monthShort.format(d);
}

const PHASE_LABELS = { before: 'Before', after: 'After', straddles: 'Change during period' } as const;

function buildTables(a: {
  did: DidResult | null;
  periods: {
    period: string;
    phase: keyof typeof PHASE_LABELS;
    treated: number | null;
    comparison: number | null;
    gap: number | null;
  }[];
  ref: number;
  unitLabel: string;
  change: PracticeChange;
  changeText: string;
  indicator: Indicator;
  cohort: CohortComparison;
  query: EvaluationQuery;
}): Record<EvaluationTableName, FigureTable> {
  const { did, change } = a;
  const r = did ? Math.max(Math.abs(did.interval.low), Math.abs(did.interval.high), a.ref) : a.ref;
  const summaryRows: Cell[][] = did
    ? [
        [text(`${change.localityName}: average before`), figure(did.means.treated.before, r)],
        [text(`${change.localityName}: average after`), figure(did.means.treated.after, r)],
        [text('Other localities: average before'), figure(did.means.comparison.before, r)],
        [text('Other localities: average after'), figure(did.means.comparison.after, r)],
        [text('Difference-in-differences estimate'), figure(did.estimate, r)],
        [text('95% confidence interval: lower'), figure(did.interval.low, r)],
        [text('95% confidence interval: upper'), figure(did.interval.high, r)],
        [text('Standard error'), figure(did.standardError, r)],
        [text('Degrees of freedom (t distribution)'), figure(did.degreesOfFreedom, 100)],
        [text('Periods before / after'), text(`${did.periodsBefore} / ${did.periodsAfter}`)],
        [
          text('Comparison localities'),
          { text: String(did.comparisonLocalities), value: did.comparisonLocalities },
        ],
        [text('Gap trend per period before the change'), figure(did.preTrend?.slope ?? null, r)],
        [text('Gap trend: 95% interval lower'), figure(did.preTrend?.interval.low ?? null, r)],
        [text('Gap trend: 95% interval upper'), figure(did.preTrend?.interval.high ?? null, r)],
      ]
    : [];
  const cohortRows: Cell[][] = a.cohort.measures.flatMap((m) => [
    [
      text(`${m.label}: early help`),
      shownCell(m.treated.total),
      shownCell(m.treated.with),
      share(m.treated.proportion),
      points(m.difference),
      points(m.interval?.low ?? null),
      points(m.interval?.high ?? null),
    ],
    [
      text(`${m.label}: signposted or no further action (matched, standardised)`),
      shownCell(m.comparison.total),
      shownCell(m.comparison.with),
      share(m.comparison.proportion),
      text(''),
      text(''),
      text(''),
    ],
  ]);
  const cohortScope =
    (a.query.cohortPeriod === 'before'
      ? 'decided before the change'
      : a.query.cohortPeriod === 'after'
        ? 'decided after the change'
        : 'all decisions') +
    (a.query.cohortLocalities === 'treated'
      ? `, ${change.localityName} only`
      : a.query.cohortLocalities === 'comparison'
        ? `, other localities only`
        : ', all localities');
  return {
    'did-summary': {
      name: 'did-summary',
      caption: `${a.indicator.name} (${a.unitLabel}), ${a.changeText}: before and after`,
      head: [
        { text: 'Figure', numeric: false },
        { text: 'Value', numeric: true },
      ],
      rows: summaryRows,
    },
    'did-periods': {
      name: 'did-periods',
      caption: `${a.indicator.name} (${a.unitLabel}) by period: ${change.localityName} and the other localities`,
      head: [
        { text: 'Period starting', numeric: false },
        { text: 'Before or after', numeric: false },
        { text: change.localityName, numeric: true },
        { text: 'Other localities (average)', numeric: true },
        { text: 'Gap', numeric: true },
      ],
      rows: a.periods.map((p) => [
        text(spokenDate(p.period), p.period),
        text(PHASE_LABELS[p.phase]),
        figure(p.treated, a.ref),
        figure(p.comparison, a.ref),
        figure(p.gap, a.ref),
      ]),
    },
    cohort: {
      name: 'cohort',
      caption: `Children after a front-door decision, followed for 12 months (${cohortScope})`,
      head: [
        { text: 'Group', numeric: false },
        { text: 'Children', numeric: true },
        { text: 'With the outcome', numeric: true },
        { text: 'Share', numeric: true },
        { text: 'Difference (percentage points)', numeric: true },
        { text: '95% interval: lower', numeric: true },
        { text: '95% interval: upper', numeric: true },
      ],
      rows: cohortRows,
    },
  };
}
