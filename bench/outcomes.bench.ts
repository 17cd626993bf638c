import type { ChildProcess } from 'node:child_process';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { createScratchDatabase } from '../e2e/support/scratch-database.ts';
import { createServices } from '../src/composition.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { DEMO_SLUG, seedDemo } from '../src/seed/demo.ts';
import { startTargets, tell } from './http-run.ts';
import { percentile } from './measure.ts';
import { addDay, buildArea } from './outcomes-build.ts';
import { signIn } from './sign-in.ts';

/**
 * The outcome dashboards on PostgreSQL at the size of a large area (issue 8): BENCH_CHILDREN children
 * (default 1,000,000) with 5 years of contacts, plans, reviews, goal ratings, signals and alerts, built
 * in bulk SQL (outcomes-build.ts) on top of the demo partnership (its staff, agencies and accounts) in
 * a fresh database on the server named by DATABASE_URL (dropped at the end unless BENCH_KEEP=1).
 *
 * 1. build: rows per table and the time each took;
 * 2. full refresh: OutcomeService.refresh({ full: true }) (what `wraparound outcomes refresh --full`
 *    runs), per source, with the slowest statements and the EXPLAIN ANALYZE of the slowest;
 * 3. pages: the real server, signed in as the analyst: for /outcomes, the contacts rate by month and
 *    one imported indicator, BENCH_SAMPLES times each, the first view after the counts' change mark
 *    moved (cold: figures loaded again move it, as a refresh that changes a count does every
 *    minute) and then WARM views (warm), medians and p95 against the targets (first < 1 s, repeat
 *    < 100 ms);
 * 4. incremental refresh: a day's new records (outcomes-build.ts addDay), the incremental refresh's
 *    time and the months it counted again, then a full refresh: every count must be the same.
 *
 * BENCH_SIGNALS_PER_CHILD (default 15) sizes the signals, BENCH_SAMPLES (default 7) the cold samples.
 * A mismatch, a failed page or a missed target sets a non-zero exit code.
 */

const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const CHILDREN = Number(process.env.BENCH_CHILDREN ?? '1000000');
const SIGNALS_PER_CHILD = Number(process.env.BENCH_SIGNALS_PER_CHILD ?? '15');
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? '7');
const KEEP = process.env.BENCH_KEEP === '1';
/** The demo partnership the area is built on: only its staff, agencies and settings matter. */
const DEMO_CHILDREN = '200';
const WARM = 10;
const ANALYST = 'analyst@northbridge.example';
const IMPORTED = 'low_birth_weight';
const TARGET_FIRST_MS = 1000;
const TARGET_REPEAT_MS = 100;

type Captured = { text: string; values: unknown[]; ms: number };

/** Every statement the process sends while `capturing` is set, with its time. */
let capturing: Captured[] | null = null;
const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  const result = query.apply(this, args);
  const into = capturing;
  if (into && typeof args[0] === 'string' && result instanceof Promise) {
    const at = performance.now();
    const text = args[0];
    const values = Array.isArray(args[1]) ? (args[1] as unknown[]) : [];
    void result.then(
      () => into.push({ text, values, ms: performance.now() - at }),
      () => undefined,
    );
  }
  return result;
} as typeof pg.Client.prototype.query;

const line = (cells: (string | number)[], widths = [34, 12]) =>
  console.log(cells.map((c, i) => String(c).padEnd(widths[Math.min(i, widths.length - 1)]!)).join(''));
const ms = (value: number) => value.toFixed(value < 10 ? 1 : 0);
const median = (values: number[]) => percentile(values, 50);

async function main() {
  const scratch = await createScratchDatabase(SERVER_URL, 'wa_bench_outcomes');
  const config = loadConfig({ ...process.env, DATABASE_URL: scratch.url, LOG_LEVEL: 'warn' });
  const handle = await openDatabase({ kind: 'postgres', url: scratch.url }).catch(async (error) => {
    await scratch.drop();
    throw error;
  });
  const client = new pg.Client({ connectionString: scratch.url });
  let server: ChildProcess | undefined;
  let failed = false;
  try {
    await client.connect();
    const db = handle.db;
    const services = createServices(db, config);
    const version = (await client.query<{ v: string }>(`select current_setting('server_version') as v`))
      .rows[0]!.v;
    console.log(
      `outcomes bench: node ${process.version}, ${os.cpus().length} CPUs, load ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}, PostgreSQL ${version}, database ${scratch.name}, ${CHILDREN} children, ` +
        `${SIGNALS_PER_CHILD} signals per child, ${SAMPLES} cold samples × ${WARM} warm views per page`,
    );

    // 1. The area.
    await migrateToLatest(db);
    const seedStarted = performance.now();
    await seedDemo(db, services.audit, { children: Number(DEMO_CHILDREN), seed: config.demo.seed });
    const { id: partnershipId } = await db
      .selectFrom('partnerships')
      .select('id')
      .where('slug', '=', DEMO_SLUG)
      .executeTakeFirstOrThrow();
    console.log(
      `\n1. build (demo partnership with ${DEMO_CHILDREN} children in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s, then:)`,
    );
    const built = await buildArea(client, {
      partnershipId,
      children: CHILDREN,
      signalsPerChild: SIGNALS_PER_CHILD,
      log: (text) => console.log(text),
    });
    const imported = await importFigures(client, partnershipId);
    line(['table', 'rows', 'load s']);
    let total = 0;
    for (const [table, rows] of Object.entries(built.rows)) {
      total += rows;
      line([table, rows, built.seconds[table]?.toFixed(1) ?? '']);
    }
    line(['all', total, built.totalSeconds.toFixed(1)]);
    console.log(
      `indexes made again in ${built.seconds.indexes?.toFixed(1)} s, analyze ${built.seconds.analyze?.toFixed(1)} s; ` +
        `${imported} ${IMPORTED} figures loaded into indicator_values; database ${await size(client)}`,
    );

    // 2. The first full refresh.
    console.log(`\n2. full refresh (OutcomeService.refresh({ full: true }))`);
    const full = await timedRefresh(services.outcomes, true);
    printRefresh(full);
    await explainSlowest(client, full.captured);

    // 3. The pages, on the real server.
    const { rows: before } = await client.query<{ now: Date }>(`select now() as now`);
    const targets = await startTargets(scratch.url, { DEMO_CHILDREN });
    server = targets.child;
    const { appUrl, password } = targets.ready;
    const waited = await serverRefreshed(client, partnershipId, before[0]!.now);
    const cookie = await signIn(appUrl, ANALYST, password);
    console.log(
      `\n3. pages as ${ANALYST} (the server's own first refresh took ${ms(waited)} ms after start; ` +
        `each sample: an incremental refresh, figures loaded again to move the change mark, then 1 cold and ${WARM} warm views)`,
    );
    const pages = [
      { label: '/outcomes', path: '/outcomes', expect: '/outcomes/indicators/contacts_rate' },
      {
        label: 'contacts_rate by month',
        path: '/outcomes/indicators/contacts_rate?grain=month',
        expect: 'figures.csv?grain=month',
      },
      {
        label: `${IMPORTED} (imported)`,
        path: `/outcomes/indicators/${IMPORTED}`,
        expect: 'figures.csv?grain=year',
      },
    ];
    const view = async (path: string, expect: string) => {
      const at = performance.now();
      const response = await fetch(new URL(path, appUrl), { headers: { cookie } });
      const html = await response.text();
      const took = performance.now() - at;
      if (response.status !== 200 || !html.includes(expect))
        throw new Error(`GET ${path} answered ${response.status} without “${expect}”`);
      return took;
    };
    const samples = pages.map(() => ({ cold: [] as number[], warm: [] as number[] }));
    const idle: number[] = [];
    // One view of each first, so that the server's code is loaded and compiled before anything is timed.
    for (const page of pages) await view(page.path, page.expect);
    for (let s = 0; s < SAMPLES; s++) {
      for (const [i, page] of pages.entries()) {
        const at = performance.now();
        await services.outcomes.refresh();
        idle.push(performance.now() - at);
        // A refresh that changes no count keeps the cache; loading figures again moves the change mark,
        // as any changed count does, so the next view is worked out afresh.
        await client.query(`update indicator_values set imported_at = now() where partnership_id = $1`, [
          partnershipId,
        ]);
        samples[i]!.cold.push(await view(page.path, page.expect));
        for (let w = 0; w < WARM; w++) samples[i]!.warm.push(await view(page.path, page.expect));
      }
    }
    line(['page', 'first p50', 'first p95', 'repeat p50', 'repeat p95', 'targets'], [26, 12]);
    for (const [i, page] of pages.entries()) {
      const { cold, warm } = samples[i]!;
      const met = percentile(cold, 95) < TARGET_FIRST_MS && percentile(warm, 95) < TARGET_REPEAT_MS;
      if (!met) failed = true;
      line(
        [
          page.label,
          ms(median(cold)),
          ms(percentile(cold, 95)),
          ms(median(warm)),
          ms(percentile(warm, 95)),
          met ? 'met' : 'NOT met',
        ],
        [26, 12],
      );
    }
    console.log(
      `(ms; first view target < ${TARGET_FIRST_MS} ms, repeat < ${TARGET_REPEAT_MS} ms, both at p95; ` +
        `incremental refresh with nothing new: median ${ms(median(idle))} ms, p95 ${ms(percentile(idle, 95))} ms)`,
    );
    await tell(server, { command: 'stop' });
    server = undefined;

    // 4. A day's new records, the incremental refresh, and a full refresh to check it against.
    console.log(`\n4. a day's new records, then the incremental refresh`);
    const day = await addDay(client, { partnershipId, children: CHILDREN });
    console.log(
      Object.entries(day)
        .map(([kind, n]) => `${n} ${kind}`)
        .join(', '),
    );
    const incremental = await timedRefresh(services.outcomes, false);
    printRefresh(incremental);
    await client.query(`create table bench_incremental as
      select measure, locality_id, month, value from measure_months where partnership_id = '${partnershipId}'`);
    console.log(`\nfull refresh after it, to check it`);
    const again = await timedRefresh(services.outcomes, true);
    printRefresh(again);
    const { rows: mismatches } = await client.query<{
      measure: string;
      month: string;
      locality: string | null;
      incremental: string | null;
      full: string | null;
    }>(
      `select coalesce(a.measure, b.measure) as measure, coalesce(a.month, b.month)::text as month,
         coalesce(a.locality_id, b.locality_id)::text as locality, a.value::text as incremental, b.value::text as full
       from bench_incremental a
       full join (select measure, locality_id, month, value from measure_months where partnership_id = $1) b
         on a.measure = b.measure and a.month = b.month and a.locality_id is not distinct from b.locality_id
       where a.value is distinct from b.value
       order by 1, 2, 3`,
      [partnershipId],
    );
    const counts = Number(
      (await client.query<{ n: string }>(`select count(*) as n from bench_incremental`)).rows[0]!.n,
    );
    if (mismatches.length > 0) {
      failed = true;
      console.error(
        `FAILED: ${mismatches.length} of ${counts} counts differ between the incremental and the full refresh:`,
      );
      for (const m of mismatches.slice(0, 20))
        console.error(
          `  ${m.measure} ${m.month} ${m.locality ?? '(no locality)'}: incremental ${m.incremental}, full ${m.full}`,
        );
    } else {
      console.log(`all ${counts} counts after the incremental refresh equal the full refresh's`);
    }

    console.log(
      `\nsummary: build ${built.totalSeconds.toFixed(0)} s for ${total} rows; full refresh ${ms(full.ms)} ms ` +
        `(again ${ms(again.ms)} ms); incremental after a day ${ms(incremental.ms)} ms (` +
        incremental.sources.map((s) => `${s.source} ${s.months} months`).join(', ') +
        `); first views p95 ${samples.map((s) => ms(percentile(s.cold, 95))).join(' / ')} ms, repeat p95 ` +
        `${samples.map((s) => ms(percentile(s.warm, 95))).join(' / ')} ms; counts ${mismatches.length === 0 ? 'match' : 'DIFFER'}`,
    );
    if (failed) process.exitCode = 1;
  } finally {
    if (server) await tell(server, { command: 'stop' });
    await client.end();
    await handle.close();
    if (KEEP) console.log(`kept database ${scratch.name}`);
    else await scratch.drop();
  }
}

type Refresh = Awaited<ReturnType<typeof timedRefresh>>;

async function timedRefresh(outcomes: ReturnType<typeof createServices>['outcomes'], full: boolean) {
  const captured: Captured[] = [];
  capturing = captured;
  const at = performance.now();
  try {
    const results = await outcomes.refresh({ full });
    return { ms: performance.now() - at, sources: results.flatMap((r) => r.sources), captured };
  } finally {
    capturing = null;
  }
}

function printRefresh(refresh: Refresh) {
  line(['source', 'months', 'counts', 'ms'], [14, 10]);
  for (const s of refresh.sources) line([s.source, s.months, s.rows, s.ms], [14, 10]);
  line(
    [
      'all',
      refresh.sources.reduce((n, s) => n + s.months, 0),
      refresh.sources.reduce((n, s) => n + s.rows, 0),
      ms(refresh.ms),
    ],
    [14, 10],
  );
}

/** The slowest statements of a refresh, and the plan of the slowest as it runs now. */
async function explainSlowest(client: pg.Client, captured: Captured[]) {
  const slowest = [...captured].sort((a, b) => b.ms - a.ms).slice(0, 5);
  console.log(`slowest statements of ${captured.length}:`);
  for (const c of slowest)
    console.log(`  ${ms(c.ms).padStart(8)} ms  ${c.text.replace(/\s+/g, ' ').slice(0, 110)}`);
  const worst = slowest[0];
  if (!worst || !/^\s*(select|with)/i.test(worst.text)) return;
  const { rows } = await client.query<{ 'QUERY PLAN': string }>(
    `explain (analyze, buffers) ${worst.text}`,
    worst.values,
  );
  console.log(`EXPLAIN ANALYZE of the slowest (values ${JSON.stringify(worst.values).slice(0, 200)}):`);
  for (const r of rows) console.log(`  ${r['QUERY PLAN']}`);
}

/** Published figures for the imported indicator in the localities the demo has none for: 5 calendar years. */
async function importFigures(client: pg.Client, partnershipId: string): Promise<number> {
  const result = await client.query(
    `insert into indicator_values (partnership_id, indicator_code, locality_id, period_start, period_end, numerator,
       denominator, value, source_note, imported_at, imported_by)
     select $1, $2, l.id, make_date(y, 1, 1), make_date(y, 12, 31), 20 + (y + length(l.code)) % 15, 900,
       round((20 + (y + length(l.code)) % 15) * 100.0 / 900, 1), 'Bench figures', now(),
       (select id from users where partnership_id = $1 and email = $3)
     from localities l cross join generate_series(extract(year from now())::int - 5, extract(year from now())::int - 1) y
     where l.partnership_id = $1
       and not exists (select 1 from indicator_values v where v.partnership_id = $1 and v.indicator_code = $2
         and v.locality_id = l.id)`,
    [partnershipId, IMPORTED, ANALYST],
  );
  return result.rowCount ?? 0;
}

/** Waits for the server's first background refresh (started with the server) to finish. */
async function serverRefreshed(client: pg.Client, partnershipId: string, since: Date): Promise<number> {
  const at = performance.now();
  for (;;) {
    const { rows } = await client.query<{ done: boolean }>(
      `select count(*) filter (where read_to >= $2) = count(*) and count(*) > 0 as done
       from measure_refresh_state where partnership_id = $1`,
      [partnershipId, since],
    );
    if (rows[0]?.done) return performance.now() - at;
    if (performance.now() - at > 30 * 60_000)
      throw new Error('The server did not refresh the counts within 30 minutes');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function size(client: pg.Client): Promise<string> {
  const { rows } = await client.query<{ size: string }>(
    `select pg_size_pretty(pg_database_size(current_database())) as size`,
  );
  return rows[0]!.size;
}

await main();
