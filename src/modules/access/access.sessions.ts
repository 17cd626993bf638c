import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from 'argon2';
import type { Actor, Ctx, Role } from '../../common/context.ts';
import { addMinutes } from '../../common/clock.ts';
import { UnauthenticatedError } from '../../common/errors.ts';
import type { Db, Tx } from '../../db/database.ts';
import type { AuditService } from '../audit/index.ts';
import type { SignIn } from './access.schemas.ts';
import * as store from './access.store.ts';
import { newTotpSecret, twoFactorRequired } from './access.two-factor.ts';
import * as twoFactorStore from './access.two-factor.store.ts';

export type SessionPolicy = {
  idleMinutes: number;
  absoluteHours: number;
  maxFailures: number;
  lockoutMinutes: number;
};

export type SignInMethod = 'password' | 'oidc';

/** A sign-in ends in a session, or in a challenge for the second factor (to check, or to set up). */
export type SignInResult =
  | { status: 'signed-in'; token: string; actor: Actor; expiresAt: Date }
  | { status: 'second-factor'; challenge: string; step: 'verify' | 'enrol'; expiresAt: Date };

export type SessionLookup =
  { status: 'active'; actor: Actor; expiresAt: Date } | { status: 'expired' } | { status: 'none' };

export const WRONG_CREDENTIALS = 'Enter a correct email address and password';
const DEACTIVATED =
  'This account has been deactivated. Ask your partnership administrator if you still need access.';
/** How long the step between the first factor and the second may take. */
export const CHALLENGE_MINUTES = 10;
/** Refreshing last-seen on every request would write on every read; once a minute is enough. */
const TOUCH_AFTER_MS = 60_000;

/**
 * Sign-in with argon2id, lockout after repeated failures, and server-side sessions. The browser holds
 * a random token; the database holds only its hash, so a leaked table cannot be replayed.
 */
export class SessionService {
  /** Verified against when the email is unknown, so a wrong email takes as long as a wrong password. */
  private readonly decoyHash = hash('decoy password that matches nothing');

  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly policy: SessionPolicy,
  ) {}

  async signIn(ctx: Ctx, input: SignIn): Promise<SignInResult> {
    const user = await store.findUserForSignIn(this.db, input.email);
    if (!user?.passwordHash) {
      await verify(await this.decoyHash, input.password);
      throw new UnauthenticatedError(WRONG_CREDENTIALS);
    }
    const audited = signInCtx(ctx, user.partnershipId);
    await this.refuseUnusable(audited, user, 'password');
    if (!(await verify(user.passwordHash, input.password))) {
      await this.recordFailure(audited, user.partnershipId, user.id, 'wrong password');
      throw new UnauthenticatedError(WRONG_CREDENTIALS);
    }
    return this.afterFirstFactor(ctx, user.partnershipId, user.id, 'password');
  }

  /**
   * Sign-in for an account another party has identified (an OpenID Connect provider): the same
   * refusals as a password sign-in, and the same second factor for the accounts that need one.
   */
  async signInIdentified(
    ctx: Ctx,
    account: { partnershipId: string; userId: string },
    method: SignInMethod,
  ): Promise<SignInResult> {
    const user = await store.findUserForSignInById(this.db, account.partnershipId, account.userId);
    if (!user) throw new UnauthenticatedError(WRONG_CREDENTIALS);
    await this.refuseUnusable(signInCtx(ctx, user.partnershipId), user, method);
    return this.afterFirstFactor(ctx, user.partnershipId, user.id, method);
  }

  /** A locked or deactivated account is refused, and the refusal audited, whatever the first factor. */
  private async refuseUnusable(
    audited: Ctx,
    user: { id: string; active: boolean; lockedUntil: Date | null },
    method: SignInMethod,
  ) {
    const subject = { subjectType: 'user', subjectId: user.id };
    if (user.lockedUntil && user.lockedUntil > audited.now) {
      await this.audit.recordAlone(audited, {
        action: 'session.sign-in',
        outcome: 'denied',
        ...subject,
        detail: { reason: 'locked', method },
      });
      throw new UnauthenticatedError(lockedMessage(user.lockedUntil));
    }
    if (!user.active) {
      await this.audit.recordAlone(audited, {
        action: 'session.sign-in',
        outcome: 'denied',
        ...subject,
        detail: { reason: 'deactivated', method },
      });
      throw new UnauthenticatedError(DEACTIVATED);
    }
  }

  /**
   * The first factor is good. An account with TOTP, or one whose roles require it, gets a short-lived
   * challenge (never a session) for the second factor; any other gets its session now. The failure
   * count is not reset until the second factor is good, so a known password buys no extra guesses.
   */
  private async afterFirstFactor(
    ctx: Ctx,
    partnershipId: string,
    userId: string,
    method: SignInMethod,
  ): Promise<SignInResult> {
    const state = await twoFactorStore.findTwoFactorState(this.db, partnershipId, userId);
    if (!state) throw new UnauthenticatedError(WRONG_CREDENTIALS);
    if (!state.secret && !twoFactorRequired(state.roles)) {
      return this.db
        .transaction()
        .execute((tx) => this.openSession(tx, ctx, partnershipId, userId, { method, secondFactor: 'none' }));
    }
    const step = state.secret ? 'verify' : 'enrol';
    const challenge = randomBytes(32).toString('base64url');
    const expiresAt = addMinutes(ctx.now, CHALLENGE_MINUTES);
    await this.db.transaction().execute(async (tx) => {
      await twoFactorStore.deleteExpiredChallenges(tx, ctx.now);
      await twoFactorStore.insertChallenge(tx, {
        partnershipId,
        tokenHash: tokenHash(challenge),
        userId,
        purpose: 'sign-in',
        method,
        pendingSecret: state.secret ? null : newTotpSecret(),
        createdAt: ctx.now,
        expiresAt,
      });
      await this.audit.record(tx, signInCtx(ctx, partnershipId), {
        action: 'two-factor.challenge',
        subjectType: 'user',
        subjectId: userId,
        detail: { method, step },
      });
    });
    return { status: 'second-factor', challenge, step, expiresAt };
  }

  /**
   * Starts a session for an account whose sign-in is complete, inside the caller's transaction:
   * failures cleared, a new random token, and the sign-in audited with how it was made.
   */
  async openSession(
    tx: Tx,
    ctx: Ctx,
    partnershipId: string,
    userId: string,
    detail: { method: SignInMethod; secondFactor: 'none' | 'totp' | 'recovery-code' | 'totp-enrolled' },
  ): Promise<Extract<SignInResult, { status: 'signed-in' }>> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = addMinutes(ctx.now, this.policy.absoluteHours * 60);
    await tx
      .updateTable('users')
      .set({ failedSignIns: 0, lockedUntil: null, lastSignInAt: ctx.now })
      .where('partnershipId', '=', partnershipId)
      .where('id', '=', userId)
      .execute();
    await tx
      .insertInto('sessions')
      .values({
        tokenHash: tokenHash(token),
        partnershipId,
        userId,
        createdAt: ctx.now,
        lastSeenAt: ctx.now,
        expiresAt,
      })
      .execute();
    const actor = await this.actorFor(tx, partnershipId, userId);
    if (!actor) throw new UnauthenticatedError(WRONG_CREDENTIALS);
    // Signed in, the person is the actor of their own sign-in; before that, nobody is known.
    await this.audit.record(
      tx,
      { ...ctx, actor },
      { action: 'session.sign-in', subjectType: 'user', subjectId: userId, detail },
    );
    return { status: 'signed-in', token, actor, expiresAt };
  }

  /**
   * Counts a failed attempt (a wrong password or a wrong second factor); the attempt that reaches
   * the limit locks the account for a while. Answers until when it locked, or null.
   */
  async recordFailure(ctx: Ctx, partnershipId: string, userId: string, reason: string): Promise<Date | null> {
    return this.db.transaction().execute(async (tx) => {
      const row = await tx
        .updateTable('users')
        .set((eb) => ({ failedSignIns: eb('failedSignIns', '+', 1) }))
        .where('partnershipId', '=', partnershipId)
        .where('id', '=', userId)
        .returning('failedSignIns')
        .executeTakeFirstOrThrow();
      const locks = row.failedSignIns >= this.policy.maxFailures;
      const lockedUntil = locks ? addMinutes(ctx.now, this.policy.lockoutMinutes) : null;
      if (lockedUntil) {
        await tx
          .updateTable('users')
          .set({ failedSignIns: 0, lockedUntil })
          .where('partnershipId', '=', partnershipId)
          .where('id', '=', userId)
          .execute();
      }
      await this.audit.record(tx, ctx, {
        action: 'session.sign-in',
        outcome: 'failed',
        subjectType: 'user',
        subjectId: userId,
        detail: { reason, locked: locks },
      });
      return lockedUntil;
    });
  }

  /** The actor behind a session token, if the session is still within its idle and absolute limits. */
  async resolve(token: string | undefined, now: Date): Promise<SessionLookup> {
    if (!token) return { status: 'none' };
    const row = await this.db
      .selectFrom('sessions as s')
      .innerJoin('users as u', (j) =>
        j.onRef('u.partnershipId', '=', 's.partnershipId').onRef('u.id', '=', 's.userId'),
      )
      .select([
        's.tokenHash',
        's.lastSeenAt',
        's.expiresAt',
        'u.partnershipId',
        'u.id',
        'u.organisationId',
        'u.roles',
      ])
      .select(['u.displayName', 'u.active'])
      .where('s.tokenHash', '=', tokenHash(token))
      .executeTakeFirst();
    if (!row) return { status: 'none' };
    const idleLimit = addMinutes(row.lastSeenAt, this.policy.idleMinutes);
    if (!row.active || row.expiresAt <= now || idleLimit <= now) {
      await this.db.deleteFrom('sessions').where('tokenHash', '=', row.tokenHash).execute();
      return { status: 'expired' };
    }
    if (now.getTime() - row.lastSeenAt.getTime() > TOUCH_AFTER_MS) {
      await this.db
        .updateTable('sessions')
        .set({ lastSeenAt: now })
        .where('tokenHash', '=', row.tokenHash)
        .execute();
    }
    return {
      status: 'active',
      expiresAt: row.expiresAt,
      actor: toActor(row),
    };
  }

  async signOut(ctx: Ctx, token: string): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      const ended = await tx
        .deleteFrom('sessions')
        .where('tokenHash', '=', tokenHash(token))
        .returning('userId')
        .executeTakeFirst();
      if (ended)
        await this.audit.record(tx, ctx, {
          action: 'session.sign-out',
          subjectType: 'user',
          subjectId: ended.userId,
        });
    });
  }

  private async actorFor(
    q: Parameters<typeof store.findUser>[0],
    partnershipId: string,
    userId: string,
  ): Promise<Actor | undefined> {
    const user = await store.findUser(q, partnershipId, userId);
    return user && toActor(user);
  }
}

type AccountRow = {
  id: string;
  partnershipId: string;
  organisationId: string;
  roles: string[];
  displayName: string;
};

/** Roles are checked against the role list when they are written, so the stored ones are known roles. */
function toActor(user: AccountRow): Actor {
  return {
    userId: user.id,
    partnershipId: user.partnershipId,
    organisationId: user.organisationId,
    roles: user.roles as Role[],
    displayName: user.displayName,
  };
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Sign-in events are recorded by the system on the partnership's chain: nobody is signed in yet. */
export function signInCtx(ctx: Ctx, partnershipId: string): Ctx {
  return { ...ctx, actor: { system: 'sign-in', partnershipId } };
}

export function lockedMessage(until: Date): string {
  const time = until.toLocaleTimeString('en-GB', {
    hour: '2-digit',
    minute: '2-digit',
    timeZone: 'Europe/London',
  });
  return `This account is locked after too many failed sign-in attempts. Try again after ${time}, or ask your partnership administrator to unlock it.`;
}
