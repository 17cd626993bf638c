import { inject } from 'vitest';
import type { DatabaseHandle } from '../../src/db/database.ts';
import { loadPGliteSnapshot, preparePGliteSnapshots, type PGliteSnapshots } from './pglite-snapshot.ts';
import {
  copyPostgresTemplate,
  dropPostgresTemplate,
  preparePostgresTemplate,
  type PostgresTemplate,
} from './postgres-template.ts';

/**
 * A fresh database per test file. The global setup migrates once (a dumped PGlite data folder, or a
 * PostgreSQL template database) and each file starts from a copy of it. With DATABASE_URL set the
 * suite runs on that PostgreSQL server; without it, on PGlite. This is the only test code that
 * reads DATABASE_URL.
 */

/** On PostgreSQL, `url` names the copy (for code that opens connections of its own). */
export type TestDatabase = DatabaseHandle & { url?: string };

/** What the global setup hands to the test workers. */
export type TestDatabaseSource =
  ({ engine: 'pglite' } & PGliteSnapshots) | ({ engine: 'postgres' } & PostgresTemplate);

declare module 'vitest' {
  interface ProvidedContext {
    testDatabase: TestDatabaseSource;
  }
}

/** `migrated: false` gives an empty database, for testing the migrations themselves. */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const source = inject('testDatabase');
  const migrated = options.migrated ?? true;
  if (source.engine === 'pglite') return loadPGliteSnapshot(migrated ? source.migrated : source.empty);
  return copyPostgresTemplate(source, migrated);
}

/** Run once by the global setup: the source for the workers, and what to do when the run ends. */
export async function prepareTestDatabases(): Promise<{
  source: TestDatabaseSource;
  cleanUp(): Promise<void>;
}> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    return { source: { engine: 'pglite', ...(await preparePGliteSnapshots()) }, cleanUp: async () => {} };
  }
  const template = await preparePostgresTemplate(serverUrl);
  return { source: { engine: 'postgres', ...template }, cleanUp: () => dropPostgresTemplate(template) };
}
