import fs from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { setTimeout } from 'node:timers/promises';
import Fastify, { type FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { NotFoundError } from '../src/common/errors.ts';
import { createServices, type Services } from '../src/composition.ts';
import type { Db } from '../src/db/database.ts';
import { startServer } from '../src/main.ts';
import { seedDemo } from '../src/seed/demo.ts';

/**
 * The servers under test, in a process of their own so the load generator does not share their CPU:
 * the application with a demo partnership on the database in DATABASE_URL, and a bare Fastify route
 * in the same process as a baseline. Tells the parent where they listen; on the parent's word it
 * records a CPU profile (of one measured run only, not start-up or the other target), counts the
 * database round trips made since it last asked, reports its memory, and stops.
 *
 * BENCH_DB_BASELINE=1 adds a route of the benchmark's own to the application (never to the product):
 * GET /bench/baseline/:personId, behind the same session check as every page, selects the person and
 * inserts a row into a table only the benchmark has, in one transaction.
 */

export type TargetsCommand =
  | { command: 'stop' }
  | { command: 'profile-start' }
  | { command: 'profile-stop'; file: string }
  | { command: 'count-queries' }
  | { command: 'memory' };

/** The answer to count-queries: statements (BEGIN and COMMIT included) sent since the last count. */
export type QueryCount = { queries: number };

/**
 * The answer to memory, in bytes: after a full garbage collection when the process runs with
 * --expose-gc (what is still held, not garbage waiting to be collected).
 */
export type MemorySample = { rss: number; heapUsed: number; external: number };

export type TargetsReady = {
  appUrl: string;
  bareUrl: string;
  accounts: { email: string; name: string }[];
  password: string;
};

const config = loadConfig({
  ...process.env,
  PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
});
const dbBaseline = process.env.BENCH_DB_BASELINE === '1';

let queries = 0;
const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  queries += 1;
  return query.apply(this, args);
} as typeof pg.Client.prototype.query;

async function createBenchTable(db: Db) {
  await sql`create table if not exists bench_writes (
    id bigint generated always as identity primary key,
    partnership_id uuid not null,
    person_id uuid not null,
    user_id uuid not null,
    at timestamptz not null default now()
  )`.execute(db);
}

function addBaselineRoute(app: FastifyInstance, { db }: Services) {
  app.get('/bench/baseline/:personId', { config: { access: 'signed-in' } }, async (request) => {
    const { personId } = request.params as { personId: string };
    const actor = request.actor;
    if (!actor) throw new Error('The session check lets only signed-in people through');
    const person = await db.transaction().execute(async (tx) => {
      const row = await tx
        .selectFrom('people')
        .selectAll()
        .where('partnershipId', '=', actor.partnershipId)
        .where('id', '=', personId)
        .executeTakeFirst();
      if (!row) throw new NotFoundError('Person');
      await sql`insert into bench_writes (partnership_id, person_id, user_id)
        values (${actor.partnershipId}, ${row.id}, ${actor.userId})`.execute(tx);
      return row;
    });
    return `${person.givenName ?? ''} ${person.familyName}`;
  });
}

let seeded: Pick<TargetsReady, 'accounts' | 'password'> = { accounts: [], password: '' };
const app = await startServer(config, {
  demo: true,
  beforeListen: async (handle) => {
    const { audit } = createServices(handle.db, config);
    seeded = await seedDemo(handle.db, audit, { children: config.demo.children, seed: config.demo.seed });
    if (dbBaseline) await createBenchTable(handle.db);
  },
  ...(dbBaseline ? { extendApp: addBaselineRoute } : {}),
});

const bare = Fastify();
bare.get('/', async () => 'hello');
const bareUrl = await bare.listen({ port: 0, host: '127.0.0.1' });

const ready: TargetsReady = {
  appUrl: app.url,
  bareUrl,
  accounts: seeded.accounts,
  password: seeded.password,
};
process.send?.(ready);

const inspector = new Session();
inspector.connect();

async function obey(message: TargetsCommand): Promise<void> {
  switch (message.command) {
    case 'profile-start':
      await inspector.post('Profiler.enable');
      await inspector.post('Profiler.start');
      break;
    case 'profile-stop': {
      const { profile } = await inspector.post('Profiler.stop');
      await fs.writeFile(message.file, JSON.stringify(profile));
      break;
    }
    case 'count-queries': {
      const count: QueryCount = { queries };
      queries = 0;
      process.send?.(count);
      return;
    }
    case 'memory': {
      globalThis.gc?.();
      const { rss, heapUsed, external } = process.memoryUsage();
      const sample: MemorySample = { rss, heapUsed, external };
      process.send?.(sample);
      return;
    }
    case 'stop':
      // Requests whose client has gone may still be running: give them time to finish before the
      // database closes under them (app.stop() does not wait for them).
      await setTimeout(1000);
      await Promise.all([app.stop(), bare.close()]);
      process.exit(0);
  }
  process.send?.({ done: message.command });
}

process.on('message', (message: TargetsCommand) => void obey(message));
