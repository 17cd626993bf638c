import { sql, type RawBuilder } from 'kysely';
import type { Db, Tx } from '../../db/database.ts';

type Q = Db | Tx;

/**
 * The front-door figures' SQL: every query counts in the database (GROUP BY, percentile_cont) and
 * answers a few rows, never a row per contact. The period is a range of London days, so the scan of
 * contacts is a range on `contacts_received (partnership_id, received_at)`; information requests are
 * reached from those contacts through `information_requests_contact`.
 */

/** A period of whole days in the UK, from the first to the last, both 'YYYY-MM-DD'. */
export type DayRange = { from: string; to: string };

const ZONE = 'Europe/London';

/** The instant a London day begins (`days` later than `date`), so clock changes fall where they should. */
function dayStart(date: string, days = 0): RawBuilder<Date> {
  return sql<Date>`((cast(${date} as date) + ${days}::integer)::timestamp at time zone ${ZONE})`;
}

/** The London wall clock at an instant (a timestamp without zone). */
function london(column: string): RawBuilder<Date> {
  return sql<Date>`(${sql.ref(column)} at time zone ${ZONE})`;
}

/** The London calendar day of an instant; dates come back as 'YYYY-MM-DD' (see db/database.ts). */
function londonDay(column: string): RawBuilder<string> {
  return sql<string>`cast(${london(column)} as date)`;
}

/** Contacts received in the period: the cohort every figure but the live queue is about. */
function receivedIn(q: Q, partnershipId: string, period: DayRange) {
  return q
    .selectFrom('contacts as c')
    .where('c.partnershipId', '=', partnershipId)
    .where('c.receivedAt', '>=', dayStart(period.from))
    .where('c.receivedAt', '<', dayStart(period.to, 1));
}

/** Contacts received each day by the referrer's sector; a contact with no referring agency is 'public'. */
export async function contactsByDayAndSector(q: Q, partnershipId: string, period: DayRange) {
  const rows = await receivedIn(q, partnershipId, period)
    .leftJoin('organisations as o', (j) =>
      j.onRef('o.partnershipId', '=', 'c.partnershipId').onRef('o.id', '=', 'c.referrerOrganisationId'),
    )
    .select((eb) => [
      londonDay('c.receivedAt').as('day'),
      sql<string>`coalesce(${sql.ref('o.sector')}, 'public')`.as('sector'),
      eb.fn.countAll<number>().as('n'),
    ])
    .groupBy([sql`1`, sql`2`])
    .execute();
  return rows.map((r) => ({ day: r.day, sector: r.sector, n: Number(r.n) }));
}

/** Contacts received by the children-in-need census's referral-source code. */
export async function contactsBySource(q: Q, partnershipId: string, period: DayRange) {
  const rows = await receivedIn(q, partnershipId, period)
    .select((eb) => ['c.source', eb.fn.countAll<number>().as('n')])
    .groupBy('c.source')
    .execute();
  return rows.map((r) => ({ source: r.source, n: Number(r.n) }));
}

/**
 * Decisions in force on contacts received in the period: how many, how many by their deadline, the
 * median and 90th percentile of the hours from receipt to the decision taking effect, and referrals
 * (a statutory response) with the re-referrals among them. Contacts still open are not counted.
 */
export async function decisionTotals(q: Q, partnershipId: string, period: DayRange) {
  const hours = sql`extract(epoch from (${sql.ref('c.finalAt')} - ${sql.ref('c.receivedAt')})) / 3600`;
  const referral = sql`${sql.ref('c.outcome')} in ('statutory_assessment', 'strategy_discussion')`;
  const row = await receivedIn(q, partnershipId, period)
    .select([
      sql<number>`count(*) filter (where ${sql.ref('c.finalAt')} is not null)`.as('decided'),
      sql<number>`count(*) filter (where ${sql.ref('c.finalAt')} is null)`.as('open'),
      sql<number>`count(*) filter (where ${sql.ref('c.finalAt')} <= ${sql.ref('c.dueAt')})`.as('inTime'),
      sql<number | null>`percentile_cont(0.5) within group (order by ${hours})`.as('medianHours'),
      sql<number | null>`percentile_cont(0.9) within group (order by ${hours})`.as('p90Hours'),
      sql<number>`count(*) filter (where ${sql.ref('c.finalAt')} is not null and ${referral})`.as(
        'referrals',
      ),
      sql<number>`count(*) filter (where ${sql.ref('c.finalAt')} is not null and ${referral} and ${sql.ref('c.reReferral')})`.as(
        'reReferrals',
      ),
    ])
    .executeTakeFirstOrThrow();
  // percentile_cont ignores the nulls of contacts not yet decided.
  return {
    decided: Number(row.decided),
    open: Number(row.open),
    inTime: Number(row.inTime),
    medianHours: row.medianHours === null ? null : Number(row.medianHours),
    p90Hours: row.p90Hours === null ? null : Number(row.p90Hours),
    referrals: Number(row.referrals),
    reReferrals: Number(row.reReferrals),
  };
}

/** Decisions in force on contacts received in the period, by outcome. */
export async function decisionsByOutcome(q: Q, partnershipId: string, period: DayRange) {
  const rows = await receivedIn(q, partnershipId, period)
    .select((eb) => ['c.outcome', eb.fn.countAll<number>().as('n')])
    .where('c.finalAt', 'is not', null)
    .groupBy('c.outcome')
    .execute();
  return rows.map((r) => ({ outcome: r.outcome ?? '', n: Number(r.n) }));
}

/**
 * Decisions grouped by what working days depend on: the London days of receipt and decision, and
 * whether the decision's time of day was earlier than the receipt's, or than 09:00 (where the clock
 * starts for a contact received on a day off). A few rows per day, whatever the number of contacts;
 * `workingDaysTaken` turns each group into whole working days with the partnership's calendar.
 */
export async function decisionDayPairs(q: Q, partnershipId: string, period: DayRange) {
  // Each instant is turned into London time once, in the inner query; the outer one only groups.
  const local = receivedIn(q, partnershipId, period)
    .select([london('c.receivedAt').as('received'), london('c.finalAt').as('decided')])
    .where('c.finalAt', 'is not', null)
    .as('d');
  const received = sql.ref('d.received');
  const decided = sql.ref('d.decided');
  const rows = await q
    .selectFrom(local)
    .select((eb) => [
      sql<string>`cast(${received} as date)`.as('receivedOn'),
      sql<string>`cast(${decided} as date)`.as('decidedOn'),
      sql<boolean>`cast(${decided} as time) < cast(${received} as time)`.as('earlierInDay'),
      sql<boolean>`cast(${decided} as time) < time '09:00'`.as('beforeNine'),
      eb.fn.countAll<number>().as('n'),
    ])
    .groupBy([sql`1`, sql`2`, sql`3`, sql`4`])
    .execute();
  return rows.map((r) => ({
    receivedOn: r.receivedOn,
    decidedOn: r.decidedOn,
    earlierInDay: Boolean(r.earlierInDay),
    beforeNine: Boolean(r.beforeNine),
    n: Number(r.n),
  }));
}

/**
 * Requests for information made about contacts received in the period, by the agency asked:
 * answered by their deadline, answered after it, still open past it (at `now`), and still open
 * within it. Withdrawn requests are left out.
 */
export async function informationRequestsByAgency(q: Q, partnershipId: string, period: DayRange, now: Date) {
  const status = sql.ref('r.status');
  const rows = await receivedIn(q, partnershipId, period)
    .innerJoin('informationRequests as r', (j) =>
      j.onRef('r.partnershipId', '=', 'c.partnershipId').onRef('r.contactId', '=', 'c.id'),
    )
    .innerJoin('organisations as o', (j) =>
      j.onRef('o.partnershipId', '=', 'r.partnershipId').onRef('o.id', '=', 'r.organisationId'),
    )
    .select([
      'o.id as organisationId',
      'o.name as organisationName',
      sql<number>`count(*) filter (where ${status} = 'answered' and ${sql.ref('r.answeredAt')} <= ${sql.ref('r.dueAt')})`.as(
        'onTime',
      ),
      sql<number>`count(*) filter (where ${status} = 'answered' and not coalesce(${sql.ref('r.answeredAt')} <= ${sql.ref('r.dueAt')}, false))`.as(
        'late',
      ),
      sql<number>`count(*) filter (where ${status} = 'open' and ${sql.ref('r.dueAt')} < ${now})`.as(
        'openOverdue',
      ),
      sql<number>`count(*) filter (where ${status} = 'open' and ${sql.ref('r.dueAt')} >= ${now})`.as(
        'openInTime',
      ),
    ])
    .where('r.status', '<>', 'withdrawn')
    .groupBy(['o.id', 'o.name'])
    .orderBy('o.name')
    .execute();
  return rows.map((r) => ({
    organisationId: r.organisationId,
    organisationName: r.organisationName,
    onTime: Number(r.onTime),
    late: Number(r.late),
    openOverdue: Number(r.openOverdue),
    openInTime: Number(r.openInTime),
  }));
}

/** The settings the figures need, as the migration's defaults where the partnership has none yet. */
export async function dashboardSettings(q: Q, partnershipId: string) {
  const row = await q
    .selectFrom('frontDoorSettings')
    .select(['calendar', 'decisionWorkingDays', 'warningHours'])
    .where('partnershipId', '=', partnershipId)
    .executeTakeFirst();
  return row ?? { calendar: 'england-and-wales' as const, decisionWorkingDays: 1, warningHours: 2 };
}
