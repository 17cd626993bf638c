import { z } from 'zod';
import { requiredText as required, optionalText } from '../../common/text-fields.ts';
import { dateChecked, dateInputFields, requiredDate } from '../../common/date-input.ts';
import { PLAN_KINDS, SETTING_LIMITS } from './plans.workflow.ts';

/** Input for the family plan's own pages: starting, allocating, the summary, lead, team, children, stages. */

const version = z.coerce.number({ error: 'The page is out of date: reload it' }).int().positive();

const planKind = z.enum(PLAN_KINDS, { error: 'Select the kind of plan' });

/** One checkbox sends a string, several an array, none nothing: the ids chosen, once each. */
const Uuid = z.uuid();
const idList = (message: string) =>
  z
    .union([z.string(), z.array(z.string())], { error: message })
    .optional()
    .transform((v) => [...new Set(v === undefined ? [] : [v].flat())])
    .refine((ids) => ids.length > 0 && ids.every((id) => Uuid.safeParse(id).success), message);

const yesNo = (message: string) => z.enum(['yes', 'no'], { error: message }).transform((v) => v === 'yes');

const planFields = {
  childIds: idList('Select at least one child for the plan'),
  kind: planKind,
  familyName: required('Enter a name for the family, for example Hughes family', 200, 'The family name'),
  worries: required('Enter what we are worried about', 20_000, 'What we are worried about'),
  strengths: optionalText(20_000, 'The strengths'),
  leadUserId: z.uuid({ error: 'Select the lead professional' }),
  ...dateInputFields('started'),
};

const toPlanInput = <F extends z.output<z.ZodObject<typeof planFields>>>(form: F, ctx: z.RefinementCtx) => {
  const startedOn = requiredDate(form, 'started', 'The date the plan starts', ctx);
  if (startedOn === z.NEVER) return z.NEVER;
  const { childIds, kind, familyName, worries, strengths, leadUserId } = form;
  return { childIds, kind, familyName, worries, strengths, leadUserId, startedOn };
};

/** A new plan: its children, kind, family name, worries and strengths, start date and lead professional. */
export const PlanInput = z
  .object(planFields)
  .check(dateChecked('started', 'The date the plan starts'))
  .transform(toPlanInput);
export type PlanInput = z.output<typeof PlanInput>;

/** A plan started from a front-door episode, at the version of the episode the manager saw. */
export const AllocationInput = z.object({ ...planFields, version }).transform((form, ctx) => {
  const plan = toPlanInput(form, ctx);
  return plan === z.NEVER ? z.NEVER : { ...plan, version: form.version };
});
export type AllocationInput = z.output<typeof AllocationInput>;

/** The plan's summary: the fields the merge page compares after a conflict. */
export const SummaryInput = z.object({
  version,
  familyName: required('Enter a name for the family, for example Hughes family', 200, 'The family name'),
  worries: required('Enter what we are worried about', 20_000, 'What we are worried about'),
  strengths: optionalText(20_000, 'The strengths'),
});
export type SummaryInput = z.output<typeof SummaryInput>;
export const SUMMARY_FIELDS = ['familyName', 'worries', 'strengths'] as const;
export const SUMMARY_LABELS: Record<(typeof SUMMARY_FIELDS)[number], string> = {
  familyName: 'Family name',
  worries: 'What we are worried about',
  strengths: 'Strengths',
};

export const HandoverInput = z
  .object({
    version,
    leadUserId: z.uuid({ error: 'Select the new lead professional' }),
    note: required(
      'Enter a handover note: what the new lead professional needs to know',
      5000,
      'The handover note',
    ),
    outgoing: z.enum(['stay', 'leave'], {
      error: 'Say whether the outgoing lead professional stays on the team',
    }),
    outgoingRole: optionalText(200, 'The role'),
  })
  .transform(({ outgoingRole, ...rest }) => ({ ...rest, outgoingRole: outgoingRole || undefined }));
/** The role a staying outgoing lead takes on the team, when they give one. */
export type HandoverInput = Omit<z.output<typeof HandoverInput>, 'outgoingRole'> & { outgoingRole?: string };

export const MemberInput = z.object({
  version,
  userId: z.uuid({ error: 'Select the person to add to the team' }),
  role: required('Enter their role on this plan, for example School nurse', 200, 'The role'),
  seconded: yesNo('Say whether they are seconded from their home organisation'),
  commitment: z.enum(['full_time', 'part_time'], {
    error: 'Say whether they work with this family full time or part time',
  }),
});
export type MemberInput = z.output<typeof MemberInput>;

export const ReasonInput = z.object({
  version,
  reason: required('Enter the reason', 2000, 'The reason'),
});
export type ReasonInput = z.output<typeof ReasonInput>;

export const ChildInput = z.object({
  version,
  childId: z.uuid({ error: 'Select the child to add to the plan' }),
});
export type ChildInput = z.output<typeof ChildInput>;

/** A step up or down: the new kind of plan, why, and from when. */
export const StageInput = z
  .object({
    version,
    kind: planKind,
    reason: required('Enter the reason for the change', 5000, 'The reason'),
    ...dateInputFields('stage'),
  })
  .check(dateChecked('stage', 'The date of the change'))
  .transform((form, ctx) => {
    const startedOn = requiredDate(form, 'stage', 'The date of the change', ctx);
    if (startedOn === z.NEVER) return z.NEVER;
    return { version: form.version, kind: form.kind, reason: form.reason, startedOn };
  });
export type StageInput = z.output<typeof StageInput>;

export const CloseInput = z
  .object({
    version,
    reason: required('Enter why the plan is closing', 5000, 'The reason'),
    ...dateInputFields('closed'),
  })
  .check(dateChecked('closed', 'The date the plan closed'))
  .transform((form, ctx) => {
    const closedOn = requiredDate(form, 'closed', 'The date the plan closed', ctx);
    if (closedOn === z.NEVER) return z.NEVER;
    return { version: form.version, reason: form.reason, closedOn };
  });
export type CloseInput = z.output<typeof CloseInput>;

const weeksOrDays = (field: keyof typeof SETTING_LIMITS, what: string, unit: 'weeks' | 'days') => {
  const { min, max } = SETTING_LIMITS[field];
  const message = `Enter ${what} as a whole number of ${unit} from ${min} to ${max}`;
  return z.coerce.number({ error: message }).int(message).min(min, message).max(max, message);
};

export const PlanSettingsInput = z.object({
  version,
  earlyHelpReviewWeeks: weeksOrDays('earlyHelpReviewWeeks', 'the weeks between early help reviews', 'weeks'),
  childInNeedReviewWeeks: weeksOrDays(
    'childInNeedReviewWeeks',
    'the weeks between child in need reviews',
    'weeks',
  ),
  reminderDays: weeksOrDays('reminderDays', 'how many days before a review to remind', 'days'),
});
export type PlanSettingsInput = z.output<typeof PlanSettingsInput>;
