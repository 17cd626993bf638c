import { sql } from 'kysely';
import type { Db, Tx } from '../../db/database.ts';

/**
 * The sign-in of a family member (a parent, carer or young person): a row in `users` with the one
 * role 'family_member', made, reopened, given its password and retired inside the family plan's
 * own transactions. Kept apart from AccessService, whose account operations are an administrator's
 * (partnership.administer, a password chosen for the person); the plans module calls these.
 */

type Q = Db | Tx;

/** Whoever holds an email address, in any partnership: addresses are unique across the instance. */
export function findUserByEmail(q: Q, email: string) {
  return q
    .selectFrom('users')
    .select(['partnershipId', 'id', 'roles'])
    .where(sql<string>`lower(email)`, '=', email.toLowerCase())
    .executeTakeFirst();
}

export async function insertFamilyUser(
  q: Q,
  row: { partnershipId: string; email: string; displayName: string; organisationId: string },
) {
  const user = await q
    .insertInto('users')
    .values({ ...row, roles: ['family_member'], passwordHash: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return user.id;
}

/** A family member whose earlier account was revoked gets their sign-in back, without a password. */
export async function reopenFamilyUser(
  q: Q,
  partnershipId: string,
  userId: string,
  changes: { displayName: string; organisationId: string },
) {
  await q
    .updateTable('users')
    .set({
      displayName: changes.displayName,
      organisationId: changes.organisationId,
      active: true,
      deactivatedAt: null,
      passwordHash: null,
      failedSignIns: 0,
      lockedUntil: null,
      version: sql`version + 1`,
      updatedAt: sql`now()`,
    })
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', userId)
    .execute();
}

/** A revoked family member cannot sign in, and their open sessions end at their next request. */
export async function deactivateUser(q: Q, partnershipId: string, userId: string, now: Date) {
  await q
    .updateTable('users')
    .set({ active: false, deactivatedAt: now, version: sql`version + 1`, updatedAt: sql`now()` })
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', userId)
    .execute();
}

export async function setPassword(q: Q, partnershipId: string, userId: string, passwordHash: string) {
  await q
    .updateTable('users')
    .set({
      passwordHash,
      failedSignIns: 0,
      lockedUntil: null,
      version: sql`version + 1`,
      updatedAt: sql`now()`,
    })
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', userId)
    .execute();
}
