import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCtx, buildSystemActor } from '../../../test/helpers/context.ts';
import { createTestApp, errorSummary, type Agent, type TestApp } from '../../../test/helpers/web.ts';

let t: TestApp;
let admin: Agent;

const tokensUrl = (userId: string) => `/admin/users/${userId}/api-tokens`;
const TOKEN = /wra_[A-Za-z0-9_-]{43}/;

async function tokenRows(userId: string) {
  return t.database.db
    .selectFrom('apiTokens')
    .selectAll()
    .where('userId', '=', userId)
    .orderBy('createdAt')
    .execute();
}

async function auditActions(prefix: string) {
  return t.database.db
    .selectFrom('auditEvents')
    .select(['action', 'outcome', 'actorUserId', 'subjectId'])
    .where('action', 'like', `${prefix}%`)
    .orderBy('seq')
    .execute();
}

/** Calls the API with a token; 404 for a made-up contact means the token was accepted. */
async function apiStatus(token: string) {
  const response = await t.app.inject({
    method: 'GET',
    url: `/api/contacts/${randomUUID()}`,
    headers: { authorization: `Bearer ${token}` },
  });
  return response.statusCode;
}

beforeAll(async () => {
  t = await createTestApp();
  admin = t.agent();
  expect((await admin.signIn(t.admin.email)).statusCode).toBe(303);
});

afterAll(() => t?.close());

describe('API token administration', () => {
  it('links to the tokens from the account’s page, and lists none at first', async () => {
    const page = await admin.get(`/admin/users/${t.practitioner.id}`);
    expect(page.body).toContain(`href="${tokensUrl(t.practitioner.id)}"`);
    const list = await admin.get(tokensUrl(t.practitioner.id));
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('This account has no API tokens.');
  });

  it('asks for a name', async () => {
    const response = await admin.post(`${tokensUrl(t.practitioner.id)}/new`, { name: '  ' });
    expect(response.statusCode).toBe(400);
    expect(errorSummary(response.body)).toEqual([
      '#name Enter a name for the token, such as the system that will use it',
    ]);
    expect(await tokenRows(t.practitioner.id)).toEqual([]);
  });

  it('refuses a token to an account whose roles need two-factor sign-in', async () => {
    const response = await admin.post(`${tokensUrl(t.admin.id)}/new`, { name: 'Admin script' });
    expect(response.statusCode).toBe(409);
    expect(response.body).toContain('which a token would skip');
    expect(await tokenRows(t.admin.id)).toEqual([]);
  });

  it('issues a token, shows it once, and keeps only its hash', async () => {
    const response = await admin.post(`${tokensUrl(t.practitioner.id)}/new`, {
      name: 'Elm Park School system',
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).toContain('You will not be shown this token again');
    const token = TOKEN.exec(response.body)?.[0];
    expect(token).toBeDefined();

    const [row] = await tokenRows(t.practitioner.id);
    expect(row).toMatchObject({
      name: 'Elm Park School system',
      tokenSha256: createHash('sha256').update(token!).digest('hex'),
      createdBy: t.admin.id,
      revokedAt: null,
    });
    expect(JSON.stringify(row)).not.toContain(token!);
    expect(await apiStatus(token!)).toBe(404);

    // The list names the token and when it was last used, never the token itself.
    const list = await admin.get(tokensUrl(t.practitioner.id));
    expect(list.body).toContain('Elm Park School system');
    expect(list.body).not.toMatch(TOKEN);
    expect((await tokenRows(t.practitioner.id))[0]!.lastUsedAt).toEqual(t.clock.now());

    expect(await auditActions('api-token.issue')).toEqual([
      {
        action: 'api-token.issue',
        outcome: 'success',
        actorUserId: t.admin.id,
        subjectId: t.practitioner.id,
      },
    ]);
  });

  it('revokes a token: calls with it are refused from then on', async () => {
    const issued = await admin.post(`${tokensUrl(t.practitioner.id)}/new`, { name: 'To revoke' });
    const token = TOKEN.exec(issued.body)![0];
    expect(await apiStatus(token)).toBe(404);
    const row = (await tokenRows(t.practitioner.id)).find((r) => r.name === 'To revoke')!;

    const revokeUrl = `${tokensUrl(t.practitioner.id)}/${row.id}/revoke`;
    const revoked = await admin.post(revokeUrl, {}, tokensUrl(t.practitioner.id));
    expect(revoked.statusCode).toBe(303);
    expect(revoked.headers.location).toBe(tokensUrl(t.practitioner.id));
    expect(await apiStatus(token)).toBe(401);
    const after = (await tokenRows(t.practitioner.id)).find((r) => r.id === row.id)!;
    expect(after).toMatchObject({ revokedAt: t.clock.now(), revokedBy: t.admin.id });
    expect((await auditActions('api-token.revoke')).map((e) => e.outcome)).toEqual(['success']);

    const again = await admin.post(revokeUrl, {}, tokensUrl(t.practitioner.id));
    expect(again.statusCode).toBe(409);
  });

  it('issues no token for a deactivated account', async () => {
    const leaver = await t.createUser('lee.leaver@example.org', ['practitioner']);
    const system = buildCtx(buildSystemActor(t.partnershipId));
    const { user } = await t.services.access.getUser(system, leaver.id);
    await t.services.access.setUserActive(system, leaver.id, user.version, false);
    const response = await admin.post(`${tokensUrl(leaver.id)}/new`, { name: 'Too late' });
    expect(response.statusCode).toBe(409);
    expect(errorSummary(response.body)[0]).toMatch(/deactivated/);
    expect(await tokenRows(leaver.id)).toEqual([]);
  });

  it('refuses everyone but partnership administrators, writing nothing', async () => {
    const practitioner = t.agent();
    await practitioner.signIn(t.practitioner.email);
    const before = await tokenRows(t.practitioner.id);
    expect((await practitioner.get(tokensUrl(t.practitioner.id))).statusCode).toBe(403);
    expect((await practitioner.get(`${tokensUrl(t.practitioner.id)}/new`)).statusCode).toBe(403);
    const csrf = await practitioner.csrfToken('/');
    const issue = await practitioner.post(`${tokensUrl(t.practitioner.id)}/new`, {
      _csrf: csrf,
      name: 'My own backdoor',
    });
    expect(issue.statusCode).toBe(403);
    const revoke = await practitioner.post(`${tokensUrl(t.practitioner.id)}/${before[0]!.id}/revoke`, {
      _csrf: csrf,
    });
    expect(revoke.statusCode).toBe(403);
    expect(await tokenRows(t.practitioner.id)).toEqual(before);
    const denied = await auditActions('route POST /admin/users/:userId/api-tokens');
    expect(denied.map((e) => e.outcome)).toEqual(['denied', 'denied']);
  });
});
