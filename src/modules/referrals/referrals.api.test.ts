import SwaggerParser from '@apidevtools/swagger-parser';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCtx, buildSystemActor } from '../../../test/helpers/context.ts';
import { createTestApp, type TestApp } from '../../../test/helpers/web.ts';
import { ApiError } from '../../web/api.ts';
import { ContactCreated, ContactStatusAnswer } from './referrals.api.ts';

let t: TestApp;
let practitionerToken: string;
let analystToken: string;
let otherPractitionerToken: string;

const system = () => buildCtx(buildSystemActor(t.partnershipId));

async function tokenFor(userId: string, name = 'Elm Park School system') {
  return (await t.services.apiTokens.issue(system(), userId, { name })).token;
}

function contact(overrides: Record<string, unknown> = {}) {
  return {
    child: { givenName: 'Maisie', familyName: 'Okafor', dateOfBirth: '2016-05-04' },
    worries: 'Maisie came to school with bruises on her arms and said she was scared to go home.',
    familyAware: false,
    consent: 'not_sought',
    consentReason: 'Telling the family could put Maisie at risk',
    urgency: 'today',
    ...overrides,
  };
}

let keys = 0;
const newKey = () => `test-key-${String(++keys).padStart(4, '0')}-${Date.now()}`;

function post(
  body: unknown,
  { token = practitionerToken, key = newKey() }: { token?: string | null; key?: string | null } = {},
  extraHeaders: Record<string, string> = {},
) {
  return t.app.inject({
    method: 'POST',
    url: '/api/contacts',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(key ? { 'idempotency-key': key } : {}),
      ...extraHeaders,
    },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** An API error answer, checked against the documented shape. */
const errorOf = (response: LightMyRequestResponse) => ApiError.parse(response.json<unknown>());
const createdOf = (response: LightMyRequestResponse) => ContactCreated.parse(response.json<unknown>());

async function contactCount() {
  const row = await t.database.db
    .selectFrom('contacts')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Every refusal writes nothing: the count before and after is the same. */
async function refusedWithoutWriting(send: () => Promise<LightMyRequestResponse>) {
  const before = await contactCount();
  const response = await send();
  expect(await contactCount()).toBe(before);
  return response;
}

beforeAll(async () => {
  t = await createTestApp();
  practitionerToken = await tokenFor(t.practitioner.id);
  const analyst = await t.createUser('ann.analyst@example.org', ['analyst']);
  analystToken = await tokenFor(analyst.id, 'Analysis system');
  const other = await t.createUser('olu.other@example.org', ['practitioner']);
  otherPractitionerToken = await tokenFor(other.id, 'Another school');
});

afterAll(() => t?.close());

describe('authentication', () => {
  it('answers 401 with WWW-Authenticate when there is no token, and writes nothing', async () => {
    const response = await refusedWithoutWriting(() => post(contact(), { token: null }));
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
    const body = errorOf(response);
    expect(body.error).toBe('unauthenticated');
    expect(body.message).toMatch(/Authorization: Bearer/);
  });

  it('answers a GET without a token with JSON 401, not the sign-in page', async () => {
    const response = await t.app.inject({ method: 'GET', url: `/api/contacts/${crypto.randomUUID()}` });
    expect(response.statusCode).toBe(401);
    expect(response.headers['content-type']).toMatch(/application\/json/);
    expect(errorOf(response).error).toBe('unauthenticated');
  });

  it('refuses an unknown token, a malformed header and a revoked token', async () => {
    expect((await post(contact(), { token: 'wra_not-a-real-token' })).statusCode).toBe(401);
    const basic = await post(contact(), { token: null }, { authorization: 'Basic dXNlcjpwYXNz' });
    expect(basic.statusCode).toBe(401);
    expect(basic.headers['www-authenticate']).toMatch(/^Bearer/);

    const issued = await t.services.apiTokens.issue(system(), t.practitioner.id, { name: 'Soon revoked' });
    expect((await post(contact(), { token: issued.token })).statusCode).toBe(201);
    await t.services.apiTokens.revoke(system(), t.practitioner.id, issued.id);
    const revoked = await refusedWithoutWriting(() => post(contact(), { token: issued.token }));
    expect(revoked.statusCode).toBe(401);
    expect(errorOf(revoked).error).toBe('unauthenticated');
  });

  it('refuses the token of a deactivated account', async () => {
    const leaver = await t.createUser('lee.leaver@example.org', ['practitioner']);
    const token = await tokenFor(leaver.id);
    const { user } = await t.services.access.getUser(system(), leaver.id);
    await t.services.access.setUserActive(system(), leaver.id, user.version, false);
    expect((await post(contact(), { token })).statusCode).toBe(401);
  });

  it('gives an analyst’s token 403: the account may not make contacts', async () => {
    const response = await refusedWithoutWriting(() => post(contact(), { token: analystToken }));
    expect(response.statusCode).toBe(403);
    expect(errorOf(response).error).toBe('forbidden');
  });
});

describe('CSRF and bearer tokens', () => {
  it('still needs a CSRF token when the API is called with a session cookie instead of a bearer token', async () => {
    const agent = t.agent();
    await agent.signIn(t.practitioner.email);
    const response = await refusedWithoutWriting(() =>
      t.app.inject({
        method: 'POST',
        url: '/api/contacts',
        cookies: { wa_session: agent.cookie('wa_session')!, wa_csrf: agent.cookie('wa_csrf') ?? '' },
        headers: { 'content-type': 'application/json', 'idempotency-key': newKey() },
        payload: JSON.stringify(contact()),
      }),
    );
    expect(response.statusCode).toBe(403);
    expect(errorOf(response)).toMatchObject({ error: 'forbidden' });
    expect(errorOf(response).message).toMatch(/Bearer/);
  });

  it('ignores a bearer token outside /api/: a page form still needs its CSRF token', async () => {
    const agent = t.agent();
    await agent.signIn(t.practitioner.email);
    const response = await t.app.inject({
      method: 'POST',
      url: '/sign-out',
      cookies: { wa_session: agent.cookie('wa_session')! },
      headers: {
        authorization: `Bearer ${practitionerToken}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: '',
    });
    expect(response.statusCode).toBe(403);
    expect(response.body).toContain('This form has expired');
  });
});

describe('POST /api/contacts', () => {
  it('records the contact as the token’s account, with the channel defaulting to api', async () => {
    const response = await post(contact());
    expect(response.statusCode).toBe(201);
    const body = createdOf(response);
    expect(body).toEqual({
      id: body.id,
      number: body.number,
      status: 'new',
      links: { self: `/api/contacts/${body.id}` },
    });
    expect(response.headers.location).toBe(body.links.self);
    const row = await t.database.db
      .selectFrom('contacts')
      .select(['channel', 'referrerUserId', 'childFamilyName', 'receivedAt'])
      .where('id', '=', body.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({
      channel: 'api',
      referrerUserId: t.practitioner.id,
      childFamilyName: 'Okafor',
      receivedAt: t.clock.now(),
    });
    const audit = await t.database.db
      .selectFrom('auditEvents')
      .select(['actorUserId', 'outcome'])
      .where('action', '=', 'contact.create')
      .where('subjectId', '=', body.id)
      .executeTakeFirstOrThrow();
    expect(audit).toEqual({ actorUserId: t.practitioner.id, outcome: 'success' });
  });

  it('answers a retry with the same key and body with 200 and the same contact, making no second one', async () => {
    const key = newKey();
    const first = await post(contact({ channel: 'email' }), { key });
    expect(first.statusCode).toBe(201);
    const again = await refusedWithoutWriting(() => post(contact({ channel: 'email' }), { key }));
    expect(again.statusCode).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(createdOf(again)).toEqual(createdOf(first));
    const rows = await t.database.db
      .selectFrom('contacts')
      .select('id')
      .where('id', '=', createdOf(first).id)
      .execute();
    expect(rows).toHaveLength(1);
  });

  it('refuses the same key with a different body with 409, writing nothing', async () => {
    const key = newKey();
    expect((await post(contact(), { key })).statusCode).toBe(201);
    const response = await refusedWithoutWriting(() => post(contact({ urgency: 'immediate' }), { key }));
    expect(response.statusCode).toBe(409);
    expect(errorOf(response).error).toBe('conflict');
    expect(errorOf(response).message).toMatch(/idempotency key/);
  });

  it('keeps each account’s keys apart: another system’s same key makes its own contact', async () => {
    const key = newKey();
    const mine = await post(contact(), { key });
    const theirs = await post(contact(), { key, token: otherPractitionerToken });
    expect([mine.statusCode, theirs.statusCode]).toEqual([201, 201]);
    expect(createdOf(theirs).id).not.toBe(createdOf(mine).id);
  });

  it('answers a bad body with 400 and the fields to correct, writing nothing', async () => {
    const response = await refusedWithoutWriting(() =>
      post({ child: {}, worries: '', familyAware: 'maybe', consent: 'given', urgency: 'soon' }),
    );
    expect(response.statusCode).toBe(400);
    const body = errorOf(response);
    expect(body.error).toBe('validation');
    expect(body.fields?.map((f) => f.field)).toEqual(
      expect.arrayContaining(['worries', 'familyAware', 'urgency']),
    );
    expect(body.fields?.every((f) => f.message.length > 0)).toBe(true);
  });

  it('names the child’s fields by their path', async () => {
    const response = await post(contact({ child: { givenName: 'Maisie' } }));
    expect(response.statusCode).toBe(400);
    const body = errorOf(response);
    expect(body.error).toBe('validation');
    expect(body.fields?.map((f) => f.field)).toEqual(['child.familyName']);
  });

  it('refuses a receivedAt in the future', async () => {
    const future = new Date(t.clock.now().getTime() + 3_600_000).toISOString();
    const response = await refusedWithoutWriting(() => post(contact({ receivedAt: future })));
    expect(response.statusCode).toBe(400);
    expect(errorOf(response).fields).toEqual([
      { field: 'receivedAt', message: 'The time the contact was received cannot be in the future' },
    ]);
  });

  it('refuses a missing or short Idempotency-Key, naming the header', async () => {
    for (const key of [null, 'short']) {
      const response = await refusedWithoutWriting(() => post(contact(), { key }));
      expect(response.statusCode).toBe(400);
      const body = errorOf(response);
      expect(body.error).toBe('validation');
      expect(body.fields?.map((f) => f.field)).toEqual(['Idempotency-Key']);
      expect(body.fields?.[0]?.message).toMatch(/Idempotency-Key/);
    }
  });

  it('answers malformed JSON, an empty body and a non-object with 400, never 500', async () => {
    for (const payload of ['{"child": {', '', '[1, 2]', 'null']) {
      const response = await refusedWithoutWriting(() => post(payload));
      expect(response.statusCode, payload).toBe(400);
      expect(response.headers['content-type']).toMatch(/application\/json/);
      expect(errorOf(response).error).toMatch(/^(validation|bad_request)$/);
    }
  });
});

describe('GET /api/contacts/:contactId', () => {
  it('tells the referrer how their contact stands, without the outcome until they are told it', async () => {
    const created = createdOf(await post(contact()));
    const response = await t.app.inject({
      method: 'GET',
      url: created.links.self,
      headers: { authorization: `Bearer ${practitionerToken}` },
    });
    expect(response.statusCode).toBe(200);
    expect(ContactStatusAnswer.parse(response.json<unknown>())).toEqual({
      id: created.id,
      number: created.number,
      status: 'new',
      receivedAt: t.clock.now().toISOString(),
    });
  });

  it('answers 404 to another account, and for an id that is not a uuid', async () => {
    const created = createdOf(await post(contact()));
    for (const url of [created.links.self, '/api/contacts/not-an-id']) {
      const response = await t.app.inject({
        method: 'GET',
        url,
        headers: { authorization: `Bearer ${otherPractitionerToken}` },
      });
      expect(response.statusCode).toBe(404);
      expect(errorOf(response).error).toBe('not_found');
    }
  });
});

describe('the OpenAPI document', () => {
  it('is valid OpenAPI, documents the bearer scheme and the contact routes, and nothing else', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/docs/json' });
    expect(response.statusCode).toBe(200);
    const document = response.json<{
      paths: Record<string, Record<string, { tags?: string[]; requestBody?: unknown }>>;
      components: { securitySchemes: Record<string, unknown> };
      security: unknown[];
    }>();
    // The validator resolves references in place: it gets its own copy of the document.
    await SwaggerParser.validate(response.json<SwaggerParser['api']>());
    // The Open Referral UK directory API (documented with it, public) is tested in the directory module.
    expect(
      Object.keys(document.paths)
        .filter((p) => !p.startsWith('/openreferral/'))
        .sort(),
    ).toEqual(['/api/contacts', '/api/contacts/{contactId}']);
    expect(document.paths['/api/contacts']!.post!.tags).toEqual(['contacts']);
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(document.security).toEqual([{ bearer: [] }]);
    const body = document.paths['/api/contacts']!.post!.requestBody as {
      content: Record<string, { schema: { required: string[]; properties: Record<string, unknown> } }>;
    };
    const schema = body.content['application/json']!.schema;
    expect(schema.required).toEqual(expect.arrayContaining(['child', 'worries', 'urgency']));
    expect(schema.required).not.toContain('channel');
    expect(schema.properties.channel).toMatchObject({ default: 'api' });
  });

  it('serves the Swagger UI page to anyone', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/docs' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('swagger-ui');
  });
});
