import { requirePerson, type Ctx } from '../../common/context.ts';
import { ForbiddenError, NotFoundError } from '../../common/errors.ts';
import { isAllowed } from '../../common/permissions.ts';
import type { Db, Tx } from '../../db/database.ts';
import type { Row } from '../../db/schema.ts';
import type { AccessGate, GateOutcome, PersonAccess } from '../access/index.ts';
import { partnershipOf } from '../access/index.ts';

/** A plan opened through the access gate: its row (locked for a change) and its current children. */
export type PlanScope = {
  tx: Tx;
  access: PersonAccess;
  partnershipId: string;
  plan: Row<'plans'>;
  /** The children on the plan now, oldest first. */
  childIds: string[];
};

/**
 * The only way to a plan. A plan is about its children, so the gate decides on one of them: the
 * first the actor has a basis for (a team member holds one for each child), else the first child,
 * which the gate refuses and audits. Every child on the plan is named in the audit event.
 */
export async function withPlan<T>(
  db: Db,
  gate: AccessGate,
  ctx: Ctx,
  planId: string,
  action: string,
  mode: 'read' | 'change',
  work: (scope: PlanScope) => Promise<GateOutcome<T>>,
): Promise<T> {
  const partnershipId = partnershipOf(ctx);
  const childIds = await currentChildren(db, partnershipId, planId);
  const gateChild = await childWithBasis(gate, ctx, childIds);
  if (!gateChild) throw new NotFoundError('Plan');
  const run = mode === 'read' ? gate.read.bind(gate) : gate.change.bind(gate);
  return run(ctx, gateChild, action, async (access) => {
    let query = access.tx
      .selectFrom('plans')
      .selectAll()
      .where('partnershipId', '=', partnershipId)
      .where('id', '=', planId);
    if (mode === 'change') query = query.forUpdate();
    const plan = await query.executeTakeFirst();
    if (!plan) throw new NotFoundError('Plan');
    const outcome = await work({ tx: access.tx, access, partnershipId, plan, childIds });
    return {
      ...outcome,
      personIds: [...childIds, ...(outcome.personIds ?? [])],
      detail: { planId, ...outcome.detail },
    };
  });
}

/** The children on a plan now (a child who left it has a removal date); a closed plan keeps its last. */
export async function currentChildren(db: Db | Tx, partnershipId: string, planId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('planChildren')
    .select('personId')
    .where('partnershipId', '=', partnershipId)
    .where('planId', '=', planId)
    .where('removedOn', 'is', null)
    .orderBy('addedOn')
    .orderBy('personId')
    .execute();
  return rows.map((r) => r.personId);
}

async function childWithBasis(gate: AccessGate, ctx: Ctx, childIds: string[]): Promise<string | undefined> {
  for (const childId of childIds) {
    if (await gate.basisFor(ctx, childId)) return childId;
  }
  return childIds[0];
}

/** Who may make a change: the plan's stewards (its lead professional, team managers), or its team. */
export type PlanRole = 'steward' | 'team';

/**
 * The lead professional and team managers steward a plan: its team, lead, children, kind, closing.
 * The team around the family (current members) also edit its summary and work. Anyone else
 * involved with a child reads the plan but does not change it.
 */
export async function requirePlanRole(ctx: Ctx, scope: PlanScope, role: PlanRole): Promise<void> {
  const { userId } = requirePerson(ctx);
  if (scope.plan.leadProfessionalId === userId || isAllowed(ctx, 'plans.allocate')) return;
  if (role === 'steward')
    throw new ForbiddenError('Only the lead professional or a team manager can make this change');
  const member = await scope.tx
    .selectFrom('planMembers')
    .select('id')
    .where('partnershipId', '=', scope.partnershipId)
    .where('planId', '=', scope.plan.id)
    .where('userId', '=', userId)
    .where('leftAt', 'is', null)
    .executeTakeFirst();
  if (!member)
    throw new ForbiddenError(
      'Only the team around the family can change this plan: ask the lead professional to add you',
    );
}
