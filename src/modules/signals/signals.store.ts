import { sql } from 'kysely';
import type { Db, Tx } from '../../db/database.ts';
import type { AlertOutcome, NewRow } from '../../db/schema.ts';

type Q = Db | Tx;

/** Records a signal once per idempotency key: a repeat answers the signal already recorded. */
export async function insertSignal(
  tx: Tx,
  row: NewRow<'signals'>,
): Promise<{ id: string; replayed: boolean }> {
  const made = await tx
    .insertInto('signals')
    .values(row)
    .onConflict((oc) =>
      oc
        .columns(['partnershipId', 'recordedBy', 'idempotencyKey'])
        .where('idempotencyKey', 'is not', null)
        .doNothing(),
    )
    .returning('id')
    .executeTakeFirst();
  if (made) return { id: made.id, replayed: false };
  const earlier = await tx
    .selectFrom('signals')
    .select('id')
    .where('partnershipId', '=', row.partnershipId)
    .where('recordedBy', '=', row.recordedBy ?? null)
    .where('idempotencyKey', '=', row.idempotencyKey ?? null)
    .executeTakeFirstOrThrow();
  return { id: earlier.id, replayed: true };
}

/** Which of a child's signals: observed from and to (plain dates), at most `limit`. */
export type SignalSpan = { from?: string; to?: string; limit?: number };

/** A child's signals, newest first, with the facts the sharing rules decide on. */
export function signalsOf(q: Q, partnershipId: string, personId: string, span: SignalSpan = {}) {
  return q
    .selectFrom('signals as s')
    .innerJoin('organisations as o', (j) =>
      j.onRef('o.partnershipId', '=', 's.partnershipId').onRef('o.id', '=', 's.organisationId'),
    )
    .leftJoin('users as u', (j) =>
      j.onRef('u.partnershipId', '=', 's.partnershipId').onRef('u.id', '=', 's.recordedBy'),
    )
    .select([
      's.id',
      's.category',
      's.severity',
      's.description',
      's.observedOn',
      's.source',
      's.feedKind',
      's.measure',
      's.recordedAt',
      's.dataType',
      's.sensitivity',
      's.organisationId as owningOrganisationId',
      'o.sector as owningSector',
      'o.name as owningOrganisationName',
      'u.displayName as recordedByName',
      sql<'as_agreed'>`'as_agreed'`.as('sharing'),
    ])
    .where('s.partnershipId', '=', partnershipId)
    .where('s.personId', '=', personId)
    .$if(span.from !== undefined, (qb) => qb.where('s.observedOn', '>=', span.from!))
    .$if(span.to !== undefined, (qb) => qb.where('s.observedOn', '<=', span.to!))
    .orderBy('s.observedOn', 'desc')
    .orderBy('s.recordedAt', 'desc')
    .$if(span.limit !== undefined, (qb) => qb.limit(span.limit!))
    .execute();
}

const alertColumns = [
  'a.id',
  'a.number',
  'a.personId',
  'a.ruleKey',
  'a.signalIds',
  'a.explanation',
  'a.routedTo',
  'a.assignedUserId',
  'a.planId',
  'a.status',
  'a.raisedAt',
  'a.acknowledgedAt',
  'a.closedAt',
  'a.outcome',
  'a.outcomeNote',
  'a.contactId',
  'a.pickedUpInvolvementId',
  'a.version',
  'r.name as ruleName',
  'r.version as ruleVersion',
  'r.route as ruleRoute',
  'p.givenName',
  'p.familyName',
  'p.kind as personKind',
  'lead.displayName as assignedName',
  'ack.displayName as acknowledgedByName',
  'closer.displayName as closedByName',
] as const;

function alertQuery(q: Q, partnershipId: string) {
  return q
    .selectFrom('alerts as a')
    .innerJoin('signalRules as r', (j) =>
      j.onRef('r.partnershipId', '=', 'a.partnershipId').onRef('r.id', '=', 'a.ruleId'),
    )
    .innerJoin('people as p', (j) =>
      j.onRef('p.partnershipId', '=', 'a.partnershipId').onRef('p.id', '=', 'a.personId'),
    )
    .leftJoin('users as lead', (j) =>
      j.onRef('lead.partnershipId', '=', 'a.partnershipId').onRef('lead.id', '=', 'a.assignedUserId'),
    )
    .leftJoin('users as ack', (j) =>
      j.onRef('ack.partnershipId', '=', 'a.partnershipId').onRef('ack.id', '=', 'a.acknowledgedBy'),
    )
    .leftJoin('users as closer', (j) =>
      j.onRef('closer.partnershipId', '=', 'a.partnershipId').onRef('closer.id', '=', 'a.closedBy'),
    )
    .select(alertColumns)
    .where('a.partnershipId', '=', partnershipId);
}

export type AlertRow = Awaited<ReturnType<typeof findAlert>> & {};

export function findAlert(q: Q, partnershipId: string, alertId: string) {
  return alertQuery(q, partnershipId).where('a.id', '=', alertId).executeTakeFirst();
}

export function alertsOfPerson(q: Q, partnershipId: string, personId: string) {
  return alertQuery(q, partnershipId)
    .where('a.personId', '=', personId)
    .orderBy('a.raisedAt', 'desc')
    .execute();
}

/** Which inbox: one's own (as lead professional), the front door's, or the escalated ones. */
export type InboxFilter =
  { kind: 'mine'; userId: string } | { kind: 'front_door' } | { kind: 'escalated'; raisedBefore: Date };

/** Live alerts of one inbox, oldest first (the longest waiting at the top); at most `limit`. */
export function inbox(q: Q, partnershipId: string, filter: InboxFilter, limit: number) {
  let query = alertQuery(q, partnershipId).where('a.status', '<>', 'closed');
  if (filter.kind === 'mine') query = query.where('a.assignedUserId', '=', filter.userId);
  if (filter.kind === 'front_door') query = query.where('a.routedTo', '=', 'front_door');
  if (filter.kind === 'escalated')
    query = query.where('a.status', '=', 'open').where('a.raisedAt', '<', filter.raisedBefore);
  return query.orderBy('a.raisedAt').limit(limit).execute();
}

/** How many live alerts each inbox holds, for the home page. */
export async function inboxCounts(q: Q, partnershipId: string, userId: string, raisedBefore: Date) {
  const row = await q
    .selectFrom('alerts')
    .select([
      sql<number>`count(*) filter (where assigned_user_id = ${userId})`.as('mine'),
      sql<number>`count(*) filter (where routed_to = 'front_door')`.as('frontDoor'),
      sql<number>`count(*) filter (where status = 'open' and raised_at < ${raisedBefore})`.as('escalated'),
    ])
    .where('partnershipId', '=', partnershipId)
    .where('status', '<>', 'closed')
    .executeTakeFirstOrThrow();
  return { mine: Number(row.mine), frontDoor: Number(row.frontDoor), escalated: Number(row.escalated) };
}

/** Applies a change to an alert if nobody has changed it since `version`; false if someone has. */
export async function updateAlert(
  tx: Tx,
  partnershipId: string,
  alertId: string,
  version: number,
  changes: {
    status?: 'acknowledged' | 'closed';
    acknowledgedAt?: Date;
    acknowledgedBy?: string;
    closedAt?: Date;
    closedBy?: string;
    outcome?: AlertOutcome;
    outcomeNote?: string | null;
    contactId?: string | null;
    pickedUpInvolvementId?: string;
    updatedAt: Date;
  },
): Promise<boolean> {
  const done = await tx
    .updateTable('alerts')
    .set({ ...changes, version: sql<number>`version + 1` })
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', alertId)
    .where('version', '=', version)
    .where('status', '<>', 'closed')
    .executeTakeFirst();
  return done.numUpdatedRows === 1n;
}

/** The open plan a child is on now, if any. */
export async function openPlanOf(q: Q, partnershipId: string, personId: string) {
  return q
    .selectFrom('planChildren as c')
    .innerJoin('plans as p', (j) =>
      j.onRef('p.partnershipId', '=', 'c.partnershipId').onRef('p.id', '=', 'c.planId'),
    )
    .select(['p.id', 'p.familyName', 'p.leadProfessionalId'])
    .where('c.partnershipId', '=', partnershipId)
    .where('c.personId', '=', personId)
    .where('c.current', '=', true)
    .where('p.status', '=', 'open')
    .executeTakeFirst();
}

export async function personName(q: Q, partnershipId: string, personId: string) {
  return q
    .selectFrom('people')
    .select(['id', 'givenName', 'familyName', 'kind', 'dateOfBirth'])
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', personId)
    .executeTakeFirstOrThrow();
}

// --- Notifications -----------------------------------------------------------------------------

export function unreadNotifications(q: Q, partnershipId: string, userId: string, limit: number) {
  return q
    .selectFrom('notifications')
    .select(['id', 'kind', 'message', 'link', 'createdAt', 'dueBy', 'personId'])
    .where('partnershipId', '=', partnershipId)
    .where('userId', '=', userId)
    .where('readAt', 'is', null)
    .orderBy('createdAt', 'desc')
    .limit(limit)
    .execute();
}

export async function markNotificationRead(
  q: Q,
  partnershipId: string,
  userId: string,
  notificationId: string,
  at: Date,
): Promise<boolean> {
  const done = await q
    .updateTable('notifications')
    .set({ readAt: at })
    .where('partnershipId', '=', partnershipId)
    .where('userId', '=', userId)
    .where('id', '=', notificationId)
    .where('readAt', 'is', null)
    .executeTakeFirst();
  return done.numUpdatedRows === 1n;
}
