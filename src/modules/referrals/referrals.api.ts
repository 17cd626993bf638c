import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { isSystem, type Ctx } from '../../common/context.ts';
import { ValidationError, type FieldError } from '../../common/errors.ts';
import { pathParams } from '../../web/form-route.ts';
import { fieldErrors, nulFieldErrors } from '../../web/forms.ts';
import type { WebServices } from '../../web/app.ts';
import { errorResponse, jsonSchemaOf, registerJsonApi } from '../../web/api.ts';
import { ContactInput, type CHANNELS } from './referrals.schemas.ts';
import { CONTACT_STATUSES, OUTCOMES } from './referrals.workflow.ts';

/**
 * The front door's JSON API, for other systems (a school's own system, say) acting as a named account
 * with an API token. A contact is sent with an idempotency key, so a retry never makes a second one.
 * The request's JSON Schema in the OpenAPI document is made from the same zod schema that parses it.
 */

const API_CHANNEL: (typeof CHANNELS)[number] = 'api';

/** The API's contact: the shared ContactInput, wrapped so that the channel defaults to 'api'. */
export const ApiContactInput = z.preprocess(
  (body) =>
    body !== null && typeof body === 'object' && !Array.isArray(body) && !('channel' in body)
      ? { ...body, channel: API_CHANNEL }
      : body,
  ContactInput,
);

/** ContactInput's JSON Schema, with the one difference the wrapper above makes. */
function apiContactJsonSchema() {
  const schema = jsonSchemaOf(ContactInput, 'input') as {
    properties: Record<string, Record<string, unknown>>;
    required: string[];
  };
  schema.properties.channel = { ...schema.properties.channel, default: API_CHANNEL };
  schema.required = schema.required.filter((name) => name !== 'channel');
  return schema;
}

const IDEMPOTENCY_HEADER = 'Idempotency-Key';
const IdempotencyKey = z
  .string({ error: `Send an ${IDEMPOTENCY_HEADER} header: a new random value (a UUID) for each new contact` })
  .min(8, `The ${IDEMPOTENCY_HEADER} must be 8 characters or more`)
  .max(200, `The ${IDEMPOTENCY_HEADER} must be 200 characters or fewer`);

export const ContactCreated = z.object({
  id: z.uuid(),
  number: z.string().describe('The contact’s reference number, to quote when phoning the front door'),
  status: z.literal('new'),
  links: z.object({ self: z.string().describe('Where to ask how the contact stands') }),
});
export type ContactCreated = z.output<typeof ContactCreated>;

export const ContactStatusAnswer = z.object({
  id: z.uuid(),
  number: z.string(),
  status: z.enum(CONTACT_STATUSES),
  receivedAt: z.iso.datetime(),
  outcome: z
    .enum(OUTCOMES)
    .optional()
    .describe('The decision, once the front door has told the referrer it (absent until then)'),
});
export type ContactStatusAnswer = z.output<typeof ContactStatusAnswer>;

const CONTACT_TAGS = ['contacts'];

export function registerFrontDoorApi(app: FastifyInstance, { frontDoor }: Pick<WebServices, 'frontDoor'>) {
  registerJsonApi(app, (api) => {
    api.post(
      '/api/contacts',
      {
        config: { access: 'contacts.create' },
        schema: {
          tags: CONTACT_TAGS,
          operationId: 'createContact',
          summary: 'Tell the front door about a child',
          description:
            'Records a contact as the token’s account. Send a new `Idempotency-Key` for each new ' +
            'contact and the same one when retrying: a retry with the same key and body answers 200 ' +
            'with the contact it made (and `Idempotent-Replayed: true`); the same key with a ' +
            'different body is refused with 409.',
          headers: {
            type: 'object',
            properties: {
              'idempotency-key': {
                type: 'string',
                minLength: 8,
                maxLength: 200,
                description: 'A new random value (a UUID) for each new contact; the same one on a retry',
              },
            },
            required: ['idempotency-key'],
          },
          body: apiContactJsonSchema(),
          response: {
            201: { description: 'The contact was recorded', ...jsonSchemaOf(ContactCreated) },
            200: {
              description: 'A retry: the contact this key already made',
              headers: { 'Idempotent-Replayed': { type: 'string', enum: ['true'] } },
              ...jsonSchemaOf(ContactCreated),
            },
            400: errorResponse('Something in the contact or the headers needs correcting'),
            401: errorResponse('No valid API token'),
            403: errorResponse('The token’s account may not make contacts'),
            409: errorResponse('The idempotency key was already used for a different contact'),
          },
        },
      },
      async (request, reply) => {
        const problems: FieldError[] = [];
        const key = IdempotencyKey.safeParse(request.headers['idempotency-key']);
        if (!key.success)
          problems.push(...key.error.issues.map((i) => ({ field: IDEMPOTENCY_HEADER, message: i.message })));
        const body = ApiContactInput.safeParse(request.body);
        if (!body.success) problems.push(...bodyErrors(body.error));
        problems.push(...nulFieldErrors(request.body));
        if (problems.length > 0 || !key.success || !body.success) throw new ValidationError(problems);
        const ctx = request.ctx();
        const created = await frontDoor.create(ctx, body.data, {
          idempotencyKey: accountKey(ctx, key.data),
        });
        const answer: ContactCreated = {
          id: created.id,
          number: created.number,
          status: 'new',
          links: { self: `/api/contacts/${created.id}` },
        };
        if (created.replayed) return reply.header('idempotent-replayed', 'true').status(200).send(answer);
        return reply.header('location', answer.links.self).status(201).send(answer);
      },
    );

    api.get(
      '/api/contacts/:contactId',
      {
        config: { access: 'contacts.create' },
        schema: {
          tags: CONTACT_TAGS,
          operationId: 'getContact',
          summary: 'How a contact stands',
          description:
            'For the account that made the contact: where it stands, and the decision once the ' +
            'front door has told the referrer. Other accounts get 404.',
          params: {
            type: 'object',
            properties: { contactId: { type: 'string', format: 'uuid' } },
            required: ['contactId'],
          },
          response: {
            200: { description: 'The contact', ...jsonSchemaOf(ContactStatusAnswer) },
            401: errorResponse('No valid API token'),
            403: errorResponse('The token’s account may not make contacts'),
            404: errorResponse('No such contact made by this account'),
          },
        },
      },
      async (request, reply) => {
        const { contactId } = pathParams(request);
        const found = await frontDoor.get(request.ctx(), contactId!);
        const { contact } = found;
        const told = found.full || found.outcomeShown;
        const answer: ContactStatusAnswer = {
          id: contact.id,
          number: String(contact.number),
          status: contact.status,
          receivedAt: contact.receivedAt.toISOString(),
          ...(told && contact.status === 'decided' && contact.outcome
            ? { outcome: contact.outcome as ContactStatusAnswer['outcome'] }
            : {}),
        };
        return reply.send(answer);
      },
    );
  });
}

/** Body errors named by their JSON path (`child.familyName`); a body that is not an object is 'body'. */
function bodyErrors(error: z.ZodError): FieldError[] {
  return fieldErrors(error).map((e) => (e.field === 'form' ? { ...e, field: 'body' } : e));
}

/**
 * Idempotency keys are the caller's own: two systems that happen to choose the same key never see
 * each other's contacts. Hashed, so a key of any allowed length fits the stored key's limit.
 */
function accountKey(ctx: Ctx, key: string) {
  const digest = createHash('sha256').update(key).digest('base64url');
  return `api:${isSystem(ctx.actor) ? ctx.actor.system : ctx.actor.userId}:${digest}`;
}
