import { describe, expect, it } from 'vitest';
import { parseFigures } from './outcomes.import.ts';

const localities = [
  { id: 'id-east', code: 'east', name: 'East' },
  { id: 'id-west', code: 'west', name: 'West' },
];
const HEADER = 'indicator,locality,period_start,period_end,numerator,denominator,value,source_note';

describe('loading published figures', () => {
  it('reads good rows, for a locality and for the whole area', () => {
    const { rows, errors } = parseFigures(
      `${HEADER}\npersistent_absence,east,2024-09-01,2025-08-31,"1,000",5000,20,DfE\npersistent_absence,,2024-09-01,2025-08-31,,,17.3,\n`,
      localities,
    );
    expect(errors).toEqual([]);
    expect(rows).toEqual([
      expect.objectContaining({
        indicatorCode: 'persistent_absence',
        localityId: 'id-east',
        numerator: 1000,
        denominator: 5000,
        value: 20,
      }),
      expect.objectContaining({
        localityId: null,
        numerator: null,
        denominator: null,
        value: 17.3,
        sourceNote: '',
      }),
    ]);
  });

  it('names the row and column of every problem', () => {
    const { errors } = parseFigures(
      [
        HEADER,
        'nonsense,east,2024-09-01,2025-08-31,,,1,',
        'contacts_rate,east,2024-09-01,2025-08-31,,,1,',
        'persistent_absence,middle,2024-09-01,2025-08-31,,,1,',
        'persistent_absence,east,2024-13-01,2025-08-31,,,1,',
        'persistent_absence,east,2025-09-01,2025-08-31,,,1,',
        'persistent_absence,east,2024-09-01,2025-08-31,10,100,12,',
        'persistent_absence,west,2024-09-01,2025-08-31,,,120,',
        'persistent_absence,west,2023-09-01,2024-08-31,-3,,1,',
        'persistent_absence,west,2022-09-01,2023-08-31,,,1,',
        'persistent_absence,west,2022-09-01,2023-08-31,,,2,',
      ].join('\n'),
      localities,
    );
    expect(errors.map((e) => e.message)).toEqual([
      'Row 2, column indicator: “nonsense” is not an indicator this partnership tracks',
      'Row 3, column indicator: Contacts to the front door is worked out from the partnership’s own records, so it is not loaded from a file',
      'Row 4, column locality: “middle” is not one of the localities (east, west); leave it empty for the whole area',
      'Row 5, column period_start: Enter the first day of the period as YYYY-MM-DD, for example 2024-04-01',
      'Row 6, column period_end: The last day must be on or after the first day',
      'Row 7, column value: 10 of 100 makes 10.0, not 12',
      'Row 8, column value: A percentage cannot be more than 100',
      'Row 9, column numerator: The numerator must be a number of 0 or more, like 1520',
      'Row 11, column period_start: This indicator, locality and period is already in the file',
    ]);
  });

  it('refuses a file that is not a CSV of figures', () => {
    expect(parseFigures('', localities).errors[0]!.message).toMatch(/no rows/);
    expect(parseFigures('a,b\n1,2\n', localities).errors[0]!.message).toMatch(/missing: indicator, locality/);
    expect(parseFigures(`${HEADER}\n"unclosed,1\n`, localities).errors[0]!.message).toMatch(/not a CSV file/);
  });
});
