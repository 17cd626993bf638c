import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor, Ctx, Role } from '../../common/context.ts';
import { ForbiddenError } from '../../common/errors.ts';
import { createServices, type Services } from '../../composition.ts';
import { loadConfig } from '../../config.ts';
import type { Db } from '../../db/database.ts';
import type { Sector } from '../../db/schema.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { buildCtx, buildSystemActor, TEST_NOW } from '../../../test/helpers/context.ts';
import { insertPartnership } from '../../../test/helpers/builders.ts';
import { modulus11CheckDigit } from '../people/people.identifiers.ts';
import { importAgencyFile } from '../people/people.import.ts';
import { convertWaitingFeedEvents, FEED_MAP, importFeedFile, type FeedFile } from './signals.feeds.ts';
import { seedSignalRules } from './signals.rules.seed.ts';
import type { FeedKind } from './signals.vocabulary.ts';

/**
 * Agencies' feeds end to end on the test database: rows through the person index's importer, events
 * kept beside their records, signals for linked children (and none for attendance that is fine),
 * rows waiting for review converted when a reviewer links them, reruns adding nothing, unusable rows
 * rejected with their line, alerts from the rules, and the school's safeguarding lead told of a
 * police notification before the next school day starts.
 */

const IDENTITY = ['event_id', 'given_name', 'family_name', 'date_of_birth', 'sex', 'postcode', 'nhs_number'];
const GIVEN = ['Oliver', 'Amelia', 'Noah', 'Isla', 'Leo', 'Ava', 'Arthur', 'Freya', 'Oscar', 'Ivy'];
const FAMILY = [
  'Smith',
  'Jones',
  'Patel',
  'Khan',
  'Nowak',
  'Taylor',
  'Brown',
  'Evans',
  'Walsh',
  'Murphy',
  'Hughes',
];

function nhsNumber(n: number): string {
  for (let k = n * 13; ; k++) {
    const nine = String(943_100_000 + k * 37);
    const check = modulus11CheckDigit(nine);
    if (check !== undefined) return `${nine}${check}`;
  }
}

/** Child n's identifying columns (without the event id), the same in every feed. */
function child(n: number): string[] {
  return [
    GIVEN[n % GIVEN.length]!,
    FAMILY[n % FAMILY.length]!,
    `${2012 + (n % 8)}-${String(1 + ((n * 5) % 12)).padStart(2, '0')}-${String(1 + (n % 28)).padStart(2, '0')}`,
    n % 2 ? 'F' : 'M',
    `NB${1 + (n % 9)} ${n % 10}AB`,
    nhsNumber(n),
  ];
}

function csvOf(columns: string[], rows: string[][]): string {
  const field = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return [columns, ...rows].map((r) => r.map(field).join(',')).join('\n');
}

async function buildFeedWorld(db: Db) {
  const partnershipId = await insertPartnership(db, 'Feed Partnership');
  const org = async (name: string, sector: Sector) =>
    (
      await db
        .insertInto('organisations')
        .values({ partnershipId, name, sector, kind: name })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const orgs = {
    council: await org('Northbridge Council', 'social_care'),
    school: await org('Elm Park School', 'education'),
    health: await org('Community Health Trust', 'health'),
    police: await org('Northshire Police', 'police'),
  };
  const user = async (name: string, organisationId: string, roles: Role[]) => {
    const { id } = await db
      .insertInto('users')
      .values({
        partnershipId,
        email: `${name}.${randomBytes(3).toString('hex')}@feeds.example`,
        displayName: name,
        organisationId,
        roles,
        passwordHash: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const actor: Actor = { userId: id, partnershipId, organisationId, roles, displayName: name };
    return { id, ctx: (now = TEST_NOW): Ctx => buildCtx(actor, { now }) };
  };
  const users = {
    manager: await user('manager', orgs.council, ['team_manager']),
    frontDoor: await user('front.door', orgs.council, ['front_door']),
    teacher: await user('teacher', orgs.school, ['practitioner']),
    formerTeacher: await user('former.teacher', orgs.school, ['practitioner']),
    practitioner: await user('practitioner', orgs.council, ['practitioner']),
  };
  await db
    .insertInto('recordSources')
    .values([
      {
        partnershipId,
        code: 'gp-registrations',
        name: 'GP',
        kind: 'gp_registrations',
        organisationId: orgs.health,
      },
      {
        partnershipId,
        code: 'school-roll',
        name: 'School census',
        kind: 'school_roll',
        organisationId: orgs.school,
      },
      { partnershipId, code: 'police', name: 'Police', kind: 'police', organisationId: orgs.police },
    ])
    .execute();
  return {
    partnershipId,
    orgs,
    users,
    system: (now = TEST_NOW) => buildCtx(buildSystemActor(partnershipId), { now }),
  };
}

describe('data-feed signals', () => {
  let database: TestDatabase;
  let services: Services;
  let db: Db;
  let w: Awaited<ReturnType<typeof buildFeedWorld>>;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.db;
    services = createServices(db, loadConfig({ DATA_DIR: 'memory://' }));
    w = await buildFeedWorld(db);
    // The index already holds 40 children, from a GP registration feed.
    await importAgencyFile(services.personIndex, w.system(), {
      source: 'gp-registrations',
      fileName: 'gp.csv',
      open: () =>
        Readable.from([
          Buffer.from(
            csvOf(
              IDENTITY,
              Array.from({ length: 40 }, (_, n) => [`G${n}`, ...child(n)]),
            ),
          ),
        ]),
      map: FEED_MAP,
    });
    await seedSignalRules(db, w.partnershipId, w.users.manager.id, TEST_NOW);
  });
  afterAll(() => database.close());

  const feed = async (
    kind: FeedKind,
    columns: string[],
    rows: string[][],
    ctx = w.system(),
    more: Partial<FeedFile> = {},
  ) => {
    const rejects: string[] = [];
    const result = await importFeedFile(services, ctx, {
      kind,
      fileName: `${kind}.csv`,
      open: () => Readable.from([Buffer.from(csvOf([...IDENTITY, ...columns], rows))]),
      rejects: (line) => rejects.push(line),
      ...more,
    });
    return { ...result, rejects };
  };

  /** The person the GP feed's record of child n is linked to. */
  const personOf = async (n: number) =>
    (
      await db
        .selectFrom('sourceRecords as r')
        .innerJoin('recordLinks as l', 'l.sourceRecordId', 'r.id')
        .select('l.personId')
        .where('r.partnershipId', '=', w.partnershipId)
        .where('r.localId', '=', `G${n}`)
        .where('l.endedAt', 'is', null)
        .executeTakeFirstOrThrow()
    ).personId;

  const signalsOf = (personId: string) =>
    db.selectFrom('signals').selectAll().where('personId', '=', personId).orderBy('observedOn').execute();

  const eventOf = (localId: string) =>
    db
      .selectFrom('signalFeedEvents as e')
      .innerJoin('sourceRecords as r', 'r.id', 'e.sourceRecordId')
      .selectAll('e')
      .where('r.partnershipId', '=', w.partnershipId)
      .where('r.localId', '=', localId)
      .executeTakeFirstOrThrow();

  it('makes a signal of a linked child’s low attendance, and an alert once a health signal joins it', async () => {
    const result = await feed(
      'school_attendance',
      ['event_date', 'attendance_percent'],
      [['A1', ...child(3), '2026-02-23', '84']],
    );
    expect(result).toMatchObject({
      rowsRead: 1,
      rejected: 0,
      stored: 1,
      events: 1,
      signalled: 1,
      noSignal: 0,
    });
    expect(result.outcome).toEqual({ autoLinked: 1, forReview: 0, newPeople: 0 });
    const personId = await personOf(3);
    const [signal] = await signalsOf(personId);
    expect(signal).toMatchObject({
      category: 'school_attendance',
      severity: 2,
      description: 'Attendance 84% in the week of 23 Feb 2026 (threshold 90%)',
      observedOn: '2026-02-23',
      organisationId: w.orgs.school,
      dataType: 'education',
      sensitivity: 'standard',
      source: 'feed',
      feedKind: 'school_attendance',
      measure: 84,
      recordedBy: null,
    });
    const event = await eventOf('A1');
    expect(event).toMatchObject({
      status: 'signalled',
      personId,
      feedKind: 'school_attendance',
      measure: 84,
    });
    expect(signal!.feedEventId).toBe(event.id);
    expect(await db.selectFrom('alerts').selectAll().where('personId', '=', personId).execute()).toEqual([]);

    // A missed health appointment: "attendance under 90% together with a health signal" now holds.
    const health = await feed(
      'was_not_brought',
      ['event_date', 'detail'],
      [['W1', ...child(3), '2026-02-25', 'Dental check-up']],
    );
    expect(health).toMatchObject({ signalled: 1, alertsRaised: 1 });
    const signals = await signalsOf(personId);
    expect(signals[1]).toMatchObject({
      category: 'health_needs_not_met',
      severity: 1,
      organisationId: w.orgs.health,
      description: 'Not brought to a health appointment on 25 Feb 2026: Dental check-up',
    });
    const alerts = await db.selectFrom('alerts').selectAll().where('personId', '=', personId).execute();
    expect(alerts).toMatchObject([
      { ruleKey: 'attendance-and-health', routedTo: 'front_door', status: 'open' },
    ]);
    expect([...alerts[0]!.signalIds].sort()).toEqual(signals.map((s) => s.id).sort());

    // The run is audited as the system, naming the child.
    const audited = await db
      .selectFrom('auditEvents')
      .selectAll()
      .where('partnershipId', '=', w.partnershipId)
      .where('action', '=', 'signals.feed.signal')
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect(audited).toMatchObject({ actorUserId: null, personIds: [personId] });
    expect(audited.detail).toMatchObject({ signalled: 1, alertsRaised: 1 });
  });

  it('moves a feed signal with its record when the record is taken off the wrong child', async () => {
    await feed('was_not_brought', ['event_date', 'detail'], [['U1', ...child(5), '2026-02-25', 'Eye test']]);
    const child5 = await personOf(5);
    const link = await db
      .selectFrom('recordLinks as l')
      .innerJoin('sourceRecords as r', 'r.id', 'l.sourceRecordId')
      .select(['l.id', 'l.version'])
      .where('r.partnershipId', '=', w.partnershipId)
      .where('r.localId', '=', 'U1')
      .where('l.endedAt', 'is', null)
      .executeTakeFirstOrThrow();
    expect(await signalsOf(child5)).toHaveLength(1);
    const { newPersonId } = await services.personIndex.unlink(
      w.users.frontDoor.ctx(),
      link.id,
      link.version,
      'A different child with the same name',
    );
    expect(await signalsOf(child5)).toEqual([]);
    expect(await signalsOf(newPersonId)).toMatchObject([{ feedKind: 'was_not_brought' }]);
    expect((await eventOf('U1')).personId).toBe(newPersonId);
  });

  it('adds nothing when the same file comes again', async () => {
    const count = async () =>
      Number(
        (
          await db
            .selectFrom('signals')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .where('partnershipId', '=', w.partnershipId)
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await count();
    const again = await feed(
      'school_attendance',
      ['event_date', 'attendance_percent'],
      [['A1', ...child(3), '2026-02-23', '84']],
    );
    expect(again).toMatchObject({ stored: 0, unchanged: 1, events: 0, signalled: 0, alertsRaised: 0 });
    expect(await count()).toBe(before);
  });

  it('rejects rows whose event cannot be used, with line and reason, and stores nothing of them', async () => {
    const result = await feed(
      'school_attendance',
      ['event_date', 'attendance_percent'],
      [
        ['B1', ...child(4), '2026-02-23', '72'], // line 2
        ['B2', ...child(5), '2026-02-23', 'about half'], // 3
        ['B3', ...child(6), '2026-02-23', '120'], // 4
        ['B4', ...child(7), '2026-02-30', '80'], // 5
        ['B5', ...child(8).slice(0, 5), '9434765918', '2026-02-23', '70'], // 6: the importer's reject
        ['B6', ...child(9), '2026-03-09', '80'], // 7: after today
        ['B7', ...child(10), '2026-02-23', '88.5'], // 8
      ],
    );
    expect(result).toMatchObject({ rowsRead: 7, rejected: 5, stored: 2, events: 2, signalled: 2 });
    expect(result.rejects[0]).toBe('line,reason');
    expect(result.rejects.slice(1)).toEqual([
      '3,"attendance_percent ""about half"" is not a number from 0 to 100"',
      '4,"attendance_percent ""120"" is not a number from 0 to 100"',
      '5,"event_date ""2026-02-30"" is not a date in the form YYYY-MM-DD"',
      expect.stringMatching(/^6,.*9434765918.*not a real NHS number/),
      '7,event_date 2026-03-09 is in the future',
    ]);
    const held = await db
      .selectFrom('sourceRecords')
      .select(['localId', 'lineNumber'])
      .where('partnershipId', '=', w.partnershipId)
      .where('localId', 'like', 'B%')
      .orderBy('localId')
      .execute();
    // Kept rows keep their own line numbers.
    expect(held).toEqual([
      { localId: 'B1', lineNumber: 2 },
      { localId: 'B7', lineNumber: 8 },
    ]);
    expect((await signalsOf(await personOf(4)))[0]).toMatchObject({ severity: 3 });
    expect((await signalsOf(await personOf(10)))[0]).toMatchObject({
      severity: 2,
      description: 'Attendance 88.5% in the week of 23 Feb 2026 (threshold 90%)',
    });
  });

  it('refuses a file without the columns its kind needs, and storing nothing', async () => {
    const before = await db
      .selectFrom('personImports')
      .select('id')
      .where('partnershipId', '=', w.partnershipId)
      .execute();
    await expect(
      feed(
        'school_exclusion',
        ['event_date', 'exclusion'],
        [['X1', ...child(11), '2026-02-23', 'permanent']],
      ),
    ).rejects.toThrow('school_exclusion.csv: a school_exclusion feed needs the column "days"');
    const after = await db
      .selectFrom('personImports')
      .select('id')
      .where('partnershipId', '=', w.partnershipId)
      .execute();
    expect(after).toHaveLength(before.length);
  });

  it('makes no signal of attendance at or above the threshold unless it is falling', async () => {
    const result = await feed(
      'school_attendance',
      ['event_date', 'attendance_percent'],
      [
        ['C1', ...child(12), '2026-02-02', '97'],
        ['C2', ...child(12), '2026-02-09', '95'],
        ['C3', ...child(12), '2026-02-16', '90'],
        ['C4', ...child(12), '2026-02-23', '100'],
      ],
    );
    expect(result).toMatchObject({ events: 4, signalled: 1, noSignal: 3 });
    expect((await eventOf('C2')).status).toBe('no_signal');
    expect((await eventOf('C3')).status).toBe('signalled');
    const signals = await signalsOf(await personOf(12));
    expect(signals).toMatchObject([
      {
        severity: 1,
        description: 'Attendance 90% in the week of 16 Feb 2026, down from 95% on 9 Feb 2026 (threshold 90%)',
      },
    ]);

    // Next week's file: judged against the week the child had before, held from the last file.
    const next = await feed(
      'school_attendance',
      ['event_date', 'attendance_percent'],
      [['C5', ...child(12), '2026-03-02', '94']],
    );
    expect(next).toMatchObject({ signalled: 1 });
    expect((await signalsOf(await personOf(12))).at(-1)!.description).toContain(
      'down from 100% on 23 Feb 2026',
    );
  });

  it('keeps a row the index is unsure of waiting for review, and makes its signal when a reviewer links it', async () => {
    const insertMaya = async () =>
      (
        await db
          .insertInto('people')
          .values({
            partnershipId: w.partnershipId,
            kind: 'child',
            givenName: 'Maya',
            familyName: 'Okonkwo',
            dateOfBirth: '2016-05-04',
            sex: 'female',
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const [first] = [await insertMaya(), await insertMaya()];
    const result = await feed(
      'police_domestic_abuse',
      ['event_date', 'detail'],
      [['D1', 'Maya', 'Okonkwo', '2016-05-04', 'F', 'NB5 5AG', '', '2026-02-28', 'Neighbours called police']],
    );
    expect(result).toMatchObject({ events: 1, signalled: 0, waiting: 1 });
    expect(result.outcome.forReview).toBe(1);
    const event = await eventOf('D1');
    expect(event).toMatchObject({ status: 'awaiting_link', personId: null });
    expect(await signalsOf(first)).toEqual([]);

    // Another run before the review changes nothing for it: it waits, never dropped.
    await convertWaitingFeedEvents(services, w.system(), w.partnershipId);
    expect((await eventOf('D1')).status).toBe('awaiting_link');

    const proposal = await db
      .selectFrom('recordLinks')
      .selectAll()
      .where('sourceRecordId', '=', event.sourceRecordId)
      .where('personId', '=', first)
      .executeTakeFirstOrThrow();
    await services.personIndex.decideLink(
      w.users.frontDoor.ctx(),
      proposal.id,
      proposal.version,
      'link',
      null,
    );
    expect(await eventOf('D1')).toMatchObject({ status: 'signalled', personId: first });
    expect(await signalsOf(first)).toMatchObject([
      {
        category: 'domestic_abuse',
        severity: 3,
        organisationId: w.orgs.police,
        description:
          'Police notified a domestic abuse incident where the child lives on 28 Feb 2026: Neighbours called police',
      },
    ]);
  });

  it('tells the child’s school safeguarding lead of a police notification by 08:30 on the next school day', async () => {
    const personId = await personOf(20);
    const involve = (userId: string, endedAt: Date | null) =>
      db
        .insertInto('involvements')
        .values({
          partnershipId: w.partnershipId,
          personId,
          userId,
          kind: 'school_safeguarding_lead',
          purpose: 'safeguarding',
          reason: 'Designated safeguarding lead',
          startedAt: new Date('2025-09-01T08:00:00Z'),
          endedAt,
        })
        .execute();
    await involve(w.users.teacher.id, null);
    await involve(w.users.formerTeacher.id, new Date('2026-01-01T00:00:00Z'));
    // Friday 1 May 2026, 16:00 in London; Monday 4 May is a bank holiday.
    const friday = new Date('2026-05-01T15:00:00Z');
    const result = await feed(
      'police_domestic_abuse',
      ['event_date', 'detail'],
      [['P1', ...child(20), '2026-04-30', '']],
      w.system(friday),
    );
    expect(result).toMatchObject({ signalled: 1, notified: 1 });
    const notifications = await db
      .selectFrom('notifications')
      .selectAll()
      .where('personId', '=', personId)
      .where('kind', '=', 'police_notification')
      .execute();
    const [given, family] = child(20);
    expect(notifications).toMatchObject([
      {
        userId: w.users.teacher.id,
        message: `Police notified a domestic abuse incident where ${given} ${family} lives on 30 Apr 2026`,
        link: `/people/${personId}`,
        // Tuesday 5 May, 08:30 British Summer Time.
        dueBy: new Date('2026-05-05T07:30:00Z'),
        readAt: null,
      },
    ]);
  });

  it('refuses someone who may not load feeds, and says so in the audit trail', async () => {
    await expect(
      feed(
        'school_attendance',
        ['event_date', 'attendance_percent'],
        [['Z1', ...child(30), '2026-02-23', '50']],
        w.users.practitioner.ctx(),
      ),
    ).rejects.toBeInstanceOf(ForbiddenError);
    const denied = await db
      .selectFrom('auditEvents')
      .selectAll()
      .where('partnershipId', '=', w.partnershipId)
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect(denied).toMatchObject({
      action: 'signals.feed',
      outcome: 'denied',
      actorUserId: w.users.practitioner.id,
    });
    expect(await db.selectFrom('sourceRecords').select('id').where('localId', '=', 'Z1').execute()).toEqual(
      [],
    );
  });
});
