import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { sql } from 'kysely';
import { openDatabase, type Db } from '../db/database.ts';
import { BackupError, writeAtomically } from './backup.files.ts';
import type { RestoreOptions } from './backup.ts';

/**
 * PostgreSQL: pg_dump in its custom format (compressed, and pg_restore can load its tables in
 * parallel), and pg_restore into an empty database. Both connect with DATABASE_URL; its password goes
 * to them in PGPASSWORD rather than on the command line, where other users of the machine could see it.
 */

export async function backupPostgres(url: string, file: string): Promise<void> {
  await writeAtomically(file, (temporary) =>
    runTool('pg_dump', ['--format=custom', `--file=${temporary}`], url),
  );
}

export async function restorePostgres(url: string, file: string, options: RestoreOptions): Promise<void> {
  // Reads the backup's table of contents first: a file that is not a whole backup stops here.
  await runTool('pg_restore', ['--list', file], undefined, `<file>: ${file} is not a readable backup`);
  const handle = await openDatabase({ kind: 'postgres', url });
  try {
    const held = await relationsIn(handle.db);
    if (held > 0 && !options.replace)
      throw new BackupError(
        `DATABASE_URL: the database already holds ${held} tables, views or sequences. ` +
          'Restore into a new, empty database (createdb), or give --replace to drop everything in this one first.',
      );
    if (held > 0) await dropEverything(handle.db);
  } finally {
    await handle.close();
  }
  const jobs = options.jobs ?? Math.min(4, availableParallelism());
  const partial =
    'The restore stopped part-way and the database holds part of the backup: ' +
    'run it again with --replace, or into a new database';
  const restore = (args: string[]) =>
    runTool('pg_restore', ['--no-owner', '--exit-on-error', ...args, file], url, partial);
  // Schemas, extensions and tables first; then the rows and indexes, several tables at once.
  await restore(['--section=pre-data']);
  await withEarthdistancePinned(url, () =>
    restore([`--jobs=${jobs}`, '--section=data', '--section=post-data']),
  );
  // pg_restore brings no planner statistics: without them the first queries would plan blind.
  const restored = await openDatabase({ kind: 'postgres', url });
  try {
    await sql`analyze`.execute(restored.db);
  } finally {
    await restored.close();
  }
}

/**
 * earthdistance's ll_to_earth (1.1, PostgreSQL 15) names the earth type and function without their
 * schema, and pg_restore empties search_path, so the directory's index on ll_to_earth cannot be
 * rebuilt ("type earth does not exist"; a known PostgreSQL problem). While the indexes are built the
 * function carries its schema in its own search_path; afterwards it is as the extension made it.
 */
async function withEarthdistancePinned(url: string, work: () => Promise<void>): Promise<void> {
  const handle = await openDatabase({ kind: 'postgres', url });
  try {
    const { rows } = await sql<{ schema: string }>`
      select e.extnamespace::regnamespace::text as schema from pg_extension e where e.extname = 'earthdistance'`.execute(
      handle.db,
    );
    const schema = rows[0]?.schema;
    if (!schema) return await work();
    const fn = sql`${sql.id(schema)}.ll_to_earth(double precision, double precision)`;
    await sql`alter function ${fn} set search_path = ${sql.id(schema)}`.execute(handle.db);
    try {
      await work();
    } finally {
      await sql`alter function ${fn} reset search_path`.execute(handle.db);
    }
  } finally {
    await handle.close();
  }
}

/** Relations outside PostgreSQL's own schemas. */
async function relationsIn(db: Db): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from pg_class c join pg_namespace s on s.oid = c.relnamespace
    where s.nspname not in ('pg_catalog', 'information_schema') and s.nspname not like 'pg\\_%'`.execute(db);
  return rows[0]!.n;
}

/** --replace: every schema but PostgreSQL's own goes, with all it holds; public comes back empty. */
async function dropEverything(db: Db): Promise<void> {
  const { rows } = await sql<{ name: string }>`
    select nspname as name from pg_namespace
    where nspname not in ('pg_catalog', 'information_schema') and nspname not like 'pg\\_%'`.execute(db);
  await db.transaction().execute(async (tx) => {
    for (const { name } of rows) await sql`drop schema ${sql.id(name)} cascade`.execute(tx);
    await sql`create schema public`.execute(tx);
  });
}

/**
 * Runs pg_dump or pg_restore, connected to `url` when one is given. A failure carries the tool's last
 * lines of output, after `context` when given.
 */
function runTool(
  tool: 'pg_dump' | 'pg_restore',
  args: string[],
  url?: string,
  context?: string,
): Promise<void> {
  const connection = url ? connectionOf(url) : { args: [], password: '' };
  return new Promise((resolve, reject) => {
    const child = spawn(tool, [...connection.args, ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: connection.password ? { ...process.env, PGPASSWORD: connection.password } : process.env,
    });
    let output = '';
    child.stderr.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-4000);
    });
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? new BackupError(
              `${tool} was not found: install the PostgreSQL client tools (the server's major version or newer) and put them on PATH`,
            )
          : error,
      ),
    );
    child.on('close', (code) => {
      if (code === 0) return resolve();
      const lines = output.trim().split('\n').slice(-3).join('\n');
      reject(
        new BackupError(`${context ? `${context}. ` : ''}${tool} failed: ${lines || `exit code ${code}`}`),
      );
    });
  });
}

/** The URL without its password, for --dbname, and the password apart. */
function connectionOf(url: string): { args: string[]; password: string } {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  return { args: [`--dbname=${parsed.toString()}`], password };
}
