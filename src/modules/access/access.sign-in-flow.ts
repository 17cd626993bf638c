import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { formErrors } from '../../web/forms.ts';
import { setSessionCookie } from '../../web/sessions.ts';
import type { SignInResult } from './access.sessions.ts';

/** What every way of signing in shares on the web side: where to go next, and which cookies to set. */

/** Only a path on this site may follow sign-in, never another host. */
export const NextPath = z
  .string()
  .regex(/^\/(?![/\\])[^\s]*$/)
  .catch('/');

/** Names the server-side state between the first factor and the second; it is never a session. */
export const CHALLENGE_COOKIE = 'wa_challenge';

export function setChallengeCookie(reply: FastifyReply, token: string, expires: Date) {
  const secure = reply.server.secureCookies || reply.request.protocol === 'https';
  reply.setCookie(CHALLENGE_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure, path: '/', expires });
}

export function clearChallengeCookie(reply: FastifyReply) {
  reply.clearCookie(CHALLENGE_COOKIE, { path: '/' });
}

/**
 * Where a first factor (a password, or an identity provider) leads: straight to the session, or,
 * for an account with a second factor or a role that needs one, to the page that asks for it.
 */
export function afterFirstFactor(reply: FastifyReply, result: SignInResult, next: string) {
  if (result.status === 'second-factor') {
    setChallengeCookie(reply, result.challenge, result.expiresAt);
    const page = result.step === 'verify' ? '/sign-in/two-factor' : '/sign-in/two-factor/set-up';
    return reply.redirect(`${page}?next=${encodeURIComponent(next)}`, 303);
  }
  startSession(reply, result);
  return reply.redirect(next, 303);
}

/** The session cookie for a completed sign-in, and a fresh CSRF secret (the old one was anonymous). */
export function startSession(reply: FastifyReply, session: { token: string; expiresAt: Date }) {
  clearChallengeCookie(reply);
  reply.clearCookie('wa_csrf', { path: '/' });
  setSessionCookie(reply, session.token, session.expiresAt);
}

/** Back to the sign-in form with the reason (a lock, a deactivated account, a timed-out step). */
export function signInRefused(reply: FastifyReply, next: string, message: string) {
  clearChallengeCookie(reply);
  const errors = formErrors([{ field: 'email', message }]);
  return reply.page('access/views/sign-in.njk', { next, values: {}, errors }, 401);
}
