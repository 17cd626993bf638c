import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
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
