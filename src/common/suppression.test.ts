import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Shown, suppressRow, suppressTable } from './suppression.ts';

/** Compact rendering: "12" a count, "<5" primary suppression, "<5*" secondary suppression. */
const r = (s: Shown | null): string =>
  s === null
    ? 'hidden'
    : s.kind === 'count'
      ? String(s.value)
      : `${s.display}${s.reason === 'secondary' ? '*' : ''}`;

const isSuppressed = (s: Shown | null) => s?.kind === 'suppressed';

/** Counts biased towards zero and small numbers so that suppression happens often. */
const count = fc.oneof(
  fc.constant(0),
  fc.integer({ min: 1, max: 4 }),
  fc.integer({ min: 5, max: 9 }),
  fc.integer({ min: 0, max: 500 }),
);
const row = fc.array(count, { maxLength: 12 });
const table = fc
  .tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }))
  .chain(([rows, columns]) =>
    fc.array(fc.array(count, { minLength: columns, maxLength: columns }), {
      minLength: rows,
      maxLength: rows,
    }),
  );

/** Every line of a table with its total: the rows, the columns, and the two margins. */
function linesOf(result: ReturnType<typeof suppressTable>): { cells: Shown[]; total: Shown }[] {
  const columns = result.columnTotals.length;
  return [
    ...result.cells.map((cells, i) => ({ cells, total: result.rowTotals[i]! })),
    ...Array.from({ length: columns }, (_, c) => ({
      cells: result.cells.map((cells) => cells[c]!),
      total: result.columnTotals[c]!,
    })),
    { cells: result.rowTotals, total: result.grandTotal },
    { cells: result.columnTotals, total: result.grandTotal },
  ];
}

function allShown(result: ReturnType<typeof suppressTable>): Shown[] {
  return [...result.cells.flat(), ...result.rowTotals, ...result.columnTotals, result.grandTotal];
}

describe('suppressRow', () => {
  it.each([
    { counts: [0, 3, 10, 20], cells: ['0', '<5', '<5*', '20'], total: '33' },
    { counts: [3, 3, 10], cells: ['<5', '<5', '10'], total: '16' },
    { counts: [1, 2, 0], cells: ['<5', '<5', '0'], total: '<5' },
    { counts: [4], cells: ['<5'], total: '<5' },
    { counts: [5], cells: ['5'], total: '5' },
    { counts: [0, 0, 0], cells: ['0', '0', '0'], total: '0' },
    { counts: [], cells: [], total: '0' },
    { counts: [5, 10, 20], cells: ['5', '10', '20'], total: '35' },
    { counts: [3, 10, 7], cells: ['<5', '10', '<5*'], total: '20' },
    { counts: [4, 5, 5], cells: ['<5', '<5*', '5'], total: '14' },
    { counts: [0, 2, 0, 0, 9], cells: ['0', '<5', '0', '0', '<5*'], total: '11' },
    { counts: [1, 1, 1, 1, 1], cells: ['<5', '<5', '<5', '<5', '<5'], total: '5' },
  ])('$counts → $cells, total $total', ({ counts, cells, total }) => {
    const result = suppressRow(counts);
    expect(result.cells.map(r)).toEqual(cells);
    expect(r(result.total)).toBe(total);
  });

  it('needs no secondary suppression when the total is hidden', () => {
    const result = suppressRow([0, 3, 10, 20], { total: 'hidden' });
    expect(result.cells.map(r)).toEqual(['0', '<5', '10', '20']);
    expect(result.total).toBeNull();
  });

  it('uses the threshold it is given in the placeholder', () => {
    const result = suppressRow([7, 12, 30], { threshold: 10 });
    expect(result.cells.map(r)).toEqual(['<10', '<10*', '30']);
    expect(r(result.total)).toBe('49');
  });

  it.each([
    { counts: [1, -1], message: /position 1.*non-negative integer.*-1/ },
    { counts: [2.5], message: /position 0.*non-negative integer.*2\.5/ },
    { counts: [0, 0, Number.NaN], message: /position 2/ },
    { counts: [Number.POSITIVE_INFINITY], message: /position 0/ },
  ])('rejects $counts naming the position', ({ counts, message }) => {
    expect(() => suppressRow(counts)).toThrow(message);
  });

  it.each([0, -5, 2.5, Number.NaN])('rejects the threshold %s', (threshold) => {
    expect(() => suppressRow([1], { threshold })).toThrow(/threshold must be a positive integer/);
  });

  it('rejects a total too large to count exactly', () => {
    expect(() => suppressRow([Number.MAX_SAFE_INTEGER, 1])).toThrow(/too large/);
  });
});

describe('suppressTable', () => {
  it('suppresses a whole 2×2 block around one small cell', () => {
    const result = suppressTable([
      [3, 10],
      [10, 10],
    ]);
    expect(result.cells.map((cells) => cells.map(r))).toEqual([
      ['<5', '<5*'],
      ['<5*', '<5*'],
    ]);
    expect(result.rowTotals.map(r)).toEqual(['13', '20']);
    expect(result.columnTotals.map(r)).toEqual(['13', '20']);
    expect(r(result.grandTotal)).toBe('33');
  });

  it('iterates across rows and columns until every line is protected', () => {
    const result = suppressTable([
      [2, 8, 12],
      [9, 15, 20],
      [11, 14, 30],
    ]);
    expect(result.cells.map((cells) => cells.map(r))).toEqual([
      ['<5', '<5*', '12'],
      ['<5*', '<5*', '20'],
      ['<5*', '<5*', '30'],
    ]);
    expect(result.rowTotals.map(r)).toEqual(['22', '44', '55']);
    expect(result.columnTotals.map(r)).toEqual(['22', '37', '62']);
    expect(r(result.grandTotal)).toBe('121');
  });

  it('protects a small row total against the grand total too', () => {
    const result = suppressTable([
      [3, 0],
      [0, 20],
      [0, 30],
    ]);
    // The margins form lines too: row totals sum to the grand total, so the small row total 3 needs
    // a partner there (20), which in turn needs a partner in its own row, and so on.
    expect(result.cells.map((cells) => cells.map(r))).toEqual([
      ['<5', '0'],
      ['0', '<5*'],
      ['0', '30'],
    ]);
    expect(result.rowTotals.map(r)).toEqual(['<5', '<5*', '30']);
    expect(result.columnTotals.map(r)).toEqual(['<5', '<5*']);
    expect(r(result.grandTotal)).toBe('53');
  });

  it('suppresses totals below five', () => {
    const result = suppressTable([
      [1, 0],
      [0, 2],
    ]);
    expect(result.cells.map((cells) => cells.map(r))).toEqual([
      ['<5', '0'],
      ['0', '<5'],
    ]);
    expect(result.rowTotals.map(r)).toEqual(['<5', '<5']);
    expect(result.columnTotals.map(r)).toEqual(['<5', '<5']);
    expect(r(result.grandTotal)).toBe('<5');
  });

  it('handles an empty table', () => {
    expect(suppressTable([])).toEqual({
      cells: [],
      rowTotals: [],
      columnTotals: [],
      grandTotal: { kind: 'count', value: 0 },
    });
  });

  it('rejects a bad count naming its row and column', () => {
    expect(() =>
      suppressTable([
        [1, 2, 3],
        [4, 5, -6],
      ]),
    ).toThrow(/row 1, column 2.*-6/);
    expect(() => suppressTable([[1, 0.5]])).toThrow(/row 0, column 1/);
  });

  it('rejects a ragged table naming the row', () => {
    expect(() => suppressTable([[1, 2], [3]])).toThrow(/row 1 has 1 columns but row 0 has 2/);
  });
});

describe('suppression properties', () => {
  it('never shows a count from 1 to 4, in a row or a table', () => {
    const small = (s: Shown | null) => s?.kind === 'count' && s.value >= 1 && s.value <= 4;
    fc.assert(
      fc.property(row, (counts) => {
        const result = suppressRow(counts);
        expect([...result.cells, result.total].filter(small)).toEqual([]);
      }),
    );
    fc.assert(
      fc.property(table, (counts) => {
        expect(allShown(suppressTable(counts)).filter(small)).toEqual([]);
      }),
    );
  });

  it('never shows a count below a custom threshold', () => {
    fc.assert(
      fc.property(row, fc.integer({ min: 1, max: 12 }), (counts, threshold) => {
        const result = suppressRow(counts, { threshold });
        for (const s of [...result.cells, result.total]) {
          if (s?.kind === 'count') expect(s.value === 0 || s.value >= threshold).toBe(true);
          else expect(s?.display).toBe(`<${threshold}`);
        }
      }),
    );
  });

  it('leaves no line with a shown total holding exactly one suppressed non-zero cell', () => {
    fc.assert(
      fc.property(row, (counts) => {
        const result = suppressRow(counts);
        if (result.total?.kind !== 'count') return;
        const suppressed = result.cells.filter((s, i) => isSuppressed(s) && (counts[i] ?? 0) > 0).length;
        expect(suppressed === 0 || suppressed >= 2).toBe(true);
      }),
    );
    fc.assert(
      fc.property(table, (counts) => {
        for (const line of linesOf(suppressTable(counts))) {
          // Stronger: counting the total too, no line holds exactly one suppressed value, so none
          // can be recovered from the line's other values whether or not its total is shown.
          const suppressed = [...line.cells, line.total].filter(isSuppressed).length;
          expect(suppressed).not.toBe(1);
        }
      }),
    );
  });

  it('adds exactly one secondary suppression to a row with one small cell and a shown total', () => {
    fc.assert(
      fc.property(row, (counts) => {
        const result = suppressRow(counts);
        const primary = result.cells.filter((s) => s.kind === 'suppressed' && s.reason === 'primary');
        const secondary = result.cells.filter((s) => s.kind === 'suppressed' && s.reason === 'secondary');
        const expected = primary.length === 1 && result.total?.kind === 'count' ? 1 : 0;
        expect(secondary.length).toBe(expected);
      }),
    );
  });

  it('shows the input values, and totals equal to the sums', () => {
    fc.assert(
      fc.property(row, (counts) => {
        const result = suppressRow(counts);
        result.cells.forEach((s, i) => {
          if (s.kind === 'count') expect(s.value).toBe(counts[i]);
          // Exactly the counts from 1 to 4 are suppressed as primary.
          const small = counts[i]! >= 1 && counts[i]! <= 4;
          expect(s.kind === 'suppressed' && s.reason === 'primary').toBe(small);
        });
        const sum = counts.reduce((a, b) => a + b, 0);
        if (result.total?.kind === 'count') expect(result.total.value).toBe(sum);
        else expect(sum >= 1 && sum <= 4).toBe(true);
      }),
    );
    fc.assert(
      fc.property(table, (counts) => {
        const result = suppressTable(counts);
        result.cells.forEach((cells, i) =>
          cells.forEach((s, j) => {
            if (s.kind === 'count') expect(s.value).toBe(counts[i]![j]);
          }),
        );
        const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
        result.rowTotals.forEach((s, i) => {
          if (s.kind === 'count') expect(s.value).toBe(sum(counts[i]!));
        });
        result.columnTotals.forEach((s, j) => {
          if (s.kind === 'count') expect(s.value).toBe(sum(counts.map((cells) => cells[j]!)));
        });
        if (result.grandTotal.kind === 'count') {
          expect(result.grandTotal.value).toBe(sum(counts.flat()));
        }
      }),
    );
  });

  it('never suppresses a zero', () => {
    fc.assert(
      fc.property(row, (counts) => {
        suppressRow(counts).cells.forEach((s, i) => {
          if (counts[i] === 0) expect(s).toEqual({ kind: 'count', value: 0 });
        });
      }),
    );
    fc.assert(
      fc.property(table, (counts) => {
        const result = suppressTable(counts);
        const values = [...counts.flat(), ...counts.map((cells) => cells.reduce((a, b) => a + b, 0))];
        const shown = [...result.cells.flat(), ...result.rowTotals];
        shown.forEach((s, i) => {
          if (values[i] === 0) expect(s).toEqual({ kind: 'count', value: 0 });
        });
      }),
    );
  });

  it('never lets zeros cause secondary suppression: adding zeros changes nothing else', () => {
    fc.assert(
      fc.property(row, fc.array(fc.nat(), { maxLength: 5 }), (counts, positions) => {
        const padded = [...counts];
        const original = counts.map((_, i) => i);
        for (const p of positions) {
          const at = p % (padded.length + 1);
          padded.splice(at, 0, 0);
          original.splice(at, 0, -1);
        }
        const before = suppressRow(counts);
        const after = suppressRow(padded);
        expect(after.total).toEqual(before.total);
        original.forEach((from, i) => {
          if (from >= 0) expect(after.cells[i]).toEqual(before.cells[from]);
        });
      }),
    );
    fc.assert(
      fc.property(table, (counts) => {
        const before = suppressTable(counts);
        // A zero row at the bottom and a zero column on the left.
        const padded = [...counts.map((cells) => [0, ...cells]), counts[0]!.map(() => 0).concat(0)];
        const after = suppressTable(padded);
        expect(after.cells.slice(0, -1).map((cells) => cells.slice(1))).toEqual(before.cells);
        expect(after.rowTotals.slice(0, -1)).toEqual(before.rowTotals);
        expect(after.columnTotals.slice(1)).toEqual(before.columnTotals);
        expect(after.grandTotal).toEqual(before.grandTotal);
      }),
    );
  });

  it('is deterministic and does not change its input', () => {
    fc.assert(
      fc.property(row, (counts) => {
        const frozen = Object.freeze([...counts]);
        expect(suppressRow(frozen)).toEqual(suppressRow([...counts]));
        expect(frozen).toEqual(counts);
      }),
    );
    fc.assert(
      fc.property(table, (counts) => {
        const frozen = Object.freeze(counts.map((cells) => Object.freeze([...cells])));
        expect(suppressTable(frozen)).toEqual(suppressTable(structuredClone(counts)));
        expect(frozen).toEqual(counts);
      }),
    );
  });
});
