import type { Db, Tx } from '../../db/database.ts';
import type { PlanKind } from '../../db/schema.ts';

/** One stage of a plan (its kind over a period) for one child on it. */
export type CensusPlanStage = {
  planId: string;
  episodeId: string | null;
  personId: string;
  kind: PlanKind;
  startedOn: string;
  endedOn: string | null;
  childAddedOn: string;
  childRemovedOn: string | null;
  planClosedOn: string | null;
  planCloseReason: string | null;
};

export type CensusPlanReview = { planId: string; heldOn: string; kind: string };

/**
 * The census's read of plans, for the statutory returns module (interop): every stage of the plans
 * these children are or were on, with their time on the plan, and the plans' review conferences.
 */
export async function censusPlans(
  q: Db | Tx,
  partnershipId: string,
  personIds: readonly string[],
): Promise<{ stages: CensusPlanStage[]; reviews: CensusPlanReview[] }> {
  if (personIds.length === 0) return { stages: [], reviews: [] };
  const stages = await q
    .selectFrom('planChildren as pc')
    .innerJoin('plans as p', (j) =>
      j.onRef('p.partnershipId', '=', 'pc.partnershipId').onRef('p.id', '=', 'pc.planId'),
    )
    .innerJoin('planStages as s', (j) =>
      j.onRef('s.partnershipId', '=', 'p.partnershipId').onRef('s.planId', '=', 'p.id'),
    )
    .select([
      'p.id as planId',
      'p.episodeId',
      'pc.personId',
      's.kind',
      's.startedOn',
      's.endedOn',
      'pc.addedOn as childAddedOn',
      'pc.removedOn as childRemovedOn',
      'p.closedOn as planClosedOn',
      'p.closeReason as planCloseReason',
    ])
    .where('pc.partnershipId', '=', partnershipId)
    .where('pc.personId', 'in', personIds)
    .orderBy('s.startedOn')
    .execute();
  const planIds = [...new Set(stages.map((s) => s.planId))];
  const reviews =
    planIds.length === 0
      ? []
      : await q
          .selectFrom('planReviews')
          .select(['planId', 'heldOn', 'kind'])
          .where('partnershipId', '=', partnershipId)
          .where('planId', 'in', planIds)
          .orderBy('heldOn')
          .execute();
  return { stages, reviews };
}
