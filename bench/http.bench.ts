import type { ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { createScratchDatabase } from '../e2e/support/scratch-database.ts';
import { errorsIn, printRows, startTargets, tell, type Row } from './http-run.ts';
import { signIn } from './sign-in.ts';

/**
 * HTTP throughput of the authenticated home page against a bare Fastify route, on PostgreSQL.
 * DATABASE_URL names the server (a fresh database is made and dropped); BENCH_CHILDREN sizes the
 * demo partnership. `--cpu-prof` writes a CPU profile of the server process during the measured
 * home-page run.
 */

const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const CHILDREN = process.env.BENCH_CHILDREN ?? '500';
const PRACTITIONER = 'health.visitor@northbridge.example';
const CONNECTIONS = 20;
const WARM_UP_SECONDS = 2;
const MEASURE_SECONDS = 10;
const TARGET_RATIO = 0.3;

/** A warm-up run, then the measured run; `during` wraps only the measured run. */
async function measure(
  target: string,
  options: autocannon.Options,
  during: { before(): Promise<unknown>; after(): Promise<unknown> } | undefined = undefined,
): Promise<Row> {
  await autocannon({ ...options, connections: CONNECTIONS, duration: WARM_UP_SECONDS });
  await during?.before();
  const result = await autocannon({ ...options, connections: CONNECTIONS, duration: MEASURE_SECONDS });
  await during?.after();
  return { target, result };
}

async function main() {
  const cpuProfile = process.argv.includes('--cpu-prof')
    ? path.join(os.tmpdir(), `wraparound-home-${Date.now()}.cpuprofile`)
    : undefined;
  const scratch = await createScratchDatabase(SERVER_URL, 'wa_bench');
  let child: ChildProcess | undefined;
  try {
    const started = Date.now();
    const targets = await startTargets(scratch.url, { DEMO_CHILDREN: CHILDREN });
    const servers = targets.child;
    child = servers;
    const { appUrl, bareUrl, accounts, password } = targets.ready;
    const name = accounts.find((a) => a.email === PRACTITIONER)?.name;
    if (!name) throw new Error(`The demo partnership has no ${PRACTITIONER}`);
    console.log(
      `http bench: node ${process.version}, ${os.cpus().length} CPUs, PostgreSQL database ${scratch.name}, ` +
        `${CHILDREN} demo children (ready in ${Date.now() - started} ms), ${CONNECTIONS} connections, ` +
        `${WARM_UP_SECONDS} s warm-up then ${MEASURE_SECONDS} s per target`,
    );

    const cookie = await signIn(appUrl, PRACTITIONER, password);
    const home = await fetch(new URL('/', appUrl), { headers: { cookie } });
    if (home.status !== 200 || !(await home.text()).includes(name)) {
      throw new Error(`The home page answered ${home.status} without ${name}'s name`);
    }

    const profiling = cpuProfile && {
      before: () => tell(servers, { command: 'profile-start' }),
      after: () => tell(servers, { command: 'profile-stop', file: cpuProfile }),
    };
    const rows = [
      await measure('bare', { url: bareUrl }),
      // Every response must be the signed-in person's own page, not a redirect to sign in.
      await measure(
        'home',
        {
          url: new URL('/', appUrl).toString(),
          headers: { cookie },
          verifyBody: (body) => body.includes(name),
        },
        profiling || undefined,
      ),
    ];
    printRows(rows);
    const [bare, homePage] = rows.map((r) => r.result.requests.average) as [number, number];
    const ratio = homePage / bare;
    const verdict = ratio >= TARGET_RATIO ? 'met' : 'NOT met';
    console.log(`ratio home/bare: ${ratio.toFixed(3)} (target ≥ ${TARGET_RATIO}, ${verdict})`);
    if (rows.some((r) => errorsIn(r.result) > 0)) process.exitCode = 1;
  } finally {
    if (child) await tell(child, { command: 'stop' });
    await scratch.drop();
    if (cpuProfile) console.log(`CPU profile of the server during the home-page run: ${cpuProfile}`);
  }
}

await main();
