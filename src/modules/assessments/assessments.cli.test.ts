import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const bin = path.resolve(import.meta.dirname, '../../../bin/wraparound.js');
const shipped = path.resolve(import.meta.dirname, 'templates');

/** `wraparound templates check <file>`, run as a template author would. */
describe('wraparound templates check', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wa-template-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const check = (file: string) =>
    run(process.execPath, [bin, 'templates', 'check', file], { env: { PATH: process.env.PATH } }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );

  it('passes a shipped template, and prints each fault of a broken one with its path', async () => {
    const good = await check(path.join(shipped, 'early-help-5-9.json'));
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(
      /^early-help-5-9\.json: early-help-5-9 version 1, 9 sections, \d+ questions, no faults\.$/m,
    );

    const broken = path.join(dir, 'broken.json');
    writeFileSync(
      broken,
      JSON.stringify({
        id: 'broken',
        version: 1,
        title: 'Broken',
        jurisdiction: 'all',
        sections: [{ include: 'sections/none.json' }],
      }),
    );
    const bad = await check(broken);
    expect(bad.code).toBe(1);
    expect(bad.stdout.trim().split('\n')).toEqual([
      'broken.json: sections[0].include: sections/none.json cannot be read',
    ]);
    expect(bad.stderr.trim()).toBe('broken.json: 1 fault');
  }, 120_000);
});
