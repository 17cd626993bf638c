import { z } from 'zod';
import { requiredText as required, optionalText } from '../../common/text-fields.ts';
import { readDateInput } from '../../common/date-input.ts';
import type { PlanKind } from '../../db/schema.ts';

/**
 * Input for a plan's goals, ratings, actions, reviews and comments. Each has a domain schema, which
 * the service checks whoever calls it, and a form schema that turns a page's fields into it; a
 * mistake is reported on the page's own box (a date on its day box, a rating on its goal's box).
 */

export const RATERS = ['family', 'child', 'practitioner'] as const;
export type Rater = (typeof RATERS)[number];
export const RATER_LABELS: Record<Rater, string> = {
  family: 'The family',
  child: 'The child or young person',
  practitioner: 'A practitioner',
};

export const GOAL_STATUSES = ['active', 'achieved', 'stopped'] as const;
export const GOAL_STATUS_LABELS: Record<(typeof GOAL_STATUSES)[number], string> = {
  active: 'Working on it',
  achieved: 'Achieved',
  stopped: 'Stopped',
};

export const OWNER_KINDS = ['practitioner', 'agency', 'family'] as const;
export const OWNER_KIND_LABELS: Record<(typeof OWNER_KINDS)[number], string> = {
  practitioner: 'A practitioner',
  agency: 'An agency',
  family: 'The family',
};

export const ACTION_STATUSES = ['to_do', 'in_progress', 'done', 'dropped'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];
export const ACTION_STATUS_LABELS: Record<ActionStatus, string> = {
  to_do: 'To do',
  in_progress: 'In progress',
  done: 'Done',
  dropped: 'Dropped',
};

export const REVIEW_KINDS = ['review', 'review_conference', 'core_group', 'looked_after_review'] as const;
export type ReviewKind = (typeof REVIEW_KINDS)[number];
export const REVIEW_KIND_LABELS: Record<ReviewKind, string> = {
  review: 'Review',
  review_conference: 'Review child protection conference',
  core_group: 'Core group meeting',
  looked_after_review: 'Looked-after review',
};
/** The meetings each kind of plan holds. */
export const REVIEW_KINDS_FOR: Record<PlanKind, readonly ReviewKind[]> = {
  early_help: ['review'],
  child_in_need: ['review'],
  child_protection: ['review_conference', 'core_group'],
  looked_after: ['looked_after_review'],
};

/** Rows of attendance a review form offers; blank rows are ignored. */
export const ATTENDANCE_ROWS = 8;

// Domain schemas

const plainDate = (message: string) => z.iso.date({ error: message });
const score = (missing: string, label: string) =>
  z
    .number({ error: missing })
    .int(`${label} must be a whole number from 0 to 10`)
    .min(0, `${label} must be a whole number from 0 to 10`)
    .max(10, `${label} must be a whole number from 0 to 10`);
const version = z.number({ error: 'The page is out of date: reload it' }).int().positive();
const forFamily = z.boolean({ error: 'Say whether the family can see this' });

export const GoalInput = z.object({
  /** null: the goal is the whole family's. */
  personId: z.uuid({ error: 'Select a child on the plan, or the whole family' }).nullable(),
  title: required('Enter the goal, in the family’s own words', 500, 'The goal'),
  outcomeFramework: z.string({ error: 'Select the outcome the goal serves' }).min(1),
  outcomeCode: z.string({ error: 'Select the outcome the goal serves' }).min(1),
  baseline: score('Enter the score at the start, from 0 to 10', 'The score at the start'),
  baselineOn: plainDate('Enter the date of the score at the start'),
  target: score('Enter the target, from 0 to 10', 'The target').nullable(),
  forFamily,
});
export type GoalInput = z.input<typeof GoalInput>;

export const GoalUpdate = GoalInput.extend({
  version,
  status: z.enum(GOAL_STATUSES, { error: 'Select where the goal stands' }),
});
export type GoalUpdate = z.input<typeof GoalUpdate>;

export const RatingInput = z.object({
  ratedOn: plainDate('Enter the date of the rating'),
  score: score('Enter the score, a whole number from 0 to 10', 'The score'),
  rater: z.enum(RATERS, { error: 'Select who gave the score' }),
  note: optionalText(1000, 'The note'),
});
export type RatingInput = z.input<typeof RatingInput>;

const ActionFields = z.object({
  description: required('Enter what will be done', 1000, 'What will be done'),
  goalId: z.uuid({ error: 'Select a goal of this plan' }).nullable(),
  ownerKind: z.enum(OWNER_KINDS, { error: 'Select who will do this' }),
  ownerUserId: z.uuid({ error: 'Select the practitioner who will do this' }).nullable(),
  ownerOrganisationId: z.uuid({ error: 'Select the agency that will do this' }).nullable(),
  ownerFamilyMember: z
    .string()
    .trim()
    .max(200, 'Who in the family must be 200 characters or fewer')
    .nullable(),
  supportNeeded: optionalText(2000, 'The support they need'),
  dueOn: plainDate('Enter the date it is due'),
  forFamily,
});

/** Each kind of owner needs its own detail; checked even when other fields failed, so all show at once. */
const ownerNamed = z.superRefine(
  (
    action: {
      ownerKind?: string;
      ownerUserId?: string | null;
      ownerOrganisationId?: string | null;
      ownerFamilyMember?: string | null;
    },
    ctx,
  ) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (action.ownerKind === 'practitioner' && !action.ownerUserId)
      issue('ownerUserId', 'Select the practitioner who will do this');
    if (action.ownerKind === 'agency' && !action.ownerOrganisationId)
      issue('ownerOrganisationId', 'Select the agency that will do this');
    if (action.ownerKind === 'family' && !action.ownerFamilyMember?.trim())
      issue('ownerFamilyMember', 'Say who in the family will do this');
  },
  { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
);

export const ActionInput = ActionFields.check(ownerNamed);
export type ActionInput = z.input<typeof ActionInput>;

export const ActionUpdate = ActionFields.extend({
  version,
  status: z.enum(ACTION_STATUSES, { error: 'Select where the action stands' }),
}).check(ownerNamed);
export type ActionUpdate = z.input<typeof ActionUpdate>;

const Attendee = z.object({
  name: required('Enter the name of the person, or clear their role', 200, 'The name'),
  role: optionalText(200, 'The role'),
  attended: z.boolean(),
});

export const ReviewInput = z.object({
  /** The plan's version when the page was opened: the review moves the plan's next review date. */
  version,
  heldOn: plainDate('Enter the date the meeting was held'),
  kind: z.enum(REVIEW_KINDS, { error: 'Select the kind of meeting' }),
  attendance: z.array(Attendee).max(50, 'Record at most 50 people').default([]),
  familyViews: optionalText(10_000, 'The family’s views'),
  childViews: optionalText(10_000, 'The child’s views'),
  decisions: required('Enter the decisions made at the meeting', 20_000, 'The decisions'),
  /** null: the latest date the rules allow. */
  nextReviewDue: plainDate('Enter the date of the next review').nullable(),
  forFamily,
  /** A score for any active goal, by goal id. */
  ratings: z
    .record(z.uuid(), score('Enter the score as a whole number from 0 to 10', 'The score'))
    .default({}),
  ratingsBy: z.enum(RATERS, { error: 'Select who gave the scores' }).default('family'),
});
export type ReviewInput = z.input<typeof ReviewInput>;

export const CommentInput = z.object({
  body: required('Enter your comment', 5000, 'The comment'),
  forFamily,
});
export type CommentInput = z.input<typeof CommentInput>;

// From a domain path to the page's box

const DATE_FIELDS = new Set(['baselineOn', 'ratedOn', 'dueOn', 'heldOn', 'nextReviewDue']);

/** The form box a mistake in a domain field belongs on. */
export function formField(path: readonly PropertyKey[]): string {
  const [first, second, third] = path.map(String);
  if (!first) return 'form';
  if (DATE_FIELDS.has(first)) return `${first}-day`;
  if (first === 'outcomeFramework' || first === 'outcomeCode') return 'outcome';
  if (first === 'ratings' && second) return `rating-${second}`;
  if (first === 'attendance' && second && third) return `attendance-${second}-${third}`;
  return path.map(String).join('.');
}

// Form schemas

type Form = Record<string, unknown>;
const str = (form: Form, key: string) => (typeof form[key] === 'string' ? form[key].trim() : '');
const orNull = (v: string) => (v === '' ? null : v);
/** '' is no answer; anything else must read as a number (NaN fails the domain's check). */
const numberOrNull = (v: string) => (v === '' ? null : /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : Number.NaN);
const yesNo = (v: string) => (v === 'yes' ? true : v === 'no' ? false : undefined);
const ticked = (form: Form, key: string) => ['yes', 'on', 'true'].includes(str(form, key));

/**
 * A form schema: reads the page's dates, builds the domain input and checks it with the domain
 * schema, so the page and the service apply one set of rules. Each mistake lands on its box.
 */
function fromForm<D extends z.ZodType>(
  domain: D,
  dates: Record<string, string>,
  build: (form: Form, dates: Record<string, string | null>) => unknown,
  fieldOf: (path: readonly PropertyKey[], form: Form) => string = formField,
) {
  return z.record(z.string(), z.unknown()).transform((form, ctx): z.output<D> => {
    const read: Record<string, string | null> = {};
    const badDates = new Set<string>();
    for (const [prefix, label] of Object.entries(dates)) {
      const date = readDateInput(form, prefix, label, ctx);
      if (date === z.NEVER) badDates.add(`${prefix}-day`);
      else read[prefix] = date;
    }
    const result = domain.safeParse(build(form, read));
    if (result.success && badDates.size === 0) return result.data;
    for (const issue of result.error?.issues ?? []) {
      const field = fieldOf(issue.path, form);
      if (!badDates.has(field)) ctx.addIssue({ code: 'custom', message: issue.message, path: [field] });
    }
    return z.NEVER;
  });
}

const goalFields = (form: Form, dates: Record<string, string | null>) => {
  const [framework, code] = str(form, 'outcome').split(':');
  const person = str(form, 'personId');
  return {
    personId: person === 'family' ? null : person || undefined,
    title: form.title,
    outcomeFramework: framework || undefined,
    outcomeCode: code || undefined,
    baseline: numberOrNull(str(form, 'baseline')) ?? undefined,
    baselineOn: dates.baselineOn ?? undefined,
    target: numberOrNull(str(form, 'target')),
    forFamily: yesNo(str(form, 'forFamily')),
  };
};
const goalDates = { baselineOn: 'The date of the score at the start' };

export const GoalForm = fromForm(GoalInput, goalDates, goalFields);
export const GoalUpdateForm = fromForm(GoalUpdate, goalDates, (form, dates) => ({
  ...goalFields(form, dates),
  version: Number(str(form, 'version')),
  status: orNull(str(form, 'status')) ?? undefined,
}));

export const RatingForm = fromForm(RatingInput, { ratedOn: 'The date of the rating' }, (form, dates) => ({
  ratedOn: dates.ratedOn ?? undefined,
  score: numberOrNull(str(form, 'score')) ?? undefined,
  rater: orNull(str(form, 'rater')) ?? undefined,
  note: form.note ?? '',
}));

const actionFields = (form: Form, dates: Record<string, string | null>) => ({
  description: form.description,
  goalId: orNull(str(form, 'goalId')),
  ownerKind: orNull(str(form, 'ownerKind')) ?? undefined,
  ownerUserId: orNull(str(form, 'ownerUserId')),
  ownerOrganisationId: orNull(str(form, 'ownerOrganisationId')),
  ownerFamilyMember: orNull(str(form, 'ownerFamilyMember')),
  supportNeeded: form.supportNeeded ?? '',
  dueOn: dates.dueOn ?? undefined,
  forFamily: yesNo(str(form, 'forFamily')),
});
const actionDates = { dueOn: 'The due date' };

export const ActionForm = fromForm(ActionInput, actionDates, actionFields);
export const ActionUpdateForm = fromForm(ActionUpdate, actionDates, (form, dates) => ({
  ...actionFields(form, dates),
  version: Number(str(form, 'version')),
  status: orNull(str(form, 'status')) ?? undefined,
}));

/** The attendance rows a person filled in (`attendance-3-name`), by their number on the form. */
const attendanceRows = (form: Form) =>
  Array.from({ length: 50 }, (_, i) => i).filter(
    (i) => str(form, `attendance-${i}-name`) || str(form, `attendance-${i}-role`),
  );

/** The review form: blank attendance rows ignored; a score box per goal (`rating-<goal id>`), blank ones skipped. */
export const ReviewForm = fromForm(
  ReviewInput,
  { heldOn: 'The date of the meeting', nextReviewDue: 'The next review date' },
  (form, dates) => ({
    version: Number(str(form, 'version')),
    heldOn: dates.heldOn ?? undefined,
    kind: orNull(str(form, 'kind')) ?? undefined,
    attendance: attendanceRows(form).map((i) => ({
      name: str(form, `attendance-${i}-name`),
      role: str(form, `attendance-${i}-role`),
      attended: ticked(form, `attendance-${i}-attended`),
    })),
    familyViews: form.familyViews ?? '',
    childViews: form.childViews ?? '',
    decisions: form.decisions,
    nextReviewDue: dates.nextReviewDue ?? null,
    forFamily: yesNo(str(form, 'forFamily')),
    ratings: Object.fromEntries(
      Object.keys(form)
        .filter((key) => key.startsWith('rating-') && str(form, key) !== '')
        .map((key) => [key.slice('rating-'.length), numberOrNull(str(form, key))]),
    ),
    ratingsBy: orNull(str(form, 'ratingsBy')) ?? undefined,
  }),
  // A mistake in the n-th row kept belongs on the form's row it came from.
  (path, form) =>
    path[0] === 'attendance' && typeof path[1] === 'number'
      ? formField(['attendance', attendanceRows(form)[path[1]] ?? path[1], ...path.slice(2)])
      : formField(path),
);

export const CommentForm = fromForm(CommentInput, {}, (form) => ({
  body: form.body,
  forFamily: ticked(form, 'forFamily'),
}));
