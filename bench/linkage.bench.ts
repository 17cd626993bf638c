import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  LINKAGE_CONFIG,
  blockingRules,
  forEachCandidate,
  matchRecords,
  parseCsv,
  parseLinkageMap,
  prepareRecords,
  scorePair,
  toLinkageRecords,
} from '../src/modules/people/index.ts';

/**
 * Accuracy and speed of the matching engine on the record-linkage files in ../shared/data/linkage
 * (LINKAGE_DATA to point elsewhere): each file deduplicated with and without its identifier column,
 * at the configured auto-link threshold (never chosen per file). Truth from the files themselves:
 * FEBRL `rec-<N>-…` ids, fake_1000's `cluster`. Every true pair counts, including those blocking never
 * produced. Prints precision, recall, F1, candidate pairs, blocking recall, pairs scored per second and
 * wall time, one row per run.
 */

const DATA = process.env.LINKAGE_DATA ?? resolve(import.meta.dirname, '../../shared/data/linkage');

/** The map.json of the measurement contract, unchanged: keys naming absent columns are ignored. */
const FEBRL_MAP = {
  id: 'rec_id',
  given_name: 'given_name',
  family_name: 'surname',
  full_name: 'name',
  street_number: 'street_number',
  address_line_1: 'address_1',
  address_line_2: 'address_2',
  locality: 'suburb',
  city: 'city',
  postcode: 'postcode',
  region: 'state',
  email: 'email',
  sex: 'sex',
  date_of_birth: { column: 'date_of_birth', format: 'YYYYMMDD' },
  identifiers: { ssn: 'soc_sec_id', nhs_number: 'nhs' },
  extra: ['occupation'],
};

const FAKE_MAP = {
  id: 'unique_id',
  given_name: 'first_name',
  family_name: 'surname',
  date_of_birth: { column: 'dob', format: 'YYYY-MM-DD' },
  city: 'city',
  email: 'email',
};

type Run = { file: string; map: object; truth: (row: Record<string, string>) => string };

const RUNS: Run[] = [
  ...['febrl1.csv', 'febrl2.csv', 'febrl3.csv'].map((file) => ({
    file,
    map: FEBRL_MAP,
    truth: (row: Record<string, string>) => /^rec-(\d+)-/.exec(row.rec_id ?? '')?.[1] ?? row.rec_id ?? '',
  })),
  { file: 'fake_1000.csv', map: FAKE_MAP, truth: (row) => row.cluster ?? '' },
];

function pairKey(a: string, b: string) {
  return a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
}

async function measure(run: Run, withIdentifiers: boolean) {
  const started = performance.now();
  const text = await readFile(resolve(DATA, run.file), 'utf8');
  const csv = parseCsv(text, run.file);
  const mapObject = withIdentifiers ? run.map : { ...run.map, identifiers: undefined };
  const map = parseLinkageMap(JSON.stringify(mapObject));
  const records = toLinkageRecords(csv, map, run.file);
  const prepared = prepareRecords(records);
  const { pairs, held, stats, model } = matchRecords(prepared, null, { extraNames: map.extra });
  const wall = (performance.now() - started) / 1000;

  // Truth: every pair of records in one group.
  const groups = new Map<string, string[]>();
  csv.rows.forEach((row) => {
    const obj = Object.fromEntries(csv.header.map((h, i) => [h, row[i] ?? '']));
    const id = obj[map.id] ?? '';
    const g = run.truth(obj);
    groups.set(g, [...(groups.get(g) ?? []), id]);
  });
  const truth = new Set<string>();
  for (const ids of groups.values())
    for (let i = 0; i < ids.length; i++)
      for (let j = i + 1; j < ids.length; j++) truth.add(pairKey(ids[i]!, ids[j]!));

  let truePositives = 0;
  for (const p of pairs) if (truth.has(pairKey(prepared[p.left]!.id, prepared[p.right]!.id))) truePositives++;
  const precision = pairs.length ? truePositives / pairs.length : 1;
  const recall = truth.size ? truePositives / truth.size : 1;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;

  // The same run with the guards off: what they cost in recall (and would cost in precision).
  // A held pair may be written all the same as implied by others (impliedPairs): count it once.
  const written = new Set(pairs.map((p) => `${p.left},${p.right}`));
  const heldOnly = held.filter((p) => !written.has(`${p.left},${p.right}`));
  let heldTrue = 0;
  for (const p of heldOnly) if (truth.has(pairKey(prepared[p.left]!.id, prepared[p.right]!.id))) heldTrue++;
  const unguardedP =
    pairs.length + heldOnly.length ? (truePositives + heldTrue) / (pairs.length + heldOnly.length) : 1;
  const unguardedR = truth.size ? (truePositives + heldTrue) / truth.size : 1;
  const unguardedF1 = (2 * unguardedP * unguardedR) / (unguardedP + unguardedR || 1);

  let blocked = 0;
  const systems = model.identifierIndices.map((k) => model.comparisons[k]!.key.slice(11));
  forEachCandidate(
    blockingRules(systems),
    prepared,
    null,
    (i, j) => {
      if (truth.has(pairKey(prepared[i]!.id, prepared[j]!.id))) blocked++;
    },
    LINKAGE_CONFIG.maxBlockPairs,
  );
  return {
    file: run.file,
    identifiers: withIdentifiers && Object.keys(map.identifiers ?? {}).length ? 'with' : 'without',
    records: records.length,
    truePairs: truth.size,
    linked: pairs.length,
    precision,
    recall,
    f1,
    candidates: stats.candidates,
    blockingRecall: truth.size ? blocked / truth.size : 1,
    pairsPerSecond: stats.pairsPerSecond,
    held: heldOnly.length,
    unguardedP,
    unguardedF1,
    em: `${model.training.iterations}${model.training.converged ? '' : '!'}`,
    wall,
  };
}

const only = process.argv[2];
console.log(
  `threshold ${LINKAGE_CONFIG.bands.autoLink} (auto-link band, fixed in people.linkage-config.ts); data ${DATA}`,
);
console.log(
  [
    'file'.padEnd(14),
    'ids'.padEnd(7),
    'records',
    'true',
    'linked',
    'precision',
    'recall',
    'F1    ',
    'held',
    'P-noguard',
    'F1-noguard',
    'candidates',
    'block-recall',
    'pairs/s',
    'EM-it',
    'wall-s',
  ].join('  '),
);
for (const run of RUNS) {
  if (only && !run.file.includes(only)) continue;
  const withIds = run.file.startsWith('febrl') ? [true, false] : [false];
  for (const w of withIds) {
    const r = await measure(run, w);
    console.log(
      [
        r.file.padEnd(14),
        r.identifiers.padEnd(7),
        String(r.records).padStart(7),
        String(r.truePairs).padStart(4),
        String(r.linked).padStart(6),
        r.precision.toFixed(4).padStart(9),
        r.recall.toFixed(4).padStart(6),
        r.f1.toFixed(4),
        String(r.held).padStart(4),
        r.unguardedP.toFixed(4).padStart(9),
        r.unguardedF1.toFixed(4).padStart(10),
        String(r.candidates).padStart(10),
        r.blockingRecall.toFixed(4).padStart(12),
        String(Math.round(r.pairsPerSecond)).padStart(7),
        r.em.padStart(5),
        r.wall.toFixed(2).padStart(6),
      ].join('  '),
    );
  }
}

// Speed: candidate pairs compared and scored per second on one core (this process is one thread), on a
// set large enough to time: every pair of febrl3 records born in the same year (a broad blocking rule,
// so most pairs are non-matches, as most candidates are), with the model built from the file.
{
  const text = await readFile(resolve(DATA, 'febrl3.csv'), 'utf8');
  const map = parseLinkageMap(JSON.stringify({ ...FEBRL_MAP, identifiers: undefined }));
  const prepared = prepareRecords(toLinkageRecords(parseCsv(text, 'febrl3.csv'), map, 'febrl3.csv'));
  const { model } = matchRecords(prepared, null);
  const rule = {
    name: 'birth year',
    key: (r: (typeof prepared)[number]) => (r.dob?.year ? String(r.dob.year) : null),
  };
  const rounds: number[] = [];
  let pairs = 0;
  let sink = 0;
  for (let round = 0; round < 3; round++) {
    const started = performance.now();
    pairs = 0;
    forEachCandidate(
      [rule],
      prepared,
      null,
      (i, j) => {
        sink += scorePair(model, prepared[i]!, prepared[j]!);
        pairs++;
      },
      LINKAGE_CONFIG.maxBlockPairs,
    );
    rounds.push(pairs / ((performance.now() - started) / 1000));
  }
  rounds.sort((a, b) => a - b);
  console.log(
    `pairs scored per second per core: median ${Math.round(rounds[1]!).toLocaleString('en-GB')} of ${rounds.map((r) => Math.round(r).toLocaleString('en-GB')).join(', ')} (${pairs.toLocaleString('en-GB')} febrl3 pairs born in the same year, compared and scored with guards; target ≥ 500,000)${sink < 0 ? '' : ''}`,
  );
}

// Speed: a 5,000 × 5,000 link through the command, start-up included (febrl3 against febrl2).
{
  const { execFileSync } = await import('node:child_process');
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(resolve(tmpdir(), 'wa-linkage-'));
  writeFileSync(resolve(dir, 'map.json'), JSON.stringify(FEBRL_MAP));
  const bin = resolve(import.meta.dirname, '../bin/wraparound.js');
  const walls: number[] = [];
  for (let run = 0; run < 3; run++) {
    const started = performance.now();
    execFileSync(
      process.execPath,
      [
        bin,
        'link',
        '--left',
        resolve(DATA, 'febrl3.csv'),
        '--right',
        resolve(DATA, 'febrl2.csv'),
        '--map',
        resolve(dir, 'map.json'),
        '--out',
        resolve(dir, 'pairs.csv'),
      ],
      { stdio: 'ignore' },
    );
    walls.push((performance.now() - started) / 1000);
  }
  rmSync(dir, { recursive: true, force: true });
  walls.sort((a, b) => a - b);
  console.log(
    `link 5,000 × 5,000 (febrl3 × febrl2) through bin/wraparound.js, start-up included: median ${walls[1]!.toFixed(2)} s of ${walls.map((w) => w.toFixed(2)).join(', ')} (target < 1 s)`,
  );
}

// Memory: deduplicating a large file through the command (LINKAGE_MILLION records, off by default;
// the target is 1,000,000 within 4 GB). The file is made here: people with varied names and addresses,
// one in ten written twice with a typing error, as an agency extract would have them.
if (process.env.LINKAGE_MILLION) {
  const count = Number(process.env.LINKAGE_MILLION);
  const { spawnSync } = await import('node:child_process');
  const { mkdtempSync, writeFileSync, rmSync, createWriteStream } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { Faker, en_GB, en } = await import('@faker-js/faker');
  const faker = new Faker({ locale: [en_GB, en] });
  faker.seed(20_261_124);
  const dir = mkdtempSync(resolve(tmpdir(), 'wa-million-'));
  const file = resolve(dir, 'people.csv');
  const out = createWriteStream(file);
  out.write('rec_id,given_name,surname,date_of_birth,postcode,street_number,address_1\n');
  const typo = (s: string) => {
    const at = faker.number.int({ min: 1, max: Math.max(1, s.length - 2) });
    return s.slice(0, at) + (s[at + 1] ?? '') + (s[at] ?? '') + s.slice(at + 2);
  };
  const started = performance.now();
  let duplicates = 0;
  for (let n = 0; n < count; n++) {
    const row = [
      faker.person.firstName(),
      faker.person.lastName(),
      faker.date
        .birthdate({ min: 1950, max: 2025, mode: 'year' })
        .toISOString()
        .slice(0, 10)
        .replace(/-/g, ''),
      faker.location.zipCode(),
      String(faker.number.int({ min: 1, max: 300 })),
      faker.location.street(),
    ];
    if (!out.write(`rec-${n}-org,${row.join(',')}\n`))
      await new Promise<void>((r) => out.once('drain', () => r()));
    if (n % 10 === 0) {
      const dup = [...row];
      const field = faker.number.int({ min: 0, max: 5 });
      dup[field] = typo(dup[field]!);
      out.write(`rec-${n}-dup,${dup.join(',')}\n`);
      duplicates++;
      n++;
    }
  }
  await new Promise<void>((r) => out.end(() => r()));
  const made = (performance.now() - started) / 1000;
  writeFileSync(
    resolve(dir, 'map.json'),
    JSON.stringify({
      id: 'rec_id',
      given_name: 'given_name',
      family_name: 'surname',
      date_of_birth: { column: 'date_of_birth', format: 'YYYYMMDD' },
      postcode: 'postcode',
      street_number: 'street_number',
      address_line_1: 'address_1',
    }),
  );
  // GNU time reports the command's peak resident memory (KB) and wall time.
  const run = spawnSync(
    '/usr/bin/time',
    [
      '-f',
      '%M %e',
      process.execPath,
      resolve(import.meta.dirname, '../bin/wraparound.js'),
      'dedupe',
      '--in',
      file,
      '--map',
      resolve(dir, 'map.json'),
      '--out',
      resolve(dir, 'pairs.csv'),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  if (run.status !== 0) throw new Error(`dedupe failed: ${run.stderr.toString()}`);
  const report = run.stderr.toString().trim().split('\n').at(-1)!;
  const [kb, seconds] = report.split(' ').map(Number);
  const pairs = (await readFile(resolve(dir, 'pairs.csv'), 'utf8')).trim().split('\n').slice(1);
  const right = pairs.filter((p) => {
    const [a, b] = p.split(',');
    return a!.replace(/-(org|dup)$/, '') === b!.replace(/-(org|dup)$/, '');
  }).length;
  rmSync(dir, { recursive: true, force: true });
  console.log(
    `dedupe ${count.toLocaleString('en-GB')} records (file made in ${made.toFixed(0)} s): peak memory ${(kb! / 1024 / 1024).toFixed(2)} GB, wall ${seconds} s; ${pairs.length} pairs, precision ${(right / Math.max(pairs.length, 1)).toFixed(4)}, recall ${(right / duplicates).toFixed(4)} (target: within 4 GB)`,
  );
}
