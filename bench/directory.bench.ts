import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Faker, base } from '@faker-js/faker';
import { sql } from 'kysely';
import { createScratchDatabase } from '../e2e/support/scratch-database.ts';
import { createServices } from '../src/composition.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/database.ts';
import { SearchQuery, seedDirectory, taxonomyTermsOf } from '../src/modules/directory/index.ts';
import { northbridgePlaces } from '../src/modules/people/index.ts';
import { DEMO_SLUG } from '../src/seed/demo.ts';
import { startTargets, tell } from './http-run.ts';
import { load, openLoop, percentile, type Stats } from './measure.ts';

/**
 * The public directory search on PostgreSQL: the demo partnership (BENCH_CHILDREN children) in a fresh
 * database on the server named by DATABASE_URL (dropped at the end), its directory grown to
 * BENCH_SERVICES services (5,000 by default) at the demo town's postcodes, and the server under test
 * in a process of its own. No sign-in: the search is public.
 *
 * A mix of the searches families make, in turn: a need, a child's age and a postcode within 5 miles;
 * words only; an age and free; a language near a place; specialist services a professional refers
 * to; the second page of a search. Each runs against the page families use (GET
 * /areas/:slug/services, the whole HTML page) and the Open Referral UK API (GET
 * /openreferral/:slug/services, the same searches as far as the API's filters go), and in process
 * (services.directory.search, the database's share).
 *
 * Closed loops (one at a time, then 10 at once: the database pool) and an open loop at BENCH_RATE a
 * second for BENCH_SECONDS (latency from when a request was due; a request not answered in BENCH_TIMEOUT_MS, 5 s, is an error). Targets from the issue: p95 under
 * 50 ms and at least 500 searches a second.
 */

const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const CHILDREN = process.env.BENCH_CHILDREN ?? '200';
const SERVICES = Number(process.env.BENCH_SERVICES ?? '5000');
const RATE = Number(process.env.BENCH_RATE ?? '500');
const SECONDS = Number(process.env.BENCH_SECONDS ?? '20');
const WARM_UP_SECONDS = 3;
const CLOSED_SECONDS = 5;
const KIND_SECONDS = 2;
/** A request not answered in this long counts as an error. */
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? '5000');
/** The server's database pool: more requests at once only queue for a connection. */
const CONNECTIONS = 10;
const TARGET_P95_MS = 50;
const TARGET_RATE = 500;

type Search = { kind: string; params: Record<string, string>; api: Record<string, string> };

const KINDS = [
  'need + age + postcode, 5 miles',
  'words only',
  'age + free',
  'language + distance',
  'specialist + professional referral',
  'page 2',
] as const;

/** Realistic searches, the same every run: `perKind` of each kind, interleaved. */
function searches(terms: Map<string, string>, perKind: number): Search[] {
  const random = new Faker({ locale: base });
  random.seed(2024);
  const places = northbridgePlaces();
  const postcodes = places.filter((p) => p.kind === 'postcode').map((p) => p.label);
  const areas = places.filter((p) => p.kind !== 'postcode').map((p) => p.label);
  const needs = [
    'parenting',
    'early-years',
    'mental-health',
    'send',
    'food',
    'youth-clubs',
    'sport',
    'family-life',
    'benefits-debt',
    'holiday-activities',
    'health',
    'activities',
  ];
  const words = [
    'parenting course',
    'toddler group',
    'counselling',
    'food bank',
    'holiday club',
    'football',
    'debt advice',
    'autism',
    'youth club',
    'speech',
    'baby',
    'swimming',
    'domestic abuse',
    'young carers',
  ];
  const languages = ['ur', 'pl', 'ar', 'ro', 'pa', 'so', 'bn'];
  const metres = (miles: number) => String(Math.round(miles * 1609.344));
  const age = () => String(random.number.int({ min: 0, max: 16 }));
  const make: Record<(typeof KINDS)[number], () => Search> = {
    'need + age + postcode, 5 miles': () => {
      const [need, a, near] = [
        random.helpers.arrayElement(needs),
        age(),
        random.helpers.arrayElement(postcodes),
      ];
      return {
        kind: KINDS[0],
        params: { need, age: a, near, within: '5' },
        api: {
          taxonomy_term_id: terms.get(need)!,
          minimum_age: a,
          maximum_age: a,
          postcode: near,
          proximity: metres(5),
        },
      };
    },
    'words only': () => {
      const q = random.helpers.arrayElement(words);
      return { kind: KINDS[1], params: { q }, api: { search: q } };
    },
    'age + free': () => {
      const a = age();
      return { kind: KINDS[2], params: { age: a, cost: 'free' }, api: { minimum_age: a, maximum_age: a } };
    },
    'language + distance': () => {
      const [language, near, within] = [
        random.helpers.arrayElement(languages),
        random.helpers.arrayElement(areas),
        random.helpers.arrayElement(['2', '5', '10']),
      ];
      // The API has no language filter and takes postcodes only: a postcode and the distance.
      return {
        kind: KINDS[3],
        params: { language, near, within },
        api: { postcode: random.helpers.arrayElement(postcodes), proximity: metres(Number(within)) },
      };
    },
    'specialist + professional referral': () => {
      const need = random.helpers.arrayElement([
        'mental-health',
        'send',
        'safety',
        'youth-justice',
        'speech-language',
      ]);
      // The API has no specialist or way-in filter: the need only.
      return {
        kind: KINDS[4],
        params: { kind: 'specialist', access: 'professional_referral', need },
        api: { taxonomy_term_id: terms.get(need)! },
      };
    },
    'page 2': () => {
      const need = random.helpers.arrayElement(needs);
      return {
        kind: KINDS[5],
        params: { need, page: '2' },
        api: { taxonomy_term_id: terms.get(need)!, page: '2' },
      };
    },
  };
  return Array.from({ length: perKind }, () => KINDS.map((k) => make[k]())).flat();
}

/**
 * One GET over a kept-alive connection; throws unless it answers 200 with the body expected within
 * TIMEOUT_MS (so an open loop the server cannot keep up with ends on time, its late answers errors).
 */
function get(url: URL, agent: http.Agent, path: string, expect: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const signal = AbortSignal.timeout(TIMEOUT_MS);
    const request = http.get({ host: url.hostname, port: url.port, path, agent, signal }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        if (response.statusCode === 200 && body.includes(expect)) resolve();
        else reject(new Error(`${path} answered ${response.statusCode}: ${body.slice(0, 300)}`));
      });
    });
    request.on('error', reject);
  });
}

const row = (cells: (string | number)[]) =>
  console.log(cells.map((c, i) => String(c).padEnd(i === 0 ? 40 : 10)).join(''));

function header() {
  row(['target', 'requests', 'per s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'errors']);
}

function report(target: string, stats: Stats) {
  const ms = (v: number) => v.toFixed(1);
  row([
    target,
    stats.requests,
    (stats.requests / stats.seconds).toFixed(0),
    ms(percentile(stats.latencies, 50)),
    ms(percentile(stats.latencies, 95)),
    ms(percentile(stats.latencies, 99)),
    ms(stats.latencies.reduce((m, v) => Math.max(m, v), 0)),
    stats.errors,
  ]);
  if (stats.errors > 0) process.exitCode = 1;
}

/** Waits until the server has worked through requests given up on: one search answers within a second. */
async function drained(work: (i: number) => Promise<void>) {
  const until = performance.now() + 120_000;
  for (let i = 0; performance.now() < until; i++) {
    const at = performance.now();
    await work(i).catch(() => {});
    if (performance.now() - at < 1000) return;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

async function main() {
  const scratch = await createScratchDatabase(SERVER_URL, 'wa_bench_directory');
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
    const config = loadConfig({ ...process.env, DATABASE_URL: scratch.url });
    const { id: partnershipId } = await db
      .selectFrom('partnerships')
      .select('id')
      .where('slug', '=', DEMO_SLUG)
      .executeTakeFirstOrThrow();
    // The demo's own seed, so the demo's entries are the first of the bigger directory.
    const grown = await seedDirectory(db, { partnershipId, seed: config.demo.seed, services: SERVICES });
    await sql`analyze`.execute(db);
    const counts = await sql<{ services: number; locations: number }>`
      select (select count(*) from directory_services where partnership_id = ${partnershipId})::int as services,
        (select count(*) from directory_locations where partnership_id = ${partnershipId})::int as locations`.execute(
      db,
    );
    const terms = new Map((await taxonomyTermsOf(db, partnershipId)).map((t) => [t.code, t.id]));
    const mix = searches(terms, 100);
    console.log(
      `directory bench: node ${process.version}, ${os.cpus().length} CPUs, load ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}, PostgreSQL database ${scratch.name}, ${counts.rows[0]!.services} services ` +
        `(${grown.organisations} organisations, ${counts.rows[0]!.locations} locations, ${grown.places} places), ` +
        `${mix.length} searches in turn (ready in ${((performance.now() - started) / 1000).toFixed(0)} s)`,
    );

    const url = new URL(targets.ready.appUrl);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
    const query = (params: Record<string, string>) => new URLSearchParams(params).toString();
    const pagePath = (s: Search) => `/areas/${DEMO_SLUG}/services?${query(s.params)}`;
    const apiPath = (s: Search) => `/openreferral/${DEMO_SLUG}/services?${query(s.api)}`;
    const page = (list: Search[]) => (i: number) =>
      get(url, agent, pagePath(list[i % list.length]!), '</html>');
    const api = (list: Search[]) => (i: number) =>
      get(url, agent, apiPath(list[i % list.length]!), '"contents"');
    const services = createServices(db, config);
    const inProcess = (list: Search[]) => async (i: number) => {
      const found = await services.directory.search(
        partnershipId,
        SearchQuery.parse(list[i % list.length]!.params),
      );
      if (found.page < 1) throw new Error('no page');
    };

    // Every search answers before anything is timed: a 400 for an unknown place would skew the figures.
    for (const s of mix.slice(0, KINDS.length)) {
      await page([s])(0);
      await api([s])(0);
    }

    console.log(
      `\nclosed loop by kind of search, one at a time, ${KIND_SECONDS} s each (the page, then in process):`,
    );
    header();
    await load(page(mix), 1, WARM_UP_SECONDS);
    for (const kind of KINDS) {
      const ofKind = mix.filter((s) => s.kind === kind);
      report(`page: ${kind}`, await load(page(ofKind), 1, KIND_SECONDS));
    }
    for (const kind of KINDS) {
      const ofKind = mix.filter((s) => s.kind === kind);
      report(`search(): ${kind}`, await load(inProcess(ofKind), 1, KIND_SECONDS));
    }

    console.log(`\nclosed loop, the whole mix, ${CLOSED_SECONDS} s each:`);
    header();
    for (const [label, work] of [
      ['page', page(mix)],
      ['API', api(mix)],
      ['search() in process', inProcess(mix)],
    ] as const) {
      report(`${label}: one at a time`, await load(work, 1, CLOSED_SECONDS));
      report(`${label}: ${CONNECTIONS} at once`, await load(work, CONNECTIONS, CLOSED_SECONDS));
    }

    console.log(
      `\nopen loop, the whole mix, ${RATE} per s: ${WARM_UP_SECONDS} s warm-up, then ${SECONDS} s:`,
    );
    header();
    const results: [string, Stats][] = [];
    for (const [label, work] of [
      ['page', page(mix)],
      ['API', api(mix)],
    ] as const) {
      await openLoop(work, RATE, WARM_UP_SECONDS);
      await drained(work);
      const run = await openLoop(work, RATE, SECONDS);
      report(`${label}: ${RATE} per s (${run.sent} sent)`, run);
      results.push([label, run]);
      await drained(work);
    }
    agent.destroy();
    for (const [label, run] of results) {
      const p95 = percentile(run.latencies, 95);
      const rate = run.requests / run.seconds;
      console.log(
        `${label}: p95 ${p95.toFixed(1)} ms (target < ${TARGET_P95_MS} ms, ${p95 < TARGET_P95_MS ? 'met' : 'NOT met'}), ` +
          `${rate.toFixed(0)} searches per s (target ≥ ${TARGET_RATE}, ${rate >= TARGET_RATE * 0.98 && run.errors === 0 ? 'met' : 'NOT met'})`,
      );
    }
  } finally {
    if (child) await tell(child, { command: 'stop' });
    await handle.close();
    await scratch.drop();
  }
}

await main();
