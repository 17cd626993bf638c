import { sql, type RawBuilder } from 'kysely';
import { dateInMonths, measureRows, monthOfDate, monthsOf, type MeasureSource } from '../../db/measures.ts';

/**
 * The person index's part of the outcome figures: people born per month, by the locality they live in
 * now, from which the outcomes module works out how many children (aged 0 to 17) live in each locality
 * on a day: the denominator of every "per 10,000 children" indicator. The index knows where people
 * live now, not where they lived then, so moves are not reflected in earlier years. Sealed records are
 * never counted.
 */

/**
 * Each person's current locality, as a table to join (`person_id`, `locality_id`): other modules count
 * their records by where the child lives. One join of many rows to this beats a lookup per row.
 */
export function currentHomes(partnershipId: string): RawBuilder<unknown> {
  return sql`(
    select distinct on (m.person_id) m.person_id, h.locality_id
    from household_members m
    join households h on h.partnership_id = m.partnership_id and h.id = m.household_id
    where m.partnership_id = ${partnershipId} and m.ended_on is null
    order by m.person_id, m.started_on desc)`;
}

/** The locality of the household a person lives in now (null when none is known), for one person. */
export function currentLocalityOf(partnershipId: string, personColumn: string): RawBuilder<string | null> {
  return sql<string | null>`(
    select h.locality_id from household_members m
    join households h on h.partnership_id = m.partnership_id and h.id = m.household_id
    where m.partnership_id = ${partnershipId} and m.person_id = ${sql.ref(personColumn)} and m.ended_on is null
    order by m.started_on desc limit 1)`;
}

export const peopleMeasures: MeasureSource = {
  source: 'people',
  measures: [{ name: 'people.born', kind: 'flow', label: 'People born' }],
  // Every changed month in one count: building everyone's locality costs more than scanning people.
  sliceMonths: 1200,

  async changedMonths(q, partnershipId, since) {
    const rows = await q
      .selectFrom('people as p')
      .select(monthOfDate('p.dateOfBirth').as('month'))
      .distinct()
      .where('p.partnershipId', '=', partnershipId)
      .where('p.kind', '<>', 'unborn')
      .$if(since !== null, (qb) => qb.where(sql<boolean>`p.updated_at > ${since}`))
      .execute();
    return monthsOf(rows);
  },

  async compute(q, partnershipId, months) {
    if (months.length === 0) return [];
    const { rows } = await sql<{ localityId: string | null; month: string; value: string | number }>`
      select home.locality_id, ${monthOfDate('p.date_of_birth')} as month, count(*) as value
      from people p
      left join ${currentHomes(partnershipId)} as home on home.person_id = p.id
      where p.partnership_id = ${partnershipId} and p.kind <> 'unborn' and p.sealed_at is null
        and ${dateInMonths('p.date_of_birth', months)}
      group by 1, 2`.execute(q);
    return measureRows(rows.map((r) => ({ measure: 'people.born', ...r })));
  },
};
