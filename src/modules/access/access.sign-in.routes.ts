import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { UnauthenticatedError } from '../../common/errors.ts';
import { formErrors } from '../../web/forms.ts';
import { parseWith } from '../../web/forms.ts';
import { clearSessionCookie, setSessionCookie } from '../../web/sessions.ts';
import type { WebServices } from '../../web/app.ts';
import { SignIn } from './access.schemas.ts';

/** Only a path on this site may follow sign-in, never another host. */
const NextPath = z
  .string()
  .regex(/^\/(?![/\\])[^\s]*$/)
  .catch('/');
const SignInQuery = z.object({
  next: NextPath.optional().default('/'),
  expired: z.string().optional(),
  signedOut: z.string().optional(),
});

const VIEW = 'access/views/sign-in.njk';

export function registerSignInRoutes(app: FastifyInstance, services: Pick<WebServices, 'sessions'>) {
  app.get('/sign-in', { config: { access: 'public' } }, async (request, reply) => {
    const query = SignInQuery.parse(request.query ?? {});
    if (request.actor) return reply.redirect(query.next, 303);
    return reply.page(VIEW, {
      next: query.next,
      expired: query.expired !== undefined,
      signedOut: query.signedOut !== undefined,
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
        const now = request.now();
        const { token } = await services.sessions.signIn(
          { actor: { system: 'sign-in' }, requestId: request.id, now },
          parsed.data,
        );
        const session = await services.sessions.resolve(token, now);
        if (session.status !== 'active')
          throw new UnauthenticatedError('Sign-in did not complete: try again');
        // A fresh CSRF secret for the new session; the old one belonged to an anonymous visitor.
        reply.clearCookie('wa_csrf', { path: '/' });
        setSessionCookie(reply, token, session.expiresAt);
        return reply.redirect(next, 303);
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
