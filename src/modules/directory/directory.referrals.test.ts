import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../common/errors.ts';
import { AccessGate, AccessService } from '../access/index.ts';
import { AuditService } from '../audit/index.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { buildPracticeWorld, type PracticeWorld } from '../../../test/helpers/directory-practice.ts';
import { DirectoryReferralService, ReferralDecisionInput, ReferralInput } from './directory.referrals.ts';
import { SignpostService } from './directory.signposts.ts';

let database: TestDatabase;
let world: PracticeWorld;
let referrals: DirectoryReferralService;
let signposts: SignpostService;

beforeAll(async () => {
  database = await createTestDatabase();
  const audit = new AuditService(database.db);
  const access = new AccessService(database.db, audit);
  const gate = new AccessGate(database.db, audit);
  referrals = new DirectoryReferralService(database.db, audit, access, gate);
  signposts = new SignpostService(database.db, access, gate);
  world = await buildPracticeWorld(database.db);
});
afterAll(() => database?.close());

const input = (overrides: Record<string, unknown> = {}) =>
  ReferralInput.parse({
    reason: 'Mum is struggling with the morning routine since the baby arrived',
    familyConsent: 'yes',
    idempotencyKey: randomUUID(),
    ...overrides,
  });

const refer = (overrides: Record<string, unknown> = {}, serviceId = world.services.referrable) =>
  referrals.refer(world.users.worker.ctx(), world.child, serviceId, input(overrides));

async function events(action: string, outcome: 'success' | 'denied' = 'success') {
  return database.db
    .selectFrom('auditEvents')
    .selectAll()
    .where('partnershipId', '=', world.partnershipId)
    .where('action', '=', action)
    .where('outcome', '=', outcome)
    .execute();
}

async function notificationsOf(userId: string) {
  return database.db.selectFrom('notifications').selectAll().where('userId', '=', userId).execute();
}

const fieldOf = (error: unknown) => (error as ValidationError).fields[0]!.field;

describe('referring a child to a service', () => {
  it('sends the referral, tells the provider’s staff, and audits it through the gate', async () => {
    const form = await referrals.referForm(world.users.worker.ctx(), world.child, world.services.referrable);
    expect(form.service).toMatchObject({ capacity: 'limited', waitWeeks: 3, name: 'Family support workers' });
    expect(form.refusal).toBeNull();

    const made = await refer();
    expect(made.replayed).toBe(false);
    const row = await database.db
      .selectFrom('directoryReferrals')
      .selectAll()
      .where('id', '=', made.referralId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'sent', familyConsent: true, referredBy: world.users.worker.id });

    for (const user of [world.users.provider, world.users.providerColleague]) {
      const told = await notificationsOf(user.id);
      expect(
        told.some(
          (n) => n.kind === 'directory_referral' && n.link === `/directory/referrals/${made.referralId}`,
        ),
      ).toBe(true);
      expect(told.every((n) => !n.message.includes('Maya'))).toBe(true);
    }
    expect(await notificationsOf(world.users.otherAgency.id)).toHaveLength(0);
    const created = await events('directory.referral.create');
    expect(
      created.some((e) => e.itemIds.includes(made.referralId) && e.personIds.includes(world.child)),
    ).toBe(true);
    expect((await events('directory.referral.form')).length).toBeGreaterThan(0);

    const page = await signposts.ofChild(world.users.worker.ctx(), world.child);
    expect(page.referrals.find((r) => r.id === made.referralId)).toMatchObject({ status: 'sent' });
  });

  it('answers the same referral to the same key and body, and refuses the same key with a different body', async () => {
    const key = randomUUID();
    const first = await refer({ idempotencyKey: key });
    const again = await refer({ idempotencyKey: key });
    expect(again).toEqual({ ...first, replayed: true });
    const error = await refer({ idempotencyKey: key, reason: 'Something else' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    const rows = await database.db
      .selectFrom('directoryReferrals')
      .select('id')
      .where('idempotencyKey', '=', key)
      .execute();
    expect(rows).toHaveLength(1);
  });

  it('refuses a referral the family did not agree to, naming the field, and writes nothing', async () => {
    const key = randomUUID();
    const error = await refer({ familyConsent: 'no', idempotencyKey: key }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(fieldOf(error)).toBe('familyConsent');
    expect((error as Error).message).toMatch(/needs the family’s agreement.*front door/);
    expect(
      await database.db
        .selectFrom('directoryReferrals')
        .select('id')
        .where('idempotencyKey', '=', key)
        .execute(),
    ).toHaveLength(0);
  });

  it('refuses a service that does not take professional referrals, or whose provider is not in the partnership', async () => {
    await expect(refer({}, world.services.dropIn)).rejects.toThrow(/does not take professional referrals/);
    await expect(refer({}, world.services.elsewhere)).rejects.toThrow(
      /does not answer referrals through Wraparound/,
    );
    const form = await referrals.referForm(world.users.worker.ctx(), world.child, world.services.dropIn);
    expect(form.refusal).toMatch(/does not take professional referrals/);
    await expect(refer({}, randomUUID())).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses a practitioner not involved with the child, audited', async () => {
    await expect(
      referrals.refer(world.users.uninvolved.ctx(), world.child, world.services.referrable, input()),
    ).rejects.toBeInstanceOf(ForbiddenError);
    expect(
      (await events('directory.referral.create', 'denied')).some(
        (e) => e.actorUserId === world.users.uninvolved.id,
      ),
    ).toBe(true);
  });
});

describe('the provider’s answer', () => {
  it('lists the agency’s referrals waiting first with their age, and shows one, each look audited with its basis', async () => {
    const made = await refer();
    const later = world.users.provider.ctx(new Date(Date.parse('2026-03-05T09:30:00Z')));
    const inbox = await referrals.inbox(later);
    expect(inbox.length).toBeGreaterThan(0);
    expect(inbox[0]!.status).toBe('sent');
    expect(inbox.find((r) => r.id === made.referralId)).toMatchObject({ ageDays: 3, givenName: 'Maya' });
    const listed = await events('directory.referral.list');
    expect(
      listed.some((e) => e.actorUserId === world.users.provider.id && e.personIds.includes(world.child)),
    ).toBe(true);

    const shown = await referrals.get(world.users.provider.ctx(), made.referralId);
    expect(shown).toMatchObject({
      givenName: 'Maya',
      dateOfBirth: '2018-05-04',
      familyConsent: true,
      referredByName: world.users.worker.actor.displayName,
    });
    const viewed = await events('directory.referral.view');
    const event = viewed.find((e) => e.subjectId === made.referralId)!;
    expect(event.personIds).toEqual([world.child]);
    expect(event.basis).toMatchObject({ kind: 'directory_referral', familyConsent: true });
  });

  it('accepts a referral and tells the referrer, who sees the outcome on the child’s page', async () => {
    const made = await refer();
    await referrals.decide(
      world.users.provider.ctx(),
      made.referralId,
      ReferralDecisionInput.parse({ decision: 'accept', version: '1' }),
    );
    const told = await notificationsOf(world.users.worker.id);
    expect(
      told.some(
        (n) =>
          n.kind === 'directory_referral_decided' &&
          n.personId === world.child &&
          n.message.includes('accepted'),
      ),
    ).toBe(true);
    const page = await signposts.ofChild(world.users.worker.ctx(), world.child);
    expect(page.referrals.find((r) => r.id === made.referralId)).toMatchObject({ status: 'accepted' });
    expect((await events('directory.referral.decide')).some((e) => e.subjectId === made.referralId)).toBe(
      true,
    );
  });

  it('needs a reason to decline, refuses a stale version, and shows the reason to the referrer', async () => {
    const made = await refer();
    const noReason = ReferralDecisionInput.safeParse({ decision: 'decline', reason: ' ', version: '1' });
    expect(noReason.success).toBe(false);
    expect(noReason.error!.issues[0]!.path).toEqual(['reason']);
    const error = await referrals
      .decide(world.users.provider.ctx(), made.referralId, { decision: 'decline', reason: '', version: 1 })
      .catch((e: unknown) => e);
    expect(fieldOf(error)).toBe('reason');

    await referrals.decide(world.users.providerColleague.ctx(), made.referralId, {
      decision: 'decline',
      reason: 'Outside our area',
      version: 1,
    });
    const stale = await referrals
      .decide(world.users.provider.ctx(), made.referralId, { decision: 'accept', reason: '', version: 1 })
      .catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(ConflictError);
    const page = await signposts.ofChild(world.users.worker.ctx(), world.child);
    expect(page.referrals.find((r) => r.id === made.referralId)).toMatchObject({
      status: 'declined',
      decisionReason: 'Outside our area',
    });
  });

  it('shows another organisation nothing: not found, audited', async () => {
    const made = await refer();
    await expect(referrals.get(world.users.otherAgency.ctx(), made.referralId)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(
      referrals.decide(world.users.otherAgency.ctx(), made.referralId, {
        decision: 'accept',
        reason: '',
        version: 1,
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(await referrals.inbox(world.users.otherAgency.ctx())).toEqual([]);
    expect(await referrals.waiting(world.users.otherAgency.ctx())).toBeNull();
    expect(await referrals.waiting(world.users.provider.ctx())).toBeGreaterThan(0);
    const denied = await events('directory.referral.view', 'denied');
    expect(
      denied.some((e) => e.actorUserId === world.users.otherAgency.id && e.subjectId === made.referralId),
    ).toBe(true);
    const row = await database.db
      .selectFrom('directoryReferrals')
      .select('status')
      .where('id', '=', made.referralId)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('sent');
  });

  it('refuses someone without the permission (an analyst)', async () => {
    await expect(referrals.inbox(world.users.analyst.ctx())).rejects.toBeInstanceOf(ForbiddenError);
  });
});
