import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../common/context.ts';
import { calendarFor } from '../../common/working-days.ts';
import { createServices } from '../../composition.ts';
import { loadConfig } from '../../config.ts';
import { seedDemo } from '../../seed/demo.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { AuditService } from '../audit/index.ts';
import { checkAnswers, finishProblems, type Answers } from '../assessments/assessments.answers.ts';
import { loadTemplates } from '../assessments/assessments.template.ts';
import { outcomeOf } from '../../common/outcome-frameworks.ts';
import { DEMO_FAMILY_EMAIL } from './plans.seed.ts';
import { DEFAULT_PLAN_SETTINGS, latestNextReview } from './plans.workflow.ts';

const NOW = new Date('2026-03-04T15:00:00Z');
const TODAY = '2026-03-04';

describe('the demo’s plans and assessments', () => {
  let database: TestDatabase;
  let partnershipId: string;
  beforeAll(async () => {
    database = await createTestDatabase();
    ({ partnershipId } = await seedDemo(
      database.db,
      new AuditService(database.db),
      { children: 2_000, seed: 3 },
      NOW,
    ));
  }, 180_000);
  afterAll(() => database.close());

  const rows = async <T>(query: ReturnType<typeof sql<T>>) => (await query.execute(database.db)).rows;

  it('gives each plan one lead professional on its team, with an involvement for each child and member', async () => {
    const plans = await rows<{
      id: string;
      leads: number;
      leadIsMember: boolean;
      members: number;
      children: number;
      held: number;
    }>(sql`
      select p.id,
        (select count(*) from plan_leads l where l.plan_id = p.id and l.ended_at is null and l.user_id = p.lead_professional_id)::int as leads,
        exists (select 1 from plan_members m where m.plan_id = p.id and m.user_id = p.lead_professional_id and m.left_at is null) as "leadIsMember",
        (select count(*) from plan_members m where m.plan_id = p.id)::int as members,
        (select count(*) from plan_children c where c.plan_id = p.id)::int as children,
        (select count(*) from plan_member_involvements pmi join plan_members m on m.id = pmi.member_id where m.plan_id = p.id)::int as held
      from plans p where p.status = 'open'`);
    expect(plans.length).toBeGreaterThan(20);
    for (const plan of plans) {
      expect(plan.leads).toBe(1);
      expect(plan.leadIsMember).toBe(true);
      expect(plan.held).toBe(plan.members * plan.children);
    }
  });

  it('sets each plan’s next review by its kind’s schedule from the reviews held', async () => {
    const plans = await rows<{ kind: 'early_help'; stage: string; held: string[]; due: string }>(sql`
      select p.kind, s.started_on::text as stage, p.next_review_due::text as due,
        coalesce((select array_agg(r.held_on::text order by r.held_on) from plan_reviews r
          where r.plan_id = p.id and r.held_on >= s.started_on), '{}') as held
      from plans p
      join lateral (select started_on from plan_stages s where s.plan_id = p.id order by started_on desc limit 1) s on true
      where p.status = 'open'`);
    const calendar = calendarFor('england-and-wales');
    for (const plan of plans) {
      expect(plan.due).toBe(
        latestNextReview(plan.kind, plan.stage, plan.held, DEFAULT_PLAN_SETTINGS, calendar),
      );
      expect(plan.held.every((h) => h <= TODAY)).toBe(true);
    }
    const overdue = plans.filter((p) => p.due < TODAY);
    expect(overdue.length).toBeGreaterThan(0);
    expect(overdue.length).toBeLessThan(plans.length / 2);
  });

  it('has the plans of five years of closed work, each closed before today with its team gone, one plan per child at a time', async () => {
    const [counts] = await rows<{ closed: number; first: string; last: string; problems: number }>(sql`
      select count(*)::int as closed, min(started_on)::text as first, max(closed_on)::text as last,
        count(*) filter (where
          exists (select 1 from plan_children c where c.plan_id = p.id and c.current)
          or exists (select 1 from plan_members m where m.plan_id = p.id and m.left_at is null)
          or exists (select 1 from plan_leads l where l.plan_id = p.id and l.ended_at is null)
          or exists (select 1 from plan_stages s where s.plan_id = p.id and s.ended_on is null)
          or exists (select 1 from plan_actions a where a.plan_id = p.id and a.status not in ('done', 'dropped'))
          or exists (select 1 from plan_reviews r where r.plan_id = p.id and r.held_on > p.closed_on)
          or exists (select 1 from plan_member_involvements pmi join plan_members m on m.id = pmi.member_id
            join involvements i on i.id = pmi.involvement_id where m.plan_id = p.id and i.ended_at is null)
          or exists (select 1 from episodes e where e.id = p.episode_id and e.status <> 'closed'))::int as problems
      from plans p where p.status = 'closed'`);
    expect(counts!.closed).toBeGreaterThan(100);
    expect(counts!.first < '2021-03-04').toBe(true);
    expect(counts!.last < TODAY).toBe(true);
    expect(counts!.problems).toBe(0);
    const [overlaps] = await rows<{ n: number }>(sql`
      select count(*)::int as n from plan_children a
      join plan_children b on b.person_id = a.person_id and b.plan_id <> a.plan_id
      join plans pa on pa.id = a.plan_id join plans pb on pb.id = b.plan_id
      where pa.started_on <= pb.started_on and pb.started_on <= coalesce(pa.closed_on, ${TODAY}::date)`);
    expect(overlaps!.n).toBe(0);
    // Each review sets the next one's date, so the figures can count the reviews held on time.
    const [reviews] = await rows<{ held: number; dueKnown: number; onTime: number }>(sql`
      with timed as (select r.held_on, lag(r.next_review_due) over (partition by r.plan_id order by r.held_on) as due
        from plan_reviews r)
      select count(*)::int as held, count(due)::int as "dueKnown", count(*) filter (where held_on <= due)::int as "onTime"
      from timed`);
    expect(reviews!.dueKnown).toBeGreaterThan(reviews!.held / 2);
    expect(reviews!.onTime).toBeGreaterThan(reviews!.dueKnown / 2);
  });

  it('names outcomes the frameworks know, and has one long plan with a family account', async () => {
    const goals = await rows<{ framework: string; code: string }>(
      sql`select outcome_framework as framework, outcome_code as code from plan_goals`,
    );
    for (const goal of goals) expect(outcomeOf(goal.framework, goal.code)).toBeDefined();
    const [showcase] = await rows<{ actions: number; reviews: number; children: number }>(sql`
      select (select count(*) from plan_actions a where a.plan_id = f.plan_id)::int as actions,
        (select count(*) from plan_reviews r where r.plan_id = f.plan_id)::int as reviews,
        (select count(*) from plan_children c where c.plan_id = f.plan_id)::int as children
      from family_accounts f join users u on u.id = f.user_id where u.email = ${DEMO_FAMILY_EMAIL}`);
    expect([showcase?.actions, showcase?.reviews]).toEqual([40, 10]);
    expect(showcase!.children).toBeGreaterThanOrEqual(2);
  });

  it('opens a seeded plan to its lead professional through the access gate', async () => {
    const [plan] = await rows<{ id: string; leadId: string }>(sql`
      select f.plan_id as id, p.lead_professional_id as "leadId" from family_accounts f join plans p on p.id = f.plan_id`);
    const user = await database.db
      .selectFrom('users')
      .select(['id', 'organisationId', 'roles', 'displayName'])
      .where('id', '=', plan!.leadId)
      .executeTakeFirstOrThrow();
    const actor: Actor = {
      userId: user.id,
      partnershipId,
      organisationId: user.organisationId,
      roles: user.roles as Actor['roles'],
      displayName: user.displayName,
    };
    const services = createServices(database.db, loadConfig({ DATA_DIR: 'memory://' }));
    const page = await services.planWork.workPage({ actor, requestId: 'seed-test', now: NOW }, plan!.id);
    expect(page.work.actions).toHaveLength(40);
    expect(page.work.reviews).toHaveLength(10);
  });

  it('answers assessments as their templates ask, by people whose sector may answer each section', async () => {
    const registry = loadTemplates();
    const assessments = await rows<{
      id: string;
      templateId: string;
      templateVersion: number;
      status: string;
      sections: { sectionId: string; answers: Answers; sector: string }[];
    }>(sql`
      select a.id, a.template_id as "templateId", a.template_version as "templateVersion", a.status,
        (select json_agg(json_build_object('sectionId', s.section_id, 'answers', s.answers, 'sector', o.sector))
          from assessment_sections s
          join users u on u.id = s.updated_by
          join organisations o on o.id = u.organisation_id
          where s.assessment_id = a.id) as sections
      from assessments a`);
    expect(assessments.filter((a) => a.status === 'finished').length).toBeGreaterThan(10);
    expect(assessments.filter((a) => a.status === 'draft').length).toBeGreaterThan(0);
    const [shared] = await rows<{ n: number }>(sql`
      select count(*)::int as n from (select assessment_id from assessment_contributions
        group by assessment_id having count(distinct organisation_id) > 1) several`);
    expect(shared!.n).toBeGreaterThan(5);
    for (const assessment of assessments) {
      const template = registry.get(assessment.templateId, assessment.templateVersion)!;
      const saved = new Map<string, { answers: Answers; notRecordedReason: null }>();
      for (const s of assessment.sections) {
        const section = template.sections.find((t) => t.id === s.sectionId)!;
        expect(checkAnswers(section, s.answers, TODAY).problems).toEqual([]);
        if (section.contributors !== 'any') expect(section.contributors).toContain(s.sector);
        saved.set(s.sectionId, { answers: s.answers, notRecordedReason: null });
      }
      if (assessment.status === 'finished') expect(finishProblems(template, saved)).toEqual([]);
    }
  });
});
