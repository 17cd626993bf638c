import { sql } from 'kysely';
import { daysBetween, londonDate } from '../../common/plain-dates.ts';
import type { Tx } from '../../db/database.ts';
import type { NewRow, Row, RowUpdate } from '../../db/schema.ts';
import { outcomeOf } from '../../common/outcome-frameworks.ts';
import {
  ACTION_STATUS_LABELS,
  GOAL_STATUS_LABELS,
  RATER_LABELS,
  REVIEW_KIND_LABELS,
} from './plans.work.schemas.ts';

/**
 * A plan's goals, actions, reviews and comments: the SQL, every query scoped to a partnership, and
 * the plan page's shape of them (with the English words for their codes, which the partial shows).
 */

export type GoalRating = {
  id: string;
  ratedOn: string;
  score: number;
  rater: Row<'goalRatings'>['rater'];
  note: string;
  reviewId: string | null;
  recordedByName: string | null;
  raterLabel: string;
  /** Days from the goal's baseline date, for the chart's time axis. */
  day: number;
};

export type PlanGoal = Omit<Row<'planGoals'>, 'partnershipId' | 'planId'> & {
  childName: string | null;
  /** The outcome's words (a local framework's too); the stored code itself when no framework knows it. */
  outcome: { framework: string; frameworkName: string; code: string; label: string };
  statusLabel: string;
  /** Oldest first. */
  ratings: GoalRating[];
  latestScore: number;
  latestOn: string;
  /** Days from the baseline to the last rating (at least 1): the chart's time axis. */
  span: number;
};

export type PlanAction = Omit<Row<'planActions'>, 'partnershipId' | 'planId'> & {
  goalTitle: string | null;
  /** Who will do it, as the page says it: a practitioner and their agency, an agency, a family member. */
  ownerName: string;
  statusLabel: string;
  /** Due before today and neither done nor dropped. */
  overdue: boolean;
};

export type PlanReview = Omit<Row<'planReviews'>, 'partnershipId' | 'planId'> & {
  recordedByName: string | null;
  kindLabel: string;
};

export type PlanComment = Omit<Row<'planComments'>, 'partnershipId' | 'planId'> & {
  authorName: string;
};

/** Goals with their ratings, actions, reviews and comments: the plan page's working part. */
export type PlanWork = {
  goals: PlanGoal[];
  /** Overdue first, then the open ones by due date, then those done or dropped. */
  actions: PlanAction[];
  overdueActions: number;
  /** Newest first. */
  reviews: PlanReview[];
  /** Newest first. */
  comments: PlanComment[];
};

const OPEN: readonly PlanAction['status'][] = ['to_do', 'in_progress'];

/**
 * Loads a plan's goals (with ratings), actions, reviews and comments in five queries, inside the
 * caller's transaction. The family's view passes `familyView: true` and gets nothing marked
 * not-for-family (nor the title of a goal kept from them). `today` (the London date of ctx.now)
 * decides which actions are overdue.
 */
export async function loadPlanWork(
  tx: Tx,
  partnershipId: string,
  planId: string,
  options: { familyView: boolean; today?: string },
): Promise<PlanWork> {
  const today = options.today ?? londonDate(new Date());
  const familyOnly = options.familyView;

  // A goal naming one of the partnership's own frameworks gets its words here, in the same query.
  let goalQuery = tx
    .selectFrom('planGoals as g')
    .leftJoin('people as p', (j) =>
      j.onRef('p.partnershipId', '=', 'g.partnershipId').onRef('p.id', '=', 'g.personId'),
    )
    .leftJoin('localFrameworkOutcomes as lo', (j) =>
      j
        .onRef('lo.partnershipId', '=', 'g.partnershipId')
        .onRef('lo.code', '=', 'g.outcomeCode')
        .on(sql<boolean>`lo.framework_id::text = g.outcome_framework`),
    )
    .leftJoin('localFrameworks as lf', (j) =>
      j.onRef('lf.partnershipId', '=', 'lo.partnershipId').onRef('lf.id', '=', 'lo.frameworkId'),
    )
    .select([
      'g.id',
      'g.personId',
      'g.title',
      'g.outcomeFramework',
      'g.outcomeCode',
      'g.baseline',
      'g.baselineOn',
      'g.target',
      'g.status',
      'g.forFamily',
      'g.createdAt',
      'g.createdBy',
      'g.version',
      'p.givenName',
      'p.familyName',
      'lf.name as localFramework',
      'lo.label as localOutcome',
    ])
    .where('g.partnershipId', '=', partnershipId)
    .where('g.planId', '=', planId);
  if (familyOnly) goalQuery = goalQuery.where('g.forFamily', '=', true);
  const goalRows = await goalQuery.orderBy('g.createdAt').orderBy('g.id').execute();

  let ratingQuery = tx
    .selectFrom('goalRatings as r')
    .innerJoin('planGoals as g', (j) =>
      j.onRef('g.partnershipId', '=', 'r.partnershipId').onRef('g.id', '=', 'r.goalId'),
    )
    .leftJoin('users as u', (j) =>
      j.onRef('u.partnershipId', '=', 'r.partnershipId').onRef('u.id', '=', 'r.recordedBy'),
    )
    .select([
      'r.id',
      'r.goalId',
      'r.ratedOn',
      'r.score',
      'r.rater',
      'r.note',
      'r.reviewId',
      'u.displayName as recordedByName',
    ])
    .where('r.partnershipId', '=', partnershipId)
    .where('g.planId', '=', planId);
  if (familyOnly) ratingQuery = ratingQuery.where('g.forFamily', '=', true);
  const ratingRows = await ratingQuery.orderBy('r.ratedOn').orderBy('r.recordedAt').orderBy('r.id').execute();

  let actionQuery = tx
    .selectFrom('planActions as a')
    .leftJoin('planGoals as g', (j) => {
      const on = j.onRef('g.partnershipId', '=', 'a.partnershipId').onRef('g.id', '=', 'a.goalId');
      return familyOnly ? on.on('g.forFamily', '=', true) : on;
    })
    .leftJoin('users as u', (j) =>
      j.onRef('u.partnershipId', '=', 'a.partnershipId').onRef('u.id', '=', 'a.ownerUserId'),
    )
    .leftJoin('organisations as uo', (j) =>
      j.onRef('uo.partnershipId', '=', 'u.partnershipId').onRef('uo.id', '=', 'u.organisationId'),
    )
    .leftJoin('organisations as o', (j) =>
      j.onRef('o.partnershipId', '=', 'a.partnershipId').onRef('o.id', '=', 'a.ownerOrganisationId'),
    )
    .selectAll('a')
    .select([
      'g.title as goalTitle',
      'u.displayName as ownerUserName',
      'uo.name as ownerUserOrganisation',
      'o.name as ownerOrganisationName',
    ])
    .where('a.partnershipId', '=', partnershipId)
    .where('a.planId', '=', planId);
  if (familyOnly) actionQuery = actionQuery.where('a.forFamily', '=', true);
  const actionRows = await actionQuery.orderBy('a.dueOn').orderBy('a.createdAt').orderBy('a.id').execute();

  let reviewQuery = tx
    .selectFrom('planReviews as r')
    .leftJoin('users as u', (j) =>
      j.onRef('u.partnershipId', '=', 'r.partnershipId').onRef('u.id', '=', 'r.recordedBy'),
    )
    .selectAll('r')
    .select('u.displayName as recordedByName')
    .where('r.partnershipId', '=', partnershipId)
    .where('r.planId', '=', planId);
  if (familyOnly) reviewQuery = reviewQuery.where('r.forFamily', '=', true);
  const reviews = await reviewQuery.orderBy('r.heldOn', 'desc').orderBy('r.recordedAt', 'desc').execute();

  let commentQuery = tx
    .selectFrom('planComments as c')
    .innerJoin('users as u', (j) =>
      j.onRef('u.partnershipId', '=', 'c.partnershipId').onRef('u.id', '=', 'c.authorId'),
    )
    .selectAll('c')
    .select('u.displayName as authorName')
    .where('c.partnershipId', '=', partnershipId)
    .where('c.planId', '=', planId);
  if (familyOnly) commentQuery = commentQuery.where('c.forFamily', '=', true);
  const comments = await commentQuery.orderBy('c.createdAt', 'desc').orderBy('c.id').execute();

  const ratingsByGoal = new Map<string, typeof ratingRows>();
  for (const r of ratingRows) {
    const list = ratingsByGoal.get(r.goalId);
    if (list) list.push(r);
    else ratingsByGoal.set(r.goalId, [r]);
  }
  const goals = goalRows.map(({ givenName, familyName, localFramework, localOutcome, ...goal }): PlanGoal => {
    const ratings = (ratingsByGoal.get(goal.id) ?? []).map(({ goalId: _, ...r }) => ({
      ...r,
      note: r.note ?? '',
      raterLabel: RATER_LABELS[r.rater],
      day: Math.max(0, daysBetween(goal.baselineOn, r.ratedOn)),
    }));
    const last = ratings.at(-1);
    return {
      ...goal,
      childName: goal.personId ? [givenName, familyName].filter(Boolean).join(' ') : null,
      outcome: outcomeOf(goal.outcomeFramework, goal.outcomeCode) ?? {
        framework: goal.outcomeFramework,
        frameworkName: localFramework ?? goal.outcomeFramework,
        code: goal.outcomeCode,
        label: localOutcome ?? goal.outcomeCode,
      },
      statusLabel: GOAL_STATUS_LABELS[goal.status],
      ratings,
      latestScore: last?.score ?? goal.baseline,
      latestOn: last?.ratedOn ?? goal.baselineOn,
      span: Math.max(1, last?.day ?? 0),
    };
  });

  const actions = actionRows.map(
    ({
      partnershipId: _p,
      planId: _plan,
      ownerUserName,
      ownerUserOrganisation,
      ownerOrganisationName,
      ...a
    }): PlanAction => ({
      ...a,
      ownerName:
        a.ownerKind === 'practitioner'
          ? [ownerUserName, ownerUserOrganisation].filter(Boolean).join(', ')
          : a.ownerKind === 'agency'
            ? (ownerOrganisationName ?? '')
            : (a.ownerFamilyMember ?? ''),
      statusLabel: ACTION_STATUS_LABELS[a.status],
      overdue: a.dueOn < today && OPEN.includes(a.status),
    }),
  );
  const rank = (a: PlanAction) => (a.overdue ? 0 : OPEN.includes(a.status) ? 1 : 2);
  actions.sort((x, y) => rank(x) - rank(y));

  return {
    goals,
    actions,
    overdueActions: actions.filter((a) => a.overdue).length,
    reviews: reviews.map(({ partnershipId: _p, planId: _plan, ...r }) => ({
      ...r,
      kindLabel: REVIEW_KIND_LABELS[r.kind],
    })),
    comments: comments.map(({ partnershipId: _p, planId: _plan, ...c }) => c),
  };
}

export function findGoal(tx: Tx, partnershipId: string, planId: string, goalId: string) {
  return tx
    .selectFrom('planGoals')
    .selectAll()
    .where('partnershipId', '=', partnershipId)
    .where('planId', '=', planId)
    .where('id', '=', goalId)
    .executeTakeFirst();
}

export function goalsOf(tx: Tx, partnershipId: string, planId: string) {
  return tx
    .selectFrom('planGoals')
    .select(['id', 'title', 'status'])
    .where('partnershipId', '=', partnershipId)
    .where('planId', '=', planId)
    .execute();
}

export async function insertGoal(tx: Tx, row: NewRow<'planGoals'>) {
  return (await tx.insertInto('planGoals').values(row).returning('id').executeTakeFirstOrThrow()).id;
}

/** Changes a goal if it is still at `version`; answers whether it was. */
export async function updateGoal(
  tx: Tx,
  partnershipId: string,
  goalId: string,
  version: number,
  patch: RowUpdate<'planGoals'>,
): Promise<boolean> {
  const result = await tx
    .updateTable('planGoals')
    .set({ ...patch, version: sql`version + 1` })
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', goalId)
    .where('version', '=', version)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** The date of a goal's first rating, if it has one. */
export async function firstRatingOn(tx: Tx, partnershipId: string, goalId: string) {
  const row = await tx
    .selectFrom('goalRatings')
    .select((eb) => eb.fn.min('ratedOn').as('first'))
    .where('partnershipId', '=', partnershipId)
    .where('goalId', '=', goalId)
    .executeTakeFirst();
  return (row?.first as string | null | undefined) ?? null;
}

export async function insertRatings(tx: Tx, rows: NewRow<'goalRatings'>[]) {
  if (rows.length === 0) return [];
  return (await tx.insertInto('goalRatings').values(rows).returning('id').execute()).map((r) => r.id);
}

export function findAction(tx: Tx, partnershipId: string, planId: string, actionId: string) {
  return tx
    .selectFrom('planActions as a')
    .leftJoin('users as u', (j) =>
      j.onRef('u.partnershipId', '=', 'a.partnershipId').onRef('u.id', '=', 'a.updatedBy'),
    )
    .selectAll('a')
    .select('u.displayName as updatedByName')
    .where('a.partnershipId', '=', partnershipId)
    .where('a.planId', '=', planId)
    .where('a.id', '=', actionId)
    .executeTakeFirst();
}

export async function insertAction(tx: Tx, row: NewRow<'planActions'>) {
  return (await tx.insertInto('planActions').values(row).returning('id').executeTakeFirstOrThrow()).id;
}

/** Changes an action if it is still at `version`; answers whether it was. */
export async function updateAction(
  tx: Tx,
  partnershipId: string,
  actionId: string,
  version: number,
  patch: RowUpdate<'planActions'>,
): Promise<boolean> {
  const result = await tx
    .updateTable('planActions')
    .set({ ...patch, version: sql`version + 1` })
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', actionId)
    .where('version', '=', version)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** Whether someone is on the plan's team around the family now. */
/** An active staff account of the partnership (family accounts cannot own an action). */
export function staffUser(tx: Tx, partnershipId: string, userId: string) {
  return tx
    .selectFrom('users')
    .select(['id', 'displayName'])
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', userId)
    .where('active', '=', true)
    .where(sql<boolean>`not ('family_member' = any(roles))`)
    .executeTakeFirst();
}

export function activeOrganisation(tx: Tx, partnershipId: string, organisationId: string) {
  return tx
    .selectFrom('organisations')
    .select(['id', 'name'])
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', organisationId)
    .where('active', '=', true)
    .executeTakeFirst();
}

/** Who can own an action, for the form: the plan's lead and current team, and the partnership's agencies. */
export async function ownerChoices(tx: Tx, partnershipId: string, plan: Row<'plans'>) {
  const [team, organisations] = await Promise.all([
    tx
      .selectFrom('users as u')
      .innerJoin('organisations as o', (j) =>
        j.onRef('o.partnershipId', '=', 'u.partnershipId').onRef('o.id', '=', 'u.organisationId'),
      )
      .select(['u.id', 'u.displayName as name', 'o.name as organisationName'])
      .where('u.partnershipId', '=', partnershipId)
      .where('u.active', '=', true)
      .where((eb) =>
        eb.or([
          eb('u.id', '=', plan.leadProfessionalId),
          eb(
            'u.id',
            'in',
            eb
              .selectFrom('planMembers')
              .select('userId')
              .where('partnershipId', '=', partnershipId)
              .where('planId', '=', plan.id)
              .where('leftAt', 'is', null),
          ),
        ]),
      )
      .orderBy('u.displayName')
      .execute(),
    tx
      .selectFrom('organisations')
      .select(['id', 'name'])
      .where('partnershipId', '=', partnershipId)
      .where('active', '=', true)
      .orderBy('name')
      .execute(),
  ]);
  return { team, organisations };
}

export function childrenNamed(tx: Tx, partnershipId: string, childIds: string[]) {
  if (childIds.length === 0) return Promise.resolve([]);
  return tx
    .selectFrom('people')
    .select(['id', 'givenName', 'familyName', 'dateOfBirth'])
    .where('partnershipId', '=', partnershipId)
    .where('id', 'in', childIds)
    .execute();
}

/**
 * What the review schedule needs of a partnership: its jurisdiction, its local intervals and its
 * working-day calendar (the one its front door counts in).
 */
export async function reviewSettingsOf(tx: Tx, partnershipId: string) {
  return tx
    .selectFrom('partnerships as p')
    .leftJoin('planSettings as s', 's.partnershipId', 'p.id')
    .leftJoin('frontDoorSettings as f', 'f.partnershipId', 'p.id')
    .select(['p.jurisdiction', 's.earlyHelpReviewWeeks', 's.childInNeedReviewWeeks', 'f.calendar'])
    .where('p.id', '=', partnershipId)
    .executeTakeFirstOrThrow();
}

/** The date the plan's current stage began: its latest stage, else the plan's own start. */
export async function stageStartedOn(tx: Tx, plan: Row<'plans'>): Promise<string> {
  const stage = await tx
    .selectFrom('planStages')
    .select('startedOn')
    .where('partnershipId', '=', plan.partnershipId)
    .where('planId', '=', plan.id)
    .orderBy('startedOn', 'desc')
    .limit(1)
    .executeTakeFirst();
  return stage?.startedOn ?? plan.startedOn;
}

/** The meetings held on or after a date, oldest first. */
export function reviewsSince(tx: Tx, partnershipId: string, planId: string, since: string) {
  return tx
    .selectFrom('planReviews')
    .select(['heldOn', 'kind'])
    .where('partnershipId', '=', partnershipId)
    .where('planId', '=', planId)
    .where('heldOn', '>=', since)
    .orderBy('heldOn')
    .execute();
}

export async function insertReview(tx: Tx, row: NewRow<'planReviews'>) {
  return (await tx.insertInto('planReviews').values(row).returning('id').executeTakeFirstOrThrow()).id;
}

export function findReview(tx: Tx, partnershipId: string, planId: string, reviewId: string) {
  return tx
    .selectFrom('planReviews as r')
    .leftJoin('users as u', (j) =>
      j.onRef('u.partnershipId', '=', 'r.partnershipId').onRef('u.id', '=', 'r.recordedBy'),
    )
    .selectAll('r')
    .select('u.displayName as recordedByName')
    .where('r.partnershipId', '=', partnershipId)
    .where('r.planId', '=', planId)
    .where('r.id', '=', reviewId)
    .executeTakeFirst();
}

/** The scores given at a review, with their goals. */
export function ratingsAtReview(tx: Tx, partnershipId: string, reviewId: string) {
  return tx
    .selectFrom('goalRatings as r')
    .innerJoin('planGoals as g', (j) =>
      j.onRef('g.partnershipId', '=', 'r.partnershipId').onRef('g.id', '=', 'r.goalId'),
    )
    .select(['r.goalId', 'g.title', 'r.score', 'r.rater'])
    .where('r.partnershipId', '=', partnershipId)
    .where('r.reviewId', '=', reviewId)
    .orderBy('g.createdAt')
    .execute();
}

/** Moves the plan's next review date if the plan is still at `version`; answers whether it was. */
export async function setNextReview(
  tx: Tx,
  plan: Row<'plans'>,
  version: number,
  patch: { nextReviewDue: string; updatedAt: Date; updatedBy: string },
): Promise<boolean> {
  const result = await tx
    .updateTable('plans')
    .set({ ...patch, version: sql`version + 1` })
    .where('partnershipId', '=', plan.partnershipId)
    .where('id', '=', plan.id)
    .where('version', '=', version)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export async function insertComment(tx: Tx, row: NewRow<'planComments'>) {
  return (await tx.insertInto('planComments').values(row).returning('id').executeTakeFirstOrThrow()).id;
}
