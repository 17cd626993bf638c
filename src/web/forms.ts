import type { z } from 'zod';
import type { FieldError } from '../common/errors.ts';

/** A form's errors as GOV.UK Frontend wants them: a summary list and a message per field. */
export type FormErrors = {
  summary: { text: string; href: string }[];
  fields: Record<string, { text: string }>;
};

export function formErrors(errors: FieldError[]): FormErrors {
  // No prototype: a field named "constructor" (a client may send any name) must not find Object's.
  const fields: FormErrors['fields'] = Object.create(null) as FormErrors['fields'];
  for (const e of errors) fields[e.field] ??= { text: e.message };
  return {
    summary: Object.entries(fields).map(([field, { text }]) => ({ text, href: `#${field}` })),
    fields,
  };
}

export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    field: issue.path.length ? issue.path.map(String).join('.') : 'form',
    message: issue.message,
  }));
}

export type Parsed<T> = { ok: true; data: T } | { ok: false; errors: FieldError[] };

/**
 * PostgreSQL text cannot hold the NUL character (a client can send one as %00 or \u0000): each field
 * holding one is refused by name, before it could reach the database as an error.
 */
export function nulFieldErrors(input: unknown, path: string[] = []): FieldError[] {
  if (typeof input === 'string')
    return input.includes('\u0000')
      ? [{ field: path.join('.') || 'form', message: 'Remove the control character (NUL) from this answer' }]
      : [];
  if (input && typeof input === 'object')
    return Object.entries(input).flatMap(([key, value]) => nulFieldErrors(value, [...path, key]));
  return [];
}

export function parseWith<S extends z.ZodType>(schema: S, input: unknown): Parsed<z.output<S>> {
  const result = schema.safeParse(input ?? {});
  const nul = nulFieldErrors(input);
  if (result.success && nul.length === 0) return { ok: true, data: result.data };
  return { ok: false, errors: [...nul, ...(result.success ? [] : fieldErrors(result.error))] };
}
