import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ForbiddenError, ValidationError } from '../../common/errors.ts';
import type { Db } from '../../db/database.ts';
import { buildCtx } from '../../../test/helpers/context.ts';
import { insertUser } from '../../../test/helpers/builders.ts';
import {
  createTestApp,
  errorSummary,
  type Agent,
  type TestApp,
  type TestUser,
} from '../../../test/helpers/web.ts';
import type { IndicatorPanel } from './outcomes.service.ts';
import { EvaluationService } from './outcomes.evaluation.service.ts';
import { UNIT_SCALE, indicatorByCode } from './outcomes.indicators.ts';

const DECODE: Record<string, string> = {
  '&amp;': '&',
  '&quot;': '"',
  '&#39;': "'",
  '&lt;': '<',
  '&gt;': '>',
};
const decoded = (html: string) => html.replace(/&(amp|quot|#39|lt|gt);/g, (m) => DECODE[m] ?? m);

async function child(db: Db, partnershipId: string, dateOfBirth: string): Promise<string> {
  const row = await db
    .insertInto('people')
    .values({ partnershipId, kind: 'child', givenName: 'Sam', familyName: 'Doe', dateOfBirth })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

describe('evaluation: practice changes, the page and the figures', () => {
  let t: TestApp;
  let analyst: TestUser;
  let admin: Agent;
  let localities: Record<string, string>;

  beforeAll(async () => {
    t = await createTestApp();
    analyst = await t.createUser('analyst@example.org', ['analyst']);
    const rows = await t.database.db
      .insertInto('localities')
      .values(
        [
          ['east', 'Eastbrook'],
          ['west', 'Westfield'],
          ['north', 'Northgate'],
          ['south', 'Southgate'],
        ].map(([code, name]) => ({ partnershipId: t.partnershipId, code: code!, name: name! })),
      )
      .returning(['id', 'code'])
      .execute();
    localities = Object.fromEntries(rows.map((r) => [r.code, r.id]));
    admin = t.agent();
    await admin.signIn(t.admin.email);
  });

  afterAll(async () => {
    await t.close();
  });

  describe('practice changes (administrators)', () => {
    it('is refused to anyone else, and audited', async () => {
      const agent = t.agent();
      await agent.signIn(analyst.email);
      expect((await agent.get('/outcomes/evaluation/changes')).statusCode).toBe(403);
      expect((await agent.get('/outcomes/evaluation/changes/new')).statusCode).toBe(403);
    });

    it('refuses an incomplete form field by field, and records nothing', async () => {
      const response = await admin.post('/outcomes/evaluation/changes/new', {
        localityId: '',
        'changedOn-day': '31',
        'changedOn-month': '2',
        'changedOn-year': '2024',
        title: ' ',
      });
      expect(response.statusCode).toBe(400);
      expect(errorSummary(decoded(response.body))).toEqual([
        '#localityId Choose the locality that changed',
        '#title Enter a title, for example “Integrated locality team”',
        '#changedOn-day The date the change took effect must be a real date',
      ]);
      const count = await t.database.db
        .selectFrom('practiceChanges')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(0);
    });

    it('refuses a locality of another partnership', async () => {
      const response = await admin.post('/outcomes/evaluation/changes/new', {
        localityId: '00000000-0000-4000-8000-000000000000',
        'changedOn-day': '1',
        'changedOn-month': '11',
        'changedOn-year': '2023',
        title: 'Integrated team',
      });
      expect(response.statusCode).toBe(400);
      expect(errorSummary(response.body)).toEqual(['#localityId Choose the locality that changed']);
    });

    it('records a change, lists it, edits it with a version check and withdraws it', async () => {
      const created = await admin.post('/outcomes/evaluation/changes/new', {
        localityId: localities.east!,
        'changedOn-day': '1',
        'changedOn-month': '11',
        'changedOn-year': '2023',
        title: 'Integrated locality team',
        description: 'Early help and school nursing in one team',
      });
      expect(created.statusCode).toBe(303);
      expect(created.headers.location).toBe('/outcomes/evaluation/changes');
      const list = await admin.get('/outcomes/evaluation/changes');
      expect(list.body).toContain('Integrated locality team');
      expect(list.body).toContain('1 November 2023');
      const row = await t.database.db.selectFrom('practiceChanges').selectAll().executeTakeFirstOrThrow();
      expect(row.changedOn).toBe('2023-11-01');
      const url = `/outcomes/evaluation/changes/${row.id}`;
      const form = {
        localityId: localities.east!,
        'changedOn-day': '1',
        'changedOn-month': '11',
        'changedOn-year': '2023',
        title: 'Integrated locality team in Eastbrook',
        version: '1',
      };
      expect((await admin.post(url, form)).statusCode).toBe(303);
      // The same form again is now stale: refused, the editor's words kept beside the saved ones.
      const stale = await admin.post(url, { ...form, title: 'Something else' });
      expect(stale.statusCode).toBe(409);
      expect(stale.body).toContain('Someone else changed this practice change');
      expect(stale.body).toContain('value="Something else"');
      expect(stale.body).toMatch(
        /Saved now:<\/span> Integrated locality team in Eastbrook[\s\S]*?Yours:<\/span> Something else/,
      );
      expect((await admin.get('/outcomes/evaluation/changes/not-a-uuid')).statusCode).toBe(404);
      expect(
        (await admin.get('/outcomes/evaluation/changes/00000000-0000-4000-8000-000000000000')).statusCode,
      ).toBe(404);
      const audit = await t.database.db
        .selectFrom('auditEvents')
        .select('action')
        .where('action', 'like', 'practice-change.%')
        .orderBy('seq')
        .execute();
      expect(audit.map((a) => a.action)).toEqual(['practice-change.create', 'practice-change.update']);
    });
  });

  describe('the evaluation page', () => {
    it('is for people who may see aggregates', async () => {
      const agent = t.agent();
      await agent.signIn(t.practitioner.email);
      expect((await agent.get('/outcomes/evaluation')).statusCode).toBe(403);
      expect((await agent.get('/outcomes/evaluation.csv?table=cohort')).statusCode).toBe(403);
    });

    it('shows the evaluation of the newest change, with its method and limits, and audits the look', async () => {
      const agent = t.agent();
      await agent.signIn(analyst.email);
      const page = await agent.get('/outcomes/evaluation');
      expect(page.statusCode).toBe(200);
      const html = decoded(page.body);
      expect(html).toContain('Eastbrook: Integrated locality team in Eastbrook (from 1 November 2023)');
      expect(html).toContain('How this is worked out, and its limits');
      expect(html).toContain('Regression to the mean');
      expect(html).toContain('Children who received early help against similar children');
      const events = await t.database.db
        .selectFrom('auditEvents')
        .select(['action', 'detail'])
        .where('action', '=', 'aggregate.view')
        .execute();
      expect(events.some((e) => (e.detail as { table?: string }).table === 'evaluation')).toBe(true);
    });

    it('answers a wrong choice with the error summary, not a 500', async () => {
      const agent = t.agent();
      await agent.signIn(analyst.email);
      const change = (
        await t.database.db.selectFrom('practiceChanges').select('id').executeTakeFirstOrThrow()
      ).id;
      const bad = await agent.get(`/outcomes/evaluation?indicator=nonsense&change=${change}&grain=week`);
      expect(bad.statusCode).toBe(400);
      expect(errorSummary(bad.body)).toEqual([
        '#indicator Choose an indicator from the list',
        '#grain Choose months, quarters or years',
      ]);
      const unknown = await agent.get(
        '/outcomes/evaluation?indicator=contacts_rate&change=00000000-0000-4000-8000-000000000000',
      );
      expect(unknown.statusCode).toBe(400);
      expect(errorSummary(unknown.body)).toEqual(['#change Choose a practice change from the list']);
      expect((await agent.get('/outcomes/evaluation.csv?table=nonsense')).statusCode).toBe(404);
    });

    it('downloads each table as CSV', async () => {
      const agent = t.agent();
      await agent.signIn(analyst.email);
      const change = (
        await t.database.db.selectFrom('practiceChanges').select('id').executeTakeFirstOrThrow()
      ).id;
      const csv = await agent.get(
        `/outcomes/evaluation.csv?table=cohort&indicator=contacts_rate&change=${change}`,
      );
      expect(csv.statusCode).toBe(200);
      expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(csv.body).toContain('Group,Children,With the outcome');
    });
  });

  describe('the figures (with a known panel)', () => {
    /** East rises 0.5 per period with the others, and drops by 12 from November 2023. */
    const panel = (): IndicatorPanel => {
      const periods = Array.from({ length: 20 }, (_, i) => {
        const m = new Date(Date.UTC(2021, 4 + i * 3, 1));
        return m.toISOString().slice(0, 10);
      });
      const level: Record<string, number> = { east: 80, west: 60, north: 95, south: 70 };
      return {
        indicator: { code: 'contacts_rate' } as IndicatorPanel['indicator'],
        localities: [],
        points: periods.flatMap((period, i) =>
          Object.entries(level).map(([code, base]) => ({
            localityId: localities[code]!,
            period,
            numerator:
              (base +
                0.5 * i +
                (code === 'east' && period >= '2023-11-01' ? -12 : 0) +
                ((i * 7 + base) % 3) -
                1) *
              10,
            denominator: 10 * UNIT_SCALE[indicatorByCode('contacts_rate')!.unit],
          })),
        ),
      };
    };

    it('recovers the effect, and compares matched children with counts suppressed', async () => {
      const db = t.database.db;
      const org = await db.selectFrom('organisations').select('id').executeTakeFirstOrThrow();
      const holder = await insertUser(db, t.partnershipId, 'mash@example.org', org.id, ['front_door']);
      // 30 early-help children and 30 signposted ones aged 6 in East; 10 and 20 come back.
      for (let i = 0; i < 60; i++) {
        const personId = await child(db, t.partnershipId, '2018-01-01');
        const base = {
          partnershipId: t.partnershipId,
          channel: 'phone' as const,
          source: '1A',
          personId,
          childFamilyName: 'Doe',
          localityId: localities.east!,
          worries: 'Worried',
          familyAware: true,
          consent: 'given' as const,
          urgency: 'standard' as const,
          sectorAnswers: '{}',
          status: 'decided' as const,
          claimedBy: holder.id,
          levelOfNeed: 'additional' as const,
        };
        const first = new Date('2024-03-01T10:00:00Z');
        await db
          .insertInto('contacts')
          .values({
            ...base,
            receivedAt: first,
            recordedAt: first,
            dueAt: first,
            finalAt: first,
            outcome: i < 30 ? 'early_help' : 'information_and_signposting',
          })
          .execute();
        if ((i < 30 && i < 10) || (i >= 30 && i < 50)) {
          const again = new Date('2024-09-01T10:00:00Z');
          await db
            .insertInto('contacts')
            .values({
              ...base,
              receivedAt: again,
              recordedAt: again,
              dueAt: again,
              finalAt: again,
              outcome: 'no_further_action',
            })
            .execute();
        }
      }
      const evaluation = new EvaluationService(
        db,
        t.services.audit,
        t.services.access,
        { series: async () => panel() },
        t.services.practiceChanges,
      );
      const change = (await db.selectFrom('practiceChanges').select('id').executeTakeFirstOrThrow()).id;
      const ctx = buildCtx(
        { ...holder.actor, userId: analyst.id, roles: ['analyst'] },
        { now: t.clock.now() },
      );
      const figures = await evaluation.evaluate(ctx, { indicator: 'contacts_rate', change });
      // (rate × 10) / (10 × scale) × scale = rate
      expect(figures.did!.estimate).toBeGreaterThan(-13);
      expect(figures.did!.estimate).toBeLessThan(-11);
      expect(figures.did!.interval.low).toBeLessThan(-12);
      expect(figures.did!.interval.high).toBeGreaterThan(-12);
      expect(figures.words!.estimate).toMatch(
        /^The change is associated with a fall of about 1\d(\.\d)? per 10,000 in Eastbrook/,
      );
      expect(figures.chart!.series).toHaveLength(2);
      const back = figures.cohort.measures.find((m) => m.measure === 'newContact')!;
      expect(back.treated.with).toEqual({ kind: 'count', value: 10 });
      expect(back.comparison.with).toEqual({ kind: 'count', value: 20 });
      expect(back.difference).toBeCloseTo(10 / 30 - 20 / 30, 9);
      // Nobody was escalated: zeros are published, and the difference is zero.
      const escalated = figures.cohort.measures.find((m) => m.measure === 'escalated')!;
      expect(escalated.difference).toBe(0);
      // Only East's children, after the change: the same children.
      const after = await evaluation.evaluate(ctx, {
        indicator: 'contacts_rate',
        change,
        cohortPeriod: 'after',
        cohortLocalities: 'treated',
      });
      expect(after.cohort.treatedChildren.matched).toEqual({ kind: 'count', value: 30 });
      const others = await evaluation.evaluate(ctx, {
        indicator: 'contacts_rate',
        change,
        cohortLocalities: 'comparison',
      });
      expect(others.cohort.treatedChildren.total).toEqual({ kind: 'count', value: 0 });
      const beforeChange = await evaluation.evaluate(ctx, {
        indicator: 'contacts_rate',
        change,
        cohortPeriod: 'before',
      });
      expect(beforeChange.cohort.matchedStrata).toBe(0);
    });

    it('draws the chart and the tables on the page', async () => {
      // The page's own service, reading this known panel instead of the indicator figures.
      Object.assign(t.services.evaluation as unknown as Record<string, unknown>, {
        outcomes: { series: async () => panel() },
      });
      const agent = t.agent();
      await agent.signIn(analyst.email);
      const page = await agent.get('/outcomes/evaluation?grain=quarter');
      expect(page.statusCode).toBe(200);
      const html = decoded(page.body);
      expect(html).toContain('<svg class="app-chart" id="chart-did"');
      expect(html).toContain('Difference-in-differences estimate');
      expect(html).toMatch(/The change is associated with a fall of about/);
      expect(html).toContain('Every period, as a table');
      const csv = await agent.get(
        `/outcomes/evaluation.csv?table=did-periods&indicator=contacts_rate&change=${(await t.database.db.selectFrom('practiceChanges').select('id').executeTakeFirstOrThrow()).id}`,
      );
      expect(csv.body.split('\n')[0]).toContain(
        'Period starting,Before or after,Eastbrook,Other localities (average),Gap',
      );
      expect(csv.body).toContain('2023-11-01,After,');
    });

    it('says plainly when the figures cannot answer, and refuses bad input and the wrong people', async () => {
      const db = t.database.db;
      const change = (await db.selectFrom('practiceChanges').select('id').executeTakeFirstOrThrow()).id;
      const onlyEast = (): IndicatorPanel => ({
        ...panel(),
        points: panel().points.filter((p) => p.localityId === localities.east),
      });
      const evaluation = new EvaluationService(
        db,
        t.services.audit,
        t.services.access,
        { series: async () => onlyEast() },
        t.services.practiceChanges,
      );
      const org = await db.selectFrom('organisations').select('id').executeTakeFirstOrThrow();
      const actor = {
        userId: analyst.id,
        partnershipId: t.partnershipId,
        organisationId: org.id,
        roles: ['analyst' as const],
        displayName: 'analyst',
      };
      const ctx = buildCtx(actor, { now: t.clock.now() });
      const figures = await evaluation.evaluate(ctx, { indicator: 'contacts_rate', change });
      expect(figures.did).toBeNull();
      expect(figures.didProblem).toBe('There is no other locality to compare with');
      await expect(evaluation.evaluate(ctx, { indicator: 'contacts_rate', change: 'x' })).rejects.toThrow(
        ValidationError,
      );
      const practitioner = buildCtx({ ...actor, roles: ['practitioner'] }, { now: t.clock.now() });
      await expect(evaluation.evaluate(practitioner, { indicator: 'contacts_rate', change })).rejects.toThrow(
        ForbiddenError,
      );
    });
  });
});
