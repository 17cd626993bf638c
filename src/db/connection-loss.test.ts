import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database.ts';

/** PostgreSQL only: PGlite runs in the process and has no connection to lose. */
describe.runIf(inject('testDatabase').engine === 'postgres')(
  'a pooled connection closed by the server',
  () => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await createTestDatabase();
    });
    afterAll(() => database?.close());

    it('is dropped from the pool without crashing the process, and the next query works', async () => {
      const { db } = database;
      // Two transactions at once, so the pool keeps two connections open.
      await Promise.all(
        [1, 2].map(() => db.transaction().execute((tx) => sql`select pg_sleep(0.05)`.execute(tx))),
      );
      // What a server restart or an administrator does to an idle connection.
      const { rows } = await sql<{ terminated: boolean }>`
      select pg_terminate_backend(pid) as terminated from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid()
    `.execute(db);
      expect(rows).toContainEqual({ terminated: true });
      await sleep(200);
      const after = await sql<{ one: number }>`select 1 as one`.execute(db);
      expect(after.rows).toEqual([{ one: 1 }]);
    });
  },
);
