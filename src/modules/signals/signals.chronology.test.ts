import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ForbiddenError, NotFoundError } from '../../common/errors.ts';
import { createServices, type Services } from '../../composition.ts';
import { loadConfig } from '../../config.ts';
import { parseWith } from '../../web/forms.ts';
import { buildChronologyWorld } from '../../../test/helpers/chronology-world.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { buildTrustWorld, type World, type WorldUser } from '../../../test/helpers/trust-world.ts';
import {
  brief,
  CHRONOLOGY_LIMIT,
  ChronologyQuery,
  NO_FILTERS,
  type ChronologyEntry,
  type ChronologyFilters,
} from './signals.chronology.ts';

describe('the chronology', () => {
  let database: TestDatabase;
  let services: Services;
  let w: World;
  let made: Awaited<ReturnType<typeof buildChronologyWorld>>;

  beforeAll(async () => {
    database = await createTestDatabase();
    services = createServices(database.db, loadConfig({ DATA_DIR: 'memory://' }));
    w = await buildTrustWorld(database.db);
    made = await buildChronologyWorld(database.db, w);
  });
  afterAll(() => database.close());

  const timeline = (user: WorldUser, filters: Partial<ChronologyFilters> = {}, personId = w.child) =>
    services.chronology.timeline(user.ctx(), personId, { ...NO_FILTERS, ...filters });
  const titles = (entries: ChronologyEntry[]) => entries.map((e) => e.title);
  const lastAudit = () =>
    database.db
      .selectFrom('auditEvents')
      .selectAll()
      .where('partnershipId', '=', w.partnershipId)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();

  it('merges every source, newest first, each with its agency, category and a link', async () => {
    const { entries, agencies } = await timeline(w.users.socialWorker);
    const byId = new Map(entries.map((e) => [e.id, e]));
    const number = made.plan.number;

    expect(byId.get(`contact-${made.contactId}`)).toMatchObject({
      on: '2026-01-10',
      agency: { id: w.orgs.school, name: 'Elm Park School' },
      category: 'contact',
      title: `Contact ${made.contactNumber} to the front door`,
      text: 'Phone. Today: needs a decision today.',
      // Not the front door's and not the social worker's own contact: no page to open.
      href: null,
    });
    expect(entries.find((e) => e.category === 'decision')).toMatchObject({
      on: '2026-01-11',
      agency: { id: w.orgs.council, name: 'Northbridge Council' },
      title: `Decision on contact ${made.contactNumber}: Early help`,
      text: 'Level of need: Additional: early help.',
    });
    expect(byId.get(`signal-${made.signals.school}`)).toMatchObject({
      on: '2026-02-03',
      agency: { id: w.orgs.school, name: 'Elm Park School' },
      category: 'signal:school_attendance',
      title: 'Signal: school attendance (moderate)',
      text: 'Attendance 82% this term',
      by: 'Recorded by teacher',
      href: `/people/${w.child}/signals`,
    });
    expect(byId.get(`signal-${made.signals.gpHealth}`)?.title).toBe('Signal: health needs not met (high)');
    expect(entries.filter((e) => e.category === 'alert').map((e) => [e.on, e.title, e.text, e.href])).toEqual(
      [
        ['2026-02-14', 'Alert: Signals from two agencies', 'Closed: no action.', `/alerts/${made.alertId}`],
        ['2026-02-13', 'Alert: Signals from two agencies', 'Acknowledged.', `/alerts/${made.alertId}`],
        [
          '2026-02-12',
          'Alert: Signals from two agencies',
          'Raised and sent to the front door.',
          `/alerts/${made.alertId}`,
        ],
      ],
    );
    expect(
      entries.filter((e) => e.category === 'assessment').map((e) => [e.on, e.title, e.text, e.href]),
    ).toEqual([
      [
        '2026-02-01',
        `Assessment ${made.assessmentNumber} finished`,
        'Outcome: needs met by the assessing agency.',
        `/assessments/${made.assessmentId}`,
      ],
      ['2026-01-20', `Assessment ${made.assessmentNumber} started`, '', `/assessments/${made.assessmentId}`],
    ]);
    expect(entries.filter((e) => e.category === 'plan').map((e) => [e.on, e.title, e.text])).toEqual([
      ['2026-02-25', `Plan ${number} closed`, 'Goals met'],
      ['2026-02-08', `New lead professional for plan ${number}: team.member`, 'Handed over for leave'],
      ['2026-02-05', `Plan ${number} changed to child in need`, 'Worries grew'],
      ['2026-01-15', `Early help plan ${number} started`, 'Allocated from the front door'],
    ]);
    expect(entries.filter((e) => e.category === 'review')).toMatchObject([
      {
        on: '2026-02-20',
        title: `Review for plan ${number}`,
        text: 'Keep going with the plan',
        href: `/plans/${made.plan.id}/reviews/${made.reviewId}`,
      },
    ]);
    expect(byId.get(`note-${w.items.councilStandard}`)).toMatchObject({
      on: '2026-02-01',
      category: 'note',
      title: 'Home visit',
      href: `/people/${w.child}`,
    });

    const keys = entries.map((e) => `${e.on}|${e.at?.toISOString() ?? ''}`);
    expect(keys).toEqual([...keys].sort().reverse());
    expect(agencies.map((a) => a.name)).toEqual([
      'Elm Park School',
      'Northbridge Council',
      'Riverside Surgery',
    ]);
    // Free texts of the front door and of alerts never show here.
    expect(JSON.stringify(entries)).not.toContain('SECRET');
  });

  it('shows an item another agency shares only as existence as "an item from …: ask …", and audits what showed', async () => {
    const { entries } = await timeline(w.users.socialWorker);
    // Mental health is special category: the safeguarding agreement shares only that it exists.
    const withheld = entries.find((e) => e.id === `withheld-${made.signals.gpSpecial}`);
    expect(withheld).toEqual({
      id: `withheld-${made.signals.gpSpecial}`,
      on: '2026-02-12',
      at: null,
      agency: { id: w.orgs.gp, name: 'Riverside Surgery' },
      category: 'withheld',
      title: 'An item from Riverside Surgery: ask gp (gp@world.example)',
      text: 'Riverside Surgery holds health information from this date that is not shared with your organisation.',
      by: null,
      href: null,
      withheld: true,
      itemId: null,
    });
    expect(JSON.stringify(entries)).not.toContain('feeling low');

    const audit = await lastAudit();
    expect(audit).toMatchObject({ action: 'person.chronology', outcome: 'success', subjectId: w.child });
    expect([...audit.itemIds].sort()).toEqual(
      [
        made.signals.school,
        made.signals.gpHealth,
        w.items.schoolStandard,
        w.items.gpHealth,
        w.items.councilLocation,
        w.items.councilStandard,
      ].sort(),
    );
    expect(audit.detail).toMatchObject({ entries: entries.length, withheld: 2 });
  });

  it('leaves out what the rules hide, and names the organisation when nobody from it is involved', async () => {
    // The housing officer may not read health items: existence only. The refuge address shows
    // nothing at all to anyone outside the council.
    const { entries } = await timeline(w.users.housingOfficer);
    const ids = entries.map((e) => e.id);
    expect(ids).toContain(`withheld-${made.signals.gpHealth}`);
    expect(ids).not.toContain(`signal-${made.signals.gpHealth}`);
    expect(ids.some((id) => id.endsWith(w.items.councilLocation))).toBe(false);
    expect(JSON.stringify(entries)).not.toContain('Refuge');
    // Both of the GP's signals and items, and the refuge address.
    expect((await lastAudit()).detail).toMatchObject({ withheld: 5 });

    await database.db
      .updateTable('involvements')
      .set({ endedAt: new Date('2026-02-01T00:00:00Z') })
      .where('id', '=', w.involvements.gp)
      .execute();
    try {
      const after = await timeline(w.users.housingOfficer);
      expect(after.entries.find((e) => e.id === `withheld-${made.signals.gpHealth}`)?.title).toBe(
        'An item from Riverside Surgery: ask the safeguarding lead at Riverside Surgery',
      );
    } finally {
      await database.db
        .updateTable('involvements')
        .set({ endedAt: null })
        .where('id', '=', w.involvements.gp)
        .execute();
    }
  });

  it('refuses those without a basis as the gate does, and audits the refusal', async () => {
    await expect(timeline(w.users.uninvolved)).rejects.toBeInstanceOf(ForbiddenError);
    expect(await lastAudit()).toMatchObject({ action: 'person.chronology', outcome: 'denied' });
    await expect(timeline(w.users.analyst)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(timeline(w.users.privacyOfficer)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(timeline(w.users.uninvolved, {}, w.sealedChild)).rejects.toBeInstanceOf(NotFoundError);
    await expect(timeline(w.users.outsider)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('filters by agency, category and dates, and turns the order round', async () => {
    const school = await timeline(w.users.socialWorker, { agency: w.orgs.school });
    expect(new Set(school.entries.map((e) => e.agency.name))).toEqual(new Set(['Elm Park School']));
    expect(school.entries.map((e) => e.category).sort()).toEqual([
      'contact',
      'note',
      'signal:school_attendance',
    ]);
    // The agencies offered stay those of the whole chronology.
    expect(school.agencies).toHaveLength(3);

    const some = await timeline(w.users.socialWorker, {
      categories: ['review', 'signal:health_needs_not_met'],
    });
    expect(titles(some.entries)).toEqual([
      `Review for plan ${made.plan.number}`,
      'Signal: health needs not met (high)',
    ]);

    const dated = await timeline(w.users.socialWorker, { from: '2026-02-10', to: '2026-02-13' });
    expect(dated.entries.map((e) => [e.on, e.category])).toEqual([
      ['2026-02-13', 'alert'],
      ['2026-02-12', 'alert'],
      ['2026-02-12', 'withheld'],
      ['2026-02-10', 'signal:health_needs_not_met'],
    ]);
    const oldest = await timeline(w.users.socialWorker, {
      from: '2026-02-10',
      to: '2026-02-13',
      order: 'oldest',
    });
    expect(oldest.entries.map((e) => e.id)).toEqual(dated.entries.map((e) => e.id).reverse());

    const nothing = await timeline(w.users.socialWorker, { agency: w.orgs.housing });
    expect(nothing.entries).toEqual([]);
  });

  it('dates an entry by the UK day it happened: half past midnight in summer time is the next day', async () => {
    const late = await database.db
      .insertInto('contacts')
      .values({
        partnershipId: w.partnershipId,
        receivedAt: new Date('2025-06-30T23:30:00Z'),
        recordedAt: new Date('2025-06-30T23:30:00Z'),
        dueAt: new Date('2025-07-01T23:30:00Z'),
        channel: 'police_notification',
        source: '6',
        personId: w.child,
        worries: 'SECRET',
        familyAware: false,
        consent: 'not_sought',
        consentReason: 'Police notification',
        urgency: 'standard',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const july = await timeline(w.users.socialWorker, { from: '2025-07-01', to: '2025-07-01' });
    expect(july.entries).toMatchObject([
      {
        id: `contact-${late.id}`,
        on: '2025-07-01',
        agency: { id: null, name: 'Police' },
        text: 'Police notification. Standard: within the usual timescale. Now new.',
      },
    ]);
    expect((await timeline(w.users.socialWorker, { to: '2025-06-30' })).entries).toEqual([]);
  });

  it('shows the latest entries up to the limit, and stops where a source was cut', async () => {
    // The sealed child (the social worker is named and involved): more signals than the page holds,
    // and a key note older than all of them, which the cut signals might have come before.
    const p = w.partnershipId;
    const day = (n: number) => new Date(Date.UTC(2025, 11, 31) - n * 86_400_000).toISOString().slice(0, 10);
    await database.db
      .insertInto('signals')
      .values(
        Array.from({ length: CHRONOLOGY_LIMIT + 5 }, (_, n) => ({
          partnershipId: p,
          personId: w.sealedChild,
          category: 'school_attendance' as const,
          severity: 1,
          description: `Week ${n}`,
          observedOn: day(n),
          organisationId: w.orgs.school,
          dataType: 'education' as const,
          sensitivity: 'standard' as const,
          source: 'practitioner' as const,
          recordedBy: w.users.teacher.id,
          recordedAt: new Date('2026-01-01T00:00:00Z'),
        })),
      )
      .execute();
    await database.db
      .insertInto('recordItems')
      .values({
        partnershipId: p,
        personId: w.sealedChild,
        owningOrganisationId: w.orgs.council,
        dataType: 'social_care',
        sensitivity: 'standard',
        title: 'Long ago',
        body: 'Before every signal',
        occurredOn: '2020-01-01',
        recordedAt: new Date('2020-01-01T00:00:00Z'),
      })
      .execute();
    const all = await timeline(w.users.socialWorker, {}, w.sealedChild);
    expect(all.entries).toHaveLength(CHRONOLOGY_LIMIT);
    expect(all.more).toBe(true);
    expect(all.entries.at(-1)?.on).toBe(day(CHRONOLOGY_LIMIT - 1));
    expect(titles(all.entries)).not.toContain('Long ago');

    const early = await timeline(w.users.socialWorker, { to: '2020-12-31' }, w.sealedChild);
    expect(titles(early.entries)).toEqual(['Long ago']);
    expect(early.more).toBe(false);
  });

  it('audits the printed copy as such', async () => {
    const printed = await services.chronology.timeline(w.users.socialWorker.ctx(), w.child, NO_FILTERS, {
      print: true,
    });
    expect(printed.viewer).toEqual({ name: 'social.worker', organisationName: 'Northbridge Council' });
    expect(printed.person).toMatchObject({
      givenName: 'Maya',
      familyName: 'Okafor',
      dateOfBirth: '2016-05-04',
    });
    expect(await lastAudit()).toMatchObject({ action: 'person.chronology.print', outcome: 'success' });
  });
});

describe('the chronology filters', () => {
  const parse = (query: Record<string, unknown>) => parseWith(ChronologyQuery, query);

  it('reads the GET form: one checkbox or several, empty boxes as no filter', () => {
    expect(parse({})).toEqual({ ok: true, data: NO_FILTERS });
    expect(
      parse({
        agency: '',
        category: 'note',
        order: '',
        'from-day': '',
        'from-month': '',
        'from-year': '',
      }),
    ).toEqual({ ok: true, data: { ...NO_FILTERS, categories: ['note'] } });
    expect(
      parse({
        agency: '0b4f1d0e-7c53-4c36-9a55-0d5b8f0e6f11',
        category: ['signal:neglect', 'alert', 'alert'],
        order: 'oldest',
        'from-day': '1',
        'from-month': '2',
        'from-year': '2026',
        'to-day': '28',
        'to-month': '2',
        'to-year': '2026',
        print: '1',
      }),
    ).toEqual({
      ok: true,
      data: {
        agency: '0b4f1d0e-7c53-4c36-9a55-0d5b8f0e6f11',
        categories: ['signal:neglect', 'alert'],
        order: 'oldest',
        from: '2026-02-01',
        to: '2026-02-28',
      },
    });
  });

  it('names the field of each mistake', () => {
    const errors = (query: Record<string, unknown>) => {
      const parsed = parse(query);
      return parsed.ok ? [] : parsed.errors;
    };
    expect(errors({ category: ['note', 'gossip'] })).toEqual([
      { field: 'category', message: 'Select categories from the list' },
    ]);
    expect(errors({ agency: 'the school' })).toEqual([
      { field: 'agency', message: 'Select an agency from the list' },
    ]);
    expect(errors({ order: 'random' })).toEqual([
      { field: 'order', message: 'Choose newest first or oldest first' },
    ]);
    expect(errors({ 'from-day': '31', 'from-month': '2', 'from-year': '2026' })).toEqual([
      { field: 'from-day', message: 'The from date must be a real date' },
    ]);
    expect(
      errors({
        'from-day': '2',
        'from-month': '2',
        'from-year': '2026',
        'to-day': '1',
        'to-month': '2',
        'to-year': '2026',
      }),
    ).toEqual([{ field: 'to-day', message: 'The to date must be the same as or after the from date' }]);
  });

  it('cuts a long text at a word', () => {
    expect(brief('  short \n text ')).toBe('short text');
    expect(brief('one two three four five six', 14)).toBe('one two three…');
    expect(brief(null)).toBe('');
  });
});
