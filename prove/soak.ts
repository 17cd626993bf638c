import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { createScratchDatabase } from '../e2e/support/scratch-database.ts';
import { startTargets, tell } from '../bench/http-run.ts';
import type { MemorySample } from '../bench/http-targets.ts';
import { openLoop, percentile } from '../bench/measure.ts';
import { slope, Window } from './soak-stats.ts';
import { mixOrder, prepareTraffic } from './soak-traffic.ts';

/**
 * The load soak: the server under test in a process of its own on a scratch PostgreSQL database
 * (the demo partnership, SOAK_CHILDREN children), fed a steady open loop of mixed traffic (see
 * soak-traffic.ts) at SOAK_RATE requests a second for SOAK_SECONDS. Latency runs from when a request
 * was due, so a server falling behind shows in the figures; a request not answered within
 * SOAK_TIMEOUT_MS is an error. Every SOAK_SAMPLE_SECONDS the server reports its memory after a full
 * garbage collection. Prints a row per window (a minute by default), then the overall figures, the
 * memory trend over the second half of the run (after warm-up) and each target met or not.
 *
 * Exits non-zero when the traffic could not be set up; with SOAK_STRICT=1, also on errors or a leak
 * (the throughput and latency targets are reported but never fail the run: the machine is shared).
 */

const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const RATE = Number(process.env.SOAK_RATE ?? '500');
const SECONDS = Number(process.env.SOAK_SECONDS ?? '600');
const CHILDREN = process.env.SOAK_CHILDREN ?? '5000';
const TIMEOUT_MS = Number(process.env.SOAK_TIMEOUT_MS ?? '5000');
const WINDOW_SECONDS = Number(process.env.SOAK_WINDOW_SECONDS ?? (SECONDS >= 300 ? 60 : 10));
const SAMPLE_SECONDS = Number(process.env.SOAK_SAMPLE_SECONDS ?? Math.min(10, Math.max(2, SECONDS / 30)));
const STRICT = process.env.SOAK_STRICT === '1';

/**
 * Targets. Errors: under 0.1% of requests. Leak: the heap still held after a full collection grows
 * by at most 1 MB a minute over the second half (1.4 GB a day, enough to need a restart daily; slower
 * growth hides in the noise of a 5-minute fit), and the resident set by at most 5 MB a minute (it
 * moves with the allocator's arenas as well as with what is held). The leak is judged only when the
 * second half lasts a minute or more.
 */
const TARGETS = { rate: 500, p99Ms: 200, errorShare: 0.001, heapMbPerMinute: 1, rssMbPerMinute: 5 };
const MIN_JUDGED_SECONDS = 60;

const MB = 1024 * 1024;
const cell = (v: string | number, width = 10) => String(v).padEnd(width);
const row = (cells: (string | number)[]) => console.log(cells.map((c) => cell(c)).join(''));
const ms = (v: number) => (Number.isNaN(v) ? '-' : v.toFixed(1));

type Sample = MemorySample & { at: number };

/** Asks the server for its memory every SAMPLE_SECONDS until stopped. */
function sampleMemory(child: ChildProcess, started: number) {
  const samples: Sample[] = [];
  let asking: Promise<void> = Promise.resolve();
  const ask = () => {
    asking = (tell(child, { command: 'memory' }) as Promise<MemorySample | undefined>).then((m) => {
      if (m) samples.push({ ...m, at: (performance.now() - started) / 1000 });
    });
  };
  ask();
  const timer = setInterval(() => void asking.then(ask), SAMPLE_SECONDS * 1000);
  return {
    samples,
    stop: async () => {
      clearInterval(timer);
      await asking;
      ask();
      await asking;
    },
  };
}

/**
 * CPU time a process has used, in seconds (Linux: utime + stime from /proc, in ticks of 1/100 s);
 * undefined where /proc cannot be read. Divided by the requests answered, it is each request's cost
 * to the server, which the machine's load does not change as much as it changes latency.
 */
function cpuSeconds(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

function verdict(met: boolean) {
  return met ? 'PASS' : 'FAIL';
}

async function main() {
  const scratch = await createScratchDatabase(SERVER_URL, 'wa_soak');
  let child: ChildProcess | undefined;
  let close = () => {};
  try {
    const setUp = performance.now();
    const targets = await startTargets(scratch.url, {
      DEMO_CHILDREN: CHILDREN,
      // So the server can collect its garbage before it reports its memory.
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --expose-gc`.trim(),
    });
    child = targets.child;
    const traffic = await prepareTraffic(
      scratch.url,
      targets.ready.appUrl,
      targets.ready.password,
      TIMEOUT_MS,
    );
    close = traffic.close;
    const { kinds } = traffic;
    const order = mixOrder(kinds.map((k) => k.weight));
    console.log(
      `soak: node ${process.version}, ${os.cpus().length} CPUs, load ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}, PostgreSQL database ${scratch.name}, ${CHILDREN} demo children (ready in ` +
        `${((performance.now() - setUp) / 1000).toFixed(0)} s); ${RATE} requests a second for ${SECONDS} s, ` +
        `open loop, timeout ${TIMEOUT_MS} ms; memory every ${SAMPLE_SECONDS} s after a full collection\n` +
        `mix: ${kinds.map((k) => `${k.name} ${k.weight}%`).join(', ')}`,
    );

    const perWindow = Math.round(RATE * WINDOW_SECONDS);
    const total = Math.round(RATE * SECONDS);
    const windows = Array.from(
      { length: Math.ceil(total / perWindow) },
      (_, w) =>
        new Window(
          w * WINDOW_SECONDS,
          Math.min(SECONDS, (w + 1) * WINDOW_SECONDS),
          Math.min(perWindow, total - w * perWindow),
        ),
    );
    const byKind = kinds.map(() => ({ latencies: [] as number[], errors: 0, first: '' }));
    row(['window s', 'sent', 'ok per s', 'p50 ms', 'p99 ms', 'max ms', 'errors', 'RSS MB', 'heap MB']);
    const started = performance.now();
    const cpuBefore = cpuSeconds(child.pid);
    const memory = sampleMemory(child, started);
    const printed = new Set<number>();
    const printWindow = (w: number) => {
      const window = windows[w]!;
      const last = memory.samples.at(-1);
      printed.add(w);
      row([
        `${window.from}-${window.to}`,
        window.size,
        (window.latencies.length / (window.to - window.from)).toFixed(0),
        ms(window.p(50)),
        ms(window.p(99)),
        ms(window.max()),
        window.errors,
        last ? (last.rss / MB).toFixed(0) : '-',
        last ? (last.heapUsed / MB).toFixed(0) : '-',
      ]);
    };

    // openLoop calls request i when it falls due, at started + i / RATE seconds: the latency of each
    // is timed from then, the same as openLoop's own figures.
    let dueFrom = 0;
    const stats = await openLoop(
      async (i) => {
        if (i === 0) dueFrom = performance.now();
        const due = dueFrom + (i * 1000) / RATE;
        const k = order[i % order.length]!;
        const w = Math.floor(i / perWindow);
        try {
          await kinds[k]!.send(
            i,
            AbortSignal.timeout(Math.max(1, Math.ceil(due + TIMEOUT_MS - performance.now()))),
          );
          const latency = performance.now() - due;
          windows[w]!.answered(latency);
          byKind[k]!.latencies.push(latency);
        } catch (error) {
          windows[w]!.failed();
          if (byKind[k]!.errors++ === 0)
            byKind[k]!.first = error instanceof Error ? error.message : String(error);
          throw error;
        } finally {
          if (windows[w]!.finished && !printed.has(w)) printWindow(w);
        }
      },
      RATE,
      SECONDS,
    );
    const cpuUsed = (cpuSeconds(child.pid) ?? Number.NaN) - (cpuBefore ?? Number.NaN);
    await memory.stop();

    console.log('\nby kind:');
    const kindRow = (cells: (string | number)[], first = '') =>
      console.log(
        cells.map((c, i) => cell(c, i === 0 ? 20 : 10)).join('') + (first ? ` first: ${first}` : ''),
      );
    kindRow(['kind', 'answered', 'p50 ms', 'p99 ms', 'errors']);
    kinds.forEach((kind, k) => {
      const { latencies, errors, first } = byKind[k]!;
      kindRow(
        [kind.name, latencies.length, ms(percentile(latencies, 50)), ms(percentile(latencies, 99)), errors],
        first,
      );
    });

    const achieved = stats.requests / SECONDS;
    const p99 = percentile(stats.latencies, 99);
    const errorShare = stats.errors / stats.sent;
    const half = memory.samples.filter((s) => s.at >= SECONDS / 2);
    const trend = (pick: (s: Sample) => number) =>
      slope(half.map((s) => ({ x: s.at / 60, y: pick(s) / MB })));
    const heapSlope = trend((s) => s.heapUsed);
    const rssSlope = trend((s) => s.rss);
    const judged = SECONDS / 2 >= MIN_JUDGED_SECONDS;
    const noLeak = !judged || (heapSlope <= TARGETS.heapMbPerMinute && rssSlope <= TARGETS.rssMbPerMinute);
    const first = memory.samples[0]!;
    const last = memory.samples.at(-1)!;

    console.log(
      `\noverall: ${stats.sent} sent, ${stats.requests} answered, ${achieved.toFixed(0)} answered a second, ` +
        `p50 ${ms(percentile(stats.latencies, 50))} ms, p99 ${ms(p99)} ms, max ${ms(stats.max)} ms, ` +
        `${stats.errors} errors (${(errorShare * 100).toFixed(3)}%)\n` +
        `server CPU: ${ms((cpuUsed * 1000) / stats.sent)} ms per request sent (its process, every thread; ` +
        `at that cost one core serves at most ${(stats.sent / cpuUsed).toFixed(0)} a second` +
        `${stats.errors > 0 ? '; too low a cost when requests were abandoned: the server was still working on them' : ''})\n` +
        `memory: RSS ${(first.rss / MB).toFixed(0)} -> ${(last.rss / MB).toFixed(0)} MB, heap held ` +
        `${(first.heapUsed / MB).toFixed(0)} -> ${(last.heapUsed / MB).toFixed(0)} MB; over the second half ` +
        `(${half.length} samples) heap ${heapSlope.toFixed(2)} MB/min, RSS ${rssSlope.toFixed(2)} MB/min`,
    );
    console.log(
      [
        `${verdict(achieved >= TARGETS.rate)} throughput ${achieved.toFixed(0)}/s (target >= ${TARGETS.rate}/s)`,
        `${verdict(p99 < TARGETS.p99Ms)} p99 ${ms(p99)} ms (target < ${TARGETS.p99Ms} ms)`,
        `${verdict(errorShare < TARGETS.errorShare)} errors ${(errorShare * 100).toFixed(3)}% (target < ${TARGETS.errorShare * 100}%)`,
        judged
          ? `${verdict(noLeak)} memory: heap ${heapSlope.toFixed(2)} MB/min (target <= ${TARGETS.heapMbPerMinute}), ` +
            `RSS ${rssSlope.toFixed(2)} MB/min (target <= ${TARGETS.rssMbPerMinute})`
          : `memory not judged: the second half is under ${MIN_JUDGED_SECONDS} s`,
      ].join('\n'),
    );
    if (STRICT && (errorShare >= TARGETS.errorShare || !noLeak)) process.exitCode = 1;
  } finally {
    close();
    if (child) await tell(child, { command: 'stop' });
    await scratch.drop();
  }
}

await main();
