import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { addDays } from '../../common/plain-dates.ts';
import type { Db, Tx } from '../../db/database.ts';

/**
 * SQL for a child's chronology: one query per source, each newest first and at most `limit` rows,
 * read in the access gate's transaction. Sources with several events to a row (an alert, an
 * assessment, a plan) are ordered by the row's latest event, so a cut at the limit is a cut in time.
 */

type Q = Db | Tx;

/** The dates asked for ('YYYY-MM-DD', inclusive) and how many rows a source may answer. */
export type Span = { from?: string; to?: string; limit: number };

/**
 * Instants whose UK date may fall in the span: a day wider either side of UTC midnight, which
 * covers British Summer Time; the service then keeps only the UK dates asked for.
 */
function instants(span: Span) {
  return {
    since: span.from ? new Date(`${addDays(span.from, -1)}T00:00:00Z`) : null,
    until: span.to ? new Date(`${addDays(span.to, 1)}T00:00:00Z`) : null,
  };
}

export function person(q: Q, partnershipId: string, personId: string) {
  return q
    .selectFrom('people')
    .select(['id', 'kind', 'givenName', 'familyName', 'dateOfBirth', 'expectedDate'])
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', personId)
    .executeTakeFirstOrThrow();
}

export async function organisationName(q: Q, partnershipId: string, organisationId: string) {
  const row = await q
    .selectFrom('organisations')
    .select('name')
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', organisationId)
    .executeTakeFirst();
  return row?.name ?? null;
}

/** Contacts to the front door about the child, with the referrer's organisation when there is one. */
export function contacts(q: Q, partnershipId: string, personId: string, span: Span) {
  const { since, until } = instants(span);
  return q
    .selectFrom('contacts as c')
    .leftJoin('organisations as o', (j) =>
      j.onRef('o.partnershipId', '=', 'c.partnershipId').onRef('o.id', '=', 'c.referrerOrganisationId'),
    )
    .select([
      'c.id',
      'c.number',
      'c.receivedAt',
      'c.channel',
      'c.source',
      'c.urgency',
      'c.status',
      'c.referrerUserId',
      'o.id as organisationId',
      'o.name as organisationName',
    ])
    .where('c.partnershipId', '=', partnershipId)
    .where('c.personId', '=', personId)
    .$if(since !== null, (qb) => qb.where('c.receivedAt', '>=', since!))
    .$if(until !== null, (qb) => qb.where('c.receivedAt', '<', until!))
    .orderBy('c.receivedAt', 'desc')
    .limit(span.limit)
    .execute();
}

/** The front door's decisions on those contacts, their approvals and returns, by whose organisation. */
export function contactDecisions(q: Q, partnershipId: string, personId: string, span: Span) {
  const { since, until } = instants(span);
  return q
    .selectFrom('contactEvents as e')
    .innerJoin('contacts as c', (j) =>
      j.onRef('c.partnershipId', '=', 'e.partnershipId').onRef('c.id', '=', 'e.contactId'),
    )
    .leftJoin('users as u', (j) =>
      j.onRef('u.partnershipId', '=', 'e.partnershipId').onRef('u.id', '=', 'e.actorUserId'),
    )
    .leftJoin('organisations as o', (j) =>
      j.onRef('o.partnershipId', '=', 'e.partnershipId').onRef('o.id', '=', 'u.organisationId'),
    )
    .select([
      'e.id',
      'e.action',
      'e.at',
      'c.id as contactId',
      'c.number',
      'c.referrerUserId',
      'c.outcome as finalOutcome',
      sql<string | null>`e.detail ->> 'outcome'`.as('outcome'),
      sql<string | null>`e.detail ->> 'levelOfNeed'`.as('levelOfNeed'),
      sql<boolean>`coalesce((e.detail ->> 'approvalNeeded')::boolean, false)`.as('approvalNeeded'),
      'o.id as organisationId',
      'o.name as organisationName',
    ])
    .where('e.partnershipId', '=', partnershipId)
    .where('c.personId', '=', personId)
    .where('e.action', 'in', ['decide', 'approve', 'return'])
    .$if(since !== null, (qb) => qb.where('e.at', '>=', since!))
    .$if(until !== null, (qb) => qb.where('e.at', '<', until!))
    .orderBy('e.at', 'desc')
    .limit(span.limit)
    .execute();
}

/** Key notes: the items agencies recorded about the child, with the same facts for sharing decisions. */
export function recordItems(q: Q, partnershipId: string, personId: string, span: Span) {
  return q
    .selectFrom('recordItems as i')
    .innerJoin('organisations as o', (j) =>
      j.onRef('o.partnershipId', '=', 'i.partnershipId').onRef('o.id', '=', 'i.owningOrganisationId'),
    )
    .select([
      'i.id',
      'i.title',
      'i.body',
      'i.occurredOn',
      'i.recordedAt',
      'i.dataType',
      'i.sensitivity',
      'i.sharing',
      'i.owningOrganisationId',
      'o.sector as owningSector',
      'o.name as owningOrganisationName',
    ])
    .where('i.partnershipId', '=', partnershipId)
    .where('i.personId', '=', personId)
    .$if(span.from !== undefined, (qb) => qb.where('i.occurredOn', '>=', span.from!))
    .$if(span.to !== undefined, (qb) => qb.where('i.occurredOn', '<=', span.to!))
    .orderBy('i.occurredOn', 'desc')
    .orderBy('i.recordedAt', 'desc')
    .limit(span.limit)
    .execute();
}

/** Some event of a row falls in the span: its first no later than the end, its last no earlier than the start. */
function touches(
  span: Span,
  first: RawBuilder<unknown>,
  last: RawBuilder<unknown>,
  kind: 'instant' | 'date',
) {
  const { since, until } =
    kind === 'instant' ? instants(span) : { since: span.from ?? null, until: span.to ?? null };
  const started = since === null ? sql`true` : sql`${last} >= ${since}`;
  const ended =
    until === null ? sql`true` : kind === 'instant' ? sql`${first} < ${until}` : sql`${first} <= ${until}`;
  return sql<SqlBool>`(${started} and ${ended})`;
}

/** Alerts the rules raised about the child, by rule name, and where each was sent. */
export function alerts(q: Q, partnershipId: string, personId: string, span: Span) {
  const latest = sql`greatest(a.raised_at, a.acknowledged_at, a.closed_at)`;
  return q
    .selectFrom('alerts as a')
    .innerJoin('signalRules as r', (j) =>
      j.onRef('r.partnershipId', '=', 'a.partnershipId').onRef('r.id', '=', 'a.ruleId'),
    )
    .leftJoin('users as u', (j) =>
      j.onRef('u.partnershipId', '=', 'a.partnershipId').onRef('u.id', '=', 'a.assignedUserId'),
    )
    .leftJoin('organisations as o', (j) =>
      j.onRef('o.partnershipId', '=', 'a.partnershipId').onRef('o.id', '=', 'u.organisationId'),
    )
    .select([
      'a.id',
      'a.number',
      'a.raisedAt',
      'a.acknowledgedAt',
      'a.closedAt',
      'a.outcome',
      'a.routedTo',
      'r.name as ruleName',
      'o.id as organisationId',
      'o.name as organisationName',
    ])
    .where('a.partnershipId', '=', partnershipId)
    .where('a.personId', '=', personId)
    .where(touches(span, sql`a.raised_at`, latest, 'instant'))
    .orderBy(latest, 'desc')
    .limit(span.limit)
    .execute();
}

/** Assessments of the child, started and finished, each by whose organisation. */
export function assessments(q: Q, partnershipId: string, personId: string, span: Span) {
  const latest = sql`greatest(a.started_at, a.finished_at)`;
  return q
    .selectFrom('assessments as a')
    .leftJoin('users as su', (j) =>
      j.onRef('su.partnershipId', '=', 'a.partnershipId').onRef('su.id', '=', 'a.startedBy'),
    )
    .leftJoin('organisations as so', (j) =>
      j.onRef('so.partnershipId', '=', 'a.partnershipId').onRef('so.id', '=', 'su.organisationId'),
    )
    .leftJoin('users as fu', (j) =>
      j.onRef('fu.partnershipId', '=', 'a.partnershipId').onRef('fu.id', '=', 'a.finishedBy'),
    )
    .leftJoin('organisations as fo', (j) =>
      j.onRef('fo.partnershipId', '=', 'a.partnershipId').onRef('fo.id', '=', 'fu.organisationId'),
    )
    .select([
      'a.id',
      'a.number',
      'a.startedAt',
      'a.finishedAt',
      'a.outcome',
      'su.displayName as startedByName',
      'so.id as startedOrganisationId',
      'so.name as startedOrganisationName',
      'fu.displayName as finishedByName',
      'fo.id as finishedOrganisationId',
      'fo.name as finishedOrganisationName',
    ])
    .where('a.partnershipId', '=', partnershipId)
    .where('a.personId', '=', personId)
    .where(touches(span, sql`a.started_at`, latest, 'instant'))
    .orderBy(latest, 'desc')
    .limit(span.limit)
    .execute();
}

/** While the child was on the plan: from the day they joined it to the day they left, if they have. */
const onThePlan = (column: string) =>
  sql<SqlBool>`${sql.ref(column)} >= pc.added_on and (pc.removed_on is null or ${sql.ref(column)} <= pc.removed_on)`;

/** The plans the child is or was on: when the child joined and left each, and when it closed. */
export function plans(q: Q, partnershipId: string, personId: string, span: Span) {
  const latest = sql`greatest(pc.added_on, pc.removed_on, p.closed_on)`;
  return q
    .selectFrom('planChildren as pc')
    .innerJoin('plans as p', (j) =>
      j.onRef('p.partnershipId', '=', 'pc.partnershipId').onRef('p.id', '=', 'pc.planId'),
    )
    .leftJoin('users as lu', (j) =>
      j.onRef('lu.partnershipId', '=', 'p.partnershipId').onRef('lu.id', '=', 'p.leadProfessionalId'),
    )
    .leftJoin('organisations as lo', (j) =>
      j.onRef('lo.partnershipId', '=', 'p.partnershipId').onRef('lo.id', '=', 'lu.organisationId'),
    )
    .select([
      'p.id',
      'p.number',
      'p.startedOn',
      'p.closedOn',
      'p.closeReason',
      'pc.addedOn',
      'pc.removedOn',
      'lo.id as organisationId',
      'lo.name as organisationName',
    ])
    .where('pc.partnershipId', '=', partnershipId)
    .where('pc.personId', '=', personId)
    .where(touches(span, sql`pc.added_on`, latest, 'date'))
    .orderBy(latest, 'desc')
    .limit(span.limit)
    .execute();
}

/**
 * The stages of those plans while the child was on them: the first is the kind the plan began as,
 * each later one a step up or down.
 */
export function planStages(q: Q, partnershipId: string, personId: string, span: Span) {
  return q
    .selectFrom('planStages as s')
    .innerJoin('planChildren as pc', (j) =>
      j.onRef('pc.partnershipId', '=', 's.partnershipId').onRef('pc.planId', '=', 's.planId'),
    )
    .innerJoin('plans as p', (j) =>
      j.onRef('p.partnershipId', '=', 's.partnershipId').onRef('p.id', '=', 's.planId'),
    )
    .leftJoin('users as u', (j) =>
      j.onRef('u.partnershipId', '=', 's.partnershipId').onRef('u.id', '=', 's.decidedBy'),
    )
    .leftJoin('organisations as o', (j) =>
      j.onRef('o.partnershipId', '=', 's.partnershipId').onRef('o.id', '=', 'u.organisationId'),
    )
    .select([
      's.id',
      's.planId',
      'p.number',
      'p.familyName',
      's.kind',
      's.startedOn',
      's.reason',
      // Stages follow one another; a stage that ends the day it began comes before the next one that day.
      sql<boolean>`not exists (select 1 from plan_stages e
        where e.partnership_id = s.partnership_id and e.plan_id = s.plan_id and e.id <> s.id
          and (e.started_on, coalesce(e.ended_on, 'infinity'::date))
            < (s.started_on, coalesce(s.ended_on, 'infinity'::date)))`.as('first'),
      'o.id as organisationId',
      'o.name as organisationName',
    ])
    .where('s.partnershipId', '=', partnershipId)
    .where('pc.personId', '=', personId)
    .where(onThePlan('s.started_on'))
    .$if(span.from !== undefined, (qb) => qb.where('s.startedOn', '>=', span.from!))
    .$if(span.to !== undefined, (qb) => qb.where('s.startedOn', '<=', span.to!))
    .orderBy('s.startedOn', 'desc')
    .limit(span.limit)
    .execute();
}

/** Lead professionals of those plans in turn while the child was on them; the first began with the plan. */
export function planLeads(q: Q, partnershipId: string, personId: string, span: Span) {
  const { since, until } = instants(span);
  return q
    .selectFrom('planLeads as l')
    .innerJoin('planChildren as pc', (j) =>
      j.onRef('pc.partnershipId', '=', 'l.partnershipId').onRef('pc.planId', '=', 'l.planId'),
    )
    .innerJoin('plans as p', (j) =>
      j.onRef('p.partnershipId', '=', 'l.partnershipId').onRef('p.id', '=', 'l.planId'),
    )
    .innerJoin('users as u', (j) =>
      j.onRef('u.partnershipId', '=', 'l.partnershipId').onRef('u.id', '=', 'l.userId'),
    )
    .innerJoin('organisations as o', (j) =>
      j.onRef('o.partnershipId', '=', 'l.partnershipId').onRef('o.id', '=', 'u.organisationId'),
    )
    .select([
      'l.id',
      'l.planId',
      'p.number',
      'l.startedAt',
      'l.handoverNote',
      'u.displayName as leadName',
      sql<boolean>`not exists (select 1 from plan_leads e where e.partnership_id = l.partnership_id
        and e.plan_id = l.plan_id and e.started_at < l.started_at)`.as('first'),
      'o.id as organisationId',
      'o.name as organisationName',
    ])
    .where('l.partnershipId', '=', partnershipId)
    .where('pc.personId', '=', personId)
    .where(
      sql<SqlBool>`l.started_at::date >= pc.added_on and (pc.removed_on is null or l.started_at::date <= pc.removed_on)`,
    )
    .$if(since !== null, (qb) => qb.where('l.startedAt', '>=', since!))
    .$if(until !== null, (qb) => qb.where('l.startedAt', '<', until!))
    .orderBy('l.startedAt', 'desc')
    .limit(span.limit)
    .execute();
}

/** Reviews, conferences and core groups of those plans while the child was on them. */
export function planReviews(q: Q, partnershipId: string, personId: string, span: Span) {
  return q
    .selectFrom('planReviews as r')
    .innerJoin('planChildren as pc', (j) =>
      j.onRef('pc.partnershipId', '=', 'r.partnershipId').onRef('pc.planId', '=', 'r.planId'),
    )
    .innerJoin('plans as p', (j) =>
      j.onRef('p.partnershipId', '=', 'r.partnershipId').onRef('p.id', '=', 'r.planId'),
    )
    .leftJoin('users as u', (j) =>
      j.onRef('u.partnershipId', '=', 'r.partnershipId').onRef('u.id', '=', 'r.recordedBy'),
    )
    .leftJoin('organisations as o', (j) =>
      j.onRef('o.partnershipId', '=', 'r.partnershipId').onRef('o.id', '=', 'u.organisationId'),
    )
    .select([
      'r.id',
      'r.planId',
      'p.number',
      'r.kind',
      'r.heldOn',
      'r.decisions',
      'o.id as organisationId',
      'o.name as organisationName',
    ])
    .where('r.partnershipId', '=', partnershipId)
    .where('pc.personId', '=', personId)
    .where(onThePlan('r.held_on'))
    .$if(span.from !== undefined, (qb) => qb.where('r.heldOn', '>=', span.from!))
    .$if(span.to !== undefined, (qb) => qb.where('r.heldOn', '<=', span.to!))
    .orderBy('r.heldOn', 'desc')
    .limit(span.limit)
    .execute();
}

/**
 * Whom to ask about an item not shared: those working with the child today, by organisation,
 * named people before teams, the longest involved first.
 */
export function peopleToAsk(q: Q, partnershipId: string, personId: string, now: Date) {
  return q
    .selectFrom('involvements as i')
    .leftJoin('users as u', (j) =>
      j.onRef('u.partnershipId', '=', 'i.partnershipId').onRef('u.id', '=', 'i.userId'),
    )
    .leftJoin('teams as t', (j) =>
      j.onRef('t.partnershipId', '=', 'i.partnershipId').onRef('t.id', '=', 'i.teamId'),
    )
    .select([
      sql<string>`coalesce(u.organisation_id, t.organisation_id)`.as('organisationId'),
      sql<string>`coalesce(u.display_name, t.name)`.as('name'),
      'u.email',
    ])
    .where('i.partnershipId', '=', partnershipId)
    .where('i.personId', '=', personId)
    .where('i.startedAt', '<=', now)
    .where((eb) => eb.or([eb('i.endedAt', 'is', null), eb('i.endedAt', '>', now)]))
    .orderBy(sql`u.id is null`)
    .orderBy('i.startedAt')
    .execute();
}
