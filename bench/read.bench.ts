import type { ChildProcess } from 'node:child_process';
import os from 'node:os';
import autocannon from 'autocannon';
import pg from 'pg';
import { createScratchDatabase } from '../e2e/support/scratch-database.ts';
import type { QueryCount } from './http-targets.ts';
import { errorsIn, printRows, startTargets, tell, type Row } from './http-run.ts';
import { signIn } from './sign-in.ts';

/**
 * A child's record read through the whole trust layer, on PostgreSQL: GET /people/:personId as a
 * practitioner involved with the child (gate, item-by-item sharing decisions, audit event, page),
 * against a baseline route the benchmark adds to the same server: the same session check, then one
 * select and one insert in a transaction. The two take turns, RUNS times each, and the medians are
 * compared. DATABASE_URL names the server (a fresh database is made and dropped); BENCH_CHILDREN sizes
 * the demo partnership; BENCH_PRACTITIONER and BENCH_CONNECTIONS change who reads and how many at once.
 */

const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const CHILDREN = process.env.BENCH_CHILDREN ?? '20000';
/** A social worker: safeguarding involvements, so other agencies' items are decided by the agreements. */
const PRACTITIONER = process.env.BENCH_PRACTITIONER ?? 'social.worker@northbridge.example';
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? '10');
/** How many of the practitioner's children the requests rotate over. */
const ROTATE = 8;
const WARM_UP_SECONDS = 3;
const MEASURE_SECONDS = 10;
const RUNS = 3;
const TARGET_RATIO = 0.5;
const TARGET_P99_MS = 50;

type Child = { id: string; organisations: number; items: number; otherOrganisation: string };

/**
 * The partnership's size, and the children the practitioner is involved with today (in their own name
 * or their team's) whose items come from more than one organisation, at least one not theirs: reading
 * them exercises item decisions.
 */
async function childrenToRead(databaseUrl: string, email: string) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows: sizes } = await client.query<{ involvements: number; items: number; consents: number }>(
      `select (select count(*)::int from involvements) as involvements,
         (select count(*)::int from record_items) as items,
         (select count(*)::int from consents) as consents`,
    );
    const { rows: children } = await client.query<Child>(
      `with me as (select id, partnership_id, organisation_id from users where email = $1),
       mine as (
         select distinct i.person_id
         from involvements i cross join me
         where i.partnership_id = me.partnership_id
           and i.started_at <= now() and (i.ended_at is null or i.ended_at > now())
           and (i.user_id = me.id or i.team_id in (
             select m.team_id from memberships m
             where m.partnership_id = me.partnership_id and m.user_id = me.id
               and m.started_on <= current_date and (m.ended_on is null or m.ended_on > current_date)))
       )
       select p.id,
         count(distinct r.owning_organisation_id)::int as organisations,
         count(*)::int as items,
         min(o.name) filter (where r.owning_organisation_id <> me.organisation_id) as "otherOrganisation"
       from mine
       join people p on p.id = mine.person_id
       join record_items r on r.partnership_id = p.partnership_id and r.person_id = p.id
       join organisations o on o.partnership_id = r.partnership_id and o.id = r.owning_organisation_id
       cross join me
       where p.partnership_id = me.partnership_id and p.sealed_at is null
       group by p.id
       having count(distinct r.owning_organisation_id) >= 2
         and bool_or(r.owning_organisation_id <> me.organisation_id)
       order by organisations desc, items desc, p.id
       limit $2`,
      [email, ROTATE],
    );
    return { children, size: sizes[0]! };
  } finally {
    await client.end();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main() {
  const scratch = await createScratchDatabase(SERVER_URL, 'wa_bench_read');
  let child: ChildProcess | undefined;
  try {
    const started = Date.now();
    const targets = await startTargets(scratch.url, { DEMO_CHILDREN: CHILDREN, BENCH_DB_BASELINE: '1' });
    const servers = targets.child;
    child = servers;
    const { appUrl, password } = targets.ready;
    const { children, size } = await childrenToRead(scratch.url, PRACTITIONER);
    if (children.length < 2)
      throw new Error(`${PRACTITIONER} is involved with too few children with other agencies' items`);
    console.log(
      `read bench: node ${process.version}, ${os.cpus().length} CPUs, PostgreSQL database ${scratch.name}, ` +
        `${CHILDREN} demo children, ${size.involvements} involvements, ${size.items} items, ${size.consents} ` +
        `consents (ready in ${Date.now() - started} ms), ${PRACTITIONER} reading ` +
        `${children.length} children (items from ${children.map((c) => c.organisations).join('/')} ` +
        `organisations), ${CONNECTIONS} connections, ${WARM_UP_SECONDS} s warm-up then ${RUNS} × ` +
        `${MEASURE_SECONDS} s per target, taking turns`,
    );

    const cookie = await signIn(appUrl, PRACTITIONER, password);
    // Each child's page must be the record, with another agency's item on it, before anything is timed.
    for (const c of children) {
      const page = await fetch(new URL(`/people/${c.id}`, appUrl), { headers: { cookie } });
      const html = await page.text();
      if (page.status !== 200 || !html.includes(`/people/${c.id}/access-log`))
        throw new Error(`GET /people/${c.id} answered ${page.status} without the child's record`);
      if (!html.includes(c.otherOrganisation))
        throw new Error(`GET /people/${c.id} shows nothing from ${c.otherOrganisation}`);
    }
    const counted = async (path: string) => {
      await tell(servers, { command: 'count-queries' });
      const response = await fetch(new URL(path, appUrl), { headers: { cookie } });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}`);
      return ((await tell(servers, { command: 'count-queries' })) as QueryCount).queries;
    };
    const perRequest = {
      target: await counted(`/people/${children[0]!.id}`),
      baseline: await counted(`/bench/baseline/${children[0]!.id}`),
    };

    const options = (prefix: string): autocannon.Options => ({
      url: appUrl,
      connections: CONNECTIONS,
      headers: { cookie },
      requests: children.map((c) => ({ path: `${prefix}${c.id}` })),
    });
    const targetOptions = options('/people/');
    const baselineOptions = options('/bench/baseline/');
    await autocannon({ ...baselineOptions, duration: WARM_UP_SECONDS });
    await autocannon({ ...targetOptions, duration: WARM_UP_SECONDS });
    const rows: Row[] = [];
    for (let run = 1; run <= RUNS; run++) {
      rows.push({
        target: 'baseline',
        result: await autocannon({ ...baselineOptions, duration: MEASURE_SECONDS }),
      });
      rows.push({
        target: 'person',
        result: await autocannon({ ...targetOptions, duration: MEASURE_SECONDS }),
      });
    }
    printRows(rows);

    const medians = (target: string) => {
      const results = rows.filter((r) => r.target === target).map((r) => r.result);
      return {
        rps: median(results.map((r) => r.requests.average)),
        p50: median(results.map((r) => r.latency.p50)),
        p99: median(results.map((r) => r.latency.p99)),
        errors: results.reduce((sum, r) => sum + errorsIn(r), 0),
      };
    };
    const baseline = medians('baseline');
    const person = medians('person');
    console.log(`medians of ${RUNS} runs:`);
    const line = (cells: (string | number)[]) =>
      console.log(cells.map((c, i) => String(c).padEnd(i === 0 ? 10 : 12)).join(''));
    line(['target', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'queries/req']);
    line([
      'baseline',
      baseline.rps.toFixed(0),
      baseline.p50,
      baseline.p99,
      baseline.errors,
      perRequest.baseline,
    ]);
    line(['person', person.rps.toFixed(0), person.p50, person.p99, person.errors, perRequest.target]);
    const ratio = person.rps / baseline.rps;
    const rounds = Array.from({ length: RUNS }, (_, i) =>
      (rows[2 * i + 1]!.result.requests.average / rows[2 * i]!.result.requests.average).toFixed(3),
    );
    console.log(`ratio person/baseline round by round: ${rounds.join(', ')}`);
    console.log(
      `ratio person/baseline: ${ratio.toFixed(3)} (target ≥ ${TARGET_RATIO}, ${ratio >= TARGET_RATIO ? 'met' : 'NOT met'}); ` +
        `person p99 ${person.p99} ms (target < ${TARGET_P99_MS} ms, ${person.p99 < TARGET_P99_MS ? 'met' : 'NOT met'})`,
    );
    const failed = rows.filter((r) => errorsIn(r.result) > 0);
    if (failed.length > 0) {
      for (const { target, result } of failed)
        console.error(
          `FAILED: ${target} had ${result.non2xx} non-2xx answers, ${result.errors} errors, ` +
            `${result.timeouts} timeouts, ${result.mismatches} mismatches`,
        );
      process.exitCode = 1;
    }
  } finally {
    if (child) await tell(child, { command: 'stop' });
    await scratch.drop();
  }
}

await main();
