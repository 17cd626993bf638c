import type { Role } from '../../src/common/context.ts';
import type { Sensitivity, DataType } from '../../src/common/sharing.ts';
import type { Db } from '../../src/db/database.ts';
import type { Sector } from '../../src/db/schema.ts';
import { buildCtx, buildSystemActor, TEST_NOW } from './context.ts';
import { insertPartnership, insertUser, type WorldUser } from './builders.ts';

/**
 * A small partnership with the relationships the trust layer distinguishes: a child with a social
 * worker, a team, a school and a GP involved; items from each agency at each sensitivity; sharing
 * agreements; an uninvolved colleague; an analyst and a privacy officer; a sealed child; and a second
 * partnership with its own child. Built with direct inserts, so it tests the rules and not the forms.
 */

export type { WorldUser };

export type World = Awaited<ReturnType<typeof buildTrustWorld>>;

export async function buildTrustWorld(db: Db) {
  const partnershipId = await insertPartnership(db, 'Northbridge');
  const otherPartnershipId = await insertPartnership(db, 'Southport');
  const system = buildCtx(buildSystemActor(partnershipId));

  const org = async (p: string, name: string, sector: Sector) =>
    (
      await db
        .insertInto('organisations')
        .values({ partnershipId: p, name, sector, kind: name })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const orgs = {
    council: await org(partnershipId, 'Northbridge Council', 'social_care'),
    school: await org(partnershipId, 'Elm Park School', 'education'),
    gp: await org(partnershipId, 'Riverside Surgery', 'health'),
    housing: await org(partnershipId, 'Northbridge Homes', 'housing'),
    charity: await org(partnershipId, 'Families First', 'voluntary'),
    elsewhere: await org(otherPartnershipId, 'Southport Council', 'social_care'),
  };

  const user = (email: string, organisationId: string, roles: Role[], p = partnershipId) =>
    insertUser(db, p, email, organisationId, roles);
  const users = {
    socialWorker: await user('social.worker@world.example', orgs.council, ['practitioner']),
    teamMember: await user('team.member@world.example', orgs.council, ['practitioner']),
    uninvolved: await user('uninvolved@world.example', orgs.council, ['practitioner']),
    teacher: await user('teacher@world.example', orgs.school, ['practitioner']),
    gp: await user('gp@world.example', orgs.gp, ['practitioner']),
    housingOfficer: await user('housing@world.example', orgs.housing, ['practitioner']),
    charityWorker: await user('charity@world.example', orgs.charity, ['practitioner']),
    manager: await user('manager@world.example', orgs.council, ['practitioner', 'team_manager']),
    analyst: await user('analyst@world.example', orgs.council, ['analyst']),
    privacyOfficer: await user('privacy@world.example', orgs.council, ['privacy_officer']),
    admin: await user('admin@world.example', orgs.council, ['partnership_admin']),
    outsider: await user('outsider@world.example', orgs.elsewhere, ['practitioner'], otherPartnershipId),
  };

  const team = (
    await db
      .insertInto('teams')
      .values({ partnershipId, name: 'North Locality Team', organisationId: orgs.council })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
  await db
    .insertInto('memberships')
    .values({ partnershipId, userId: users.teamMember.id, teamId: team, startedOn: '2025-01-01' })
    .execute();

  const person = async (p: string, givenName: string, familyName: string) =>
    (
      await db
        .insertInto('people')
        .values({ partnershipId: p, kind: 'child', givenName, familyName, dateOfBirth: '2016-05-04' })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const child = await person(partnershipId, 'Maya', 'Okafor');
  const sealedChild = await person(partnershipId, 'Sam', 'Okafor');
  const strangerChild = await person(partnershipId, 'Leo', 'Okafor');
  const otherChild = await person(otherPartnershipId, 'Mia', 'Okafor');
  await db
    .updateTable('people')
    .set({ sealedAt: TEST_NOW, sealedReason: 'Placed for adoption' })
    .where('id', '=', sealedChild)
    .execute();
  await db
    .insertInto('sealedRecordUsers')
    .values({ partnershipId, personId: sealedChild, userId: users.socialWorker.id })
    .execute();

  const since = new Date(TEST_NOW.getTime() - 30 * 86_400_000);
  const involve = (
    personId: string,
    holder: { userId?: string; teamId?: string },
    kind: 'allocated_worker' | 'team_around_family' | 'school_safeguarding_lead' | 'gp_practice',
    purpose: 'safeguarding' | 'early_help' = 'safeguarding',
  ) =>
    db
      .insertInto('involvements')
      .values({
        partnershipId,
        personId,
        userId: holder.userId ?? null,
        teamId: holder.teamId ?? null,
        kind,
        purpose,
        reason: 'Test involvement',
        startedAt: since,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
  const involvements = {
    socialWorker: (await involve(child, { userId: users.socialWorker.id }, 'allocated_worker')).id,
    team: (await involve(child, { teamId: team }, 'team_around_family')).id,
    teacher: (await involve(child, { userId: users.teacher.id }, 'school_safeguarding_lead')).id,
    gp: (await involve(child, { userId: users.gp.id }, 'gp_practice')).id,
    housing: (await involve(child, { userId: users.housingOfficer.id }, 'team_around_family')).id,
    charity: (await involve(child, { userId: users.charityWorker.id }, 'team_around_family', 'early_help'))
      .id,
    sealed: (await involve(sealedChild, { userId: users.socialWorker.id }, 'allocated_worker')).id,
  };

  const item = async (owner: string, dataType: DataType, sensitivity: Sensitivity, title: string) =>
    (
      await db
        .insertInto('recordItems')
        .values({
          partnershipId,
          personId: child,
          owningOrganisationId: owner,
          dataType,
          sensitivity,
          title,
          body: `${title}: details`,
          occurredOn: '2026-02-01',
          recordedAt: since,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const items = {
    schoolStandard: await item(orgs.school, 'education', 'standard', 'Attendance falling'),
    gpHealth: await item(orgs.gp, 'health', 'health', 'Missed immunisations'),
    gpSpecial: await item(orgs.gp, 'health', 'special_category', 'Sexual health clinic'),
    councilLocation: await item(orgs.council, 'contact_details', 'restricted_location', 'Refuge address'),
    councilStandard: await item(orgs.council, 'social_care', 'standard', 'Home visit'),
  };

  const agreement = async (
    name: string,
    purpose: 'safeguarding' | 'early_help',
    lawfulBasis: 'public_task' | 'consent',
  ) =>
    (
      await db
        .insertInto('sharingAgreements')
        .values({ partnershipId, name, purpose, lawfulBasis, validFrom: '2026-01-01' })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const agreements = {
    safeguarding: await agreement('Safeguarding', 'safeguarding', 'public_task'),
    earlyHelp: await agreement('Early help', 'early_help', 'consent'),
  };
  const rule = (
    agreementId: string,
    effect: 'allow' | 'deny',
    mode: 'existence' | 'content',
    sensitivities: Sensitivity[],
    recipientSector: Sector | null = null,
  ) => ({
    partnershipId,
    agreementId,
    effect,
    mode,
    sensitivities,
    recipientSector,
    sourceSector: null,
    sourceOrganisationId: null,
    recipientOrganisationId: null,
    dataType: null,
  });
  await db
    .insertInto('sharingRules')
    .values([
      rule(agreements.safeguarding, 'allow', 'content', ['standard', 'health']),
      rule(agreements.safeguarding, 'allow', 'existence', ['special_category']),
      rule(agreements.safeguarding, 'deny', 'content', ['health'], 'housing'),
      rule(agreements.earlyHelp, 'allow', 'content', ['standard']),
    ])
    .execute();

  return {
    db,
    system,
    partnershipId,
    otherPartnershipId,
    orgs,
    users,
    team,
    child,
    sealedChild,
    strangerChild,
    otherChild,
    involvements,
    items,
    agreements,
  };
}
