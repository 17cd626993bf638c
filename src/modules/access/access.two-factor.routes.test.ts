import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from './access.two-factor.ts';
import {
  createTestApp,
  errorSummary,
  TEST_PASSWORD,
  TEST_TOTP_SECRET,
  type Agent,
  type TestApp,
} from '../../../test/helpers/web.ts';

const CHALLENGE = '/sign-in/two-factor?next=%2F';
const SET_UP = '/sign-in/two-factor/set-up?next=%2F';

describe('two-factor sign-in', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ SIGN_IN_MAX_FAILURES: '3', SIGN_IN_LOCKOUT_MINUTES: '15' });
  });
  afterAll(() => t.close());

  const auditRows = (action: string, subjectId: string) =>
    t.database.db
      .selectFrom('auditEvents')
      .selectAll()
      .where('action', '=', action)
      .where('subjectId', '=', subjectId)
      .orderBy('seq')
      .execute();
  const failures = async (userId: string) =>
    (
      await t.database.db
        .selectFrom('users')
        .select('failedSignIns')
        .where('id', '=', userId)
        .executeTakeFirstOrThrow()
    ).failedSignIns;
  const sessionCount = async (userId: string) =>
    (await t.database.db.selectFrom('sessions').select('userId').where('userId', '=', userId).execute())
      .length;

  /** The password step only: the agent is left on the page that asks for the second factor. */
  async function passwordOnly(email: string) {
    const agent = t.agent();
    const res = await agent.post('/sign-in', { email, password: TEST_PASSWORD, next: '/' }, '/sign-in');
    return { agent, res };
  }

  async function enterCode(agent: Agent, code: string) {
    return agent.post(CHALLENGE, { code, next: '/' }, CHALLENGE);
  }

  it('asks an administrator for a code after the password, and the waiting state is not a session', async () => {
    const { agent, res } = await passwordOnly(t.admin.email);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(CHALLENGE);
    expect(res.cookies.find((c) => c.name === 'wa_session')).toBeUndefined();
    const challenge = res.cookies.find((c) => c.name === 'wa_challenge')!;
    expect(challenge.httpOnly).toBe(true);

    // Neither the agent nor anyone holding the challenge token as a session cookie is signed in.
    expect((await agent.get('/')).headers.location).toBe('/sign-in?next=%2F');
    const forged = await t.app.inject({ method: 'GET', url: '/', cookies: { wa_session: challenge.value } });
    expect(forged.statusCode).toBe(303);
    expect(forged.headers.location).toBe('/sign-in?next=%2F');

    const page = await agent.get(CHALLENGE);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Enter the code from your authenticator app');
    expect(page.body).toMatch(/<input[^>]*autocomplete="one-time-code"/);
    expect(page.body).toMatch(/<input[^>]*inputmode="numeric"/);

    const done = await enterCode(agent, agent.freshCode());
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/');
    expect(done.cookies.find((c) => c.name === 'wa_session')).toBeDefined();
    expect((await agent.get('/')).statusCode).toBe(200);
    const signIns = await auditRows('session.sign-in', t.admin.id);
    expect(signIns.at(-1)).toMatchObject({
      outcome: 'success',
      detail: { method: 'password', secondFactor: 'totp' },
    });
    expect((await auditRows('two-factor.challenge', t.admin.id)).at(-1)?.detail).toEqual({
      method: 'password',
      step: 'verify',
    });
  });

  it('says what is wrong with a code that is empty, has letters or is the wrong length, and changes nothing', async () => {
    const { agent } = await passwordOnly(t.admin.email);
    const before = await failures(t.admin.id);
    const cases: [string, string][] = [
      ['', 'Enter the code from your authenticator app'],
      ['12a456', 'The code must only include numbers'],
      ['12345', 'The code must be 6 numbers'],
      ['1234567', 'The code must be 6 numbers'],
    ];
    for (const [code, message] of cases) {
      const res = await enterCode(agent, code);
      expect(res.statusCode, code).toBe(400);
      expect(errorSummary(res.body)).toEqual([`#code ${message}`]);
      expect(res.body).toContain('Error: Enter the code from your authenticator app');
    }
    expect(await failures(t.admin.id)).toBe(before);
    // Spaces, as some apps show the code, are forgiven.
    expect((await enterCode(agent, agent.freshCode().replace(/(\d{3})/, '$1 '))).statusCode).toBe(303);
  });

  it('refuses an expired code and a code already used, without counting them as guesses', async () => {
    const first = await passwordOnly(t.admin.email);
    const code = first.agent.freshCode();
    expect((await enterCode(first.agent, code)).statusCode).toBe(303);

    // The same code again, in the same 30 seconds, from another browser with the password.
    const second = await passwordOnly(t.admin.email);
    const reused = await enterCode(second.agent, code);
    expect(reused.statusCode).toBe(400);
    expect(errorSummary(reused.body)).toEqual([
      '#code That code has already been used. Wait for your authenticator app to show a new code',
    ]);
    // A code from two minutes ago.
    t.clock.advanceSeconds(60);
    const old = totpCode(TEST_TOTP_SECRET, new Date(t.clock.now().getTime() - 120_000));
    const expired = await enterCode(second.agent, old);
    expect(expired.statusCode).toBe(400);
    expect(errorSummary(expired.body)).toEqual([
      '#code The code has expired. Enter the code your authenticator app shows now',
    ]);
    expect(await failures(t.admin.id)).toBe(0);
    const refusals = (await auditRows('session.sign-in', t.admin.id)).filter((e) => e.outcome === 'failed');
    expect(refusals.map((e) => e.detail.reason)).toEqual(
      expect.arrayContaining(['reused two-factor code', 'expired two-factor code']),
    );
    expect((await enterCode(second.agent, second.agent.freshCode())).statusCode).toBe(303);
  });

  it('counts wrong codes towards the lockout and sends the person back to sign in when it locks', async () => {
    const officer = await t.createUser('guesser@example.org', ['privacy_officer']);
    const { agent } = await passwordOnly(officer.email);
    const code = agent.freshCode();
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const first = await enterCode(agent, wrong);
    expect(first.statusCode).toBe(400);
    expect(errorSummary(first.body)).toEqual([
      '#code The code is not correct. Check your authenticator app and enter the code it shows now',
    ]);
    expect(await failures(officer.id)).toBe(1);
    await enterCode(agent, wrong);
    const locked = await enterCode(agent, wrong);
    expect(locked.statusCode).toBe(401);
    expect(locked.body).toContain('This account is locked after too many failed sign-in attempts');
    expect(await sessionCount(officer.id)).toBe(0);
    // The challenge is gone, and the right code now does nothing.
    const after = await agent.get(CHALLENGE);
    expect(after.headers.location).toBe('/sign-in?timedOut=1&next=%2F');
    const audit = await auditRows('session.sign-in', officer.id);
    expect(audit.at(-1)).toMatchObject({
      outcome: 'failed',
      detail: { reason: 'wrong two-factor code', locked: true },
    });
    // The lock holds for the password too.
    expect((await passwordOnly(officer.email)).res.statusCode).toBe(401);
  });

  it('does not let a correct password reset the count of wrong codes', async () => {
    const officer = await t.createUser('persistent@example.org', ['partnership_admin']);
    for (let i = 0; i < 2; i++) {
      const { agent } = await passwordOnly(officer.email);
      await enterCode(agent, '000000');
    }
    expect(await failures(officer.id)).toBe(2);
    const { agent } = await passwordOnly(officer.email);
    expect((await enterCode(agent, '000000')).statusCode).toBe(401);
  });

  it('times out the step between password and code', async () => {
    const { agent } = await passwordOnly(t.admin.email);
    const code = agent.freshCode();
    t.clock.advanceMinutes(11);
    const page = await agent.get(CHALLENGE);
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/sign-in?timedOut=1&next=%2F');
    expect((await agent.get(page.headers.location as string)).body).toContain('Your sign-in timed out');
    const late = await agent.post(CHALLENGE, { code, next: '/' }, '/sign-in');
    expect(late.statusCode).toBe(401);
    expect(errorSummary(late.body)).toEqual([
      '#email Your sign-in timed out before it was finished. Sign in again.',
    ]);
  });
});

describe('setting up two-factor sign-in, and recovery codes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ SIGN_IN_MAX_FAILURES: '3' });
  });
  afterAll(() => t.close());

  const failures = async (userId: string) =>
    (
      await t.database.db
        .selectFrom('users')
        .select('failedSignIns')
        .where('id', '=', userId)
        .executeTakeFirstOrThrow()
    ).failedSignIns;

  /** The secret as the set-up page shows it for people who cannot scan. */
  const secretOn = (html: string) =>
    /<code class="app-secret" id="secret-key">([A-Z2-7 ]+)<\/code>/.exec(html)![1]!.replace(/ /g, '');
  const codesOn = (html: string) =>
    [...html.matchAll(/<li><code>([a-z0-9-]+)<\/code><\/li>/g)].map((m) => m[1]!);

  it('makes a privacy officer without TOTP set it up before any session, then shows recovery codes once', async () => {
    const officer = await t.createUser('new.officer@example.org', ['privacy_officer'], { twoFactor: false });
    const agent = t.agent();
    const res = await agent.post(
      '/sign-in',
      { email: officer.email, password: TEST_PASSWORD, next: '/' },
      '/sign-in',
    );
    expect(res.headers.location).toBe(SET_UP);
    expect(res.cookies.find((c) => c.name === 'wa_session')).toBeUndefined();
    expect((await agent.get('/')).statusCode).toBe(303);
    // The code page sends them to set-up: they have nothing to enter a code from yet.
    expect((await agent.get(CHALLENGE)).headers.location).toBe(SET_UP);

    const page = await agent.get(SET_UP);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Set up two-factor authentication');
    expect(page.body).toMatch(
      /<img class="app-qr-code" src="data:image\/svg\+xml;base64,[^"]+"[^>]* alt="[^"]+"/,
    );
    const secret = secretOn(page.body);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    // The same secret on a reload, so an app scanned a moment ago still matches.
    expect(secretOn((await agent.get(SET_UP)).body)).toBe(secret);

    const wrong = await agent.post(SET_UP, { code: '000000', next: '/' }, SET_UP);
    expect(wrong.statusCode).toBe(400);
    expect(errorSummary(wrong.body)[0]).toMatch(/^#code The code is not correct/);
    const letters = await agent.post(SET_UP, { code: 'abcdef', next: '/' }, SET_UP);
    expect(errorSummary(letters.body)).toEqual(['#code The code must only include numbers']);
    expect(await failures(officer.id)).toBe(0);
    expect((await agent.get('/')).statusCode).toBe(303);

    const done = await agent.post(SET_UP, { code: agent.freshCode(secret), next: '/' }, SET_UP);
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('Save your recovery codes');
    const codes = codesOn(done.body);
    expect(codes).toHaveLength(10);
    expect((await agent.get('/')).statusCode).toBe(200);

    // Only hashes are kept.
    const stored = await t.database.db
      .selectFrom('twoFactorRecoveryCodes')
      .select('codeHash')
      .where('userId', '=', officer.id)
      .execute();
    expect(stored).toHaveLength(10);
    expect(stored.map((r) => r.codeHash)).not.toContain(codes[0]);
    const enrol = await t.database.db
      .selectFrom('auditEvents')
      .selectAll()
      .where('action', '=', 'two-factor.enrol')
      .where('subjectId', '=', officer.id)
      .execute();
    expect(enrol.map((e) => e.outcome)).toEqual(['failed', 'success']);

    // A recovery code works once.
    const next = t.agent();
    await next.post('/sign-in', { email: officer.email, password: TEST_PASSWORD, next: '/' }, '/sign-in');
    const recoveryPage = await next.get('/sign-in/recovery-code?next=%2F');
    expect(recoveryPage.body).toContain('Enter a recovery code');
    const used = await next.post(
      '/sign-in/recovery-code',
      { code: codes[0]!.toUpperCase(), next: '/' },
      '/sign-in/recovery-code?next=%2F',
    );
    expect(used.statusCode).toBe(303);
    const home = await next.get('/');
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('You have 9 recovery codes left');
    const usedEvent = await t.database.db
      .selectFrom('auditEvents')
      .selectAll()
      .where('action', '=', 'two-factor.recovery-code-used')
      .where('subjectId', '=', officer.id)
      .executeTakeFirstOrThrow();
    expect(usedEvent.detail).toEqual({ recoveryCodesLeft: 9 });

    const again = t.agent();
    await again.post('/sign-in', { email: officer.email, password: TEST_PASSWORD, next: '/' }, '/sign-in');
    const url = '/sign-in/recovery-code?next=%2F';
    const shape = await again.post('/sign-in/recovery-code', { code: 'not-a-code', next: '/' }, url);
    expect(shape.statusCode).toBe(400);
    expect(errorSummary(shape.body)).toEqual([
      '#code A recovery code is 16 letters and numbers, like abcd-efgh-jkmn-pqrs',
    ]);
    expect(await failures(officer.id)).toBe(0);
    const reused = await again.post('/sign-in/recovery-code', { code: codes[0]!, next: '/' }, url);
    expect(reused.statusCode).toBe(400);
    expect(errorSummary(reused.body)).toEqual([
      '#code The recovery code is not correct, or it has already been used',
    ]);
    expect(await failures(officer.id)).toBe(1);
    expect((await again.post('/sign-in/recovery-code', { code: codes[1]!, next: '/' }, url)).statusCode).toBe(
      303,
    );
  });

  it('lets a practitioner turn two-factor on from their account page, and off again with a code', async () => {
    const person = await t.createUser('careful.practitioner@example.org', ['practitioner']);
    const agent = t.agent();
    expect((await agent.signIn(person.email)).headers.location).toBe('/');
    const account = await agent.get('/account');
    expect(account.statusCode).toBe(200);
    expect(account.body).toContain('Turn on two-factor authentication');

    const start = await agent.post('/account/two-factor/start', {}, '/account');
    expect(start.headers.location).toBe('/account/two-factor/set-up');
    const page = await agent.get('/account/two-factor/set-up');
    const secret = secretOn(page.body);
    const empty = await agent.post('/account/two-factor/set-up', { code: '' }, '/account/two-factor/set-up');
    expect(errorSummary(empty.body)).toEqual(['#code Enter the code from your authenticator app']);
    const done = await agent.post(
      '/account/two-factor/set-up',
      { code: agent.freshCode(secret) },
      '/account/two-factor/set-up',
    );
    expect(done.statusCode).toBe(200);
    expect(codesOn(done.body)).toHaveLength(10);
    expect((await agent.get('/account')).body).toContain('Turn off two-factor authentication');

    // The next sign-in asks for a code.
    const next = t.agent();
    expect(
      (await next.post('/sign-in', { email: person.email, password: TEST_PASSWORD, next: '/' }, '/sign-in'))
        .headers.location,
    ).toBe(CHALLENGE);
    expect(
      (await next.post(CHALLENGE, { code: next.freshCode(secret), next: '/' }, CHALLENGE)).statusCode,
    ).toBe(303);

    // New recovery codes replace the old.
    const replaced = await agent.post(
      '/account/two-factor/recovery-codes',
      { code: agent.freshCode(secret) },
      '/account/two-factor/recovery-codes',
    );
    expect(replaced.statusCode).toBe(200);
    expect(codesOn(replaced.body)).toHaveLength(10);
    expect(codesOn(replaced.body)).not.toEqual(codesOn(done.body));

    const wrong = await agent.post(
      '/account/two-factor/turn-off',
      { code: '000000' },
      '/account/two-factor/turn-off',
    );
    expect(wrong.statusCode).toBe(400);
    const off = await agent.post(
      '/account/two-factor/turn-off',
      { code: agent.freshCode(secret) },
      '/account/two-factor/turn-off',
    );
    expect(off.headers.location).toBe('/account');
    expect((await agent.get('/account')).body).toContain('Two-factor authentication was turned off');
    expect((await t.agent().signIn(person.email, TEST_PASSWORD)).headers.location).toBe('/');
    const actions = await t.database.db
      .selectFrom('auditEvents')
      .select('action')
      .where('subjectId', '=', person.id)
      .where('action', 'like', 'two-factor.%')
      .orderBy('seq')
      .execute();
    expect(actions.map((a) => a.action)).toEqual([
      'two-factor.enrol.start',
      'two-factor.enrol',
      'two-factor.challenge',
      'two-factor.recovery-codes.replace',
      'two-factor.disable',
    ]);
  });

  it('does not let a role that needs two-factor turn it off', async () => {
    const agent = t.agent();
    await agent.signIn(t.admin.email);
    const account = await agent.get('/account');
    expect(account.body).toContain('Yes: it cannot be turned off');
    expect(account.body).not.toContain('Turn off two-factor authentication');
    const refused = await agent.post(
      '/account/two-factor/turn-off',
      { code: agent.freshCode() },
      '/account/two-factor/turn-off',
    );
    expect(refused.statusCode).toBe(403);
    expect(
      await t.database.db
        .selectFrom('userTwoFactor')
        .select('userId')
        .where('userId', '=', t.admin.id)
        .execute(),
    ).toHaveLength(1);
  });

  it('lets an administrator reset someone’s two-factor: their sessions end and they set it up again', async () => {
    const officer = await t.createUser('lost.phone@example.org', ['privacy_officer']);
    const theirs = t.agent();
    expect((await theirs.signIn(officer.email)).statusCode).toBe(303);
    expect((await theirs.get('/')).statusCode).toBe(200);

    const admin = t.agent();
    await admin.signIn(t.admin.email);
    const userPage = await admin.get(`/admin/users/${officer.id}`);
    expect(userPage.body).toContain('Two-factor authentication');
    expect(userPage.body).toContain(`href="/admin/users/${officer.id}/two-factor/reset"`);
    const confirm = await admin.get(`/admin/users/${officer.id}/two-factor/reset`);
    expect(confirm.body).toContain('two-factor authentication?');
    const version = /name="version" value="(\d+)"/.exec(confirm.body)![1]!;
    const done = await admin.post(
      `/admin/users/${officer.id}/two-factor/reset`,
      { version },
      `/admin/users/${officer.id}/two-factor/reset`,
    );
    expect(done.headers.location).toBe(`/admin/users/${officer.id}`);
    expect((await admin.get(`/admin/users/${officer.id}`)).body).toContain(
      'Not set up: they will set it up at their next sign-in',
    );
    // A stale page is refused rather than acted on twice.
    const stale = await admin.post(
      `/admin/users/${officer.id}/two-factor/reset`,
      { version },
      `/admin/users/${officer.id}/two-factor/reset`,
    );
    expect(stale.statusCode).toBe(409);

    expect((await theirs.get('/')).statusCode).toBe(303);
    const again = await t
      .agent()
      .post('/sign-in', { email: officer.email, password: TEST_PASSWORD, next: '/' }, '/sign-in');
    expect(again.headers.location).toBe(SET_UP);
    const reset = await t.database.db
      .selectFrom('auditEvents')
      .selectAll()
      .where('action', '=', 'two-factor.reset')
      .where('subjectId', '=', officer.id)
      .executeTakeFirstOrThrow();
    expect(reset.actorUserId).toBe(t.admin.id);

    // An administrator cannot reset their own, and a practitioner cannot reach the page at all.
    const own = await admin.get(`/admin/users/${t.admin.id}`);
    expect(own.body).not.toContain('Reset two-factor authentication');
    const practitioner = t.agent();
    await practitioner.signIn(t.practitioner.email);
    expect((await practitioner.get(`/admin/users/${officer.id}/two-factor/reset`)).statusCode).toBe(403);
  });
});
