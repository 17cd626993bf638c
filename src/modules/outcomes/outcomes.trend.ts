import { linearRegression, linearRegressionLine } from 'simple-statistics';
import type { Direction } from './outcomes.indicators.ts';
import { round1 } from './outcomes.series.ts';

/**
 * "Turning the curve" (results-based accountability): the baseline is the indicator's history, and
 * the forecast is where it is heading if nothing changes, a straight line fitted to the baseline
 * periods and carried forward. Success is the actual figures leaving the forecast in the good
 * direction. Pure; periods are evenly spaced, so a period's index is its x.
 */

export type Trend = {
  /** The fitted line's value for every period so far and the forecast periods after them. */
  fitted: (number | null)[];
  forecast: number[];
  /** The change per period of the baseline's line. */
  slope: number;
  /** The latest period against the one before. */
  latestChange: Change;
};

/** At least this many known values are needed to draw a line through them. */
export const MIN_BASELINE_POINTS = 3;

export function trendOf(
  values: readonly (number | null)[],
  better: Direction,
  options: { baselinePeriods?: number; forecastPeriods?: number } = {},
): Trend | null {
  const baselineLength = options.baselinePeriods ?? values.length;
  const known = values
    .slice(0, baselineLength)
    .flatMap((v, i) => (v === null ? [] : [[i, v] as [number, number]]));
  if (known.length < MIN_BASELINE_POINTS) return null;
  const fit = linearRegression(known);
  const line = linearRegressionLine(fit);
  const ahead = options.forecastPeriods ?? 2;
  return {
    fitted: values.map((_, i) => round1(line(i))),
    forecast: Array.from({ length: ahead }, (_, k) => round1(line(values.length + k))),
    slope: fit.m,
    latestChange: changeOf(values, better),
  };
}

/** Which way a figure moved, and whether that is the good way (null where no way is better). */
export type Change = { direction: 'up' | 'down' | 'same' | 'not known'; improving: boolean | null };

export function changeOf(values: readonly (number | null)[], better: Direction): Change {
  const last = values[values.length - 1];
  const before = values[values.length - 2];
  if (last === null || last === undefined || before === null || before === undefined) {
    return { direction: 'not known', improving: null };
  }
  if (last === before) return { direction: 'same', improving: null };
  const direction = last > before ? 'up' : 'down';
  return {
    direction,
    improving: better === 'neither' ? null : (direction === 'up') === (better === 'higher'),
  };
}
