import type { FastifyInstance } from 'fastify';
import { ConflictError, ValidationError, type FieldError } from '../../common/errors.ts';
import { pathParams } from '../../web/form-route.ts';
import { formErrors, parseWith } from '../../web/forms.ts';
import type { WebServices } from '../../web/app.ts';
import { ApiTokenInput } from './access.api-tokens.ts';

const ADMIN = { config: { access: 'partnership.administer' } } as const;
const LIST_VIEW = 'access/views/api-tokens.njk';
const FORM_VIEW = 'access/views/api-tokens-new.njk';
const ISSUED_VIEW = 'access/views/api-tokens-issued.njk';

/** An account's API tokens: the list, issuing one (shown once), revoking one. Administrators only. */
export function registerApiTokenRoutes(
  app: FastifyInstance,
  { access, apiTokens }: Pick<WebServices, 'access' | 'apiTokens'>,
) {
  app.get('/admin/users/:userId/api-tokens', ADMIN, async (request, reply) => {
    const { userId } = pathParams(request);
    const ctx = request.ctx();
    const { user } = await access.getUser(ctx, userId!);
    const tokens = await apiTokens.list(ctx, userId!);
    return reply.page(LIST_VIEW, { user, tokens });
  });

  app.get('/admin/users/:userId/api-tokens/new', ADMIN, async (request, reply) => {
    const { userId } = pathParams(request);
    const { user } = await access.getUser(request.ctx(), userId!);
    return reply.page(FORM_VIEW, { user, values: {} });
  });

  // Not POST-redirect-GET: the token exists only in this answer, so it is shown here and never stored.
  app.post('/admin/users/:userId/api-tokens/new', ADMIN, async (request, reply) => {
    const { userId } = pathParams(request);
    const ctx = request.ctx();
    const again = async (errors: FieldError[], status: number) => {
      const { user } = await access.getUser(ctx, userId!);
      return reply.page(FORM_VIEW, { user, values: request.body ?? {}, errors: formErrors(errors) }, status);
    };
    const parsed = parseWith(ApiTokenInput, request.body);
    if (!parsed.ok) return again(parsed.errors, 400);
    try {
      const issued = await apiTokens.issue(ctx, userId!, parsed.data);
      const { user } = await access.getUser(ctx, userId!);
      reply.header('cache-control', 'no-store');
      return reply.page(ISSUED_VIEW, { user, issued });
    } catch (error) {
      if (error instanceof ValidationError) return again(error.fields, 400);
      if (error instanceof ConflictError) return again([{ field: 'name', message: error.message }], 409);
      throw error;
    }
  });

  app.post('/admin/users/:userId/api-tokens/:tokenId/revoke', ADMIN, async (request, reply) => {
    const { userId, tokenId } = pathParams(request);
    const { name } = await apiTokens.revoke(request.ctx(), userId!, tokenId!);
    return reply
      .flash(`The token “${name}” was revoked: calls made with it are refused`)
      .redirect(`/admin/users/${userId}/api-tokens`, 303);
  });
}
