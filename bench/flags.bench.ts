import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { createScratchDatabase } from '../e2e/support/scratch-database.ts';
import { createServices } from '../src/composition.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase, type Db } from '../src/db/database.ts';
import { DEMO_SLUG } from '../src/seed/demo.ts';
import { startTargets, tell } from './http-run.ts';
import type { QueryCount } from './http-targets.ts';
import { header, load, percentile, report as reportClosed } from './measure.ts';

/**
 * The flag check by NHS number through the FHIR API, on PostgreSQL, at a steady rate: the demo
 * partnership (BENCH_CHILDREN children, its plans among them) in a fresh database on the server named
 * by DATABASE_URL (dropped at the end), and an API token for the demo's emergency-department
 * clinician. Requests are sent open-loop, BENCH_RATE a second for BENCH_SECONDS (after a warm-up),
 * whatever the answers' speed, each for one of the children's NHS numbers in turn (half with a flag,
 * half without). Each is a whole check: token, lookup, the check kept, the lead professional told,
 * the hash-chained audit event.
 *
 * First, closed loops (one check at a time, then 10 at once: the database pool) show what a check
 * costs alone and how many a second the server manages.
 *
 * Latency is measured from the moment a request was due, not when it got a socket, so a slow answer
 * delaying the next ones counts against the figures (no coordinated omission). Prints p50, p95, p99
 * and the maximum, the rate achieved, errors (any answer but a 200 Bundle), and the statements each
 * check sends to the database.
 */

const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const CHILDREN = process.env.BENCH_CHILDREN ?? '20000';
const RATE = Number(process.env.BENCH_RATE ?? '500');
const SECONDS = Number(process.env.BENCH_SECONDS ?? '20');
const WARM_UP_SECONDS = 3;
const CLOSED_SECONDS = 5;
/** The server's database pool: more requests at once only queue for a connection. */
const CONNECTIONS = 10;
const CLINICIAN = 'ed.clinician@northbridge.example';
const NHS_SYSTEM = 'https://fhir.nhs.uk/Id/nhs-number';
const TARGET_P99_MS = 20;

/** NHS numbers of the demo's children: those with a flag (current, or ended within 12 months) and as many without. */
async function nhsNumbers(db: Db, partnershipId: string) {
  const { rows } = await sql<{ value: string; flagged: boolean }>`
    select distinct on (l.person_id) i.value,
      exists (select 1 from plan_children c
        join plan_stages s on s.partnership_id = c.partnership_id and s.plan_id = c.plan_id
          and s.kind in ('child_protection', 'looked_after')
        where c.partnership_id = p.partnership_id and c.person_id = p.id
          and (s.ended_on is null or s.ended_on >= current_date - interval '12 months')) as flagged
    from source_record_identifiers i
    join record_links l on l.partnership_id = i.partnership_id and l.source_record_id = i.source_record_id
      and l.status in ('auto_linked', 'confirmed') and l.ended_at is null
    join people p on p.partnership_id = l.partnership_id and p.id = l.person_id and p.kind = 'child'
      and p.sealed_at is null
    where i.partnership_id = ${partnershipId} and i.system = 'nhs'
    order by l.person_id`.execute(db);
  const flagged = rows.filter((r) => r.flagged).map((r) => r.value);
  const unflagged = rows.filter((r) => !r.flagged).map((r) => r.value);
  if (flagged.length === 0) throw new Error('No child of the demo with an NHS number has a flag');
  return { flagged, unflagged: unflagged.slice(0, flagged.length), linked: rows.length };
}

type Run = { sent: number; latencies: number[]; errors: number; seconds: number; firstError?: string };

/** One check over a kept-alive connection; throws unless it answers 200 with a Bundle. */
function checkOnce(target: Target, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const { url, headers, agent } = target;
    const request = http.get({ host: url.hostname, port: url.port, path, headers, agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        if (response.statusCode === 200 && body.startsWith('{"resourceType":"Bundle"')) resolve();
        else reject(new Error(`${response.statusCode}: ${body.slice(0, 200)}`));
      });
    });
    request.on('error', reject);
  });
}

type Target = { url: URL; headers: Record<string, string>; agent: http.Agent; paths: string[] };

/**
 * Sends GET `paths[i]` at `rate` a second for `seconds`, open-loop: a request is sent when due even
 * if earlier ones have not answered. Answers with each request's latency from when it was due.
 */
async function steady(target: Target, rate: number, seconds: number): Promise<Run> {
  const run: Run = { sent: 0, latencies: [], errors: 0, seconds };
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  const started = performance.now();
  const pending = new Set<Promise<void>>();
  const send = (i: number, due: number) => {
    const done = checkOnce(target, target.paths[i % target.paths.length]!).then(
      () => void run.latencies.push(performance.now() - due),
      (error: Error) => {
        run.errors += 1;
        run.firstError ??= error.message;
      },
    );
    pending.add(done);
    void done.then(() => pending.delete(done));
  };
  while (run.sent < total) {
    const now = performance.now();
    while (run.sent < total && started + run.sent * interval <= now) {
      send(run.sent, started + run.sent * interval);
      run.sent += 1;
    }
    await sleep(1);
  }
  await Promise.all(pending);
  run.seconds = (performance.now() - started) / 1000;
  return run;
}

function report(label: string, run: Run) {
  const p = (q: number) => percentile(run.latencies, q).toFixed(1);
  const max = run.latencies.reduce((m, v) => Math.max(m, v), 0).toFixed(1);
  console.log(
    `${label}: ${run.sent} sent, ${run.latencies.length} answered in ${run.seconds.toFixed(1)} s ` +
      `(${(run.latencies.length / run.seconds).toFixed(0)} per s); p50 ${p(50)} ms, p95 ${p(95)} ms, ` +
      `p99 ${p(99)} ms, max ${max} ms; errors ${run.errors}` +
      (run.firstError ? ` (first: ${run.firstError})` : ''),
  );
  if (run.errors > 0) process.exitCode = 1;
}

async function main() {
  const scratch = await createScratchDatabase(SERVER_URL, 'wa_bench_flags');
  let child: ChildProcess | undefined;
  const handle = await openDatabase({ kind: 'postgres', url: scratch.url }).catch(async (error) => {
    await scratch.drop();
    throw error;
  });
  try {
    const started = performance.now();
    const targets = await startTargets(scratch.url, { DEMO_CHILDREN: CHILDREN });
    child = targets.child;
    const db = handle.db;
    const { id: partnershipId } = await db
      .selectFrom('partnerships')
      .select('id')
      .where('slug', '=', DEMO_SLUG)
      .executeTakeFirstOrThrow();
    const numbers = await nhsNumbers(db, partnershipId);
    const clinician = await db
      .selectFrom('users')
      .select('id')
      .where('partnershipId', '=', partnershipId)
      .where('email', '=', CLINICIAN)
      .executeTakeFirstOrThrow();
    const services = createServices(db, loadConfig({ ...process.env, DATABASE_URL: scratch.url }));
    const system = { actor: { system: 'flag bench', partnershipId }, requestId: 'bench', now: new Date() };
    const { token } = await services.apiTokens.issue(system, clinician.id, { name: 'Flag bench' });
    await sql`analyze`.execute(db);
    console.log(
      `flags bench: node ${process.version}, ${os.cpus().length} CPUs, load ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}, PostgreSQL database ${scratch.name}, ${CHILDREN} demo children, ` +
        `${numbers.linked} with an NHS number in the index, ${numbers.flagged.length} of them flagged ` +
        `(ready in ${((performance.now() - started) / 1000).toFixed(0)} s)`,
    );

    const url = new URL(targets.ready.appUrl);
    const headers = { authorization: `Bearer ${token}`, accept: 'application/fhir+json' };
    const path = (nhs: string) =>
      `/fhir/Flag?patient:identifier=${encodeURIComponent(`${NHS_SYSTEM}|${nhs}`)}`;
    const paths = numbers.flagged.flatMap((nhs, i) => [
      path(nhs),
      path(numbers.unflagged[i] ?? numbers.flagged[0]!),
    ]);
    const first = await fetch(new URL(paths[0]!, url), { headers });
    const bundle = (await first.json()) as { resourceType?: string; total?: number };
    if (first.status !== 200 || bundle.resourceType !== 'Bundle' || !bundle.total)
      throw new Error(`The first check answered ${first.status}: ${JSON.stringify(bundle)}`);

    // Closed loops first: the time one check takes alone, and how many a second the server can do.
    const target: Target = {
      url,
      headers,
      agent: new http.Agent({ keepAlive: true, maxSockets: 256 }),
      paths,
    };
    const get = (i: number) => checkOnce(target, paths[i % paths.length]!);
    console.log(`\nclosed loop (the next check when one answers), ${CLOSED_SECONDS} s each:`);
    header();
    await load(get, 1, WARM_UP_SECONDS);
    reportClosed('one at a time', await load(get, 1, CLOSED_SECONDS));
    reportClosed(`${CONNECTIONS} at once`, await load(get, CONNECTIONS, CLOSED_SECONDS));

    console.log(
      `\nsteady rate: GET /fhir/Flag by NHS number as ${CLINICIAN} (API token), ${paths.length} numbers ` +
        `in turn, ${RATE} per s: ${WARM_UP_SECONDS} s warm-up, then ${SECONDS} s`,
    );
    await steady(target, RATE, WARM_UP_SECONDS);
    const checksBefore = await countChecks(db);
    await tell(child, { command: 'count-queries' });
    const cpuBefore = cpuSeconds(child.pid!);
    const run = await steady(target, RATE, SECONDS);
    target.agent.destroy();
    const cpu = cpuSeconds(child.pid!);
    const { queries } = (await tell(child, { command: 'count-queries' })) as QueryCount;
    report('flag check', run);
    const kept = (await countChecks(db)) - checksBefore;
    console.log(
      `${(queries / run.sent).toFixed(1)} statements per check (token, lookup, settings, organisation; ` +
        `the write's share of its group transaction); ${kept} children's checks kept for ${run.sent} requests`,
    );
    const perCheck = (seconds: number) => `${((seconds / run.sent) * 1000).toFixed(2)} ms`;
    console.log(
      `CPU per check: server process ${perCheck(cpu.server - cpuBefore.server)}, load generator ` +
        `${perCheck(cpu.self - cpuBefore.self)}, PostgreSQL and everything else on the machine ` +
        `${perCheck(cpu.machine - cpuBefore.machine - (cpu.server - cpuBefore.server) - (cpu.self - cpuBefore.self))} ` +
        `(at ${RATE} per s, ${os.cpus().length} CPUs give ${((os.cpus().length / RATE) * 1000).toFixed(1)} ms per check)`,
    );
    const p99 = percentile(run.latencies, 99);
    console.log(
      `p99 ${p99.toFixed(1)} ms at ${RATE} per s (target < ${TARGET_P99_MS} ms, ${p99 < TARGET_P99_MS ? 'met' : 'NOT met'})`,
    );
  } finally {
    if (child) await tell(child, { command: 'stop' });
    await handle.close();
    await scratch.drop();
  }
}

/** CPU seconds used so far: by the server process, by this one, and by the whole machine (Linux /proc). */
function cpuSeconds(serverPid: number) {
  const ticks = 100; // USER_HZ
  const stat = readFileSync(`/proc/${serverPid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const server = (Number(fields[11]) + Number(fields[12])) / ticks;
  const usage = process.cpuUsage();
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.split(/\s+/).slice(1).map(Number);
  // user, nice, system, irq, softirq, steal: busy time; idle and iowait are not.
  const machine = (cpu[0]! + cpu[1]! + cpu[2]! + cpu[5]! + cpu[6]! + cpu[7]!) / ticks;
  return { server, self: (usage.user + usage.system) / 1e6, machine };
}

async function countChecks(db: Db) {
  const row = await db
    .selectFrom('flagChecks')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

await main();
