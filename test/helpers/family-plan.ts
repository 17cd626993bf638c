import type { Db } from '../../src/db/database.ts';
import { TEST_NOW } from './context.ts';

/**
 * A family's plan made with plain inserts (so the family's view is tested apart from the plan
 * forms): two children, each with an involvement for the lead professional (the gate's basis), a
 * team of one, and goals, actions, reviews and comments both for the family and not. Everything
 * not for the family has HIDDEN in its text, so a test can look for it in a page.
 */
export const HIDDEN = 'HIDDEN-FROM-FAMILY';

export type FamilyPlan = Awaited<ReturnType<typeof buildFamilyPlan>>;

export async function buildFamilyPlan(
  db: Db,
  opts: { partnershipId: string; organisationId: string; leadUserId: string; familyName: string },
) {
  const { partnershipId, organisationId, leadUserId, familyName } = opts;
  const at = TEST_NOW;
  const person = async (givenName: string) =>
    (
      await db
        .insertInto('people')
        .values({ partnershipId, kind: 'child', givenName, familyName, dateOfBirth: '2015-06-01' })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const childIds = [await person(`${familyName}-Maya`), await person(`${familyName}-Sam`)];
  for (const personId of childIds)
    await db
      .insertInto('involvements')
      .values({
        partnershipId,
        personId,
        userId: leadUserId,
        kind: 'allocated_worker',
        purpose: 'early_help',
        reason: 'Lead professional on the family plan',
        startedAt: new Date('2026-01-01T00:00:00Z'),
      })
      .execute();

  const planId = (
    await db
      .insertInto('plans')
      .values({
        partnershipId,
        kind: 'early_help',
        familyName,
        startedOn: '2026-01-05',
        leadProfessionalId: leadUserId,
        nextReviewDue: '2026-03-30',
        createdAt: at,
        createdBy: leadUserId,
        updatedAt: at,
        updatedBy: leadUserId,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
  await db
    .insertInto('planChildren')
    .values(childIds.map((personId) => ({ partnershipId, planId, personId, addedOn: '2026-01-05' })))
    .execute();
  await db
    .insertInto('planMembers')
    .values({
      partnershipId,
      planId,
      userId: leadUserId,
      organisationId,
      role: 'Family support worker',
      joinedAt: at,
      addedBy: leadUserId,
    })
    .execute();

  const goal = async (title: string, forFamily: boolean) =>
    (
      await db
        .insertInto('planGoals')
        .values({
          partnershipId,
          planId,
          personId: null,
          title,
          outcomeFramework: 'england',
          outcomeCode: 'be_healthy',
          baseline: 3,
          baselineOn: '2026-01-05',
          target: 8,
          forFamily,
          createdAt: at,
          createdBy: leadUserId,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const goals = {
    shared: await goal('Mornings go smoothly', true),
    hidden: await goal(`Goal ${HIDDEN}`, false),
  };
  await db
    .insertInto('goalRatings')
    .values([
      {
        partnershipId,
        goalId: goals.shared,
        ratedOn: '2026-02-02',
        score: 5,
        rater: 'family',
        recordedBy: leadUserId,
        recordedAt: at,
      },
      {
        partnershipId,
        goalId: goals.shared,
        ratedOn: '2026-03-01',
        score: 7,
        rater: 'practitioner',
        recordedBy: leadUserId,
        recordedAt: at,
      },
      {
        partnershipId,
        goalId: goals.hidden,
        ratedOn: '2026-03-01',
        score: 2,
        rater: 'practitioner',
        recordedBy: leadUserId,
        recordedAt: at,
      },
    ])
    .execute();

  const action = async (
    description: string,
    owner: { kind: 'family' | 'practitioner' | 'agency'; forFamily?: boolean; status?: 'to_do' | 'done' },
  ) =>
    (
      await db
        .insertInto('planActions')
        .values({
          partnershipId,
          planId,
          description,
          ownerKind: owner.kind,
          ownerUserId: owner.kind === 'practitioner' ? leadUserId : null,
          ownerOrganisationId: owner.kind === 'agency' ? organisationId : null,
          ownerFamilyMember: owner.kind === 'family' ? 'Mum' : null,
          supportNeeded: owner.kind === 'family' ? 'A lift to the surgery' : '',
          dueOn: '2026-03-20',
          status: owner.status ?? 'to_do',
          completedAt: owner.status === 'done' ? at : null,
          completedBy: owner.status === 'done' ? leadUserId : null,
          forFamily: owner.forFamily ?? true,
          createdAt: at,
          createdBy: leadUserId,
          updatedAt: at,
          updatedBy: leadUserId,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const actions = {
    family: await action('Take the children to the dentist', { kind: 'family' }),
    familyDone: await action('Go to the parenting group', { kind: 'family', status: 'done' }),
    familyHidden: await action(`Family action ${HIDDEN}`, { kind: 'family', forFamily: false }),
    practitioner: await action('Book a meeting with the school', { kind: 'practitioner' }),
    agency: await action('Arrange a housing assessment', { kind: 'agency' }),
    practitionerHidden: await action(`Check with the police ${HIDDEN}`, {
      kind: 'practitioner',
      forFamily: false,
    }),
  };

  const review = async (heldOn: string, decisions: string, forFamily: boolean) =>
    (
      await db
        .insertInto('planReviews')
        .values({
          partnershipId,
          planId,
          heldOn,
          kind: 'review',
          decisions,
          forFamily,
          recordedAt: at,
          recordedBy: leadUserId,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const reviews = {
    shared: await review('2026-02-16', 'Keep the morning routine chart going', true),
    hidden: await review('2026-02-17', `Decision ${HIDDEN}`, false),
  };

  const comment = async (body: string, forFamily: boolean) =>
    (
      await db
        .insertInto('planComments')
        .values({
          partnershipId,
          planId,
          authorId: leadUserId,
          fromFamily: false,
          body,
          forFamily,
          createdAt: at,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const comments = {
    shared: await comment('Well done on the school run this week', true),
    hidden: await comment(`Team note ${HIDDEN}`, false),
  };

  return { planId, childIds, goals, actions, reviews, comments };
}
