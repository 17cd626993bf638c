import { hash } from 'argon2';
import type { Role } from '../../src/common/context.ts';
import { createWebApp } from '../../src/composition.ts';
import { loadConfig } from '../../src/config.ts';
import { twoFactorRequired } from '../../src/modules/access/index.ts';
import { buildCtx, buildSystemActor } from './context.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { buildTrustWorld, type World } from './trust-world.ts';
import { signedInAgent, TEST_PASSWORD, TEST_TOTP_SECRET, TestClock } from './web.ts';

/**
 * The real web app over a trust world (test/helpers/trust-world.ts) whose accounts can sign in
 * through the sign-in form: every account has TEST_PASSWORD, and those whose roles need a second
 * factor have TEST_TOTP_SECRET, so `Agent.signIn` works for all of them.
 */
export type TrustApp = Awaited<ReturnType<typeof createTrustApp>>;

export type AppUser = { id: string; email: string; partnershipId: string; organisationId: string };

export async function createTrustApp() {
  const database: TestDatabase = await createTestDatabase();
  const config = loadConfig({ DATA_DIR: 'memory://', COOKIE_SECRET: 'trust-app-secret-'.padEnd(40, 'x') });
  const clock = new TestClock();
  const { app, services } = await createWebApp(database, config, { logger: false, clock });
  const world: World = await buildTrustWorld(database.db);
  const passwordHash = await hash(TEST_PASSWORD);

  const enable = async (user: AppUser, roles: readonly Role[]) => {
    await database.db
      .updateTable('users')
      .set({ passwordHash })
      .where('partnershipId', '=', user.partnershipId)
      .where('id', '=', user.id)
      .execute();
    if (twoFactorRequired(roles))
      await services.twoFactor.enrolWithSecret(
        buildCtx(buildSystemActor(user.partnershipId)),
        user.partnershipId,
        user.id,
        TEST_TOTP_SECRET,
      );
  };
  for (const u of Object.values(world.users))
    await enable({ id: u.id, email: u.email, ...u.actor }, u.actor.roles);

  /** One more account that can sign in, in either of the world's partnerships. */
  const addUser = async (
    email: string,
    organisationId: string,
    roles: Role[],
    partnershipId = world.partnershipId,
  ): Promise<AppUser> => {
    const row = await database.db
      .insertInto('users')
      .values({
        partnershipId,
        email,
        displayName: email.split('@')[0]!,
        organisationId,
        roles,
        passwordHash,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const user = { id: row.id, email, partnershipId, organisationId };
    await enable(user, roles);
    return user;
  };

  /** An agent signed in as this account (password, then a TOTP code when the roles need one). */
  const signedIn = (email: string) => signedInAgent(app, clock, email);

  return {
    app,
    services,
    database,
    db: database.db,
    clock,
    world,
    addUser,
    signedIn,
    close: async () => {
      await app.close();
      await database.close();
    },
  };
}
