import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database.ts';

const run = promisify(execFile);
const bin = path.resolve(import.meta.dirname, '../bin/wraparound.js');

/** The `wraparound` command, run as a user would, on an embedded database in a temporary folder. */
describe('the wraparound command', () => {
  let dataDir: string;
  const wraparound = (args: string[], env: Record<string, string> = {}) =>
    run(process.execPath, [bin, ...args], {
      env: { PATH: process.env.PATH, DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env },
    }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'wa-cli-'));
  });
  afterAll(() => fs.rm(dataDir, { recursive: true, force: true }));

  it('seeds the demo partnership once, and a second seed changes nothing', async () => {
    const first = await wraparound(['seed', '--children', '40', '--seed', '7']);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Seeded 40 children.');
    expect(first.stdout).toContain('admin@northbridge.example');
    const second = await wraparound(['seed', '--children', '40']);
    expect(second.stdout).toContain('already loaded; nothing was changed');
  }, 60_000);

  it('creates an account from the command line, and names the option that is wrong', async () => {
    /** `users create` with these options, each overridable; `undefined` leaves an option out. */
    const usersCreate = (options: Record<string, string | undefined>) =>
      wraparound([
        'users',
        'create',
        ...Object.entries({
          email: 'x@example.org',
          name: 'X',
          organisation: 'Northshire Police',
          ...options,
        })
          .filter((entry): entry is [string, string] => entry[1] !== undefined)
          .flatMap(([option, value]) => [`--${option}`, value]),
      ]);

    const ok = await usersCreate({
      email: 'new.admin@example.org',
      name: 'New Admin',
      roles: 'partnership_admin',
    });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/Initial password: \S{12,}/);
    const badRole = await usersCreate({ roles: 'wizard' });
    expect(badRole.code).toBe(1);
    expect(badRole.stderr.trim()).toBe('--roles: Select a role from the list');
    const badOrg = await usersCreate({ organisation: 'Nowhere' });
    expect(badOrg.stderr.trim()).toBe('--organisation: no organisation is called "Nowhere"');
    const taken = await usersCreate({ email: 'NEW.ADMIN@example.org', name: 'Y' });
    expect(taken.stderr.trim()).toBe('--email: An account with this email address already exists');
  }, 60_000);

  it('verifies the audit chain, and names the first event after someone tampered with it', async () => {
    const intact = await wraparound(['audit', 'verify']);
    expect(intact.code).toBe(0);
    expect(intact.stdout).toMatch(/^northbridge: \d+ events, chain intact$/m);
    const head = await wraparound(['audit', 'head']);
    expect(head.stdout).toMatch(/^northbridge \d+ [0-9a-f]{64} \S+Z$/m);

    const handle = await openDatabase({ kind: 'pglite', dataDir });
    await handle.db.transaction().execute(async (tx) => {
      await sql`set local session_replication_role = replica`.execute(tx);
      await sql`update audit_events set action = 'nothing.to.see' where seq = 2`.execute(tx);
    });
    await handle.close();

    const broken = await wraparound(['audit', 'verify']);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain(
      'northbridge: chain broken at event 2 (content changed); 1 events before it are intact',
    );
  }, 60_000);

  it('stops with one line naming a bad setting', async () => {
    const res = await wraparound(['serve'], { PORT: 'abc' });
    expect(res.code).toBe(1);
    expect(res.stderr.trim()).toBe('Setting PORT="abc" is invalid: must be a whole number from 0 to 65535');
  }, 30_000);
});
