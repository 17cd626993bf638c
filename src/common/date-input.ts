import { z } from 'zod';

/** The three boxes of a GOV.UK date input, named `<prefix>-day`, `<prefix>-month`, `<prefix>-year`. */
export function dateInputFields(prefix: string) {
  return {
    [`${prefix}-day`]: z.string().optional().default(''),
    [`${prefix}-month`]: z.string().optional().default(''),
    [`${prefix}-year`]: z.string().optional().default(''),
  } as Record<`${string}-${'day' | 'month' | 'year'}`, z.ZodDefault<z.ZodOptional<z.ZodString>>>;
}

/**
 * Reads a GOV.UK date input from a parsed form and checks it the way the pattern asks: all three
 * parts, a real date. Answers 'YYYY-MM-DD', null when all three are empty, or NEVER after adding
 * an issue on the box to correct.
 */
export function readDateInput(
  form: Record<string, unknown>,
  prefix: string,
  label: string,
  ctx: z.RefinementCtx,
): string | null | typeof z.NEVER {
  const box = (name: string) => {
    const value = form[`${prefix}-${name}`];
    return typeof value === 'string' ? value.trim() : '';
  };
  const parts = { day: box('day'), month: box('month'), year: box('year') };
  const given = [parts.day, parts.month, parts.year].filter(Boolean).length;
  if (given === 0) return null;
  const missing = (['day', 'month', 'year'] as const).filter((k) => !parts[k]);
  if (missing.length) {
    ctx.addIssue({
      code: 'custom',
      message: `${label} must include a ${missing.join(' and ')}`,
      path: [`${prefix}-${missing[0]}`],
    });
    return z.NEVER;
  }
  const [d, m, y] = [Number(parts.day), Number(parts.month), Number(parts.year)];
  const date = new Date(Date.UTC(y, m - 1, d));
  const real = Number.isInteger(d) && Number.isInteger(m) && Number.isInteger(y) && y >= 1900 && y <= 9999;
  if (!real || date.getUTCDate() !== d || date.getUTCMonth() !== m - 1) {
    ctx.addIssue({ code: 'custom', message: `${label} must be a real date`, path: [`${prefix}-day`] });
    return z.NEVER;
  }
  return date.toISOString().slice(0, 10);
}

/** A required GOV.UK date input, read into 'YYYY-MM-DD'. */
export function requiredDate(
  form: Record<string, unknown>,
  prefix: string,
  label: string,
  ctx: z.RefinementCtx,
) {
  const date = readDateInput(form, prefix, label, ctx);
  if (date === null) {
    ctx.addIssue({ code: 'custom', message: `Enter ${label.toLowerCase()}`, path: [`${prefix}-day`] });
    return z.NEVER;
  }
  return date;
}

/**
 * Checks a required date's boxes even when other fields failed (a transform runs only on valid
 * input), so the person sees every problem at once.
 */
export const dateChecked = (prefix: string, label: string) =>
  z.superRefine(
    (form: Record<string, unknown>, ctx) => {
      requiredDate(form, prefix, label, ctx);
    },
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  );

/**
 * An optional 'from' and 'to' date filter (boxes named from-* and to-*), the to date not before the
 * from date. Answers the dates (undefined when left empty), or NEVER after adding the issue.
 */
export function readDateRange(
  form: Record<string, unknown>,
  ctx: z.RefinementCtx,
): { from: string | undefined; to: string | undefined } | typeof z.NEVER {
  const from = readDateInput(form, 'from', 'The from date', ctx);
  const to = readDateInput(form, 'to', 'The to date', ctx);
  if (from === z.NEVER || to === z.NEVER) return z.NEVER;
  if (from && to && from > to) {
    ctx.addIssue({
      code: 'custom',
      message: 'The to date must be the same as or after the from date',
      path: ['to-day'],
    });
    return z.NEVER;
  }
  return { from: from ?? undefined, to: to ?? undefined };
}
