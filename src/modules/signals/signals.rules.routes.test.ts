import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRuleJson, RuleConditions, RuleFixtures, runFixtures } from './signals.rules.ts';
import {
  createTestApp,
  errorSummary,
  type Agent,
  type TestApp,
  type TestUser,
} from '../../../test/helpers/web.ts';

const CONDITIONS = '{"all": [{"atLeast": 2, "withinDays": 30, "categories": ["going_missing"]}]}';
const FIXTURES = JSON.stringify([
  {
    name: 'Missing twice this month',
    signals: [
      { category: 'going_missing', severity: 'high', daysAgo: 2, agency: 'police' },
      { category: 'going_missing', severity: 'high', daysAgo: 20, agency: 'police' },
    ],
    expect: 'alert',
  },
  {
    name: 'Missing once',
    signals: [{ category: 'going_missing', severity: 'high', daysAgo: 2, agency: 'police' }],
    expect: 'no_alert',
  },
]);

/** The signal rule pages through the real app, CSRF on. */
describe('the signal rule pages', () => {
  let t: TestApp;
  let manager: Agent;
  let managerUser: TestUser;
  let practitioner: Agent;

  beforeAll(async () => {
    t = await createTestApp();
    managerUser = await t.createUser('mo.manager@example.org', ['team_manager']);
    manager = t.agent();
    await manager.signIn(managerUser.email);
    practitioner = t.agent();
    await practitioner.signIn(t.practitioner.email);
  });
  afterAll(() => t.close());

  const saved = () =>
    t.database.db
      .selectFrom('signalRules')
      .select(['key', 'version', 'name', 'active'])
      .where('partnershipId', '=', t.partnershipId)
      .orderBy('key')
      .orderBy('version')
      .execute();
  const form = (overrides: Record<string, string> = {}) => ({
    name: 'Going missing twice in a month',
    ownerUserId: managerUser.id,
    route: 'lead_professional_or_front_door',
    active: 'yes',
    conditions: CONDITIONS,
    fixtures: FIXTURES,
    version: '0',
    ...overrides,
  });
  /** Text as the page shows it: HTML entities turned back into characters. */
  const unescape = (html: string) =>
    html
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');

  it('lists no rules at first and offers a form with an example and help', async () => {
    const list = await manager.get('/signals/rules');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('There are no rules yet');
    expect(list.body).toContain('href="/signals/rules/new"');
    const page = await manager.get('/signals/rules/new');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('How to write the conditions and fixtures');
    expect(unescape(page.body)).toContain('"fromAgencies": 2');
  });

  it('gives help whose examples are a rule that passes its own fixtures', async () => {
    const page = await manager.get('/signals/rules/new');
    const [conditions, fixtures] = [
      ...page.body.matchAll(/<pre class="govuk-body-s"><code>([\s\S]*?)<\/code><\/pre>/g),
    ].map((m) => unescape(m[1]!));
    const rule = parseRuleJson(conditions!, RuleConditions);
    const tests = parseRuleJson(fixtures!, RuleFixtures);
    if (!rule.ok || !tests.ok) throw new Error('The help examples do not parse');
    expect(runFixtures(rule.value, tests.value, '2026-03-02').map((r) => r.passed)).toEqual([true, true]);
  });

  it('adds a rule, then shows it in words with its fixtures passing', async () => {
    const res = await manager.post('/signals/rules/new', form());
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/signals/rules/going-missing-twice-in-a-month');
    const page = await manager.get('/signals/rules/going-missing-twice-in-a-month');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Version 1 of the rule saved');
    expect(page.body).toContain('at least 2 signals about going missing in the last 30 days');
    expect(page.body.match(/govuk-tag--green">\s*Passed/g)).toHaveLength(2);
    const list = await manager.get('/signals/rules');
    expect(list.body).toContain('Going missing twice in a month');
    expect(list.body).toContain('mo manager');
  });

  it('saves a change as a new version and keeps the first', async () => {
    const edit = await manager.get('/signals/rules/going-missing-twice-in-a-month/edit');
    expect(edit.statusCode).toBe(200);
    expect(edit.body).toContain('name="version" value="1"');
    const res = await manager.post(
      '/signals/rules/going-missing-twice-in-a-month/edit',
      form({ version: '1', active: 'no', name: 'Missing twice in 30 days' }),
    );
    expect(res.statusCode).toBe(303);
    expect(await saved()).toEqual([
      {
        key: 'going-missing-twice-in-a-month',
        version: 1,
        name: 'Going missing twice in a month',
        active: true,
      },
      { key: 'going-missing-twice-in-a-month', version: 2, name: 'Missing twice in 30 days', active: false },
    ]);
    const page = await manager.get('/signals/rules/going-missing-twice-in-a-month');
    expect(page.body).toContain('Off: raising no alerts');
    expect(page.body).toContain('Name, switched on or off');
  });

  it('refuses conditions that are not JSON with a 400 naming the field, keeping the input, saving nothing', async () => {
    const before = await saved();
    const res = await manager.post('/signals/rules/new', form({ name: 'Broken', conditions: '{"all": [}' }));
    expect(res.statusCode).toBe(400);
    expect(unescape(errorSummary(res.body).join('\n'))).toContain(
      '#conditions Conditions: is not valid JSON at line 1, column 10',
    );
    expect(unescape(res.body)).toContain('{"all": [}</textarea>');
    expect(await saved()).toEqual(before);
  });

  it('refuses an unknown category and a failing fixture, saying which', async () => {
    const typo = await manager.post(
      '/signals/rules/new',
      form({ name: 'Typo', conditions: CONDITIONS.replace('going_missing', 'going_misssing') }),
    );
    expect(typo.statusCode).toBe(400);
    expect(unescape(errorSummary(typo.body)[0]!)).toContain(
      '#conditions Conditions: all[0].categories[0]: unknown category "going_misssing"; use one of neglect,',
    );
    const eager = await manager.post(
      '/signals/rules/new',
      form({ name: 'Too eager', conditions: CONDITIONS.replace('"atLeast": 2', '"atLeast": 1') }),
    );
    expect(eager.statusCode).toBe(400);
    expect(unescape(errorSummary(eager.body).join('\n'))).toBe(
      '#fixtures Fixtures fail: fixture "Missing once" expected no alert, but the rule raised one',
    );
    expect((await saved()).map((r) => r.name)).not.toContain('Too eager');
  });

  it('refuses a save from a stale version with 409, showing the rule as it now is and the unsaved changes', async () => {
    const res = await manager.post(
      '/signals/rules/going-missing-twice-in-a-month/edit',
      form({ version: '1', name: 'Stale edit', conditions: CONDITIONS.replace('30', '31') }),
    );
    expect(res.statusCode).toBe(409);
    expect(errorSummary(res.body)[0]).toContain('#form Someone else saved a new version of this rule');
    expect(res.body).toContain('name="version" value="2"');
    expect(res.body).toContain('Your changes, which were not saved');
    expect(unescape(res.body)).toContain('"withinDays": 31');
    expect((await saved()).map((r) => r.name)).not.toContain('Stale edit');
  });

  it('turns a practitioner away from every rule page, saving nothing', async () => {
    const before = await saved();
    for (const url of [
      '/signals/rules',
      '/signals/rules/new',
      '/signals/rules/going-missing-twice-in-a-month/edit',
    ])
      expect((await practitioner.get(url)).statusCode, url).toBe(403);
    const token = await practitioner.csrfToken('/');
    const res = await practitioner.post('/signals/rules/new', { ...form({ name: 'Sneaky' }), _csrf: token });
    expect(res.statusCode).toBe(403);
    expect(await saved()).toEqual(before);
  });

  it('answers 404 for a rule that does not exist or could not', async () => {
    expect((await manager.get('/signals/rules/no-such-rule')).statusCode).toBe(404);
    expect((await manager.get('/signals/rules/Not_A_Key/edit')).statusCode).toBe(404);
  });
});
