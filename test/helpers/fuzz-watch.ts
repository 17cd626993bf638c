import { sql } from 'kysely';
import type { Db } from '../../src/db/database.ts';

/**
 * Tells whether a request wrote anything: a row trigger on every table notes each insert, update and
 * delete in `fuzz_writes`, inside the writer's own transaction, so a write that was rolled back
 * leaves no note and one that committed always does. Test databases only.
 */

/**
 * Tables a refused request may rightly write to: the audit trail (refusals and reads are audited by
 * design), the session or API token it came in on (their last-used time), and sign-in challenges
 * and the two-factor step last used (a failed sign-in attempt counts towards a lock-out).
 */
export const WRITES_ALLOWED_ON = [
  'audit_events',
  'sessions',
  'api_tokens',
  'sign_in_challenges',
  'user_two_factor',
];

export type WriteNote = { tableName: string; op: string };

export async function watchWrites(db: Db) {
  await sql`create table fuzz_writes (id bigint generated always as identity primary key, table_name text not null, op text not null)`.execute(
    db,
  );
  // Security definer: on PostgreSQL requests act as a restricted role, which may not write here.
  await sql`create function fuzz_note_write() returns trigger language plpgsql security definer set search_path = public as $$
    begin insert into fuzz_writes (table_name, op) values (tg_table_name, tg_op); return null; end $$`.execute(
    db,
  );
  const tables = await sql<{ name: string }>`
    select tablename as name from pg_tables
    where schemaname = 'public' and tablename <> 'fuzz_writes' and tablename not like 'kysely_%'`.execute(db);
  const watched = tables.rows.map((t) => t.name).filter((t) => !WRITES_ALLOWED_ON.includes(t));
  for (const table of watched)
    await sql`create trigger fuzz_watch after insert or update or delete on ${sql.table(table)}
      for each row execute function fuzz_note_write()`.execute(db);

  return {
    watched,
    /** A mark to compare against later. */
    async mark(): Promise<number> {
      const row = await sql<{ n: string | null }>`select max(id) as n from fuzz_writes`.execute(db);
      return Number(row.rows[0]?.n ?? 0);
    },
    /** The writes committed since the mark. */
    async since(mark: number): Promise<WriteNote[]> {
      const rows =
        await sql<WriteNote>`select table_name as "tableName", op from fuzz_writes where id > ${mark} order by id`.execute(
          db,
        );
      return rows.rows;
    },
  };
}
export type WriteWatch = Awaited<ReturnType<typeof watchWrites>>;
