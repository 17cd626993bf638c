import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCtx } from '../../../test/helpers/context.ts';
import { createTestApp, errorSummary, type TestApp, type TestUser } from '../../../test/helpers/web.ts';
import { parseCensusYear } from './interop.service.ts';

/**
 * One child referred by her school in June 2025 for a strategy discussion, put on a child protection
 * plan two weeks later (the plan's stage starts on the conference day), with a review conference in
 * September: the 2025 to 2026 census holds her; the 2024 to 2025 one is empty. TEST_NOW is 2 March 2026.
 */
describe('Children in need census pages', () => {
  let t: TestApp;
  let analyst: TestUser;
  let childId: string;

  beforeAll(async () => {
    t = await createTestApp();
    analyst = await t.createUser('ana.lyst@example.org', ['analyst']);
    const db = t.database.db;
    const p = t.partnershipId;
    const child = await db
      .insertInto('people')
      .values({
        partnershipId: p,
        kind: 'child',
        givenName: 'Ada',
        familyName: 'Okoro',
        dateOfBirth: '2015-03-10',
        sex: 'female',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    childId = child.id;
    const contact = await db
      .insertInto('contacts')
      .values({
        partnershipId: p,
        receivedAt: new Date('2025-06-02T09:00:00Z'),
        recordedAt: new Date('2025-06-02T09:00:00Z'),
        dueAt: new Date('2025-06-03T09:00:00Z'),
        channel: 'phone',
        source: '2A',
        personId: childId,
        childFamilyName: 'Okoro',
        worries: 'Bruises seen at school',
        familyAware: true,
        consent: 'given',
        urgency: 'today',
        sectorAnswers: '{}',
        status: 'decided',
        claimedBy: t.admin.id,
        claimedAt: new Date('2025-06-02T09:30:00Z'),
        decidedBy: t.admin.id,
        outcome: 'strategy_discussion',
        levelOfNeed: 'acute',
        decidedAt: new Date('2025-06-02T14:00:00Z'),
        finalAt: new Date('2025-06-02T14:00:00Z'),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const episode = await db
      .insertInto('episodes')
      .values({
        partnershipId: p,
        personId: childId,
        contactId: contact.id,
        kind: 'strategy_discussion',
        status: 'open',
        openedAt: new Date('2025-06-02T14:00:00Z'),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const audit = {
      createdAt: new Date('2025-06-16T12:00:00Z'),
      createdBy: t.admin.id,
      updatedAt: new Date('2025-06-16T12:00:00Z'),
      updatedBy: t.admin.id,
    };
    const plan = await db
      .insertInto('plans')
      .values({
        partnershipId: p,
        kind: 'child_protection',
        familyName: 'Okoro family',
        startedOn: '2025-06-16',
        leadProfessionalId: t.practitioner.id,
        episodeId: episode.id,
        nextReviewDue: '2025-09-16',
        ...audit,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('planChildren')
      .values({ partnershipId: p, planId: plan.id, personId: childId, addedOn: '2025-06-16' })
      .execute();
    await db
      .insertInto('planStages')
      .values({
        partnershipId: p,
        planId: plan.id,
        kind: 'child_protection',
        startedOn: '2025-06-16',
        reason: 'Initial conference',
        decidedBy: t.admin.id,
      })
      .execute();
    await db
      .insertInto('planReviews')
      .values({
        partnershipId: p,
        planId: plan.id,
        heldOn: '2025-09-15',
        kind: 'review_conference',
        attendance: '[]',
        decisions: 'Plan continues',
        recordedAt: new Date('2025-09-15T15:00:00Z'),
        recordedBy: t.practitioner.id,
      })
      .execute();
    await db
      .insertInto('censusChildCodes')
      .values({ partnershipId: p, personId: childId, ethnicity: 'WBRI', disabilities: ['NONE'] })
      .execute();
    await db
      .insertInto('censusEpisodeCodes')
      .values({
        partnershipId: p,
        episodeId: episode.id,
        primaryNeed: 'N1',
        initialCategoryOfAbuse: 'PHY',
        latestCategoryOfAbuse: 'PHY',
      })
      .execute();
  });
  afterAll(() => t.close());

  const lastEvent = () =>
    t.database.db
      .selectFrom('auditEvents')
      .selectAll()
      .where('partnershipId', '=', t.partnershipId)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();

  it('offers the last census year that has ended', async () => {
    const agent = t.agent();
    await agent.signIn(t.admin.email);
    const page = await agent.get('/returns/cin-census');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1 class="govuk-heading-l">Children in need census</h1>');
    expect(page.body).toContain('value="2025"');
    expect(page.body).toContain('The local authority number is not set');
    const home = await agent.get('/');
    expect(home.body).toContain('href="/returns/cin-census"');
  });

  it('builds and checks a year, lists what fails, and audits the run with the year, counts and children', async () => {
    const agent = t.agent();
    await agent.signIn(t.admin.email);
    const page = await agent.get('/returns/cin-census?year=2026');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Census 2025 to 2026');
    expect(page.body).toContain('This census year has not ended');
    const laChildId = childId.replace(/-/g, '').slice(0, 20);
    expect(page.body).toContain(laChildId);
    // A section 47 enquiry with no assessment recorded on the episode: a query, not an error.
    expect(page.body).toContain('2991Q');
    expect(page.body).not.toMatch(/\sstyle="/);
    const event = await lastEvent();
    expect(event).toMatchObject({
      action: 'returns.cin-census',
      outcome: 'success',
      subjectId: 'cin-census-2026',
      detail: { year: 2026, purpose: 'validate', children: 1, episodes: 1, errors: 0 },
    });
    expect(event.personIds).toEqual([childId]);
  });

  it('answers an empty year with an empty return', async () => {
    const agent = t.agent();
    await agent.signIn(t.admin.email);
    const page = await agent.get('/returns/cin-census?year=2025');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('the return is empty');
    expect(page.body).toContain('Every record passes every rule');
  });

  it.each([
    ['abcd', '#year Enter the census year as 4 digits, for example 2025'],
    ['', '#year Enter the census year, for example 2025'],
    ['2027', '#year The 2026 to 2027 census year starts on 1 April 2026, which is in the future'],
    ['1999', '#year The census year must be 2009 or later'],
  ])('refuses the year "%s" with a message on the field', async (year, message) => {
    const agent = t.agent();
    await agent.signIn(t.admin.email);
    const before = (await lastEvent()).seq;
    for (const url of ['/returns/cin-census', '/returns/cin-census.xml', '/returns/cin-census-errors.csv']) {
      const page = await agent.get(`${url}?year=${encodeURIComponent(year)}`);
      expect(page.statusCode).toBe(400);
      expect(errorSummary(page.body)).toEqual([message]);
    }
    // No child-level data left, so nothing was recorded as an export.
    const after = await lastEvent();
    expect(after.seq === before || after.action !== 'returns.cin-census').toBe(true);
  });

  it('needs the local authority number before the XML, then downloads the return and the failures', async () => {
    const agent = t.agent();
    await agent.signIn(t.admin.email);
    const refused = await agent.get('/returns/cin-census.xml?year=2026');
    expect(refused.statusCode).toBe(400);
    expect(errorSummary(refused.body)).toEqual([
      '#laCode Set the local authority number before downloading the return',
    ]);

    const wrong = await agent.post('/returns/settings', { laCode: '37' });
    expect(wrong.statusCode).toBe(400);
    expect(errorSummary(wrong.body)).toEqual([
      '#laCode Enter the local authority number as 3 digits, for example 370',
    ]);
    const saved = await agent.post('/returns/settings', { laCode: '370' });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe('/returns/cin-census');
    expect((await lastEvent()).action).toBe('returns.settings.update');

    const xml = await agent.get('/returns/cin-census.xml?year=2026');
    expect(xml.statusCode).toBe(200);
    expect(xml.headers['content-type']).toBe('application/xml; charset=utf-8');
    expect(xml.headers['content-disposition']).toBe('attachment; filename="cin-census-370-2026.xml"');
    const parsed = new XMLParser({ parseTagValue: false }).parse(xml.body) as {
      Message: {
        Header: { Source: { LEA: string } };
        Children: { Child: Record<string, Record<string, unknown>> };
      };
    };
    expect(parsed.Message.Header.Source.LEA).toBe('370');
    const c = parsed.Message.Children.Child;
    expect(c.ChildIdentifiers).toMatchObject({ PersonBirthDate: '2015-03-10', Sex: 'F' });
    expect(c.CINdetails).toMatchObject({
      CINreferralDate: '2025-06-02',
      ReferralSource: '2A',
      PrimaryNeedCode: 'N1',
      ReferralNFA: 'false',
      Section47: {
        S47ActualStartDate: '2025-06-02',
        DateOfInitialCPC: '2025-06-16',
        ICPCnotRequired: 'false',
      },
      ChildProtectionPlans: {
        CPPstartDate: '2025-06-16',
        InitialCategoryOfAbuse: 'PHY',
        LatestCategoryOfAbuse: 'PHY',
        NumberOfPreviousCPP: '0',
        Reviews: { CPPreviewDate: '2025-09-15' },
      },
    });
    expect((await lastEvent()).detail).toMatchObject({ year: 2026, purpose: 'xml' });

    const csv = await agent.get('/returns/cin-census-errors.csv?year=2026');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\n');
    expect(lines[0]).toBe('LA child id,Referral date,Rule,Kind,Message,Fields');
    expect(lines.some((l) => l.includes(',2025-06-02,2991Q,query,'))).toBe(true);
    expect((await lastEvent()).detail).toMatchObject({ year: 2026, purpose: 'errors-csv' });
  });

  it.each(['practitioner', 'analyst'])('refuses a %s, and audits the refusal', async (who) => {
    const agent = t.agent();
    await agent.signIn(who === 'analyst' ? analyst.email : t.practitioner.email);
    for (const url of [
      '/returns/cin-census?year=2026',
      '/returns/cin-census.xml?year=2026',
      '/returns/settings',
    ]) {
      const page = await agent.get(url);
      expect(page.statusCode).toBe(403);
    }
    expect(await lastEvent()).toMatchObject({ outcome: 'denied' });
    const home = await agent.get('/');
    expect(home.body).not.toContain('/returns/cin-census');
  });

  it('refuses the service to anyone without the permission', async () => {
    const ctx = buildCtx({
      userId: t.practitioner.id,
      partnershipId: t.partnershipId,
      organisationId: t.organisationId,
      roles: ['practitioner'],
      displayName: 'Pat Smith',
    });
    await expect(t.services.statutoryReturns.cinCensus(ctx, '2026', 'validate')).rejects.toThrow(
      /returns.export/,
    );
  });
});

describe('census year', () => {
  const now = new Date('2026-03-02T09:30:00Z');
  it.each([
    ['2026', 2026],
    [' 2025 ', 2025],
    [2009, 2009],
  ])('reads %j', (value, year) => expect(parseCensusYear(value, now)).toBe(year));
  it.each([undefined, null, '20x5', '2025.0', '12025', '2027', '2008', ['2025']])('refuses %j', (value) =>
    expect(() => parseCensusYear(value, now)).toThrow(),
  );
});
