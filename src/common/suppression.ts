/**
 * Small-number suppression for aggregate outputs.
 *
 * The partnership's rule for analysts: they see aggregates only, and small numbers are suppressed.
 * A count from 1 to 4 is never published; it is shown as "<5". Zero is shown as 0 (it describes
 * nobody). Counts are not rounded. Secondary suppression stops a published total from giving a
 * suppressed count away: in every line of a table (its cells and the total of that line) there is
 * either no suppressed value or at least two, so no single suppressed value can be recovered by
 * subtracting the other published values from the published total. Totals below 5 are themselves
 * suppressed.
 *
 * Pure functions: no input is mutated, and the same input always gives the same output.
 */

/** Counts from 1 up to (threshold - 1) are suppressed. */
export const SUPPRESSION_THRESHOLD = 5;

export type SuppressionReason = 'primary' | 'secondary';

/** A published value: either the count itself, or a placeholder such as "<5". */
export type Shown =
  { kind: 'count'; value: number } | { kind: 'suppressed'; display: `<${number}`; reason: SuppressionReason };

export type SuppressionOptions = { threshold?: number };

export type SuppressedRow = {
  cells: Shown[];
  /** `null` when the caller asked for the total to be hidden (it must then not be published). */
  total: Shown | null;
};

export type SuppressedTable = {
  cells: Shown[][];
  rowTotals: Shown[];
  columnTotals: Shown[];
  grandTotal: Shown;
};

/** The text to publish for a value: the count, or its placeholder. */
export function formatShown(shown: Shown): string {
  return shown.kind === 'count' ? String(shown.value) : shown.display;
}

/**
 * One row of counts with its total (e.g. children per locality with the area total).
 * With `total: 'hidden'` the total is not published, so only primary suppression applies.
 */
export function suppressRow(
  counts: readonly number[],
  opts: SuppressionOptions & { total?: 'shown' | 'hidden' } = {},
): SuppressedRow {
  const threshold = checkThreshold(opts.threshold);
  counts.forEach((value, i) => checkCount(value, `position ${i}`));

  const total = counts.reduce((sum, value) => sum + value, 0);
  checkSum(total, 'the row total');
  const entries = [...counts, total].map((value) => primary(value, threshold));
  const totalIndex = counts.length;

  if (opts.total === 'hidden') {
    return { cells: entries.slice(0, totalIndex).map((e) => toShown(e, threshold)), total: null };
  }
  protectLines(entries, [[...counts.keys(), totalIndex]]);
  return {
    cells: entries.slice(0, totalIndex).map((e) => toShown(e, threshold)),
    total: toShown(at(entries, totalIndex), threshold),
  };
}

/** A two-way table with row totals, column totals and a grand total, all published. */
export function suppressTable(
  counts: readonly (readonly number[])[],
  opts: SuppressionOptions = {},
): SuppressedTable {
  const threshold = checkThreshold(opts.threshold);
  const rows = counts.length;
  const columns = counts[0]?.length ?? 0;
  counts.forEach((row, r) => {
    if (row.length !== columns) {
      throw new RangeError(
        `Suppression: row ${r} has ${row.length} columns but row 0 has ${columns}; the table must be rectangular`,
      );
    }
    row.forEach((value, c) => checkCount(value, `row ${r}, column ${c}`));
  });

  const rowTotals = counts.map((row) => row.reduce((sum, value) => sum + value, 0));
  const columnTotals = Array.from({ length: columns }, (_, c) =>
    counts.reduce((sum, row) => sum + at(row, c), 0),
  );
  const grandTotal = rowTotals.reduce((sum, value) => sum + value, 0);
  checkSum(grandTotal, 'the grand total');

  // One flat list of entries: cells row by row, then row totals, column totals, grand total.
  const cellIndex = (r: number, c: number) => r * columns + c;
  const rowTotalIndex = (r: number) => rows * columns + r;
  const columnTotalIndex = (c: number) => rows * columns + rows + c;
  const grandIndex = rows * columns + rows + columns;
  const entries = [...counts.flat(), ...rowTotals, ...columnTotals, grandTotal].map((value) =>
    primary(value, threshold),
  );

  const rowKeys = [...Array(rows).keys()];
  const columnKeys = [...Array(columns).keys()];
  const lines: number[][] = [
    ...rowKeys.map((r) => [...columnKeys.map((c) => cellIndex(r, c)), rowTotalIndex(r)]),
    ...columnKeys.map((c) => [...rowKeys.map((r) => cellIndex(r, c)), columnTotalIndex(c)]),
    [...rowKeys.map(rowTotalIndex), grandIndex],
    [...columnKeys.map(columnTotalIndex), grandIndex],
  ];
  protectLines(entries, lines);

  const show = (i: number) => toShown(at(entries, i), threshold);
  return {
    cells: rowKeys.map((r) => columnKeys.map((c) => show(cellIndex(r, c)))),
    rowTotals: rowKeys.map((r) => show(rowTotalIndex(r))),
    columnTotals: columnKeys.map((c) => show(columnTotalIndex(c))),
    grandTotal: show(grandIndex),
  };
}

type Entry = { value: number; reason: SuppressionReason | null };

function primary(value: number, threshold: number): Entry {
  return { value, reason: value >= 1 && value < threshold ? 'primary' : null };
}

/**
 * Each line is a list of entry indices whose last entry is the sum of the others. A line holding
 * exactly one suppressed value gives it away, so suppress the smallest non-zero published value in
 * that line as well (the first one on a tie), and repeat until no line changes. Zeros are never
 * suppressed. Every step adds a suppression, so this ends.
 */
function protectLines(entries: Entry[], lines: readonly (readonly number[])[]): void {
  let changed = true;
  while (changed) {
    changed = false;
    for (const line of lines) {
      const suppressed = line.filter((i) => at(entries, i).reason !== null).length;
      if (suppressed !== 1) continue;
      let pick: Entry | undefined;
      for (const i of line) {
        const entry = at(entries, i);
        if (entry.reason === null && entry.value > 0 && (!pick || entry.value < pick.value)) {
          pick = entry;
        }
      }
      // A suppressed value is non-zero, so its line always holds another non-zero value.
      if (!pick) throw new Error('Suppression: no value left to protect a suppressed count');
      pick.reason = 'secondary';
      changed = true;
    }
  }
}

function toShown(entry: Entry, threshold: number): Shown {
  return entry.reason === null
    ? { kind: 'count', value: entry.value }
    : { kind: 'suppressed', display: `<${threshold}`, reason: entry.reason };
}

function checkThreshold(threshold: number = SUPPRESSION_THRESHOLD): number {
  if (!Number.isSafeInteger(threshold) || threshold < 1) {
    throw new RangeError(`Suppression: the threshold must be a positive integer, got ${threshold}`);
  }
  return threshold;
}

function checkCount(value: number, where: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`Suppression: the count at ${where} must be a non-negative integer, got ${value}`);
  }
}

function checkSum(value: number, what: string): void {
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`Suppression: ${what} is too large to count exactly`);
  }
}

function at<T>(list: readonly T[], i: number): T {
  const item = list[i];
  if (item === undefined) throw new Error(`Suppression: no entry at index ${i}`);
  return item;
}
