import type { Ctx } from '../../common/context.ts';
import { requirePerson } from '../../common/context.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../common/errors.ts';
import { londonDate } from '../../common/plain-dates.ts';
import type { Db, Tx } from '../../db/database.ts';
import type { PlanKind, Row, RowUpdate } from '../../db/schema.ts';
import type { InvolvementService } from '../access/index.ts';
import type { PlanScope } from './plans.access.ts';
import type { ChildInput, HandoverInput, MemberInput, ReasonInput } from './plans.schemas.ts';
import * as store from './plans.store.ts';
import { involvementPurpose, personName, PLAN_KIND_LABELS } from './plans.workflow.ts';

/**
 * The people on a plan: the lead professional, the team around the family and the children. Team
 * members hold a 'team_around_family' involvement with each child on the plan while they serve, so
 * the access gate lets them in; leaving the team, or a child leaving the plan, ends those involvements.
 * Each change here runs inside PlanService's version-checked change of the plan.
 */

/** What one change to a plan writes besides its own rows: the plan's columns, history and audit. */
export type PlanChange = {
  patch?: RowUpdate<'plans'>;
  /** The plan event's detail (the plan's history). */
  event: Record<string, unknown>;
  /** The audit event's detail, when it must say less than the history (no free text). */
  audit?: Record<string, unknown>;
  /** People the change touched besides the plan's current children (a child who left). */
  personIds?: string[];
};

type PlanRef = Pick<Row<'plans'>, 'partnershipId' | 'id' | 'number' | 'familyName' | 'kind'>;

type NewMember = {
  userId: string;
  organisationId: string;
  role: string;
  seconded: boolean;
  commitment: 'full_time' | 'part_time';
};

/** Puts someone on the team, with an involvement with each child; answers the member's id. */
export async function joinTeam(
  tx: Tx,
  involvements: InvolvementService,
  ctx: Ctx,
  plan: PlanRef,
  member: NewMember,
  childIds: readonly string[],
): Promise<string> {
  const memberId = await store.insertMember(tx, {
    partnershipId: plan.partnershipId,
    planId: plan.id,
    ...member,
    joinedAt: ctx.now,
    addedBy: requirePerson(ctx).userId,
  });
  for (const childId of childIds)
    await openInvolvement(tx, involvements, ctx, plan, { id: memberId, userId: member.userId }, childId);
  return memberId;
}

/** An involvement with one child for one member, serving the purpose of the plan's kind. */
async function openInvolvement(
  tx: Tx,
  involvements: InvolvementService,
  ctx: Ctx,
  plan: PlanRef,
  member: { id: string; userId: string },
  childId: string,
) {
  const involvementId = await involvements.openWithin(tx, plan.partnershipId, {
    personId: childId,
    userId: member.userId,
    kind: 'team_around_family',
    purpose: involvementPurpose(plan.kind),
    reason: `Team around the family: ${plan.familyName} plan (plan ${plan.number})`,
    at: ctx.now,
    createdBy: requirePerson(ctx).userId,
  });
  await store.linkInvolvement(tx, plan.partnershipId, member.id, involvementId);
}

/** Ends the involvements these members hold through the plan: all of them, or with one child. */
async function endInvolvements(
  tx: Tx,
  involvements: InvolvementService,
  ctx: Ctx,
  partnershipId: string,
  memberIds: readonly string[],
  reason: string,
  childId?: string,
) {
  for (const held of await store.openMemberInvolvements(tx, partnershipId, memberIds, childId))
    await involvements.endWithin(tx, partnershipId, {
      involvementId: held.id,
      at: ctx.now,
      reason,
      endedBy: requirePerson(ctx).userId,
    });
}

/** Takes people off the team; their access through the plan ends with it. */
async function leaveTeam(
  tx: Tx,
  involvements: InvolvementService,
  ctx: Ctx,
  partnershipId: string,
  memberIds: readonly string[],
  reason: string,
) {
  await endInvolvements(tx, involvements, ctx, partnershipId, memberIds, reason);
  for (const memberId of memberIds)
    await store.endMember(tx, partnershipId, memberId, { at: ctx.now, reason });
}

/** A person who may lead a plan or serve on its team: active, and able to hold an involvement. */
async function requireEligible(tx: Tx, partnershipId: string, userId: string, field: string) {
  const user = await store.findEligibleUser(tx, partnershipId, userId);
  if (!user)
    throw new ValidationError([
      { field, message: 'Select an active practitioner of the partnership who can work with children' },
    ]);
  return user;
}

/** Hands the plan to a new lead professional, who joins the team if they are not on it. */
export async function handOver(
  involvements: InvolvementService,
  ctx: Ctx,
  scope: PlanScope,
  input: HandoverInput,
): Promise<PlanChange> {
  const { tx, plan, partnershipId } = scope;
  if (input.leadUserId === plan.leadProfessionalId)
    throw new ValidationError([
      { field: 'leadUserId', message: 'Select someone other than the current lead professional' },
    ]);
  const lead = await requireEligible(tx, partnershipId, input.leadUserId, 'leadUserId');
  const members = await store.currentMembers(tx, partnershipId, plan.id);
  const outgoing = members.find((m) => m.userId === plan.leadProfessionalId);
  if (!members.some((m) => m.userId === lead.id))
    await joinTeam(
      tx,
      involvements,
      ctx,
      plan,
      {
        userId: lead.id,
        organisationId: lead.organisationId,
        role: 'Lead professional',
        seconded: false,
        commitment: 'part_time',
      },
      scope.childIds,
    );
  if (outgoing && input.outgoing === 'leave')
    await leaveTeam(
      tx,
      involvements,
      ctx,
      partnershipId,
      [outgoing.id],
      `Handed the plan over to ${lead.displayName}`,
    );
  else if (outgoing && input.outgoingRole)
    await store.setMemberRole(tx, partnershipId, outgoing.id, input.outgoingRole);
  await store.endCurrentLead(tx, partnershipId, plan.id, ctx.now);
  await store.insertLead(tx, {
    partnershipId,
    planId: plan.id,
    userId: lead.id,
    startedAt: ctx.now,
    handoverNote: input.note,
    recordedBy: requirePerson(ctx).userId,
  });
  return {
    patch: { leadProfessionalId: lead.id },
    event: {
      from: plan.leadProfessionalId,
      fromName: await store.userName(tx, partnershipId, plan.leadProfessionalId),
      to: lead.id,
      toName: lead.displayName,
      note: input.note,
      outgoing: input.outgoing,
    },
    audit: { from: plan.leadProfessionalId, to: lead.id, outgoing: input.outgoing },
  };
}

export async function addMember(
  involvements: InvolvementService,
  ctx: Ctx,
  scope: PlanScope,
  input: MemberInput,
): Promise<PlanChange> {
  const { tx, plan, partnershipId } = scope;
  const user = await requireEligible(tx, partnershipId, input.userId, 'userId');
  if ((await store.currentMembers(tx, partnershipId, plan.id)).some((m) => m.userId === user.id))
    throw new ValidationError([{ field: 'userId', message: `${user.displayName} is already on the team` }]);
  const { userId, role, seconded, commitment } = input;
  const memberId = await joinTeam(
    tx,
    involvements,
    ctx,
    plan,
    { userId, organisationId: user.organisationId, role, seconded, commitment },
    scope.childIds,
  );
  const detail = { memberId, userId, name: user.displayName, role, seconded, commitment };
  return { event: detail, audit: { memberId, userId } };
}

export async function removeMember(
  involvements: InvolvementService,
  ctx: Ctx,
  scope: PlanScope,
  memberId: string,
  input: ReasonInput,
): Promise<PlanChange> {
  const { tx, plan, partnershipId } = scope;
  const member = (await store.currentMembers(tx, partnershipId, plan.id)).find((m) => m.id === memberId);
  if (!member) throw new NotFoundError('Team member');
  if (member.userId === plan.leadProfessionalId)
    throw new ConflictError(
      'The lead professional cannot leave the team: hand the plan over to someone else first',
    );
  await leaveTeam(tx, involvements, ctx, partnershipId, [member.id], input.reason);
  const name = await store.userName(tx, partnershipId, member.userId);
  return {
    event: { memberId, userId: member.userId, name, role: member.role, reason: input.reason },
    audit: { memberId, userId: member.userId },
  };
}

/** A brother or sister joins the plan: every team member gains an involvement with them. */
export async function addChild(
  involvements: InvolvementService,
  ctx: Ctx,
  scope: PlanScope,
  input: ChildInput,
): Promise<PlanChange> {
  const { tx, plan, partnershipId } = scope;
  const [child] = await store.peopleByIds(tx, partnershipId, [input.childId]);
  if (!child) throw new NotFoundError('Person');
  if (child.kind === 'adult')
    throw new ValidationError([{ field: 'childId', message: 'Only children can be on a family plan' }]);
  await requireNotOnOpenPlan(tx, partnershipId, [input.childId], 'childId');
  const today = londonDate(ctx.now);
  if (!(await store.rejoinChild(tx, partnershipId, plan.id, child.id, today)))
    await store.insertPlanChildren(tx, [
      { partnershipId, planId: plan.id, personId: child.id, addedOn: today },
    ]);
  for (const member of await store.currentMembers(tx, partnershipId, plan.id))
    await openInvolvement(tx, involvements, ctx, plan, member, child.id);
  return {
    event: { childId: child.id, childName: personName(child) },
    audit: { childId: child.id },
    personIds: [child.id],
  };
}

/** A child leaves the plan: the team's involvements with them through it end. */
export async function removeChild(
  involvements: InvolvementService,
  ctx: Ctx,
  scope: PlanScope,
  childId: string,
  input: ReasonInput,
): Promise<PlanChange> {
  const { tx, plan, partnershipId } = scope;
  if (!scope.childIds.includes(childId)) throw new NotFoundError('Child on this plan');
  if (scope.childIds.length === 1)
    throw new ConflictError('This is the only child on the plan: close the plan instead');
  const members = await store.currentMembers(tx, partnershipId, plan.id);
  const reason = `Left the ${plan.familyName} plan: ${input.reason}`;
  await endInvolvements(
    tx,
    involvements,
    ctx,
    partnershipId,
    members.map((m) => m.id),
    reason,
    childId,
  );
  await store.removeChild(tx, partnershipId, plan.id, childId, londonDate(ctx.now));
  const [child] = await store.peopleByIds(tx, partnershipId, [childId]);
  const event = { childId, childName: child ? personName(child) : '', reason: input.reason };
  return { event, audit: { childId }, personIds: [childId] };
}

/**
 * After a step between early help and a statutory plan the team's involvements serve a different
 * purpose (what the sharing agreements let them see), so each is ended and opened again.
 */
export async function changePurpose(
  involvements: InvolvementService,
  ctx: Ctx,
  scope: PlanScope,
  kind: PlanKind,
) {
  const { tx, plan, partnershipId } = scope;
  if (involvementPurpose(plan.kind) === involvementPurpose(kind)) return;
  const members = await store.currentMembers(tx, partnershipId, plan.id);
  const reason = `The ${plan.familyName} plan changed to ${PLAN_KIND_LABELS[kind].toLowerCase()}`;
  await endInvolvements(
    tx,
    involvements,
    ctx,
    partnershipId,
    members.map((m) => m.id),
    reason,
  );
  for (const member of members)
    for (const childId of scope.childIds)
      await openInvolvement(tx, involvements, ctx, { ...plan, kind }, member, childId);
}

/** Closing: everyone leaves the team, the lead professional's term ends, the children are free. */
export async function closeTeam(involvements: InvolvementService, ctx: Ctx, scope: PlanScope) {
  const { tx, plan, partnershipId } = scope;
  const members = await store.currentMembers(tx, partnershipId, plan.id);
  await leaveTeam(
    tx,
    involvements,
    ctx,
    partnershipId,
    members.map((m) => m.id),
    'The plan closed',
  );
  await store.endCurrentLead(tx, partnershipId, plan.id, ctx.now);
  await store.closeChildren(tx, partnershipId, plan.id);
}

/**
 * Refuses children already on an open plan, naming each child and their plan. The unique index
 * plan_children_one_open_plan catches a race this check loses; `oneOpenPlanError` says the same then.
 */
export async function requireNotOnOpenPlan(
  tx: Tx,
  partnershipId: string,
  childIds: readonly string[],
  field: string,
) {
  const error = await oneOpenPlanError(tx, partnershipId, childIds, field);
  if (error) throw error;
}

/** The error naming each child already on an open plan, and that plan; null when none is. */
export async function oneOpenPlanError(
  q: Db | Tx,
  partnershipId: string,
  childIds: readonly string[],
  field: string,
): Promise<ValidationError | null> {
  const open = await store.openPlansOf(q, partnershipId, childIds);
  if (open.length === 0) return null;
  const people = new Map(
    (
      await store.peopleByIds(
        q,
        partnershipId,
        open.map((o) => o.personId),
      )
    ).map((p) => [p.id, p]),
  );
  const messages = open.map((o) => {
    const person = people.get(o.personId);
    return `${person ? personName(person) : 'A child'} is already on an open plan, the ${o.familyName} plan (plan ${o.number})`;
  });
  return new ValidationError([
    { field, message: `${messages.join('; ')}: a child can be on one open plan at a time` },
  ]);
}

/** Whether an error is the one-open-plan index refusing a second open plan for a child. */
export function isOneOpenPlanViolation(error: unknown): boolean {
  const e = error as { code?: string; constraint?: string };
  return e.code === '23505' && e.constraint === 'plan_children_one_open_plan';
}
