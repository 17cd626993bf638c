/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return -- answers' JSON is read loosely; expect checks its shape */
import { randomUUID } from 'node:crypto';
import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/web.ts';
import { aServiceRecord, saveTestServices, seedTestDirectory } from '../../../test/helpers/directory.ts';

/** The Open Referral UK read API, through the real app: public, CORS open, HSDS shapes, filters, 400s. */
describe('Open Referral UK API', () => {
  let t: TestApp;
  let base: string;
  let term: (code: string) => string;
  const org = { id: randomUUID(), name: 'Northbridge Family Trust' };
  const group = aServiceRecord({
    organization: org,
    name: 'Stay and play',
    taxonomyTermIds: [],
    minimumAge: 0,
    maximumAge: 5,
    costOptions: [{ id: randomUUID(), option: 'Session', amount: 2.5 }],
  });
  let youth: ReturnType<typeof aServiceRecord>;
  let far: ReturnType<typeof aServiceRecord>;

  const get = (url: string) =>
    t.app.inject({ method: 'GET', url: `${base}${url}` }).then((r) => ({ ...r, json: r.json() }));

  beforeAll(async () => {
    t = await createTestApp();
    ({ term } = await seedTestDirectory(t.database.db, t.partnershipId));
    const { slug } = await t.database.db
      .selectFrom('partnerships')
      .select('slug')
      .where('id', '=', t.partnershipId)
      .executeTakeFirstOrThrow();
    base = `/openreferral/${slug}`;
    group.taxonomyTermIds = [term('early-years')];
    youth = aServiceRecord({
      name: 'Youth club',
      description: 'Games, sport and a hot meal for young people.',
      minimumAge: 11,
      maximumAge: 18,
      taxonomyTermIds: [term('youth-clubs')],
      locations: [
        {
          id: randomUUID(),
          name: 'Youth centre',
          addressLine1: '2 Park Road',
          city: 'Northbridge',
          postalCode: 'NB4 7QT',
        },
      ],
      schedules: [{ id: randomUUID(), byday: 'MO,WE', opensAt: '18:00', closesAt: '20:00' }],
    });
    far = aServiceRecord({
      name: 'Moorland walks',
      description: 'Guided family walks on the moor.',
      minimumAge: 8,
      maximumAge: 16,
      status: 'inactive',
      locations: [{ id: randomUUID(), name: 'Moor gate', postalCode: 'NB9 9ZZ' }],
      schedules: [{ id: randomUUID(), byday: 'SA', opensAt: '10:00', closesAt: '15:00' }],
    });
    await saveTestServices(
      t.database.db,
      t.partnershipId,
      [group, youth, far],
      new Date('2026-01-10T09:00:00Z'),
    );
  }, 60_000);
  afterAll(() => t.close());

  it('answers GET / with the version, profile and OpenAPI document, open to any origin', async () => {
    const r = await get('/');
    expect(r.statusCode).toBe(200);
    expect(r.headers['access-control-allow-origin']).toBe('*');
    expect(r.json).toEqual({
      version: '3.0',
      profile: 'https://github.com/OpenReferralUK/uk-profile',
      openapi_url: expect.stringMatching(/\/api\/docs\/json$/),
    });
  });

  it('answers a CORS preflight', async () => {
    const r = await t.app.inject({
      method: 'OPTIONS',
      url: `${base}/services`,
      headers: { origin: 'https://example.org', 'access-control-request-method': 'GET' },
    });
    expect(r.statusCode).toBe(204);
    expect(r.headers['access-control-allow-origin']).toBe('*');
    expect(r.headers['access-control-allow-methods']).toContain('GET');
  });

  it('lists services as an HSDS Page object of nested services', async () => {
    const r = await get('/services?per_page=2');
    expect(r.statusCode).toBe(200);
    expect(r.headers['access-control-allow-origin']).toBe('*');
    expect(r.headers['content-type']).toMatch(/application\/json/);
    expect(r.json).toMatchObject({
      total_items: 3,
      total_pages: 2,
      page_number: 1,
      size: 2,
      first_page: true,
      last_page: false,
      empty: false,
    });
    expect(r.json.contents.map((s: { name: string }) => s.name)).toEqual(['Moorland walks', 'Stay and play']);
    const second = await get('/services?per_page=2&page=2');
    expect(second.json).toMatchObject({ page_number: 2, first_page: false, last_page: true });
    expect(second.json.contents).toHaveLength(1);
    const beyond = await get('/services?page=9');
    expect(beyond.json).toMatchObject({ total_items: 3, empty: true, contents: [] });
  });

  it('answers one service fully nested, with the fields HSDS 3.0 requires', async () => {
    const r = await get(`/services/${group.id}`);
    expect(r.statusCode).toBe(200);
    const s = r.json;
    expect(s).toMatchObject({
      id: group.id,
      name: 'Stay and play',
      status: 'active',
      minimum_age: 0,
      maximum_age: 5,
      assured_date: '2026-10-01',
      organization: { id: org.id, name: org.name, description: '' },
    });
    const place = s.service_at_locations[0];
    expect(place.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(place.location).toMatchObject({
      id: group.locations[0]!.id,
      location_type: 'physical',
      latitude: 53.8,
    });
    expect(place.location.addresses[0]).toMatchObject({
      address_1: '1 High Street',
      city: 'Northbridge',
      state_province: '',
      postal_code: 'NB1 1AA',
      country: 'GB',
      address_type: 'physical',
    });
    expect(s.schedules[0]).toMatchObject({
      id: group.schedules[0]!.id,
      byday: 'TU',
      opens_at: '10:00:00',
      closes_at: '11:30:00',
    });
    expect(s.cost_options[0]).toMatchObject({ option: 'Session', amount: 2.5, currency: 'GBP' });
    expect(s.contacts[0]).toMatchObject({ name: 'Reception', phones: [{ number: '01632 960000' }] });
    expect(s.contacts[0].phones[0].id).toMatch(/^[0-9a-f-]{36}$/);
    expect(s.languages).toEqual([expect.objectContaining({ code: 'en', name: 'English' })]);
    expect(s.attributes[0]).toMatchObject({
      link_id: group.id,
      link_entity: 'service',
      taxonomy_term_id: term('early-years'),
      taxonomy_term: { id: term('early-years'), code: 'early-years', taxonomy: 'Wraparound needs' },
    });
    // The same every time: derived ids are stable.
    expect((await get(`/services/${group.id}`)).json).toEqual(s);
  });

  it('answers 404 JSON for an unknown service, area or path', async () => {
    for (const url of [
      `${base}/services/${randomUUID()}`,
      `${base}/services/not-a-uuid`,
      '/openreferral/nowhere/services',
      `${base}/organizations`,
    ]) {
      const r = await t.app.inject({ method: 'GET', url });
      expect(r.statusCode, url).toBe(404);
      expect(r.headers['content-type'], url).toMatch(/application\/json/);
      expect(r.json()).toMatchObject({ statusCode: 404, error: 'Not Found' });
      expect(r.headers['access-control-allow-origin']).toBe('*');
    }
  });

  const names = async (query: string) => {
    const r = await get(`/services?${query}`);
    expect(r.statusCode, `${query}: ${r.body}`).toBe(200);
    return r.json.contents.map((s: { name: string }) => s.name).sort();
  };

  it('filters by words, term, taxonomy, organisation and modification date, cumulatively', async () => {
    expect(await names('search=meal')).toEqual(['Youth club']);
    expect(await names(`taxonomy_term_id=${term('youth-clubs')}`)).toEqual(['Youth club']);
    const { taxonomyId } = await t.database.db
      .selectFrom('directoryTaxonomyTerms')
      .select('taxonomyId')
      .where('id', '=', term('youth-clubs'))
      .executeTakeFirstOrThrow();
    expect(await names(`taxonomy_id=${taxonomyId}`)).toEqual(['Stay and play', 'Youth club']);
    expect(await names(`organization_id=${org.id}`)).toEqual(['Stay and play']);
    expect(await names('modified_after=2026-01-01')).toHaveLength(3);
    expect(await names('modified_after=2026-02-01T00:00:00Z')).toEqual([]);
    expect(await names(`search=meal&organization_id=${org.id}`)).toEqual([]);
  });

  it('filters by a child’s age range, the day and the times of a session', async () => {
    expect(await names('minimum_age=12')).toEqual(['Moorland walks', 'Youth club']);
    expect(await names('minimum_age=12&maximum_age=17')).toEqual(['Youth club']);
    expect(await names('maximum_age=4')).toEqual(['Stay and play']);
    expect(await names('day=we')).toEqual(['Youth club']);
    expect(await names('day=SA&start_time=09:30&end_time=16:00')).toEqual(['Moorland walks']);
    expect(await names('start_time=17:00')).toEqual(['Youth club']);
    expect(await names('day=MO&end_time=19:00')).toEqual([]);
  });

  it('filters and sorts by distance from a postcode', async () => {
    const near = await get('/services?postcode=nb47qt');
    expect(near.json.contents.map((s: { name: string }) => s.name)).toEqual([
      'Youth club',
      'Stay and play',
      'Moorland walks',
    ]);
    expect(await names('postcode=NB1 1AA&proximity=2000')).toEqual(['Stay and play']);
    expect(await names('postcode=NB1&proximity=8000')).toEqual(['Stay and play', 'Youth club']);
  });

  it('answers minimal services without their nested parts', async () => {
    const r = await get(`/services?minimal=true&organization_id=${org.id}`);
    expect(r.json.contents[0]).toMatchObject({ id: group.id, name: 'Stay and play' });
    expect(r.json.contents[0].schedules).toBeUndefined();
  });

  it.each([
    ['page=0', 'page'],
    ['page=two', 'page'],
    ['per_page=100000', 'per_page'],
    ['taxonomy_term_id=parenting', 'taxonomy_term_id'],
    ['taxonomy_id=1', 'taxonomy_id'],
    ['organization_id=x', 'organization_id'],
    ['modified_after=yesterday', 'modified_after'],
    ['minimal=perhaps', 'minimal'],
    ['full=2', 'full'],
    ['minimum_age=-1', 'minimum_age'],
    ['maximum_age=old', 'maximum_age'],
    ['minimum_age=10&maximum_age=5', 'maximum_age'],
    ['start_time=25:00', 'start_time'],
    ['end_time=noon', 'end_time'],
    ['start_time=18:00&end_time=09:00', 'end_time'],
    ['day=XX', 'day'],
    ['postcode=NOT A POSTCODE1', 'postcode'],
    ['postcode=ZZ99 9ZZ', 'postcode'],
    ['proximity=1000', 'proximity'],
    ['postcode=NB1 1AA&proximity=-5', 'proximity'],
    ['colour=blue', 'colour'],
    ['page=1&page=2', 'page'],
  ])('refuses /services?%s with a 400 naming %s', async (query, field) => {
    const r = await get(`/services?${query}`);
    expect(r.statusCode).toBe(400);
    expect(r.headers['access-control-allow-origin']).toBe('*');
    expect(r.json).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(r.json.fields.map((f: { field: string }) => f.field)).toContain(field);
  });

  it('lists taxonomies and terms, and answers each by id', async () => {
    const taxonomies = await get('/taxonomies');
    expect(taxonomies.json).toMatchObject({ total_items: 1, contents: [{ name: 'Wraparound needs' }] });
    const taxonomyId = taxonomies.json.contents[0].id;
    expect((await get(`/taxonomies/${taxonomyId}`)).json).toMatchObject({
      id: taxonomyId,
      name: 'Wraparound needs',
    });
    const top = await get('/taxonomy_terms?top_only=true&per_page=100');
    expect(top.json.total_items).toBe(6);
    expect(top.json.contents.every((c: { parent_id: string | null }) => c.parent_id === null)).toBe(true);
    const children = await get(`/taxonomy_terms?parent_id=${term('activities')}&taxonomy_id=${taxonomyId}`);
    expect(children.json.contents.map((c: { code: string }) => c.code).sort()).toEqual([
      'arts',
      'holiday-activities',
      'sport',
      'youth-clubs',
    ]);
    const one = await get(`/taxonomy_terms/${term('sport')}`);
    expect(one.json).toMatchObject({
      id: term('sport'),
      code: 'sport',
      taxonomy: 'Wraparound needs',
      taxonomy_id: taxonomyId,
    });
    expect((await get(`/taxonomy_terms/${randomUUID()}`)).statusCode).toBe(404);
    expect((await get('/taxonomy_terms?top_only=maybe')).json.fields[0].field).toBe('top_only');
    expect((await get('/taxonomy_terms?parent_id=x')).json.fields[0].field).toBe('parent_id');
  });

  it('lists services at locations, nearest first, and answers each by id', async () => {
    const r = await get('/service_at_locations?postcode=NB4 7QT&proximity=10000');
    expect(r.statusCode).toBe(200);
    expect(r.json.total_items).toBe(2);
    const first = r.json.contents[0];
    expect(first).toMatchObject({ service: { name: 'Youth club' }, location: { name: 'Youth centre' } });
    expect(first.service.service_at_locations).toBeUndefined();
    expect((await get(`/service_at_locations/${first.id}`)).json).toEqual(first);
    expect((await get(`/service_at_locations/${randomUUID()}`)).statusCode).toBe(404);
    expect((await get('/service_at_locations?proximity=10')).json.fields[0].field).toBe('proximity');
  });

  it('needs no sign-in and appears in the OpenAPI document', async () => {
    const docs = await t.app.inject({ method: 'GET', url: '/api/docs/json' });
    // The validator resolves references in place: it gets its own copy of the document.
    await SwaggerParser.validate(docs.json<SwaggerParser['api']>());
    const paths = Object.keys(docs.json().paths);
    expect(paths).toContain('/openreferral/{slug}/services');
    expect(paths).toContain('/openreferral/{slug}/services/{id}');
    const op = docs.json().paths['/openreferral/{slug}/services'].get;
    expect(op.tags).toEqual(['Open Referral UK']);
    expect(op.security).toEqual([]);
    expect(op.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['minimum_age', 'day', 'proximity']),
    );
  });
});
