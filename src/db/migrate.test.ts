import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import type { Db } from './database.ts';
import { migrateToLatest } from './migrate.ts';
import { migrations } from './migrations/index.ts';

/** Tables that belong to the installation, not to one partnership. */
const UNSCOPED_TABLES = [
  'partnerships',
  'sessions',
  'instance_settings',
  'kysely_migration',
  'kysely_migration_lock',
  // Reference data shared by every partnership: postcode and place coordinates for distance search.
  'geo_places',
];

/** Tables whose primary key is missing or does not start with partnership_id. */
async function tablesNotKeyedByPartnership(db: Db): Promise<string[]> {
  const { rows } = await sql<{ tableName: string }>`
    select t.table_name
    from information_schema.tables t
    left join information_schema.table_constraints pk
      on pk.table_schema = t.table_schema and pk.table_name = t.table_name and pk.constraint_type = 'PRIMARY KEY'
    left join information_schema.key_column_usage first_column
      on first_column.constraint_schema = pk.constraint_schema and first_column.constraint_name = pk.constraint_name
      and first_column.table_name = pk.table_name and first_column.ordinal_position = 1
    where t.table_schema = 'public' and t.table_type = 'BASE TABLE'
      and t.table_name <> all(${UNSCOPED_TABLES})
      and first_column.column_name is distinct from 'partnership_id'
    order by t.table_name
  `.execute(db);
  return rows.map((r) => r.tableName);
}

/** Tables with a partnership_id whose rows row-level security does not keep to one partnership. */
async function tablesWithoutRowSecurity(db: Db): Promise<string[]> {
  const { rows } = await sql<{ tableName: string }>`
    select c.relname as "tableName"
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'public'
    where c.relkind = 'r'
      and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'partnership_id' and not a.attisdropped)
      and not (c.relrowsecurity and exists (
        select 1 from pg_policy p where p.polrelid = c.oid and p.polname = 'partnership_only'))
    order by 1`.execute(db);
  return rows.map((r) => r.tableName);
}

/**
 * Foreign keys from one table with a partnership_id column to another that do not pair
 * partnership_id with partnership_id: such a key could link rows of two partnerships.
 * A key whose referenced table cannot be found is listed too, rather than passed unseen.
 */
async function foreignKeysNotPairingPartnership(db: Db): Promise<string[]> {
  const { rows } = await sql<{ constraintName: string }>`
    with scoped as (
      select table_name from information_schema.columns
      where table_schema = 'public' and column_name = 'partnership_id'
    ),
    foreign_keys as (
      select fk.constraint_name, fk.table_name, rc.unique_constraint_name, referenced.table_name as referenced_table
      from information_schema.table_constraints fk
      join information_schema.referential_constraints rc
        on rc.constraint_schema = fk.constraint_schema and rc.constraint_name = fk.constraint_name
      left join information_schema.table_constraints referenced
        on referenced.constraint_schema = rc.unique_constraint_schema
        and referenced.constraint_name = rc.unique_constraint_name
      where fk.table_schema = 'public' and fk.constraint_type = 'FOREIGN KEY'
    )
    select f.constraint_name
    from foreign_keys f
    where f.table_name in (select table_name from scoped)
      and (f.referenced_table is null or f.referenced_table in (select table_name from scoped))
      and not exists (
        select 1
        from information_schema.key_column_usage kcu
        join information_schema.key_column_usage referenced_column
          on referenced_column.constraint_schema = 'public'
          and referenced_column.constraint_name = f.unique_constraint_name
          and referenced_column.table_name = f.referenced_table
          and referenced_column.ordinal_position = kcu.position_in_unique_constraint
        where kcu.constraint_schema = 'public' and kcu.constraint_name = f.constraint_name
          and kcu.table_name = f.table_name
          and kcu.column_name = 'partnership_id' and referenced_column.column_name = 'partnership_id'
      )
    order by f.constraint_name
  `.execute(db);
  return rows.map((r) => r.constraintName);
}

describe('migrations on an empty database', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ migrated: false });
  });
  afterAll(() => database?.close());

  it('run every migration in order, and a second run does nothing', async () => {
    expect(await migrateToLatest(database.db)).toEqual(Object.keys(migrations));
    expect(await migrateToLatest(database.db)).toEqual([]);
    const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(
      database.db,
    );
    expect(rows.map((r) => r.name)).toEqual(Object.keys(migrations));
  });
});

describe('the migrated schema', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database?.close());

  it('is already at the latest migration', async () => {
    expect(await migrateToLatest(database.db)).toEqual([]);
  });

  it('keys every partnership-scoped table by partnership_id first', async () => {
    expect(await tablesNotKeyedByPartnership(database.db)).toEqual([]);
  });

  it('keeps every table with a partnership_id to one partnership by row-level security', async () => {
    expect(await tablesWithoutRowSecurity(database.db)).toEqual([]);
  });

  it('pairs partnership_id in every foreign key between partnership-scoped tables', async () => {
    expect(await foreignKeysNotPairingPartnership(database.db)).toEqual([]);
  });

  it('notices a table or foreign key that breaks the rules', async () => {
    // Proves the checks above can fail; rolled back so the schema stays as migrated.
    await expect(
      database.db.transaction().execute(async (tx) => {
        await sql`
          create table stray_notes (id uuid primary key, partnership_id uuid not null);
          create table unkeyed_notes (partnership_id uuid not null, body text);
          create table linked_notes (
            partnership_id uuid not null,
            id uuid not null,
            person_id uuid not null,
            other_partnership_id uuid not null,
            primary key (partnership_id, id),
            constraint linked_notes_person_fkey foreign key (other_partnership_id, person_id)
              references people (partnership_id, id),
            constraint linked_notes_stray_fkey foreign key (id) references stray_notes (id)
          );
        `.execute(tx);
        expect(await tablesNotKeyedByPartnership(tx)).toEqual(['stray_notes', 'unkeyed_notes']);
        expect(await tablesWithoutRowSecurity(tx)).toEqual(['linked_notes', 'stray_notes', 'unkeyed_notes']);
        expect(await foreignKeysNotPairingPartnership(tx)).toEqual([
          'linked_notes_person_fkey',
          'linked_notes_stray_fkey',
        ]);
        throw new RolledBack();
      }),
    ).rejects.toBeInstanceOf(RolledBack);
    expect(await tablesNotKeyedByPartnership(database.db)).toEqual([]);
  });
});

class RolledBack extends Error {}
