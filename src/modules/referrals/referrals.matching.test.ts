import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { ConflictError, ForbiddenError, NotFoundError } from '../../common/errors.ts';
import { createServices, type Services } from '../../composition.ts';
import { loadConfig } from '../../config.ts';
import { buildCtx, buildSystemActor } from '../../../test/helpers/context.ts';
import { insertUser, type WorldUser } from '../../../test/helpers/builders.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { TEST_COLUMNS, TEST_MAP } from '../../../test/helpers/linkage-map.ts';
import { buildTrustWorld, type World } from '../../../test/helpers/trust-world.ts';
import { contactNumberOf, importAgencyFile, modulus11CheckDigit } from '../people/index.ts';
import { ContactInput, DecisionInput } from './referrals.schemas.ts';

/**
 * A contact's child the index is unsure of goes to the person index's review queue as a record of the
 * front-door source, proposed against the best candidates; the contact's holder may still choose on
 * the contact's page. Whoever decides first sets the child, in the index and on the contact.
 */

const GIVEN = ['Oliver', 'Amelia', 'Noah', 'Isla', 'Leo', 'Ava', 'Arthur', 'Freya', 'Oscar', 'Ivy'];
const FAMILY = ['Smith', 'Jones', 'Patel', 'Khan', 'Nowak', 'Taylor', 'Brown', 'Evans', 'Walsh', 'Murphy'];

function nhsNumber(n: number): string {
  for (let k = n * 13; ; k++) {
    const nine = String(943_100_000 + k * 37);
    const check = modulus11CheckDigit(nine);
    if (check !== undefined) return `${nine}${check}`;
  }
}

/** Children known to two agencies (what the matcher's model learns from), with twins and a known child. */
function rows(): string[][] {
  const population = Array.from({ length: 40 }, (_, n) => [
    `P${n}`,
    GIVEN[n % GIVEN.length]!,
    FAMILY[(n * 7) % FAMILY.length]!,
    `${String(1 + (n % 28)).padStart(2, '0')}/${String(1 + ((n * 5) % 12)).padStart(2, '0')}/${2010 + (n % 12)}`,
    n % 2 ? 'F' : 'M',
    `${n + 1} ${['Mill Road', 'Park Lane', 'Church Street'][n % 3]}`,
    `NB${1 + (n % 9)} ${n % 10}${'ABDEFG'[n % 6]}${'HJLNPQ'[(n * 3) % 6]}`,
    nhsNumber(n),
  ]);
  return [
    ...population,
    ['T1', 'Maisie', 'Holloway', '08/08/2017', 'F', '14 Oak Lane', 'NB7 7OL', nhsNumber(801)],
    ['T2', 'Daisy', 'Holloway', '08/08/2017', 'F', '14 Oak Lane', 'NB7 7OL', nhsNumber(802)],
    ['K1', 'Zara', 'Quinlan', '03/03/2019', 'F', '9 Elm Close', 'NB9 9ZZ', nhsNumber(900)],
  ];
}

const csvOf = (table: string[][]) => [TEST_COLUMNS, ...table].map((r) => r.join(',')).join('\n');

describe('matching a contact’s child through the person index’s review queue', () => {
  let database: TestDatabase;
  let services: Services;
  let w: World;
  let holder: WorldUser;
  let reviewer: WorldUser;
  let twins: { maisie: string; daisy: string };
  let zara: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    services = createServices(database.db, loadConfig({ DATA_DIR: 'memory://' }));
    w = await buildTrustWorld(database.db);
    holder = await insertUser(database.db, w.partnershipId, 'holder@world.example', w.orgs.council, [
      'front_door',
    ]);
    reviewer = await insertUser(database.db, w.partnershipId, 'reviewer@world.example', w.orgs.council, [
      'front_door',
    ]);
    await database.db
      .insertInto('recordSources')
      .values([
        {
          partnershipId: w.partnershipId,
          code: 'gp',
          name: 'GP registrations',
          kind: 'gp_registrations',
          organisationId: w.orgs.gp,
        },
        {
          partnershipId: w.partnershipId,
          code: 'school',
          name: 'School census',
          kind: 'school_roll',
          organisationId: w.orgs.school,
        },
      ])
      .execute();
    const system = buildCtx(buildSystemActor(w.partnershipId));
    for (const [source, prefix] of [
      ['gp', ''],
      ['school', 'S-'],
    ] as const)
      await importAgencyFile(services.personIndex, system, {
        source,
        fileName: `${source}.csv`,
        open: () =>
          Readable.from([Buffer.from(csvOf(rows().map((r) => [`${prefix}${r[0]}`, ...r.slice(1)])))]),
        map: TEST_MAP,
      });
    const personOf = async (localId: string) =>
      (
        await database.db
          .selectFrom('sourceRecords as r')
          .innerJoin('recordLinks as l', 'l.sourceRecordId', 'r.id')
          .select('l.personId')
          .where('r.partnershipId', '=', w.partnershipId)
          .where('r.localId', '=', localId)
          .where('l.status', 'in', ['auto_linked', 'confirmed'])
          .executeTakeFirstOrThrow()
      ).personId;
    twins = { maisie: await personOf('T1'), daisy: await personOf('T2') };
    zara = await personOf('K1');
  });
  afterAll(() => database.close());

  const contactAbout = async (child: Partial<z.input<typeof ContactInput>['child']>) =>
    (
      await services.frontDoor.create(
        w.users.teacher.ctx(),
        ContactInput.parse({
          channel: 'email',
          child: {
            givenName: 'Maisy',
            familyName: 'Holloway',
            dateOfBirth: '2017-08-08',
            postcode: 'NB7 7OL',
            ...child,
          },
          worries: 'She has come to school hungry every day this week and has bruises on her arms.',
          familyAware: false,
          consent: 'not_sought',
          consentReason: 'Telling the family may put her at risk',
          urgency: 'today',
          sectorAnswers: { attendance: '82%, falling', behaviour: 'Withdrawn since half term' },
        }),
      )
    ).id;
  const contactRow = (id: string) =>
    database.db.selectFrom('contacts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const claim = async (id: string) =>
    services.frontDoor.claim(holder.ctx(), id, (await contactRow(id)).version);
  /** The contact's record in the front-door source (every version), with all its links. */
  const recordOf = async (id: string) => {
    const { number } = await contactRow(id);
    const records = await database.db
      .selectFrom('sourceRecords as r')
      .innerJoin('recordSources as s', 's.id', 'r.sourceId')
      .select(['r.id', 's.code'])
      .where('r.partnershipId', '=', w.partnershipId)
      .where('r.localId', '=', `contact-${number}`)
      .execute();
    const links = records.length
      ? await database.db
          .selectFrom('recordLinks')
          .selectAll()
          .where(
            'sourceRecordId',
            'in',
            records.map((r) => r.id),
          )
          .orderBy('createdAt')
          .orderBy('probability', 'desc')
          .execute()
      : [];
    return { records, links, open: links.filter((l) => !l.endedAt && l.status !== 'rejected') };
  };
  /** The review queue's rows for the contact's record (any of its links, open or not). */
  const queued = async (id: string) => {
    const ids = new Set((await recordOf(id)).links.map((l) => l.id));
    const queue = await services.personIndex.reviewQueue(reviewer.ctx());
    return queue.rows.filter((r) => ids.has(r.id));
  };
  const events = async (id: string) =>
    database.db
      .selectFrom('contactEvents')
      .select(['action', 'actorLabel', 'detail'])
      .where('contactId', '=', id)
      .orderBy('at')
      .orderBy('id')
      .execute();
  const audits = (subjectId: string, action: string) =>
    database.db
      .selectFrom('auditEvents')
      .select(['actorUserId', 'personIds', 'basis', 'detail'])
      .where('subjectId', '=', subjectId)
      .where('action', '=', action)
      .orderBy('seq')
      .execute();
  const decide = async (linkId: string, decision: 'link' | 'not_same') => {
    const { version } = await database.db
      .selectFrom('recordLinks')
      .select('version')
      .where('id', '=', linkId)
      .executeTakeFirstOrThrow();
    return services.personIndex.decideLink(reviewer.ctx(), linkId, version, decision, null);
  };
  /** A claimed contact about a twin the index cannot tell apart, and its proposals. */
  const heldForReview = async () => {
    const id = await contactAbout({});
    await claim(id);
    const { open } = await recordOf(id);
    expect(open.length).toBeGreaterThanOrEqual(2);
    return { id, proposals: open, to: (personId: string) => open.find((l) => l.personId === personId)! };
  };

  it('holds an uncertain child for the review queue once, however often the contact is claimed', async () => {
    const id = await contactAbout({});
    await claim(id);
    expect((await contactRow(id)).personId).toBeNull();
    const first = await recordOf(id);
    expect(first.records).toHaveLength(1);
    expect(first.records[0]!.code).toBe('front-door');
    expect(first.links.length).toBeGreaterThanOrEqual(2);
    expect(first.links.length).toBeLessThanOrEqual(3);
    expect(first.links.every((l) => l.status === 'pending_review' && !l.endedAt)).toBe(true);
    expect(first.links.map((l) => l.personId)).toEqual(expect.arrayContaining([twins.maisie, twins.daisy]));
    // The queue shows where each came from: the front door's source, and the contact's number.
    const rows = await queued(id);
    expect(rows).toHaveLength(first.links.length);
    expect(rows.every((r) => r.sourceName === 'Front door')).toBe(true);
    const pair = await services.personIndex.reviewPair(reviewer.ctx(), rows[0]!.id);
    expect(pair.link).toMatchObject({
      sourceName: 'Front door',
      localId: `contact-${(await contactRow(id)).number}`,
    });
    expect(pair.contactNumber).toBe(String((await contactRow(id)).number));
    expect((await events(id)).map((e) => e.action).sort()).toEqual([
      'claim',
      'create',
      'held_for_index_review',
    ]);
    const [held] = await audits(id, 'contact.hold-for-review');
    expect(held).toMatchObject({
      actorUserId: holder.id,
      basis: { kind: 'permission', permission: 'contacts.triage' },
    });
    expect(held!.personIds.sort()).toEqual(first.links.map((l) => l.personId).sort());

    await services.frontDoor.release(holder.ctx(), id, (await contactRow(id)).version);
    await claim(id);
    const again = await recordOf(id);
    expect(again.records.map((r) => r.id)).toEqual(first.records.map((r) => r.id));
    expect(again.links.map((l) => l.id)).toEqual(first.links.map((l) => l.id));
    expect(await audits(id, 'contact.hold-for-review')).toHaveLength(1);
  });

  it('finds a contact by the number the review page names, for the front door only', async () => {
    const id = await contactAbout({});
    const { number } = await contactRow(id);
    await expect(services.frontDoor.contactIdByNumber(reviewer.ctx(), String(number))).resolves.toBe(id);
    await expect(services.frontDoor.contactIdByNumber(reviewer.ctx(), '999999999')).rejects.toThrow(
      NotFoundError,
    );
    await expect(services.frontDoor.contactIdByNumber(reviewer.ctx(), 'contact-1')).rejects.toThrow(
      NotFoundError,
    );
    await expect(services.frontDoor.contactIdByNumber(w.users.teacher.ctx(), String(number))).rejects.toThrow(
      ForbiddenError,
    );
    expect(contactNumberOf('front-door', `contact-${number}`)).toBe(String(number));
    expect(contactNumberOf('gp', `contact-${number}`)).toBeNull();
    expect(contactNumberOf('front-door', 'T1')).toBeNull();
  });

  it('matches the contact when a reviewer links the record, as the holder’s own match would', async () => {
    const { id, proposals, to } = await heldForReview();
    await decide(to(twins.daisy).id, 'link');

    const contact = await contactRow(id);
    expect(contact).toMatchObject({ personId: twins.daisy, status: 'in_triage', claimedBy: holder.id });
    expect(contact.involvementId).not.toBeNull();
    expect(await services.gate.basisFor(holder.ctx(), twins.daisy)).toMatchObject({ kind: 'involvement' });
    const involvement = await database.db
      .selectFrom('involvements')
      .selectAll()
      .where('id', '=', contact.involvementId!)
      .executeTakeFirstOrThrow();
    expect(involvement).toMatchObject({ userId: holder.id, kind: 'front_door', createdBy: reviewer.id });
    expect((await events(id)).filter((e) => e.action === 'match')).toMatchObject([
      {
        actorLabel: 'reviewer',
        detail: { personId: twins.daisy, byReview: true },
      },
    ]);
    expect(await audits(id, 'contact.match')).toMatchObject([
      {
        actorUserId: reviewer.id,
        personIds: [twins.daisy],
        basis: { kind: 'permission', permission: 'index.review' },
      },
    ]);
    // The record is Daisy's; the other proposals closed, so the queue shows none of them.
    const { links } = await recordOf(id);
    expect(links.find((l) => l.personId === twins.daisy)).toMatchObject({
      status: 'confirmed',
      endedAt: null,
    });
    expect(links.filter((l) => l.personId !== twins.daisy).every((l) => l.endedAt !== null)).toBe(true);
    expect(await queued(id)).toEqual([]);
    expect(proposals.length).toBe(links.length);
  });

  it('makes the child someone new, on the contact too, when no proposal is the same person', async () => {
    const { id, proposals } = await heldForReview();
    for (const proposal of proposals.slice(0, -1)) {
      await decide(proposal.id, 'not_same');
      expect((await contactRow(id)).personId).toBeNull();
    }
    const { personId } = await decide(proposals.at(-1)!.id, 'not_same');
    expect(proposals.map((p) => p.personId)).not.toContain(personId);
    const contact = await contactRow(id);
    expect(contact.personId).toBe(personId);
    expect(await services.gate.basisFor(holder.ctx(), personId)).toMatchObject({ kind: 'involvement' });
    const current = (await recordOf(id)).open;
    expect(current).toMatchObject([{ personId, status: 'confirmed', createdPerson: true }]);
    expect((await events(id)).filter((e) => e.action === 'match')).toMatchObject([
      {
        detail: { personId, byReview: true },
      },
    ]);
  });

  it('closes the proposals when the holder chooses first, so the queue no longer shows them', async () => {
    const { id, to } = await heldForReview();
    const stale = to(twins.daisy);
    await services.frontDoor.match(holder.ctx(), id, (await contactRow(id)).version, {
      personId: twins.maisie,
    });

    expect((await contactRow(id)).personId).toBe(twins.maisie);
    const { records, links } = await recordOf(id);
    expect(records).toHaveLength(1);
    expect(links.find((l) => l.personId === twins.maisie)).toMatchObject({
      status: 'confirmed',
      decidedBy: holder.id,
      endedAt: null,
    });
    expect(links.find((l) => l.personId === twins.daisy)).toMatchObject({
      status: 'pending_review',
      endReason: 'another person was chosen',
    });
    expect(await queued(id)).toEqual([]);
    // A reviewer who opened a proposal before the holder chose is told it was decided.
    await expect(decide(stale.id, 'link')).rejects.toBeInstanceOf(ConflictError);
    expect((await contactRow(id)).personId).toBe(twins.maisie);
  });

  it('links the record to the child the holder chose even when the index did not propose them', async () => {
    const { id } = await heldForReview();
    await services.frontDoor.match(holder.ctx(), id, (await contactRow(id)).version, { personId: zara });
    const { open } = await recordOf(id);
    expect(open).toMatchObject([{ personId: zara, status: 'confirmed', decidedBy: holder.id }]);
  });

  it('gives the record to the new person when the holder adds the child as someone new', async () => {
    const { id } = await heldForReview();
    await services.frontDoor.match(holder.ctx(), id, (await contactRow(id)).version, { newPerson: true });
    const { personId } = await contactRow(id);
    const { records, links, open } = await recordOf(id);
    expect(records).toHaveLength(1);
    expect(open).toMatchObject([{ personId, status: 'confirmed', createdPerson: true }]);
    const ended = links.filter((l) => l.status === 'pending_review');
    expect(ended.length).toBeGreaterThanOrEqual(2);
    expect(ended.every((l) => l.endReason === 'the front door added the child as someone new')).toBe(true);
    expect(await queued(id)).toEqual([]);
  });

  it('links a certain, unrivalled child at once and queues nothing', async () => {
    const id = await contactAbout({
      givenName: 'Zara',
      familyName: 'Quinlan',
      dateOfBirth: '2019-03-03',
      postcode: 'NB9 9ZZ',
      nhsNumber: nhsNumber(900),
    });
    await claim(id);
    expect((await contactRow(id)).personId).toBe(zara);
    expect((await recordOf(id)).records).toEqual([]);
    expect(await audits(id, 'contact.hold-for-review')).toEqual([]);
  });

  it('uses the contact as it is now, so a change the holder made meanwhile does not lose the decision', async () => {
    const { id, to } = await heldForReview();
    const seen = (await contactRow(id)).version;
    await services.frontDoor.note(holder.ctx(), id, seen, 'Rang the school back');
    await decide(to(twins.maisie).id, 'link');
    expect((await contactRow(id)).personId).toBe(twins.maisie);
    // The holder's page, drawn before the reviewer decided, is stale: they see the child now set.
    await expect(
      services.frontDoor.match(holder.ctx(), id, seen + 1, { personId: twins.daisy }),
    ).rejects.toBeInstanceOf(ConflictError);
    expect((await contactRow(id)).personId).toBe(twins.maisie);
  });

  it('sets the child of a released contact without triage access; claiming it opens that', async () => {
    const { id, to } = await heldForReview();
    await services.frontDoor.release(holder.ctx(), id, (await contactRow(id)).version);
    await decide(to(twins.daisy).id, 'link');
    expect(await contactRow(id)).toMatchObject({ personId: twins.daisy, status: 'new', involvementId: null });
    await claim(id);
    expect((await contactRow(id)).involvementId).not.toBeNull();
  });

  it('leaves a decided contact alone when a proposal is decided late', async () => {
    const { id, to } = await heldForReview();
    await services.frontDoor.decide(
      holder.ctx(),
      id,
      DecisionInput.parse({
        version: (await contactRow(id)).version,
        outcome: 'information_and_signposting',
        levelOfNeed: 'universal',
        reason: 'School nurse and holiday club',
      }),
    );
    const before = await contactRow(id);
    expect(before.status).toBe('decided');
    await decide(to(twins.daisy).id, 'link');
    expect(await contactRow(id)).toMatchObject({ personId: null, version: before.version });
    expect((await events(id)).map((e) => e.action)).not.toContain('match');
    // The index keeps the reviewer's decision all the same.
    expect((await recordOf(id)).open).toMatchObject([{ personId: twins.daisy, status: 'confirmed' }]);
  });

  it.runIf(!!process.env.DATABASE_URL)(
    'asks the holder to look again while a reviewer is deciding the same record, without waiting',
    async () => {
      const { id, to } = await heldForReview();
      let finish!: () => void;
      let locked!: () => void;
      const isLocked = new Promise<void>((resolve) => (locked = resolve));
      // A reviewer's decision in progress: the proposal's row is locked until it commits.
      const reviewing = database.db.transaction().execute(async (tx) => {
        await sql`select 1 from record_links where id = ${to(twins.daisy).id} for update`.execute(tx);
        locked();
        await new Promise<void>((resolve) => (finish = resolve));
      });
      await isLocked;
      const version = (await contactRow(id)).version;
      const refused = await services.frontDoor
        .match(holder.ctx(), id, version, { personId: twins.maisie })
        .catch((e: unknown) => e);
      finish();
      await reviewing;
      expect(refused).toBeInstanceOf(ConflictError);
      expect((refused as ConflictError).message).toMatch(/reviewer is deciding this child’s record/);
      expect(await contactRow(id)).toMatchObject({ personId: null, version });
      expect((await recordOf(id)).open.every((l) => l.status === 'pending_review')).toBe(true);
    },
  );
});
