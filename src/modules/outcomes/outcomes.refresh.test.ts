import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../db/database.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { insertPartnership, insertUser } from '../../../test/helpers/builders.ts';
import { insertPlan } from '../../../test/helpers/plan-work-fixture.ts';
import { peopleMeasures } from '../people/index.ts';
import { planMeasures } from '../plans/index.ts';
import { referralMeasures } from '../referrals/index.ts';
import { signalMeasures } from '../signals/index.ts';
import { refreshMeasures } from './outcomes.refresh.ts';

const SOURCES = [peopleMeasures, referralMeasures, planMeasures, signalMeasures];

type Area = { partnershipId: string; east: string; west: string; userId: string };

async function buildArea(db: Db): Promise<Area> {
  const partnershipId = await insertPartnership(db);
  const [east, west] = await db
    .insertInto('localities')
    .values([
      { partnershipId, code: 'east', name: 'East' },
      { partnershipId, code: 'west', name: 'West' },
    ])
    .returning('id')
    .execute();
  const org = await db
    .insertInto('organisations')
    .values({ partnershipId, name: 'Council', sector: 'social_care', kind: 'Local authority' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const user = await insertUser(db, partnershipId, `fd-${partnershipId.slice(0, 8)}@example.org`, org.id, [
    'front_door',
  ]);
  return { partnershipId, east: east!.id, west: west!.id, userId: user.id };
}

/** Children born on a date, living in a household of the locality. */
async function insertChildren(db: Db, area: Area, localityId: string, count: number, dateOfBirth: string) {
  const household = await db
    .insertInto('households')
    .values({
      partnershipId: area.partnershipId,
      localityId,
      addressLine1: '1 High Street',
      town: 'Northbridge',
      postcode: 'NB1 1AA',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const person = await db
      .insertInto('people')
      .values({
        partnershipId: area.partnershipId,
        kind: 'child',
        familyName: `Child${i}`,
        dateOfBirth,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('householdMembers')
      .values({
        partnershipId: area.partnershipId,
        householdId: household.id,
        personId: person.id,
        startedOn: dateOfBirth,
      })
      .execute();
    ids.push(person.id);
  }
  // Written long ago: the refresh's look back over recent changes does not reach them.
  await sql`update people set updated_at = timestamptz '2026-01-01 00:00:00+00' where id = any(${ids}::uuid[])`.execute(
    db,
  );
  return ids;
}

async function insertContact(
  db: Db,
  area: Area,
  localityId: string,
  receivedAt: Date,
  decided: 'in_time' | 'late' | null,
) {
  const dueAt = new Date(receivedAt.getTime() + 24 * 3_600_000);
  const finalAt =
    decided === null ? null : new Date(dueAt.getTime() + (decided === 'in_time' ? -3_600_000 : 3_600_000));
  const row = await db
    .insertInto('contacts')
    .values({
      partnershipId: area.partnershipId,
      receivedAt,
      recordedAt: receivedAt,
      dueAt,
      channel: 'phone',
      source: '2A',
      childFamilyName: 'Doe',
      localityId,
      worries: 'Worried',
      familyAware: true,
      consent: 'given',
      urgency: 'standard',
      status: decided ? 'decided' : 'in_triage',
      claimedBy: area.userId,
      outcome: decided ? 'early_help' : null,
      finalAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function counts(db: Db, partnershipId: string) {
  const rows = await db
    .selectFrom('measureMonths')
    .select(['measure', 'localityId', 'month', 'value'])
    .where('partnershipId', '=', partnershipId)
    .orderBy('measure')
    .orderBy('month')
    .orderBy('localityId')
    .execute();
  return rows.map((r) => ({ ...r, value: Number(r.value) }));
}

const count = (
  rows: Awaited<ReturnType<typeof counts>>,
  measure: string,
  localityId: string | null,
  month: string,
) => rows.find((r) => r.measure === measure && r.localityId === localityId && r.month === month)?.value ?? 0;

describe('refreshing the outcome counts', () => {
  let database: TestDatabase;
  let area: Area;
  let other: Area;
  let undecided: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    area = await buildArea(database.db);
    other = await buildArea(database.db);
    await insertChildren(database.db, area, area.east, 3, '2015-05-10');
    await insertChildren(database.db, area, area.west, 2, '2019-11-30');
    await insertChildren(database.db, other, other.east, 4, '2015-05-10');
    for (let i = 0; i < 4; i++)
      await insertContact(database.db, area, area.east, new Date('2026-02-10T10:00:00Z'), 'in_time');
    await insertContact(database.db, area, area.east, new Date('2026-02-11T10:00:00Z'), 'late');
    undecided = await insertContact(database.db, area, area.west, new Date('2026-02-28T23:30:00Z'), null);
    await insertContact(database.db, other, other.east, new Date('2026-02-10T10:00:00Z'), 'in_time');
  });

  afterAll(async () => {
    await database.close();
  });

  it('counts every month on the first refresh, for this partnership only', async () => {
    const result = await refreshMeasures(database.db, SOURCES, area.partnershipId);
    expect(result.map((r) => r.source)).toEqual(['people', 'contacts', 'plans', 'signals']);
    const rows = await counts(database.db, area.partnershipId);
    expect(count(rows, 'people.born', area.east, '2015-05-01')).toBe(3);
    expect(count(rows, 'people.born', area.west, '2019-11-01')).toBe(2);
    expect(count(rows, 'contacts.received', area.east, '2026-02-01')).toBe(5);
    expect(count(rows, 'contacts.decided', area.east, '2026-02-01')).toBe(5);
    expect(count(rows, 'contacts.decided_in_time', area.east, '2026-02-01')).toBe(4);
    expect(count(rows, 'contacts.early_help', area.east, '2026-02-01')).toBe(5);
    // 23:30 UTC on 28 February is still February in the UK (GMT).
    expect(count(rows, 'contacts.received', area.west, '2026-02-01')).toBe(1);
    expect(count(rows, 'contacts.decided', area.west, '2026-02-01')).toBe(0);
    expect(rows.every((r) => r.value > 0)).toBe(true);
    expect(await counts(database.db, other.partnershipId)).toEqual([]);
  });

  it('counts again only the months changed since, and the same as counting everything', async () => {
    await database.db
      .updateTable('contacts')
      .set({ status: 'decided', outcome: 'statutory_assessment', finalAt: new Date(), reReferral: true })
      .where('id', '=', undecided)
      .execute();
    const result = await refreshMeasures(database.db, SOURCES, area.partnershipId);
    expect(result.find((r) => r.source === 'contacts')).toMatchObject({ months: 1 });
    expect(result.find((r) => r.source === 'people')).toMatchObject({ months: 0 });
    const incremental = await counts(database.db, area.partnershipId);
    expect(count(incremental, 'contacts.decided', area.west, '2026-02-01')).toBe(1);
    expect(count(incremental, 'contacts.referrals', area.west, '2026-02-01')).toBe(1);
    expect(count(incremental, 'contacts.re_referrals', area.west, '2026-02-01')).toBe(1);

    await refreshMeasures(database.db, SOURCES, area.partnershipId, { full: true });
    expect(await counts(database.db, area.partnershipId)).toEqual(incremental);
  });

  it('counts children with a plan at each month end, by where they live', async () => {
    const { childIds } = await insertPlan(database.db, {
      partnershipId: area.partnershipId,
      leadId: area.userId,
      kind: 'child_in_need',
      startedOn: '2026-01-20',
      children: ['Ada'],
    });
    const household = await database.db
      .selectFrom('households')
      .select('id')
      .where('partnershipId', '=', area.partnershipId)
      .where('localityId', '=', area.east)
      .executeTakeFirstOrThrow();
    await database.db
      .insertInto('householdMembers')
      .values({
        partnershipId: area.partnershipId,
        householdId: household.id,
        personId: childIds[0]!,
        startedOn: '2010-04-01',
      })
      .execute();
    // A plan just recorded (its start backdated to January): written now.
    await sql`update plans set created_at = now(), updated_at = now() where partnership_id = ${area.partnershipId}`.execute(
      database.db,
    );
    await refreshMeasures(database.db, SOURCES, area.partnershipId);
    const rows = await counts(database.db, area.partnershipId);
    expect(count(rows, 'plans.children_child_in_need', area.east, '2026-01-01')).toBe(1);
    expect(count(rows, 'plans.children_child_in_need', area.east, '2026-02-01')).toBe(1);
    expect(count(rows, 'plans.children_child_in_need', area.east, '2025-12-01')).toBe(0);
  });

  it('counts a plan by the stage in force, and the step-downs that stay down', async () => {
    const db = database.db;
    const stepped = async (
      stages: { kind: 'child_in_need' | 'early_help'; from: string; until?: string }[],
    ) => {
      const last = stages[stages.length - 1]!;
      const { planId, childIds } = await insertPlan(db, {
        partnershipId: area.partnershipId,
        leadId: area.userId,
        kind: last.kind,
        startedOn: stages[0]!.from,
        stageStartedOn: last.from,
        children: ['Cai'],
      });
      for (const stage of stages.slice(0, -1)) {
        await db
          .insertInto('planStages')
          .values({
            partnershipId: area.partnershipId,
            planId,
            kind: stage.kind,
            startedOn: stage.from,
            endedOn: stage.until!,
            reason: 'Stepped',
            decidedBy: area.userId,
          })
          .execute();
      }
      const household = await db
        .selectFrom('households')
        .select('id')
        .where('partnershipId', '=', area.partnershipId)
        .where('localityId', '=', area.west)
        .executeTakeFirstOrThrow();
      await db
        .insertInto('householdMembers')
        .values({
          partnershipId: area.partnershipId,
          householdId: household.id,
          personId: childIds[0]!,
          startedOn: '2010-04-01',
        })
        .execute();
      return planId;
    };
    // Stepped down in June 2025 and stayed down.
    await stepped([
      { kind: 'child_in_need', from: '2025-01-10', until: '2025-06-01' },
      { kind: 'early_help', from: '2025-06-01' },
    ]);
    // Stepped down in July 2025, then back up in September.
    await stepped([
      { kind: 'child_in_need', from: '2025-02-10', until: '2025-07-15' },
      { kind: 'early_help', from: '2025-07-15', until: '2025-09-01' },
      { kind: 'child_in_need', from: '2025-09-01' },
    ]);
    await refreshMeasures(db, SOURCES, area.partnershipId, { full: true });
    const rows = await counts(db, area.partnershipId);
    expect(count(rows, 'plans.children_child_in_need', area.west, '2025-05-01')).toBe(2);
    expect(count(rows, 'plans.children_child_in_need', area.west, '2025-06-01')).toBe(1);
    expect(count(rows, 'plans.children_early_help', area.west, '2025-06-01')).toBe(1);
    expect(count(rows, 'plans.children_early_help', area.west, '2025-08-01')).toBe(2);
    expect(count(rows, 'plans.children_child_in_need', area.west, '2025-09-01')).toBe(1);
    expect(count(rows, 'plans.step_downs', area.west, '2025-06-01')).toBe(1);
    expect(count(rows, 'plans.step_downs_held', area.west, '2025-06-01')).toBe(1);
    expect(count(rows, 'plans.step_downs', area.west, '2025-07-01')).toBe(1);
    expect(count(rows, 'plans.step_downs_held', area.west, '2025-07-01')).toBe(0);
  });
});
