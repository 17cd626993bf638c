import { sql, type Kysely } from 'kysely';

/**
 * Row-level security per partnership, a second line of defence behind the access rules: on every
 * table with a partnership_id, a role that does not own the tables sees and changes only the rows of
 * the partnership named by the setting wraparound.partnership_id (an unset setting is an error, not
 * every row). The app's connections for signed-in people act as such a role, wraparound_app (made by
 * 0004), unless DATABASE_ROW_SECURITY is false (src/db/partnership-scope.ts); the owner, which
 * migrates and runs background work, is not bound.
 *
 * Tables added later must do the same; the migration test checks that every one does.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const { rows } = await sql<{ tableName: string }>`
    select c.table_name as "tableName"
    from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = 'public' and c.column_name = 'partnership_id' and t.table_type = 'BASE TABLE'
    order by c.table_name`.execute(db);
  for (const { tableName } of rows) {
    const table = sql.table(tableName);
    await sql`alter table ${table} enable row level security`.execute(db);
    await sql`create policy partnership_only on ${table}
      using (partnership_id = current_setting('wraparound.partnership_id')::uuid)
      with check (partnership_id = current_setting('wraparound.partnership_id')::uuid)`.execute(db);
  }
}
