import { Migrator, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createServices, type Services } from '../../composition.ts';
import { loadConfig } from '../../config.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { migrations } from '../../db/migrations/index.ts';
import { insertPartnership, insertUser, type WorldUser } from '../../../test/helpers/builders.ts';
import { TEST_NOW } from '../../../test/helpers/context.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { insertPlan } from '../../../test/helpers/plan-work-fixture.ts';
import { buildTrustWorld, type World } from '../../../test/helpers/trust-world.ts';
import { createTestApp, type TestApp } from '../../../test/helpers/web.ts';
import { remindPlans, schedulePlanReminders } from './plans.reminders.ts';
import type { ActionInput } from './plans.work.schemas.ts';

/** TEST_NOW is Monday 2 March 2026 (London); the plans below began on Monday 5 January 2026. */
const DAY = 86_400_000;
const daysOn = (days: number) => new Date(TEST_NOW.getTime() + days * DAY);

describe('plan reminders as notifications', () => {
  let database: TestDatabase;
  let services: Services;
  let w: World;
  /** A second team manager at the council whose account has closed, and one at the school. */
  let closedManager: WorldUser;
  let schoolManager: WorldUser;

  beforeAll(async () => {
    database = await createTestDatabase();
    services = createServices(database.db, loadConfig({ DATA_DIR: 'memory://' }));
    w = await buildTrustWorld(database.db);
    closedManager = await insertUser(database.db, w.partnershipId, 'gone@world.example', w.orgs.council, [
      'team_manager',
    ]);
    await database.db
      .updateTable('users')
      .set({ active: false })
      .where('id', '=', closedManager.id)
      .execute();
    schoolManager = await insertUser(database.db, w.partnershipId, 'head@world.example', w.orgs.school, [
      'practitioner',
      'team_manager',
    ]);
  });
  afterAll(() => database.close());

  const lead = () => w.users.socialWorker;
  const newPlan = (options: { leadId?: string; nextReviewDue?: string; familyName?: string } = {}) =>
    insertPlan(database.db, {
      partnershipId: w.partnershipId,
      leadId: options.leadId ?? lead().id,
      team: [w.users.teacher.id],
      nextReviewDue: options.nextReviewDue ?? '2026-04-30',
      familyName: options.familyName,
    });
  /** The reminders about one plan: oldest first, then by kind and message (in code, not the database's collation). */
  const sentFor = async (planId: string) => {
    const rows = await database.db
      .selectFrom('notifications')
      .select(['createdAt', 'userId', 'kind', 'message', 'link', 'personId', 'dedupeKey'])
      .where('link', 'like', `/plans/${planId}#%`)
      .execute();
    const order = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
    rows.sort(
      (x, y) =>
        x.createdAt.getTime() - y.createdAt.getTime() || order(x.kind, y.kind) || order(x.message, y.message),
    );
    return rows.map(({ createdAt: _, ...rest }) => rest);
  };
  const action = (overrides: Partial<ActionInput> = {}): ActionInput => ({
    description: 'Take Ada to the dentist',
    goalId: null,
    ownerKind: 'practitioner',
    ownerUserId: w.users.teacher.id,
    ownerOrganisationId: null,
    ownerFamilyMember: null,
    dueOn: '2026-02-20',
    forFamily: true,
    ...overrides,
  });

  it('tells the lead professional once of a review due within the reminder window, and not of one further off', async () => {
    const { planId } = await newPlan({ nextReviewDue: '2026-03-06' });
    const later = await newPlan({ nextReviewDue: '2026-03-10' });
    const first = await remindPlans(database.db, TEST_NOW);
    expect(first.reviewsDueSoon).toBeGreaterThanOrEqual(1);
    const expected = [
      {
        userId: lead().id,
        kind: 'plan_review_due',
        message: 'The review of the Okoro family plan is due on 6 March 2026',
        link: `/plans/${planId}#reviews`,
        personId: null,
        dedupeKey: `${planId}:2026-03-06`,
      },
    ];
    expect(await sentFor(planId)).toEqual(expected);
    // Ten days off is outside the default window of seven.
    expect(await sentFor(later.planId)).toEqual([]);
    // A second run, and one the next day, send nothing more.
    const second = await remindPlans(database.db, TEST_NOW);
    await remindPlans(database.db, daysOn(1));
    expect(await sentFor(planId)).toEqual(expected);
    expect(second.notifications).toBe(0);
  });

  it('uses each partnership’s own reminder window', async () => {
    const outsider = w.users.outsider;
    await database.db
      .insertInto('planSettings')
      .values({ partnershipId: w.otherPartnershipId, reminderDays: 2 })
      .execute();
    const plan = (nextReviewDue: string) =>
      insertPlan(database.db, { partnershipId: w.otherPartnershipId, leadId: outsider.id, nextReviewDue });
    const inWindow = await plan('2026-03-04');
    const outside = await plan('2026-03-05');
    await remindPlans(database.db, TEST_NOW);
    expect((await sentFor(inWindow.planId)).map((n) => [n.userId, n.kind])).toEqual([
      [outsider.id, 'plan_review_due'],
    ]);
    expect(await sentFor(outside.planId)).toEqual([]);
  });

  it('tells the lead and the active team managers of the lead’s organisation once a review is overdue', async () => {
    const { planId } = await newPlan({ nextReviewDue: '2026-03-03', familyName: 'Hughes' });
    await remindPlans(database.db, TEST_NOW);
    expect((await sentFor(planId)).map((n) => n.kind)).toEqual(['plan_review_due']);

    // Two days on, the review date has passed: a second reminder, this time to the manager as well.
    await remindPlans(database.db, daysOn(2));
    await remindPlans(database.db, daysOn(3));
    const overdue = (await sentFor(planId)).filter((n) => n.kind === 'plan_review_overdue');
    expect(overdue).toEqual([
      {
        userId: lead().id,
        kind: 'plan_review_overdue',
        message: 'The review of the Hughes family plan is overdue: it was due on 3 March 2026',
        link: `/plans/${planId}#reviews`,
        personId: null,
        dedupeKey: `${planId}:2026-03-03`,
      },
      {
        userId: w.users.manager.id,
        kind: 'plan_review_overdue',
        message:
          'The review of the Hughes family plan, led by social.worker, is overdue: it was due on 3 March 2026',
        link: `/plans/${planId}#reviews`,
        personId: null,
        dedupeKey: `${planId}:2026-03-03`,
      },
    ]);
    // Not the council manager whose account has closed, nor the school's manager.
    expect(overdue.map((n) => n.userId)).not.toContain(closedManager.id);
    expect(overdue.map((n) => n.userId)).not.toContain(schoolManager.id);
  });

  it('tells only the lead when their organisation has no team manager, and the manager once when they lead', async () => {
    const gpLed = await newPlan({ leadId: w.users.gp.id, nextReviewDue: '2026-02-27' });
    const managerLed = await newPlan({ leadId: w.users.manager.id, nextReviewDue: '2026-02-27' });
    await remindPlans(database.db, TEST_NOW);
    expect((await sentFor(gpLed.planId)).map((n) => [n.userId, n.kind])).toEqual([
      [w.users.gp.id, 'plan_review_overdue'],
    ]);
    expect((await sentFor(managerLed.planId)).map((n) => [n.userId, n.message])).toEqual([
      [w.users.manager.id, 'The review of the Okoro family plan is overdue: it was due on 27 February 2026'],
    ]);
  });

  it('reminds again when a review recorded sets a new date', async () => {
    const { planId } = await newPlan({ nextReviewDue: '2026-03-05' });
    await remindPlans(database.db, TEST_NOW);
    await services.planWork.recordReview(lead().ctx(), planId, {
      version: 1,
      heldOn: '2026-03-02',
      kind: 'review',
      attendance: [{ name: 'Grace Okoro', role: 'Mum', attended: true }],
      familyViews: 'Mornings are calmer.',
      childViews: 'I like my new teacher.',
      decisions: 'Meet again this week.',
      nextReviewDue: '2026-03-06',
      forFamily: true,
    });
    await remindPlans(database.db, TEST_NOW);
    await remindPlans(database.db, TEST_NOW);
    expect((await sentFor(planId)).map((n) => [n.kind, n.message])).toEqual([
      ['plan_review_due', 'The review of the Okoro family plan is due on 5 March 2026'],
      ['plan_review_due', 'The review of the Okoro family plan is due on 6 March 2026'],
    ]);
  });

  it('tells the owner of an overdue action once per due date: the practitioner, else the lead professional', async () => {
    const { planId } = await newPlan();
    const add = (input: Partial<ActionInput>) =>
      services.planWork.addAction(lead().ctx(), planId, action(input));
    const leaver = await insertUser(database.db, w.partnershipId, 'leaver@world.example', w.orgs.charity, [
      'practitioner',
    ]);
    const mine = await add({});
    await add({ ownerKind: 'agency', ownerUserId: null, ownerOrganisationId: w.orgs.housing });
    await add({ ownerKind: 'family', ownerUserId: null, ownerFamilyMember: 'Mum', dueOn: '2026-02-27' });
    await add({ ownerUserId: leaver.id, dueOn: '2026-02-28' });
    await add({ dueOn: '2026-03-02' });
    const done = await add({ dueOn: '2026-02-01' });
    const dropped = await add({ dueOn: '2026-02-01' });
    for (const [id, status] of [
      [done, 'done'],
      [dropped, 'dropped'],
    ] as const)
      await services.planWork.updateAction(lead().ctx(), planId, id, {
        ...action({ dueOn: '2026-02-01' }),
        version: 1,
        status,
      });
    await database.db.updateTable('users').set({ active: false }).where('id', '=', leaver.id).execute();

    await remindPlans(database.db, TEST_NOW);
    await remindPlans(database.db, TEST_NOW);
    const sent = await sentFor(planId);
    const due = 'was due on 20 February 2026 and is not done';
    expect(sent.map((n) => [n.userId, n.kind, n.message])).toEqual([
      [lead().id, 'plan_action_overdue', `An action for Northbridge Homes on the Okoro family plan ${due}`],
      [
        lead().id,
        'plan_action_overdue',
        'An action of leaver, whose account has closed, on the Okoro family plan was due on 28 February 2026 and is not done',
      ],
      [
        lead().id,
        'plan_action_overdue',
        'The family’s own action on the Okoro family plan was due on 27 February 2026 and is not done: see if they need support',
      ],
      [w.users.teacher.id, 'plan_action_overdue', `Your action on the Okoro family plan ${due}`],
    ]);
    // Nothing names the child or says what the action is.
    expect(sent.every((n) => n.personId === null && !n.message.includes('Ada'))).toBe(true);
    expect(sent.every((n) => n.link === `/plans/${planId}#actions`)).toBe(true);

    // Moved to a new date that has also passed: a new reminder. Done: none after that.
    await services.planWork.updateAction(lead().ctx(), planId, mine, {
      ...action({ dueOn: '2026-02-25' }),
      version: 1,
      status: 'in_progress',
    });
    await remindPlans(database.db, TEST_NOW);
    await services.planWork.updateAction(lead().ctx(), planId, mine, {
      ...action({ dueOn: '2026-02-26' }),
      version: 2,
      status: 'done',
    });
    await remindPlans(database.db, TEST_NOW);
    expect(
      (await sentFor(planId)).filter((n) => n.userId === w.users.teacher.id).map((n) => n.message),
    ).toEqual([
      `Your action on the Okoro family plan ${due}`,
      'Your action on the Okoro family plan was due on 25 February 2026 and is not done',
    ]);
  });

  it('leaves out closed plans and plans whose lead’s account has closed', async () => {
    const closed = await newPlan({ nextReviewDue: '2026-02-01' });
    await services.planWork.addAction(lead().ctx(), closed.planId, action());
    await database.db
      .updateTable('plans')
      .set({ status: 'closed', closedOn: '2026-03-01' })
      .where('id', '=', closed.planId)
      .execute();
    const leaver = await insertUser(
      database.db,
      w.partnershipId,
      'lead.leaver@world.example',
      w.orgs.council,
      ['practitioner'],
    );
    const orphaned = await newPlan({ leadId: leaver.id, nextReviewDue: '2026-02-01' });
    await services.planWork.addAction(leaver.ctx(), orphaned.planId, action({ ownerUserId: leaver.id }));
    await database.db.updateTable('users').set({ active: false }).where('id', '=', leaver.id).execute();
    await remindPlans(database.db, TEST_NOW);
    expect(await sentFor(closed.planId)).toEqual([]);
    expect(await sentFor(orphaned.planId)).toEqual([]);
  });

  it('sends each reminder once when two runs go at once', async () => {
    // Everything earlier tests left is sent first, so the two runs below have only this plan's to send.
    await remindPlans(database.db, TEST_NOW);
    const { planId } = await newPlan({ nextReviewDue: '2026-02-20' });
    await services.planWork.addAction(lead().ctx(), planId, action());
    const [a, b] = await Promise.all([
      remindPlans(database.db, TEST_NOW),
      remindPlans(database.db, TEST_NOW),
    ]);
    const sent = await sentFor(planId);
    expect(sent.map((n) => [n.userId, n.kind]).sort()).toEqual(
      [
        [lead().id, 'plan_review_overdue'],
        [w.users.manager.id, 'plan_review_overdue'],
        [w.users.teacher.id, 'plan_action_overdue'],
      ].sort(),
    );
    // Each run counts only what it wrote itself.
    expect(a.notifications + b.notifications).toBe(3);
    expect(a.reviewsOverdue + b.reviewsOverdue).toBe(1);
    expect(a.actionsOverdue + b.actionsOverdue).toBe(1);
  });

  it('runs on a timer that logs what it sent and survives a failure', async () => {
    const log = { info: vi.fn(), error: vi.fn() };
    const failing = {
      selectFrom: () => {
        throw new Error('down');
      },
    } as never;
    const broken = schedulePlanReminders(failing, log, () => TEST_NOW, 60_000);
    await broken.stop();
    expect(log.error).toHaveBeenCalledTimes(1);
    expect(log.error.mock.calls[0]![1]).toBe('plan reminders failed');
    expect(log.info).not.toHaveBeenCalled();
    const working = schedulePlanReminders(database.db, log, () => TEST_NOW, 60_000);
    await working.stop();
    expect(log.info).toHaveBeenCalledTimes(1);
    expect(log.info.mock.calls[0]).toEqual([
      { reviewsDueSoon: 0, reviewsOverdue: 0, actionsOverdue: 0, notifications: 0 },
      'plan reminders sent',
    ]);
  });
});

describe('the reminders’ notifications', () => {
  it('keep notifications written before migration 0024, which carry no key and may repeat', async () => {
    const database = await createTestDatabase({ migrated: false });
    try {
      const before = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '0024'));
      const { error } = await new Migrator({
        db: database.db,
        provider: { getMigrations: async () => before },
      }).migrateToLatest();
      expect(error).toBeUndefined();
      const partnershipId = await insertPartnership(database.db);
      const org = await database.db
        .insertInto('organisations')
        .values({ partnershipId, name: 'Council', sector: 'social_care', kind: 'council' })
        .returning('id')
        .executeTakeFirstOrThrow();
      const editor = await insertUser(database.db, partnershipId, 'editor@example.org', org.id, [
        'directory_editor',
      ]);
      const { rows } =
        await sql`insert into notifications (partnership_id, user_id, kind, message, link, created_at)
        values (${partnershipId}, ${editor.id}, 'directory_review_due', 'Check it', '/directory', now()),
               (${partnershipId}, ${editor.id}, 'directory_review_due', 'Check it', '/directory', now())
        returning id`.execute(database.db);
      expect(rows).toHaveLength(2);

      await migrateToLatest(database.db);
      const kept = await database.db
        .selectFrom('notifications')
        .select(['kind', 'dedupeKey'])
        .where('partnershipId', '=', partnershipId)
        .execute();
      expect(kept).toEqual([
        { kind: 'directory_review_due', dedupeKey: null },
        { kind: 'directory_review_due', dedupeKey: null },
      ]);
      const row = (kind: string, dedupeKey: string | null) =>
        sql`insert into notifications (partnership_id, user_id, kind, message, created_at, dedupe_key)
          values (${partnershipId}, ${editor.id}, ${kind}, 'A reminder', now(), ${dedupeKey})`.execute(
          database.db,
        );
      await row('plan_review_due', 'plan:2026-03-06');
      // A second reminder with the same key is refused; another kind is not.
      await expect(row('plan_review_due', 'plan:2026-03-06')).rejects.toThrow(/notifications_dedupe/);
      await row('plan_review_overdue', 'plan:2026-03-06');
      await expect(row('plan_reminder', null)).rejects.toThrow(/notifications_kind_check/);
    } finally {
      await database.close();
    }
  }, 120_000);

  it('show on the notifications page with what kind of reminder they are', async () => {
    const t: TestApp = await createTestApp();
    try {
      const { planId } = await insertPlan(t.database.db, {
        partnershipId: t.partnershipId,
        leadId: t.practitioner.id,
        nextReviewDue: '2026-03-04',
        familyName: 'Price',
      });
      await remindPlans(t.database.db, TEST_NOW);
      const agent = t.agent();
      await agent.signIn(t.practitioner.email);
      const page = (await agent.get('/notifications')).body;
      expect(page).toContain('Plan review due soon');
      expect(page).toContain(
        `<a class="govuk-link" href="/plans/${planId}#reviews">The review of the Price family plan is due on 4 March 2026</a>`,
      );
    } finally {
      await t.close();
    }
  });
});
