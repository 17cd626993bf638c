import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  ConflictError,
  DomainError,
  ForbiddenError,
  NotFoundError,
  UnauthenticatedError,
  ValidationError,
} from '../common/errors.ts';

/**
 * The JSON API's plumbing: its OpenAPI document and page at /api/docs, its error answers (machine
 * codes rather than page titles), and the 401 that asks for a bearer token. The API's routes live in
 * their modules and are registered through `registerJsonApi`.
 */

export const API_PREFIX = '/api/';
export const API_DOCS = '/api/docs';

/** What every API error answers with: a code a program can branch on and a message a person can act on. */
export const ApiError = z.object({
  error: z.enum([
    'validation',
    'unauthenticated',
    'forbidden',
    'not_found',
    'conflict',
    'too_many_requests',
    'bad_request',
    'internal',
  ]),
  message: z.string(),
  fields: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  allowed: z.array(z.string()).optional(),
  requestId: z.string(),
});
export type ApiError = z.output<typeof ApiError>;

/** JSON Schema for the OpenAPI document, from a zod schema: docs and validation come from one place. */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output' = 'output') {
  return z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
}

/** A documented error answer, for a route's `response` schema. */
export const errorResponse = (description: string) => ({ description, ...jsonSchemaOf(ApiError) });

/** The JSON API and the FHIR API (`/fhir/`, the path FHIR clients expect) both take API tokens. */
export function isApiRequest(request: FastifyRequest): boolean {
  return request.url.startsWith(API_PREFIX) || request.url.startsWith('/fhir/');
}

function apiError(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  body: Omit<ApiError, 'requestId'>,
) {
  return reply.status(status).send({ ...body, requestId: request.id } satisfies ApiError);
}

/** 401 for the API: no usable bearer token. Says how to authenticate, as RFC 6750 asks. */
export function sendUnauthenticated(request: FastifyRequest, reply: FastifyReply, message: string) {
  reply.header('www-authenticate', 'Bearer realm="wraparound"');
  return apiError(request, reply, 401, { error: 'unauthenticated', message });
}

const FRAMEWORK_MESSAGES: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'The request body is not valid JSON.',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'The request body is empty: send a JSON object.',
  FST_ERR_CTP_BODY_TOO_LARGE: 'The request body is too large.',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Send the body as application/json.',
  FST_CSRF_MISSING_SECRET: 'Send an API token in the Authorization header (Bearer), not a session cookie.',
  FST_CSRF_INVALID_TOKEN: 'Send an API token in the Authorization header (Bearer), not a session cookie.',
};

/** Domain and framework errors as the API's JSON; never a 500 for something the caller sent. */
function handleApiError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof ValidationError)
    return apiError(request, reply, 400, {
      error: 'validation',
      message: 'Check the fields listed and send it again',
      fields: error.fields,
    });
  if (error instanceof UnauthenticatedError) return sendUnauthenticated(request, reply, error.message);
  if (error instanceof ForbiddenError)
    return apiError(request, reply, 403, { error: 'forbidden', message: error.message });
  if (error instanceof NotFoundError)
    return apiError(request, reply, 404, { error: 'not_found', message: error.message });
  if (error instanceof ConflictError)
    return apiError(request, reply, 409, {
      error: 'conflict',
      message: error.message,
      ...(error.allowed.length ? { allowed: error.allowed } : {}),
    });
  if (error instanceof DomainError)
    return apiError(request, reply, 400, { error: 'bad_request', message: error.message });
  const status = error.statusCode;
  if (status && status >= 400 && status < 500) {
    request.log.info({ err: { name: error.name, code: error.code } }, 'refused API request');
    const code = status === 403 ? 'forbidden' : status === 429 ? 'too_many_requests' : 'bad_request';
    return apiError(request, reply, status, {
      error: code,
      message: FRAMEWORK_MESSAGES[error.code] ?? error.message,
    });
  }
  request.log.error({ err: error }, 'unexpected error');
  return apiError(request, reply, 500, {
    error: 'internal',
    message: 'Something went wrong on our side: try again later, quoting the request id',
  });
}

/**
 * Registers JSON API routes in their own context: zod in the handler is the only validator (the
 * route's JSON Schema, made from the same zod schema, is there for the OpenAPI document), answers are
 * plain JSON, and errors are the API's JSON errors.
 */
export function registerJsonApi(app: FastifyInstance, routes: (api: FastifyInstance) => void) {
  app.register(async (api) => {
    api.setValidatorCompiler(() => (value: unknown) => ({ value }));
    api.setSerializerCompiler(() => (data) => JSON.stringify(data));
    api.setErrorHandler(handleApiError);
    routes(api);
  });
}

/**
 * The OpenAPI document (at /api/docs/json) and its page (/api/docs). Only routes under /api/ are in
 * the document; the pages are not. The docs are public: they describe the API, not anyone's data.
 */
export async function registerApiDocs(app: FastifyInstance) {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Wraparound API',
        version: '1',
        description:
          'For other systems, such as a school’s own system, to tell the front door about a child. ' +
          'Each call carries an API token, issued by a partnership administrator for a named account, ' +
          'in the header `Authorization: Bearer <token>`. The call acts as that account, with its roles ' +
          'and organisation, and is audited as such.',
      },
      tags: [
        { name: 'contacts', description: 'Contacts to the front door' },
        {
          name: 'Open Referral UK',
          description:
            'The public directory of services as Open Referral UK (the UK profile of HSDS 3.0), under ' +
            '`/openreferral/{slug}/`: no token needed, open to any web page (CORS).',
        },
      ],
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'An API token (it starts `wra_`), issued on the account’s administration page',
          },
        },
      },
      security: [{ bearer: [] }],
    },
    transform: ({ schema, url }) => ({
      schema:
        (url.startsWith(API_PREFIX) && !url.startsWith(API_DOCS)) || url.startsWith('/openreferral/')
          ? schema
          : { ...schema, hide: true },
      url,
    }),
  });
  await app.register(fastifySwaggerUi, {
    routePrefix: API_DOCS,
    uiConfig: { deepLinking: true, tryItOutEnabled: false },
    theme: { title: 'Wraparound API' },
    // The app's own CSP applies unchanged: Swagger UI loads only its own files ('self'). It renders
    // fully; the one inline style it tries is blocked, with no visible effect.
  });
}
