import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { pgliteHandle, pgliteOptions, type DatabaseHandle } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';

/**
 * A new in-memory PGlite runs initdb, which takes seconds; starting one from a dumped data folder
 * skips it. The dumps are kept between runs and rebuilt when the migrations, the database layer or
 * PGlite itself change.
 */

export type PGliteSnapshots = { empty: string; migrated: string };

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CACHE_DIR = path.join(ROOT, 'node_modules/.cache/wraparound-test');

export async function preparePGliteSnapshots(): Promise<PGliteSnapshots> {
  const key = await snapshotKey();
  const snapshots = {
    empty: path.join(CACHE_DIR, `pglite-${key}-empty.tar`),
    migrated: path.join(CACHE_DIR, `pglite-${key}-migrated.tar`),
  };
  if (!((await exists(snapshots.empty)) && (await exists(snapshots.migrated)))) {
    await buildSnapshots(snapshots);
  }
  return snapshots;
}

/** A file that creates several databases reads each dump once. */
const dumps = new Map<string, Promise<Blob>>();

export async function loadPGliteSnapshot(file: string): Promise<DatabaseHandle> {
  let dump = dumps.get(file);
  if (!dump) dumps.set(file, (dump = fs.readFile(file).then((bytes) => new Blob([bytes]))));
  return pgliteHandle(await PGlite.create({ ...pgliteOptions, loadDataDir: await dump }));
}

/** Everything that decides what the dumped folders hold. */
async function snapshotKey(): Promise<string> {
  const pgliteEntry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const migrationsDir = path.join(ROOT, 'src/db/migrations');
  const inputs = [
    path.join(path.dirname(pgliteEntry), '../package.json'),
    path.join(ROOT, 'src/db/database.ts'),
    path.join(ROOT, 'src/db/migrate.ts'),
    ...(await fs.readdir(migrationsDir)).sort().map((name) => path.join(migrationsDir, name)),
  ];
  const hash = createHash('sha256');
  for (const file of inputs) hash.update(path.relative(ROOT, file)).update(await fs.readFile(file));
  return hash.digest('hex').slice(0, 16);
}

async function buildSnapshots(snapshots: PGliteSnapshots): Promise<void> {
  await fs.mkdir(CACHE_DIR, { recursive: true });
  const client = await PGlite.create(pgliteOptions);
  const handle = pgliteHandle(client);
  try {
    // Uncompressed: about 40MB each, but they load faster than gzipped ones.
    await writeAtomically(snapshots.empty, await client.dumpDataDir('none'));
    await migrateToLatest(handle.db);
    await writeAtomically(snapshots.migrated, await client.dumpDataDir('none'));
  } finally {
    await handle.close();
  }
  await removeOtherSnapshots(snapshots);
}

/** Snapshots of other migration sets, left an hour: another checkout's run may still be reading them. */
async function removeOtherSnapshots(current: PGliteSnapshots): Promise<void> {
  const keep = new Set(Object.values(current).map((file) => path.basename(file)));
  const staleBefore = Date.now() - 60 * 60 * 1000;
  for (const name of await fs.readdir(CACHE_DIR)) {
    if (keep.has(name) || name.endsWith('.partial')) continue;
    const file = path.join(CACHE_DIR, name);
    const stat = await fs.stat(file).catch(() => null);
    if (stat && stat.mtimeMs < staleBefore) await fs.rm(file, { force: true });
  }
}

/** Another run may be reading the cache: a reader sees a whole file or none. */
async function writeAtomically(file: string, content: Blob): Promise<void> {
  const partial = `${file}.${process.pid}.partial`;
  await fs.writeFile(partial, Buffer.from(await content.arrayBuffer()));
  await fs.rename(partial, file);
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}
