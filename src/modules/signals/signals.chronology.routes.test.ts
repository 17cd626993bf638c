import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildChronologyWorld } from '../../../test/helpers/chronology-world.ts';
import { createTrustApp, type TrustApp } from '../../../test/helpers/trust-app.ts';
import { errorSummary, type Agent } from '../../../test/helpers/web.ts';

/** The chronology's pages: the timeline and its filters, the copy to print, and what bad input gets. */
describe('chronology pages', () => {
  let t: TrustApp;
  let made: Awaited<ReturnType<typeof buildChronologyWorld>>;
  let socialWorker: Agent;
  let url: string;

  beforeAll(async () => {
    t = await createTrustApp();
    made = await buildChronologyWorld(t.db, t.world);
    socialWorker = await t.signedIn(t.world.users.socialWorker.email);
    url = `/people/${t.world.child}/chronology`;
  }, 60_000);
  afterAll(() => t.close());

  const rows = (html: string) => (html.match(/<tr class="govuk-table__row" id="/g) ?? []).length;

  it('shows the child’s timeline with its filters, linked from the child’s record', async () => {
    const record = await socialWorker.get(`/people/${t.world.child}`);
    expect(record.body).toContain(`href="${url}"`);

    const page = await socialWorker.get(url);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Maya Okafor');
    expect(page.body).toContain('Signal: school attendance (moderate)');
    expect(page.body).toContain('An item from Riverside Surgery: ask gp (gp@world.example)');
    expect(page.body).toContain(`href="/plans/${made.plan.id}/reviews/${made.reviewId}"`);
    expect(page.body).toContain('<option value="' + t.world.orgs.school + '">Elm Park School</option>');
    expect(page.body).toContain(`href="${url}/print"`);
    expect(page.body).not.toContain('SECRET');
  });

  it('keeps the filters chosen, in the page and in the link to print', async () => {
    const query = `agency=${t.world.orgs.school}&category=note&category=contact&order=oldest`;
    const page = await socialWorker.get(`${url}?${query}`);
    expect(page.statusCode).toBe(200);
    expect(rows(page.body)).toBe(2);
    expect(page.body).toContain(`<option value="${t.world.orgs.school}" selected>Elm Park School</option>`);
    expect(page.body).toMatch(/value="note" checked/);
    expect(page.body).toMatch(/value="oldest" checked/);
    expect(page.body).toContain(`href="${url}/print?${query.replaceAll('&', '&amp;')}"`);
  });

  it('prints a marked copy for a case conference: who, born when, printed when and by whom', async () => {
    const page = await socialWorker.get(`${url}/print?category=review`);
    expect(page.statusCode).toBe(200);
    expect(page.body.match(/OFFICIAL-SENSITIVE/g)).toHaveLength(2);
    expect(page.body).toContain('Chronology: Maya Okafor');
    expect(page.body).toContain('4 May 2016');
    expect(page.body).toMatch(/2 Mar 2026, \d\d:\d\d by social\.worker, Northbridge Council/);
    expect(page.body).toContain('review or conference');
    expect(page.body).toContain('@media print');
    expect(rows(page.body)).toBe(1);
    // On paper a link means nothing: the print copy has none in its entries.
    expect(page.body).not.toContain(`href="/plans/${made.plan.id}/reviews/${made.reviewId}"`);
  });

  it('answers a filter that does not parse with 400, naming the field, and reads nothing about the child', async () => {
    const before = await t.db
      .selectFrom('auditEvents')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('action', 'like', 'person.chronology%')
      .executeTakeFirstOrThrow();
    for (const [query, message] of [
      ['category=gossip', '#category Select categories from the list'],
      ['agency=school', '#agency Select an agency from the list'],
      ['from-day=31&from-month=2&from-year=2026', '#from-day The from date must be a real date'],
      ['order=sideways', '#order Choose newest first or oldest first'],
    ] as const) {
      for (const page of [url, `${url}/print`]) {
        const response = await socialWorker.get(`${page}?${query}`);
        expect(response.statusCode, `${page}?${query}`).toBe(400);
        expect(errorSummary(response.body)).toEqual([message]);
        expect(response.body).not.toContain('Maya');
      }
    }
    const after = await t.db
      .selectFrom('auditEvents')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('action', 'like', 'person.chronology%')
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('refuses someone with no basis with the way to emergency access, and hides a sealed record', async () => {
    const uninvolved = await t.signedIn(t.world.users.uninvolved.email);
    const refused = await uninvolved.get(url);
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain(`/people/${t.world.child}/emergency-access`);
    expect((await uninvolved.get(`${url}/print`)).statusCode).toBe(403);
    expect((await uninvolved.get(`/people/${t.world.sealedChild}/chronology`)).statusCode).toBe(404);
  });
});
