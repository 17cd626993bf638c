import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { sql, type RawBuilder } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database.ts';
import { AuditService } from '../src/modules/audit/index.ts';
import { buildActor, buildCtx } from './helpers/context.ts';

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
    // A few more events, with everything an event can hold, so there are rows to tamper with.
    const handle = await openDatabase({ kind: 'pglite', dataDir });
    try {
      const { id } = await handle.db
        .selectFrom('partnerships')
        .select('id')
        .where('slug', '=', 'northbridge')
        .executeTakeFirstOrThrow();
      const actor = buildActor(id, { roles: ['practitioner', 'team_manager'] });
      for (let i = 0; i < 6; i++)
        await new AuditService(handle.db).recordAlone(buildCtx(actor, { sourceAddress: '192.0.2.1' }), {
          action: 'person.view',
          basis: { kind: 'owner' },
          personIds: [randomUUID()],
          itemIds: [randomUUID()],
        });
    } finally {
      await handle.close();
    }

    const intact = await wraparound(['audit', 'verify']);
    expect(intact.code).toBe(0);
    expect(intact.stdout).toMatch(/^northbridge: \d+ events, chain intact$/m);
    const head = await wraparound(['audit', 'head']);
    expect(head.stdout).toMatch(/^northbridge \d+ [0-9a-f]{64} \S+Z$/m);

    /** What only a superuser could do: change the trail with its append-only triggers off. */
    const tamper = async (...statements: RawBuilder<unknown>[]) => {
      const handle = await openDatabase({ kind: 'pglite', dataDir });
      try {
        await handle.db.transaction().execute(async (tx) => {
          await sql`set local session_replication_role = replica`.execute(tx);
          for (const statement of statements) await statement.execute(tx);
        });
      } finally {
        await handle.close();
      }
    };
    const expectBroken = async (line: string) => {
      const broken = await wraparound(['audit', 'verify']);
      expect(broken.code).toBe(1);
      expect(broken.stdout).toContain(line);
    };
    const swap = (a: number, b: number) => [
      sql`update audit_events set seq = -1 where seq = ${a}`,
      sql`update audit_events set seq = ${a} where seq = ${b}`,
      sql`update audit_events set seq = ${b} where seq = -1`,
    ];

    await tamper(sql`update audit_events set action = 'nothing.to.see' || action where seq = 2`);
    await expectBroken(
      'northbridge: chain broken at event 2 (content changed); 1 events before it are intact',
    );
    await tamper(sql`update audit_events set action = substr(action, 15) where seq = 2`);

    const noItem = '00000000-0000-0000-0000-000000000000';
    await tamper(sql`update audit_events set item_ids = item_ids || ${noItem}::uuid where seq = 3`);
    await expectBroken(
      'northbridge: chain broken at event 3 (content changed); 2 events before it are intact',
    );
    await tamper(
      sql`update audit_events set item_ids = array_remove(item_ids, ${noItem}::uuid) where seq = 3`,
    );

    await tamper(...swap(4, 6));
    await expectBroken('northbridge: chain broken at event 4 (out of order); 3 events before it are intact');
    await tamper(...swap(4, 6));

    await tamper(sql`delete from audit_events where seq = 5`);
    await expectBroken('northbridge: chain broken at event 5 (missing event); 4 events before it are intact');
  }, 120_000);

  it('stops with one line naming a bad setting', async () => {
    const res = await wraparound(['serve'], { PORT: 'abc' });
    expect(res.code).toBe(1);
    expect(res.stderr.trim()).toBe('Setting PORT="abc" is invalid: must be a whole number from 0 to 65535');
  }, 30_000);
});
