import { performance } from 'node:perf_hooks';

/** Timing loops and their report lines, shared by the service-level benchmarks. */

export type Stats = { requests: number; seconds: number; errors: number; latencies: number[] };

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * Calls `work` from `concurrency` loops at once for `seconds`, timing each call; a warm-up first when
 * asked. Errors are counted (and the first printed), never retried.
 */
export async function load(
  work: (i: number) => Promise<void>,
  concurrency: number,
  seconds: number,
): Promise<Stats> {
  const latencies: number[] = [];
  let errors = 0;
  let calls = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const i = calls++;
        const at = performance.now();
        try {
          await work(i);
          latencies.push(performance.now() - at);
        } catch (error) {
          if (errors++ === 0) console.error('first error:', error);
        }
      }
    }),
  );
  return { requests: latencies.length, seconds: (performance.now() - started) / 1000, errors, latencies };
}

const line = (cells: (string | number)[]) =>
  console.log(cells.map((c, i) => String(c).padEnd(i === 0 ? 28 : 11)).join(''));

export function header() {
  line(['target', 'requests', 'per s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors']);
}

export function report(target: string, stats: Stats) {
  line([
    target,
    stats.requests,
    (stats.requests / stats.seconds).toFixed(0),
    percentile(stats.latencies, 50).toFixed(1),
    percentile(stats.latencies, 95).toFixed(1),
    percentile(stats.latencies, 99).toFixed(1),
    stats.errors,
  ]);
  if (stats.errors > 0) process.exitCode = 1;
}

/**
 * Calls `work` at `rate` a second for `seconds`, open-loop: a call starts when it is due even if
 * earlier ones have not finished. Latency is timed from when the call was due, not when it started,
 * so a slow answer delaying the next ones counts against the figures (no coordinated omission).
 */
export async function openLoop(
  work: (i: number) => Promise<void>,
  rate: number,
  seconds: number,
): Promise<Stats & { sent: number; max: number }> {
  const latencies: number[] = [];
  let errors = 0;
  let sent = 0;
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  const started = performance.now();
  const pending = new Set<Promise<void>>();
  while (sent < total) {
    const now = performance.now();
    while (sent < total && started + sent * interval <= now) {
      const due = started + sent * interval;
      const done = work(sent).then(
        () => void latencies.push(performance.now() - due),
        (error: unknown) => {
          if (errors++ === 0) console.error('first error:', error instanceof Error ? error.message : error);
        },
      );
      pending.add(done);
      void done.then(() => pending.delete(done));
      sent += 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(pending);
  return {
    sent,
    requests: latencies.length,
    seconds: (performance.now() - started) / 1000,
    errors,
    latencies,
    max: latencies.reduce((m, v) => Math.max(m, v), 0),
  };
}
