import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, errorSummary, type Agent, type TestApp } from '../../../test/helpers/web.ts';
import { seedSignalRules } from './signals.rules.seed.ts';

/** Recording a signal and working its alert through the real app, CSRF on. TEST_NOW is 2 March 2026. */
describe('the signal and alert pages', () => {
  let t: TestApp;
  let practitioner: Agent;
  let frontDoor: Agent;
  let analyst: Agent;
  let uninvolved: Agent;
  let child: string;

  const signals = () =>
    t.database.db.selectFrom('signals').selectAll().where('personId', '=', child).execute();
  const alerts = () => t.database.db.selectFrom('alerts').selectAll().where('personId', '=', child).execute();

  beforeAll(async () => {
    t = await createTestApp();
    await seedSignalRules(t.database.db, t.partnershipId, t.admin.id, new Date('2026-03-01T00:00:00Z'));
    practitioner = t.agent();
    await practitioner.signIn(t.practitioner.email);
    frontDoor = t.agent();
    await frontDoor.signIn((await t.createUser('front.door@example.org', ['front_door'])).email);
    analyst = t.agent();
    await analyst.signIn((await t.createUser('analyst@example.org', ['analyst'])).email);
    uninvolved = t.agent();
    await uninvolved.signIn((await t.createUser('other@example.org', ['practitioner'])).email);
    child = (
      await t.database.db
        .insertInto('people')
        .values({
          partnershipId: t.partnershipId,
          kind: 'child',
          givenName: 'Noah',
          familyName: 'Price',
          dateOfBirth: '2017-02-01',
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    await t.database.db
      .insertInto('involvements')
      .values({
        partnershipId: t.partnershipId,
        personId: child,
        userId: t.practitioner.id,
        kind: 'allocated_worker',
        purpose: 'safeguarding',
        reason: 'Allocated',
        startedAt: new Date('2026-01-01T00:00:00Z'),
      })
      .execute();
  });
  afterAll(() => t.close());

  const form = async (fields: Record<string, string>) => {
    const page = await practitioner.get(`/people/${child}/signals/new`);
    const key = /name="idempotencyKey" value="([^"]+)"/.exec(page.body)![1]!;
    return {
      idempotencyKey: key,
      'observed-day': '1',
      'observed-month': '3',
      'observed-year': '2026',
      ...fields,
    };
  };

  it('shows the form with today filled in, and names each mistake without recording anything', async () => {
    const page = await practitioner.get(`/people/${child}/signals/new`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('name="observed-year" type="text" value="2026"');
    const sent = await practitioner.post(
      `/people/${child}/signals/new`,
      await form({ severity: 'extreme', description: ' ', 'observed-day': '31', 'observed-month': '2' }),
    );
    expect(sent.statusCode).toBe(400);
    expect(errorSummary(sent.body)).toEqual([
      '#category Select what the worry is about',
      '#severity Select how serious it is: low, moderate, high or severe',
      '#description Enter what you saw or heard',
      '#observed-day The date you saw it must be a real date',
    ]);
    expect(await signals()).toEqual([]);
  });

  it('records a severe signal, which raises an alert for the front door', async () => {
    const fields = await form({
      category: 'physical_harm',
      severity: 'severe',
      description: 'Bruising to the arm.',
    });
    const sent = await practitioner.post(`/people/${child}/signals/new`, fields);
    expect(sent.statusCode).toBe(303);
    expect(sent.headers.location).toBe(`/people/${child}/signals`);
    const list = await practitioner.get(`/people/${child}/signals`);
    expect(list.body).toContain('Signal recorded. It raised an alert.');
    expect(list.body).toContain('Bruising to the arm.');
    // The same form sent twice records one signal.
    await practitioner.post(`/people/${child}/signals/new`, fields);
    expect((await practitioner.get(`/people/${child}/signals`)).body).toContain(
      'You had already recorded this signal.',
    );
    expect(await signals()).toHaveLength(1);
    expect(await alerts()).toMatchObject([{ ruleKey: 'any-severe-signal', routedTo: 'front_door' }]);
  });

  it('lets the front door pick the alert up and close it with a reason', async () => {
    const [alert] = await alerts();
    const inbox = await frontDoor.get('/alerts');
    expect(inbox.body).toContain(`/alerts/${alert!.id}`);
    const before = await frontDoor.get(`/alerts/${alert!.id}`);
    expect(before.body).toContain('Pick up this alert');
    expect(before.body).not.toContain('Bruising to the arm.');
    const picked = await frontDoor.post(
      `/alerts/${alert!.id}/pick-up`,
      { version: '1' },
      `/alerts/${alert!.id}`,
    );
    expect(picked.statusCode).toBe(303);
    const after = await frontDoor.get(`/alerts/${alert!.id}`);
    expect(after.body).toContain('Bruising to the arm.');
    expect(after.body).toContain('Any severe signal (version 1)');
    const blank = await frontDoor.post(`/alerts/${alert!.id}/no-action`, { version: '2', reason: '' });
    expect(blank.statusCode).toBe(400);
    expect(errorSummary(blank.body)).toEqual(['#reason Enter why no action is needed']);
    const stale = await frontDoor.post(`/alerts/${alert!.id}/no-action`, { version: '1', reason: 'Known' });
    expect(stale.statusCode).toBe(409);
    const closed = await frontDoor.post(`/alerts/${alert!.id}/no-action`, {
      version: '2',
      reason: 'A strategy discussion is already under way.',
    });
    expect(closed.statusCode).toBe(303);
    expect(await alerts()).toMatchObject([{ status: 'closed', outcome: 'no_action' }]);
  });

  it('keeps the pages from people without the role or an involvement', async () => {
    expect((await analyst.get('/alerts')).statusCode).toBe(403);
    expect((await analyst.get(`/people/${child}/signals/new`)).statusCode).toBe(403);
    expect([403, 404]).toContain((await uninvolved.get(`/people/${child}/signals`)).statusCode);
    const [alert] = await alerts();
    expect((await uninvolved.get(`/alerts/${alert!.id}`)).statusCode).toBe(404);
    expect((await practitioner.get('/alerts/not-an-id')).statusCode).toBe(404);
  });

  it('lists a person’s unread notifications and marks one read', async () => {
    await t.database.db
      .insertInto('notifications')
      .values({
        partnershipId: t.partnershipId,
        userId: t.practitioner.id,
        kind: 'flag_check',
        personId: child,
        message: 'A clinician checked Noah Price’s flag',
        link: `/people/${child}`,
        createdAt: new Date('2026-03-02T08:00:00Z'),
      })
      .execute();
    const page = await practitioner.get('/notifications');
    expect(page.body).toContain('A clinician checked Noah Price’s flag');
    const id = /\/notifications\/([0-9a-f-]{36})\/read/.exec(page.body)![1]!;
    const read = await practitioner.post(`/notifications/${id}/read`, {}, '/notifications');
    expect(read.statusCode).toBe(303);
    expect((await practitioner.get('/notifications')).body).toContain('You have no unread notifications.');
  });
});
