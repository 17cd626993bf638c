import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  errorSummary,
  type Agent,
  type TestApp,
  type TestUser,
} from '../../../test/helpers/web.ts';

/** The family plan's pages through the real app, CSRF on. TEST_NOW is Monday 2 March 2026. */
describe('the family plan pages', () => {
  let t: TestApp;
  let lead: Agent;
  let colleague: Agent;
  let colleagueUser: TestUser;
  let manager: Agent;
  let uninvolved: Agent;
  let child: string;
  let sister: string;

  const person = async (givenName: string) =>
    (
      await t.database.db
        .insertInto('people')
        .values({
          partnershipId: t.partnershipId,
          kind: 'child',
          givenName,
          familyName: 'Hughes',
          dateOfBirth: '2015-06-01',
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const involve = (personId: string, userId: string) =>
    t.database.db
      .insertInto('involvements')
      .values({
        partnershipId: t.partnershipId,
        personId,
        userId,
        kind: 'allocated_worker',
        purpose: 'safeguarding',
        reason: 'Allocated',
        startedAt: new Date('2026-01-01T00:00:00Z'),
      })
      .execute();
  const plans = () =>
    t.database.db.selectFrom('plans').selectAll().where('partnershipId', '=', t.partnershipId).execute();
  const PLAN = {
    childIds: [] as string[],
    kind: 'early_help',
    familyName: 'Hughes family',
    worries: 'Amy is often late and hungry at school.',
    strengths: 'Grandma helps with the school run.',
    'started-day': '23',
    'started-month': '2',
    'started-year': '2026',
  };

  beforeAll(async () => {
    t = await createTestApp();
    lead = t.agent();
    await lead.signIn(t.practitioner.email);
    colleagueUser = await t.createUser('colleague@example.org', ['practitioner']);
    colleague = t.agent();
    await colleague.signIn(colleagueUser.email);
    manager = t.agent();
    await manager.signIn((await t.createUser('manager@example.org', ['team_manager'])).email);
    uninvolved = t.agent();
    await uninvolved.signIn((await t.createUser('uninvolved@example.org', ['practitioner'])).email);
    child = await person('Amy');
    sister = await person('Beth');
    await t.database.db
      .insertInto('relationships')
      .values({ partnershipId: t.partnershipId, personId: child, relatedPersonId: sister, kind: 'sibling' })
      .execute();
    await involve(child, t.practitioner.id);
    await involve(sister, t.practitioner.id);
  });
  afterAll(() => t.close());

  let planId: string;

  it('offers the start form with the child’s sister, shows every problem at once and writes nothing', async () => {
    const url = `/plans/new?childId=${child}`;
    const page = await lead.get(url);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Beth Hughes');
    expect(page.body).toContain('value="Hughes family"');
    const empty = await lead.post(url, { childIds: child });
    expect(empty.statusCode).toBe(400);
    expect(errorSummary(empty.body)).toEqual([
      '#kind Select the kind of plan',
      '#familyName Enter a name for the family, for example Hughes family',
      '#worries Enter what we are worried about',
      '#leadUserId Select the lead professional',
      '#started-day Enter the date the plan starts',
    ]);
    const future = await lead.post(url, {
      ...PLAN,
      childIds: child,
      leadUserId: t.practitioner.id,
      'started-year': '2027',
    });
    expect(future.statusCode).toBe(400);
    expect(errorSummary(future.body)).toEqual([
      '#started-day The date the plan starts cannot be in the future',
    ]);
    expect(future.body).toContain('Amy is often late and hungry at school.');
    expect(await plans()).toEqual([]);
  });

  it('starts the plan for both sisters and shows the plan page', async () => {
    const url = `/plans/new?childId=${child}`;
    const started = await lead.post(url, {
      ...PLAN,
      childIds: [child, sister],
      leadUserId: t.practitioner.id,
    });
    expect(started.statusCode).toBe(303);
    planId = (await plans())[0]!.id;
    expect(started.headers.location).toBe(`/plans/${planId}`);
    const page = await lead.get(`/plans/${planId}`);
    expect(page.statusCode).toBe(200);
    for (const text of [
      'Hughes family',
      'Amy Hughes',
      'Beth Hughes',
      'Lead professional',
      'Early help',
      '20 April 2026',
    ])
      expect(page.body).toContain(text);
    expect(page.body).toContain(`/plans/${planId}/summary`);
    const again = await lead.get(url);
    expect(again.body).toContain('is already on an open plan');
    expect(again.body).toContain(`/plans/${planId}`);
    const list = await lead.get('/plans');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('Hughes family');
    expect((await lead.get(`/plans/${planId}/history`)).body).toContain('started the plan');
  });

  it('keeps the plan from someone not involved, and answers 404 for an id that is not a plan', async () => {
    expect((await uninvolved.get(`/plans/${planId}`)).statusCode).toBe(403);
    expect((await uninvolved.get(`/plans/new?childId=${child}`)).statusCode).toBe(403);
    expect((await lead.get('/plans/not-a-plan')).statusCode).toBe(404);
    expect((await lead.get('/plans/new?childId=nobody')).statusCode).toBe(404);
    expect((await lead.get(`/plans/${t.admin.id}`)).statusCode).toBe(404);
  });

  it('adds a colleague to the team, who can then open the plan', async () => {
    expect((await colleague.get(`/plans/${planId}`)).statusCode).toBe(403);
    const url = `/plans/${planId}/team/new`;
    const missing = await lead.post(url, { version: '1' });
    expect(missing.statusCode).toBe(400);
    expect(errorSummary(missing.body).map((e) => e.split(' ')[0])).toEqual([
      '#userId',
      '#role',
      '#seconded',
      '#commitment',
    ]);
    const added = await lead.post(url, {
      version: '1',
      userId: colleagueUser.id,
      role: 'Family support worker',
      seconded: 'yes',
      commitment: 'part_time',
    });
    expect(added.statusCode).toBe(303);
    const page = await colleague.get(`/plans/${planId}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Family support worker');
    expect(page.body).toContain('Seconded to this team');
    // A team member edits the summary but does not manage the team.
    expect(page.body).toContain(`/plans/${planId}/summary`);
    expect(page.body).not.toContain(`/plans/${planId}/team/new`);
    expect(
      (
        await colleague.post(
          url,
          { version: '2', userId: t.admin.id, role: 'x', seconded: 'no', commitment: 'part_time' },
          `/plans/${planId}`,
        )
      ).statusCode,
    ).toBe(403);
  });

  it('shows the second of two editors a merge page with both versions, then saves their merge', async () => {
    const url = `/plans/${planId}/summary`;
    const form = {
      version: '2',
      familyName: 'Hughes family',
      strengths: 'Grandma helps with the school run.',
    };
    const first = await lead.post(url, { ...form, worries: 'Attendance has fallen to 70%.' });
    expect(first.statusCode).toBe(303);
    const second = await colleague.post(url, {
      ...form,
      worries: 'Beth has been crying at the school gate.',
    });
    expect(second.statusCode).toBe(409);
    expect(errorSummary(second.body)).toEqual([
      '#worries What we are worried about: pat smith saved a change while you were editing. Compare it with yours and save again',
    ]);
    expect(second.body).toContain('Attendance has fallen to 70%.');
    expect(second.body).toContain('Beth has been crying at the school gate.');
    expect(second.body).toContain('name="version" value="3"');
    const merged = await colleague.post(url, {
      ...form,
      version: '3',
      worries: 'Attendance has fallen to 70%. Beth has been crying at the school gate.',
    });
    expect(merged.statusCode).toBe(303);
    expect((await plans())[0]).toMatchObject({
      worries: 'Attendance has fallen to 70%. Beth has been crying at the school gate.',
      version: 4,
    });
  });

  it('hands over, refusing a handover without a note', async () => {
    const url = `/plans/${planId}/lead`;
    const noNote = await lead.post(url, { version: '4', leadUserId: colleagueUser.id, outgoing: 'stay' });
    expect(noNote.statusCode).toBe(400);
    expect(errorSummary(noNote.body)).toEqual([
      '#note Enter a handover note: what the new lead professional needs to know',
    ]);
    const stale = await lead.post(url, {
      version: '3',
      leadUserId: colleagueUser.id,
      note: 'Over to you',
      outgoing: 'stay',
    });
    expect(stale.statusCode).toBe(409);
    const done = await lead.post(url, {
      version: '4',
      leadUserId: colleagueUser.id,
      note: 'Mum prefers texts',
      outgoing: 'stay',
      outgoingRole: 'Social worker',
    });
    expect(done.statusCode).toBe(303);
    const page = await colleague.get(`/plans/${planId}`);
    expect(page.body).toContain('Mum prefers texts');
    expect(page.body).toContain(`/plans/${planId}/team/new`);
  });

  it('steps up, takes a child off the plan and closes it', async () => {
    const step = await colleague.post(`/plans/${planId}/kind`, {
      version: '5',
      kind: 'child_protection',
      reason: 'The initial conference decided a plan',
      'stage-day': '2',
      'stage-month': '3',
      'stage-year': '2026',
    });
    expect(step.statusCode).toBe(303);
    expect((await plans())[0]).toMatchObject({ kind: 'child_protection', nextReviewDue: '2026-06-02' });
    const remove = `/plans/${planId}/children/${sister}/remove`;
    expect((await colleague.get(remove)).statusCode).toBe(200);
    expect((await colleague.post(remove, { version: '6' })).statusCode).toBe(400);
    expect((await colleague.post(remove, { version: '6', reason: 'Moved to her father’s' })).statusCode).toBe(
      303,
    );
    expect((await colleague.get(`/plans/${t.admin.id}/children/${sister}/remove`)).statusCode).toBe(404);
    const close = `/plans/${planId}/close`;
    expect((await colleague.get(close)).statusCode).toBe(200);
    const closed = await colleague.post(close, {
      version: '7',
      reason: 'Goals met',
      'closed-day': '2',
      'closed-month': '3',
      'closed-year': '2026',
    });
    expect(closed.statusCode).toBe(303);
    expect(closed.headers.location).toBe('/plans');
    expect((await plans())[0]).toMatchObject({ status: 'closed' });
    expect((await colleague.get('/plans')).body).toContain('Closed in the last year');
  });

  it('lets a manager allocate a front-door episode and set review intervals; not a practitioner', async () => {
    const other = await person('Cara');
    const contact = await t.database.db
      .insertInto('contacts')
      .values({
        partnershipId: t.partnershipId,
        receivedAt: new Date('2026-02-26T10:00:00Z'),
        recordedAt: new Date('2026-02-26T10:00:00Z'),
        dueAt: new Date('2026-02-27T10:00:00Z'),
        channel: 'phone',
        source: '2A',
        personId: other,
        worries: 'Bruises',
        familyAware: false,
        consent: 'not_sought',
        consentReason: 'Risk',
        urgency: 'today',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const episode = await t.database.db
      .insertInto('episodes')
      .values({
        partnershipId: t.partnershipId,
        personId: other,
        contactId: contact.id,
        kind: 'strategy_discussion',
        openedAt: new Date('2026-02-27T10:00:00Z'),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect((await lead.get('/plans/allocation')).statusCode).toBe(403);
    const queue = await manager.get('/plans/allocation');
    expect(queue.statusCode).toBe(200);
    expect(queue.body).toContain('Cara Hughes');
    const url = `/episodes/${episode.id}/allocate`;
    const form = await manager.get(url);
    expect(form.statusCode).toBe(200);
    expect(form.body).toMatch(/value="child_protection" checked/);
    const noLead = await manager.post(url, {
      ...PLAN,
      version: '1',
      kind: 'child_protection',
      childIds: other,
      'started-day': '2',
      'started-month': '3',
    });
    expect(noLead.statusCode).toBe(400);
    expect(errorSummary(noLead.body)).toEqual(['#leadUserId Select the lead professional']);
    const allocated = await manager.post(url, {
      ...PLAN,
      version: '1',
      kind: 'child_protection',
      childIds: other,
      leadUserId: t.practitioner.id,
      'started-day': '2',
      'started-month': '3',
    });
    expect(allocated.statusCode).toBe(303);
    expect((await lead.get(String(allocated.headers.location))).statusCode).toBe(200);
    expect((await manager.get(url)).body).toContain('This has already been allocated');

    expect((await lead.get('/plans/settings')).statusCode).toBe(403);
    const bad = await manager.post('/plans/settings', {
      version: '1',
      earlyHelpReviewWeeks: '13',
      childInNeedReviewWeeks: '8',
      reminderDays: '7',
    });
    expect(bad.statusCode).toBe(400);
    expect(errorSummary(bad.body)).toEqual([
      '#earlyHelpReviewWeeks Enter the weeks between early help reviews as a whole number of weeks from 6 to 12',
    ]);
    const saved = await manager.post('/plans/settings', {
      version: '1',
      earlyHelpReviewWeeks: '10',
      childInNeedReviewWeeks: '8',
      reminderDays: '7',
    });
    expect(saved.statusCode).toBe(303);
    expect(
      (
        await manager.post('/plans/settings', {
          version: '1',
          earlyHelpReviewWeeks: '12',
          childInNeedReviewWeeks: '8',
          reminderDays: '7',
        })
      ).statusCode,
    ).toBe(409);
  });
});
