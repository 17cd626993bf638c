import { sql, type RawBuilder } from 'kysely';
import { jsonArrayFrom, jsonObjectFrom } from 'kysely/helpers/postgres';
import type { Db, Tx } from '../../db/database.ts';
import type { NewRow, RowUpdate } from '../../db/schema.ts';
import { involvementInForce } from '../access/index.ts';
import type { IdentifierSystem } from './people.identifiers.ts';
import { dobRange, nameWords, type SearchCandidate, type SearchCriteria } from './people.search.ts';

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
  const { household, relationships, otherNames, ...person } = await q
    .selectFrom('people as p')
    .selectAll('p')
    .select([
      jsonObjectFrom(currentHouseholdQuery(q, partnershipId, personId)).as('household'),
      jsonArrayFrom(relationshipsQuery(q, partnershipId, personId)).as('relationships'),
      jsonArrayFrom(otherNamesQuery(q, partnershipId, personId)).as('otherNames'),
    ])
    .where('p.partnershipId', '=', partnershipId)
    .where('p.id', '=', personId)
    .executeTakeFirstOrThrow();
  return { person, household, relationships, otherNames };
}

/** The other names a person is or was known by, the most recently used first. */
function otherNamesQuery(q: Q, partnershipId: string, personId: string) {
  return q
    .selectFrom('personNames')
    .select(['kind', 'givenName', 'familyName', 'usedFrom', 'usedUntil'])
    .where('partnershipId', '=', partnershipId)
    .where('personId', '=', personId)
    .orderBy('usedUntil', (ob) => ob.desc().nullsFirst())
    .orderBy('usedFrom', 'desc');
}

/** Sets a person's details if they are still at the version the editor saw; answers whether they were. */
export async function updatePersonDetails(
  q: Q,
  partnershipId: string,
  personId: string,
  version: number,
  details: Pick<
    RowUpdate<'people'>,
    'dateOfBirthCertainty' | 'language' | 'interpreterNeeded' | 'phone' | 'email'
  >,
): Promise<boolean> {
  const result = await q
    .updateTable('people')
    .set({ ...details, version: sql`version + 1`, updatedAt: sql`now()` })
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', personId)
    .where('version', '=', version)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export async function insertOtherName(q: Q, row: NewRow<'personNames'>) {
  await q.insertInto('personNames').values(row).execute();
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

export const SEARCH_LIMIT = 25;

/** Each blocking key yields at most this many people; more means the search should be narrowed. */
export const CANDIDATE_LIMIT = 200;
/** The trigram fallback's bounds: how many, and how alike (pg_trgm similarity) at least. */
const TRIGRAM_LIMIT = 50;
const TRIGRAM_THRESHOLD = 0.2;

const CURRENT_LINK = sql`l.status in ('auto_linked', 'confirmed') and l.ended_at is null`;

/** Whether a name column matches a typed word closely: by sound, a letter or two, its start, a part. */
function wordMatches(column: 'p.family_name' | 'p.given_name', word: string, codes: readonly string[]) {
  const col = sql.raw(column);
  // A loose filter (two edits from three letters): ranking decides how close is close.
  const k = word.length <= 2 ? 0 : 2;
  return sql<boolean>`(dmetaphone(${col}) = any(${[...codes]}::text[]) or dmetaphone_alt(${col}) = any(${[...codes]}::text[])
    or lower(${col}) like ${`${word}%`} or lower(${col}) like ${`% ${word}%`} or lower(${col}) like ${`%-${word}%`}
    or case when length(${col}) <= 255 then levenshtein_less_equal(lower(${col}), ${word}, ${k}) <= ${k} else false end)`;
}

/** Every typed word matches the family or the given name. */
function allWordsMatch(words: readonly string[], codes: ReadonlyMap<string, string[]>) {
  return sql.join(
    words.map(
      (w) =>
        sql`(${wordMatches('p.family_name', w, codes.get(w) ?? [])} or ${wordMatches('p.given_name', w, codes.get(w) ?? [])})`,
    ),
    sql` and `,
  );
}

/** Some typed word matches the family or the given name. */
function anyWordMatches(words: readonly string[], codes: ReadonlyMap<string, string[]>) {
  return sql.join(
    words.map(
      (w) =>
        sql`${wordMatches('p.family_name', w, codes.get(w) ?? [])} or ${wordMatches('p.given_name', w, codes.get(w) ?? [])}`,
    ),
    sql` or `,
  );
}

/** Double Metaphone codes (primary and alternate) of each word, as the database computes them. */
async function codesOf(q: Q, words: readonly string[]) {
  if (words.length === 0) return new Map<string, string[]>();
  const { rows } = await sql<{ word: string; primary: string | null; alternate: string | null }>`
    select w as word, dmetaphone(w) as primary, dmetaphone_alt(w) as alternate
    from unnest(${[...words]}::text[]) as w`.execute(q);
  return new Map(
    rows.map((r) => [r.word, [...new Set([r.primary, r.alternate])].filter((c): c is string => !!c)]),
  );
}

export type FoundCandidates = {
  candidates: SearchCandidate[];
  wordCodes: Map<string, string[]>;
  /** Some key found more people than it returns: the search should be narrowed. */
  more: boolean;
  /** No blocking key found anyone, so the trigram scan ran. */
  fallback: boolean;
};

/**
 * The people a search could mean, found by blocking keys, each through an index: the identifier
 * (through current links from agencies' records), the sound or start of each name word with the
 * date of birth (or its window), and people at the full postcode whose name shares a word. Only if
 * those find no one, a bounded trigram scan of whole names. Sealed records the user is not named on
 * never appear; a protected address is never matched by postcode.
 */
export async function searchPeople(
  q: Q,
  partnershipId: string,
  userId: string | null,
  search: SearchCriteria,
): Promise<FoundCandidates> {
  const words = nameWords(search.name);
  const wordCodes = await codesOf(q, words);
  const allCodes = [...new Set([...wordCodes.values()].flat())];
  const range = dobRange(search);
  const dob = range ? sql`and p.date_of_birth between ${range.from}::date and ${range.to}::date` : sql``;
  const visible = visibleTo(userId);
  const ids = new Map<string, { system: IdentifierSystem | null }>();
  let more = false;
  const take = (rows: { id: string; system?: string | null }[], limit: number) => {
    if (rows.length > limit) more = true;
    for (const r of rows.slice(0, limit))
      if (!ids.has(r.id) || r.system) ids.set(r.id, { system: (r.system as IdentifierSystem) ?? null });
  };

  if (search.identifier) {
    const { rows } = await sql<{ id: string; system: string }>`
      select distinct p.id, i.system from source_record_identifiers i
      join record_links l on l.partnership_id = i.partnership_id and l.source_record_id = i.source_record_id
        and ${CURRENT_LINK}
      join people p on p.partnership_id = l.partnership_id and p.id = l.person_id
      where i.partnership_id = ${partnershipId} and i.system = any(${search.identifier.systems}::text[])
        and i.value = ${search.identifier.value} and ${visible}
      limit ${CANDIDATE_LIMIT + 1}`.execute(q);
    take(rows, CANDIDATE_LIMIT);
  }

  if (words.length > 0) {
    // Each arm is one index: its own limit stops a common name early (the search then says to narrow).
    const arm = (key: RawBuilder<unknown>) =>
      sql`(select p.id from people p where p.partnership_id = ${partnershipId} and ${key} ${dob}
        and ${allWordsMatch(words, wordCodes)} and ${visible} limit ${CANDIDATE_LIMIT + 1})`;
    const keyed = async (arms: RawBuilder<unknown>[]) =>
      arms.length === 0
        ? []
        : (
            await sql<{ id: string }>`select id from (${sql.join(arms, sql` union `)}) as keyed
              limit ${CANDIDATE_LIMIT + 1}`.execute(q)
          ).rows;
    const codes = sql`${allCodes}::text[]`;
    // First, both names sounding right; only if no one does, either name's sound or start.
    let rows =
      words.length >= 2 && allCodes.length
        ? await keyed([
            arm(sql`dmetaphone(p.family_name) = any(${codes}) and dmetaphone(p.given_name) = any(${codes})`),
          ])
        : [];
    if (rows.length === 0)
      rows = await keyed([
        ...(allCodes.length
          ? [
              arm(sql`dmetaphone(p.family_name) = any(${codes})`),
              arm(sql`dmetaphone(p.given_name) = any(${codes})`),
            ]
          : []),
        ...words
          .filter((w) => w.length >= 2)
          .flatMap((w) => [
            arm(sql`lower(p.family_name) like ${`${w}%`}`),
            arm(sql`lower(p.given_name) like ${`${w}%`}`),
          ]),
      ]);
    take(rows, CANDIDATE_LIMIT);

    if (search.postcode?.full) {
      const full = search.postcode.full;
      const { rows } = await sql<{ id: string }>`
        select p.id from (
          select m.person_id from households h
          join household_members m on m.partnership_id = h.partnership_id and m.household_id = h.id
            and m.ended_on is null
          where h.partnership_id = ${partnershipId} and upper(replace(h.postcode, ' ', '')) = ${full}
          union
          select l.person_id from source_records r
          join record_links l on l.partnership_id = r.partnership_id and l.source_record_id = r.id
            and ${CURRENT_LINK}
          where r.partnership_id = ${partnershipId} and (r.fields ->> 'postcode') is not null
            and upper(replace(r.fields ->> 'postcode', ' ', '')) = ${full}
        ) as at (person_id)
        join people p on p.partnership_id = ${partnershipId} and p.id = at.person_id
        where not p.protected_address ${dob} and (${anyWordMatches(words, wordCodes)}) and ${visible}
        limit ${CANDIDATE_LIMIT + 1}`.execute(q);
      take(rows, CANDIDATE_LIMIT);
    }
  }

  let fallback = false;
  const byTrigrams = new Set<string>();
  if (ids.size === 0 && words.length > 0) {
    // Each word alike (by trigrams, or any way above) to the family or the given name.
    fallback = true;
    // Below the default 0.3: one swapped pair in a six-letter name shares only 3 of 11 trigrams.
    await sql`select set_config('pg_trgm.similarity_threshold', ${String(TRIGRAM_THRESHOLD)}, true)`.execute(
      q,
    );
    const alike = (w: string) =>
      sql`(lower(p.family_name) % ${w} or lower(p.given_name) % ${w}
        or ${wordMatches('p.family_name', w, wordCodes.get(w) ?? [])}
        or ${wordMatches('p.given_name', w, wordCodes.get(w) ?? [])})`;
    const similarity = sql.join(
      words.map(
        (w) =>
          sql`greatest(similarity(lower(p.family_name), ${w}), similarity(coalesce(lower(p.given_name), ''), ${w}))`,
      ),
      sql` + `,
    );
    const { rows } = await sql<{ id: string }>`
      select p.id from people p
      where p.partnership_id = ${partnershipId}
        and (${sql.join(
          words.map((w) => sql`lower(p.family_name) % ${w} or lower(p.given_name) % ${w}`),
          sql` or `,
        )})
        and ${sql.join(words.map(alike), sql` and `)} ${dob} and ${visible}
      order by ${similarity} desc, p.id
      limit ${TRIGRAM_LIMIT + 1}`.execute(q);
    take(rows, TRIGRAM_LIMIT);
    for (const r of rows) byTrigrams.add(r.id);
  }

  if (ids.size === 0) return { candidates: [], wordCodes, more, fallback };
  const withRecordPostcodes = search.postcode
    ? sql`(select coalesce(array_agg(distinct upper(replace(r.fields ->> 'postcode', ' ', ''))), '{}')
        from record_links l
        join source_records r on r.partnership_id = l.partnership_id and r.id = l.source_record_id
        where l.partnership_id = p.partnership_id and l.person_id = p.id and ${CURRENT_LINK}
          and (r.fields ->> 'postcode') is not null)`
    : sql`'{}'::text[]`;
  const { rows } = await sql<{
    id: string;
    kind: string;
    givenName: string | null;
    familyName: string;
    dateOfBirth: string | null;
    expectedDate: string | null;
    localityName: string | null;
    protectedAddress: boolean;
    family1: string | null;
    family2: string | null;
    given1: string | null;
    given2: string | null;
    householdPostcode: string | null;
    recordPostcodes: string[];
  }>`
    select p.id, p.kind, p.given_name, p.family_name, p.date_of_birth, p.expected_date, p.protected_address,
      dmetaphone(p.family_name) as family1, dmetaphone_alt(p.family_name) as family2,
      dmetaphone(p.given_name) as given1, dmetaphone_alt(p.given_name) as given2,
      home.locality_name, upper(replace(home.postcode, ' ', '')) as household_postcode,
      ${withRecordPostcodes} as record_postcodes
    from people p
    left join lateral (
      select l.name as locality_name, h.postcode from household_members m
      join households h on h.partnership_id = m.partnership_id and h.id = m.household_id
      join localities l on l.partnership_id = h.partnership_id and l.id = h.locality_id
      where m.partnership_id = p.partnership_id and m.person_id = p.id and m.ended_on is null
      order by m.started_on desc limit 1
    ) as home on true
    where p.partnership_id = ${partnershipId} and p.id = any(${[...ids.keys()]}::uuid[]) and ${visible}`.execute(
    q,
  );
  const codes = (...c: (string | null)[]) => [...new Set(c)].filter((x): x is string => !!x);
  const candidates = rows.map((r): SearchCandidate => ({
    id: r.id,
    kind: r.kind,
    givenName: r.givenName,
    familyName: r.familyName,
    dateOfBirth: r.dateOfBirth,
    expectedDate: r.expectedDate,
    localityName: r.localityName,
    familyCodes: codes(r.family1, r.family2),
    givenCodes: codes(r.given1, r.given2),
    householdPostcode: r.protectedAddress ? null : r.householdPostcode,
    recordPostcodes: r.protectedAddress ? [] : r.recordPostcodes,
    identifierSystem: ids.get(r.id)?.system ?? null,
    byTrigrams: byTrigrams.has(r.id),
  }));
  return { candidates, wordCodes, more, fallback };
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
