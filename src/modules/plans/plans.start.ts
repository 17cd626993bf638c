import type { Ctx } from '../../common/context.ts';
import { requirePerson } from '../../common/context.ts';
import { NotFoundError, ValidationError } from '../../common/errors.ts';
import { calendarFor } from '../../common/working-days.ts';
import type { Db, Tx } from '../../db/database.ts';
import type { PlanKind } from '../../db/schema.ts';
import type { InvolvementService } from '../access/index.ts';
import { holidayCalendar } from '../referrals/index.ts';
import { recordPlanEvent } from './plans.history.ts';
import type { PlanInput } from './plans.schemas.ts';
import * as store from './plans.store.ts';
import * as team from './plans.team.ts';
import { latestNextReview, personName } from './plans.workflow.ts';

/** Making a plan: its rows in the caller's transaction, its first review date, the family it may cover. */

/** The plan and its first stage, lead and team, in the caller's transaction. */
export async function createPlan(
  tx: Tx,
  involvements: InvolvementService,
  ctx: Ctx,
  partnershipId: string,
  input: PlanInput,
  lead: { id: string; organisationId: string; displayName: string },
  episodeId: string | null,
  reason: string,
) {
  const actor = requirePerson(ctx);
  const people = await store.peopleByIds(tx, partnershipId, input.childIds);
  if (people.length !== input.childIds.length) throw new NotFoundError('Person');
  const adult = people.find((p) => p.kind === 'adult');
  if (adult)
    throw new ValidationError([
      { field: 'childIds', message: `${personName(adult)} is an adult: a family plan is for children` },
    ]);
  await team.requireNotOnOpenPlan(tx, partnershipId, input.childIds, 'childIds');
  const { kind, familyName, worries, strengths, startedOn } = input;
  const nextReviewDue = await nextReview(tx, partnershipId, kind, startedOn);
  const plan = await store.insertPlan(tx, {
    partnershipId,
    kind,
    familyName,
    worries,
    strengths,
    startedOn,
    leadProfessionalId: lead.id,
    episodeId,
    nextReviewDue,
    createdAt: ctx.now,
    createdBy: actor.userId,
    updatedAt: ctx.now,
    updatedBy: actor.userId,
  });
  const planId = plan.id;
  await store.insertPlanChildren(
    tx,
    input.childIds.map((personId) => ({ partnershipId, planId, personId, addedOn: startedOn })),
  );
  await store.insertStage(tx, { partnershipId, planId, kind, startedOn, reason, decidedBy: actor.userId });
  await store.insertLead(tx, {
    partnershipId,
    planId,
    userId: lead.id,
    startedAt: ctx.now,
    recordedBy: actor.userId,
  });
  await team.joinTeam(
    tx,
    involvements,
    ctx,
    { partnershipId, id: planId, number: plan.number, familyName, kind },
    {
      userId: lead.id,
      organisationId: lead.organisationId,
      role: 'Lead professional',
      seconded: false,
      commitment: 'part_time',
    },
    input.childIds,
  );
  await recordPlanEvent(tx, ctx, partnershipId, planId, 'start', {
    version: 1,
    kind,
    childIds: input.childIds,
    leadUserId: lead.id,
    leadName: lead.displayName,
    episodeId,
  });
  return { id: planId, number: String(plan.number) };
}

/** The latest date of the first review of a stage, by the kind's timescale and the partnership's settings. */
export async function nextReview(tx: Tx, partnershipId: string, kind: PlanKind, stageStartedOn: string) {
  const [settings, calendar] = [
    await store.settingsOf(tx, partnershipId),
    await holidayCalendar(tx, partnershipId),
  ];
  return latestNextReview(kind, stageStartedOn, [], settings, calendarFor(calendar));
}

/** A child with their brothers and sisters, and any open plan each is on. */
export async function familyOf(q: Db | Tx, partnershipId: string, childId: string) {
  const [child] = await store.peopleByIds(q, partnershipId, [childId]);
  if (!child) throw new NotFoundError('Person');
  const related = await store.relatedChildren(q, partnershipId, childId);
  const open = new Map(
    (await store.openPlansOf(q, partnershipId, [childId, ...related.map((r) => r.id)])).map((o) => [
      o.personId,
      { id: o.planId, familyName: o.familyName, number: String(o.number) },
    ]),
  );
  return {
    child: { ...child, openPlan: open.get(child.id) ?? null },
    related: related.map((r) => ({ ...r, openPlan: open.get(r.id) ?? null })),
  };
}
