import { z } from 'zod';
import { requiredText as required } from '../../common/text-fields.ts';
import type { AssessmentOutcome } from '../../db/schema.ts';
import { referralsSchemas } from '../referrals/index.ts';

/** Input for starting, saving and finishing an assessment; the page forms and the service share these. */

export const OUTCOMES = [
  'no_further_action',
  'needs_met',
  'referral_onward',
] as const satisfies AssessmentOutcome[];
export const OUTCOME_LABELS: Record<AssessmentOutcome, string> = {
  no_further_action: 'No further action',
  needs_met: 'Needs met by the assessing agency',
  referral_onward: 'Referral onward to the front door',
};

const optionalUuid = (message: string) =>
  z
    .union([z.literal(''), z.uuid({ error: message })])
    .optional()
    .transform((v) => v || undefined);

/** The start page: a template chosen as "id@version", and what the assessment belongs to. */
export const StartForm = z.object({
  template: z
    .string({ error: 'Choose which assessment to start' })
    .regex(/^[a-z0-9-]+@\d+$/, 'Choose which assessment to start'),
  planId: optionalUuid('Choose a plan from the list'),
  episodeId: optionalUuid('Choose an episode from the list'),
});

export type StartInput = {
  personId: string;
  templateId: string;
  templateVersion: number;
  planId?: string;
  episodeId?: string;
};

export const startInputOf = (personId: string, form: z.output<typeof StartForm>): StartInput => {
  const [templateId, version] = form.template.split('@') as [string, string];
  return {
    personId,
    templateId,
    templateVersion: Number(version),
    planId: form.planId,
    episodeId: form.episodeId,
  };
};

export const Version = z.coerce
  .number({ error: 'The page is out of date: reload it and try again' })
  .int('The page is out of date: reload it and try again')
  .min(0, 'The page is out of date: reload it and try again');

export const NotRecordedReason = z
  .string()
  .trim()
  .max(2000, 'The reason must be 2,000 characters or fewer')
  .optional()
  .transform((v) => v || null);

/**
 * A section's save: the version the person saw (0 for a section nobody has saved), and the answers
 * by question id, or the section's form as posted (three date boxes, numbered rows).
 */
export type SaveSectionInput = {
  version: unknown;
  notRecordedReason?: unknown;
} & ({ answers: Record<string, unknown> } | { form: Record<string, unknown> });

/**
 * Finishing: the outcome and why, the summary for the family and, for a referral onward, what the
 * front door needs that the assessment does not say (urgency, whether the family knows and agrees,
 * the questions the practitioner's sector is asked). Checked whole, so every mistake shows at once.
 */
export const FinishInput = z
  .object({
    version: Version,
    outcome: z.enum(OUTCOMES, { error: 'Choose the outcome of the assessment' }),
    outcomeReason: required('Say why you chose this outcome', 5000, 'The reason'),
    familySummary: required(
      'Write a summary of the assessment for the family, in plain words',
      10_000,
      'The summary for the family',
    ),
    urgency: z.enum(referralsSchemas.URGENCIES, { error: 'Select how urgent the referral is' }).optional(),
    familyAware: z.boolean({ error: 'Say whether the family knows about the referral' }).optional(),
    consent: z
      .enum(referralsSchemas.CONSENTS, { error: 'Say whether the family agrees to the referral' })
      .optional(),
    consentReason: z
      .string()
      .trim()
      .max(2000, 'The reason must be 2,000 characters or fewer')
      .optional()
      .transform((v) => v || undefined),
    sectorAnswers: z
      .record(z.string(), z.string().trim().max(2000, 'Each answer must be 2,000 characters or fewer'))
      .optional(),
  })
  .check(
    z.superRefine(
      (
        finish: {
          outcome?: string;
          urgency?: string;
          familyAware?: boolean;
          consent?: string;
          consentReason?: string;
        },
        ctx,
      ) => {
        if (finish.outcome !== 'referral_onward') return;
        const issue = (field: string, message: string) =>
          ctx.addIssue({ code: 'custom', path: [field], message });
        if (!finish.urgency) issue('urgency', 'Select how urgent the referral is');
        if (finish.familyAware === undefined)
          issue('familyAware', 'Say whether the family knows about the referral');
        if (!finish.consent) issue('consent', 'Say whether the family agrees to the referral');
        else if (finish.consent !== 'given' && !finish.consentReason)
          issue(
            'consentReason',
            finish.consent === 'refused'
              ? 'Say why you are referring on without the family’s agreement (for example, risk of harm)'
              : 'Say why the family has not been asked (for example, asking would put the child at risk)',
          );
      },
      { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
    ),
  );
export type FinishInput = z.input<typeof FinishInput>;

/** The finish page's fields as FinishInput: yes/no as true/false, the sector's answers gathered. */
export function finishInputOf(body: Record<string, unknown>): Record<string, unknown> {
  const sectorAnswers = Object.fromEntries(
    Object.entries(body)
      .filter(([key, value]) => key.startsWith('answer-') && typeof value === 'string' && value.trim())
      .map(([key, value]) => [key.slice('answer-'.length), value]),
  );
  const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v : undefined);
  return {
    version: body.version,
    outcome: text(body.outcome),
    outcomeReason: body.outcomeReason ?? '',
    familySummary: body.familySummary ?? '',
    urgency: text(body.urgency),
    familyAware: body.familyAware === 'yes' ? true : body.familyAware === 'no' ? false : undefined,
    consent: text(body.consent),
    consentReason: text(body.consentReason),
    sectorAnswers,
  };
}
