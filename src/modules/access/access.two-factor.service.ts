import { randomBytes } from 'node:crypto';
import type { Ctx } from '../../common/context.ts';
import { isSystem } from '../../common/context.ts';
import { addMinutes } from '../../common/clock.ts';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnauthenticatedError,
  ValidationError,
} from '../../common/errors.ts';
import type { Db, Tx } from '../../db/database.ts';
import type { Row } from '../../db/schema.ts';
import type { AuditService } from '../audit/index.ts';
import type { AccessService } from './access.service.ts';
import {
  CHALLENGE_MINUTES,
  lockedMessage,
  signInCtx,
  tokenHash,
  type SessionService,
  type SignInResult,
} from './access.sessions.ts';
import * as store from './access.store.ts';
import {
  checkTotp,
  groupedSecret,
  newRecoveryCodes,
  newTotpSecret,
  otpauthUri,
  qrCodeDataUrl,
  recoveryCodeHash,
  twoFactorRequired,
  type CodeCheck,
} from './access.two-factor.ts';
import * as tfStore from './access.two-factor.store.ts';

export type SignedIn = Extract<SignInResult, { status: 'signed-in' }>;
type Challenge = Row<'signInChallenges'>;
type Purpose = Challenge['purpose'];

/** What a second-factor page shows: whose sign-in it is, and, when setting up, the new secret. */
export type ChallengeView = {
  userId: string;
  email: string;
  purpose: Purpose;
  step: 'verify' | 'enrol';
  setUp?: { secret: string; groupedSecret: string; uri: string; qrCode: string };
};

export type TwoFactorStatus = {
  enabled: boolean;
  required: boolean;
  enrolledAt: Date | null;
  recoveryCodesLeft: number;
};

export const TIMED_OUT = 'Your sign-in timed out before it was finished. Sign in again.';

const CODE_MESSAGES: Record<Exclude<CodeCheck, { ok: true }>['reason'], string> = {
  wrong: 'The code is not correct. Check your authenticator app and enter the code it shows now',
  expired: 'The code has expired. Enter the code your authenticator app shows now',
  reused: 'That code has already been used. Wait for your authenticator app to show a new code',
};
const ENROL_WRONG =
  'The code is not correct. Check the app was set up with the QR code or key on this page, then enter the code it shows now';
const RECOVERY_WRONG = 'The recovery code is not correct, or it has already been used';

const codeError = (message: string) => new ValidationError([{ field: 'code', message }]);

/** Rolls back a transaction whose check failed inside it; handled by the caller. */
class WrongCode extends Error {}

/**
 * The second factor: checking a TOTP or recovery code after the first factor, setting TOTP up (at
 * sign-in for roles that require it, or from a person's own account page), turning it off, new
 * recovery codes, and an administrator's reset. Every step is audited.
 */
export class TwoFactorService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly sessions: SessionService,
    private readonly access: Pick<AccessService, 'require'>,
  ) {}

  /** The challenge a cookie names, if it is still live and for this purpose. */
  async challenge(
    token: string | undefined,
    now: Date,
    purpose: Purpose,
  ): Promise<ChallengeView | undefined> {
    const found = await this.live(token, now, purpose);
    if (!found) return undefined;
    const state = await tfStore.findTwoFactorState(this.db, found.partnershipId, found.userId);
    if (!state) return undefined;
    const view: ChallengeView = {
      userId: state.id,
      email: state.email,
      purpose,
      step: found.pendingSecret ? 'enrol' : 'verify',
    };
    if (found.pendingSecret) {
      const uri = otpauthUri(found.pendingSecret, state.email);
      view.setUp = {
        secret: found.pendingSecret,
        groupedSecret: groupedSecret(found.pendingSecret),
        uri,
        qrCode: await qrCodeDataUrl(uri),
      };
    }
    return view;
  }

  /** Checks a code from the person's app and, if it is good and new, starts their session. */
  async verifyCode(ctx: Ctx, token: string | undefined, code: string): Promise<SignedIn> {
    const challenge = await this.liveOrTimedOut(token, ctx.now, 'sign-in');
    const state = await this.usableAccount(ctx, challenge);
    if (!state.secret || challenge.pendingSecret) throw new UnauthenticatedError(TIMED_OUT);
    const check = checkTotp(state.secret, code, ctx.now, state.lastUsedStep);
    if (!check.ok) return this.refuseCode(ctx, challenge, check.reason);
    try {
      return await this.db.transaction().execute(async (tx) => {
        if (!(await tfStore.takeChallenge(tx, challenge.tokenHash)))
          throw new UnauthenticatedError(TIMED_OUT);
        // Two requests with the same code: only the first moves the step on.
        if (!(await tfStore.advanceLastStep(tx, challenge.partnershipId, challenge.userId, check.step)))
          throw new WrongCode();
        return this.sessions.openSession(tx, ctx, challenge.partnershipId, challenge.userId, {
          method: challenge.method ?? 'password',
          secondFactor: 'totp',
        });
      });
    } catch (error) {
      if (error instanceof WrongCode) return this.refuseCode(ctx, challenge, 'reused');
      throw error;
    }
  }

  /** A recovery code instead of the app: each works once; a wrong one counts as a failed attempt. */
  async useRecoveryCode(
    ctx: Ctx,
    token: string | undefined,
    code: string,
  ): Promise<SignedIn & { recoveryCodesLeft: number }> {
    const challenge = await this.liveOrTimedOut(token, ctx.now, 'sign-in');
    const state = await this.usableAccount(ctx, challenge);
    if (!state.secret || challenge.pendingSecret) throw new UnauthenticatedError(TIMED_OUT);
    const { partnershipId, userId } = challenge;
    try {
      return await this.db.transaction().execute(async (tx) => {
        if (!(await tfStore.takeChallenge(tx, challenge.tokenHash)))
          throw new UnauthenticatedError(TIMED_OUT);
        const used = await tfStore.useRecoveryCode(
          tx,
          partnershipId,
          userId,
          recoveryCodeHash(userId, code),
          ctx.now,
        );
        if (!used) throw new WrongCode();
        const left = Math.max(0, (state.recoveryCodesLeft ?? 1) - 1);
        await this.audit.record(tx, signInCtx(ctx, partnershipId), {
          action: 'two-factor.recovery-code-used',
          subjectType: 'user',
          subjectId: userId,
          detail: { recoveryCodesLeft: left },
        });
        const session = await this.sessions.openSession(tx, ctx, partnershipId, userId, {
          method: challenge.method ?? 'password',
          secondFactor: 'recovery-code',
        });
        return { ...session, recoveryCodesLeft: left };
      });
    } catch (error) {
      if (!(error instanceof WrongCode)) throw error;
      await this.countFailure(ctx, challenge, 'wrong recovery code');
      throw codeError(RECOVERY_WRONG);
    }
  }

  /**
   * Confirms the app was set up with the new secret (a code from it), keeps the secret, and makes ten
   * recovery codes, shown once. At sign-in this also starts the session.
   */
  async confirmEnrolment(
    ctx: Ctx,
    token: string | undefined,
    code: string,
    purpose: Purpose,
  ): Promise<{ recoveryCodes: string[]; session?: SignedIn }> {
    const challenge = await this.liveOrTimedOut(token, ctx.now, purpose);
    if (purpose === 'account' && (isSystem(ctx.actor) || ctx.actor.userId !== challenge.userId))
      throw new UnauthenticatedError(TIMED_OUT);
    const secret = challenge.pendingSecret;
    if (!secret) throw new UnauthenticatedError(TIMED_OUT);
    if (purpose === 'sign-in') await this.usableAccount(ctx, challenge);
    const { partnershipId, userId } = challenge;
    const audited = purpose === 'sign-in' ? signInCtx(ctx, partnershipId) : ctx;
    const check = checkTotp(secret, code, ctx.now, null);
    if (!check.ok) {
      // The person can see the secret they are setting up, so a wrong code here is a slip, not a guess.
      await this.audit.recordAlone(audited, {
        action: 'two-factor.enrol',
        outcome: 'failed',
        subjectType: 'user',
        subjectId: userId,
        detail: { reason: `${check.reason} code` },
      });
      throw codeError(check.reason === 'expired' ? CODE_MESSAGES.expired : ENROL_WRONG);
    }
    const recoveryCodes = newRecoveryCodes();
    return this.db.transaction().execute(async (tx) => {
      if (!(await tfStore.takeChallenge(tx, challenge.tokenHash))) throw new UnauthenticatedError(TIMED_OUT);
      const added = await tfStore.insertTwoFactor(tx, {
        partnershipId,
        userId,
        secret,
        lastUsedStep: check.step,
        enrolledAt: ctx.now,
      });
      if (!added) throw new ConflictError('Two-factor authentication is already set up for this account');
      await tfStore.replaceRecoveryCodes(
        tx,
        partnershipId,
        userId,
        recoveryCodes.map((c) => recoveryCodeHash(userId, c)),
        ctx.now,
      );
      await this.audit.record(tx, audited, {
        action: 'two-factor.enrol',
        subjectType: 'user',
        subjectId: userId,
        detail: { during: purpose, recoveryCodes: recoveryCodes.length },
      });
      if (purpose === 'account') return { recoveryCodes };
      const session = await this.sessions.openSession(tx, ctx, partnershipId, userId, {
        method: challenge.method ?? 'password',
        secondFactor: 'totp-enrolled',
      });
      return { recoveryCodes, session };
    });
  }

  /** A signed-in person starts setting up TOTP for their own account: a challenge with a new secret. */
  async startAccountSetUp(ctx: Ctx): Promise<{ challenge: string; expiresAt: Date }> {
    const { partnershipId, userId } = self(ctx);
    const state = await tfStore.findTwoFactorState(this.db, partnershipId, userId);
    if (!state) throw new NotFoundError('Your account');
    if (state.secret) throw new ConflictError('Two-factor authentication is already set up for your account');
    const challenge = randomBytes(32).toString('base64url');
    const expiresAt = addMinutes(ctx.now, CHALLENGE_MINUTES);
    await this.db.transaction().execute(async (tx) => {
      await tfStore.deleteExpiredChallenges(tx, ctx.now);
      await tfStore.insertChallenge(tx, {
        partnershipId,
        tokenHash: tokenHash(challenge),
        userId,
        purpose: 'account',
        method: null,
        pendingSecret: newTotpSecret(),
        createdAt: ctx.now,
        expiresAt,
      });
      await this.audit.record(tx, ctx, {
        action: 'two-factor.enrol.start',
        subjectType: 'user',
        subjectId: userId,
      });
    });
    return { challenge, expiresAt };
  }

  /** The signed-in person's own two-factor settings. */
  async ownStatus(ctx: Ctx): Promise<TwoFactorStatus> {
    const { partnershipId, userId } = self(ctx);
    return this.statusOf(partnershipId, userId);
  }

  /** An account's two-factor settings, for its administration page. */
  async statusFor(ctx: Ctx, userId: string): Promise<TwoFactorStatus> {
    const partnershipId = await this.access.require(ctx, 'partnership.administer', 'user.view');
    return this.statusOf(partnershipId, userId);
  }

  /** Turns TOTP off for the person's own account, with a current code; not for roles that require it. */
  async turnOff(ctx: Ctx, code: string): Promise<void> {
    const { partnershipId, userId } = self(ctx);
    const state = await tfStore.findTwoFactorState(this.db, partnershipId, userId);
    if (!state?.secret)
      throw new ConflictError('Two-factor authentication is not turned on for your account');
    if (twoFactorRequired(state.roles))
      throw new ForbiddenError('Your role needs two-factor authentication, so it cannot be turned off');
    await this.withCurrentCode(ctx, state, code, async (tx) => {
      await tfStore.removeTwoFactor(tx, partnershipId, userId);
      await this.audit.record(tx, ctx, {
        action: 'two-factor.disable',
        subjectType: 'user',
        subjectId: userId,
      });
    });
  }

  /** Replaces the person's recovery codes (the old ones stop working), with a current code. */
  async replaceRecoveryCodes(ctx: Ctx, code: string): Promise<string[]> {
    const { partnershipId, userId } = self(ctx);
    const state = await tfStore.findTwoFactorState(this.db, partnershipId, userId);
    if (!state?.secret)
      throw new ConflictError('Two-factor authentication is not turned on for your account');
    const recoveryCodes = newRecoveryCodes();
    await this.withCurrentCode(ctx, state, code, async (tx) => {
      await tfStore.replaceRecoveryCodes(
        tx,
        partnershipId,
        userId,
        recoveryCodes.map((c) => recoveryCodeHash(userId, c)),
        ctx.now,
      );
      await this.audit.record(tx, ctx, {
        action: 'two-factor.recovery-codes.replace',
        subjectType: 'user',
        subjectId: userId,
        detail: { recoveryCodes: recoveryCodes.length },
      });
    });
    return recoveryCodes;
  }

  /**
   * An administrator clears someone's two-factor set-up (a lost phone): their secret and recovery
   * codes go and their sessions end. A role that requires it sets it up again at the next sign-in.
   */
  async reset(ctx: Ctx, userId: string, version: number): Promise<void> {
    const partnershipId = await this.access.require(ctx, 'partnership.administer', 'two-factor.reset');
    if (!isSystem(ctx.actor) && ctx.actor.userId === userId)
      throw new ConflictError(
        'You cannot reset your own two-factor authentication: ask another administrator',
      );
    await this.db.transaction().execute(async (tx) => {
      const before = await store.findUser(tx, partnershipId, userId);
      if (!before) throw new NotFoundError('User account');
      // The version moves on, so an administrator acting on an old page is told what changed.
      const user = await store.updateUser(tx, partnershipId, userId, version, {});
      if (!user)
        throw new ConflictError(
          `Someone else changed this user account while you were looking at it (it is now at version ${before.version}). ` +
            'Reload the page and try again.',
        );
      const removed = await tfStore.removeTwoFactor(tx, partnershipId, userId);
      await tx
        .deleteFrom('sessions')
        .where('partnershipId', '=', partnershipId)
        .where('userId', '=', userId)
        .execute();
      await this.audit.record(tx, ctx, {
        action: 'two-factor.reset',
        subjectType: 'user',
        subjectId: userId,
        detail: { hadTwoFactor: removed !== undefined },
      });
    });
  }

  /** Sets TOTP up with a known secret, without recovery codes: for the demo and tests only (system). */
  async enrolWithSecret(ctx: Ctx, partnershipId: string, userId: string, secret: string): Promise<void> {
    if (!isSystem(ctx.actor)) throw new ForbiddenError('Only the system sets a known two-factor secret');
    await this.db.transaction().execute(async (tx) => {
      await enrolKnownSecret(tx, partnershipId, userId, secret, ctx.now);
      await this.audit.record(tx, ctx, {
        action: 'two-factor.enrol',
        subjectType: 'user',
        subjectId: userId,
        detail: { during: 'set-up by the system' },
      });
    });
  }

  private async statusOf(partnershipId: string, userId: string): Promise<TwoFactorStatus> {
    const state = await tfStore.findTwoFactorState(this.db, partnershipId, userId);
    if (!state) throw new NotFoundError('User account');
    return {
      enabled: state.secret !== null,
      required: twoFactorRequired(state.roles),
      enrolledAt: state.enrolledAt,
      recoveryCodesLeft: state.secret ? (state.recoveryCodesLeft ?? 0) : 0,
    };
  }

  /** Runs `work` if `code` is a good, new code from the person's app; the step moves on with it. */
  private async withCurrentCode(
    ctx: Ctx,
    state: { partnershipId: string; id: string; secret: string | null; lastUsedStep: number | null },
    code: string,
    work: (tx: Tx) => Promise<void>,
  ) {
    const check = checkTotp(state.secret ?? '', code, ctx.now, state.lastUsedStep);
    if (!check.ok) throw codeError(CODE_MESSAGES[check.reason]);
    await this.db.transaction().execute(async (tx) => {
      if (!(await tfStore.advanceLastStep(tx, state.partnershipId, state.id, check.step)))
        throw codeError(CODE_MESSAGES.reused);
      await work(tx);
    });
  }

  private async live(token: string | undefined, now: Date, purpose: Purpose) {
    if (!token) return undefined;
    const found = await tfStore.findChallenge(this.db, tokenHash(token));
    if (!found || found.purpose !== purpose || found.expiresAt <= now) return undefined;
    return found;
  }

  private async liveOrTimedOut(token: string | undefined, now: Date, purpose: Purpose): Promise<Challenge> {
    const found = await this.live(token, now, purpose);
    if (!found) throw new UnauthenticatedError(TIMED_OUT);
    return found;
  }

  /** The account behind a sign-in challenge, unless it was locked or deactivated since the first factor. */
  private async usableAccount(ctx: Ctx, challenge: Challenge) {
    const state = await tfStore.findTwoFactorState(this.db, challenge.partnershipId, challenge.userId);
    if (!state?.active) {
      await tfStore.takeChallenge(this.db, challenge.tokenHash);
      throw new UnauthenticatedError(TIMED_OUT);
    }
    if (state.lockedUntil && state.lockedUntil > ctx.now) {
      await tfStore.takeChallenge(this.db, challenge.tokenHash);
      throw new UnauthenticatedError(lockedMessage(state.lockedUntil));
    }
    return state;
  }

  /** A wrong code counts towards the lockout; an expired or reused one is refused and audited only. */
  private async refuseCode(
    ctx: Ctx,
    challenge: Challenge,
    reason: keyof typeof CODE_MESSAGES,
  ): Promise<never> {
    if (reason === 'wrong') await this.countFailure(ctx, challenge, 'wrong two-factor code');
    else
      await this.audit.recordAlone(signInCtx(ctx, challenge.partnershipId), {
        action: 'session.sign-in',
        outcome: 'failed',
        subjectType: 'user',
        subjectId: challenge.userId,
        detail: { reason: `${reason} two-factor code`, locked: false },
      });
    throw codeError(CODE_MESSAGES[reason]);
  }

  private async countFailure(ctx: Ctx, challenge: Challenge, reason: string) {
    const lockedUntil = await this.sessions.recordFailure(
      signInCtx(ctx, challenge.partnershipId),
      challenge.partnershipId,
      challenge.userId,
      reason,
    );
    if (lockedUntil) {
      await tfStore.deleteChallenges(this.db, challenge.partnershipId, challenge.userId);
      throw new UnauthenticatedError(lockedMessage(lockedUntil));
    }
  }
}

/** Inside the caller's transaction: the demo seed gives its privileged accounts a published secret. */
export async function enrolKnownSecret(
  tx: Tx,
  partnershipId: string,
  userId: string,
  secret: string,
  now: Date,
) {
  const added = await tfStore.insertTwoFactor(tx, {
    partnershipId,
    userId,
    secret,
    lastUsedStep: null,
    enrolledAt: now,
  });
  if (!added) throw new ConflictError('Two-factor authentication is already set up for this account');
}

function self(ctx: Ctx): { partnershipId: string; userId: string } {
  if (isSystem(ctx.actor)) throw new ForbiddenError('The system has no account of its own');
  return { partnershipId: ctx.actor.partnershipId, userId: ctx.actor.userId };
}
