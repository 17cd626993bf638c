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
