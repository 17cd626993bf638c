import { sql } from 'kysely';
import { jsonArrayFrom, jsonObjectFrom } from 'kysely/helpers/postgres';
import type { Db, Tx } from '../../db/database.ts';
import type { NewRow } from '../../db/schema.ts';
import { involvementInForce } from '../access/index.ts';

type Q = Db | Tx;

/** Visible to this user in lists, searches and counts: not sealed, or sealed with them named. */
function visibleTo(userId: string | null) {
  return sql<boolean>`(p.sealed_at is null or exists (select 1 from sealed_record_users s
    where s.partnership_id = p.partnership_id and s.person_id = p.id and s.user_id = ${userId}))`;
}

export function findPerson(q: Q, partnershipId: string, personId: string) {
  return q
    .selectFrom('people')
    .selectAll()
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', personId)
    .executeTakeFirstOrThrow();
}

/**
 * The person with their current household (or null) and their relationships, in one round trip: a
 * child's summary reads them together. Neither carries a timestamp, so JSON loses nothing.
 */
export async function findPersonWithFamily(q: Q, partnershipId: string, personId: string) {
  const { household, relationships, ...person } = await q
    .selectFrom('people as p')
    .selectAll('p')
    .select([
      jsonObjectFrom(currentHouseholdQuery(q, partnershipId, personId)).as('household'),
      jsonArrayFrom(relationshipsQuery(q, partnershipId, personId)).as('relationships'),
    ])
    .where('p.partnershipId', '=', partnershipId)
    .where('p.id', '=', personId)
    .executeTakeFirstOrThrow();
  return { person, household, relationships };
}

export function currentHousehold(q: Q, partnershipId: string, personId: string) {
  return currentHouseholdQuery(q, partnershipId, personId).executeTakeFirst();
}

function currentHouseholdQuery(q: Q, partnershipId: string, personId: string) {
  return q
    .selectFrom('householdMembers as m')
    .innerJoin('households as h', (j) =>
      j.onRef('h.partnershipId', '=', 'm.partnershipId').onRef('h.id', '=', 'm.householdId'),
    )
    .innerJoin('localities as l', (j) =>
      j.onRef('l.partnershipId', '=', 'h.partnershipId').onRef('l.id', '=', 'h.localityId'),
    )
    .select(['h.id', 'h.addressLine1', 'h.addressLine2', 'h.town', 'h.postcode', 'l.name as localityName'])
    .where('m.partnershipId', '=', partnershipId)
    .where('m.personId', '=', personId)
    .where('m.endedOn', 'is', null)
    .orderBy('m.startedOn', 'desc')
    .limit(1);
}

/** Relationships in both directions, named from this person's side ("Mother", "Sibling"). */
export function relationshipsOf(q: Q, partnershipId: string, personId: string) {
  return relationshipsQuery(q, partnershipId, personId).execute();
}

function relationshipsQuery(q: Q, partnershipId: string, personId: string) {
  return q
    .selectFrom('relationships as r')
    .innerJoin('people as o', (j) =>
      j
        .onRef('o.partnershipId', '=', 'r.partnershipId')
        .on((eb) =>
          eb.or([
            eb.and([eb('r.personId', '=', personId), eb('o.id', '=', eb.ref('r.relatedPersonId'))]),
            eb.and([eb('r.relatedPersonId', '=', personId), eb('o.id', '=', eb.ref('r.personId'))]),
          ]),
        ),
    )
    .select([
      'r.kind',
      'o.id',
      'o.givenName',
      'o.familyName',
      'o.kind as personKind',
      sql<boolean>`r.person_id = ${personId}`.as('outgoing'),
    ])
    .where('r.partnershipId', '=', partnershipId)
    .where((eb) => eb.or([eb('r.personId', '=', personId), eb('r.relatedPersonId', '=', personId)]))
    .where('r.endedOn', 'is', null)
    .where('o.sealedAt', 'is', null)
    .orderBy('o.dateOfBirth');
}

export function itemsOf(q: Q, partnershipId: string, personId: string) {
  return q
    .selectFrom('recordItems as i')
    .innerJoin('organisations as o', (j) =>
      j.onRef('o.partnershipId', '=', 'i.partnershipId').onRef('o.id', '=', 'i.owningOrganisationId'),
    )
    .select([
      'i.id',
      'i.owningOrganisationId',
      'o.sector as owningSector',
      'o.name as owningOrganisationName',
      'i.dataType',
      'i.sensitivity',
      'i.sharing',
      'i.title',
      'i.body',
      'i.occurredOn',
      'i.thirdParty',
      'i.recordedAt',
    ])
    .where('i.partnershipId', '=', partnershipId)
    .where('i.personId', '=', personId)
    .orderBy('i.occurredOn', 'desc')
    .orderBy('i.recordedAt', 'desc')
    .execute();
}

export async function insertItem(q: Q, row: NewRow<'recordItems'>) {
  const { id } = await q.insertInto('recordItems').values(row).returning('id').executeTakeFirstOrThrow();
  return id;
}

export type PersonSearch = { name: string; dateOfBirth: string | null };

export const SEARCH_LIMIT = 25;

/** Name prefix (family or given) and date of birth; sealed records the user is not named on never show. */
export async function searchPeople(q: Q, partnershipId: string, userId: string | null, search: PersonSearch) {
  const words = search.name.toLowerCase().split(/\s+/).filter(Boolean);
  let query = q
    .selectFrom('people as p')
    .leftJoin('householdMembers as m', (j) =>
      j
        .onRef('m.partnershipId', '=', 'p.partnershipId')
        .onRef('m.personId', '=', 'p.id')
        .on('m.endedOn', 'is', null),
    )
    .leftJoin('households as h', (j) =>
      j.onRef('h.partnershipId', '=', 'm.partnershipId').onRef('h.id', '=', 'm.householdId'),
    )
    .leftJoin('localities as l', (j) =>
      j.onRef('l.partnershipId', '=', 'h.partnershipId').onRef('l.id', '=', 'h.localityId'),
    )
    .where('p.partnershipId', '=', partnershipId)
    .where(visibleTo(userId));
  for (const word of words) {
    const like = `${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) =>
      eb.or([
        eb(eb.fn('lower', ['p.familyName']), 'like', like),
        eb(eb.fn('lower', ['p.givenName']), 'like', like),
      ]),
    );
  }
  if (search.dateOfBirth) query = query.where('p.dateOfBirth', '=', search.dateOfBirth);
  const [rows, count] = await Promise.all([
    query
      .select([
        'p.id',
        'p.kind',
        'p.givenName',
        'p.familyName',
        'p.dateOfBirth',
        'p.expectedDate',
        'l.name as localityName',
      ])
      .orderBy('p.familyName')
      .orderBy('p.givenName')
      .orderBy('p.id')
      .limit(SEARCH_LIMIT)
      .execute(),
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: count.n };
}

/** Of these people, the ones this user is involved with today, directly or through a team. */
export async function involvedAmong(
  q: Q,
  partnershipId: string,
  userId: string,
  personIds: readonly string[],
  now: Date,
) {
  if (personIds.length === 0) return new Set<string>();
  const rows = await q
    .selectFrom('involvements as i')
    .select('i.personId')
    .distinct()
    .where('i.partnershipId', '=', partnershipId)
    .where('i.personId', 'in', [...personIds])
    .where(involvementInForce(userId, now))
    .execute();
  return new Set(rows.map((r) => r.personId));
}

/** The children this user is involved with today, with why. */
export function involvedWith(q: Q, partnershipId: string, userId: string, now: Date) {
  return q
    .selectFrom('involvements as i')
    .innerJoin('people as p', (j) =>
      j.onRef('p.partnershipId', '=', 'i.partnershipId').onRef('p.id', '=', 'i.personId'),
    )
    .select([
      'p.id',
      'p.givenName',
      'p.familyName',
      'p.dateOfBirth',
      'p.expectedDate',
      'i.kind',
      'i.startedAt',
    ])
    .where('i.partnershipId', '=', partnershipId)
    .where(involvementInForce(userId, now))
    .where(visibleTo(userId))
    .orderBy('p.familyName')
    .orderBy('p.givenName')
    .limit(500)
    .execute();
}

/** Children (born) per locality and age band on a date; sealed records are never counted. */
export function childrenByLocalityAndAge(q: Q, partnershipId: string, today: string) {
  return q
    .selectFrom('people as p')
    .innerJoin('householdMembers as m', (j) =>
      j
        .onRef('m.partnershipId', '=', 'p.partnershipId')
        .onRef('m.personId', '=', 'p.id')
        .on('m.endedOn', 'is', null),
    )
    .innerJoin('households as h', (j) =>
      j.onRef('h.partnershipId', '=', 'm.partnershipId').onRef('h.id', '=', 'm.householdId'),
    )
    .innerJoin('localities as l', (j) =>
      j.onRef('l.partnershipId', '=', 'h.partnershipId').onRef('l.id', '=', 'h.localityId'),
    )
    .select([
      'l.name as locality',
      sql<string>`case
        when age(${today}::date, p.date_of_birth) < interval '5 years' then '0-4'
        when age(${today}::date, p.date_of_birth) < interval '11 years' then '5-10'
        when age(${today}::date, p.date_of_birth) < interval '16 years' then '11-15'
        else '16-17' end`.as('band'),
      sql<number>`count(*)::int`.as('n'),
    ])
    .where('p.partnershipId', '=', partnershipId)
    .where('p.kind', '=', 'child')
    .where('p.sealedAt', 'is', null)
    .where(sql<boolean>`p.date_of_birth > ${today}::date - interval '18 years'`)
    .groupBy(['l.name', sql`2`])
    .execute();
}

/** Every household the person has lived in, with dates: for subject access. */
export function householdsOf(q: Q, partnershipId: string, personId: string) {
  return q
    .selectFrom('householdMembers as m')
    .innerJoin('households as h', (j) =>
      j.onRef('h.partnershipId', '=', 'm.partnershipId').onRef('h.id', '=', 'm.householdId'),
    )
    .select(['h.addressLine1', 'h.addressLine2', 'h.town', 'h.postcode', 'm.startedOn', 'm.endedOn'])
    .where('m.partnershipId', '=', partnershipId)
    .where('m.personId', '=', personId)
    .orderBy('m.startedOn')
    .execute();
}
