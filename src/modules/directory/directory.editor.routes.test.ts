import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertPartnership } from '../../../test/helpers/builders.ts';
import { buildCtx, buildSystemActor } from '../../../test/helpers/context.ts';
import { aServiceRecord, saveTestServices, seedTestDirectory } from '../../../test/helpers/directory.ts';
import {
  createTestApp,
  TEST_PASSWORD,
  type Agent,
  type TestApp,
  type TestUser,
} from '../../../test/helpers/web.ts';
import type { ServiceRecordInput } from './directory.schemas.ts';
import { formValues, loadRecord } from './directory.editor.ts';
import { remindStaleEntries } from './directory.reviews.ts';

describe('directory editors’ pages', () => {
  let t: TestApp;
  let term: (code: string) => string;
  let otherOrg: string;
  let editor: Agent;
  let admin: Agent;
  let provider: Agent;
  let stranger: Agent;
  let otherEditor: Agent;
  let editorUser: TestUser;
  let otherPartnershipEntry: string;

  beforeAll(async () => {
    t = await createTestApp();
    ({ term } = await seedTestDirectory(t.database.db, t.partnershipId));
    const system = buildCtx(buildSystemActor(t.partnershipId));
    otherOrg = (
      await t.services.access.createOrganisation(system, {
        name: 'Elm Park School',
        sector: 'education',
        kind: 'School',
        localityId: null,
        active: true,
      })
    ).id;
    const inOtherOrg = async (email: string, roles: ('directory_editor' | 'practitioner')[]) =>
      t.services.access.createUser(system, {
        email,
        displayName: email.split('@')[0]!,
        jobTitle: null,
        organisationId: otherOrg,
        roles,
        password: TEST_PASSWORD,
      });
    editorUser = await t.createUser('editor@example.org', ['directory_editor']);
    await inOtherOrg('school.editor@example.org', ['directory_editor']);
    await inOtherOrg('school.worker@example.org', ['practitioner']);
    const signedIn = async (email: string) => {
      const agent = t.agent();
      await agent.signIn(email);
      return agent;
    };
    editor = await signedIn('editor@example.org');
    admin = await signedIn(t.admin.email);
    provider = await signedIn(t.practitioner.email);
    stranger = await signedIn('school.worker@example.org');
    otherEditor = await signedIn('school.editor@example.org');
    const elsewhere = await insertPartnership(t.database.db, 'Southport');
    otherPartnershipEntry = (await entry(null, {}, elsewhere)).id;
  }, 60_000);
  afterAll(() => t.close());

  async function entry(agency: string | null, overrides: Partial<ServiceRecordInput> = {}, p?: string) {
    const partnershipId = p ?? t.partnershipId;
    const record = aServiceRecord(overrides);
    await saveTestServices(t.database.db, partnershipId, [record], t.clock.now());
    await t.database.db
      .updateTable('directoryOrganizations')
      .set({ agencyOrganisationId: agency })
      .where('id', '=', record.organization.id)
      .execute();
    return record;
  }
  const ours = (overrides: Partial<ServiceRecordInput> = {}) => entry(t.organisationId, overrides);

  /** What the edit page's form sends for the entry as it is, with changes. */
  async function form(serviceId: string, changes: Record<string, string | string[]> = {}) {
    const row = await stored(serviceId);
    const values = formValues(await loadRecord(t.database.db, t.partnershipId, serviceId), row.version);
    const body: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(values)) body[k] = Array.isArray(v) ? v : String(v);
    return { ...body, ...changes };
  }
  const stored = (id: string) =>
    t.database.db
      .selectFrom('directoryServices')
      .select(['name', 'version', 'assuredDate', 'assuredBy', 'capacity', 'waitWeeks'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();

  it('lists the editor’s own entries, due for review first, with their capacity', async () => {
    const stale = await ours({ name: 'Old toy library', assuredDate: '2025-05-01', capacity: 'full' });
    const schools = await entry(otherOrg, { name: 'School nurse drop-in' });
    const page = await editor.get('/directory/entries');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Old toy library');
    expect(page.body).toContain('Review due');
    expect(page.body).toContain('Full at the moment');
    expect(page.body).not.toContain(schools.name);
    expect(page.body).toContain(`/directory/entries/${stale.id}/edit`);
    const home = await editor.get('/');
    expect(home.body).toContain('Directory entries');
    expect(home.body).toMatch(/\d+ due for review/);
  });

  it('saves the editor’s change to their own entry and counts it as a review', async () => {
    const record = await ours({ assuredDate: '2025-01-01' });
    const page = await editor.get(`/directory/entries/${record.id}/edit`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Parenting support');
    const res = await editor.post(
      `/directory/entries/${record.id}/edit`,
      await form(record.id, { name: 'Stay and play', needs: [term('parenting')], languages: ['en', 'pl'] }),
    );
    expect(res.statusCode).toBe(303);
    expect(await stored(record.id)).toMatchObject({
      name: 'Stay and play',
      version: 2,
      assuredDate: '2026-03-02',
      assuredBy: editorUser.id,
    });
  });

  it('turns away another organisation’s editor (403) and hides another partnership’s entry (404)', async () => {
    const record = await ours();
    expect((await otherEditor.get(`/directory/entries/${record.id}/edit`)).statusCode).toBe(403);
    const token = await otherEditor.csrfToken('/');
    const res = await otherEditor.post(`/directory/entries/${record.id}/edit`, {
      ...(await form(record.id)),
      _csrf: token,
    });
    expect(res.statusCode).toBe(403);
    expect((await stored(record.id)).version).toBe(1);
    expect((await editor.get(`/directory/entries/${otherPartnershipEntry}/edit`)).statusCode).toBe(404);
    expect((await editor.get('/directory/entries/not-an-id/edit')).statusCode).toBe(404);
  });

  it('lets an administrator change any entry', async () => {
    const record = await entry(otherOrg);
    const res = await admin.post(
      `/directory/entries/${record.id}/edit`,
      await form(record.id, { status: 'temporarily closed' }),
    );
    expect(res.statusCode).toBe(303);
    expect((await stored(record.id)).version).toBe(2);
  });

  it('answers 409 with the error summary when someone else saved first, writing nothing', async () => {
    const record = await ours();
    const mine = await form(record.id, { name: 'Mine' });
    expect(
      (await admin.post(`/directory/entries/${record.id}/edit`, await form(record.id, { name: 'Theirs' })))
        .statusCode,
    ).toBe(303);
    const res = await editor.post(`/directory/entries/${record.id}/edit`, mine);
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('There is a problem');
    expect(res.body).toContain(
      'Someone else changed this entry since you opened it: check their changes and try again',
    );
    expect(await stored(record.id)).toMatchObject({ name: 'Theirs', version: 2 });
  });

  it.each([
    ['age range reversed', { minimumAge: '11', maximumAge: '4' }, 'maximumAge'],
    ['malformed postcode', { postalCode: 'NOT A POSTCODE' }, 'postalCode'],
    ['closing before opening', { opensAt: '15:00', closesAt: '10:00', days: ['MO'] }, 'closesAt'],
    ['unknown need', { needs: ['00000000-0000-4000-8000-000000000000'] }, 'needs'],
    ['missing name', { name: ' ' }, 'name'],
  ] as const)('refuses %s with 400 naming the field, writing nothing', async (_name, changes, field) => {
    const record = await ours();
    const res = await editor.post(
      `/directory/entries/${record.id}/edit`,
      await form(record.id, changes as never),
    );
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain(`href="#${field}"`);
    expect((await stored(record.id)).version).toBe(1);
  });

  it('adds a new service under the editor’s organisation', async () => {
    const mine = await ours({ name: 'Existing' });
    expect((await editor.get('/directory/entries/new')).body).toContain('Test Family Charity');
    const res = await editor.post('/directory/entries/new', {
      version: '0',
      organizationId: mine.organization.id,
      name: 'Dads’ group',
      description: 'A Saturday group for dads and their children.',
      status: 'active',
      cost: 'free',
      kind: 'mainstream',
      languages: 'en',
      accessRoutes: ['drop_in', 'self_referral'],
      needs: term('parenting'),
      postalCode: 'NB1 1AA',
      days: 'SA',
      opensAt: '10:00',
      closesAt: '12:00',
    });
    expect(res.statusCode).toBe(303);
    const made = await t.database.db
      .selectFrom('directoryServices')
      .select(['organizationId', 'assuredBy', 'version'])
      .where('name', '=', 'Dads’ group')
      .executeTakeFirstOrThrow();
    expect(made).toEqual({ organizationId: mine.organization.id, assuredBy: editorUser.id, version: 1 });
  });

  it('confirms a review from its page', async () => {
    const record = await ours({ assuredDate: '2025-02-02' });
    expect((await editor.get(`/directory/entries/${record.id}/review`)).body).toContain(
      'Confirm this entry is still correct',
    );
    const res = await editor.post(`/directory/entries/${record.id}/review`, { version: '1' });
    expect(res.statusCode).toBe(303);
    expect(await stored(record.id)).toMatchObject({
      version: 2,
      assuredDate: '2026-03-02',
      name: record.name,
    });
    expect((await editor.post(`/directory/entries/${record.id}/review`, { version: '1' })).statusCode).toBe(
      409,
    );
  });

  it('lets the provider’s own staff publish capacity, checked and versioned', async () => {
    const record = await ours();
    const url = `/directory/entries/${record.id}/capacity`;
    expect((await provider.get(url)).statusCode).toBe(200);
    const bad = await provider.post(url, { version: '1', capacity: 'limited', waitWeeks: '200' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('href="#waitWeeks"');
    const res = await provider.post(url, { version: '1', capacity: 'limited', waitWeeks: '3' });
    expect(res.statusCode).toBe(303);
    expect(await stored(record.id)).toMatchObject({ capacity: 'limited', waitWeeks: 3, version: 2 });
    expect((await provider.post(url, { version: '1', capacity: 'full', waitWeeks: '' })).statusCode).toBe(
      409,
    );
    expect((await stranger.get(url)).statusCode).toBe(403);
    const token = await stranger.csrfToken('/');
    expect(
      (await stranger.post(url, { _csrf: token, version: '2', capacity: 'full', waitWeeks: '' })).statusCode,
    ).toBe(403);
    expect((await stored(record.id)).capacity).toBe('limited');
  });

  it('shows the review reminder in the editor’s notifications', async () => {
    const record = await ours({ name: 'Forgotten football club', assuredDate: '2025-01-15' });
    await remindStaleEntries(t.database.db, t.clock.now());
    const page = await editor.get('/notifications');
    expect(page.body).toContain('Forgotten football club');
    expect(page.body).toContain(`/directory/entries/${record.id}/edit`);
  });

  it('covers every editor route: who may reach it', async () => {
    const record = await ours();
    const routes = t.app
      .routeAccessTable()
      .filter((r) => r.url.startsWith('/directory/entries') && r.method !== 'HEAD')
      .map((r) => `${r.method} ${r.url}`)
      .sort();
    // editor of the entry's organisation, another organisation's editor, administrator, provider staff, another organisation's staff
    // prettier-ignore
    const matrix: [string, ...number[]][] = [
      ['GET /directory/entries',                        200, 200, 200, 403, 403],
      ['GET /directory/entries/new',                    200, 200, 200, 403, 403],
      ['POST /directory/entries/new',                   400, 400, 400, 403, 403],
      ['GET /directory/entries/:serviceId/edit',        200, 403, 200, 403, 403],
      ['POST /directory/entries/:serviceId/edit',       409, 403, 409, 403, 403],
      ['GET /directory/entries/:serviceId/review',      200, 403, 200, 403, 403],
      ['POST /directory/entries/:serviceId/review',     409, 403, 409, 403, 403],
      ['GET /directory/entries/:serviceId/capacity',    200, 403, 200, 200, 403],
      ['POST /directory/entries/:serviceId/capacity',   409, 403, 409, 409, 403],
    ];
    expect(matrix.map(([route]) => route).sort()).toEqual(routes);
    const who = [editor, otherEditor, admin, provider, stranger];
    const tokens = await Promise.all(who.map((agent) => agent.csrfToken('/')));
    const staleEdit = await form(record.id, { version: '99' });
    for (const [route, ...expected] of matrix) {
      const [method, pattern] = route.split(' ') as [string, string];
      const url = pattern.replace(':serviceId', record.id);
      for (const [i, agent] of who.entries()) {
        // POSTs send a stale version (or, for a new entry, an empty form): reaching the form answers 409 or 400.
        const res =
          method === 'GET'
            ? await agent.get(url)
            : await agent.post(url, {
                _csrf: tokens[i]!,
                version: '99',
                capacity: 'full',
                ...(url.endsWith('/edit') ? staleEdit : {}),
              });
        expect(res.statusCode, `${route} as ${i}`).toBe(expected[i]);
      }
    }
    expect((await stored(record.id)).version).toBe(1);
  }, 60_000);
});
