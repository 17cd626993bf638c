import { z } from 'zod';
import { dateChecked, dateInputFields, requiredDate } from '../../common/date-input.ts';
import { requiredText } from '../../common/text-fields.ts';
import { referralsSchemas } from '../referrals/index.ts';
import { CATEGORY_KEYS, SEVERITIES } from './signals.vocabulary.ts';

const { CONSENTS, URGENCIES } = referralsSchemas;

/** Input for recording a signal and for working an alert. */

const version = z.coerce.number({ error: 'The page is out of date: reload it' }).int().positive();

export const SignalInput = z
  .object({
    category: z.enum(CATEGORY_KEYS, { error: 'Select what the worry is about' }),
    severity: z.enum(SEVERITIES, { error: 'Select how serious it is: low, moderate, high or severe' }),
    description: requiredText('Enter what you saw or heard', 4000, 'What you saw or heard'),
    /** From the form, so a double click or a resubmitted page records one signal. */
    idempotencyKey: z.uuid({ error: 'The page is out of date: reload it' }),
    ...dateInputFields('observed'),
  })
  .check(dateChecked('observed', 'The date you saw it'))
  .transform((form, ctx) => {
    const observedOn = requiredDate(form, 'observed', 'The date you saw it', ctx);
    if (observedOn === z.NEVER) return z.NEVER;
    const { category, severity, description, idempotencyKey } = form;
    return { category, severity, description, idempotencyKey, observedOn };
  });
export type SignalInput = z.output<typeof SignalInput>;

export const AlertVersion = z.object({ version });
export type AlertVersion = z.output<typeof AlertVersion>;

export const NoActionInput = z.object({
  version,
  reason: requiredText('Enter why no action is needed', 2000, 'The reason'),
});
export type NoActionInput = z.output<typeof NoActionInput>;

export const PlanNoteInput = z.object({
  version,
  note: requiredText('Enter what the team around the family should know', 5000, 'The note'),
});
export type PlanNoteInput = z.output<typeof PlanNoteInput>;

/** A referral to the front door from an alert; the sector's questions come as `answer-<key>` fields. */
export const AlertContactInput = z
  .object({
    version,
    worries: requiredText('Enter what worries you', 20_000, 'What worries you'),
    familyAware: z
      .enum(['yes', 'no'], { error: 'Say whether the family knows about this contact' })
      .transform((v) => v === 'yes'),
    consent: z.enum(CONSENTS, { error: 'Say whether the family agrees to the contact' }),
    consentReason: z.string().trim().max(2000, 'The reason must be 2,000 characters or fewer').default(''),
    urgency: z.enum(URGENCIES, { error: 'Select how urgent this is' }),
  })
  .catchall(z.unknown())
  .transform(({ version, worries, familyAware, consent, consentReason, urgency, ...rest }) => ({
    version,
    worries,
    familyAware,
    consent,
    consentReason: consentReason || undefined,
    urgency,
    sectorAnswers: Object.fromEntries(
      Object.entries(rest)
        .filter(([key, value]) => key.startsWith('answer-') && typeof value === 'string' && value.trim())
        .map(([key, value]) => [key.slice('answer-'.length), (value as string).trim()]),
    ),
  }));
export type AlertContactInput = z.output<typeof AlertContactInput>;
