import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertPartnership } from '../../test/helpers/builders.ts';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database.ts';

/**
 * PGlite is one connection shared by every caller, so the dialect must lend it to one transaction
 * at a time. These tests run on both engines: PostgreSQL gives the same answers through MVCC.
 */

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.close());

class RolledBack extends Error {}

async function slugsLike(prefix: string): Promise<string[]> {
  const rows = await database.db
    .selectFrom('partnerships')
    .select('slug')
    .where('slug', 'like', `${prefix}%`)
    .orderBy('slug')
    .execute();
  return rows.map((r) => r.slug);
}

describe('concurrent transactions', () => {
  it('hide uncommitted rows from a concurrent query, and a rollback undoes only its own transaction', async () => {
    const { db } = database;
    let inserted!: () => void;
    const insertedInA = new Promise<void>((resolve) => (inserted = resolve));

    const transactionA = db.transaction().execute(async (tx) => {
      await tx.insertInto('partnerships').values({ name: 'A', slug: 'iso-a' }).execute();
      inserted();
      // Hold the transaction open while the others are started; a timer, so nothing waits on them.
      await sleep(100);
      throw new RolledBack();
    });
    await insertedInA;

    // Only A's row: on PostgreSQL, B may well commit before this query takes its snapshot.
    const seenMeanwhile = slugsLike('iso-a');
    const transactionB = db.transaction().execute(async (tx) => {
      await tx.insertInto('partnerships').values({ name: 'B', slug: 'iso-b' }).execute();
    });

    await expect(transactionA).rejects.toBeInstanceOf(RolledBack);
    await transactionB;
    expect(await seenMeanwhile).toEqual([]);
    expect(await slugsLike('iso-')).toEqual(['iso-b']);
  });

  it('do not leave a failed transaction open for the next caller', async () => {
    const { db } = database;
    const failing = db.transaction().execute(async (tx) => {
      await tx.insertInto('partnerships').values({ name: 'C', slug: 'fail-c' }).execute();
      await sql`select 1 / 0`.execute(tx);
    });
    const after = db.insertInto('partnerships').values({ name: 'D', slug: 'fail-d' }).execute();
    await expect(failing).rejects.toThrow(/division by zero/);
    await after;
    expect(await slugsLike('fail-')).toEqual(['fail-d']);
  });

  it('keep many concurrent transactions apart', async () => {
    const { db } = database;
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        db.transaction().execute(async (tx) => {
          await tx
            .insertInto('partnerships')
            .values({ name: `M${i}`, slug: `many-${i}` })
            .execute();
          await sleep(5);
          if (i % 2 === 1) throw new RolledBack();
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(5);
    expect(await slugsLike('many-')).toEqual(['many-0', 'many-2', 'many-4', 'many-6', 'many-8']);
  });
});

describe('type parsing', () => {
  it('returns plain dates as YYYY-MM-DD strings, with and without parameters', async () => {
    const { db } = database;
    const withoutParameters = await sql<{ d: string }>`select date '2024-02-29' as d`.execute(db);
    const withParameters = await sql<{ d: string }>`select ${'2024-03-31'}::date as d`.execute(db);
    expect(withoutParameters.rows).toEqual([{ d: '2024-02-29' }]);
    expect(withParameters.rows).toEqual([{ d: '2024-03-31' }]);
  });

  it('round-trips a date of birth through a table unchanged', async () => {
    const { db } = database;
    const partnershipId = await insertPartnership(db);
    await db
      .insertInto('people')
      .values({ partnershipId, kind: 'child', familyName: 'Okafor', dateOfBirth: '2019-12-31' })
      .execute();
    const person = await db
      .selectFrom('people')
      .select(['dateOfBirth', 'createdAt'])
      .where('partnershipId', '=', partnershipId)
      .executeTakeFirstOrThrow();
    expect(person.dateOfBirth).toBe('2019-12-31');
    expect(person.createdAt).toBeInstanceOf(Date);
  });

  it('returns count(*) as a number, with and without parameters', async () => {
    const { db } = database;
    const withoutParameters = await sql<{
      n: number;
    }>`select count(*) as n from generate_series(1, 3)`.execute(db);
    const withParameters = await sql<{
      n: number;
    }>`select count(*) as n from generate_series(1, ${4}::int)`.execute(db);
    const built = await db
      .selectFrom('partnerships')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(withoutParameters.rows).toEqual([{ n: 3 }]);
    expect(withParameters.rows).toEqual([{ n: 4 }]);
    expect(typeof built.n).toBe('number');
  });
});
