import type { FastifyInstance, FastifyReply } from 'fastify';
import type { SessionService } from '../modules/access/index.ts';
import { sendError, wantsJson } from './errors.ts';
import type { WebOptions } from './app.ts';

export const SESSION_COOKIE = 'wa_session';
const SKIP = /^\/(assets\/|health$|ping$)/;

/**
 * Resolves the session cookie to an actor on every request, and turns away requests to anything not
 * marked public when nobody is signed in: a page asks them to sign in, the API answers 401.
 */
export function registerSessions(app: FastifyInstance, sessions: SessionService, options: WebOptions) {
  app.decorate('secureCookies', options.secureCookies);
  app.decorateRequest('actor', null);
  app.decorateRequest('sessionToken', undefined);
  app.decorateRequest('now', function () {
    return options.clock.now();
  });
  app.decorateRequest('ctx', function () {
    const actor = this.actor;
    if (!actor) throw new Error('ctx() needs a signed-in actor');
    return { actor, requestId: this.id, now: options.clock.now(), sourceAddress: this.ip };
  });

  app.addHook('onRequest', async (request, reply) => {
    if (SKIP.test(request.url)) return;
    const cookie = request.cookies[SESSION_COOKIE];
    const found = await sessions.resolve(cookie, options.clock.now());
    if (found.status === 'active') {
      request.actor = found.actor;
      request.sessionToken = cookie;
      return;
    }
    if (cookie) clearSessionCookie(reply);
    if (request.routeOptions.config.access === 'public') return;
    if (request.method === 'GET' && !wantsJson(request)) {
      const next = encodeURIComponent(request.url);
      return reply.redirect(`/sign-in?next=${next}${found.status === 'expired' ? '&expired=1' : ''}`, 303);
    }
    return sendError(request, reply, {
      status: 401,
      title: found.status === 'expired' ? 'Your session has expired' : 'Sign in to continue',
      message:
        found.status === 'expired'
          ? 'You were signed out because you were inactive. Nothing you sent was saved: sign in and try again.'
          : 'You need to sign in to do this.',
    });
  });
}

/** Secure when settings say so, or whenever the request itself came over HTTPS. */
export function setSessionCookie(reply: FastifyReply, token: string, expires: Date) {
  const secure = reply.server.secureCookies || reply.request.protocol === 'https';
  reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure, path: '/', expires });
}

export function clearSessionCookie(reply: FastifyReply) {
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
}
