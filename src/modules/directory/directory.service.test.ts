import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { insertPartnership } from '../../../test/helpers/builders.ts';
import { aServiceRecord, saveTestServices, seedTestDirectory } from '../../../test/helpers/directory.ts';
import { NotFoundError, ValidationError } from '../../common/errors.ts';
import { SearchQuery } from './directory.schemas.ts';
import { DirectoryService } from './directory.service.ts';

const place = (postalCode: string, name = 'Centre') => [
  { id: randomUUID(), name, addressLine1: '1 Test Road', city: 'Northbridge', postalCode },
];

describe('the public directory search', () => {
  let database: TestDatabase;
  let partnershipId: string;
  let directory: DirectoryService;
  const search = (query: Record<string, unknown>) =>
    directory.search(partnershipId, SearchQuery.parse(query));
  const names = async (query: Record<string, unknown>) => (await search(query)).results.map((r) => r.name);

  beforeAll(async () => {
    database = await createTestDatabase();
    partnershipId = await insertPartnership(database.db);
    const { term } = await seedTestDirectory(database.db, partnershipId);
    directory = new DirectoryService(database.db);
    await saveTestServices(database.db, partnershipId, [
      aServiceRecord({
        name: 'Baby group',
        taxonomyTermIds: [term('early-years')],
        locations: place('NB1 1AA'),
      }),
      aServiceRecord({
        name: 'Teen counselling',
        description: 'Talking therapy for anxiety and low mood.',
        minimumAge: 11,
        maximumAge: 18,
        accessRoutes: ['professional_referral'],
        specialist: true,
        free: true,
        languages: ['en', 'pl'],
        taxonomyTermIds: [term('mental-health')],
        locations: place('NB4 7QT'),
      }),
      aServiceRecord({
        name: 'Football club',
        description: 'Saturday football for all abilities.',
        minimumAge: 6,
        maximumAge: 14,
        free: false,
        accessRoutes: ['self_referral'],
        taxonomyTermIds: [term('sport')],
        locations: place('NB9 9ZZ'),
      }),
      aServiceRecord({
        name: 'Parent helpline',
        description: 'Phone support for parents, any time.',
        minimumAge: null,
        maximumAge: null,
        accessRoutes: ['self_referral'],
        taxonomyTermIds: [term('parenting')],
        locations: [],
      }),
      aServiceRecord({ name: 'Closed group', status: 'defunct', locations: place('NB1 1AA') }),
    ]);
  });
  afterAll(() => database.close());

  it('lists active services only, by name, with the total', async () => {
    const found = await search({});
    expect(found.total).toBe(4);
    expect(found.results.map((r) => r.name)).toEqual([
      'Baby group',
      'Football club',
      'Parent helpline',
      'Teen counselling',
    ]);
    expect(found.results[0]!.schedules[0]).toMatchObject({ byday: 'TU', opensAt: '10:00:00' });
    expect(found.results[0]!.phone).toBe('01632 960000');
  });

  it('finds a need and the narrower needs under it', async () => {
    expect(await names({ need: 'health' })).toEqual(['Teen counselling']);
    expect(await names({ need: 'family-life' })).toEqual(['Baby group', 'Parent helpline']);
  });

  it('filters by age, cost, way in, language, kind and words', async () => {
    expect(await names({ age: '12' })).toEqual(['Football club', 'Parent helpline', 'Teen counselling']);
    expect(await names({ cost: 'paid' })).toEqual(['Football club']);
    expect(await names({ access: 'professional_referral' })).toEqual(['Teen counselling']);
    expect(await names({ language: 'pl' })).toEqual(['Teen counselling']);
    expect(await names({ kind: 'specialist' })).toEqual(['Teen counselling']);
    expect(await names({ q: 'anxiety' })).toEqual(['Teen counselling']);
    expect(await names({ age: '12', cost: 'free', kind: 'mainstream' })).toEqual(['Parent helpline']);
  });

  it('puts the nearest first within the distance, then services with no place', async () => {
    const found = await search({ near: 'nb1 1aa', within: '5' });
    expect(found.place?.key).toBe('NB1 1AA');
    expect(found.results.map((r) => r.name)).toEqual(['Baby group', 'Teen counselling', 'Parent helpline']);
    expect(found.results[0]!.distanceMetres).toBeLessThan(1);
    expect(found.results[1]!.distanceMetres).toBeGreaterThan(5000);
    expect(found.results[2]!.distanceMetres).toBeNull();
    expect(await names({ near: 'NB1', within: '1' })).toEqual(['Baby group', 'Parent helpline']);
    expect(await names({ near: 'Town centre', within: '25' })).toContain('Football club');
  });

  it('pages, and counts past the last page', async () => {
    const first = await search({ perPage: '2', page: '1' });
    const second = await search({ perPage: '2', page: '2' });
    expect([...first.results, ...second.results].map((r) => r.name)).toHaveLength(4);
    const beyond = await search({ perPage: '2', page: '5' });
    expect(beyond).toMatchObject({ total: 4, results: [] });
  });

  it('refuses an unknown need, a malformed postcode and an unknown place, naming the field', async () => {
    await expect(search({ need: 'astrology' })).rejects.toThrow(ValidationError);
    await expect(search({ near: 'NB4 7Q' })).rejects.toMatchObject({ fields: [{ field: 'near' }] });
    await expect(search({ near: 'Atlantis' })).rejects.toMatchObject({ fields: [{ field: 'near' }] });
    expect(SearchQuery.safeParse({ age: '-1' }).success).toBe(false);
    expect(SearchQuery.safeParse({ age: 'ten' }).success).toBe(false);
    expect(SearchQuery.safeParse({ within: '3' }).success).toBe(false);
  });

  it('reads one entry whole, and not another area’s', async () => {
    const [first] = (await search({ q: 'counselling' })).results;
    const detail = await directory.service(partnershipId, first!.id);
    expect(detail).toMatchObject({ name: 'Teen counselling', terms: [{ code: 'mental-health' }] });
    expect(detail.locations[0]).toMatchObject({ postalCode: 'NB4 7QT', latitude: 53.85 });
    const other = await insertPartnership(database.db);
    await expect(directory.service(other, first!.id)).rejects.toBeInstanceOf(NotFoundError);
  });
});
