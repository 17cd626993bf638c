import { addDays, addMonths } from '../../common/plain-dates.ts';
import type { WorkingDayCalendar } from '../../common/working-days.ts';
import type { PlanKind } from '../../db/schema.ts';

export const PLAN_KINDS = ['early_help', 'child_in_need', 'child_protection', 'looked_after'] as const;

export const PLAN_KIND_LABELS: Record<PlanKind, string> = {
  early_help: 'Early help',
  child_in_need: 'Child in need',
  child_protection: 'Child protection',
  looked_after: 'Looked after',
};

/** Statutory plans follow national review timescales; early help and child in need follow local choice. */
export const STATUTORY_KINDS: ReadonlySet<PlanKind> = new Set(['child_protection', 'looked_after']);

/** The review intervals a partnership chooses (plan_settings). */
export type ReviewSettings = { earlyHelpReviewWeeks: number; childInNeedReviewWeeks: number };

/**
 * The latest date the next review may be held, from the plan kind, the date the current stage
 * started and the reviews held in it (the stage's own, oldest first):
 * - early help and child in need: every N weeks as the partnership sets (6-12 for early help);
 * - child protection: the first review conference within 3 months of the plan starting (the initial
 *   conference), then at most every 6 months (Working Together 2023);
 * - looked after: the first review within 20 working days, the second within 3 months of the first,
 *   then at most every 6 months (Care Planning Regulations 2010, reg. 33).
 * A review may always be held sooner; this is the deadline reminders and the dashboard count from.
 */
export function latestNextReview(
  kind: PlanKind,
  stageStartedOn: string,
  reviewsHeldOn: readonly string[],
  settings: ReviewSettings,
  calendar: WorkingDayCalendar,
): string {
  const last = reviewsHeldOn.at(-1);
  switch (kind) {
    case 'early_help':
      return addDays(last ?? stageStartedOn, settings.earlyHelpReviewWeeks * 7);
    case 'child_in_need':
      return addDays(last ?? stageStartedOn, settings.childInNeedReviewWeeks * 7);
    case 'child_protection':
      return last ? addMonths(last, 6) : addMonths(stageStartedOn, 3);
    case 'looked_after':
      if (!last) return calendar.addWorkingDaysToDate(stageStartedOn, 20);
      return reviewsHeldOn.length === 1 ? addMonths(last, 3) : addMonths(last, 6);
  }
}

export type ReviewState = 'overdue' | 'due_soon' | 'on_track';

/** Whether a review is overdue, due within the reminder window, or not yet close. */
export function reviewState(nextReviewDue: string, today: string, reminderDays: number): ReviewState {
  if (nextReviewDue < today) return 'overdue';
  if (nextReviewDue <= addDays(today, reminderDays)) return 'due_soon';
  return 'on_track';
}

export const REVIEW_STATE_LABELS: Record<ReviewState, string> = {
  overdue: 'Review overdue',
  due_soon: 'Review due soon',
  on_track: 'Review on track',
};

/** What a partnership has chosen until it saves its own settings (the table's defaults). */
export const DEFAULT_PLAN_SETTINGS = { earlyHelpReviewWeeks: 8, childInNeedReviewWeeks: 8, reminderDays: 7 };

/** The ranges the settings page allows (the table checks them too). */
export const SETTING_LIMITS = {
  earlyHelpReviewWeeks: { min: 6, max: 12 },
  childInNeedReviewWeeks: { min: 2, max: 26 },
  reminderDays: { min: 1, max: 28 },
} as const;

export type EpisodeKind = 'early_help' | 'statutory_assessment' | 'strategy_discussion';

/** The plan a front-door decision usually leads to; the allocating manager may choose another. */
export const EPISODE_PLAN_KIND: Record<EpisodeKind, PlanKind> = {
  early_help: 'early_help',
  statutory_assessment: 'child_in_need',
  strategy_discussion: 'child_protection',
};

export const EPISODE_KIND_LABELS: Record<EpisodeKind, string> = {
  early_help: 'Early help',
  statutory_assessment: 'Statutory assessment',
  strategy_discussion: 'Strategy discussion',
};

/**
 * Why a team member may see the children's records: early help shares what early help agreements
 * allow; every statutory plan is safeguarding.
 */
export function involvementPurpose(kind: PlanKind): 'early_help' | 'safeguarding' {
  return kind === 'early_help' ? 'early_help' : 'safeguarding';
}

const INTENSITY: Record<PlanKind, number> = {
  early_help: 0,
  child_in_need: 1,
  child_protection: 2,
  looked_after: 3,
};

/** Moving to a more intensive plan is a step up; to a lighter one, a step down. */
export function stepDirection(from: PlanKind, to: PlanKind): 'up' | 'down' {
  return INTENSITY[to] > INTENSITY[from] ? 'up' : 'down';
}

export const COMMITMENT_LABELS = { full_time: 'Full time', part_time: 'Part time' } as const;

/** Whole years of age on a date: the plan page shows each child's age beside their date of birth. */
export function ageOn(dateOfBirth: string, today: string): number {
  const years = Number(today.slice(0, 4)) - Number(dateOfBirth.slice(0, 4));
  return today.slice(5) < dateOfBirth.slice(5) ? years - 1 : years;
}

/** A person's name as pages and messages give it: given name, then family name. */
export function personName(p: { givenName: string | null; familyName: string }): string {
  return [p.givenName, p.familyName].filter(Boolean).join(' ');
}
