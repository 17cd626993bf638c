import { randomUUID } from 'node:crypto';
import type { Db } from '../../src/db/database.ts';
import {
  ServiceRecord,
  type ServiceRecordInput,
  savePlaces,
  saveServiceRecords,
  seedNeedsTaxonomy,
  taxonomyTermsOf,
} from '../../src/modules/directory/index.ts';

/**
 * A small directory for tests: the needs taxonomy, a handful of places around a made-up town centre
 * (0.01° of latitude is about 0.7 miles), and entries built from a few overrides.
 */

export const TEST_PLACES = [
  { key: 'NB1 1AA', kind: 'postcode', label: 'NB1 1AA', latitude: 53.8, longitude: -1.55 },
  { key: 'NB1 2AB', kind: 'postcode', label: 'NB1 2AB', latitude: 53.81, longitude: -1.55 },
  { key: 'NB4 7QT', kind: 'postcode', label: 'NB4 7QT', latitude: 53.85, longitude: -1.55 },
  { key: 'NB9 9ZZ', kind: 'postcode', label: 'NB9 9ZZ', latitude: 54.1, longitude: -1.55 },
  { key: 'NB1', kind: 'outcode', label: 'NB1', latitude: 53.805, longitude: -1.55 },
  { key: 'TOWN CENTRE', kind: 'place', label: 'Town centre', latitude: 53.8, longitude: -1.55 },
] as const;

export async function seedTestDirectory(db: Db, partnershipId: string) {
  await db.transaction().execute(async (tx) => {
    await seedNeedsTaxonomy(tx, partnershipId);
    await savePlaces(tx, TEST_PLACES);
  });
  const terms = await taxonomyTermsOf(db, partnershipId);
  const term = (code: string) => terms.find((t) => t.code === code)!.id;
  return { terms, term };
}

/** A whole, valid entry: a free drop-in parenting group at NB1 1AA, unless overridden. */
export function aServiceRecord(overrides: Partial<ServiceRecordInput> = {}): ServiceRecord {
  return ServiceRecord.parse({
    id: randomUUID(),
    organization: { id: randomUUID(), name: 'Test Family Charity' },
    name: 'Parenting group',
    description: 'A friendly weekly group for parents of young children.',
    assuredDate: '2026-10-01',
    accessRoutes: ['drop_in'],
    minimumAge: 0,
    maximumAge: 5,
    locations: [{ id: randomUUID(), name: 'Family hub', addressLine1: '1 High Street', city: 'Northbridge', postalCode: 'NB1 1AA' }],
    schedules: [{ id: randomUUID(), byday: 'TU', opensAt: '10:00', closesAt: '11:30' }],
    contacts: [{ id: randomUUID(), name: 'Reception', phone: '01632 960000' }],
    ...overrides,
  });
}

export async function saveTestServices(db: Db, partnershipId: string, records: ServiceRecord[], now = new Date()) {
  await db.transaction().execute((tx) => saveServiceRecords(tx, partnershipId, records, { now }));
}
