import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ForbiddenError, ValidationError } from '../../common/errors.ts';
import { JURISDICTIONS, calendarFor } from '../../common/working-days.ts';
import { createServices, type Services } from '../../composition.ts';
import { loadConfig } from '../../config.ts';
import { openDatabase, type Db } from '../../db/database.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { buildTrustWorld, type World } from '../../../test/helpers/trust-world.ts';
import { createTestApp, errorSummary, type TestApp } from '../../../test/helpers/web.ts';
import { londonDate } from '../../common/plain-dates.ts';
import { percentileCont, workingDaysTaken } from './referrals.dashboard.ts';
import type { Outcome } from './referrals.workflow.ts';

const HOUR = 3_600_000;
const at = (iso: string) => new Date(iso);
const plus = (d: Date, hours: number) => new Date(d.getTime() + hours * HOUR);

type ContactSpec = {
  partnershipId: string;
  receivedAt: Date;
  dueAt?: Date;
  source: string;
  organisationId: string | null;
  holder: string;
  status?: 'in_triage' | 'awaiting_approval' | 'decided';
  outcome?: Outcome;
  finalAt?: Date;
  reReferral?: boolean;
};

/** A contact straight into the table, with the times the test needs. */
async function insertContact(db: Db, c: ContactSpec): Promise<string> {
  const status = c.status ?? (c.finalAt ? 'decided' : 'in_triage');
  const row = await db
    .insertInto('contacts')
    .values({
      partnershipId: c.partnershipId,
      receivedAt: c.receivedAt,
      recordedAt: c.receivedAt,
      dueAt: c.dueAt ?? plus(c.receivedAt, 24),
      channel: 'phone',
      source: c.source,
      referrerOrganisationId: c.organisationId,
      childFamilyName: 'Doe',
      worries: 'Worried about the child',
      familyAware: true,
      consent: 'given',
      urgency: 'standard',
      sectorAnswers: '{}',
      status,
      claimedBy: c.holder,
      outcome: c.outcome ?? null,
      levelOfNeed: c.outcome ? 'complex' : null,
      finalAt: c.finalAt ?? null,
      reReferral: c.reReferral ?? false,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

describe('front door figures', () => {
  let database: TestDatabase;
  let services: Services;
  let w: World;
  let police: string;
  const period = { from: '2026-02-02', to: '2026-02-27' };

  /**
   * 20 contacts received on Monday 9 February 2026 at 10:00 (GMT, so London time too), due 24 hours
   * later, decided after these hours: 15 within the day, 5 late. 10 from the school, 5 from the GP,
   * 5 from the public; outcomes in turn no further action, early help, assessment, strategy
   * discussion (5 each), and the 5 assessments are re-referrals. On Friday 27 February 5 police
   * contacts and 1 from A&E are still open. One contact before the period, one in another partnership.
   */
  const HOURS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 25, 26, 27, 28, 50];
  const TURN: Outcome[] = ['no_further_action', 'early_help', 'statutory_assessment', 'strategy_discussion'];

  beforeAll(async () => {
    database = await createTestDatabase();
    services = createServices(database.db, loadConfig({ DATA_DIR: 'memory://' }));
    w = await buildTrustWorld(database.db);
    const db = database.db;
    police = (
      await db
        .insertInto('organisations')
        .values({
          partnershipId: w.partnershipId,
          name: 'Northbridge Police',
          sector: 'police',
          kind: 'Police',
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    const holder = w.users.manager.id;
    const received = at('2026-02-09T10:00:00Z');
    const decided: string[] = [];
    for (const [i, hours] of HOURS.entries()) {
      const outcome = TURN[i % 4]!;
      decided.push(
        await insertContact(db, {
          partnershipId: w.partnershipId,
          receivedAt: received,
          source: i < 10 ? '2A' : i < 15 ? '3D' : '1A',
          organisationId: i < 10 ? w.orgs.school : i < 15 ? w.orgs.gp : null,
          holder,
          outcome,
          finalAt: plus(received, hours),
          reReferral: outcome === 'statutory_assessment',
        }),
      );
    }
    const friday = at('2026-02-27T12:00:00Z');
    const open = (dueAt: Date, more: Partial<ContactSpec> = {}) =>
      insertContact(db, {
        partnershipId: w.partnershipId,
        receivedAt: friday,
        dueAt,
        source: '6',
        organisationId: police,
        holder,
        ...more,
      });
    await open(at('2026-03-02T09:00:00Z')); // breached (now is 09:30)
    await open(at('2026-03-02T09:29:00Z')); // breached
    await open(at('2026-03-02T10:30:00Z')); // near breach: within the 2-hour warning
    await open(at('2026-03-02T15:00:00Z'));
    await open(at('2026-03-02T16:00:00Z'), { status: 'awaiting_approval', outcome: 'strategy_discussion' });
    await open(at('2026-03-03T12:00:00Z'), { source: '3E', organisationId: w.orgs.gp });
    // Outside the period, and another partnership's: counted nowhere here.
    await insertContact(db, {
      partnershipId: w.partnershipId,
      receivedAt: at('2026-01-15T10:00:00Z'),
      source: '2A',
      organisationId: w.orgs.school,
      holder,
      outcome: 'no_further_action',
      finalAt: at('2026-01-15T11:00:00Z'),
    });
    await insertContact(db, {
      partnershipId: w.otherPartnershipId,
      receivedAt: received,
      source: '5A',
      organisationId: w.orgs.elsewhere,
      holder: w.users.outsider.id,
    });

    // Requests for information: the school answers 6 on time and 5 late; the GP 5 on time and leaves
    // 5 open past their deadline; a withdrawn request is not counted.
    const request = async (
      organisationId: string,
      i: number,
      how: 'on_time' | 'late' | 'open' | 'withdrawn',
    ) => {
      const requestedAt = plus(received, 1);
      const dueAt = plus(requestedAt, 24);
      await db
        .insertInto('informationRequests')
        .values({
          partnershipId: w.partnershipId,
          contactId: decided[i % decided.length]!,
          organisationId,
          question: 'What do you know?',
          requestedBy: holder,
          requestedAt,
          dueAt,
          status: how === 'on_time' || how === 'late' ? 'answered' : how,
          answer: how === 'on_time' || how === 'late' ? 'Known to us' : null,
          answeredAt: how === 'on_time' ? plus(dueAt, -1) : how === 'late' ? plus(dueAt, 1) : null,
        })
        .execute();
    };
    for (let i = 0; i < 6; i++) await request(w.orgs.school, i, 'on_time');
    for (let i = 0; i < 5; i++) await request(w.orgs.school, i, 'late');
    for (let i = 0; i < 5; i++) await request(w.orgs.gp, i, 'on_time');
    for (let i = 0; i < 5; i++) await request(w.orgs.gp, i, 'open');
    await request(w.orgs.gp, 0, 'withdrawn');
  });
  afterAll(() => database.close());

  const lastEvent = () =>
    database.db
      .selectFrom('auditEvents')
      .selectAll()
      .where('partnershipId', '=', w.partnershipId)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();

  const cells = (table: { rows: { text: string }[][] }) => table.rows.map((r) => r.map((c) => c.text));

  it('counts time to decision, timeliness, outcomes, conversion and re-referrals exactly', async () => {
    const f = await services.frontDoorDashboard.figures(w.users.manager.ctx(), period);
    expect(f.received).toBe(26);
    expect(f.decided).toBe(20);
    expect(f.timeToDecision.medianHours).toBeCloseTo(10.5, 9);
    expect(f.timeToDecision.p90Hours).toBeCloseTo(27.1, 9);
    // Monday 10:00 to Tuesday 01:00 is under a working day; Tuesday 11:00 to 14:00 is 1; Wednesday is 2.
    expect(f.timeToDecision.medianWorkingDays).toBe(0);
    expect(f.timeToDecision.p90WorkingDays).toBeCloseTo(1, 9);
    expect(f.timeToDecision.withinTimescale).toBe(15);
    expect(f.timeToDecision.withinTimescaleShare).toBe(0.75);
    expect(f.outcomes.map((o) => [o.outcome, o.count, o.share])).toEqual([
      ['no_further_action', 5, 0.25],
      ['information_and_signposting', 0, 0],
      ['early_help', 5, 0.25],
      ['statutory_assessment', 5, 0.25],
      ['strategy_discussion', 5, 0.25],
    ]);
    expect(f.conversion).toEqual({ referrals: 10, share: 0.5 });
    expect(f.reReferral).toEqual({ referrals: 10, reReferrals: 5, rate: 0.5 });
    expect(cells(f.tables['time-to-decision'])).toEqual([
      ['Under 1 working day', '15'],
      ['1 to under 2 working days', '<5'],
      ['2 to under 3 working days', '<5'],
      ['3 to under 4 working days', '0'],
      ['4 to under 5 working days', '0'],
      ['5 working days or more', '0'],
      ['All decisions', '20'],
    ]);
  });

  it('agrees with the working-day calendar decision by decision', async () => {
    const calendar = calendarFor('england-and-wales');
    const received = at('2026-02-09T10:00:00Z');
    const taken = HOURS.map((h) => calendar.workingDaysBetween(received, plus(received, h)));
    expect(
      percentileCont(
        taken.map((value) => ({ value, n: 1 })),
        0.5,
      ),
    ).toBe(0);
    expect(
      percentileCont(
        taken.map((value) => ({ value, n: 1 })),
        0.9,
      ),
    ).toBeCloseTo(1, 9);
    expect(taken.filter((d) => d === 1)).toHaveLength(4);
  });

  it('counts information requests per agency: on time, late, overdue and the share on time', async () => {
    const f = await services.frontDoorDashboard.figures(w.users.manager.ctx(), period);
    expect(
      f.informationRequests.map((a) => [a.name, a.requests, a.onTime, a.late, a.openOverdue, a.shareOnTime]),
    ).toEqual([
      ['Elm Park School', 11, 6, 5, 0, 6 / 11],
      ['Riverside Surgery', 10, 5, 0, 5, 0.5],
    ]);
    expect(cells(f.tables['information-requests']).at(-1)).toEqual([
      'All agencies',
      '21',
      '11',
      '5',
      '5',
      '0',
      '52.4%',
    ]);
  });

  it('shows the queue’s breaches and near breaches now, whatever the period', async () => {
    const f = await services.frontDoorDashboard.figures(w.users.manager.ctx(), {
      from: '2025-01-01',
      to: '2025-01-31',
    });
    expect(f.queue).toEqual({ open: 6, breached: 2, nearBreach: 1 });
    expect(f.received).toBe(0);
    expect(f.timeToDecision.medianHours).toBeNull();
  });

  it('counts contacts per day by sector and by source, suppressing small numbers', async () => {
    const f = await services.frontDoorDashboard.figures(w.users.manager.ctx(), period);
    expect(f.period.days).toBe(26);
    const perDay = f.charts.perDay.items;
    expect(perDay[7]).toEqual({ label: '9 Feb', value: 20, text: '20' }); // Monday 9 February
    expect(perDay[25]).toEqual({ label: '27 Feb', value: 6, text: '6' }); // Friday 27 February
    expect(perDay.filter((i) => i.value !== 0)).toHaveLength(2);
    const days = cells(f.tables['contacts-by-day']);
    expect(f.tables['contacts-by-day'].head.map((h) => h.text)).toEqual([
      'Day',
      'Education',
      'Health',
      'Police',
      'Public or no agency',
      'All contacts',
    ]);
    // The single A&E contact is hidden, and so is what would give it away.
    expect(days[25]).toEqual(['Fri, 27 Feb 2026', '0', '<5', '<5', '0', '6']);
    expect(days[7]).toEqual(['Mon, 9 Feb 2026', '10', '<5', '0', '<5', '20']);
    expect(days.at(-1)).toEqual(['All days', '10', '6', '<5', '<5', '26']);
    expect(cells(f.tables['contacts-by-source'])).toEqual([
      ['Individual: family member, relative or carer', '1A', '<5'],
      ['Schools', '2A', '10'],
      ['Health services: other primary health services', '3D', '5'],
      ['Health services: A&E (emergency department)', '3E', '<5'],
      ['Police', '6', '5'],
      ['All sources', '', '26'],
    ]);
    // The CSV takes the plain values: ISO dates and numbers.
    expect(f.tables['contacts-by-day'].rows[7]?.map((c) => c.value)).toEqual([
      '2026-02-09',
      10,
      '<5',
      0,
      '<5',
      20,
    ]);
  });

  it('takes whole days in UK time: a contact at 23:30 UTC in summer belongs to the next day', async () => {
    await insertContact(database.db, {
      partnershipId: w.partnershipId,
      receivedAt: at('2026-07-01T23:30:00Z'),
      source: '8',
      organisationId: null,
      holder: w.users.manager.id,
    });
    const ctx = w.users.manager.ctx();
    const first = await services.frontDoorDashboard.figures(ctx, { from: '2026-07-01', to: '2026-07-01' });
    const second = await services.frontDoorDashboard.figures(ctx, { from: '2026-07-02', to: '2026-07-02' });
    expect(first.tables['contacts-by-day'].rows[0]?.at(-1)?.text).toBe('0');
    expect(second.tables['contacts-by-day'].rows[0]?.at(-1)?.text).toBe('<5');
  });

  it('audits each look as one aggregate view naming the period', async () => {
    await services.frontDoorDashboard.figures(w.users.analyst.ctx(), period, { table: 'outcomes' });
    expect(await lastEvent()).toMatchObject({
      action: 'aggregate.view',
      outcome: 'success',
      actorUserId: w.users.analyst.id,
      detail: { table: 'front-door-dashboard', download: 'outcomes', ...period },
      personIds: [],
    });
  });

  it.runIf(inject('testDatabase').engine === 'postgres')(
    'reads the same figures from a read-only copy, writing the view to the primary',
    async () => {
      const url = new URL(database.url!);
      url.searchParams.set('options', '-c default_transaction_read_only=on');
      const replica = await openDatabase({ kind: 'postgres', url: url.toString() });
      try {
        const config = loadConfig({ DATA_DIR: 'memory://' });
        const reading = createServices(database.db, config, replica.db).frontDoorDashboard;
        const fromReplica = await reading.figures(w.users.analyst.ctx(), period);
        expect(await lastEvent()).toMatchObject({ action: 'aggregate.view', detail: period });
        const fromPrimary = await services.frontDoorDashboard.figures(w.users.analyst.ctx(), period);
        expect(fromReplica).toEqual(fromPrimary);
        // The copy really refuses writes, so the figures did not need any.
        await expect(
          replica.db.insertInto('instanceSettings').values({ key: 'x', value: 'y' }).execute(),
        ).rejects.toMatchObject({ code: '25006' });
      } finally {
        await replica.close();
      }
    },
  );

  it('refuses a practitioner and audits the refusal', async () => {
    await expect(
      services.frontDoorDashboard.figures(w.users.socialWorker.ctx(), period),
    ).rejects.toBeInstanceOf(ForbiddenError);
    expect(await lastEvent()).toMatchObject({
      action: 'front-door.dashboard',
      outcome: 'denied',
      actorUserId: w.users.socialWorker.id,
    });
  });

  it('refuses a period that is not one, ends before it starts, or is over 3 years', async () => {
    const ctx = w.users.manager.ctx();
    const fields = async (p: { from: string; to: string }) => {
      const error: unknown = await services.frontDoorDashboard.figures(ctx, p).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      return (error as ValidationError).fields.map((f) => f.field);
    };
    expect(await fields({ from: '2026-02-30', to: '2026-03-01' })).toEqual(['from']);
    expect(await fields({ from: '2026-03-02', to: '2026-03-01' })).toEqual(['to']);
    expect(await fields({ from: '2022-01-01', to: '2026-03-01' })).toEqual(['from']);
    await expect(
      services.frontDoorDashboard.figures(ctx, { from: '2023-03-03', to: '2026-03-02' }),
    ).resolves.toBeTruthy();
  });
});

describe('working days from grouped decisions', () => {
  const localTime = (x: Date) =>
    new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/London',
      hourCycle: 'h23',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    }).format(x) + `.${String(x.getUTCMilliseconds()).padStart(3, '0')}`;

  it('gives what workingDaysBetween gives for any receipt and decision', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...JURISDICTIONS),
        fc.date({
          min: new Date('2025-01-01T00:00:00Z'),
          max: new Date('2027-12-31T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.integer({ min: -2 * HOUR, max: 12 * 24 * HOUR }),
        (j, received, elapsed) => {
          const calendar = calendarFor(j);
          const decided = new Date(received.getTime() + elapsed);
          const group = {
            receivedOn: londonDate(received),
            decidedOn: londonDate(decided),
            earlierInDay: localTime(decided) < localTime(received),
            beforeNine: localTime(decided) < '09:00:00.000',
          };
          expect(workingDaysTaken(calendar, group)).toBe(calendar.workingDaysBetween(received, decided));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('interpolates percentiles as PostgreSQL’s percentile_cont does', () => {
    const values = [1, 2, 3, 10].map((value) => ({ value, n: 1 }));
    expect(percentileCont(values, 0.9)).toBeCloseTo(7.9, 9);
    expect(percentileCont(values, 0.5)).toBe(2.5);
    expect(percentileCont([{ value: 4, n: 3 }], 0.9)).toBe(4);
    expect(percentileCont([], 0.5)).toBeNull();
  });
});

describe('front door figures pages', () => {
  let t: TestApp;
  let manager: { id: string; email: string };

  beforeAll(async () => {
    t = await createTestApp();
    manager = await t.createUser('manager@example.org', ['team_manager']);
    const received = at('2026-02-16T10:00:00Z');
    for (let i = 0; i < 6; i++)
      await insertContact(t.database.db, {
        partnershipId: t.partnershipId,
        receivedAt: plus(received, i * 24),
        source: '2A',
        organisationId: t.organisationId,
        holder: manager.id,
        outcome: i % 2 ? 'early_help' : 'statutory_assessment',
        finalAt: plus(received, i * 24 + 3),
      });
  });
  afterAll(() => t.close());

  it('shows a team manager the last 30 days as charts with their tables', async () => {
    const agent = t.agent();
    await agent.signIn(manager.email);
    const page = await agent.get('/front-door/dashboard');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1 class="govuk-heading-l">Front door figures</h1>');
    expect(page.body).toContain('value="2026-02-01"');
    expect(page.body).toContain('value="2026-03-02"');
    expect(page.body).toContain('role="img" aria-labelledby="chart-per-day-title chart-per-day-desc"');
    expect(page.body).toContain('<title id="chart-outcomes-title">Decisions by outcome</title>');
    expect(page.body).not.toMatch(/\sstyle="/);
    expect(page.body).toContain(
      'href="/front-door/dashboard.csv?table=outcomes&amp;from=2026-02-01&amp;to=2026-03-02"',
    );
  });

  it('refuses a practitioner', async () => {
    const agent = t.agent();
    await agent.signIn(t.practitioner.email);
    expect((await agent.get('/front-door/dashboard')).statusCode).toBe(403);
    expect((await agent.get('/front-door/dashboard.csv?table=summary')).statusCode).toBe(403);
  });

  it('answers a date that is not one with 400 and the error on the field', async () => {
    const agent = t.agent();
    await agent.signIn(manager.email);
    const bad = await agent.get('/front-door/dashboard?from=2026-02-30&to=2026-03-01');
    expect(bad.statusCode).toBe(400);
    expect(errorSummary(bad.body)).toEqual([
      '#from Enter the first day as YYYY-MM-DD, for example 2026-02-01',
    ]);
    expect(bad.body).toContain('value="2026-02-30"');
    const backwards = await agent.get('/front-door/dashboard?from=2026-03-01&to=2026-02-01');
    expect(errorSummary(backwards.body)).toEqual([
      '#to The last day must be the same as or after the first day',
    ]);
    const long = await agent.get('/front-door/dashboard?from=2020-01-01&to=2026-02-01');
    expect(errorSummary(long.body)).toEqual(['#from Choose a period of 3 years or less']);
  });

  it('downloads a table as CSV with its header row', async () => {
    const agent = t.agent();
    await agent.signIn(manager.email);
    const csv = await agent.get('/front-door/dashboard.csv?table=outcomes&from=2026-02-01&to=2026-02-28');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe(
      'attachment; filename="front-door-outcomes-2026-02-01-to-2026-02-28.csv"',
    );
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/);
    expect(lines[0]).toBe('Decision,Contacts,Share of decisions (%)');
    expect(lines).toContain('Early help,<5,');
    expect(lines.at(-1)).toBe('All decisions,6,100');
    expect((await agent.get('/front-door/dashboard.csv?table=nothing')).statusCode).toBe(404);
  });
});
