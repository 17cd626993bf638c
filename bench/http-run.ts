import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type autocannon from 'autocannon';
import type { TargetsCommand, TargetsReady } from './http-targets.ts';

/**
 * What the HTTP benchmarks share: the servers under test in a process of their own, commands to them,
 * and how a run's errors are counted and printed.
 */

export type Row = { target: string; result: autocannon.Result };

/** Starts bench/http-targets.ts on a database; `env` adds its settings (DEMO_CHILDREN, BENCH_DB_BASELINE). */
export function startTargets(
  databaseUrl: string,
  env: Record<string, string>,
): Promise<{ child: ChildProcess; ready: TargetsReady }> {
  const script = fileURLToPath(new URL('./http-targets.ts', import.meta.url));
  const child = fork(script, {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env, DATABASE_URL: databaseUrl },
  });
  return new Promise((resolve, reject) => {
    child.once('message', (ready) => resolve({ child, ready: ready as TargetsReady }));
    child.once('exit', (code) =>
      reject(new Error(`The servers stopped before they were ready (exit code ${code})`)),
    );
  });
}

/** Sends the servers a command and waits until they have done it (or, for stop, exited); their answer. */
export function tell(child: ChildProcess, message: TargetsCommand): Promise<unknown> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(undefined);
    if (message.command === 'stop') child.once('exit', () => resolve(undefined));
    else child.once('message', (answer) => resolve(answer));
    child.send(message);
  });
}

export function errorsIn(result: autocannon.Result): number {
  return result.errors + result.timeouts + result.non2xx + result.mismatches;
}

export function printRows(rows: Row[]) {
  const line = (cells: (string | number)[]) =>
    console.log(cells.map((c, i) => String(c).padEnd(i === 0 ? 10 : 12)).join(''));
  line(['target', 'req/s', 'p50 ms', 'p99 ms', 'errors']);
  for (const { target, result } of rows) {
    line([
      target,
      result.requests.average.toFixed(0),
      result.latency.p50,
      result.latency.p99,
      errorsIn(result),
    ]);
  }
}
