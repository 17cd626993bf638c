import { sql } from 'kysely';
import type { Db, Tx } from '../../db/database.ts';
import type { NewRow } from '../../db/schema.ts';

/**
 * SQL for family accounts and the family's view of their plan; every query scoped to a partnership
 * except the activation look-up, which starts from an email address (unique across partnerships).
 * The account itself, a row in `users`, is written by the access module (access.family-users.ts).
 */

type Q = Db | Tx;

export function findCurrentAccount(q: Q, partnershipId: string, userId: string) {
  return q
    .selectFrom('familyAccounts')
    .select(['id', 'planId', 'personId', 'relationship', 'language'])
    .where('partnershipId', '=', partnershipId)
    .where('userId', '=', userId)
    .where('revokedAt', 'is', null)
    .executeTakeFirst();
}

/** A plan's family accounts with their sign-ins: current ones first, then revoked, oldest first. */
export function listAccounts(q: Q, partnershipId: string, planId: string) {
  return q
    .selectFrom('familyAccounts as fa')
    .innerJoin('users as u', (j) =>
      j.onRef('u.partnershipId', '=', 'fa.partnershipId').onRef('u.id', '=', 'fa.userId'),
    )
    .leftJoin('users as g', (j) =>
      j.onRef('g.partnershipId', '=', 'fa.partnershipId').onRef('g.id', '=', 'fa.grantedBy'),
    )
    .leftJoin('people as p', (j) =>
      j.onRef('p.partnershipId', '=', 'fa.partnershipId').onRef('p.id', '=', 'fa.personId'),
    )
    .select([
      'fa.id',
      'fa.userId',
      'fa.relationship',
      'fa.language',
      'fa.personId',
      'fa.activationExpiresAt',
      'fa.grantedAt',
      'fa.revokedAt',
      'u.displayName',
      'u.email',
      'u.lastSignInAt',
      'g.displayName as grantedByName',
      'p.givenName as personGivenName',
    ])
    .select((eb) => eb('fa.activationSha256', 'is not', null).$castTo<boolean>().as('codeWaiting'))
    .where('fa.partnershipId', '=', partnershipId)
    .where('fa.planId', '=', planId)
    .orderBy(sql`fa.revoked_at is not null`)
    .orderBy('fa.grantedAt')
    .orderBy('fa.id')
    .execute();
}

export function findAccountForUpdate(q: Q, partnershipId: string, planId: string, accountId: string) {
  return q
    .selectFrom('familyAccounts as fa')
    .innerJoin('users as u', (j) =>
      j.onRef('u.partnershipId', '=', 'fa.partnershipId').onRef('u.id', '=', 'fa.userId'),
    )
    .select(['fa.id', 'fa.userId', 'fa.revokedAt', 'u.displayName', 'u.email'])
    .where('fa.partnershipId', '=', partnershipId)
    .where('fa.planId', '=', planId)
    .where('fa.id', '=', accountId)
    .forUpdate('fa')
    .executeTakeFirst();
}

export async function hasCurrentAccount(q: Q, partnershipId: string, userId: string) {
  return Boolean(await findCurrentAccount(q, partnershipId, userId));
}

export async function insertAccount(q: Q, row: NewRow<'familyAccounts'>) {
  const account = await q.insertInto('familyAccounts').values(row).returning('id').executeTakeFirstOrThrow();
  return account.id;
}

export async function setActivationCode(
  q: Q,
  partnershipId: string,
  accountId: string,
  code: { sha256: string; expiresAt: Date },
) {
  await q
    .updateTable('familyAccounts')
    .set({ activationSha256: code.sha256, activationExpiresAt: code.expiresAt })
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', accountId)
    .execute();
}

export async function revokeAccount(q: Q, partnershipId: string, accountId: string, by: string, now: Date) {
  await q
    .updateTable('familyAccounts')
    .set({ revokedAt: now, revokedBy: by, activationSha256: null, activationExpiresAt: null })
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', accountId)
    .execute();
}

/** The current account an unexpired code belongs to, found by the email address it was given for. */
export function findActivation(q: Q, email: string, sha256: string, now: Date) {
  return q
    .selectFrom('familyAccounts as fa')
    .innerJoin('users as u', (j) =>
      j.onRef('u.partnershipId', '=', 'fa.partnershipId').onRef('u.id', '=', 'fa.userId'),
    )
    .select(['fa.partnershipId', 'fa.id', 'fa.planId', 'fa.userId'])
    .where(sql<string>`lower(u.email)`, '=', email.toLowerCase())
    .where('u.active', '=', true)
    .where('fa.revokedAt', 'is', null)
    .where('fa.activationSha256', '=', sha256)
    .where('fa.activationExpiresAt', '>', now)
    .executeTakeFirst();
}

/** Uses a code up: answers false if another request used it first. */
export async function clearActivationCode(q: Q, partnershipId: string, accountId: string, sha256: string) {
  const cleared = await q
    .updateTable('familyAccounts')
    .set({ activationSha256: null, activationExpiresAt: null })
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', accountId)
    .where('activationSha256', '=', sha256)
    .executeTakeFirst();
  return cleared.numUpdatedRows === 1n;
}

/** The plan row's parts the family sees. */
export function findPlan(q: Q, partnershipId: string, planId: string, opts: { forUpdate: boolean }) {
  let query = q
    .selectFrom('plans')
    .select([
      'id',
      'number',
      'familyName',
      'status',
      'startedOn',
      'closedOn',
      'nextReviewDue',
      'leadProfessionalId',
    ])
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', planId);
  if (opts.forUpdate) query = query.forUpdate();
  return query.executeTakeFirst();
}

export function childNames(q: Q, partnershipId: string, childIds: readonly string[]) {
  if (childIds.length === 0) return Promise.resolve([]);
  return q
    .selectFrom('people')
    .select(['id', 'givenName', 'familyName', 'kind'])
    .where('partnershipId', '=', partnershipId)
    .where('id', 'in', childIds)
    .execute();
}

/** The team around the family now, with how to reach each member; the lead professional first. */
export function team(q: Q, partnershipId: string, planId: string, leadProfessionalId: string) {
  return q
    .selectFrom('users as u')
    .innerJoin('organisations as o', (j) =>
      j.onRef('o.partnershipId', '=', 'u.partnershipId').onRef('o.id', '=', 'u.organisationId'),
    )
    .leftJoin('planMembers as m', (j) =>
      j
        .onRef('m.partnershipId', '=', 'u.partnershipId')
        .onRef('m.userId', '=', 'u.id')
        .on('m.planId', '=', planId)
        .on('m.leftAt', 'is', null),
    )
    .leftJoin('organisations as mo', (j) =>
      j.onRef('mo.partnershipId', '=', 'm.partnershipId').onRef('mo.id', '=', 'm.organisationId'),
    )
    .select([
      'u.id',
      'u.displayName',
      'u.email',
      'u.jobTitle',
      'm.role',
      'o.name as userOrganisation',
      'mo.name as memberOrganisation',
    ])
    .select((eb) => eb('u.id', '=', leadProfessionalId).$castTo<boolean>().as('lead'))
    .where('u.partnershipId', '=', partnershipId)
    .where((eb) => eb.or([eb('m.id', 'is not', null), eb('u.id', '=', leadProfessionalId)]))
    .orderBy(sql`u.id = ${leadProfessionalId}`, 'desc')
    .orderBy('u.displayName')
    .execute();
}

export function findActionForUpdate(q: Q, partnershipId: string, planId: string, actionId: string) {
  return q
    .selectFrom('planActions')
    .select(['id', 'description', 'ownerKind', 'status', 'version'])
    .where('partnershipId', '=', partnershipId)
    .where('planId', '=', planId)
    .where('id', '=', actionId)
    .where('forFamily', '=', true)
    .forUpdate()
    .executeTakeFirst();
}

/** Marks a family-owned action done if it is still open and at `version`; answers whether it was. */
export async function markActionDone(
  q: Q,
  partnershipId: string,
  actionId: string,
  version: number,
  by: { userId: string; now: Date },
) {
  const result = await q
    .updateTable('planActions')
    .set({
      status: 'done',
      completedAt: by.now,
      completedBy: by.userId,
      updatedAt: by.now,
      updatedBy: by.userId,
      version: sql`version + 1`,
    })
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', actionId)
    .where('ownerKind', '=', 'family')
    .where('status', 'in', ['to_do', 'in_progress'])
    .where('version', '=', version)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export async function insertComment(q: Q, row: NewRow<'planComments'>) {
  const comment = await q.insertInto('planComments').values(row).returning('id').executeTakeFirstOrThrow();
  return comment.id;
}
