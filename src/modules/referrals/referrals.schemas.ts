import { z } from 'zod';
import { requiredText as required } from '../../common/text-fields.ts';
import { dateInputFields, readDateInput } from '../../common/date-input.ts';
import type { Sector } from '../../db/schema.ts';
import { checkNhsNumber, checkUpn } from '../people/index.ts';
import {
  LEVELS_OF_NEED,
  OUTCOMES,
  PRIORITIES,
  levelFits,
  OUTCOME_LEVELS,
  LEVEL_OF_NEED_LABELS,
} from './referrals.workflow.ts';

/** Input for the front door: contacts (the page form and the JSON API share one schema), triage and decisions. */

/** Who made the contact, in the children-in-need census's referral-source codes. */
export const CONTACT_SOURCES = {
  '1A': 'Individual: family member, relative or carer',
  '1B': 'Individual: acquaintance, including neighbours and child minders',
  '1C': 'Individual: self',
  '1D': 'Individual: other',
  '2A': 'Schools',
  '2B': 'Education services',
  '3A': 'Health services: GP',
  '3B': 'Health services: health visitor',
  '3C': 'Health services: school nurse',
  '3D': 'Health services: other primary health services',
  '3E': 'Health services: A&E (emergency department)',
  '3F': 'Health services: other (for example hospital)',
  '4': 'Housing',
  '5A': 'Local authority services: social care',
  '5B': 'Local authority services: other internal',
  '5C': 'Local authority services: external, such as another local authority',
  '5D': 'Local authority services: early help',
  '6': 'Police',
  '7': 'Other legal agency',
  '8': 'Other',
  '9': 'Anonymous',
  '10': 'Unknown',
} as const;
export type ContactSource = keyof typeof CONTACT_SOURCES;
const SOURCE_CODES = Object.keys(CONTACT_SOURCES) as [ContactSource, ...ContactSource[]];

/** The source a practitioner's contact is counted under, from their organisation's sector. */
export const SECTOR_SOURCES: Record<Sector, ContactSource> = {
  education: '2A',
  health: '3D',
  social_care: '5A',
  police: '6',
  youth_justice: '7',
  housing: '4',
  voluntary: '8',
  other: '8',
};

export const CHANNELS = [
  'phone',
  'email',
  'online_form',
  'api',
  'in_person',
  'letter',
  'police_notification',
] as const;
export const CHANNEL_LABELS: Record<(typeof CHANNELS)[number], string> = {
  phone: 'Phone',
  email: 'Email',
  online_form: 'Online form',
  api: 'From another system',
  in_person: 'In person',
  letter: 'Letter',
  police_notification: 'Police notification',
};

export const URGENCIES = ['immediate', 'today', 'standard'] as const;
export const URGENCY_LABELS: Record<(typeof URGENCIES)[number], string> = {
  immediate: 'Immediate: the child may be at risk of harm now',
  today: 'Today: needs a decision today',
  standard: 'Standard: within the usual timescale',
};

export const CONSENTS = ['given', 'refused', 'not_sought'] as const;
export const CONSENT_LABELS: Record<(typeof CONSENTS)[number], string> = {
  given: 'Yes, the family knows and agrees',
  refused: 'The family knows but does not agree',
  not_sought: 'The family has not been asked',
};

/** A question triage needs answered by practitioners of one sector, so a contact arrives complete. */
export type SectorPrompt = { key: string; label: string; hint?: string; required: boolean };

export const SECTOR_PROMPTS: Partial<Record<Sector, SectorPrompt[]>> = {
  education: [
    {
      key: 'attendance',
      label: 'Attendance this school year',
      hint: 'As a percentage, with any recent change, or “not known”',
      required: true,
    },
    { key: 'behaviour', label: 'Changes in behaviour or presentation at school', required: true },
    { key: 'exclusions', label: 'Exclusions or part-time timetable', required: false },
  ],
  health: [
    {
      key: 'growth',
      label: 'Growth and development',
      hint: 'Weight and height centiles, milestones, or “no concerns”',
      required: true,
    },
    {
      key: 'missedAppointments',
      label: 'Appointments the child was not brought to in the last 12 months',
      required: true,
    },
    { key: 'parentHealth', label: 'Parents’ or carers’ health that affects their care', required: false },
  ],
  police: [
    { key: 'incidentReference', label: 'Incident or crime reference', required: true },
    {
      key: 'domesticAbuse',
      label: 'Domestic abuse where the child lives',
      hint: 'What happened and when',
      required: false,
    },
  ],
  housing: [
    {
      key: 'housingSituation',
      label: 'Housing situation',
      hint: 'Tenancy, arrears, overcrowding or homelessness',
      required: true,
    },
  ],
  youth_justice: [{ key: 'orders', label: 'Orders, offences or court dates', required: true }],
};

/** Every sector question's label by its key, to show the answers with their questions. */
export const PROMPT_LABELS: Record<string, string> = Object.fromEntries(
  Object.values(SECTOR_PROMPTS).flatMap((prompts) => prompts.map((p) => [p.key, p.label])),
);

/**
 * What a sector's practitioner has left out of the questions triage needs, and any answer to a
 * question the front door does not ask. Pure, so the form can list these with its other mistakes.
 */
export function sectorAnswerProblems(
  sector: Sector | null,
  answers: Record<string, string> | undefined,
): { field: string; message: string }[] {
  const problems = Object.keys(answers ?? {})
    .filter((key) => !(key in PROMPT_LABELS))
    .map((key) => ({ field: `sectorAnswers.${key}`, message: 'This is not a question the front door asks' }));
  for (const prompt of (sector && SECTOR_PROMPTS[sector]) || [])
    if (prompt.required && !answers?.[prompt.key])
      problems.push({
        field: `sectorAnswers.${prompt.key}`,
        message: `Enter ${prompt.label.charAt(0).toLowerCase()}${prompt.label.slice(1)}, or “not known”`,
      });
  return problems;
}

const text = (label: string, max: number) =>
  z
    .string()
    .trim()
    .max(max, `${label} must be ${max.toLocaleString('en-GB')} characters or fewer`)
    .optional()
    .transform((v) => (v ? v : undefined));

const PlainDate = z.iso.date({ error: 'Enter a date as YYYY-MM-DD' });

/** What the front door is told about the child: found in the index, or described well enough to act on. */
export const ChildInput = z.object({
  personId: z.uuid({ error: 'The child’s id must be a person index id' }).optional(),
  givenName: text('The given name', 100),
  familyName: text('The family name', 100),
  dateOfBirth: PlainDate.optional(),
  ageYears: z
    .number({ error: 'Enter the age in years as a number' })
    .int('Enter the age in whole years')
    .min(0, 'The age cannot be negative')
    .max(25, 'The front door is for children and young people up to 25')
    .optional(),
  nhsNumber: text('The NHS number', 20),
  upn: text('The UPN', 20),
  address: text('The address', 500),
  postcode: text('The postcode', 10),
  description: text('The description', 2000),
});

/** A contact, as the API takes it and as the form's fields become. */
export const ContactInput = z
  .object({
    receivedAt: z.iso
      .datetime({ offset: true, error: 'Enter when the contact was received as an ISO date and time' })
      .optional(),
    channel: z.enum(CHANNELS, { error: 'Select how the contact came in' }),
    source: z.enum(SOURCE_CODES, { error: 'Select who made the contact' }).optional(),
    child: ChildInput,
    worries: required('Enter what worries you about the child', 20_000, 'What worries you'),
    actionsTaken: text('What you have already done', 20_000),
    familyAware: z.boolean({ error: 'Say whether the family knows about this contact' }),
    consent: z.enum(CONSENTS, { error: 'Say whether the family agrees to the contact' }),
    consentReason: text('The reason', 2000),
    urgency: z.enum(URGENCIES, { error: 'Select how urgent this is' }),
    sectorAnswers: z
      .record(z.string(), z.string().trim().max(2000, 'Each answer must be 2,000 characters or fewer'))
      .optional(),
    referrer: z
      .object({
        name: text('Your name', 200),
        role: text('Your relationship to the child', 200),
        phone: text('The phone number', 40),
        email: z.email({ error: 'Enter an email address like name@example.com' }).max(254).optional(),
      })
      .optional(),
  })
  // Runs even when other fields failed, so a person sees every problem at once; hence the care with types.
  .check(
    z.superRefine(
      (
        contact: { child?: Partial<z.output<typeof ChildInput>>; consent?: string; consentReason?: string },
        ctx,
      ) => {
        const issue = (path: string[], message: string) => ctx.addIssue({ code: 'custom', path, message });
        const child = contact.child ?? {};
        const located = child.address || child.postcode || child.dateOfBirth || child.ageYears !== undefined;
        const named = child.familyName && (located || child.nhsNumber || child.upn);
        const described =
          child.description && child.description.length >= 15 && (child.address || child.postcode);
        if (!child.personId && !named && !described)
          issue(
            ['child', 'familyName'],
            'Give the child’s family name with their date of birth, age or address; or, if you do not know their name, describe them and say where they live',
          );
        if (child.nhsNumber) {
          const check = checkNhsNumber(child.nhsNumber);
          if (!check.ok) issue(['child', 'nhsNumber'], check.reason);
        }
        if (child.upn) {
          const check = checkUpn(child.upn);
          if (!check.ok) issue(['child', 'upn'], check.reason);
        }
        if (contact.consent !== 'given' && !contact.consentReason)
          issue(
            ['consentReason'],
            contact.consent === 'refused'
              ? 'Say why you are making the contact without the family’s agreement (for example, risk of harm)'
              : 'Say why the family has not been asked (for example, asking would put the child at risk)',
          );
      },
      { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
    ),
  );
export type ContactInput = z.output<typeof ContactInput>;

const yesNo = (message: string) => z.enum(['yes', 'no'], { error: message }).transform((v) => v === 'yes');

/** The contact form's fields, flattened for GOV.UK inputs, turned into a ContactInput. */
export const ContactForm = z
  .object({
    idempotencyKey: z.string().min(8).max(200).optional(),
    channel: z.string().optional(),
    source: z.string().optional(),
    childPersonId: z.string().optional(),
    childGivenName: z.string().optional(),
    childFamilyName: z.string().optional(),
    ...dateInputFields('dob'),
    childAge: z.string().optional(),
    childNhsNumber: z.string().optional(),
    childUpn: z.string().optional(),
    childAddress: z.string().optional(),
    childPostcode: z.string().optional(),
    childDescription: z.string().optional(),
    worries: z.string().optional(),
    actionsTaken: z.string().optional(),
    familyAware: yesNo('Say whether the family knows about this contact').optional(),
    consent: z.string().optional(),
    consentReason: z.string().optional(),
    urgency: z.string().optional(),
    referrerName: z.string().optional(),
    referrerRole: z.string().optional(),
    referrerPhone: z.string().optional(),
    referrerEmail: z.string().optional(),
  })
  .catchall(z.unknown())
  .transform((form, ctx) => {
    const dateOfBirth = readDateInput(form, 'dob', 'The date of birth', ctx);
    if (dateOfBirth === z.NEVER) return z.NEVER;
    const age = form.childAge?.trim();
    const answers = Object.fromEntries(
      Object.entries(form)
        .filter(([key, value]) => key.startsWith('answer-') && typeof value === 'string' && value.trim())
        .map(([key, value]) => [key.slice('answer-'.length), value as string]),
    );
    const referrer = {
      name: form.referrerName,
      role: form.referrerRole,
      phone: form.referrerPhone,
      email: form.referrerEmail?.trim() || undefined,
    };
    return {
      idempotencyKey: form.idempotencyKey,
      contact: {
        channel: form.channel || undefined,
        source: form.source || undefined,
        child: {
          personId: form.childPersonId || undefined,
          givenName: form.childGivenName,
          familyName: form.childFamilyName,
          dateOfBirth: dateOfBirth ?? undefined,
          ageYears: age ? (/^\d+$/.test(age) ? Number(age) : Number.NaN) : undefined,
          nhsNumber: form.childNhsNumber,
          upn: form.childUpn,
          address: form.childAddress,
          postcode: form.childPostcode,
          description: form.childDescription,
        },
        worries: form.worries,
        actionsTaken: form.actionsTaken,
        familyAware: form.familyAware,
        consent: form.consent || undefined,
        consentReason: form.consentReason,
        urgency: form.urgency || undefined,
        sectorAnswers: answers,
        referrer: Object.values(referrer).some(Boolean) ? referrer : undefined,
      },
    };
  });

/** The form's field for each ContactInput path, so an API-shaped error lands on the right box. */
export const CONTACT_FORM_FIELDS: Record<string, string> = {
  'child.personId': 'childPersonId',
  'child.givenName': 'childGivenName',
  'child.familyName': 'childFamilyName',
  'child.dateOfBirth': 'dob-day',
  'child.ageYears': 'childAge',
  'child.nhsNumber': 'childNhsNumber',
  'child.upn': 'childUpn',
  'child.address': 'childAddress',
  'child.postcode': 'childPostcode',
  'child.description': 'childDescription',
  'referrer.name': 'referrerName',
  'referrer.role': 'referrerRole',
  'referrer.phone': 'referrerPhone',
  'referrer.email': 'referrerEmail',
};

const version = z.coerce.number({ error: 'The page is out of date: reload it' }).int().positive();

export const VersionInput = z.object({ version });

export const PriorityInput = z.object({
  version,
  priority: z.enum(PRIORITIES, { error: 'Select a priority: red, amber or green' }),
});

export const InformationRequestInput = z.object({
  version,
  organisationId: z.uuid({ error: 'Select the agency to ask' }),
  question: required('Enter what you need to know', 5000, 'The question'),
});

export const InformationAnswerInput = z.object({
  version,
  answer: required(
    'Enter what your agency knows, or that it has no record of the child',
    20_000,
    'The answer',
  ),
});

/** Which index person the child is, or "new" (with a date of birth when the contact had none). */
export const MatchInput = z
  .object({
    version,
    personId: z
      .string({ error: 'Select the child, or that none of these is the child' })
      .refine(
        (v) => v === 'new' || z.uuid().safeParse(v).success,
        'Select the child, or that none of these is the child',
      ),
    ...dateInputFields('dob'),
  })
  .transform((form, ctx) => {
    const dateOfBirth = readDateInput(form, 'dob', 'The date of birth', ctx);
    if (dateOfBirth === z.NEVER) return z.NEVER;
    return { version: form.version, personId: form.personId, dateOfBirth: dateOfBirth ?? undefined };
  });

export const DecisionInput = z
  .object({
    version,
    outcome: z.enum(OUTCOMES, { error: 'Select the decision' }),
    levelOfNeed: z.enum(LEVELS_OF_NEED, { error: 'Select the level of need' }),
    reason: required('Enter the reason for the decision', 20_000, 'The reason'),
  })
  .superRefine((d, ctx) => {
    if (!levelFits(d.outcome, d.levelOfNeed))
      ctx.addIssue({
        code: 'custom',
        path: ['levelOfNeed'],
        message: `This decision fits a level of need of ${OUTCOME_LEVELS[d.outcome]
          .map((l) => LEVEL_OF_NEED_LABELS[l].split(':')[0]!.toLowerCase())
          .join(' or ')}: change the decision or the level`,
      });
  });
export type DecisionInput = z.output<typeof DecisionInput>;

export const ApprovalInput = z
  .object({
    version,
    approval: z.enum(['approve', 'return'], { error: 'Select whether you approve the decision' }),
    note: text('The note', 5000),
  })
  .superRefine((a, ctx) => {
    if (a.approval === 'return' && !a.note)
      ctx.addIssue({ code: 'custom', path: ['note'], message: 'Say why you are returning the decision' });
  });

export const FeedbackInput = z
  .object({
    version,
    told: z.enum(['referrer', 'family', 'family_not_told'], { error: 'Select who was told the outcome' }),
    reason: text('The reason', 2000),
  })
  .superRefine((f, ctx) => {
    if (f.told === 'family_not_told' && !f.reason)
      ctx.addIssue({ code: 'custom', path: ['reason'], message: 'Say why the family is not being told' });
  });

export const NoteInput = z.object({
  version,
  note: required('Enter the note', 5000, 'The note'),
});

export const ENQUIRY_TOPICS = {
  childcare: 'Childcare and early education',
  parenting: 'Parenting support',
  send: 'Special educational needs and disabilities',
  mental_health: 'Emotional wellbeing and mental health',
  money_and_housing: 'Money, benefits and housing',
  school: 'School admissions and attendance',
  activities: 'Activities and youth services',
  domestic_abuse: 'Domestic abuse support',
  other: 'Something else',
} as const;

export const EnquiryInput = z
  .object({
    channel: z.enum(['phone', 'email', 'online_form', 'in_person', 'letter'], {
      error: 'Select how the enquiry came in',
    }),
    caller: z.enum(['parent_or_carer', 'young_person', 'professional', 'public'], {
      error: 'Select who asked',
    }),
    topic: z.enum(Object.keys(ENQUIRY_TOPICS) as [keyof typeof ENQUIRY_TOPICS], {
      error: 'Select what they asked about',
    }),
    outcome: z.enum(['information_given', 'signposted', 'redirected_to_contact', 'redirected_elsewhere'], {
      error: 'Select what happened',
    }),
    serviceName: text('The service', 200),
    notes: text('The notes', 2000),
    /** The directory entry the caller was pointed to, when signposted. */
    directoryServiceId: z
      .union([z.literal(''), z.uuid({ error: 'Choose a service from the directory list' })])
      .optional()
      .transform((v) => v || null),
  })
  .refine((e) => e.directoryServiceId === null || e.outcome === 'signposted', {
    path: ['directoryServiceId'],
    message: 'Choose a directory service only when the caller was signposted to one',
  });
export type EnquiryInput = z.output<typeof EnquiryInput>;

export const FrontDoorSettingsInput = z.object({
  version,
  calendar: z.enum(['england-and-wales', 'scotland', 'northern-ireland'], {
    error: 'Select the calendar of public holidays',
  }),
  decisionWorkingDays: z.coerce
    .number({ error: 'Enter the working days for a decision' })
    .int()
    .min(1, 'At least 1 working day')
    .max(10, 'At most 10 working days'),
  redHours: z.coerce
    .number({ error: 'Enter hours for red' })
    .int()
    .min(1, 'At least 1 hour')
    .max(168, 'At most 168 hours'),
  amberHours: z.coerce
    .number({ error: 'Enter hours for amber' })
    .int()
    .min(1, 'At least 1 hour')
    .max(168, 'At most 168 hours'),
  greenHours: z.coerce
    .number({ error: 'Enter hours for green' })
    .int()
    .min(1, 'At least 1 hour')
    .max(168, 'At most 168 hours'),
  approvalOutcomes: z
    .array(z.enum(OUTCOMES))
    .or(z.enum(OUTCOMES).transform((v) => [v]))
    .optional()
    .default([]),
});
export type FrontDoorSettingsInput = z.output<typeof FrontDoorSettingsInput>;
