import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFamilyPlan, HIDDEN, type FamilyPlan } from '../../../test/helpers/family-plan.ts';
import { createTestApp, errorSummary, type Agent, type TestApp } from '../../../test/helpers/web.ts';

const PASSWORD = 'our family plan password';

describe('family account pages', () => {
  let t: TestApp;
  let staff: Agent;
  let plan: FamilyPlan;
  let otherPlan: FamilyPlan;

  const accountsUrl = (planId = plan.planId) => `/plans/${planId}/family-accounts`;
  const planUrl = (planId = plan.planId) => `/family/plans/${planId}`;
  const give = (fields: Record<string, string>, planId = plan.planId) =>
    staff.post(
      `${accountsUrl(planId)}/new`,
      { relationship: 'parent', language: 'en', ...fields },
      accountsUrl(planId),
    );
  const codeOn = (html: string) => /class="app-secret">([A-Z0-9-]+)</.exec(html)?.[1] ?? '';
  const activate = (agent: Agent, email: string, code: string, password = PASSWORD) =>
    agent.post('/family/activate', { email, code, password, confirmPassword: password });
  /** A family member who has chosen a password and signed in, on their family's plan. */
  const familyMember = async (email: string, opts: { language?: string; planId?: string } = {}) => {
    const made = await give(
      { displayName: `Parent ${email}`, email, language: opts.language ?? 'en' },
      opts.planId,
    );
    expect(made.statusCode).toBe(200);
    const agent = t.agent();
    expect((await activate(agent, email, codeOn(made.body))).statusCode).toBe(303);
    const signedIn = await agent.signIn(email, PASSWORD);
    expect(signedIn.headers.location).toBe('/');
    return agent;
  };
  const versionOf = async (actionId: string) =>
    String(
      (
        await t.database.db
          .selectFrom('planActions')
          .select('version')
          .where('id', '=', actionId)
          .executeTakeFirstOrThrow()
      ).version,
    );

  beforeAll(async () => {
    t = await createTestApp();
    const base = {
      partnershipId: t.partnershipId,
      organisationId: t.organisationId,
      leadUserId: t.practitioner.id,
    };
    plan = await buildFamilyPlan(t.database.db, { ...base, familyName: 'Okafor' });
    otherPlan = await buildFamilyPlan(t.database.db, { ...base, familyName: 'Brook' });
    staff = t.agent();
    await staff.signIn(t.practitioner.email);
  });
  afterAll(() => t.close());

  describe('the practitioner’s page', () => {
    it('gives a family member a sign-in and shows the code once, not to be cached', async () => {
      const made = await give({ displayName: 'Grace Okafor', email: 'grace@family.example' });
      expect(made.statusCode).toBe(200);
      expect(made.headers['cache-control']).toBe('no-store');
      expect(codeOn(made.body)).toMatch(/^[A-Z2-9]{4}(-[A-Z2-9]{4}){3}$/);
      expect(made.body).toContain('/family/activate');
      const list = await staff.get(accountsUrl());
      expect(list.statusCode).toBe(200);
      expect(list.body).toContain('Grace Okafor');
      expect(list.body).toContain('Waiting for first sign-in');
      expect(list.body).not.toContain(codeOn(made.body));
      const accountId = /family-accounts\/([0-9a-f-]+)\/new-code/.exec(list.body)![1]!;
      const again = await staff.post(`${accountsUrl()}/${accountId}/new-code`, {}, accountsUrl());
      expect(again.statusCode).toBe(200);
      expect(again.body).toContain('New code for Grace Okafor');
      expect(codeOn(again.body)).not.toBe(codeOn(made.body));
    });

    it('shows what is wrong with the form, field by field, and writes nothing', async () => {
      const before = await t.database.db.selectFrom('familyAccounts').select('id').execute();
      const empty = await staff.post(`${accountsUrl()}/new`, {}, accountsUrl());
      expect(empty.statusCode).toBe(400);
      expect(errorSummary(empty.body)).toEqual([
        '#displayName Enter their name',
        '#email Enter an email address',
        '#relationship Select who they are in the family',
        '#language Select the language they want to read their plan in',
      ]);
      const taken = await give({ displayName: 'Pat', email: t.practitioner.email });
      expect(taken.statusCode).toBe(400);
      expect(errorSummary(taken.body)[0]).toContain(
        '#email An account with this email address already exists',
      );
      const youngPerson = await give({
        displayName: 'Maya',
        email: 'maya@family.example',
        relationship: 'young_person',
      });
      expect(errorSummary(youngPerson.body)).toEqual([
        '#personId Select which child on the plan this young person is',
      ]);
      expect(await t.database.db.selectFrom('familyAccounts').select('id').execute()).toHaveLength(
        before.length,
      );
    });

    it('is only for staff who may work on the plan', async () => {
      const manager = await t.createUser('analyst@example.org', ['analyst']);
      const analyst = t.agent();
      await analyst.signIn(manager.email);
      expect((await analyst.get(accountsUrl())).statusCode).toBe(403);
      const uninvolved = await t.createUser('uninvolved@example.org', ['practitioner']);
      const other = t.agent();
      await other.signIn(uninvolved.email);
      expect((await other.get(accountsUrl())).statusCode).toBe(403);
    });
  });

  describe('activation', () => {
    it('works without JavaScript: wrong, expired and used codes get one plain answer; the right one leads to sign-in', async () => {
      const made = await give({ displayName: 'Dee Okafor', email: 'dee@family.example' });
      const code = codeOn(made.body);
      const visitor = t.agent();
      const page = await visitor.get('/family/activate');
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('<html lang="en"');
      expect(page.body).toContain('Set up your sign-in');

      const wrong = await activate(visitor, 'dee@family.example', 'AAAA-BBBB-CCCC-DDDD');
      expect(wrong.statusCode).toBe(400);
      const plain =
        '#code The email address or code is not right, or the code has expired or been used already.';
      expect(errorSummary(wrong.body)[0]).toContain(plain);
      expect(wrong.body).not.toContain(PASSWORD);
      const unknown = await activate(visitor, 'nobody@family.example', code);
      expect(errorSummary(unknown.body)[0]).toContain(plain);
      const mismatch = await visitor.post('/family/activate', {
        email: 'dee@family.example',
        code,
        password: PASSWORD,
        confirmPassword: 'something else entirely',
      });
      expect(errorSummary(mismatch.body)).toEqual(['#confirmPassword The two passwords are not the same']);
      const short = await activate(visitor, 'dee@family.example', code, 'short');
      expect(errorSummary(short.body)).toEqual(['#password Your password must be at least 12 characters']);

      t.clock.advanceMinutes(15 * 24 * 60);
      const expired = await activate(visitor, 'dee@family.example', code);
      expect(errorSummary(expired.body)[0]).toContain(plain);
      t.clock.advanceMinutes(-15 * 24 * 60);

      const done = await activate(visitor, 'dee@family.example', code);
      expect(done.statusCode).toBe(303);
      expect(done.headers.location).toBe('/sign-in?next=%2Ffamily');
      expect((await visitor.get('/sign-in?next=%2Ffamily')).body).toContain('Your sign-in is ready');
      const used = await activate(visitor, 'dee@family.example', code);
      expect(errorSummary(used.body)[0]).toContain(plain);
      expect((await visitor.signIn('dee@family.example', PASSWORD)).statusCode).toBe(303);
    });

    it('speaks Welsh when asked', async () => {
      const visitor = t.agent();
      const page = await visitor.get('/family/activate?lang=cy');
      expect(page.body).toContain('<html lang="cy"');
      expect(page.body).toContain('Trefnu eich mewngofnodi');
      const wrong = await activate(visitor, 'nobody@family.example', 'AAAA');
      expect(wrong.body).toContain('<html lang="cy"');
      expect(errorSummary(wrong.body)[0]).toContain('Nid yw’r cyfeiriad e-bost neu’r cod yn gywir');
    });
  });

  describe('the family’s own plan', () => {
    let family: Agent;
    beforeAll(async () => {
      family = await familyMember('ada@family.example');
    });

    it('takes them from the home page to their plan', async () => {
      expect((await family.get('/')).headers.location).toBe('/family');
      expect((await family.get('/family')).headers.location).toBe(planUrl());
    });

    it('shows their plan in plain English, with nothing marked not for the family', async () => {
      const page = await family.get(planUrl());
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('<html lang="en"');
      for (const text of [
        'Your family’s plan',
        'Mornings go smoothly',
        '7 out of 10',
        'Take the children to the dentist',
        'Mum (your family)',
        'A lift to the surgery',
        'Book a meeting with the school',
        'Family support worker',
        'mailto:pat.smith%40example.org',
        'Keep the morning routine chart going',
        '30 March 2026',
        'Well done on the school run this week',
      ])
        expect(page.body, text).toContain(text);
      expect(page.body).not.toContain(HIDDEN);
      // Only the family's own open action has a button.
      expect(page.body.match(/\/actions\/[0-9a-f-]+\/done/g)).toEqual([
        `/actions/${plan.actions.family}/done`,
      ]);
    });

    it('switches to Welsh with the link, and remembers it', async () => {
      const welsh = await family.get(`${planUrl()}?lang=cy`);
      expect(welsh.body).toContain('<html lang="cy"');
      expect(welsh.body).toContain('Cynllun eich teulu');
      expect(welsh.body).toContain('30 Mawrth 2026');
      expect(welsh.body).toContain(`href="${planUrl()}?lang=en"`);
      expect((await family.get(planUrl())).body).toContain('<html lang="cy"');
      await family.get(`${planUrl()}?lang=en`);
    });

    it('is in the language of the account by default', async () => {
      const welsh = await familyMember('cerys@family.example', { language: 'cy' });
      const page = await welsh.get(planUrl());
      expect(page.body).toContain('<html lang="cy"');
      expect(page.body).toContain('Beth gytunodd pawb i’w wneud');
    });

    it('marks their own action done, and refuses a stale page', async () => {
      const version = await versionOf(plan.actions.family);
      const done = await family.post(
        `${planUrl()}/actions/${plan.actions.family}/done`,
        { version },
        planUrl(),
      );
      expect(done.statusCode).toBe(303);
      expect(done.headers.location).toBe(`${planUrl()}#actions`);
      const page = await family.get(planUrl());
      expect(page.body).toContain('You marked “Take the children to the dentist” as done.');
      const stale = await family.post(
        `${planUrl()}/actions/${plan.actions.family}/done`,
        { version },
        planUrl(),
      );
      expect(stale.statusCode).toBe(409);
      expect(errorSummary(stale.body)).toEqual([
        '#actions This has changed since you opened the page. Check it below and try again.',
      ]);
    });

    it('refuses a practitioner’s action with a clear reason, and anything not theirs as not found', async () => {
      const theirs = await family.post(
        `${planUrl()}/actions/${plan.actions.practitioner}/done`,
        { version: '1' },
        planUrl(),
      );
      expect(theirs.statusCode).toBe(400);
      expect(errorSummary(theirs.body)[0]).toContain(
        `#action-${plan.actions.practitioner} Only the person or organisation named`,
      );
      const status = await t.database.db
        .selectFrom('planActions')
        .select('status')
        .where('id', '=', plan.actions.practitioner)
        .executeTakeFirstOrThrow();
      expect(status.status).toBe('to_do');
      for (const url of [
        planUrl(otherPlan.planId),
        `${planUrl()}/actions/${plan.actions.familyHidden}/done`,
        `${planUrl()}/actions/${otherPlan.actions.family}/done`,
        `${planUrl(otherPlan.planId)}/actions/${otherPlan.actions.family}/done`,
        `${planUrl(otherPlan.planId)}/comments`,
      ]) {
        const answer =
          url.endsWith('/done') || url.endsWith('/comments')
            ? await family.post(url, { version: '1', body: 'Hi' }, planUrl())
            : await family.get(url);
        expect(answer.statusCode, url).toBe(404);
        expect(answer.body).toContain('Go to your family’s plan');
      }
      expect((await family.get('/family/plans/not-a-uuid')).statusCode).toBe(404);
    });

    it('adds their comment, and refuses an empty or over-long one', async () => {
      const sent = await family.post(
        `${planUrl()}/comments`,
        { body: 'We went to the dentist <b>today</b>' },
        planUrl(),
      );
      expect(sent.statusCode).toBe(303);
      const page = await family.get(planUrl());
      expect(page.body).toContain('Your comment was sent to your team.');
      expect(page.body).toContain('We went to the dentist &lt;b&gt;today&lt;/b&gt;');
      const empty = await family.post(`${planUrl()}/comments`, { body: '  ' }, planUrl());
      expect(empty.statusCode).toBe(400);
      expect(errorSummary(empty.body)).toEqual(['#body Write your comment']);
      const long = await family.post(`${planUrl()}/comments`, { body: 'x'.repeat(5001) }, planUrl());
      expect(long.statusCode).toBe(400);
      expect(errorSummary(long.body)).toEqual(['#body Your comment must be 5000 characters or fewer']);
      expect(long.body).toContain('x'.repeat(5001));
      const stored = await t.database.db
        .selectFrom('planComments')
        .select('body')
        .where('fromFamily', '=', true)
        .execute();
      expect(stored).toEqual([{ body: 'We went to the dentist <b>today</b>' }]);
    });

    it('audits each look and change with the children', async () => {
      const events = await t.database.db
        .selectFrom('auditEvents')
        .select(['action', 'outcome', 'personIds'])
        .where('action', 'like', 'family.%')
        .orderBy('seq')
        .execute();
      const actions = new Set(events.map((e) => `${e.action}:${e.outcome}`));
      for (const expected of [
        'family.account.activate:success',
        'family.account.activate:failed',
        'family.plan.view:success',
        'family.plan.view:denied',
        'family.action.done:success',
        'family.comment.add:success',
      ])
        expect(actions, expected).toContain(expected);
      const view = events.find((e) => e.action === 'family.plan.view' && e.outcome === 'success')!;
      expect([...view.personIds].sort()).toEqual([...plan.childIds].sort());
    });

    it('is not for staff, and staff pages are not for the family', async () => {
      expect((await staff.get('/family')).statusCode).toBe(403);
      expect((await staff.get(planUrl())).statusCode).toBe(403);
      expect((await family.get(accountsUrl())).statusCode).toBe(403);
      expect((await family.get('/plans')).statusCode).not.toBe(200);
    });

    it('ends at once when the account is revoked', async () => {
      const leaving = await familyMember('leaving@family.example');
      expect((await leaving.get(planUrl())).statusCode).toBe(200);
      const account = await t.database.db
        .selectFrom('familyAccounts as fa')
        .innerJoin('users as u', 'u.id', 'fa.userId')
        .select('fa.id')
        .where('u.email', '=', 'leaving@family.example')
        .executeTakeFirstOrThrow();
      const revoked = await staff.post(`${accountsUrl()}/${account.id}/revoke`, {}, accountsUrl());
      expect(revoked.statusCode).toBe(303);
      expect((await staff.get(accountsUrl())).body).toContain('can no longer sign in to see the plan');
      const after = await leaving.get(planUrl());
      expect(after.statusCode).toBe(303);
      expect(after.headers.location).toContain('/sign-in');
      expect((await leaving.signIn('leaving@family.example', PASSWORD)).statusCode).toBe(401);
    });
  });
  it('turns away too many activation attempts from one address', async () => {
    const visitor = t.agent();
    const form = {
      _csrf: await visitor.csrfToken('/family/activate'),
      email: 'a@b.example',
      code: 'X',
      password: 'x',
      confirmPassword: 'x',
    };
    let answer = await visitor.post('/family/activate', form);
    for (let attempt = 0; attempt < 25 && answer.statusCode !== 429; attempt++)
      answer = await visitor.post('/family/activate', form);
    expect(answer.statusCode).toBe(429);
  });
});
