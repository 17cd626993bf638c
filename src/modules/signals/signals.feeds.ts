import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify/sync';
import type { Ctx } from '../../common/context.ts';
import { ForbiddenError } from '../../common/errors.ts';
import { isAllowed } from '../../common/permissions.ts';
import { londonDate } from '../../common/plain-dates.ts';
import { calendarFor } from '../../common/working-days.ts';
import type { Db, Tx } from '../../db/database.ts';
import type { AuditService } from '../audit/index.ts';
import { holidayCalendar } from '../referrals/index.ts';
import {
  CSV_OPTIONS,
  importAgencyFile,
  type LinkageMap,
  type LinkOutcome,
  type PersonIndexService,
} from '../people/index.ts';
import { evaluateChildren } from './signals.evaluate.ts';
import {
  FEED_COLUMNS,
  formatDate,
  nextSchoolDayStart,
  readFeedEvent,
  signalOf,
  type FeedEvent,
  type PreviousAttendance,
} from './signals.feeds.events.ts';
import * as store from './signals.feeds.store.ts';
import { signalSettingsOf } from './signals.settings.ts';
import { FEED_KINDS, SIGNAL_CATEGORIES, severityLevel, type FeedKind } from './signals.vocabulary.ts';

/**
 * Agencies' data feeds (weekly attendance, missed health appointments, emergency department visits,
 * police notifications of domestic abuse, housing notices, exclusions) arrive through the person
 * index's importer: each row is kept as received and linked to a child, or held for review. Each
 * row's event is kept beside its record (one per record, so a rerun adds nothing), and becomes a
 * signal once its record is linked; a row waiting for review is converted when a reviewer links it.
 * The children who got new signals, and only they, have the partnership's rules evaluated again.
 */

/** Where each kind of feed comes from unless told otherwise: a record source's code. */
export const FEED_SOURCES: Record<FeedKind, string> = {
  school_attendance: 'school-roll',
  was_not_brought: 'gp-registrations',
  emergency_department: 'gp-registrations',
  police_domestic_abuse: 'police',
  housing_notice: 'housing',
  school_exclusion: 'school-roll',
};

/** The identifying columns of a feed file when no map.json says otherwise. */
export const FEED_MAP: LinkageMap = {
  id: 'event_id',
  given_name: 'given_name',
  family_name: 'family_name',
  date_of_birth: { column: 'date_of_birth', format: 'YYYY-MM-DD' },
  sex: 'sex',
  address_line_1: 'address',
  postcode: 'postcode',
  identifiers: { nhs_number: 'nhs_number', upn: 'upn' },
};

/** Rows whose events are written, and events converted, per transaction. */
const BATCH = 1000;

export type FeedFile = {
  kind: FeedKind;
  /** The record source's code; FEED_SOURCES by default. */
  source?: string;
  fileName: string;
  /** Opens the file from its start: it is read more than once. */
  open: () => Readable;
  /** Which column holds which identifying field; FEED_MAP by default. */
  map?: LinkageMap;
  /** Receives each rejected row as a CSV line (`line,reason`) after a header line, in line order. */
  rejects?: (line: string) => void;
};

export type FeedDeps = { db: Db; audit: AuditService; personIndex: PersonIndexService };

export type Conversion = {
  signalled: number;
  noSignal: number;
  alertsRaised: number;
  alertsUpdated: number;
  /** Safeguarding leads told of a police notification. */
  notified: number;
};

export type FeedResult = Conversion & {
  importId: string;
  rowsRead: number;
  rejected: number;
  stored: number;
  unchanged: number;
  outcome: LinkOutcome;
  /** Feed events new in this run (a row already held keeps the event it has). */
  events: number;
  /** Events of any feed still waiting for their record to be linked. */
  waiting: number;
};

/** Loads one feed file: see the top of this file. Rows whose event is unusable are rejected before the importer sees them. */
export async function importFeedFile(deps: FeedDeps, ctx: Ctx, file: FeedFile): Promise<FeedResult> {
  const partnershipId = await requireFeed(deps.audit, ctx);
  const map = file.map ?? FEED_MAP;
  const today = londonDate(ctx.now);
  const rows = () => feedRows(file, map, today);

  const rejects = new Map<number, string>();
  let rowsRead = 0;
  for await (const row of rows()) {
    rowsRead++;
    if ('reason' in row.read) rejects.set(row.line, rejectLine(row.line, row.read.reason));
  }
  const unusable = new Set(rejects.keys());
  const imported = await importAgencyFile(deps.personIndex, ctx, {
    source: file.source ?? FEED_SOURCES[file.kind],
    fileName: file.fileName,
    open: () => Readable.from(withoutRows(file.open, unusable)),
    map,
    rejects: (line) => {
      const at = Number(line.slice(0, line.indexOf(',')));
      if (Number.isInteger(at) && at > 0) rejects.set(at, line);
    },
  });

  const sourceId = await store.sourceOfImport(deps.db, partnershipId, imported.importId);
  let events = 0;
  let batch: KeptRow[] = [];
  const flush = async () => {
    events += await writeEvents(
      deps,
      ctx,
      { partnershipId, sourceId, importId: imported.importId, file },
      batch,
    );
    batch = [];
  };
  for await (const row of rows()) {
    if (rejects.has(row.line) || 'reason' in row.read) continue;
    batch.push({ ...row, event: row.read.event });
    if (batch.length >= BATCH) await flush();
  }
  if (batch.length > 0) await flush();

  if (rejects.size > 0 && file.rejects) {
    file.rejects('line,reason');
    for (const line of [...rejects.keys()].sort((a, b) => a - b)) file.rejects(rejects.get(line)!);
  }
  const conversion = await convertWaitingFeedEvents(deps, ctx, partnershipId);
  return {
    importId: imported.importId,
    rowsRead,
    rejected: rejects.size,
    stored: imported.stored,
    unchanged: imported.unchanged,
    outcome: imported.outcome,
    events,
    waiting: await store.countWaiting(deps.db, partnershipId),
    ...conversion,
  };
}

/**
 * Makes signals of every waiting feed event whose record is now linked to a child, a batch per
 * transaction, each batch audited with the children it names; then evaluates the rules for the
 * children who got new signals. Run at the end of every feed and whenever else a link may have come.
 */
export async function convertWaitingFeedEvents(
  deps: Pick<FeedDeps, 'db' | 'audit'>,
  ctx: Ctx,
  partnershipId: string,
): Promise<Conversion> {
  const context = await conversionContext(deps.db, ctx, partnershipId);
  const total: Conversion = { signalled: 0, noSignal: 0, alertsRaised: 0, alertsUpdated: 0, notified: 0 };
  for (;;) {
    const converted = await deps.db.transaction().execute(async (tx) => {
      const events = await store.linkedWaitingEvents(tx, partnershipId, { limit: BATCH });
      const done = await convertEvents(tx, deps.audit, ctx, partnershipId, events, context);
      for (const key of Object.keys(total) as (keyof Conversion)[]) total[key] += done[key];
      return events.length;
    });
    if (converted < BATCH) return total;
  }
}

/**
 * The feed events of one record, converted inside the caller's transaction if the record is now
 * linked: for the person index, when a reviewer decides where a record belongs. Audited as the system.
 */
export async function convertFeedEventsOfRecord(
  tx: Tx,
  audit: AuditService,
  ctx: Ctx,
  partnershipId: string,
  sourceRecordId: string,
): Promise<Conversion> {
  const events = await store.linkedWaitingEvents(tx, partnershipId, { limit: BATCH, sourceRecordId });
  const system: Ctx = { ...ctx, actor: { system: 'signal feeds', partnershipId } };
  return convertEvents(
    tx,
    audit,
    system,
    partnershipId,
    events,
    await conversionContext(tx, ctx, partnershipId),
  );
}

/**
 * A record wrongly linked to a child is taken off them: the signals its feed rows made belong to the
 * record's new person, not to the child, so they move with it (and the new person's rules run). The
 * child keeps any alert already raised, with its history, but no longer sees the moved signals in it.
 */
export async function moveFeedSignalsOfRecord(
  tx: Tx,
  ctx: Ctx,
  partnershipId: string,
  move: { sourceRecordId: string; fromPersonId: string; toPersonId: string },
): Promise<number> {
  const moved = await store.moveRecordSignals(tx, partnershipId, move);
  if (moved > 0) await evaluateChildren(tx, partnershipId, [move.toPersonId], ctx.now);
  return moved;
}

type ConversionContext = { attendanceThreshold: number; notifyBy: Date };

async function conversionContext(q: Db | Tx, ctx: Ctx, partnershipId: string): Promise<ConversionContext> {
  const { attendanceThreshold } = await signalSettingsOf(q, partnershipId);
  const calendar = calendarFor(await holidayCalendar(q, partnershipId));
  return { attendanceThreshold, notifyBy: nextSchoolDayStart(ctx.now, calendar) };
}

async function convertEvents(
  tx: Tx,
  audit: AuditService,
  ctx: Ctx,
  partnershipId: string,
  events: readonly store.LinkedEvent[],
  context: ConversionContext,
): Promise<Conversion> {
  const done: Conversion = { signalled: 0, noSignal: 0, alertsRaised: 0, alertsUpdated: 0, notified: 0 };
  if (events.length === 0) return done;
  const previous = previousAttendance(
    events,
    await store.previousAttendance(
      tx,
      partnershipId,
      events.filter((e) => e.feedKind === 'school_attendance'),
    ),
  );
  const signals: store.FeedSignal[] = [];
  const settled: { id: string; personId: string; status: 'signalled' | 'no_signal' }[] = [];
  for (const event of events) {
    const made = signalOf(event.feedKind, event, {
      attendanceThreshold: context.attendanceThreshold,
      previous: previous.get(event.id),
    });
    settled.push({ id: event.id, personId: event.personId, status: made ? 'signalled' : 'no_signal' });
    if (!made) continue;
    const category = FEED_KINDS[event.feedKind].category;
    signals.push({
      personId: event.personId,
      category,
      severity: severityLevel(made.severity),
      description: made.description,
      observedOn: event.occurredOn,
      organisationId: event.organisationId,
      dataType: SIGNAL_CATEGORIES[category].dataType,
      sensitivity: SIGNAL_CATEGORIES[category].sensitivity,
      feedEventId: event.id,
      feedKind: event.feedKind,
      measure: event.measure,
    });
  }
  await store.insertFeedSignals(tx, partnershipId, ctx.now, signals);
  await store.settleEvents(tx, partnershipId, settled);
  done.signalled = signals.length;
  done.noSignal = settled.length - signals.length;

  const police = events.filter((e) => e.feedKind === 'police_domestic_abuse');
  done.notified = await notifySafeguardingLeads(tx, ctx, partnershipId, police, context.notifyBy);

  const signalled = [...new Set(signals.map((s) => s.personId))];
  const evaluated = await evaluateChildren(tx, partnershipId, signalled, ctx.now);
  done.alertsRaised = evaluated.raised;
  done.alertsUpdated = evaluated.updated;
  await audit.record(tx, ctx, {
    action: 'signals.feed.signal',
    subjectType: 'signal_feed',
    personIds: [...new Set(events.map((e) => e.personId))],
    detail: { ...done, signalledPeople: signalled.length },
  });
  return done;
}

/**
 * Each attendance event's previous one for the same child: the latest earlier one converted before
 * (from the database), or one earlier in this same batch, whichever is later.
 */
function previousAttendance(
  events: readonly store.LinkedEvent[],
  converted: ReadonlyMap<string, PreviousAttendance>,
): Map<string, PreviousAttendance> {
  const weeksOf = new Map<string, store.LinkedEvent[]>();
  for (const e of events)
    if (e.feedKind === 'school_attendance' && e.measure !== null)
      weeksOf.set(e.personId, [...(weeksOf.get(e.personId) ?? []), e]);
  const previous = new Map(converted);
  for (const weeks of weeksOf.values())
    for (const event of weeks)
      for (const other of weeks) {
        if (other.occurredOn >= event.occurredOn) continue;
        const known = previous.get(event.id);
        if (!known || other.occurredOn > known.occurredOn)
          previous.set(event.id, { occurredOn: other.occurredOn, measure: other.measure! });
      }
  return previous;
}

/** Every school safeguarding lead of the child is told of a police notification, by the next school day's start. */
async function notifySafeguardingLeads(
  tx: Tx,
  ctx: Ctx,
  partnershipId: string,
  events: readonly store.LinkedEvent[],
  dueBy: Date,
): Promise<number> {
  const leads = await store.safeguardingLeads(tx, partnershipId, [...new Set(events.map((e) => e.personId))]);
  const rows = events.flatMap((event) =>
    leads
      .filter((lead) => lead.personId === event.personId)
      .map((lead) => ({
        partnershipId,
        userId: lead.userId,
        kind: 'police_notification' as const,
        personId: event.personId,
        message: `Police notified a domestic abuse incident where ${[lead.givenName, lead.familyName].filter(Boolean).join(' ')} lives on ${formatDate(event.occurredOn)}`,
        link: `/people/${event.personId}`,
        createdAt: ctx.now,
        dueBy,
      })),
  );
  await store.insertNotifications(tx, rows);
  return rows.length;
}

/** Writes the events of a batch of kept rows beside the records the importer holds for them. */
async function writeEvents(
  deps: FeedDeps,
  ctx: Ctx,
  run: { partnershipId: string; sourceId: string; importId: string; file: FeedFile },
  rows: readonly KeptRow[],
): Promise<number> {
  const { partnershipId, file } = run;
  return deps.db.transaction().execute(async (tx) => {
    const records = await store.recordsByLocalId(
      tx,
      partnershipId,
      run.sourceId,
      rows.map((r) => r.localId),
    );
    const events = rows.map((row) => {
      // The version of the record with exactly this row's content: the one this row is.
      const record = records.find(
        (r) =>
          r.localId === row.localId &&
          sameCells(r.received.columns, row.header) &&
          sameCells(r.received.values, row.values),
      );
      if (!record)
        throw new Error(`${file.fileName}: line ${row.line}: the person index did not keep this row`);
      return {
        partnershipId,
        importId: record.importId ?? run.importId,
        sourceRecordId: record.id,
        feedKind: file.kind,
        occurredOn: row.event.occurredOn,
        measure: row.event.measure,
        detail: JSON.stringify(row.event.detail),
        createdAt: ctx.now,
      };
    });
    const added = await store.insertFeedEvents(tx, events);
    await deps.audit.record(tx, ctx, {
      action: 'signals.feed.events',
      subjectType: 'person_import',
      subjectId: run.importId,
      detail: { kind: file.kind, rows: rows.length, added },
    });
    return added;
  });
}

type FeedRow = {
  line: number;
  header: readonly string[];
  localId: string;
  values: readonly string[];
  read: ReturnType<typeof readFeedEvent>;
};
/** A row the importer kept, with its event. */
type KeptRow = FeedRow & { event: FeedEvent };

type Parsed = { record: string[]; info: { lines: number }; raw: string };

function parseFile(open: () => Readable): AsyncIterable<Parsed> {
  return open().pipe(parse({ ...CSV_OPTIONS, info: true, raw: true })) as AsyncIterable<Parsed>;
}

/** The file's rows with their line numbers and events read; the header is checked first. */
async function* feedRows(file: FeedFile, map: LinkageMap, today: string): AsyncGenerator<FeedRow> {
  let header: string[] | undefined;
  let columns = new Map<string, number>();
  for await (const { record, info } of parseFile(file.open)) {
    if (!header) {
      header = record;
      columns = new Map(record.map((name, i) => [name, i]));
      const missing = [map.id, ...FEED_COLUMNS[file.kind]].filter((name) => !columns.has(name));
      if (missing.length > 0)
        throw new Error(
          `${file.fileName}: a ${file.kind} feed needs the column${missing.length === 1 ? '' : 's'} ` +
            `${missing.map((m) => `"${m}"`).join(', ')} (the file has: ${record.join(', ')})`,
        );
      continue;
    }
    const cell = (name: string) => {
      const at = columns.get(name);
      return at === undefined ? '' : (record[at] ?? '');
    };
    yield {
      line: info.lines,
      header,
      localId: cell(map.id),
      values: record,
      read: readFeedEvent(file.kind, cell, today),
    };
  }
  if (!header) throw new Error(`${file.fileName}: the file is empty; it needs a header row`);
}

/**
 * The file as the importer is to read it: as it came, except that each row in `dropped` is replaced
 * by its line breaks, which the importer skips, so every other row keeps its line number.
 */
async function* withoutRows(open: () => Readable, dropped: ReadonlySet<number>): AsyncGenerator<Buffer> {
  let text = '';
  for await (const { raw, info } of parseFile(open)) {
    text += dropped.has(info.lines) ? (raw.match(/\r\n|\n|\r/g) ?? []).join('') : raw;
    if (text.length >= 65_536) {
      yield Buffer.from(text);
      text = '';
    }
  }
  if (text) yield Buffer.from(text);
}

function rejectLine(line: number, reason: string): string {
  return stringify([[line, reason]]).trimEnd();
}

function sameCells(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

async function requireFeed(audit: AuditService, ctx: Ctx): Promise<string> {
  const partnershipId = ctx.actor.partnershipId;
  if (!partnershipId) throw new ForbiddenError('This needs a partnership');
  if (!isAllowed(ctx, 'signals.feed')) {
    await audit.recordAlone(ctx, {
      action: 'signals.feed',
      outcome: 'denied',
      detail: { permission: 'signals.feed' },
    });
    throw new ForbiddenError('Only a partnership administrator can load an agency’s data feed');
  }
  return partnershipId;
}
