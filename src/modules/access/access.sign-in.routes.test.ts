import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, errorSummary, TEST_PASSWORD, type TestApp } from '../../../test/helpers/web.ts';

describe('signing in and out', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      SIGN_IN_MAX_FAILURES: '3',
      SIGN_IN_LOCKOUT_MINUTES: '15',
      SESSION_IDLE_MINUTES: '30',
    });
  });
  afterAll(() => t.close());

  const auditRows = (action: string) =>
    t.database.db.selectFrom('auditEvents').selectAll().where('action', '=', action).execute();

  it('sends a visitor who is not signed in to the sign-in page, remembering where they were going', async () => {
    const res = await t.agent().get('/admin/users?q=x');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/sign-in?next=%2Fadmin%2Fusers%3Fq%3Dx');
  });

  it('signs a practitioner in with a new session cookie, shows their home page, and signs them out', async () => {
    const agent = t.agent();
    const res = await agent.signIn(t.practitioner.email);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/');
    const cookie = res.cookies.find((c) => c.name === 'wa_session')!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Lax');
    expect(cookie.secure).toBeFalsy();

    const home = await agent.get('/');
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('pat smith');
    expect(home.body).toContain('Northbridge Council');
    expect(home.body).not.toContain('Administer the partnership');

    const out = await agent.post('/sign-out', {}, '/');
    expect(out.headers.location).toBe('/sign-in?signedOut=1');
    expect((await agent.get('/')).statusCode).toBe(303);
    expect((await auditRows('session.sign-out')).length).toBeGreaterThan(0);
  });

  it('gives a new session id at each sign-in, so a planted cookie is never adopted', async () => {
    const agent = t.agent();
    await agent.signIn(t.practitioner.email);
    const first = agent.cookie('wa_session');
    await agent.post('/sign-in', { email: t.practitioner.email, password: TEST_PASSWORD }, '/');
    expect(agent.cookie('wa_session')).not.toBe(first);
  });

  it('only follows a path on this site after signing in', async () => {
    const agent = t.agent();
    const res = await agent.post(
      '/sign-in',
      { email: t.practitioner.email, password: TEST_PASSWORD, next: '//evil.example/' },
      '/sign-in',
    );
    expect(res.headers.location).toBe('/');
  });

  it('answers a wrong password or an unknown email with the same message and status 401', async () => {
    const wrong = await t
      .agent()
      .post('/sign-in', { email: t.admin.email, password: 'not the password' }, '/sign-in');
    const unknown = await t
      .agent()
      .post('/sign-in', { email: 'nobody@example.org', password: 'whatever it is' }, '/sign-in');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(errorSummary(wrong.body)).toEqual(['#email Enter a correct email address and password']);
    expect(errorSummary(unknown.body)).toEqual(errorSummary(wrong.body));
    expect(wrong.body).toContain('value="admin@example.org"');
  });

  it('asks for each missing field with status 400', async () => {
    const res = await t.agent().post('/sign-in', { email: '', password: '' }, '/sign-in');
    expect(res.statusCode).toBe(400);
    expect(errorSummary(res.body)).toEqual([
      '#email Enter your email address',
      '#password Enter your password',
    ]);
  });

  it('locks an account after repeated failures, says so, and refuses even the right password until the lock ends', async () => {
    const user = await t.createUser('locked.out@example.org', ['practitioner']);
    for (let i = 0; i < 3; i++)
      await t.agent().post('/sign-in', { email: user.email, password: 'wrong password!' }, '/sign-in');
    const locked = await t.agent().signIn(user.email);
    expect(locked.statusCode).toBe(401);
    expect(locked.body).toContain('This account is locked after too many failed sign-in attempts');
    expect(
      (await auditRows('session.sign-in')).filter((e) => e.subjectId === user.id && e.outcome === 'denied'),
    ).toHaveLength(1);

    t.clock.advanceMinutes(16);
    expect((await t.agent().signIn(user.email)).statusCode).toBe(303);
  });

  it('ends a session after the idle timeout and explains why on the next page', async () => {
    const agent = t.agent();
    await agent.signIn(t.practitioner.email);
    t.clock.advanceMinutes(31);
    const res = await agent.get('/');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toContain('expired=1');
    const signIn = await agent.get(res.headers.location as string);
    expect(signIn.body).toContain('You were signed out because you were inactive');
  });

  it('answers an expired session on a form post with 401 and saves nothing', async () => {
    const agent = t.agent();
    await agent.signIn(t.admin.email);
    const token = await agent.csrfToken('/admin/organisations/new');
    t.clock.advanceMinutes(31);
    const res = await agent.post('/admin/organisations/new', {
      _csrf: token,
      name: 'Too Late Ltd',
      sector: 'other',
      kind: 'Charity',
    });
    expect(res.statusCode).toBe(401);
    const saved = await t.database.db
      .selectFrom('organisations')
      .select('id')
      .where('name', '=', 'Too Late Ltd')
      .execute();
    expect(saved).toHaveLength(0);
  });

  it('refuses a deactivated account', async () => {
    const user = await t.createUser('gone.away@example.org', ['practitioner']);
    const admin = t.agent();
    await admin.signIn(t.admin.email);
    const page = await admin.get(`/admin/users/${user.id}/deactivate`);
    const version = /name="version" value="(\d+)"/.exec(page.body)![1]!;
    await admin.post(`/admin/users/${user.id}/deactivate`, { version }, `/admin/users/${user.id}/deactivate`);
    const res = await t.agent().signIn(user.email);
    expect(res.statusCode).toBe(401);
    expect(res.body).toContain('This account has been deactivated');
  });
});

describe('CSRF protection', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('refuses a form without a token, or with a wrong one, with 403 and writes nothing', async () => {
    const agent = t.agent();
    await agent.signIn(t.admin.email);
    const before = await t.database.db
      .selectFrom('auditEvents')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const missing = await agent.post('/admin/organisations/new', {
      _csrf: '',
      name: 'Forged',
      sector: 'other',
      kind: 'x',
    });
    const wrong = await agent.post('/admin/organisations/new', {
      _csrf: 'forged-token',
      name: 'Forged',
      sector: 'other',
      kind: 'x',
    });
    expect(missing.statusCode).toBe(403);
    expect(wrong.statusCode).toBe(403);
    expect(wrong.body).toContain('This form has expired');
    const after = await t.database.db
      .selectFrom('auditEvents')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('refuses a token minted for another visitor’s session', async () => {
    const alice = t.agent();
    const mallory = t.agent();
    await alice.signIn(t.admin.email);
    await mallory.signIn(t.practitioner.email);
    const malloryToken = await mallory.csrfToken('/');
    const res = await alice.post('/sign-out', { _csrf: malloryToken });
    expect(res.statusCode).toBe(403);
  });
});

describe('sign-in rate limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('slows down a flood of sign-in attempts from one address with 429 and a plain message', async () => {
    const agent = t.agent();
    const token = await agent.csrfToken('/sign-in');
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++)
      statuses.push((await agent.post('/sign-in', { _csrf: token, email: '', password: '' })).statusCode);
    expect(statuses.slice(0, 30).every((s) => s === 400)).toBe(true);
    const limited = await agent.post('/sign-in', {
      _csrf: token,
      email: t.admin.email,
      password: TEST_PASSWORD,
    });
    expect(limited.statusCode).toBe(429);
    expect(limited.body).toContain('Too many attempts from your network. Wait 1 minute and try again.');
  });
});

describe('behind TLS', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ SECURE_COOKIES: 'true' });
  });
  afterAll(() => t.close());

  it('marks the session and CSRF cookies Secure and sends HSTS', async () => {
    const agent = t.agent();
    const page = await agent.get('/sign-in');
    expect(page.headers['strict-transport-security']).toBeDefined();
    expect(page.cookies.find((c) => c.name === 'wa_csrf')?.secure).toBe(true);
    const res = await agent.signIn(t.practitioner.email);
    expect(res.cookies.find((c) => c.name === 'wa_session')?.secure).toBe(true);
  });
});
