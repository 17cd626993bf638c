import { loadConfig } from '../../src/config.ts';
import { createWebApp } from '../../src/composition.ts';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET } from '../../src/modules/access/index.ts';
import { seedDemo } from '../../src/seed/demo.ts';
import { createTestDatabase } from './database.ts';
import { buildFamilyPlan } from './family-plan.ts';
import { signedInAgent, TestClock } from './web.ts';

/**
 * The real app over a small demo partnership (src/seed/demo.ts), so that every route has records to
 * point at: contacts, plans, assessments, signals, the directory; and named accounts of every role.
 */
export async function createDemoApp(children = 12) {
  const database = await createTestDatabase();
  const config = loadConfig({ DATA_DIR: 'memory://', COOKIE_SECRET: 'fuzz-app-secret-'.padEnd(40, 'x') });
  const clock = new TestClock();
  const { app, services } = await createWebApp(database, config, { logger: false, clock });
  const demo = await seedDemo(database.db, services.audit, { children, seed: 7 }, clock.now());
  // A small demo has few plans, none the social worker's: give them one, with goals, actions and reviews.
  const socialWorker = await database.db
    .selectFrom('users')
    .select(['id', 'organisationId'])
    .where('email', '=', 'social.worker@northbridge.example')
    .executeTakeFirstOrThrow();
  await buildFamilyPlan(database.db, {
    partnershipId: demo.partnershipId,
    organisationId: socialWorker.organisationId,
    leadUserId: socialWorker.id,
    familyName: 'Fuzzington',
  });

  /** An agent signed in as a demo account (password, then the demo's TOTP code when its roles need one). */
  const signedIn = (email: string) => signedInAgent(app, clock, email, DEMO_PASSWORD, DEMO_TOTP_SECRET);

  return {
    app,
    services,
    database,
    db: database.db,
    clock,
    demo,
    signedIn,
    close: async () => {
      await app.close();
      await database.close();
    },
  };
}
export type DemoApp = Awaited<ReturnType<typeof createDemoApp>>;
