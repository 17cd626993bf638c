import type { ChildProcess } from 'node:child_process';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { createScratchDatabase } from '../e2e/support/scratch-database.ts';
import { addDays, londonDate } from '../src/common/plain-dates.ts';
import { calendarFor } from '../src/common/working-days.ts';
import { openDatabase, type Db } from '../src/db/database.ts';
import { DEMO_FAMILY_EMAIL } from '../src/modules/plans/index.ts';
import { PlanRowBuilder, insertPlanRows, type Staff } from '../src/modules/plans/plans.seed.ts';
import { DEMO_SLUG } from '../src/seed/demo.ts';
import { startTargets, tell } from './http-run.ts';
import { header, load, percentile, report } from './measure.ts';
import { signIn } from './sign-in.ts';

/**
 * The family plan on PostgreSQL, with the demo partnership (BENCH_CHILDREN children, its front door
 * and its plans) in a fresh database on the server named by DATABASE_URL (dropped at the end):
 *
 * - page: one more family, 3 children with 40 actions and 10 reviews (goals rated at each review),
 *   led by the demo's early-help practitioner; GET /plans/:planId as them (the gate, the plan, its
 *   children, team, goals with ratings, actions, reviews, comments, the audit event), one request at
 *   a time and then with BENCH_CONNECTIONS at once;
 * - family: GET /family as the demo's family account (a plan of 40 actions and 10 reviews).
 *
 * Each prints the requests, per second, and the median, p95 and p99 latency; any error fails the
 * benchmark. BENCH_SECTIONS picks sections (default "page,family").
 */

const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const CHILDREN = process.env.BENCH_CHILDREN ?? '20000';
const SECONDS = Number(process.env.BENCH_SECONDS ?? '10');
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? '4');
const WARM_UP_SECONDS = 3;
const LEAD = 'early.help@northbridge.example';
const SECTIONS = new Set((process.env.BENCH_SECTIONS ?? 'page,family').split(','));
const TARGET_P95_MS = 100;

/** Three brothers and sisters on no plan, and a team from four agencies led by the early-help worker. */
async function benchFamily(db: Db, partnershipId: string) {
  const { rows: children } = await sql<{ id: string; givenName: string | null; familyName: string }>`
    select s.id, s.given_name as "givenName", s.family_name as "familyName"
    from people p
    join relationships r on r.partnership_id = p.partnership_id and r.related_person_id = p.id and r.kind = 'sibling'
    join people s on s.partnership_id = r.partnership_id and s.id in (p.id, r.person_id)
    where p.partnership_id = ${partnershipId} and p.kind = 'child' and s.sealed_at is null
      and not exists (select 1 from plan_children c where c.partnership_id = p.partnership_id
        and c.person_id in (p.id, r.person_id) and c.current)
      and (select count(*) from relationships r2 where r2.partnership_id = p.partnership_id
        and r2.related_person_id = p.id and r2.kind = 'sibling') >= 2
    order by p.id
    limit 3`.execute(db);
  const staff = await db
    .selectFrom('users as u')
    .innerJoin('organisations as o', (j) =>
      j.onRef('o.partnershipId', '=', 'u.partnershipId').onRef('o.id', '=', 'u.organisationId'),
    )
    .select(['u.id', 'u.displayName as name', 'u.email', 'u.organisationId', 'o.sector'])
    .where('u.partnershipId', '=', partnershipId)
    .where('u.email', 'in', [
      LEAD,
      'teacher@northbridge.example',
      'health.visitor@northbridge.example',
      'housing@northbridge.example',
      'police@northbridge.example',
    ])
    .orderBy('u.email')
    .execute();
  const lead = staff.find((s) => s.email === LEAD);
  if (!lead || children.length < 3) throw new Error('The demo has no early-help lead or no three siblings');
  return { children: [...new Map(children.map((c) => [c.id, c])).values()], lead, team: staff as Staff[] };
}

async function main() {
  const scratch = await createScratchDatabase(SERVER_URL, 'wa_bench_plans');
  let child: ChildProcess | undefined;
  const handle = await openDatabase({ kind: 'postgres', url: scratch.url }).catch(async (error) => {
    await scratch.drop();
    throw error;
  });
  try {
    const started = performance.now();
    const targets = await startTargets(scratch.url, { DEMO_CHILDREN: CHILDREN });
    child = targets.child;
    const { appUrl, password } = targets.ready;
    const db = handle.db;
    const { id: partnershipId } = await db
      .selectFrom('partnerships')
      .select('id')
      .where('slug', '=', DEMO_SLUG)
      .executeTakeFirstOrThrow();
    const counts = await sql<{ plans: number; actions: number; reviews: number }>`
      select (select count(*) from plans)::int as plans, (select count(*) from plan_actions)::int as actions,
        (select count(*) from plan_reviews)::int as reviews`.execute(db);
    const c = counts.rows[0]!;
    console.log(
      `plans bench: node ${process.version}, ${os.cpus().length} CPUs, load ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}, PostgreSQL database ${scratch.name}, ${CHILDREN} demo children, ${c.plans} plans ` +
        `with ${c.actions} actions and ${c.reviews} reviews (ready in ${((performance.now() - started) / 1000).toFixed(0)} s)`,
    );

    const measure = async (label: string, email: string, path: string, expect: string) => {
      const cookie = await signIn(appUrl, email, password);
      const url = new URL(path, appUrl);
      const get = async () => {
        const response = await fetch(url, { headers: { cookie } });
        const html = await response.text();
        if (response.status !== 200 || !html.includes(expect))
          throw new Error(`GET ${path} answered ${response.status} without “${expect}”`);
      };
      await get();
      await load(get, 1, WARM_UP_SECONDS);
      header();
      const one = await load(get, 1, SECONDS);
      report(`${label}, 1 connection`, one);
      report(`${label}, ${CONNECTIONS} connections`, await load(get, CONNECTIONS, SECONDS));
      const p95 = percentile(one.latencies, 95);
      console.log(
        `${label} p95 ${p95.toFixed(1)} ms one at a time (target < ${TARGET_P95_MS} ms, ${p95 < TARGET_P95_MS ? 'met' : 'NOT met'})`,
      );
    };

    if (SECTIONS.has('page')) {
      const family = await benchFamily(db, partnershipId);
      const builder = new PlanRowBuilder(partnershipId, new Date(), 7, calendarFor('england-and-wales'));
      const planId = builder.add({
        kind: 'early_help',
        children: family.children,
        lead: family.lead,
        members: family.team,
        startedOn: addDays(londonDate(new Date()), -600),
        actions: 40,
        reviews: 10,
      });
      await db.transaction().execute((tx) => insertPlanRows(tx, builder.rows));
      await sql`analyze`.execute(db);
      console.log(
        `\npage: GET /plans/${planId} as ${LEAD}: ${family.children.length} children, ` +
          `${builder.rows.planActions.length} actions, ${builder.rows.planReviews.length} reviews, ` +
          `${builder.rows.planGoals.length} goals with ${builder.rows.goalRatings.length} ratings, ` +
          `${builder.rows.planMembers.length} team members; ${WARM_UP_SECONDS} s warm-up, then ${SECONDS} s`,
      );
      await measure('plan page', LEAD, `/plans/${planId}`, family.children[0]!.familyName);
    }

    if (SECTIONS.has('family')) {
      console.log(
        `\nfamily: GET /family as ${DEMO_FAMILY_EMAIL}; ${WARM_UP_SECONDS} s warm-up, then ${SECONDS} s`,
      );
      await measure('family view', DEMO_FAMILY_EMAIL, '/family', 'family');
    }
  } finally {
    if (child) await tell(child, { command: 'stop' });
    await handle.close();
    await scratch.drop();
  }
}

await main();
