import { sql } from 'kysely';
import type { Db } from '../db/database.ts';

/**
 * What a database holds, to compare a restored copy with its original: each table's row count and a
 * digest of its content; each sequence's last value; and each index, constraint and trigger with a
 * digest of its definition (the audit trail's append-only triggers among them). The content digest is
 * the sum of a hash of every row's text, so it needs no sort and no single huge string (a table of ten
 * million rows is summed as easily as a small one), and any changed, missing or extra row changes it.
 */

export type Summary = {
  kind: 'table' | 'sequence' | 'index' | 'constraint' | 'trigger';
  name: string;
  rows: number;
  digest: string;
};

/** `digests: false` counts rows only (the digest is empty), which reads the tables more cheaply. */
export async function summariseTables(db: Db, { digests = true } = {}): Promise<Summary[]> {
  const digest = digests
    ? sql`coalesce(sum(('x' || substr(md5(t::text), 1, 15))::bit(60)::bigint), 0)::text`
    : sql`''`;
  const { rows: tables } = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`.execute(db);
  const summaries: Summary[] = [];
  for (const { name } of tables) {
    const { rows } = await sql<{ rows: number; digest: string }>`
      select count(*)::int as rows, ${digest} as digest from ${sql.table(name)} as t`.execute(db);
    summaries.push({ kind: 'table', name, ...rows[0]! });
  }
  const { rows: objects } = await sql<{ kind: Summary['kind']; name: string; digest: string | null }>`
    select 'sequence' as kind, sequencename::text as name, last_value::text as digest
      from pg_sequences where schemaname = 'public'
    union all
    select 'index', tablename::text || '.' || indexname::text, md5(indexdef) from pg_indexes where schemaname = 'public'
    union all
    select 'constraint', conrelid::regclass::text || '.' || conname::text, md5(pg_get_constraintdef(oid))
      from pg_constraint where connamespace = 'public'::regnamespace
    union all
    select 'trigger', tgrelid::regclass::text || '.' || tgname::text, md5(pg_get_triggerdef(oid))
      from pg_trigger where not tgisinternal and tgrelid in (select oid from pg_class where relnamespace = 'public'::regnamespace)
    order by 1, 2, 3`.execute(db);
  for (const o of objects)
    summaries.push({ kind: o.kind, name: o.name, rows: 0, digest: o.digest ?? 'unused' });
  return summaries;
}
