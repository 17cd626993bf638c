import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  insertHospital,
  insertPerson,
  insertPlan,
  linkNhsNumber,
  testNhsNumber,
} from '../../../test/helpers/flag-fixtures.ts';
import { createTrustApp, type TrustApp } from '../../../test/helpers/trust-app.ts';
import { errorSummary, type Agent } from '../../../test/helpers/web.ts';
import { formatNhsNumber } from '../people/index.ts';
import { seedSignalSettings } from './signals.settings.ts';

/** The flag-check pages through the real app, CSRF on. */
describe('the flag-check pages', () => {
  let t: TrustApp;
  let clinician: Agent;
  let practitioner: Agent;
  const flagged = testNhsNumber(1);

  beforeAll(async () => {
    t = await createTrustApp();
    const w = t.world;
    await seedSignalSettings(t.db, w.partnershipId);
    const hospital = await insertHospital(t.db, w.partnershipId);
    const ed = await t.addUser('ed.clinician@world.example', hospital, ['unscheduled_care']);
    clinician = await t.signedIn(ed.email);
    practitioner = await t.signedIn(w.users.socialWorker.email);
    await insertPlan(t.db, {
      partnershipId: w.partnershipId,
      leadId: w.users.socialWorker.id,
      childIds: [w.child],
      stages: [{ kind: 'child_protection', startedOn: '2026-01-05' }],
    });
    await linkNhsNumber(t.db, w.partnershipId, w.orgs.gp, w.child, flagged);
  });
  afterAll(() => t.close());

  const checks = () => t.db.selectFrom('flagChecks').selectAll().execute();
  const form = (fields: Record<string, string>) => ({ setting: 'unscheduled', ...fields });

  it('shows a clinician the flag’s type, dates and whom to call, and nothing about the child', async () => {
    expect((await clinician.get('/flags/check')).statusCode).toBe(200);
    const result = await clinician.post('/flags/check', form({ nhsNumber: formatNhsNumber(flagged) }));
    expect(result.statusCode).toBe(200);
    const page = result.body;
    expect(page).toContain(`NHS number ${formatNhsNumber(flagged)}`);
    expect(page).toContain('Child protection plan');
    expect(page).toContain('5 January 2026');
    expect(page).toContain('Northbridge Council');
    expect(page).toContain('0300 123 4567');
    expect(page).toContain('0300 123 9999');
    for (const hidden of ['Maya', 'Okafor', 'social.worker', 'Attendance falling'])
      expect(page).not.toContain(hidden);
    expect(await checks()).toHaveLength(1);
  });

  it('says "No flag" for a number the index does not know, the same as for a child without one', async () => {
    const result = await clinician.post('/flags/check', form({ nhsNumber: testNhsNumber(9) }));
    expect(result.statusCode).toBe(200);
    expect(result.body).toContain('<h1 class="govuk-heading-l">No flag</h1>');
  });

  it('refuses an NHS number that fails the check, naming the field, and records nothing', async () => {
    const before = await checks();
    const result = await clinician.post('/flags/check', form({ nhsNumber: '999 000 0011' }));
    expect(result.statusCode).toBe(400);
    expect(errorSummary(result.body)).toEqual([
      '#nhsNumber This is not a real NHS number: the last digit does not match the other 9. Check it was copied correctly',
    ]);
    expect(await checks()).toEqual(before);
  });

  it('asks for every field a name search needs, and where the clinician is checking from', async () => {
    const result = await clinician.post('/flags/check', { familyName: 'Okafor', 'dob-day': '4' });
    expect(result.statusCode).toBe(400);
    expect(errorSummary(result.body)).toEqual([
      '#setting Select where you are checking from',
      '#dob-month The date of birth must include a month and year',
      '#givenName Enter the child’s given name',
    ]);
  });

  it('finds a child by exact name and date of birth', async () => {
    const result = await clinician.post(
      '/flags/check',
      form({ givenName: 'maya', familyName: 'OKAFOR', 'dob-day': '4', 'dob-month': '5', 'dob-year': '2016' }),
    );
    expect(result.statusCode).toBe(200);
    expect(result.body).toContain('Child protection plan');
    expect(result.body).toContain('maya OKAFOR, born 4/5/2016');
  });

  it('asks for the NHS number when more than one child has the name and date of birth, listing none', async () => {
    for (const givenName of ['Kit', 'Kit'])
      await insertPerson(t.db, t.world.partnershipId, {
        givenName,
        familyName: 'Twin',
        dateOfBirth: '2019-09-09',
      });
    const before = await checks();
    const result = await clinician.post(
      '/flags/check',
      form({ givenName: 'Kit', familyName: 'Twin', 'dob-day': '9', 'dob-month': '9', 'dob-year': '2019' }),
    );
    expect(result.statusCode).toBe(400);
    expect(errorSummary(result.body)).toEqual([
      '#nhsNumber More than one child has this name and date of birth: enter the child’s NHS number',
    ]);
    expect(await checks()).toEqual(before);
  });

  it('is closed to a practitioner, who has no flag-check role', async () => {
    expect((await practitioner.get('/flags/check')).statusCode).toBe(403);
    const token = await practitioner.csrfToken('/');
    const result = await practitioner.post('/flags/check', { _csrf: token, ...form({ nhsNumber: flagged }) });
    expect(result.statusCode).toBe(403);
  });

  it('shows the social worker the flag and who checked it; the clinician cannot open the record', async () => {
    const page = await practitioner.get(`/people/${t.world.child}/flag`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Child protection plan');
    expect(page.body).toContain('ed.clinician');
    expect(page.body).toContain('Northbridge General Hospital');
    expect(page.body).toContain('Unscheduled care');
    expect((await clinician.get(`/people/${t.world.child}/flag`)).statusCode).toBe(403);
  });
});
