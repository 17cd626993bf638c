/* eslint-disable @typescript-eslint/no-unsafe-assignment -- expect's asymmetric matchers are typed any */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { insertPartnership } from '../../../test/helpers/builders.ts';
import { buildCtx, buildSystemActor } from '../../../test/helpers/context.ts';
import { aServiceRecord, saveTestServices, seedTestDirectory } from '../../../test/helpers/directory.ts';
import { ValidationError } from '../../common/errors.ts';
import { exportDirectory, importDirectory, loadPlacesCsv } from './directory.import.ts';
import { hsdsService } from './directory.oruk.ts';
import { loadEntries, recordOf } from './directory.store.ts';

const HEADER =
  'id,organization_name,name,description,minimum_age,maximum_age,free,access_routes,languages,address_1,city,postal_code,schedule_byday,opens_at,closes_at,phone,taxonomy_term_codes,assured_date';

describe('importing and exporting the directory', () => {
  let database: TestDatabase;
  let partnershipId: string;
  let term: (code: string) => string;
  const ctx = () => buildCtx(buildSystemActor(partnershipId));

  const count = async (pid = partnershipId) =>
    Number(
      (
        await database.db
          .selectFrom('directoryServices')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('partnershipId', '=', pid)
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    database = await createTestDatabase();
    partnershipId = await insertPartnership(database.db);
    ({ term } = await seedTestDirectory(database.db, partnershipId));
  });
  afterAll(() => database.close());

  it('loads the good rows of a CSV, reports the broken ones by line and field, and a rerun adds nothing', async () => {
    const ids = Array.from({ length: 6 }, () => randomUUID());
    const csv = [
      HEADER,
      `${ids[0]},Test Charity,Baby massage,Calm sessions for babies.,0,1,yes,drop_in;self_referral,en;pl,1 High St,Northbridge,nb11aa,TU,10:00,11:00,01632 960001,early-years,2026-09-01`,
      `${ids[1]},Test Charity,Homework club,Help with homework.,7,11,no,drop_in,en,2 High St,Northbridge,NB1 2AB,MO;WE,15:30,17:00,,education-support;sport,2026-09-01`,
      `${ids[2]},Test Charity,Wrong term,Tagged with a term we do not have.,7,11,yes,,en,,,,,,,,no-such-need,2026-09-01`,
      `${ids[3]},Test Charity,Reversed ages,The ages are the wrong way round.,12,8,yes,,en,,,,,,,,,2026-09-01`,
      `${ids[4]},Test Charity,Bad postcode,The postcode is not one.,5,9,yes,,en,3 Low St,Northbridge,NB1 XYZ,,,,,,2026-09-01`,
      `${ids[5]},Test Charity,Backwards session,Closes before it opens.,5,9,yes,,en,,,,FR,16:00,15:00,,,2026-09-01`,
    ].join('\n');
    const file = { name: 'services.csv', content: csv };
    const report = await importDirectory(database.db, ctx(), partnershipId, file);
    expect(report.loaded).toBe(2);
    expect(report.rejected).toEqual([
      {
        line: 4,
        field: 'taxonomy_term_codes',
        message: expect.stringMatching(/^unknown taxonomy term "no-such-need"/),
      },
      { line: 5, field: 'maximum_age', message: 'must not be below the minimum age' },
      { line: 6, field: 'postal_code', message: 'must be a UK postcode, like NB4 7QT' },
      { line: 7, field: 'closes_at', message: 'must close after it opens' },
    ]);
    expect(await count()).toBe(2);

    const [massage] = await loadEntries(database.db, partnershipId, [ids[0]!]);
    expect(massage).toMatchObject({
      name: 'Baby massage',
      free: true,
      accessRoutes: ['drop_in', 'self_referral'],
      languages: ['en', 'pl'],
      taxonomyTermIds: [term('early-years')],
      locations: [{ postalCode: 'NB1 1AA', latitude: 53.8, longitude: -1.55 }],
      schedules: [{ byday: 'TU', opensAt: '10:00:00', closesAt: '11:00:00' }],
      contacts: [{ phone: '01632 960001' }],
    });

    const again = await importDirectory(database.db, ctx(), partnershipId, file);
    expect(again.loaded).toBe(2);
    expect(await count()).toBe(2);
    const rows = await database.db
      .selectFrom('directorySchedules')
      .select('id')
      .where('partnershipId', '=', partnershipId)
      .execute();
    expect(rows).toHaveLength(2);

    const audit = await database.db
      .selectFrom('auditEvents')
      .select(['action', 'detail'])
      .where('partnershipId', '=', partnershipId)
      .where('action', '=', 'directory.import')
      .execute();
    expect(audit).toHaveLength(2);
  });

  it('reports a bad value in a CSV row that adds a second session to a service on that row’s line', async () => {
    const id = randomUUID();
    const csv = [
      HEADER,
      `${id},Test Charity,Two sessions,Runs twice a week.,5,9,yes,,en,,,,MO,10:00,11:00,,,2026-09-01`,
      `${id},Test Charity,Two sessions,Runs twice a week.,5,9,yes,,en,,,,TH,14:00,13:00,,,2026-09-01`,
      `,Test Charity,No id,Gets an id from its name.,seven,9,maybe,,en,,,,,,,,,01/09/2026`,
    ].join('\n');
    const report = await importDirectory(database.db, ctx(), partnershipId, {
      name: 'more.csv',
      content: csv,
    });
    expect(report.loaded).toBe(0);
    expect(report.rejected).toEqual([
      { line: 3, field: 'closes_at', message: 'must close after it opens' },
      { line: 4, field: 'minimum_age', message: 'must be a whole number of years' },
      { line: 4, field: 'free', message: expect.any(String) },
      { line: 4, field: 'assured_date', message: 'must be a date, YYYY-MM-DD' },
    ]);
  });

  it('refuses a file it cannot read, naming what is wrong', async () => {
    const refuse = (name: string, content: string) =>
      importDirectory(database.db, ctx(), partnershipId, { name, content }).then(
        () => null,
        (e: unknown) => (e instanceof ValidationError ? e.fields[0]!.message : String(e)),
      );
    expect(await refuse('feed.json', '{ not json')).toMatch(/^feed.json is not valid JSON/);
    expect(await refuse('feed.json', '{"hello": 1}')).toMatch(/must hold an array of services/);
    expect(await refuse('services.csv', 'title,body\nA,B')).toBe(
      'services.csv needs the columns name, organization_name (the file has: title, body)',
    );
  });

  it('loads an Open Referral UK JSON feed, reporting broken services by index and HSDS field', async () => {
    const good = aServiceRecord({ name: 'Feed service', taxonomyTermIds: [term('food')] });
    const [stored] = await (async () => {
      // Build the feed's JSON from a stored copy in a throwaway partnership, as another publisher would.
      const other = await insertPartnership(database.db);
      const { term: otherTerm } = await seedTestDirectory(database.db, other);
      const copy = { ...good, taxonomyTermIds: [otherTerm('food')] };
      await saveTestServices(database.db, other, [copy]);
      return loadEntries(database.db, other, [good.id]);
    })();
    const json = hsdsService(stored!);
    const inline = {
      ...json,
      id: randomUUID(),
      name: 'Inline term service',
      attributes: [
        {
          id: randomUUID(),
          taxonomy_term_id: randomUUID(),
          taxonomy_term: {
            name: 'Kinship care',
            code: 'kinship-care',
            taxonomy: 'Local needs',
            description: 'Grandparents and relatives bringing up children.',
          },
        },
      ],
      service_at_locations: [],
      schedules: [],
      contacts: [],
      cost_options: [],
    };
    const reversed = { ...json, id: randomUUID(), minimum_age: 10, maximum_age: 4, attributes: [] };
    const badSchedule = {
      ...json,
      id: randomUUID(),
      attributes: [],
      schedules: [{ id: randomUUID(), byday: 'MO', opens_at: '12:00', closes_at: '09:00' }],
    };
    const badPostcode = structuredClone({ ...json, id: randomUUID(), attributes: [] }) as Record<
      string,
      unknown
    >;
    (
      badPostcode.service_at_locations as { location: { addresses: { postal_code: string }[] } }[]
    )[0]!.location.addresses[0]!.postal_code = 'NOWHERE';
    const unknownTerm = {
      ...json,
      id: randomUUID(),
      attributes: [{ id: randomUUID(), taxonomy_term_id: randomUUID() }],
    };
    const feed = {
      total_items: 6,
      contents: [json, inline, reversed, badSchedule, badPostcode, unknownTerm],
    };

    const before = await count();
    const report = await importDirectory(database.db, ctx(), partnershipId, {
      name: 'feed.json',
      content: JSON.stringify(feed),
    });
    // The feed's food term is another partnership's id, but its code is ours: matched by code.
    expect(report.rejected).toEqual([
      { line: 2, field: 'maximum_age', message: 'must not be below the minimum age' },
      { line: 3, field: 'schedules[0].closes_at', message: 'must close after it opens' },
      {
        line: 4,
        field: 'service_at_locations[0].location.addresses[0].postal_code',
        message: 'must be a UK postcode, like NB4 7QT',
      },
      {
        line: 5,
        field: 'attributes[0].taxonomy_term_id',
        message: expect.stringMatching(/^unknown taxonomy term/),
      },
    ]);
    expect(report.loaded).toBe(2);
    expect(await count()).toBe(before + 2);
    const [loaded] = await loadEntries(database.db, partnershipId, [good.id]);
    expect(loaded!.taxonomyTermIds).toEqual([term('food')]);
    const [withInline] = await loadEntries(database.db, partnershipId, [inline.id]);
    expect(withInline!.terms[0]).toMatchObject({ code: 'kinship-care', taxonomy: { name: 'Local needs' } });

    // Rerun: nothing new, the created term is reused.
    const again = await importDirectory(database.db, ctx(), partnershipId, {
      name: 'feed.json',
      content: JSON.stringify(feed.contents),
    });
    expect(again.loaded).toBe(2);
    expect(await count()).toBe(before + 2);
  });

  it('exports JSON and CSV that import back unchanged, into a fresh area too', async () => {
    const rich = aServiceRecord({
      name: 'Many places',
      taxonomyTermIds: [term('sport'), term('arts')],
      accessRoutes: ['professional_referral'],
      languages: ['en', 'ar'],
      specialist: true,
      capacity: 'limited',
      waitWeeks: 3,
      free: false,
      feesDescription: '£3 a session',
      locations: [
        {
          id: randomUUID(),
          name: 'Hub A',
          addressLine1: '1 A St',
          city: 'Northbridge',
          postalCode: 'NB1 1AA',
        },
        {
          id: randomUUID(),
          name: 'Hub B',
          addressLine1: '2 B St',
          city: 'Northbridge',
          postalCode: 'NB4 7QT',
          latitude: 53.9,
          longitude: -1.5,
        },
      ],
      schedules: [
        {
          id: randomUUID(),
          byday: 'MO',
          opensAt: '09:00',
          closesAt: '10:00',
          validFrom: '2026-01-01',
          validTo: '2026-12-31',
        },
        {
          id: randomUUID(),
          freq: 'MONTHLY',
          byday: 'SA',
          opensAt: '10:00',
          closesAt: '12:00',
          description: 'First Saturday',
        },
        { id: randomUUID(), byday: 'FR', opensAt: '13:00', closesAt: '14:00' },
      ],
      costOptions: [{ id: randomUUID(), option: 'Session', amount: 3, amountDescription: 'per child' }],
      contacts: [
        { id: randomUUID(), name: 'Ana', title: 'Lead', email: 'ana@example.org', phone: '01632 960111' },
        { id: randomUUID(), name: 'Desk' },
      ],
    });
    await saveTestServices(database.db, partnershipId, [rich]);
    const before = await count();
    const comparable = async (pid: string) =>
      (await loadEntries(database.db, pid, [rich.id])).map((entry) => ({
        ...recordOf(entry),
        taxonomyTermIds: [],
        terms: entry.terms.map((t) => t.code).sort(),
      }))[0];
    const original = await comparable(partnershipId);

    for (const format of ['json', 'csv'] as const) {
      const content = await exportDirectory(database.db, partnershipId, format);
      const report = await importDirectory(database.db, ctx(), partnershipId, {
        name: `export.${format}`,
        content,
      });
      expect(report.rejected, format).toEqual([]);
      expect(report.loaded).toBe(before);
      expect(await count()).toBe(before);
      expect(await comparable(partnershipId), format).toEqual(original);
      // The same file again, but for the time of the change.
      const timeless = (text: string) => text.replace(/"last_modified": "[^"]+"/g, '');
      expect(timeless(await exportDirectory(database.db, partnershipId, format)), format).toBe(
        timeless(content),
      );

      // A fresh area with the same taxonomy codes (its own term ids) takes it whole as well.
      const fresh = await insertPartnership(database.db);
      await seedTestDirectory(database.db, fresh);
      const into = await importDirectory(database.db, buildCtx(buildSystemActor(fresh)), fresh, {
        name: `export.${format}`,
        content,
      });
      // A JSON feed carries its terms and their taxonomy, so the fresh area gains the term the earlier
      // feed added; a CSV names terms by code only, so that one service waits for the term to exist.
      expect(
        into.rejected.map((r) => `${r.field}: ${r.message.slice(0, 36)}`),
        format,
      ).toEqual(format === 'json' ? [] : ['taxonomy_term_codes: unknown taxonomy term "kinship-care"']);
      expect(await comparable(fresh), format).toEqual(original);
    }
  });

  it('loads postcode coordinates with outward-code centres from an ONS-style CSV', async () => {
    const csv = [
      'pcd,pcds,lat,long',
      'ZZ1 1AA,ZZ1 1AA,51.5,-0.1',
      'ZZ1 1AB,ZZ1 1AB,51.6,-0.2',
      'ZZ2 1AA,zz21aa,52,-1',
      'ZZ9 9ZZ,ZZ9 9ZZ,99.999999,0',
      'X,nonsense,50,0',
    ].join('\n');
    const report = await loadPlacesCsv(database.db, { name: 'onspd.csv', content: csv });
    expect(report).toEqual({
      postcodes: 3,
      outcodes: 2,
      rejected: [
        { line: 5, field: 'lat', message: 'must be a latitude and longitude in degrees' },
        { line: 6, field: 'pcds', message: 'must be a UK postcode' },
      ],
    });
    const places = await database.db
      .selectFrom('geoPlaces')
      .selectAll()
      .where('key', 'in', ['ZZ1', 'ZZ2 1AA'])
      .orderBy('key')
      .execute();
    expect(places[0]).toMatchObject({ key: 'ZZ1', kind: 'outcode' });
    expect(places[0]!.latitude).toBeCloseTo(51.55);
    expect(places[1]).toMatchObject({ key: 'ZZ2 1AA', kind: 'postcode', latitude: 52, longitude: -1 });
    await expect(loadPlacesCsv(database.db, { name: 'x.csv', content: 'a,b\n1,2' })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });
});
