import type { Migration } from 'kysely';
import * as m0001 from './0001_partnership_access_audit.ts';
import * as m0002 from './0002_people_households.ts';

/** Forward-only: migrations are added at the end and never edited once released. */
export const migrations: Record<string, Migration> = {
  '0001_partnership_access_audit': m0001,
  '0002_people_households': m0002,
};
