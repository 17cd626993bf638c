import { z } from 'zod';

/** A date typed as day, month and year (the GOV.UK date pattern), checked the way the pattern asks. */
function datePart(label: string, prefix: string) {
  return z
    .object({ day: z.string().trim(), month: z.string().trim(), year: z.string().trim() })
    .transform((parts, ctx) => {
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
      const real =
        Number.isInteger(d) && Number.isInteger(m) && Number.isInteger(y) && y >= 1900 && y <= 9999;
      if (!real || date.getUTCDate() !== d || date.getUTCMonth() !== m - 1) {
        ctx.addIssue({ code: 'custom', message: `${label} must be a real date`, path: [`${prefix}-day`] });
        return z.NEVER;
      }
      return date.toISOString().slice(0, 10);
    });
}

const optionalText = z
  .string()
  .trim()
  .max(200, 'Search terms must be 200 characters or fewer')
  .optional()
  .transform((v) => v || undefined);

/** The privacy officer's audit search: who, about what, which action, what outcome, when. */
export const AuditSearch = z
  .object({
    who: optionalText,
    subject: optionalText,
    action: optionalText,
    outcome: z
      .union([z.enum(['success', 'denied', 'failed']), z.literal('')], {
        error: 'Select an outcome from the list',
      })
      .optional()
      .transform((v) => v || undefined),
    page: z.coerce.number().int().min(1).max(100_000).catch(1),
    'from-day': z.string().optional().default(''),
    'from-month': z.string().optional().default(''),
    'from-year': z.string().optional().default(''),
    'to-day': z.string().optional().default(''),
    'to-month': z.string().optional().default(''),
    'to-year': z.string().optional().default(''),
  })
  .transform((q, ctx) => {
    const from = datePart('The from date', 'from').safeParse({
      day: q['from-day'],
      month: q['from-month'],
      year: q['from-year'],
    });
    const to = datePart('The to date', 'to').safeParse({
      day: q['to-day'],
      month: q['to-month'],
      year: q['to-year'],
    });
    for (const result of [from, to])
      if (!result.success)
        for (const issue of result.error.issues) ctx.addIssue({ ...issue, code: 'custom' });
    if (!from.success || !to.success) return z.NEVER;
    if (from.data && to.data && from.data > to.data) {
      ctx.addIssue({
        code: 'custom',
        message: 'The to date must be the same as or after the from date',
        path: ['to-day'],
      });
      return z.NEVER;
    }
    return {
      who: q.who,
      subject: q.subject,
      action: q.action,
      outcome: q.outcome,
      from: from.data,
      to: to.data,
      page: q.page,
    };
  });
export type AuditSearch = z.output<typeof AuditSearch>;
