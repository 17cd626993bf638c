import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createViews } from '../../web/views.ts';
import { buildCtx } from '../../../test/helpers/context.ts';
import { insertPlan } from '../../../test/helpers/plan-work-fixture.ts';
import {
  createTestApp,
  errorSummary,
  type Agent,
  type TestApp,
  type TestUser,
} from '../../../test/helpers/web.ts';

/** The plan's work pages through the real app, CSRF on. TEST_NOW is Monday 2 March 2026. */
describe('the pages for a plan’s goals, actions, reviews and comments', () => {
  let t: TestApp;
  let lead: Agent;
  let colleague: Agent;
  let colleagueUser: TestUser;
  let involvedUser: TestUser;
  let planId: string;
  let childIds: string[];

  beforeAll(async () => {
    t = await createTestApp();
    colleagueUser = await t.createUser('sam.jones@example.org', ['practitioner']);
    involvedUser = await t.createUser('gp@example.org', ['practitioner']);
    ({ planId, childIds } = await insertPlan(t.database.db, {
      partnershipId: t.partnershipId,
      leadId: t.practitioner.id,
      team: [colleagueUser.id],
      involvedOnly: [involvedUser.id],
    }));
    lead = t.agent();
    await lead.signIn(t.practitioner.email);
    colleague = t.agent();
    await colleague.signIn(colleagueUser.email);
  }, 60_000);
  afterAll(() => t.close());

  const rows = (table: 'planGoals' | 'goalRatings' | 'planActions' | 'planReviews' | 'planComments') =>
    t.database.db.selectFrom(table).selectAll().where('partnershipId', '=', t.partnershipId).execute();
  const date = (prefix: string, iso: string) => {
    const [year, month, day] = iso.split('-');
    return { [`${prefix}-day`]: day!, [`${prefix}-month`]: month!, [`${prefix}-year`]: year! };
  };
  /** The list of what someone else saved, as its words read, or '' when the page has none. */
  const savedByOthers = (html: string) => {
    const start = html.indexOf('id="saved-by-others"');
    if (start < 0) return '';
    const list = html.slice(html.indexOf('<dl', start), html.indexOf('</dl>', start));
    return list
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
  };
  const GOAL = {
    personId: 'family',
    title: 'Mornings without shouting',
    outcome: 'england:stay_safe',
    baseline: '3',
    ...date('baselineOn', '2026-01-05'),
    target: '8',
    forFamily: 'yes',
  };

  describe('goals and scores', () => {
    it('shows each mistake on its box and writes nothing', async () => {
      const url = `/plans/${planId}/goals/new`;
      const form = await lead.get(url);
      expect(form.statusCode).toBe(200);
      expect(form.body).toContain('Ada Okoro');
      expect(form.body).toContain('<optgroup label="Every Child Matters">');
      expect(form.body).toContain('<option value="england:stay_safe">Stay safe</option>');
      const page = await lead.post(url, { baseline: '12', 'baselineOn-day': '5' });
      expect(page.statusCode).toBe(400);
      expect(errorSummary(page.body)).toEqual([
        '#baselineOn-month The date of the score at the start must include a month and year',
        '#personId Select a child on the plan, or the whole family',
        '#title Enter the goal, in the family’s own words',
        '#outcome Select the outcome the goal serves',
        '#baseline The score at the start must be a whole number from 0 to 10',
        '#forFamily Say whether the family can see this',
      ]);
      expect(page.body).toContain('value="12"');
      expect(await rows('planGoals')).toEqual([]);
    });

    it('adds a goal for a child, changes it; a second editor keeps their words beside the saved ones, then saves', async () => {
      const added = await lead.post(`/plans/${planId}/goals/new`, { ...GOAL, personId: childIds[0]! });
      expect(added.statusCode).toBe(303);
      expect(added.headers.location).toBe(`/plans/${planId}#goals`);
      const [goal] = await rows('planGoals');
      expect(goal).toMatchObject({ personId: childIds[0], title: GOAL.title, baseline: 3, target: 8 });

      const url = `/plans/${planId}/goals/${goal!.id}`;
      const edit = await lead.get(url);
      expect(edit.body).toContain('Mornings without shouting');
      expect(edit.body).toContain('name="version" value="1"');
      const saved = await lead.post(url, { ...GOAL, title: 'Calm mornings', version: '1', status: 'active' });
      expect(saved.statusCode).toBe(303);
      const stale = await colleague.post(url, {
        ...GOAL,
        title: 'Quiet mornings',
        version: '1',
        status: 'active',
      });
      expect(stale.statusCode).toBe(409);
      expect(errorSummary(stale.body)[0]).toMatch(/^#form Someone else changed this goal/);
      expect(stale.body).toMatch(/name="title"[^>]*>Quiet mornings<\/textarea>/);
      expect(savedByOthers(stale.body)).toBe(
        'The goal, in the family’s own words Saved now: Calm mornings Yours: Quiet mornings',
      );
      expect(stale.body).toContain('name="version" value="2"');
      expect((await rows('planGoals'))[0]).toMatchObject({ title: 'Calm mornings', version: 2 });

      // They take in the other change, raise the target, and save knowingly over the version shown.
      const merged = await colleague.post(url, {
        ...GOAL,
        title: 'Calm mornings',
        target: '9',
        version: '2',
        status: 'active',
      });
      expect(merged.statusCode).toBe(303);
      expect((await rows('planGoals'))[0]).toMatchObject({ title: 'Calm mornings', target: 9, version: 3 });
    });

    it('keeps its own message and the input, with nothing to compare, for a conflict that is not a race', async () => {
      const [goal] = await rows('planGoals');
      const url = `/plans/${planId}/goals/${goal!.id}`;
      const plan = t.database.db.updateTable('plans').where('id', '=', planId);
      const { startedOn } = await t.database.db
        .selectFrom('plans')
        .select('startedOn')
        .where('id', '=', planId)
        .executeTakeFirstOrThrow();
      await plan.set({ status: 'closed', closedOn: startedOn }).execute();
      try {
        const page = await lead.post(url, {
          ...GOAL,
          title: 'Mornings on a closed plan',
          version: String(goal!.version),
          status: 'active',
        });
        expect(page.statusCode).toBe(409);
        expect(errorSummary(page.body)).toEqual(['#form This plan is closed, so it cannot change']);
        expect(page.body).toContain('Mornings on a closed plan');
        expect(page.body).toContain(`name="version" value="${goal!.version}"`);
        expect(savedByOthers(page.body)).toBe('');
      } finally {
        await plan.set({ status: 'open', closedOn: null }).execute();
      }
      expect((await rows('planGoals'))[0]).toMatchObject({ title: goal!.title, version: goal!.version });
    });

    it('adds a score, and refuses one outside 0 to 10 or not a number', async () => {
      const [goal] = await rows('planGoals');
      const url = `/plans/${planId}/goals/${goal!.id}/ratings/new`;
      expect((await lead.get(url)).body).toContain('Calm mornings');
      for (const [score, message] of [
        ['11', '#score The score must be a whole number from 0 to 10'],
        ['4.5', '#score The score must be a whole number from 0 to 10'],
        ['four', '#score Enter the score, a whole number from 0 to 10'],
      ]) {
        const page = await lead.post(url, {
          score: score!,
          rater: 'family',
          ...date('ratedOn', '2026-02-20'),
        });
        expect(page.statusCode).toBe(400);
        expect(errorSummary(page.body)).toEqual([message]);
      }
      expect(await rows('goalRatings')).toEqual([]);
      const added = await lead.post(url, {
        score: '5',
        rater: 'child',
        ...date('ratedOn', '2026-02-20'),
        note: 'Better',
      });
      expect(added.statusCode).toBe(303);
      expect(await rows('goalRatings')).toMatchObject([
        { score: 5, rater: 'child', note: 'Better', reviewId: null },
      ]);
    });
    it('offers the partnership’s own framework as a group, and shows a goal’s local outcome by its words', async () => {
      const db = t.database.db;
      const partnershipId = t.partnershipId;
      const { id: frameworkId } = await db
        .insertInto('localFrameworks')
        .values({
          partnershipId,
          name: 'Northbridge Children’s Plan',
          createdBy: t.admin.id,
          updatedAt: new Date(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await db
        .insertInto('localFrameworkOutcomes')
        .values([
          { partnershipId, frameworkId, code: 'o1', position: 0, label: 'Children are safe at home' },
          {
            partnershipId,
            frameworkId,
            code: 'o2',
            position: null,
            label: 'Families are financially secure',
          },
        ])
        .execute();
      const url = `/plans/${planId}/goals/new`;
      const form = await lead.get(url);
      expect(form.body).toContain('<optgroup label="Northbridge Children’s Plan">');
      expect(form.body).toContain(`<option value="${frameworkId}:o1">Children are safe at home</option>`);
      expect(form.body).not.toContain('Families are financially secure');

      const retired = await lead.post(url, { ...GOAL, outcome: `${frameworkId}:o2` });
      expect(retired.statusCode).toBe(400);
      expect(errorSummary(retired.body)).toEqual([
        '#outcome Select an outcome from your partnership’s framework',
      ]);
      const added = await lead.post(url, { ...GOAL, title: 'Safe at home', outcome: `${frameworkId}:o1` });
      expect(added.statusCode).toBe(303);
      expect((await lead.get(`/plans/${planId}`)).body).toContain(
        'Children are safe at home (Northbridge Children’s Plan)',
      );

      // Taken off the list, the outcome stays on the goal's form under its own words.
      await db
        .updateTable('localFrameworkOutcomes')
        .set({ position: null })
        .where('code', '=', 'o1')
        .execute();
      const goal = (await rows('planGoals')).find((g) => g.title === 'Safe at home')!;
      const edit = await lead.get(`/plans/${planId}/goals/${goal.id}`);
      expect(edit.body).not.toContain('<optgroup label="Northbridge Children’s Plan">');
      expect(edit.body).toContain(
        `<option value="${frameworkId}:o1" selected>Northbridge Children’s Plan: Children are safe at home (no longer offered)</option>`,
      );
      const kept = await lead.post(`/plans/${planId}/goals/${goal.id}`, {
        ...GOAL,
        title: 'Safe at home, every night',
        outcome: `${frameworkId}:o1`,
        version: '1',
        status: 'active',
      });
      expect(kept.statusCode).toBe(303);
    });
  });

  describe('actions', () => {
    const ACTION = {
      description: 'Walk to school together',
      goalId: '',
      ownerKind: 'family',
      ownerFamilyMember: 'Mum',
      supportNeeded: 'A bus pass for the first month',
      ...date('dueOn', '2026-03-20'),
      forFamily: 'yes',
    };

    it('refuses an action without an owner, or a practitioner kind without a practitioner', async () => {
      const url = `/plans/${planId}/actions/new`;
      const form = await lead.get(url);
      expect(form.body).toContain('pat smith, Northbridge Council');
      const noOwner = await lead.post(url, { ...ACTION, ownerKind: '' });
      expect(noOwner.statusCode).toBe(400);
      expect(errorSummary(noOwner.body)).toEqual(['#ownerKind Select who will do this']);
      const noPractitioner = await lead.post(url, { ...ACTION, ownerKind: 'practitioner', ownerUserId: '' });
      expect(errorSummary(noPractitioner.body)).toEqual([
        '#ownerUserId Select the practitioner who will do this',
      ]);
      expect(await rows('planActions')).toEqual([]);
    });

    it('adds a family’s action and marks it done; a second editor sees what changed, and saves on purpose', async () => {
      const added = await lead.post(`/plans/${planId}/actions/new`, ACTION);
      expect(added.statusCode).toBe(303);
      expect(added.headers.location).toBe(`/plans/${planId}#actions`);
      const [action] = await rows('planActions');
      expect(action).toMatchObject({
        ownerKind: 'family',
        ownerFamilyMember: 'Mum',
        supportNeeded: ACTION.supportNeeded,
      });
      const url = `/plans/${planId}/actions/${action!.id}`;
      expect((await colleague.get(url)).body).toContain('Walk to school together');
      expect((await lead.post(url, { ...ACTION, version: '1', status: 'done' })).statusCode).toBe(303);
      const stale = await colleague.post(url, { ...ACTION, version: '1', status: 'dropped' });
      expect(stale.statusCode).toBe(409);
      expect(errorSummary(stale.body)).toEqual([
        '#form pat smith changed this action since you opened it: compare what they saved with your change below, then save again',
      ]);
      expect((await rows('planActions'))[0]).toMatchObject({
        status: 'done',
        completedBy: t.practitioner.id,
      });
      expect(stale.body).toMatch(/name="status"[^>]*value="dropped" checked/);
      expect(stale.body).toContain('name="version" value="2"');
      expect(savedByOthers(stale.body)).toBe('Where it stands Saved now: Done Yours: Dropped');

      const empty = await colleague.post(url, {
        ...ACTION,
        description: '',
        version: '2',
        status: 'dropped',
      });
      expect(empty.statusCode).toBe(400);
      expect(errorSummary(empty.body)).toEqual(['#description Enter what will be done']);
      expect((await rows('planActions'))[0]).toMatchObject({ status: 'done', version: 2 });

      const merged = await colleague.post(url, { ...ACTION, version: '2', status: 'dropped' });
      expect(merged.statusCode).toBe(303);
      expect((await rows('planActions'))[0]).toMatchObject({
        status: 'dropped',
        version: 3,
        completedBy: null,
      });
    });
  });

  describe('reviews', () => {
    const url = () => `/plans/${planId}/reviews/new`;
    const REVIEW = () => ({
      version: '1',
      kind: 'review',
      ...date('heldOn', '2026-02-27'),
      'attendance-0-name': 'Grace Okoro',
      'attendance-0-role': 'Mum',
      'attendance-0-attended': 'yes',
      'attendance-3-name': 'Sam Jones',
      'attendance-3-role': 'School nurse',
      familyViews: 'Mornings are calmer.',
      childViews: 'Ada: I like my new teacher.',
      decisions: 'Keep the bedtime routine going.',
      forFamily: 'yes',
      ratingsBy: 'family',
    });

    it('offers blank rows for who came, a box per active goal, and the latest next review date', async () => {
      const form = await lead.get(url());
      expect(form.statusCode).toBe(200);
      expect(form.body).toContain('id="attendance-7-name"');
      const [goal] = await rows('planGoals');
      expect(form.body).toContain(`id="rating-${goal!.id}"`);
      // A review held today sets the next within the default 8 weeks.
      expect(form.body).toContain('27 April 2026');
    });

    it('keeps what was written and shows each mistake on its box; nothing is written', async () => {
      const [goal] = await rows('planGoals');
      const page = await lead.post(url(), {
        ...REVIEW(),
        'attendance-5-role': 'Health visitor',
        [`rating-${goal!.id}`]: '14',
        decisions: '',
      });
      expect(page.statusCode).toBe(400);
      expect(errorSummary(page.body)).toEqual([
        '#attendance-5-name Enter the name of the person, or clear their role',
        '#decisions Enter the decisions made at the meeting',
        `#rating-${goal!.id} The score must be a whole number from 0 to 10`,
      ]);
      expect(page.body).toContain('Ada: I like my new teacher.');
      const future = await lead.post(url(), { ...REVIEW(), ...date('heldOn', '2026-03-03') });
      expect(errorSummary(future.body)).toEqual(['#heldOn-day The meeting date cannot be in the future']);
      const late = await lead.post(url(), { ...REVIEW(), ...date('nextReviewDue', '2026-06-01') });
      expect(errorSummary(late.body)).toEqual([
        '#nextReviewDue-day The next review must be held by 24 April 2026, the latest the rules for this plan allow',
      ]);
      expect(await rows('planReviews')).toEqual([]);
    });

    it('records a review with who came and the scores, then shows it; a second send of the same review is a conflict that keeps the words', async () => {
      const [goal] = await rows('planGoals');
      const sent = await lead.post(url(), { ...REVIEW(), [`rating-${goal!.id}`]: '6' });
      expect(sent.statusCode).toBe(303);
      expect(sent.headers.location).toBe(`/plans/${planId}#reviews`);
      const [review] = await rows('planReviews');
      expect(review).toMatchObject({
        attendance: [
          { name: 'Grace Okoro', role: 'Mum', attended: true },
          { name: 'Sam Jones', role: 'School nurse', attended: false },
        ],
        nextReviewDue: '2026-04-24',
      });
      const ratings = await rows('goalRatings');
      expect(ratings.find((r) => r.reviewId === review!.id)).toMatchObject({ score: 6, rater: 'family' });

      const again = await colleague.post(url(), REVIEW());
      expect(again.statusCode).toBe(409);
      expect(errorSummary(again.body)[0]).toMatch(/^#form The plan changed since you opened this page/);
      expect(again.body).toContain('Keep the bedtime routine going.');
      expect(again.body).toContain('name="version" value="2"');
      expect(await rows('planReviews')).toHaveLength(1);

      const shown = await colleague.get(`/plans/${planId}/reviews/${review!.id}`);
      expect(shown.statusCode).toBe(200);
      expect(shown.body).toContain('Grace Okoro');
      expect(shown.body).toContain('School nurse');
    });
  });

  describe('comments', () => {
    it('refuses an empty comment, and adds one kept from the family when the box is not ticked', async () => {
      const url = `/plans/${planId}/comments`;
      const empty = await lead.post(url, { body: ' ', forFamily: 'yes' });
      expect(empty.statusCode).toBe(400);
      expect(errorSummary(empty.body)).toEqual(['#body Enter your comment']);
      expect((await lead.post(url, { body: 'Spoke to the school nurse.' })).statusCode).toBe(303);
      expect(await rows('planComments')).toMatchObject([
        { body: 'Spoke to the school nurse.', forFamily: false, fromFamily: false },
      ]);
    });
  });

  describe('who may', () => {
    it('refuses someone not involved, an analyst, and answers 404 for a plan that does not exist', async () => {
      const stranger = t.agent();
      await stranger.signIn((await t.createUser('stranger@example.org', ['practitioner'])).email);
      expect((await stranger.get(`/plans/${planId}/goals/new`)).statusCode).toBe(403);
      const token = await stranger.csrfToken('/');
      const post = await stranger.post(`/plans/${planId}/comments`, {
        _csrf: token,
        body: 'Hello',
        forFamily: 'yes',
      });
      expect(post.statusCode).toBe(403);
      // Involved with the children but not on the team: reads a review, changes nothing.
      const gp = t.agent();
      await gp.signIn(involvedUser.email);
      expect((await gp.get(`/plans/${planId}/actions/new`)).statusCode).toBe(403);
      const [review] = await rows('planReviews');
      expect((await gp.get(`/plans/${planId}/reviews/${review!.id}`)).statusCode).toBe(200);
      const analyst = t.agent();
      await analyst.signIn((await t.createUser('analyst@example.org', ['analyst'])).email);
      expect((await analyst.get(`/plans/${planId}/reviews/new`)).statusCode).toBe(403);
      expect((await lead.get(`/plans/${randomUUID()}/actions/new`)).statusCode).toBe(404);
      expect((await lead.get(`/plans/${planId}/actions/not-an-id`)).statusCode).toBe(404);
      expect(await rows('planComments')).toHaveLength(1);
    });
  });

  describe('the part of the plan page it fills', () => {
    it('shows goals with a chart and a table, overdue actions first, reviews and comments', async () => {
      await lead.post(`/plans/${planId}/actions/new`, {
        description: 'Ask housing about the damp',
        goalId: '',
        ownerKind: 'practitioner',
        ownerUserId: colleagueUser.id,
        ...date('dueOn', '2026-02-10'),
        forFamily: 'no',
      });
      const actor = await t.database.db
        .selectFrom('users')
        .select(['id', 'organisationId', 'roles', 'displayName'])
        .where('id', '=', t.practitioner.id)
        .executeTakeFirstOrThrow();
      const ctx = buildCtx({
        ...actor,
        userId: actor.id,
        partnershipId: t.partnershipId,
        roles: ['practitioner'],
      });
      const found = await t.services.planWork.workPage(ctx, planId);
      const html = createViews().render('plans/views/_work.njk', {
        plan: found.plan,
        work: found.work,
        canEdit: true,
        csrfToken: 'token',
      });
      expect(html).toContain('role="img"');
      expect(html).toContain('Scores as a table');
      expect(html).toContain('1 action is overdue');
      const damp = html.indexOf('Ask housing about the damp');
      const walk = html.indexOf('Walk to school together');
      expect(damp).toBeGreaterThan(-1);
      expect(damp).toBeLessThan(walk);
      expect(html).toContain('Not shared with the family');
      expect(html).toContain('Keep the bedtime routine going.');
      expect(html).toContain('Spoke to the school nurse.');
      expect(html).toContain(`action="/plans/${planId}/comments"`);
      const readOnly = createViews().render('plans/views/_work.njk', {
        plan: found.plan,
        work: found.work,
        canEdit: false,
      });
      expect(readOnly).not.toContain('Add a goal');
      expect(readOnly).not.toContain('/comments"');
    });
  });
});
