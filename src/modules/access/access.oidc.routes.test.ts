import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, errorSummary, type Agent, type TestApp } from '../../../test/helpers/web.ts';

const CLIENT_ID = 'wraparound-test';
const CLIENT_SECRET = 'a client secret that only this test knows';
const REDIRECT_URI = 'http://localhost/sign-in/oidc/callback';

type Claims = { email?: string; email_verified?: boolean };

/**
 * A real OpenID Connect provider (oidc-provider) on a random local port. Its login page takes any
 * subject; consent is given in advance, so a sign-in is: authorize, log in, redirect back with a code.
 */
async function startProvider(accounts: Map<string, Claims>) {
  let handler: http.RequestListener = (_req, res) => res.end();
  const server = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [REDIRECT_URI],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub, ...accounts.get(sub) }) }),
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => true },
    cookies: { keys: ['a cookie key for the test provider'] },
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client!.clientId,
        accountId: ctx.oidc.session!.accountId!,
      });
      grant.addOIDCScope('openid email');
      grant.addOIDCClaims(['email', 'email_verified']);
      await grant.save();
      return grant;
    },
  });
  const callback = provider.callback();
  handler = (req, res) => void callback(req, res);
  return { issuer, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A browser's visit to the provider: follows its redirects, keeps its cookies, logs in as `subject`. */
async function logInAtProvider(authorizeUrl: string, subject: string): Promise<string> {
  const jar = new Map<string, string>();
  const visit = async (url: string, form?: Record<string, string>) => {
    const res = await fetch(url, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [name, ...value] = pair!.split('=');
      jar.set(name!, value.join('='));
    }
    return new URL(res.headers.get('location') ?? url, url).toString();
  };
  let at = await visit(authorizeUrl);
  for (let hops = 0; hops < 10; hops++) {
    if (at.startsWith(REDIRECT_URI)) return at;
    const interaction = /\/interaction\/([^/?]+)$/.exec(new URL(at).pathname);
    at = interaction ? await visit(at, { prompt: 'login', login: subject }) : await visit(at);
  }
  throw new Error(`The provider never sent the browser back (last at ${at})`);
}

describe('signing in with OpenID Connect', () => {
  const accounts = new Map<string, Claims>();
  let provider: Awaited<ReturnType<typeof startProvider>>;
  let t: TestApp;

  beforeAll(async () => {
    provider = await startProvider(accounts);
    t = await createTestApp({
      OIDC_ISSUER: provider.issuer,
      OIDC_CLIENT_ID: CLIENT_ID,
      OIDC_CLIENT_SECRET: CLIENT_SECRET,
      OIDC_LABEL: 'Northbridge Council',
      OIDC_REDIRECT_URI: REDIRECT_URI,
    });
  });
  afterAll(async () => {
    await t.close();
    await provider.close();
  });

  const audit = (action: string, subjectId: string) =>
    t.database.db
      .selectFrom('auditEvents')
      .selectAll()
      .where('action', '=', action)
      .where('subjectId', '=', subjectId)
      .orderBy('seq')
      .execute();

  /** Starts at the sign-in page's button and comes back to the callback; answers the callback's response. */
  async function signInThroughProvider(agent: Agent, subject: string, tamper?: (callback: URL) => void) {
    const start = await agent.post('/sign-in/oidc', { next: '/' }, '/sign-in');
    expect(start.statusCode).toBe(303);
    const authorize = new URL(start.headers.location as string);
    expect(authorize.origin).toBe(provider.issuer);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('state')).toBeTruthy();
    expect(authorize.searchParams.get('nonce')).toBeTruthy();
    const callback = new URL(await logInAtProvider(authorize.toString(), subject));
    tamper?.(callback);
    return agent.get(`${callback.pathname}${callback.search}`);
  }

  it('offers the provider on the sign-in page', async () => {
    const page = await t.agent().get('/sign-in');
    expect(page.body).toContain('Sign in with Northbridge Council');
    expect(page.body).toContain('action="/sign-in/oidc"');
  });

  it('links a verified email to its account on first sign-in, then knows the identity by its subject', async () => {
    accounts.set('pat-at-council', { email: t.practitioner.email.toUpperCase(), email_verified: true });
    const agent = t.agent();
    const res = await signInThroughProvider(agent, 'pat-at-council');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/');
    expect((await agent.get('/')).statusCode).toBe(200);

    const links = await audit('user.identity.link', t.practitioner.id);
    expect(links).toHaveLength(1);
    expect(links[0]!.detail).toEqual({ issuer: provider.issuer, by: 'verified email' });
    expect((await audit('session.sign-in', t.practitioner.id)).at(-1)?.detail).toEqual({
      method: 'oidc',
      secondFactor: 'none',
    });
    const identity = await t.database.db
      .selectFrom('userIdentities')
      .selectAll()
      .where('subject', '=', 'pat-at-council')
      .executeTakeFirstOrThrow();
    expect(identity).toMatchObject({ issuer: provider.issuer, userId: t.practitioner.id });

    // Later the provider's email changes; the link by subject still finds the account.
    accounts.set('pat-at-council', { email: 'pat.new.name@example.org', email_verified: true });
    const again = t.agent();
    expect((await signInThroughProvider(again, 'pat-at-council')).headers.location).toBe('/');
    expect(await audit('user.identity.link', t.practitioner.id)).toHaveLength(1);
  });

  it('refuses an identity that matches no account, or whose email the provider has not verified', async () => {
    accounts.set('stranger', { email: 'stranger@elsewhere.example', email_verified: true });
    const agent = t.agent();
    const res = await signInThroughProvider(agent, 'stranger');
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('You could not be signed in with Northbridge Council');
    expect(res.body).toContain('is not linked to a Wraparound account');
    expect(res.cookies.find((c) => c.name === 'wa_session')).toBeUndefined();
    expect((await agent.get('/')).statusCode).toBe(303);

    const someone = await t.createUser('unverified@example.org', ['practitioner']);
    accounts.set('unverified', { email: someone.email, email_verified: false });
    expect((await signInThroughProvider(t.agent(), 'unverified')).statusCode).toBe(403);
    expect(await audit('user.identity.link', someone.id)).toHaveLength(0);
  });

  it('refuses a deactivated account, linked or not, and audits the refusal', async () => {
    const leaver = await t.createUser('leaver@example.org', ['practitioner']);
    await t.database.db.updateTable('users').set({ active: false }).where('id', '=', leaver.id).execute();
    accounts.set('leaver', { email: leaver.email, email_verified: true });
    const res = await signInThroughProvider(t.agent(), 'leaver');
    expect(res.statusCode).toBe(401);
    expect(errorSummary(res.body)).toEqual([
      '#email This account has been deactivated. Ask your partnership administrator if you still need access.',
    ]);
    expect(await audit('user.identity.link', leaver.id)).toHaveLength(0);
    expect((await audit('session.sign-in', leaver.id)).at(-1)).toMatchObject({
      outcome: 'denied',
      detail: { reason: 'deactivated', method: 'oidc' },
    });
  });

  it('refuses a callback whose state does not match the one this browser started, or with no sign-in started', async () => {
    accounts.set('pat-at-council', { email: t.practitioner.email, email_verified: true });
    const agent = t.agent();
    const res = await signInThroughProvider(agent, 'pat-at-council', (callback) =>
      callback.searchParams.set('state', 'a-state-from-somewhere-else'),
    );
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('did not match the one this browser started');
    expect((await agent.get('/')).statusCode).toBe(303);

    const stray = await t.agent().get('/sign-in/oidc/callback?code=abc&state=def');
    expect(stray.statusCode).toBe(400);
    expect(stray.body).toContain('This sign-in was not started from this browser');
  });

  it('asks an administrator for their second factor after the provider, as after a password', async () => {
    accounts.set('alex-admin', { email: t.admin.email, email_verified: true });
    const agent = t.agent();
    const res = await signInThroughProvider(agent, 'alex-admin');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/sign-in/two-factor?next=%2F');
    expect((await agent.get('/')).statusCode).toBe(303);
    const done = await agent.post(
      '/sign-in/two-factor',
      { code: agent.freshCode(), next: '/' },
      '/sign-in/two-factor?next=%2F',
    );
    expect(done.headers.location).toBe('/');
    expect((await audit('session.sign-in', t.admin.id)).at(-1)?.detail).toEqual({
      method: 'oidc',
      secondFactor: 'totp',
    });
  });
});

describe('OpenID Connect settings', () => {
  it('is off unless configured: no button and no routes', async () => {
    const t = await createTestApp();
    try {
      expect((await t.agent().get('/sign-in')).body).not.toContain('Sign in with');
      expect(t.app.routeAccessTable().some((r) => r.url.startsWith('/sign-in/oidc'))).toBe(false);
    } finally {
      await t.close();
    }
  });
});
