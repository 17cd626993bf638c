import type { z } from 'zod';
import type { FieldError } from '../common/errors.ts';

/** A form's errors as GOV.UK Frontend wants them: a summary list and a message per field. */
export type FormErrors = {
  summary: { text: string; href: string }[];
  fields: Record<string, { text: string }>;
};

export function formErrors(errors: FieldError[]): FormErrors {
  const fields: FormErrors['fields'] = {};
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

export function parseWith<S extends z.ZodType>(schema: S, input: unknown): Parsed<z.output<S>> {
  const result = schema.safeParse(input ?? {});
  return result.success ? { ok: true, data: result.data } : { ok: false, errors: fieldErrors(result.error) };
}
