import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertPartnership } from '../../test/helpers/builders.ts';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { summariseTables } from './tables.ts';

describe('summariseTables, what a restored copy is compared by', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.close());

  const partnerships = async () =>
    (await summariseTables(database.db)).find((t) => t.name === 'partnerships')!;

  it('lists every table of the schema, its sequences, indexes, constraints and triggers', async () => {
    const summaries = await summariseTables(database.db);
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from information_schema.tables
      where table_schema = 'public' and table_type = 'BASE TABLE'`.execute(database.db);
    expect(summaries.filter((s) => s.kind === 'table').length).toBe(rows[0]!.n);
    const names = summaries.map((s) => `${s.kind} ${s.name}`);
    expect(names).toContainEqual(expect.stringMatching(/^sequence /));
    expect(names).toContain('index people.people_pkey');
    expect(names).toContain('constraint people.people_pkey');
    expect(names).toContainEqual(expect.stringMatching(/^trigger audit_events\./));
  });

  it('changes its digest when a row is added or one value changes, and not otherwise', async () => {
    const empty = await partnerships();
    const id = await insertPartnership(database.db, 'Eastmoor');
    const one = await partnerships();
    expect(one.rows).toBe(empty.rows + 1);
    expect(one.digest).not.toBe(empty.digest);
    expect(await partnerships()).toEqual(one);
    await database.db.updateTable('partnerships').set({ name: 'Eastmoor.' }).where('id', '=', id).execute();
    const changed = await partnerships();
    expect(changed.rows).toBe(one.rows);
    expect(changed.digest).not.toBe(one.digest);
  });
});
