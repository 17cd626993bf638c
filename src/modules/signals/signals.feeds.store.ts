import { sql } from 'kysely';
import type { Db, Tx } from '../../db/database.ts';
import type { NewRow, ReceivedRow } from '../../db/schema.ts';
import type { FeedEventDetail, PreviousAttendance } from './signals.feeds.events.ts';
import type { FeedKind } from './signals.vocabulary.ts';

/** SQL for agencies' feed events and the signals, notifications they become. */

type Q = Db | Tx;

export async function sourceOfImport(q: Q, partnershipId: string, importId: string): Promise<string> {
  const row = await q
    .selectFrom('personImports')
    .select('sourceId')
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', importId)
    .executeTakeFirstOrThrow();
  return row.sourceId;
}

/** Every version a source holds of the records with these local ids, as received. */
export function recordsByLocalId(
  q: Q,
  partnershipId: string,
  sourceId: string,
  localIds: readonly string[],
): Promise<{ id: string; localId: string; importId: string | null; received: ReceivedRow }[]> {
  if (localIds.length === 0) return Promise.resolve([]);
  return q
    .selectFrom('sourceRecords')
    .select(['id', 'localId', 'importId', 'received'])
    .where('partnershipId', '=', partnershipId)
    .where('sourceId', '=', sourceId)
    .where('localId', 'in', localIds)
    .execute();
}

/** One event per source record: a record that has one already keeps it. Answers how many were new. */
export async function insertFeedEvents(q: Q, rows: NewRow<'signalFeedEvents'>[]): Promise<number> {
  if (rows.length === 0) return 0;
  const inserted = await q
    .insertInto('signalFeedEvents')
    .values(rows)
    .onConflict((oc) => oc.columns(['partnershipId', 'sourceRecordId']).doNothing())
    .returning('id')
    .execute();
  return inserted.length;
}

export type LinkedEvent = {
  id: string;
  feedKind: FeedKind;
  occurredOn: string;
  measure: number | null;
  detail: FeedEventDetail;
  personId: string;
  organisationId: string;
};

/**
 * Events still waiting whose record is now linked to a person, with the person and the organisation
 * that sent the record, oldest first (by the waiting index, so a batch never sorts the whole queue).
 * Locked, skipping any that another transaction is converting, so no event becomes two signals.
 */
export async function linkedWaitingEvents(
  q: Q,
  partnershipId: string,
  options: { limit: number; sourceRecordId?: string },
): Promise<LinkedEvent[]> {
  const rows = await q
    .selectFrom('signalFeedEvents as e')
    .innerJoin('recordLinks as l', (j) =>
      j.onRef('l.partnershipId', '=', 'e.partnershipId').onRef('l.sourceRecordId', '=', 'e.sourceRecordId'),
    )
    .innerJoin('sourceRecords as r', (j) =>
      j.onRef('r.partnershipId', '=', 'e.partnershipId').onRef('r.id', '=', 'e.sourceRecordId'),
    )
    .innerJoin('recordSources as s', (j) =>
      j.onRef('s.partnershipId', '=', 'r.partnershipId').onRef('s.id', '=', 'r.sourceId'),
    )
    .select(['e.id', 'e.feedKind', 'e.occurredOn', 'e.measure', 'e.detail', 'l.personId', 's.organisationId'])
    .where('e.partnershipId', '=', partnershipId)
    .where('e.status', '=', 'awaiting_link')
    .$if(options.sourceRecordId !== undefined, (qb) =>
      qb.where('e.sourceRecordId', '=', options.sourceRecordId!),
    )
    .where('l.status', 'in', ['auto_linked', 'confirmed'])
    .where('l.endedAt', 'is', null)
    .orderBy('e.createdAt')
    .limit(options.limit)
    .forUpdate(['e'])
    .skipLocked()
    .execute();
  return rows as LinkedEvent[];
}

/**
 * For each attendance event, the same child's latest attendance event before it among those already
 * converted (earlier feeds and batches), if any.
 */
export async function previousAttendance(
  q: Q,
  partnershipId: string,
  events: readonly { id: string; personId: string; occurredOn: string }[],
): Promise<Map<string, PreviousAttendance>> {
  if (events.length === 0) return new Map();
  const { rows } = await sql<{ id: string; occurredOn: string; measure: number }>`
    select v.id, p.occurred_on as "occurredOn", p.measure
    from unnest(${events.map((e) => e.id)}::uuid[], ${events.map((e) => e.personId)}::uuid[],
      ${events.map((e) => e.occurredOn)}::date[]) as v(id, person_id, occurred_on)
    cross join lateral (
      select f.occurred_on, f.measure from signal_feed_events f
      where f.partnership_id = ${partnershipId} and f.person_id = v.person_id
        and f.feed_kind = 'school_attendance' and f.occurred_on < v.occurred_on and f.measure is not null
      order by f.occurred_on desc limit 1
    ) p`.execute(q);
  return new Map(rows.map((r) => [r.id, { occurredOn: r.occurredOn, measure: r.measure }]));
}

export type FeedSignal = Pick<
  NewRow<'signals'>,
  | 'personId'
  | 'category'
  | 'severity'
  | 'description'
  | 'observedOn'
  | 'organisationId'
  | 'dataType'
  | 'sensitivity'
> & { feedEventId: string; feedKind: FeedKind; measure: number | null };

/**
 * The signals a batch of events makes, recorded by no one. Each column is one array parameter,
 * unnested by the server: far less to send and parse than a VALUES list of a thousand rows.
 */
export async function insertFeedSignals(
  q: Q,
  partnershipId: string,
  recordedAt: Date,
  rows: readonly FeedSignal[],
): Promise<void> {
  if (rows.length === 0) return;
  const column = <K extends keyof FeedSignal>(key: K) => rows.map((row) => row[key]);
  await sql`
    insert into signals (partnership_id, source, recorded_at, person_id, category, severity, description,
      observed_on, organisation_id, data_type, sensitivity, feed_event_id, feed_kind, measure)
    select ${partnershipId}::uuid, 'feed', ${recordedAt.toISOString()}::timestamptz, * from unnest(
      ${column('personId')}::uuid[], ${column('category')}::text[], ${column('severity')}::smallint[],
      ${column('description')}::text[], ${column('observedOn')}::date[], ${column('organisationId')}::uuid[],
      ${column('dataType')}::text[], ${column('sensitivity')}::text[], ${column('feedEventId')}::uuid[],
      ${column('feedKind')}::text[], ${column('measure')}::float8[])`.execute(q);
}

/** Each event's child and fate, in one statement. */
export async function settleEvents(
  q: Q,
  partnershipId: string,
  events: readonly { id: string; personId: string; status: 'signalled' | 'no_signal' }[],
): Promise<void> {
  if (events.length === 0) return;
  await sql`
    update signal_feed_events e set person_id = v.person_id, status = v.status
    from unnest(${events.map((e) => e.id)}::uuid[], ${events.map((e) => e.personId)}::uuid[],
      ${events.map((e) => e.status)}::text[]) as v(id, person_id, status)
    where e.partnership_id = ${partnershipId} and e.id = v.id`.execute(q);
}

/** The active accounts holding a current school safeguarding lead involvement with each child, and the child's name. */
export function safeguardingLeads(q: Q, partnershipId: string, personIds: readonly string[]) {
  if (personIds.length === 0) return Promise.resolve([]);
  return q
    .selectFrom('involvements as i')
    .innerJoin('users as u', (j) =>
      j.onRef('u.partnershipId', '=', 'i.partnershipId').onRef('u.id', '=', 'i.userId'),
    )
    .innerJoin('people as p', (j) =>
      j.onRef('p.partnershipId', '=', 'i.partnershipId').onRef('p.id', '=', 'i.personId'),
    )
    .select(['i.personId', 'u.id as userId', 'p.givenName', 'p.familyName'])
    .where('i.partnershipId', '=', partnershipId)
    .where('i.personId', 'in', personIds)
    .where('i.kind', '=', 'school_safeguarding_lead')
    .where('i.endedAt', 'is', null)
    .where('u.active', '=', true)
    .execute();
}

export async function insertNotifications(q: Q, rows: NewRow<'notifications'>[]): Promise<void> {
  if (rows.length > 0) await q.insertInto('notifications').values(rows).execute();
}

export async function countWaiting(q: Q, partnershipId: string): Promise<number> {
  const row = await q
    .selectFrom('signalFeedEvents')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('partnershipId', '=', partnershipId)
    .where('status', '=', 'awaiting_link')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Moves a record's feed rows, and the signals they made, from one person to another. */
export async function moveRecordSignals(
  tx: Tx,
  partnershipId: string,
  move: { sourceRecordId: string; fromPersonId: string; toPersonId: string },
): Promise<number> {
  const events = await tx
    .updateTable('signalFeedEvents')
    .set({ personId: move.toPersonId })
    .where('partnershipId', '=', partnershipId)
    .where('sourceRecordId', '=', move.sourceRecordId)
    .where('personId', '=', move.fromPersonId)
    .returning('id')
    .execute();
  if (events.length === 0) return 0;
  const moved = await tx
    .updateTable('signals')
    .set({ personId: move.toPersonId })
    .where('partnershipId', '=', partnershipId)
    .where(
      'feedEventId',
      'in',
      events.map((e) => e.id),
    )
    .executeTakeFirst();
  return Number(moved.numUpdatedRows);
}
