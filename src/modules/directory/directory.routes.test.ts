import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Agent, type TestApp } from '../../../test/helpers/web.ts';
import { aServiceRecord, saveTestServices, seedTestDirectory } from '../../../test/helpers/directory.ts';
import type { ServiceRecord } from './directory.schemas.ts';

/** The names of the results on a search page, in the order shown. */
const names = (html: string) =>
  [...html.matchAll(/<h3 class="govuk-heading-s app-result__name"><a [^>]*>([^<]+)<\/a>/g)].map((m) => m[1]);
/** The fields the error summary links to. */
const summaryLinks = (html: string) =>
  [
    ...(/govuk-error-summary__list">([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? '').matchAll(
      /href="#([^"]+)">([^<]+)</g,
    ),
  ].map((m) => [m[1], m[2]!.trim()]);

describe('the public directory pages', () => {
  let t: TestApp;
  let anonymous: Agent;
  let slug: string;
  let base: string;
  let group: ServiceRecord;
  let counselling: ServiceRecord;
  let helpline: ServiceRecord;
  let faraway: ServiceRecord;

  beforeAll(async () => {
    t = await createTestApp();
    anonymous = t.agent();
    ({ slug } = await t.database.db
      .selectFrom('partnerships')
      .select('slug')
      .where('id', '=', t.partnershipId)
      .executeTakeFirstOrThrow());
    base = `/areas/${slug}/services`;
    const { term } = await seedTestDirectory(t.database.db, t.partnershipId);
    group = aServiceRecord({
      name: 'Stay and play',
      taxonomyTermIds: [term('parenting')],
      schedules: [
        { id: randomUUID(), byday: 'TU,TH', opensAt: '10:00', closesAt: '11:30' },
        // Ended before the test clock's today: never shown.
        { id: randomUUID(), byday: 'SA', opensAt: '09:00', closesAt: '10:00', validTo: '2025-12-31' },
      ],
    });
    counselling = aServiceRecord({
      name: 'Teen counselling',
      description: 'Talk to a counsellor about anxiety, low mood or anything else. Sessions last an hour.',
      organization: { id: randomUUID(), name: 'Northbridge Mind', url: 'javascript:alert(1)' },
      minimumAge: 11,
      maximumAge: 18,
      free: false,
      feesDescription: 'Pay what you can.',
      costOptions: [
        { id: randomUUID(), option: 'Per session', amount: 5, amountDescription: 'Waived if you cannot pay' },
      ],
      accessRoutes: ['self_referral'],
      languages: ['en', 'pl'],
      specialist: true,
      capacity: 'limited',
      waitWeeks: 3,
      url: 'https://mind.example.org/teens',
      eligibilityDescription: 'Young people who live or go to school in Northbridge.',
      taxonomyTermIds: [term('mental-health')],
      locations: [
        {
          id: randomUUID(),
          name: 'Youth centre',
          addressLine1: '4 Mill Lane',
          city: 'Northbridge',
          postalCode: 'NB4 7QT',
        },
      ],
      schedules: [
        {
          id: randomUUID(),
          byday: 'WE',
          opensAt: '16:00',
          closesAt: '19:00',
          validFrom: '2026-01-05',
          validTo: '2026-12-16',
        },
      ],
      contacts: [
        {
          id: randomUUID(),
          name: 'Sam Lee',
          title: 'Counsellor',
          email: 'sam.lee@mind.example.org',
          phone: '01632 960111',
        },
      ],
    });
    helpline = aServiceRecord({
      name: 'Family helpline',
      minimumAge: null,
      maximumAge: null,
      accessRoutes: ['professional_referral'],
      taxonomyTermIds: [term('separation')],
      locations: [],
      schedules: [],
      contacts: [{ id: randomUUID(), name: 'Helpline', phone: '0800 000 0000' }],
    });
    faraway = aServiceRecord({
      name: 'Coast toddler group',
      taxonomyTermIds: [term('parenting')],
      locations: [
        {
          id: randomUUID(),
          name: 'Beach hut',
          addressLine1: '1 Sea Road',
          city: 'Farport',
          postalCode: 'NB9 9ZZ',
        },
      ],
    });
    await saveTestServices(t.database.db, t.partnershipId, [group, counselling, helpline, faraway]);
  }, 60_000);
  afterAll(() => t.close());

  const search = (query: string) => anonymous.get(`${base}?${query}`);

  it('shows the search form and every service to someone not signed in', async () => {
    const page = await anonymous.get(base);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Find services for families');
    expect(page.body).toContain('Test Partnership');
    expect(page.body).toContain('<optgroup label="Family life and parenting">');
    expect(page.body).toContain('<option value="parenting">Parenting support</option>');
    expect(page.body).toContain('inputmode="numeric"');
    expect(page.body).toMatch(/<details class="govuk-details[^"]*"\s*>/);
    expect(page.body).toContain('4 services found');
    expect(names(page.body).sort()).toEqual(
      ['Coast toddler group', 'Family helpline', 'Stay and play', 'Teen counselling'].sort(),
    );
  });

  it('describes each result in words: whom, when, where, how to get in, cost, places and contact', async () => {
    const page = await search('q=counselling');
    expect(names(page.body)).toEqual(['Teen counselling']);
    const html = page.body;
    expect(html).toContain('Northbridge Mind · Specialist');
    expect(html).toContain('Talk to a counsellor about anxiety, low mood or anything else.');
    expect(html).not.toContain('Sessions last an hour');
    expect(html).toContain('Ages 11 to 18');
    expect(html).toContain('Wednesdays, 4pm to 7pm');
    expect(html).toContain('Youth centre, 4 Mill Lane, Northbridge, NB4\u00a07QT');
    expect(html).toContain('Contact them yourself');
    expect(html).toContain('There is a charge');
    expect(html).toContain('Few places left · usually 3 weeks wait');
    expect(html).toContain('href="tel:01632960111"');
    expect(html).toContain('href="mailto:sam.lee@mind.example.org"');

    const stay = (await search('q=play')).body;
    expect(stay).toContain('Tuesdays and Thursdays, 10am to 11:30am');
    expect(stay).not.toContain('Saturdays');
    const online = (await search('q=helpline')).body;
    expect(online).toContain('Online or by phone');
    expect(online).toContain('All ages');
  });

  it('filters by need (with the needs under it), age, cost, way in, language and kind', async () => {
    expect(names((await search('need=parenting')).body).sort()).toEqual([
      'Coast toddler group',
      'Stay and play',
    ]);
    expect(names((await search('need=family-life')).body).sort()).toEqual([
      'Coast toddler group',
      'Family helpline',
      'Stay and play',
    ]);
    expect(names((await search('age=15')).body).sort()).toEqual(['Family helpline', 'Teen counselling']);
    expect(names((await search('cost=paid')).body)).toEqual(['Teen counselling']);
    expect(names((await search('cost=free&age=3')).body).sort()).toEqual([
      'Coast toddler group',
      'Family helpline',
      'Stay and play',
    ]);
    expect(names((await search('access=professional_referral')).body)).toEqual(['Family helpline']);
    expect(names((await search('language=pl')).body)).toEqual(['Teen counselling']);
    expect(names((await search('kind=specialist')).body)).toEqual(['Teen counselling']);
    expect(names((await search('kind=mainstream&need=health')).body)).toEqual([]);
    const none = await search('kind=mainstream&need=health');
    expect(none.statusCode).toBe(200);
    expect(none.body).toContain('0 services found');
    expect(none.body).toContain('a wider distance');
  });

  it('keeps the filters chosen, and opens "More filters" when one of them is set', async () => {
    const page = await search('need=parenting&age=3&near=NB1+1AA&within=10&cost=free&language=pl');
    expect(page.body).toContain('<option value="parenting" selected>');
    expect(page.body).toMatch(/id="age" name="age" type="text"[^>]*value="3"/);
    expect(page.body).toMatch(/value="NB1 1AA"/);
    expect(page.body).toMatch(/<option value="10" selected>/);
    expect(page.body).toMatch(/<option value="pl" selected>/);
    expect(page.body).toMatch(/<details class="govuk-details[^"]*" open>/);
  });

  it('lists the nearest first, with distances, and services with no place after them', async () => {
    const page = await search('near=nb11aa&within=5');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('3 services found near NB1 1AA');
    expect(names(page.body)).toEqual(['Stay and play', 'Teen counselling', 'Family helpline']);
    expect(page.body).toContain('Less than 0.1 miles away');
    expect(page.body).toMatch(
      /NB4\u00a07QT<br><strong class="app-facts__distance">3\.\d miles away<\/strong>/,
    );
    const wider = await search('near=NB1+1AA&within=25');
    expect(names(wider.body)).toEqual([
      'Stay and play',
      'Teen counselling',
      'Coast toddler group',
      'Family helpline',
    ]);
    expect(wider.body).toMatch(/>2\d\.\d miles away</);
  });

  it('pages through the results with links that keep the search', async () => {
    const first = await search('perPage=2&cost=free');
    expect(first.body).toContain('3 services found');
    expect(first.body).toContain('govuk-pagination');
    expect(first.body).toContain(`href="${base}?cost=free&amp;page=2&amp;perPage=2"`);
    expect(names(first.body)).toHaveLength(2);
    const second = await search('perPage=2&cost=free&page=2');
    expect(names(second.body)).toHaveLength(1);
    expect(second.body).toContain('<ol class="app-results" start="3">');
    const past = await search('perPage=2&cost=free&page=9');
    expect(past.statusCode).toBe(200);
    expect(past.body).toContain('There are no more results');
  });

  it.each([
    ['need=no-such-need', 'need', 'Select a need from the list'],
    ['age=-1', 'age', 'Enter an age of 0 or more'],
    ['age=ten', 'age', 'Enter an age in whole years, like 7'],
    ['age=2.5', 'age', 'Enter an age in whole years, like 7'],
    ['near=NB4+7Q', 'near', 'Enter a real postcode, like NB4 7QT, or a place name'],
    ['near=Atlantis', 'near', 'We do not know where Atlantis is: enter a postcode or town in the area'],
    ['within=3', 'within', 'Select a distance from the list'],
    ['cost=cheap', 'cost', 'Select free or paid'],
    ['access=teleport', 'access', 'Select how you want to get in'],
    ['language=xx', 'language', 'Select a language from the list'],
    ['kind=odd', 'kind', 'Select mainstream or specialist'],
    ['page=0', 'search-button', 'Page must be 1 or more'],
  ])('refuses %s with a 400 naming the field', async (query, field, message) => {
    const page = await search(query);
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('There is a problem');
    expect(summaryLinks(page.body)).toEqual([[field, message]]);
    expect(page.body).toContain('Check your search');
    expect(names(page.body)).toEqual([]);
  });

  it('keeps what the person typed when it is wrong, and lists several mistakes in page order', async () => {
    const page = await search('kind=odd&near=NB4+7Q&age=ten');
    expect(page.statusCode).toBe(400);
    expect(summaryLinks(page.body).map(([f]) => f)).toEqual(['age', 'near', 'kind']);
    const unknownNeed = await search('need=nope&age=-3');
    expect(summaryLinks(unknownNeed.body).map(([f]) => f)).toEqual(['need', 'age']);
    expect(page.body).toMatch(/id="age" name="age" type="text"[^>]*value="ten"/);
    expect(page.body).toContain('value="NB4 7Q"');
    // A wrong postcode alone: the field is marked and keeps its text.
    const postcode = await search('near=NB4+7Q&need=parenting');
    expect(postcode.body).toContain('id="near-error"');
    expect(postcode.body).toContain('value="NB4 7Q"');
    expect(postcode.body).toContain('<option value="parenting" selected>');
    // Repeated fields count once, never a 500.
    expect((await search('age=3&age=4')).statusCode).toBe(200);
  });

  it('answers 404 for an area that does not exist', async () => {
    expect((await anonymous.get('/areas/no-such-area/services')).statusCode).toBe(404);
    expect((await anonymous.get(`/areas/no-such-area/services/${group.id}`)).statusCode).toBe(404);
  });

  it('shows a whole entry in plain English, with a way back to the search', async () => {
    const results = await search('need=mental-health&age=15');
    const href = /href="([^"]+)">Teen counselling</.exec(results.body)![1]!.replaceAll('&amp;', '&');
    expect(href).toBe(`${base}/${counselling.id}?back=need%3Dmental-health%26age%3D15`);
    const page = await anonymous.get(href);
    expect(page.statusCode).toBe(200);
    const html = page.body;
    expect(html).toContain('<h1 class="govuk-heading-l">Teen counselling</h1>');
    expect(html).toContain(`href="${base}?need=mental-health&amp;age=15"`);
    expect(html).toContain('Back to results');
    expect(html).toContain('Sessions last an hour.');
    expect(html).toContain('Ages 11 to 18. A specialist service');
    expect(html).toContain('Young people who live or go to school in Northbridge.');
    expect(html).toContain('Wednesdays, 4pm to 7pm');
    expect(html).toContain('From 5 January 2026 to 16 December 2026');
    expect(html).toContain('4 Mill Lane<br>Northbridge<br>NB4 7QT');
    expect(html).toContain('Per session: £5 (Waived if you cannot pay)');
    expect(html).toContain('Pay what you can.');
    expect(html).toContain('English and Polish');
    expect(html).toContain('Few places left · usually 3 weeks wait');
    expect(html).toContain('Sam Lee</strong>, Counsellor');
    expect(html).toContain('href="https://mind.example.org/teens"');
    expect(html).toContain('Emotional wellbeing and mental health');
    expect(html).toContain('Last checked 1 October 2026');
    expect(html).toContain('About Northbridge Mind');
    // An address that is not a web page is shown, never linked.
    expect(html).not.toContain('href="javascript:');
  });

  it('rebuilds the way back from the search fields only, so it can only lead to the search', async () => {
    const page = await anonymous.get(
      `${base}/${group.id}?back=${encodeURIComponent('need=parenting&next=//evil.example&q=<b>')}`,
    );
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`href="${base}?need=parenting&amp;q=%3Cb%3E"`);
    expect(page.body).not.toContain('evil.example');
    const plain = await anonymous.get(`${base}/${group.id}?back=//evil.example`);
    expect(plain.body).toContain(`href="${base}"`);
    expect(plain.body).toContain('Search for services');
    expect(plain.body).toContain('Tuesdays and Thursdays, 10am to 11:30am');
    expect(plain.body).not.toContain('Saturdays');
  });

  it('says when a service has no place or times, and how a professional referral works', async () => {
    const page = await anonymous.get(`${base}/${helpline.id}`);
    expect(page.body).toContain('Online or by phone');
    expect(page.body).toContain('Contact them to find out when');
    expect(page.body).toContain('A professional, such as a health visitor');
    expect(page.body).toContain('href="tel:08000000000"');
  });

  it('answers 404 for a service that does not exist, or belongs to another area', async () => {
    expect((await anonymous.get(`${base}/${randomUUID()}`)).statusCode).toBe(404);
    expect((await anonymous.get(`${base}/not-a-uuid`)).statusCode).toBe(404);
  });
});
