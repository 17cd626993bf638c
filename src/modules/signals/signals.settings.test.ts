import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError } from '../../common/errors.ts';
import { buildActor, buildCtx } from '../../../test/helpers/context.ts';
import { createTestApp, errorSummary, type Agent, type TestApp } from '../../../test/helpers/web.ts';
import { seedSignalSettings, signalSettingsOf, SignalSettingsInput } from './signals.settings.ts';

const FORM = {
  councilName: 'Northbridge Council',
  officeHoursPhone: '(01632) 960 001',
  outOfHoursPhone: '+44 1632 960 999',
  escalationHours: '48',
  attendanceThreshold: '85',
  notifyScheduledCare: 'yes',
};

describe('the partnership’s signal and flag settings', () => {
  let t: TestApp;
  let admin: Agent;
  let practitioner: Agent;

  beforeAll(async () => {
    t = await createTestApp();
    admin = t.agent();
    await admin.signIn(t.admin.email);
    practitioner = t.agent();
    await practitioner.signIn(t.practitioner.email);
  });
  afterAll(() => t.close());

  const adminCtx = () =>
    buildCtx(
      buildActor(t.partnershipId, {
        userId: t.admin.id,
        organisationId: t.organisationId,
        roles: ['partnership_admin'],
      }),
    );
  const stored = () => signalSettingsOf(t.database.db, t.partnershipId);

  it('has the defaults until a partnership saves its own, and reading writes nothing', async () => {
    expect(await stored()).toEqual({
      councilName: '',
      officeHoursPhone: '',
      outOfHoursPhone: '',
      escalationHours: 24,
      attendanceThreshold: 90,
      notifyScheduledCare: false,
      version: 1,
    });
    expect(await t.database.db.selectFrom('signalSettings').selectAll().execute()).toEqual([]);
  });

  it('names the field of each mistake', () => {
    const parsed = SignalSettingsInput.safeParse({
      ...FORM,
      version: '1',
      officeHoursPhone: '0300 CALL NOW',
      outOfHoursPhone: '12 3',
      escalationHours: '0',
      attendanceThreshold: 'ninety',
      notifyScheduledCare: undefined,
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      [
        'officeHoursPhone',
        'The office-hours telephone number can only contain numbers, spaces, + and brackets',
      ],
      ['outOfHoursPhone', 'The out-of-hours telephone number must have at least 6 digits'],
      ['escalationHours', 'The hours before an alert escalates must be between 1 and 336 hours'],
      ['attendanceThreshold', 'Enter the attendance threshold as a whole number'],
      ['notifyScheduledCare', 'Select whether checks from scheduled care tell the social worker'],
    ]);
  });

  it('saves through the page at the version seen, audited, and refuses a stale save', async () => {
    const page = await admin.get('/signals/settings');
    expect(page.statusCode).toBe(200);
    const saved = await admin.post('/signals/settings', { ...FORM, version: '1' });
    expect(saved.statusCode).toBe(303);
    expect(await stored()).toMatchObject({
      councilName: 'Northbridge Council',
      officeHoursPhone: '(01632) 960 001',
      escalationHours: 48,
      attendanceThreshold: 85,
      notifyScheduledCare: true,
      version: 2,
    });
    const event = await t.database.db
      .selectFrom('auditEvents')
      .selectAll()
      .where('action', '=', 'signals.settings')
      .executeTakeFirstOrThrow();
    expect(event).toMatchObject({
      actorUserId: t.admin.id,
      detail: { councilName: 'Northbridge Council', version: 2 },
    });

    const stale = await admin.post('/signals/settings', {
      ...FORM,
      councilName: 'Stale Council',
      version: '1',
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('Someone else changed these settings');
    expect((await stored()).councilName).toBe('Northbridge Council');
    await expect(
      t.services.signalSettings.update(adminCtx(), {
        ...(await stored()),
        councilName: 'Also stale',
        version: 1,
      }),
    ).rejects.toBeInstanceOf(ConflictError);
  });

  it('shows the form again with 400 and the field named, saving nothing', async () => {
    const before = await stored();
    const response = await admin.post('/signals/settings', {
      ...FORM,
      outOfHoursPhone: 'call the council',
      version: String(before.version),
    });
    expect(response.statusCode).toBe(400);
    expect(errorSummary(response.body)).toEqual([
      '#outOfHoursPhone The out-of-hours telephone number can only contain numbers, spaces, + and brackets',
    ]);
    expect(await stored()).toEqual(before);
  });

  it('is closed to a practitioner, page and service', async () => {
    expect((await practitioner.get('/signals/settings')).statusCode).toBe(403);
    const ctx = buildCtx(buildActor(t.partnershipId, { userId: t.practitioner.id }));
    await expect(t.services.signalSettings.settings(ctx)).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('seeds the demo council once, leaving saved settings alone', async () => {
    const before = await stored();
    await seedSignalSettings(t.database.db, t.partnershipId);
    expect(await stored()).toEqual(before);
  });
});
