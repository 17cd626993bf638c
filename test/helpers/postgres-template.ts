import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';

/**
 * On PostgreSQL the run migrates one template database; each test file gets a copy made by
 * `create database ... template`, which takes a fraction of a second. Every database of a run is
 * named `wa_test_<runId>_...`, so the run can sweep away any that a failed test left behind.
 */

export type PostgresTemplate = { serverUrl: string; runId: string; template: string };

export async function preparePostgresTemplate(serverUrl: string): Promise<PostgresTemplate> {
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const template = `wa_test_template_${runId}`;
  await dropAbandonedDatabases(serverUrl);
  await adminQuery(serverUrl, `create database ${template}`);
  const handle = await openDatabase({ kind: 'postgres', url: withDatabase(serverUrl, template) });
  try {
    await migrateToLatest(handle.db);
  } finally {
    // A template cannot be copied while anyone is connected to it.
    await handle.close();
  }
  return { serverUrl, runId, template };
}

/** A new database copied from the template (or, with `migrated: false`, an empty one). */
export async function copyPostgresTemplate(
  { serverUrl, runId, template }: PostgresTemplate,
  migrated: boolean,
): Promise<DatabaseHandle & { url: string }> {
  const name = `wa_test_${runId}_${randomBytes(4).toString('hex')}`;
  await adminQuery(serverUrl, `create database ${name}${migrated ? ` template ${template}` : ''}`);
  const url = withDatabase(serverUrl, name);
  // Signed-in requests act as the restricted role, so every route test runs under row-level security.
  const handle = await openDatabase({ kind: 'postgres', url, rowSecurity: true });
  return {
    ...handle,
    url,
    close: async () => {
      await handle.close();
      // Not `with (force)`: the pool's connections may still be closing after pool.end() resolves;
      // a plain drop waits for them (up to 5s), a forced one kills them and they report an error.
      await adminQuery(serverUrl, `drop database if exists ${name}`);
    },
  };
}

/** Drops the template and any database of this run that a test failed to close. */
export async function dropPostgresTemplate({ serverUrl, runId, template }: PostgresTemplate): Promise<void> {
  const names = await listTestDatabases(serverUrl);
  await dropAll(serverUrl, [...names.filter((name) => name.startsWith(`wa_test_${runId}_`)), template]);
}

/** Databases of runs that were killed before their teardown (a day old or more). */
async function dropAbandonedDatabases(serverUrl: string): Promise<void> {
  const dayAgo = Date.now() - 24 * 60 * 60 * 1000;
  const names = await listTestDatabases(serverUrl);
  await dropAll(
    serverUrl,
    names.filter((name) => {
      const startedAt = /^wa_test_(?:template_)?([0-9a-z]{8})/.exec(name)?.[1];
      return startedAt !== undefined && parseInt(startedAt, 36) < dayAgo;
    }),
  );
}

async function listTestDatabases(serverUrl: string): Promise<string[]> {
  const { rows } = await adminQuery<{ datname: string }>(
    serverUrl,
    `select datname from pg_database where datname like 'wa\\_test\\_%'`,
  );
  return rows.map((r) => r.datname);
}

/** Tries every drop, so one failure does not leave the rest behind, then reports what failed. */
async function dropAll(serverUrl: string, names: string[]): Promise<void> {
  const results = await Promise.allSettled(
    names.map((name) => adminQuery(serverUrl, `drop database if exists ${name} with (force)`)),
  );
  const failures = results.flatMap((r, i) =>
    r.status === 'rejected' ? [`${names[i]}: ${String(r.reason)}`] : [],
  );
  if (failures.length > 0) throw new Error(`Could not drop test databases:\n${failures.join('\n')}`);
}

/** Create and drop database cannot run in a transaction or take parameters: one short connection each. */
async function adminQuery<R extends pg.QueryResultRow>(serverUrl: string, text: string) {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await client.query<R>(text);
  } finally {
    await client.end();
  }
}

function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}
