import { open, stat } from 'node:fs/promises';
import type { Config } from '../config.ts';
import { backupPGlite, restorePGlite } from './backup.pglite.ts';
import { backupPostgres, restorePostgres } from './backup.postgres.ts';
import { BackupError } from './backup.files.ts';

/**
 * `wraparound backup` and `wraparound restore`: a whole database to one file and back, for the engine
 * the settings name. PostgreSQL goes through pg_dump's custom format and pg_restore; the embedded
 * database through PGlite's own dump of its data folder (a gzipped tarball). A restore goes only into
 * an empty target, so it never mixes a backup with what is already there.
 */

export { BackupError } from './backup.files.ts';

export type BackupResult = { file: string; bytes: number; seconds: number };
export type RestoreOptions = {
  /** PostgreSQL: tables restored at once (pg_restore -j). */
  jobs?: number;
  /** PostgreSQL: drop everything in the target database first, instead of refusing a non-empty one. */
  replace?: boolean;
};

export async function backupDatabase(database: Config['database'], file: string): Promise<BackupResult> {
  const started = performance.now();
  if (database.kind === 'postgres') await backupPostgres(database.url, file);
  else if (database.dataDir.startsWith('memory://'))
    throw new BackupError('DATA_DIR: an in-memory database cannot be backed up');
  else await backupPGlite(database.dataDir, file);
  return { file, bytes: (await stat(file)).size, seconds: (performance.now() - started) / 1000 };
}

export async function restoreDatabase(
  database: Config['database'],
  file: string,
  options: RestoreOptions = {},
): Promise<{ seconds: number }> {
  const started = performance.now();
  const kind = await backupKind(file);
  if (database.kind === 'postgres') {
    if (kind !== 'postgres')
      throw new BackupError(
        `<file>: ${file} is ${kind === 'pglite' ? 'a backup of an embedded database: unset DATABASE_URL and set DATA_DIR to restore it' : 'not a Wraparound backup'}`,
      );
    await restorePostgres(database.url, file, options);
  } else {
    if (kind !== 'pglite')
      throw new BackupError(
        `<file>: ${file} is ${kind === 'postgres' ? 'a backup of a PostgreSQL database: set DATABASE_URL to restore it' : 'not a Wraparound backup'}`,
      );
    if (options.replace)
      throw new BackupError(
        '--replace: is for PostgreSQL only; for the embedded database, move the folder aside and restore into a new one',
      );
    if (database.dataDir.startsWith('memory://'))
      throw new BackupError('DATA_DIR: restore into a folder, not an in-memory database');
    await restorePGlite(database.dataDir, file);
  }
  return { seconds: (performance.now() - started) / 1000 };
}

/** Which engine wrote a backup, from its first bytes: pg_dump's custom format, or a gzip (PGlite). */
async function backupKind(file: string): Promise<'postgres' | 'pglite' | 'unknown'> {
  const handle = await open(file, 'r').catch(() => {
    throw new BackupError(`<file>: ${file} cannot be read`);
  });
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(5), 0, 5, 0);
    const head = buffer.subarray(0, bytesRead);
    if (head.toString('latin1') === 'PGDMP') return 'postgres';
    if (head[0] === 0x1f && head[1] === 0x8b) return 'pglite';
    return 'unknown';
  } finally {
    await handle.close();
  }
}
