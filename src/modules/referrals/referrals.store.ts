import { sql } from 'kysely';
import type { Jurisdiction } from '../../common/working-days.ts';
import type { Db, Tx } from '../../db/database.ts';
import type { NewRow, RowUpdate } from '../../db/schema.ts';
import type { ContactStatus } from './referrals.workflow.ts';

type Q = Db | Tx;

/** The front door's SQL; every query is scoped to a partnership. */

/** The public holidays the partnership's working days skip: those its front door counts with. */
export async function holidayCalendar(q: Q, partnershipId: string): Promise<Jurisdiction> {
  const row = await q
    .selectFrom('frontDoorSettings')
    .select('calendar')
    .where('partnershipId', '=', partnershipId)
    .executeTakeFirst();
  return row?.calendar ?? 'england-and-wales';
}

export async function settingsOf(q: Q, partnershipId: string) {
  const found = await q
    .selectFrom('frontDoorSettings')
    .selectAll()
    .where('partnershipId', '=', partnershipId)
    .executeTakeFirst();
  if (found) return found;
  return q
    .insertInto('frontDoorSettings')
    .values({ partnershipId })
    .onConflict((oc) => oc.column('partnershipId').doUpdateSet({ partnershipId }))
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateSettings(
  q: Q,
  partnershipId: string,
  version: number,
  patch: RowUpdate<'frontDoorSettings'>,
): Promise<boolean> {
  const result = await q
    .updateTable('frontDoorSettings')
    .set({ ...patch, version: sql`version + 1` })
    .where('partnershipId', '=', partnershipId)
    .where('version', '=', version)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** Claims a submission's key; answers the earlier result when the key was used before. */
export async function claimIdempotencyKey(
  q: Q,
  row: NewRow<'idempotencyKeys'>,
): Promise<{ fresh: true } | { fresh: false; requestSha256: string; resultId: string }> {
  const inserted = await q
    .insertInto('idempotencyKeys')
    .values(row)
    .onConflict((oc) => oc.columns(['partnershipId', 'scope', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  if (inserted) return { fresh: true };
  const earlier = await q
    .selectFrom('idempotencyKeys')
    .select(['requestSha256', 'resultId'])
    .where('partnershipId', '=', row.partnershipId)
    .where('scope', '=', row.scope)
    .where('key', '=', row.key)
    .executeTakeFirstOrThrow();
  return { fresh: false, ...earlier };
}

export async function insertContact(q: Q, row: NewRow<'contacts'>) {
  return q.insertInto('contacts').values(row).returning(['id', 'number']).executeTakeFirstOrThrow();
}

export async function appendEvent(q: Q, row: NewRow<'contactEvents'>) {
  await q.insertInto('contactEvents').values(row).execute();
}

/** A contact with the names of the people it mentions, for its page. */
export function findContact(q: Q, partnershipId: string, id: string) {
  return q
    .selectFrom('contacts as c')
    .leftJoin('users as ru', (j) =>
      j.onRef('ru.partnershipId', '=', 'c.partnershipId').onRef('ru.id', '=', 'c.referrerUserId'),
    )
    .leftJoin('organisations as ro', (j) =>
      j.onRef('ro.partnershipId', '=', 'c.partnershipId').onRef('ro.id', '=', 'c.referrerOrganisationId'),
    )
    .leftJoin('users as cu', (j) =>
      j.onRef('cu.partnershipId', '=', 'c.partnershipId').onRef('cu.id', '=', 'c.claimedBy'),
    )
    .leftJoin('users as du', (j) =>
      j.onRef('du.partnershipId', '=', 'c.partnershipId').onRef('du.id', '=', 'c.decidedBy'),
    )
    .leftJoin('users as au', (j) =>
      j.onRef('au.partnershipId', '=', 'c.partnershipId').onRef('au.id', '=', 'c.approvedBy'),
    )
    .leftJoin('people as p', (j) =>
      j.onRef('p.partnershipId', '=', 'c.partnershipId').onRef('p.id', '=', 'c.personId'),
    )
    .selectAll('c')
    .select([
      'ru.displayName as referrerUserName',
      'ro.name as referrerOrganisationName',
      'ro.sector as referrerSector',
      'cu.displayName as claimedByName',
      'du.displayName as decidedByName',
      'au.displayName as approvedByName',
      'p.givenName as personGivenName',
      'p.familyName as personFamilyName',
      'p.dateOfBirth as personDateOfBirth',
    ])
    .where('c.partnershipId', '=', partnershipId)
    .where('c.id', '=', id)
    .executeTakeFirst();
}

/** Locks the contact's row for a change and answers its current state. */
export function lockContact(tx: Tx, partnershipId: string, id: string) {
  return tx
    .selectFrom('contacts')
    .selectAll()
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

/** Locks the contact with this number (as the person index names its record) and answers it. */
export function lockContactByNumber(tx: Tx, partnershipId: string, number: string) {
  return tx
    .selectFrom('contacts')
    .selectAll()
    .where('partnershipId', '=', partnershipId)
    .where('number', '=', number)
    .forUpdate()
    .executeTakeFirst();
}

export async function contactIdByNumber(q: Q, partnershipId: string, number: string) {
  const row = await q
    .selectFrom('contacts')
    .select('id')
    .where('partnershipId', '=', partnershipId)
    .where('number', '=', number)
    .executeTakeFirst();
  return row?.id;
}

export type LockedContact = NonNullable<Awaited<ReturnType<typeof lockContact>>>;

export async function userName(q: Q, partnershipId: string, userId: string) {
  const row = await q
    .selectFrom('users')
    .select('displayName')
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', userId)
    .executeTakeFirst();
  return row?.displayName ?? null;
}

/** Changes a contact if it is still the version the person saw; answers whether it was. */
export async function updateContact(
  tx: Tx,
  partnershipId: string,
  id: string,
  version: number,
  patch: RowUpdate<'contacts'>,
): Promise<boolean> {
  const result = await tx
    .updateTable('contacts')
    .set({ ...patch, version: sql`version + 1` })
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export function eventsOf(q: Q, partnershipId: string, contactId: string) {
  return q
    .selectFrom('contactEvents')
    .select(['action', 'at', 'actorLabel', 'detail'])
    .where('partnershipId', '=', partnershipId)
    .where('contactId', '=', contactId)
    .orderBy('at')
    .orderBy('id')
    .execute();
}

export type QueueFilter = {
  status?: ContactStatus;
  claimedBy?: string;
  unclaimed?: boolean;
  overdueBefore?: Date;
};

/** Open contacts, soonest due first, a page at a time, with each child's contacts in the last year. */
export function openContacts(
  q: Q,
  partnershipId: string,
  filter: QueueFilter,
  since: Date,
  page: { limit: number; offset: number },
) {
  let query = q
    .selectFrom('contacts as c')
    .leftJoin('users as cu', (j) =>
      j.onRef('cu.partnershipId', '=', 'c.partnershipId').onRef('cu.id', '=', 'c.claimedBy'),
    )
    .leftJoin('people as p', (j) =>
      j.onRef('p.partnershipId', '=', 'c.partnershipId').onRef('p.id', '=', 'c.personId'),
    )
    .select((eb) => [
      'c.id',
      'c.number',
      'c.receivedAt',
      'c.dueAt',
      'c.status',
      'c.priority',
      'c.urgency',
      'c.source',
      'c.personId',
      'c.childGivenName',
      'c.childFamilyName',
      'c.childDescription',
      'c.childDateOfBirth',
      'p.givenName as personGivenName',
      'p.familyName as personFamilyName',
      'cu.displayName as claimedByName',
      eb
        .selectFrom('contacts as e')
        .select((e) => e.fn.countAll<string>().as('n'))
        .whereRef('e.partnershipId', '=', 'c.partnershipId')
        .whereRef('e.personId', '=', 'c.personId')
        .whereRef('e.id', '<>', 'c.id')
        .where('e.receivedAt', '>=', since)
        .as('earlierContacts'),
    ])
    .where('c.partnershipId', '=', partnershipId)
    .where('c.status', '<>', 'decided');
  if (filter.status) query = query.where('c.status', '=', filter.status);
  if (filter.claimedBy) query = query.where('c.claimedBy', '=', filter.claimedBy);
  if (filter.unclaimed) query = query.where('c.claimedBy', 'is', null);
  if (filter.overdueBefore) query = query.where('c.dueAt', '<', filter.overdueBefore);
  return query.orderBy('c.dueAt').orderBy('c.number').limit(page.limit).offset(page.offset).execute();
}

/** How many contacts are open, overdue, and due within the warning window. */
export async function queueCounts(q: Q, partnershipId: string, now: Date, warnUntil: Date) {
  const row = await q
    .selectFrom('contacts')
    .select((eb) => [
      eb.fn.countAll<string>().as('open'),
      eb.fn.count<string>(eb.case().when('dueAt', '<', now).then(1).end()).as('breached'),
      eb.fn
        .count<string>(
          eb
            .case()
            .when(eb.and([eb('dueAt', '>=', now), eb('dueAt', '<', warnUntil)]))
            .then(1)
            .end(),
        )
        .as('nearBreach'),
      eb.fn.count<string>(eb.case().when('claimedBy', 'is', null).then(1).end()).as('unclaimed'),
    ])
    .where('partnershipId', '=', partnershipId)
    .where('status', '<>', 'decided')
    .executeTakeFirstOrThrow();
  return {
    open: Number(row.open),
    breached: Number(row.breached),
    nearBreach: Number(row.nearBreach),
    unclaimed: Number(row.unclaimed),
  };
}

/** The child's other contacts in the period, newest first, with their outcomes. */
export function contactsAbout(q: Q, partnershipId: string, personId: string, exceptId: string, since: Date) {
  return q
    .selectFrom('contacts')
    .select(['id', 'number', 'receivedAt', 'status', 'outcome', 'finalAt', 'reReferral'])
    .where('partnershipId', '=', partnershipId)
    .where('personId', '=', personId)
    .where('id', '<>', exceptId)
    .where('receivedAt', '>=', since)
    .orderBy('receivedAt', 'desc')
    .execute();
}

/** Whether the child had a referral (a statutory response) decided in the period: this one is a re-referral. */
export async function hadReferralSince(
  q: Q,
  partnershipId: string,
  personId: string,
  exceptId: string,
  since: Date,
) {
  const row = await q
    .selectFrom('contacts')
    .select('id')
    .where('partnershipId', '=', partnershipId)
    .where('personId', '=', personId)
    .where('id', '<>', exceptId)
    .where('outcome', 'in', ['statutory_assessment', 'strategy_discussion'])
    .where('finalAt', '>=', since)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export function contactsReferredBy(q: Q, partnershipId: string, userId: string, limit: number) {
  return q
    .selectFrom('contacts')
    .select([
      'id',
      'number',
      'receivedAt',
      'status',
      'outcome',
      'referrerToldAt',
      'childGivenName',
      'childFamilyName',
      'childDescription',
      'personId',
    ])
    .where('partnershipId', '=', partnershipId)
    .where('referrerUserId', '=', userId)
    .orderBy('receivedAt', 'desc')
    .limit(limit)
    .execute();
}

export async function insertInformationRequest(q: Q, row: NewRow<'informationRequests'>) {
  const { id } = await q
    .insertInto('informationRequests')
    .values(row)
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

export function informationRequestsOf(q: Q, partnershipId: string, contactId: string) {
  return q
    .selectFrom('informationRequests as r')
    .innerJoin('organisations as o', (j) =>
      j.onRef('o.partnershipId', '=', 'r.partnershipId').onRef('o.id', '=', 'r.organisationId'),
    )
    .leftJoin('users as au', (j) =>
      j.onRef('au.partnershipId', '=', 'r.partnershipId').onRef('au.id', '=', 'r.answeredBy'),
    )
    .selectAll('r')
    .select([
      'o.name as organisationName',
      'o.sector as organisationSector',
      'au.displayName as answeredByName',
    ])
    .where('r.partnershipId', '=', partnershipId)
    .where('r.contactId', '=', contactId)
    .orderBy('r.requestedAt')
    .execute();
}

/** Requests with the contact's child as it names them and as the index knows them: r, c and p. */
function requestsWithChild(q: Q, partnershipId: string) {
  return q
    .selectFrom('informationRequests as r')
    .innerJoin('contacts as c', (j) =>
      j.onRef('c.partnershipId', '=', 'r.partnershipId').onRef('c.id', '=', 'r.contactId'),
    )
    .leftJoin('people as p', (j) =>
      j.onRef('p.partnershipId', '=', 'c.partnershipId').onRef('p.id', '=', 'c.personId'),
    )
    .select([
      'c.number',
      'c.personId',
      'c.priority',
      'c.childGivenName',
      'c.childFamilyName',
      'c.childDescription',
      'c.childDateOfBirth',
      'p.givenName as personGivenName',
      'p.familyName as personFamilyName',
      'p.dateOfBirth as personDateOfBirth',
    ])
    .where('r.partnershipId', '=', partnershipId);
}

/** The requests an agency has still to answer, soonest due first. */
export function openRequestsFor(q: Q, partnershipId: string, organisationId: string) {
  return requestsWithChild(q, partnershipId)
    .select(['r.id', 'r.question', 'r.requestedAt', 'r.dueAt'])
    .where('r.organisationId', '=', organisationId)
    .where('r.status', '=', 'open')
    .orderBy('r.dueAt')
    .limit(500)
    .execute();
}

export function findInformationRequest(q: Q, partnershipId: string, id: string) {
  return requestsWithChild(q, partnershipId)
    .selectAll('r')
    .select(['c.childAddress', 'c.childPostcode', 'c.childNhsNumber', 'c.childUpn'])
    .where('r.id', '=', id)
    .executeTakeFirst();
}

export async function answerInformationRequest(
  tx: Tx,
  partnershipId: string,
  id: string,
  version: number,
  patch: RowUpdate<'informationRequests'>,
): Promise<boolean> {
  const result = await tx
    .updateTable('informationRequests')
    .set({ ...patch, version: sql`version + 1` })
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', id)
    .where('version', '=', version)
    .where('status', '=', 'open')
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export async function insertEpisode(q: Q, row: NewRow<'episodes'>) {
  await q.insertInto('episodes').values(row).execute();
}

export function episodeOf(q: Q, partnershipId: string, contactId: string) {
  return q
    .selectFrom('episodes')
    .selectAll()
    .where('partnershipId', '=', partnershipId)
    .where('contactId', '=', contactId)
    .executeTakeFirst();
}

/** Names and dates of birth of index people, to choose between candidates. */
export function peopleByIds(q: Q, partnershipId: string, ids: readonly string[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return q
    .selectFrom('people')
    .select(['id', 'givenName', 'familyName', 'dateOfBirth', 'sex'])
    .where('partnershipId', '=', partnershipId)
    .where('id', 'in', ids)
    .execute();
}

export async function insertEnquiry(q: Q, row: NewRow<'enquiries'>) {
  const { id } = await q.insertInto('enquiries').values(row).returning('id').executeTakeFirstOrThrow();
  return id;
}

export function recentEnquiries(q: Q, partnershipId: string, limit: number) {
  return q
    .selectFrom('enquiries as e')
    .innerJoin('users as u', (j) =>
      j.onRef('u.partnershipId', '=', 'e.partnershipId').onRef('u.id', '=', 'e.recordedBy'),
    )
    .leftJoin('directoryServices as d', (j) =>
      j.onRef('d.partnershipId', '=', 'e.partnershipId').onRef('d.id', '=', 'e.directoryServiceId'),
    )
    .selectAll('e')
    .select(['u.displayName as recordedByName', 'd.name as directoryServiceName'])
    .where('e.partnershipId', '=', partnershipId)
    .orderBy('e.receivedAt', 'desc')
    .limit(limit)
    .execute();
}

/** Enquiries in the period by topic and outcome, so the area sees what people ask for. */
export function enquiryTotals(q: Q, partnershipId: string, since: Date) {
  return q
    .selectFrom('enquiries')
    .select((eb) => ['topic', 'outcome', eb.fn.countAll<string>().as('n')])
    .where('partnershipId', '=', partnershipId)
    .where('receivedAt', '>=', since)
    .groupBy(['topic', 'outcome'])
    .execute();
}

/** The directory's active services, by organisation, for the enquiry log's "signposted to" list. */
export function activeDirectoryServices(q: Q, partnershipId: string) {
  return q
    .selectFrom('directoryServices as s')
    .innerJoin('directoryOrganizations as o', (j) =>
      j.onRef('o.partnershipId', '=', 's.partnershipId').onRef('o.id', '=', 's.organizationId'),
    )
    .select(['s.id', 's.name', 'o.name as organizationName'])
    .where('s.partnershipId', '=', partnershipId)
    .where('s.status', '=', 'active')
    .orderBy('o.name')
    .orderBy('s.name')
    .execute();
}

export async function partnershipSlugOf(q: Q, partnershipId: string) {
  const row = await q
    .selectFrom('partnerships')
    .select('slug')
    .where('id', '=', partnershipId)
    .executeTakeFirstOrThrow();
  return row.slug;
}
