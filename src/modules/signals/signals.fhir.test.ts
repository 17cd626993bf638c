import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCtx, buildSystemActor } from '../../../test/helpers/context.ts';
import {
  insertHospital,
  insertPlan,
  linkNhsNumber,
  testNhsNumber,
} from '../../../test/helpers/flag-fixtures.ts';
import { createTrustApp, type TrustApp } from '../../../test/helpers/trust-app.ts';
import { fhirFlag, NHS_NUMBER_SYSTEM, type FhirBundle, type OperationOutcome } from './signals.fhir.ts';
import { seedSignalSettings } from './signals.settings.ts';

const CONTACTS = {
  councilName: 'Northbridge Council',
  officeHoursPhone: '0300 123 4567',
  outOfHoursPhone: '0300 123 9999',
};

describe('a flag as a FHIR Flag', () => {
  it('is inactive once ended, with the period’s end, the council as author and the numbers to call', () => {
    const flag = fhirFlag(
      { type: 'looked_after', startedOn: '2025-01-02', endedOn: '2025-09-01', active: false },
      CONTACTS,
      '9434765919',
    );
    expect(flag).toMatchObject({
      resourceType: 'Flag',
      status: 'inactive',
      category: [{ coding: [{ code: 'safety' }] }],
      code: { text: 'Looked after child' },
      subject: { identifier: { system: NHS_NUMBER_SYSTEM, value: '9434765919' } },
      period: { start: '2025-01-02', end: '2025-09-01' },
      author: { type: 'Organization', display: 'Northbridge Council' },
    });
    expect(flag.extension.map((e) => e.valueContactPoint?.value)).toEqual(['0300 123 4567', '0300 123 9999']);
    expect(flag.text.div).toContain('Call Northbridge Council: office hours 0300 123 4567');
  });
});

/** GET /fhir/Flag through the real app, called as another system calls it: with an API token. */
describe('GET /fhir/Flag', () => {
  let t: TrustApp;
  let clinicianToken: string;
  let practitionerToken: string;
  const flagged = testNhsNumber(1);

  beforeAll(async () => {
    t = await createTrustApp();
    const w = t.world;
    await seedSignalSettings(t.db, w.partnershipId);
    const hospital = await insertHospital(t.db, w.partnershipId);
    const ed = await t.addUser('ed.system@world.example', hospital, ['unscheduled_care']);
    await insertPlan(t.db, {
      partnershipId: w.partnershipId,
      leadId: w.users.socialWorker.id,
      childIds: [w.child],
      stages: [{ kind: 'child_protection', startedOn: '2026-01-05' }],
    });
    await linkNhsNumber(t.db, w.partnershipId, w.orgs.gp, w.child, flagged);
    const system = buildCtx(buildSystemActor(w.partnershipId));
    const issue = async (userId: string) =>
      (await t.services.apiTokens.issue(system, userId, { name: 'ED system' })).token;
    clinicianToken = await issue(ed.id);
    practitionerToken = await issue(w.users.socialWorker.id);
  });
  afterAll(() => t.close());

  const search = (value: string | undefined, token = clinicianToken) =>
    t.app.inject({
      method: 'GET',
      url: value === undefined ? '/fhir/Flag' : `/fhir/Flag?patient:identifier=${encodeURIComponent(value)}`,
      headers: { authorization: `Bearer ${token}`, accept: 'application/fhir+json' },
    });

  it('answers a searchset Bundle of Flags, and keeps, audits and notifies the check', async () => {
    const response = await search(`${NHS_NUMBER_SYSTEM}|${flagged}`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/fhir+json; charset=utf-8');
    const bundle = response.json<FhirBundle>();
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 1 });
    expect(bundle.entry).toHaveLength(1);
    expect(bundle.entry[0]!.fullUrl).toMatch(/^urn:uuid:/);
    expect(bundle.entry[0]!.search).toEqual({ mode: 'match' });
    expect(bundle.entry[0]!.resource).toMatchObject({
      resourceType: 'Flag',
      status: 'active',
      code: { text: 'Child protection plan' },
      subject: { identifier: { system: NHS_NUMBER_SYSTEM, value: flagged } },
      period: { start: '2026-01-05' },
      author: { display: 'Northbridge Council' },
    });
    expect(JSON.stringify(bundle)).not.toContain('Okafor');

    const kept = await t.db.selectFrom('flagChecks').selectAll().executeTakeFirstOrThrow();
    expect(kept).toMatchObject({
      personId: t.world.child,
      method: 'fhir',
      setting: 'unscheduled',
      notifiedUserId: t.world.users.socialWorker.id,
    });
    const event = await t.db
      .selectFrom('auditEvents')
      .selectAll()
      .where('action', '=', 'flag.check')
      .executeTakeFirstOrThrow();
    expect(event).toMatchObject({ subjectId: t.world.child, basis: { kind: 'flag_check', method: 'fhir' } });
    const notified = await t.db.selectFrom('notifications').select('userId').execute();
    expect(notified).toEqual([{ userId: t.world.users.socialWorker.id }]);
  });

  it('answers an empty Bundle for a number with no flag', async () => {
    const response = await search(`${NHS_NUMBER_SYSTEM}|${testNhsNumber(2)}`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ resourceType: 'Bundle', type: 'searchset', total: 0, entry: [] });
  });

  it.each([
    ['no search parameter', undefined, 'Search by patient:identifier='],
    [
      'another identifier system',
      `https://fhir.nhs.uk/Id/ods-code|${flagged}`,
      'The identifier’s system must be',
    ],
    ['no system', flagged, 'The identifier’s system must be'],
    [
      'an NHS number that fails the check',
      `${NHS_NUMBER_SYSTEM}|${flagged.slice(0, 9)}${(Number(flagged[9]) + 1) % 10}`,
      'This is not a real NHS number',
    ],
  ])('refuses %s with a 400 OperationOutcome naming the parameter', async (_case, value, diagnostics) => {
    const response = await search(value);
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toBe('application/fhir+json; charset=utf-8');
    const outcome = response.json<OperationOutcome>();
    expect(outcome).toMatchObject({
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'invalid', expression: ['patient:identifier'] }],
    });
    expect(outcome.issue[0]!.diagnostics).toContain(diagnostics);
  });

  it('refuses a practitioner’s token with a 403 OperationOutcome, and a call without a token with 401', async () => {
    const forbidden = await search(`${NHS_NUMBER_SYSTEM}|${flagged}`, practitionerToken);
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json()).toMatchObject({
      resourceType: 'OperationOutcome',
      issue: [{ code: 'forbidden' }],
    });
    const anonymous = await t.app.inject({ method: 'GET', url: '/fhir/Flag' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['www-authenticate']).toContain('Bearer');
  });
});
