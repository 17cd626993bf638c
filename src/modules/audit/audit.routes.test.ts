import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  errorSummary,
  type Agent,
  type TestApp,
  type TestUser,
} from '../../../test/helpers/web.ts';

describe('the audit trail page', () => {
  let t: TestApp;
  let officer: TestUser;
  let privacy: Agent;
  beforeAll(async () => {
    t = await createTestApp();
    officer = await t.createUser('privacy.officer@example.org', ['privacy_officer']);
    privacy = t.agent();
    await privacy.signIn(officer.email);
    const admin = t.agent();
    await admin.signIn(t.admin.email);
    await admin.get(`/admin/users/${t.practitioner.id}`);
    await t
      .agent()
      .post('/sign-in', { email: t.practitioner.email, password: 'wrong password here' }, '/sign-in');
  });
  afterAll(() => t.close());

  /** The body rows of the results table, as text. */
  const rowsOf = (html: string) =>
    [
      ...(/<tbody[^>]*>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '').matchAll(
        /<tr class="govuk-table__row">([\s\S]*?)<\/tr>/g,
      ),
    ].map((m) =>
      m[1]!
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim(),
    );

  it('lists events newest first, and finds them by who, action, outcome and record', async () => {
    const all = await privacy.get('/audit');
    expect(all.statusCode).toBe(200);
    const seqs = rowsOf(all.body).map((r) => Number(r.split(' ').at(-1)));
    expect(seqs.length).toBeGreaterThan(3);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));

    const byAdmin = rowsOf((await privacy.get('/audit?who=admin%40example.org&action=user.view')).body);
    expect(byAdmin).toHaveLength(1);
    expect(byAdmin[0]).toContain('user.view');

    const failed = rowsOf((await privacy.get('/audit?outcome=failed')).body);
    expect(failed.length).toBe(1);
    expect(failed[0]).toContain('session.sign-in');

    const aboutPractitioner = rowsOf((await privacy.get(`/audit?subject=${t.practitioner.id}`)).body);
    expect(aboutPractitioner.some((r) => r.includes('user.view'))).toBe(true);
    expect(aboutPractitioner.every((r) => r.includes(t.practitioner.id))).toBe(true);
  });

  it('narrows by dates, and says which date is wrong', async () => {
    const inRange = await privacy.get(
      '/audit?from-day=2&from-month=3&from-year=2026&to-day=2&to-month=3&to-year=2026',
    );
    expect(rowsOf(inRange.body).length).toBeGreaterThan(0);
    const before = await privacy.get('/audit?to-day=1&to-month=1&to-year=2020');
    expect(rowsOf(before.body)).toHaveLength(0);

    const unreal = await privacy.get('/audit?from-day=31&from-month=2&from-year=2026');
    expect(unreal.statusCode).toBe(400);
    expect(errorSummary(unreal.body)).toEqual(['#from-day The from date must be a real date']);
    const partial = await privacy.get('/audit?to-day=3&to-year=2026');
    expect(errorSummary(partial.body)).toEqual(['#to-month The to date must include a month']);
    const backwards = await privacy.get(
      '/audit?from-day=3&from-month=3&from-year=2026&to-day=2&to-month=3&to-year=2026',
    );
    expect(errorSummary(backwards.body)).toEqual([
      '#to-day The to date must be the same as or after the from date',
    ]);
    expect(await privacy.get('/audit?outcome=maybe').then((r) => r.statusCode)).toBe(400);
  });

  it('records each search, with what was asked', async () => {
    await privacy.get('/audit?action=session.');
    const searches = await t.database.db
      .selectFrom('auditEvents')
      .selectAll()
      .where('action', '=', 'audit.search')
      .where('actorUserId', '=', officer.id)
      .execute();
    expect(
      searches.some((e) => (e.detail as { criteria?: { action?: string } }).criteria?.action === 'session.'),
    ).toBe(true);
  });

  it('is for privacy officers only: an administrator is refused, and the refusal is recorded', async () => {
    const admin = t.agent();
    await admin.signIn(t.admin.email);
    expect((await admin.get('/audit')).statusCode).toBe(403);
    const refused = await t.database.db
      .selectFrom('auditEvents')
      .selectAll()
      .where('outcome', '=', 'denied')
      .where('actorUserId', '=', t.admin.id)
      .execute();
    expect(refused.some((e) => e.action === 'route GET /audit')).toBe(true);
  });
});
