import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Ctx } from '../../common/context.ts';
import { ConflictError, UnauthenticatedError, ValidationError } from '../../common/errors.ts';
import type { FieldError } from '../../common/errors.ts';
import { pathParams } from '../../web/form-route.ts';
import { formErrors, parseWith } from '../../web/forms.ts';
import type { WebServices } from '../../web/app.ts';
import { RecoveryCodeInput, TotpCodeInput, VersionOnly } from './access.schemas.ts';
import {
  CHALLENGE_COOKIE,
  NextPath,
  clearChallengeCookie,
  setChallengeCookie,
  signInRefused,
  startSession,
} from './access.sign-in-flow.ts';
import type { ChallengeView } from './access.two-factor.service.ts';

const CODE_VIEW = 'access/views/two-factor-code.njk';
const RECOVERY_VIEW = 'access/views/two-factor-recovery-code.njk';
const SET_UP_VIEW = 'access/views/two-factor-set-up.njk';
const CODES_VIEW = 'access/views/two-factor-recovery-codes.njk';
const ACCOUNT_VIEW = 'access/views/account.njk';
const CONFIRM_VIEW = 'access/views/two-factor-confirm.njk';
const RESET_VIEW = 'access/views/user-two-factor-reset.njk';

const PUBLIC = { access: 'public' } as const;
/** Second-factor guesses are slowed per address as well as counted towards the account's lockout. */
const PUBLIC_LIMITED = { access: 'public', rateLimit: { max: 30, timeWindow: '1 minute' } } as const;
const SIGNED_IN = { config: { access: 'signed-in' } } as const;
const ADMIN = { config: { access: 'partnership.administer' } } as const;

const NextQuery = z.object({ next: NextPath.optional().default('/') });

function nextOf(request: FastifyRequest): string {
  const body = (request.body ?? {}) as Record<string, unknown>;
  if (request.method === 'POST') return NextPath.parse(body.next ?? '/');
  return NextQuery.parse(request.query ?? {}).next;
}

/** Nobody is signed in during these steps: the system records them on the account's partnership. */
function anonymousCtx(request: FastifyRequest): Ctx {
  return {
    actor: { system: 'sign-in' },
    requestId: request.id,
    now: request.now(),
    sourceAddress: request.ip,
  };
}

const timedOut = (reply: FastifyReply, next: string) => {
  clearChallengeCookie(reply);
  return reply.redirect(`/sign-in?timedOut=1&next=${encodeURIComponent(next)}`, 303);
};

type Services = Pick<WebServices, 'twoFactor' | 'access'>;

/**
 * The second factor at sign-in (a code from the app, or a recovery code), setting TOTP up (at
 * sign-in when a role needs it, or from the person's own account page), and the administrator's reset.
 */
export function registerTwoFactorRoutes(app: FastifyInstance, { twoFactor, access }: Services) {
  const challengeOf = (request: FastifyRequest, purpose: ChallengeView['purpose']) =>
    twoFactor.challenge(request.cookies[CHALLENGE_COOKIE], request.now(), purpose);

  // A code from the authenticator app
  app.get('/sign-in/two-factor', { config: PUBLIC }, async (request, reply) => {
    const next = nextOf(request);
    const challenge = await challengeOf(request, 'sign-in');
    if (!challenge) return timedOut(reply, next);
    if (challenge.step === 'enrol')
      return reply.redirect(`/sign-in/two-factor/set-up?next=${encodeURIComponent(next)}`, 303);
    return reply.page(CODE_VIEW, { next, values: {} });
  });

  app.post('/sign-in/two-factor', { config: PUBLIC_LIMITED }, async (request, reply) => {
    const next = nextOf(request);
    const again = (errors: FieldError[]) =>
      reply.page(CODE_VIEW, { next, values: {}, errors: formErrors(errors) }, 400);
    const parsed = parseWith(TotpCodeInput, request.body);
    if (!parsed.ok) return again(parsed.errors);
    try {
      const session = await twoFactor.verifyCode(
        anonymousCtx(request),
        request.cookies[CHALLENGE_COOKIE],
        parsed.data.code,
      );
      startSession(reply, session);
      return reply.redirect(next, 303);
    } catch (error) {
      if (error instanceof ValidationError) return again(error.fields);
      if (error instanceof UnauthenticatedError) return signInRefused(reply, next, error.message);
      throw error;
    }
  });

  // A recovery code instead
  app.get('/sign-in/recovery-code', { config: PUBLIC }, async (request, reply) => {
    const next = nextOf(request);
    const challenge = await challengeOf(request, 'sign-in');
    if (!challenge || challenge.step !== 'verify') return timedOut(reply, next);
    return reply.page(RECOVERY_VIEW, { next, values: {} });
  });

  app.post('/sign-in/recovery-code', { config: PUBLIC_LIMITED }, async (request, reply) => {
    const next = nextOf(request);
    const again = (errors: FieldError[]) =>
      reply.page(RECOVERY_VIEW, { next, values: {}, errors: formErrors(errors) }, 400);
    const parsed = parseWith(RecoveryCodeInput, request.body);
    if (!parsed.ok) return again(parsed.errors);
    try {
      const session = await twoFactor.useRecoveryCode(
        anonymousCtx(request),
        request.cookies[CHALLENGE_COOKIE],
        parsed.data.code,
      );
      startSession(reply, session);
      const left = session.recoveryCodesLeft;
      reply.flash(
        `You signed in with a recovery code. You have ${left} recovery code${left === 1 ? '' : 's'} left` +
          (left <= 3 ? ': get new ones from Your account' : ''),
      );
      return reply.redirect(next, 303);
    } catch (error) {
      if (error instanceof ValidationError) return again(error.fields);
      if (error instanceof UnauthenticatedError) return signInRefused(reply, next, error.message);
      throw error;
    }
  });

  // Setting up at sign-in, for a role that needs a second factor
  app.get('/sign-in/two-factor/set-up', { config: PUBLIC }, async (request, reply) => {
    const next = nextOf(request);
    const challenge = await challengeOf(request, 'sign-in');
    if (!challenge?.setUp) return timedOut(reply, next);
    return reply.page(SET_UP_VIEW, {
      next,
      challenge,
      action: '/sign-in/two-factor/set-up',
      atSignIn: true,
      values: {},
    });
  });

  app.post('/sign-in/two-factor/set-up', { config: PUBLIC_LIMITED }, async (request, reply) => {
    const next = nextOf(request);
    const ctx = anonymousCtx(request);
    const token = request.cookies[CHALLENGE_COOKIE];
    const again = async (errors: FieldError[]) => {
      const challenge = await challengeOf(request, 'sign-in');
      if (!challenge?.setUp) return timedOut(reply, next);
      const data = { next, challenge, action: '/sign-in/two-factor/set-up', atSignIn: true, values: {} };
      return reply.page(SET_UP_VIEW, { ...data, errors: formErrors(errors) }, 400);
    };
    const parsed = parseWith(TotpCodeInput, request.body);
    if (!parsed.ok) return again(parsed.errors);
    try {
      const { recoveryCodes, session } = await twoFactor.confirmEnrolment(
        ctx,
        token,
        parsed.data.code,
        'sign-in',
      );
      if (!session) throw new UnauthenticatedError('Sign-in did not complete: try again');
      startSession(reply, session);
      // Shown in the answer to this request and nowhere else: only their hashes are kept.
      return reply.page(CODES_VIEW, { recoveryCodes, continueTo: next, atSignIn: true });
    } catch (error) {
      if (error instanceof ValidationError) return again(error.fields);
      if (error instanceof UnauthenticatedError) return signInRefused(reply, next, error.message);
      if (error instanceof ConflictError) return signInRefused(reply, next, error.message);
      throw error;
    }
  });

  // The person's own account
  app.get('/account', SIGNED_IN, async (request, reply) => {
    const status = await twoFactor.ownStatus(request.ctx());
    return reply.page(ACCOUNT_VIEW, { status });
  });

  app.post('/account/two-factor/start', SIGNED_IN, async (request, reply) => {
    const { challenge, expiresAt } = await twoFactor.startAccountSetUp(request.ctx());
    setChallengeCookie(reply, challenge, expiresAt);
    return reply.redirect('/account/two-factor/set-up', 303);
  });

  const ownChallenge = async (request: FastifyRequest) => {
    const challenge = await challengeOf(request, 'account');
    return challenge?.setUp && challenge.userId === request.actor?.userId ? challenge : undefined;
  };

  app.get('/account/two-factor/set-up', SIGNED_IN, async (request, reply) => {
    const challenge = await ownChallenge(request);
    if (!challenge) return reply.flash('Setting up took too long: start again').redirect('/account', 303);
    return reply.page(SET_UP_VIEW, { challenge, action: '/account/two-factor/set-up', values: {} });
  });

  app.post('/account/two-factor/set-up', SIGNED_IN, async (request, reply) => {
    const again = async (errors: FieldError[]) => {
      const challenge = await ownChallenge(request);
      if (!challenge) return reply.flash('Setting up took too long: start again').redirect('/account', 303);
      const data = { challenge, action: '/account/two-factor/set-up', values: {} };
      return reply.page(SET_UP_VIEW, { ...data, errors: formErrors(errors) }, 400);
    };
    const parsed = parseWith(TotpCodeInput, request.body);
    if (!parsed.ok) return again(parsed.errors);
    try {
      const { recoveryCodes } = await twoFactor.confirmEnrolment(
        request.ctx(),
        request.cookies[CHALLENGE_COOKIE],
        parsed.data.code,
        'account',
      );
      clearChallengeCookie(reply);
      return reply.page(CODES_VIEW, { recoveryCodes, continueTo: '/account', turnedOn: true });
    } catch (error) {
      if (error instanceof ValidationError) return again(error.fields);
      if (error instanceof UnauthenticatedError) {
        clearChallengeCookie(reply);
        return reply.flash('Setting up took too long: start again').redirect('/account', 303);
      }
      throw error;
    }
  });

  // Turning off, and new recovery codes: each asks for a current code first
  const confirmPages = {
    'turn-off': {
      heading: 'Turn off two-factor authentication',
      lead: 'You will sign in with your password only. You can turn it on again at any time.',
      button: 'Turn off two-factor authentication',
      warning: true,
    },
    'recovery-codes': {
      heading: 'Get new recovery codes',
      lead: 'Your old recovery codes will stop working, and you will be shown 10 new ones.',
      button: 'Get new recovery codes',
      warning: false,
    },
  } as const;
  for (const [name, page] of Object.entries(confirmPages)) {
    const url = `/account/two-factor/${name}`;
    app.get(url, SIGNED_IN, async (_request, reply) => reply.page(CONFIRM_VIEW, { page, url, values: {} }));
    app.post(url, SIGNED_IN, async (request, reply) => {
      const again = (errors: FieldError[], status = 400) =>
        reply.page(CONFIRM_VIEW, { page, url, values: {}, errors: formErrors(errors) }, status);
      const parsed = parseWith(TotpCodeInput, request.body);
      if (!parsed.ok) return again(parsed.errors);
      try {
        if (name === 'turn-off') {
          await twoFactor.turnOff(request.ctx(), parsed.data.code);
          return reply.flash('Two-factor authentication was turned off').redirect('/account', 303);
        }
        const recoveryCodes = await twoFactor.replaceRecoveryCodes(request.ctx(), parsed.data.code);
        return reply.page(CODES_VIEW, { recoveryCodes, continueTo: '/account', replaced: true });
      } catch (error) {
        if (error instanceof ValidationError) return again(error.fields);
        if (error instanceof ConflictError) return again([{ field: 'code', message: error.message }], 409);
        throw error;
      }
    });
  }

  // An administrator resets someone's two-factor authentication; the page asks first.
  app.get('/admin/users/:userId/two-factor/reset', ADMIN, async (request, reply) => {
    const { userId } = pathParams(request);
    const { user } = await access.getUser(request.ctx(), userId!);
    return reply.page(RESET_VIEW, { user });
  });

  app.post('/admin/users/:userId/two-factor/reset', ADMIN, async (request, reply) => {
    const { userId } = pathParams(request);
    const parsed = parseWith(VersionOnly, request.body);
    if (!parsed.ok) throw new ValidationError(parsed.errors);
    await twoFactor.reset(request.ctx(), userId!, parsed.data.version);
    return reply
      .flash('Their two-factor authentication was reset and their sessions were ended')
      .redirect(`/admin/users/${userId}`, 303);
  });
}
