import { sql, type Kysely } from 'kysely';

/**
 * Each agency record's blocking keys (the matching engine's, people.blocking.ts), so that a new record
 * finds its candidates in the database through one index instead of loading the whole person index.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table source_records add column match_keys text[] not null default '{}';
    create index source_records_match_keys on source_records using gin (match_keys);
  `.execute(db);
}
