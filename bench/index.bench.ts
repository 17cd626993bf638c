import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sql } from 'kysely';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { createScratchDatabase } from '../e2e/support/scratch-database.ts';
import type { Ctx } from '../src/common/context.ts';
import { createServices } from '../src/composition.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import type { StoredFields } from '../src/db/schema.ts';
import {
  BOYS_NAMES,
  FAMILY_NAMES,
  GIRLS_NAMES,
  NORTHBRIDGE_LOCALITIES,
  NORTHBRIDGE_TOWN,
  addressIn,
  housesIn,
} from '../src/modules/people/northbridge.ts';
import { modulus11CheckDigit } from '../src/modules/people/people.identifiers.ts';
import { matchKeysOf } from '../src/modules/people/people.index-match.ts';
import {
  contentHashOf,
  linkageRecordOf,
  personDetailsOf,
  storedFieldsOf,
} from '../src/modules/people/people.index-records.ts';
import { importAgencyFile } from '../src/modules/people/people.import.ts';
import { recordReader, csvField, type LinkageMap } from '../src/modules/people/people.linkage-io.ts';
import { prepareRecords } from '../src/modules/people/people.matching.ts';
import { seededRandom } from '../src/common/random.ts';

/**
 * The person index at scale, on PostgreSQL (docs/benchmarks.md, `npm run bench:index`). Makes a scratch
 * database on the server named by DATABASE_URL, loads an index of INDEX_PEOPLE children (default
 * 1,000,000) with COPY, each known to a GP and some also to a school, with the stored fields and
 * blocking keys the service itself would compute; then times (a) matching one record against the index
 * (PersonIndexService.candidatesFor; the first call trains the model) and (b) importing and linking an
 * agency file of INDEX_IMPORT rows (importAgencyFile), in a child process so that its peak memory is its
 * own. INDEX_KEEP=1 leaves the database behind.
 */

const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PEOPLE = Number(process.env.INDEX_PEOPLE ?? 1_000_000);
const PROBES = Number(process.env.INDEX_PROBES ?? 500);
const IMPORT_ROWS = Number(process.env.INDEX_IMPORT ?? 100_000);
/** A database an earlier run kept (INDEX_KEEP=1), copied instead of building the index again. */
const TEMPLATE = process.env.INDEX_TEMPLATE;
/** Share of children also on a school roll: the duplicates the model learns from. */
const SCHOOL_SHARE = 0.3;
const NOW = new Date('2026-03-02T09:00:00.000Z');
const TODAY = NOW.toISOString().slice(0, 10);
const DAY_MS = 86_400_000;
const EIGHTEEN_YEARS = 18 * 365;

// ---------------------------------------------------------------------------------------------------
// Children, made from their number: the same child every time, without holding a million in memory
// ---------------------------------------------------------------------------------------------------

const pick = <T>(r: () => number, list: readonly T[]) => list[Math.floor(r() * list.length)]!;

/** Family names weighted as real ones are: a few very common, a long tail. */
const FAMILY_WEIGHTS = (() => {
  const w = FAMILY_NAMES.map((_, k) => 1 / (k + 8));
  const total = w.reduce((s, v) => s + v, 0);
  let acc = 0;
  return w.map((v) => (acc += v / total));
})();
function familyName(r: () => number): string {
  const x = r();
  let lo = 0;
  let hi = FAMILY_WEIGHTS.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (FAMILY_WEIGHTS[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return FAMILY_NAMES[lo]!;
}

const LOCALITY_CUMULATIVE = (() => {
  let acc = 0;
  return NORTHBRIDGE_LOCALITIES.map((l) => (acc += l.householdShare));
})();

/** Valid NHS numbers in the range never issued (999…), the n-th of them. */
const NHS = (() => {
  const numbers: string[] = [];
  for (let n = 0; n < 1_000_000; n++) {
    const nine = String(999_000_000 + n);
    const check = modulus11CheckDigit(nine);
    if (check !== undefined) numbers.push(`${nine}${check}`);
  }
  return numbers;
})();

type Child = {
  given: string;
  family: string;
  dob: Date;
  sex: 'F' | 'M';
  address: string;
  postcode: string;
  nhs: string;
};

/** Other postcode areas with the same street plan, so that a large index is not one crowded town. */
const AREAS = [
  'NB',
  'NC',
  'ND',
  'NE',
  'NF',
  'NG',
  'NH',
  'NJ',
  'NK',
  'NL',
  'NM',
  'NN',
  'NP',
  'NQ',
  'NR',
  'NS',
];

/** Households of two children (siblings, now and then twins), sharing a surname and an address. */
function childOf(i: number): Child {
  const h = Math.floor(i / 2);
  const hr = seededRandom(h * 2_654_435_761 + 17);
  const family = familyName(hr);
  const x = hr();
  const locality = NORTHBRIDGE_LOCALITIES[LOCALITY_CUMULATIVE.findIndex((c) => x <= c)]!;
  const houses = housesIn(locality.code);
  const { line1, postcode } = addressIn(locality.code, Math.floor(hr() * houses));
  const area = AREAS[Math.floor(hr() * Math.min(AREAS.length, Math.ceil(PEOPLE / 2 / 100_000)))]!;
  const eldest = Math.floor(hr() * EIGHTEEN_YEARS);
  const gap = hr() < 0.03 ? 0 : 300 + Math.floor(hr() * 2_000);
  const cr = seededRandom(i * 2_246_822_519 + 3);
  const sex = cr() < 0.5 ? 'F' : 'M';
  const age = i % 2 === 0 ? eldest : eldest >= gap ? eldest - gap : eldest + gap;
  return {
    given: pick(cr, sex === 'F' ? GIRLS_NAMES : BOYS_NAMES),
    family,
    dob: new Date(NOW.getTime() - (age + 1) * DAY_MS),
    sex,
    address: line1,
    postcode: `${area}${postcode.slice(2)}`,
    // Most children have an NHS number; a few are not registered under one (yet).
    nhs: cr() < 0.85 ? NHS[i % NHS.length]! : '',
  };
}

/** A child the index has never met. */
function newChild(n: number): Child {
  const c = childOf(PEOPLE * 2 + n * 2 + 1);
  return { ...c, nhs: NHS[(PEOPLE + n) % NHS.length]! };
}

const ddmmyyyy = (d: Date) =>
  `${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${d.getUTCFullYear()}`;

function transpose(r: () => number, word: string): string {
  if (word.length < 4) return word;
  const at = 1 + Math.floor(r() * (word.length - 2));
  return word.slice(0, at) + word[at + 1] + word[at] + word.slice(at + 2);
}

/** The child as another agency typed it: transposed letters, a swapped day and month, gaps. */
function withErrors(r: () => number, c: Child, keepNhs: number): Child {
  const v = { ...c };
  const roll = r();
  if (roll < 0.06) v.given = transpose(r, v.given);
  else if (roll < 0.1) v.family = transpose(r, v.family);
  else if (roll < 0.13 && v.dob.getUTCDate() <= 12)
    v.dob = new Date(Date.UTC(v.dob.getUTCFullYear(), v.dob.getUTCDate() - 1, v.dob.getUTCMonth() + 1));
  else if (roll < 0.18) v.postcode = '';
  else if (roll < 0.2) v.dob = new Date(v.dob.getTime() + 365 * DAY_MS);
  if (r() >= keepNhs) v.nhs = '';
  return v;
}

const COLUMNS = ['id', 'forename', 'surname', 'dob', 'sex', 'address', 'postcode', 'nhs'];
const MAP: LinkageMap = {
  id: 'id',
  given_name: 'forename',
  family_name: 'surname',
  date_of_birth: { column: 'dob', format: 'DD/MM/YYYY' },
  sex: 'sex',
  address_line_1: 'address',
  postcode: 'postcode',
  identifiers: { nhs_number: 'nhs' },
};
const readRow = recordReader(COLUMNS, MAP, 'bench');
const rowOf = (id: string, c: Child) => [
  id,
  c.given,
  c.family,
  ddmmyyyy(c.dob),
  c.sex,
  c.address,
  c.postcode,
  c.nhs,
];

// ---------------------------------------------------------------------------------------------------
// COPY
// ---------------------------------------------------------------------------------------------------

const SPECIAL = /[\\\t\n\r]/;
const SPECIALS = new RegExp(SPECIAL.source, 'g');
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
function t(value: string | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  return SPECIAL.test(value) ? value.replace(SPECIALS, (ch) => ESCAPES[ch]!) : value;
}
const textArray = (values: readonly string[]) =>
  `{${values.map((v) => `"${v.replace(/["\\]/g, (ch) => `\\${ch}`)}"`).join(',')}}`;

/** Streams lines into one COPY, a batch at a time; `ready` waits while the server is behind. */
class CopyWriter {
  private lines: string[] = [];
  private readonly stream: Readable;
  private resume: (() => void) | undefined;
  readonly done: Promise<void>;
  constructor(client: pg.Client, statement: string) {
    this.stream = new Readable({
      highWaterMark: 1 << 20,
      read: () => {
        this.resume?.();
        this.resume = undefined;
      },
    });
    this.done = pipeline(this.stream, client.query(copyFrom(statement)));
  }
  push(line: string) {
    this.lines.push(line);
    if (this.lines.length >= 2_000) this.flush();
  }
  async ready() {
    if (this.stream.readableLength >= 4 << 20) await new Promise<void>((resolve) => (this.resume = resolve));
  }
  private flush() {
    if (this.lines.length > 0) this.stream.push(`${this.lines.join('\n')}\n`);
    this.lines = [];
  }
  async end() {
    this.flush();
    this.stream.push(null);
    await this.done;
  }
}

// ---------------------------------------------------------------------------------------------------
// Building the index
// ---------------------------------------------------------------------------------------------------

type World = { partnershipId: string; sources: Record<'gp' | 'school' | 'social', string> };

async function setUp(client: pg.Client): Promise<World> {
  const q = async (text: string, values: unknown[] = []) =>
    (await client.query<{ id: string }>(text, values)).rows;
  const [p] = await q(
    `insert into partnerships (name, slug) values ('Index Bench', 'index-bench') returning id`,
  );
  const partnershipId = p!.id;
  const [o] = await q(
    `insert into organisations (partnership_id, name, sector, kind) values ($1, 'Northbridge Council', 'social_care', 'council') returning id`,
    [partnershipId],
  );
  const sources = {} as World['sources'];
  for (const [key, code, name, kind] of [
    ['gp', 'gp-registrations', 'GP registrations', 'gp_registrations'],
    ['school', 'school-roll', 'School census', 'school_roll'],
    ['social', 'social-care', 'Children’s social care clients', 'social_care'],
  ] as const) {
    const [s] = await q(
      `insert into record_sources (partnership_id, code, name, kind, organisation_id) values ($1, $2, $3, $4, $5) returning id`,
      [partnershipId, code, name, kind, o!.id],
    );
    sources[key] = s!.id;
  }
  return { partnershipId, sources };
}

const LOADED_TABLES = ['people', 'source_records', 'source_record_identifiers', 'record_links'];

async function build(url: string): Promise<World> {
  const handle = await openDatabase({ kind: 'postgres', url });
  try {
    await migrateToLatest(handle.db);
  } finally {
    await handle.close();
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const world = await setUp(client);
    const { partnershipId, sources } = world;
    // Secondary indexes off for the load and made again after it; foreign keys not checked (replica).
    const { rows: indexes } = await client.query<{ name: string; def: string }>(
      `select i.indexname as name, i.indexdef as def from pg_indexes i
       join pg_class c on c.relname = i.indexname join pg_index x on x.indexrelid = c.oid
       where i.schemaname = 'public' and i.tablename = any($1) and not x.indisprimary`,
      [LOADED_TABLES],
    );
    for (const { name } of indexes) await client.query(`drop index ${name}`);
    await client.query('set session_replication_role = replica');
    const people = new CopyWriter(
      client,
      'copy people (partnership_id, id, kind, given_name, family_name, date_of_birth, sex) from stdin',
    );
    // One COPY at a time per connection: open three more connections for the other tables.
    const extra = await Promise.all(
      [0, 1, 2].map(async () => {
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        await c.query('set session_replication_role = replica');
        return c;
      }),
    );
    const sourceRecords = new CopyWriter(
      extra[0]!,
      'copy source_records (partnership_id, id, source_id, local_id, content_sha256, received, fields, line_number, received_at, match_keys) from stdin',
    );
    const identifiers = new CopyWriter(
      extra[1]!,
      'copy source_record_identifiers (partnership_id, system, value, source_record_id) from stdin',
    );
    const links = new CopyWriter(
      extra[2]!,
      'copy record_links (partnership_id, source_record_id, person_id, status, probability, created_person, created_at) from stdin',
    );
    const record = (
      source: string,
      receivedAt: string,
      line: number,
      personId: string,
      row: string[],
      first: boolean,
    ) => {
      const fields = storedFieldsOf(readRow(row));
      const [prepared] = prepareRecords([linkageRecordOf('', fields)]);
      const received = { columns: COLUMNS, values: row };
      const id = randomUUID();
      sourceRecords.push(
        [
          partnershipId,
          id,
          source,
          t(row[0]),
          contentHashOf(received),
          t(JSON.stringify(received)),
          t(JSON.stringify(fields)),
          line,
          receivedAt,
          t(textArray(matchKeysOf(prepared!))),
        ].join('\t'),
      );
      for (const [system, value] of fields.identifiers)
        identifiers.push([partnershipId, system, t(value), id].join('\t'));
      links.push(
        [
          partnershipId,
          id,
          personId,
          'auto_linked',
          first ? '\\N' : '0.999',
          first ? 't' : 'f',
          receivedAt,
        ].join('\t'),
      );
      return fields;
    };
    const started = performance.now();
    let schoolLine = 1;
    for (let i = 0; i < PEOPLE; i++) {
      const child = childOf(i);
      const personId = randomUUID();
      const gp = rowOf(`GP${i}`, child);
      const fields = record(sources.gp, '2026-01-10T09:00:00Z', i + 2, personId, gp, true);
      const d = personDetailsOf(fields, TODAY);
      people.push(
        [partnershipId, personId, d.kind, t(d.givenName), t(d.familyName), d.dateOfBirth, d.sex].join('\t'),
      );
      const r = seededRandom(i * 97 + 5);
      if (r() < SCHOOL_SHARE) {
        const school = withErrors(r, child, 0.5);
        record(
          sources.school,
          '2026-02-01T09:00:00Z',
          ++schoolLine,
          personId,
          rowOf(`UPN${i}`, school),
          false,
        );
      }
      if (i % 1_000 === 0) for (const w of [people, sourceRecords, identifiers, links]) await w.ready();
      if ((i + 1) % 100_000 === 0)
        console.log(`  ${i + 1} people, ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
    await Promise.all([people.end(), sourceRecords.end(), identifiers.end(), links.end()]);
    await Promise.all(extra.map((c) => c.end()));
    const loaded = performance.now();
    console.log(`  loaded in ${((loaded - started) / 1000).toFixed(1)} s; making ${indexes.length} indexes`);
    await client.query(`set maintenance_work_mem = '512MB'`);
    // Two connections make the indexes side by side.
    const second = new pg.Client({ connectionString: url });
    await second.connect();
    await second.query(`set maintenance_work_mem = '512MB'`);
    const queue = [...indexes];
    await Promise.all(
      [client, second].map(async (c) => {
        for (let next = queue.shift(); next; next = queue.shift()) await c.query(next.def);
      }),
    );
    await second.end();
    await client.query(`analyze ${LOADED_TABLES.join(', ')}`);
    console.log(`  indexes and analyze ${((performance.now() - loaded) / 1000).toFixed(1)} s`);
    return world;
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------------
// Matching one record
// ---------------------------------------------------------------------------------------------------

const quantile = (sorted: readonly number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
const ms = (n: number) => n.toFixed(1);

async function probe(url: string, world: World) {
  const handle = await openDatabase({ kind: 'postgres', url });
  try {
    const services = createServices(handle.db, loadConfig({ DATA_DIR: 'memory://' }));
    const ctx: Ctx = {
      actor: { system: 'index bench', partnershipId: world.partnershipId },
      requestId: 'bench-index',
      now: NOW,
    };
    const r = seededRandom(4242);
    const probes: StoredFields[] = [];
    for (let n = 0; n < PROBES; n++) {
      const child =
        n % 2 === 0 ? withErrors(r, childOf(Math.floor(r() * PEOPLE)), 0.5) : newChild(10_000 + n);
      probes.push(storedFieldsOf(readRow(rowOf(`Q${n}`, child))));
    }
    let started = performance.now();
    const first = await services.personIndex.candidatesFor(ctx, probes[0]!);
    console.log(
      `model trained (first call): ${ms(performance.now() - started)} ms, ${first.length} candidates`,
    );
    const times: number[] = [];
    const found = [0, 0];
    for (const [n, fields] of probes.entries()) {
      started = performance.now();
      const candidates = await services.personIndex.candidatesFor(ctx, fields);
      times.push(performance.now() - started);
      if (candidates.some((c) => c.band === 'auto-link')) found[n % 2]!++;
    }
    // Rows each probe read (outside the timing): the records sharing a blocking key, at most 2,000.
    const read: number[] = [];
    for (const fields of probes.slice(0, 100)) {
      const keys = matchKeysOf(prepareRecords([linkageRecordOf('q', fields)])[0]!);
      const { rows } = await sql<{ n: string }>`
        select count(*) as n from (select 1 from source_records
          where partnership_id = ${world.partnershipId} and match_keys && ${keys}::text[] limit 2000) x
      `.execute(handle.db);
      read.push(Number(rows[0]!.n));
    }
    const sorted = [...times].sort((a, b) => a - b);
    const readSorted = read.sort((a, b) => a - b);
    console.log(
      `match: ${PROBES} probes, median ${ms(quantile(sorted, 0.5))} ms, p95 ${ms(quantile(sorted, 0.95))} ms, ` +
        `p99 ${ms(quantile(sorted, 0.99))} ms, max ${ms(sorted.at(-1)!)} ms`,
    );
    console.log(
      `  records read per probe (first 100): median ${quantile(readSorted, 0.5)}, p95 ${quantile(readSorted, 0.95)}, max ${readSorted.at(-1)}; ` +
        `auto-link found for ${found[0]}/${Math.ceil(PROBES / 2)} known children, ${found[1]}/${Math.floor(PROBES / 2)} unknown`,
    );
  } finally {
    await handle.close();
  }
}

// ---------------------------------------------------------------------------------------------------
// Importing a file (child process)
// ---------------------------------------------------------------------------------------------------

async function writeImportFile(file: string) {
  const out = createWriteStream(file);
  const r = seededRandom(777);
  const lines = [COLUMNS.join(',')];
  const flush = async () => {
    const chunk = `${lines.join('\n')}\n`;
    lines.length = 0;
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  };
  const used = new Set<number>();
  for (let n = 0; n < IMPORT_ROWS; n++) {
    let child: Child;
    if (r() < 0.9) {
      let i = Math.floor(r() * PEOPLE);
      while (used.has(i)) i = (i + 1) % PEOPLE;
      used.add(i);
      child = withErrors(r, childOf(i), 0.7);
    } else child = newChild(n);
    lines.push(rowOf(`SC${n}`, child).map(csvField).join(','));
    if (lines.length >= 5_000) await flush();
  }
  await flush();
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
}

async function importChild(url: string, partnershipId: string, file: string) {
  const handle = await openDatabase({ kind: 'postgres', url });
  try {
    const services = createServices(handle.db, loadConfig({ DATA_DIR: 'memory://' }));
    const ctx: Ctx = {
      actor: { system: 'index bench', partnershipId },
      requestId: 'bench-index-import',
      now: NOW,
    };
    const started = performance.now();
    const marks: Record<string, number> = {};
    const phases: string[] = [];
    const result = await importAgencyFile(services.personIndex, ctx, {
      source: 'social-care',
      fileName: path.basename(file),
      open: () => createReadStream(file),
      map: MAP,
      onPhase: (phase, took) => {
        phases.push(`${phase} ${(took / 1000).toFixed(1)} s`);
        console.log(`  … ${phases.at(-1)}`);
      },
      onProgress: (phase, done, total) => {
        const now = performance.now() - started;
        if (phase === 'reading' && done >= total) marks.stored ??= now;
        if (phase === 'linking') {
          marks.decided ??= now;
          if (done >= total) marks.written = now;
        }
      },
    });
    const total = performance.now() - started;
    const s = (n: number | undefined) => (n === undefined ? '?' : (n / 1000).toFixed(1));
    console.log(
      `import: ${IMPORT_ROWS} rows in ${s(total)} s — stored ${s(marks.stored)} s, ` +
        `decided (load index, train, score) ${s((marks.decided ?? 0) - (marks.stored ?? 0))} s, ` +
        `written ${s((marks.written ?? 0) - (marks.decided ?? 0))} s, finish ${s(total - (marks.written ?? 0))} s`,
    );
    if (phases.length > 0) console.log(`  phases: ${phases.join(', ')}`);
    console.log(
      `  read ${result.rowsRead}, rejected ${result.rejected}, stored ${result.stored}; ` +
        `auto-linked ${result.outcome.autoLinked}, for review ${result.outcome.forReview}, new people ${result.outcome.newPeople}`,
    );
    console.log(`  peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  } finally {
    await handle.close();
  }
}

async function runImport(url: string, world: World) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'index-bench-'));
  try {
    const file = path.join(dir, 'social-care.csv');
    await writeImportFile(file);
    await new Promise<void>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [...process.execArgv, import.meta.filename, '--import', url, world.partnershipId, file],
        { stdio: 'inherit' },
      );
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`import exited with ${code}`))));
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A copy of a kept database (the same INDEX_PEOPLE), for another run without building again. */
async function copyOfDatabase(serverUrl: string, template: string) {
  const name = `wa_bench_index_${Date.now().toString(36)}_${process.pid}`;
  const admin = async (text: string) => {
    const url = new URL(serverUrl);
    url.pathname = '/postgres';
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  };
  await admin(`create database ${name} template ${template}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), name, drop: () => admin(`drop database if exists ${name} with (force)`) };
}

async function worldOf(url: string): Promise<World> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ partnership_id: string; code: string; id: string }>(
      `select partnership_id, code, id from record_sources`,
    );
    const id = (code: string) => rows.find((r) => r.code === code)!.id;
    return {
      partnershipId: rows[0]!.partnership_id,
      sources: { gp: id('gp-registrations'), school: id('school-roll'), social: id('social-care') },
    };
  } finally {
    await client.end();
  }
}

async function main() {
  if (process.argv[2] === '--import') {
    const [url, partnershipId, file] = process.argv.slice(3);
    await importChild(url!, partnershipId!, file!);
    return;
  }
  const scratch = TEMPLATE
    ? await copyOfDatabase(SERVER_URL, TEMPLATE)
    : await createScratchDatabase(SERVER_URL, 'wa_bench_index');
  console.log(
    `index bench: node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(1)}, ` +
      `database ${scratch.name}, ${PEOPLE} people (${NORTHBRIDGE_TOWN})`,
  );
  try {
    const started = performance.now();
    const world = TEMPLATE ? await worldOf(scratch.url) : await build(scratch.url);
    console.log(
      `${TEMPLATE ? `copied from ${TEMPLATE}` : 'build'}: ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    if (PROBES > 0) await probe(scratch.url, world);
    if (IMPORT_ROWS > 0) await runImport(scratch.url, world);
  } finally {
    if (process.env.INDEX_KEEP === '1') console.log(`kept: ${scratch.url}`);
    else await scratch.drop();
  }
}

await main();
