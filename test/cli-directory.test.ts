import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const bin = path.resolve(import.meta.dirname, '../bin/wraparound.js');

const ID_GOOD = '0b6f1c9e-3c1d-4c53-9a57-6d4f1f0c0a01';
const ID_BAD = '0b6f1c9e-3c1d-4c53-9a57-6d4f1f0c0a02';
const SERVICES = [
  'id,organization_name,name,description,minimum_age,maximum_age,access_routes,postal_code,schedule_byday,opens_at,closes_at,taxonomy_term_codes,assured_date',
  `${ID_GOOD},Northbridge Sports Trust,Saturday football,Free football for 8 to 14 year olds.,8,14,drop_in,ZX1 1AA,SA,10:00,12:00,sport,2026-09-01`,
  `${ID_BAD},Northbridge Sports Trust,Broken entry,Its ages are reversed.,14,8,drop_in,ZX1 1AA,SA,10:00,12:00,sport,2026-09-01`,
].join('\n');
const PLACES = ['pcds,lat,long', 'ZX1 1AA,53.7,-1.6', 'ZX1 2AB,53.72,-1.62'].join('\n');

/** `wraparound directory`, run as an administrator would, on an embedded database in a temporary folder. */
describe('wraparound directory', () => {
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
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'wa-directory-'));
    await fs.writeFile(path.join(dir, 'services.csv'), SERVICES);
    await fs.writeFile(path.join(dir, 'places.csv'), PLACES);
    await fs.writeFile(path.join(dir, 'broken.json'), '{ "services": ');
    const seeded = await wraparound(['seed', '--children', '10', '--seed', '5']);
    expect(seeded.code).toBe(0);
  }, 400_000);
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  it('loads postcode places with their outward code', async () => {
    const result = await wraparound(['directory', 'places', 'places.csv']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('2 postcodes and 1 outward codes loaded, 0 rows skipped.');
  }, 300_000);

  it('imports the good services, lists the broken ones by line and field, and a rerun duplicates nothing', async () => {
    const result = await wraparound(['directory', 'import', 'services.csv', '--rejects', 'rejects.csv']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('line 3, maximum_age: must not be below the minimum age');
    expect(result.stdout).toContain('1 services loaded, 1 rejected (see rejects.csv).');
    expect(await fs.readFile(path.join(dir, 'rejects.csv'), 'utf8')).toBe(
      'line,field,message\n3,maximum_age,"must not be below the minimum age"\n',
    );

    const again = await wraparound(['directory', 'import', 'services.csv']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('1 services loaded, 1 rejected.');

    // The export holds the loaded service once (ids are kept), and not the broken one.
    const exported = await wraparound(['directory', 'export', 'out.json']);
    expect(exported.code).toBe(0);
    const feed = JSON.parse(await fs.readFile(path.join(dir, 'out.json'), 'utf8')) as { id: string }[];
    expect(exported.stdout).toContain(`${feed.length} services written to out.json (json).`);
    expect(feed.filter((s) => s.id === ID_GOOD)).toHaveLength(1);
    expect(feed.filter((s) => s.id === ID_BAD)).toHaveLength(0);
  }, 300_000);

  it('fails with one clear line for a file it cannot read or use', async () => {
    const missing = await wraparound(['directory', 'import', 'nothing.csv']);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe('<file>: nothing.csv cannot be read');
    const broken = await wraparound(['directory', 'import', 'broken.json']);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/^broken.json is not valid JSON/);
    const columns = await wraparound(['directory', 'places', 'services.csv']);
    expect(columns.code).toBe(1);
    expect(columns.stderr).toMatch(/^services.csv needs the columns pcds \(or postcode\), lat and long/);
    const format = await wraparound(['directory', 'export', 'out.xml', '--format', 'xml']);
    expect(format.code).toBe(1);
    expect(format.stderr.trim()).toBe('--format: give json or csv, not "xml"');
  }, 300_000);
});
