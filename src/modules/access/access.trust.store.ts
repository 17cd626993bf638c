import { sql } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Db, Tx } from '../../db/database.ts';
import type { NewRow, Sector } from '../../db/schema.ts';
import type { Sensitivity } from '../../common/sharing.ts';
import type { SharingRule } from './access.policy.ts';

type Q = Db | Tx;

/** The person's partnership-scoped facts the gate needs before anything else. */
export function findPersonForGate(q: Q, partnershipId: string, personId: string, userId: string | null) {
  return personForGate(q, partnershipId, personId, userId).executeTakeFirst();
}

/**
 * The gate's first question in one round trip: the person's facts as findPersonForGate, this user's
 * active involvements with them as activeInvolvements (none for a system actor), and the token of
 * the partnership's sharing policy (null until migration 0007's triggers first set one).
 */
export function gateFacts(q: Q, partnershipId: string, personId: string, userId: string | null, now: Date) {
  return personForGate(q, partnershipId, personId, userId)
    .select([
      userId
        ? jsonArrayFrom(activeInvolvementsQuery(q, partnershipId, personId, userId, now)).as('involvements')
        : sql<ActiveInvolvement[]>`'[]'::json`.as('involvements'),
      sql<string | null>`(select v.token::text from sharing_policy_versions v
        where v.partnership_id = p.partnership_id)`.as('policyToken'),
    ])
    .executeTakeFirst();
}

function personForGate(q: Q, partnershipId: string, personId: string, userId: string | null) {
  return q
    .selectFrom('people as p')
    .select((eb) => [
      'p.id',
      'p.sealedAt',
      eb
        .exists(
          eb
            .selectFrom('sealedRecordUsers as s')
            .select(sql`1`.as('one'))
            .whereRef('s.partnershipId', '=', 'p.partnershipId')
            .whereRef('s.personId', '=', 'p.id')
            .where('s.userId', '=', userId),
        )
        .as('named'),
    ])
    .where('p.partnershipId', '=', partnershipId)
    .where('p.id', '=', personId);
}

/** Active involvements that give this user access: held by them, or by a team they are in today. */
export function activeInvolvements(q: Q, partnershipId: string, personId: string, userId: string, now: Date) {
  return activeInvolvementsQuery(q, partnershipId, personId, userId, now).execute();
}

type ActiveInvolvement = Awaited<ReturnType<typeof activeInvolvements>>[number];

function activeInvolvementsQuery(q: Q, partnershipId: string, personId: string, userId: string, now: Date) {
  return q
    .selectFrom('involvements as i')
    .select(['i.id', 'i.kind', 'i.purpose'])
    .where('i.partnershipId', '=', partnershipId)
    .where('i.personId', '=', personId)
    .where(involvementInForce(userId, now));
}

/**
 * The rule of relationship-based access, as a condition on an involvement aliased `i`: in force now,
 * and held by the user or by a team they belong to today. The gate, lists and searches share it.
 */
export function involvementInForce(userId: string, now: Date) {
  const today = now.toISOString().slice(0, 10);
  return sql<boolean>`(i.started_at <= ${now} and (i.ended_at is null or i.ended_at > ${now})
    and (i.user_id = ${userId} or i.team_id in (select m.team_id from memberships m
      where m.partnership_id = i.partnership_id and m.user_id = ${userId}
        and m.started_on <= ${today} and (m.ended_on is null or m.ended_on > ${today}))))`;
}

export function activeEmergencyAccess(
  q: Q,
  partnershipId: string,
  personId: string,
  userId: string,
  now: Date,
) {
  return q
    .selectFrom('emergencyAccesses')
    .select(['id', 'reason', 'expiresAt'])
    .where('partnershipId', '=', partnershipId)
    .where('personId', '=', personId)
    .where('userId', '=', userId)
    .where('startedAt', '<=', now)
    .where('expiresAt', '>', now)
    .orderBy('expiresAt', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function loadSharingRules(q: Q, partnershipId: string): Promise<SharingRule[]> {
  const rows = await q
    .selectFrom('sharingRules as r')
    .innerJoin('sharingAgreements as a', (j) =>
      j.onRef('a.partnershipId', '=', 'r.partnershipId').onRef('a.id', '=', 'r.agreementId'),
    )
    .select([
      'r.agreementId',
      'a.name as agreementName',
      'a.purpose',
      'a.lawfulBasis',
      'a.validFrom',
      'a.validUntil',
      'r.effect',
      'r.mode',
      'r.sourceSector',
      'r.sourceOrganisationId',
      'r.recipientSector',
      'r.recipientOrganisationId',
      'r.dataType',
      'r.sensitivities',
    ])
    .where('r.partnershipId', '=', partnershipId)
    .where('a.revokedAt', 'is', null)
    .execute();
  return rows.map((r) => ({
    agreementId: r.agreementId,
    agreementName: r.agreementName,
    purpose: r.purpose,
    lawfulBasis: r.lawfulBasis,
    validFrom: r.validFrom,
    validUntil: r.validUntil,
    effect: r.effect,
    mode: r.mode,
    source: { sector: r.sourceSector, organisationId: r.sourceOrganisationId },
    recipient: { sector: r.recipientSector, organisationId: r.recipientOrganisationId },
    dataType: r.dataType,
    sensitivities: r.sensitivities,
  }));
}

export async function withheldDisplay(q: Q, partnershipId: string) {
  const rows = await q
    .selectFrom('withheldItemDisplay')
    .select(['sensitivity', 'shows'])
    .where('partnershipId', '=', partnershipId)
    .execute();
  return new Map<Sensitivity, 'existence' | 'nothing'>(rows.map((r) => [r.sensitivity, r.shows]));
}

/** Every organisation's sector in the partnership, by organisation. */
export async function organisationSectors(q: Q, partnershipId: string) {
  const rows = await q
    .selectFrom('organisations')
    .select(['id', 'sector'])
    .where('partnershipId', '=', partnershipId)
    .execute();
  return new Map<string, Sector>(rows.map((r) => [r.id, r.sector]));
}

/**
 * What item decisions need to know of one child for one organisation, in one round trip: the
 * purposes the child's consent covers today, and the items shared with the organisation by a
 * recorded decision, with the basis cited.
 */
export async function itemSharingFacts(
  q: Q,
  partnershipId: string,
  personId: string,
  organisationId: string,
  now: Date,
) {
  const row = await q
    .selectNoFrom([
      jsonArrayFrom(consentedPurposes(q, partnershipId, personId, now)).as('consented'),
      jsonArrayFrom(sharedByDecision(q, partnershipId, personId, organisationId)).as('decisions'),
    ])
    .executeTakeFirstOrThrow();
  return {
    consented: new Set(row.consented.map((r) => r.purpose)),
    decisions: new Map(row.decisions.map((r) => [r.itemId, r.lawfulBasis ?? 'recorded decision'])),
  };
}

/** Purposes the child's consent covers today (given, not expired, not withdrawn). */
function consentedPurposes(q: Q, partnershipId: string, personId: string, now: Date) {
  const today = now.toISOString().slice(0, 10);
  return q
    .selectFrom('consents')
    .select('purpose')
    .distinct()
    .where('partnershipId', '=', partnershipId)
    .where('personId', '=', personId)
    .where('givenOn', '<=', today)
    .where((eb) => eb.or([eb('expiresOn', 'is', null), eb('expiresOn', '>=', today)]))
    .where('withdrawnAt', 'is', null);
}

/** Items of this person shared with an organisation by a recorded decision, with the basis cited. */
function sharedByDecision(q: Q, partnershipId: string, personId: string, organisationId: string) {
  return q
    .selectFrom('sharingDecisions')
    .select(['itemId', 'lawfulBasis'])
    .where('partnershipId', '=', partnershipId)
    .where('personId', '=', personId)
    .where('recipientOrganisationId', '=', organisationId)
    .where('decision', '=', 'share');
}

export function findOrganisationSector(q: Q, partnershipId: string, organisationId: string) {
  return q
    .selectFrom('organisations')
    .select(['sector', 'name'])
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', organisationId)
    .executeTakeFirst();
}

export function involvementsOf(q: Q, partnershipId: string, personId: string) {
  return q
    .selectFrom('involvements as i')
    .leftJoin('users as u', (j) =>
      j.onRef('u.partnershipId', '=', 'i.partnershipId').onRef('u.id', '=', 'i.userId'),
    )
    .leftJoin('teams as t', (j) =>
      j.onRef('t.partnershipId', '=', 'i.partnershipId').onRef('t.id', '=', 'i.teamId'),
    )
    .leftJoin('organisations as o', (j) =>
      j
        .onRef('o.partnershipId', '=', 'i.partnershipId')
        .on((eb) =>
          eb.or([eb('o.id', '=', eb.ref('u.organisationId')), eb('o.id', '=', eb.ref('t.organisationId'))]),
        ),
    )
    .select([
      'i.id',
      'i.kind',
      'i.purpose',
      'i.reason',
      'i.startedAt',
      'i.endedAt',
      'i.endReason',
      'i.version',
      'u.displayName as userName',
      'u.email as userEmail',
      't.name as teamName',
      'o.name as organisationName',
    ])
    .where('i.partnershipId', '=', partnershipId)
    .where('i.personId', '=', personId)
    .orderBy('i.endedAt', (ob) => ob.desc().nullsFirst())
    .orderBy('i.startedAt', 'desc')
    .execute();
}

export function findInvolvement(q: Q, partnershipId: string, personId: string, id: string) {
  return q
    .selectFrom('involvements')
    .select(['id', 'startedAt', 'endedAt', 'version'])
    .where('partnershipId', '=', partnershipId)
    .where('personId', '=', personId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function insertInvolvement(q: Q, row: NewRow<'involvements'>): Promise<string> {
  const { id } = await q.insertInto('involvements').values(row).returning('id').executeTakeFirstOrThrow();
  return id;
}

/**
 * Ends an involvement if it is still open (at `at`, or at its start if that is later); answers
 * whether it did.
 */
export async function endOpenInvolvement(
  q: Q,
  partnershipId: string,
  id: string,
  end: { at: Date; reason: string; endedBy: string | null },
): Promise<boolean> {
  const done = await q
    .updateTable('involvements')
    .set({
      endedAt: sql<Date>`greatest(started_at, ${end.at})`,
      endReason: end.reason,
      endedBy: end.endedBy,
      version: sql<number>`version + 1`,
    })
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', id)
    .where('endedAt', 'is', null)
    .executeTakeFirst();
  return done.numUpdatedRows > 0n;
}

export async function involvementHolders(q: Q, partnershipId: string) {
  const [users, teams] = await Promise.all([
    q
      .selectFrom('users as u')
      .innerJoin('organisations as o', (j) =>
        j.onRef('o.partnershipId', '=', 'u.partnershipId').onRef('o.id', '=', 'u.organisationId'),
      )
      .select(['u.id', 'u.displayName', 'o.name as organisationName'])
      .where('u.partnershipId', '=', partnershipId)
      .where('u.active', '=', true)
      .where(sql<boolean>`u.roles && array['practitioner', 'front_door', 'team_manager']`)
      .orderBy('u.displayName')
      .execute(),
    q
      .selectFrom('teams')
      .select(['id', 'name'])
      .where('partnershipId', '=', partnershipId)
      .where('active', '=', true)
      .orderBy('name')
      .execute(),
  ]);
  return { users, teams };
}

export function findHolder(
  q: Q,
  partnershipId: string,
  holder: { userId: string | null; teamId: string | null },
) {
  return holder.userId
    ? q
        .selectFrom('users')
        .select('id')
        .where('partnershipId', '=', partnershipId)
        .where('id', '=', holder.userId)
        .where('active', '=', true)
        .executeTakeFirst()
    : q
        .selectFrom('teams')
        .select('id')
        .where('partnershipId', '=', partnershipId)
        .where('id', '=', holder.teamId!)
        .where('active', '=', true)
        .executeTakeFirst();
}

function emergencyAccessRows(q: Q, partnershipId: string) {
  return q
    .selectFrom('emergencyAccesses as e')
    .innerJoin('users as u', (j) =>
      j.onRef('u.partnershipId', '=', 'e.partnershipId').onRef('u.id', '=', 'e.userId'),
    )
    .innerJoin('organisations as o', (j) =>
      j.onRef('o.partnershipId', '=', 'u.partnershipId').onRef('o.id', '=', 'u.organisationId'),
    )
    .innerJoin('people as p', (j) =>
      j.onRef('p.partnershipId', '=', 'e.partnershipId').onRef('p.id', '=', 'e.personId'),
    )
    .leftJoin('users as r', (j) =>
      j.onRef('r.partnershipId', '=', 'e.partnershipId').onRef('r.id', '=', 'e.reviewedBy'),
    )
    .select([
      'e.id',
      'e.personId',
      'e.userId',
      'e.reason',
      'e.startedAt',
      'e.expiresAt',
      'e.reviewOutcome',
      'e.reviewNote',
      'e.reviewedAt',
      'e.version',
      'u.displayName as userName',
      'o.name as organisationName',
      'p.givenName',
      'p.familyName',
      'r.displayName as reviewerName',
    ])
    .where('e.partnershipId', '=', partnershipId);
}

export function emergencyAccessQueue(q: Q, partnershipId: string, reviewed: boolean) {
  return emergencyAccessRows(q, partnershipId)
    .where('e.reviewOutcome', reviewed ? 'is not' : 'is', null)
    .orderBy('e.startedAt', reviewed ? 'desc' : 'asc')
    .limit(200)
    .execute();
}

export function findEmergencyAccess(q: Q, partnershipId: string, id: string) {
  return emergencyAccessRows(q, partnershipId).where('e.id', '=', id).executeTakeFirst();
}

export function consentsOf(q: Q, partnershipId: string, personId: string) {
  return q
    .selectFrom('consents')
    .selectAll()
    .where('partnershipId', '=', partnershipId)
    .where('personId', '=', personId)
    .orderBy('withdrawnAt', (ob) => ob.desc().nullsFirst())
    .orderBy('givenOn', 'desc')
    .execute();
}

export function findConsent(q: Q, partnershipId: string, personId: string, id: string) {
  return q
    .selectFrom('consents')
    .select(['id', 'purpose', 'withdrawnAt', 'version'])
    .where('partnershipId', '=', partnershipId)
    .where('personId', '=', personId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export function listAgreements(q: Q, partnershipId: string) {
  return q
    .selectFrom('sharingAgreements as a')
    .select((eb) => [
      'a.id',
      'a.name',
      'a.purpose',
      'a.lawfulBasis',
      'a.validFrom',
      'a.validUntil',
      'a.revokedAt',
      eb
        .selectFrom('sharingRules as r')
        .select((s) => s.fn.countAll<number>().as('n'))
        .whereRef('r.partnershipId', '=', 'a.partnershipId')
        .whereRef('r.agreementId', '=', 'a.id')
        .as('rules'),
    ])
    .where('a.partnershipId', '=', partnershipId)
    .orderBy('a.name')
    .execute();
}

export function findAgreement(q: Q, partnershipId: string, id: string) {
  return q
    .selectFrom('sharingAgreements')
    .selectAll()
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function rulesOf(q: Q, partnershipId: string, agreementId: string) {
  const rows = await q
    .selectFrom('sharingRules as r')
    .leftJoin('organisations as so', (j) =>
      j.onRef('so.partnershipId', '=', 'r.partnershipId').onRef('so.id', '=', 'r.sourceOrganisationId'),
    )
    .leftJoin('organisations as ro', (j) =>
      j.onRef('ro.partnershipId', '=', 'r.partnershipId').onRef('ro.id', '=', 'r.recipientOrganisationId'),
    )
    .select([
      'r.id',
      'r.effect',
      'r.mode',
      'r.sourceSector',
      'r.sourceOrganisationId',
      'r.recipientSector',
      'r.recipientOrganisationId',
      'r.dataType',
      'r.sensitivities',
      'so.name as sourceName',
      'ro.name as recipientName',
    ])
    .where('r.partnershipId', '=', partnershipId)
    .where('r.agreementId', '=', agreementId)
    .orderBy('r.createdAt')
    .orderBy('r.id')
    .execute();
  return rows.map((r) => ({
    ...r,
    source: { sector: r.sourceSector, organisationId: r.sourceOrganisationId },
    recipient: { sector: r.recipientSector, organisationId: r.recipientOrganisationId },
  }));
}

export function findItemOwner(q: Q, partnershipId: string, personId: string, itemId: string) {
  return q
    .selectFrom('recordItems')
    .select(['id', 'owningOrganisationId'])
    .where('partnershipId', '=', partnershipId)
    .where('personId', '=', personId)
    .where('id', '=', itemId)
    .executeTakeFirst();
}

export function activeUsersByEmail(q: Q, partnershipId: string, emails: readonly string[]) {
  if (emails.length === 0) return Promise.resolve([]);
  return q
    .selectFrom('users')
    .select(['id', 'email'])
    .where('partnershipId', '=', partnershipId)
    .where('active', '=', true)
    .where((eb) => eb(eb.fn('lower', ['email']), 'in', [...emails]))
    .execute();
}

export function emergencyAccessesOf(q: Q, partnershipId: string, personId: string) {
  return emergencyAccessRows(q, partnershipId)
    .where('e.personId', '=', personId)
    .orderBy('e.startedAt')
    .execute();
}

export function sharingDecisionsOf(q: Q, partnershipId: string, personId: string) {
  return q
    .selectFrom('sharingDecisions as d')
    .innerJoin('organisations as o', (j) =>
      j.onRef('o.partnershipId', '=', 'd.partnershipId').onRef('o.id', '=', 'd.recipientOrganisationId'),
    )
    .leftJoin('users as u', (j) =>
      j.onRef('u.partnershipId', '=', 'd.partnershipId').onRef('u.id', '=', 'd.decidedBy'),
    )
    .select([
      'd.id',
      'd.itemId',
      'd.decision',
      'd.lawfulBasis',
      'd.reason',
      'd.decidedAt',
      'o.name as recipientName',
      'u.displayName as decidedByName',
    ])
    .where('d.partnershipId', '=', partnershipId)
    .where('d.personId', '=', personId)
    .orderBy('d.decidedAt')
    .execute();
}
