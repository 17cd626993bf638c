import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calendarFor } from '../../common/working-days.ts';
import type { Db } from '../../db/database.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { insertPartnership } from '../../../test/helpers/builders.ts';
import { seedAccess } from '../access/index.ts';
import {
  FAMILY_NAMES,
  MENS_NAMES,
  NORTHBRIDGE_LOCALITIES,
  WOMENS_NAMES,
  seedPeople,
} from '../people/index.ts';
import { seedFrontDoor, type FrontDoorSeedCounts } from './referrals.seed.ts';
import { isReferral, levelFits, type LevelOfNeed, type Outcome } from './referrals.workflow.ts';

const CHILDREN = 2_000;
const SEED = 7;
/** A Wednesday afternoon, so the queue holds Tuesday's and Wednesday's contacts. */
const NOW = new Date('2026-03-04T15:00:00Z');
const DAY_MS = 86_400_000;

/** The demo's agencies, staff and children, then a year of the front door. */
async function buildPartnership(db: Db) {
  const partnershipId = await insertPartnership(db, 'Northbridge');
  const localities = await db
    .insertInto('localities')
    .values(NORTHBRIDGE_LOCALITIES.map((l) => ({ partnershipId, code: l.code, name: l.name })))
    .returning(['id', 'code'])
    .execute();
  await db.transaction().execute((tx) =>
    seedAccess(tx, {
      partnershipId,
      localityIds: Object.fromEntries(localities.map((l) => [l.code, l.id])),
      seed: SEED,
      names: { given: [...WOMENS_NAMES, ...MENS_NAMES], family: FAMILY_NAMES },
    }),
  );
  await seedPeople(db, { partnershipId, localities, children: CHILDREN, seed: SEED, asOf: NOW });
  const counts = await seedFrontDoor(db, partnershipId, { now: NOW, seed: SEED });
  return { partnershipId, counts };
}

describe('the front door demo seed', () => {
  let database: TestDatabase;
  let partnershipId: string;
  let counts: FrontDoorSeedCounts;
  // Seeding a partnership of 2,000 children takes a few seconds, longer on a busy machine.
  beforeAll(async () => {
    database = await createTestDatabase();
    ({ partnershipId, counts } = await buildPartnership(database.db));
  }, 120_000);
  afterAll(() => database.close());

  const contacts = () =>
    database.db.selectFrom('contacts').selectAll().where('partnershipId', '=', partnershipId).execute();

  it('makes about 20 contacts a year per 100 children, from the census mix of sources', async () => {
    const rows = await contacts();
    expect(rows.length).toBe(counts.contacts);
    expect(rows.length).toBeGreaterThanOrEqual(CHILDREN * 0.18);
    expect(rows.length).toBeLessThanOrEqual(CHILDREN * 0.22);
    const share = (sources: string[]) => rows.filter((r) => sources.includes(r.source)).length / rows.length;
    expect(share(['6'])).toBeGreaterThan(0.22);
    expect(share(['6'])).toBeLessThan(0.34);
    expect(share(['2A', '2B'])).toBeGreaterThan(0.14);
    expect(share(['2A', '2B'])).toBeLessThan(0.26);
    expect(share(['3A', '3B', '3C', '3D', '3E', '3F'])).toBeGreaterThan(0.1);
    expect(share(['3A', '3B', '3C', '3D', '3E', '3F'])).toBeLessThan(0.2);
    const first = Math.min(...rows.map((r) => r.receivedAt.getTime()));
    expect(NOW.getTime() - first).toBeGreaterThan(350 * DAY_MS);
    expect(Math.max(...rows.map((r) => r.receivedAt.getTime()))).toBeLessThanOrEqual(NOW.getTime());
    // Weekdays carry most of the work.
    const weekend = rows.filter((r) => [0, 6].includes(r.receivedAt.getUTCDay())).length / rows.length;
    expect(weekend).toBeLessThan(0.15);
    // Some contacts name a child in the index, some describe a child not yet found.
    expect(rows.some((r) => r.personId)).toBe(true);
    expect(rows.some((r) => !r.personId && r.childDescription)).toBe(true);
    expect(rows.some((r) => !r.personId && r.childFamilyName)).toBe(true);
  });

  it('decides about a quarter as referrals, 22% of them re-referrals, as the service would mark them', async () => {
    const rows = await contacts();
    const decided = rows.filter((r) => r.status === 'decided');
    const referrals = decided.filter((r) => isReferral(r.outcome as Outcome));
    expect(referrals.length / decided.length).toBeGreaterThan(0.2);
    expect(referrals.length / decided.length).toBeLessThan(0.3);
    const reReferrals = referrals.filter((r) => r.reReferral);
    expect(reReferrals.length).toBe(counts.reReferrals);
    expect(reReferrals.length / referrals.length).toBeGreaterThan(0.18);
    expect(reReferrals.length / referrals.length).toBeLessThan(0.26);
    expect(decided.filter((r) => r.reReferral && !isReferral(r.outcome as Outcome))).toEqual([]);
    // Re-referral: the same child had another referral take effect in the twelve months before.
    for (const r of referrals) {
      const earlier = referrals.some(
        (e) =>
          e.id !== r.id &&
          e.personId === r.personId &&
          e.finalAt!.getTime() < r.finalAt!.getTime() &&
          e.finalAt!.getTime() >= r.finalAt!.getTime() - 365 * DAY_MS,
      );
      expect({ number: r.number, reReferral: r.reReferral }).toEqual({
        number: r.number,
        reReferral: earlier,
      });
    }
  });

  it('gives every decision a level of need that fits it, and decisions that open work their episode', async () => {
    const rows = await contacts();
    const withOutcome = rows.filter((r) => r.outcome);
    expect(withOutcome.length).toBeGreaterThan(0);
    for (const r of withOutcome)
      expect({ n: r.number, fits: levelFits(r.outcome as Outcome, r.levelOfNeed as LevelOfNeed) }).toEqual({
        n: r.number,
        fits: true,
      });
    const episodes = await database.db
      .selectFrom('episodes')
      .selectAll()
      .where('partnershipId', '=', partnershipId)
      .execute();
    const opening = rows.filter(
      (r) =>
        r.status === 'decided' &&
        ['early_help', 'statutory_assessment', 'strategy_discussion'].includes(r.outcome!),
    );
    expect(episodes.map((e) => e.contactId).sort()).toEqual(opening.map((r) => r.id).sort());
    const calendar = calendarFor('england-and-wales');
    for (const e of episodes) {
      const contact = opening.find((r) => r.id === e.contactId)!;
      expect(e.kind).toBe(contact.outcome);
      expect(e.personId).toBe(contact.personId);
      expect(e.dueOn).toBe(
        e.kind === 'statutory_assessment'
          ? calendar.addWorkingDaysToDate(contact.receivedAt.toISOString().slice(0, 10), 45)
          : null,
      );
    }
  });

  it('decides most contacts within the working day, with a manager approving the decisions that need it', async () => {
    const rows = await contacts();
    const decided = rows.filter((r) => r.status === 'decided');
    const inTime = decided.filter((r) => r.finalAt! <= r.dueAt).length / decided.length;
    expect(inTime).toBeGreaterThan(0.78);
    expect(inTime).toBeLessThan(0.93);
    const calendar = calendarFor('england-and-wales');
    for (const r of rows) expect(r.dueAt).toEqual(calendar.addWorkingDays(r.receivedAt, 1));
    const managers = await database.db
      .selectFrom('users')
      .select('id')
      .where('partnershipId', '=', partnershipId)
      .where((eb) => eb('roles', '@>', eb.val(['team_manager'])))
      .execute();
    for (const r of decided) {
      expect(r.claimedAt!.getTime()).toBeGreaterThanOrEqual(r.recordedAt.getTime());
      expect(r.decidedAt!.getTime()).toBeGreaterThan(r.claimedAt!.getTime());
      expect(r.finalAt!.getTime()).toBeLessThanOrEqual(NOW.getTime());
      if (['no_further_action', 'strategy_discussion'].includes(r.outcome!)) {
        expect(managers.map((m) => m.id)).toContain(r.approvedBy);
        expect(r.approvedBy).not.toBe(r.decidedBy);
        expect(r.finalAt).toEqual(r.approvedAt);
      } else expect(r.approvedBy).toBeNull();
    }
  });

  it('leaves the last working days open: new, in triage with a front-door worker, and a couple awaiting approval', async () => {
    const rows = await contacts();
    const open = rows.filter((r) => r.status !== 'decided');
    const statuses = new Set(open.map((r) => r.status));
    expect([...statuses].sort()).toEqual(['awaiting_approval', 'in_triage', 'new']);
    const tuesday = new Date('2026-03-03T00:00:00Z');
    expect(rows.filter((r) => r.receivedAt >= tuesday && r.status === 'decided')).toEqual([]);
    const workers = await database.db
      .selectFrom('users')
      .select('id')
      .where('partnershipId', '=', partnershipId)
      .where((eb) => eb('roles', '@>', eb.val(['front_door'])))
      .execute();
    for (const r of open) {
      // The table's rules: claimed exactly when not new, a decision only once awaiting approval.
      expect(r.claimedBy === null).toBe(r.status === 'new');
      expect(r.outcome === null).toBe(r.status !== 'awaiting_approval');
      expect(r.finalAt).toBeNull();
      if (r.claimedBy) expect(workers.map((w) => w.id)).toContain(r.claimedBy);
    }
    // Claiming a matched child's contact gave the holder a front-door involvement, still open.
    const involvements = await database.db
      .selectFrom('involvements')
      .selectAll()
      .where('partnershipId', '=', partnershipId)
      .where('kind', '=', 'front_door')
      .execute();
    const held = open.filter((r) => r.claimedBy && r.personId);
    expect(involvements.map((i) => i.id).sort()).toEqual(held.map((r) => r.involvementId).sort());
    for (const r of held) {
      const involvement = involvements.find((i) => i.id === r.involvementId)!;
      expect(involvement).toMatchObject({ personId: r.personId, userId: r.claimedBy, endedAt: null });
      expect(involvement.reason).toBe(`Triage of contact ${r.number}`);
    }
  });

  it('writes each action to the contact’s history, and answers to the agencies’ requests before decisions', async () => {
    const { rows: problems } = await sql<{ number: string; problem: string }>`
      select c.number, 'no create event' as problem from contacts c
      where c.partnership_id = ${partnershipId} and not exists (
        select 1 from contact_events e where e.contact_id = c.id and e.action = 'create')
      union all
      select c.number, 'decided without a decide event' from contacts c
      where c.partnership_id = ${partnershipId} and c.status = 'decided' and not exists (
        select 1 from contact_events e where e.contact_id = c.id and e.action = 'decide' and e.at = c.decided_at)
      union all
      select c.number, 'claimed without a claim event' from contacts c
      where c.partnership_id = ${partnershipId} and c.claimed_by is not null and not exists (
        select 1 from contact_events e where e.contact_id = c.id and e.action = 'claim'
          and e.actor_user_id = c.claimed_by and e.at = c.claimed_at)
      union all
      select c.number, 'an event out of time' from contacts c
      join contact_events e on e.partnership_id = c.partnership_id and e.contact_id = c.id
      where c.partnership_id = ${partnershipId} and (e.at < c.received_at or e.at > ${NOW})
      union all
      select c.number, 'a request answered after the decision' from contacts c
      join information_requests r on r.partnership_id = c.partnership_id and r.contact_id = c.id
      where c.partnership_id = ${partnershipId} and (r.answered_at > c.decided_at
        or r.requested_at < c.claimed_at or (c.status = 'decided' and r.status <> 'answered'))
    `.execute(database.db);
    expect(problems).toEqual([]);
    expect(counts.informationRequests).toBeGreaterThan(counts.contacts * 0.2);
    const enquiries = await database.db
      .selectFrom('enquiries')
      .select(['topic', 'outcome'])
      .where('partnershipId', '=', partnershipId)
      .execute();
    expect(enquiries.length).toBeGreaterThanOrEqual(24);
    const settings = await database.db
      .selectFrom('frontDoorSettings')
      .selectAll()
      .where('partnershipId', '=', partnershipId)
      .executeTakeFirstOrThrow();
    expect(settings).toMatchObject({ calendar: 'england-and-wales', decisionWorkingDays: 1, version: 1 });
  });

  it('is repeatable: the same seed makes the same front door again, another seed another', async () => {
    const db = database.db;
    const shape = () =>
      db
        .selectFrom('contacts')
        .select([
          'id',
          'receivedAt',
          'source',
          'channel',
          'status',
          'outcome',
          'levelOfNeed',
          'reReferral',
          'personId',
          'childFamilyName',
          'childDescription',
          'worries',
          'claimedBy',
          'finalAt',
        ])
        .where('partnershipId', '=', partnershipId)
        .orderBy('receivedAt')
        .orderBy('id')
        .execute();
    const events = () =>
      db
        .selectFrom('contactEvents')
        .select(['id', 'contactId', 'action', 'at', 'actorLabel', 'detail'])
        .where('partnershipId', '=', partnershipId)
        .orderBy('id')
        .execute();
    const clear = async () => {
      for (const table of ['contactEvents', 'informationRequests', 'episodes'] as const)
        await db.deleteFrom(table).where('partnershipId', '=', partnershipId).execute();
      await db.deleteFrom('contacts').where('partnershipId', '=', partnershipId).execute();
      await db
        .deleteFrom('involvements')
        .where('partnershipId', '=', partnershipId)
        .where('kind', '=', 'front_door')
        .execute();
      await db.deleteFrom('enquiries').where('partnershipId', '=', partnershipId).execute();
    };
    const [before, eventsBefore] = [await shape(), await events()];
    await clear();
    expect(await seedFrontDoor(db, partnershipId, { now: NOW, seed: SEED })).toEqual(counts);
    expect(await shape()).toEqual(before);
    expect(await events()).toEqual(eventsBefore);
    await clear();
    await seedFrontDoor(db, partnershipId, { now: NOW, seed: SEED + 1 });
    expect((await shape()).map((c) => c.worries)).not.toEqual(before.map((c) => c.worries));
  }, 60_000);
});

describe('the front door demo seed over five years, with one locality’s practice change', () => {
  let database: TestDatabase;
  let partnershipId: string;
  let east: string;
  const CHANGED_ON = '2024-03-01';
  // Enough children for the change to stand out from chance in one of four localities.
  const HISTORY_CHILDREN = 5_000;
  beforeAll(async () => {
    database = await createTestDatabase();
    const db = database.db;
    partnershipId = await insertPartnership(db, 'Northbridge');
    const localities = await db
      .insertInto('localities')
      .values(NORTHBRIDGE_LOCALITIES.map((l) => ({ partnershipId, code: l.code, name: l.name })))
      .returning(['id', 'code'])
      .execute();
    east = localities.find((l) => l.code === 'east')!.id;
    await db.transaction().execute((tx) =>
      seedAccess(tx, {
        partnershipId,
        localityIds: Object.fromEntries(localities.map((l) => [l.code, l.id])),
        seed: SEED,
        names: { given: [...WOMENS_NAMES, ...MENS_NAMES], family: FAMILY_NAMES },
      }),
    );
    await seedPeople(db, { partnershipId, localities, children: HISTORY_CHILDREN, seed: SEED, asOf: NOW });
    await seedFrontDoor(db, partnershipId, {
      now: NOW,
      seed: SEED,
      days: 5 * 365,
      practiceChange: { localityId: east, changedOn: CHANGED_ON },
    });
  }, 180_000);
  afterAll(() => database.close());

  it('grows slowly: fewer contacts five years ago than in the latest year, all of the earlier ones decided and their work closed', async () => {
    const db = database.db;
    const { rows: years } = await sql<{ year: number; contacts: number; open: number }>`
      select floor(extract(epoch from (${NOW}::timestamptz - received_at)) / (365 * 86400))::int as year,
        count(*)::int as contacts, count(*) filter (where status <> 'decided')::int as open
      from contacts where partnership_id = ${partnershipId} group by 1 order by 1`.execute(db);
    expect(years.map((y) => y.year)).toEqual([0, 1, 2, 3, 4]);
    expect(years[0]!.contacts).toBeGreaterThanOrEqual(HISTORY_CHILDREN * 0.18);
    expect(years[0]!.contacts).toBeLessThanOrEqual(HISTORY_CHILDREN * 0.22);
    expect(years[4]!.contacts).toBeLessThan(years[0]!.contacts);
    expect(years[4]!.contacts).toBeGreaterThan(years[0]!.contacts * 0.75);
    expect(years.slice(1).map((y) => y.open)).toEqual([0, 0, 0, 0]);
    const { rows: episodes } = await sql<{ status: string; lead: boolean; n: number }>`
      select status, lead_professional_id is not null as lead, count(*)::int as n from episodes
      where partnership_id = ${partnershipId} and opened_at < ${NOW}::timestamptz - interval '366 days'
      group by 1, 2`.execute(db);
    expect(episodes.map((e) => [e.status, e.lead])).toEqual([['closed', true]]);
    expect(episodes[0]!.n).toBeGreaterThan(HISTORY_CHILDREN * 0.1);
  });

  it('keeps re-referrals as the service marks them, across the years', async () => {
    const referrals = await database.db
      .selectFrom('contacts')
      .select(['id', 'personId', 'finalAt', 'reReferral'])
      .where('partnershipId', '=', partnershipId)
      .where('status', '=', 'decided')
      .where('outcome', 'in', ['statutory_assessment', 'strategy_discussion'])
      .orderBy('finalAt')
      .execute();
    const last = new Map<string, number>();
    for (const r of referrals) {
      const previous = last.get(r.personId!);
      expect(r.reReferral).toBe(previous !== undefined && previous >= r.finalAt!.getTime() - 365 * DAY_MS);
      last.set(r.personId!, r.finalAt!.getTime());
    }
    const share = referrals.filter((r) => r.reReferral).length / referrals.length;
    expect(share).toBeGreaterThan(0.12);
    expect(share).toBeLessThan(0.26);
  });

  it('shows the change in the changed locality only: more early help, fewer referrals and re-referrals', async () => {
    const { rows } = await sql<{
      changed: boolean;
      after: boolean;
      contacts: number;
      earlyHelp: number;
      referrals: number;
      reReferrals: number;
    }>`
      select locality_id = ${east} as changed, received_at >= ${CHANGED_ON}::date + interval '6 months' as after,
        count(*)::int as contacts,
        count(*) filter (where outcome = 'early_help')::int as "earlyHelp",
        count(*) filter (where outcome in ('statutory_assessment', 'strategy_discussion'))::int as referrals,
        count(*) filter (where re_referral)::int as "reReferrals"
      from contacts
      where partnership_id = ${partnershipId} and status = 'decided' and locality_id is not null
        and (received_at < ${CHANGED_ON}::date or received_at >= ${CHANGED_ON}::date + interval '6 months')
      group by 1, 2`.execute(database.db);
    const cell = (changed: boolean, after: boolean) =>
      rows.find((r) => r.changed === changed && r.after === after)!;
    const did = (rate: (r: (typeof rows)[number]) => number) =>
      rate(cell(true, true)) - rate(cell(true, false)) - (rate(cell(false, true)) - rate(cell(false, false)));
    // Differences in differences of the shares, against the other localities over the same years.
    expect(did((r) => r.earlyHelp / r.contacts)).toBeGreaterThan(0.05);
    expect(did((r) => r.referrals / r.contacts)).toBeLessThan(-0.02);
    expect(did((r) => r.reReferrals / r.referrals)).toBeLessThan(-0.03);
  });
});
