import { sql } from 'kysely';
import type { Db, Tx } from '../../db/database.ts';

/**
 * De-identified cohorts for the outcomes evaluation: children whose front-door contact was decided
 * early help, information and signposting, or no further action, and what happened to them in the
 * 12 months after the decision. The outcomes module reads the front door's data only through here.
 *
 * What comes out is already grouped: a count of children per stratum (level of need, age band,
 * locality, earlier contacts) and decision, with how many of them had a new contact, and how many a
 * statutory assessment or strategy discussion, within 12 months. No child, date or identifier leaves
 * this file; the caller shows only aggregates, small numbers suppressed.
 *
 * Rules:
 * - a child counts once, at their first contact decided one of the three ways in the window asked
 *   for (so the same child is not compared with themselves, and the children are independent);
 * - only contacts matched to a child in the person index (a later contact must be found for the
 *   same child) and decided at least 12 months before `followedUpTo`, so every child has had the full
 *   12 months to come back;
 * - age at the contact from the child's date of birth (or the age the referrer gave), in the bands of
 *   the integrated assessment: under 5, 5 to 9, 10 to 14, 15 and over;
 * - earlier contacts: the child's contacts received before this one, as 0, 1, or 2 or more;
 * - a new contact: another contact about the child received in the 12 months after the decision took
 *   effect; an escalation: a decision for a statutory assessment or a strategy discussion that took
 *   effect in those 12 months.
 */

type Q = Db | Tx;

export const COHORT_DECISIONS = ['early_help', 'information_and_signposting', 'no_further_action'] as const;
export type CohortDecision = (typeof COHORT_DECISIONS)[number];
export const AGE_BANDS = ['under 5', '5 to 9', '10 to 14', '15 and over', 'not known'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

export type CohortStratum = {
  levelOfNeed: string;
  ageBand: AgeBand;
  /** Null: the contact's locality is not known. */
  localityId: string | null;
  /** 0, 1, or 2 for "2 or more". */
  earlierContacts: 0 | 1 | 2;
  decision: CohortDecision;
  children: number;
  newContact: number;
  escalated: number;
};

export type CohortQuery = {
  /** Contacts whose decision took effect on or after this UK day, YYYY-MM-DD (none: from the start). */
  decidedFrom?: string;
  /** ... and before this UK day (none: up to 12 months before `followedUpTo`). */
  decidedBefore?: string;
  /** The time up to which outcomes are known (now): a decision must be 12 months older than this. */
  followedUpTo: Date;
};

/** The instant a UK day starts. */
const londonMidnight = (day: string) => sql`(cast(${day} as date)::timestamp at time zone 'Europe/London')`;

export async function cohortStrata(
  q: Q,
  partnershipId: string,
  query: CohortQuery,
): Promise<CohortStratum[]> {
  const followUpFrom = sql`(${query.followedUpTo}::timestamptz - interval '12 months')`;
  const before = query.decidedBefore
    ? sql`least(${londonMidnight(query.decidedBefore)}, ${followUpFrom})`
    : followUpFrom;
  const from = query.decidedFrom ? londonMidnight(query.decidedFrom) : sql`'-infinity'::timestamptz`;
  const { rows } = await sql<{
    levelOfNeed: string;
    ageBand: AgeBand;
    localityId: string | null;
    earlierContacts: number;
    decision: CohortDecision;
    children: string | number;
    newContact: string | number;
    escalated: string | number;
  }>`
    with firsts as (
      select distinct on (c.person_id)
        c.person_id, c.received_at, c.final_at, c.outcome, c.level_of_need, c.locality_id,
        coalesce(
          extract(year from age(cast(c.received_at at time zone 'Europe/London' as date), p.date_of_birth))::int,
          c.child_age_years
        ) as age
      from contacts c
      left join people p on p.partnership_id = c.partnership_id and p.id = c.person_id
      where c.partnership_id = ${partnershipId}
        and c.status = 'decided'
        and c.person_id is not null
        and c.level_of_need is not null
        and c.outcome in ('early_help', 'information_and_signposting', 'no_further_action')
        and c.final_at >= ${from}
        and c.final_at < ${before}
      order by c.person_id, c.final_at, c.id
    ),
    followed as (
      select f.*,
        (select count(*) from contacts e
          where e.partnership_id = ${partnershipId} and e.person_id = f.person_id
            and e.received_at < f.received_at) as earlier,
        exists (select 1 from contacts n
          where n.partnership_id = ${partnershipId} and n.person_id = f.person_id
            and n.received_at > f.final_at and n.received_at <= f.final_at + interval '12 months') as new_contact,
        exists (select 1 from contacts s
          where s.partnership_id = ${partnershipId} and s.person_id = f.person_id
            and s.outcome in ('statutory_assessment', 'strategy_discussion')
            and s.final_at > f.final_at and s.final_at <= f.final_at + interval '12 months') as escalated
      from firsts f
    )
    select
      level_of_need as "levelOfNeed",
      case when age is null or age < 0 then 'not known' when age < 5 then 'under 5' when age < 10 then '5 to 9'
        when age < 15 then '10 to 14' else '15 and over' end as "ageBand",
      locality_id as "localityId",
      least(earlier, 2)::int as "earlierContacts",
      outcome as decision,
      count(*) as children,
      count(*) filter (where new_contact) as "newContact",
      count(*) filter (where escalated) as escalated
    from followed
    group by 1, 2, 3, 4, 5
    order by 1, 2, 3, 4, 5`.execute(q);
  return rows.map((r) => ({
    levelOfNeed: r.levelOfNeed,
    ageBand: r.ageBand,
    localityId: r.localityId,
    earlierContacts: Math.min(2, Number(r.earlierContacts)) as 0 | 1 | 2,
    decision: r.decision,
    children: Number(r.children),
    newContact: Number(r.newContact),
    escalated: Number(r.escalated),
  }));
}
