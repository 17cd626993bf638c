import { createWriteStream } from 'node:fs';
import { access, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { PGlite } from '@electric-sql/pglite';
import { lockDataDir, pgliteOptions } from '../db/database.ts';
import { BackupError, writeAtomically } from './backup.files.ts';

/**
 * The embedded database: one process at a time may open its data folder, so backup and restore take
 * the folder's lock as the server does, and a running server makes them stop with a message saying so.
 * The backup is PGlite's own dump of the data folder, taken with no other query running (and after a
 * checkpoint), so it is a consistent copy; it is held in memory while written, which suits the
 * embedded database's size.
 */

export async function backupPGlite(dataDir: string, file: string): Promise<void> {
  const found = await access(path.join(dataDir, 'PG_VERSION')).then(
    () => true,
    () => false,
  );
  if (!found) throw new BackupError(`DATA_DIR: ${dataDir} holds no embedded database`);
  const unlock = await lockDataDir(dataDir);
  try {
    const client = await PGlite.create({ dataDir, ...pgliteOptions });
    try {
      await client.exec('checkpoint');
      const dump = await client.dumpDataDir('gzip');
      await writeAtomically(file, (temporary) =>
        pipeline(Readable.fromWeb(dump.stream()), createWriteStream(temporary)),
      );
    } finally {
      await client.close();
    }
  } finally {
    await unlock();
  }
}

export async function restorePGlite(dataDir: string, file: string): Promise<void> {
  const present = await readdir(dataDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  if (present.length > 0)
    throw new BackupError(
      `DATA_DIR: ${dataDir} is not empty. Restore into a new folder (set DATA_DIR to it), or move this one aside first.`,
    );
  const dump = new Blob([unpack(file, await readFile(file))]);
  await mkdir(dataDir, { recursive: true });
  const unlock = await lockDataDir(dataDir);
  let loaded = false;
  try {
    const client = await PGlite.create({ dataDir, loadDataDir: dump, ...pgliteOptions }).catch(
      (error: Error) => {
        throw new BackupError(`<file>: ${file} is not a readable backup (${error.message})`);
      },
    );
    await client.close();
    loaded = true;
  } finally {
    await unlock();
    // The folder was empty: a load that failed leaves it empty again, ready for another try.
    if (!loaded)
      for (const entry of await readdir(dataDir))
        await rm(path.join(dataDir, entry), { recursive: true, force: true });
  }
}

/**
 * The tarball inside the gzip, checked here: gzip's checksum catches a damaged or cut-off file, which
 * PGlite's own loader would meet as an error it cannot catch, ending the process.
 */
function unpack(file: string, gzipped: Buffer): Buffer {
  try {
    const tar = gunzipSync(gzipped);
    if (tar.toString('latin1', 257, 262) !== 'ustar') throw new Error('no tar archive inside');
    return tar;
  } catch (error) {
    throw new BackupError(`<file>: ${file} is not a readable backup (${(error as Error).message})`);
  }
}
