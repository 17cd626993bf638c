import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Actor, Ctx, Role } from '../../common/context.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../common/errors.ts';
import { createServices, type Services } from '../../composition.ts';
import { loadConfig } from '../../config.ts';
import type { Db } from '../../db/database.ts';
import type { StoredFields } from '../../db/schema.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { buildCtx, buildSystemActor, TEST_NOW } from '../../../test/helpers/context.ts';
import { insertPartnership } from '../../../test/helpers/builders.ts';
import { TEST_COLUMNS, TEST_MAP } from '../../../test/helpers/linkage-map.ts';
import type { LinkageMap } from './people.linkage-io.ts';
import { modulus11CheckDigit } from './people.identifiers.ts';
import { importAgencyFile } from './people.import.ts';

/**
 * The persistent person index, end to end on the test database: agency files imported (rows kept as
 * received, unusable rows rejected with their line and reason, reruns and resumed runs adding nothing
 * twice), records linked to index people (twins never linked to each other, uncertain records held for
 * review), the review queue's decisions, unlinking, and the trust layer over all of it.
 */

const GIVEN = ['Oliver', 'Amelia', 'Noah', 'Isla', 'Leo', 'Ava', 'Arthur', 'Freya', 'Oscar', 'Ivy'];
const MORE_GIVEN = ['Harry', 'Mia', 'George', 'Lily', 'Jack', 'Rosie', 'Theo', 'Grace', 'Alfie', 'Evie'];
const FAMILY = ['Smith', 'Jones', 'Patel', 'Khan', 'Nowak', 'Taylor', 'Brown', 'Evans', 'Walsh', 'Murphy'];
const MORE_FAMILY = ['Hughes', 'Kowalski', 'Ahmed', 'Begum', 'Clarke', 'Turner', 'Wright', 'Baker'];

/** A valid NHS number, different for each n. */
function nhsNumber(n: number): string {
  for (let k = n * 13; ; k++) {
    const nine = String(943_100_000 + k * 37);
    const check = modulus11CheckDigit(nine);
    if (check !== undefined) return `${nine}${check}`;
  }
}

/** A GP feed's rows for `count` different children: enough for the engine to learn from. */
function population(count: number, prefix = 'P'): string[][] {
  const given = [...GIVEN, ...MORE_GIVEN];
  const family = [...FAMILY, ...MORE_FAMILY];
  return Array.from({ length: count }, (_, n) => [
    `${prefix}${n}`,
    given[n % given.length]!,
    family[(n * 7) % family.length]!,
    `${String(1 + (n % 28)).padStart(2, '0')}/${String(1 + ((n * 5) % 12)).padStart(2, '0')}/${2010 + (n % 12)}`,
    n % 2 ? 'F' : 'M',
    `${n + 1} ${['Mill Road', 'Park Lane', 'Church Street', 'High Street'][n % 4]}`,
    `NB${1 + (n % 9)} ${n % 10}${'ABDEFG'[n % 6]}${'HJLNPQ'[(n * 3) % 6]}`,
    nhsNumber(n + (prefix === 'P' ? 0 : 500)),
  ]);
}

function csvOf(rows: string[][], columns = TEST_COLUMNS): string {
  const field = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return [columns, ...rows].map((r) => r.map(field).join(',')).join('\n');
}

type IndexWorld = Awaited<ReturnType<typeof buildIndexWorld>>;

/** A partnership with an administrator, two front-door reviewers, a practitioner and two sources. */
async function buildIndexWorld(db: Db) {
  const partnershipId = await insertPartnership(db, 'Index Partnership');
  const organisationId = (
    await db
      .insertInto('organisations')
      .values({ partnershipId, name: 'Northbridge Council', sector: 'social_care', kind: 'council' })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
  const user = async (name: string, roles: Role[]) => {
    const { id } = await db
      .insertInto('users')
      .values({
        partnershipId,
        email: `${name}.${randomBytes(3).toString('hex')}@index.example`,
        displayName: name,
        organisationId,
        roles,
        passwordHash: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const actor: Actor = { userId: id, partnershipId, organisationId, roles, displayName: name };
    return { id, actor, ctx: (now = TEST_NOW): Ctx => buildCtx(actor, { now }) };
  };
  const users = {
    admin: await user('admin', ['partnership_admin']),
    frontDoor: await user('front.door', ['front_door']),
    otherFrontDoor: await user('other.front.door', ['front_door']),
    practitioner: await user('practitioner', ['practitioner']),
  };
  const sources = await db
    .insertInto('recordSources')
    .values([
      { partnershipId, code: 'gp', name: 'GP registrations', kind: 'gp_registrations', organisationId },
      { partnershipId, code: 'school', name: 'School census', kind: 'school_roll', organisationId },
    ])
    .returning(['id', 'code'])
    .execute();
  // Each import a minute after the one before, so that versions of a record have an order.
  let minutes = 0;
  return {
    partnershipId,
    organisationId,
    users,
    system: (now = new Date(TEST_NOW.getTime() + ++minutes * 60_000)) =>
      buildCtx(buildSystemActor(partnershipId), { now }),
    sourceId: (code: string) => sources.find((s) => s.code === code)!.id,
  };
}

describe('the person index', () => {
  let database: TestDatabase;
  let services: Services;
  let db: Db;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.db;
    services = createServices(db, loadConfig({ DATA_DIR: 'memory://' }));
  });
  afterAll(() => database.close());

  const importCsv = (ctx: Ctx, source: string, csv: string, opts: { map?: LinkageMap } = {}) => {
    const rejects: string[] = [];
    return importAgencyFile(services.personIndex, ctx, {
      source,
      fileName: `${source}.csv`,
      open: () => Readable.from([Buffer.from(csv)]),
      map: opts.map ?? TEST_MAP,
      rejects: (line) => rejects.push(line),
    }).then((result) => ({ ...result, rejects }));
  };

  const count = async (table: 'sourceRecords' | 'people' | 'recordLinks', partnershipId: string) =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('partnershipId', '=', partnershipId)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const counts = async (partnershipId: string) => ({
    sourceRecords: await count('sourceRecords', partnershipId),
    people: await count('people', partnershipId),
    recordLinks: await count('recordLinks', partnershipId),
  });

  /** The record a source holds under a local id (the newest version), with its links. */
  const recordOf = async (w: IndexWorld, source: string, localId: string) => {
    const record = await db
      .selectFrom('sourceRecords')
      .selectAll()
      .where('partnershipId', '=', w.partnershipId)
      .where('sourceId', '=', w.sourceId(source))
      .where('localId', '=', localId)
      .orderBy('receivedAt', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    const links = await db
      .selectFrom('recordLinks')
      .selectAll()
      .where('partnershipId', '=', w.partnershipId)
      .where('sourceRecordId', '=', record.id)
      .orderBy('createdAt')
      .execute();
    const current = links.filter(
      (l) => (l.status === 'auto_linked' || l.status === 'confirmed') && !l.endedAt,
    );
    return { record, links, current, personId: current[0]?.personId };
  };

  const insertChild = async (
    partnershipId: string,
    givenName: string,
    familyName: string,
    dateOfBirth: string,
    sex: 'female' | 'male' | 'unknown' = 'unknown',
  ) =>
    (
      await db
        .insertInto('people')
        .values({ partnershipId, kind: 'child', givenName, familyName, dateOfBirth, sex })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;

  /** A record of a source proposed for review against each person, written directly. */
  const propose = async (w: IndexWorld, localId: string, fields: StoredFields, personIds: string[]) => {
    const { id: recordId } = await db
      .insertInto('sourceRecords')
      .values({
        partnershipId: w.partnershipId,
        sourceId: w.sourceId('school'),
        localId,
        contentSha256: randomBytes(32).toString('hex'),
        received: JSON.stringify({ columns: ['id'], values: [localId] }),
        fields: JSON.stringify(fields),
        receivedAt: TEST_NOW,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const links = await db
      .insertInto('recordLinks')
      .values(
        personIds.map((personId) => ({
          partnershipId: w.partnershipId,
          sourceRecordId: recordId,
          personId,
          status: 'pending_review' as const,
          probability: 0.8,
        })),
      )
      .returning(['id', 'personId'])
      .execute();
    return { recordId, linkIds: personIds.map((p) => links.find((l) => l.personId === p)!.id) };
  };

  const linkRow = (id: string) =>
    db.selectFrom('recordLinks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  const lastEvent = async (partnershipId: string) =>
    db
      .selectFrom('auditEvents')
      .selectAll()
      .where('partnershipId', '=', partnershipId)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();

  describe('importing an agency file', () => {
    let w: IndexWorld;
    const background = population(40);
    const valid = [
      'V1',
      'Kwabena',
      'Asante-Mensah',
      '14/07/2015',
      'M',
      'Flat 2, 10 Canal Wharf',
      'NB4 7XY',
      '943 476 5919',
    ];
    const file = csvOf([
      ...background, // lines 2-41
      ['B1', 'Ruby', 'Fenwick', '02/02/2016', 'F', '3 Elm Close', 'NB1 1AA', '9434765918'], // 42
      ['B2', 'Isaac', 'Fenwick', '31/02/2015', 'M', '3 Elm Close', 'NB1 1AA', ''], // 43
      ['B3', '', '', '05/05/2015', 'M', '8 Elm Close', 'NB1 1AB', ''], // 44
      ['B4', 'Nell', 'Fenwick', '', 'F', '3 Elm Close', 'NB1 1AA', ''], // 45
      ['', 'Otto', 'Fenwick', '06/06/2016', 'M', '3 Elm Close', 'NB1 1AA', ''], // 46
      ['P3', 'Isla', 'Someone', '04/04/2013', 'F', '1 Elm Close', 'NB1 1AA', ''], // 47
      ['B5', 'Future', 'Child', '01/01/2030', 'F', '3 Elm Close', 'NB1 1AA', ''], // 48
      valid, // 49
    ]);

    beforeAll(async () => {
      w = await buildIndexWorld(db);
    });

    it('stores every usable row as received with its identifiers, makes a person of each, and rejects the rest with line and reason', async () => {
      const result = await importCsv(w.system(), 'gp', file);
      expect(result).toMatchObject({ rowsRead: 48, rejected: 7, stored: 41, unchanged: 0 });
      expect(result.outcome).toEqual({ autoLinked: 0, forReview: 0, newPeople: 41 });

      // The rejects as CSV: a header, then each rejected row's line number and reason.
      const rejects: string[][] = parse(result.rejects.join('\n'));
      expect(rejects[0]).toEqual(['line', 'reason']);
      expect(rejects.slice(1).map(([line]) => line)).toEqual(['42', '43', '44', '45', '46', '47', '48']);
      const reasonAt = (line: number) => rejects.find(([l]) => l === String(line))![1];
      expect(reasonAt(42)).toMatch(/9434765918/);
      expect(reasonAt(42)).toMatch(/not a real NHS number: the last digit does not match/);
      expect(reasonAt(43)).toMatch(/impossible date of birth "31\/02\/2015"/);
      expect(reasonAt(44)).toMatch(/no name/);
      expect(reasonAt(45)).toMatch(/no date of birth/);
      expect(reasonAt(46)).toMatch(/the id column "id" is empty/);
      expect(reasonAt(47)).toMatch(/the id "P3" appears earlier in the file, at line 5/);
      expect(reasonAt(48)).toMatch(/2030-01-01 is in the future/);

      const imported = await db
        .selectFrom('personImports')
        .selectAll()
        .where('id', '=', result.importId)
        .executeTakeFirstOrThrow();
      expect(imported).toMatchObject({
        status: 'finished',
        rowsRead: 48,
        rowsRejected: 7,
        recordsNew: 41,
        recordsUnchanged: 0,
        autoLinked: 0,
        forReview: 0,
        newPeople: 41,
        error: null,
      });
      expect(imported.rejects.map((r) => r.line)).toEqual([42, 43, 44, 45, 46, 47, 48]);

      // As received: the columns and values in order, the quoted comma and the spaced NHS number kept.
      const { record, current, links } = await recordOf(w, 'gp', 'V1');
      expect(record.received).toEqual({ columns: TEST_COLUMNS, values: valid });
      expect(record.lineNumber).toBe(49);
      expect(record.importId).toBe(result.importId);
      expect(record.fields).toMatchObject({
        givenName: 'Kwabena',
        familyName: 'Asante-Mensah',
        dateOfBirth: '2015-07-14',
        addressLine1: 'Flat 2, 10 Canal Wharf',
        identifiers: [['nhs', '9434765919']],
      });
      const identifiers = await db
        .selectFrom('sourceRecordIdentifiers')
        .selectAll()
        .where('sourceRecordId', '=', record.id)
        .execute();
      expect(identifiers).toMatchObject([{ system: 'nhs', value: '9434765919' }]);

      // A new person from the record, linked to it.
      expect(links).toHaveLength(1);
      expect(current[0]).toMatchObject({ status: 'auto_linked', createdPerson: true, endedAt: null });
      const person = await db
        .selectFrom('people')
        .selectAll()
        .where('id', '=', current[0]!.personId)
        .executeTakeFirstOrThrow();
      expect(person).toMatchObject({
        kind: 'child',
        givenName: 'Kwabena',
        familyName: 'Asante-Mensah',
        dateOfBirth: '2015-07-14',
        sex: 'male',
      });
      expect(await counts(w.partnershipId)).toEqual({ sourceRecords: 41, people: 41, recordLinks: 41 });
      // No rejected row was stored.
      const held = await db
        .selectFrom('sourceRecords')
        .select('localId')
        .where('partnershipId', '=', w.partnershipId)
        .execute();
      expect(held.map((r) => r.localId)).not.toEqual(expect.arrayContaining(['B1']));
      expect(held.filter((r) => r.localId === 'P3')).toHaveLength(1);
    });

    it('changes nothing when the same file is imported again, and says every row is already held', async () => {
      const before = await counts(w.partnershipId);
      const result = await importCsv(w.system(), 'gp', file);
      expect(result).toMatchObject({ rowsRead: 48, rejected: 7, stored: 0, unchanged: 41 });
      expect(result.outcome).toEqual({ autoLinked: 0, forReview: 0, newPeople: 0 });
      expect(await counts(w.partnershipId)).toEqual(before);
      const imported = await db
        .selectFrom('personImports')
        .selectAll()
        .where('id', '=', result.importId)
        .executeTakeFirstOrThrow();
      expect(imported).toMatchObject({ status: 'finished', recordsNew: 0, recordsUnchanged: 41 });
    });

    it('stores a changed row as a new version of the record, keeping the old one, and links it to the same person', async () => {
      const before = await recordOf(w, 'gp', 'P5');
      const changed = [...background[5]!];
      changed[5] = '77 New Street';
      changed[6] = 'NB8 8ZZ';
      const result = await importCsv(w.system(), 'gp', csvOf([changed]));
      expect(result).toMatchObject({ rowsRead: 1, stored: 1, unchanged: 0, rejected: 0 });
      const versions = await db
        .selectFrom('sourceRecords')
        .selectAll()
        .where('sourceId', '=', w.sourceId('gp'))
        .where('localId', '=', 'P5')
        .orderBy('receivedAt')
        .execute();
      expect(versions).toHaveLength(2);
      expect(versions.map((v) => v.received.values)).toEqual(
        expect.arrayContaining([background[5], changed]),
      );
      const after = await recordOf(w, 'gp', 'P5');
      expect(after.record.id).not.toBe(before.record.id);
      expect(after.personId).toBe(before.personId);
      // The old version is still the person's too.
      expect((await recordOf(w, 'gp', 'P5')).personId).toBe(before.personId);
      const old = await db
        .selectFrom('recordLinks')
        .selectAll()
        .where('sourceRecordId', '=', before.record.id)
        .execute();
      expect(old).toMatchObject([{ status: 'auto_linked', endedAt: null, personId: before.personId }]);
    });

    it('resumes an import interrupted after storing its rows: the next run links them, without duplicates', async () => {
      const rows = population(12, 'R');
      const csv = csvOf(rows);
      const before = await counts(w.partnershipId);
      const power = vi
        .spyOn(services.personIndex, 'linkPending')
        .mockRejectedValueOnce(new Error('the power went off'));
      await expect(importCsv(w.system(), 'school', csv)).rejects.toThrow('the power went off');
      power.mockRestore();
      const failed = await db
        .selectFrom('personImports')
        .selectAll()
        .where('partnershipId', '=', w.partnershipId)
        .orderBy('startedAt', 'desc')
        .limit(1)
        .executeTakeFirstOrThrow();
      expect(failed).toMatchObject({ status: 'failed', error: 'the power went off', recordsNew: 12 });
      // Stored, not linked.
      expect(await counts(w.partnershipId)).toEqual({
        ...before,
        sourceRecords: before.sourceRecords + 12,
      });

      const resumed = await importCsv(w.system(), 'school', csv);
      expect(resumed).toMatchObject({ stored: 0, unchanged: 12 });
      expect(resumed.outcome.autoLinked + resumed.outcome.newPeople).toBe(12);
      const after = await counts(w.partnershipId);
      expect(after.sourceRecords).toBe(before.sourceRecords + 12);
      for (const [localId] of rows) {
        const { links, current } = await recordOf(w, 'school', localId!);
        expect(links).toHaveLength(1);
        expect(current).toHaveLength(1);
      }
      // And once more: nothing left to do.
      const again = await importCsv(w.system(), 'school', csv);
      expect(again.outcome).toEqual({ autoLinked: 0, forReview: 0, newPeople: 0 });
      expect(await counts(w.partnershipId)).toEqual(after);
    });

    it('resumes after storeBatch alone: records stored by an earlier run are linked by the next linkPending', async () => {
      const ctx = w.system();
      const { importId, sourceId } = await services.personIndex.beginImport(ctx, 'school', 'manual.csv', 'x');
      const fields: StoredFields = {
        givenName: 'Wilhelmina',
        familyName: 'Ostrowska',
        dateOfBirth: '2017-10-10',
        sex: 'F',
        identifiers: [],
      };
      const stored = await services.personIndex.storeBatch(ctx, {
        importId,
        sourceId,
        rejects: [],
        records: [
          {
            localId: 'M1',
            contentSha256: 'a'.repeat(64),
            received: { columns: ['id'], values: ['M1'] },
            fields,
            lineNumber: 2,
          },
        ],
      });
      expect(stored).toBe(1);
      expect((await recordOf(w, 'school', 'M1')).links).toHaveLength(0);
      const outcome = await services.personIndex.linkPending(ctx);
      expect(outcome).toEqual({ autoLinked: 0, forReview: 0, newPeople: 1 });
      expect((await recordOf(w, 'school', 'M1')).current).toHaveLength(1);
      expect(await services.personIndex.linkPending(ctx)).toEqual({
        autoLinked: 0,
        forReview: 0,
        newPeople: 0,
      });
    });

    it('refuses an unknown source, naming the ones there are', async () => {
      const refused = importCsv(w.system(), 'nowhere', csvOf(background.slice(0, 1)));
      await expect(refused).rejects.toBeInstanceOf(ValidationError);
      await expect(refused).rejects.toThrow(/no source "nowhere".*gp, school/);
    });
  });

  describe('an empty index', () => {
    it('makes a person of the very first record a partnership imports', async () => {
      const w = await buildIndexWorld(db);
      const result = await importCsv(w.system(), 'gp', csvOf([population(1)[0]!]));
      expect(result.outcome).toEqual({ autoLinked: 0, forReview: 0, newPeople: 1 });
      expect((await recordOf(w, 'gp', 'P0')).current).toHaveLength(1);
    });
  });

  describe('matching records against the index', () => {
    let w: IndexWorld;
    const SCHOOL_MAP: LinkageMap = { ...TEST_MAP, identifiers: {} };

    beforeAll(async () => {
      w = await buildIndexWorld(db);
      await importCsv(
        w.system(),
        'gp',
        csvOf([
          ...population(40),
          ['Q1', 'Zara', 'Quinlan', '03/03/2019', 'F', '9 Elm Close', 'NB9 9ZZ', nhsNumber(900)],
        ]),
      );
    });

    it('links a record of a child the index already holds to that child', async () => {
      const kwame = await insertChild(w.partnershipId, 'Kwame', 'Mensah', '2014-09-12', 'male');
      const result = await importCsv(
        w.system(),
        'school',
        csvOf([['S1', 'Kwame', 'Mensah', '12/09/2014', 'M', '4 Larch Avenue', 'NB3 3LA', '']]),
        { map: SCHOOL_MAP },
      );
      expect(result.outcome).toEqual({ autoLinked: 1, forReview: 0, newPeople: 0 });
      const { current } = await recordOf(w, 'school', 'S1');
      expect(current).toMatchObject([{ personId: kwame, status: 'auto_linked', createdPerson: false }]);
      expect(current[0]!.probability).toBeGreaterThanOrEqual(0.99);
      expect(current[0]!.explanation?.comparisons.length).toBeGreaterThan(0);
    });

    it('never links a twin to the other twin: same surname, birthday and address, another given name', async () => {
      const zara = (await recordOf(w, 'gp', 'Q1')).personId!;
      const peopleBefore = await count('people', w.partnershipId);
      await importCsv(
        w.system(),
        'school',
        csvOf([['S2', 'Zoe', 'Quinlan', '03/03/2019', 'F', '9 Elm Close', 'NB9 9ZZ', '']]),
        { map: SCHOOL_MAP },
      );
      const zoe = await recordOf(w, 'school', 'S2');
      expect(zoe.links.filter((l) => l.personId === zara && l.status !== 'pending_review')).toEqual([]);
      expect(zoe.current.every((l) => l.personId !== zara)).toBe(true);
      for (const l of zoe.links.filter((l) => l.personId === zara)) expect(l.probability!).toBeLessThan(0.99);

      // Both twins in one file: two people, never one.
      await importCsv(
        w.system(),
        'school',
        csvOf([
          ['T1', 'Amir', 'Haddad', '11/11/2020', 'M', '12 Birch Row', 'NB2 2BR', ''],
          ['T2', 'Omar', 'Haddad', '11/11/2020', 'M', '12 Birch Row', 'NB2 2BR', ''],
        ]),
        { map: SCHOOL_MAP },
      );
      const [amir, omar] = [await recordOf(w, 'school', 'T1'), await recordOf(w, 'school', 'T2')];
      expect(amir.personId).toBeDefined();
      expect(omar.personId).toBeDefined();
      expect(amir.personId).not.toBe(omar.personId);
      expect(await count('people', w.partnershipId)).toBeGreaterThanOrEqual(peopleBefore + 2);
    });

    it('holds a record near two people for review, proposing both; a rejected pair is never proposed again', async () => {
      const first = await insertChild(w.partnershipId, 'Maya', 'Okonkwo', '2016-05-04', 'female');
      const second = await insertChild(w.partnershipId, 'Maya', 'Okonkwo', '2016-05-04', 'female');
      const result = await importCsv(
        w.system(),
        'school',
        csvOf([['S3', 'Maya', 'Okonkwo', '04/05/2016', 'F', '6 Ash Grove', 'NB5 5AG', '']]),
        { map: SCHOOL_MAP },
      );
      expect(result.outcome).toEqual({ autoLinked: 0, forReview: 1, newPeople: 0 });
      const maya = await recordOf(w, 'school', 'S3');
      expect(maya.current).toEqual([]);
      expect(maya.links.map((l) => [l.status, l.personId]).sort()).toEqual(
        [
          ['pending_review', first],
          ['pending_review', second],
        ].sort(),
      );
      const queue = await services.personIndex.reviewQueue(w.users.frontDoor.ctx());
      expect(queue.rows.filter((r) => maya.links.some((l) => l.id === r.id))).toHaveLength(2);

      // Not the first; not the second either: a new person.
      const [a, b] = maya.links;
      await services.personIndex.decideLink(w.users.frontDoor.ctx(), a!.id, a!.version, 'not_same', null);
      expect((await recordOf(w, 'school', 'S3')).current).toEqual([]);
      const { personId: made } = await services.personIndex.decideLink(
        w.users.frontDoor.ctx(),
        b!.id,
        b!.version,
        'not_same',
        null,
      );
      expect(made).not.toBe(first);
      expect(made).not.toBe(second);
      expect((await recordOf(w, 'school', 'S3')).personId).toBe(made);

      // The school sends the record again, changed: it is not proposed against either person again.
      await importCsv(
        w.system(),
        'school',
        csvOf([['S3', 'Maya', 'Okonkwo', '04/05/2016', 'F', '6 Ash Grove', 'NB5 5AH', '']]),
        { map: SCHOOL_MAP },
      );
      const again = await recordOf(w, 'school', 'S3');
      expect(again.record.id).not.toBe(maya.record.id);
      expect(again.links.filter((l) => l.personId === first || l.personId === second)).toEqual([]);
      expect(again.personId).toBe(made);
    });
  });

  describe('finding the people a record may be, through the database', () => {
    let w: IndexWorld;

    beforeAll(async () => {
      w = await buildIndexWorld(db);
      const zara = ['Q1', 'Zara', 'Quinlan', '03/03/2019', 'F', '9 Elm Close', 'NB9 9ZZ', nhsNumber(900)];
      await importCsv(w.system(), 'gp', csvOf([...population(40), zara]));
      // The school knows the same children: people several agencies know are what EM learns from.
      await importCsv(
        w.system(),
        'school',
        csvOf([...population(40), zara].map((r) => [`S-${r[0]}`, ...r.slice(1)])),
      );
    });

    const fields = (over: Partial<StoredFields>): StoredFields => ({
      givenName: 'Zara',
      familyName: 'Quinlan',
      dateOfBirth: '2019-03-03',
      sex: 'F',
      addressLine1: '9 Elm Close',
      postcode: 'NB9 9ZZ',
      identifiers: [],
      ...over,
    });

    it('finds the child by a mistyped name, with the probability, band and why', async () => {
      const zara = (await recordOf(w, 'gp', 'Q1')).personId!;
      const found = await services.personIndex.candidatesFor(
        w.users.frontDoor.ctx(),
        fields({ givenName: 'Zarah', familyName: 'Quinlen' }),
      );
      expect(found[0]).toMatchObject({ personId: zara });
      expect(found[0]!.probability).toBeGreaterThan(0.5);
      expect(found[0]!.explanation.comparisons.map((c) => c.key)).toContain('date_of_birth');
      const event = await db
        .selectFrom('auditEvents')
        .select(['personIds'])
        .where('action', '=', 'index.match')
        .orderBy('seq', 'desc')
        .executeTakeFirstOrThrow();
      expect(event.personIds).toContain(zara);
    });

    it('finds the child by NHS number alone, and no one for a child it does not hold', async () => {
      const zara = (await recordOf(w, 'gp', 'Q1')).personId!;
      const byNumber = await services.personIndex.candidatesFor(
        w.users.frontDoor.ctx(),
        fields({
          givenName: undefined,
          addressLine1: undefined,
          postcode: undefined,
          identifiers: [['nhs', nhsNumber(900)]],
        }),
      );
      expect(byNumber.map((c) => c.personId)).toContain(zara);
      const nobody = await services.personIndex.candidatesFor(
        w.users.frontDoor.ctx(),
        fields({
          givenName: 'Bartholomew',
          familyName: 'Xylander',
          dateOfBirth: '2008-12-30',
          addressLine1: '1 Nowhere',
          postcode: 'ZZ1 1ZZ',
        }),
      );
      expect(nobody).toEqual([]);
    });

    it('is refused to a practitioner, and the refusal audited', async () => {
      await expect(
        services.personIndex.candidatesFor(w.users.practitioner.ctx(), fields({})),
      ).rejects.toBeInstanceOf(ForbiddenError);
      const denied = await db
        .selectFrom('auditEvents')
        .select('action')
        .where('actorUserId', '=', w.users.practitioner.id)
        .where('outcome', '=', 'denied')
        .execute();
      expect(denied.map((d) => d.action)).toContain('index.match');
    });
  });

  describe('a record moved to another person after review', () => {
    it('leaves no empty person behind for later records to be matched against', async () => {
      const w = await buildIndexWorld(db);
      const SCHOOL_MAP: LinkageMap = { ...TEST_MAP, identifiers: {} };
      await importCsv(w.system(), 'gp', csvOf(population(40)));
      await importCsv(
        w.system(),
        'school',
        csvOf([
          ['N1', 'Maisie', 'Holloway', '08/08/2017', 'F', '14 Oak Lane', 'NB7 7OL', ''],
          ['N2', 'Daisy', 'Holloway', '08/08/2017', 'F', '14 Oak Lane', 'NB7 7OL', ''],
        ]),
        { map: SCHOOL_MAP },
      );
      const [n1, n2] = [await recordOf(w, 'school', 'N1'), await recordOf(w, 'school', 'N2')];
      console.log(
        JSON.stringify(
          [n1.links, n2.links].map((ls) =>
            ls.map((l) => [l.status, l.personId, l.probability, l.createdPerson]),
          ),
        ),
      );
      const proposal = n2.links.find((l) => l.status === 'pending_review');
      expect(proposal?.personId).toBe(n1.personId);
      const emptied = n2.personId!;
      // The reviewer knows them for one child: N2 moves to N1's person.
      await services.personIndex.decideLink(
        w.users.frontDoor.ctx(),
        proposal!.id,
        proposal!.version,
        'link',
        null,
      );
      expect((await recordOf(w, 'school', 'N2')).personId).toBe(n1.personId);
      const moved = (await recordOf(w, 'school', 'N2')).links.find((l) => l.personId === emptied)!;
      expect(moved).toMatchObject({ endReason: 'moved to another person after review' });

      // Later, another record of the child: linked to her, not to (or held against) the empty person.
      await importCsv(
        w.system(),
        'gp',
        csvOf([['N3', 'Daisy', 'Holloway', '08/08/2017', 'F', '14 Oak Lane', 'NB7 7OL', '']]),
        { map: SCHOOL_MAP },
      );
      const n3 = await recordOf(w, 'gp', 'N3');
      expect(n3.links.filter((l) => l.personId === emptied)).toEqual([]);
      expect(n3.personId).toBe(n1.personId);
    });
  });

  describe('review decisions', () => {
    let w: IndexWorld;
    const fields = (given: string): StoredFields => ({
      givenName: given,
      familyName: 'Lindqvist',
      dateOfBirth: '2018-02-02',
      identifiers: [],
    });
    beforeAll(async () => {
      w = await buildIndexWorld(db);
    });

    it('links: the proposal is confirmed, the record’s other proposals end, and the decision is audited', async () => {
      const p1 = await insertChild(w.partnershipId, 'Elsa', 'Lindqvist', '2018-02-02');
      const p2 = await insertChild(w.partnershipId, 'Elsa', 'Lindqvist', '2018-02-02');
      const { recordId, linkIds } = await propose(w, 'L1', fields('Elsa'), [p1, p2]);
      const decided = await services.personIndex.decideLink(
        w.users.frontDoor.ctx(),
        linkIds[0]!,
        1,
        'link',
        null,
      );
      expect(decided).toEqual({ personId: p1 });
      expect(await linkRow(linkIds[0]!)).toMatchObject({
        status: 'confirmed',
        decidedBy: w.users.frontDoor.id,
        decidedAt: TEST_NOW,
        endedAt: null,
        version: 2,
      });
      expect(await linkRow(linkIds[1]!)).toMatchObject({
        status: 'pending_review',
        endedAt: TEST_NOW,
        endedBy: w.users.frontDoor.id,
        endReason: 'another person was chosen',
      });
      const records = await db
        .selectFrom('recordLinks')
        .select('personId')
        .where('sourceRecordId', '=', recordId)
        .where('endedAt', 'is', null)
        .where('status', 'in', ['auto_linked', 'confirmed'])
        .execute();
      expect(records).toEqual([{ personId: p1 }]);
      expect(await lastEvent(w.partnershipId)).toMatchObject({
        action: 'index.review.decide',
        outcome: 'success',
        actorUserId: w.users.frontDoor.id,
        subjectId: linkIds[0],
        personIds: [p1],
        detail: { decision: 'link', sourceRecordId: recordId },
      });
      const queue = await services.personIndex.reviewQueue(w.users.frontDoor.ctx());
      expect(queue.rows.map((r) => r.id)).not.toEqual(expect.arrayContaining([linkIds[0], linkIds[1]]));
      // The queue is a list of children: looking at it is audited, naming those it shows.
      expect(await lastEvent(w.partnershipId)).toMatchObject({
        action: 'index.review.queue',
        actorUserId: w.users.frontDoor.id,
        personIds: [...new Set(queue.rows.map((r) => r.personId))],
        detail: { shown: queue.rows.length, total: queue.total },
      });
    });

    it('not the same person: the pair is rejected, and the record with nothing else open becomes a new person', async () => {
      const p = await insertChild(w.partnershipId, 'Astrid', 'Lindqvist', '2018-02-02');
      const peopleBefore = await count('people', w.partnershipId);
      const { recordId, linkIds } = await propose(w, 'L2', fields('Alva'), [p]);
      const { personId } = await services.personIndex.decideLink(
        w.users.frontDoor.ctx(),
        linkIds[0]!,
        1,
        'not_same',
        'Different child: the school knows both',
      );
      expect(personId).not.toBe(p);
      expect(await linkRow(linkIds[0]!)).toMatchObject({
        status: 'rejected',
        decidedBy: w.users.frontDoor.id,
        decisionNote: 'Different child: the school knows both',
      });
      expect(await count('people', w.partnershipId)).toBe(peopleBefore + 1);
      const made = await db
        .selectFrom('people')
        .selectAll()
        .where('id', '=', personId)
        .executeTakeFirstOrThrow();
      expect(made).toMatchObject({ givenName: 'Alva', familyName: 'Lindqvist', dateOfBirth: '2018-02-02' });
      const current = await db
        .selectFrom('recordLinks')
        .selectAll()
        .where('sourceRecordId', '=', recordId)
        .where('status', '=', 'confirmed')
        .execute();
      expect(current).toMatchObject([{ personId, createdPerson: true, endedAt: null }]);
      const event = await lastEvent(w.partnershipId);
      expect(event).toMatchObject({ action: 'index.review.decide', detail: { decision: 'not_same' } });
      expect([...event.personIds].sort()).toEqual([p, personId].sort());
    });

    it('needs more information: a note is required, and the proposal stays in the queue, after the others', async () => {
      const p = await insertChild(w.partnershipId, 'Ingrid', 'Lindqvist', '2018-02-02');
      const { linkIds } = await propose(w, 'L3', fields('Ingrid'), [p]);
      const { linkIds: later } = await propose(w, 'L4', fields('Ingrid'), [p]);
      const noNote = services.personIndex.decideLink(
        w.users.frontDoor.ctx(),
        linkIds[0]!,
        1,
        'more_information',
        null,
      );
      await expect(noNote).rejects.toBeInstanceOf(ValidationError);
      expect(await linkRow(linkIds[0]!)).toMatchObject({ version: 1, needsInformation: false });

      await services.personIndex.decideLink(
        w.users.frontDoor.ctx(),
        linkIds[0]!,
        1,
        'more_information',
        'Ask the school for the child’s NHS number',
      );
      expect(await linkRow(linkIds[0]!)).toMatchObject({
        status: 'pending_review',
        needsInformation: true,
        decisionNote: 'Ask the school for the child’s NHS number',
        endedAt: null,
        version: 2,
      });
      const queue = await services.personIndex.reviewQueue(w.users.frontDoor.ctx());
      const ids = queue.rows.map((r) => r.id);
      expect(ids).toContain(linkIds[0]);
      expect(ids.indexOf(linkIds[0]!)).toBeGreaterThan(ids.indexOf(later[0]!));
      expect(queue.rows.find((r) => r.id === linkIds[0])?.needsInformation).toBe(true);
    });

    it('refuses a decision on a stale version, changing nothing', async () => {
      const p = await insertChild(w.partnershipId, 'Sigrid', 'Lindqvist', '2018-02-02');
      const { recordId, linkIds } = await propose(w, 'L5', fields('Sigrid'), [p]);
      await services.personIndex.decideLink(
        w.users.otherFrontDoor.ctx(),
        linkIds[0]!,
        1,
        'more_information',
        'Ask GP',
      );
      const peopleBefore = await count('people', w.partnershipId);
      const eventsBefore = (await lastEvent(w.partnershipId)).seq;
      const stale = services.personIndex.decideLink(
        w.users.frontDoor.ctx(),
        linkIds[0]!,
        1,
        'not_same',
        null,
      );
      await expect(stale).rejects.toBeInstanceOf(ConflictError);
      expect(await linkRow(linkIds[0]!)).toMatchObject({
        status: 'pending_review',
        version: 2,
        decisionNote: 'Ask GP',
      });
      expect(await count('people', w.partnershipId)).toBe(peopleBefore);
      expect((await lastEvent(w.partnershipId)).seq).toBe(eventsBefore);
      const links = await db
        .selectFrom('recordLinks')
        .selectAll()
        .where('sourceRecordId', '=', recordId)
        .execute();
      expect(links).toHaveLength(1);
      // At the version now held, the decision goes through.
      await services.personIndex.decideLink(w.users.frontDoor.ctx(), linkIds[0]!, 2, 'link', null);
      expect(await linkRow(linkIds[0]!)).toMatchObject({ status: 'confirmed', version: 3 });
    });

    it('refuses to decide a proposal twice', async () => {
      const p = await insertChild(w.partnershipId, 'Greta', 'Lindqvist', '2018-02-02');
      const { linkIds } = await propose(w, 'L6', fields('Greta'), [p]);
      await services.personIndex.decideLink(w.users.frontDoor.ctx(), linkIds[0]!, 1, 'link', null);
      const peopleBefore = await count('people', w.partnershipId);
      const twice = services.personIndex.decideLink(
        w.users.otherFrontDoor.ctx(),
        linkIds[0]!,
        2,
        'not_same',
        null,
      );
      await expect(twice).rejects.toBeInstanceOf(ConflictError);
      expect(await linkRow(linkIds[0]!)).toMatchObject({
        status: 'confirmed',
        decidedBy: w.users.frontDoor.id,
      });
      expect(await count('people', w.partnershipId)).toBe(peopleBefore);
    });

    it('shows a proposal side by side with the differences, and audits the look naming the person', async () => {
      const p = await insertChild(w.partnershipId, 'Freja', 'Lindqvist', '2018-02-02', 'female');
      const { linkIds } = await propose(w, 'L7', fields('Frida'), [p]);
      const pair = await services.personIndex.reviewPair(w.users.frontDoor.ctx(), linkIds[0]!);
      expect(pair.person).toMatchObject({ id: p, givenName: 'Freja' });
      expect(pair.comparison).toEqual(
        expect.arrayContaining([
          { label: 'Given name', record: 'Frida', person: 'Freja', differs: true },
          { label: 'Family name', record: 'Lindqvist', person: 'Lindqvist', differs: false },
        ]),
      );
      expect(await lastEvent(w.partnershipId)).toMatchObject({
        action: 'index.review.view',
        actorUserId: w.users.frontDoor.id,
        subjectId: linkIds[0],
        personIds: [p],
      });
    });
  });

  describe('unlinking', () => {
    let w: IndexWorld;
    let person: string;
    beforeAll(async () => {
      w = await buildIndexWorld(db);
      await importCsv(w.system(), 'gp', csvOf(population(40)));
      person = await insertChild(w.partnershipId, 'Kofi', 'Boateng', '2013-06-21');
      await importCsv(
        w.system(),
        'gp',
        csvOf([['K1', 'Kofi', 'Boateng', '21/06/2013', 'M', '5 Rowan Way', 'NB6 6RW', nhsNumber(901)]]),
      );
      await importCsv(
        w.system(),
        'school',
        csvOf([['K2', 'Kofi', 'Boateng', '21/06/2013', 'F', '5 Rowan Way', 'NB6 6RW', '']]),
        { map: { ...TEST_MAP, identifiers: {} } },
      );
    });

    it('has both records on the one person to start with', async () => {
      expect((await recordOf(w, 'gp', 'K1')).personId).toBe(person);
      expect((await recordOf(w, 'school', 'K2')).personId).toBe(person);
    });

    it('ends the link (kept), rejects the pair, makes the record a new person and derives the details again', async () => {
      // The person's details as the school record had them, to see them derived again.
      await db.updateTable('people').set({ sex: 'female' }).where('id', '=', person).execute();
      const school = await recordOf(w, 'school', 'K2');
      const link = school.current[0]!;
      const result = await services.personIndex.unlink(
        w.users.frontDoor.ctx(),
        link.id,
        link.version,
        'The school’s Kofi is another child',
      );
      expect(result.personId).toBe(person);
      expect(result.newPersonId).not.toBe(person);
      const after = await recordOf(w, 'school', 'K2');
      expect(after.links.find((l) => l.id === link.id)).toMatchObject({
        status: 'auto_linked',
        endedAt: TEST_NOW,
        endedBy: w.users.frontDoor.id,
        endReason: 'The school’s Kofi is another child',
      });
      expect(after.links.filter((l) => l.status === 'rejected')).toMatchObject([
        { personId: person, decidedBy: w.users.frontDoor.id },
      ]);
      expect(after.current).toMatchObject([
        { personId: result.newPersonId, status: 'confirmed', createdPerson: true },
      ]);
      expect((await recordOf(w, 'gp', 'K1')).personId).toBe(person);
      const kofi = await db
        .selectFrom('people')
        .selectAll()
        .where('id', '=', person)
        .executeTakeFirstOrThrow();
      expect(kofi).toMatchObject({ givenName: 'Kofi', familyName: 'Boateng', sex: 'male' });
      const event = await lastEvent(w.partnershipId);
      expect(event).toMatchObject({
        action: 'index.unlink',
        actorUserId: w.users.frontDoor.id,
        subjectId: link.id,
      });
      expect([...event.personIds].sort()).toEqual([person, result.newPersonId].sort());

      // A stale version of the ended link is refused.
      await expect(
        services.personIndex.unlink(w.users.frontDoor.ctx(), link.id, link.version, 'again'),
      ).rejects.toBeInstanceOf(ConflictError);
    });

    it('refuses to unlink a person’s only record, changing nothing', async () => {
      const { current, links } = await recordOf(w, 'gp', 'K1');
      const before = await counts(w.partnershipId);
      const refused = services.personIndex.unlink(
        w.users.frontDoor.ctx(),
        current[0]!.id,
        current[0]!.version,
        'x',
      );
      await expect(refused).rejects.toBeInstanceOf(ValidationError);
      expect(await counts(w.partnershipId)).toEqual(before);
      expect((await recordOf(w, 'gp', 'K1')).links).toEqual(links);
    });

    it('does not propose the unlinked pair again when the record comes again, changed', async () => {
      await importCsv(
        w.system(),
        'school',
        csvOf([['K2', 'Kofi', 'Boateng', '21/06/2013', 'F', '5 Rowan Way', 'NB6 6RX', '']]),
        { map: { ...TEST_MAP, identifiers: {} } },
      );
      const again = await recordOf(w, 'school', 'K2');
      expect(again.links.filter((l) => l.personId === person)).toEqual([]);
    });
  });

  describe('access', () => {
    let w: IndexWorld;
    let person: string;
    let sealed: string;
    beforeAll(async () => {
      w = await buildIndexWorld(db);
      person = await insertChild(w.partnershipId, 'Nadia', 'Rahman', '2015-03-15');
      sealed = await insertChild(w.partnershipId, 'Yusuf', 'Rahman', '2015-03-15');
      await db
        .updateTable('people')
        .set({ sealedAt: TEST_NOW, sealedReason: 'Adoption' })
        .where('id', '=', sealed)
        .execute();
      await db
        .insertInto('sealedRecordUsers')
        .values({ partnershipId: w.partnershipId, personId: sealed, userId: w.users.frontDoor.id })
        .execute();
    });

    it('refuses a practitioner the review queue, decisions and imports, and audits each refusal', async () => {
      const { linkIds } = await propose(w, 'A1', { familyName: 'Rahman', identifiers: [] }, [person]);
      const practitioner = w.users.practitioner;
      await expect(services.personIndex.reviewQueue(practitioner.ctx())).rejects.toBeInstanceOf(
        ForbiddenError,
      );
      expect(await lastEvent(w.partnershipId)).toMatchObject({
        action: 'index.review.queue',
        outcome: 'denied',
        actorUserId: practitioner.id,
      });
      await expect(
        services.personIndex.decideLink(practitioner.ctx(), linkIds[0]!, 1, 'link', null),
      ).rejects.toBeInstanceOf(ForbiddenError);
      expect(await lastEvent(w.partnershipId)).toMatchObject({
        action: 'index.review.decide',
        outcome: 'denied',
      });
      await expect(services.personIndex.reviewPair(practitioner.ctx(), linkIds[0]!)).rejects.toBeInstanceOf(
        ForbiddenError,
      );
      await expect(
        services.personIndex.unlink(practitioner.ctx(), linkIds[0]!, 1, 'x'),
      ).rejects.toBeInstanceOf(ForbiddenError);
      expect(await linkRow(linkIds[0]!)).toMatchObject({ status: 'pending_review', version: 1 });
      // Importing is for administrators only, not the front door.
      await expect(importCsv(w.users.frontDoor.ctx(), 'gp', csvOf(population(2)))).rejects.toBeInstanceOf(
        ForbiddenError,
      );
      expect(await lastEvent(w.partnershipId)).toMatchObject({
        action: 'index.import',
        outcome: 'denied',
        actorUserId: w.users.frontDoor.id,
      });
      expect(await count('sourceRecords', w.partnershipId)).toBe(1);
    });

    it('hides a sealed person’s proposals from reviewers not named on the seal', async () => {
      const { linkIds } = await propose(
        w,
        'A2',
        { givenName: 'Yusuf', familyName: 'Rahman', identifiers: [] },
        [sealed],
      );
      const named = await services.personIndex.reviewQueue(w.users.frontDoor.ctx());
      expect(named.rows.map((r) => r.id)).toContain(linkIds[0]);
      const other = await services.personIndex.reviewQueue(w.users.otherFrontDoor.ctx());
      expect(other.rows.map((r) => r.id)).not.toContain(linkIds[0]);
      expect(other.total).toBe(other.rows.length);
      await expect(
        services.personIndex.reviewPair(w.users.otherFrontDoor.ctx(), linkIds[0]!),
      ).rejects.toBeInstanceOf(NotFoundError);
      await expect(
        services.personIndex.decideLink(w.users.otherFrontDoor.ctx(), linkIds[0]!, 1, 'not_same', null),
      ).rejects.toBeInstanceOf(NotFoundError);
      expect(await linkRow(linkIds[0]!)).toMatchObject({ status: 'pending_review', version: 1 });
      // The reviewer named on the seal can look.
      const pair = await services.personIndex.reviewPair(w.users.frontDoor.ctx(), linkIds[0]!);
      expect(pair.person.id).toBe(sealed);
    });

    it('shows a person’s records only through the gate, with the source and date of each detail', async () => {
      await importCsv(w.system(), 'gp', csvOf(population(30, 'P')));
      const { personId } = await recordOf(w, 'gp', 'P7');
      const gpRecord = await recordOf(w, 'gp', 'P7');
      await expect(
        services.personIndex.recordsOf(w.users.practitioner.ctx(), personId!),
      ).rejects.toBeInstanceOf(ForbiddenError);
      expect(await lastEvent(w.partnershipId)).toMatchObject({
        action: 'person.records.view',
        outcome: 'denied',
        personIds: [personId],
      });
      await db
        .insertInto('involvements')
        .values({
          partnershipId: w.partnershipId,
          personId: personId!,
          userId: w.users.practitioner.id,
          kind: 'allocated_worker',
          purpose: 'safeguarding',
          reason: 'Allocated',
          startedAt: new Date(TEST_NOW.getTime() - 86_400_000),
        })
        .execute();
      const seen = await services.personIndex.recordsOf(w.users.practitioner.ctx(), personId!);
      expect(seen.records).toMatchObject([{ localId: 'P7', sourceName: 'GP registrations' }]);
      const row = population(30)[7]!;
      const receivedAt = gpRecord.record.receivedAt;
      expect(receivedAt).toBeInstanceOf(Date);
      expect(seen.provenance).toEqual(
        expect.arrayContaining([
          { label: 'Given name', value: row[1], sourceName: 'GP registrations', receivedAt },
          {
            label: 'Date of birth',
            value: gpRecord.record.fields.dateOfBirth,
            sourceName: 'GP registrations',
            receivedAt,
          },
          { label: 'NHS number', value: row[7], sourceName: 'GP registrations', receivedAt },
          { label: 'Postcode', value: row[6], sourceName: 'GP registrations', receivedAt },
        ]),
      );
      expect(seen.provenance.every((p) => p.sourceName === 'GP registrations' && p.receivedAt)).toBe(true);
      expect(await lastEvent(w.partnershipId)).toMatchObject({
        action: 'person.records.view',
        outcome: 'success',
        personIds: [personId],
      });
    });
  });

  describe('a child the front door adds to the index', () => {
    let w: IndexWorld;

    beforeAll(async () => {
      w = await buildIndexWorld(db);
      // The matcher's model learns from people several agencies know, as in the tests above.
      await importCsv(w.system(), 'gp', csvOf(population(40)));
      await importCsv(w.system(), 'school', csvOf(population(40).map((r) => [`S-${r[0]}`, ...r.slice(1)])));
    });

    const fields: StoredFields = {
      givenName: 'Esme',
      familyName: 'Okonkwo',
      dateOfBirth: '2020-07-14',
      sex: 'F',
      addressLine1: '4 Alder Row',
      postcode: 'NB7 7QT',
      identifiers: [['nhs', nhsNumber(950)]],
    };
    const add = () =>
      db.transaction().execute((tx) =>
        services.personIndex.addPersonWithin(tx, w.partnershipId, {
          localId: 'contact-1',
          fields,
          organisationId: w.organisationId,
          decidedBy: w.users.frontDoor.id,
          at: TEST_NOW,
        }),
      );
    const auditCount = async () =>
      Number(
        (
          await db
            .selectFrom('auditEvents')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .where('partnershipId', '=', w.partnershipId)
            .executeTakeFirstOrThrow()
        ).n,
      );

    it('makes one person from a front-door record, the same one when added again, found by matching', async () => {
      const before = { ...(await counts(w.partnershipId)), audit: await auditCount() };
      const personId = await add();

      expect(
        await db
          .selectFrom('people')
          .select(['kind', 'givenName', 'familyName', 'dateOfBirth', 'sex'])
          .where('id', '=', personId)
          .executeTakeFirstOrThrow(),
      ).toEqual({
        kind: 'child',
        givenName: 'Esme',
        familyName: 'Okonkwo',
        dateOfBirth: '2020-07-14',
        sex: 'female',
      });
      const source = await db
        .selectFrom('recordSources')
        .selectAll()
        .where('partnershipId', '=', w.partnershipId)
        .where('code', '=', 'front-door')
        .executeTakeFirstOrThrow();
      expect(source).toMatchObject({ kind: 'other', organisationId: w.organisationId });
      const records = await db
        .selectFrom('sourceRecords')
        .selectAll()
        .where('partnershipId', '=', w.partnershipId)
        .where('sourceId', '=', source.id)
        .execute();
      expect(records).toHaveLength(1);
      const record = records[0]!;
      expect(record).toMatchObject({ localId: 'contact-1', fields, importId: null, lineNumber: null });
      expect(record.received.columns).toEqual([
        'givenName',
        'familyName',
        'addressLine1',
        'postcode',
        'sex',
        'dateOfBirth',
        'nhs',
      ]);
      expect(record.matchKeys.length).toBeGreaterThan(0);
      expect(
        await db
          .selectFrom('sourceRecordIdentifiers')
          .select(['system', 'value'])
          .where('sourceRecordId', '=', record.id)
          .execute(),
      ).toEqual([{ system: 'nhs', value: nhsNumber(950) }]);
      const links = await db
        .selectFrom('recordLinks')
        .selectAll()
        .where('sourceRecordId', '=', record.id)
        .execute();
      expect(links).toMatchObject([
        {
          personId,
          status: 'confirmed',
          createdPerson: true,
          decidedBy: w.users.frontDoor.id,
          decidedAt: TEST_NOW,
          endedAt: null,
        },
      ]);

      expect(await add()).toBe(personId);
      expect(await counts(w.partnershipId)).toEqual({
        sourceRecords: before.sourceRecords + 1,
        people: before.people + 1,
        recordLinks: before.recordLinks + 1,
      });
      // The caller audits: adding writes no audit event of its own.
      expect(await auditCount()).toBe(before.audit);

      const found = await services.personIndex.candidatesFor(w.users.frontDoor.ctx(), fields);
      expect(found[0]).toMatchObject({ personId, sourceRecordId: record.id });
      const byName = await services.personIndex.candidatesFor(w.users.frontDoor.ctx(), {
        ...fields,
        identifiers: [],
      });
      expect(byName.map((c) => c.personId)).toContain(personId);
    });
  });
});
