import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CohortStratum } from '../referrals/index.ts';
import { compareCohorts, describeComparison, newcombe, wilson } from './outcomes.evaluation.cohorts.ts';

const stratum = (
  s: Partial<CohortStratum> & Pick<CohortStratum, 'decision' | 'children'>,
): CohortStratum => ({
  levelOfNeed: 'additional',
  ageBand: '5 to 9',
  localityId: 'east',
  earlierContacts: 0,
  newContact: 0,
  escalated: 0,
  ...s,
});

describe('intervals for proportions', () => {
  it('matches the published Wilson and Newcombe examples', () => {
    // Newcombe (1998), Statistics in Medicine 17: 873–890, tables I and II.
    const w = wilson(81 / 263, 263);
    expect(w.low).toBeCloseTo(0.2553, 4);
    expect(w.high).toBeCloseTo(0.3662, 4);
    const zero = wilson(0, 10);
    expect(zero.low).toBe(0);
    expect(zero.high).toBeCloseTo(0.2775, 4);
    const d = newcombe(56 / 70, 70, 48 / 80, 80);
    expect(d.low).toBeCloseTo(0.0524, 4);
    expect(d.high).toBeCloseTo(0.3339, 4);
  });

  it('refuses an empty group', () => {
    expect(() => wilson(0.5, 0)).toThrow(RangeError);
  });

  it('always contains the difference and stays within -1 and 1', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 500 }),
        fc.integer({ min: 1, max: 500 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (n1, n0, a, b) => {
          const p1 = Math.round(a * n1) / n1;
          const p0 = Math.round(b * n0) / n0;
          const ci = newcombe(p1, n1, p0, n0);
          expect(ci.low).toBeLessThanOrEqual(p1 - p0 + 1e-12);
          expect(ci.high).toBeGreaterThanOrEqual(p1 - p0 - 1e-12);
          expect(ci.low).toBeGreaterThanOrEqual(-1 - 1e-12);
          expect(ci.high).toBeLessThanOrEqual(1 + 1e-12);
        },
      ),
    );
  });
});

describe('cohort comparison', () => {
  it('compares within matched strata and standardises the comparison to the early-help mix', () => {
    const result = compareCohorts([
      // stratum A: 40 early help (10 come back) against 20 comparison (10 come back)
      stratum({ decision: 'early_help', children: 40, newContact: 10, escalated: 5 }),
      stratum({ decision: 'no_further_action', children: 12, newContact: 6, escalated: 6 }),
      stratum({ decision: 'information_and_signposting', children: 8, newContact: 4, escalated: 0 }),
      // stratum B: 60 early help (30) against 60 comparison (36)
      stratum({ ageBand: '10 to 14', decision: 'early_help', children: 60, newContact: 30, escalated: 10 }),
      stratum({
        ageBand: '10 to 14',
        decision: 'no_further_action',
        children: 60,
        newContact: 36,
        escalated: 12,
      }),
      // stratum C: early help only, left out
      stratum({ ageBand: 'under 5', decision: 'early_help', children: 7, newContact: 1 }),
    ]);
    expect(result.matchedStrata).toBe(2);
    expect(result.treatedChildren.matched).toEqual({ kind: 'count', value: 100 });
    expect(result.treatedChildren.unmatched).toEqual({ kind: 'count', value: 7 });
    const back = result.measures.find((m) => m.measure === 'newContact')!;
    expect(back.treated.proportion).toBeCloseTo(0.4, 9);
    // 0.4 × (10/20) + 0.6 × (36/60) = 0.56, not the raw 46/80
    expect(back.comparison.proportion).toBeCloseTo(0.56, 9);
    expect(back.difference).toBeCloseTo(-0.16, 9);
    expect(back.interval!.low).toBeLessThan(-0.16);
    expect(back.interval!.high).toBeGreaterThan(-0.16);
    expect(describeComparison(back)).toMatch(/16 percentage points less likely/);
  });

  it('hides a proportion resting on a small count, and says why', () => {
    const result = compareCohorts([
      stratum({ decision: 'early_help', children: 30, newContact: 3, escalated: 10 }),
      stratum({ decision: 'no_further_action', children: 30, newContact: 12, escalated: 10 }),
    ]);
    const back = result.measures.find((m) => m.measure === 'newContact')!;
    expect(back.treated.with).toEqual({ kind: 'suppressed', display: '<5', reason: 'primary' });
    expect(back.treated.proportion).toBeNull();
    expect(back.comparison.proportion).toBeNull();
    expect(back.difference).toBeNull();
    expect(describeComparison(back)).toMatch(/too small to publish/);
    const escalated = result.measures.find((m) => m.measure === 'escalated')!;
    expect(escalated.difference).toBeCloseTo(0, 9);
    expect(describeComparison(escalated)).toMatch(/includes zero/);
  });

  it('shows nothing but zeros when there are no children', () => {
    const result = compareCohorts([]);
    expect(result.matchedStrata).toBe(0);
    expect(result.measures.every((m) => m.difference === null)).toBe(true);
    expect(describeComparison(result.measures[0]!)).toMatch(/no comparison yet/);
  });

  it('does not depend on the order of the strata', () => {
    const arb = fc.array(
      fc.record({
        ageBand: fc.constantFrom<CohortStratum['ageBand']>('under 5', '5 to 9', '10 to 14', '15 and over'),
        decision: fc.constantFrom<CohortStratum['decision']>(
          'early_help',
          'no_further_action',
          'information_and_signposting',
        ),
        children: fc.integer({ min: 1, max: 80 }),
        share: fc.double({ min: 0, max: 1, noNaN: true }),
      }),
      { maxLength: 12 },
    );
    fc.assert(
      fc.property(arb, (rows) => {
        const strata = rows.map((r) => {
          const back = Math.round(r.share * r.children);
          return stratum({
            ageBand: r.ageBand,
            decision: r.decision,
            children: r.children,
            newContact: back,
            escalated: back,
          });
        });
        const a = compareCohorts(strata);
        const b = compareCohorts([...strata].reverse());
        expect(b.measures[0]!.difference ?? 0).toBeCloseTo(a.measures[0]!.difference ?? 0, 9);
        expect(b.treatedChildren).toEqual(a.treatedChildren);
      }),
    );
  });
});
