import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { createServices } from '../src/composition.ts';
import { openDatabase, type DatabaseHandle } from '../src/db/database.ts';
import { checkAfterRestart, type Loss } from './crash-check.ts';
import { PrivatePostgres, type Durability } from './crash-postgres.ts';
import {
  Browser,
  driveWrites,
  Ledger,
  resendSignal,
  sendContact,
  signInWriters,
  type RoundWork,
  type Writers,
} from './crash-writes.ts';

/**
 * The crash harness (`npm run prove:crash`). On a PostgreSQL server of its own it seeds a small demo
 * partnership, then, KILLS times: starts the Wraparound server, drives concurrent writes through
 * HTTP, and at a random moment kills the server with SIGKILL (and in some rounds crashes PostgreSQL
 * too). After each restart it sends the unanswered and some answered writes again with their
 * idempotency keys, and checks that every acknowledged write is there, that nothing is half-written
 * and that the audit chain verifies. Exit 1 on any loss.
 *
 * CRASH_UNSAFE=1 runs PostgreSQL with synchronous_commit=off and crashes it every round: the
 * harness must then find losses (exit 0 only if it does), which proves it can fail.
 */

const KILLS = Number(process.env.KILLS ?? 50);
const durability: Durability = process.env.CRASH_UNSAFE === '1' ? 'unsafe' : 'safe';
const CHILDREN = Number(process.env.DEMO_CHILDREN ?? 200);
/** The longest a round drives writes before the kill, in ms; the kill comes at a random moment before it. */
const MAX_DRIVE_MS = Number(process.env.CRASH_MAX_DRIVE_MS ?? 3000);
const COOKIE_SECRET = 'crash-harness-cookie-secret-'.padEnd(40, 'x');
const DEMO_PASSWORD = 'northbridge-demo';

let postgres: PrivatePostgres | undefined;
let server: ChildProcess | undefined;

/** Whatever happens, the private PostgreSQL stops and its folder goes. */
async function cleanUp() {
  server?.kill('SIGKILL');
  await postgres?.destroy();
  postgres = undefined;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => void cleanUp().finally(() => process.exit(130)));

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** `wraparound <args>` in a process of its own, so SIGKILL takes it down at once. */
function cli(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    env: { ...process.env, LOG_LEVEL: 'warn', COOKIE_SECRET, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function seed(databaseUrl: string) {
  const child = cli(['seed', '--children', String(CHILDREN)], { DATABASE_URL: databaseUrl });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`Seeding failed (${code}):\n${output}`);
}

async function startServer(databaseUrl: string, port: number): Promise<string> {
  const child = cli(['serve'], { DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1' });
  server = child;
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  for (let waited = 0; waited < 60_000; waited += 100) {
    if (child.exitCode !== null) throw new Error(`The server stopped (${child.exitCode}):\n${output}`);
    const up = await fetch(`${url}/ping`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return url;
    await sleep(100);
  }
  throw new Error(`The server did not start in 60 s:\n${output}`);
}

async function killServer() {
  const child = server;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

async function createDatabase(pgServer: PrivatePostgres): Promise<string> {
  const name = `wa_crash_${Date.now().toString(36)}`;
  const client = new pg.Client({ connectionString: pgServer.url() });
  await client.connect();
  await client.query(`create database ${name}`);
  await client.end();
  return pgServer.url(name);
}

/** The demo's writers, and an API token for the school's system (issued as an administrator would). */
async function prepareWriters(handle: DatabaseHandle, databaseUrl: string, appUrl: string): Promise<Writers> {
  const teacher = await handle.db
    .selectFrom('users')
    .select(['id', 'partnershipId'])
    .where('email', '=', 'teacher@northbridge.example')
    .executeTakeFirstOrThrow();
  const services = createServices(handle.db, loadConfig({ DATABASE_URL: databaseUrl }));
  const ctx = {
    actor: { system: 'crash harness', partnershipId: teacher.partnershipId },
    requestId: 'crash-harness',
    now: new Date(),
  };
  const { token } = await services.apiTokens.issue(ctx, teacher.id, { name: 'Crash harness school system' });
  return {
    appUrl,
    password: DEMO_PASSWORD,
    apiToken: token,
    frontDoorEmail: 'frontdoor@northbridge.example',
    planEmail: 'early.help@northbridge.example',
    signalEmail: 'teacher@northbridge.example',
  };
}

/** What the round's writers work on, as the database holds it after the restart. */
async function roundWork(handle: DatabaseHandle): Promise<RoundWork> {
  const { db } = handle;
  const userId = async (email: string) =>
    (await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
  const [frontDoor, planner, recorder] = await Promise.all(
    ['frontdoor', 'early.help', 'teacher'].map((n) => userId(`${n}@northbridge.example`)),
  );
  const harnessContacts = db
    .selectFrom('contacts')
    .select(['id', 'version'])
    .where('worries', 'like', 'Harness contact%');
  const [unclaimed, held, plans, goals, children] = await Promise.all([
    harnessContacts.where('status', '=', 'new').where('claimedBy', 'is', null).limit(5).execute(),
    harnessContacts.where('status', '=', 'in_triage').where('claimedBy', '=', frontDoor!).limit(10).execute(),
    db
      .selectFrom('plans')
      .select('id')
      .where('leadProfessionalId', '=', planner!)
      .where('status', '!=', 'closed')
      .execute(),
    db
      .selectFrom('planGoals')
      .select(['id', 'planId', 'version'])
      .where('title', 'like', 'Crash goal%')
      .orderBy('createdAt', 'desc')
      .limit(10)
      .execute(),
    db
      .selectFrom('involvements as i')
      .innerJoin('people as p', 'p.id', 'i.personId')
      .select('i.personId')
      .distinct()
      .where('i.userId', '=', recorder!)
      .where('i.endedAt', 'is', null)
      // A sealed record is out of the writer's reach (the gate answers 404), as it should be.
      .where('p.sealedAt', 'is', null)
      .limit(20)
      .execute(),
  ]);
  return { unclaimed, held, plans: plans.map((p) => p.id), goals, children: children.map((c) => c.personId) };
}

/**
 * After a restart: the contacts whose answer never came are sent again (each must be made now or
 * answered as already made), and a few answered ones too (each must answer the contact it made).
 */
async function retryAfterRestart(
  writers: Writers,
  ledger: Ledger,
): Promise<{ problems: string[]; committed: number; resent: number }> {
  const problems: string[] = [];
  let committed = 0;
  for (const sent of ledger.unanswered.values()) {
    const answer = await sendContact(writers.appUrl, writers.apiToken, sent);
    if (!answer.body || (answer.status !== 201 && answer.status !== 200)) {
      problems.push(`retry of an unanswered contact answered ${answer.status}: ${answer.text}`);
      continue;
    }
    if (answer.replayed) committed += 1;
    ledger.answered.set(sent.key, sent);
    ledger.acks.push({ kind: 'contact', key: sent.key, ...answer.body });
  }
  ledger.unanswered.clear();
  const answered = ledger.acks.filter((a) => a.kind === 'contact').slice(-20);
  const sample = answered.sort(() => Math.random() - 0.5).slice(0, 3);
  for (const ack of sample) {
    const sent = ledger.answered.get(ack.key)!;
    const answer = await sendContact(writers.appUrl, writers.apiToken, sent);
    if (
      answer.status !== 200 ||
      !answer.replayed ||
      answer.body?.id !== ack.id ||
      answer.body.number !== ack.number
    )
      problems.push(
        `retry of acknowledged contact ${ack.number} answered ${answer.status} ${answer.text} (want 200, the same contact)`,
      );
  }
  const signals = ledger.acks.filter((a) => a.kind === 'signal');
  const signal = signals[Math.floor(Math.random() * signals.length)];
  if (signal) {
    const recorder = await Browser.signIn(writers.appUrl, writers.signalEmail, writers.password);
    const answer = await resendSignal(recorder, signal);
    if (answer.status !== 303) problems.push(`resending signal ${signal.key} answered ${answer.status}`);
  }
  return { problems, committed, resent: sample.length + (signal ? 1 : 0) };
}

type Totals = {
  kills: number;
  pgCrashes: number;
  losses: Loss[];
  orphans: number;
  problems: string[];
  chainOk: boolean;
};

async function verifyRound(
  handle: DatabaseHandle,
  databaseUrl: string,
  ledger: Ledger,
  totals: Totals,
  label: string,
) {
  const result = await checkAfterRestart(handle.db, ledger.acks, { connectionString: databaseUrl });
  const orphans = result.orphans.filter((o) => o.rows > 0);
  totals.losses.push(...result.losses);
  totals.orphans += orphans.reduce((sum, o) => sum + o.rows, 0);
  totals.chainOk &&= result.chainOk;
  // A lost write is counted once; the ledger goes on with what survived.
  const lost = new Set(result.losses.map((l) => l.ack));
  ledger.acks.splice(0, ledger.acks.length, ...ledger.acks.filter((a) => !lost.has(a)));
  console.log(
    `${label}: ${ledger.acks.length} acknowledged writes present, ${result.losses.length} lost, ` +
      `${orphans.length ? orphans.map((o) => `${o.rows} ${o.name}`).join(', ') : 'no orphans'}, ${result.chain}`,
  );
  for (const loss of result.losses.slice(0, 10)) console.log(`  lost: ${loss.reason}`);
}

async function main() {
  console.log(
    `Crash harness: ${KILLS} kills, PostgreSQL ${durability === 'safe' ? 'durable (fsync on, synchronous_commit on)' : 'UNSAFE (synchronous_commit off)'}, ${CHILDREN} demo children`,
  );
  const started = Date.now();
  const pgPort = process.env.CRASH_PG_PORT ? Number(process.env.CRASH_PG_PORT) : await freePort();
  postgres = await PrivatePostgres.create(pgPort, durability);
  await postgres.start();
  const databaseUrl = await createDatabase(postgres);
  await seed(databaseUrl);
  const appPort = await freePort();
  const ledger = new Ledger();
  const totals: Totals = { kills: 0, pgCrashes: 0, losses: [], orphans: 0, problems: [], chainOk: true };
  let writers: Writers | undefined;

  const restartsMs: number[] = [];
  for (let round = 1; round <= KILLS + 1; round++) {
    const restarting = Date.now();
    const appUrl = await startServer(databaseUrl, appPort);
    if (round > 1) restartsMs.push(Date.now() - restarting);
    const handle = await openDatabase({ kind: 'postgres', url: databaseUrl });
    let crashed = false;
    try {
      writers ??= await prepareWriters(handle, databaseUrl, appUrl);
      if (round > 1) {
        const retried = await retryAfterRestart(writers, ledger);
        totals.problems.push(...retried.problems);
        await verifyRound(
          handle,
          databaseUrl,
          ledger,
          totals,
          `after kill ${round - 1} (${retried.committed} unanswered contacts had committed, ${retried.resent} resent)`,
        );
      }
      if (round > KILLS) break;
      const work = await roundWork(handle);
      const sessions = await signInWriters(writers);
      const stop = { now: false };
      const driving = driveWrites(writers, sessions, work, ledger, round, stop);
      // The kill comes at a random moment, or at once if a writer met something unexpected.
      await Promise.race([sleep(200 + Math.random() * MAX_DRIVE_MS), driving.catch(() => undefined)]);
      stop.now = true;
      crashed = durability === 'unsafe' || Math.random() < 1 / 3;
      if (crashed && (durability === 'unsafe' || Math.random() < 0.5)) {
        await postgres.crash();
        await killServer();
      } else {
        await killServer();
        if (crashed) await postgres.crash();
      }
      totals.kills += 1;
      if (crashed) totals.pgCrashes += 1;
      await driving.catch((error: unknown) =>
        totals.problems.push(`round ${round}: ${(error as Error).message}`),
      );
    } finally {
      await handle.close().catch(() => undefined);
    }
    if (crashed) await postgres.start();
  }
  await killServer();

  const acknowledged = ledger.acks.length + totals.losses.length;
  console.log(`\nkills: ${totals.kills} (PostgreSQL crashed too in ${totals.pgCrashes})`);
  const byKind = new Map<string, number>();
  for (const ack of [...ledger.acks, ...totals.losses.map((l) => l.ack)])
    byKind.set(ack.kind, (byKind.get(ack.kind) ?? 0) + 1);
  const kinds = [...byKind].map(([kind, n]) => `${kind} ${n}`).join(', ');
  console.log(`acknowledged writes: ${acknowledged} (${kinds})`);
  console.log(`losses: ${totals.losses.length}`);
  console.log(`orphans: ${totals.orphans}`);
  console.log(`audit chain: ${totals.chainOk ? 'intact' : 'BROKEN'}`);
  console.log(`other problems: ${totals.problems.length}`);
  restartsMs.sort((a, b) => a - b);
  const median = restartsMs[Math.floor(restartsMs.length / 2)] ?? 0;
  console.log(
    `server restart to first answer: median ${(median / 1000).toFixed(1)} s; whole run ${Math.round((Date.now() - started) / 1000)} s`,
  );
  for (const problem of totals.problems.slice(0, 20)) console.log(`  ${problem}`);

  const clean = totals.orphans === 0 && totals.chainOk && totals.problems.length === 0;
  if (durability === 'safe') return clean && totals.losses.length === 0;
  console.log(
    totals.losses.length > 0
      ? `\nUnsafe setting: the harness detected ${totals.losses.length} lost acknowledged writes, as it must.`
      : '\nUnsafe setting: NO losses detected; the harness cannot tell a durable server from one that is not.',
  );
  return totals.losses.length > 0;
}

let ok = false;
try {
  ok = await main();
} catch (error) {
  console.error(error);
} finally {
  await cleanUp();
}
process.exit(ok ? 0 : 1);
