import { sql } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import { PERMISSIONS } from '../../common/permissions.ts';
import type { Db, Tx } from '../../db/database.ts';
import type { NewRow, RowUpdate } from '../../db/schema.ts';
import { DEFAULT_PLAN_SETTINGS } from './plans.workflow.ts';

type Q = Db | Tx;

/** SQL for the family plan's own tables, and the reads of people, users and episodes its pages need. */

/** The roles that may hold an involvement: only they can lead a plan or serve on its team. */
const PERSON_ACCESS_ROLES: readonly string[] = PERMISSIONS['person.access'];

/** Visible to this user in lists: not sealed, or sealed with them named on it. */
function visibleTo(userId: string | null) {
  return sql<boolean>`(p.sealed_at is null or exists (select 1 from sealed_record_users s
    where s.partnership_id = p.partnership_id and s.person_id = p.id and s.user_id = ${userId}))`;
}

/** The partnership's review intervals, or the defaults while it has saved none (nothing is written). */
export async function settingsOf(q: Q, partnershipId: string) {
  const row = await q
    .selectFrom('planSettings')
    .select(['earlyHelpReviewWeeks', 'childInNeedReviewWeeks', 'reminderDays', 'version'])
    .where('partnershipId', '=', partnershipId)
    .executeTakeFirst();
  return row ?? { ...DEFAULT_PLAN_SETTINGS, version: 1 };
}

/**
 * Saves the settings at the version the editor saw; the first save creates the row (the defaults
 * count as version 1). Answers whether the version still matched.
 */
export async function saveSettings(
  q: Q,
  partnershipId: string,
  version: number,
  values: { earlyHelpReviewWeeks: number; childInNeedReviewWeeks: number; reminderDays: number },
  at: Date,
  by: string,
): Promise<boolean> {
  const updated = await q
    .updateTable('planSettings')
    .set({ ...values, updatedAt: at, updatedBy: by, version: sql`version + 1` })
    .where('partnershipId', '=', partnershipId)
    .where('version', '=', version)
    .executeTakeFirst();
  if (updated.numUpdatedRows === 1n) return true;
  if (version !== 1) return false;
  const inserted = await q
    .insertInto('planSettings')
    .values({ partnershipId, ...values, updatedAt: at, updatedBy: by, version: 2 })
    .onConflict((oc) => oc.column('partnershipId').doNothing())
    .returning('version')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** Active users who may work with children, with their home organisation, by name. */
function eligibleUsersQuery(q: Q, partnershipId: string) {
  return q
    .selectFrom('users as u')
    .innerJoin('organisations as o', (j) =>
      j.onRef('o.partnershipId', '=', 'u.partnershipId').onRef('o.id', '=', 'u.organisationId'),
    )
    .select(['u.id', 'u.displayName', 'u.jobTitle', 'u.organisationId', 'o.name as organisationName'])
    .where('u.partnershipId', '=', partnershipId)
    .where('u.active', '=', true)
    .where(sql<boolean>`u.roles && ${sql.val(PERSON_ACCESS_ROLES)}::text[]`);
}

export function eligibleUsers(q: Q, partnershipId: string) {
  return eligibleUsersQuery(q, partnershipId).orderBy('u.displayName').orderBy('u.id').execute();
}

export function findEligibleUser(q: Q, partnershipId: string, userId: string) {
  return eligibleUsersQuery(q, partnershipId).where('u.id', '=', userId).executeTakeFirst();
}

export async function userName(q: Q, partnershipId: string, userId: string) {
  const row = await q
    .selectFrom('users')
    .select('displayName')
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', userId)
    .executeTakeFirst();
  return row?.displayName ?? '';
}

/** Children by id, with what their names and the sealed-record rule need. */
export function peopleByIds(q: Q, partnershipId: string, ids: readonly string[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return q
    .selectFrom('people')
    .select(['id', 'kind', 'givenName', 'familyName', 'dateOfBirth', 'sealedAt'])
    .where('partnershipId', '=', partnershipId)
    .where('id', 'in', ids)
    .execute();
}

/** The open plan each of these children is on now, if any. */
export function openPlansOf(q: Q, partnershipId: string, personIds: readonly string[]) {
  if (personIds.length === 0) return Promise.resolve([]);
  return q
    .selectFrom('planChildren as c')
    .innerJoin('plans as p', (j) =>
      j.onRef('p.partnershipId', '=', 'c.partnershipId').onRef('p.id', '=', 'c.planId'),
    )
    .select(['c.personId', 'p.id as planId', 'p.familyName', 'p.number'])
    .where('c.partnershipId', '=', partnershipId)
    .where('c.personId', 'in', personIds)
    .where('c.current', '=', true)
    .execute();
}

/**
 * The child's brothers and sisters and the other children in their household now, as the person
 * index records them: the children a family plan usually covers together. Sealed records are left out.
 */
export function relatedChildren(q: Q, partnershipId: string, personId: string) {
  const siblings = q
    .selectFrom('relationships as r')
    .select(
      sql<string>`case when r.person_id = ${personId} then r.related_person_id else r.person_id end`.as('id'),
    )
    .where('r.partnershipId', '=', partnershipId)
    .where('r.kind', '=', 'sibling')
    .where('r.endedOn', 'is', null)
    .where((eb) => eb.or([eb('r.personId', '=', personId), eb('r.relatedPersonId', '=', personId)]));
  const household = q
    .selectFrom('householdMembers as mine')
    .innerJoin('householdMembers as other', (j) =>
      j
        .onRef('other.partnershipId', '=', 'mine.partnershipId')
        .onRef('other.householdId', '=', 'mine.householdId')
        .on('other.endedOn', 'is', null),
    )
    .select('other.personId as id')
    .where('mine.partnershipId', '=', partnershipId)
    .where('mine.personId', '=', personId)
    .where('mine.endedOn', 'is', null);
  return q
    .selectFrom('people as p')
    .select(['p.id', 'p.givenName', 'p.familyName', 'p.dateOfBirth'])
    .where('p.partnershipId', '=', partnershipId)
    .where('p.id', '!=', personId)
    .where('p.kind', 'in', ['child', 'unborn'])
    .where('p.sealedAt', 'is', null)
    .where((eb) => eb.or([eb('p.id', 'in', siblings), eb('p.id', 'in', household)]))
    .orderBy('p.dateOfBirth')
    .orderBy('p.id')
    .execute();
}

export function insertPlan(tx: Tx, row: NewRow<'plans'>) {
  return tx.insertInto('plans').values(row).returning(['id', 'number']).executeTakeFirstOrThrow();
}

export async function insertPlanChildren(tx: Tx, rows: NewRow<'planChildren'>[]) {
  await tx.insertInto('planChildren').values(rows).execute();
}

export async function insertStage(tx: Tx, row: NewRow<'planStages'>) {
  await tx.insertInto('planStages').values(row).execute();
}

export async function insertLead(tx: Tx, row: NewRow<'planLeads'>) {
  await tx.insertInto('planLeads').values(row).execute();
}

export async function insertMember(tx: Tx, row: NewRow<'planMembers'>) {
  return (await tx.insertInto('planMembers').values(row).returning('id').executeTakeFirstOrThrow()).id;
}

export async function linkInvolvement(
  tx: Tx,
  partnershipId: string,
  memberId: string,
  involvementId: string,
) {
  await tx.insertInto('planMemberInvolvements').values({ partnershipId, memberId, involvementId }).execute();
}

/** Applies a change to the plan if it is still at the version the editor saw; answers whether it was. */
export async function updatePlan(
  tx: Tx,
  partnershipId: string,
  planId: string,
  version: number,
  patch: RowUpdate<'plans'>,
): Promise<boolean> {
  const done = await tx
    .updateTable('plans')
    .set({ ...patch, version: version + 1 })
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', planId)
    .where('version', '=', version)
    .executeTakeFirst();
  return done.numUpdatedRows === 1n;
}

/** The team as it is now, oldest member first. */
export function currentMembers(q: Q, partnershipId: string, planId: string) {
  return q
    .selectFrom('planMembers')
    .selectAll()
    .where('partnershipId', '=', partnershipId)
    .where('planId', '=', planId)
    .where('leftAt', 'is', null)
    .orderBy('joinedAt')
    .orderBy('id')
    .execute();
}

export async function endMember(
  tx: Tx,
  partnershipId: string,
  memberId: string,
  end: { at: Date; reason: string },
) {
  await tx
    .updateTable('planMembers')
    .set({ leftAt: end.at, leftReason: end.reason })
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', memberId)
    .where('leftAt', 'is', null)
    .execute();
}

export async function setMemberRole(tx: Tx, partnershipId: string, memberId: string, role: string) {
  await tx
    .updateTable('planMembers')
    .set({ role })
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', memberId)
    .execute();
}

/** The open involvements these members hold through the plan; for one child, when given. */
export async function openMemberInvolvements(
  q: Q,
  partnershipId: string,
  memberIds: readonly string[],
  personId?: string,
) {
  if (memberIds.length === 0) return [];
  let query = q
    .selectFrom('planMemberInvolvements as l')
    .innerJoin('involvements as i', (j) =>
      j.onRef('i.partnershipId', '=', 'l.partnershipId').onRef('i.id', '=', 'l.involvementId'),
    )
    .select(['l.memberId', 'i.id', 'i.personId'])
    .where('l.partnershipId', '=', partnershipId)
    .where('l.memberId', 'in', memberIds)
    .where('i.endedAt', 'is', null);
  if (personId) query = query.where('i.personId', '=', personId);
  return query.execute();
}

export async function endCurrentLead(tx: Tx, partnershipId: string, planId: string, at: Date) {
  await tx
    .updateTable('planLeads')
    .set({ endedAt: at })
    .where('partnershipId', '=', partnershipId)
    .where('planId', '=', planId)
    .where('endedAt', 'is', null)
    .execute();
}

/** The stage the plan is in now. */
export function currentStage(q: Q, partnershipId: string, planId: string) {
  return q
    .selectFrom('planStages')
    .selectAll()
    .where('partnershipId', '=', partnershipId)
    .where('planId', '=', planId)
    .where('endedOn', 'is', null)
    .executeTakeFirstOrThrow();
}

export async function endStage(tx: Tx, partnershipId: string, stageId: string, endedOn: string) {
  await tx
    .updateTable('planStages')
    .set({ endedOn })
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', stageId)
    .execute();
}

/** A child leaves the plan (a closed plan keeps its children, no longer current). */
export async function removeChild(
  tx: Tx,
  partnershipId: string,
  planId: string,
  personId: string,
  on: string,
) {
  await tx
    .updateTable('planChildren')
    .set({ removedOn: on, current: false })
    .where('partnershipId', '=', partnershipId)
    .where('planId', '=', planId)
    .where('personId', '=', personId)
    .execute();
}

export async function closeChildren(tx: Tx, partnershipId: string, planId: string) {
  await tx
    .updateTable('planChildren')
    .set({ current: false })
    .where('partnershipId', '=', partnershipId)
    .where('planId', '=', planId)
    .execute();
}

/** Whether the child was on this plan before and left it: coming back reopens their row. */
export async function rejoinChild(
  tx: Tx,
  partnershipId: string,
  planId: string,
  personId: string,
  on: string,
) {
  const done = await tx
    .updateTable('planChildren')
    .set({ addedOn: on, removedOn: null, current: true })
    .where('partnershipId', '=', partnershipId)
    .where('planId', '=', planId)
    .where('personId', '=', personId)
    .executeTakeFirst();
  return done.numUpdatedRows === 1n;
}

// --- The plan page --------------------------------------------------------------------------------

/** A timestamp inside JSON, as an ISO instant whatever the session's time zone (null stays null). */
function isoUtc(column: string) {
  return sql<string>`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/** Everything the plan page shows beside the work: children, team, stages, leads, in one round trip. */
export async function planPage(q: Q, partnershipId: string, planId: string) {
  const row = await q
    .selectFrom('plans as plan')
    .innerJoin('users as lead', (j) =>
      j
        .onRef('lead.partnershipId', '=', 'plan.partnershipId')
        .onRef('lead.id', '=', 'plan.leadProfessionalId'),
    )
    .select((eb) => [
      'lead.displayName as leadName',
      jsonArrayFrom(
        eb
          .selectFrom('planChildren as c')
          .innerJoin('people as p', (j) =>
            j.onRef('p.partnershipId', '=', 'c.partnershipId').onRef('p.id', '=', 'c.personId'),
          )
          .select([
            'p.id',
            'p.givenName',
            'p.familyName',
            'p.dateOfBirth',
            'p.kind',
            'c.addedOn',
            'c.removedOn',
          ])
          .whereRef('c.partnershipId', '=', 'plan.partnershipId')
          .whereRef('c.planId', '=', 'plan.id')
          .orderBy('c.removedOn', (ob) => ob.desc().nullsFirst())
          .orderBy('p.dateOfBirth'),
      ).as('children'),
      jsonArrayFrom(
        eb
          .selectFrom('planMembers as m')
          .innerJoin('users as u', (j) =>
            j.onRef('u.partnershipId', '=', 'm.partnershipId').onRef('u.id', '=', 'm.userId'),
          )
          .innerJoin('organisations as o', (j) =>
            j.onRef('o.partnershipId', '=', 'm.partnershipId').onRef('o.id', '=', 'm.organisationId'),
          )
          .select([
            'm.id',
            'm.userId',
            'u.displayName as name',
            'u.email',
            'm.role',
            'o.name as organisationName',
            'o.sector',
            'm.seconded',
            'm.commitment',
            isoUtc('m.joined_at').as('joinedAt'),
            isoUtc('m.left_at').as('leftAt'),
            'm.leftReason',
          ])
          .whereRef('m.partnershipId', '=', 'plan.partnershipId')
          .whereRef('m.planId', '=', 'plan.id')
          .orderBy('m.leftAt', (ob) => ob.desc().nullsFirst())
          .orderBy('m.joinedAt'),
      ).as('members'),
      jsonArrayFrom(
        eb
          .selectFrom('planStages as s')
          .innerJoin('users as u', (j) =>
            j.onRef('u.partnershipId', '=', 's.partnershipId').onRef('u.id', '=', 's.decidedBy'),
          )
          .select([
            's.id',
            's.kind',
            's.startedOn',
            's.endedOn',
            's.reason',
            'u.displayName as decidedByName',
          ])
          .whereRef('s.partnershipId', '=', 'plan.partnershipId')
          .whereRef('s.planId', '=', 'plan.id')
          .orderBy('s.startedOn', 'desc')
          .orderBy(sql`s.ended_on desc nulls first`),
      ).as('stages'),
      jsonArrayFrom(
        eb
          .selectFrom('planLeads as l')
          .innerJoin('users as u', (j) =>
            j.onRef('u.partnershipId', '=', 'l.partnershipId').onRef('u.id', '=', 'l.userId'),
          )
          .innerJoin('users as r', (j) =>
            j.onRef('r.partnershipId', '=', 'l.partnershipId').onRef('r.id', '=', 'l.recordedBy'),
          )
          .select([
            'l.id',
            'u.displayName as name',
            isoUtc('l.started_at').as('startedAt'),
            isoUtc('l.ended_at').as('endedAt'),
            'l.handoverNote',
            'r.displayName as recordedByName',
          ])
          .whereRef('l.partnershipId', '=', 'plan.partnershipId')
          .whereRef('l.planId', '=', 'plan.id')
          .orderBy('l.startedAt', 'desc'),
      ).as('leads'),
    ])
    .where('plan.partnershipId', '=', partnershipId)
    .where('plan.id', '=', planId)
    .executeTakeFirstOrThrow();
  return row;
}

export function eventsOf(q: Q, partnershipId: string, planId: string, limit: number) {
  return q
    .selectFrom('planEvents')
    .select(['id', 'action', 'at', 'actorLabel', 'detail'])
    .where('partnershipId', '=', partnershipId)
    .where('planId', '=', planId)
    .orderBy('at', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute();
}

function overdueActionCount(today: string) {
  return sql<number>`(select count(*)::int from plan_actions a
    where a.partnership_id = p.partnership_id and a.plan_id = p.id
      and a.due_on < ${today}::date and a.status in ('to_do', 'in_progress'))`;
}

/**
 * How many of the open plans a person leads or serves on have a review overdue or due by `soon`, and
 * how many actions they own are overdue: counts only, for the reminder on their home page.
 */
export async function reminderCounts(
  q: Q,
  partnershipId: string,
  userId: string,
  today: string,
  soon: string,
) {
  const { rows } = await sql<{ overdueReviews: number; reviewsDueSoon: number; overdueActions: number }>`
    with mine as (
      select p.id, p.next_review_due from plans p
      where p.partnership_id = ${partnershipId} and p.status = 'open'
        and (p.lead_professional_id = ${userId} or exists (select 1 from plan_members m
          where m.partnership_id = p.partnership_id and m.plan_id = p.id and m.user_id = ${userId}
            and m.left_at is null)))
    select
      (select count(*)::int from mine where next_review_due < ${today}::date) as "overdueReviews",
      (select count(*)::int from mine where next_review_due between ${today}::date and ${soon}::date)
        as "reviewsDueSoon",
      (select count(*)::int from plan_actions a join plans p on p.partnership_id = a.partnership_id
        and p.id = a.plan_id and p.status = 'open'
        where a.partnership_id = ${partnershipId} and a.owner_user_id = ${userId}
          and a.due_on < ${today}::date and a.status in ('to_do', 'in_progress')) as "overdueActions"
  `.execute(q);
  return rows[0]!;
}

/**
 * The plans a person leads or serves on now, and those they served on until they closed in the last
 * year; open plans first, the soonest review first.
 */
export function plansOfUser(q: Q, partnershipId: string, userId: string, today: string, closedSince: string) {
  return q
    .selectFrom('plans as p')
    .innerJoin('users as lead', (j) =>
      j.onRef('lead.partnershipId', '=', 'p.partnershipId').onRef('lead.id', '=', 'p.leadProfessionalId'),
    )
    .select((eb) => [
      'p.id',
      'p.number',
      'p.familyName',
      'p.kind',
      'p.status',
      'p.nextReviewDue',
      'p.closedOn',
      'p.leadProfessionalId',
      'lead.displayName as leadName',
      overdueActionCount(today).as('overdueActions'),
      jsonArrayFrom(
        eb
          .selectFrom('planChildren as c')
          .innerJoin('people as pp', (j) =>
            j.onRef('pp.partnershipId', '=', 'c.partnershipId').onRef('pp.id', '=', 'c.personId'),
          )
          .select(['pp.id', 'pp.givenName', 'pp.familyName'])
          .whereRef('c.partnershipId', '=', 'p.partnershipId')
          .whereRef('c.planId', '=', 'p.id')
          .where('c.removedOn', 'is', null)
          .orderBy('pp.dateOfBirth'),
      ).as('children'),
      eb
        .exists(
          eb
            .selectFrom('planMembers as m')
            .select('m.id')
            .whereRef('m.partnershipId', '=', 'p.partnershipId')
            .whereRef('m.planId', '=', 'p.id')
            .where('m.userId', '=', userId)
            .where('m.leftAt', 'is', null),
        )
        .as('serving'),
    ])
    .where('p.partnershipId', '=', partnershipId)
    .where((eb) =>
      eb.or([
        eb.and([
          eb('p.status', '=', 'open'),
          eb.or([
            eb('p.leadProfessionalId', '=', userId),
            eb.exists(
              eb
                .selectFrom('planMembers as m')
                .select('m.id')
                .whereRef('m.partnershipId', '=', 'p.partnershipId')
                .whereRef('m.planId', '=', 'p.id')
                .where('m.userId', '=', userId)
                .where('m.leftAt', 'is', null),
            ),
          ]),
        ]),
        eb.and([
          eb('p.status', '=', 'closed'),
          eb('p.closedOn', '>=', closedSince),
          eb.exists(
            eb
              .selectFrom('planMembers as m')
              .select('m.id')
              .whereRef('m.partnershipId', '=', 'p.partnershipId')
              .whereRef('m.planId', '=', 'p.id')
              .where('m.userId', '=', userId)
              .where(sql<boolean>`m.left_at >= p.updated_at`),
          ),
        ]),
      ]),
    )
    .orderBy(sql`p.status = 'open'`, 'desc')
    .orderBy('p.nextReviewDue')
    .orderBy('p.closedOn', 'desc')
    .limit(500)
    .execute();
}

// --- Allocation -----------------------------------------------------------------------------------

/** Front-door episodes waiting for a lead professional, oldest first; sealed records only to the named. */
export function episodesAwaiting(q: Q, partnershipId: string, userId: string) {
  return q
    .selectFrom('episodes as e')
    .innerJoin('people as p', (j) =>
      j.onRef('p.partnershipId', '=', 'e.partnershipId').onRef('p.id', '=', 'e.personId'),
    )
    .innerJoin('contacts as c', (j) =>
      j.onRef('c.partnershipId', '=', 'e.partnershipId').onRef('c.id', '=', 'e.contactId'),
    )
    .select([
      'e.id',
      'e.kind',
      'e.openedAt',
      'e.dueOn',
      'e.personId',
      'e.contactId',
      'c.number as contactNumber',
      'p.givenName',
      'p.familyName',
      'p.dateOfBirth',
    ])
    .where('e.partnershipId', '=', partnershipId)
    .where('e.status', '=', 'awaiting_allocation')
    .where(visibleTo(userId))
    .orderBy('e.openedAt')
    .orderBy('e.id')
    .limit(500)
    .execute();
}

/** Open plans whose next review is overdue or due by the date given, the most overdue first. */
export function reviewsDue(q: Q, partnershipId: string, until: string) {
  return q
    .selectFrom('plans as p')
    .innerJoin('users as lead', (j) =>
      j.onRef('lead.partnershipId', '=', 'p.partnershipId').onRef('lead.id', '=', 'p.leadProfessionalId'),
    )
    .select(['p.id', 'p.number', 'p.familyName', 'p.kind', 'p.nextReviewDue', 'lead.displayName as leadName'])
    .where('p.partnershipId', '=', partnershipId)
    .where('p.status', '=', 'open')
    .where('p.nextReviewDue', '<=', until)
    .orderBy('p.nextReviewDue')
    .orderBy('p.id')
    .limit(500)
    .execute();
}

/** Open plans with actions past their due date and not done, the most overdue first. */
export function plansWithOverdueActions(q: Q, partnershipId: string, today: string) {
  return q
    .selectFrom('planActions as a')
    .innerJoin('plans as p', (j) =>
      j.onRef('p.partnershipId', '=', 'a.partnershipId').onRef('p.id', '=', 'a.planId'),
    )
    .innerJoin('users as lead', (j) =>
      j.onRef('lead.partnershipId', '=', 'p.partnershipId').onRef('lead.id', '=', 'p.leadProfessionalId'),
    )
    .select([
      'p.id',
      'p.number',
      'p.familyName',
      'p.kind',
      'lead.displayName as leadName',
      sql<number>`count(*)::int`.as('overdueActions'),
      sql<string>`min(a.due_on)`.as('oldestDueOn'),
    ])
    .where('a.partnershipId', '=', partnershipId)
    .where('p.status', '=', 'open')
    .where('a.dueOn', '<', today)
    .where('a.status', 'in', ['to_do', 'in_progress'])
    .groupBy(['p.id', 'p.number', 'p.familyName', 'p.kind', 'lead.displayName'])
    .orderBy(sql`min(a.due_on)`)
    .orderBy('p.id')
    .limit(500)
    .execute();
}

/** The children on each of these plans now, for the audit of a list that names the families. */
export async function childrenOfPlans(q: Q, partnershipId: string, planIds: readonly string[]) {
  if (planIds.length === 0) return [];
  const rows = await q
    .selectFrom('planChildren')
    .select('personId')
    .where('partnershipId', '=', partnershipId)
    .where('planId', 'in', planIds)
    .where('removedOn', 'is', null)
    .execute();
  return rows.map((r) => r.personId);
}

export function findEpisode(q: Q, partnershipId: string, episodeId: string) {
  return q
    .selectFrom('episodes as e')
    .innerJoin('contacts as c', (j) =>
      j.onRef('c.partnershipId', '=', 'e.partnershipId').onRef('c.id', '=', 'e.contactId'),
    )
    .leftJoin('plans as p', (j) =>
      j.onRef('p.partnershipId', '=', 'e.partnershipId').onRef('p.episodeId', '=', 'e.id'),
    )
    .select([
      'e.id',
      'e.personId',
      'e.contactId',
      'e.kind',
      'e.status',
      'e.openedAt',
      'e.dueOn',
      'e.version',
      'c.number as contactNumber',
      'p.id as planId',
    ])
    .where('e.partnershipId', '=', partnershipId)
    .where('e.id', '=', episodeId)
    .executeTakeFirst();
}

/** The episode gets its lead professional, if still at the version the manager saw. */
export async function allocateEpisode(
  tx: Tx,
  partnershipId: string,
  episodeId: string,
  version: number,
  leadProfessionalId: string,
): Promise<boolean> {
  const done = await tx
    .updateTable('episodes')
    .set({ status: 'open', leadProfessionalId, version: version + 1 })
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', episodeId)
    .where('version', '=', version)
    .where('status', '=', 'awaiting_allocation')
    .executeTakeFirst();
  return done.numUpdatedRows === 1n;
}

export async function closeEpisode(tx: Tx, partnershipId: string, episodeId: string) {
  await tx
    .updateTable('episodes')
    .set({ status: 'closed', version: sql`version + 1` })
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', episodeId)
    .execute();
}
