import { sql } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Db, Tx } from '../../db/database.ts';
import type { NewRow, RowUpdate } from '../../db/schema.ts';

/** SQL for organisations, teams, users and memberships. Every query is scoped to one partnership. */

type Q = Db | Tx;
export const PAGE_SIZE = 50;

/** The partnership an area's public pages belong to, by the slug in their address. */
export async function partnershipBySlug(q: Q, slug: string) {
  // Slugs are plain words; anything else (a NUL byte, which PostgreSQL refuses) names no area.
  if (!/^[\w-]{1,100}$/.test(slug)) return undefined;
  return q
    .selectFrom('partnerships')
    .select(['id', 'name', 'slug'])
    .where('slug', '=', slug)
    .executeTakeFirst();
}

export function listLocalities(q: Q, partnershipId: string) {
  return q
    .selectFrom('localities')
    .selectAll()
    .where('partnershipId', '=', partnershipId)
    .orderBy('name')
    .execute();
}

export function listOrganisations(q: Q, partnershipId: string, opts: { activeOnly?: boolean } = {}) {
  let query = q
    .selectFrom('organisations as o')
    .leftJoin('localities as l', (j) =>
      j.onRef('l.partnershipId', '=', 'o.partnershipId').onRef('l.id', '=', 'o.localityId'),
    )
    .selectAll('o')
    .select('l.name as localityName')
    .where('o.partnershipId', '=', partnershipId);
  if (opts.activeOnly) query = query.where('o.active', '=', true);
  return query.orderBy('o.sector').orderBy('o.name').execute();
}

export function findOrganisation(q: Q, partnershipId: string, id: string) {
  return q
    .selectFrom('organisations')
    .selectAll()
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export function insertOrganisation(q: Q, row: NewRow<'organisations'>) {
  return q.insertInto('organisations').values(row).returningAll().executeTakeFirstOrThrow();
}

/** Writes only if the row is still at `version`; answers undefined when someone else changed it first. */
export function updateOrganisation(
  q: Q,
  partnershipId: string,
  id: string,
  version: number,
  changes: RowUpdate<'organisations'>,
) {
  return q
    .updateTable('organisations')
    .set({ ...changes, version: sql`version + 1`, updatedAt: sql`now()` })
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', id)
    .where('version', '=', version)
    .returningAll()
    .executeTakeFirst();
}

export function listTeams(q: Q, partnershipId: string, opts: { activeOnly?: boolean; id?: string } = {}) {
  let query = q
    .selectFrom('teams as t')
    .innerJoin('organisations as o', (j) =>
      j.onRef('o.partnershipId', '=', 't.partnershipId').onRef('o.id', '=', 't.organisationId'),
    )
    .leftJoin('localities as l', (j) =>
      j.onRef('l.partnershipId', '=', 't.partnershipId').onRef('l.id', '=', 't.localityId'),
    )
    .selectAll('t')
    .select(['o.name as organisationName', 'l.name as localityName'])
    .select((eb) =>
      eb
        .selectFrom('memberships as m')
        .whereRef('m.partnershipId', '=', 't.partnershipId')
        .whereRef('m.teamId', '=', 't.id')
        .where('m.endedOn', 'is', null)
        .select(eb.fn.countAll<number>().as('n'))
        .as('memberCount'),
    )
    .where('t.partnershipId', '=', partnershipId);
  if (opts.activeOnly) query = query.where('t.active', '=', true);
  if (opts.id) query = query.where('t.id', '=', opts.id);
  return query.orderBy('t.name').execute();
}

export function findTeam(q: Q, partnershipId: string, id: string) {
  return q
    .selectFrom('teams')
    .selectAll()
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export function insertTeam(q: Q, row: NewRow<'teams'>) {
  return q.insertInto('teams').values(row).returningAll().executeTakeFirstOrThrow();
}

export function updateTeam(
  q: Q,
  partnershipId: string,
  id: string,
  version: number,
  changes: RowUpdate<'teams'>,
) {
  return q
    .updateTable('teams')
    .set({ ...changes, version: sql`version + 1`, updatedAt: sql`now()` })
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', id)
    .where('version', '=', version)
    .returningAll()
    .executeTakeFirst();
}

const userColumns = [
  'u.partnershipId',
  'u.id',
  'u.email',
  'u.displayName',
  'u.jobTitle',
  'u.organisationId',
  'u.roles',
  'u.active',
  'u.deactivatedAt',
  'u.lockedUntil',
  'u.lastSignInAt',
  'u.version',
  'u.createdAt',
] as const;

export async function listUsers(q: Q, partnershipId: string, opts: { search: string; page: number }) {
  let query = q
    .selectFrom('users as u')
    .innerJoin('organisations as o', (j) =>
      j.onRef('o.partnershipId', '=', 'u.partnershipId').onRef('o.id', '=', 'u.organisationId'),
    )
    .where('u.partnershipId', '=', partnershipId);
  if (opts.search) {
    const like = `%${opts.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) =>
      eb.or([eb('u.displayName', 'ilike', like), eb('u.email', 'ilike', like), eb('o.name', 'ilike', like)]),
    );
  }
  const [rows, total] = await Promise.all([
    query
      .select([...userColumns, 'o.name as organisationName', 'o.sector'])
      .orderBy('u.displayName')
      .orderBy('u.id')
      .limit(PAGE_SIZE)
      .offset((opts.page - 1) * PAGE_SIZE)
      .execute(),
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: total.n };
}

export function findUser(q: Q, partnershipId: string, id: string) {
  return q
    .selectFrom('users as u')
    .innerJoin('organisations as o', (j) =>
      j.onRef('o.partnershipId', '=', 'u.partnershipId').onRef('o.id', '=', 'u.organisationId'),
    )
    .select([...userColumns, 'o.name as organisationName', 'o.sector'])
    .where('u.partnershipId', '=', partnershipId)
    .where('u.id', '=', id)
    .executeTakeFirst();
}

/** For sign-in only: the one query that reads the password hash. */
export function findUserForSignIn(q: Q, email: string) {
  return q
    .selectFrom('users')
    .select(['partnershipId', 'id', 'displayName', 'passwordHash', 'active', 'failedSignIns', 'lockedUntil'])
    .where(sql<string>`lower(email)`, '=', email.toLowerCase())
    .executeTakeFirst();
}

/** For a sign-in another party has identified: the same columns, found by id, without the password hash. */
export function findUserForSignInById(q: Q, partnershipId: string, id: string) {
  return q
    .selectFrom('users')
    .select(['partnershipId', 'id', 'displayName', 'active', 'failedSignIns', 'lockedUntil'])
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export function emailTaken(q: Q, email: string, exceptUserId?: string) {
  let query = q
    .selectFrom('users')
    .select('id')
    .where(sql<string>`lower(email)`, '=', email.toLowerCase());
  if (exceptUserId) query = query.where('id', '<>', exceptUserId);
  return query.executeTakeFirst().then(Boolean);
}

export function insertUser(q: Q, row: NewRow<'users'>) {
  return q.insertInto('users').values(row).returning(['id', 'version']).executeTakeFirstOrThrow();
}

export function updateUser(
  q: Q,
  partnershipId: string,
  id: string,
  version: number,
  changes: RowUpdate<'users'>,
) {
  return q
    .updateTable('users')
    .set({ ...changes, version: sql`version + 1`, updatedAt: sql`now()` })
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', id)
    .where('version', '=', version)
    .returning(['id', 'version'])
    .executeTakeFirst();
}

export function listMemberships(q: Q, partnershipId: string, userId: string) {
  return q
    .selectFrom('memberships as m')
    .innerJoin('teams as t', (j) =>
      j.onRef('t.partnershipId', '=', 'm.partnershipId').onRef('t.id', '=', 'm.teamId'),
    )
    .innerJoin('organisations as o', (j) =>
      j.onRef('o.partnershipId', '=', 't.partnershipId').onRef('o.id', '=', 't.organisationId'),
    )
    .selectAll('m')
    .select(['t.name as teamName', 't.multiAgency', 'o.name as hostOrganisationName'])
    .where('m.partnershipId', '=', partnershipId)
    .where('m.userId', '=', userId)
    .orderBy('m.endedOn', (ob) => ob.desc().nullsFirst())
    .orderBy('t.name')
    .execute();
}

export function listTeamMembers(q: Q, partnershipId: string, teamId: string) {
  return q
    .selectFrom('memberships as m')
    .innerJoin('users as u', (j) =>
      j.onRef('u.partnershipId', '=', 'm.partnershipId').onRef('u.id', '=', 'm.userId'),
    )
    .innerJoin('organisations as o', (j) =>
      j.onRef('o.partnershipId', '=', 'u.partnershipId').onRef('o.id', '=', 'u.organisationId'),
    )
    .select([
      'm.id',
      'm.seconded',
      'm.partTime',
      'm.startedOn',
      'u.id as userId',
      'u.displayName',
      'u.jobTitle',
    ])
    .select(['o.name as homeOrganisationName', 'o.sector'])
    .where('m.partnershipId', '=', partnershipId)
    .where('m.teamId', '=', teamId)
    .where('m.endedOn', 'is', null)
    .orderBy('u.displayName')
    .execute();
}

export function insertMembership(q: Q, row: NewRow<'memberships'>) {
  return q.insertInto('memberships').values(row).returningAll().executeTakeFirstOrThrow();
}

export function endMembership(q: Q, partnershipId: string, id: string, endedOn: string) {
  return q
    .updateTable('memberships')
    .set({ endedOn })
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', id)
    .where('endedOn', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/** A person's own account, organisation, partnership and current teams, in one round trip. */
export function findProfile(q: Q, partnershipId: string, userId: string) {
  return q
    .selectFrom('users as u')
    .innerJoin('organisations as o', (j) =>
      j.onRef('o.partnershipId', '=', 'u.partnershipId').onRef('o.id', '=', 'u.organisationId'),
    )
    .innerJoin('partnerships as p', 'p.id', 'u.partnershipId')
    .select([
      'u.id',
      'u.displayName',
      'u.jobTitle',
      'u.roles',
      'o.name as organisationName',
      'o.sector',
      'p.name as partnershipName',
    ])
    .select((eb) =>
      jsonArrayFrom(
        eb
          .selectFrom('memberships as m')
          .innerJoin('teams as t', (j) =>
            j.onRef('t.partnershipId', '=', 'm.partnershipId').onRef('t.id', '=', 'm.teamId'),
          )
          .innerJoin('organisations as h', (j) =>
            j.onRef('h.partnershipId', '=', 't.partnershipId').onRef('h.id', '=', 't.organisationId'),
          )
          .select(['t.name as teamName', 'h.name as hostOrganisationName', 'm.seconded', 'm.partTime'])
          .whereRef('m.partnershipId', '=', 'u.partnershipId')
          .whereRef('m.userId', '=', 'u.id')
          .where('m.endedOn', 'is', null)
          .orderBy('t.name'),
      ).as('teams'),
    )
    .where('u.partnershipId', '=', partnershipId)
    .where('u.id', '=', userId)
    .executeTakeFirst();
}
