import fc from 'fast-check';
import { z } from 'zod';

/**
 * Bad input for the fuzz test (test/fuzz.test.ts): what a field is, learnt from a route's zod schema
 * (through its JSON Schema) or from the form on its page, and fast-check arbitraries of values that
 * a careless, hostile or broken client could send in its place.
 */

export type FieldKind =
  'text' | 'enum' | 'number' | 'boolean' | 'uuid' | 'date' | 'list' | 'object' | 'unknown';

export type FieldSpec = {
  name: string;
  kind: FieldKind;
  /** Allowed values of an enum (or of a list's items). */
  options?: string[];
  maxLength?: number;
  /** Must be sent (no default). */
  required?: boolean;
  /** Learnt from the zod schema: a value that breaks it must be refused, not accepted. */
  fromSchema: boolean;
};

type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  maxLength?: number;
  pattern?: string;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  nullable?: boolean;
};

/** The first alternative that is not null, for `anyOf`/`oneOf` (optional and nullable fields). */
function unwrap(schema: JsonSchema): JsonSchema {
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return unwrap(alternatives.find((a) => a.type !== 'null') ?? {});
  if (schema.allOf?.length === 1) return unwrap(schema.allOf[0]!);
  return schema;
}

function specOf(name: string, raw: JsonSchema, required: boolean): FieldSpec {
  const schema = unwrap(raw);
  const type = [schema.type].flat()[0];
  const base = { name, required, fromSchema: true };
  const values = schema.enum ?? (schema.const !== undefined ? [schema.const] : undefined);
  if (values) return { ...base, kind: 'enum', options: values.map(String) };
  if (type === 'string') {
    const kind = schema.format === 'uuid' ? 'uuid' : schema.format === 'date' ? 'date' : 'text';
    return { ...base, kind, ...(schema.maxLength !== undefined ? { maxLength: schema.maxLength } : {}) };
  }
  if (type === 'number' || type === 'integer') return { ...base, kind: 'number' };
  if (type === 'boolean') return { ...base, kind: 'boolean' };
  if (type === 'array') {
    const items = unwrap(schema.items ?? {});
    return { ...base, kind: 'list', ...(items.enum ? { options: items.enum.map(String) } : {}) };
  }
  if (type === 'object') return { ...base, kind: 'object' };
  return { ...base, kind: 'unknown' };
}

/** The fields of an object's JSON Schema (an API body, or a form's zod schema turned into one). */
export function fieldsOfJsonSchema(schema: JsonSchema | undefined): FieldSpec[] {
  const object = unwrap(schema ?? {});
  const required = new Set(object.required ?? []);
  return Object.entries(object.properties ?? {}).map(([name, s]) => specOf(name, s, required.has(name)));
}

/** The fields a zod schema takes, as its input side describes them (effects it cannot describe are 'unknown'). */
export function fieldsOfZod(schema: z.ZodType): FieldSpec[] {
  try {
    return fieldsOfJsonSchema(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema);
  } catch {
    return []; // a schema JSON Schema cannot express at all (a transform at the top): fields come from the page
  }
}

// --- Values -----------------------------------------------------------------------------------

const INJECTIONS = [
  "' OR '1'='1",
  "'); DROP TABLE people; --",
  '1; SELECT pg_sleep(0)--',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '{{ 7 * 7 }}',
  '{% for x in range(9) %}x{% endfor %}',
  '${7*7}',
  '../../../../etc/passwd',
  'javascript:alert(1)',
  '%00%27',
  '\\',
  'null',
  '__proto__',
  '=HYPERLINK("http://example.invalid")',
];

const UNICODE = [
  '\u202Eevil\u202C',
  'مرحبا بالعالم',
  'שלום עולם',
  '👨‍👩‍👧‍👦 🎉',
  'Z̷̢̛a̶l̸g̵o̴',
  '\uFEFFbom',
  'zero\u200Bwidth',
  'nul\u0000byte',
  '\u0000',
  'lone \uD800 surrogate',
  '\uDFFF',
  'İıŞş ﬁ',
  '\r\n\t',
  '   ',
  '\u0007\u001b[31m',
];

const NUMBERS = [
  '-1',
  '0',
  '1e309',
  'NaN',
  'Infinity',
  '99999999999999999999999',
  '1.5',
  '0x1F',
  ' 7 ',
  '-0',
  '١٢',
];
const DATES = [
  '2026-02-30',
  '0000-00-00',
  '31/12/2026',
  '9999-99-99',
  '2026-13-01',
  '1899-12-31',
  '+010000-01-01',
  '2026-01-01T25:61:00Z',
];
const IDS = [
  'not-a-uuid',
  '00000000-0000-0000-0000-000000000000',
  "00000000-0000-0000-0000-000000000000'",
  '1',
  '-1',
  'ffffffff-ffff-ffff-ffff-ffffffffffffff',
];

/** Sizes chosen to stay under the app's 256 KiB body limit once url-encoded, one field at a time. */
const OVERSIZED = ['x'.repeat(100_000), '😀'.repeat(6_000), 'é'.repeat(20_000), 'a '.repeat(30_000)];

/** A string a client could send in any text box. */
export const badString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...INJECTIONS),
  fc.constantFrom(...UNICODE),
  fc.constantFrom(...NUMBERS),
  fc.constantFrom(...DATES),
  fc.constantFrom(...IDS),
  fc.constantFrom(...OVERSIZED),
  fc.constant(''),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
);

/** What goes in a form field: a string, the field twice (an array), or nothing at all. */
export type FormValue = string | string[] | undefined;

export const formValue = (spec: FieldSpec | undefined): fc.Arbitrary<FormValue> => {
  const choices: fc.Arbitrary<FormValue>[] = [
    badString,
    fc.array(badString, { minLength: 2, maxLength: 3 }),
    fc.constant(undefined),
  ];
  if (spec?.options?.length) choices.push(notAnOption(spec.options));
  if (spec?.maxLength !== undefined) choices.push(fc.constant('y'.repeat(spec.maxLength + 1)));
  return fc.oneof(...choices);
};

/** A choice that is not among the options: a near miss or something else entirely. */
const notAnOption = (options: string[]) =>
  fc
    .oneof(
      fc.constantFrom(...options).map((o) => `${o}x`),
      fc.constantFrom(...options).map((o) => o.toUpperCase() + 'Z'),
      fc.string({ minLength: 1, maxLength: 12 }).map((s) => `zz${s}`),
    )
    .filter((v) => !options.includes(v));

/** What goes in a JSON body's field: any JSON value, with the wrong types and sizes first. */
export const jsonValue = (spec: FieldSpec | undefined): fc.Arbitrary<unknown> => {
  const deep = fc.constant(Array.from({ length: 200 }).reduce<unknown>((inner) => ({ a: inner }), 1));
  const choices: fc.Arbitrary<unknown>[] = [
    badString,
    fc.constantFrom(null, true, false, 0, -1, 1e308, -1e308, 2 ** 53 + 1, 0.5),
    fc.constant(undefined),
    fc.array(badString, { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 8 }), badString, { maxKeys: 3 }),
    fc.constant(Array.from({ length: 10_000 }, () => 'x')),
    deep,
  ];
  if (spec?.options?.length) choices.push(notAnOption(spec.options));
  if (spec?.maxLength !== undefined) choices.push(fc.constant('y'.repeat(spec.maxLength + 1)));
  return fc.oneof(...choices);
};

/** Keys no handler expects: prototype pollution and plain extras. */
export const ODD_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  '__proto__[isAdmin]',
  'constructor[prototype][isAdmin]',
  'fuzz_extra',
];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether the schema itself rules the value out, so the app must refuse it with a 4xx. Values a
 * schema allows (a name in Arabic, a note quoting SQL) may be accepted; nothing may ever be a 500.
 */
export function breaksSchema(spec: FieldSpec | undefined, value: unknown): boolean {
  if (!spec?.fromSchema) return false;
  if (value === undefined) return spec.required === true;
  const scalar = spec.kind !== 'list' && spec.kind !== 'object' && spec.kind !== 'unknown';
  if (scalar && (Array.isArray(value) || (typeof value === 'object' && value !== null))) return true;
  if (typeof value !== 'string') return false;
  if (spec.kind === 'enum' && spec.options) return !spec.options.includes(value.trim());
  if (spec.kind === 'uuid') return !UUID.test(value.trim());
  if (spec.kind === 'text' && spec.maxLength !== undefined) return value.trim().length > spec.maxLength;
  return false;
}

/** Values that pass each field's own check where the field says enough: a starting point to break one field at a time. */
export function exampleOf(fields: FieldSpec[], json: boolean): Record<string, unknown> {
  const example: Record<string, unknown> = {};
  for (const f of fields) {
    if (f.kind === 'enum' && f.options?.length) example[f.name] = f.options[0];
    else if (f.kind === 'text') example[f.name] = 'Fuzz baseline text'.slice(0, f.maxLength ?? 100);
    else if (f.kind === 'date') example[f.name] = '2020-04-03';
    else if (f.kind === 'uuid') example[f.name] = '5f0c3f4e-1c2b-4c8a-9d7e-0a1b2c3d4e5f';
    else if (f.kind === 'number') example[f.name] = json ? 1 : '1';
    else if (json && f.kind === 'boolean') example[f.name] = false;
    else if (json && f.kind === 'list') example[f.name] = [];
    else if (json && f.kind === 'object') example[f.name] = {};
  }
  return example;
}
