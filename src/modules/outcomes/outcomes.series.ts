import { addDays, addMonths } from '../../common/plain-dates.ts';
import { SUPPRESSION_THRESHOLD, suppressRow, type Shown } from '../../common/suppression.ts';
import { UNIT_SCALE, type Indicator } from './outcomes.indicators.ts';
import type { MeasureKind } from '../../db/measures.ts';

/**
 * Indicator figures from monthly counts: pure, so the rules are tested without a database.
 *
 * - Periods are whole months, quarters or financial years (April to March); only periods that have
 *   ended are shown, so a part-year is never compared with whole ones.
 * - A flow (contacts received) is the sum of its months, a stock (children with a plan) its last
 *   month's count.
 * - Children living in a locality at the end of a period are those born in the 18 years before it.
 * - Small numbers: in each period the numerators of the localities (and of the records whose locality
 *   is not known) and the area's total are one line of `suppressRow`, so a hidden locality cannot be
 *   worked out from the area; where the denominator is a count of cases (not of children living
 *   there), the cases not counted (decided late, say) are protected the same way. A value resting on a
 *   hidden count is not shown.
 */

export type Grain = 'month' | 'quarter' | 'year';
export const GRAINS: readonly Grain[] = ['year', 'quarter', 'month'];

export type MonthCount = { measure: string; localityId: string | null; month: string; value: number };
export type Locality = { id: string; code: string; name: string };
/** `label` names the period in words; `short` is for a chart's axis. */
export type Period = { start: string; end: string; label: string; short: string };

/** One figure: `numerator`/`denominator` are what may be published; `value` is null when hidden. */
export type Point = {
  period: Period;
  /** Null where the published figure gave no count. */
  numerator: Shown | null;
  denominator: number | null;
  value: number | null;
  /** The counts before suppression: for estimates worked from them, never to be shown. */
  raw: { numerator: number | null; denominator: number | null };
};

export type Series = {
  indicator: Indicator;
  grain: Grain;
  periods: Period[];
  /** The whole area, then each locality in order, then records whose locality is not known. */
  lines: Line[];
};

/** `key` is 'area', 'unknown' or the locality's id. */
export type Line = { key: string; name: string; points: Point[] };

export type ImportedFigure = {
  localityId: string | null;
  periodStart: string;
  periodEnd: string;
  numerator: number | null;
  denominator: number | null;
  value: number;
};

/** Months of birth counted as children (aged 0 to 17) at a month's end. */
const CHILDHOOD_MONTHS = 18 * 12;

export function periodOf(month: string, grain: Grain): Period {
  const [year, m] = [Number(month.slice(0, 4)), Number(month.slice(5, 7))];
  if (grain === 'month') {
    const start = month;
    return {
      start,
      end: addDays(addMonths(start, 1), -1),
      label: monthLabel(start),
      short: shortMonth(start, true),
    };
  }
  if (grain === 'quarter') {
    const first = Math.floor((m - 1) / 3) * 3 + 1;
    const start = `${year}-${String(first).padStart(2, '0')}-01`;
    const last = addMonths(start, 2);
    return {
      start,
      end: addDays(addMonths(start, 3), -1),
      label: `${monthLabel(start)} to ${monthLabel(last)}`,
      short: `${shortMonth(start, false)}–${shortMonth(last, true)}`,
    };
  }
  const fy = m >= 4 ? year : year - 1;
  return yearPeriod(`${fy}-04-01`);
}

/** The whole periods of a grain from `firstMonth` on that have ended by `today`. */
export function periodsBetween(firstMonth: string, today: string, grain: Grain): Period[] {
  const periods: Period[] = [];
  let period = periodOf(firstMonth, grain);
  // A period the records begin part-way through is not a whole one.
  if (period.start < firstMonth) period = periodOf(addDays(period.end, 1), grain);
  while (period.end < today) {
    periods.push(period);
    period = periodOf(addDays(period.end, 1), grain);
  }
  return periods;
}

function monthsOfPeriod(period: Period): string[] {
  const months: string[] = [];
  for (let m = period.start; m <= period.end; m = addMonths(m, 1)) months.push(m);
  return months;
}

const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

function monthLabel(month: string): string {
  return `${MONTH_NAMES[Number(month.slice(5, 7)) - 1]} ${month.slice(0, 4)}`;
}

function shortMonth(month: string, withYear: boolean): string {
  const name = MONTH_NAMES[Number(month.slice(5, 7)) - 1]!.slice(0, 3);
  return withYear ? `${name} ${month.slice(0, 4)}` : name;
}

/** A year from a first day: "2024 to 25" (short "2024-25"), or "2024" for a calendar year. */
function yearPeriod(start: string): Period {
  const year = Number(start.slice(0, 4));
  const end = addDays(addMonths(start, 12), -1);
  if (start.slice(5) === '01-01') return { start, end, label: String(year), short: String(year) };
  const next = String(year + 1).slice(2);
  return { start, end, label: `${year} to ${next}`, short: `${year}-${next}` };
}

/** Counts keyed by measure, locality and month. */
class Counts {
  private readonly byKey = new Map<string, number>();
  constructor(rows: readonly MonthCount[]) {
    for (const r of rows) this.byKey.set(key(r.measure, r.localityId, r.month), r.value);
  }
  get(measure: string, localityId: string | null, month: string): number {
    return this.byKey.get(key(measure, localityId, month)) ?? 0;
  }
}

function key(measure: string, localityId: string | null, month: string) {
  return `${measure}|${localityId ?? ''}|${month}`;
}

/** The figures of a computed indicator, per period, for the area and each locality. */
export function computedSeries(input: {
  indicator: Indicator;
  kinds: ReadonlyMap<string, MeasureKind>;
  rows: readonly MonthCount[];
  localities: readonly Locality[];
  grain: Grain;
  firstMonth: string;
  today: string;
}): Series {
  const { indicator, grain } = input;
  const formula = indicator.computed;
  if (!formula) throw new Error(`${indicator.code} is not worked out from the platform's records`);
  const counts = new Counts(input.rows);
  const population = new Population(input.rows);
  const places: (string | null)[] = [...input.localities.map((l) => l.id), null];
  const periods = periodsBetween(input.firstMonth, input.today, grain);
  const scale = UNIT_SCALE[indicator.unit];

  const measureIn = (measure: string, place: string | null, period: Period): number => {
    if (measure === 'children') return population.childrenAt(place, period.end.slice(0, 7) + '-01');
    const months = monthsOfPeriod(period);
    const kind = input.kinds.get(measure) ?? 'flow';
    if (kind === 'stock') return counts.get(measure, place, months[months.length - 1]!);
    return months.reduce((sum, m) => sum + counts.get(measure, place, m), 0);
  };

  const columns = periods.map((period) => {
    const numerators = places.map((p) => measureIn(formula.numerator, p, period));
    const denominators = places.map((p) => measureIn(formula.denominator, p, period));
    const shownNumerators = suppressRow(numerators);
    // Cases not counted (decided late, say) are small numbers too, unless the denominator is a population.
    const shownRest =
      formula.denominator === 'children'
        ? null
        : suppressRow(numerators.map((n, i) => Math.max(0, denominators[i]! - n)));
    const point = (n: Shown, rest: Shown | null, numerator: number, denominator: number): Point => {
      const hidden = n.kind === 'suppressed' || rest?.kind === 'suppressed' || denominator === 0;
      return {
        period,
        numerator: n,
        denominator: denominator === 0 ? null : denominator,
        value: hidden ? null : round1((numerator / denominator) * scale),
        raw: { numerator, denominator: denominator === 0 ? null : denominator },
      };
    };
    const sum = (list: number[]) => list.reduce((a, b) => a + b, 0);
    return {
      area: point(shownNumerators.total!, shownRest?.total ?? null, sum(numerators), sum(denominators)),
      places: places.map((_, i) =>
        point(shownNumerators.cells[i]!, shownRest?.cells[i] ?? null, numerators[i]!, denominators[i]!),
      ),
    };
  });

  const names = new Map(input.localities.map((l) => [l.id, l.name]));
  return {
    indicator,
    grain,
    periods,
    lines: [
      { key: 'area', name: 'Whole area', points: columns.map((c) => c.area) },
      ...places.map((place, i) => ({
        key: place ?? 'unknown',
        name: place === null ? 'Locality not known' : (names.get(place) ?? 'Locality'),
        points: columns.map((c) => c.places[i]!),
      })),
    ],
  };
}

/**
 * The figures of an indicator loaded from published statistics, for the periods they were published
 * for. Their counts are checked again for small numbers (a locality's count of 1 to 4 is not shown,
 * nor is any value resting on it).
 */
export function importedSeries(input: {
  indicator: Indicator;
  figures: readonly ImportedFigure[];
  localities: readonly Locality[];
}): Series {
  const byStart = new Map<string, Period>();
  for (const f of input.figures) {
    if (!byStart.has(f.periodStart)) byStart.set(f.periodStart, importedPeriod(f.periodStart, f.periodEnd));
  }
  const periods = [...byStart.values()].sort((a, b) => a.start.localeCompare(b.start));
  const figure = new Map(input.figures.map((f) => [`${f.localityId ?? 'area'}|${f.periodStart}`, f]));
  const line = (key: string, name: string): Line => ({
    key,
    name,
    points: periods.map((period) => {
      const f = figure.get(`${key}|${period.start}`);
      const numerator = f?.numerator ?? null;
      const hidden = numerator !== null && numerator > 0 && numerator < SUPPRESSION_THRESHOLD;
      return {
        period,
        numerator:
          numerator === null
            ? null
            : hidden
              ? { kind: 'suppressed', display: `<${SUPPRESSION_THRESHOLD}`, reason: 'primary' }
              : { kind: 'count', value: numerator },
        denominator: f?.denominator ?? null,
        value: f && !hidden ? f.value : null,
        raw: { numerator, denominator: f?.denominator ?? null },
      };
    }),
  });
  return {
    indicator: input.indicator,
    grain: 'year',
    periods,
    lines: [line('area', 'Whole area'), ...input.localities.map((l) => line(l.id, l.name))],
  };
}

/** The period after one, of the same length: a forecast's periods. */
export function nextPeriod(period: Period, grain: Grain): Period {
  const start = addDays(period.end, 1);
  if (grain !== 'year') return periodOf(start, grain);
  return importedPeriod(start, addDays(addMonths(start, 12), -1));
}

/** A published period: labelled as a financial or academic year where it is one, else by its days. */
function importedPeriod(start: string, end: string): Period {
  if (addDays(addMonths(start, 12), -1) === end) return yearPeriod(start);
  return { start, end, label: `${start} to ${end}`, short: start };
}

/** A month's number, counting from year 0: months subtract as numbers. */
function monthNumber(month: string): number {
  return Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1;
}

/**
 * Children aged 0 to 17 at a month's end, per place: those born in the 18 years up to it, from running
 * totals of births by month, so each answer is one subtraction however many months there are.
 */
class Population {
  private readonly byPlace = new Map<string, { first: number; running: number[] }>();

  constructor(rows: readonly MonthCount[]) {
    const births = new Map<string, Map<number, number>>();
    for (const r of rows) {
      if (r.measure !== 'people.born') continue;
      const place = births.get(r.localityId ?? '') ?? new Map<number, number>();
      place.set(monthNumber(r.month), r.value);
      births.set(r.localityId ?? '', place);
    }
    for (const [place, months] of births) {
      const first = Math.min(...months.keys());
      const last = Math.max(...months.keys());
      const running: number[] = [];
      let total = 0;
      for (let m = first; m <= last; m++) running.push((total += months.get(m) ?? 0));
      this.byPlace.set(place, { first, running });
    }
  }

  childrenAt(place: string | null, month: string): number {
    const totals = this.byPlace.get(place ?? '');
    if (!totals) return 0;
    const upTo = (m: number) =>
      m < totals.first ? 0 : totals.running[Math.min(m - totals.first, totals.running.length - 1)]!;
    const end = monthNumber(month);
    return upTo(end) - upTo(end - CHILDHOOD_MONTHS);
  }
}

export function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
