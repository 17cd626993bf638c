import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from 'argon2';
import type { Actor, Ctx, Role } from '../../common/context.ts';
import { addMinutes } from '../../common/clock.ts';
import { UnauthenticatedError } from '../../common/errors.ts';
import type { Db } from '../../db/database.ts';
import type { AuditService } from '../audit/index.ts';
import type { SignIn } from './access.schemas.ts';
import * as store from './access.store.ts';

export type SessionPolicy = {
  idleMinutes: number;
  absoluteHours: number;
  maxFailures: number;
  lockoutMinutes: number;
};

export type SessionLookup =
  { status: 'active'; actor: Actor; expiresAt: Date } | { status: 'expired' } | { status: 'none' };

const WRONG_CREDENTIALS = 'Enter a correct email address and password';
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

  async signIn(ctx: Ctx, input: SignIn): Promise<{ token: string; actor: Actor }> {
    const user = await store.findUserForSignIn(this.db, input.email);
    if (!user?.passwordHash) {
      await verify(await this.decoyHash, input.password);
      throw new UnauthenticatedError(WRONG_CREDENTIALS);
    }
    const audited = { ...ctx, actor: { system: 'sign-in', partnershipId: user.partnershipId } };
    const subject = { subjectType: 'user', subjectId: user.id };

    if (user.lockedUntil && user.lockedUntil > ctx.now) {
      await this.audit.recordAlone(audited, {
        action: 'session.sign-in',
        outcome: 'denied',
        ...subject,
        detail: { reason: 'locked' },
      });
      throw new UnauthenticatedError(lockedMessage(user.lockedUntil));
    }
    if (!user.active) {
      await this.audit.recordAlone(audited, {
        action: 'session.sign-in',
        outcome: 'denied',
        ...subject,
        detail: { reason: 'deactivated' },
      });
      throw new UnauthenticatedError(
        'This account has been deactivated. Ask your partnership administrator if you still need access.',
      );
    }
    if (!(await verify(user.passwordHash, input.password))) {
      await this.recordFailure(audited, user.partnershipId, user.id);
      throw new UnauthenticatedError(WRONG_CREDENTIALS);
    }

    const token = randomBytes(32).toString('base64url');
    const actor = await this.db.transaction().execute(async (tx) => {
      await tx
        .updateTable('users')
        .set({ failedSignIns: 0, lockedUntil: null, lastSignInAt: ctx.now })
        .where('partnershipId', '=', user.partnershipId)
        .where('id', '=', user.id)
        .execute();
      await tx
        .insertInto('sessions')
        .values({
          tokenHash: tokenHash(token),
          partnershipId: user.partnershipId,
          userId: user.id,
          createdAt: ctx.now,
          lastSeenAt: ctx.now,
          expiresAt: addMinutes(ctx.now, this.policy.absoluteHours * 60),
        })
        .execute();
      const found = await this.actorFor(tx, user.partnershipId, user.id);
      if (!found) throw new UnauthenticatedError(WRONG_CREDENTIALS);
      // Signed in, the person is the actor of their own sign-in; before that, nobody is known.
      await this.audit.record(tx, { ...ctx, actor: found }, { action: 'session.sign-in', ...subject });
      return found;
    });
    return { token, actor };
  }

  /** Counts a failed attempt; the attempt that reaches the limit locks the account for a while. */
  private async recordFailure(ctx: Ctx, partnershipId: string, userId: string) {
    await this.db.transaction().execute(async (tx) => {
      const row = await tx
        .updateTable('users')
        .set((eb) => ({ failedSignIns: eb('failedSignIns', '+', 1) }))
        .where('partnershipId', '=', partnershipId)
        .where('id', '=', userId)
        .returning('failedSignIns')
        .executeTakeFirstOrThrow();
      const locks = row.failedSignIns >= this.policy.maxFailures;
      if (locks) {
        await tx
          .updateTable('users')
          .set({ failedSignIns: 0, lockedUntil: addMinutes(ctx.now, this.policy.lockoutMinutes) })
          .where('partnershipId', '=', partnershipId)
          .where('id', '=', userId)
          .execute();
      }
      await this.audit.record(tx, ctx, {
        action: 'session.sign-in',
        outcome: 'failed',
        subjectType: 'user',
        subjectId: userId,
        detail: { reason: 'wrong password', locked: locks },
      });
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

function lockedMessage(until: Date): string {
  const time = until.toLocaleTimeString('en-GB', {
    hour: '2-digit',
    minute: '2-digit',
    timeZone: 'Europe/London',
  });
  return `This account is locked after too many failed sign-in attempts. Try again after ${time}, or ask your partnership administrator to unlock it.`;
}
