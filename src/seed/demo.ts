import type { Ctx } from '../common/context.ts';
import { addMonths, daysBetween, londonDate } from '../common/plain-dates.ts';
import type { Db } from '../db/database.ts';
import {
  AccessGate,
  seedAccess,
  seedTrust,
  DEMO_PASSWORD,
  type DemoAccount,
} from '../modules/access/index.ts';
import type { AuditService } from '../modules/audit/index.ts';
import {
  FAMILY_NAMES,
  MENS_NAMES,
  NORTHBRIDGE_LOCALITIES,
  PersonIndexService,
  WOMENS_NAMES,
  seedIndexFeeds,
  seedPeople,
  seedRecordSources,
} from '../modules/people/index.ts';
import { seedAssessments } from '../modules/assessments/index.ts';
import { seedDirectory } from '../modules/directory/index.ts';
import {
  DEMO_HISTORY_YEARS,
  demoPracticeChange,
  seedMoney,
  seedLocalFramework,
  seedOutcomeFigures,
  seedPracticeChanges,
} from '../modules/outcomes/index.ts';
import { seedPlanHistory, seedPlans } from '../modules/plans/index.ts';
import { seedCensusCodes } from '../modules/interop/index.ts';
import { seedFrontDoor } from '../modules/referrals/index.ts';
import {
  seedFeedSignals,
  seedSignalRules,
  seedSignals,
  seedSignalSettings,
} from '../modules/signals/index.ts';

/**
 * The demo partnership, "Northbridge": one generator with a part per module. It runs once per
 * database; the mark it leaves makes a second run answer what is there instead of seeding again.
 */

export const DEMO_SLUG = 'northbridge';
const SEEDED_MARK = 'demo_seeded';

export type DemoOptions = { children: number; seed: number; onProgress?: (childrenWritten: number) => void };
export type DemoSummary = {
  created: boolean;
  partnershipId: string;
  accounts: DemoAccount[];
  password: string;
  children: number;
};

export async function seedDemo(
  db: Db,
  audit: AuditService,
  options: DemoOptions,
  now = new Date(),
): Promise<DemoSummary> {
  const existing = await db
    .selectFrom('instanceSettings')
    .select('value')
    .where('key', '=', SEEDED_MARK)
    .executeTakeFirst();
  if (existing) return { ...(JSON.parse(existing.value) as Omit<DemoSummary, 'created'>), created: false };
  const unfinished = await db
    .selectFrom('partnerships')
    .select('id')
    .where('slug', '=', DEMO_SLUG)
    .executeTakeFirst();
  if (unfinished) {
    throw new Error(
      'An earlier demo seed did not finish. Start again on an empty database: delete the data folder (embedded) or create a new database.',
    );
  }

  const { partnershipId, accounts } = await db.transaction().execute(async (tx) => {
    const partnership = await tx
      .insertInto('partnerships')
      .values({ name: 'Northbridge Children’s Partnership', slug: DEMO_SLUG })
      .returning('id')
      .executeTakeFirstOrThrow();
    const localityRows = await tx
      .insertInto('localities')
      .values(
        NORTHBRIDGE_LOCALITIES.map((l) => ({ partnershipId: partnership.id, code: l.code, name: l.name })),
      )
      .returning(['id', 'code'])
      .execute();
    const localityIds = Object.fromEntries(localityRows.map((l) => [l.code, l.id]));
    const access = await seedAccess(tx, {
      partnershipId: partnership.id,
      localityIds,
      seed: options.seed,
      names: { given: [...WOMENS_NAMES, ...MENS_NAMES], family: FAMILY_NAMES },
    });
    return { partnershipId: partnership.id, accounts: access.accounts };
  });

  const localities = await db
    .selectFrom('localities')
    .select(['id', 'code'])
    .where('partnershipId', '=', partnershipId)
    .execute();
  const people = await seedPeople(db, {
    partnershipId,
    localities,
    children: options.children,
    seed: options.seed,
    asOf: now,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });

  const summary = { partnershipId, accounts, password: DEMO_PASSWORD, children: people.children };
  const ctx: Ctx = { actor: { system: 'demo seed', partnershipId }, requestId: 'seed', now };
  await db.transaction().execute(async (tx) => {
    await seedTrust(tx, { partnershipId, seed: options.seed, now });
    await seedRecordSources(tx, partnershipId);
    await seedSignalSettings(tx, partnershipId);
    await audit.record(tx, ctx, {
      action: 'demo.seed',
      detail: { children: people.children, adults: people.adults },
    });
  });
  // The GP feed links to the children above; the mark goes last, so an interrupted seed is noticed.
  const personIndex = new PersonIndexService(db, audit, new AccessGate(db, audit));
  await seedIndexFeeds(db, personIndex, {
    partnershipId,
    seed: options.seed,
    now,
  });
  // Five years of the front door's contacts and decisions, about the children above, from the first
  // day of the month five years back; East's integrated team decides differently from its start.
  const today = londonDate(now);
  const historyFrom = addMonths(`${today.slice(0, 7)}-01`, -DEMO_HISTORY_YEARS * 12);
  const change = demoPracticeChange(now);
  const changedLocality = localities.find((l) => l.code === change.localityCode);
  const practiceChange = changedLocality
    ? { localityId: changedLocality.id, changedOn: change.changedOn }
    : undefined;
  await seedFrontDoor(db, partnershipId, {
    now,
    seed: options.seed,
    days: daysBetween(historyFrom, today) + 1,
    ...(practiceChange ? { practiceChange } : {}),
  });
  // Family plans for the families whose episodes are open and allocated.
  await seedPlans(db, partnershipId, {
    now,
    seed: options.seed,
    ...(practiceChange ? { practiceChange } : {}),
  });
  // The assessments behind the early-help plans, and drafts for the open statutory assessments.
  await seedAssessments(db, partnershipId, { now, seed: options.seed });
  // The plans of the closed work of those five years (after the assessments, which are for today's plans).
  await seedPlanHistory(db, partnershipId, {
    now,
    seed: options.seed,
    ...(practiceChange ? { practiceChange } : {}),
  });
  // The partnership's signal rules, owned by the demo's team manager, and worries that add up.
  const manager = await db
    .selectFrom('users')
    .select('id')
    .where('partnershipId', '=', partnershipId)
    .where('email', '=', 'manager@northbridge.example')
    .executeTakeFirstOrThrow();
  await seedSignalRules(db, partnershipId, manager.id, now);
  await seedSignals(db, partnershipId, { now, seed: options.seed });
  await seedFeedSignals({ db, audit, personIndex }, partnershipId, { now, seed: options.seed });
  // The service directory for the area: the town's postcodes and about 300 services, with the demo's agencies linked.
  await seedDirectory(db, { partnershipId, seed: options.seed, asOf: now });
  // Five years of the published figures the partnership loads for its outcome indicators.
  await seedOutcomeFigures(db, partnershipId, { now, seed: options.seed });
  // The partnership's own outcome framework: its children and young people's plan's priorities.
  await seedLocalFramework(db, partnershipId, now);
  // The practice change the evaluation finds: East's integrated locality team (outcomes.demo.ts).
  await seedPracticeChanges(db, partnershipId, now);
  // Five financial years of funding partners, budgets and spend on the directory's services.
  await seedMoney(db, partnershipId, { now, seed: options.seed });
  // The census codes no other module holds (ethnicity, disabilities, primary need), and the LA number.
  await seedCensusCodes(db, partnershipId, { now, seed: options.seed });
  await db
    .insertInto('instanceSettings')
    .values({ key: SEEDED_MARK, value: JSON.stringify(summary) })
    .execute();
  return { ...summary, created: true };
}
