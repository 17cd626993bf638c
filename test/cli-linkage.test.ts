import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const bin = path.resolve(import.meta.dirname, '../bin/wraparound.js');

const GIVEN = [
  'oliver',
  'amelia',
  'noah',
  'isla',
  'leo',
  'ava',
  'arthur',
  'freya',
  'oscar',
  'ivy',
  'harry',
  'mia',
];
const FAMILY = ['smith', 'jones', 'patel', 'khan', 'okafor', 'nowak', 'taylor', 'brown', 'evans', 'walsh'];
const MAP =
  '{"id":"rec_id","given_name":"given_name","family_name":"surname","full_name":"name","street_number":"street_number","address_line_1":"address_1","address_line_2":"address_2","locality":"suburb","city":"city","postcode":"postcode","region":"state","email":"email","sex":"sex","date_of_birth":{"column":"date_of_birth","format":"YYYYMMDD"},"identifiers":{"ssn":"soc_sec_id","nhs_number":"nhs"},"extra":["occupation"]}';

/** 120 people in the FEBRL layout (comma and space, CRLF, no final newline); every third one twice. */
function febrlLike(): { text: string; duplicates: number } {
  const rows = [
    'rec_id, given_name, surname, street_number, address_1, suburb, postcode, state, date_of_birth, soc_sec_id',
  ];
  let duplicates = 0;
  for (let n = 0; n < 120; n++) {
    const given = GIVEN[n % GIVEN.length]!;
    const family = FAMILY[Math.floor(n / GIVEN.length) % FAMILY.length]!;
    const dob = `20${String(10 + (n % 9)).padStart(2, '0')}${String(1 + (n % 12)).padStart(2, '0')}${String(1 + ((n * 7) % 28)).padStart(2, '0')}`;
    const fields = [
      given,
      family,
      String(1 + ((n * 13) % 90)),
      `${['mill', 'park', 'church'][n % 3]} road`,
      'northbridge',
      `${2000 + n * 37}`,
      'nsw',
      dob,
      String(1000000 + n * 7919),
    ];
    rows.push([`rec-${n}-org`, ...fields].join(', '));
    if (n % 3 === 0) {
      duplicates++;
      const dup = [...fields];
      dup[0] = `${given.slice(0, 2)}${given[3] ?? ''}${given[2]}${given.slice(4)}`;
      rows.push([`rec-${n}-dup-0`, ...dup].join(', '));
    }
  }
  return { text: rows.join('\r\n'), duplicates };
}

describe('wraparound link and dedupe', () => {
  let dir: string;
  const wraparound = (args: string[]) =>
    run(process.execPath, [bin, ...args], {
      env: { PATH: process.env.PATH, DATA_DIR: path.join(dir, 'data') },
    }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
  let duplicates = 0;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'wa-link-'));
    const file = febrlLike();
    duplicates = file.duplicates;
    await fs.writeFile(path.join(dir, 'a.csv'), file.text);
    await fs.writeFile(path.join(dir, 'map.json'), MAP);
    // The right-hand file: plain CSV with quoted fields, the originals only.
    const plain = file.text
      .split('\r\n')
      .filter((line, i) => i === 0 || line.includes('-org'))
      .map((line) =>
        line
          .split(', ')
          .map((f) => `"${f}"`)
          .join(','),
      )
      .join('\n');
    await fs.writeFile(path.join(dir, 'b.csv'), `${plain}\n`);
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  const readPairs = async (file: string) => {
    const [header, ...lines] = (await fs.readFile(path.join(dir, file), 'utf8')).trim().split('\n');
    expect(header).toBe('left_id,right_id,probability');
    return lines.map((l) => l.split(','));
  };
  const person = (id: string) => /^rec-(\d+)-/.exec(id)?.[1];

  it('dedupes one file, each pair once, without a database', async () => {
    const result = await wraparound([
      'dedupe',
      '--in',
      path.join(dir, 'a.csv'),
      '--map',
      path.join(dir, 'map.json'),
      '--out',
      path.join(dir, 'd.csv'),
    ]);
    expect(result.code).toBe(0);
    const pairs = await readPairs('d.csv');
    expect(pairs.length).toBe(duplicates);
    for (const [l, r, p] of pairs) {
      expect(person(l!)).toBe(person(r!));
      expect(Number(p)).toBeGreaterThanOrEqual(0.99);
    }
    expect(new Set(pairs.map(([l, r]) => [l, r].sort().join())).size).toBe(pairs.length);
    await expect(fs.access(path.join(dir, 'data'))).rejects.toThrow();
  }, 30_000);

  it('links two files, and takes a threshold', async () => {
    const args = [
      'link',
      '--left',
      path.join(dir, 'a.csv'),
      '--right',
      path.join(dir, 'b.csv'),
      '--map',
      path.join(dir, 'map.json'),
    ];
    const result = await wraparound([...args, '--out', path.join(dir, 'l.csv')]);
    expect(result.code).toBe(0);
    const pairs = await readPairs('l.csv');
    // Every original finds itself, every duplicate its original.
    expect(pairs.length).toBe(120 + duplicates);
    for (const [l, r] of pairs) expect(person(l!)).toBe(person(r!));
    const none = await wraparound([...args, '--out', path.join(dir, 'l1.csv'), '--threshold', '1.0']);
    expect(none.code).toBe(0);
  }, 30_000);

  it('says what is wrong in one line and exits 1', async () => {
    await fs.writeFile(path.join(dir, 'bad.json'), '{"given_name":"given_name"}');
    const result = await wraparound([
      'dedupe',
      '--in',
      path.join(dir, 'a.csv'),
      '--map',
      path.join(dir, 'bad.json'),
      '--out',
      path.join(dir, 'x.csv'),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(/bad.json: id: /);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  }, 30_000);
});
