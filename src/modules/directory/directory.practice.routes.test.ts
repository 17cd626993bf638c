import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Agent, type TestApp, type TestUser } from '../../../test/helpers/web.ts';
import { buildPracticeWorld, type PracticeWorld } from '../../../test/helpers/directory-practice.ts';
import { buildCtx, TEST_NOW } from '../../../test/helpers/context.ts';
import type { Actor } from '../../common/context.ts';
import { referralsSchemas } from '../referrals/index.ts';

let t: TestApp;
let world: PracticeWorld;
let worker: Agent;
let provider: Agent;
let otherAgency: Agent;
let uninvolved: Agent;
let workerUser: TestUser;
let servicesUrl: string;

/** The error summary's links: one per field the page names. */
const summaryFields = (html: string) =>
  [...html.matchAll(/<a href="#([^"]+)"/g)].map((m) => m[1]).filter((f) => f !== 'main-content');

beforeAll(async () => {
  t = await createTestApp();
  world = await buildPracticeWorld(t.database.db, { partnershipId: t.partnershipId });
  workerUser = await t.createUser('worker@dp.example', ['practitioner']);
  const providerUser = await t.createUser('provider@dp.example', ['directory_editor']);
  const otherUser = await t.createUser('other.provider@dp.example', ['practitioner']);
  await t.createUser('uninvolved@dp.example', ['practitioner']);
  await t.database.db
    .updateTable('users')
    .set({ organisationId: world.orgs.charity })
    .where('id', '=', providerUser.id)
    .execute();
  await t.database.db
    .updateTable('users')
    .set({ organisationId: world.orgs.school })
    .where('id', '=', otherUser.id)
    .execute();
  await t.database.db
    .insertInto('involvements')
    .values({
      partnershipId: t.partnershipId,
      personId: world.child,
      userId: workerUser.id,
      kind: 'allocated_worker',
      purpose: 'early_help',
      reason: 'Allocated',
      startedAt: new Date(TEST_NOW.getTime() - 86_400_000),
    })
    .execute();
  const signIn = async (email: string) => {
    const agent = t.agent();
    await agent.signIn(email);
    return agent;
  };
  worker = await signIn('worker@dp.example');
  provider = await signIn('provider@dp.example');
  otherAgency = await signIn('other.provider@dp.example');
  uninvolved = await signIn('uninvolved@dp.example');
  servicesUrl = `/people/${world.child}/services`;
}, 60_000);
afterAll(() => t?.close());

describe('the child’s services page', () => {
  it('is linked from the child’s record and fills in the family’s postcode', async () => {
    const person = await worker.get(`/people/${world.child}`);
    expect(person.body).toContain(`href="${servicesUrl}"`);
    const page = await worker.get(servicesUrl);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Services and signposting');
    expect(page.body).toContain('value="NB1 1AA"');
  });

  it('searches the directory and offers to suggest or refer', async () => {
    const page = await worker.get(`${servicesUrl}?q=&need=&near=NB1+1AA`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Family support workers');
    expect(page.body).toContain('Suggest to the family');
    expect(page.body).toContain(`${servicesUrl}/${world.services.referrable}/refer`);
    expect(page.body).not.toContain(`${servicesUrl}/${world.services.dropIn}/refer`);
  });

  it('answers a search it cannot do with 400 naming the field', async () => {
    const page = await worker.get(`${servicesUrl}?q=&need=no-such-need&near=`);
    expect(page.statusCode).toBe(400);
    expect(summaryFields(page.body)).toContain('need');
  });

  it('suggests a service once however often the button is pressed', async () => {
    const key = randomUUID();
    const form = { serviceId: world.services.dropIn, note: 'Dad interested', idempotencyKey: key };
    const first = await worker.post(`${servicesUrl}/suggest`, form, servicesUrl);
    const second = await worker.post(`${servicesUrl}/suggest`, form, servicesUrl);
    expect([first.statusCode, second.statusCode]).toEqual([303, 303]);
    const rows = await t.database.db
      .selectFrom('directorySignposts')
      .select('id')
      .where('idempotencyKey', '=', key)
      .execute();
    expect(rows).toHaveLength(1);
    const page = await worker.get(servicesUrl);
    expect(page.body).toContain('Dad interested');
  });

  it('answers a suggestion with no service with 400 naming the field, writing nothing', async () => {
    const before = await t.database.db.selectFrom('directorySignposts').select('id').execute();
    const page = await worker.post(`${servicesUrl}/suggest`, { idempotencyKey: randomUUID() }, servicesUrl);
    expect(page.statusCode).toBe(400);
    expect(summaryFields(page.body)).toContain('serviceId');
    expect(await t.database.db.selectFrom('directorySignposts').select('id').execute()).toHaveLength(
      before.length,
    );
  });

  it('records whether the family took it up, and answers a stale version with 409', async () => {
    const key = randomUUID();
    await worker.post(
      `${servicesUrl}/suggest`,
      { serviceId: world.services.referrable, idempotencyKey: key },
      servicesUrl,
    );
    const { id } = await t.database.db
      .selectFrom('directorySignposts')
      .select('id')
      .where('idempotencyKey', '=', key)
      .executeTakeFirstOrThrow();
    const url = `${servicesUrl}/signposts/${id}`;
    const bad = await worker.post(url, { takenUp: 'maybe', version: '1' }, servicesUrl);
    expect(bad.statusCode).toBe(400);
    expect(summaryFields(bad.body)).toContain('takenUp');
    expect((await worker.post(url, { takenUp: 'yes', version: '1' }, servicesUrl)).statusCode).toBe(303);
    const stale = await worker.post(url, { takenUp: 'no', version: '1' }, servicesUrl);
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('Someone else recorded whether the family took this up');
  });

  it('is closed to a practitioner not involved with the child', async () => {
    expect((await uninvolved.get(servicesUrl)).statusCode).toBe(403);
    const post = await uninvolved.post(
      `${servicesUrl}/suggest`,
      { serviceId: world.services.dropIn, idempotencyKey: randomUUID() },
      '/',
    );
    expect(post.statusCode).toBe(403);
  });
});

describe('referring from the child’s record', () => {
  const referUrl = () => `${servicesUrl}/${world.services.referrable}/refer`;

  it('shows the capacity and wait before the practitioner refers', async () => {
    const page = await worker.get(referUrl());
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Few places left');
    expect(page.body).toContain('3 weeks');
  });

  it('answers an empty form with 400 naming each field', async () => {
    const page = await worker.post(referUrl(), { idempotencyKey: randomUUID() });
    expect(page.statusCode).toBe(400);
    expect(summaryFields(page.body)).toEqual(expect.arrayContaining(['reason', 'familyConsent']));
  });

  it('refuses a referral the family did not agree to, pointing to the front door', async () => {
    const page = await worker.post(referUrl(), {
      idempotencyKey: randomUUID(),
      reason: 'Needs help',
      familyConsent: 'no',
    });
    expect(page.statusCode).toBe(400);
    expect(summaryFields(page.body)).toContain('familyConsent');
    expect(page.body).toContain('needs the family’s agreement');
    expect(page.body).toContain('href="/contacts/new"');
  });

  it('refuses a service that does not take professional referrals', async () => {
    const url = `${servicesUrl}/${world.services.dropIn}/refer`;
    const page = await worker.get(url);
    expect(page.body).toContain('does not take professional referrals');
    const post = await worker.post(
      url,
      { idempotencyKey: randomUUID(), reason: 'Needs help', familyConsent: 'yes' },
      referUrl(),
    );
    expect(post.statusCode).toBe(409);
  });

  it('sends a referral once per key; the provider answers; the referrer is told and sees it', async () => {
    const key = randomUUID();
    const form = { idempotencyKey: key, reason: 'Mornings are chaos', familyConsent: 'yes' };
    expect((await worker.post(referUrl(), form)).statusCode).toBe(303);
    expect((await worker.post(referUrl(), form)).statusCode).toBe(303);
    expect((await worker.post(referUrl(), { ...form, reason: 'Something else' })).statusCode).toBe(409);
    const { id } = await t.database.db
      .selectFrom('directoryReferrals')
      .select('id')
      .where('idempotencyKey', '=', key)
      .executeTakeFirstOrThrow();

    const home = await provider.get('/');
    expect(home.body).toContain('Referrals to your services');
    expect(home.body).toMatch(/\d+ waiting/);
    const notifications = await provider.get('/notifications');
    expect(notifications.body).toContain(`/directory/referrals/${id}`);
    const inbox = await provider.get('/directory/referrals');
    expect(inbox.statusCode).toBe(200);
    expect(inbox.body).toContain('Maya Okafor');
    const url = `/directory/referrals/${id}`;
    const shown = await provider.get(url);
    expect(shown.statusCode).toBe(200);
    expect(shown.body).toContain('Mornings are chaos');

    const noReason = await provider.post(url, { decision: 'decline', reason: '', version: '1' });
    expect(noReason.statusCode).toBe(400);
    expect(summaryFields(noReason.body)).toContain('reason');
    const declined = await provider.post(url, {
      decision: 'decline',
      reason: 'Full until June',
      version: '1',
    });
    expect(declined.statusCode).toBe(303);
    const stale = await provider.post(url, { decision: 'accept', reason: '', version: '1' });
    expect(stale.statusCode).toBe(409);

    const told = await worker.get('/notifications');
    expect(told.body).toContain('declined your referral');
    const page = await worker.get(servicesUrl);
    expect(page.body).toContain('Full until June');
  });

  it('shows another organisation nothing', async () => {
    const key = randomUUID();
    await worker.post(referUrl(), { idempotencyKey: key, reason: 'Private', familyConsent: 'yes' });
    const { id } = await t.database.db
      .selectFrom('directoryReferrals')
      .select('id')
      .where('idempotencyKey', '=', key)
      .executeTakeFirstOrThrow();
    const page = await otherAgency.get(`/directory/referrals/${id}`);
    expect(page.statusCode).toBe(404);
    expect(page.body).not.toContain('Maya');
    const post = await otherAgency.post(
      `/directory/referrals/${id}`,
      { decision: 'accept', reason: '', version: '1' },
      '/',
    );
    expect(post.statusCode).toBe(404);
    const inbox = await otherAgency.get('/directory/referrals');
    expect(inbox.body).not.toContain('Maya');
    expect((await otherAgency.get('/')).body).not.toContain('Referrals to your services');
  });
});

describe('the front door and the contact centre', () => {
  let frontDoor: Agent;
  let frontDoorActor: Actor;

  beforeAll(async () => {
    const user = await t.createUser('front.door@dp.example', ['front_door']);
    frontDoorActor = {
      userId: user.id,
      partnershipId: t.partnershipId,
      organisationId: t.organisationId,
      roles: ['front_door'],
      displayName: 'front door',
    };
    await t.database.db
      .insertInto('involvements')
      .values({
        partnershipId: t.partnershipId,
        personId: world.child,
        userId: user.id,
        kind: 'other',
        purpose: 'early_help',
        reason: 'Front door',
        startedAt: new Date(TEST_NOW.getTime() - 86_400_000),
      })
      .execute();
    frontDoor = t.agent();
    await frontDoor.signIn('front.door@dp.example');
  });

  it('offers the directory when a contact is decided as information and signposting; suggestions carry the contact', async () => {
    const workerCtx = buildCtx(
      {
        userId: workerUser.id,
        partnershipId: t.partnershipId,
        organisationId: t.organisationId,
        roles: ['practitioner'],
        displayName: 'worker',
      },
      { now: t.clock.now() },
    );
    const fd = t.services.frontDoor;
    const { id } = await fd.create(
      workerCtx,
      referralsSchemas.ContactInput.parse({
        channel: 'email',
        child: { personId: world.child },
        worries: 'The family is isolated and asked for help with activities',
        familyAware: true,
        consent: 'given',
        urgency: 'standard',
        sectorAnswers: Object.fromEntries(
          Object.values(referralsSchemas.SECTOR_PROMPTS)
            .flat()
            .map((prompt) => [prompt.key, 'Not known']),
        ),
      }),
    );
    const ctx = buildCtx(frontDoorActor, { now: t.clock.now() });
    const version = async () =>
      (
        await t.database.db
          .selectFrom('contacts')
          .select('version')
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).version;
    await fd.claim(ctx, id, await version());
    await fd.prioritise(ctx, id, await version(), 'green');
    await fd.decide(ctx, id, {
      version: await version(),
      outcome: 'information_and_signposting',
      levelOfNeed: 'universal',
      reason: 'Universal services will help',
    });
    const contact = await frontDoor.get(`/contacts/${id}`);
    const link = `/people/${world.child}/services?contact=${id}`;
    expect(contact.body).toContain(`href="${link}"`);
    const page = await frontDoor.get(link);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('You are choosing services for contact');

    const key = randomUUID();
    const made = await frontDoor.post(
      `${servicesUrl}/suggest`,
      { serviceId: world.services.dropIn, idempotencyKey: key, contactId: id },
      link,
    );
    expect(made.statusCode).toBe(303);
    expect(made.headers.location).toBe(link);
    const row = await t.database.db
      .selectFrom('directorySignposts')
      .select('contactId')
      .where('idempotencyKey', '=', key)
      .executeTakeFirstOrThrow();
    expect(row.contactId).toBe(id);
  });

  it('names the directory entry a caller was signposted to in the enquiries log', async () => {
    const form = await frontDoor.get('/enquiries/new');
    expect(form.body).toContain('Families First: Family support workers');
    const enquiry = {
      channel: 'phone',
      caller: 'parent_or_carer',
      topic: 'parenting',
      outcome: 'signposted',
      directoryServiceId: world.services.referrable,
    };
    expect((await frontDoor.post('/enquiries/new', enquiry)).statusCode).toBe(303);
    const row = await t.database.db
      .selectFrom('enquiries')
      .select('directoryServiceId')
      .where('partnershipId', '=', t.partnershipId)
      .executeTakeFirstOrThrow();
    expect(row.directoryServiceId).toBe(world.services.referrable);
    const log = await frontDoor.get('/enquiries');
    expect(log.body).toMatch(new RegExp(`href="/areas/[^/]+/services/${world.services.referrable}"`));
    expect(log.body).toContain('Family support workers');

    const notSignposted = await frontDoor.post('/enquiries/new', {
      ...enquiry,
      outcome: 'information_given',
    });
    expect(notSignposted.statusCode).toBe(400);
    expect(summaryFields(notSignposted.body)).toContain('directoryServiceId');
    const unknown = await frontDoor.post('/enquiries/new', { ...enquiry, directoryServiceId: randomUUID() });
    expect(unknown.statusCode).toBe(400);
    expect(summaryFields(unknown.body)).toContain('directoryServiceId');
  });
});
