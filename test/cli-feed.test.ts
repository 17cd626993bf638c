import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const bin = path.resolve(import.meta.dirname, '../bin/wraparound.js');

/** Two weeks of one child's attendance, and a row whose figure cannot be read. */
const ATTENDANCE = [
  'event_id,given_name,family_name,date_of_birth,sex,postcode,upn,event_date,attendance_percent',
  'E1,Kwabena,Asante,2015-07-14,M,NB4 7XY,,2026-01-05,97',
  'E2,Kwabena,Asante,2015-07-14,M,NB4 7XY,,2026-01-12,78',
  'E3,Ruby,Fenwick,2016-02-02,F,NB1 1AA,,2026-01-12,ninety',
].join('\n');

/** `wraparound feed`, run as an administrator would, on an embedded database in a temporary folder. */
describe('wraparound feed', () => {
  let dir: string;
  const wraparound = (args: string[]) =>
    run(process.execPath, [bin, ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH, DATA_DIR: path.join(dir, 'data'), LOG_LEVEL: 'silent' },
    }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'wa-feed-'));
    await fs.writeFile(path.join(dir, 'attendance.csv'), ATTENDANCE);
    const seeded = await wraparound(['seed', '--children', '30', '--seed', '5']);
    expect(seeded.code).toBe(0);
  }, 120_000);
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  it('loads a feed, making signals of its usable rows and writing the others with line and reason', async () => {
    const result = await wraparound([
      'feed',
      'school_attendance',
      'attendance.csv',
      '--rejects',
      'rejects.csv',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      '3 rows read: 2 records stored, 0 already held, 1 rejected (see rejects.csv).',
    );
    // Week one was fine; week two is under the threshold.
    expect(result.stdout).toMatch(
      /Feed events: 2 new; 1 became signals, 1 needed none; 0 \(of all feeds\) wait/,
    );
    const rejects = await fs.readFile(path.join(dir, 'rejects.csv'), 'utf8');
    expect(rejects).toBe('line,reason\n4,"attendance_percent ""ninety"" is not a number from 0 to 100"\n');
  }, 60_000);

  it('adds nothing when the same file is loaded again', async () => {
    const again = await wraparound(['feed', 'school_attendance', 'attendance.csv']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('0 records stored, 2 already held, 1 rejected');
    expect(again.stdout).toContain('Feed events: 0 new; 0 became signals, 0 needed none');
  }, 60_000);

  it('fails with one clear line for an unknown kind, an unknown source and a file without its columns', async () => {
    const kind = await wraparound(['feed', 'attendance', 'attendance.csv']);
    expect(kind.code).toBe(1);
    expect(kind.stderr).toMatch(
      /^<kind>: "attendance" is not a kind of feed; give one of school_attendance, /,
    );
    const source = await wraparound(['feed', 'school_attendance', 'attendance.csv', '--source', 'nowhere']);
    expect(source.code).toBe(1);
    expect(source.stderr).toMatch(/^--source: There is no source "nowhere"; choose one of: .*school-roll/);
    const columns = await wraparound(['feed', 'housing_notice', 'attendance.csv']);
    expect(columns.code).toBe(1);
    expect(columns.stderr.trim()).toBe(
      'attendance.csv: a housing_notice feed needs the column "notice" (the file has: event_id, given_name, family_name, date_of_birth, sex, postcode, upn, event_date, attendance_percent)',
    );
  }, 60_000);
});
