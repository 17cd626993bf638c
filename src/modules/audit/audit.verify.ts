import { Worker } from 'node:worker_threads';
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Row } from '../../db/schema.ts';
import { GENESIS, hashOf } from './audit.hash.ts';
import type { ChainCheck } from './audit.service.ts';

/**
 * Verifying the audit chains. A row's check needs only the row and the stored hash of the row before
 * it, so a chain is cut into ranges of seq that are checked apart: on PostgreSQL by worker threads,
 * each with its own connection (audit.verify.worker.ts); on PGlite, one connection, in this thread.
 * The chain breaks at the lowest bad seq any range reports.
 */

export type VerifyOptions = {
  /** PostgreSQL only: the workers' connection string. Without it, everything runs in this thread. */
  connectionString?: string;
  /** How many worker threads (each with a connection) check ranges at once; 1 or less: none. */
  workers?: number;
  /** Rows in one range, the unit of work handed out. */
  rangeSize?: number;
  /** Rows read in one query (on PGlite; workers read a whole range in one COPY). */
  pageSize?: number;
  /** Called as ranges are read: how many of the chains' rows are done, out of how many. */
  onProgress?: (done: number, total: number) => void;
};

export type Range = { partnershipId: string; from: number; to: number };
type Reason = 'missing event' | 'broken link' | 'content changed' | 'out of order';
/** The first row of a range that does not hold, and the stored hash of the row before it. */
export type Break = { seq: number; reason: Reason; before: string | undefined };

/**
 * One range's rows, taken in seq order; the reader passes the row just before the range first (if
 * there is one), so the range's first row can be linked to it.
 */
export class RangeWalk {
  private expected: number;
  private before: string | undefined;
  broken: Break | undefined;

  constructor(private readonly range: Range) {
    this.expected = range.from;
    this.before = range.from === 1 ? GENESIS : undefined;
  }

  /** Takes the next row; false once the range is broken, so the rest need not be read. */
  row(seq: number, prevHash: string, hash: string, contentHolds: boolean): boolean {
    if (seq < this.range.from) {
      this.before = hash;
      return true;
    }
    if (seq !== this.expected) return this.fail(this.expected, 'missing event');
    // When the row before the range is missing, the range below reports it (a lower seq).
    if (this.before !== undefined && prevHash !== this.before) return this.fail(seq, 'broken link');
    if (!contentHolds) return this.fail(seq, 'content changed');
    this.before = hash;
    this.expected += 1;
    return true;
  }

  /** After the last row read: a range that stops short is missing its last events. */
  end(): Break | undefined {
    if (!this.broken && this.expected <= this.range.to) this.fail(this.expected, 'missing event');
    return this.broken;
  }

  private fail(seq: number, reason: Reason): false {
    this.broken = { seq, reason, before: this.before };
    return false;
  }
}

/** Each partnership's chain, as far as it went when the check began (later events are not read). */
export async function verifyChains(
  db: Db,
  partnershipIds: readonly string[],
  options: VerifyOptions = {},
): Promise<ChainCheck[]> {
  const { rangeSize = 250_000, pageSize = 10_000, onProgress } = options;
  const ends = await Promise.all(
    partnershipIds.map(async (id) => {
      const last = await db
        .selectFrom('auditEvents')
        .select((eb) => eb.fn.max('seq').as('seq'))
        .where('partnershipId', '=', id)
        .executeTakeFirst();
      return Number(last?.seq ?? 0);
    }),
  );
  const ranges: Range[] = partnershipIds.flatMap((partnershipId, i) =>
    Array.from({ length: Math.ceil(ends[i]! / rangeSize) }, (_, r) => ({
      partnershipId,
      from: r * rangeSize + 1,
      to: Math.min(ends[i]!, (r + 1) * rangeSize),
    })),
  );

  const total = ends.reduce((a, b) => a + b, 0);
  let done = 0;
  const progress = (rows: number) => onProgress?.((done += rows), total);
  const firstBreak = new Map<string, Break>();
  // Ranges are taken lowest seq first; once a chain is broken, ranges above the break are skipped.
  const next = () => {
    for (let range = ranges.shift(); range; range = ranges.shift()) {
      const broken = firstBreak.get(range.partnershipId);
      if (!broken || range.from < broken.seq) return range;
      progress(range.to - range.from + 1);
    }
    return undefined;
  };
  const found = (range: Range, broken: Break | undefined) => {
    const known = firstBreak.get(range.partnershipId);
    if (broken && (!known || broken.seq < known.seq)) firstBreak.set(range.partnershipId, broken);
  };

  const workers = Math.min(options.workers ?? 0, ranges.length);
  if (options.connectionString && workers > 1) {
    await walkInWorkers(workers, { connectionString: options.connectionString }, next, found, progress);
  } else {
    for (let range = next(); range; range = next())
      found(range, await walkHere(db, range, pageSize, progress));
  }

  return Promise.all(
    partnershipIds.map(async (id, i): Promise<ChainCheck> => {
      const broken = firstBreak.get(id);
      if (!broken) return { ok: true, events: ends[i]! };
      const reason = (await movedElsewhere(db, id, broken)) ? 'out of order' : broken.reason;
      return { ok: false, events: broken.seq - 1, brokenAt: broken.seq, reason };
    }),
  );
}

/**
 * Whether the event that belongs at the broken seq is intact somewhere else in the chain: the one
 * linked to the row before the break, whose hash holds with the broken seq (rows swapped or renumbered).
 */
async function movedElsewhere(db: Db, partnershipId: string, broken: Break): Promise<boolean> {
  if (broken.before === undefined) return false;
  const candidates = await chainRows(db, partnershipId)
    .where('prevHash', '=', broken.before)
    .where('seq', '<>', broken.seq)
    .execute();
  return candidates.some((row) => hashOf({ ...asRecorded(row), seq: broken.seq }) === row.hash);
}

/** A range read through the application's own connection, page by page. */
async function walkHere(
  db: Db,
  range: Range,
  pageSize: number,
  progress: (rows: number) => void,
): Promise<Break | undefined> {
  const walk = new RangeWalk(range);
  for (let from = Math.max(1, range.from - 1); from <= range.to; from += pageSize) {
    const to = Math.min(range.to, from + pageSize - 1);
    const rows = await chainRows(db, range.partnershipId)
      .where('seq', '>=', from)
      .where('seq', '<=', to)
      .orderBy('seq')
      .execute();
    for (const row of rows)
      if (!walk.row(row.seq, row.prevHash, row.hash, hashOf(asRecorded(row)) === row.hash)) return walk.end();
    progress(to - Math.max(from, range.from) + 1);
  }
  return walk.end();
}

/**
 * A chain's rows, with detail and basis also as text: the database's camel-case plugin renames the
 * keys inside JSON values it reads ({"a_b": 1} comes back as {"aB": 1}), which would change the hash.
 */
function chainRows(db: Db, partnershipId: string) {
  return db
    .selectFrom('auditEvents')
    .selectAll()
    .select([sql<string>`detail::text`.as('detailText'), sql<string | null>`basis::text`.as('basisText')])
    .where('partnershipId', '=', partnershipId);
}

function asRecorded({
  detailText,
  basisText,
  ...row
}: Row<'auditEvents'> & { detailText: string; basisText: string | null }): Row<'auditEvents'> {
  return {
    ...row,
    detail: JSON.parse(detailText) as Record<string, unknown>,
    basis: basisText === null ? null : (JSON.parse(basisText) as Record<string, unknown>),
  };
}

// ---- On PostgreSQL: worker threads -------------------------------------------------------------

export type WorkerSetup = { connectionString: string };
export type ToWorker = { range: Range } | { stop: true };
export type FromWorker = { progress: number } | { broken: Break | undefined } | { failed: string };

/** Runs `next()`'s ranges on `count` workers until none is left. */
async function walkInWorkers(
  count: number,
  setup: WorkerSetup,
  next: () => Range | undefined,
  found: (range: Range, broken: Break | undefined) => void,
  progress: (rows: number) => void,
): Promise<void> {
  const workers = Array.from({ length: count }, () => startWorker(setup, progress));
  try {
    await Promise.all(
      workers.map(async (worker) => {
        for (let range = next(); range; range = next()) found(range, await worker.walk(range));
      }),
    );
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
}

function startWorker(setup: WorkerSetup, progress: (rows: number) => void) {
  const script = new URL('./audit.verify.worker.ts', import.meta.url);
  // The sources are TypeScript, run through tsx: a worker thread registers it before loading them.
  const tsx = import.meta.resolve('tsx/esm/api');
  const worker = new Worker(
    `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(script.href)}); });`,
    { eval: true, workerData: setup },
  );
  let pending: { resolve(b: Break | undefined): void; reject(e: Error): void } | undefined;
  let failure: Error | undefined;
  const fail = (error: Error) => {
    failure ??= error;
    pending?.reject(error);
    pending = undefined;
  };
  worker.on('message', (message: FromWorker) => {
    if ('progress' in message) progress(message.progress);
    else if ('failed' in message) fail(new Error(message.failed));
    else {
      pending?.resolve(message.broken);
      pending = undefined;
    }
  });
  worker.on('error', fail);
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      fail(new Error('An audit verification worker stopped unexpectedly'));
      resolve();
    }),
  );
  return {
    walk(range: Range): Promise<Break | undefined> {
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => {
        pending = { resolve, reject };
        worker.postMessage({ range } satisfies ToWorker);
      });
    },
    async stop() {
      worker.postMessage({ stop: true } satisfies ToWorker);
      const timeout = setTimeout(() => void worker.terminate(), 5_000);
      await exited;
      clearTimeout(timeout);
    },
  };
}
