import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { insertPartnership } from '../../../test/helpers/builders.ts';
import { addMonths, londonDate } from '../../common/plain-dates.ts';
import {
  NORTHBRIDGE_LOCALITIES,
  NORTHBRIDGE_NEIGHBOURHOODS,
  addressIn,
  housesIn,
  northbridgePlaces,
} from '../people/northbridge.ts';
import { ServiceRecord } from './directory.schemas.ts';
import { buildDirectory, demoDirectorySize, seedDirectory } from './directory.seed.ts';
import { NEEDS_TAXONOMY, flattenTaxonomy } from './directory.taxonomy.ts';
import { REVIEW_AFTER_MONTHS } from './directory.vocabulary.ts';

const asOf = new Date('2026-05-11T09:00:00Z');
const today = londonDate(asOf);
/** Stand-in term ids for building without a database: one per taxonomy code. */
const codes = flattenTaxonomy(NEEDS_TAXONOMY).map((t) => t.code);
const termId = (code: string) => {
  const n = codes.indexOf(code);
  if (n < 0) throw new Error(`unknown term ${code}`);
  return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
};

describe('the town’s places', () => {
  const places = northbridgePlaces();
  const byKey = new Map(places.map((p) => [p.key, p]));
  /** Distance in miles, near enough at this latitude. */
  const miles = (a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }) =>
    Math.hypot((a.latitude - b.latitude) * 69.05, (a.longitude - b.longitude) * 40.8);

  it('has every postcode a demo household can have, each outward code and the place names', () => {
    expect(new Set(places.map((p) => p.key)).size).toBe(places.length);
    for (const locality of NORTHBRIDGE_LOCALITIES) {
      const houses = housesIn(locality.code);
      for (let slot = 0; slot < houses; slot += 1) {
        const { postcode } = addressIn(locality.code, slot);
        expect(byKey.get(postcode)?.kind, postcode).toBe('postcode');
      }
      // Past the last house the same streets come round again as flats.
      expect(byKey.has(addressIn(locality.code, houses + 5).postcode)).toBe(true);
    }
    for (const n of NORTHBRIDGE_NEIGHBOURHOODS) {
      expect(byKey.get(n.postcodeDistrict)?.kind).toBe('outcode');
      expect(byKey.get(n.name.toUpperCase())?.kind).toBe('place');
    }
    for (const name of [
      'NORTHBRIDGE',
      'NORTHBRIDGE TOWN CENTRE',
      ...NORTHBRIDGE_LOCALITIES.map((l) => l.name.toUpperCase()),
    ])
      expect(byKey.get(name)?.kind, name).toBe('place');
    expect(byKey.get('HIGHFIELD AND MOORSIDE')?.label).toBe('Highfield and Moorside');
  });

  it('lays each locality out on its own side of the centre, a few miles across, the same every time', () => {
    expect(northbridgePlaces()).toEqual(places);
    const centre = byKey.get('NORTHBRIDGE')!;
    const side = (code: string) =>
      byKey.get(NORTHBRIDGE_LOCALITIES.find((l) => l.code === code)!.name.toUpperCase())!;
    expect(side('north').latitude).toBeGreaterThan(centre.latitude);
    expect(side('south').latitude).toBeLessThan(centre.latitude);
    expect(side('east').longitude).toBeGreaterThan(centre.longitude);
    expect(side('west').longitude).toBeLessThan(centre.longitude);
    const postcodes = places.filter((p) => p.kind === 'postcode');
    for (const p of postcodes) expect(miles(p, centre)).toBeLessThan(5);
    // Every postcode is near its outward code's centre.
    for (const p of postcodes) expect(miles(p, byKey.get(p.key.split(' ')[0]!)!)).toBeLessThan(1.5);
  });

  it('keeps a street’s postcodes together', () => {
    for (const locality of NORTHBRIDGE_LOCALITIES) {
      const first = addressIn(locality.code, 0);
      const street = first.line1.replace(/^\d+ /, '');
      const onStreet = Array.from({ length: 40 }, (_, slot) => addressIn(locality.code, slot)).filter((a) =>
        a.line1.endsWith(street),
      );
      for (const a of onStreet)
        expect(miles(byKey.get(a.postcode)!, byKey.get(first.postcode)!)).toBeLessThan(0.5);
    }
  });
});

describe('building the demo directory', () => {
  const records = buildDirectory({ seed: 7, asOf, termId });

  it('is about 300 valid entries from about 60 organisations, the same for the same seed', () => {
    expect(records.length).toBe(demoDirectorySize(asOf));
    expect(records.length).toBeGreaterThanOrEqual(250);
    expect(new Set(records.map((r) => r.organization.id)).size).toBeGreaterThanOrEqual(55);
    expect(new Set(records.map((r) => r.id)).size).toBe(records.length);
    for (const r of records) expect(ServiceRecord.safeParse(r).success).toBe(true);
    expect(buildDirectory({ seed: 7, asOf, termId })).toEqual(records);
    expect(buildDirectory({ seed: 8, asOf, termId })[0]!.id).not.toBe(records[0]!.id);
  });

  it('mixes free and paid, mainstream and specialist, ways in, languages, ages, schedules and waits', () => {
    const paid = records.filter((r) => !r.free);
    expect(paid.length).toBeGreaterThan(20);
    for (const r of paid) expect(r.costOptions.some((c) => (c.amount ?? 0) > 0)).toBe(true);
    expect(records.filter((r) => r.specialist).length).toBeGreaterThan(15);
    for (const route of ['drop_in', 'self_referral', 'professional_referral'] as const)
      expect(records.filter((r) => r.accessRoutes.includes(route)).length).toBeGreaterThan(20);
    expect(records.filter((r) => r.languages.some((l) => l !== 'en')).length).toBeGreaterThan(20);
    expect(records.filter((r) => r.waitWeeks !== null).length).toBeGreaterThan(20);
    for (const r of records) {
      expect(r.locations.length).toBeGreaterThanOrEqual(1);
      expect(r.locations.length).toBeLessThanOrEqual(3);
      expect(r.schedules.length).toBeGreaterThanOrEqual(1);
      expect(r.contacts[0]!.phone).toMatch(/^01632 960\d{3}$/);
      expect(r.contacts[0]!.email).toMatch(/@example\.org$/);
      expect(r.taxonomyTermIds.length).toBeGreaterThan(0);
    }
    expect(records.some((r) => r.organization.name === 'Bridges Family Support')).toBe(true);
  });

  it('has some entries not reviewed for over six months, and none reviewed in the future', () => {
    const staleBefore = addMonths(today, -REVIEW_AFTER_MONTHS);
    const stale = records.filter((r) => r.assuredDate < staleBefore).length;
    expect(stale / records.length).toBeGreaterThan(0.04);
    expect(stale / records.length).toBeLessThan(0.2);
    for (const r of records) expect(r.assuredDate <= today).toBe(true);
  });

  it('puts every entry at a demo postcode', () => {
    const known = new Set(northbridgePlaces().map((p) => p.key));
    for (const r of records)
      for (const l of r.locations) expect(known.has(l.postalCode), l.postalCode).toBe(true);
  });

  it('grows by going round again, keeping the smaller directory as it is', () => {
    const bigger = buildDirectory({ seed: 7, asOf, termId, services: records.length + 150 });
    expect(bigger.slice(0, records.length)).toEqual(records);
    expect(new Set(bigger.map((r) => r.name)).size).toBeGreaterThan(records.length);
  });
});

describe('seeding the demo directory', () => {
  let database: TestDatabase;
  let partnershipId: string;
  let bridgesId: string;
  beforeAll(async () => {
    database = await createTestDatabase();
    partnershipId = await insertPartnership(database.db);
    ({ id: bridgesId } = await database.db
      .insertInto('organisations')
      .values({
        partnershipId,
        name: 'Bridges Family Support',
        sector: 'voluntary',
        kind: 'Family support charity',
      })
      .returning('id')
      .executeTakeFirstOrThrow());
  });
  afterAll(() => database.close());

  const count = async (table: 'directoryServices' | 'directoryOrganizations' | 'directoryLocations') =>
    Number(
      (
        await database.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .where('partnershipId', '=', partnershipId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('writes the taxonomy, places and services, places every location and links the demo’s agencies', async () => {
    const seeded = await seedDirectory(database.db, { partnershipId, seed: 3, asOf, services: 120 });
    expect(seeded.services).toBe(120);
    expect(seeded.places).toBe(northbridgePlaces().length);
    expect(await count('directoryServices')).toBe(120);
    const unplaced = await database.db
      .selectFrom('directoryLocations')
      .select('id')
      .where('partnershipId', '=', partnershipId)
      .where('latitude', 'is', null)
      .execute();
    expect(unplaced).toEqual([]);
    const bridges = await database.db
      .selectFrom('directoryOrganizations')
      .select('agencyOrganisationId')
      .where('partnershipId', '=', partnershipId)
      .where('name', '=', 'Bridges Family Support')
      .executeTakeFirst();
    // Bridges is among the first 120 for this seed only by chance: check it is linked when present.
    if (bridges) expect(bridges.agencyOrganisationId).toBe(bridgesId);
    const others = await database.db
      .selectFrom('directoryOrganizations')
      .select('agencyOrganisationId')
      .where('partnershipId', '=', partnershipId)
      .where('name', '=', 'Citizens Advice Northbridge')
      .executeTakeFirst();
    if (others) expect(others.agencyOrganisationId).toBeNull();
  });

  it('writes the same again when run again, and the whole directory on a bigger run', async () => {
    const before = [await count('directoryOrganizations'), await count('directoryLocations')];
    await seedDirectory(database.db, { partnershipId, seed: 3, asOf, services: 120 });
    expect([await count('directoryOrganizations'), await count('directoryLocations')]).toEqual(before);
    await seedDirectory(database.db, { partnershipId, seed: 3, asOf });
    expect(await count('directoryServices')).toBe(demoDirectorySize(asOf));
    const bridges = await database.db
      .selectFrom('directoryOrganizations')
      .select('agencyOrganisationId')
      .where('partnershipId', '=', partnershipId)
      .where('name', '=', 'Bridges Family Support')
      .executeTakeFirstOrThrow();
    expect(bridges.agencyOrganisationId).toBe(bridgesId);
    const stale = await database.db
      .selectFrom('directoryServices')
      .select('id')
      .where('partnershipId', '=', partnershipId)
      .where('assuredDate', '<', addMonths(today, -REVIEW_AFTER_MONTHS))
      .execute();
    expect(stale.length).toBeGreaterThan(0);
  });
});
