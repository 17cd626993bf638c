import { sql } from 'kysely';
import { currentHomes } from '../people/index.ts';
import {
  instantInMonths,
  measureRows,
  monthOfInstant,
  monthsOf,
  type MeasureSource,
} from '../../db/measures.ts';

/**
 * Signals' part of the outcome figures: worries recorded (by practitioners and from agencies' feeds)
 * and the alerts they added up to, by the month they were recorded and the child's locality. Both are
 * written once and counted by the month they were written in, so only new months ever change.
 */
export const signalMeasures: MeasureSource = {
  source: 'signals',
  measures: [
    { name: 'signals.recorded', kind: 'flow', label: 'Worries recorded' },
    { name: 'signals.alerts', kind: 'flow', label: 'Alerts raised' },
  ],

  async changedMonths(q, partnershipId, since) {
    const [signals, alerts] = await Promise.all([
      q
        .selectFrom('signals as s')
        .select(monthOfInstant('s.recordedAt').as('month'))
        .distinct()
        .where('s.partnershipId', '=', partnershipId)
        .$if(since !== null, (qb) => qb.where('s.recordedAt', '>', since!))
        .execute(),
      q
        .selectFrom('alerts as a')
        .select(monthOfInstant('a.raisedAt').as('month'))
        .distinct()
        .where('a.partnershipId', '=', partnershipId)
        .$if(since !== null, (qb) => qb.where('a.raisedAt', '>', since!))
        .execute(),
    ]);
    return monthsOf([...signals, ...alerts]);
  },

  async compute(q, partnershipId, months) {
    if (months.length === 0) return [];
    const { rows } = await sql<Row>`
      with home as ${currentHomes(partnershipId)}
      select 'signals.recorded' as measure, home.locality_id, ${monthOfInstant('s.recorded_at')} as month,
        count(*) as value
      from signals s left join home on home.person_id = s.person_id
      where s.partnership_id = ${partnershipId} and ${instantInMonths('s.recorded_at', months)}
      group by 2, 3
      union all
      select 'signals.alerts', home.locality_id, ${monthOfInstant('a.raised_at')}, count(*)
      from alerts a left join home on home.person_id = a.person_id
      where a.partnership_id = ${partnershipId} and ${instantInMonths('a.raised_at', months)}
      group by 2, 3`.execute(q);
    return measureRows(rows);
  },
};

type Row = { measure: string; localityId: string | null; month: string; value: string | number };
