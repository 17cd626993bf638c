import jstat from 'jstat';
import { suppressRow, type Shown } from '../../common/suppression.ts';
import type { CohortStratum } from '../referrals/index.ts';

/**
 * The cohort comparison, pure: children whose contact was decided early help (they received a
 * service) against similar children whose contact was decided information and signposting or no
 * further action, compared on what happened in the next 12 months.
 *
 * Matching. "Similar" means the same level of need, age band, locality and number of earlier
 * contacts (0, 1, 2 or more): exact matching on those strata. We chose it over a propensity score
 * because the four things are few and categorical, so every stratum can be filled directly, and the
 * result can be explained in one sentence with no model to trust. Strata where only one side has
 * children are left out (the page says how many early-help children that leaves unmatched).
 *
 * Standardising. The comparison children are reweighted so each stratum counts as much as it does
 * among the early-help children (the effect of early help on the children who received it). The
 * comparison proportion is then a weighted one, and its effective number of children is
 * (sum of weights)² / (sum of squared weights), which is what its interval uses.
 *
 * Interval. The difference in proportions gets Newcombe's hybrid score interval (method 10), built
 * from the two Wilson score intervals: it stays inside -1 to 1 and behaves with small counts and
 * proportions near 0 or 1, where the simple "p ± 1.96 × SE" interval does not.
 */

const { jStat } = jstat;
const Z95 = jStat.normal.inv(0.975, 0, 1);

export type Interval = { low: number; high: number };

/** Wilson's score interval for a proportion `p` of `n` (n may be an effective, non-whole number). */
export function wilson(p: number, n: number, z = Z95): Interval {
  if (!(n > 0)) throw new RangeError('Wilson interval: n must be above zero');
  if (p < 0 || p > 1) throw new RangeError('Wilson interval: p must be between 0 and 1');
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** Newcombe's interval for p1 - p0 from the two Wilson intervals. */
export function newcombe(p1: number, n1: number, p0: number, n0: number, z = Z95): Interval {
  const a = wilson(p1, n1, z);
  const b = wilson(p0, n0, z);
  const d = p1 - p0;
  return {
    low: d - Math.sqrt((p1 - a.low) ** 2 + (b.high - p0) ** 2),
    high: d + Math.sqrt((a.high - p1) ** 2 + (p0 - b.low) ** 2),
  };
}

export const COHORT_MEASURES = ['newContact', 'escalated'] as const;
export type CohortMeasure = (typeof COHORT_MEASURES)[number];
export const COHORT_MEASURE_LABELS: Record<CohortMeasure, string> = {
  newContact: 'A new contact within 12 months',
  escalated: 'A statutory assessment or strategy discussion within 12 months',
};

export type MeasureComparison = {
  measure: CohortMeasure;
  label: string;
  treated: { with: Shown; without: Shown; total: Shown; proportion: number | null };
  comparison: { with: Shown; without: Shown; total: Shown; proportion: number | null };
  /** Null where a count it rests on is hidden, or a side has no children. */
  difference: number | null;
  interval: Interval | null;
};

export type CohortComparison = {
  matchedStrata: number;
  /** Early-help children and children with no counterpart in a comparison stratum. */
  treatedChildren: { matched: Shown; unmatched: Shown; total: Shown };
  comparisonChildren: { matched: Shown; unmatched: Shown; total: Shown };
  measures: MeasureComparison[];
};

function strataKey(s: CohortStratum): string {
  return [s.levelOfNeed, s.ageBand, s.localityId ?? '', s.earlierContacts].join('|');
}

type Sums = { children: number; newContact: number; escalated: number };

/** Compares the early-help children with their matched comparison, counts suppressed for publishing. */
export function compareCohorts(strata: readonly CohortStratum[]): CohortComparison {
  const groups = new Map<string, { treated: Sums; comparison: Sums }>();
  for (const s of strata) {
    const key = strataKey(s);
    const g = groups.get(key) ?? {
      treated: { children: 0, newContact: 0, escalated: 0 },
      comparison: { children: 0, newContact: 0, escalated: 0 },
    };
    const side = s.decision === 'early_help' ? g.treated : g.comparison;
    side.children += s.children;
    side.newContact += s.newContact;
    side.escalated += s.escalated;
    groups.set(key, g);
  }
  const all = [...groups.values()];
  const matched = all.filter((g) => g.treated.children > 0 && g.comparison.children > 0);
  const total = (list: typeof all, side: 'treated' | 'comparison', field: keyof Sums) =>
    list.reduce((sum, g) => sum + g[side][field], 0);
  const n1 = total(matched, 'treated', 'children');
  const n0 = total(matched, 'comparison', 'children');

  const split = (matchedCount: number, allCount: number) => {
    const row = suppressRow([matchedCount, allCount - matchedCount]);
    return { matched: row.cells[0]!, unmatched: row.cells[1]!, total: row.total! };
  };

  const measures = COHORT_MEASURES.map((measure): MeasureComparison => {
    const y1 = total(matched, 'treated', measure);
    const y0 = total(matched, 'comparison', measure);
    const t = suppressRow([y1, n1 - y1]);
    const c = suppressRow([y0, n0 - y0]);
    const shown = [...t.cells, ...c.cells].every((s) => s.kind === 'count') && n1 > 0 && n0 > 0;
    const p1 = n1 > 0 ? y1 / n1 : null;
    // The comparison standardised to the early-help children's mix of strata.
    let p0: number | null = null;
    let n0Effective = 0;
    if (n1 > 0 && n0 > 0) {
      p0 = 0;
      let sumSquaredWeights = 0;
      for (const g of matched) {
        const share = g.treated.children / n1;
        p0 += share * (g.comparison[measure] / g.comparison.children);
        sumSquaredWeights += (share * share) / g.comparison.children;
      }
      n0Effective = 1 / sumSquaredWeights;
    }
    const difference = shown && p1 !== null && p0 !== null ? p1 - p0 : null;
    return {
      measure,
      label: COHORT_MEASURE_LABELS[measure],
      treated: { with: t.cells[0]!, without: t.cells[1]!, total: t.total!, proportion: shown ? p1 : null },
      comparison: { with: c.cells[0]!, without: c.cells[1]!, total: c.total!, proportion: shown ? p0 : null },
      difference,
      interval: difference === null ? null : newcombe(p1!, n1, p0!, n0Effective),
    };
  });

  return {
    matchedStrata: matched.length,
    treatedChildren: split(n1, total(all, 'treated', 'children')),
    comparisonChildren: split(n0, total(all, 'comparison', 'children')),
    measures,
  };
}

const points = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 });
const pp = (v: number) => points.format(Math.abs(v * 100) < 0.05 ? 0 : v * 100);

/** One measure's result in plain words. */
export function describeComparison(m: MeasureComparison): string {
  const none = (s: Shown) => s.kind === 'count' && s.value === 0;
  if (none(m.treated.total) || none(m.comparison.total))
    return `${m.label}: no comparison yet, because one of the two groups has no children followed up for 12 months.`;
  if (m.difference === null || m.interval === null)
    return `${m.label}: not shown, because a number it rests on is too small to publish.`;
  const direction = m.difference < 0 ? 'less' : 'more';
  const sentence =
    `${m.label}: children who received early help were ${pp(Math.abs(m.difference))} percentage points ${direction} ` +
    `likely to have this than similar children whose contact was signposted or closed ` +
    `(95% confidence interval ${pp(m.interval.low)} to ${pp(m.interval.high)} points).`;
  return m.interval.low <= 0 && m.interval.high >= 0
    ? `${sentence} The interval includes zero, so the figures do not show a difference either way.`
    : `${sentence} The interval does not include zero, so chance alone is an unlikely explanation; the children may still differ in ways the matching does not see.`;
}
