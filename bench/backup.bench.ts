import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { createScratchDatabase } from '../e2e/support/scratch-database.ts';
import { createServices } from '../src/composition.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase, type Db } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { verifyChains } from '../src/modules/audit/index.ts';
import { backupDatabase, restoreDatabase } from '../src/ops/backup.ts';
import { summariseTables } from '../src/ops/tables.ts';
import { seedDemo } from '../src/seed/demo.ts';

/**
 * The restore drill at scale, on PostgreSQL (`npm run bench:backup`). Makes a scratch database on the
 * server named by DATABASE_URL: the demo partnership at BENCH_DEMO_CHILDREN children (every module's
 * tables and a real audit chain), then BENCH_CHILDREN more children (default 1,000,000) written with
 * SQL, each with a parent in a household, a relationship, an involvement, two record items, two
 * signals and a GP record linked to them. Then times `wraparound backup` (pg_dump), `wraparound
 * restore` (pg_restore into a second, empty scratch database, then analyze) and the checks after it:
 * every audit chain verified, and every table's row count and content digest compared with the
 * original. Prints sizes and durations; exits 1 if the copy differs. BENCH_KEEP=1 keeps both databases.
 */

const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const CHILDREN = Number(process.env.BENCH_CHILDREN ?? '1000000');
const DEMO_CHILDREN = Number(process.env.BENCH_DEMO_CHILDREN ?? '200');
const JOBS = process.env.BENCH_JOBS ? Number(process.env.BENCH_JOBS) : undefined;
const KEEP = process.env.BENCH_KEEP === '1';
const CHUNK = 100_000;

const seconds = (since: number) => (performance.now() - since) / 1000;
const n = (value: number) => value.toLocaleString('en-GB');
const mb = (bytes: number) => `${n(Math.round(bytes / 1024 / 1024))} MB`;

async function timed<T>(label: string, work: () => Promise<T>): Promise<{ result: T; seconds: number }> {
  const started = performance.now();
  const result = await work();
  const took = seconds(started);
  console.log(`  ${label}: ${took.toFixed(1)} s`);
  return { result, seconds: took };
}

type RawId = ReturnType<typeof sql<string>>;

/** The demo partnership, then CHILDREN children added in chunks, each chunk one statement per table. */
async function build(db: Db) {
  await migrateToLatest(db);
  await seedDemo(db, createServices(db, loadConfig()).audit, { children: DEMO_CHILDREN, seed: 20260101 });
  const world = await sql<{ p: string; locality: string; org: string; user: string; source: string }>`
    select p.id as p, (select id from localities where partnership_id = p.id limit 1) as locality,
      (select id from organisations where partnership_id = p.id order by name limit 1) as org,
      (select id from users where partnership_id = p.id order by email limit 1) as "user",
      (select id from record_sources where partnership_id = p.id and code = 'gp-registrations') as source
    from partnerships p limit 1`.execute(db);
  const ids = world.rows[0]!;
  // Typed here once: in a union the parameters would otherwise be text.
  const [p, locality, org, user, source] = [ids.p, ids.locality, ids.org, ids.user, ids.source].map(
    (id) => sql`${id}::uuid`,
  ) as [RawId, RawId, RawId, RawId, RawId];
  const child = sql`md5('bench-child-' || g)::uuid`;
  const parent = sql`md5('bench-parent-' || g)::uuid`;
  const household = sql`md5('bench-household-' || g)::uuid`;
  const record = sql`md5('bench-record-' || g)::uuid`;
  for (let from = 1; from <= CHILDREN; from += CHUNK) {
    const to = Math.min(CHILDREN, from + CHUNK - 1);
    const series = sql`generate_series(${from}::int, ${to}::int) g`;
    await db.transaction().execute(async (tx) => {
      await sql`insert into people (partnership_id, id, kind, given_name, family_name, date_of_birth, sex)
        select ${p}, ${child}, 'child', (array['Ava','Noah','Isla','Leo','Freya','Oscar','Ivy','Arthur','Mia','Theo'])[1 + g % 10],
          'Bench' || (g % 50000), date '2009-01-01' + (g % 6000), case when g % 2 = 0 then 'female' else 'male' end
        from ${series}
        union all
        select ${p}, ${parent}, 'adult', 'Parent', 'Bench' || (g % 50000), date '1980-01-01' + (g % 7000), 'female'
        from ${series}`.execute(tx);
      await sql`insert into households (partnership_id, id, locality_id, address_line1, town, postcode)
        select ${p}, ${household}, ${locality}, g || ' Bench Street', 'Northbridge', 'NB1 ' || (g % 9) || 'AA'
        from ${series}`.execute(tx);
      await sql`insert into household_members (partnership_id, household_id, person_id, started_on)
        select ${p}, ${household}, ${child}, date '2020-01-01' from ${series}
        union all select ${p}, ${household}, ${parent}, date '2020-01-01' from ${series}`.execute(tx);
      await sql`insert into relationships (partnership_id, person_id, related_person_id, kind, started_on)
        select ${p}, ${child}, ${parent}, 'parent', date '2020-01-01' from ${series}`.execute(tx);
      await sql`insert into involvements (partnership_id, person_id, user_id, kind, purpose, reason, started_at)
        select ${p}, ${child}, ${user}, 'allocated_worker', 'early_help', 'Bench allocation', now() - interval '1 year'
        from ${series}`.execute(tx);
      await sql`insert into record_items (partnership_id, person_id, owning_organisation_id, data_type, sensitivity,
          title, body, occurred_on, recorded_at)
        select ${p}, ${child}, ${org}, 'family_support', 'standard', 'Home visit ' || i,
          'Visited the family at home; the child was seen and spoken with alone. Next visit booked.',
          current_date - ((g + i) % 700), now() - ((g + i) % 700) * interval '1 day'
        from ${series}, generate_series(1, 2) i`.execute(tx);
      await sql`insert into signals (partnership_id, person_id, category, severity, description, observed_on,
          organisation_id, data_type, sensitivity, source, recorded_at)
        select ${p}, ${child}, (array['neglect','domestic_abuse','going_missing','emotional_harm'])[1 + (g + i) % 4],
          1 + (g + i) % 3, 'Bench signal', current_date - ((g * i) % 365), ${org}, 'family_support', 'standard',
          'practitioner', now() - ((g * i) % 365) * interval '1 day'
        from ${series}, generate_series(1, 2) i`.execute(tx);
      await sql`insert into source_records (partnership_id, id, source_id, local_id, content_sha256, received, fields, received_at)
        select ${p}, ${record}, ${source}, 'GP' || g, md5('bench-record-' || g), '{"columns":[],"values":[]}',
          '{"identifiers":[]}', now() from ${series}`.execute(tx);
      await sql`insert into source_record_identifiers (partnership_id, system, value, source_record_id)
        select ${p}, 'nhs', lpad((900000000 + g)::text, 10, '9'), ${record} from ${series}`.execute(tx);
      await sql`insert into record_links (partnership_id, source_record_id, person_id, status, probability)
        select ${p}, ${record}, ${child}, 'auto_linked', 0.999 from ${series}`.execute(tx);
    });
    process.stderr.write(`  children: ${n(to)}/${n(CHILDREN)}\n`);
  }
  await sql`analyze`.execute(db);
}

async function databaseSize(db: Db): Promise<number> {
  const { rows } = await sql<{ bytes: number }>`select pg_database_size(current_database()) as bytes`.execute(
    db,
  );
  return rows[0]!.bytes;
}

async function main() {
  console.log(
    `bench:backup: ${n(CHILDREN)} children (+ the demo partnership at ${n(DEMO_CHILDREN)}), ${os.availableParallelism()} CPUs, load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const original = await createScratchDatabase(SERVER_URL, 'wa_backup_bench');
  const copy = await createScratchDatabase(SERVER_URL, 'wa_backup_restore');
  const file = path.join(os.tmpdir(), `${original.name}.dump`);
  const source = await openDatabase({ kind: 'postgres', url: original.url });
  let failed = false;
  try {
    const built = await timed('build', () => build(source.db));
    const sourceBytes = await databaseSize(source.db);
    const backup = await timed('backup (pg_dump)', () =>
      backupDatabase({ kind: 'postgres', url: original.url }, file),
    );
    const restore = await timed('restore (pg_restore, analyze)', () =>
      restoreDatabase({ kind: 'postgres', url: copy.url }, file, { jobs: JOBS }),
    );
    const restored = await openDatabase({ kind: 'postgres', url: copy.url });
    try {
      const chains = await timed('verify audit chains', async () => {
        const partnerships = await restored.db.selectFrom('partnerships').select('id').execute();
        return verifyChains(
          restored.db,
          partnerships.map((p) => p.id),
          { connectionString: copy.url, workers: os.availableParallelism() + 1 },
        );
      });
      const compared = await timed('compare every table', async () => {
        const [before, after] = await Promise.all([summariseTables(source.db), summariseTables(restored.db)]);
        // Both lists come in the same order; an object missing from one shifts the rest and shows.
        const differ = before
          .filter((t, i) => JSON.stringify(t) !== JSON.stringify(after[i]))
          .map((t) => `${t.kind} ${t.name}`);
        if (after.length !== before.length) differ.push(`${after.length - before.length} objects more`);
        return { before, differ };
      });
      const restoredBytes = await databaseSize(restored.db);
      const rows = compared.result.before.reduce((sum, t) => sum + t.rows, 0);
      const events = chains.result.reduce((sum, c) => sum + c.events, 0);
      console.log(`
children              ${n(CHILDREN + DEMO_CHILDREN)}
rows (all tables)     ${n(rows)} in ${compared.result.before.filter((t) => t.kind === 'table').length} tables
database size         ${mb(sourceBytes)} (restored: ${mb(restoredBytes)})
backup file           ${mb(backup.result.bytes)}
build                 ${built.seconds.toFixed(1)} s
backup                ${backup.seconds.toFixed(1)} s
restore               ${restore.seconds.toFixed(1)} s (jobs: ${JOBS ?? 'default'})
verify audit chains   ${chains.seconds.toFixed(1)} s (${n(events)} events, ${chains.result.every((c) => c.ok) ? 'intact' : 'BROKEN'})
compare tables        ${compared.seconds.toFixed(1)} s (${compared.result.differ.length === 0 ? 'all equal' : `DIFFER: ${compared.result.differ.join(', ')}`})`);
      failed = compared.result.differ.length > 0 || !chains.result.every((c) => c.ok);
    } finally {
      await restored.close();
    }
  } finally {
    await source.close();
    await rm(file, { force: true });
    if (KEEP) console.log(`kept: ${original.url} and ${copy.url}`);
    else await Promise.all([original.drop(), copy.drop()]);
  }
  if (failed) process.exitCode = 1;
}

await main();
