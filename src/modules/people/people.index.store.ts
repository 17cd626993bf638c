import { sql } from 'kysely';
import type { Db, Tx } from '../../db/database.ts';
import type { NewRow, RowUpdate, StoredFields } from '../../db/schema.ts';

type Q = Db | Tx;

/** Statuses that make a record part of a person. */
export const CURRENT = ['auto_linked', 'confirmed'] as const;

export function listSources(q: Q, partnershipId: string) {
  return q
    .selectFrom('recordSources as s')
    .innerJoin('organisations as o', (j) =>
      j.onRef('o.partnershipId', '=', 's.partnershipId').onRef('o.id', '=', 's.organisationId'),
    )
    .select(['s.id', 's.code', 's.name', 's.kind', 'o.name as organisationName'])
    .where('s.partnershipId', '=', partnershipId)
    .orderBy('s.name')
    .execute();
}

export function findSourceByCode(q: Q, code: string) {
  return q.selectFrom('recordSources').selectAll().where('code', '=', code).execute();
}

/** The partnership's source with this code: made, as given, on first use. */
export async function ensureSource(q: Q, row: NewRow<'recordSources'>): Promise<string> {
  const find = () =>
    q
      .selectFrom('recordSources')
      .select('id')
      .where('partnershipId', '=', row.partnershipId)
      .where('code', '=', row.code)
      .executeTakeFirst();
  const found =
    (await find()) ??
    (await q
      .insertInto('recordSources')
      .values(row)
      .onConflict((oc) => oc.columns(['partnershipId', 'code']).doNothing())
      .returning('id')
      .executeTakeFirst()) ??
    // Made meanwhile by someone else.
    (await find());
  if (!found) throw new Error(`Source ${row.code} is missing`);
  return found.id;
}

export async function insertImport(q: Q, row: NewRow<'personImports'>): Promise<string> {
  const { id } = await q.insertInto('personImports').values(row).returning('id').executeTakeFirstOrThrow();
  return id;
}

export async function updateImport(
  q: Q,
  partnershipId: string,
  id: string,
  patch: RowUpdate<'personImports'>,
) {
  await q
    .updateTable('personImports')
    .set(patch)
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', id)
    .execute();
}

/** Adds a batch's figures to an import's; keeps the first 200 rejected rows to show. */
export async function addToImport(
  q: Q,
  partnershipId: string,
  id: string,
  add: {
    rowsRead: number;
    rowsRejected: number;
    recordsNew: number;
    recordsUnchanged: number;
    rejects: { line: number; reason: string }[];
  },
) {
  await q
    .updateTable('personImports')
    .set({
      rowsRead: sql`rows_read + ${add.rowsRead}`,
      rowsRejected: sql`rows_rejected + ${add.rowsRejected}`,
      recordsNew: sql`records_new + ${add.recordsNew}`,
      recordsUnchanged: sql`records_unchanged + ${add.recordsUnchanged}`,
      rejects: sql`(select coalesce(jsonb_agg(e), '[]') from (select e from jsonb_array_elements(rejects || ${JSON.stringify(add.rejects)}::jsonb) e limit 200) t)`,
    })
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', id)
    .execute();
}

/** A partnership's imports, each with its source's name. */
function importsWithSource(q: Q, partnershipId: string) {
  return q
    .selectFrom('personImports as i')
    .innerJoin('recordSources as s', (j) =>
      j.onRef('s.partnershipId', '=', 'i.partnershipId').onRef('s.id', '=', 'i.sourceId'),
    )
    .selectAll('i')
    .select(['s.name as sourceName'])
    .where('i.partnershipId', '=', partnershipId);
}

export function findImport(q: Q, partnershipId: string, id: string) {
  return importsWithSource(q, partnershipId).where('i.id', '=', id).executeTakeFirst();
}

export function recentImports(q: Q, partnershipId: string, limit = 20) {
  return importsWithSource(q, partnershipId).orderBy('i.startedAt', 'desc').limit(limit).execute();
}

export type NewSourceRecord = {
  localId: string;
  contentSha256: string;
  received: { columns: string[]; values: string[] };
  fields: StoredFields;
  /** The row's line in the file it came in; null for a record made in the service. */
  lineNumber: number | null;
  /** The engine's blocking keys (people.index-match.ts); computed when stored if absent. */
  matchKeys?: string[];
};

/**
 * Stores records not already held with the same content (a re-sent row is found, not stored again),
 * with their identifiers. Answers how many were new.
 */
export async function insertSourceRecords(
  q: Q,
  partnershipId: string,
  sourceId: string,
  importId: string | null,
  receivedAt: Date,
  records: readonly NewSourceRecord[],
): Promise<number> {
  if (records.length === 0) return 0;
  const inserted = await q
    .insertInto('sourceRecords')
    .values(
      records.map((r) => ({
        partnershipId,
        sourceId,
        importId,
        localId: r.localId,
        contentSha256: r.contentSha256,
        received: JSON.stringify(r.received),
        fields: JSON.stringify(r.fields),
        matchKeys: r.matchKeys,
        lineNumber: r.lineNumber,
        receivedAt,
      })),
    )
    .onConflict((oc) => oc.columns(['partnershipId', 'sourceId', 'localId', 'contentSha256']).doNothing())
    .returning(['id', 'fields'])
    .execute();
  const identifiers = inserted.flatMap((r) =>
    r.fields.identifiers.map(([system, value]) => ({ partnershipId, system, value, sourceRecordId: r.id })),
  );
  if (identifiers.length > 0)
    await q
      .insertInto('sourceRecordIdentifiers')
      .values(identifiers)
      .onConflict((oc) => oc.doNothing())
      .execute();
  return inserted.length;
}

/** Records no link decision has been made for yet: the work an import (or its resumption) has left. */
export function unprocessedRecords(q: Q, partnershipId: string) {
  return q
    .selectFrom('sourceRecords as r')
    .select(['r.id', 'r.fields'])
    .where('r.partnershipId', '=', partnershipId)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('recordLinks as l')
            .select(sql`1`.as('one'))
            .whereRef('l.partnershipId', '=', 'r.partnershipId')
            .whereRef('l.sourceRecordId', '=', 'r.id'),
        ),
      ),
    )
    .orderBy('r.receivedAt')
    .orderBy('r.lineNumber')

    .execute();
}

/**
 * What the index knows of each person, to match new records against: every record currently linked
 * (under its person), and, for people no record is linked to yet, their own details and address.
 */
export async function indexRecords(q: Q, partnershipId: string) {
  const linked = await q
    .selectFrom('recordLinks as l')
    .innerJoin('sourceRecords as r', (j) =>
      j.onRef('r.partnershipId', '=', 'l.partnershipId').onRef('r.id', '=', 'l.sourceRecordId'),
    )
    .select(['r.id', 'l.personId', 'r.fields'])
    .where('l.partnershipId', '=', partnershipId)
    .where('l.status', 'in', CURRENT)
    .where('l.endedAt', 'is', null)
    .execute();
  const unsourced = await sql<{
    personId: string;
    givenName: string | null;
    familyName: string;
    dateOfBirth: string | null;
    sex: string;
    addressLine1: string | null;
    town: string | null;
    postcode: string | null;
  }>`
    select p.id as person_id, p.given_name, p.family_name, p.date_of_birth, p.sex,
      h.address_line1, h.town, h.postcode
    from people p
    left join lateral (
      select hh.address_line1, hh.town, hh.postcode from household_members m
      join households hh on hh.partnership_id = m.partnership_id and hh.id = m.household_id
      where m.partnership_id = p.partnership_id and m.person_id = p.id and m.ended_on is null
      order by m.started_on desc limit 1
    ) h on true
    where p.partnership_id = ${partnershipId} and p.kind <> 'unborn'
      and not exists (select 1 from record_links l where l.partnership_id = p.partnership_id
        and l.person_id = p.id and (l.status in ('auto_linked', 'confirmed') and l.ended_at is null
          -- A person the index made from a record whose records all moved to someone else: no one.
          or l.created_person))
  `.execute(q);
  return {
    linked,
    unsourced: unsourced.rows.map((p) => ({
      personId: p.personId,
      fields: {
        givenName: p.givenName ?? undefined,
        familyName: p.familyName,
        dateOfBirth: p.dateOfBirth ?? undefined,
        sex: p.sex === 'unknown' ? undefined : p.sex,
        addressLine1: p.addressLine1 ?? undefined,
        city: p.town ?? undefined,
        postcode: p.postcode ?? undefined,
        identifiers: [],
      } satisfies StoredFields,
    })),
  };
}

/**
 * The (record, person) pairs found not to be the same person: never proposed again, nor for a later
 * version of the agency's record (same source and local id). Asked in chunks: a large import has more
 * records than a statement may have parameters.
 */
export async function rejectedPairs(q: Q, partnershipId: string, recordIds: readonly string[]) {
  const pairs = new Set<string>();
  for (let start = 0; start < recordIds.length; start += 10_000) {
    const rows = await q
      .selectFrom('sourceRecords as r')
      .innerJoin('sourceRecords as v', (j) =>
        j
          .onRef('v.partnershipId', '=', 'r.partnershipId')
          .onRef('v.sourceId', '=', 'r.sourceId')
          .onRef('v.localId', '=', 'r.localId'),
      )
      .innerJoin('recordLinks as l', (j) =>
        j.onRef('l.partnershipId', '=', 'v.partnershipId').onRef('l.sourceRecordId', '=', 'v.id'),
      )
      .select(['r.id as sourceRecordId', 'l.personId'])
      .where('r.partnershipId', '=', partnershipId)
      .where('r.id', 'in', recordIds.slice(start, start + 10_000))
      .where('l.status', '=', 'rejected')
      .execute();
    for (const r of rows) pairs.add(`${r.sourceRecordId} ${r.personId}`);
  }
  return pairs;
}

export async function insertPerson(q: Q, row: NewRow<'people'>): Promise<string> {
  const { id } = await q.insertInto('people').values(row).returning('id').executeTakeFirstOrThrow();
  return id;
}

export async function insertPeople(q: Q, rows: readonly NewRow<'people'>[]) {
  for (let start = 0; start < rows.length; start += 1_000)
    await q
      .insertInto('people')
      .values(rows.slice(start, start + 1_000))
      .execute();
}

export async function insertLinks(q: Q, rows: readonly NewRow<'recordLinks'>[]) {
  // In statements of at most 2,000 rows: a statement may have at most 65,535 parameters.
  for (let start = 0; start < rows.length; start += 2_000)
    await q
      .insertInto('recordLinks')
      .values(rows.slice(start, start + 2_000))
      .execute();
}

/** Links with the record each is about and the record's source: l, r and s in the queries below. */
function linksWithRecords(q: Q) {
  return q
    .selectFrom('recordLinks as l')
    .innerJoin('sourceRecords as r', (j) =>
      j.onRef('r.partnershipId', '=', 'l.partnershipId').onRef('r.id', '=', 'l.sourceRecordId'),
    )
    .innerJoin('recordSources as s', (j) =>
      j.onRef('s.partnershipId', '=', 'r.partnershipId').onRef('s.id', '=', 'r.sourceId'),
    );
}

/** A link with its record, the record's source and the person, for a decision or a review page. */
export function findLink(q: Q, partnershipId: string, linkId: string) {
  return linksWithRecords(q)
    .innerJoin('people as p', (j) =>
      j.onRef('p.partnershipId', '=', 'l.partnershipId').onRef('p.id', '=', 'l.personId'),
    )
    .selectAll('l')
    .select([
      'r.localId',
      'r.fields',
      'r.received',
      'r.receivedAt',
      's.name as sourceName',
      's.code as sourceCode',
      'p.sealedAt',
    ])
    .where('l.partnershipId', '=', partnershipId)
    .where('l.id', '=', linkId)
    .executeTakeFirst();
}

/** The links of one record that are still open: its current link and any proposals under review. */
export function openLinksOf(q: Q, partnershipId: string, recordId: string) {
  return q
    .selectFrom('recordLinks')
    .selectAll()
    .where('partnershipId', '=', partnershipId)
    .where('sourceRecordId', '=', recordId)
    .where('endedAt', 'is', null)
    .where('status', '<>', 'rejected')
    .execute();
}

/** Whether any decision (a link, a proposal, a rejection, open or ended) was ever made for a record. */
export async function hasLinks(q: Q, partnershipId: string, recordId: string): Promise<boolean> {
  const row = await q
    .selectFrom('recordLinks')
    .select('id')
    .where('partnershipId', '=', partnershipId)
    .where('sourceRecordId', '=', recordId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * The open links (current and proposed) of a source's records under one local id, locked for the
 * caller's change; NOWAIT: while another transaction holds one, PostgreSQL answers at once (55P03)
 * rather than wait, so a caller that has locked something else first cannot deadlock.
 */
export function lockOpenLinksOfLocalId(tx: Tx, partnershipId: string, sourceCode: string, localId: string) {
  return linksWithRecords(tx)
    .selectAll('l')
    .where('l.partnershipId', '=', partnershipId)
    .where('s.code', '=', sourceCode)
    .where('r.localId', '=', localId)
    .where('l.endedAt', 'is', null)
    .where('l.status', '<>', 'rejected')
    .orderBy('l.createdAt')
    .forUpdate('l')
    .noWait()
    .execute();
}

/** A record's source code and local id, and the person it currently belongs to (null when undecided). */
export function recordWithOwner(q: Q, partnershipId: string, recordId: string) {
  return q
    .selectFrom('sourceRecords as r')
    .innerJoin('recordSources as s', (j) =>
      j.onRef('s.partnershipId', '=', 'r.partnershipId').onRef('s.id', '=', 'r.sourceId'),
    )
    .leftJoin('recordLinks as l', (j) =>
      j
        .onRef('l.partnershipId', '=', 'r.partnershipId')
        .onRef('l.sourceRecordId', '=', 'r.id')
        .on('l.status', 'in', CURRENT)
        .on('l.endedAt', 'is', null),
    )
    .select(['r.localId', 's.code as sourceCode', 'l.personId'])
    .where('r.partnershipId', '=', partnershipId)
    .where('r.id', '=', recordId)
    .executeTakeFirst();
}

/** A source's record with this local id and content. */
export function findRecordByContent(
  q: Q,
  partnershipId: string,
  sourceId: string,
  localId: string,
  contentSha256: string,
) {
  return q
    .selectFrom('sourceRecords')
    .select('id')
    .where('partnershipId', '=', partnershipId)
    .where('sourceId', '=', sourceId)
    .where('localId', '=', localId)
    .where('contentSha256', '=', contentSha256)
    .executeTakeFirstOrThrow();
}

export function findRecord(q: Q, partnershipId: string, recordId: string) {
  return q
    .selectFrom('sourceRecords')
    .select(['id', 'fields'])
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', recordId)
    .executeTakeFirstOrThrow();
}

/** Changes a link if it is still at the version the decider saw; answers whether it was. */
export async function updateLink(
  q: Q,
  partnershipId: string,
  linkId: string,
  version: number | null,
  patch: RowUpdate<'recordLinks'>,
): Promise<boolean> {
  let query = q
    .updateTable('recordLinks')
    .set({ ...patch, version: sql`version + 1` })
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', linkId);
  if (version !== null) query = query.where('version', '=', version);
  const result = await query.executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** The records that make up a person, newest first, with where and when each came. */
export function recordsOfPerson(q: Q, partnershipId: string, personId: string) {
  return linksWithRecords(q)
    .select([
      'l.id as linkId',
      'l.status',
      'l.probability',
      'l.decidedAt',
      'l.createdAt as linkedAt',
      'l.version',
      'r.id as recordId',
      'r.localId',
      'r.fields',
      'r.receivedAt',
      's.name as sourceName',
    ])
    .where('l.partnershipId', '=', partnershipId)
    .where('l.personId', '=', personId)
    .where('l.status', 'in', CURRENT)
    .where('l.endedAt', 'is', null)
    .orderBy('r.receivedAt', 'desc')
    .execute();
}

/** Sets the person's own details, as derived from their records. */
export async function setPersonDetails(
  q: Q,
  partnershipId: string,
  personId: string,
  details: RowUpdate<'people'>,
) {
  await q
    .updateTable('people')
    .set({ ...details, version: sql`version + 1`, updatedAt: sql`now()` })
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', personId)
    .execute();
}

/** The visible-to-this-user condition on a person aliased p: not sealed, or sealed with them named. */
const visible = (userId: string | null) =>
  sql<boolean>`(p.sealed_at is null or exists (select 1 from sealed_record_users su
    where su.partnership_id = p.partnership_id and su.person_id = p.id and su.user_id = ${userId}))`;

/** Proposals awaiting a decision, oldest first; those waiting for information after the rest. */
export function reviewQueue(q: Q, partnershipId: string, userId: string | null, limit = 100) {
  return linksWithRecords(q)
    .innerJoin('people as p', (j) =>
      j.onRef('p.partnershipId', '=', 'l.partnershipId').onRef('p.id', '=', 'l.personId'),
    )
    .select([
      'l.id',
      'l.personId',
      'l.probability',
      'l.needsInformation',
      'l.createdAt',
      'r.fields',
      's.name as sourceName',
      'p.givenName',
      'p.familyName',
      'p.dateOfBirth',
    ])
    .where('l.partnershipId', '=', partnershipId)
    .where('l.status', '=', 'pending_review')
    .where('l.endedAt', 'is', null)
    .where(visible(userId))
    .orderBy('l.needsInformation')
    .orderBy('l.createdAt')
    .orderBy('l.id')
    .limit(limit)
    .execute();
}

/** How many proposals await a decision, of those this user may see (as the queue). */
export async function countPendingReview(q: Q, partnershipId: string, userId: string | null) {
  const row = await q
    .selectFrom('recordLinks as l')
    .innerJoin('people as p', (j) =>
      j.onRef('p.partnershipId', '=', 'l.partnershipId').onRef('p.id', '=', 'l.personId'),
    )
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('l.partnershipId', '=', partnershipId)
    .where('l.status', '=', 'pending_review')
    .where('l.endedAt', 'is', null)
    .where(visible(userId))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** A person's own details and current address (unless protected), for comparing with a record. */
export async function findPersonDetails(q: Q, partnershipId: string, personId: string) {
  const { rows } = await sql<{
    id: string;
    givenName: string | null;
    familyName: string;
    dateOfBirth: string | null;
    sex: string;
    kind: string;
    addressLine1: string | null;
    town: string | null;
    postcode: string | null;
  }>`
    select p.id, p.given_name, p.family_name, p.date_of_birth, p.sex, p.kind,
      h.address_line1, h.town, h.postcode
    from people p
    left join lateral (
      select hh.address_line1, hh.town, hh.postcode from household_members m
      join households hh on hh.partnership_id = m.partnership_id and hh.id = m.household_id
      where m.partnership_id = p.partnership_id and m.person_id = p.id and m.ended_on is null
        and not p.protected_address
      order by m.started_on desc limit 1
    ) h on true
    where p.partnership_id = ${partnershipId} and p.id = ${personId}
  `.execute(q);
  if (!rows[0]) throw new Error(`Person ${personId} is missing`);
  return rows[0];
}

export async function isNamedOnSeal(q: Q, partnershipId: string, personId: string, userId: string | null) {
  if (!userId) return false;
  const row = await q
    .selectFrom('sealedRecordUsers')
    .select('userId')
    .where('partnershipId', '=', partnershipId)
    .where('personId', '=', personId)
    .where('userId', '=', userId)
    .executeTakeFirst();
  return row !== undefined;
}
