import type { Db, Tx } from '../../db/database.ts';
import type { NewRow } from '../../db/schema.ts';

/** SQL for two-factor sign-in: secrets, recovery codes and sign-in challenges. Scoped to a partnership. */

type Q = Db | Tx;

/** What sign-in needs to decide on a second factor: the account's roles and whether it has TOTP. */
export function findTwoFactorState(q: Q, partnershipId: string, userId: string) {
  return q
    .selectFrom('users as u')
    .leftJoin('userTwoFactor as f', (j) =>
      j.onRef('f.partnershipId', '=', 'u.partnershipId').onRef('f.userId', '=', 'u.id'),
    )
    .select(['u.partnershipId', 'u.id', 'u.email', 'u.displayName', 'u.roles', 'u.active', 'u.lockedUntil'])
    .select(['f.secret', 'f.lastUsedStep', 'f.enrolledAt'])
    .select((eb) =>
      eb
        .selectFrom('twoFactorRecoveryCodes as r')
        .whereRef('r.partnershipId', '=', 'u.partnershipId')
        .whereRef('r.userId', '=', 'u.id')
        .where('r.usedAt', 'is', null)
        .select(eb.fn.countAll<number>().as('n'))
        .as('recoveryCodesLeft'),
    )
    .where('u.partnershipId', '=', partnershipId)
    .where('u.id', '=', userId)
    .executeTakeFirst();
}

/** Records the step just accepted, only if it is later than the last: two racing uses cannot both win. */
export function advanceLastStep(q: Q, partnershipId: string, userId: string, step: number) {
  return q
    .updateTable('userTwoFactor')
    .set({ lastUsedStep: step })
    .where('partnershipId', '=', partnershipId)
    .where('userId', '=', userId)
    .where((eb) => eb.or([eb('lastUsedStep', 'is', null), eb('lastUsedStep', '<', step)]))
    .returning('userId')
    .executeTakeFirst();
}

export function insertTwoFactor(q: Q, row: NewRow<'userTwoFactor'>) {
  return q
    .insertInto('userTwoFactor')
    .values(row)
    .onConflict((oc) => oc.columns(['partnershipId', 'userId']).doNothing())
    .returning('userId')
    .executeTakeFirst();
}

export async function replaceRecoveryCodes(
  q: Q,
  partnershipId: string,
  userId: string,
  hashes: string[],
  now: Date,
) {
  await q
    .deleteFrom('twoFactorRecoveryCodes')
    .where('partnershipId', '=', partnershipId)
    .where('userId', '=', userId)
    .execute();
  await q
    .insertInto('twoFactorRecoveryCodes')
    .values(hashes.map((codeHash) => ({ partnershipId, userId, codeHash, createdAt: now })))
    .execute();
}

/** Marks an unused code used; answers undefined if there is no such unused code. */
export function useRecoveryCode(q: Q, partnershipId: string, userId: string, codeHash: string, now: Date) {
  return q
    .updateTable('twoFactorRecoveryCodes')
    .set({ usedAt: now })
    .where('partnershipId', '=', partnershipId)
    .where('userId', '=', userId)
    .where('codeHash', '=', codeHash)
    .where('usedAt', 'is', null)
    .returning('codeHash')
    .executeTakeFirst();
}

/** Turns two-factor off for an account: its secret, recovery codes and open challenges go. */
export async function removeTwoFactor(q: Q, partnershipId: string, userId: string) {
  await q
    .deleteFrom('twoFactorRecoveryCodes')
    .where('partnershipId', '=', partnershipId)
    .where('userId', '=', userId)
    .execute();
  await deleteChallenges(q, partnershipId, userId);
  return q
    .deleteFrom('userTwoFactor')
    .where('partnershipId', '=', partnershipId)
    .where('userId', '=', userId)
    .returning('userId')
    .executeTakeFirst();
}

export function insertChallenge(q: Q, row: NewRow<'signInChallenges'>) {
  return q.insertInto('signInChallenges').values(row).execute();
}

export function findChallenge(q: Q, tokenHash: string) {
  return q.selectFrom('signInChallenges').selectAll().where('tokenHash', '=', tokenHash).executeTakeFirst();
}

/** Removes one challenge; answers whether it was still there (so only one request can complete it). */
export async function takeChallenge(q: Q, tokenHash: string): Promise<boolean> {
  const row = await q
    .deleteFrom('signInChallenges')
    .where('tokenHash', '=', tokenHash)
    .returning('tokenHash')
    .executeTakeFirst();
  return row !== undefined;
}

export function deleteChallenges(q: Q, partnershipId: string, userId: string) {
  return q
    .deleteFrom('signInChallenges')
    .where('partnershipId', '=', partnershipId)
    .where('userId', '=', userId)
    .execute();
}

export function deleteExpiredChallenges(q: Q, now: Date) {
  return q.deleteFrom('signInChallenges').where('expiresAt', '<=', now).execute();
}
