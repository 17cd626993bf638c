import { z } from 'zod';
import { dateInputFields, readDateRange } from '../../common/date-input.ts';

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
    ...dateInputFields('from'),
    ...dateInputFields('to'),
  })
  .transform((q, ctx) => {
    const range = readDateRange(q, ctx);
    if (range === z.NEVER) return z.NEVER;
    return {
      who: q.who,
      subject: q.subject,
      action: q.action,
      outcome: q.outcome,
      ...range,
      page: q.page,
    };
  });
export type AuditSearch = z.output<typeof AuditSearch>;
