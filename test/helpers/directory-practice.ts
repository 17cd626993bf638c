import { randomUUID } from 'node:crypto';
import type { Actor, Ctx, Role } from '../../src/common/context.ts';
import type { Db } from '../../src/db/database.ts';
import { buildCtx, TEST_NOW } from './context.ts';
import { insertPartnership } from './builders.ts';
import { aServiceRecord, saveTestServices, seedTestDirectory } from './directory.ts';

/**
 * A partnership for the directory's practice side: a child with an allocated social worker and a
 * household at NB1 1AA; an uninvolved colleague; a family charity that runs a service taking
 * professional referrals (its staff answer them) and a drop-in that does not; another agency's
 * worker; a service whose provider is outside the partnership.
 */

export type PracticeUser = { id: string; email: string; actor: Actor; ctx: (now?: Date) => Ctx };

export type PracticeWorld = Awaited<ReturnType<typeof buildPracticeWorld>>;

export async function buildPracticeWorld(db: Db, existing?: { partnershipId: string }) {
  const partnershipId = existing?.partnershipId ?? (await insertPartnership(db, 'Northbridge'));
  const org = async (name: string, sector: 'social_care' | 'voluntary' | 'education') =>
    (
      await db
        .insertInto('organisations')
        .values({ partnershipId, name, sector, kind: name })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const orgs = {
    council: await org(`Council ${randomUUID().slice(0, 6)}`, 'social_care'),
    charity: await org('Families First', 'voluntary'),
    school: await org('Elm Park School', 'education'),
  };
  const user = async (email: string, organisationId: string, roles: Role[]): Promise<PracticeUser> => {
    const row = await db
      .insertInto('users')
      .values({
        partnershipId,
        email,
        displayName: email.split('@')[0]!,
        organisationId,
        roles,
        passwordHash: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const actor: Actor = {
      userId: row.id,
      partnershipId,
      organisationId,
      roles,
      displayName: email.split('@')[0]!,
    };
    return { id: row.id, email, actor, ctx: (now = TEST_NOW) => buildCtx(actor, { now }) };
  };
  const tag = randomUUID().slice(0, 6);
  const users = {
    worker: await user(`worker.${tag}@dp.example`, orgs.council, ['practitioner']),
    uninvolved: await user(`uninvolved.${tag}@dp.example`, orgs.council, ['practitioner']),
    provider: await user(`provider.${tag}@dp.example`, orgs.charity, ['directory_editor']),
    providerColleague: await user(`colleague.${tag}@dp.example`, orgs.charity, ['practitioner']),
    otherAgency: await user(`teacher.${tag}@dp.example`, orgs.school, ['practitioner']),
    analyst: await user(`analyst.${tag}@dp.example`, orgs.council, ['analyst']),
  };

  const locality = await db
    .insertInto('localities')
    .values({ partnershipId, code: `N${tag}`, name: `North ${tag}` })
    .returning('id')
    .executeTakeFirstOrThrow();
  const child = (
    await db
      .insertInto('people')
      .values({
        partnershipId,
        kind: 'child',
        givenName: 'Maya',
        familyName: 'Okafor',
        dateOfBirth: '2018-05-04',
      })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
  const household = await db
    .insertInto('households')
    .values({
      partnershipId,
      localityId: locality.id,
      addressLine1: '3 Mill Lane',
      town: 'Northbridge',
      postcode: 'NB1 1AA',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('householdMembers')
    .values({ partnershipId, householdId: household.id, personId: child, startedOn: '2020-01-01' })
    .execute();
  await db
    .insertInto('involvements')
    .values({
      partnershipId,
      personId: child,
      userId: users.worker.id,
      kind: 'allocated_worker',
      purpose: 'early_help',
      reason: 'Allocated',
      startedAt: new Date(TEST_NOW.getTime() - 30 * 86_400_000),
    })
    .execute();

  await seedTestDirectory(db, partnershipId);
  const charityOrg = { id: randomUUID(), name: 'Families First' };
  const records = {
    referrable: aServiceRecord({
      organization: charityOrg,
      name: 'Family support workers',
      description: 'Practical help at home for families under pressure.',
      accessRoutes: ['professional_referral', 'self_referral'],
      capacity: 'limited',
      waitWeeks: 3,
      minimumAge: 0,
      maximumAge: 17,
    }),
    dropIn: aServiceRecord({ organization: charityOrg, name: 'Stay and play', accessRoutes: ['drop_in'] }),
    elsewhere: aServiceRecord({
      organization: { id: randomUUID(), name: 'Private counselling' },
      name: 'Counselling for children',
      accessRoutes: ['professional_referral'],
    }),
  };
  await saveTestServices(db, partnershipId, Object.values(records), TEST_NOW);
  await db
    .updateTable('directoryOrganizations')
    .set({ agencyOrganisationId: orgs.charity })
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', charityOrg.id)
    .execute();
  const services = {
    referrable: records.referrable.id,
    dropIn: records.dropIn.id,
    elsewhere: records.elsewhere.id,
  };
  return { partnershipId, orgs, users, child, services };
}
