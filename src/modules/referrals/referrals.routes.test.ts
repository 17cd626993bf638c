import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, errorSummary, type Agent, type TestApp } from '../../../test/helpers/web.ts';

/** The front door's pages through the real app, CSRF on. */
describe('the front door pages', () => {
  let t: TestApp;
  let practitioner: Agent;
  let frontDoor: Agent;
  let manager: Agent;
  let slug: string;

  const CONTACT = {
    idempotencyKey: 'page-key-0001-abcdef',
    childGivenName: 'Ella',
    childFamilyName: 'Brook',
    'dob-day': '1',
    'dob-month': '4',
    'dob-year': '2016',
    childPostcode: 'NB1 2AA',
    worries: 'Ella has come to school hungry every day this week.',
    urgency: 'today',
    familyAware: 'no',
    consent: 'not_sought',
    consentReason: 'Telling the family may put Ella at risk',
    channel: 'phone',
  };

  beforeAll(async () => {
    t = await createTestApp();
    practitioner = t.agent();
    await practitioner.signIn(t.practitioner.email);
    frontDoor = t.agent();
    await frontDoor.signIn((await t.createUser('front.door@example.org', ['front_door'])).email);
    manager = t.agent();
    await manager.signIn(
      (await t.createUser('manager@example.org', ['team_manager'], { twoFactor: true })).email,
    );
    slug = (
      await t.database.db
        .selectFrom('partnerships')
        .select('slug')
        .where('id', '=', t.partnershipId)
        .executeTakeFirstOrThrow()
    ).slug;
  });
  afterAll(() => t.close());

  const contacts = () =>
    t.database.db.selectFrom('contacts').selectAll().where('partnershipId', '=', t.partnershipId).execute();

  it('shows the form again with each problem on its field, and writes nothing', async () => {
    const page = await practitioner.post(
      '/contacts/new',
      { childGivenName: 'Ella', consent: 'refused' },
      '/contacts/new',
    );
    expect(page.statusCode).toBe(400);
    expect(errorSummary(page.body)).toEqual([
      '#childFamilyName Give the child’s family name with their date of birth, age or address; or, if you do not know their name, describe them and say where they live',
      '#worries Enter what worries you about the child',
      '#urgency Select how urgent this is',
      '#familyAware Say whether the family knows about this contact',
      '#consentReason Say why you are making the contact without the family’s agreement (for example, risk of harm)',
      '#channel Select how the contact came in',
    ]);
    expect(page.body).toContain('value="Ella"');
    expect(page.body).toContain('value="phone"');
    expect(page.body).not.toContain('value="api"');
    expect(await contacts()).toEqual([]);
  });

  it('refuses a date of birth in the future on its box', async () => {
    const page = await practitioner.post(
      '/contacts/new',
      { ...CONTACT, 'dob-year': '2030' },
      '/contacts/new',
    );
    expect(page.statusCode).toBe(400);
    expect(errorSummary(page.body)[0]).toMatch(/^#dob-day The date of birth cannot be in the future/);
  });

  it('records one contact however often the form is sent, then shows it to its referrer', async () => {
    const first = await practitioner.post('/contacts/new', CONTACT, '/contacts/new');
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toBe('/contacts/mine');
    const again = await practitioner.post('/contacts/new', CONTACT, '/contacts/new');
    expect(again.statusCode).toBe(303);
    expect(await contacts()).toHaveLength(1);
    const mine = await practitioner.get('/contacts/mine');
    expect(mine.body).toContain('Ella Brook');
    expect(mine.body).toContain('Not yet shared with you');
  });

  it('lets the front door claim, prioritise and decide; a second claim is refused with who has it', async () => {
    const [contact] = await contacts();
    const queue = await frontDoor.get('/front-door');
    expect(queue.statusCode).toBe(200);
    expect(queue.body).toContain(`/contacts/${contact!.id}`);
    const url = `/contacts/${contact!.id}`;
    expect((await frontDoor.post(`${url}/claim`, { version: '1' }, url)).statusCode).toBe(303);
    const second = await manager.post(`${url}/claim`, { version: '1' }, url);
    expect(second.statusCode).toBe(409);
    expect(errorSummary(second.body)).toEqual(['#form front door has already claimed this contact']);
    expect((await frontDoor.post(`${url}/priority`, { version: '2' }, url)).statusCode).toBe(400);
    expect(
      (await frontDoor.post(`${url}/priority`, { version: '2', priority: 'amber' }, url)).statusCode,
    ).toBe(303);
    const noReason = await frontDoor.post(`${url}/decision`, {
      version: '3',
      outcome: 'information_and_signposting',
      levelOfNeed: 'universal',
    });
    expect(noReason.statusCode).toBe(400);
    expect(errorSummary(noReason.body)).toEqual(['#reason Enter the reason for the decision']);
    const decided = await frontDoor.post(`${url}/decision`, {
      version: '3',
      outcome: 'information_and_signposting',
      levelOfNeed: 'universal',
      reason: 'Signposted to the school nursing drop-in',
    });
    expect(decided.statusCode).toBe(303);
    const again = await frontDoor.post(`${url}/decision`, {
      version: '4',
      outcome: 'no_further_action',
      levelOfNeed: 'universal',
      reason: 'Twice',
    });
    expect(again.statusCode).toBe(409);
    const page = await frontDoor.get(url);
    expect(page.body).toContain('Information, advice and signposting');
  });

  it('keeps the queue from practitioners and the contact from anyone not its referrer', async () => {
    const [contact] = await contacts();
    expect((await practitioner.get('/front-door')).statusCode).toBe(403);
    const other = t.agent();
    await other.signIn((await t.createUser('other@example.org', ['practitioner'])).email);
    expect((await other.get(`/contacts/${contact!.id}`)).statusCode).toBe(404);
    expect((await practitioner.get(`/contacts/${contact!.id}`)).statusCode).toBe(200);
  });

  it('takes a concern from the public, anonymously, and answers with a reference', async () => {
    const anonymous = t.agent();
    const url = `/areas/${slug}/report-a-concern`;
    expect((await anonymous.get(url)).statusCode).toBe(200);
    const sent = await anonymous.post(url, { ...CONTACT, idempotencyKey: 'public-key-0001-abcdef' });
    expect(sent.statusCode).toBe(303);
    expect(sent.headers.location).toMatch(new RegExp(`^${url}/sent\\?reference=\\d+$`));
    const row = (await contacts()).find((c) => c.channel === 'online_form')!;
    expect(row).toMatchObject({ referrerUserId: null, source: '10' });
    expect((await anonymous.get('/areas/no-such-area/report-a-concern')).statusCode).toBe(404);
  });

  it('lets an administrator set the timescales, checking each value and refusing a stale form', async () => {
    const admin = t.agent();
    await admin.signIn(t.admin.email);
    expect((await frontDoor.get('/front-door/settings')).statusCode).toBe(403);
    const page = await admin.get('/front-door/settings');
    expect(page.statusCode).toBe(200);
    const form = {
      version: '1',
      calendar: 'scotland',
      decisionWorkingDays: '2',
      redHours: '2',
      amberHours: '12',
      greenHours: '48',
      approvalOutcomes: ['strategy_discussion'],
    };
    const bad = await admin.post('/front-door/settings', {
      ...form,
      decisionWorkingDays: '0',
      redHours: 'soon',
    });
    expect(bad.statusCode).toBe(400);
    expect(errorSummary(bad.body)).toEqual([
      '#decisionWorkingDays At least 1 working day',
      '#redHours Enter hours for red',
    ]);
    expect((await admin.post('/front-door/settings', form)).statusCode).toBe(303);
    expect((await admin.post('/front-door/settings', form)).statusCode).toBe(409);
    const settings = await t.services.frontDoor.settings({
      actor: { system: 'test', partnershipId: t.partnershipId },
      requestId: 'test',
      now: t.clock.now(),
    });
    expect(settings).toMatchObject({
      calendar: 'scotland',
      decisionWorkingDays: 2,
      approvalOutcomes: ['strategy_discussion'],
    });
  });

  it('logs an enquiry with no child in it', async () => {
    const missing = await frontDoor.post('/enquiries/new', { channel: 'phone' });
    expect(missing.statusCode).toBe(400);
    const logged = await frontDoor.post('/enquiries/new', {
      channel: 'phone',
      caller: 'parent_or_carer',
      topic: 'childcare',
      outcome: 'signposted',
      serviceName: 'Family Information Service',
    });
    expect(logged.statusCode).toBe(303);
    expect((await frontDoor.get('/enquiries')).body).toContain('Family Information Service');
  });
});
