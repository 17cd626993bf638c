import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, errorSummary, type Agent, type TestApp } from '../../../test/helpers/web.ts';

describe('partnership administration pages', () => {
  let t: TestApp;
  let admin: Agent;
  beforeAll(async () => {
    t = await createTestApp();
    admin = t.agent();
    await admin.signIn(t.admin.email);
  });
  afterAll(() => t.close());

  const db = () => t.database.db;
  const versionOn = (html: string) => /name="version" value="(\d+)"/.exec(html)![1]!;
  const audit = (action: string) =>
    db().selectFrom('auditEvents').selectAll().where('action', '=', action).execute();

  it('refuses a practitioner every administration page and action with 403, and records the refusal', async () => {
    const practitioner = t.agent();
    await practitioner.signIn(t.practitioner.email);
    for (const url of ['/admin', '/admin/users', '/admin/organisations/new', `/admin/users/${t.admin.id}`]) {
      expect((await practitioner.get(url)).statusCode, url).toBe(403);
    }
    const token = await practitioner.csrfToken('/');
    const res = await practitioner.post('/admin/organisations/new', {
      _csrf: token,
      name: 'Sneaky',
      sector: 'other',
      kind: 'x',
    });
    expect(res.statusCode).toBe(403);
    expect(
      await db().selectFrom('organisations').select('id').where('name', '=', 'Sneaky').execute(),
    ).toHaveLength(0);
    const denied = await db()
      .selectFrom('auditEvents')
      .selectAll()
      .where('outcome', '=', 'denied')
      .where('actorUserId', '=', t.practitioner.id)
      .execute();
    expect(denied.length).toBeGreaterThanOrEqual(5);
  });

  it('adds an organisation, audited, and says so on the next page', async () => {
    const res = await admin.post('/admin/organisations/new', {
      name: 'Oak Tree Primary School',
      sector: 'education',
      kind: 'Primary school',
      active: 'yes',
    });
    expect(res.statusCode).toBe(303);
    const list = await admin.get(res.headers.location as string);
    expect(list.body).toContain('Oak Tree Primary School was added');
    const org = await db()
      .selectFrom('organisations')
      .selectAll()
      .where('name', '=', 'Oak Tree Primary School')
      .executeTakeFirstOrThrow();
    expect(org).toMatchObject({ sector: 'education', active: true, version: 1 });
    expect(
      (await audit('organisation.create')).some(
        (e) => e.subjectId === org.id && e.actorUserId === t.admin.id,
      ),
    ).toBe(true);
  });

  it('names each wrong field, keeps what was typed, and saves nothing', async () => {
    const res = await admin.post('/admin/organisations/new', {
      name: 'Half Done Ltd',
      sector: 'banking',
      kind: '',
    });
    expect(res.statusCode).toBe(400);
    expect(errorSummary(res.body)).toEqual([
      '#sector Select the sector the organisation belongs to',
      '#kind Enter the type of organisation',
    ]);
    expect(res.body).toContain('value="Half Done Ltd"');
    expect(res.body).toMatch(/<title>Error: /);
    expect(
      await db().selectFrom('organisations').select('id').where('name', '=', 'Half Done Ltd').execute(),
    ).toHaveLength(0);
  });

  it('refuses a second organisation with the same name, whatever its case', async () => {
    const res = await admin.post('/admin/organisations/new', {
      name: 'northbridge council',
      sector: 'other',
      kind: 'Duplicate',
    });
    expect(res.statusCode).toBe(400);
    expect(errorSummary(res.body)).toEqual([
      '#name An organisation called northbridge council already exists',
    ]);
  });

  it('detects an edit made on a stale copy, keeps both people’s words, and the other person’s change', async () => {
    const url = `/admin/organisations/${t.organisationId}/edit`;
    const form = await admin.get(url);
    const staleVersion = versionOn(form.body);
    const other = t.agent();
    await other.signIn(t.admin.email);
    const first = await other.post(url, {
      version: staleVersion,
      name: 'Northbridge Council',
      sector: 'social_care',
      kind: 'Unitary authority',
      active: 'yes',
    });
    expect(first.statusCode).toBe(303);
    const second = await admin.post(url, {
      version: staleVersion,
      name: 'Northbridge Council',
      sector: 'social_care',
      kind: 'Overwritten?',
      active: 'yes',
    });
    expect(second.statusCode).toBe(409);
    expect(errorSummary(second.body)[0]).toContain('Someone else changed this organisation');
    expect(second.body).toContain('value="Overwritten?"');
    expect(second.body).toMatch(
      /Type of organisation\s*<\/dt>[\s\S]*?Saved now:<\/span> Unitary authority[\s\S]*?Yours:<\/span> Overwritten\?/,
    );
    expect(versionOn(second.body)).toBe(String(Number(staleVersion) + 1));
    const org = await db()
      .selectFrom('organisations')
      .selectAll()
      .where('id', '=', t.organisationId)
      .executeTakeFirstOrThrow();
    expect(org.kind).toBe('Unitary authority');
  });

  it('creates a team and an account, adds the person to the team as seconded and part time', async () => {
    const team = await admin.post('/admin/teams/new', {
      name: 'Front Door',
      organisationId: t.organisationId,
      multiAgency: 'yes',
      active: 'yes',
    });
    expect(team.statusCode).toBe(303);
    const teamId = (team.headers.location as string).split('/').pop()!;

    const user = await admin.post('/admin/users/new', {
      displayName: 'Ruth Nurse',
      email: 'Ruth.Nurse@Example.org',
      organisationId: t.organisationId,
      roles: ['practitioner', 'front_door'],
      password: 'a long enough password',
    });
    expect(user.statusCode).toBe(303);
    const userId = (user.headers.location as string).split('/').pop()!;
    const row = await db().selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirstOrThrow();
    expect(row.email).toBe('ruth.nurse@example.org');
    expect(row.roles).toEqual(['practitioner', 'front_door']);
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);

    const added = await admin.post(
      `/admin/users/${userId}/memberships`,
      { teamId, seconded: 'yes', partTime: 'yes' },
      `/admin/users/${userId}`,
    );
    expect(added.statusCode).toBe(303);
    const teamPage = await admin.get(`/admin/teams/${teamId}`);
    expect(teamPage.body).toContain('Ruth Nurse');
    expect(teamPage.body).toContain('Seconded, part time');

    const again = await admin.post(
      `/admin/users/${userId}/memberships`,
      { teamId },
      `/admin/users/${userId}`,
    );
    expect(again.statusCode).toBe(400);
    expect(errorSummary(again.body)).toEqual(['#teamId They are already a member of Front Door']);

    const member = await db()
      .selectFrom('memberships')
      .selectAll()
      .where('userId', '=', userId)
      .executeTakeFirstOrThrow();
    const ended = await admin.post(
      `/admin/users/${userId}/memberships/${member.id}/end`,
      {},
      `/admin/users/${userId}`,
    );
    expect(ended.statusCode).toBe(303);
    const endedTwice = await admin.post(
      `/admin/users/${userId}/memberships/${member.id}/end`,
      {},
      `/admin/users/${userId}`,
    );
    expect(endedTwice.statusCode).toBe(409);
  });

  it('checks every account field', async () => {
    const res = await admin.post('/admin/users/new', {
      displayName: '',
      email: 'not-an-email',
      organisationId: 'not-a-uuid',
      password: 'short',
    });
    expect(res.statusCode).toBe(400);
    expect(errorSummary(res.body)).toEqual([
      '#email Enter an email address in the correct format, like name@example.org',
      '#displayName Enter the person’s full name',
      '#organisationId Select the person’s home organisation',
      '#roles Select at least one role',
      '#password Password must be at least 12 characters',
    ]);
    // No role was ticked, so none may come back ticked (the form's default is "practitioner").
    expect(res.body).not.toMatch(/value="practitioner" checked/);
    expect((await admin.get('/admin/users/new')).body).toMatch(/value="practitioner" checked/);
  });

  it('refuses an unknown role, an unknown organisation and a taken email', async () => {
    const base = { displayName: 'A Person', password: 'a long enough password' };
    const role = await admin.post('/admin/users/new', {
      ...base,
      email: 'a@example.org',
      organisationId: t.organisationId,
      roles: 'superuser',
    });
    expect(errorSummary(role.body)).toEqual(['#roles Select a role from the list']);
    const org = await admin.post('/admin/users/new', {
      ...base,
      email: 'a@example.org',
      organisationId: '00000000-0000-4000-8000-000000000000',
      roles: 'practitioner',
    });
    expect(errorSummary(org.body)).toEqual(['#organisationId Select an organisation from the list']);
    const taken = await admin.post('/admin/users/new', {
      ...base,
      email: 'ADMIN@example.org',
      organisationId: t.organisationId,
      roles: 'practitioner',
    });
    expect(errorSummary(taken.body)).toEqual(['#email An account with this email address already exists']);
  });

  it('deactivates an account (never deletes it), ending its sessions at once, and can reactivate it', async () => {
    const user = await t.createUser('short.stay@example.org', ['practitioner']);
    const them = t.agent();
    await them.signIn(user.email);
    expect((await them.get('/')).statusCode).toBe(200);

    const page = await admin.get(`/admin/users/${user.id}/deactivate`);
    expect(page.body).toContain('Deactivate short stay’s account?');
    const res = await admin.post(
      `/admin/users/${user.id}/deactivate`,
      { version: versionOn(page.body) },
      `/admin/users/${user.id}/deactivate`,
    );
    expect(res.statusCode).toBe(303);
    expect((await them.get('/')).statusCode).toBe(303);
    const row = await db()
      .selectFrom('users')
      .select(['active', 'deactivatedAt'])
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row.active).toBe(false);
    expect(row.deactivatedAt).not.toBeNull();

    const stale = await admin.post(
      `/admin/users/${user.id}/reactivate`,
      { version: versionOn(page.body) },
      `/admin/users/${user.id}`,
    );
    expect(stale.statusCode).toBe(409);
    const fresh = await admin.get(`/admin/users/${user.id}`);
    expect(
      (
        await admin.post(
          `/admin/users/${user.id}/reactivate`,
          { version: versionOn(fresh.body) },
          `/admin/users/${user.id}`,
        )
      ).statusCode,
    ).toBe(303);
  });

  it('unlocks a locked account, and sets a new password that ends the old sessions', async () => {
    const user = await t.createUser('forgetful@example.org', ['practitioner']);
    const them = t.agent();
    await them.signIn(user.email);
    for (let i = 0; i < 5; i++)
      await t.agent().post('/sign-in', { email: user.email, password: 'not it at all' }, '/sign-in');
    const page = await admin.get(`/admin/users/${user.id}`);
    expect(page.body).toContain('Locked after too many failed sign-in attempts');
    const unlocked = await admin.post(
      `/admin/users/${user.id}/unlock`,
      { version: versionOn(page.body) },
      `/admin/users/${user.id}`,
    );
    expect(unlocked.statusCode).toBe(303);
    expect((await admin.get(`/admin/users/${user.id}`)).body).not.toContain('Unlock account');

    const form = await admin.get(`/admin/users/${user.id}/password`);
    const short = await admin.post(`/admin/users/${user.id}/password`, {
      version: versionOn(form.body),
      password: 'short',
    });
    expect(errorSummary(short.body)).toEqual(['#password Password must be at least 12 characters']);
    const set = await admin.post(`/admin/users/${user.id}/password`, {
      version: versionOn(form.body),
      password: 'a brand new passphrase',
    });
    expect(set.statusCode).toBe(303);
    expect((await them.get('/')).statusCode).toBe(303);
    expect((await t.agent().signIn(user.email, 'a brand new passphrase')).statusCode).toBe(303);
    expect((await audit('user.password.reset')).some((e) => e.subjectId === user.id)).toBe(true);
    expect((await audit('user.unlock')).some((e) => e.subjectId === user.id)).toBe(true);
  });

  it('will not let administrators deactivate themselves or drop their own administrator role', async () => {
    const page = await admin.get(`/admin/users/${t.admin.id}/edit`);
    expect((await admin.get(`/admin/users/${t.admin.id}`)).body).not.toContain('Deactivate account');
    const res = await admin.post(
      `/admin/users/${t.admin.id}/deactivate`,
      { version: versionOn(page.body) },
      `/admin/users/${t.admin.id}`,
    );
    expect(res.statusCode).toBe(409);
    const edit = await admin.post(`/admin/users/${t.admin.id}/edit`, {
      version: versionOn(page.body),
      displayName: 'Admin',
      email: t.admin.email,
      organisationId: t.organisationId,
      roles: 'practitioner',
    });
    expect(edit.statusCode).toBe(400);
    expect(errorSummary(edit.body)[0]).toContain('You cannot remove your own administrator role');
  });

  it('audits every look at an account, a list or a search', async () => {
    await admin.get(`/admin/users/${t.practitioner.id}`);
    await admin.get('/admin/users?q=pat');
    const views = await audit('user.view');
    expect(views.some((e) => e.subjectId === t.practitioner.id && e.actorUserId === t.admin.id)).toBe(true);
    const lists = await audit('user.list');
    expect(lists.some((e) => (e.detail as { search?: string }).search === 'pat')).toBe(true);
  });

  it('finds accounts by name, email or organisation, a page at a time', async () => {
    const res = await admin.get('/admin/users?q=ruth');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Ruth Nurse');
    expect(res.body).not.toContain('short.stay@example.org');
    const odd = await admin.get('/admin/users?q=%25_%5C&page=abc');
    expect(odd.statusCode).toBe(200);
  });

  it('answers ids that are not uuids, and uuids that match nothing, with 404', async () => {
    expect((await admin.get('/admin/users/not-a-uuid')).statusCode).toBe(404);
    expect((await admin.get('/admin/users/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
    expect((await admin.get('/admin/teams/00000000-0000-4000-8000-000000000000/edit')).statusCode).toBe(404);
    expect((await admin.get('/no/such/page')).statusCode).toBe(404);
  });
});
