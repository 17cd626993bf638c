import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { withPartnershipScope } from '../db/partnership-scope.ts';
import type { ApiTokenService, SessionService } from '../modules/access/index.ts';
import { isApiRequest, sendUnauthenticated } from './api.ts';
import { sendError, wantsJson } from './errors.ts';
import type { WebOptions } from './app.ts';

export const SESSION_COOKIE = 'wa_session';
const SKIP = /^\/(assets\/|health$|ping$|api\/docs(\/|$))/;
const BEARER = /^Bearer +(\S+)$/i;

/**
 * Resolves the session cookie (or, under /api/ and /fhir/, an `Authorization: Bearer` API token) to
 * an actor on every request, and turns away requests to anything not marked public when nobody is
 * signed in: a page asks them to sign in, the API answers 401 with `WWW-Authenticate: Bearer`.
 * `request.authenticatedBy` says which it was: the CSRF check skips only API-token requests.
 */
export function registerSessions(
  app: FastifyInstance,
  sessions: SessionService,
  apiTokens: Pick<ApiTokenService, 'resolve'>,
  options: WebOptions,
) {
  app.decorate('secureCookies', options.secureCookies);
  app.decorateRequest('actor', null);
  app.decorateRequest('sessionToken', undefined);
  app.decorateRequest('authenticatedBy', undefined);
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
    const isPublic = request.routeOptions.config.access === 'public';
    // The API takes a bearer token, which wins over any cookie; a bad one is refused, never ignored.
    if (isApiRequest(request) && !isPublic && request.headers.authorization !== undefined)
      return authenticateBearer(request, reply, apiTokens, options.clock.now());
    const cookie = request.cookies[SESSION_COOKIE];
    const found = await sessions.resolve(cookie, options.clock.now());
    if (found.status === 'active') {
      request.actor = found.actor;
      request.sessionToken = cookie;
      request.authenticatedBy = 'session';
      return;
    }
    if (cookie) clearSessionCookie(reply);
    if (isPublic) return;
    if (isApiRequest(request))
      return sendUnauthenticated(
        request,
        reply,
        'Send an API token in the header Authorization: Bearer <token>',
      );
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

  // What runs for a signed-in person is work for their partnership: on PostgreSQL the database itself
  // then refuses every other partnership's rows (src/db/partnership-scope.ts). Not public pages: they
  // serve the area in their address, whoever asks. Entered once the body is read, as the context of
  // an earlier hook would not reach the handler.
  app.addHook('preValidation', (request, _reply, done) => {
    if (request.actor && request.routeOptions.config.access !== 'public')
      withPartnershipScope(request.actor.partnershipId, done);
    else done();
  });
}

/** Bearer authentication for the API: the token's account becomes the actor, or the call is refused. */
async function authenticateBearer(
  request: FastifyRequest,
  reply: FastifyReply,
  apiTokens: Pick<ApiTokenService, 'resolve'>,
  now: Date,
) {
  const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
  if (!token)
    return sendUnauthenticated(
      request,
      reply,
      'The Authorization header must be Bearer followed by the token',
    );
  const actor = await apiTokens.resolve(token, now);
  if (!actor)
    return sendUnauthenticated(
      request,
      reply,
      'This API token is not valid: it may have been revoked, or its account deactivated',
    );
  request.actor = actor;
  request.authenticatedBy = 'api-token';
}

/** Secure when settings say so, or whenever the request itself came over HTTPS. */
export function setSessionCookie(reply: FastifyReply, token: string, expires: Date) {
  const secure = reply.server.secureCookies || reply.request.protocol === 'https';
  reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure, path: '/', expires });
}

export function clearSessionCookie(reply: FastifyReply) {
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
}
