import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  RouteShorthandOptions,
} from 'fastify';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../../common/errors.ts';
import { jsonSchemaOf } from '../../web/api.ts';
import {
  ORUK_PROFILE,
  ORUK_VERSION,
  PlaceListQuery,
  ServiceListQuery,
  TaxonomyListQuery,
  TermListQuery,
  parseQuery,
  type OpenReferralReader,
} from './directory.oruk.ts';

/**
 * The Open Referral UK read API (the UK profile of HSDS 3.0) for one area, under
 * `/openreferral/<area slug>/`: public, no key, open to any web page (`Access-Control-Allow-Origin: *`),
 * JSON only. Query parameters are cumulative; a bad one is a 400 naming it, an unknown id a 404.
 */

export const OPENREFERRAL_PREFIX = '/openreferral';
const TAGS = ['Open Referral UK'];

type Services = { openReferral: OpenReferralReader };

const ErrorBody = z.object({
  statusCode: z.number(),
  error: z.string(),
  message: z.string(),
  fields: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  requestId: z.string(),
});

function sendJsonError(
  request: FastifyRequest,
  reply: FastifyReply,
  statusCode: number,
  error: string,
  message: string,
  fields?: { field: string; message: string }[],
) {
  return reply
    .status(statusCode)
    .type('application/json; charset=utf-8')
    .send({ statusCode, error, message, ...(fields ? { fields } : {}), requestId: request.id });
}

function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof ValidationError)
    return sendJsonError(request, reply, 400, 'Bad Request', 'Check the parameters listed', error.fields);
  if (error instanceof NotFoundError) return sendJsonError(request, reply, 404, 'Not Found', error.message);
  const status = error.statusCode;
  if (status && status >= 400 && status < 500)
    return sendJsonError(request, reply, status, 'Bad Request', error.message);
  request.log.error({ err: error }, 'unexpected error');
  return sendJsonError(request, reply, 500, 'Internal Server Error', 'Something went wrong on our side');
}

const pageParams = {
  page: { type: 'integer', minimum: 1, default: 1, description: 'Which page, from 1' },
  per_page: { type: 'integer', minimum: 1, maximum: 500, default: 50, description: 'Items per page' },
};
const slugParam = {
  type: 'object',
  properties: { slug: { type: 'string', description: 'The area (partnership) slug, such as northbridge' } },
  required: ['slug'],
};
const idParams = {
  type: 'object',
  properties: { ...slugParam.properties, id: { type: 'string', format: 'uuid' } },
  required: ['slug', 'id'],
};
const pageSchema = (item: string) => ({
  description: `An HSDS Page object whose contents are ${item}`,
  type: 'object',
  properties: {
    total_items: { type: 'integer' },
    total_pages: { type: 'integer' },
    page_number: { type: 'integer' },
    size: { type: 'integer' },
    first_page: { type: 'boolean' },
    last_page: { type: 'boolean' },
    empty: { type: 'boolean' },
    contents: { type: 'array', items: { type: 'object', additionalProperties: true } },
  },
});
const errors = {
  400: { description: 'A parameter is wrong: `fields` names it', ...jsonSchemaOf(ErrorBody) },
  404: { description: 'No such area or item', ...jsonSchemaOf(ErrorBody) },
};
const anObject = (description: string) => ({ description, type: 'object', additionalProperties: true });

function route(
  summary: string,
  description: string,
  extra: { params?: object; querystring?: object; response: object },
): RouteShorthandOptions {
  return {
    config: { access: 'public' },
    schema: {
      tags: TAGS,
      summary,
      description,
      security: [],
      params: extra.params ?? slugParam,
      ...(extra.querystring ? { querystring: extra.querystring } : {}),
      response: { ...extra.response, ...errors },
    },
  };
}

export function registerOpenReferralApi(app: FastifyInstance, { openReferral }: Services) {
  app.register(async (api) => {
    // zod in the handlers validates (so every bad parameter is named); the schemas are for the docs.
    api.setValidatorCompiler(() => (value: unknown) => ({ value }));
    api.setSerializerCompiler(() => (data) => JSON.stringify(data));
    api.setErrorHandler(handleError);
    api.addHook('onRequest', async (_request, reply) => {
      reply.header('access-control-allow-origin', '*');
      // Any site may read it: the public directory, nobody's personal data.
      reply.header('cross-origin-resource-policy', 'cross-origin');
    });

    const area = (request: FastifyRequest) => openReferral.area((request.params as { slug: string }).slug);
    const id = (request: FastifyRequest) => (request.params as { id: string }).id;

    api.get(
      `${OPENREFERRAL_PREFIX}/:slug`,
      route('About this API', 'The HSDS version and profile it follows, and where its OpenAPI document is.', {
        response: {
          200: {
            description: 'About the API',
            type: 'object',
            properties: {
              version: { type: 'string', example: ORUK_VERSION },
              profile: { type: 'string', format: 'uri' },
              openapi_url: { type: 'string', format: 'uri' },
            },
          },
        },
      }),
      async (request) => {
        await area(request);
        return {
          version: ORUK_VERSION,
          profile: ORUK_PROFILE,
          openapi_url: `${request.protocol}://${request.host}/api/docs/json`,
        };
      },
    );

    api.get(
      `${OPENREFERRAL_PREFIX}/:slug/services`,
      route(
        'Services',
        'The area’s services, fully nested (`minimal=true` for their own fields only), by name, or nearest ' +
          'first when a `postcode` is given. Filters are cumulative. `minimum_age` and `maximum_age` are a ' +
          'child’s age range the service must cover; `day` (MO to SU), `start_time` and `end_time` (HH:MM) ' +
          'find services with a session on that day starting at or after `start_time` and ending by `end_time`; ' +
          '`proximity` (metres) keeps services with a location that near `postcode`. Besides HSDS, each service ' +
          'carries Wraparound’s `free`, `access_routes`, `specialist`, `capacity` and `wait_weeks`.',
        {
          querystring: {
            type: 'object',
            properties: {
              search: { type: 'string', description: 'Words in the name or description' },
              ...pageParams,
              taxonomy_term_id: { type: 'string', format: 'uuid' },
              taxonomy_id: { type: 'string', format: 'uuid' },
              organization_id: { type: 'string', format: 'uuid' },
              modified_after: { type: 'string', format: 'date-time' },
              minimal: { type: 'boolean' },
              full: { type: 'boolean' },
              minimum_age: { type: 'integer', minimum: 0 },
              maximum_age: { type: 'integer', minimum: 0 },
              start_time: { type: 'string', example: '15:30' },
              end_time: { type: 'string', example: '18:00' },
              day: { type: 'string', enum: ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] },
              postcode: { type: 'string', example: 'NB4 7QT' },
              proximity: { type: 'integer', minimum: 1, description: 'Metres from the postcode' },
            },
          },
          response: { 200: pageSchema('services') },
        },
      ),
      async (request) => {
        const query = parseQuery(ServiceListQuery, request.query);
        return openReferral.services((await area(request)).id, query);
      },
    );

    api.get(
      `${OPENREFERRAL_PREFIX}/:slug/services/:id`,
      route(
        'One service',
        'The service fully nested: organization, service_at_locations with location and address, schedules, cost_options, contacts, languages, attributes with their taxonomy terms.',
        {
          params: idParams,
          response: { 200: anObject('A fully nested HSDS service') },
        },
      ),
      async (request) => openReferral.service((await area(request)).id, id(request)),
    );

    api.get(
      `${OPENREFERRAL_PREFIX}/:slug/taxonomies`,
      route('Taxonomies', 'The taxonomies the area’s services are tagged with.', {
        querystring: { type: 'object', properties: pageParams },
        response: { 200: pageSchema('taxonomies') },
      }),
      async (request) =>
        openReferral.taxonomies((await area(request)).id, parseQuery(TaxonomyListQuery, request.query)),
    );

    api.get(
      `${OPENREFERRAL_PREFIX}/:slug/taxonomies/:id`,
      route('One taxonomy', 'A taxonomy by id.', {
        params: idParams,
        response: { 200: anObject('An HSDS taxonomy') },
      }),
      async (request) => openReferral.taxonomy((await area(request)).id, id(request)),
    );

    api.get(
      `${OPENREFERRAL_PREFIX}/:slug/taxonomy_terms`,
      route('Taxonomy terms', 'Terms, of one taxonomy, under one parent, or the top level only.', {
        querystring: {
          type: 'object',
          properties: {
            ...pageParams,
            taxonomy_id: { type: 'string', format: 'uuid' },
            parent_id: { type: 'string', format: 'uuid' },
            top_only: { type: 'boolean' },
          },
        },
        response: { 200: pageSchema('taxonomy terms') },
      }),
      async (request) =>
        openReferral.taxonomyTerms((await area(request)).id, parseQuery(TermListQuery, request.query)),
    );

    api.get(
      `${OPENREFERRAL_PREFIX}/:slug/taxonomy_terms/:id`,
      route('One taxonomy term', 'A term by id, with its taxonomy.', {
        params: idParams,
        response: { 200: anObject('An HSDS taxonomy term') },
      }),
      async (request) => openReferral.taxonomyTerm((await area(request)).id, id(request)),
    );

    api.get(
      `${OPENREFERRAL_PREFIX}/:slug/service_at_locations`,
      route(
        'Services at locations',
        'Each service at each of its locations, nearest first when a `postcode` is given; `proximity` (metres) keeps those that near.',
        {
          querystring: {
            type: 'object',
            properties: {
              ...pageParams,
              postcode: { type: 'string', example: 'NB4 7QT' },
              proximity: { type: 'integer', minimum: 1 },
            },
          },
          response: { 200: pageSchema('services at locations') },
        },
      ),
      async (request) =>
        openReferral.serviceAtLocations((await area(request)).id, parseQuery(PlaceListQuery, request.query)),
    );

    api.get(
      `${OPENREFERRAL_PREFIX}/:slug/service_at_locations/:id`,
      route('One service at a location', 'The location nested, and its service.', {
        params: idParams,
        response: { 200: anObject('An HSDS service_at_location') },
      }),
      async (request) => openReferral.serviceAtLocation((await area(request)).id, id(request)),
    );

    // CORS preflight for any path of the API, and a JSON 404 for paths it does not have.
    api.options(
      `${OPENREFERRAL_PREFIX}/*`,
      { config: { access: 'public' }, schema: { hide: true } },
      async (_request, reply) =>
        reply
          .status(204)
          .header('access-control-allow-methods', 'GET, OPTIONS')
          .header('access-control-allow-headers', 'Content-Type, Accept')
          .header('access-control-max-age', '86400')
          .send(),
    );
    api.get(
      `${OPENREFERRAL_PREFIX}/*`,
      { config: { access: 'public' }, schema: { hide: true } },
      async (request, reply) =>
        sendJsonError(request, reply, 404, 'Not Found', 'The Open Referral UK API has no such path'),
    );
  });
}
