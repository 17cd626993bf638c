import { describe, expect, it } from 'vitest';
import { DatabaseOpenError, openDatabase } from './database.ts';

describe('opening the database', () => {
  it('names DATABASE_URL when the server cannot be reached', async () => {
    const opening = openDatabase({ kind: 'postgres', url: 'postgres://postgres@127.0.0.1:1/nowhere' });
    await expect(opening).rejects.toThrow(DatabaseOpenError);
    await expect(opening).rejects.toThrow(/^Setting DATABASE_URL: cannot reach the database/);
  });
});
