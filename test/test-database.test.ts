import { afterAll, describe, expect, it } from 'vitest';
import { insertPartnership } from './helpers/builders.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';

/** The test database helper itself: every database is new, migrated, and closes for real. */
describe('createTestDatabase', () => {
  const opened: TestDatabase[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((database) => database.close()));
  });

  it('gives each caller a database of its own', async () => {
    const first = await createTestDatabase();
    const second = await createTestDatabase();
    opened.push(first, second);
    await insertPartnership(first.db, 'Only In The First');
    const inSecond = await second.db.selectFrom('partnerships').select('name').execute();
    expect(inSecond).toEqual([]);
  });

  it('closes a database on which no query was run', async () => {
    // Kysely's destroy() alone would leave such a database open (and PostgreSQL could not drop it).
    const database = await createTestDatabase();
    await database.close();
    await expect(database.db.selectFrom('partnerships').select('id').execute()).rejects.toThrow();
  });
});
