import { sql, type RawBuilder } from 'kysely';
import type { Db, Tx } from './database.ts';

/**
 * The contract between the outcomes module and the modules that own the data it counts. Each such
 * module exports a `MeasureSource` (`referrals.measures.ts`, `plans.measures.ts`...): it knows its
 * tables, which months a change touches and how to count them; the outcomes module only stores the
 * counts (measure_months) and turns them into indicators. Nothing here reads another module's tables.
 */

export type Q = Db | Tx;

/** A month is named by its first day, 'YYYY-MM-01', in the UK's calendar. */
export type MeasureRow = { measure: string; localityId: string | null; month: string; value: number };

/**
 * flow: counted over the month (contacts received); stock: counted on the month's last day (children
 * with a plan); a stock's figure for a quarter or a year is its last month's.
 */
export type MeasureKind = 'flow' | 'stock';
export type MeasureDefinition = { name: string; kind: MeasureKind; label: string };

export interface MeasureSource {
  /** Names the source in measure_refresh_state; every measure is named `<source>.<what>`. */
  readonly source: string;
  readonly measures: readonly MeasureDefinition[];
  /** How many months one compute call may take (default 24): more for a source whose cost is mostly per call. */
  readonly sliceMonths?: number;
  /**
   * The months whose counts may have changed through rows written or changed after `since`; with
   * `since` null, every month the source has rows for.
   */
  changedMonths(q: Q, partnershipId: string, since: Date | null): Promise<string[]>;
  /** Every measure's counts per locality for these months (zero counts may be left out). */
  compute(q: Q, partnershipId: string, months: readonly string[]): Promise<MeasureRow[]>;
}

const ZONE = 'Europe/London';

/** The UK month (its first day) of an instant column. */
export function monthOfInstant(column: string): RawBuilder<string> {
  return sql<string>`cast(date_trunc('month', ${sql.ref(column)} at time zone ${ZONE}) as date)`;
}

/** The month (its first day) of a date column. */
export function monthOfDate(column: string): RawBuilder<string> {
  return sql<string>`cast(date_trunc('month', ${sql.ref(column)}) as date)`;
}

/** The months as a SQL array of dates, to join with `unnest`. */
export function monthArray(months: readonly string[]): RawBuilder<string[]> {
  return sql<string[]>`cast(${sql.val([...months])} as date[])`;
}

/**
 * The instant column falls in one of the months (sorted, at least one): a range the column's index
 * can serve, then the exact months.
 */
export function instantInMonths(column: string, months: readonly string[]): RawBuilder<boolean> {
  const ref = sql.ref(column);
  return sql<boolean>`(${ref} >= (cast(${first(months)} as date)::timestamp at time zone ${ZONE})
    and ${ref} < ((cast(${last(months)} as date) + interval '1 month')::timestamp at time zone ${ZONE})
    and ${monthOfInstant(column)} = any(${monthArray(months)}))`;
}

/** The date column falls in one of the months (sorted, at least one). */
export function dateInMonths(column: string, months: readonly string[]): RawBuilder<boolean> {
  const ref = sql.ref(column);
  return sql<boolean>`(${ref} >= cast(${first(months)} as date)
    and ${ref} < cast(${last(months)} as date) + interval '1 month'
    and ${monthOfDate(column)} = any(${monthArray(months)}))`;
}

function first(months: readonly string[]): string {
  const month = months[0];
  if (month === undefined) throw new RangeError('At least one month is needed');
  return month;
}

function last(months: readonly string[]): string {
  return first(months.slice(-1));
}

/** Turn a query's rows (counts come back as strings from some drivers) into measure rows. */
export function measureRows(
  rows: readonly { measure: string; localityId: string | null; month: string; value: number | string }[],
): MeasureRow[] {
  return rows.map((r) => ({
    measure: r.measure,
    localityId: r.localityId,
    month: r.month,
    value: Number(r.value),
  }));
}

/** Distinct month strings from rows of `{ month }`. */
export function monthsOf(rows: readonly { month: string }[]): string[] {
  return [...new Set(rows.map((r) => r.month))].sort();
}
