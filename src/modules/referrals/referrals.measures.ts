import { sql } from 'kysely';
import {
  measureRows,
  instantInMonths,
  monthOfInstant,
  monthsOf,
  type MeasureSource,
} from '../../db/measures.ts';

/**
 * The front door's part of the outcome figures, by the month a contact was received and the locality
 * it was recorded against: contacts, decisions, decisions within timescale, the decisions that open
 * early help or a referral, and re-referrals. A contact changes these counts when it is recorded and
 * when its decision takes effect (`final_at`), so those two times say which months to count again.
 */
const COUNTS = {
  'contacts.received': sql<number>`count(*)`,
  'contacts.decided': sql<number>`count(*) filter (where c.final_at is not null)`,
  'contacts.decided_in_time': sql<number>`count(*) filter (where c.final_at <= c.due_at)`,
  'contacts.early_help': sql<number>`count(*) filter (where c.final_at is not null and c.outcome = 'early_help')`,
  'contacts.signposted': sql<number>`count(*) filter (where c.final_at is not null and c.outcome = 'information_and_signposting')`,
  'contacts.referrals': sql<number>`count(*) filter (where c.final_at is not null and c.outcome in ('statutory_assessment', 'strategy_discussion'))`,
  'contacts.re_referrals': sql<number>`count(*) filter (where c.final_at is not null and c.re_referral and c.outcome in ('statutory_assessment', 'strategy_discussion'))`,
} as const;

export const referralMeasures: MeasureSource = {
  source: 'contacts',
  measures: [
    { name: 'contacts.received', kind: 'flow', label: 'Contacts received' },
    { name: 'contacts.decided', kind: 'flow', label: 'Contacts decided' },
    { name: 'contacts.decided_in_time', kind: 'flow', label: 'Contacts decided within timescale' },
    { name: 'contacts.early_help', kind: 'flow', label: 'Contacts decided as early help' },
    { name: 'contacts.signposted', kind: 'flow', label: 'Contacts decided as information and signposting' },
    {
      name: 'contacts.referrals',
      kind: 'flow',
      label: 'Referrals (statutory assessment or strategy discussion)',
    },
    { name: 'contacts.re_referrals', kind: 'flow', label: 'Re-referrals within 12 months' },
  ],

  async changedMonths(q, partnershipId, since) {
    const rows = await q
      .selectFrom('contacts as c')
      .select(monthOfInstant('c.receivedAt').as('month'))
      .distinct()
      .where('c.partnershipId', '=', partnershipId)
      .$if(since !== null, (qb) =>
        qb.where((eb) => eb.or([eb('c.recordedAt', '>', since!), eb('c.finalAt', '>', since!)])),
      )
      .execute();
    return monthsOf(rows);
  },

  async compute(q, partnershipId, months) {
    if (months.length === 0) return [];
    const rows = await q
      .selectFrom('contacts as c')
      .select([
        'c.localityId',
        monthOfInstant('c.receivedAt').as('month'),
        // Aliased by position: the column-name plugin would rewrite the measures' names.
        ...Object.values(COUNTS).map((count, i) => count.as(`m${i}`)),
      ])
      .where('c.partnershipId', '=', partnershipId)
      .where(instantInMonths('c.receivedAt', months))
      .groupBy([sql`1`, sql`2`])
      .execute();
    return measureRows(
      rows.flatMap((r) =>
        Object.keys(COUNTS).map((measure, i) => ({
          measure,
          localityId: r.localityId,
          month: r.month,
          value: (r as unknown as Record<string, number | string>)[`m${i}`] ?? 0,
        })),
      ),
    );
  },
};
