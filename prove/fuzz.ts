import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * The long fuzz run: test/fuzz.test.ts (every route of the app fed generated bad input) with many
 * more cases per route than the test suite's run, then its figures as plain rows. Settings:
 * FUZZ_RUNS cases per route (default 60; CI's short run uses 4), FUZZ_SEED to replay a run,
 * FUZZ_ONLY to fuzz only routes matching a regular expression, DATABASE_URL to run on PostgreSQL
 * (as the test suite does). Exits non-zero on any 5xx or other problem.
 */

const runs = process.env.FUZZ_RUNS ?? '60';
const report = path.join(tmpdir(), `wa-fuzz-${process.pid}.json`);
const started = Date.now();

const exitCode = await new Promise<number>((resolve) => {
  const vitest = spawn('npx', ['vitest', 'run', 'test/fuzz.test.ts'], {
    env: { ...process.env, FUZZ_RUNS: runs, FUZZ_REPORT: report },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  vitest.on('exit', (code) => resolve(code ?? 1));
});

type Summary = {
  seed: number;
  runs: number;
  routes: number;
  routesTakingInput: number;
  routesWithRealIds: number;
  pagesWalked: number;
  cases: number;
  answers: Record<string, number>;
  serverErrors: number;
  unnamedChangedField: number;
  problems: { route: string; kind: string; status: number; input: string }[];
};

const summary = await readFile(report, 'utf8')
  .then((text) => JSON.parse(text) as Summary)
  .catch(() => undefined);
await rm(report, { force: true });
if (!summary) {
  console.log('fuzz: no figures: the fuzz test did not run to its end');
  process.exit(exitCode || 1);
}

const rows: [string, string | number][] = [
  ['engine', process.env.DATABASE_URL ? 'postgres' : 'pglite'],
  ['seed', summary.seed],
  ['cases per route', summary.runs],
  ['routes', summary.routes],
  ['routes taking input', summary.routesTakingInput],
  ['  of them with real ids', summary.routesWithRealIds],
  ['pages walked', summary.pagesWalked],
  ['cases tried', summary.cases],
  [
    'answers',
    Object.entries(summary.answers)
      .map(([s, n]) => `${s}:${n}`)
      .join(' '),
  ],
  ['5xx answers', summary.serverErrors],
  ['400s not naming a changed field', summary.unnamedChangedField],
  ['problems', summary.problems.length],
  ['elapsed s', ((Date.now() - started) / 1000).toFixed(0)],
];
for (const [name, value] of rows) console.log(`fuzz  ${name.padEnd(34)} ${value}`);
for (const p of summary.problems)
  console.log(`fuzz  problem  ${p.kind}  ${p.route}  ${p.status}  ${p.input}`);
process.exit(exitCode || (summary.problems.length > 0 ? 1 : 0));
