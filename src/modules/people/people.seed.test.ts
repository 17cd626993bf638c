import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertPartnership } from '../../../test/helpers/builders.ts';
import { TEST_NOW } from '../../../test/helpers/context.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import type { Db } from '../../db/database.ts';
import { NORTHBRIDGE_LOCALITIES, addressIn, housesIn } from './northbridge.ts';
import { countPeople, seedPeople, type PeopleCounts } from './people.seed.ts';

const CHILDREN = 400;
const SEED = 4242;
const TODAY = TEST_NOW.toISOString().slice(0, 10);
/** The UK postcode format: outward code (area, district), a space, inward code (sector, unit). */
const UK_POSTCODE = /^[A-Z]{1,2}\d[A-Z\d]? \d[ABD-HJLNP-UW-Z]{2}$/;

let first: TestDatabase;
let second: TestDatabase;
let partnershipId: string;
let seeded: PeopleCounts;
let progress: number[];

/** A partnership with Northbridge's four localities. */
async function northbridge(
  db: Db,
): Promise<{ partnershipId: string; localities: { id: string; code: string }[] }> {
  const id = await insertPartnership(db, 'Northbridge');
  const localities = await db
    .insertInto('localities')
    .values(NORTHBRIDGE_LOCALITIES.map((l) => ({ partnershipId: id, code: l.code, name: l.name })))
    .returning(['id', 'code'])
    .execute();
  return { partnershipId: id, localities };
}

async function seed(db: Db, seed: number, onProgress?: (n: number) => void) {
  const area = await northbridge(db);
  const counts = await seedPeople(db, {
    ...area,
    children: CHILDREN,
    seed,
    asOf: TEST_NOW,
    ...(onProgress ? { onProgress } : {}),
  });
  return { ...area, counts };
}

/** Who was generated, without the ids (which are keyed by the partnership too). */
/** Relationship rows with the person on each side (p: person_id, q: related_person_id). */
function relationshipsWithPeople(db: Db) {
  return db
    .selectFrom('relationships as r')
    .innerJoin('people as p', (j) =>
      j.onRef('p.partnershipId', '=', 'r.partnershipId').onRef('p.id', '=', 'r.personId'),
    )
    .innerJoin('people as q', (j) =>
      j.onRef('q.partnershipId', '=', 'r.partnershipId').onRef('q.id', '=', 'r.relatedPersonId'),
    );
}

async function projection(db: Db, id: string) {
  const people = await db
    .selectFrom('people')
    .select(['kind', 'givenName', 'familyName', 'dateOfBirth', 'expectedDate', 'sex'])
    .where('partnershipId', '=', id)
    .execute();
  const households = await db
    .selectFrom('households')
    .select(['addressLine1', 'postcode', 'town'])
    .where('partnershipId', '=', id)
    .execute();
  const relationships = await relationshipsWithPeople(db)
    .select([
      'r.kind',
      'r.startedOn',
      'p.givenName as from',
      'p.dateOfBirth as fromBorn',
      'q.givenName as to',
    ])
    .where('r.partnershipId', '=', id)
    .execute();
  const sorted = (rows: object[]) => rows.map((row) => JSON.stringify(row)).sort();
  return { people: sorted(people), households: sorted(households), relationships: sorted(relationships) };
}

function wholeYears(from: string, to: string): number {
  const [fy, fm, fd] = from.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = to.split('-').map(Number) as [number, number, number];
  return ty - fy - (tm < fm || (tm === fm && td < fd) ? 1 : 0);
}

beforeAll(async () => {
  [first, second] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  progress = [];
  const result = await seed(first.db, SEED, (n) => progress.push(n));
  partnershipId = result.partnershipId;
  seeded = result.counts;
});
afterAll(async () => {
  await first?.close();
  await second?.close();
});

describe('seedPeople', () => {
  it('creates exactly the children asked for, with their carers and households', async () => {
    expect(seeded.children).toBe(CHILDREN);
    expect(await countPeople(first.db, partnershipId)).toEqual(seeded);
    expect(seeded.households).toBeGreaterThan(CHILDREN / 4);
    expect(seeded.households).toBeLessThanOrEqual(CHILDREN);
    expect(seeded.adults).toBeGreaterThanOrEqual(seeded.households);
    expect(seeded.adults).toBeLessThanOrEqual(2 * seeded.households);
    expect(progress.at(-1)).toBe(CHILDREN);
  });

  it('gives the same people, dates and structure for the same seed, and others for another seed', async () => {
    const again = await seed(second.db, SEED);
    expect(again.counts).toEqual(seeded);
    const expected = await projection(first.db, partnershipId);
    expect(await projection(second.db, again.partnershipId)).toEqual(expected);

    const other = await seed(second.db, SEED + 1);
    expect((await projection(second.db, other.partnershipId)).people).not.toEqual(expected.people);
    // Two seedings of a thousand-odd people each, into a table with the search indexes.
  }, 60_000);

  it('links every child to a parent or carer and to a household', async () => {
    const db = first.db;
    const orphans = await db
      .selectFrom('people as c')
      .select(['c.id'])
      .where('c.partnershipId', '=', partnershipId)
      .where('c.kind', '!=', 'adult')
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('relationships as r')
              .select('r.id')
              .whereRef('r.partnershipId', '=', 'c.partnershipId')
              .whereRef('r.relatedPersonId', '=', 'c.id')
              .where('r.kind', 'in', ['parent', 'carer', 'parental_responsibility']),
          ),
        ),
      )
      .execute();
    expect(orphans).toEqual([]);

    const homeless = await db
      .selectFrom('people as p')
      .select(['p.id'])
      .where('p.partnershipId', '=', partnershipId)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('householdMembers as m')
              .select('m.personId')
              .whereRef('m.partnershipId', '=', 'p.partnershipId')
              .whereRef('m.personId', '=', 'p.id'),
          ),
        ),
      )
      .execute();
    expect(homeless).toEqual([]);
  });

  it('gives children ages 0 to 17, carers 18 to 60, and unborn children a due date within nine months', async () => {
    const people = await first.db
      .selectFrom('people')
      .select(['kind', 'givenName', 'dateOfBirth', 'expectedDate', 'sex'])
      .where('partnershipId', '=', partnershipId)
      .execute();
    const born = people.filter((p) => p.kind !== 'unborn');
    for (const person of born) {
      expect(person.expectedDate).toBeNull();
      const age = wholeYears(person.dateOfBirth!, TODAY);
      if (person.kind === 'child') expect(age).toSatisfy((a: number) => a >= 0 && a <= 17);
      else expect(age).toSatisfy((a: number) => a >= 18 && a <= 60);
    }
    expect(new Set(born.filter((p) => p.kind === 'child').map((p) => p.sex))).toEqual(
      new Set(['female', 'male']),
    );

    const unborn = people.filter((p) => p.kind === 'unborn');
    expect(unborn.length).toBeGreaterThan(0);
    expect(unborn.length).toBeLessThan(CHILDREN * 0.03);
    for (const child of unborn) {
      expect(child.dateOfBirth).toBeNull();
      expect(child.expectedDate! > TODAY).toBe(true);
      expect(wholeYears(TODAY, child.expectedDate!)).toBe(0);
    }
  });

  it('writes sibling rows once per pair, from the elder to the younger, and no one is related to themself', async () => {
    const rows = await relationshipsWithPeople(first.db)
      .select([
        'r.kind',
        'r.personId',
        'r.relatedPersonId',
        'p.dateOfBirth as elder',
        'q.dateOfBirth as younger',
      ])
      .where('r.partnershipId', '=', partnershipId)
      .execute();
    expect(rows.filter((r) => r.personId === r.relatedPersonId)).toEqual([]);
    const siblings = rows.filter((r) => r.kind === 'sibling');
    expect(siblings.length).toBeGreaterThan(0);
    for (const pair of siblings) {
      if (pair.younger !== null) expect(pair.elder! <= pair.younger).toBe(true);
    }
    const pairs = siblings.map((r) => [r.personId, r.relatedPersonId].sort().join());
    expect(new Set(pairs).size).toBe(pairs.length);
  });

  it('puts every household in Northbridge, in a real-format postcode of its locality', async () => {
    const households = await first.db
      .selectFrom('households as h')
      .innerJoin('localities as l', (j) =>
        j.onRef('l.partnershipId', '=', 'h.partnershipId').onRef('l.id', '=', 'h.localityId'),
      )
      .select(['h.addressLine1', 'h.town', 'h.postcode', 'l.code'])
      .where('h.partnershipId', '=', partnershipId)
      .execute();
    for (const household of households) {
      expect(household.postcode).toMatch(UK_POSTCODE);
      expect(household.addressLine1).toMatch(/^\d+ \S/);
      expect(household.town).toBe('Northbridge');
      const districts = NORTHBRIDGE_LOCALITIES.find((l) => l.code === household.code)!.postcodeDistricts;
      expect(districts).toContain(household.postcode.split(' ')[0]);
    }
    expect(new Set(households.map((h) => h.code))).toEqual(
      new Set(NORTHBRIDGE_LOCALITIES.map((l) => l.code)),
    );
    const addresses = new Set(households.map((h) => `${h.addressLine1}, ${h.postcode}`));
    expect(addresses.size).toBe(households.length);
  });

  it("refuses a locality that is not one of Northbridge's", async () => {
    const area = await northbridge(second.db);
    const localities = [{ id: area.localities[0]!.id, code: 'central' }];
    await expect(seedPeople(second.db, { ...area, localities, children: 1, seed: SEED })).rejects.toThrow(
      /Locality 'central' is not one of Northbridge's/,
    );
  });
});

describe('Northbridge addresses', () => {
  it('numbers every house of a locality once, then the same houses again as flats', () => {
    const houses = housesIn('east');
    const first = addressIn('east', 7);
    expect(first.line1).toMatch(/^\d+ \S/);
    expect(first.postcode).toMatch(UK_POSTCODE);
    expect(addressIn('east', houses + 7)).toEqual({
      line1: `Flat 1, ${first.line1}`,
      postcode: first.postcode,
    });
    const all = Array.from({ length: houses }, (_, slot) => addressIn('east', slot).line1);
    expect(new Set(all).size).toBe(houses);
  });
});
