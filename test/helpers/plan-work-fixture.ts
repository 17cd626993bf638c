import type { Db } from '../../src/db/database.ts';
import type { PlanKind } from '../../src/db/schema.ts';
import { TEST_NOW } from './context.ts';

/**
 * A family plan written straight into the tables, for tests of a plan's work that should not
 * depend on how plans are started: new children (so each plan may be open), the lead and team
 * members involved with each of them (and on the team), anyone else involved only, the plan and
 * its one stage.
 */
export async function insertPlan(
  db: Db,
  options: {
    partnershipId: string;
    leadId: string;
    /** The team around the family besides the lead: on the team and involved with every child. */
    team?: string[];
    /** Involved with every child but not on the team. */
    involvedOnly?: string[];
    kind?: PlanKind;
    startedOn?: string;
    stageStartedOn?: string;
    nextReviewDue?: string;
    children?: string[];
    familyName?: string;
  },
): Promise<{ planId: string; childIds: string[] }> {
  const p = options.partnershipId;
  const familyName = options.familyName ?? 'Okoro';
  const startedOn = options.startedOn ?? '2026-01-05';
  const childIds: string[] = [];
  for (const [i, givenName] of (options.children ?? ['Ada', 'Ben']).entries()) {
    const child = await db
      .insertInto('people')
      .values({ partnershipId: p, kind: 'child', givenName, familyName, dateOfBirth: `201${i}-04-01` })
      .returning('id')
      .executeTakeFirstOrThrow();
    childIds.push(child.id);
  }
  const team = options.team ?? [];
  const holders = [...new Set([options.leadId, ...team, ...(options.involvedOnly ?? [])])];
  await db
    .insertInto('involvements')
    .values(
      childIds.flatMap((personId) =>
        holders.map((userId) => ({
          partnershipId: p,
          personId,
          userId,
          kind: 'team_around_family' as const,
          purpose: 'early_help' as const,
          reason: 'On the team around the family',
          startedAt: new Date('2026-01-01T00:00:00Z'),
        })),
      ),
    )
    .execute();
  const plan = await db
    .insertInto('plans')
    .values({
      partnershipId: p,
      kind: options.kind ?? 'early_help',
      familyName: `${familyName} family`,
      startedOn,
      leadProfessionalId: options.leadId,
      nextReviewDue: options.nextReviewDue ?? '2026-03-02',
      createdAt: TEST_NOW,
      createdBy: options.leadId,
      updatedAt: TEST_NOW,
      updatedBy: options.leadId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('planChildren')
    .values(childIds.map((personId) => ({ partnershipId: p, planId: plan.id, personId, addedOn: startedOn })))
    .execute();
  for (const userId of team) {
    const { organisationId } = await db
      .selectFrom('users')
      .select('organisationId')
      .where('id', '=', userId)
      .executeTakeFirstOrThrow();
    await db
      .insertInto('planMembers')
      .values({
        partnershipId: p,
        planId: plan.id,
        userId,
        organisationId,
        role: 'Team member',
        joinedAt: TEST_NOW,
        addedBy: options.leadId,
      })
      .execute();
  }
  await db
    .insertInto('planStages')
    .values({
      partnershipId: p,
      planId: plan.id,
      kind: options.kind ?? 'early_help',
      startedOn: options.stageStartedOn ?? startedOn,
      reason: 'Plan agreed with the family',
      decidedBy: options.leadId,
    })
    .execute();
  return { planId: plan.id, childIds };
}
