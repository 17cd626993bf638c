import { execFile } from 'node:child_process';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);
const BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

/**
 * A primary PostgreSQL server and a streaming replica of it, private to one run: both in one
 * temporary folder, on free loopback ports, trust authentication. initdb and postgres refuse to run
 * as root, so as root they run as the postgres user, who owns the folder.
 */
export class ReplicaCluster {
  private running: string[] = [];

  private constructor(
    readonly dir: string,
    readonly primaryPort: number,
    readonly replicaPort: number,
  ) {}

  /** Makes the folder and the primary's data (initdb), and starts the primary. */
  static async create(): Promise<ReplicaCluster> {
    const dir = await mkdtemp(path.join(tmpdir(), 'wa-replica-'));
    const cluster = new ReplicaCluster(dir, await freePort(), await freePort());
    try {
      if (process.getuid?.() === 0) {
        const { stdout: uid } = await run('id', ['-u', 'postgres']);
        const { stdout: gid } = await run('id', ['-g', 'postgres']);
        await chown(dir, Number(uid.trim()), Number(gid.trim()));
      }
      await chmod(dir, 0o700);
      // initdb's pg_hba.conf lets local and loopback connections replicate with trust.
      await cluster.pg('initdb', [
        '-D',
        cluster.dataDir('primary'),
        '-U',
        'postgres',
        '--auth=trust',
        '-E',
        'UTF8',
        '-N',
      ]);
      await cluster.start('primary', cluster.primaryPort);
      return cluster;
    } catch (error) {
      await cluster.destroy();
      throw error;
    }
  }

  url(server: 'primary' | 'replica', database = 'postgres') {
    const port = server === 'primary' ? this.primaryPort : this.replicaPort;
    return `postgres://postgres@127.0.0.1:${port}/${database}`;
  }

  /**
   * Copies the running primary with pg_basebackup (-R writes the standby settings: standby.signal
   * and primary_conninfo) and starts the copy as a hot standby that streams the primary's WAL.
   * Without `standby`, the copy starts as a server of its own (to show the checks can fail).
   */
  async startReplica(standby = true): Promise<void> {
    await this.pg('pg_basebackup', [
      '-h',
      '127.0.0.1',
      '-p',
      String(this.primaryPort),
      '-U',
      'postgres',
      '-D',
      this.dataDir('replica'),
      ...(standby ? ['-R'] : []),
      '-X',
      'stream',
      '-c',
      'fast',
    ]);
    await this.start('replica', this.replicaPort);
  }

  /**
   * Waits until the replica has replayed all the WAL the primary had written when asked; answers how
   * long that took. Throws after `timeoutMs`.
   */
  async waitForCatchUp(timeoutMs: number): Promise<number> {
    const started = Date.now();
    const target = await queryOne<{ lsn: string }>(
      this.url('primary'),
      'select pg_current_wal_lsn()::text as lsn',
    );
    for (;;) {
      const { standby, behind } = await queryOne<{ standby: boolean; behind: boolean }>(
        this.url('replica'),
        `select pg_is_in_recovery() as standby, coalesce(pg_last_wal_replay_lsn() < $1::pg_lsn, true) as behind`,
        [target.lsn],
      );
      if (!standby) throw new Error('The replica is not a standby: it replays nothing from the primary');
      if (!behind) return Date.now() - started;
      if (Date.now() - started > timeoutMs)
        throw new Error(`The replica had not replayed up to ${target.lsn} after ${timeoutMs} ms`);
      await sleep(20);
    }
  }

  /** Stops whichever servers run and deletes the folder. */
  async destroy(): Promise<void> {
    for (const name of this.running.reverse())
      await this.pg('pg_ctl', ['stop', '-m', 'fast', '-D', this.dataDir(name)]).catch(() => undefined);
    this.running = [];
    await rm(this.dir, { recursive: true, force: true });
  }

  private dataDir(name: string) {
    return path.join(this.dir, name);
  }

  private async start(name: string, port: number) {
    const options = [
      `-p ${port}`,
      '-c listen_addresses=127.0.0.1',
      `-c unix_socket_directories=${this.dir}`,
      // A private, throwaway server: no need to wait for the disk.
      '-c fsync=off',
      '-c wal_level=replica',
    ].join(' ');
    this.running.push(name);
    await this.pg('pg_ctl', [
      'start',
      '-w',
      '-t',
      '30',
      '-D',
      this.dataDir(name),
      '-l',
      path.join(this.dir, `${name}.log`),
      '-o',
      options,
    ]);
  }

  private async pg(program: string, args: string[]) {
    const command = path.join(BIN, program);
    return process.getuid?.() === 0
      ? run('runuser', ['-u', 'postgres', '--', command, ...args], { cwd: this.dir })
      : run(command, args, { cwd: this.dir });
  }
}

/** One row from a short connection of its own. */
export async function queryOne<R extends pg.QueryResultRow>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<R> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<R>(text, values);
    return rows[0]!;
  } finally {
    await client.end();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
