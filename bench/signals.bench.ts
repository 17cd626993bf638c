import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { createScratchDatabase } from '../e2e/support/scratch-database.ts';
import type { Ctx } from '../src/common/context.ts';
import { openDatabase, type Db } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { AuditService } from '../src/modules/audit/index.ts';
import {
  convertWaitingFeedEvents,
  evaluateChildren,
  seedSignalRules,
  SIGNAL_CATEGORIES,
} from '../src/modules/signals/index.ts';

/**
 * Rule evaluation after a daily feed, on PostgreSQL, at the size of a large partnership. Makes a
 * scratch database on the server named by DATABASE_URL (dropped at the end; BENCH_KEEP=1 keeps it)
 * and builds, with SQL: BENCH_CHILDREN children (default 1,000,000) in one partnership, BENCH_SIGNALS
 * signals (default 2,000,000) spread over the last year from four agencies, and the default rules.
 *
 * 1. full: every child evaluated, as a run that is not incremental would have to (this is also
 *    "yesterday": it raises the alerts the history already holds). BENCH_FULL=sample evaluates the
 *    first 100,000 children and scales the time up; BENCH_FULL=none skips it.
 * 2. feed: BENCH_EVENTS feed events (default 100,000) about BENCH_AFFECTED distinct children
 *    (default 90,000), their records linked, converted into signals by convertWaitingFeedEvents,
 *    which evaluates the rules for the children with new signals only, a batch of 1,000 events per
 *    transaction: the whole daily path, timed.
 * 3. affected: evaluateChildren alone over exactly those children, batches of 1,000, one transaction
 *    at a time and then BENCH_CONCURRENCY (default 4) at once.
 *
 * Prints the children evaluated, the alerts raised, the seconds and children per second of each.
 */

const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const CHILDREN = Number(process.env.BENCH_CHILDREN ?? '1000000');
const HISTORY = Number(process.env.BENCH_SIGNALS ?? '2000000');
const EVENTS = Number(process.env.BENCH_EVENTS ?? '100000');
const AFFECTED = Number(process.env.BENCH_AFFECTED ?? '90000');
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? '4');
const FULL = process.env.BENCH_FULL ?? 'all';
const SAMPLE = 100_000;
const BATCH = 1000;
const TARGET_SECONDS = 60;

const seconds = (since: number) => (performance.now() - since) / 1000;
const rate = (n: number, s: number) => Math.round(n / s).toLocaleString('en-GB');
const n = (value: number) => value.toLocaleString('en-GB');

async function step<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  console.log(`  ${label}: ${seconds(started).toFixed(1)} s`);
  return result;
}

/** The partnership, its agencies with a record source each, a rule owner and a school safeguarding lead. */
async function buildPartnership(db: Db) {
  const { id: partnershipId } = await db
    .insertInto('partnerships')
    .values({ name: 'Bench', slug: 'bench' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const agencies = [
    { name: 'Bench School', sector: 'education', source: 'school-roll', kind: 'school_roll' },
    { name: 'Bench Health', sector: 'health', source: 'gp-registrations', kind: 'gp_registrations' },
    { name: 'Bench Police', sector: 'police', source: 'police', kind: 'police' },
    { name: 'Bench Housing', sector: 'housing', source: 'housing', kind: 'other' },
  ] as const;
  const orgs: Record<string, string> = {};
  const sources: Record<string, string> = {};
  for (const a of agencies) {
    orgs[a.sector] = (
      await db
        .insertInto('organisations')
        .values({ partnershipId, name: a.name, sector: a.sector, kind: a.name })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    sources[a.source] = (
      await db
        .insertInto('recordSources')
        .values({
          partnershipId,
          code: a.source,
          name: a.name,
          kind: a.kind,
          organisationId: orgs[a.sector]!,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  }
  const user = async (email: string, sector: string, roles: ('team_manager' | 'practitioner')[]) =>
    (
      await db
        .insertInto('users')
        .values({
          partnershipId,
          email,
          displayName: email,
          organisationId: orgs[sector]!,
          roles,
          passwordHash: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const owner = await user('owner@bench.example', 'education', ['team_manager']);
  const lead = await user('dsl@bench.example', 'education', ['practitioner']);
  return { partnershipId, orgs, sources, owner, lead };
}

/** Children, a year of signals from the four agencies, and the default rules: built by the server. */
async function buildHistory(db: Db, world: Awaited<ReturnType<typeof buildPartnership>>) {
  const { partnershipId: p, orgs } = world;
  const chunk = 200_000;
  await step(`${n(CHILDREN)} children`, async () => {
    for (let from = 1; from <= CHILDREN; from += chunk) {
      const to = Math.min(CHILDREN, from + chunk - 1);
      await sql`
        insert into people (partnership_id, id, kind, given_name, family_name, date_of_birth, sex)
        select ${p}, md5('child-' || g)::uuid, 'child',
          (array['Ava','Noah','Isla','Leo','Freya','Oscar','Ivy','Arthur','Mia','Theo'])[1 + g % 10],
          'Bench' || (g % 50000), date '2009-01-01' + (g % 6000), case when g % 2 = 0 then 'female' else 'male' end
        from generate_series(${from}::int, ${to}::int) g`.execute(db);
    }
  });
  // Which agency records which category, and how that category is shared (as the vocabulary says).
  const categories = Object.entries(SIGNAL_CATEGORIES).map(([category, c], i) => ({
    i,
    category,
    dataType: c.dataType,
    sensitivity: c.sensitivity,
    org:
      c.dataType === 'education'
        ? orgs.education!
        : c.dataType === 'health'
          ? orgs.health!
          : c.dataType === 'police'
            ? orgs.police!
            : c.dataType === 'housing'
              ? orgs.housing!
              : orgs.education!,
  }));
  const values = sql.join(
    categories.map((c) => sql`(${c.i}::int, ${c.category}, ${c.dataType}, ${c.sensitivity}, ${c.org}::uuid)`),
  );
  await step(`${n(HISTORY)} signals over the last year`, async () => {
    for (let from = 1; from <= HISTORY; from += chunk) {
      const to = Math.min(HISTORY, from + chunk - 1);
      await sql`
        with c(i, category, data_type, sensitivity, org) as (values ${values}),
        s as (
          select g, ((hashint4(g)::bigint + 2147483648) % ${CHILDREN}) + 1 as child, (hashint4(g * 7 + 1)::bigint + 2147483648) % ${categories.length} as cat,
            (hashint4(g * 13 + 2)::bigint + 2147483648) % 1000 as sev, ((hashint4(g * 17 + 3)::bigint + 2147483648) % 365)::int as days
          from generate_series(${from}::int, ${to}::int) g
        )
        insert into signals (partnership_id, person_id, category, severity, description, observed_on,
          organisation_id, data_type, sensitivity, source, recorded_at)
        select ${p}, md5('child-' || s.child)::uuid, c.category,
          case when s.sev < 500 then 1 when s.sev < 850 then 2 when s.sev < 999 then 3 else 4 end,
          'Bench signal', current_date - s.days, c.org, c.data_type, c.sensitivity, 'practitioner',
          (current_date - s.days)::timestamptz + interval '10 hours'
        from s join c on c.i = s.cat`.execute(db);
    }
  });
  await step('default rules', () => seedSignalRules(db, p, world.owner, new Date()));
}

/**
 * Today's feed: EVENTS events about AFFECTED children (each once, the first ones twice), each a record
 * of its agency's source linked to its child, waiting to become a signal; a school safeguarding lead
 * for a third of the children.
 */
async function buildFeed(db: Db, world: Awaited<ReturnType<typeof buildPartnership>>) {
  const { partnershipId: p, sources } = world;
  const { id: importId } = await db
    .insertInto('personImports')
    .values({
      partnershipId: p,
      sourceId: sources['school-roll']!,
      fileName: 'today.csv',
      fileSha256: 'bench',
      startedAt: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  // Event g's kind, by g % 20: 12 attendance, 3 not brought, 2 ED, 1 police, 1 housing, 1 exclusion.
  const events = sql`
    select g, md5('child-' || ((((g % ${AFFECTED})::bigint * 7919) % ${CHILDREN}) + 1))::uuid as person_id,
      case when g % 20 < 12 then 'school_attendance' when g % 20 < 15 then 'was_not_brought'
        when g % 20 < 17 then 'emergency_department' when g % 20 = 17 then 'police_domestic_abuse'
        when g % 20 = 18 then 'housing_notice' else 'school_exclusion' end as kind
    from generate_series(0, ${EVENTS - 1}::int) g`;
  const sourceOf = sql`case when e.kind in ('school_attendance', 'school_exclusion') then ${sources['school-roll']}::uuid
    when e.kind in ('was_not_brought', 'emergency_department') then ${sources['gp-registrations']}::uuid
    when e.kind = 'police_domestic_abuse' then ${sources.police}::uuid else ${sources.housing}::uuid end`;
  await step(`${n(EVENTS)} feed records, linked`, async () => {
    await sql`
      insert into source_records (partnership_id, id, source_id, local_id, content_sha256, received, fields,
        import_id, line_number, received_at)
      select ${p}, md5('record-' || e.g)::uuid, ${sourceOf}, 'F' || e.g, md5('record-' || e.g),
        '{"columns":[],"values":[]}', '{"identifiers":[]}', ${importId}, e.g + 2, now()
      from (${events}) e`.execute(db);
    await sql`
      insert into record_links (partnership_id, source_record_id, person_id, status, probability)
      select ${p}, md5('record-' || e.g)::uuid, e.person_id, 'auto_linked', 0.999 from (${events}) e`.execute(
      db,
    );
  });
  await step(`${n(EVENTS)} feed events waiting`, async () => {
    await sql`
      insert into signal_feed_events (partnership_id, id, import_id, source_record_id, feed_kind, occurred_on,
        measure, detail, created_at)
      select ${p}, md5('event-' || e.g)::uuid, ${importId}, md5('record-' || e.g)::uuid, e.kind,
        current_date - 1 - (e.g % 5),
        case when e.kind = 'school_attendance' then 60 + (hashint4(e.g)::bigint + 2147483648) % 41 end,
        case e.kind when 'housing_notice' then '{"notice":"eviction"}'::jsonb
          when 'school_exclusion' then '{"exclusion":"suspension","days":2}'::jsonb else '{}'::jsonb end,
        now()
      from (${events}) e`.execute(db);
  });
  await step('school safeguarding leads for a third of the children', async () => {
    await sql`
      insert into involvements (partnership_id, person_id, user_id, kind, purpose, reason, started_at)
      select ${p}, md5('child-' || g)::uuid, ${world.lead}, 'school_safeguarding_lead', 'safeguarding', 'Bench', now() - interval '1 year'
      from generate_series(3, ${CHILDREN}::int, 3) g`.execute(db);
  });
}

/** Evaluates the children in batches of BATCH, `concurrency` transactions at once. */
async function evaluateAll(db: Db, partnershipId: string, personIds: string[], concurrency: number) {
  const started = performance.now();
  let next = 0;
  const totals = { raised: 0, updated: 0 };
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (;;) {
        const start = next;
        next += BATCH;
        if (start >= personIds.length) return;
        const batch = personIds.slice(start, start + BATCH);
        const result = await db
          .transaction()
          .execute((tx) => evaluateChildren(tx, partnershipId, batch, new Date()));
        totals.raised += result.raised;
        totals.updated += result.updated;
      }
    }),
  );
  return { ...totals, seconds: seconds(started) };
}

function report(
  label: string,
  children: number,
  result: { raised: number; updated: number; seconds: number },
) {
  console.log(
    `${label.padEnd(44)} ${n(children).padStart(9)} children  ${n(result.raised).padStart(7)} raised  ` +
      `${n(result.updated).padStart(6)} updated  ${result.seconds.toFixed(1).padStart(7)} s  ${rate(children, result.seconds).padStart(7)} children/s`,
  );
}

async function main() {
  const scratch = await createScratchDatabase(SERVER_URL, 'wa_bench_signals');
  const handle = await openDatabase({ kind: 'postgres', url: scratch.url }).catch(async (error) => {
    await scratch.drop();
    throw error;
  });
  try {
    const db = handle.db;
    await migrateToLatest(db);
    console.log(
      `signals bench: node ${process.version}, ${os.cpus().length} CPUs, PostgreSQL database ${scratch.name}; ` +
        `${n(CHILDREN)} children, ${n(HISTORY)} signals, a feed of ${n(EVENTS)} events about ${n(AFFECTED)} children`,
    );
    const built = performance.now();
    const world = await buildPartnership(db);
    await buildHistory(db, world);
    await step('analyze', () => sql`analyze`.execute(db));
    console.log(`built in ${seconds(built).toFixed(0)} s\n`);
    const p = world.partnershipId;

    if (FULL !== 'none') {
      const all = await db
        .selectFrom('people')
        .select('id')
        .where('partnershipId', '=', p)
        .orderBy('id')
        .$if(FULL === 'sample', (q) => q.limit(SAMPLE))
        .execute();
      const full = await evaluateAll(
        db,
        p,
        all.map((r) => r.id),
        CONCURRENCY,
      );
      report(
        `full: every child, ${CONCURRENCY} at once${FULL === 'sample' ? ' (sample)' : ''}`,
        all.length,
        full,
      );
      if (FULL === 'sample')
        console.log(
          `  all ${n(CHILDREN)} children would take about ${((full.seconds * CHILDREN) / all.length).toFixed(0)} s`,
        );
    }

    await buildFeed(db, world);
    await step('analyze', () => sql`analyze`.execute(db));
    const ctx: Ctx = {
      actor: { system: 'bench', partnershipId: p },
      requestId: 'bench-signals',
      now: new Date(),
    };
    const started = performance.now();
    const converted = await convertWaitingFeedEvents({ db, audit: new AuditService(db) }, ctx, p);
    const feedSeconds = seconds(started);
    const affected = (
      await db
        .selectFrom('signals')
        .select('personId')
        .distinct()
        .where('partnershipId', '=', p)
        .where('source', '=', 'feed')
        .execute()
    ).map((r) => r.personId);
    console.log(
      `\nfeed: ${n(EVENTS)} events → ${n(converted.signalled)} signals, ${n(converted.noSignal)} none ` +
        `(attendance at or above the threshold), ${n(converted.notified)} safeguarding leads told`,
    );
    report('feed: converted, affected children evaluated', affected.length, {
      raised: converted.alertsRaised,
      updated: converted.alertsUpdated,
      seconds: feedSeconds,
    });
    report('affected: evaluation alone, 1 at a time', affected.length, await evaluateAll(db, p, affected, 1));
    report(
      `affected: evaluation alone, ${CONCURRENCY} at once`,
      affected.length,
      await evaluateAll(db, p, affected, CONCURRENCY),
    );
    console.log(
      `\nfeed to evaluated alerts: ${feedSeconds.toFixed(1)} s (target < ${TARGET_SECONDS} s, ${feedSeconds < TARGET_SECONDS ? 'met' : 'NOT met'})`,
    );
  } finally {
    await handle.close();
    if (process.env.BENCH_KEEP === '1') console.log(`kept database ${scratch.name}`);
    else await scratch.drop();
  }
}

await main();
