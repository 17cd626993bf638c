import { sql } from 'kysely';
import type { Db, Tx } from '../../db/database.ts';
import type { NewRow, RowUpdate } from '../../db/schema.ts';
import { involvementInForce } from '../access/index.ts';

type Q = Db | Tx;

/** The assessments' SQL; every query is scoped to a partnership. */

/** Whose assessment it is, to open the child's record through the access gate. */
export async function personOf(q: Q, partnershipId: string, assessmentId: string) {
  const row = await q
    .selectFrom('assessments')
    .select('personId')
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', assessmentId)
    .executeTakeFirst();
  return row?.personId;
}

export function findAssessment(q: Q, partnershipId: string, assessmentId: string, lock: boolean) {
  let query = q
    .selectFrom('assessments')
    .selectAll()
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', assessmentId);
  if (lock) query = query.forUpdate();
  return query.executeTakeFirst();
}

export function findPerson(q: Q, partnershipId: string, personId: string) {
  return q
    .selectFrom('people')
    .select(['id', 'kind', 'givenName', 'familyName', 'dateOfBirth', 'expectedDate'])
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', personId)
    .executeTakeFirstOrThrow();
}

export async function jurisdictionOf(q: Q, partnershipId: string) {
  const row = await q
    .selectFrom('partnerships')
    .select('jurisdiction')
    .where('id', '=', partnershipId)
    .executeTakeFirstOrThrow();
  return row.jurisdiction;
}

export function organisationOf(q: Q, partnershipId: string, organisationId: string) {
  return q
    .selectFrom('organisations')
    .select(['id', 'name', 'sector'])
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', organisationId)
    .executeTakeFirstOrThrow();
}

export function userName(q: Q, partnershipId: string, userId: string) {
  return q
    .selectFrom('users as u')
    .innerJoin('organisations as o', (j) =>
      j.onRef('o.partnershipId', '=', 'u.partnershipId').onRef('o.id', '=', 'u.organisationId'),
    )
    .select(['u.displayName', 'o.name as organisationName'])
    .where('u.partnershipId', '=', partnershipId)
    .where('u.id', '=', userId)
    .executeTakeFirst();
}

/** The plan the child is on now, and the child's open front-door episodes: what a new assessment may belong to. */
export async function linksFor(q: Q, partnershipId: string, personId: string) {
  const [plans, episodes] = await Promise.all([
    q
      .selectFrom('planChildren as c')
      .innerJoin('plans as p', (j) =>
        j.onRef('p.partnershipId', '=', 'c.partnershipId').onRef('p.id', '=', 'c.planId'),
      )
      .select(['p.id', 'p.number', 'p.kind', 'p.familyName', 'p.startedOn'])
      .where('c.partnershipId', '=', partnershipId)
      .where('c.personId', '=', personId)
      .where('c.removedOn', 'is', null)
      .where('p.status', '=', 'open')
      .execute(),
    q
      .selectFrom('episodes')
      .select(['id', 'kind', 'openedAt'])
      .where('partnershipId', '=', partnershipId)
      .where('personId', '=', personId)
      .where('status', '!=', 'closed')
      .orderBy('openedAt', 'desc')
      .execute(),
  ]);
  return { plans, episodes };
}

export async function insertAssessment(q: Q, row: NewRow<'assessments'>) {
  return q.insertInto('assessments').values(row).returning(['id', 'number']).executeTakeFirstOrThrow();
}

export function sectionsOf(q: Q, partnershipId: string, assessmentId: string) {
  return q
    .selectFrom('assessmentSections as s')
    .innerJoin('users as u', (j) =>
      j.onRef('u.partnershipId', '=', 's.partnershipId').onRef('u.id', '=', 's.updatedBy'),
    )
    .select([
      's.sectionId',
      's.answers',
      's.notRecordedReason',
      's.updatedAt',
      's.version',
      'u.displayName as updatedByName',
    ])
    .where('s.partnershipId', '=', partnershipId)
    .where('s.assessmentId', '=', assessmentId)
    .execute();
}

export function lockSection(q: Q, partnershipId: string, assessmentId: string, sectionId: string) {
  return q
    .selectFrom('assessmentSections')
    .select(['version', 'updatedBy', 'updatedAt'])
    .where('partnershipId', '=', partnershipId)
    .where('assessmentId', '=', assessmentId)
    .where('sectionId', '=', sectionId)
    .forUpdate()
    .executeTakeFirst();
}

/** The first save of a section; false when someone else saved it first. */
export async function insertSection(q: Q, row: NewRow<'assessmentSections'>): Promise<boolean> {
  const inserted = await q
    .insertInto('assessmentSections')
    .values(row)
    .onConflict((oc) => oc.columns(['partnershipId', 'assessmentId', 'sectionId']).doNothing())
    .returning('version')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** A later save, only over the version the person saw; false when it has moved on. */
export async function updateSection(
  q: Q,
  key: { partnershipId: string; assessmentId: string; sectionId: string },
  version: number,
  patch: RowUpdate<'assessmentSections'>,
): Promise<boolean> {
  const result = await q
    .updateTable('assessmentSections')
    .set({ ...patch, version: sql`version + 1` })
    .where('partnershipId', '=', key.partnershipId)
    .where('assessmentId', '=', key.assessmentId)
    .where('sectionId', '=', key.sectionId)
    .where('version', '=', version)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export async function insertContribution(q: Q, row: NewRow<'assessmentContributions'>) {
  await q.insertInto('assessmentContributions').values(row).execute();
}

/** Any save moves the assessment's version on, so a finish decided on an older view is refused. */
export async function touchAssessment(q: Q, partnershipId: string, assessmentId: string, at: Date) {
  await q
    .updateTable('assessments')
    .set({ updatedAt: at, version: sql`version + 1` })
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', assessmentId)
    .execute();
}

export async function finishAssessment(
  q: Q,
  partnershipId: string,
  assessmentId: string,
  version: number,
  patch: RowUpdate<'assessments'>,
): Promise<boolean> {
  const result = await q
    .updateTable('assessments')
    .set({ ...patch, status: 'finished', version: sql`version + 1` })
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', assessmentId)
    .where('version', '=', version)
    .where('status', '=', 'draft')
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** Every save of the assessment's sections, oldest first, with who made it and for which agency. */
export function contributionsOf(q: Q, partnershipId: string, assessmentId: string) {
  return q
    .selectFrom('assessmentContributions as c')
    .innerJoin('users as u', (j) =>
      j.onRef('u.partnershipId', '=', 'c.partnershipId').onRef('u.id', '=', 'c.userId'),
    )
    .innerJoin('organisations as o', (j) =>
      j.onRef('o.partnershipId', '=', 'c.partnershipId').onRef('o.id', '=', 'c.organisationId'),
    )
    .select([
      'c.id',
      'c.sectionId',
      'c.at',
      'c.answers',
      'c.notRecordedReason',
      'c.userId',
      'u.displayName as userName',
      'o.name as organisationName',
    ])
    .where('c.partnershipId', '=', partnershipId)
    .where('c.assessmentId', '=', assessmentId)
    .orderBy('c.at')
    .orderBy('c.id')
    .execute();
}

/** Who contributed to each section: each person once, with their agency and their latest save. */
export function contributorsOf(q: Q, partnershipId: string, assessmentId: string) {
  return q
    .selectFrom('assessmentContributions as c')
    .innerJoin('users as u', (j) =>
      j.onRef('u.partnershipId', '=', 'c.partnershipId').onRef('u.id', '=', 'c.userId'),
    )
    .innerJoin('organisations as o', (j) =>
      j.onRef('o.partnershipId', '=', 'c.partnershipId').onRef('o.id', '=', 'c.organisationId'),
    )
    .select((eb) => [
      'c.sectionId',
      'u.displayName as userName',
      'o.name as organisationName',
      eb.fn.max('c.at').as('lastAt'),
      eb.fn.countAll<string>().as('saves'),
    ])
    .where('c.partnershipId', '=', partnershipId)
    .where('c.assessmentId', '=', assessmentId)
    .groupBy(['c.sectionId', 'c.userId', 'u.displayName', 'o.name'])
    .orderBy('lastAt')
    .execute();
}

/** A child's assessments, newest first. */
export function assessmentsOfPerson(q: Q, partnershipId: string, personId: string) {
  return q
    .selectFrom('assessments as a')
    .innerJoin('users as u', (j) =>
      j.onRef('u.partnershipId', '=', 'a.partnershipId').onRef('u.id', '=', 'a.startedBy'),
    )
    .select([
      'a.id',
      'a.number',
      'a.templateId',
      'a.templateVersion',
      'a.status',
      'a.outcome',
      'a.startedAt',
      'a.finishedAt',
      'a.updatedAt',
      'u.displayName as startedByName',
    ])
    .where('a.partnershipId', '=', partnershipId)
    .where('a.personId', '=', personId)
    .orderBy('a.startedAt', 'desc')
    .execute();
}

/**
 * Drafts a person started or contributed to, for children they are involved with now (their own
 * involvement or their team's) and whose records they may see: the same rules as the access gate.
 */
export function draftsOf(q: Q, partnershipId: string, userId: string, now: Date) {
  return q
    .selectFrom('assessments as a')
    .innerJoin('people as p', (j) =>
      j.onRef('p.partnershipId', '=', 'a.partnershipId').onRef('p.id', '=', 'a.personId'),
    )
    .select([
      'a.id',
      'a.number',
      'a.templateId',
      'a.templateVersion',
      'a.startedAt',
      'a.updatedAt',
      'p.id as personId',
      'p.givenName',
      'p.familyName',
    ])
    .where('a.partnershipId', '=', partnershipId)
    .where('a.status', '=', 'draft')
    .where((eb) =>
      eb.or([
        eb('a.startedBy', '=', userId),
        eb.exists(
          eb
            .selectFrom('assessmentContributions as c')
            .select(sql`1`.as('one'))
            .whereRef('c.partnershipId', '=', 'a.partnershipId')
            .whereRef('c.assessmentId', '=', 'a.id')
            .where('c.userId', '=', userId),
        ),
      ]),
    )
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('involvements as i')
          .select(sql`1`.as('one'))
          .whereRef('i.partnershipId', '=', 'a.partnershipId')
          .whereRef('i.personId', '=', 'a.personId')
          .where(involvementInForce(userId, now)),
      ),
    )
    .where(
      sql<boolean>`(p.sealed_at is null or exists (select 1 from sealed_record_users s
        where s.partnership_id = p.partnership_id and s.person_id = p.id and s.user_id = ${userId}))`,
    )
    .orderBy('a.updatedAt', 'desc')
    .limit(200)
    .execute();
}
