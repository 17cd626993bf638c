import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { UnauthenticatedError } from '../../common/errors.ts';
import type { WebServices } from '../../web/app.ts';
import { OidcRefusal, type OidcSignIn } from './access.oidc.ts';
import { afterFirstFactor, NextPath, signInRefused } from './access.sign-in-flow.ts';

const PENDING_COOKIE = 'wa_oidc';
const PENDING_PATH = '/sign-in/oidc';
const PENDING_MINUTES = 10;
const REFUSED_VIEW = 'access/views/oidc-refused.njk';

/** The signed cookie's content; anything else (tampered, old, missing) is no sign-in in progress. */
const Pending = z.object({
  state: z.string().min(1),
  nonce: z.string().min(1),
  verifier: z.string().min(1),
  redirectUri: z.url(),
  next: NextPath,
});

function readPending(request: FastifyRequest) {
  const raw = request.cookies[PENDING_COOKIE];
  if (!raw) return undefined;
  const unsigned = request.unsignCookie(raw);
  if (!unsigned.valid || unsigned.value === null) return undefined;
  try {
    const parsed = Pending.safeParse(JSON.parse(unsigned.value));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function refused(reply: FastifyReply, label: string, message: string, status: number) {
  return reply.page(REFUSED_VIEW, { label, message }, status);
}

/**
 * "Sign in with <label>": a POST from the sign-in page sends the browser to the provider; the
 * provider sends it back to the callback, which signs the person in or says plainly why not.
 */
export function registerOidcRoutes(
  app: FastifyInstance,
  services: Pick<WebServices, 'sessions'> & { oidc: OidcSignIn },
) {
  const { oidc } = services;

  app.post(
    '/sign-in/oidc',
    { config: { access: 'public', rateLimit: { max: 30, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const next = NextPath.parse(((request.body ?? {}) as Record<string, unknown>).next ?? '/');
      try {
        const { url, pending } = await oidc.start(
          `${request.protocol}://${request.host}${PENDING_PATH}/callback`,
        );
        const secure = reply.server.secureCookies || request.protocol === 'https';
        reply.setCookie(PENDING_COOKIE, JSON.stringify({ ...pending, next }), {
          signed: true,
          httpOnly: true,
          // Lax: the provider's redirect back is a top-level GET, which carries it.
          sameSite: 'lax',
          secure,
          path: PENDING_PATH,
          maxAge: PENDING_MINUTES * 60,
        });
        return reply.redirect(url, 303);
      } catch (error) {
        if (error instanceof OidcRefusal) return refused(reply, oidc.label, error.message, 503);
        throw error;
      }
    },
  );

  app.get(`${PENDING_PATH}/callback`, { config: { access: 'public' } }, async (request, reply) => {
    const pending = readPending(request);
    reply.clearCookie(PENDING_COOKIE, { path: PENDING_PATH });
    if (!pending)
      return refused(
        reply,
        oidc.label,
        'This sign-in was not started from this browser, or it took too long. Start again from the sign-in page.',
        400,
      );
    const query = new URLSearchParams(request.url.split('?')[1] ?? '');
    try {
      const result = await oidc.finish(
        {
          actor: { system: 'sign-in' },
          requestId: request.id,
          now: request.now(),
          sourceAddress: request.ip,
        },
        query,
        pending,
      );
      return afterFirstFactor(reply, result, pending.next);
    } catch (error) {
      if (error instanceof OidcRefusal)
        return refused(reply, oidc.label, error.message, error.reason === 'unavailable' ? 503 : 403);
      if (error instanceof UnauthenticatedError) return signInRefused(reply, pending.next, error.message);
      throw error;
    }
  });
}
