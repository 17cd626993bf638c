import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTrustApp, type TrustApp } from '../../../test/helpers/trust-app.ts';
import type { World } from '../../../test/helpers/trust-world.ts';
import { errorSummary, type Agent } from '../../../test/helpers/web.ts';

/** A child's details beyond the index through the pages: other names, certainty, language, contact. */
describe('a child’s details pages', () => {
  let t: TrustApp;
  let w: World;
  let worker: Agent;

  beforeAll(async () => {
    t = await createTrustApp();
    w = t.world;
    worker = await t.signedIn(w.users.socialWorker.email);
  });
  afterAll(() => t.close());

  it('names each field that is wrong and changes nothing', async () => {
    const before = await t.database.db
      .selectFrom('people')
      .selectAll()
      .where('id', '=', w.child)
      .executeTakeFirstOrThrow();
    const sent = await worker.post(`/people/${w.child}/details`, {
      dateOfBirthCertainty: 'sure',
      language: 'x'.repeat(101),
      phone: 'call me',
      email: 'not-an-address',
      version: String(before.version),
    });
    expect(sent.statusCode).toBe(400);
    expect(errorSummary(sent.body)).toEqual([
      '#dateOfBirthCertainty Select how certain the date of birth is',
      '#language The language must be 100 characters or fewer',
      '#interpreterNeeded Select whether an interpreter is needed',
      '#phone Enter a phone number using digits, spaces, brackets, + and -, like 01632 960 001',
      '#email Enter an email address in the correct format, like name@example.com',
    ]);
    const after = await t.database.db
      .selectFrom('people')
      .selectAll()
      .where('id', '=', w.child)
      .executeTakeFirstOrThrow();
    expect(after).toEqual(before);
  });

  it('shows a stale edit again with 409, the editor’s own details kept beside those saved since', async () => {
    const { version } = await t.database.db
      .selectFrom('people')
      .select('version')
      .where('id', '=', w.child)
      .executeTakeFirstOrThrow();
    const form = {
      dateOfBirthCertainty: 'estimated',
      interpreterNeeded: 'yes',
      language: 'Tigrinya',
      version: String(version),
    };
    expect((await worker.post(`/people/${w.child}/details`, form)).statusCode).toBe(303);
    const stale = await worker.post(`/people/${w.child}/details`, { ...form, language: 'Arabic' });
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('value="Arabic"');
    expect(stale.body).toContain(`name="version" value="${version + 1}"`);
    expect(stale.body).toMatch(
      /Language\s*<\/dt>[\s\S]*?Saved now:<\/span> Tigrinya[\s\S]*?Yours:<\/span> Arabic/,
    );
    const page = await worker.get(`/people/${w.child}`);
    expect(page.body).toContain('Tigrinya, interpreter needed');
    expect(page.body).toContain('(estimated)');
  });

  it('records another name and shows it escaped, with its dates; refuses an end before the start', async () => {
    const backwards = await worker.post(`/people/${w.child}/names/new`, {
      kind: 'previous',
      familyName: 'Nowak',
      'usedFrom-day': '1',
      'usedFrom-month': '6',
      'usedFrom-year': '2020',
      'usedUntil-day': '1',
      'usedUntil-month': '1',
      'usedUntil-year': '2019',
    });
    expect(backwards.statusCode).toBe(400);
    expect(errorSummary(backwards.body)).toEqual([
      '#usedUntil-day The date it was last used must be the same as or after the date it was first used',
    ]);
    const added = await worker.post(`/people/${w.child}/names/new`, {
      kind: 'alias',
      givenName: '<script>alert(1)</script>',
      familyName: 'Nowak',
      'usedFrom-day': '1',
      'usedFrom-month': '6',
      'usedFrom-year': '2020',
    });
    expect(added.statusCode).toBe(303);
    const page = await worker.get(`/people/${w.child}`);
    expect(page.body).toContain(
      'Also recorded as &lt;script&gt;alert(1)&lt;/script&gt; Nowak (from 1 June 2020)',
    );
    expect(page.body).not.toContain('<script>alert(1)');
  });
});
