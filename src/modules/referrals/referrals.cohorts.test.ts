import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../db/database.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { insertPartnership, insertUser } from '../../../test/helpers/builders.ts';
import { TEST_NOW } from '../../../test/helpers/context.ts';
import { cohortStrata } from './referrals.cohorts.ts';
import type { Outcome } from './referrals.workflow.ts';

/** A decided contact straight into the table, with the times the test needs. */
async function insertDecidedContact(
  db: Db,
  c: {
    partnershipId: string;
    holder: string;
    personId: string | null;
    localityId: string | null;
    receivedAt: string;
    finalAt: string;
    outcome: Outcome;
    levelOfNeed?: 'universal' | 'additional' | 'complex' | 'acute';
  },
): Promise<void> {
  await db
    .insertInto('contacts')
    .values({
      partnershipId: c.partnershipId,
      receivedAt: new Date(c.receivedAt),
      recordedAt: new Date(c.receivedAt),
      dueAt: new Date(c.finalAt),
      channel: 'phone',
      source: '1A',
      personId: c.personId,
      childFamilyName: 'Doe',
      localityId: c.localityId,
      worries: 'Worried about the child',
      familyAware: true,
      consent: 'given',
      urgency: 'standard',
      sectorAnswers: '{}',
      status: 'decided',
      claimedBy: c.holder,
      outcome: c.outcome,
      levelOfNeed: c.levelOfNeed ?? 'additional',
      finalAt: new Date(c.finalAt),
    })
    .execute();
}

async function child(db: Db, partnershipId: string, dateOfBirth: string): Promise<string> {
  const row = await db
    .insertInto('people')
    .values({ partnershipId, kind: 'child', givenName: 'Sam', familyName: 'Doe', dateOfBirth })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

describe('cohort strata for the evaluation', () => {
  let database: TestDatabase;
  let partnershipId: string;
  let east: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    const db = database.db;
    partnershipId = await insertPartnership(db);
    east = (
      await db
        .insertInto('localities')
        .values({ partnershipId, code: 'east', name: 'Eastbrook' })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    const org = await db
      .insertInto('organisations')
      .values({ partnershipId, name: 'Council', sector: 'social_care', kind: 'Local authority' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const holder = (await insertUser(db, partnershipId, 'mash@example.org', org.id, ['front_door'])).id;
    const contact = (c: Omit<Parameters<typeof insertDecidedContact>[1], 'partnershipId' | 'holder'>) =>
      insertDecidedContact(db, { partnershipId, holder, ...c });

    // A, aged 6: early help, then an assessment 5 months later.
    const a = await child(db, partnershipId, '2018-01-01');
    await contact({
      personId: a,
      localityId: east,
      receivedAt: '2024-01-10T10:00:00Z',
      finalAt: '2024-01-11T10:00:00Z',
      outcome: 'early_help',
    });
    await contact({
      personId: a,
      localityId: east,
      receivedAt: '2024-06-01T10:00:00Z',
      finalAt: '2024-06-02T10:00:00Z',
      outcome: 'statutory_assessment',
    });
    // B, aged 10: no further action twice, 13 months apart (the second is after the 12 months).
    const b = await child(db, partnershipId, '2012-05-05');
    await contact({
      personId: b,
      localityId: east,
      receivedAt: '2023-01-01T10:00:00Z',
      finalAt: '2023-01-02T10:00:00Z',
      outcome: 'no_further_action',
    });
    await contact({
      personId: b,
      localityId: east,
      receivedAt: '2024-02-01T10:00:00Z',
      finalAt: '2024-02-02T10:00:00Z',
      outcome: 'no_further_action',
    });
    // C: decided less than 12 months ago, not yet followed up.
    const c = await child(db, partnershipId, '2016-01-01');
    await contact({
      personId: c,
      localityId: east,
      receivedAt: '2025-12-01T10:00:00Z',
      finalAt: '2025-12-02T10:00:00Z',
      outcome: 'early_help',
    });
    // D: never matched to a child in the index.
    await contact({
      personId: null,
      localityId: east,
      receivedAt: '2024-01-10T10:00:00Z',
      finalAt: '2024-01-11T10:00:00Z',
      outcome: 'early_help',
    });
    // E: another partnership's child.
    const other = await insertPartnership(db, 'Elsewhere');
    const otherOrg = await db
      .insertInto('organisations')
      .values({ partnershipId: other, name: 'Council', sector: 'social_care', kind: 'Local authority' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const otherHolder = (await insertUser(db, other, 'mash@elsewhere.org', otherOrg.id, ['front_door'])).id;
    await insertDecidedContact(db, {
      partnershipId: other,
      holder: otherHolder,
      personId: await child(db, other, '2018-01-01'),
      localityId: null,
      receivedAt: '2024-01-10T10:00:00Z',
      finalAt: '2024-01-11T10:00:00Z',
      outcome: 'early_help',
    });
  });

  afterAll(async () => {
    await database.close();
  });

  it('counts each followed-up child once, at their first decision, with what happened in the next 12 months', async () => {
    const strata = await cohortStrata(database.db, partnershipId, { followedUpTo: TEST_NOW });
    expect(strata).toEqual([
      {
        levelOfNeed: 'additional',
        ageBand: '10 to 14',
        localityId: east,
        earlierContacts: 0,
        decision: 'no_further_action',
        children: 1,
        newContact: 0,
        escalated: 0,
      },
      {
        levelOfNeed: 'additional',
        ageBand: '5 to 9',
        localityId: east,
        earlierContacts: 0,
        decision: 'early_help',
        children: 1,
        newContact: 1,
        escalated: 1,
      },
    ]);
  });

  it('keeps to the window asked for, counting earlier contacts before it', async () => {
    const after = await cohortStrata(database.db, partnershipId, {
      followedUpTo: TEST_NOW,
      decidedFrom: '2024-02-01',
    });
    expect(after).toEqual([
      {
        levelOfNeed: 'additional',
        ageBand: '10 to 14',
        localityId: east,
        earlierContacts: 1,
        decision: 'no_further_action',
        children: 1,
        newContact: 0,
        escalated: 0,
      },
    ]);
    const before = await cohortStrata(database.db, partnershipId, {
      followedUpTo: TEST_NOW,
      decidedBefore: '2024-01-01',
    });
    expect(before.map((s) => s.decision)).toEqual(['no_further_action']);
  });

  it('leaves out decisions without a full 12 months of follow-up', async () => {
    const early = await cohortStrata(database.db, partnershipId, {
      followedUpTo: new Date('2024-06-01T00:00:00Z'),
    });
    expect(early.map((s) => s.decision)).toEqual(['no_further_action']);
  });
});
