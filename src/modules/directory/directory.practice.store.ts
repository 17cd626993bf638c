import { sql } from 'kysely';
import type { Db, Tx } from '../../db/database.ts';
import type { DirectoryReferralStatus, NewRow, SignpostTakenUp } from '../../db/schema.ts';
import { PERMISSIONS } from '../../common/permissions.ts';

/**
 * SQL for the practice side of the directory: signposts and referrals to services from a child's
 * record, and the providers' referral inbox. Every query is scoped to a partnership.
 */

type Q = Db | Tx;

/** The child as the services page shows them, with the household postcode unless the address is protected. */
export async function childOf(q: Q, partnershipId: string, personId: string) {
  const person = await q
    .selectFrom('people')
    .select(['id', 'givenName', 'familyName', 'dateOfBirth', 'protectedAddress'])
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', personId)
    .executeTakeFirstOrThrow();
  const household = person.protectedAddress
    ? undefined
    : await q
        .selectFrom('householdMembers as m')
        .innerJoin('households as h', (j) =>
          j.onRef('h.partnershipId', '=', 'm.partnershipId').onRef('h.id', '=', 'm.householdId'),
        )
        .select('h.postcode')
        .where('m.partnershipId', '=', partnershipId)
        .where('m.personId', '=', personId)
        .where('m.endedOn', 'is', null)
        .orderBy('m.startedOn', 'desc')
        .executeTakeFirst();
  return {
    id: person.id,
    givenName: person.givenName,
    familyName: person.familyName,
    dateOfBirth: person.dateOfBirth,
    postcode: household?.postcode ?? null,
  };
}

/** A service with what a practitioner needs before suggesting it or referring to it. */
export async function serviceForPractice(q: Q, partnershipId: string, serviceId: string) {
  return q
    .selectFrom('directoryServices as s')
    .innerJoin('directoryOrganizations as o', (j) =>
      j.onRef('o.partnershipId', '=', 's.partnershipId').onRef('o.id', '=', 's.organizationId'),
    )
    .select([
      's.id',
      's.name',
      's.description',
      's.status',
      's.eligibilityDescription',
      's.minimumAge',
      's.maximumAge',
      's.accessRoutes',
      's.capacity',
      's.waitWeeks',
      's.capacityUpdatedAt',
      'o.name as organizationName',
      'o.agencyOrganisationId',
    ])
    .where('s.partnershipId', '=', partnershipId)
    .where('s.id', '=', serviceId)
    .executeTakeFirst();
}

export async function partnershipSlug(q: Q, partnershipId: string) {
  const row = await q
    .selectFrom('partnerships')
    .select('slug')
    .where('id', '=', partnershipId)
    .executeTakeFirstOrThrow();
  return row.slug;
}

/** A contact about this child, when it exists: signposts made from the front door's decision name it. */
export async function contactOfChild(q: Q, partnershipId: string, contactId: string, personId: string) {
  return q
    .selectFrom('contacts')
    .select(['id', 'number', 'status', 'outcome'])
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', contactId)
    .where('personId', '=', personId)
    .executeTakeFirst();
}

// --- Signposts ----------------------------------------------------------------------------------

export async function signpostsOf(q: Q, partnershipId: string, personId: string) {
  return q
    .selectFrom('directorySignposts as p')
    .innerJoin('directoryServices as s', (j) =>
      j.onRef('s.partnershipId', '=', 'p.partnershipId').onRef('s.id', '=', 'p.serviceId'),
    )
    .innerJoin('directoryOrganizations as o', (j) =>
      j.onRef('o.partnershipId', '=', 's.partnershipId').onRef('o.id', '=', 's.organizationId'),
    )
    .innerJoin('users as u', (j) =>
      j.onRef('u.partnershipId', '=', 'p.partnershipId').onRef('u.id', '=', 'p.suggestedBy'),
    )
    .innerJoin('organisations as g', (j) =>
      j.onRef('g.partnershipId', '=', 'p.partnershipId').onRef('g.id', '=', 'p.organisationId'),
    )
    .select([
      'p.id',
      'p.serviceId',
      's.name as serviceName',
      'o.name as organizationName',
      'p.note',
      'p.contactId',
      'p.takenUp',
      'p.takenUpRecordedAt',
      'p.suggestedAt',
      'u.displayName as suggestedByName',
      'g.name as suggestedByOrganisation',
      'p.version',
    ])
    .where('p.partnershipId', '=', partnershipId)
    .where('p.personId', '=', personId)
    .orderBy('p.suggestedAt', 'desc')
    .orderBy('p.id')
    .execute();
}

export async function findSignpostByKey(q: Q, partnershipId: string, suggestedBy: string, key: string) {
  return q
    .selectFrom('directorySignposts')
    .selectAll()
    .where('partnershipId', '=', partnershipId)
    .where('suggestedBy', '=', suggestedBy)
    .where('idempotencyKey', '=', key)
    .executeTakeFirst();
}

/** Inserts the signpost unless the same person already used the key: answers the id, or null. */
export async function insertSignpost(tx: Tx, row: NewRow<'directorySignposts'>) {
  const made = await tx
    .insertInto('directorySignposts')
    .values(row)
    .onConflict((oc) =>
      oc
        .columns(['partnershipId', 'suggestedBy', 'idempotencyKey'])
        .where('idempotencyKey', 'is not', null)
        .doNothing(),
    )
    .returning('id')
    .executeTakeFirst();
  return made?.id ?? null;
}

export async function findSignpost(q: Q, partnershipId: string, personId: string, signpostId: string) {
  return q
    .selectFrom('directorySignposts')
    .select(['id', 'version', 'takenUp', 'serviceId'])
    .where('partnershipId', '=', partnershipId)
    .where('personId', '=', personId)
    .where('id', '=', signpostId)
    .executeTakeFirst();
}

export async function recordTakenUp(
  tx: Tx,
  partnershipId: string,
  signpostId: string,
  version: number,
  change: { takenUp: SignpostTakenUp; by: string; at: Date },
) {
  const done = await tx
    .updateTable('directorySignposts')
    .set({
      takenUp: change.takenUp,
      takenUpRecordedAt: change.at,
      takenUpRecordedBy: change.by,
      version: sql<number>`version + 1`,
    })
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', signpostId)
    .where('version', '=', version)
    .executeTakeFirst();
  return Number(done.numUpdatedRows) === 1;
}

// --- Referrals ----------------------------------------------------------------------------------

export async function referralsOfChild(q: Q, partnershipId: string, personId: string) {
  return q
    .selectFrom('directoryReferrals as r')
    .innerJoin('directoryServices as s', (j) =>
      j.onRef('s.partnershipId', '=', 'r.partnershipId').onRef('s.id', '=', 'r.serviceId'),
    )
    .innerJoin('directoryOrganizations as o', (j) =>
      j.onRef('o.partnershipId', '=', 's.partnershipId').onRef('o.id', '=', 's.organizationId'),
    )
    .innerJoin('users as u', (j) =>
      j.onRef('u.partnershipId', '=', 'r.partnershipId').onRef('u.id', '=', 'r.referredBy'),
    )
    .select([
      'r.id',
      'r.number',
      'r.serviceId',
      's.name as serviceName',
      'o.name as organizationName',
      'r.reason',
      'r.status',
      'r.decisionReason',
      'r.decidedAt',
      'r.referredAt',
      'u.displayName as referredByName',
    ])
    .where('r.partnershipId', '=', partnershipId)
    .where('r.personId', '=', personId)
    .orderBy('r.referredAt', 'desc')
    .orderBy('r.id')
    .execute();
}

export async function findReferralByKey(q: Q, partnershipId: string, referredBy: string, key: string) {
  return q
    .selectFrom('directoryReferrals')
    .select(['id', 'number', 'requestHash'])
    .where('partnershipId', '=', partnershipId)
    .where('referredBy', '=', referredBy)
    .where('idempotencyKey', '=', key)
    .executeTakeFirst();
}

export async function insertReferral(tx: Tx, row: NewRow<'directoryReferrals'>) {
  const made = await tx
    .insertInto('directoryReferrals')
    .values(row)
    .onConflict((oc) => oc.columns(['partnershipId', 'referredBy', 'idempotencyKey']).doNothing())
    .returning(['id', 'number'])
    .executeTakeFirst();
  return made ?? null;
}

/** Who answers referrals for an agency: its active users whose roles may answer them. */
export async function providerUsers(q: Q, partnershipId: string, organisationId: string) {
  const roles: readonly string[] = PERMISSIONS['directory.referrals'];
  return q
    .selectFrom('users')
    .select('id')
    .where('partnershipId', '=', partnershipId)
    .where('organisationId', '=', organisationId)
    .where('active', '=', true)
    .where(sql<boolean>`roles && ${sql.val([...roles])}::text[]`)
    .execute();
}

export async function insertNotifications(tx: Tx, rows: NewRow<'notifications'>[]) {
  if (rows.length > 0) await tx.insertInto('notifications').values(rows).execute();
}

function providerReferrals(q: Q, partnershipId: string) {
  return q
    .selectFrom('directoryReferrals as r')
    .innerJoin('directoryServices as s', (j) =>
      j.onRef('s.partnershipId', '=', 'r.partnershipId').onRef('s.id', '=', 'r.serviceId'),
    )
    .innerJoin('directoryOrganizations as o', (j) =>
      j.onRef('o.partnershipId', '=', 's.partnershipId').onRef('o.id', '=', 's.organizationId'),
    )
    .innerJoin('people as p', (j) =>
      j.onRef('p.partnershipId', '=', 'r.partnershipId').onRef('p.id', '=', 'r.personId'),
    )
    .innerJoin('users as u', (j) =>
      j.onRef('u.partnershipId', '=', 'r.partnershipId').onRef('u.id', '=', 'r.referredBy'),
    )
    .innerJoin('organisations as g', (j) =>
      j.onRef('g.partnershipId', '=', 'r.partnershipId').onRef('g.id', '=', 'r.organisationId'),
    )
    .where('r.partnershipId', '=', partnershipId);
}

/** The referrals to an agency's services: waiting first, oldest first. */
export async function referralsToAgency(q: Q, partnershipId: string, agencyOrganisationId: string) {
  return providerReferrals(q, partnershipId)
    .select([
      'r.id',
      'r.number',
      'r.personId',
      'p.givenName',
      'p.familyName',
      's.name as serviceName',
      'r.status',
      'r.referredAt',
      'r.decidedAt',
      'u.displayName as referredByName',
      'g.name as referrerOrganisation',
    ])
    .where('o.agencyOrganisationId', '=', agencyOrganisationId)
    .orderBy(sql`case when r.status = 'sent' then 0 else 1 end`)
    .orderBy('r.referredAt')
    .orderBy('r.id')
    .limit(200)
    .execute();
}

export async function referralForProvider(q: Q, partnershipId: string, referralId: string) {
  return providerReferrals(q, partnershipId)
    .select([
      'r.id',
      'r.number',
      'r.personId',
      'p.givenName',
      'p.familyName',
      'p.dateOfBirth',
      'r.serviceId',
      's.name as serviceName',
      'o.agencyOrganisationId',
      'r.reason',
      'r.familyConsent',
      'r.status',
      'r.decisionReason',
      'r.decidedAt',
      'r.referredAt',
      'r.referredBy',
      'u.displayName as referredByName',
      'u.email as referredByEmail',
      'g.name as referrerOrganisation',
      'r.version',
    ])
    .where('r.id', '=', referralId)
    .executeTakeFirst();
}

export async function decideReferral(
  tx: Tx,
  partnershipId: string,
  referralId: string,
  version: number,
  change: { status: DirectoryReferralStatus; decisionReason: string | null; by: string; at: Date },
) {
  const done = await tx
    .updateTable('directoryReferrals')
    .set({
      status: change.status,
      decisionReason: change.decisionReason,
      decidedBy: change.by,
      decidedAt: change.at,
      version: sql<number>`version + 1`,
    })
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', referralId)
    .where('version', '=', version)
    .where('status', '=', 'sent')
    .executeTakeFirst();
  return Number(done.numUpdatedRows) === 1;
}

/** How many referrals wait for an agency, or null when it runs no directory organisation. */
export async function waitingForAgency(q: Q, partnershipId: string, agencyOrganisationId: string) {
  const row = await q
    .selectFrom('directoryOrganizations as o')
    .leftJoin('directoryServices as s', (j) =>
      j.onRef('s.partnershipId', '=', 'o.partnershipId').onRef('s.organizationId', '=', 'o.id'),
    )
    .leftJoin('directoryReferrals as r', (j) =>
      j
        .onRef('r.partnershipId', '=', 's.partnershipId')
        .onRef('r.serviceId', '=', 's.id')
        .on('r.status', '=', 'sent'),
    )
    .select([
      (eb) => eb.fn.count<string>('o.id').distinct().as('organisations'),
      (eb) => eb.fn.count<string>('r.id').distinct().as('waiting'),
    ])
    .where('o.partnershipId', '=', partnershipId)
    .where('o.agencyOrganisationId', '=', agencyOrganisationId)
    .executeTakeFirstOrThrow();
  return Number(row.organisations) === 0 ? null : Number(row.waiting);
}
