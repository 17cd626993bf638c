import fs from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { fuzzystrmatch } from '@electric-sql/pglite/contrib/fuzzystrmatch';
import { cube } from '@electric-sql/pglite/contrib/cube';
import { earthdistance } from '@electric-sql/pglite/contrib/earthdistance';
import { CamelCasePlugin, Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import lockfile from 'proper-lockfile';
import type { Config } from '../config.ts';
import { applyPartnershipScope } from './partnership-scope.ts';
import { PGliteDialect } from './pglite-dialect.ts';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;

/** An open database and how to close it (and, for PGlite, release the data folder). */
export type DatabaseHandle = {
  db: Db;
  engine: 'pglite' | 'postgres';
  /** Whether signed-in people's queries act as the restricted role (partnership-scope.ts). */
  rowSecurity?: boolean;
  /** A read replica that dashboards read from, when DATABASE_READ_URL names one. */
  readDb?: Db;
  close(): Promise<void>;
};

export class DatabaseOpenError extends Error {
  override name = 'DatabaseOpenError';
}

const DATE_OID = 1082;
const INT8_OID = 20;
/** Plain dates stay 'YYYY-MM-DD' strings (no time-zone shift); bigint counts become numbers. */
const parsers = { [DATE_OID]: (v: string) => v, [INT8_OID]: (v: string) => Number(v) };

const pgTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === DATE_OID || oid === INT8_OID
      ? parsers[oid]
      : (pg.types.getTypeParser(oid, format ?? 'text') as (
          value: string,
        ) => unknown)) as pg.CustomTypesConfig['getTypeParser'],
};

const plugins = [new CamelCasePlugin()];

/** What every PGlite instance needs: the extensions the migrations use and the type parsers above. */
// Order matters: with cube loaded after pg_trgm, PGlite's trigram operator silently stops matching.
export const pgliteOptions = { extensions: { cube, earthdistance, pg_trgm, fuzzystrmatch }, parsers };

/** A handle over a PGlite client that is already open (tests start theirs from a dumped data folder). */
export function pgliteHandle(client: PGlite, afterClose?: () => Promise<void>): DatabaseHandle {
  const db = new Kysely<Database>({ dialect: new PGliteDialect(client), plugins });
  return {
    db,
    engine: 'pglite',
    close: async () => {
      // Kysely's destroy() skips a driver that never ran a query, so close the client here too.
      await db.destroy();
      if (!client.closed) await client.close();
      await afterClose?.();
    },
  };
}

export async function openDatabase(config: Config['database']): Promise<DatabaseHandle> {
  if (config.kind === 'pglite') return openPGlite(config.dataDir);
  const rowSecurity = config.rowSecurity ?? false;
  const primary = await openPostgres(config.url, rowSecurity);
  if (!config.readUrl) return primary;
  const replica = await openPostgres(config.readUrl, rowSecurity, 'DATABASE_READ_URL').catch(
    async (error: unknown) => {
      await primary.close();
      throw error;
    },
  );
  return {
    ...primary,
    readDb: replica.db,
    close: async () => {
      await primary.close();
      await replica.close();
    },
  };
}

/** With `rowSecurity`, connections taken for a signed-in person act as the restricted role (partnership-scope.ts). */
async function openPostgres(
  url: string,
  rowSecurity: boolean,
  setting = 'DATABASE_URL',
): Promise<DatabaseHandle> {
  const pool = new pg.Pool({ connectionString: url, max: 10, types: pgTypes });
  // An idle connection the server closes (restart, failover, an administrator) is dropped from the
  // pool and replaced on next use; with no listener its 'error' event would crash the process.
  pool.on('error', () => {});
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end();
    throw new DatabaseOpenError(
      `Setting ${setting}: cannot reach the database (${(error as Error).message})`,
    );
  }
  const scopedPool = rowSecurity
    ? {
        connect: async () => {
          const client = await pool.connect();
          try {
            await applyPartnershipScope(client);
          } catch (error) {
            client.release(error as Error);
            throw error;
          }
          return client;
        },
        end: () => pool.end(),
      }
    : pool;
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: scopedPool }), plugins });
  const close = async () => {
    // Kysely's destroy() skips a driver that never ran a query, which would leave the pool open.
    await db.destroy();
    if (!pool.ending) await pool.end();
  };
  return { db, engine: 'postgres', rowSecurity, close };
}

/**
 * PGlite keeps its data in a folder that exactly one process may open: a lock file guards it, and a
 * second process is refused with a message that says so. A `memory://` folder is for tests.
 */
async function openPGlite(dataDir: string): Promise<DatabaseHandle> {
  let unlock: (() => Promise<void>) | undefined;
  if (!dataDir.startsWith('memory://')) {
    await fs.mkdir(dataDir, { recursive: true });
    unlock = await lockDataDir(dataDir);
  }
  const client = await PGlite.create({
    ...(dataDir.startsWith('memory://') ? {} : { dataDir }),
    ...pgliteOptions,
  });
  return pgliteHandle(client, unlock);
}

/** Takes the data folder's lock (backup and restore hold it too); resolves to its release. */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  try {
    return await lockfile.lock(dataDir, { lockfilePath: `${dataDir}/.wraparound.lock`, stale: 15_000 });
  } catch {
    throw new DatabaseOpenError(
      `The embedded database in ${dataDir} is already open in another Wraparound process. ` +
        'Stop that process first, or set DATA_DIR to another folder.',
    );
  }
}
