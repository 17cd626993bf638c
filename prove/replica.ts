import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { performance } from 'node:perf_hooks';
import type { Actor, Ctx } from '../src/common/context.ts';
import { addDays, londonDate } from '../src/common/plain-dates.ts';
import { createServices } from '../src/composition.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { seedDemo } from '../src/seed/demo.ts';
import { queryOne, ReplicaCluster } from './replica-cluster.ts';

/**
 * Read replicas for dashboards: a private primary PostgreSQL and a streaming replica of it on
 * loopback (see replica-cluster.ts). The replica is copied from the migrated, empty primary; the demo
 * partnership (REPLICA_CHILDREN children, default 300) is then seeded on the primary only, so every
 * row reaches the replica by streaming. Checks, each printed PASS or FAIL (exit code 1 on any FAIL):
 *
 * - the primary streams to the replica (pg_stat_replication), which is in recovery;
 * - the replica catches up (pg_last_wal_replay_lsn) and holds the same rows;
 * - the front-door dashboard's figures read on the replica equal those read on the primary, with the
 *   figures' audit event written on the primary (as the server does with DATABASE_READ_URL) and
 *   streamed back to the replica;
 * - the replica refuses writes: a write in its (read-only) transactions, and a read-write transaction.
 *
 * Both servers are stopped and their folder deleted at the end, on failure and on Ctrl-C.
 */

const CHILDREN = Number(process.env.REPLICA_CHILDREN ?? '300');
const CATCH_UP_MS = 30_000;
const DATABASE = 'wraparound';
const MANAGER = 'manager@northbridge.example';
const COUNTED = ['people', 'contacts', 'plans', 'audit_events'] as const;
const READ_ONLY = '25006';
/** REPLICA_STANDALONE=1 starts the copy without the standby settings: the checks must then fail. */
const STANDALONE = process.env.REPLICA_STANDALONE === '1';

let failed = false;
function check(ok: boolean, what: string) {
  if (!ok) failed = true;
  console.log(`${ok ? 'PASS' : 'FAIL'} ${what}`);
}

/** The SQLSTATE a statement fails with, or undefined when it succeeds. */
async function errorCode(work: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await work();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

async function main() {
  const started = performance.now();
  const seconds = () => ((performance.now() - started) / 1000).toFixed(1);
  const cluster = await ReplicaCluster.create();
  const stop = () => void cluster.destroy().finally(() => process.exit(130));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await queryOne(cluster.url('primary'), `create database ${DATABASE}`);
    const primary = await openDatabase({ kind: 'postgres', url: cluster.url('primary', DATABASE) });
    try {
      await migrateToLatest(primary.db);
      await cluster.startReplica(!STANDALONE);
      console.log(
        `replica: primary on 127.0.0.1:${cluster.primaryPort}, streaming replica on 127.0.0.1:${cluster.replicaPort} ` +
          `(${cluster.dir}), migrated and copied in ${seconds()} s`,
      );
      const config = loadConfig({ DATABASE_URL: cluster.url('primary', DATABASE), LOG_LEVEL: 'silent' });
      const services = createServices(primary.db, config);
      await seedDemo(primary.db, services.audit, { children: CHILDREN, seed: config.demo.seed });
      console.log(`seeded ${CHILDREN} demo children on the primary (${seconds()} s)`);

      const streaming = await queryOne<{ n: number; state: string | null }>(
        cluster.url('primary'),
        `select count(*)::int as n, min(state) as state from pg_stat_replication`,
      );
      check(
        streaming.n === 1 && streaming.state === 'streaming',
        `the primary streams to one replica (state ${streaming.state})`,
      );
      const recovery = await queryOne<{ on: boolean }>(
        cluster.url('replica'),
        'select pg_is_in_recovery() as on',
      );
      check(recovery.on, 'the replica is a standby in recovery');

      const caughtUp = await cluster.waitForCatchUp(CATCH_UP_MS);
      const count = `select ${COUNTED.map((t) => `(select count(*)::int from ${t}) as ${t}`).join(', ')}`;
      const onPrimary = await queryOne(cluster.url('primary', DATABASE), count);
      const onReplica = await queryOne(cluster.url('replica', DATABASE), count);
      check(
        isDeepStrictEqual(onPrimary, onReplica),
        `the replica caught up in ${caughtUp} ms and holds the same rows (${JSON.stringify(onReplica)})`,
      );

      const replica = await openDatabase({ kind: 'postgres', url: cluster.url('replica', DATABASE) });
      try {
        const user = await primary.db
          .selectFrom('users')
          .select(['id', 'partnershipId', 'organisationId', 'roles', 'displayName'])
          .where('email', '=', MANAGER)
          .executeTakeFirstOrThrow();
        const actor: Actor = {
          userId: user.id,
          partnershipId: user.partnershipId,
          organisationId: user.organisationId,
          roles: user.roles as Actor['roles'],
          displayName: user.displayName,
        };
        const ctx: Ctx = { actor, requestId: randomUUID(), now: new Date() };
        const today = londonDate(ctx.now);
        const period = { from: addDays(today, -89), to: today };
        const auditCount = `select count(*)::int as n from audit_events where action = 'aggregate.view'`;

        const fromPrimary = await services.frontDoorDashboard.figures(ctx, period);
        // As the server builds it when DATABASE_READ_URL names the replica.
        const onReplicaDashboard = createServices(primary.db, config, replica.db).frontDoorDashboard;
        const before = await queryOne<{ n: number }>(cluster.url('primary', DATABASE), auditCount);
        const fromReplica = await onReplicaDashboard.figures(ctx, period);
        const after = await queryOne<{ n: number }>(cluster.url('primary', DATABASE), auditCount);
        check(
          isDeepStrictEqual(fromReplica, fromPrimary) && (fromPrimary.received ?? 0) > 0,
          `the dashboard's figures read on the replica equal the primary's (${fromPrimary.received} contacts received from ${period.from} to ${period.to})`,
        );
        check(after.n === before.n + 1, 'the replica-read figures were audited once, on the primary');
        await cluster.waitForCatchUp(CATCH_UP_MS);
        const streamedBack = await queryOne<{ n: number }>(cluster.url('replica', DATABASE), auditCount);
        check(streamedBack.n === after.n, 'and that audit event streamed to the replica');

        const write = await errorCode(() =>
          replica.db
            .transaction()
            .execute((tx) =>
              tx.insertInto('partnerships').values({ name: 'Not here', slug: 'not-here' }).execute(),
            ),
        );
        check(write === READ_ONLY, `the replica refuses a write (SQLSTATE ${write ?? 'none: it wrote'})`);
        const readWrite = await errorCode(() =>
          replica.db
            .transaction()
            .setAccessMode('read write')
            .execute(async () => undefined),
        );
        check(
          readWrite !== undefined,
          `the replica refuses a read-write transaction (SQLSTATE ${readWrite ?? 'none'})`,
        );
      } finally {
        await replica.close();
      }
    } finally {
      await primary.close();
    }
  } finally {
    await cluster.destroy();
    console.log(`stopped both servers and deleted ${cluster.dir} (${seconds()} s in all)`);
  }
  if (failed) process.exitCode = 1;
}

await main();
