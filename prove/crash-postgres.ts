import { execFile } from 'node:child_process';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** Durable (the default settings, fsync on) or not (commits acknowledged before their WAL is written). */
export type Durability = 'safe' | 'unsafe';

/**
 * A PostgreSQL server of the harness's own, in a temporary folder, so it may be crashed. initdb and
 * postgres refuse to run as root, so they run as the postgres user, who owns the folder.
 */
export class PrivatePostgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly settings: string[],
  ) {}

  static async create(port: number, durability: Durability): Promise<PrivatePostgres> {
    const dir = await mkdtemp(path.join(tmpdir(), 'wa-crash-'));
    const settings = ['fsync=on', 'full_page_writes=on', 'synchronous_commit=on'];
    // Unsafe: a commit is acknowledged while its WAL still sits in shared memory, written out only
    // every 10 s or when 1 GB is pending, so an immediate stop loses recent acknowledged commits.
    if (durability === 'unsafe')
      settings.push(
        'synchronous_commit=off',
        'wal_writer_delay=10000',
        'wal_writer_flush_after=1GB',
        'wal_buffers=64MB',
      );
    const server = new PrivatePostgres(dir, port, settings);
    try {
      if (process.getuid?.() === 0) {
        const { stdout } = await run('id', ['-u', 'postgres']);
        const { stdout: gid } = await run('id', ['-g', 'postgres']);
        await chown(dir, Number(stdout.trim()), Number(gid.trim()));
      }
      await chmod(dir, 0o700);
      await server.pg('initdb', ['-D', server.dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
      return server;
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  get dataDir() {
    return path.join(this.dir, 'data');
  }

  url(database = 'postgres') {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async start(): Promise<void> {
    const options = [
      `-p ${this.port}`,
      '-c listen_addresses=127.0.0.1',
      `-c unix_socket_directories=${this.dir}`,
      ...this.settings.map((s) => `-c ${s}`),
    ].join(' ');
    await this.pg('pg_ctl', [
      'start',
      '-w',
      '-t',
      '60',
      '-D',
      this.dataDir,
      '-l',
      this.logFile,
      '-o',
      options,
    ]);
  }

  /** A crash: every server process quits at once, without a checkpoint; the next start replays WAL. */
  async crash(): Promise<void> {
    await this.pg('pg_ctl', ['stop', '-m', 'immediate', '-D', this.dataDir]);
  }

  async stop(): Promise<void> {
    await this.pg('pg_ctl', ['stop', '-m', 'fast', '-D', this.dataDir]).catch(() => undefined);
  }

  /** Stops the server if it runs and deletes its folder. */
  async destroy(): Promise<void> {
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
  }

  private get logFile() {
    return path.join(this.dir, 'postgres.log');
  }

  private async pg(program: string, args: string[]) {
    const command = path.join(BIN, program);
    return process.getuid?.() === 0
      ? run('runuser', ['-u', 'postgres', '--', command, ...args], { cwd: this.dir })
      : run(command, args, { cwd: this.dir });
  }
}
