import { describe, expect, it } from 'vitest';
import { indicatorByCode } from './outcomes.indicators.ts';
import type { MeasureKind } from '../../db/measures.ts';
import {
  computedSeries,
  importedSeries,
  nextPeriod,
  periodOf,
  periodsBetween,
  type MonthCount,
} from './outcomes.series.ts';

const localities = [
  { id: 'n', code: 'north', name: 'North' },
  { id: 's', code: 'south', name: 'South' },
];
const kinds = new Map<string, MeasureKind>([
  ['contacts.received', 'flow'],
  ['contacts.decided', 'flow'],
  ['contacts.decided_in_time', 'flow'],
  ['plans.children_child_in_need', 'stock'],
  ['people.born', 'flow'],
]);

/** Births spread evenly over the 18 years before 2025, so each locality has `perMonth * 216` children. */
function births(localityId: string, perMonth: number): MonthCount[] {
  const rows: MonthCount[] = [];
  for (let y = 2000; y <= 2026; y++)
    for (let m = 1; m <= 12; m++)
      rows.push({
        measure: 'people.born',
        localityId,
        month: `${y}-${String(m).padStart(2, '0')}-01`,
        value: perMonth,
      });
  return rows;
}

describe('periods', () => {
  it('works out months, quarters and financial years', () => {
    expect(periodOf('2025-05-01', 'month')).toEqual({
      start: '2025-05-01',
      end: '2025-05-31',
      label: 'May 2025',
      short: 'May 2025',
    });
    expect(periodOf('2025-05-01', 'quarter').short).toBe('Apr–Jun 2025');
    expect(periodOf('2025-05-01', 'quarter')).toMatchObject({ start: '2025-04-01', end: '2025-06-30' });
    expect(periodOf('2025-02-01', 'year')).toEqual({
      start: '2024-04-01',
      end: '2025-03-31',
      label: '2024 to 25',
      short: '2024-25',
    });
    expect(nextPeriod(periodOf('2025-02-01', 'year'), 'year')).toMatchObject({
      start: '2025-04-01',
      label: '2025 to 26',
    });
  });

  it('lists only the periods that have ended', () => {
    expect(periodsBetween('2024-04-01', '2025-11-24', 'year').map((p) => p.label)).toEqual(['2024 to 25']);
    // Records that begin part-way through a period do not make it a whole one.
    expect(periodsBetween('2024-05-01', '2025-11-24', 'year')).toEqual([]);
    expect(periodsBetween('2025-09-01', '2025-11-24', 'month').map((p) => p.start)).toEqual([
      '2025-09-01',
      '2025-10-01',
    ]);
  });
});

describe('computed indicators', () => {
  it('sums a flow over its months and divides by the children living there', () => {
    const rows: MonthCount[] = [
      ...births('n', 10),
      ...births('s', 20),
      { measure: 'contacts.received', localityId: 'n', month: '2024-04-01', value: 30 },
      { measure: 'contacts.received', localityId: 'n', month: '2024-05-01', value: 30 },
      { measure: 'contacts.received', localityId: 's', month: '2024-06-01', value: 90 },
    ];
    const series = computedSeries({
      indicator: indicatorByCode('contacts_rate')!,
      kinds,
      rows,
      localities,
      grain: 'year',
      firstMonth: '2024-04-01',
      today: '2025-06-01',
    });
    expect(series.periods.map((p) => p.label)).toEqual(['2024 to 25']);
    const [area, north, south] = series.lines;
    // 2,160 children in the north, 4,320 in the south.
    expect(north!.points[0]).toMatchObject({ denominator: 2160, value: 277.8 });
    expect(south!.points[0]).toMatchObject({ denominator: 4320, value: 208.3 });
    expect(area!.points[0]).toMatchObject({ denominator: 6480, value: 231.5 });
  });

  it('takes a stock from the last month of the period', () => {
    const rows: MonthCount[] = [
      ...births('n', 10),
      { measure: 'plans.children_child_in_need', localityId: 'n', month: '2024-04-01', value: 500 },
      { measure: 'plans.children_child_in_need', localityId: 'n', month: '2025-03-01', value: 54 },
    ];
    const series = computedSeries({
      indicator: indicatorByCode('children_in_need_rate')!,
      kinds,
      rows,
      localities,
      grain: 'year',
      firstMonth: '2024-04-01',
      today: '2025-06-01',
    });
    expect(series.lines[1]!.points[0]!.value).toBe(250);
  });

  it('hides a small count, and another so the area total cannot give it away', () => {
    const rows: MonthCount[] = [
      ...births('n', 10),
      ...births('s', 10),
      { measure: 'contacts.received', localityId: 'n', month: '2024-04-01', value: 3 },
      { measure: 'contacts.received', localityId: 's', month: '2024-04-01', value: 40 },
    ];
    const series = computedSeries({
      indicator: indicatorByCode('contacts_rate')!,
      kinds,
      rows,
      localities,
      grain: 'month',
      firstMonth: '2024-04-01',
      today: '2024-05-15',
    });
    const [area, north, south, unknown] = series.lines;
    expect(north!.points[0]).toMatchObject({ value: null, numerator: { kind: 'suppressed' } });
    // The unknown locality has no contacts (0 is never hidden), so the south is hidden as well.
    expect(unknown!.points[0]!.numerator).toEqual({ kind: 'count', value: 0 });
    expect(south!.points[0]).toMatchObject({
      value: null,
      numerator: { kind: 'suppressed', reason: 'secondary' },
    });
    expect(area!.points[0]).toMatchObject({ numerator: { kind: 'count', value: 43 } });
  });

  it('hides a share when the cases not counted are few (two contacts decided late)', () => {
    const rows: MonthCount[] = [
      { measure: 'contacts.decided', localityId: 'n', month: '2024-04-01', value: 50 },
      { measure: 'contacts.decided_in_time', localityId: 'n', month: '2024-04-01', value: 48 },
      { measure: 'contacts.decided', localityId: 's', month: '2024-04-01', value: 50 },
      { measure: 'contacts.decided_in_time', localityId: 's', month: '2024-04-01', value: 40 },
    ];
    const series = computedSeries({
      indicator: indicatorByCode('decided_in_time')!,
      kinds,
      rows,
      localities,
      grain: 'month',
      firstMonth: '2024-04-01',
      today: '2024-05-15',
    });
    expect(series.lines[1]!.points[0]!.value).toBeNull();
    expect(series.lines[0]!.points[0]!.value).toBe(88);
    // The raw counts stay available for estimates, never for display.
    expect(series.lines[1]!.points[0]!.raw).toEqual({ numerator: 48, denominator: 50 });
  });
});

describe('imported indicators', () => {
  it('shows the published figures and hides a locality count of 1 to 4', () => {
    const series = importedSeries({
      indicator: indicatorByCode('teenage_conceptions')!,
      localities,
      figures: [
        {
          localityId: null,
          periodStart: '2024-01-01',
          periodEnd: '2024-12-31',
          numerator: 30,
          denominator: 2000,
          value: 15,
        },
        {
          localityId: 'n',
          periodStart: '2024-01-01',
          periodEnd: '2024-12-31',
          numerator: 3,
          denominator: 900,
          value: 3.3,
        },
        {
          localityId: 's',
          periodStart: '2024-01-01',
          periodEnd: '2024-12-31',
          numerator: null,
          denominator: null,
          value: 24.5,
        },
      ],
    });
    expect(series.periods).toEqual([
      { start: '2024-01-01', end: '2024-12-31', label: '2024', short: '2024' },
    ]);
    expect(series.lines.map((l) => l.points[0]!.value)).toEqual([15, null, 24.5]);
  });
});
