import jstat from 'jstat';
import { DomainError } from '../../common/errors.ts';

/**
 * Difference-in-differences for one locality that changed its way of working, against the other
 * localities of the partnership, from a panel of rates per locality per period. Pure functions.
 *
 * The method, and why this one. Each period's *gap* is the treated locality's rate minus the average
 * of the comparison localities' rates in that period. The estimate is the mean gap after the change
 * minus the mean gap before it. For a balanced panel with one treated locality this is exactly the
 * coefficient of "treated × after" in a regression with locality and period fixed effects (the
 * comparison localities weighted equally), so it does not depend on a locality's level (a constant
 * added to one locality cancels) nor on anything that moves every locality alike in a period (a
 * constant added to one period cancels).
 *
 * Its uncertainty comes from how much the gap moves from period to period: the standard error is
 * Welch's, sqrt(var_after / n_after + var_before / n_before), with Welch–Satterthwaite degrees of
 * freedom. We do not use a cluster-robust standard error from the regression: with one treated
 * locality and a handful of comparison localities there are far too few clusters for it, and it is
 * badly too small. Because the degrees of freedom are small (a few dozen periods at most), the 95%
 * interval uses the t distribution's critical value (jstat), not 1.96. The gaps of neighbouring
 * months are usually correlated, which makes any such interval somewhat too narrow: the page says so.
 *
 * The parallel-trends check fits a straight line to the gap over the periods before the change: its
 * slope, with a t interval (n - 2 degrees of freedom), says whether the treated locality was already
 * drifting away from the others before anything changed.
 */

const { jStat } = jstat;

/** One figure: a locality's numerator and denominator for a period starting on `period`. */
export type PanelPoint = {
  localityId: string;
  /** The period's first day, YYYY-MM-DD (YYYY-MM and YYYY are read as their first day). */
  period: string;
  numerator: number;
  /** Null: the figure is a count, not a rate. */
  denominator: number | null;
};

export type DidInput = {
  points: readonly PanelPoint[];
  treatedLocalityId: string;
  /** The first day of the new way of working, YYYY-MM-DD. */
  changedOn: string;
  /** Rates are multiplied by this for display (e.g. 1000 for "per 1,000"); counts are left alone. */
  scale?: number;
};

export type Phase = 'before' | 'after' | 'straddles';

export type DidPeriod = {
  period: string;
  phase: Phase;
  /** The treated locality's rate (scaled), null where it has no figure. */
  treated: number | null;
  /** The mean of the comparison localities' rates (scaled), null where none has a figure. */
  comparison: number | null;
  gap: number | null;
};

export type Interval = { low: number; high: number };

export type DidResult = {
  periods: DidPeriod[];
  means: {
    treated: { before: number; after: number };
    comparison: { before: number; after: number };
  };
  estimate: number;
  standardError: number;
  degreesOfFreedom: number;
  criticalValue: number;
  interval: Interval;
  /** The gap's trend per period before the change; null with fewer than 3 periods before it. */
  preTrend: {
    slope: number;
    standardError: number;
    degreesOfFreedom: number;
    interval: Interval;
  } | null;
  periodsBefore: number;
  periodsAfter: number;
  comparisonLocalities: number;
};

/** The data cannot answer the question (one locality, nothing before the change...): says why, plainly. */
export class NotEnoughDataError extends DomainError {
  override name = 'NotEnoughDataError';
}

/** The period's first day as YYYY-MM-DD. */
export function periodStart(period: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(period)) return period;
  if (/^\d{4}-\d{2}$/.test(period)) return `${period}-01`;
  if (/^\d{4}$/.test(period)) return `${period}-01-01`;
  throw new NotEnoughDataError(`The period “${period}” is not a date`);
}

function mean(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}

/** The sample variance (n - 1). */
function variance(values: readonly number[]): number {
  const m = mean(values);
  return values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1);
}

/** The two-sided 95% critical value of the t distribution. */
export function tCritical95(degreesOfFreedom: number): number {
  return jStat.studentt.inv(0.975, degreesOfFreedom);
}

/** The rate of a point, checked: a zero or negative denominator or a negative numerator is refused. */
function rateOf(p: PanelPoint): number {
  if (!Number.isFinite(p.numerator) || p.numerator < 0)
    throw new NotEnoughDataError(`A figure for ${p.period} has a numerator that is not a count`);
  if (p.denominator === null) return p.numerator;
  if (!Number.isFinite(p.denominator) || p.denominator <= 0)
    throw new NotEnoughDataError(
      `A figure for ${p.period} has a denominator of ${p.denominator}: a rate needs a denominator above zero`,
    );
  return p.numerator / p.denominator;
}

/**
 * Which side of the change each period falls: before when the next period starts on or before the
 * change date (the whole period was before it), after when it starts on or after the change date,
 * and "straddles" when the change fell inside it (left out of both means).
 */
export function phases(periods: readonly string[], changedOn: string): Map<string, Phase> {
  const sorted = [...new Set(periods)].sort();
  const out = new Map<string, Phase>();
  sorted.forEach((p, i) => {
    const next = sorted[i + 1];
    if (p >= changedOn) out.set(p, 'after');
    else if (next === undefined || next <= changedOn) out.set(p, 'before');
    else out.set(p, 'straddles');
  });
  return out;
}

export function differenceInDifferences(input: DidInput): DidResult {
  const scale = input.scale ?? 1;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.changedOn))
    throw new NotEnoughDataError('The change date is not a date');
  const localities = new Set(input.points.map((p) => p.localityId));
  if (!localities.has(input.treatedLocalityId))
    throw new NotEnoughDataError('The locality that changed has no figures for this indicator');
  const comparisonIds = [...localities].filter((id) => id !== input.treatedLocalityId);
  if (comparisonIds.length === 0) throw new NotEnoughDataError('There is no other locality to compare with');
  const anyRate = input.points.some((p) => p.denominator !== null);
  const unit = (p: PanelPoint) => rateOf(p) * (p.denominator === null ? 1 : scale);
  if (anyRate && input.points.some((p) => p.denominator === null))
    throw new NotEnoughDataError('Some figures are rates and some are counts: they cannot be compared');

  // One value per locality and period (a repeated one is refused rather than silently added).
  const values = new Map<string, Map<string, number>>();
  for (const p of input.points) {
    const period = periodStart(p.period);
    const row = values.get(period) ?? new Map<string, number>();
    if (row.has(p.localityId))
      throw new NotEnoughDataError(`There are two figures for one locality in the period ${period}`);
    row.set(p.localityId, unit(p));
    values.set(period, row);
  }
  const phaseOf = phases([...values.keys()], input.changedOn);

  const periods: DidPeriod[] = [...phaseOf.entries()].map(([period, phase]) => {
    const row = values.get(period) ?? new Map<string, number>();
    const treated = row.get(input.treatedLocalityId) ?? null;
    const others = comparisonIds.map((id) => row.get(id)).filter((v): v is number => v !== undefined);
    const comparison = others.length ? mean(others) : null;
    return {
      period,
      phase,
      treated,
      comparison,
      gap: treated === null || comparison === null ? null : treated - comparison,
    };
  });
  const usable = (phase: Phase) => periods.filter((p) => p.phase === phase && p.gap !== null);
  const before = usable('before');
  const after = usable('after');
  if (before.length === 0)
    throw new NotEnoughDataError('There are no figures from before the change to compare with');
  if (after.length === 0) throw new NotEnoughDataError('There are no figures from after the change yet');
  if (before.length < 2 || after.length < 2)
    throw new NotEnoughDataError(
      'At least two periods before the change and two after it are needed to say how sure the estimate is',
    );

  const gapsBefore = before.map((p) => p.gap as number);
  const gapsAfter = after.map((p) => p.gap as number);
  const estimate = mean(gapsAfter) - mean(gapsBefore);
  const vb = variance(gapsBefore) / gapsBefore.length;
  const va = variance(gapsAfter) / gapsAfter.length;
  const standardError = Math.sqrt(va + vb);
  // Welch–Satterthwaite, in shares of the total variance so tiny variances do not underflow; when both
  // variances are zero (a panel without noise) the pooled count.
  const total = va + vb;
  const welch =
    total > 0
      ? 1 / ((va / total) ** 2 / (gapsAfter.length - 1) + (vb / total) ** 2 / (gapsBefore.length - 1))
      : gapsAfter.length + gapsBefore.length - 2;
  const degreesOfFreedom = Math.max(1, welch);
  const criticalValue = tCritical95(degreesOfFreedom);

  return {
    periods,
    means: {
      treated: {
        before: mean(before.map((p) => p.treated as number)),
        after: mean(after.map((p) => p.treated as number)),
      },
      comparison: {
        before: mean(before.map((p) => p.comparison as number)),
        after: mean(after.map((p) => p.comparison as number)),
      },
    },
    estimate,
    standardError,
    degreesOfFreedom,
    criticalValue,
    interval: {
      low: estimate - criticalValue * standardError,
      high: estimate + criticalValue * standardError,
    },
    preTrend: preTrend(periods, before),
    periodsBefore: before.length,
    periodsAfter: after.length,
    comparisonLocalities: comparisonIds.length,
  };
}

/** The slope of the gap per period before the change, by least squares on the period's position. */
function preTrend(all: readonly DidPeriod[], before: readonly DidPeriod[]): DidResult['preTrend'] {
  if (before.length < 3) return null;
  const position = new Map(all.map((p, i) => [p.period, i]));
  const x = before.map((p) => position.get(p.period) ?? 0);
  const y = before.map((p) => p.gap as number);
  const mx = mean(x);
  const my = mean(y);
  const sxx = x.reduce((s, xi) => s + (xi - mx) ** 2, 0);
  const slope = x.reduce((s, xi, i) => s + (xi - mx) * ((y[i] ?? 0) - my), 0) / sxx;
  const intercept = my - slope * mx;
  const ssr = x.reduce((s, xi, i) => s + ((y[i] ?? 0) - intercept - slope * xi) ** 2, 0);
  const degreesOfFreedom = before.length - 2;
  const standardError = Math.sqrt(ssr / degreesOfFreedom / sxx);
  const t = tCritical95(degreesOfFreedom);
  return {
    slope,
    standardError,
    degreesOfFreedom,
    interval: { low: slope - t * standardError, high: slope + t * standardError },
  };
}

const number = (digits: number) => new Intl.NumberFormat('en-GB', { maximumFractionDigits: digits });

/** Enough decimal places to tell the figures apart, no more. */
export function formatFigure(value: number, reference = Math.abs(value)): string {
  const digits = reference >= 100 ? 0 : reference >= 10 ? 1 : reference >= 1 ? 2 : 3;
  return number(digits).format(Math.abs(value) < 10 ** -(digits + 1) ? 0 : value);
}

/**
 * The result in plain words, for the page: what the estimate says, what the interval says, and what
 * the check on earlier trends says. `unit` names the figure ("per 1,000 children", "contacts").
 */
export function describeDid(
  result: DidResult,
  names: { treated: string; unit: string; perPeriod: string },
): { estimate: string; interval: string; trend: string; caution: boolean } {
  const ref = Math.max(
    Math.abs(result.interval.low),
    Math.abs(result.interval.high),
    Math.abs(result.estimate),
  );
  const f = (v: number) => formatFigure(v, ref);
  const direction = result.estimate >= 0 ? 'rise' : 'fall';
  const estimate =
    `The change is associated with a ${direction} of about ${f(Math.abs(result.estimate))} ${names.unit} ` +
    `in ${names.treated}, over and above what happened in the other ${result.comparisonLocalities} ` +
    `localit${result.comparisonLocalities === 1 ? 'y' : 'ies'} at the same time ` +
    `(95% confidence interval ${f(result.interval.low)} to ${f(result.interval.high)}).`;
  const includesZero = result.interval.low <= 0 && result.interval.high >= 0;
  const interval = includesZero
    ? 'The interval includes zero, so the figures are consistent with the change having made no difference: ' +
      'they do not show an effect either way.'
    : `The interval lies wholly ${result.interval.low > 0 ? 'above' : 'below'} zero, so chance alone is an ` +
      'unlikely explanation for the difference. That is not proof that the change caused it: see the limits below.';
  let trend: string;
  let caution = false;
  if (!result.preTrend) {
    trend =
      'There are too few periods before the change (fewer than 3) to check whether the localities were ' +
      'already moving apart, so this estimate rests on an assumption nobody can check here.';
    caution = true;
  } else {
    const t = result.preTrend;
    const tref = Math.max(Math.abs(t.interval.low), Math.abs(t.interval.high));
    const g = (v: number) => formatFigure(v, tref);
    const base =
      `Before the change, the gap between ${names.treated} and the others changed by about ${g(t.slope)} ` +
      `${names.unit} ${names.perPeriod} (95% confidence interval ${g(t.interval.low)} to ${g(t.interval.high)}). `;
    if (t.interval.low <= 0 && t.interval.high >= 0) {
      trend =
        base +
        'That interval includes zero: there is no clear sign that the localities were already moving apart, ' +
        'which the method needs (it does not prove they were moving together).';
    } else {
      trend =
        base +
        'That interval does not include zero: the localities were already moving apart before the change, ' +
        'so part or all of the estimate may be that earlier drift. Treat it with caution.';
      caution = true;
    }
  }
  return { estimate, interval, trend, caution };
}
