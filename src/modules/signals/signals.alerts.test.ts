import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../common/errors.ts';
import { createServices, type Services } from '../../composition.ts';
import { loadConfig } from '../../config.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { buildCtx, TEST_NOW } from '../../../test/helpers/context.ts';
import { insertPlan } from '../../../test/helpers/plan-work-fixture.ts';
import { buildTrustWorld, type World, type WorldUser } from '../../../test/helpers/trust-world.ts';
import { seedSignalRules } from './signals.rules.seed.ts';
import type { SignalInput } from './signals.schemas.ts';

/** TEST_NOW is Monday 2 March 2026, 09:30 UTC. */
const HOUR = 3_600_000;

describe('signals and alerts', () => {
  let database: TestDatabase;
  let services: Services;
  let w: World;
  let frontDoorWorker: WorldUser;

  beforeAll(async () => {
    database = await createTestDatabase();
    services = createServices(database.db, loadConfig({ DATA_DIR: 'memory://' }));
    w = await buildTrustWorld(database.db);
    await seedSignalRules(database.db, w.partnershipId, w.users.manager.id, TEST_NOW);
    const row = await database.db
      .insertInto('users')
      .values({
        partnershipId: w.partnershipId,
        email: 'front.door@world.example',
        displayName: 'front.door',
        organisationId: w.orgs.council,
        roles: ['front_door'],
        passwordHash: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const actor = {
      userId: row.id,
      partnershipId: w.partnershipId,
      organisationId: w.orgs.council,
      roles: ['front_door' as const],
      displayName: 'front.door',
    };
    frontDoorWorker = {
      id: row.id,
      email: 'front.door@world.example',
      actor,
      ctx: (now = TEST_NOW) => buildCtx(actor, { now }),
    };
  });
  afterAll(() => database.close());

  const db = () => database.db;

  /** A child with an allocated-worker involvement for each user given. */
  const newChild = async (involved: WorldUser[]) => {
    const id = (
      await db()
        .insertInto('people')
        .values({
          partnershipId: w.partnershipId,
          kind: 'child',
          givenName: 'Ava',
          familyName: 'Reid',
          dateOfBirth: '2015-01-01',
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    for (const user of involved)
      await db()
        .insertInto('involvements')
        .values({
          partnershipId: w.partnershipId,
          personId: id,
          userId: user.id,
          kind: 'allocated_worker',
          purpose: 'safeguarding',
          reason: 'Test involvement',
          startedAt: new Date('2026-01-01T00:00:00Z'),
        })
        .execute();
    return id;
  };

  /** A child on an open plan led by the social worker, the teacher and GP involved with them. */
  const childOnPlan = async () => {
    const made = await insertPlan(db(), {
      partnershipId: w.partnershipId,
      leadId: w.users.socialWorker.id,
      involvedOnly: [w.users.teacher.id, w.users.gp.id],
      children: ['Ava'],
    });
    return { child: made.childIds[0]!, planId: made.planId };
  };

  const signal = (overrides: Partial<SignalInput> = {}): SignalInput => ({
    category: 'neglect',
    severity: 'low',
    description: 'Came to school hungry again.',
    observedOn: '2026-02-27',
    idempotencyKey: randomUUID(),
    ...overrides,
  });

  const alertsOf = (personId: string) =>
    db().selectFrom('alerts').selectAll().where('personId', '=', personId).orderBy('raisedAt').execute();

  /** Three signals from two agencies within 90 days: the default rule holds. */
  const threeWorries = async (personId: string, at = TEST_NOW) => {
    const { teacher, gp } = w.users;
    await services.signals.record(teacher.ctx(at), personId, signal());
    await services.signals.record(teacher.ctx(at), personId, signal({ category: 'school_attendance' }));
    return services.signals.record(gp.ctx(at), personId, signal({ category: 'health_needs_not_met' }));
  };

  it('records a signal once per idempotency key, audited with the child', async () => {
    const child = await newChild([w.users.teacher]);
    const input = signal();
    const first = await services.signals.record(w.users.teacher.ctx(), child, input);
    const again = await services.signals.record(w.users.teacher.ctx(), child, input);
    expect(again).toEqual({ signalId: first.signalId, replayed: true, alertsRaised: 0 });
    const rows = await db().selectFrom('signals').selectAll().where('personId', '=', child).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ severity: 1, dataType: 'social_care', organisationId: w.orgs.school });
    const events = await db()
      .selectFrom('auditEvents')
      .select(['action'])
      .where('subjectId', '=', child)
      .where('action', '=', 'signal.record')
      .execute();
    expect(events).toHaveLength(2);
  });

  it('refuses a signal from someone with no involvement, and from an analyst', async () => {
    const child = await newChild([w.users.teacher]);
    await expect(services.signals.record(w.users.uninvolved.ctx(), child, signal())).rejects.toThrow(
      ForbiddenError,
    );
    await expect(services.signals.record(w.users.analyst.ctx(), child, signal())).rejects.toThrow(
      ForbiddenError,
    );
    expect(await db().selectFrom('signals').select('id').where('personId', '=', child).execute()).toEqual([]);
  });

  it('raises one alert for the front door when three signals from two agencies add up', async () => {
    const child = await newChild([w.users.teacher, w.users.gp]);
    const last = await threeWorries(child);
    expect(last.alertsRaised).toBe(1);
    const [alert] = await alertsOf(child);
    expect(alert).toMatchObject({
      ruleKey: 'three-signals-two-agencies',
      routedTo: 'front_door',
      assignedUserId: null,
      status: 'open',
    });
    expect(alert!.signalIds).toHaveLength(3);
    expect(alert!.explanation).toMatch(/version 1/);
    // A fourth signal joins the live alert rather than raising a second.
    await services.signals.record(w.users.gp.ctx(), child, signal({ category: 'housing' }));
    const after = await alertsOf(child);
    expect(after).toHaveLength(1);
    expect(after[0]!.signalIds).toHaveLength(4);
  });

  it('routes the alert to the lead professional of the child’s plan, and tells them', async () => {
    const lead = w.users.socialWorker;
    const { child } = await childOnPlan();
    await threeWorries(child);
    const [alert] = await alertsOf(child);
    expect(alert).toMatchObject({ routedTo: 'lead_professional', assignedUserId: lead.id });
    const notes = await services.alerts.notifications(lead.ctx());
    expect(notes.some((n) => n.link === `/alerts/${alert!.id}`)).toBe(true);
    const inbox = await services.alerts.inbox(lead.ctx());
    expect(inbox.mine.map((a) => a.id)).toContain(alert!.id);
    expect(inbox.frontDoor).toBeNull();
  });

  it('lets the front door pick an alert up, which involves them until it closes', async () => {
    const child = await newChild([w.users.teacher, w.users.gp]);
    await threeWorries(child);
    const [alert] = await alertsOf(child);
    const worker = frontDoorWorker;
    const before = await services.alerts.get(worker.ctx(), alert!.id);
    expect(before.pickUpNeeded).toBe(true);
    await services.alerts.pickUp(worker.ctx(), alert!.id, { version: 1 });
    const seen = await services.alerts.get(worker.ctx(), alert!.id);
    expect(seen.pickUpNeeded).toBe(false);
    expect(seen.alert.status).toBe('acknowledged');
    // A stale version is refused and changes nothing.
    await expect(
      services.alerts.closeWithNoAction(worker.ctx(), alert!.id, { version: 1, reason: 'Known' }),
    ).rejects.toThrow(ConflictError);
    await services.alerts.closeWithNoAction(worker.ctx(), alert!.id, {
      version: 2,
      reason: 'Already known to the team',
    });
    const [closed] = await alertsOf(child);
    expect(closed).toMatchObject({
      status: 'closed',
      outcome: 'no_action',
      outcomeNote: 'Already known to the team',
    });
    const involvement = await db()
      .selectFrom('involvements')
      .select(['endedAt'])
      .where('id', '=', closed!.pickedUpInvolvementId!)
      .executeTakeFirstOrThrow();
    expect(involvement.endedAt).not.toBeNull();
    await expect(services.alerts.get(worker.ctx(), alert!.id)).rejects.toThrow(NotFoundError);
  });

  it('does not raise again on the same signals after "no action", but does on a new one', async () => {
    const child = await newChild([w.users.teacher, w.users.gp]);
    await threeWorries(child);
    const [alert] = await alertsOf(child);
    await services.alerts.pickUp(frontDoorWorker.ctx(), alert!.id, { version: 1 });
    await services.alerts.closeWithNoAction(frontDoorWorker.ctx(), alert!.id, {
      version: 2,
      reason: 'In hand',
    });
    const later = new Date(TEST_NOW.getTime() + HOUR);
    const replay = await services.signals.record(
      w.users.teacher.ctx(later),
      child,
      signal({ observedOn: '2026-03-02' }),
    );
    expect(replay.alertsRaised).toBe(1);
    expect(await alertsOf(child)).toHaveLength(2);
  });

  it('escalates an alert nobody acknowledged to team managers, who may pick it up', async () => {
    const { child } = await childOnPlan();
    await threeWorries(child);
    const [alert] = await alertsOf(child);
    const manager = w.users.manager;
    const soon = await services.alerts.inbox(manager.ctx());
    expect(soon.escalated!.map((a) => a.id)).not.toContain(alert!.id);
    const dayLater = new Date(TEST_NOW.getTime() + 25 * HOUR);
    const late = await services.alerts.inbox(manager.ctx(dayLater));
    expect(late.escalated!.map((a) => a.id)).toContain(alert!.id);
    // Before escalation a manager not involved with the child cannot pick it up.
    await expect(services.alerts.pickUp(manager.ctx(), alert!.id, { version: 1 })).rejects.toThrow(
      ForbiddenError,
    );
    await services.alerts.pickUp(manager.ctx(dayLater), alert!.id, { version: 1 });
    expect((await alertsOf(child))[0]).toMatchObject({ status: 'acknowledged', acknowledgedBy: manager.id });
  });

  it('refers the child to the front door once, however often the referral is sent', async () => {
    const lead = w.users.socialWorker;
    const { child } = await childOnPlan();
    await threeWorries(child);
    const [alert] = await alertsOf(child);
    const input = {
      version: 1,
      worries: 'Worries from school and the GP add up.',
      familyAware: true,
      consent: 'given' as const,
      consentReason: undefined,
      urgency: 'standard' as const,
      sectorAnswers: {},
    };
    await expect(
      services.alerts.referToFrontDoor(lead.ctx(), alert!.id, { ...input, consent: 'refused' }),
    ).rejects.toThrow(ValidationError);
    const contactId = await services.alerts.referToFrontDoor(lead.ctx(), alert!.id, input);
    await expect(services.alerts.referToFrontDoor(lead.ctx(), alert!.id, input)).rejects.toThrow(
      ConflictError,
    );
    const contacts = await db().selectFrom('contacts').select('id').where('personId', '=', child).execute();
    expect(contacts.map((c) => c.id)).toEqual([contactId]);
    expect((await alertsOf(child))[0]).toMatchObject({ status: 'closed', outcome: 'contact', contactId });
  });

  it('adds an alert to the child’s plan as a comment for the team, then closes it', async () => {
    const lead = w.users.socialWorker;
    const { child, planId } = await childOnPlan();
    await threeWorries(child);
    const [alert] = await alertsOf(child);
    await services.alerts.addToPlan(lead.ctx(), alert!.id, {
      version: 1,
      note: 'Discuss at the next review.',
    });
    const comments = await db()
      .selectFrom('planComments')
      .select(['body'])
      .where('planId', '=', planId)
      .execute();
    expect(comments[0]!.body).toMatch(/Discuss at the next review/);
    expect((await alertsOf(child))[0]).toMatchObject({ status: 'closed', outcome: 'plan' });
  });

  it('shows a child’s signals with the ones the sharing rules withhold as existence only', async () => {
    const child = await newChild([w.users.teacher, w.users.gp]);
    await services.signals.record(w.users.gp.ctx(), child, signal({ category: 'mental_health' }));
    const byGp = await services.signals.ofChild(w.users.gp.ctx(), child);
    expect(byGp.signals[0]).toMatchObject({ withheld: false, category: 'mental_health' });
    const byTeacher = await services.signals.ofChild(w.users.teacher.ctx(), child);
    expect(byTeacher.signals.every((s) => s.withheld || s.category !== 'mental_health')).toBe(true);
  });
});
