import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import pg from 'pg';
import { createScratchDatabase } from '../e2e/support/scratch-database.ts';
import type { Actor, Ctx } from '../src/common/context.ts';
import { createServices } from '../src/composition.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase, type Db, type Tx } from '../src/db/database.ts';
import { tokenHash } from '../src/modules/access/access.sessions.ts';
import { AuditService, type AuditEntry } from '../src/modules/audit/index.ts';
import { FrontDoorService, seedFrontDoor } from '../src/modules/referrals/index.ts';
import { ContactInput } from '../src/modules/referrals/referrals.schemas.ts';
import { DEMO_SLUG } from '../src/seed/demo.ts';
import { contactInput } from './contact-input.ts';
import { startTargets, tell } from './http-run.ts';
import { header, load, percentile, report } from './measure.ts';
import { signIn } from './sign-in.ts';

/**
 * The front door on PostgreSQL, with the demo partnership (BENCH_CHILDREN children and its year of
 * contacts) in a fresh database on the server named by DATABASE_URL (dropped at the end):
 *
 * - queue: BENCH_OPEN more open contacts (default 5,000, received over the last fortnight), then
 *   GET /front-door (the queue page: the first 50 by due time, the counts, the audit event) as a
 *   front-door worker, one request at a time and then with BENCH_QUEUE_CONNECTIONS at once;
 * - create: FrontDoorService.create in this process, as a practitioner (access check, the sector's
 *   questions, the child's basis when named from the index, settings, the working-day deadline, the
 *   idempotency key, the contact, its history row and the hash-chained audit event), each call with
 *   its own idempotency key, BENCH_CONCURRENCY at once for BENCH_SECONDS after a warm-up;
 * - http: the same through POST /api/contacts on the server, with an API token for the practitioner.
 *
 * Each prints the requests made, per second, and the median, p95 and p99 latency. Any error fails the
 * benchmark (exit code 1). BENCH_SECTIONS picks sections (default "queue,create,http").
 */

const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const CHILDREN = process.env.BENCH_CHILDREN ?? '20000';
const OPEN = Number(process.env.BENCH_OPEN ?? '5000');
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? '24');
const SECONDS = Number(process.env.BENCH_SECONDS ?? '20');
const QUEUE_SECONDS = Number(process.env.BENCH_QUEUE_SECONDS ?? '10');
const QUEUE_CONNECTIONS = Number(process.env.BENCH_QUEUE_CONNECTIONS ?? '4');
const WARM_UP_SECONDS = 3;
const PRACTITIONER = process.env.BENCH_PRACTITIONER ?? 'teacher@northbridge.example';
const WORKER = process.env.BENCH_WORKER ?? 'frontdoor@northbridge.example';
const SECTIONS = new Set((process.env.BENCH_SECTIONS ?? 'queue,create,http').split(','));
/** Share of created contacts that name a child the practitioner is involved with (the gate is asked). */
const NAMED_SHARE = 0.25;
const TARGETS = { createPerSecond: 300, createP99: 100, queueP95: 150 };

async function practitionerActor(db: Db, partnershipId: string, email: string): Promise<Actor> {
  const user = await db
    .selectFrom('users')
    .select(['id', 'organisationId', 'roles', 'displayName'])
    .where('partnershipId', '=', partnershipId)
    .where('email', '=', email)
    .executeTakeFirstOrThrow();
  return {
    userId: user.id,
    partnershipId,
    organisationId: user.organisationId,
    roles: user.roles as Actor['roles'],
    displayName: user.displayName,
  };
}

/** Children the practitioner is involved with in their own name today: they may name them from the index. */
async function involvedChildren(db: Db, partnershipId: string, userId: string) {
  const rows = await db
    .selectFrom('involvements as i')
    .innerJoin('people as p', (j) =>
      j.onRef('p.partnershipId', '=', 'i.partnershipId').onRef('p.id', '=', 'i.personId'),
    )
    .select('i.personId')
    .distinct()
    .where('i.partnershipId', '=', partnershipId)
    .where('i.userId', '=', userId)
    .where('i.endedAt', 'is', null)
    .where('i.startedAt', '<=', new Date())
    .where('p.sealedAt', 'is', null)
    .orderBy('i.personId')
    .execute();
  return rows.map((r) => r.personId);
}

/**
 * An audit that does what the chained one does but take the partnership's chain lock: it reads the
 * chain's last event and writes its own row (to a table only the benchmark has), in the caller's
 * transaction. The difference from the real audit is the lock and the wait for it.
 */
class UnchainedAudit extends AuditService {
  override async record(tx: Tx, ctx: Ctx, entry: AuditEntry): Promise<void> {
    const partnershipId = ctx.actor.partnershipId!;
    await tx
      .selectFrom('auditEvents')
      .select(['seq', 'hash'])
      .where('partnershipId', '=', partnershipId)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    await sql`insert into bench_audit_events (partnership_id, action, detail, at)
      values (${partnershipId}, ${entry.action}, ${JSON.stringify(entry.detail ?? {})}, ${ctx.now})`.execute(
      tx,
    );
  }
}

/** Counts statements sent by every pg client in this process (BEGIN and COMMIT included). */
let statements = 0;
const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  statements += 1;
  return query.apply(this, args);
} as typeof pg.Client.prototype.query;

async function main() {
  const scratch = await createScratchDatabase(SERVER_URL, 'wa_bench_contacts');
  let child: ChildProcess | undefined;
  const handle = await openDatabase({ kind: 'postgres', url: scratch.url }).catch(async (error) => {
    await scratch.drop();
    throw error;
  });
  try {
    const started = performance.now();
    const targets = await startTargets(scratch.url, { DEMO_CHILDREN: CHILDREN });
    child = targets.child;
    const { appUrl, password } = targets.ready;
    const db = handle.db;
    const services = createServices(db, loadConfig({ DATA_DIR: 'memory://' }));
    const { id: partnershipId } = await db
      .selectFrom('partnerships')
      .select('id')
      .where('slug', '=', DEMO_SLUG)
      .executeTakeFirstOrThrow();
    const year = await db
      .selectFrom('contacts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    console.log(
      `contacts bench: node ${process.version}, ${os.cpus().length} CPUs, load ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}, PostgreSQL database ${scratch.name}, ${CHILDREN} demo children with ` +
        `${year.n} contacts over the year (ready in ${((performance.now() - started) / 1000).toFixed(0)} s)`,
    );

    if (SECTIONS.has('queue')) {
      const seeded = performance.now();
      await seedFrontDoor(db, partnershipId, {
        now: new Date(),
        seed: 5,
        contacts: OPEN,
        open: OPEN,
        days: 14,
      });
      await sql`analyze`.execute(db);
      const open = await db
        .selectFrom('contacts')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '<>', 'decided')
        .executeTakeFirstOrThrow();
      console.log(
        `\nqueue: ${open.n} open contacts (${OPEN} added in ${((performance.now() - seeded) / 1000).toFixed(1)} s); ` +
          `GET /front-door as ${WORKER}, ${WARM_UP_SECONDS} s warm-up, then ${QUEUE_SECONDS} s with 1 and ` +
          `${QUEUE_CONNECTIONS} connections`,
      );
      const cookie = await signIn(appUrl, WORKER, password);
      const url = new URL('/front-door', appUrl);
      const get = async () => {
        const response = await fetch(url, { headers: { cookie } });
        const html = await response.text();
        if (response.status !== 200 || !html.includes('/contacts/'))
          throw new Error(`GET /front-door answered ${response.status} without contacts`);
      };
      await get();
      await load(get, 1, WARM_UP_SECONDS);
      header();
      const one = await load(get, 1, QUEUE_SECONDS);
      report('queue, 1 connection', one);
      const many = await load(get, QUEUE_CONNECTIONS, QUEUE_SECONDS);
      report(`queue, ${QUEUE_CONNECTIONS} connections`, many);
      const p95 = percentile(one.latencies, 95);
      console.log(
        `queue p95 ${p95.toFixed(1)} ms one at a time (target < ${TARGETS.queueP95} ms, ${p95 < TARGETS.queueP95 ? 'met' : 'NOT met'})`,
      );
    }

    const actor = await practitionerActor(db, partnershipId, PRACTITIONER);
    const named = await involvedChildren(db, partnershipId, actor.userId);
    if (SECTIONS.has('create')) {
      console.log(
        `\ncreate: FrontDoorService.create as ${PRACTITIONER} (${named.length} children they may name; ` +
          `${NAMED_SHARE * 100}% of contacts name one), ${CONCURRENCY} at once through a pool of 10 ` +
          `connections, ${WARM_UP_SECONDS} s warm-up then ${SECONDS} s; the baseline is the same service ` +
          `with an audit that reads the chain's last event and writes its row elsewhere, without the ` +
          `chain lock`,
      );
      await sql`create table bench_audit_events (partnership_id uuid not null, action text not null,
        detail jsonb not null, at timestamptz not null)`.execute(db);
      const unchained = new FrontDoorService(
        db,
        new UnchainedAudit(db),
        services.access,
        services.gate,
        services.personIndex,
        services.involvements,
      );
      const ctx = (): Ctx => ({ actor, requestId: randomUUID(), now: new Date() });
      // Parsed beforehand, as the route would have: the service is what is timed.
      const inputs = Array.from({ length: 1000 }, (_, i) =>
        ContactInput.parse(contactInput(i, named, NAMED_SHARE)),
      );
      const creating = (service: FrontDoorService) => async (i: number) => {
        await service.create(ctx(), inputs[i % inputs.length]!, { idempotencyKey: randomUUID() });
      };
      await load(creating(unchained), CONCURRENCY, WARM_UP_SECONDS);
      await load(creating(services.frontDoor), CONCURRENCY, WARM_UP_SECONDS);
      header();
      const baseline = await load(creating(unchained), CONCURRENCY, SECONDS);
      report('baseline (no chain lock)', baseline);
      statements = 0;
      const stats = await load(creating(services.frontDoor), CONCURRENCY, SECONDS);
      report('create (service)', stats);
      console.log(`statements per creation: ${(statements / Math.max(1, stats.requests)).toFixed(1)}`);
      const rate = stats.requests / stats.seconds;
      const p99 = percentile(stats.latencies, 99);
      console.log(
        `create ${rate.toFixed(0)}/s (target ≥ ${TARGETS.createPerSecond}, ${rate >= TARGETS.createPerSecond ? 'met' : 'NOT met'}); ` +
          `p99 ${p99.toFixed(1)} ms (target < ${TARGETS.createP99} ms, ${p99 < TARGETS.createP99 ? 'met' : 'NOT met'}); ` +
          `ratio create/baseline ${(rate / (baseline.requests / baseline.seconds)).toFixed(2)}`,
      );
    }

    if (SECTIONS.has('http')) {
      const token = `wra_bench${randomUUID().replaceAll('-', '')}`;
      await db
        .insertInto('apiTokens')
        .values({
          partnershipId,
          userId: actor.userId,
          name: 'contacts bench',
          tokenSha256: tokenHash(token),
          createdBy: null,
          createdAt: new Date(),
        })
        .execute();
      console.log(
        `\nhttp: POST /api/contacts with an API token for ${PRACTITIONER}, ${CONCURRENCY} at once, ` +
          `${WARM_UP_SECONDS} s warm-up then ${SECONDS} s`,
      );
      const url = new URL('/api/contacts', appUrl);
      const post = async (i: number) => {
        const response = await fetch(url, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            'idempotency-key': randomUUID(),
          },
          body: JSON.stringify(contactInput(i, named, NAMED_SHARE)),
        });
        const body = await response.text();
        if (response.status !== 201)
          throw new Error(`POST /api/contacts answered ${response.status}: ${body}`);
      };
      await load(post, CONCURRENCY, WARM_UP_SECONDS);
      header();
      report('create (POST /api/contacts)', await load(post, CONCURRENCY, SECONDS));
    }
  } finally {
    if (child) await tell(child, { command: 'stop' });
    await handle.close();
    await scratch.drop();
  }
}

await main();
