import { randomBytes } from 'node:crypto';
import type { Actor, Ctx, Role } from '../../src/common/context.ts';
import type { Db } from '../../src/db/database.ts';
import { buildCtx, TEST_NOW } from './context.ts';

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

/** A staff account as tests use one: its id, email, actor and a context at a given time. */
export type WorldUser = { id: string; email: string; actor: Actor; ctx: (now?: Date) => Ctx };

/** Inserts a staff account directly (no password), named after its email. */
export async function insertUser(
  db: Db,
  partnershipId: string,
  email: string,
  organisationId: string,
  roles: Role[],
): Promise<WorldUser> {
  const displayName = email.split('@')[0]!;
  const row = await db
    .insertInto('users')
    .values({ partnershipId, email, displayName, organisationId, roles, passwordHash: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  const actor: Actor = { userId: row.id, partnershipId, organisationId, roles, displayName };
  return { id: row.id, email, actor, ctx: (now = TEST_NOW) => buildCtx(actor, { now }) };
}
