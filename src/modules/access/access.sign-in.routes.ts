import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { UnauthenticatedError } from '../../common/errors.ts';
import { formErrors } from '../../web/forms.ts';
import { parseWith } from '../../web/forms.ts';
import { clearSessionCookie } from '../../web/sessions.ts';
import type { WebServices } from '../../web/app.ts';
import { SignIn } from './access.schemas.ts';
import { afterFirstFactor, NextPath } from './access.sign-in-flow.ts';
import { registerOidcRoutes } from './access.oidc.routes.ts';
import { registerTwoFactorRoutes } from './access.two-factor.routes.ts';

const SignInQuery = z.object({
  next: NextPath.optional().default('/'),
  expired: z.string().optional(),
  signedOut: z.string().optional(),
  timedOut: z.string().optional(),
});

const VIEW = 'access/views/sign-in.njk';

/** Sign-in pages: the password form, sign-out, the second factor and (when configured) OpenID Connect. */
export function registerSignInRoutes(
  app: FastifyInstance,
  services: Pick<WebServices, 'sessions' | 'twoFactor' | 'access' | 'oidc'>,
) {
  registerTwoFactorRoutes(app, services);
  if (services.oidc) registerOidcRoutes(app, { ...services, oidc: services.oidc });

  app.get('/sign-in', { config: { access: 'public' } }, async (request, reply) => {
    const query = SignInQuery.parse(request.query ?? {});
    if (request.actor) return reply.redirect(query.next, 303);
    return reply.page(VIEW, {
      next: query.next,
      expired: query.expired !== undefined,
      signedOut: query.signedOut !== undefined,
      timedOut: query.timedOut !== undefined,
      oidcLabel: services.oidc?.label,
    });
  });

  app.post(
    '/sign-in',
    { config: { access: 'public', rateLimit: { max: 30, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      const next = NextPath.parse(body.next ?? '/');
      const values = { email: typeof body.email === 'string' ? body.email : '' };
      const parsed = parseWith(SignIn, body);
      if (!parsed.ok) return reply.page(VIEW, { next, values, errors: formErrors(parsed.errors) }, 400);
      try {
        const result = await services.sessions.signIn(
          {
            actor: { system: 'sign-in' },
            requestId: request.id,
            now: request.now(),
            sourceAddress: request.ip,
          },
          parsed.data,
        );
        return afterFirstFactor(reply, result, next);
      } catch (error) {
        if (!(error instanceof UnauthenticatedError)) throw error;
        const errors = formErrors([{ field: 'email', message: error.message }]);
        return reply.page(VIEW, { next, values, errors }, 401);
      }
    },
  );

  app.post('/sign-out', { config: { access: 'signed-in' } }, async (request, reply) => {
    if (request.sessionToken) await services.sessions.signOut(request.ctx(), request.sessionToken);
    clearSessionCookie(reply);
    reply.clearCookie('wa_csrf', { path: '/' });
    return reply.redirect('/sign-in?signedOut=1', 303);
  });
}
