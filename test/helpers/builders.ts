import { randomBytes } from 'node:crypto';
import type { Db } from '../../src/db/database.ts';

/** Inserts a partnership (the tenant) directly; a unique slug lets a test create several. */
export async function insertPartnership(db: Db, name = 'Test Partnership'): Promise<string> {
  const slug = `test-${randomBytes(4).toString('hex')}`;
  const row = await db
    .insertInto('partnerships')
    .values({ name, slug })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
