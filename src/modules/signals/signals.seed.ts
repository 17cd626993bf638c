import { Readable } from 'node:stream';
import { Faker, base } from '@faker-js/faker';
import { stringify } from 'csv-stringify/sync';
import { sql } from 'kysely';
import type { Ctx } from '../../common/context.ts';
import { addDays, londonDate } from '../../common/plain-dates.ts';
import type { Db } from '../../db/database.ts';
import type { NewRow, Sector, SignalCategory } from '../../db/schema.ts';
import { evaluateChildren } from './signals.evaluate.ts';
import { importFeedFile, type FeedDeps } from './signals.feeds.ts';
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

/**
 * The demo's data feeds, loaded through the person index as an administrator's `wraparound feed`
 * would: last week's attendance for some pupils known to a school (low for most of them), missed
 * health appointments for half of those, so the "attendance with a health worry" rule holds for
 * several children, and police notifications for a few, whose school safeguarding leads are told.
 */
export async function seedFeedSignals(
  deps: FeedDeps,
  partnershipId: string,
  options: { now: Date; seed?: number },
): Promise<number> {
  const random = new Faker({ locale: base });
  random.seed((options.seed ?? 1) + 97);
  const ctx: Ctx = {
    actor: { system: 'demo seed', partnershipId },
    requestId: 'seed-feeds',
    now: options.now,
  };
  const pupils = await pupilsKnownToSchools(deps.db, partnershipId, 60);
  const week = addDays(londonDate(options.now), -7);
  const identity = (c: (typeof pupils)[number]) => [
    c.givenName ?? '',
    c.familyName,
    c.dateOfBirth,
    c.sex,
    c.address,
    c.postcode,
  ];
  const header = ['event_id', 'given_name', 'family_name', 'date_of_birth', 'sex', 'address', 'postcode'];
  const load = (kind: Parameters<typeof importFeedFile>[2]['kind'], columns: string[], rows: string[][]) =>
    importFeedFile(deps, ctx, {
      kind,
      fileName: `${kind}-demo.csv`,
      open: () => Readable.from([Buffer.from(stringify([[...header, ...columns], ...rows]))]),
    });
  const attendance = await load(
    'school_attendance',
    ['event_date', 'attendance_percent'],
    pupils.map((c, i) => [`ATT-${i}`, ...identity(c), week, String(random.number.int({ min: 68, max: 97 }))]),
  );
  const missed = await load(
    'was_not_brought',
    ['event_date', 'detail'],
    pupils
      .filter((_, i) => i % 2 === 0)
      .map((c, i) => [`WNB-${i}`, ...identity(c), addDays(week, 2), 'Paediatric outpatient appointment']),
  );
  const police = await load(
    'police_domestic_abuse',
    ['event_date', 'detail'],
    pupils
      .filter((_, i) => i % 7 === 3)
      .map((c, i) => [
        `DA-${i}`,
        ...identity(c),
        addDays(week, 5),
        'Officers attended a verbal argument; children present',
      ]),
  );
  return attendance.signalled + missed.signalled + police.signalled;
}

/** Children with a school safeguarding lead or another school involvement, as the school roll has them. */
async function pupilsKnownToSchools(db: Db, partnershipId: string, limit: number) {
  const { rows } = await sql<{
    givenName: string | null;
    familyName: string;
    dateOfBirth: string;
    sex: string;
    address: string;
    postcode: string;
  }>`
    select distinct on (p.id) p.id, p.given_name, p.family_name, p.date_of_birth::text as date_of_birth,
      case p.sex when 'female' then 'F' when 'male' then 'M' else 'U' end as sex,
      coalesce(h.address_line1, '') as address, coalesce(h.postcode, '') as postcode
    from involvements i
    join users u on u.partnership_id = i.partnership_id and u.id = i.user_id
    join organisations o on o.partnership_id = u.partnership_id and o.id = u.organisation_id
    join people p on p.partnership_id = i.partnership_id and p.id = i.person_id
    left join household_members m on m.partnership_id = p.partnership_id and m.person_id = p.id
      and m.ended_on is null
    left join households h on h.partnership_id = m.partnership_id and h.id = m.household_id
    where i.partnership_id = ${partnershipId} and i.ended_at is null and o.sector = 'education'
      and p.kind = 'child' and p.sealed_at is null and p.date_of_birth is not null
    order by p.id
    limit ${limit}
  `.execute(db);
  return rows;
}
