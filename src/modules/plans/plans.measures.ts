import { sql } from 'kysely';
import { currentHomes } from '../people/index.ts';
import { measureRows, monthArray, monthsOf, type MeasureSource } from '../../db/measures.ts';

/**
 * Plans' part of the outcome figures, by month and the child's locality:
 * - children with an open plan of each kind on the month's last day (a stock);
 * - reviews held in the month, and of those whose due date is known (set by the review before), the
 *   ones held by it;
 * - goals rated in the month, and of those the ones whose latest rating that month is above the
 *   goal's baseline ("is anyone better off");
 * - children stepped down from a child in need or protection stage to early help in the month, and of
 *   those the ones with no new statutory stage (in any plan) within six months: the step-downs that
 *   stay down (for the latest six months, so far).
 * A plan's kind over time is its stages': a plan stepped down counts as early help from that day.
 *
 * Which months a change touches: a plan written since the last read, every month it was open (it may
 * have been recorded late); a plan changed since, the months it started and closed in, this month
 * (closing or stepping a plan today changes no earlier month's stock) and the six before it (a step up
 * today decides whether those months' step-downs held); a review or a rating, its own month. A
 * correction to an old plan's dates is caught by the nightly full refresh.
 */
const KINDS = ['early_help', 'child_in_need', 'child_protection', 'looked_after'] as const;

export const planMeasures: MeasureSource = {
  source: 'plans',
  measures: [
    { name: 'plans.children_early_help', kind: 'stock', label: 'Children with an early help plan' },
    { name: 'plans.children_child_in_need', kind: 'stock', label: 'Children with a child in need plan' },
    {
      name: 'plans.children_child_protection',
      kind: 'stock',
      label: 'Children with a child protection plan',
    },
    { name: 'plans.children_looked_after', kind: 'stock', label: 'Children looked after' },
    { name: 'plans.reviews_held', kind: 'flow', label: 'Plan reviews held' },
    { name: 'plans.reviews_due_known', kind: 'flow', label: 'Plan reviews with a due date' },
    { name: 'plans.reviews_on_time', kind: 'flow', label: 'Plan reviews held on time' },
    { name: 'plans.goals_rated', kind: 'flow', label: 'Goals rated' },
    { name: 'plans.goals_improved', kind: 'flow', label: 'Goals rated above their baseline' },
    { name: 'plans.step_downs', kind: 'flow', label: 'Children stepped down to early help' },
    {
      name: 'plans.step_downs_held',
      kind: 'flow',
      label: 'Step-downs with no new statutory plan within 6 months',
    },
  ],

  async changedMonths(q, partnershipId, since) {
    const { rows } = await sql<{ month: string }>`
      select distinct cast(m as date) as month
      from plans p, generate_series(date_trunc('month', p.started_on),
        date_trunc('month', coalesce(p.closed_on, current_date)), interval '1 month') m
      where p.partnership_id = ${partnershipId} and (${since}::timestamptz is null or p.created_at > ${since})
      union
      select distinct cast(date_trunc('month', d) as date)
      from plans p, unnest(array[p.started_on, p.closed_on, current_date, current_date - interval '6 months',
        current_date - interval '5 months', current_date - interval '4 months', current_date - interval '3 months',
        current_date - interval '2 months', current_date - interval '1 month']) d
      where p.partnership_id = ${partnershipId} and ${since}::timestamptz is not null and p.updated_at > ${since}
        and d is not null
      union
      select distinct cast(date_trunc('month', r.held_on) as date)
      from plan_reviews r
      where r.partnership_id = ${partnershipId} and (${since}::timestamptz is null or r.recorded_at > ${since})
      union
      select distinct cast(date_trunc('month', r.rated_on) as date)
      from goal_ratings r
      where r.partnership_id = ${partnershipId} and (${since}::timestamptz is null or r.recorded_at > ${since})`.execute(
      q,
    );
    return monthsOf(rows);
  },

  async compute(q, partnershipId, months) {
    if (months.length === 0) return [];
    const first = months[0]!;
    const last = months[months.length - 1]!;
    // Each plan's locality: its first child's (by when they joined, then by id, so it is always the same).
    const planHome = sql`(
      select distinct on (pc.plan_id) pc.plan_id, home.locality_id
      from plan_children pc left join home on home.person_id = pc.person_id
      where pc.partnership_id = ${partnershipId}
      order by pc.plan_id, pc.added_on, pc.person_id)`;
    const { rows } = await sql<Row>`
      with home as ${currentHomes(partnershipId)},
      open_children as (
        select st.kind, pc.person_id, home.locality_id,
          greatest(st.started_on, pc.added_on) as from_day,
          least(coalesce(st.ended_on, 'infinity'::date), coalesce(p.closed_on, 'infinity'::date),
            coalesce(pc.removed_on, 'infinity'::date)) as until_day
        from plans p
        join plan_stages st on st.partnership_id = p.partnership_id and st.plan_id = p.id
        join plan_children pc on pc.partnership_id = p.partnership_id and pc.plan_id = p.id
        left join home on home.person_id = pc.person_id
        where p.partnership_id = ${partnershipId} and st.kind = any(${sql.val([...KINDS])})
          and st.started_on < cast(${last} as date) + interval '1 month'
          and (st.ended_on is null or st.ended_on >= cast(${first} as date) + interval '1 month')
          and (p.closed_on is null or p.closed_on >= cast(${first} as date) + interval '1 month')),
      statutory as (
        select pc.person_id, st.started_on
        from plan_stages st
        join plan_children pc on pc.partnership_id = st.partnership_id and pc.plan_id = st.plan_id
        where st.partnership_id = ${partnershipId} and st.kind in ('child_in_need', 'child_protection')),
      step_downs as (
        select distinct pc.person_id, home.locality_id, cast(date_trunc('month', down.started_on) as date) as month,
          not exists (
            select 1 from statutory s where s.person_id = pc.person_id
              and s.started_on > down.started_on and s.started_on <= down.started_on + interval '6 months') as held
        from plan_stages down
        join plan_stages up on up.partnership_id = down.partnership_id and up.plan_id = down.plan_id
          and up.ended_on = down.started_on and up.kind in ('child_in_need', 'child_protection')
        join plan_children pc on pc.partnership_id = down.partnership_id and pc.plan_id = down.plan_id
          and pc.added_on <= down.started_on
        left join home on home.person_id = pc.person_id
        where down.partnership_id = ${partnershipId} and down.kind = 'early_help'
          and cast(date_trunc('month', down.started_on) as date) = any(${monthArray(months)})),
      timed as (
        select r.plan_id, r.held_on,
          lag(r.next_review_due) over (partition by r.plan_id order by r.held_on, r.recorded_at, r.id) as due_on
        from plan_reviews r where r.partnership_id = ${partnershipId}),
      latest as (
        select distinct on (r.goal_id, date_trunc('month', r.rated_on)) r.goal_id, r.score,
          cast(date_trunc('month', r.rated_on) as date) as month
        from goal_ratings r
        where r.partnership_id = ${partnershipId}
          and cast(date_trunc('month', r.rated_on) as date) = any(${monthArray(months)})
        order by r.goal_id, date_trunc('month', r.rated_on), r.rated_on desc, r.recorded_at desc, r.id desc)
      select 'plans.children_' || c.kind as measure, c.locality_id, m.month, count(distinct c.person_id) as value
      from open_children c
      join unnest(${monthArray(months)}) as m(month)
        on c.from_day < m.month + interval '1 month' and c.until_day >= m.month + interval '1 month'
      group by 1, 2, 3
      union all
      select 'plans.step_downs', d.locality_id, d.month, count(distinct d.person_id)
      from step_downs d group by 2, 3
      union all
      select 'plans.step_downs_held', d.locality_id, d.month, count(distinct d.person_id)
      from step_downs d where d.held group by 2, 3
      union all
      select x.measure, ph.locality_id, x.month, sum(x.value)
      from (
        select t.plan_id, cast(date_trunc('month', t.held_on) as date) as month,
          unnest(array['plans.reviews_held', 'plans.reviews_due_known', 'plans.reviews_on_time']) as measure,
          unnest(array[1, case when t.due_on is null then 0 else 1 end,
            case when t.held_on <= t.due_on then 1 else 0 end]) as value
        from timed t
        where cast(date_trunc('month', t.held_on) as date) = any(${monthArray(months)})
        union all
        select g.plan_id, l.month,
          unnest(array['plans.goals_rated', 'plans.goals_improved']),
          unnest(array[1, case when l.score > g.baseline then 1 else 0 end])
        from latest l join plan_goals g on g.partnership_id = ${partnershipId} and g.id = l.goal_id
      ) x
      left join ${planHome} ph on ph.plan_id = x.plan_id
      group by 1, 2, 3`.execute(q);
    return measureRows(rows);
  },
};

type Row = { measure: string; localityId: string | null; month: string; value: string | number };
