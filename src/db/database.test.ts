import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/helpers/database.ts';
import { DatabaseOpenError, openDatabase } from './database.ts';

describe('opening the database', () => {
  it('names DATABASE_URL when the server cannot be reached', async () => {
    const opening = openDatabase({ kind: 'postgres', url: 'postgres://postgres@127.0.0.1:1/nowhere' });
    await expect(opening).rejects.toThrow(DatabaseOpenError);
    await expect(opening).rejects.toThrow(/^Setting DATABASE_URL: cannot reach the database/);
  });
});

describe('the embedded database folder', () => {
  it('is opened by one process at a time: a second opening is refused with a plain message', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'wa-lock-'));
    const first = await openDatabase({ kind: 'pglite', dataDir });
    try {
      await expect(openDatabase({ kind: 'pglite', dataDir })).rejects.toThrow(
        `The embedded database in ${dataDir} is already open in another Wraparound process.`,
      );
    } finally {
      await first.close();
    }
    const again = await openDatabase({ kind: 'pglite', dataDir });
    await again.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  }, 30_000);
});

describe('the migrated database’s extensions', () => {
  // On PGlite the order extensions load in matters (see pgliteOptions): both must work at once.
  it('match by trigrams and measure distances in the same instance', async () => {
    const handle = await createTestDatabase();
    try {
      const alike = await sql<{
        alike: boolean;
      }>`select 'vumberbatch'::text % 'cumberbatch'::text as alike`.execute(handle.db);
      const distance = await sql<{
        miles: number;
      }>`select point(-1.55, 53.8) <@> point(-1.55, 53.85) as miles`.execute(handle.db);
      expect(alike.rows[0]!.alike).toBe(true);
      expect(distance.rows[0]!.miles).toBeCloseTo(3.45, 2);
    } finally {
      await handle.close();
    }
  });
});
