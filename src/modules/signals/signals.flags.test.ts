import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../common/context.ts';
import { ForbiddenError } from '../../common/errors.ts';
import { createServices, type Services } from '../../composition.ts';
import { loadConfig } from '../../config.ts';
import { buildCtx } from '../../../test/helpers/context.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import {
  insertHospital,
  insertPerson,
  insertPlan,
  linkNhsNumber,
  testNhsNumber,
} from '../../../test/helpers/flag-fixtures.ts';
import { buildTrustWorld, type World } from '../../../test/helpers/trust-world.ts';
import type { FlagCheckInput } from './signals.flags.schemas.ts';
import { GroupedWrites } from './signals.flags.writes.ts';
import { seedSignalSettings } from './signals.settings.ts';

/** TEST_NOW is Monday 2 March 2026, 09:30 in London: flags that ended since 2 March 2025 still show. */
describe('flags for unscheduled care', () => {
  let database: TestDatabase;
  let services: Services;
  let w: World;
  let clinician: Actor;
  let hospital: string;
  const children: Record<string, string> = {};
  const nhs = {
    protection: testNhsNumber(1),
    lookedAfter: testNhsNumber(2),
    mother: testNhsNumber(3),
    earlyHelp: testNhsNumber(4),
    endedRecently: testNhsNumber(5),
    endedLongAgo: testNhsNumber(6),
    steppedDown: testNhsNumber(7),
    unknown: testNhsNumber(8),
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    const db = database.db;
    services = createServices(db, loadConfig({ DATA_DIR: 'memory://' }));
    w = await buildTrustWorld(db);
    const partnershipId = w.partnershipId;
    await seedSignalSettings(db, partnershipId);
    hospital = await insertHospital(db, partnershipId);
    const user = await db
      .insertInto('users')
      .values({
        partnershipId,
        email: 'ed@world.example',
        displayName: 'Dr Reid',
        organisationId: hospital,
        roles: ['unscheduled_care'],
        passwordHash: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    clinician = {
      userId: user.id,
      partnershipId,
      organisationId: hospital,
      roles: ['unscheduled_care'],
      displayName: 'Dr Reid',
    };

    const lead = w.users.socialWorker.id;
    const child = async (key: string, givenName: string, nhsNumber?: string) => {
      children[key] = await insertPerson(db, partnershipId, { givenName, familyName: 'Flag' });
      if (nhsNumber) await linkNhsNumber(db, partnershipId, w.orgs.gp, children[key], nhsNumber);
      return children[key];
    };
    const plan = (childId: string, stages: Parameters<typeof insertPlan>[1]['stages'], closedOn?: string) =>
      insertPlan(db, { partnershipId, leadId: lead, childIds: [childId], stages, closedOn });

    await plan(await child('protection', 'Ada', nhs.protection), [
      { kind: 'child_protection', startedOn: '2026-01-05' },
    ]);
    await plan(await child('lookedAfter', 'Bea', nhs.lookedAfter), [
      { kind: 'looked_after', startedOn: '2025-06-10' },
    ]);
    await plan(await child('earlyHelp', 'Cal', nhs.earlyHelp), [
      { kind: 'early_help', startedOn: '2025-11-01' },
    ]);
    await plan(
      await child('endedRecently', 'Dot', nhs.endedRecently),
      [{ kind: 'child_protection', startedOn: '2025-03-01' }],
      '2025-09-01',
    );
    await plan(
      await child('endedLongAgo', 'Eve', nhs.endedLongAgo),
      [{ kind: 'child_protection', startedOn: '2024-06-01' }],
      '2024-12-01',
    );
    await insertPlan(db, {
      partnershipId,
      leadId: w.users.teamMember.id,
      childIds: [await child('steppedDown', 'Fin', nhs.steppedDown)],
      stages: [
        { kind: 'child_protection', startedOn: '2025-10-01' },
        { kind: 'child_in_need', startedOn: '2026-01-15' },
      ],
    });
    // An unborn child on a protection plan is found by the pregnant mother's NHS number.
    const mother = await insertPerson(db, partnershipId, {
      kind: 'adult',
      givenName: 'Gail',
      familyName: 'Flag',
      dateOfBirth: '1998-02-02',
    });
    await linkNhsNumber(db, partnershipId, w.orgs.gp, mother, nhs.mother);
    children.unborn = await insertPerson(db, partnershipId, {
      kind: 'unborn',
      givenName: null,
      familyName: 'Flag',
    });
    await db
      .insertInto('relationships')
      .values({ partnershipId, personId: mother, relatedPersonId: children.unborn, kind: 'parent' })
      .execute();
    await plan(children.unborn, [{ kind: 'child_protection', startedOn: '2026-02-10' }]);
  });
  afterAll(() => database.close());

  const db = () => database.db;
  const byNhs = (nhsNumber: string, setting: FlagCheckInput['setting'] = 'unscheduled'): FlagCheckInput => ({
    by: 'nhs_number',
    nhsNumber,
    setting,
  });
  const check = (input: FlagCheckInput) => services.flags.check(buildCtx(clinician), input);
  const checksOf = (personId: string) =>
    db().selectFrom('flagChecks').selectAll().where('personId', '=', personId).orderBy('checkedAt').execute();
  const notificationsOf = (personId: string) =>
    db().selectFrom('notifications').selectAll().where('personId', '=', personId).execute();
  const lastAudit = () =>
    db()
      .selectFrom('auditEvents')
      .selectAll()
      .where('partnershipId', '=', w.partnershipId)
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
  const CONTACTS = {
    councilName: 'Northbridge Council',
    officeHoursPhone: '0300 123 4567',
    outOfHoursPhone: '0300 123 9999',
  };

  describe('which flag a child carries', () => {
    it('flags a child on a child protection plan, from the stage’s start, with whom to call', async () => {
      expect(await check(byNhs(nhs.protection))).toEqual({
        outcome: 'flags',
        flags: [{ type: 'child_protection', startedOn: '2026-01-05', endedOn: null, active: true }],
        contacts: CONTACTS,
      });
    });

    it('flags a looked-after child', async () => {
      const result = await check(byNhs(nhs.lookedAfter));
      expect(result).toMatchObject({
        flags: [{ type: 'looked_after', startedOn: '2025-06-10', active: true }],
      });
    });

    it('finds an unborn child’s protection plan by the mother’s NHS number', async () => {
      const result = await check(byNhs(nhs.mother));
      expect(result).toMatchObject({
        flags: [{ type: 'unborn_child_protection', startedOn: '2026-02-10', active: true }],
      });
      expect(await checksOf(children.unborn!)).toHaveLength(1);
    });

    it('gives no flag for early help, nor for a plan that ended more than 12 months ago', async () => {
      expect(await check(byNhs(nhs.earlyHelp))).toEqual({ outcome: 'flags', flags: [], contacts: CONTACTS });
      expect(await check(byNhs(nhs.endedLongAgo))).toMatchObject({ flags: [] });
    });

    it('still shows a plan that ended within the last 12 months, with its end date', async () => {
      expect(await check(byNhs(nhs.endedRecently))).toMatchObject({
        flags: [{ type: 'child_protection', startedOn: '2025-03-01', endedOn: '2025-09-01', active: false }],
      });
    });

    it('ends the flag when the plan steps down, and tells the plan’s lead professional', async () => {
      expect(await check(byNhs(nhs.steppedDown))).toMatchObject({
        flags: [{ type: 'child_protection', startedOn: '2025-10-01', endedOn: '2026-01-15', active: false }],
      });
      expect((await notificationsOf(children.steppedDown!)).map((n) => n.userId)).toEqual([
        w.users.teamMember.id,
      ]);
    });
  });

  describe('what a check leaves behind', () => {
    it('keeps the check, audits it and tells the social worker, in the clinician’s words', async () => {
      const personId = children.protection!;
      const before = await checksOf(personId);
      await check(byNhs(nhs.protection));
      const kept = (await checksOf(personId)).at(-1)!;
      expect((await checksOf(personId)).length).toBe(before.length + 1);
      expect(kept).toMatchObject({
        checkedBy: clinician.userId,
        organisationId: hospital,
        setting: 'unscheduled',
        method: 'nhs_number',
        notifiedUserId: w.users.socialWorker.id,
      });
      expect(await lastAudit()).toMatchObject({
        action: 'flag.check',
        outcome: 'success',
        subjectType: 'person',
        subjectId: personId,
        personIds: [personId],
        basis: { kind: 'flag_check', setting: 'unscheduled', method: 'nhs_number' },
        detail: { criteria: { nhsNumber: nhs.protection }, flags: 1, notified: 1 },
      });
      const [notification] = (await notificationsOf(personId)).slice(-1);
      expect(notification).toMatchObject({
        userId: w.users.socialWorker.id,
        kind: 'flag_check',
        link: `/people/${personId}`,
        message:
          'An emergency department clinician at Northbridge General Hospital checked Ada Flag’s flag at 09:30 on 2 March 2026',
      });
    });

    it('does not tell the social worker of a scheduled-care check, unless the partnership asks to be told', async () => {
      const personId = children.lookedAfter!;
      const told = async () => (await notificationsOf(personId)).length;
      const before = await told();
      await check(byNhs(nhs.lookedAfter, 'scheduled'));
      expect(await told()).toBe(before);
      expect((await checksOf(personId)).at(-1)).toMatchObject({ setting: 'scheduled', notifiedUserId: null });

      const admin = w.users.admin.ctx();
      const settings = await services.signalSettings.settings(admin);
      await services.signalSettings.update(admin, { ...settings, notifyScheduledCare: true });
      await check(byNhs(nhs.lookedAfter, 'scheduled'));
      expect(await told()).toBe(before + 1);
      const latest = await services.signalSettings.settings(admin);
      await services.signalSettings.update(admin, { ...latest, notifyScheduledCare: false });
    });

    it('audits a check that finds nobody, naming no one, and keeps no check', async () => {
      const checks = await db().selectFrom('flagChecks').select('id').execute();
      expect(await check(byNhs(nhs.unknown))).toEqual({ outcome: 'flags', flags: [], contacts: CONTACTS });
      expect(await db().selectFrom('flagChecks').select('id').execute()).toHaveLength(checks.length);
      expect(await lastAudit()).toMatchObject({
        action: 'flag.check',
        subjectId: null,
        personIds: [],
        detail: { criteria: { nhsNumber: nhs.unknown }, outcome: 'no child found' },
      });
    });

    it('refuses anyone without the flag-check role, and audits the refusal', async () => {
      await expect(
        services.flags.check(w.users.socialWorker.ctx(), byNhs(nhs.protection)),
      ).rejects.toBeInstanceOf(ForbiddenError);
      expect(await lastAudit()).toMatchObject({ action: 'flag.check', outcome: 'denied' });
    });
  });

  describe('by name and date of birth', () => {
    const byName = (givenName: string, familyName: string, dateOfBirth = '2016-05-04'): FlagCheckInput => ({
      by: 'name_and_birth_date',
      givenName,
      familyName,
      dateOfBirth,
      setting: 'unscheduled',
    });

    it('finds the one child of that name and birth date, whatever the case and accents', async () => {
      const before = (await checksOf(children.protection!)).length;
      expect(await check(byName('ADA', ' flag '))).toMatchObject({ flags: [{ type: 'child_protection' }] });
      const kept = await checksOf(children.protection!);
      expect(kept).toHaveLength(before + 1);
      expect(kept.at(-1)).toMatchObject({ method: 'name_and_birth_date' });
      expect(await check(byName('Ada', 'Flag', '2016-05-05'))).toMatchObject({ flags: [] });
    });

    it('says when more than one child fits, without naming or keeping any of them', async () => {
      await insertPerson(db(), w.partnershipId, { givenName: 'Zoë', familyName: 'O’Brien' });
      await insertPerson(db(), w.partnershipId, { givenName: 'Zoe', familyName: "O'brien" });
      const checks = await db().selectFrom('flagChecks').select('id').execute();
      expect(await check(byName('zoe', 'obrien'))).toEqual({ outcome: 'ambiguous' });
      expect(await db().selectFrom('flagChecks').select('id').execute()).toHaveLength(checks.length);
      expect(await lastAudit()).toMatchObject({
        action: 'flag.check',
        personIds: [],
        detail: { outcome: 'more than one child matched' },
      });
    });
  });

  describe('writing checks that arrive together', () => {
    const transactionId = async (tx: Parameters<Parameters<GroupedWrites['write']>[1]>[0]) =>
      (await sql<{ id: string }>`select txid_current()::text as id`.execute(tx)).rows[0]!.id;

    it('writes the checks that wait for a write in one transaction, and one that fails alone', async () => {
      const writes = new GroupedWrites(db());
      const seen: string[] = [];
      const work = (fail: boolean) => async (tx: Parameters<typeof transactionId>[0]) => {
        seen.push(await transactionId(tx));
        if (fail) throw new Error('This check cannot be written');
      };
      const outcomes = await Promise.allSettled([
        writes.write(w.partnershipId, work(false)),
        writes.write(w.partnershipId, work(false)),
        writes.write(w.partnershipId, work(true)),
        writes.write(w.partnershipId, work(false)),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
      // The first alone; the three that waited, together until one failed; then each of those alone.
      expect(seen).toHaveLength(6);
      expect(seen[1]).toBe(seen[2]);
      expect(new Set(seen).size).toBe(5);
    });
  });

  describe('the flag as the practitioners working with the child see it', () => {
    it('shows the flag and its last 25 checks, newest first, through the gate', async () => {
      const partnershipId = w.partnershipId;
      await insertPlan(db(), {
        partnershipId,
        leadId: w.users.socialWorker.id,
        childIds: [w.child],
        stages: [{ kind: 'child_protection', startedOn: '2026-02-01' }],
      });
      await linkNhsNumber(db(), partnershipId, w.orgs.gp, w.child, testNhsNumber(20));
      for (let minute = 0; minute < 27; minute++)
        await services.flags.check(
          buildCtx(clinician, { now: new Date(Date.UTC(2026, 2, 2, 10, minute)) }),
          byNhs(testNhsNumber(20)),
        );
      const flag = await services.flags.flagOf(w.users.socialWorker.ctx(), w.child);
      expect(flag.flags).toEqual([
        { type: 'child_protection', startedOn: '2026-02-01', endedOn: null, active: true },
      ]);
      expect(flag.name).toBe('Maya Okafor');
      expect(flag.checks).toHaveLength(25);
      expect(flag.checks[0]).toMatchObject({
        checkedByName: 'Dr Reid',
        organisationName: 'Northbridge General Hospital',
        setting: 'unscheduled',
        notifiedUserId: w.users.socialWorker.id,
      });
      expect(flag.checks[0]!.checkedAt.toISOString()).toBe('2026-03-02T10:26:00.000Z');
      expect(await lastAudit()).toMatchObject({ action: 'flag.view', subjectId: w.child });
    });

    it('is closed to a practitioner not involved with the child', async () => {
      await expect(services.flags.flagOf(w.users.uninvolved.ctx(), w.child)).rejects.toBeInstanceOf(
        ForbiddenError,
      );
    });
  });
});
