import { Faker, base } from '@faker-js/faker';
import { sql } from 'kysely';
import { addDays, londonDate } from '../../common/plain-dates.ts';
import type { Db } from '../../db/database.ts';
import type { NewRow, Sector, SignalCategory } from '../../db/schema.ts';
import { evaluateChildren } from './signals.evaluate.ts';
import { SIGNAL_CATEGORIES } from './signals.vocabulary.ts';

/** What each sector's practitioners most often notice, and how they might put it. */
const WORRIES: Partial<Record<Sector, [SignalCategory, string][]>> = {
  education: [
    ['school_attendance', 'Absent three days this week with no explanation from home.'],
    ['neglect', 'Came to school hungry and in the same clothes as last week.'],
    ['emotional_harm', 'Tearful in class; said things are “bad at home”.'],
    ['school_attendance', 'Late every morning this fortnight; missed the school breakfast club.'],
  ],
  health: [
    ['health_needs_not_met', 'Not brought to the second hearing test appointment.'],
    ['health_needs_not_met', 'Immunisations overdue; two reminders not answered.'],
    ['mental_health', 'Mother disclosed low mood at the health visit.'],
  ],
  social_care: [
    ['parental_capacity', 'Father struggling to manage since his partner left.'],
    ['neglect', 'Home conditions poor at the visit: little food in the house.'],
  ],
  voluntary: [
    ['parental_capacity', 'Mother missed the last three parenting group sessions.'],
    ['substance_misuse', 'Family support worker smelt alcohol on a parent at the morning visit.'],
  ],
  police: [
    ['domestic_abuse', 'Police called to a verbal argument at the home overnight; children present.'],
    ['going_missing', 'Reported missing overnight; found the next morning at a friend’s.'],
  ],
  housing: [['housing', 'Rent arrears growing; a notice seeking possession has been served.']],
  youth_justice: [['exploitation', 'Seen with older youths linked to county lines activity.']],
};

type Recorder = { userId: string; organisationId: string; sector: Sector };

/**
 * Signals for the demo: for a few children known to two or more agencies, worries recorded over the
 * last three months by the practitioners involved, then the partnership's rules run over them, so
 * several children have live alerts that explain themselves. A third of the children's signals are
 * older and evaluated two days ago, so some alerts are already escalated.
 */
export async function seedSignals(
  db: Db,
  partnershipId: string,
  options: { now: Date; seed?: number },
): Promise<{ signals: number; alerts: number }> {
  const random = new Faker({ locale: base });
  random.seed((options.seed ?? 1) + 83);
  const today = londonDate(options.now);
  const recorders = await recordersByChild(db, partnershipId);
  const children = [...recorders.entries()].filter(
    ([, rs]) => new Set(rs.map((r) => r.organisationId)).size >= 2,
  );
  const chosen = children.filter((_, i) => i % 6 === 0).slice(0, 300);
  const rows: NewRow<'signals'>[] = [];
  const early: string[] = [];
  const recent: string[] = [];
  for (const [index, [personId, rs]] of chosen.entries()) {
    const isEarly = index % 3 === 0;
    (isEarly ? early : recent).push(personId);
    const count = random.number.int({ min: 2, max: 4 });
    for (let n = 0; n < count; n++) {
      const recorder = rs[n % rs.length]!;
      const worries = WORRIES[recorder.sector] ?? WORRIES.social_care!;
      const [category, description] = random.helpers.arrayElement(worries);
      const observedOn = addDays(today, -random.number.int({ min: isEarly ? 3 : 0, max: 80 }));
      // Now and then a child has one severe worry, which raises an alert on its own.
      const severity =
        index % 25 === 0 && n === 0
          ? 4
          : random.helpers.weightedArrayElement([
              { weight: 6, value: 1 },
              { weight: 4, value: 2 },
              { weight: 2, value: 3 },
            ]);
      rows.push({
        partnershipId,
        personId,
        category,
        severity,
        description,
        observedOn,
        organisationId: recorder.organisationId,
        dataType: SIGNAL_CATEGORIES[category].dataType,
        sensitivity: SIGNAL_CATEGORIES[category].sensitivity,
        source: 'practitioner',
        feedEventId: null,
        feedKind: null,
        measure: null,
        idempotencyKey: null,
        recordedBy: recorder.userId,
        recordedAt: new Date(`${observedOn}T10:00:00Z`),
      });
    }
  }
  for (let i = 0; i < rows.length; i += 1000)
    await db
      .insertInto('signals')
      .values(rows.slice(i, i + 1000))
      .execute();
  let alerts = 0;
  const twoDaysAgo = new Date(options.now.getTime() - 48 * 3_600_000);
  for (const [ids, at] of [
    [early, twoDaysAgo],
    [recent, options.now],
  ] as const)
    for (let i = 0; i < ids.length; i += 500)
      alerts += await db
        .transaction()
        .execute(async (tx) => (await evaluateChildren(tx, partnershipId, ids.slice(i, i + 500), at)).raised);
  return { signals: rows.length, alerts };
}

/** The practitioners involved with each child now, with their agency. */
async function recordersByChild(db: Db, partnershipId: string): Promise<Map<string, Recorder[]>> {
  const rows = await db
    .selectFrom('involvements as i')
    .innerJoin('users as u', (j) =>
      j.onRef('u.partnershipId', '=', 'i.partnershipId').onRef('u.id', '=', 'i.userId'),
    )
    .innerJoin('organisations as o', (j) =>
      j.onRef('o.partnershipId', '=', 'u.partnershipId').onRef('o.id', '=', 'u.organisationId'),
    )
    .innerJoin('people as p', (j) =>
      j.onRef('p.partnershipId', '=', 'i.partnershipId').onRef('p.id', '=', 'i.personId'),
    )
    .select(['i.personId', 'u.id as userId', 'u.organisationId', 'o.sector'])
    .where('i.partnershipId', '=', partnershipId)
    .where('i.endedAt', 'is', null)
    .where('p.kind', '<>', 'adult')
    .where(sql<boolean>`u.roles && array['practitioner']::text[]`)
    .orderBy('i.personId')
    .orderBy('u.email')
    .execute();
  const byChild = new Map<string, Recorder[]>();
  for (const r of rows) {
    const list = byChild.get(r.personId) ?? [];
    if (!list.some((x) => x.userId === r.userId)) list.push(r);
    byChild.set(r.personId, list);
  }
  return byChild;
}
