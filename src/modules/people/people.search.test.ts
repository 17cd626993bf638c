import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_NOW } from '../../../test/helpers/context.ts';
import { createTrustApp, type TrustApp } from '../../../test/helpers/trust-app.ts';
import type { World, WorldUser } from '../../../test/helpers/trust-world.ts';
import { errorSummary } from '../../../test/helpers/web.ts';
import { PersonSearch } from './people.schemas.ts';
import { rankCandidates, readPostcode, readSearchIdentifier, type SearchCriteria } from './people.search.ts';

/** Person search: typo-tolerant names, identifiers, postcodes and dates, ranked with reasons, within the trust rules. */
describe('person search', () => {
  let t: TrustApp;
  let w: World;
  const ids: Record<string, string> = {};

  const search = (user: WorldUser, criteria: Partial<SearchCriteria> & { name?: string }) =>
    t.services.people.search(user.ctx(), { name: '', dateOfBirth: null, ...criteria });
  const names = (rows: { givenName: string | null; familyName: string }[]) =>
    rows.map((r) => `${r.givenName} ${r.familyName}`);

  beforeAll(async () => {
    t = await createTrustApp();
    w = t.world;
    const db = t.db;
    const p = w.partnershipId;
    const locality = (
      await db
        .insertInto('localities')
        .values({ partnershipId: p, code: 'north', name: 'Northgate' })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    const add = async (
      key: string,
      givenName: string,
      familyName: string,
      dateOfBirth: string,
      home?: { postcode: string; protectedAddress?: boolean },
    ) => {
      const id = (
        await db
          .insertInto('people')
          .values({
            partnershipId: p,
            kind: 'child',
            givenName,
            familyName,
            dateOfBirth,
            protectedAddress: home?.protectedAddress ?? false,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
      if (home) {
        const household = (
          await db
            .insertInto('households')
            .values({
              partnershipId: p,
              localityId: locality,
              addressLine1: `1 ${familyName} Road`,
              town: 'Northbridge',
              postcode: home.postcode,
            })
            .returning('id')
            .executeTakeFirstOrThrow()
        ).id;
        await db
          .insertInto('householdMembers')
          .values({ partnershipId: p, householdId: household, personId: id, startedOn: '2020-01-01' })
          .execute();
      }
      ids[key] = id;
      return id;
    };
    await add('johnSmith', 'John', 'Smith', '2015-03-10', { postcode: 'NB1 2AB' });
    await add('jonSmyth', 'Jon', 'Smyth', '2015-03-10');
    await add('joanSmith', 'Joan', 'Smith', '2012-01-01');
    await add('muhammad', 'Muhammad', 'Khan', '2014-07-07');
    await add('mohammed', 'Mohammed', 'Khan', '2014-07-09');
    await add('ellie', 'Ellie', 'Turner', '2016-06-15');
    await add('grace', 'Grace', 'Mbeki', '2016-02-02', { postcode: 'NB4 7QT' });
    await add('graceAway', 'Grace', 'Mbeki', '2016-02-02', { postcode: 'NB9 1AA' });
    await add('graceProtected', 'Grace', 'Okoro', '2016-02-02', {
      postcode: 'NB4 7QT',
      protectedAddress: true,
    });
    await add('lily', 'Lily', 'Evans', '2013-05-05');
    await add('benedict', 'Benedict', 'Cumberbatch', '2011-11-11');
    const sealed = await add('sealedSmith', 'John', 'Smith', '2015-03-10');
    await db
      .updateTable('people')
      .set({ sealedAt: TEST_NOW, sealedReason: 'Placed for adoption' })
      .where('id', '=', sealed)
      .execute();
    await db
      .insertInto('sealedRecordUsers')
      .values({ partnershipId: p, personId: sealed, userId: w.users.socialWorker.id })
      .execute();

    // Agencies' records with identifiers: Lily's GP record (confirmed), the sealed child's, and an
    // unlinked one.
    const source = (
      await db
        .insertInto('recordSources')
        .values({
          partnershipId: p,
          code: 'gp-registrations',
          name: 'GP registrations',
          kind: 'gp_registrations',
          organisationId: w.orgs.gp,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    const record = async (
      localId: string,
      nhs: string,
      postcode: string,
      personId: string | null,
      ended = false,
    ) => {
      const id = (
        await db
          .insertInto('sourceRecords')
          .values({
            partnershipId: p,
            sourceId: source,
            localId,
            contentSha256: localId.padEnd(64, '0'),
            received: JSON.stringify({ columns: ['id'], values: [localId] }),
            fields: JSON.stringify({ identifiers: [['nhs', nhs]], postcode }),
            receivedAt: TEST_NOW,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
      await db
        .insertInto('sourceRecordIdentifiers')
        .values({ partnershipId: p, system: 'nhs', value: nhs, sourceRecordId: id })
        .execute();
      if (personId)
        await db
          .insertInto('recordLinks')
          .values({
            partnershipId: p,
            sourceRecordId: id,
            personId,
            status: 'confirmed',
            ...(ended ? { endedAt: TEST_NOW, endReason: 'Not the same person' } : {}),
          })
          .execute();
    };
    await record('gp-1', '9434765919', 'NB3 5XY', ids.lily!);
    await record('gp-2', '9434765870', 'NB1 2AB', sealed);
    await record('gp-3', '4010232137', 'NB1 2AB', ids.joanSmith!, true);
    await record('gp-4', '4010232145', 'NB5 1ZZ', ids.joanSmith!);
  });
  afterAll(() => t.close());

  it('forgives typos in both names', async () => {
    const found = await search(w.users.uninvolved, { name: 'Jonh Smtih' });
    expect(found.rows[0]).toMatchObject({
      id: ids.johnSmith,
      reason: 'Surname with two letters swapped, given name with two letters swapped',
    });
  });

  it('reads the names in either order', async () => {
    const found = await search(w.users.uninvolved, { name: 'smith john' });
    expect(found.rows[0]).toMatchObject({ id: ids.johnSmith, reason: 'Name matches' });
    expect(names(found.rows)).toContain('Jon Smyth');
  });

  it('finds names that sound alike', async () => {
    const found = await search(w.users.uninvolved, { name: 'Mohammed Khan' });
    expect(found.rows.slice(0, 2).map((r) => [r.givenName, r.reason])).toEqual([
      ['Mohammed', 'Name matches'],
      ['Muhammad', 'Surname matches, given name sounds the same'],
    ]);
  });

  it('ranks by how much matches, and says why', async () => {
    const found = await search(w.users.uninvolved, { name: 'John Smith', dateOfBirth: '2015-03-10' });
    expect(found.rows.map((r) => [r.id, r.reason])).toEqual([
      [ids.johnSmith, 'Name matches, born the same day'],
      [ids.jonSmyth, 'Surname one letter different, given name one letter different, born the same day'],
    ]);
    expect(found.total).toBe(2);
  });

  it('finds a child by NHS number through a current link from an agency’s record, in any spacing', async () => {
    const found = await search(w.users.uninvolved, { identifier: { systems: ['nhs'], value: '9434765919' } });
    expect(found.rows.map((r) => [r.id, r.reason])).toEqual([[ids.lily, 'NHS number matches']]);
    const named = await search(w.users.uninvolved, {
      name: 'Lily Evans',
      identifier: readIdentifier('943 476 5919'),
    });
    expect(named.rows[0]).toMatchObject({ id: ids.lily, reason: 'NHS number matches, name matches' });
    // An ended link finds no one; an unlinked number neither.
    expect((await search(w.users.uninvolved, { identifier: readIdentifier('4010232137') })).rows).toEqual([]);
    expect(
      (await search(w.users.uninvolved, { identifier: readIdentifier('4010232145') })).rows.map((r) => r.id),
    ).toEqual([ids.joanSmith]);
  });

  it('refuses an identifier whose check digit is wrong, naming the field', async () => {
    const agent = await as(w.users.uninvolved);
    const page = await agent.get('/people?identifier=943+476+5918');
    expect(page.statusCode).toBe(400);
    expect(errorSummary(page.body)).toEqual([
      '#identifier This is not a real NHS number: the last digit does not match the other 9. Check it was copied correctly',
    ]);
    const upn = await agent.get('/people?name=Lily&identifier=C801200005001');
    expect(upn.statusCode).toBe(400);
    expect(errorSummary(upn.body)[0]).toMatch(/^#identifier This is not a real UPN/);
  });

  it('asks for a name or an identifier, and a postcode it can read, every mistake at once', async () => {
    const agent = await as(w.users.uninvolved);
    const page = await agent.get('/people?postcode=NB&dobWindow=year');
    expect(page.statusCode).toBe(400);
    expect(errorSummary(page.body)).toEqual([
      '#name Enter a name, or an NHS number, UPN or CHI number',
      '#dob-day Enter the date of birth to search within a year of it',
      '#postcode Enter a full postcode, like NB1 2AB, or its first half, like NB1',
    ]);
  });

  it('finds someone at the postcode whose name is misspelt beyond its sound, and ranks the postcode', async () => {
    const found = await search(w.users.uninvolved, {
      name: 'Grace Mbekki',
      postcode: readPostcode('nb47qt'),
    });
    expect(found.rows.map((r) => [r.id, r.reason])).toEqual([
      [ids.grace, 'Surname one letter different, given name matches, lives at the postcode'],
      [ids.graceAway, 'Surname one letter different, given name matches'],
    ]);
    // A protected address is never matched by postcode.
    const protectedHome = await search(w.users.uninvolved, {
      name: 'Grace',
      postcode: readPostcode('NB4 7QT'),
    });
    expect(protectedHome.rows.find((r) => r.id === ids.graceProtected)).toMatchObject({
      reason: 'Given name matches',
    });
    const district = await search(w.users.uninvolved, { name: 'Grace', postcode: readPostcode('NB9') });
    expect(district.rows[0]).toMatchObject({
      id: ids.graceAway,
      reason: 'Given name matches, lives in the postcode district',
    });
    const onRecord = await search(w.users.uninvolved, { name: 'Joan', postcode: readPostcode('NB5 1ZZ') });
    expect(onRecord.rows[0]).toMatchObject({
      id: ids.joanSmith,
      reason: 'Given name matches, postcode on an agency’s record',
    });
  });

  it('searches a year either side of the date of birth when asked to', async () => {
    const exact = await search(w.users.uninvolved, { name: 'Ellie Turner', dateOfBirth: '2016-06-01' });
    expect(exact.rows).toEqual([]);
    const window = await search(w.users.uninvolved, {
      name: 'Ellie Turner',
      dateOfBirth: '2016-06-01',
      dobWithinYear: true,
    });
    expect(window.rows.map((r) => [r.id, r.reason])).toEqual([
      [ids.ellie, 'Name matches, born 14 days apart'],
    ]);
  });

  it('falls back to a bounded trigram scan only when no blocking key finds anyone', async () => {
    const found = await search(w.users.uninvolved, { name: 'Venedict Vumberbatch' });
    expect(found.rows.map((r) => r.id)).toEqual([ids.benedict]);
    const event = await lastEvent();
    expect(event).toMatchObject({ action: 'person.search', personIds: [ids.benedict] });
    expect(event.detail).toMatchObject({ fallback: true, shown: 1, total: 1 });
    const surname = await search(w.users.uninvolved, { name: 'Tunrer' });
    expect(surname.rows.map((r) => [r.id, r.reason])).toEqual([
      [ids.ellie, 'Surname with two letters swapped'],
    ]);
    expect((await lastEvent()).detail).toMatchObject({ fallback: true });
    await search(w.users.uninvolved, { name: 'Benedict' });
    expect((await lastEvent()).detail).toMatchObject({ fallback: false });
  });

  it('never shows a sealed record to anyone not named on it, by name, identifier or postcode', async () => {
    for (const criteria of [
      { name: 'John Smith' },
      { identifier: readIdentifier('9434765870') },
      { name: 'John', postcode: readPostcode('NB1 2AB') },
    ]) {
      const hidden = await search(w.users.uninvolved, criteria);
      expect(hidden.rows.map((r) => r.id)).not.toContain(ids.sealedSmith);
      const named = await search(w.users.socialWorker, criteria);
      expect(named.rows.map((r) => r.id)).toContain(ids.sealedSmith);
    }
    const agent = await as(w.users.uninvolved);
    const page = await agent.get('/people?identifier=9434765870');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('0 people found');
  });

  it('shows a child the searcher is not involved with only by name, date of birth and locality, marked', async () => {
    const found = await search(w.users.uninvolved, { name: 'John Smith', postcode: readPostcode('NB1 2AB') });
    const row = found.rows.find((r) => r.id === ids.johnSmith)!;
    expect(Object.keys(row).sort()).toEqual(
      [
        'dateOfBirth',
        'expectedDate',
        'familyName',
        'givenName',
        'id',
        'involved',
        'kind',
        'localityName',
        'reason',
      ].sort(),
    );
    expect(row).toMatchObject({ involved: false, localityName: 'Northgate' });
    const page = await (await as(w.users.uninvolved)).get('/people?name=Jonh+Smtih');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Not involved');
    expect(page.body).not.toContain('Smith Road');
    const mine = await search(w.users.socialWorker, { name: 'Maya Okafor' });
    expect(mine.rows[0]).toMatchObject({ id: w.child, involved: true, reason: 'Name matches' });
  });

  it('serves the privacy officer’s search for subject access requests with the same form', async () => {
    const page = await (
      await as(w.users.privacyOfficer)
    ).get('/privacy/people?name=Jonh+Smtih&dob-day=10&dob-month=3&dob-year=2015');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`/privacy/people/${ids.johnSmith}`);
    expect(page.body).not.toContain(ids.sealedSmith);
    expect(page.body).toContain('born the same day');
  });

  it('audits every search with the people shown and what was asked', async () => {
    const found = await search(w.users.uninvolved, { name: 'Khan' });
    const event = await lastEvent();
    expect(event).toMatchObject({ action: 'person.search', outcome: 'success' });
    expect([...event.personIds].sort()).toEqual(found.rows.map((r) => r.id).sort());
    expect(event.detail).toMatchObject({ criteria: { name: 'Khan' }, shown: 2, total: 2 });
  });

  const as = (user: WorldUser) => t.signedIn(user.email);
  const lastEvent = () =>
    t.database.db
      .selectFrom('auditEvents')
      .selectAll()
      .where('partnershipId', '=', w.partnershipId)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
});

function readIdentifier(raw: string) {
  const read = readSearchIdentifier(raw);
  if (!read.ok) throw new Error(read.reason);
  return { systems: read.systems, value: read.value };
}

describe('reading a search', () => {
  it('tells the three identifiers apart by their shape', () => {
    expect(readSearchIdentifier('943 476 5919')).toEqual({ ok: true, systems: ['nhs'], value: '9434765919' });
    expect(readSearchIdentifier('943-476-5918')).toMatchObject({ ok: false });
    expect(readSearchIdentifier('0101011234').ok).toBe(false);
    expect(readSearchIdentifier('hello')).toMatchObject({ ok: false });
  });

  it('reads a full postcode or its outward code, in any spacing or case', () => {
    expect(readPostcode('nb4 7qt')).toEqual({ full: 'NB47QT', outward: 'NB4' });
    expect(readPostcode('NB10')).toEqual({ full: null, outward: 'NB10' });
    expect(readPostcode('not a postcode')).toBeNull();
  });

  it('parses the form, with every field optional but a name or an identifier', () => {
    const parsed = PersonSearch.parse({
      name: ' Jonh  Smtih ',
      'dob-day': '10',
      'dob-month': '3',
      'dob-year': '2015',
      dobWindow: 'year',
      identifier: '943 476 5919',
      postcode: 'nb1 2ab',
    });
    expect(parsed).toEqual({
      name: 'Jonh  Smtih',
      dateOfBirth: '2015-03-10',
      dobWithinYear: true,
      identifier: { systems: ['nhs'], value: '9434765919' },
      postcode: { full: 'NB12AB', outward: 'NB1' },
    });
  });

  it('ranks an identifier above a name, and a closer name above a looser one', () => {
    const base = {
      kind: 'child',
      dateOfBirth: '2015-03-10',
      expectedDate: null,
      localityName: null,
      familyCodes: ['SM0', 'XMT'],
      givenCodes: ['JN', 'AN'],
      householdPostcode: null,
      recordPostcodes: [],
      identifierSystem: null,
      byTrigrams: false,
    };
    const ranked = rankCandidates(
      { name: 'john smith', dateOfBirth: null },
      new Map([
        ['john', ['JN']],
        ['smith', ['SM0', 'XMT']],
      ]),
      [
        {
          ...base,
          id: 'c',
          givenName: 'Johnny',
          familyName: 'Smithers',
          familyCodes: ['SM0R', 'XMTR'],
          givenCodes: ['JN'],
        },
        { ...base, id: 'b', givenName: 'John', familyName: 'Smith' },
        {
          ...base,
          id: 'a',
          givenName: 'Ann',
          familyName: 'Jones',
          familyCodes: ['JNS', 'ANS'],
          givenCodes: ['AN'],
          identifierSystem: 'nhs' as const,
        },
      ],
    );
    expect(ranked.map((r) => [r.id, r.reason])).toEqual([
      ['a', 'NHS number matches, name differs'],
      ['b', 'Name matches'],
      ['c', 'Surname starts the same, given name sounds the same'],
    ]);
  });
});
