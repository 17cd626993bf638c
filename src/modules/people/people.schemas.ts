import { z } from 'zod';
import { dateInputFields, readDateInput } from '../../common/date-input.ts';
import { DATA_TYPES, SENSITIVITIES } from '../../common/sharing.ts';

/** Form and API input for the person index pages. */

export const ItemInput = z
  .object({
    dataType: z.enum(DATA_TYPES, { error: 'Select the kind of information' }),
    sensitivity: z.enum(SENSITIVITIES, { error: 'Select how sensitive it is' }),
    sharing: z.enum(['as_agreed', 'owner_only'], { error: 'Select who may see it' }),
    title: z
      .string({ error: 'Enter a short title' })
      .trim()
      .min(1, 'Enter a short title')
      .max(200, 'The title must be 200 characters or fewer'),
    body: z
      .string({ error: 'Enter what happened or what you know' })
      .trim()
      .min(1, 'Enter what happened or what you know')
      .max(20_000, 'The note must be 20,000 characters or fewer'),
    thirdParty: z
      .union([z.literal('yes'), z.literal('true'), z.literal('on')])
      .optional()
      .transform((v) => v !== undefined),
    ...dateInputFields('occurred'),
  })
  .transform((form, ctx) => {
    const occurredOn = readDateInput(form, 'occurred', 'The date', ctx);
    if (occurredOn === z.NEVER) return z.NEVER;
    if (occurredOn === null) {
      ctx.addIssue({ code: 'custom', message: 'Enter the date it happened', path: ['occurred-day'] });
      return z.NEVER;
    }
    const { dataType, sensitivity, sharing, title, body, thirdParty } = form;
    return { dataType, sensitivity, sharing, title, body, thirdParty, occurredOn };
  });
export type ItemInput = z.output<typeof ItemInput>;

export const PersonSearch = z
  .object({
    name: z.string().trim().max(200, 'The name must be 200 characters or fewer').optional().default(''),
    ...dateInputFields('dob'),
  })
  .transform((form, ctx) => {
    const dateOfBirth = readDateInput(form, 'dob', 'The date of birth', ctx);
    if (dateOfBirth === z.NEVER) return z.NEVER;
    if (!form.name && !dateOfBirth) {
      ctx.addIssue({ code: 'custom', message: 'Enter a name or a date of birth', path: ['name'] });
      return z.NEVER;
    }
    return { name: form.name, dateOfBirth };
  });
export type PersonSearch = z.output<typeof PersonSearch>;
