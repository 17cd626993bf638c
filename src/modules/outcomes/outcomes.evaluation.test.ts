import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  NotEnoughDataError,
  describeDid,
  differenceInDifferences,
  phases,
  tCritical95,
  type PanelPoint,
} from './outcomes.evaluation.ts';

const LOCALITIES = ['east', 'west', 'north', 'south'];
const YEARS = ['2021-04-01', '2022-04-01', '2023-04-01', '2024-04-01', '2025-04-01'];
const MONTHS = Array.from({ length: 48 }, (_, i) => {
  const y = 2022 + Math.floor(i / 12);
  return `${y}-${String((i % 12) + 1).padStart(2, '0')}-01`;
});

/** A small deterministic generator, so "noise" is the same on every run. */
function noise(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) / 2 ** 32 - 0.5) * 2;
  };
}

/**
 * Counts per 1,000 children (denominator 1,000): each locality its own level, a common trend per
 * period, and `effect` added to east from `changedOn`.
 */
function panel(opts: {
  periods: string[];
  changedOn: string;
  effect: number;
  noise?: number;
  seed?: number;
}): PanelPoint[] {
  const r = noise(opts.seed ?? 7);
  const level: Record<string, number> = { east: 80, west: 60, north: 95, south: 70 };
  return opts.periods.flatMap((period, t) =>
    LOCALITIES.map((id) => {
      const rate = (level[id] ?? 0) + 0.5 * t + (id === 'east' && period >= opts.changedOn ? opts.effect : 0);
      return {
        localityId: id,
        period,
        numerator: Math.max(0, rate + (opts.noise ?? 0) * r()),
        denominator: 1000,
      };
    }),
  );
}

describe('difference-in-differences', () => {
  it('recovers a known effect exactly when there is no noise', () => {
    const result = differenceInDifferences({
      points: panel({ periods: YEARS, changedOn: '2023-04-01', effect: -12 }),
      treatedLocalityId: 'east',
      changedOn: '2023-04-01',
      scale: 1000,
    });
    expect(result.estimate).toBeCloseTo(-12, 9);
    expect(result.standardError).toBeCloseTo(0, 9);
    expect(result.periodsBefore).toBe(2);
    expect(result.periodsAfter).toBe(3);
    expect(result.comparisonLocalities).toBe(3);
    expect(result.means.treated.before).toBeCloseTo(80.25, 9);
    expect(result.means.comparison.before).toBeCloseTo(75.25, 9);
    // two periods before: too few to check the earlier trend
    expect(result.preTrend).toBeNull();
  });

  it('recovers an effect in noisy monthly data, its interval covers it and the earlier trends agree', () => {
    const result = differenceInDifferences({
      points: panel({ periods: MONTHS, changedOn: '2024-01-01', effect: -10, noise: 4, seed: 11 }),
      treatedLocalityId: 'east',
      changedOn: '2024-01-01',
      scale: 1000,
    });
    expect(result.estimate).toBeGreaterThan(-13);
    expect(result.estimate).toBeLessThan(-7);
    expect(result.interval.low).toBeLessThan(-10);
    expect(result.interval.high).toBeGreaterThan(-10);
    expect(result.interval.high).toBeLessThan(0);
    expect(result.preTrend).not.toBeNull();
    expect(result.preTrend!.interval.low).toBeLessThan(0);
    expect(result.preTrend!.interval.high).toBeGreaterThan(0);
    const words = describeDid(result, { treated: 'East', unit: 'per 1,000 children', perPeriod: 'a month' });
    expect(words.estimate).toMatch(/^The change is associated with a fall of about \d/);
    expect(words.interval).toMatch(/wholly below zero/);
    expect(words.caution).toBe(false);
  });

  it('gives an interval spanning zero when nothing changed', () => {
    const result = differenceInDifferences({
      points: panel({ periods: MONTHS, changedOn: '2024-01-01', effect: 0, noise: 4, seed: 3 }),
      treatedLocalityId: 'east',
      changedOn: '2024-01-01',
      scale: 1000,
    });
    expect(result.interval.low).toBeLessThan(0);
    expect(result.interval.high).toBeGreaterThan(0);
    const words = describeDid(result, { treated: 'East', unit: 'per 1,000', perPeriod: 'a month' });
    expect(words.interval).toMatch(/^The interval includes zero/);
  });

  it('flags a difference in trends before the change', () => {
    const points = panel({ periods: MONTHS, changedOn: '2024-01-01', effect: 0, noise: 0.5 }).map((p) =>
      p.localityId === 'east' ? { ...p, numerator: p.numerator + MONTHS.indexOf(p.period) } : p,
    );
    const result = differenceInDifferences({ points, treatedLocalityId: 'east', changedOn: '2024-01-01' });
    expect(result.preTrend!.interval.low).toBeGreaterThan(0);
    const words = describeDid(result, { treated: 'East', unit: 'per 1,000', perPeriod: 'a month' });
    expect(words.trend).toMatch(/already moving apart/);
    expect(words.caution).toBe(true);
  });

  it('uses the t distribution for the critical value', () => {
    expect(tCritical95(1)).toBeCloseTo(12.706, 3);
    expect(tCritical95(10)).toBeCloseTo(2.228, 3);
    expect(tCritical95(1000)).toBeCloseTo(1.962, 3);
  });

  it('leaves out a period the change fell inside', () => {
    const map = phases(['2022-04-01', '2023-04-01', '2024-04-01'], '2023-10-01');
    expect([...map.values()]).toEqual(['before', 'straddles', 'after']);
    // Months and years as written by other sources are read as their first day.
    const result = differenceInDifferences({
      points: panel({ periods: ['2021', '2022', '2023', '2024', '2025'], changedOn: '2023', effect: 5 }).map(
        (p) => ({ ...p, denominator: null }),
      ),
      treatedLocalityId: 'east',
      changedOn: '2023-01-01',
    });
    expect(result.estimate).toBeCloseTo(5, 9);
  });

  describe('refuses input it cannot answer, saying why', () => {
    const base = panel({ periods: YEARS, changedOn: '2023-04-01', effect: 0 });
    const run =
      (points: PanelPoint[], changedOn = '2023-04-01', treated = 'east') =>
      () =>
        differenceInDifferences({ points, treatedLocalityId: treated, changedOn });
    it.each([
      ['one locality', base.filter((p) => p.localityId === 'east'), '2023-04-01', /no other locality/],
      [
        'no figures for the treated locality',
        base.filter((p) => p.localityId !== 'east'),
        '2023-04-01',
        /no figures/,
      ],
      ['nothing before the change', base, '2021-01-01', /no figures from before/],
      ['nothing after the change', base, '2030-01-01', /no figures from after/],
      ['one period before', base, '2022-04-01', /At least two periods/],
      [
        'a zero denominator',
        base.map((p, i) => (i === 3 ? { ...p, denominator: 0 } : p)),
        '2023-04-01',
        /denominator of 0/,
      ],
      [
        'a negative count',
        base.map((p, i) => (i === 3 ? { ...p, numerator: -1 } : p)),
        '2023-04-01',
        /not a count/,
      ],
      [
        'rates mixed with counts',
        base.map((p, i) => (i === 3 ? { ...p, denominator: null } : p)),
        '2023-04-01',
        /rates and some are counts/,
      ],
      ['a repeated figure', [...base, base[0]!], '2023-04-01', /two figures/],
      ['a change date that is not a date', base, '2023-13', /not a date/],
    ] as const)('%s', (_name, points, changedOn, message) => {
      expect(run([...points], changedOn)).toThrow(NotEnoughDataError);
      expect(run([...points], changedOn)).toThrow(message);
    });
  });

  describe('properties', () => {
    const arbPanel = fc.record({
      values: fc.array(
        fc.array(fc.double({ min: 0, max: 500, noNaN: true }), { minLength: 3, maxLength: 3 }),
        {
          minLength: 6,
          maxLength: 12,
        },
      ),
      changeAt: fc.integer({ min: 2, max: 4 }),
    });
    const toPoints = (values: number[][]): PanelPoint[] =>
      values.flatMap((row, t) =>
        row.map((v, l) => ({
          localityId: ['a', 'b', 'c'][l]!,
          period: MONTHS[t]!,
          numerator: v,
          denominator: null,
        })),
      );
    const estimate = (points: PanelPoint[], changeAt: number) =>
      differenceInDifferences({ points, treatedLocalityId: 'a', changedOn: MONTHS[changeAt]! });

    it('adding a constant to one locality throughout does not change the estimate or its interval', () => {
      fc.assert(
        fc.property(
          arbPanel,
          fc.integer({ min: 0, max: 2 }),
          fc.double({ min: 0, max: 1000, noNaN: true }),
          (p, l, c) => {
            const before = estimate(toPoints(p.values), p.changeAt);
            const shifted = toPoints(p.values.map((row) => row.map((v, i) => (i === l ? v + c : v))));
            const after = estimate(shifted, p.changeAt);
            expect(after.estimate).toBeCloseTo(before.estimate, 6);
            expect(after.standardError).toBeCloseTo(before.standardError, 6);
          },
        ),
      );
    });

    it('adding a constant to every locality in one period does not change the estimate', () => {
      fc.assert(
        fc.property(arbPanel, fc.nat(), fc.double({ min: 0, max: 1000, noNaN: true }), (p, t, c) => {
          const at = t % p.values.length;
          const before = estimate(toPoints(p.values), p.changeAt);
          const shifted = toPoints(p.values.map((row, i) => (i === at ? row.map((v) => v + c) : row)));
          expect(estimate(shifted, p.changeAt).estimate).toBeCloseTo(before.estimate, 6);
        }),
      );
    });

    it('adding an effect to the treated locality after the change moves the estimate by that much', () => {
      fc.assert(
        fc.property(arbPanel, fc.double({ min: 0, max: 100, noNaN: true }), (p, effect) => {
          const before = estimate(toPoints(p.values), p.changeAt);
          const treated = toPoints(
            p.values.map((row, t) => (t >= p.changeAt ? [row[0]! + effect, row[1]!, row[2]!] : row)),
          );
          expect(estimate(treated, p.changeAt).estimate).toBeCloseTo(before.estimate + effect, 6);
        }),
      );
    });

    it('the interval always contains the estimate and the order of the points does not matter', () => {
      fc.assert(
        fc.property(arbPanel, (p) => {
          const points = toPoints(p.values);
          const result = estimate(points, p.changeAt);
          expect(result.interval.low).toBeLessThanOrEqual(result.estimate + 1e-9);
          expect(result.interval.high).toBeGreaterThanOrEqual(result.estimate - 1e-9);
          expect(estimate([...points].reverse(), p.changeAt).estimate).toBeCloseTo(result.estimate, 9);
        }),
      );
    });
  });
});
