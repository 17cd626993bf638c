import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../src/db/database.ts';
import { verifyChains } from '../src/modules/audit/index.ts';
import { summariseTables } from '../src/ops/tables.ts';
import { createTestDatabase } from './helpers/database.ts';

const run = promisify(execFile);
const bin = path.resolve(import.meta.dirname, '../bin/wraparound.js');
const engine = inject('testDatabase').engine;

/**
 * The restore drill, run as an operator would, on the suite's engine: a demo partnership is backed up,
 * restored into a new database (PostgreSQL) or folder (embedded), and the copy compared with the
 * original table by table, with its audit chains verified. Then what must be refused is refused.
 */
describe(`wraparound backup and restore (${engine})`, () => {
  let dir: string;
  let source: Target;
  let backup: string;
  let backedUp: Awaited<ReturnType<typeof wraparound>>;
  const targets: Target[] = [];

  /** A database the command is pointed at by its settings, and a way to look inside it. */
  type Target = {
    env: Record<string, string>;
    inspect<T>(work: (handle: DatabaseHandle) => Promise<T>): Promise<T>;
    close(): Promise<void>;
  };

  async function newTarget(migrated: boolean): Promise<Target> {
    let target: Target;
    if (engine === 'pglite') {
      const dataDir = path.join(dir, `data-${randomBytes(4).toString('hex')}`);
      target = {
        env: { DATA_DIR: dataDir },
        // The folder takes one process at a time: opened only while the command is not running.
        inspect: async (work) => {
          const handle = await openDatabase({ kind: 'pglite', dataDir });
          try {
            return await work(handle);
          } finally {
            await handle.close();
          }
        },
        close: async () => {},
      };
    } else {
      // A new database from the suite's template (migrated) or an empty one; dropped when closed.
      const database = await createTestDatabase({ migrated });
      target = {
        env: { DATABASE_URL: database.url! },
        inspect: (work) => work(database),
        close: database.close,
      };
    }
    targets.push(target);
    return target;
  }

  const wraparound = (target: Target, args: string[], env: Record<string, string> = {}) =>
    run(process.execPath, [bin, ...args], {
      env: { PATH: process.env.PATH, LOG_LEVEL: 'silent', ...target.env, ...env },
    }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'wa-backup-'));
    backup = path.join(dir, engine === 'pglite' ? 'wraparound.tar.gz' : 'wraparound.dump');
    source = await newTarget(true);
    const seeded = await wraparound(source, ['seed', '--children', '30', '--seed', '11']);
    expect(seeded.stdout).toContain('Seeded 30 children.');
    backedUp = await wraparound(source, ['backup', backup]);
  }, 120_000);
  afterAll(async () => {
    for (const target of targets) await target.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('restores a copy equal to the original in every table, with its audit chain intact', async () => {
    expect(backedUp.stderr).toBe('');
    expect(backedUp.stdout).toMatch(/^Backed up .* to .* in [\d.]+ s\.$/m);
    expect(await fs.readdir(dir)).not.toContainEqual(expect.stringMatching(/\.partial$/));

    const copy = await newTarget(false);
    const restored = await wraparound(copy, ['restore', backup]);
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    expect(restored.stdout).toMatch(/^ {2}audit_events +[1-9]\d*$/m);
    expect(restored.stdout).toMatch(/^northbridge: \d+ events, chain intact$/m);

    const original = await source.inspect((h) => summariseTables(h.db));
    expect(original.length).toBeGreaterThan(50);
    expect(original.find((t) => t.name === 'people')!.rows).toBeGreaterThanOrEqual(30);
    expect(await copy.inspect((h) => summariseTables(h.db))).toEqual(original);
    const checks = await copy.inspect(async (h) => {
      const partnerships = await h.db.selectFrom('partnerships').select('id').execute();
      return verifyChains(
        h.db,
        partnerships.map((p) => p.id),
      );
    });
    expect(checks).toEqual([{ ok: true, events: expect.any(Number) as number }]);
  }, 120_000);

  it('refuses a target that is not empty, and leaves it as it was', async () => {
    const before = await source.inspect((h) => summariseTables(h.db));
    const refused = await wraparound(source, ['restore', backup]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      engine === 'pglite'
        ? /^DATA_DIR: .* is not empty\. Restore into a new folder/
        : /^DATABASE_URL: the database already holds \d+ tables, views or sequences\. .* give --replace/,
    );
    expect(await source.inspect((h) => summariseTables(h.db))).toEqual(before);
  }, 60_000);

  it('names a backup file that is missing, or is not a backup', async () => {
    const target = await newTarget(false);
    const missing = await wraparound(target, ['restore', path.join(dir, 'nothing.dump')]);
    expect(missing.stderr.trim()).toBe(`<file>: ${path.join(dir, 'nothing.dump')} cannot be read`);
    const junk = path.join(dir, 'junk.dump');
    await fs.writeFile(junk, randomBytes(4096));
    const notBackup = await wraparound(target, ['restore', junk]);
    expect(notBackup.code).toBe(1);
    expect(notBackup.stderr.trim()).toBe(`<file>: ${junk} is not a Wraparound backup`);
    expect(await isEmpty(target)).toBe(true);
  }, 60_000);

  it('refuses a backup cut short, and writes nothing', async () => {
    const whole = await fs.readFile(backup);
    const cut = path.join(dir, `cut${path.extname(backup)}`);
    await fs.writeFile(cut, whole.subarray(0, 2048));
    const target = await newTarget(false);
    const result = await wraparound(target, ['restore', cut]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      engine === 'pglite'
        ? /^<file>: .* is not a readable backup \(unexpected end of file\)/
        : /^<file>: .* is not a readable backup\. pg_restore failed: .*end of file/,
    );
    expect(await isEmpty(target)).toBe(true);
  }, 60_000);

  it.runIf(engine === 'postgres')(
    'stops on damaged data part-way, says so, and --replace starts again',
    async () => {
      // The table of contents is whole, so the restore begins; rows three quarters in are overwritten.
      const bytes = await fs.readFile(backup);
      bytes.fill(0, Math.floor(bytes.length * 0.75), Math.floor(bytes.length * 0.75) + 2000);
      const damaged = path.join(dir, 'damaged.dump');
      await fs.writeFile(damaged, bytes);
      const target = await newTarget(false);
      const result = await wraparound(target, ['restore', damaged]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /^The restore stopped part-way and the database holds part of the backup: run it again with --replace, or into a new database\. pg_restore failed/,
      );
      expect(await isEmpty(target)).toBe(false);
      const again = await wraparound(target, ['restore', '--replace', backup]);
      expect(again.code).toBe(0);
      const original = await source.inspect((h) => summariseTables(h.db));
      expect(await target.inspect((h) => summariseTables(h.db))).toEqual(original);
    },
    120_000,
  );

  it.runIf(engine === 'pglite')(
    'refuses to back up a folder a running server holds',
    async () => {
      const held = path.join(dir, 'held.tar.gz');
      const result = await source.inspect(() => wraparound(source, ['backup', held]));
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /is already open in another Wraparound process\. Stop that process first/,
      );
      expect(await fs.readdir(dir)).not.toContainEqual(expect.stringMatching(/^held/));
    },
    60_000,
  );

  it.runIf(engine === 'postgres')(
    'says what to install when pg_dump is missing, and leaves no file',
    async () => {
      const result = await wraparound(source, ['backup', path.join(dir, 'none.dump')], {
        PATH: '/nonexistent',
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^pg_dump was not found: install the PostgreSQL client tools/);
      expect(await fs.readdir(dir)).not.toContainEqual(expect.stringMatching(/^none/));
    },
    60_000,
  );

  /** Nothing was written: no folder, or no tables, views or sequences outside PostgreSQL's own schemas. */
  async function isEmpty(target: Target): Promise<boolean> {
    if (engine === 'pglite') return (await fs.readdir(target.env.DATA_DIR!).catch(() => [])).length === 0;
    return target.inspect(async (handle) => {
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from pg_class c join pg_namespace s on s.oid = c.relnamespace
        where s.nspname not in ('pg_catalog', 'information_schema') and s.nspname not like 'pg\\_%'`.execute(
        handle.db,
      );
      return rows[0]!.n === 0;
    });
  }
});
