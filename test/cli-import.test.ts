import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const bin = path.resolve(import.meta.dirname, '../bin/wraparound.js');

const MAP = {
  id: 'patient_id',
  given_name: 'forename',
  family_name: 'surname',
  date_of_birth: { column: 'dob', format: 'DD/MM/YYYY' },
  sex: 'sex',
  address_line_1: 'address',
  postcode: 'postcode',
  identifiers: { nhs_number: 'nhs_number' },
};

const FEED = [
  'patient_id,forename,surname,dob,sex,address,postcode,nhs_number',
  'X1,Kwabena,Asante,14/07/2015,M,"Flat 2, 10 Canal Wharf",NB4 7XY,9434765919',
  'X2,Ruby,Fenwick,02/02/2016,F,3 Elm Close,NB1 1AA,9434765918',
  'X3,Isaac,Fenwick,31/02/2015,M,3 Elm Close,NB1 1AA,',
  'X4,Nell,Fenwick,03/03/2016,F,3 Elm Close,NB1 1AA,',
].join('\n');

/** `wraparound import`, run as an administrator would, on an embedded database in a temporary folder. */
describe('wraparound import', () => {
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
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'wa-import-'));
    await fs.writeFile(path.join(dir, 'map.json'), JSON.stringify(MAP));
    await fs.writeFile(path.join(dir, 'feed.csv'), FEED);
    const seeded = await wraparound(['seed', '--children', '30', '--seed', '5']);
    expect(seeded.code).toBe(0);
  }, 120_000);
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  it('imports a file, writing its rejected rows with line and reason', async () => {
    const result = await wraparound([
      'import',
      'gp-registrations',
      'feed.csv',
      '--map',
      'map.json',
      '--rejects',
      'rejects.csv',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      '4 rows read: 2 records stored, 0 already held, 2 rejected (see rejects.csv).',
    );
    expect(result.stdout).toMatch(/Linked: \d+ automatically, \d+ for review, \d+ new people\./);
    const rejects = (await fs.readFile(path.join(dir, 'rejects.csv'), 'utf8')).trimEnd().split('\n');
    expect(rejects[0]).toBe('line,reason');
    expect(rejects.slice(1).map((l) => l.split(',')[0])).toEqual(['3', '4']);
    expect(rejects[1]).toMatch(/9434765918.*not a real NHS number/);
    expect(rejects[2]).toMatch(/impossible date of birth/);
  }, 60_000);

  it('changes nothing when the same file is imported again', async () => {
    const again = await wraparound(['import', 'gp-registrations', 'feed.csv', '--map', 'map.json']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('0 records stored, 2 already held, 2 rejected (see feed.csv.rejects.csv)');
    expect(again.stdout).toContain('Linked: 0 automatically, 0 for review, 0 new people.');
    const rejects = await fs.readFile(path.join(dir, 'feed.csv.rejects.csv'), 'utf8');
    expect(rejects.startsWith('line,reason\n3,')).toBe(true);
  }, 60_000);

  it('fails with one clear line for an unknown source and for a missing map file', async () => {
    const unknown = await wraparound([
      'import',
      'nowhere',
      'feed.csv',
      '--map',
      'map.json',
      '--rejects',
      'nowhere-rejects.csv',
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^<source>: There is no source "nowhere"; choose one of: .*gp-registrations/);
    await expect(fs.access(path.join(dir, 'nowhere-rejects.csv'))).rejects.toThrow();
    const noMap = await wraparound(['import', 'gp-registrations', 'feed.csv', '--map', 'missing.json']);
    expect(noMap.code).toBe(1);
    expect(noMap.stderr.trim()).toBe('missing.json: cannot be read (ENOENT)');
    const noFile = await wraparound(['import', 'gp-registrations', 'absent.csv', '--map', 'map.json']);
    expect(noFile.code).toBe(1);
    expect(noFile.stderr.trim()).toBe('<file>: absent.csv cannot be read');
  }, 60_000);
});
