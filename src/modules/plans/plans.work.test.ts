import { randomUUID } from 'node:crypto';
import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../common/errors.ts';
import { createServices, type Services } from '../../composition.ts';
import { loadConfig } from '../../config.ts';
import type { PlanKind } from '../../db/schema.ts';
import { TEST_NOW } from '../../../test/helpers/context.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { insertPlan } from '../../../test/helpers/plan-work-fixture.ts';
import { insertUser } from '../../../test/helpers/builders.ts';
import { buildTrustWorld, type World } from '../../../test/helpers/trust-world.ts';
import type { ActionInput, GoalInput, ReviewInput } from './plans.work.schemas.ts';
import { loadPlanWork } from './plans.work.store.ts';

/** TEST_NOW is Monday 2 March 2026; the plans below began on Monday 5 January 2026. */
const TODAY = '2026-03-02';

describe('a plan’s goals, actions, reviews and comments', () => {
  let database: TestDatabase;
  let services: Services;
  let w: World;

  beforeAll(async () => {
    database = await createTestDatabase();
    services = createServices(database.db, loadConfig({ DATA_DIR: 'memory://' }));
    w = await buildTrustWorld(database.db);
  });
  afterAll(() => database.close());

  const lead = () => w.users.socialWorker;
  const newPlan = (options: { kind?: PlanKind; startedOn?: string; nextReviewDue?: string } = {}) =>
    insertPlan(database.db, {
      partnershipId: w.partnershipId,
      leadId: lead().id,
      team: [w.users.teacher.id],
      involvedOnly: [w.users.gp.id],
      ...options,
    });
  const work = (planId: string, familyView = false) =>
    database.db
      .transaction()
      .execute((tx) => loadPlanWork(tx, w.partnershipId, planId, { familyView, today: TODAY }));
  const count = async (
    table: 'planGoals' | 'goalRatings' | 'planActions' | 'planReviews' | 'planComments' | 'planEvents',
  ) =>
    Number(
      (
        await database.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('partnershipId', '=', w.partnershipId)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const counts = async () => ({
    goals: await count('planGoals'),
    ratings: await count('goalRatings'),
    actions: await count('planActions'),
    reviews: await count('planReviews'),
    comments: await count('planComments'),
    events: await count('planEvents'),
  });
  const planRow = (planId: string) =>
    database.db.selectFrom('plans').selectAll().where('id', '=', planId).executeTakeFirstOrThrow();
  /** Runs a change expected to fail, and answers the error and whether anything was written. */
  const refused = async (change: () => Promise<unknown>) => {
    const before = await counts();
    const error = await change().then(
      () => null,
      (e: unknown) => e,
    );
    return {
      error,
      fields: error instanceof ValidationError ? error.fields.map((f) => f.field) : [],
      unchanged: JSON.stringify(await counts()) === JSON.stringify(before),
    };
  };

  const goal = (overrides: Partial<GoalInput> = {}): GoalInput => ({
    personId: null,
    title: 'No more shouting in front of the children',
    outcomeFramework: 'england',
    outcomeCode: 'stay_safe',
    baseline: 3,
    baselineOn: '2026-01-05',
    target: 8,
    forFamily: true,
    ...overrides,
  });
  const action = (overrides: Partial<ActionInput> = {}): ActionInput => ({
    description: 'Book a health visitor home visit',
    goalId: null,
    ownerKind: 'practitioner',
    ownerUserId: w.users.teacher.id,
    ownerOrganisationId: null,
    ownerFamilyMember: null,
    dueOn: '2026-03-20',
    forFamily: true,
    ...overrides,
  });
  const review = (version: number, overrides: Partial<ReviewInput> = {}): ReviewInput => ({
    version,
    heldOn: '2026-02-27',
    kind: 'review',
    attendance: [
      { name: 'Grace Okoro', role: 'Mum', attended: true },
      { name: 'Sam Teacher', role: 'School', attended: false },
    ],
    familyViews: 'Mornings are calmer.',
    childViews: 'I like my new teacher.',
    decisions: 'Keep going with the bedtime routine.',
    nextReviewDue: null,
    forFamily: true,
    ...overrides,
  });

  describe('goals', () => {
    it('adds goals for a child and for the whole family, with the outcome’s words, history and audit', async () => {
      const { planId, childIds } = await newPlan();
      const forChild = await services.planWork.addGoal(
        lead().ctx(),
        planId,
        goal({
          personId: childIds[1]!,
          title: 'Ben gets to school on time',
          outcomeCode: 'enjoy_and_achieve',
        }),
      );
      const forFamily = await services.planWork.addGoal(
        lead().ctx(new Date(TEST_NOW.getTime() + 60_000)),
        planId,
        goal({ outcomeFramework: 'supporting_families', outcomeCode: 'financial_stability', target: null }),
      );
      const { goals } = await work(planId);
      expect(goals.map((g) => [g.id, g.childName, g.outcome.label, g.latestScore])).toEqual([
        [forChild, 'Ben Okoro', 'Enjoy and achieve', 3],
        [forFamily, null, 'Financial stability', 3],
      ]);
      const events = await database.db
        .selectFrom('planEvents')
        .select(['action', 'actorUserId'])
        .where('planId', '=', planId)
        .execute();
      expect(events).toEqual([
        { action: 'add_goal', actorUserId: lead().id },
        { action: 'add_goal', actorUserId: lead().id },
      ]);
      const audit = await database.db
        .selectFrom('auditEvents')
        .select(['action', 'outcome', 'personIds', 'detail'])
        .where('action', '=', 'plan.goal.add')
        .orderBy('seq')
        .execute();
      expect(audit.at(-1)).toMatchObject({
        outcome: 'success',
        personIds: expect.arrayContaining(childIds) as string[],
        detail: { planId, goalId: forFamily },
      });
    });

    it('refuses a child not on the plan, an unknown outcome, Scotland’s indicators in England, a score outside 0-10 or not whole, a baseline in the future', async () => {
      const { planId } = await newPlan();
      for (const [input, field] of [
        [goal({ personId: w.child }), 'personId'],
        [goal({ outcomeCode: 'be_happy' }), 'outcome'],
        [goal({ outcomeFramework: 'scotland', outcomeCode: 'nurtured' }), 'outcome'],
        [goal({ baseline: 11 }), 'baseline'],
        [goal({ baseline: -1 }), 'baseline'],
        [goal({ target: 7.5 }), 'target'],
        [goal({ baselineOn: '2026-03-03' }), 'baselineOn-day'],
        [goal({ title: '  ' }), 'title'],
      ] as const) {
        const result = await refused(() => services.planWork.addGoal(lead().ctx(), planId, input));
        expect(result.error, field).toBeInstanceOf(ValidationError);
        expect(result.fields, JSON.stringify(input)).toEqual([field]);
        expect(result.unchanged).toBe(true);
      }
    });

    it('offers Scotland’s eight indicators in a Scottish partnership', async () => {
      await database.db
        .updateTable('partnerships')
        .set({ jurisdiction: 'scotland' })
        .where('id', '=', w.partnershipId)
        .execute();
      try {
        const { planId } = await newPlan();
        const page = await services.planWork.workPage(lead().ctx(), planId);
        expect(page.frameworks.map((f) => [f.id, f.outcomes.length])).toEqual([['scotland', 8]]);
        await services.planWork.addGoal(
          lead().ctx(),
          planId,
          goal({ outcomeFramework: 'scotland', outcomeCode: 'nurtured' }),
        );
        expect((await work(planId)).goals[0]!.outcome.label).toBe('Nurtured');
      } finally {
        await database.db
          .updateTable('partnerships')
          .set({ jurisdiction: 'england' })
          .where('id', '=', w.partnershipId)
          .execute();
      }
    });

    it('changes a goal with its version, records what changed, and refuses a stale change', async () => {
      const { planId } = await newPlan();
      const goalId = await services.planWork.addGoal(lead().ctx(), planId, goal());
      await services.planWork.updateGoal(lead().ctx(), planId, goalId, {
        ...goal({ title: 'A calm home', target: 9 }),
        version: 1,
        status: 'active',
      });
      const stale = await refused(() =>
        services.planWork.updateGoal(w.users.teacher.ctx(), planId, goalId, {
          ...goal(),
          version: 1,
          status: 'stopped',
        }),
      );
      expect(stale.error).toBeInstanceOf(ConflictError);
      expect(stale.unchanged).toBe(true);
      const [saved] = (await work(planId)).goals;
      expect(saved).toMatchObject({ title: 'A calm home', target: 9, status: 'active', version: 2 });
      const change = await database.db
        .selectFrom('planEvents')
        .select('detail')
        .where('planId', '=', planId)
        .where('action', '=', 'change_goal')
        .executeTakeFirstOrThrow();
      expect(change.detail).toEqual({
        goalId,
        changes: { title: { from: goal().title, to: 'A calm home' }, target: { from: 8, to: 9 } },
      });
      await services.planWork.updateGoal(lead().ctx(), planId, goalId, {
        ...goal({ title: 'A calm home', target: 9 }),
        version: 2,
        status: 'achieved',
      });
      expect((await work(planId)).goals[0]!.statusLabel).toBe('Achieved');
    });

    it('does not find a goal of another plan', async () => {
      const one = await newPlan();
      const other = await newPlan();
      const goalId = await services.planWork.addGoal(lead().ctx(), other.planId, goal());
      const result = await refused(() =>
        services.planWork.rateGoal(lead().ctx(), one.planId, goalId, {
          ratedOn: TODAY,
          score: 5,
          rater: 'family',
        }),
      );
      expect(result.error).toBeInstanceOf(NotFoundError);
      expect(result.unchanged).toBe(true);
    });
  });

  describe('goals naming an outcome of the partnership’s own framework', () => {
    const YOUR_FRAMEWORK = 'Select an outcome from your partnership’s framework';
    const admin = () => w.users.admin;
    const define = (name: string, outcomes: string[]) =>
      services.localFrameworks.create(admin().ctx(), { name, description: '', outcomes });
    const relist = (id: string, name: string, outcomes: string[], version: number) =>
      services.localFrameworks.update(admin().ctx(), id, { name, description: '', outcomes, version });
    const outcomeRefused = async (change: () => Promise<unknown>) => {
      const result = await refused(change);
      expect(result.error).toBeInstanceOf(ValidationError);
      expect((result.error as ValidationError).fields).toEqual([
        { field: 'outcome', message: YOUR_FRAMEWORK },
      ]);
      expect(result.unchanged).toBe(true);
    };
    let plan: string;
    let frameworkId: string;

    beforeAll(async () => {
      frameworkId = await define('Northbridge Children’s Plan', [
        'Children are safe at home',
        'Children attend school and learn',
      ]);
      ({ planId: plan } = await newPlan());
    });

    it('offers its outcomes after the national ones, adds and changes a goal naming one, and shows its words', async () => {
      const page = await services.planWork.workPage(lead().ctx(), plan);
      expect(page.frameworks.map((f) => [f.id, f.outcomes.length])).toEqual([
        ['england', 5],
        ['supporting_families', 10],
        [frameworkId, 2],
      ]);
      expect(page.frameworks[2]).toMatchObject({
        name: 'Northbridge Children’s Plan',
        outcomes: [
          { code: 'o1', label: 'Children are safe at home' },
          { code: 'o2', label: 'Children attend school and learn' },
        ],
      });
      const goalId = await services.planWork.addGoal(
        lead().ctx(),
        plan,
        goal({ outcomeFramework: frameworkId, outcomeCode: 'o2' }),
      );
      expect((await work(plan)).goals[0]!.outcome).toEqual({
        framework: frameworkId,
        frameworkName: 'Northbridge Children’s Plan',
        code: 'o2',
        label: 'Children attend school and learn',
      });
      await services.planWork.updateGoal(lead().ctx(), plan, goalId, {
        ...goal({ outcomeFramework: frameworkId, outcomeCode: 'o1' }),
        version: 1,
        status: 'active',
      });
      const [saved] = (await work(plan)).goals;
      expect([saved!.outcome.label, saved!.outcomeCode, saved!.version]).toEqual([
        'Children are safe at home',
        'o1',
        2,
      ]);
    });

    it('keeps a goal’s outcome, and its words, once it is taken off the list, but offers it to no new goal', async () => {
      const id = await define('Eastbrook priorities', ['Safe', 'Learning']);
      const { planId } = await newPlan();
      const kept = await services.planWork.addGoal(
        lead().ctx(),
        planId,
        goal({ outcomeFramework: id, outcomeCode: 'o1' }),
      );
      const other = await services.planWork.addGoal(lead().ctx(), planId, goal({ title: 'Another goal' }));
      await relist(id, 'Eastbrook priorities', ['Learning', 'Healthy'], 1);

      const page = await services.planWork.workPage(lead().ctx(), planId);
      expect(page.frameworks.find((f) => f.id === id)!.outcomes.map((o) => o.code)).toEqual(['o2', 'o3']);
      const named = async () => (await work(planId)).goals.find((g) => g.id === kept)!;
      expect((await named()).outcome.label).toBe('Safe');
      await services.planWork.updateGoal(lead().ctx(), planId, kept, {
        ...goal({ outcomeFramework: id, outcomeCode: 'o1', title: 'Safe and calm' }),
        version: 1,
        status: 'active',
      });
      expect(await named()).toMatchObject({ title: 'Safe and calm', outcomeCode: 'o1' });

      await outcomeRefused(() =>
        services.planWork.addGoal(lead().ctx(), planId, goal({ outcomeFramework: id, outcomeCode: 'o1' })),
      );
      await outcomeRefused(() =>
        services.planWork.updateGoal(lead().ctx(), planId, other, {
          ...goal({ title: 'Another goal', outcomeFramework: id, outcomeCode: 'o1' }),
          version: 1,
          status: 'active',
        }),
      );
    });

    it('refuses another partnership’s framework, an unknown one and an unknown outcome, and writes nothing', async () => {
      const outsiderAdmin = await insertUser(
        database.db,
        w.otherPartnershipId,
        'admin@southport.example',
        w.orgs.elsewhere,
        ['partnership_admin'],
      );
      const theirs = await services.localFrameworks.create(outsiderAdmin.ctx(), {
        name: 'Southport Plan',
        description: '',
        outcomes: ['Safe'],
      });
      for (const [framework, code] of [
        [theirs, 'o1'],
        [randomUUID(), 'o1'],
        [frameworkId, 'o9'],
        [frameworkId, 'be_healthy'],
      ] as const)
        await outcomeRefused(() =>
          services.planWork.addGoal(
            lead().ctx(),
            plan,
            goal({ outcomeFramework: framework, outcomeCode: code }),
          ),
        );
      const page = await services.planWork.workPage(lead().ctx(), plan);
      expect(page.frameworks.map((f) => f.id)).not.toContain(theirs);
    });
  });

  describe('ratings', () => {
    it('keeps scores over time, oldest first, with the latest and the days from the start', async () => {
      const { planId } = await newPlan();
      const goalId = await services.planWork.addGoal(lead().ctx(), planId, goal());
      await services.planWork.rateGoal(lead().ctx(), planId, goalId, {
        ratedOn: '2026-02-20',
        score: 6,
        rater: 'practitioner',
      });
      await services.planWork.rateGoal(lead().ctx(), planId, goalId, {
        ratedOn: '2026-02-04',
        score: 4,
        rater: 'family',
        note: 'Two calm weeks',
      });
      const [rated] = (await work(planId)).goals;
      expect(rated!.ratings.map((r) => [r.ratedOn, r.score, r.rater, r.day, r.note])).toEqual([
        ['2026-02-04', 4, 'family', 30, 'Two calm weeks'],
        ['2026-02-20', 6, 'practitioner', 46, ''],
      ]);
      expect(rated).toMatchObject({ latestScore: 6, latestOn: '2026-02-20', span: 46 });
      const moved = await refused(() =>
        services.planWork.updateGoal(lead().ctx(), planId, goalId, {
          ...goal({ baselineOn: '2026-02-05' }),
          version: 1,
          status: 'active',
        }),
      );
      expect(moved.fields).toEqual(['baselineOn-day']);
      expect(moved.unchanged).toBe(true);
    });

    it('refuses a score outside 0-10 or not whole, a date in the future or before the start, and writes nothing', async () => {
      const { planId } = await newPlan();
      const goalId = await services.planWork.addGoal(
        lead().ctx(),
        planId,
        goal({ baselineOn: '2026-01-10' }),
      );
      for (const [input, field] of [
        [{ ratedOn: TODAY, score: 11, rater: 'family' }, 'score'],
        [{ ratedOn: TODAY, score: -2, rater: 'family' }, 'score'],
        [{ ratedOn: TODAY, score: 6.5, rater: 'family' }, 'score'],
        [{ ratedOn: '2026-03-03', score: 5, rater: 'child' }, 'ratedOn-day'],
        [{ ratedOn: '2026-01-09', score: 5, rater: 'child' }, 'ratedOn-day'],
      ] as const) {
        const result = await refused(() => services.planWork.rateGoal(lead().ctx(), planId, goalId, input));
        expect(result.fields, JSON.stringify(input)).toEqual([field]);
        expect(result.unchanged).toBe(true);
      }
    });
  });

  describe('actions', () => {
    it('names each kind of owner, and lists overdue actions first, then open ones by due date, then the rest', async () => {
      const { planId } = await newPlan();
      const goalId = await services.planWork.addGoal(lead().ctx(), planId, goal());
      const later = await services.planWork.addAction(lead().ctx(), planId, action({ dueOn: '2026-04-01' }));
      const agency = await services.planWork.addAction(
        lead().ctx(),
        planId,
        action({
          ownerKind: 'agency',
          ownerUserId: w.users.teacher.id,
          ownerOrganisationId: w.orgs.housing,
          dueOn: '2026-03-10',
        }),
      );
      const overdue = await services.planWork.addAction(
        lead().ctx(),
        planId,
        action({
          goalId,
          ownerKind: 'family',
          ownerUserId: null,
          ownerFamilyMember: 'Mum',
          supportNeeded: 'A bus pass for the first month',
          dueOn: '2026-02-20',
        }),
      );
      const done = await services.planWork.addAction(lead().ctx(), planId, action({ dueOn: '2026-02-01' }));
      await services.planWork.updateAction(lead().ctx(), planId, done, {
        ...action({ dueOn: '2026-02-01' }),
        version: 1,
        status: 'done',
      });
      const { actions, overdueActions } = await work(planId);
      expect(overdueActions).toBe(1);
      expect(actions.map((a) => [a.id, a.ownerName, a.overdue])).toEqual([
        [overdue, 'Mum', true],
        [agency, 'Northbridge Homes', false],
        [later, 'teacher, Elm Park School', false],
        [done, 'teacher, Elm Park School', false],
      ]);
      // An agency's action keeps no practitioner named in the form; a family's keeps its support.
      const row = actions.find((a) => a.id === agency)!;
      expect([row.ownerUserId, row.ownerOrganisationId]).toEqual([null, w.orgs.housing]);
      expect(actions[0]).toMatchObject({
        goalTitle: goal().title,
        supportNeeded: 'A bus pass for the first month',
      });
    });

    it('refuses an action without an owner, a practitioner kind without a practitioner, an owner from elsewhere, a due date before the plan', async () => {
      const { planId } = await newPlan();
      const other = await newPlan();
      const otherGoal = await services.planWork.addGoal(lead().ctx(), other.planId, goal());
      for (const [input, fields] of [
        [action({ ownerKind: undefined as never, ownerUserId: null }), ['ownerKind']],
        [action({ ownerUserId: null }), ['ownerUserId']],
        [action({ ownerKind: 'agency', ownerUserId: null }), ['ownerOrganisationId']],
        [action({ ownerKind: 'family', ownerUserId: null, ownerFamilyMember: ' ' }), ['ownerFamilyMember']],
        [action({ ownerUserId: w.users.outsider.id }), ['ownerUserId']],
        [action({ ownerKind: 'agency', ownerOrganisationId: w.orgs.elsewhere }), ['ownerOrganisationId']],
        [action({ goalId: otherGoal }), ['goalId']],
        [action({ dueOn: '2026-01-04' }), ['dueOn-day']],
        [action({ description: '' }), ['description']],
      ] as const) {
        const result = await refused(() => services.planWork.addAction(lead().ctx(), planId, input));
        expect(result.error).toBeInstanceOf(ValidationError);
        expect(result.fields, JSON.stringify(input)).toEqual(fields);
        expect(result.unchanged).toBe(true);
      }
    });

    it('records who finished an action and when, and clears it if it is reopened', async () => {
      const { planId } = await newPlan();
      const id = await services.planWork.addAction(lead().ctx(), planId, action());
      const later = new Date(TEST_NOW.getTime() + 3_600_000);
      await services.planWork.updateAction(w.users.teacher.ctx(later), planId, id, {
        ...action(),
        version: 1,
        status: 'done',
      });
      let row = (await work(planId)).actions[0]!;
      expect(row).toMatchObject({ status: 'done', completedBy: w.users.teacher.id, version: 2 });
      expect(row.completedAt).toEqual(later);
      await services.planWork.updateAction(lead().ctx(), planId, id, {
        ...action(),
        version: 2,
        status: 'in_progress',
      });
      row = (await work(planId)).actions[0]!;
      expect(row).toMatchObject({ status: 'in_progress', completedBy: null, completedAt: null });
    });

    it('gives the second of two editors a conflict naming the first, and keeps the first’s change', async () => {
      const { planId } = await newPlan();
      const id = await services.planWork.addAction(lead().ctx(), planId, action());
      // Both opened version 1; the teacher saves first.
      await services.planWork.updateAction(w.users.teacher.ctx(), planId, id, {
        ...action({ description: 'Health visitor visit booked for Tuesday' }),
        version: 1,
        status: 'in_progress',
      });
      const second = await refused(() =>
        services.planWork.updateAction(lead().ctx(), planId, id, {
          ...action({ dueOn: '2026-05-01' }),
          version: 1,
          status: 'dropped',
        }),
      );
      expect(second.error).toBeInstanceOf(ConflictError);
      expect((second.error as Error).message).toMatch(/^teacher changed this action since you opened it/);
      expect(second.unchanged).toBe(true);
      expect((await work(planId)).actions[0]).toMatchObject({
        description: 'Health visitor visit booked for Tuesday',
        status: 'in_progress',
        dueOn: '2026-03-20',
        version: 2,
      });
    });
  });

  describe('reviews', () => {
    it('records an early-help review with scores, and moves the plan’s next review to the partnership’s interval', async () => {
      const { planId } = await newPlan();
      const goalId = await services.planWork.addGoal(lead().ctx(), planId, goal());
      const reviewId = await services.planWork.recordReview(
        lead().ctx(),
        planId,
        review(1, { ratings: { [goalId]: 5 }, ratingsBy: 'family' }),
      );
      const plan = await planRow(planId);
      // Eight weeks (the default) after 27 February.
      expect(plan).toMatchObject({ nextReviewDue: '2026-04-24', version: 2, updatedBy: lead().id });
      const { reviews, goals } = await work(planId);
      expect(reviews[0]).toMatchObject({
        id: reviewId,
        nextReviewDue: '2026-04-24',
        kindLabel: 'Review',
        attendance: review(1).attendance,
        recordedByName: 'social.worker',
      });
      expect(goals[0]!.ratings).toMatchObject([
        { score: 5, rater: 'family', reviewId, ratedOn: '2026-02-27' },
      ]);
      const shown = await services.planWork.review(lead().ctx(), planId, reviewId);
      expect(shown.ratings).toEqual([{ goalId, title: goal().title, score: 5, rater: 'family' }]);
    });

    it('takes a sooner next review, and follows the partnership’s own interval', async () => {
      await database.db
        .insertInto('planSettings')
        .values({ partnershipId: w.partnershipId, earlyHelpReviewWeeks: 6 })
        .execute();
      try {
        const { planId } = await newPlan();
        await services.planWork.recordReview(lead().ctx(), planId, review(1));
        expect((await planRow(planId)).nextReviewDue).toBe('2026-04-10');
        await services.planWork.recordReview(
          lead().ctx(),
          planId,
          review(2, { heldOn: TODAY, nextReviewDue: '2026-03-30' }),
        );
        expect((await planRow(planId)).nextReviewDue).toBe('2026-03-30');
      } finally {
        await database.db.deleteFrom('planSettings').where('partnershipId', '=', w.partnershipId).execute();
      }
    });

    it('refuses a meeting before the plan began or in the future, a next review too late, empty decisions, a bad score, the wrong kind of meeting', async () => {
      const { planId } = await newPlan();
      const goalId = await services.planWork.addGoal(lead().ctx(), planId, goal());
      const stopped = await services.planWork.addGoal(lead().ctx(), planId, goal({ title: 'Stopped' }));
      await services.planWork.updateGoal(lead().ctx(), planId, stopped, {
        ...goal({ title: 'Stopped' }),
        version: 1,
        status: 'stopped',
      });
      for (const [input, fields] of [
        [review(1, { heldOn: '2026-01-04' }), ['heldOn-day']],
        [review(1, { heldOn: '2026-03-03' }), ['heldOn-day']],
        [review(1, { nextReviewDue: '2026-04-25' }), ['nextReviewDue-day']],
        [review(1, { nextReviewDue: '2026-02-27' }), ['nextReviewDue-day']],
        [review(1, { decisions: ' ' }), ['decisions']],
        [review(1, { ratings: { [goalId]: 11 } }), [`rating-${goalId}`]],
        [review(1, { ratings: { [goalId]: 2.5 } }), [`rating-${goalId}`]],
        [review(1, { ratings: { [stopped]: 4 } }), [`rating-${stopped}`]],
        [review(1, { kind: 'review_conference' }), ['kind']],
        [review(1, { attendance: [{ name: '', role: 'Mum', attended: true }] }), ['attendance-0-name']],
      ] as const) {
        const result = await refused(() => services.planWork.recordReview(lead().ctx(), planId, input));
        expect(result.error).toBeInstanceOf(ValidationError);
        expect(result.fields, JSON.stringify(input)).toEqual(fields);
        expect(result.unchanged).toBe(true);
      }
      expect(await planRow(planId)).toMatchObject({ nextReviewDue: '2026-03-02', version: 1 });
    });

    it('refuses a review sent against an old version of the plan, and writes nothing', async () => {
      const { planId } = await newPlan();
      await services.planWork.recordReview(lead().ctx(), planId, review(1));
      const second = await refused(() =>
        services.planWork.recordReview(w.users.teacher.ctx(), planId, review(1)),
      );
      expect(second.error).toBeInstanceOf(ConflictError);
      expect(second.unchanged).toBe(true);
      expect((await work(planId)).reviews).toHaveLength(1);
    });

    it('schedules child protection review conferences within 3 months then 6, and a core group leaves the date alone', async () => {
      const { planId } = await newPlan({
        kind: 'child_protection',
        startedOn: '2026-01-05',
        nextReviewDue: '2026-04-05',
      });
      const page = await services.planWork.workPage(lead().ctx(), planId);
      expect(page.reviewKinds).toEqual(['review_conference', 'core_group']);
      await services.planWork.recordReview(
        lead().ctx(),
        planId,
        review(1, { kind: 'core_group', heldOn: '2026-01-19' }),
      );
      expect((await planRow(planId)).nextReviewDue).toBe('2026-04-05');
      const late = await refused(() =>
        services.planWork.recordReview(
          lead().ctx(),
          planId,
          review(2, { kind: 'core_group', heldOn: '2026-02-16', nextReviewDue: '2026-04-06' }),
        ),
      );
      expect(late.fields).toEqual(['nextReviewDue-day']);
      await services.planWork.recordReview(
        lead().ctx(),
        planId,
        review(2, { kind: 'review_conference', heldOn: '2026-02-27' }),
      );
      expect((await planRow(planId)).nextReviewDue).toBe('2026-08-27');
    });

    it('schedules looked-after reviews: the second within 3 months of the first, then every 6 months', async () => {
      const { planId } = await newPlan({ kind: 'looked_after', startedOn: '2026-02-16' });
      const page = await services.planWork.workPage(lead().ctx(), planId);
      expect(page.reviewKinds).toEqual(['looked_after_review']);
      // A first review held today would set the second within 3 months of it.
      expect(page.nextReviewIfHeldToday).toBe('2026-06-02');
      await services.planWork.recordReview(lead().ctx(), planId, review(1, { kind: 'looked_after_review' }));
      expect((await planRow(planId)).nextReviewDue).toBe('2026-05-27');
      await services.planWork.recordReview(
        lead().ctx(),
        planId,
        review(2, { kind: 'looked_after_review', heldOn: TODAY }),
      );
      expect((await planRow(planId)).nextReviewDue).toBe('2026-09-02');
    });
  });

  describe('comments and the family’s view', () => {
    it('adds comments, newest first, and shows the family only what is theirs to see', async () => {
      const { planId } = await newPlan();
      const shared = await services.planWork.addGoal(lead().ctx(), planId, goal({ title: 'Shared goal' }));
      const hidden = await services.planWork.addGoal(
        lead().ctx(),
        planId,
        goal({ title: 'Hidden goal', forFamily: false }),
      );
      await services.planWork.rateGoal(lead().ctx(), planId, hidden, {
        ratedOn: TODAY,
        score: 2,
        rater: 'practitioner',
      });
      await services.planWork.addAction(
        lead().ctx(),
        planId,
        action({ goalId: hidden, description: 'Shared action' }),
      );
      await services.planWork.addAction(
        lead().ctx(),
        planId,
        action({ description: 'Hidden action', forFamily: false }),
      );
      await services.planWork.recordReview(lead().ctx(), planId, review(1, { forFamily: false }));
      await services.planWork.addComment(lead().ctx(), planId, { body: 'Shared comment', forFamily: true });
      await services.planWork.addComment(lead().ctx(new Date(TEST_NOW.getTime() + 60_000)), planId, {
        body: 'Between us',
        forFamily: false,
      });

      const full = await work(planId);
      expect(full.comments.map((c) => [c.body, c.authorName, c.fromFamily])).toEqual([
        ['Between us', 'social.worker', false],
        ['Shared comment', 'social.worker', false],
      ]);
      expect(full.goals).toHaveLength(2);
      expect(full.reviews).toHaveLength(1);

      const family = await work(planId, true);
      expect(family.goals.map((g) => g.id)).toEqual([shared]);
      expect(family.actions.map((a) => [a.description, a.goalTitle])).toEqual([['Shared action', null]]);
      expect(family.reviews).toEqual([]);
      expect(family.comments.map((c) => c.body)).toEqual(['Shared comment']);
    });

    it('loads a plan’s work in five queries however much there is', async () => {
      const { planId } = await newPlan();
      for (let g = 0; g < 4; g++) {
        const goalId = await services.planWork.addGoal(lead().ctx(), planId, goal({ title: `Goal ${g}` }));
        for (let r = 0; r < 5; r++)
          await services.planWork.rateGoal(lead().ctx(), planId, goalId, {
            ratedOn: `2026-02-0${r + 1}`,
            score: r,
            rater: 'family',
          });
      }
      for (let a = 0; a < 12; a++) await services.planWork.addAction(lead().ctx(), planId, action());
      let queries = 0;
      const counter: KyselyPlugin = {
        transformQuery: (args) => {
          queries++;
          return args.node;
        },
        transformResult: async (args) => args.result,
      };
      const loaded = await database.db
        .withPlugin(counter)
        .transaction()
        .execute((tx) => loadPlanWork(tx, w.partnershipId, planId, { familyView: false, today: TODAY }));
      expect(loaded.goals.flatMap((g) => g.ratings)).toHaveLength(20);
      expect(loaded.actions).toHaveLength(12);
      expect(queries).toBe(5);
    });
  });

  describe('who may', () => {
    it('refuses someone not involved with the family, and audits the refusal', async () => {
      const { planId } = await newPlan();
      const result = await refused(() => services.planWork.addGoal(w.users.uninvolved.ctx(), planId, goal()));
      expect(result.error).toBeInstanceOf(ForbiddenError);
      expect(result.unchanged).toBe(true);
      const denied = await database.db
        .selectFrom('auditEvents')
        .select(['action', 'outcome'])
        .where('actorUserId', '=', w.users.uninvolved.id)
        .orderBy('seq', 'desc')
        .executeTakeFirstOrThrow();
      expect(denied).toEqual({ action: 'plan.goal.add', outcome: 'denied' });
      await expect(services.planWork.workPage(w.users.uninvolved.ctx(), planId)).rejects.toBeInstanceOf(
        ForbiddenError,
      );
    });

    it('lets someone involved but not on the team read a review, not change the plan; a manager may', async () => {
      const { planId } = await insertPlan(database.db, {
        partnershipId: w.partnershipId,
        leadId: lead().id,
        involvedOnly: [w.users.gp.id, w.users.manager.id],
      });
      const reviewId = await services.planWork.recordReview(lead().ctx(), planId, review(1));
      expect((await services.planWork.review(w.users.gp.ctx(), planId, reviewId)).review.id).toBe(reviewId);
      const gp = await refused(() => services.planWork.addGoal(w.users.gp.ctx(), planId, goal()));
      expect(gp.error).toBeInstanceOf(ForbiddenError);
      expect((gp.error as Error).message).toMatch(/^Only the team around the family/);
      expect(gp.unchanged).toBe(true);
      await expect(services.planWork.workPage(w.users.gp.ctx(), planId)).rejects.toBeInstanceOf(
        ForbiddenError,
      );
      // A manager involved with the children stewards the plan without being on its team.
      await services.planWork.addComment(w.users.manager.ctx(), planId, {
        body: 'Covering this week',
        forFamily: true,
      });
      expect((await work(planId)).comments.map((c) => c.authorName)).toEqual(['manager']);
    });

    it('refuses an analyst (no permission to work on plans) and another partnership’s practitioner', async () => {
      const { planId } = await newPlan();
      const analyst = await refused(() =>
        services.planWork.addComment(w.users.analyst.ctx(), planId, { body: 'Hi', forFamily: true }),
      );
      expect(analyst.error).toBeInstanceOf(ForbiddenError);
      expect(analyst.unchanged).toBe(true);
      const outsider = await refused(() =>
        services.planWork.addComment(w.users.outsider.ctx(), planId, { body: 'Hi', forFamily: true }),
      );
      expect(outsider.error).toBeInstanceOf(NotFoundError);
      expect(outsider.unchanged).toBe(true);
    });

    it('keeps a closed plan as it was', async () => {
      const { planId } = await newPlan();
      await database.db
        .updateTable('plans')
        .set({ status: 'closed', closedOn: TODAY, closeReason: 'Goals met' })
        .where('id', '=', planId)
        .execute();
      const result = await refused(() =>
        services.planWork.addComment(lead().ctx(), planId, { body: 'Late note', forFamily: true }),
      );
      expect(result.error).toBeInstanceOf(ConflictError);
      expect(result.unchanged).toBe(true);
    });
  });
});
