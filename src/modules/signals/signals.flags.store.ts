import { sql, type RawBuilder } from 'kysely';
import type { Db, Tx } from '../../db/database.ts';
import type { NewRow, PlanKind } from '../../db/schema.ts';

type Q = Db | Tx;

/** The flags' SQL; every query is scoped to a partnership. */

export type FlaggedPlanKind = Extract<PlanKind, 'child_protection' | 'looked_after'>;

/**
 * A child the check found, with one of their flags (or none: `planKind` null). A flag is a stretch
 * of a child protection or looked-after stage of a plan while the child was on it: from the later of
 * the stage's start and the child joining, to the earlier of the stage's end and the child leaving.
 */
export type FlagRow = {
  personId: string;
  personKind: 'child' | 'unborn';
  givenName: string | null;
  familyName: string;
  planKind: FlaggedPlanKind | null;
  startedOn: string | null;
  endedOn: string | null;
  /** The plan's lead professional while the child is on it and it is open (stepped down, say): whom to tell. */
  currentLeadId: string | null;
};

/** The people a search matched, as (id, kind) rows: by NHS number through the person index, or by id. */
type Matched = RawBuilder<unknown>;

/** Everyone whose current, accepted agency records carry this NHS number; sealed records never. */
export const matchedByNhsNumber = (partnershipId: string, nhsNumber: string): Matched => sql`
  select distinct p.id, p.kind
  from source_record_identifiers i
  join record_links l on l.partnership_id = i.partnership_id and l.source_record_id = i.source_record_id
    and l.status in ('auto_linked', 'confirmed') and l.ended_at is null
  join people p on p.partnership_id = l.partnership_id and p.id = l.person_id and p.sealed_at is null
  where i.partnership_id = ${partnershipId} and i.system = 'nhs' and i.value = ${nhsNumber}`;

export const matchedById = (partnershipId: string, personId: string): Matched => sql`
  select p.id, p.kind from people p
  where p.partnership_id = ${partnershipId} and p.id = ${personId} and p.sealed_at is null`;

/**
 * One query from a match to the flags: the children matched, and the unborn children of an adult
 * matched (an unborn child protection plan is found by the pregnant mother's NHS number, as CP-IS
 * does); each with their flags, current or ended on or after `endedSince`. Indexed all the way:
 * identifiers by (partnership, system, value), current links by record, relationships and plan
 * children by person (0017), stages by plan.
 */
export async function flagRows(q: Q, partnershipId: string, matched: Matched, endedSince: string) {
  const { rows } = await sql<FlagRow>`
    with matched as (${matched}),
    subjects as (
      select id from matched where kind <> 'adult'
      union
      select u.id from matched m
      join relationships r on r.partnership_id = ${partnershipId} and r.person_id = m.id
        and r.kind = 'parent' and r.ended_on is null
      join people u on u.partnership_id = r.partnership_id and u.id = r.related_person_id
        and u.kind = 'unborn' and u.sealed_at is null
      where m.kind = 'adult'
    )
    select p.id as "personId", p.kind as "personKind", p.given_name as "givenName",
      p.family_name as "familyName", f.plan_kind as "planKind", f.started_on as "startedOn",
      f.ended_on as "endedOn", f.current_lead_id as "currentLeadId"
    from subjects s
    join people p on p.partnership_id = ${partnershipId} and p.id = s.id
    left join lateral (
      select st.kind as plan_kind, greatest(st.started_on, c.added_on) as started_on,
        least(st.ended_on, c.removed_on) as ended_on,
        case when pl.status = 'open' and c.current then pl.lead_professional_id end as current_lead_id
      from plan_children c
      join plans pl on pl.partnership_id = c.partnership_id and pl.id = c.plan_id
      join plan_stages st on st.partnership_id = c.partnership_id and st.plan_id = c.plan_id
        and st.kind in ('child_protection', 'looked_after')
      where c.partnership_id = p.partnership_id and c.person_id = p.id
    ) f on f.ended_on is null or (f.ended_on >= ${endedSince} and f.ended_on >= f.started_on)
    order by p.id, f.ended_on desc nulls first, f.started_on desc`.execute(q);
  return rows;
}

/** Children born on the day, for a search by name and date of birth; names are compared by the caller. */
export async function childrenBornOn(q: Q, partnershipId: string, dateOfBirth: string) {
  return q
    .selectFrom('people')
    .select(['id', 'givenName', 'familyName'])
    .where('partnershipId', '=', partnershipId)
    .where('dateOfBirth', '=', dateOfBirth)
    .where('kind', '=', 'child')
    .where('sealedAt', 'is', null)
    .execute();
}

export async function organisationName(q: Q, partnershipId: string, organisationId: string) {
  const row = await q
    .selectFrom('organisations')
    .select('name')
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', organisationId)
    .executeTakeFirstOrThrow();
  return row.name;
}

export async function insertCheck(tx: Tx, row: NewRow<'flagChecks'>) {
  await tx.insertInto('flagChecks').values(row).execute();
}

export async function insertNotification(tx: Tx, row: NewRow<'notifications'>) {
  await tx.insertInto('notifications').values(row).execute();
}

export const RECENT_CHECKS = 25;

/** The latest checks of a child's flag: who, from which organisation and setting, when, whether told. */
export async function recentChecks(q: Q, partnershipId: string, personId: string) {
  return q
    .selectFrom('flagChecks as c')
    .innerJoin('users as u', (j) =>
      j.onRef('u.partnershipId', '=', 'c.partnershipId').onRef('u.id', '=', 'c.checkedBy'),
    )
    .innerJoin('organisations as o', (j) =>
      j.onRef('o.partnershipId', '=', 'c.partnershipId').onRef('o.id', '=', 'c.organisationId'),
    )
    .select([
      'c.checkedAt',
      'c.setting',
      'c.method',
      'c.notifiedUserId',
      'u.displayName as checkedByName',
      'o.name as organisationName',
    ])
    .where('c.partnershipId', '=', partnershipId)
    .where('c.personId', '=', personId)
    .orderBy('c.checkedAt', 'desc')
    .limit(RECENT_CHECKS)
    .execute();
}
