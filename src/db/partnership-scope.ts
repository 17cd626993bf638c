import { AsyncLocalStorage } from 'node:async_hooks';
import { sql, type Kysely } from 'kysely';
import type pg from 'pg';
import type { Database } from './schema.ts';

/**
 * Row-level security, the second line of defence behind the access rules: while the code serving a
 * signed-in person runs, each database connection it takes acts as a restricted role that sees and
 * changes only that person's partnership's rows, whatever a query forgets to say. The policies are
 * in migration 0019; DATABASE_ROW_SECURITY turns it on (docs/operations.md). Outside a signed-in
 * request (start-up, migrations, background jobs, the CLI, sign-in itself, public pages) connections
 * act as the login role, which owns the tables and so is not restricted.
 */

const scopes = new AsyncLocalStorage<string>();

/** Runs `fn` (and everything it starts) as work for one partnership. */
export function withPartnershipScope<T>(partnershipId: string, fn: () => T): T {
  return scopes.run(partnershipId, fn);
}

/** The partnership the running code works for, or undefined outside a signed-in request. */
export function currentPartnershipScope(): string | undefined {
  return scopes.getStore();
}

/** The restricted role (made by migration 0004 with rights to every table, the audit trail only to read and append). */
export const APP_ROLE = 'wraparound_app';

/** The setting the policies read. */
export const SCOPE_SETTING = 'wraparound.partnership_id';

/**
 * Prepares a pooled connection for the code about to use it: the restricted role and its partnership
 * inside a scope, the login role outside one. Every checkout sets both, so a connection never carries
 * the last user's scope to the next.
 */
export async function applyPartnershipScope(client: pg.PoolClient): Promise<void> {
  const partnershipId = currentPartnershipScope();
  await client.query(`select set_config('role', $1, false), set_config($2, $3, false)`, [
    partnershipId ? APP_ROLE : 'none',
    SCOPE_SETTING,
    partnershipId ?? '',
  ]);
}

/**
 * Start-up check: the login role must be able to act as the restricted role (a superuser can; any
 * other login role must be granted it), or every signed-in request would fail.
 */
export async function checkRowSecurity(db: Kysely<Database>): Promise<void> {
  const { rows } = await sql<{ member: boolean }>`
    select pg_has_role(current_user, ${APP_ROLE}, 'member') as member`.execute(db);
  if (!rows[0]?.member)
    throw new Error(
      `Setting DATABASE_ROW_SECURITY: the login role cannot act as ${APP_ROLE}. ` +
        `Grant it (grant ${APP_ROLE} to <login role>), or set DATABASE_ROW_SECURITY=false.`,
    );
}
