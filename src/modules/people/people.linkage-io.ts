import { readFile, writeFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';

/**
 * Reading record-linkage input: a CSV file and a map.json saying which column holds which field.
 * Files are read as they come from agencies and data sets: plain CSV with quoted fields, or fields
 * separated by a comma and a space (every field is trimmed), CRLF or LF line ends, with or without a
 * final newline, with or without a byte-order mark. Every value is kept as text (leading zeros).
 */

export const DATE_FORMATS = ['YYYYMMDD', 'YYYY-MM-DD', 'DD/MM/YYYY'] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];

const column = z.string().trim().min(1, 'give a column name');

/** map.json: every key optional except `id`; a value is a column name. */
export const LinkageMap = z.strictObject({
  id: column,
  given_name: column.optional(),
  family_name: column.optional(),
  full_name: column.optional(),
  street_number: column.optional(),
  address_line_1: column.optional(),
  address_line_2: column.optional(),
  locality: column.optional(),
  city: column.optional(),
  postcode: column.optional(),
  region: column.optional(),
  email: column.optional(),
  sex: column.optional(),
  date_of_birth: z
    .strictObject({
      column,
      format: z.enum(DATE_FORMATS, { error: `give one of ${DATE_FORMATS.join(', ')}` }),
    })
    .optional(),
  /** system name → column, for example {"nhs_number": "nhs"}. */
  identifiers: z.record(z.string().min(1), column).optional(),
  /** Further columns compared as text. */
  extra: z.array(column).optional(),
});
export type LinkageMap = z.infer<typeof LinkageMap>;

/** One input record, as text, before any normalising. Absent or empty fields are undefined. */
export type LinkageRecord = {
  id: string;
  givenName?: string;
  familyName?: string;
  fullName?: string;
  streetNumber?: string;
  addressLine1?: string;
  addressLine2?: string;
  locality?: string;
  city?: string;
  postcode?: string;
  region?: string;
  email?: string;
  sex?: string;
  dateOfBirth?: { value: string; format: DateFormat };
  identifiers: Record<string, string>;
  extra: (string | undefined)[];
};

/** The fields of a map.json that name a single column, and the record field each fills. */
const SIMPLE_FIELDS = {
  given_name: 'givenName',
  family_name: 'familyName',
  full_name: 'fullName',
  street_number: 'streetNumber',
  address_line_1: 'addressLine1',
  address_line_2: 'addressLine2',
  locality: 'locality',
  city: 'city',
  postcode: 'postcode',
  region: 'region',
  email: 'email',
  sex: 'sex',
} as const;

/** Parses map.json text; a mistake is one line naming the key. */
export function parseLinkageMap(text: string, source = 'map.json'): LinkageMap {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source}: not valid JSON (${(error as Error).message})`);
  }
  const result = LinkageMap.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const key = issue.path.length ? issue.path.join('.') : '(top level)';
    const message =
      issue.code === 'unrecognized_keys'
        ? `unknown key ${issue.keys.map((k) => `"${k}"`).join(', ')}`
        : issue.message;
    throw new Error(`${source}: ${key}: ${message}`);
  }
  return result.data;
}

/** How agency files are read: see the top of this file. */
export const CSV_OPTIONS = { bom: true, trim: true, skip_empty_lines: true, relax_quotes: true } as const;

/**
 * The common case without csv-parse: no quotes, lines ending in LF or CRLF, every row as long as the
 * header. Gives what csv-parse would with CSV_OPTIONS, at a fifth of the cost; null for anything else
 * (quotes, lone CRs, rows of another length), which csv-parse then reads or reports.
 */
function parseSimpleCsv(text: string): string[][] | null {
  if (text.includes('"') || /\r(?!\n)/.test(text)) return null;
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const rows: string[][] = [];
  let width = -1;
  for (const line of body.split('\n')) {
    const content = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (content === '') continue;
    if (content.trim() === '') return null;
    const fields = content.split(',');
    for (let i = 0; i < fields.length; i++) fields[i] = fields[i]!.trim();
    if (width === -1) width = fields.length;
    else if (fields.length !== width) return null;
    rows.push(fields);
  }
  return rows;
}

/** Parses CSV text into a header and rows of trimmed strings. */
export function parseCsv(text: string, source = 'CSV file'): { header: string[]; rows: string[][] } {
  let rows: string[][];
  const simple = parseSimpleCsv(text);
  if (simple) rows = simple;
  else
    try {
      const parsed: unknown = parse(text, CSV_OPTIONS);
      // Without `columns`, csv-parse returns an array of string arrays.
      rows = parsed as string[][];
    } catch (error) {
      throw new Error(`${source}: ${(error as Error).message}`);
    }
  const [header, ...body] = rows;
  if (!header) throw new Error(`${source}: the file is empty; it needs a header row`);
  return { header, rows: body };
}

/**
 * A reader of rows into records, for a file with this header. Map keys naming columns absent from the
 * file are ignored; a map whose id column is absent is refused.
 */
export function recordReader(header: readonly string[], map: LinkageMap, source = 'CSV file') {
  const index = new Map(header.map((name, i) => [name, i]));
  const idColumn = index.get(map.id);
  if (idColumn === undefined) {
    throw new Error(`${source}: map.json id: there is no column "${map.id}" (columns: ${header.join(', ')})`);
  }
  const simple: [string, number][] = [];
  for (const [key, field] of Object.entries(SIMPLE_FIELDS)) {
    const name = map[key as keyof typeof SIMPLE_FIELDS];
    const at = name === undefined ? undefined : index.get(name);
    if (at !== undefined) simple.push([field, at]);
  }
  const dob = map.date_of_birth;
  const dobColumn = dob ? index.get(dob.column) : undefined;
  const identifierColumns = Object.entries(map.identifiers ?? {})
    .map(([system, name]) => [system, index.get(name)] as const)
    .filter((entry): entry is readonly [string, number] => entry[1] !== undefined);
  const extraColumns = (map.extra ?? []).map((name) => index.get(name));
  return (row: readonly string[]): LinkageRecord => {
    const record: LinkageRecord = { id: row[idColumn] ?? '', identifiers: {}, extra: [] };
    const target = record as unknown as Record<string, string | undefined>;
    for (const [field, at] of simple) target[field] = row[at] || undefined;
    if (dob && dobColumn !== undefined && row[dobColumn])
      record.dateOfBirth = { value: row[dobColumn], format: dob.format };
    for (const [system, at] of identifierColumns) if (row[at]) record.identifiers[system] = row[at];
    record.extra = extraColumns.map((at) => (at === undefined ? undefined : row[at] || undefined));
    return record;
  };
}

/** Turns parsed CSV into records with the map; an empty or repeated id is refused with its line. */
export function toLinkageRecords(
  csv: { header: string[]; rows: string[][] },
  map: LinkageMap,
  source = 'CSV file',
): LinkageRecord[] {
  const read = recordReader(csv.header, map, source);
  const seen = new Set<string>();
  return csv.rows.map((row, i) => {
    const record = read(row);
    // Line numbers count the header as line 1.
    if (record.id === '') throw new Error(`${source}: line ${i + 2}: the id column "${map.id}" is empty`);
    if (seen.has(record.id)) throw new Error(`${source}: line ${i + 2}: the id "${record.id}" appears twice`);
    seen.add(record.id);
    return record;
  });
}

/** Reads a CSV file with a map into records. */
export async function readLinkageFile(path: string, map: LinkageMap): Promise<LinkageRecord[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return toLinkageRecords(parseCsv(text, path), map, path);
}

export async function readLinkageMap(path: string): Promise<LinkageMap> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return parseLinkageMap(text, path);
}

/** A pair judged a match, as written to pairs.csv. */
export type MatchedPair = { leftId: string; rightId: string; probability: number };

/** A CSV field, quoted when it must be. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Writes `left_id,right_id,probability`, one row per pair. */
export async function writePairs(path: string, pairs: Iterable<MatchedPair>): Promise<number> {
  const lines = ['left_id,right_id,probability'];
  for (const p of pairs) {
    lines.push(`${csvField(p.leftId)},${csvField(p.rightId)},${formatProbability(p.probability)}`);
  }
  await writeFile(path, `${lines.join('\n')}\n`);
  return lines.length - 1;
}

/** Probabilities to six decimal places, without trailing zeros. */
export function formatProbability(p: number): string {
  return String(Number(p.toFixed(6)));
}
