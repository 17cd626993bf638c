import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { FastifyServerOptions } from 'fastify';
import type { Config } from './config.ts';
import { systemClock, type Clock } from './common/clock.ts';
import type { Db, DatabaseHandle } from './db/database.ts';
import { AccessService, SessionService } from './modules/access/index.ts';
import { AuditService } from './modules/audit/index.ts';
import { createApp } from './web/app.ts';
import { loggerOptions } from './logging.ts';

/** The only place objects are built: database, then services, then the web app. */

export type Services = {
  db: Db;
  audit: AuditService;
  access: AccessService;
  sessions: SessionService;
};

export function createServices(db: Db, config: Pick<Config, 'session' | 'signIn'>): Services {
  const audit = new AuditService(db);
  return {
    db,
    audit,
    access: new AccessService(db, audit),
    sessions: new SessionService(db, audit, {
      idleMinutes: config.session.idleMinutes,
      absoluteHours: config.session.absoluteHours,
      maxFailures: config.signIn.maxFailures,
      lockoutMinutes: config.signIn.lockoutMinutes,
    }),
  };
}

/** The cookie-signing secret: from settings, or made once and kept in the database across restarts. */
export async function cookieSecret(db: Db, configured: string | undefined): Promise<string> {
  if (configured) return configured;
  const candidate = randomBytes(32).toString('base64url');
  await db
    .insertInto('instanceSettings')
    .values({ key: 'cookie_secret', value: candidate })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const row = await db
    .selectFrom('instanceSettings')
    .select('value')
    .where('key', '=', 'cookie_secret')
    .executeTakeFirstOrThrow();
  return row.value;
}

export async function createWebApp(
  handle: DatabaseHandle,
  config: Config,
  options: { logger?: FastifyServerOptions['logger']; clock?: Clock; demo?: boolean } = {},
) {
  const services = createServices(handle.db, config);
  const app = await createApp(
    {
      access: services.access,
      audit: services.audit,
      sessions: services.sessions,
      databaseReachable: async () => {
        await sql`select 1`.execute(handle.db);
        return true;
      },
    },
    {
      cookieSecret: await cookieSecret(handle.db, config.cookieSecret),
      secureCookies: config.secureCookies,
      trustProxy: config.trustProxy,
      logger: options.logger ?? loggerOptions(config.logLevel),
      clock: options.clock ?? systemClock,
      demo: options.demo ?? false,
    },
  );
  return { app, services };
}
