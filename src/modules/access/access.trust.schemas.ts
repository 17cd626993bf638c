import { z } from 'zod';
import { dateInputFields, readDateInput } from '../../common/date-input.ts';
import {
  DATA_TYPES,
  DECISION_BASES,
  INVOLVEMENT_KINDS,
  LAWFUL_BASES,
  PURPOSES,
  SENSITIVITIES,
} from '../../common/sharing.ts';
import { SECTORS } from './access.schemas.ts';

/** Form and API input for involvements, emergency access, consent and sharing. */

const text = (message: string, max = 2000) =>
  z.string({ error: message }).trim().min(1, message).max(max, `This must be ${max} characters or fewer`);

const choice = <T extends readonly [string, ...string[]]>(values: T, message: string) =>
  z.enum(values, { error: message });

const version = z.coerce.number({ error: 'The form is out of date: reload the page' }).int().min(1);

/** One select that names either a person (`user:<id>`) or a team (`team:<id>`). */
const holder = z
  .string({ error: 'Select who is involved' })
  .regex(/^(user|team):[0-9a-f-]{36}$/i, 'Select who is involved from the list')
  .transform((v) => {
    const [kind, id] = v.split(':') as ['user' | 'team', string];
    return kind === 'user' ? { userId: id, teamId: null } : { userId: null, teamId: id };
  });

export const InvolvementInput = z
  .object({
    holder,
    kind: choice(INVOLVEMENT_KINDS, 'Select the kind of involvement'),
    purpose: choice(PURPOSES, 'Select the purpose of the involvement'),
    reason: text('Enter why they are involved with this child'),
    ...dateInputFields('started'),
  })
  .transform((form, ctx) => {
    const startedOn = readDateInput(form, 'started', 'The start date', ctx);
    if (startedOn === z.NEVER) return z.NEVER;
    return { ...form.holder, kind: form.kind, purpose: form.purpose, reason: form.reason, startedOn };
  });
export type InvolvementInput = z.output<typeof InvolvementInput>;

export const InvolvementEnd = z
  .object({ endReason: text('Enter why the involvement is ending'), version, ...dateInputFields('ended') })
  .transform((form, ctx) => {
    const endedOn = readDateInput(form, 'ended', 'The end date', ctx);
    if (endedOn === z.NEVER) return z.NEVER;
    if (endedOn === null) {
      ctx.addIssue({ code: 'custom', message: 'Enter the date the involvement ends', path: ['ended-day'] });
      return z.NEVER;
    }
    return { endedOn, endReason: form.endReason, version: form.version };
  });
export type InvolvementEnd = z.output<typeof InvolvementEnd>;

export const EmergencyAccessInput = z.object({
  reason: z
    .string({ error: 'Enter why you need this record now' })
    .trim()
    .min(1, 'Enter why you need this record now')
    .min(10, 'Give the reason in at least 10 characters, so the privacy officer can review it')
    .max(2000, 'The reason must be 2000 characters or fewer'),
});
export type EmergencyAccessInput = z.output<typeof EmergencyAccessInput>;

export const REVIEW_OUTCOMES = ['justified', 'not_justified', 'referred'] as const;
export const REVIEW_OUTCOME_LABELS: Record<(typeof REVIEW_OUTCOMES)[number], string> = {
  justified: 'Justified',
  not_justified: 'Not justified',
  referred: 'Referred for investigation',
};

export const EmergencyReview = z
  .object({
    outcome: choice(REVIEW_OUTCOMES, 'Select the outcome of your review'),
    note: z.string().trim().max(2000, 'The note must be 2000 characters or fewer').optional().default(''),
    version,
  })
  .refine((r) => r.outcome === 'justified' || r.note.length > 0, {
    message: 'Enter what you found and what happens next',
    path: ['note'],
  });
export type EmergencyReview = z.output<typeof EmergencyReview>;

export const CONSENT_GIVERS = ['young_person', 'parental_responsibility'] as const;
export const CONSENT_GIVER_LABELS: Record<(typeof CONSENT_GIVERS)[number], string> = {
  young_person: 'The young person (competent to decide)',
  parental_responsibility: 'A person with parental responsibility',
};
export const CONSENT_METHODS = ['in_person', 'phone', 'written', 'digital'] as const;
export const CONSENT_METHOD_LABELS: Record<(typeof CONSENT_METHODS)[number], string> = {
  in_person: 'In person',
  phone: 'By phone',
  written: 'In writing',
  digital: 'Online',
};

export const ConsentInput = z
  .object({
    purpose: choice(PURPOSES, 'Select what the consent is for'),
    givenBy: choice(CONSENT_GIVERS, 'Select who gave consent'),
    givenByName: text('Enter the name of the person who gave consent', 200),
    scope: text('Enter what the consent covers'),
    obtainedHow: choice(CONSENT_METHODS, 'Select how consent was obtained'),
    ...dateInputFields('given'),
    ...dateInputFields('expires'),
  })
  .transform((form, ctx) => {
    const givenOn = readDateInput(form, 'given', 'The date consent was given', ctx);
    const expiresOn = readDateInput(form, 'expires', 'The expiry date', ctx);
    if (givenOn === z.NEVER || expiresOn === z.NEVER) return z.NEVER;
    if (givenOn === null) {
      ctx.addIssue({ code: 'custom', message: 'Enter the date consent was given', path: ['given-day'] });
      return z.NEVER;
    }
    if (expiresOn !== null && expiresOn < givenOn) {
      ctx.addIssue({
        code: 'custom',
        message: 'The expiry date must be the same as or after the date consent was given',
        path: ['expires-day'],
      });
      return z.NEVER;
    }
    const { purpose, givenBy, givenByName, scope, obtainedHow } = form;
    return { purpose, givenBy, givenByName, scope, obtainedHow, givenOn, expiresOn };
  });
export type ConsentInput = z.output<typeof ConsentInput>;

export const ConsentWithdrawal = z.object({
  reason: text('Enter why consent was withdrawn, or who withdrew it'),
  version,
});
export type ConsentWithdrawal = z.output<typeof ConsentWithdrawal>;

export const AgreementInput = z
  .object({
    name: text('Enter the agreement’s name', 200),
    purpose: choice(PURPOSES, 'Select the purpose of the sharing'),
    lawfulBasis: choice(LAWFUL_BASES, 'Select the lawful basis for the sharing'),
    ...dateInputFields('validFrom'),
    ...dateInputFields('validUntil'),
  })
  .transform((form, ctx) => {
    const validFrom = readDateInput(form, 'validFrom', 'The start date', ctx);
    const validUntil = readDateInput(form, 'validUntil', 'The end date', ctx);
    if (validFrom === z.NEVER || validUntil === z.NEVER) return z.NEVER;
    if (validFrom === null) {
      ctx.addIssue({
        code: 'custom',
        message: 'Enter the date the agreement starts',
        path: ['validFrom-day'],
      });
      return z.NEVER;
    }
    if (validUntil !== null && validUntil < validFrom) {
      ctx.addIssue({
        code: 'custom',
        message: 'The end date must be the same as or after the start date',
        path: ['validUntil-day'],
      });
      return z.NEVER;
    }
    return { name: form.name, purpose: form.purpose, lawfulBasis: form.lawfulBasis, validFrom, validUntil };
  });
export type AgreementInput = z.output<typeof AgreementInput>;

/** `any`, `sector:<sector>` or `org:<id>`: who a rule is about, chosen in one select. */
const party = (message: string) =>
  z
    .string({ error: message })
    .refine(
      (v) =>
        v === 'any' ||
        (v.startsWith('sector:') && (SECTORS as readonly string[]).includes(v.slice(7))) ||
        /^org:[0-9a-f-]{36}$/i.test(v),
      message,
    )
    .transform((v) => ({
      sector: v.startsWith('sector:') ? (v.slice(7) as (typeof SECTORS)[number]) : null,
      organisationId: v.startsWith('org:') ? v.slice(4) : null,
    }));

const sensitivities = z
  .union([z.enum(SENSITIVITIES), z.array(z.enum(SENSITIVITIES))], {
    error: 'Select the sensitivities from the list',
  })
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? [...new Set(v)] : [v]))
  .refine((v) => v.length > 0, 'Select at least one sensitivity');

export const RuleInput = z.object({
  effect: choice(['allow', 'deny'] as const, 'Select whether the rule allows or denies sharing'),
  mode: choice(['existence', 'content'] as const, 'Select what the rule covers'),
  source: party('Select whose data the rule covers'),
  recipient: party('Select who receives the data'),
  dataType: z
    .union([z.literal(''), z.enum(DATA_TYPES)], { error: 'Select the kind of data from the list' })
    .optional()
    .transform((v) => (v ? v : null)),
  sensitivities,
});
export type RuleInput = z.output<typeof RuleInput>;

export const Revocation = z.object({ reason: text('Enter why the agreement is revoked'), version });
export type Revocation = z.output<typeof Revocation>;

export const WithheldDisplayInput = z.object(
  Object.fromEntries(
    SENSITIVITIES.map((s) => [
      s,
      choice(['existence', 'nothing'] as const, 'Select what other organisations see'),
    ]),
  ) as Record<(typeof SENSITIVITIES)[number], z.ZodEnum<{ existence: 'existence'; nothing: 'nothing' }>>,
);
export type WithheldDisplayInput = z.output<typeof WithheldDisplayInput>;

export const SharingDecisionInput = z
  .object({
    recipientOrganisationId: z.uuid({ error: 'Select the organisation' }),
    decision: choice(['share', 'not_share'] as const, 'Select whether you share the item'),
    lawfulBasis: z
      .union([z.literal(''), z.enum(DECISION_BASES)], { error: 'Select the lawful basis from the list' })
      .optional()
      .transform((v) => (v ? v : null)),
    reason: text('Enter the reason for your decision'),
  })
  .refine((d) => d.decision === 'not_share' || d.lawfulBasis !== null, {
    message: 'Select the lawful basis you are sharing under',
    path: ['lawfulBasis'],
  });
export type SharingDecisionInput = z.output<typeof SharingDecisionInput>;

export const SealInput = z.object({
  reason: text('Enter why the record is sealed'),
  namedEmails: z
    .string()
    .optional()
    .default('')
    .transform((v) =>
      v
        .split(/[\s,;]+/)
        .map((e) => e.trim().toLowerCase())
        .filter(Boolean),
    ),
});
export type SealInput = z.output<typeof SealInput>;
