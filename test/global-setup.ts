import type { TestProject } from 'vitest/node';
import { prepareTestDatabases } from './helpers/database.ts';

/** Migrates once per run and tells the workers where the migrated copy is. */
export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { source, cleanUp } = await prepareTestDatabases();
  project.provide('testDatabase', source);
  return cleanUp;
}
