import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { Ctx } from '../../common/context.ts';
import { contentHashOf, rejectionOf, storedFieldsOf } from './people.index-records.ts';
import type { NewSourceRecord } from './people.index.store.ts';
import type { LinkOutcome, PersonIndexService, PhaseTimer } from './people.index.ts';
import { CSV_OPTIONS, csvField, recordReader, type LinkageMap } from './people.linkage-io.ts';

/** Rows stored per transaction. */
const BATCH_ROWS = 1000;

export type ImportProgress = (phase: 'reading' | 'linking', done: number, total: number) => void;

export type ImportFile = {
  /** The source's code ("school-roll"). */
  source: string;
  fileName: string;
  /** Opens the file from its start: it is read twice, once to fingerprint and count, once to load. */
  open: () => Readable;
  map: LinkageMap;
  /** Receives each rejected row as a CSV line (`line,reason`), after a header line; nothing if none. */
  rejects?: (line: string) => void;
  onProgress?: ImportProgress;
  /** Told how long each phase took (ms): storing, then linking's own (PersonIndexService.linkPending). */
  onPhase?: PhaseTimer;
};

export type ImportResult = {
  importId: string;
  rowsRead: number;
  rejected: number;
  stored: number;
  unchanged: number;
  outcome: LinkOutcome;
};

/**
 * Loads an agency's CSV extract into the person index: streamed, checked row by row (a row the index
 * cannot use goes to the rejects with its line number and reason), stored in batched transactions
 * (a row already held with the same content is not stored again, so a rerun or a resumed run adds
 * nothing twice), then linked. Begin with `beginFileImport` to know the import's id early.
 */
export async function importAgencyFile(index: PersonIndexService, ctx: Ctx, file: ImportFile) {
  const begun = await beginFileImport(index, ctx, file);
  return runFileImport(index, ctx, file, begun);
}

export async function beginFileImport(index: PersonIndexService, ctx: Ctx, file: ImportFile) {
  const { sha256, lines } = await fingerprint(file.open());
  const { importId, sourceId } = await index.beginImport(ctx, file.source, file.fileName, sha256);
  return { importId, sourceId, expectedRows: Math.max(lines - 1, 0) };
}

export async function runFileImport(
  index: PersonIndexService,
  ctx: Ctx,
  file: ImportFile,
  begun: { importId: string; sourceId: string; expectedRows: number },
): Promise<ImportResult> {
  const { importId, sourceId, expectedRows } = begun;
  try {
    const started = performance.now();
    const counts = await loadRows(index, ctx, file, importId, sourceId, expectedRows);
    file.onPhase?.('store', performance.now() - started);
    const outcome = await index.linkPending(
      ctx,
      (done, total) => file.onProgress?.('linking', done, total),
      file.onPhase,
    );
    await index.finishImport(ctx, importId, { outcome });
    return { importId, ...counts, outcome };
  } catch (error) {
    await index.finishImport(ctx, importId, { error: (error as Error).message });
    throw error;
  }
}

async function loadRows(
  index: PersonIndexService,
  ctx: Ctx,
  file: ImportFile,
  importId: string,
  sourceId: string,
  expectedRows: number,
) {
  const today = ctx.now.toISOString().slice(0, 10);
  const parser = file.open().pipe(parse({ ...CSV_OPTIONS, info: true }));
  let header: string[] | undefined;
  let read: ReturnType<typeof recordReader> | undefined;
  const seen = new Map<string, number>();
  let records: NewSourceRecord[] = [];
  let rejects: { line: number; reason: string }[] = [];
  const counts = { rowsRead: 0, rejected: 0, stored: 0, unchanged: 0 };
  let rejectsStarted = false;
  const flush = async () => {
    const stored = await index.storeBatch(ctx, { importId, sourceId, records, rejects });
    counts.stored += stored;
    counts.unchanged += records.length - stored;
    records = [];
    rejects = [];
    file.onProgress?.('reading', counts.rowsRead, Math.max(expectedRows, counts.rowsRead));
  };
  for await (const { record: row, info } of parser as AsyncIterable<{
    record: string[];
    info: { lines: number };
  }>) {
    if (!header) {
      header = row;
      read = recordReader(header, file.map, file.fileName);
      continue;
    }
    counts.rowsRead++;
    const record = read!(row);
    const earlier = seen.get(record.id);
    const reason =
      record.id === ''
        ? `the id column "${file.map.id}" is empty`
        : earlier !== undefined
          ? `the id "${record.id}" appears earlier in the file, at line ${earlier}`
          : rejectionOf(record, today);
    if (reason) {
      counts.rejected++;
      rejects.push({ line: info.lines, reason });
      if (!rejectsStarted) file.rejects?.('line,reason');
      rejectsStarted = true;
      file.rejects?.(`${info.lines},${csvField(reason)}`);
    } else {
      seen.set(record.id, info.lines);
      const received = { columns: header, values: row };
      records.push({
        localId: record.id,
        contentSha256: contentHashOf(received),
        received,
        fields: storedFieldsOf(record),
        lineNumber: info.lines,
      });
    }
    if (records.length + rejects.length >= BATCH_ROWS) await flush();
  }
  if (!header) throw new Error(`${file.fileName}: the file is empty; it needs a header row`);
  if (records.length + rejects.length > 0) await flush();
  return counts;
}

/** The file's SHA-256 and its number of lines, read once as a stream. */
async function fingerprint(stream: Readable): Promise<{ sha256: string; lines: number }> {
  const hash = createHash('sha256');
  let lines = 0;
  let last = 10;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
    if (chunk.length > 0) last = chunk[chunk.length - 1]!;
  }
  return { sha256: hash.digest('hex'), lines: last === 10 ? lines : lines + 1 };
}
