import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { createScratchDatabase } from '../e2e/support/scratch-database.ts';
import type { Ctx } from '../src/common/context.ts';
import { createServices } from '../src/composition.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase, type Db } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import {
  modulus11CheckDigit,
  NORTHBRIDGE_LOCALITIES,
  peopleSchemas,
  seedPeople,
} from '../src/modules/people/index.ts';

/**
 * Person search on PostgreSQL at the size of a large partnership. Makes a scratch database on the
 * server named by DATABASE_URL (dropped at the end; BENCH_KEEP=1 keeps it), seeds BENCH_CHILDREN
 * children (default 200,000) with their households and carers, gives a sample of them a GP record
 * with an NHS number linked to them, then times PeopleService.search (the whole path: blocking keys,
 * ranking, involvement check, audit event) for names with typos, names with typos and a date of
 * birth, NHS numbers, and names with a postcode. Prints the median and p95 of each, and how often
 * the person searched for came first and was found at all.
 */

const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const CHILDREN = Number(process.env.BENCH_CHILDREN ?? '200000');
const SEARCHES = Number(process.env.BENCH_SEARCHES ?? '200');
const WARM_UP = 20;

type Target = {
  id: string;
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  postcode: string;
  nhs: string;
};

/** A seeded random stream, so every run searches for the same mistakes. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One typing mistake: two letters swapped, one dropped, one doubled or one changed. */
function typo(word: string, next: () => number): string {
  if (word.length < 4) return word;
  const i = 1 + Math.floor(next() * (word.length - 2));
  switch (Math.floor(next() * 4)) {
    case 0:
      return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
    case 1:
      return word.slice(0, i) + word.slice(i + 1);
    case 2:
      return word.slice(0, i) + word[i] + word.slice(i);
    default:
      return word.slice(0, i) + 'aeiou'[Math.floor(next() * 5)] + word.slice(i + 1);
  }
}

function nhsNumber(next: () => number): string {
  for (;;) {
    const nine = String(100_000_000 + Math.floor(next() * 800_000_000));
    const check = modulus11CheckDigit(nine);
    if (check !== undefined) return `${nine}${check}`;
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** The children to look for, each given a GP record with an NHS number linked to them. */
async function prepareTargets(db: Db, partnershipId: string, organisationId: string, count: number) {
  const next = random(7);
  const { rows } = await sql<Omit<Target, 'nhs'>>`
    select p.id, p.given_name, p.family_name, p.date_of_birth, h.postcode
    from people p
    join household_members m on m.partnership_id = p.partnership_id and m.person_id = p.id and m.ended_on is null
    join households h on h.partnership_id = m.partnership_id and h.id = m.household_id
    where p.partnership_id = ${partnershipId} and p.kind = 'child' and p.given_name is not null
    order by md5(p.id::text) limit ${count}`.execute(db);
  const targets: Target[] = rows.map((r) => ({ ...r, nhs: nhsNumber(next) }));
  const source = await db
    .insertInto('recordSources')
    .values({
      partnershipId,
      code: 'gp-registrations',
      name: 'GP registrations',
      kind: 'gp_registrations',
      organisationId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const now = new Date();
  for (const t of targets) {
    const recordId = randomUUID();
    await db.transaction().execute(async (tx) => {
      await tx
        .insertInto('sourceRecords')
        .values({
          partnershipId,
          id: recordId,
          sourceId: source.id,
          localId: t.id,
          contentSha256: t.id.replace(/-/g, '').padEnd(64, '0'),
          received: JSON.stringify({ columns: ['nhs'], values: [t.nhs] }),
          fields: JSON.stringify({
            identifiers: [['nhs', t.nhs]],
            givenName: t.givenName,
            familyName: t.familyName,
            dateOfBirth: t.dateOfBirth,
            postcode: t.postcode,
          }),
          receivedAt: now,
        })
        .execute();
      await tx
        .insertInto('sourceRecordIdentifiers')
        .values({ partnershipId, system: 'nhs', value: t.nhs, sourceRecordId: recordId })
        .execute();
      await tx
        .insertInto('recordLinks')
        .values({ partnershipId, sourceRecordId: recordId, personId: t.id, status: 'auto_linked' })
        .execute();
    });
  }
  return targets;
}

async function main() {
  if (!Number.isInteger(CHILDREN) || CHILDREN < 100) throw new Error('BENCH_CHILDREN: 100 or more');
  const scratch = await createScratchDatabase(SERVER_URL, 'wa_bench_search');
  const handle = await openDatabase({ kind: 'postgres', url: scratch.url });
  const db = handle.db;
  try {
    await migrateToLatest(db);
    const partnership = await db
      .insertInto('partnerships')
      .values({ name: 'Northbridge', slug: 'bench-search' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const partnershipId = partnership.id;
    const localities = await db
      .insertInto('localities')
      .values(NORTHBRIDGE_LOCALITIES.map((l) => ({ partnershipId, code: l.code, name: l.name })))
      .returning(['id', 'code'])
      .execute();
    const organisation = await db
      .insertInto('organisations')
      .values({ partnershipId, name: 'Northbridge Council', sector: 'social_care', kind: 'Local authority' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const user = await db
      .insertInto('users')
      .values({
        partnershipId,
        email: 'searcher@bench.example',
        displayName: 'Searcher',
        organisationId: organisation.id,
        roles: ['practitioner'],
        passwordHash: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();

    const seedStarted = performance.now();
    let lastReport = 0;
    const counts = await seedPeople(db, {
      partnershipId,
      localities,
      children: CHILDREN,
      seed: 1,
      onProgress: (n) => {
        if (n - lastReport >= 50_000) {
          lastReport = n;
          process.stdout.write(
            `  seeded ${n} children (${((performance.now() - seedStarted) / 1000).toFixed(0)} s)\n`,
          );
        }
      },
    });
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    const targetsStarted = performance.now();
    const targets = await prepareTargets(db, partnershipId, organisation.id, SEARCHES);
    await sql`vacuum analyze`.execute(db);
    const { rows: size } = await sql<{ people: number }>`select count(*)::int as people from people`.execute(
      db,
    );
    console.log(
      `search bench: node ${process.version}, ${os.cpus().length} CPUs, PostgreSQL database ${scratch.name}; ` +
        `seeded ${counts.children} children, ${counts.adults} adults, ${counts.households} households ` +
        `(${size[0]!.people} people) in ${seedSeconds.toFixed(1)} s; ${targets.length} GP records with NHS ` +
        `numbers linked and analysed in ${((performance.now() - targetsStarted) / 1000).toFixed(1)} s; ` +
        `${targets.length} searches of each kind after ${WARM_UP} to warm up`,
    );

    const services = createServices(db, loadConfig({ DATA_DIR: 'memory://' }));
    const ctx = (): Ctx => ({
      actor: {
        userId: user.id,
        partnershipId,
        organisationId: organisation.id,
        roles: ['practitioner'],
        displayName: 'Searcher',
      },
      requestId: randomUUID(),
      now: new Date(),
    });
    const next = random(11);
    const kinds: { name: string; form: (t: Target) => Record<string, string> }[] = [
      {
        name: 'name with typos',
        form: (t) => ({ name: `${typo(t.givenName, next)} ${typo(t.familyName, next)}` }),
      },
      {
        name: 'name with typos + date of birth',
        form: (t) => {
          const [y, m, d] = t.dateOfBirth.split('-');
          return {
            name: `${typo(t.familyName, next)} ${t.givenName}`,
            'dob-day': d!,
            'dob-month': m!,
            'dob-year': y!,
          };
        },
      },
      { name: 'NHS number', form: (t) => ({ identifier: t.nhs.replace(/^(\d{3})(\d{3})/, '$1 $2 ') }) },
      {
        name: 'name with a typo + postcode',
        form: (t) => ({ name: `${t.givenName} ${typo(t.familyName, next)}`, postcode: t.postcode }),
      },
    ];
    console.log('kind                               median ms   p95 ms   first   found   mean shown');
    for (const kind of kinds) {
      const forms = targets.map((t) => ({
        target: t,
        criteria: peopleSchemas.PersonSearch.parse(kind.form(t)),
      }));
      for (const { criteria } of forms.slice(0, WARM_UP)) await services.people.search(ctx(), criteria);
      const times: number[] = [];
      let first = 0;
      let found = 0;
      let shown = 0;
      for (const { target, criteria } of forms) {
        const started = performance.now();
        const result = await services.people.search(ctx(), criteria);
        times.push(performance.now() - started);
        if (result.rows[0]?.id === target.id) first++;
        if (result.rows.some((r) => r.id === target.id)) found++;
        shown += result.rows.length;
      }
      console.log(
        `${kind.name.padEnd(34)} ${percentile(times, 50).toFixed(1).padStart(9)} ${percentile(times, 95)
          .toFixed(1)
          .padStart(8)} ${`${Math.round((100 * first) / forms.length)}%`.padStart(7)} ${`${Math.round(
          (100 * found) / forms.length,
        )}%`.padStart(7)} ${(shown / forms.length).toFixed(1).padStart(12)}`,
      );
    }
  } finally {
    await handle.close();
    if (process.env.BENCH_KEEP === '1') console.log(`kept ${scratch.url}`);
    else await scratch.drop();
  }
}

await main();
