import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import type { FieldError } from '../../common/errors.ts';
import { UNIT_SCALE, indicatorByCode } from './outcomes.indicators.ts';
import type { Locality } from './outcomes.series.ts';

/**
 * Published figures from a CSV file, checked row by row before anything is written. Columns:
 * indicator, locality (a locality's code, or empty for the whole area), period_start, period_end,
 * numerator, denominator (both optional), value, source_note (optional). Where both counts are given,
 * the value must be what they make (to one decimal place), so a figure keyed in wrongly is caught.
 */

export const IMPORT_COLUMNS = [
  'indicator',
  'locality',
  'period_start',
  'period_end',
  'numerator',
  'denominator',
  'value',
  'source_note',
] as const;
export const MAX_IMPORT_ROWS = 20_000;

export type FigureRow = {
  indicatorCode: string;
  localityId: string | null;
  periodStart: string;
  periodEnd: string;
  numerator: number | null;
  denominator: number | null;
  value: number;
  sourceNote: string;
};

const optionalNumber = (what: string) =>
  z
    .string()
    .trim()
    .transform((s, ctx) => {
      if (s === '') return null;
      const n = Number(s.replaceAll(',', ''));
      if (!Number.isFinite(n) || n < 0) {
        ctx.addIssue({ code: 'custom', message: `${what} must be a number of 0 or more, like 1520` });
        return z.NEVER;
      }
      return n;
    });

const CsvRow = z.object({
  indicator: z.string().trim().min(1, 'Enter the indicator’s code, for example persistent_absence'),
  locality: z.string().trim(),
  period_start: z.iso.date('Enter the first day of the period as YYYY-MM-DD, for example 2024-04-01'),
  period_end: z.iso.date('Enter the last day of the period as YYYY-MM-DD, for example 2025-03-31'),
  numerator: optionalNumber('The numerator'),
  denominator: optionalNumber('The denominator'),
  value: z
    .string()
    .trim()
    .min(1, 'Enter the value')
    .transform((s, ctx) => {
      const n = Number(s);
      if (!Number.isFinite(n)) {
        ctx.addIssue({ code: 'custom', message: 'The value must be a number, like 12.5' });
        return z.NEVER;
      }
      return n;
    }),
  source_note: z.string().trim().max(500, 'The source note must be 500 characters or fewer').default(''),
});

export type ParsedFigures = { rows: FigureRow[]; errors: FieldError[] };

export function parseFigures(text: string, localities: readonly Locality[]): ParsedFigures {
  let records: Record<string, string>[];
  try {
    records = parse(text, {
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      skip_empty_lines: true,
      bom: true,
      relax_column_count: false,
    });
  } catch (error) {
    return {
      rows: [],
      errors: [
        {
          field: 'file',
          message: `The file is not a CSV file this page can read: ${(error as Error).message}`,
        },
      ],
    };
  }
  if (records.length === 0)
    return {
      rows: [],
      errors: [{ field: 'file', message: 'The file has no rows of figures under its header' }],
    };
  const missing = IMPORT_COLUMNS.filter((c) => c !== 'source_note' && !(c in records[0]!));
  if (missing.length > 0) {
    return {
      rows: [],
      errors: [
        {
          field: 'file',
          message: `The header must name the columns ${IMPORT_COLUMNS.join(', ')}; missing: ${missing.join(', ')}`,
        },
      ],
    };
  }
  if (records.length > MAX_IMPORT_ROWS) {
    return {
      rows: [],
      errors: [
        {
          field: 'file',
          message: `The file has ${records.length} rows; load at most ${MAX_IMPORT_ROWS} at a time`,
        },
      ],
    };
  }

  const byCode = new Map(localities.map((l) => [l.code.toLowerCase(), l.id]));
  const seen = new Set<string>();
  const rows: FigureRow[] = [];
  const errors: FieldError[] = [];
  records.forEach((record, i) => {
    const line = i + 2; // the header is line 1
    const problem = (column: string, message: string): void => {
      errors.push({ field: 'file', message: `Row ${line}, column ${column}: ${message}` });
    };
    const parsed = CsvRow.safeParse(record);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problem(String(issue.path[0] ?? 'row'), issue.message);
      return;
    }
    const r = parsed.data;
    const indicator = indicatorByCode(r.indicator);
    if (!indicator)
      return problem('indicator', `“${r.indicator}” is not an indicator this partnership tracks`);
    if (indicator.computed)
      return problem(
        'indicator',
        `${indicator.name} is worked out from the partnership’s own records, so it is not loaded from a file`,
      );
    const localityId =
      r.locality === '' || r.locality.toLowerCase() === 'area' ? null : byCode.get(r.locality.toLowerCase());
    if (localityId === undefined)
      return problem(
        'locality',
        `“${r.locality}” is not one of the localities (${localities.map((l) => l.code).join(', ')}); leave it empty for the whole area`,
      );
    if (r.period_end < r.period_start)
      return problem('period_end', 'The last day must be on or after the first day');
    if (indicator.unit === 'percent' && r.value > 100)
      return problem('value', 'A percentage cannot be more than 100');
    if (r.numerator !== null && r.denominator !== null) {
      if (r.denominator === 0) return problem('denominator', 'The denominator must be more than 0');
      if (r.numerator > r.denominator && indicator.unit === 'percent')
        return problem('numerator', 'The numerator cannot be more than the denominator');
      const expected = (r.numerator / r.denominator) * UNIT_SCALE[indicator.unit];
      if (Math.abs(expected - r.value) > 0.05 + Math.abs(expected) * 1e-9) {
        return problem(
          'value',
          `${r.numerator} of ${r.denominator} makes ${expected.toFixed(1)}, not ${r.value}`,
        );
      }
    }
    const key = `${indicator.code}|${localityId ?? ''}|${r.period_start}`;
    if (seen.has(key))
      return problem('period_start', 'This indicator, locality and period is already in the file');
    seen.add(key);
    rows.push({
      indicatorCode: indicator.code,
      localityId,
      periodStart: r.period_start,
      periodEnd: r.period_end,
      numerator: r.numerator,
      denominator: r.denominator,
      value: r.value,
      sourceNote: r.source_note,
    });
  });
  return { rows, errors };
}
