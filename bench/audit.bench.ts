import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { createScratchDatabase } from '../e2e/support/scratch-database.ts';
import { openDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { GENESIS, hashOf, type AuditEvent } from '../src/modules/audit/index.ts';

/**
 * How long `wraparound audit verify` takes over a large audit trail, on PostgreSQL. Makes a scratch
 * database on the server named by DATABASE_URL, fills one partnership's chain with `--rows` valid,
 * chained events (hashed here with the module's own hashOf, loaded with COPY), then runs the command
 * three times and prints the median. `--keep` leaves the database behind and prints its URL.
 */

const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const RUNS = 3;
const BATCH = 5_000;

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '10000000' },
    partnerships: { type: 'string', default: '1' },
    keep: { type: 'boolean', default: false },
  },
});
const ROWS = Number(args.rows);
const PARTNERSHIPS = Number(args.partnerships);
if (!Number.isInteger(ROWS) || ROWS < 1) throw new Error('--rows: give a whole number, 1 or more');
if (!Number.isInteger(PARTNERSHIPS) || PARTNERSHIPS < 1 || PARTNERSHIPS > ROWS)
  throw new Error('--partnerships: give a whole number from 1 to --rows');

const run = promisify(execFile);
const bin = path.resolve(import.meta.dirname, '../bin/wraparound.js');

const COLUMNS = [
  'partnership_id',
  'seq',
  'at',
  'actor_user_id',
  'actor_label',
  'action',
  'outcome',
  'subject_type',
  'subject_id',
  'request_id',
  'detail',
  'actor_organisation_id',
  'actor_roles',
  'basis',
  'person_ids',
  'item_ids',
  'source_address',
  'prev_hash',
  'hash',
];
const SPECIAL = /[\\\t\n\r]/;
const SPECIALS = new RegExp(SPECIAL.source, 'g');
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** Text in COPY's text format; null as \N. */
function t(value: string | null): string {
  if (value === null) return '\\N';
  return SPECIAL.test(value) ? value.replace(SPECIALS, (c) => ESCAPES[c]!) : value;
}
const list = (values: readonly string[] | null) => (values === null ? '\\N' : `{${values.join(',')}}`);
const json = (value: Record<string, unknown> | null) => t(value === null ? null : JSON.stringify(value));

/** One event as a line of COPY's text format, in the order of COLUMNS. */
function copyLine(e: AuditEvent): string {
  return [
    e.partnershipId,
    e.seq,
    new Date(e.at).toISOString(),
    t(e.actorUserId),
    t(e.actorLabel),
    t(e.action),
    e.outcome,
    t(e.subjectType),
    t(e.subjectId),
    t(e.requestId),
    json(e.detail),
    t(e.actorOrganisationId),
    list(e.actorRoles),
    json(e.basis),
    list(e.personIds),
    list(e.itemIds),
    t(e.sourceAddress),
    e.prevHash,
    e.hash,
  ].join('\t');
}

const pool = (n: number) => Array.from({ length: n }, () => randomUUID());
const ACTIONS = [
  'person.view',
  'person.view',
  'person.view',
  'record.view',
  'person.update',
  'referral.decide',
];
const ROLES = [['practitioner'], ['practitioner', 'team_manager'], ['front_door'], ['privacy_officer']];

/** One partnership's chain: believable events, a few people and items each, every one hashed and linked. */
async function* chainLines(partnershipId: string, rows: number): AsyncGenerator<string> {
  const users = pool(400);
  const organisations = pool(30);
  const people = pool(20_000);
  const items = pool(5_000);
  const start = Date.UTC(2026, 0, 1);
  let prevHash = GENESIS;
  let lines: string[] = [];
  for (let seq = 1; seq <= rows; seq++) {
    const system = seq % 50 === 0;
    const u = seq % users.length;
    const person = people[(seq * 7919) % people.length]!;
    const action = system ? 'signals.rules.run' : ACTIONS[seq % ACTIONS.length]!;
    const event: Omit<AuditEvent, 'hash'> = {
      partnershipId,
      seq,
      at: new Date(start + seq * 1_500),
      actorUserId: system ? null : users[u]!,
      actorLabel: system ? 'system: signals' : `Practitioner ${u}`,
      actorOrganisationId: system ? null : organisations[u % organisations.length]!,
      actorRoles: system ? null : ROLES[u % ROLES.length]!,
      action,
      outcome: seq % 97 === 0 ? 'denied' : 'success',
      subjectType: system ? null : 'person',
      subjectId: system ? null : person,
      requestId: `req-${seq.toString(36)}`,
      detail: system
        ? { rules: 12, alerts: seq % 3 }
        : { view: action === 'person.view' ? 'summary' : 'edit' },
      basis: system ? null : { kind: 'involvement', involvementId: users[(u + 1) % users.length] },
      personIds: system ? [] : [person],
      itemIds: seq % 4 === 0 ? [items[seq % items.length]!] : [],
      sourceAddress: system ? null : `10.0.${u % 256}.${seq % 256}`,
      prevHash,
    };
    prevHash = hashOf(event);
    lines.push(copyLine({ ...event, hash: prevHash }));
    if (lines.length === BATCH || seq === rows) {
      yield `${lines.join('\n')}\n`;
      lines = [];
    }
  }
}

/** Makes the partnerships and loads their chains, one COPY per chain, with the slow indexes off. */
async function generate(url: string): Promise<void> {
  const handle = await openDatabase({ kind: 'postgres', url });
  try {
    await migrateToLatest(handle.db);
  } finally {
    await handle.close();
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Foreign-key checks (triggers) are skipped for the load: the partnerships exist.
    await client.query('set session_replication_role = replica');
    // The secondary indexes would slow the load several times over; verification does not use them.
    await client.query('drop index if exists audit_events_subject, audit_events_actor, audit_events_people');
    for (let p = 0; p < PARTNERSHIPS; p++) {
      const rows = Math.floor(ROWS / PARTNERSHIPS) + (p < ROWS % PARTNERSHIPS ? 1 : 0);
      const { rows: made } = await client.query<{ id: string }>(
        `insert into partnerships (name, slug) values ($1, $2) returning id`,
        [`Bench Partnership ${p + 1}`, `bench-${p + 1}`],
      );
      const copy = client.query(copyFrom(`copy audit_events (${COLUMNS.join(', ')}) from stdin`));
      await pipeline(Readable.from(chainLines(made[0]!.id, rows)), copy);
    }
    await client.query('analyze audit_events');
  } finally {
    await client.end();
  }
}

async function verify(url: string): Promise<{ ms: number; stdout: string }> {
  const started = performance.now();
  const result = await run(process.execPath, [bin, 'audit', 'verify'], {
    env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'silent' },
    maxBuffer: 16 * 1024 * 1024,
  });
  return { ms: performance.now() - started, stdout: result.stdout };
}

async function main() {
  const scratch = await createScratchDatabase(SERVER_URL, 'wa_bench_audit');
  try {
    console.log(
      `audit bench: node ${process.version}, ${os.cpus().length} CPUs, PostgreSQL database ${scratch.name}, ` +
        `${ROWS} events in ${PARTNERSHIPS} partnership chain(s), \`audit verify\` run ${RUNS} times`,
    );
    const generationStarted = performance.now();
    await generate(scratch.url);
    const generationMs = performance.now() - generationStarted;
    console.log(`generated ${ROWS} events in ${(generationMs / 1000).toFixed(1)} s`);

    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const { ms, stdout } = await verify(scratch.url);
      const counted = [...stdout.matchAll(/: (\d+) events, chain intact$/gm)].reduce(
        (sum, m) => sum + Number(m[1]),
        0,
      );
      if (counted !== ROWS) throw new Error(`audit verify did not find ${ROWS} intact events:\n${stdout}`);
      times.push(ms);
      console.log(`run ${i + 1}: ${(ms / 1000).toFixed(1)} s`);
    }
    const median = [...times].sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
    const line = (cells: (string | number)[]) => console.log(cells.map((c) => String(c).padEnd(16)).join(''));
    line(['rows', 'generate s', 'verify s (med)', 'rows/s']);
    line([
      ROWS,
      (generationMs / 1000).toFixed(1),
      (median / 1000).toFixed(1),
      Math.round(ROWS / (median / 1000)),
    ]);
  } finally {
    if (args.keep) console.log(`kept: ${scratch.url}`);
    else await scratch.drop();
  }
}

await main();
