import { Faker, base } from '@faker-js/faker';
import { sql } from 'kysely';
import { addDays, addMonths, londonDate } from '../../common/plain-dates.ts';
import type { Db } from '../../db/database.ts';
import { UNIT_SCALE, indicatorByCode } from './outcomes.indicators.ts';
import { DEMO_HISTORY_YEARS, demoPracticeChange } from './outcomes.demo.ts';
import { saveFigures } from './outcomes.store.ts';

/**
 * The demo's published figures: five years of each imported indicator for every locality and the
 * area, as a partnership would load them from the national statistics. Each locality has its own level
 * (the north is the most deprived), every indicator a slow national drift and some year-to-year
 * noise; in the locality that changed its way of working (outcomes.demo.ts) the indicators its
 * integrated team works on move the good way from the year after the change, a little more each year.
 */

type Shape = {
  /** The area's level in the first year, in the indicator's unit. */
  level: number;
  /** The drift per year, in the indicator's unit. */
  drift: number;
  /** How the localities differ: the most deprived locality's level is this many times the least's. */
  spread: number;
  /** The change's effect per year since it, in the indicator's unit (signed: the good way). */
  effect: number;
  /** The people counted, per child living in the locality. */
  base: number;
  /** Which years the figures are published for. */
  year: 'financial' | 'academic' | 'calendar';
};

const SHAPES: Record<string, Shape> = {
  low_birth_weight: { level: 2.9, drift: -0.02, spread: 1.5, effect: 0, base: 0.011, year: 'calendar' },
  mmr_two_doses_age_5: {
    level: 86.5,
    drift: -0.4,
    spread: 0.92,
    effect: 0.9,
    base: 0.012,
    year: 'financial',
  },
  school_readiness: { level: 64.8, drift: 0.6, spread: 0.85, effect: 1.4, base: 0.012, year: 'academic' },
  persistent_absence: { level: 17.5, drift: 0.5, spread: 1.45, effect: -1.6, base: 0.7, year: 'academic' },
  suspension_rate: { level: 62, drift: 4, spread: 1.6, effect: -7, base: 0.7, year: 'academic' },
  child_poverty: { level: 21.5, drift: 0.3, spread: 1.7, effect: 0, base: 0.85, year: 'financial' },
  teenage_conceptions: { level: 14.5, drift: -0.5, spread: 1.6, effect: -0.6, base: 0.08, year: 'calendar' },
  first_time_entrants: { level: 165, drift: -3, spread: 1.7, effect: -18, base: 0.45, year: 'calendar' },
};

/** The least to the most deprived: how each locality's level sits within its spread. */
const DEPRIVATION: Record<string, number> = { west: 0, south: 0.35, east: 0.75, north: 1 };

export async function seedOutcomeFigures(
  db: Db,
  partnershipId: string,
  options: { now: Date; seed: number },
) {
  const random = new Faker({ locale: base });
  random.seed(options.seed + 83);
  const analyst = await db
    .selectFrom('users')
    .select('id')
    .where('partnershipId', '=', partnershipId)
    .where('email', '=', 'analyst@northbridge.example')
    .executeTakeFirstOrThrow();
  const { rows: children } = await sql<{ code: string; id: string; children: number | string }>`
    select l.code, l.id, count(p.id) as children
    from localities l
    left join households h on h.partnership_id = l.partnership_id and h.locality_id = l.id
    left join household_members m on m.partnership_id = h.partnership_id and m.household_id = h.id and m.ended_on is null
    left join people p on p.partnership_id = m.partnership_id and p.id = m.person_id and p.kind = 'child'
    where l.partnership_id = ${partnershipId}
    group by l.code, l.id order by l.code`.execute(db);
  const change = demoPracticeChange(options.now);
  const today = londonDate(options.now);

  const rows = Object.entries(SHAPES).flatMap(([code, shape]) => {
    const indicator = indicatorByCode(code)!;
    const scale = UNIT_SCALE[indicator.unit];
    const periods = lastYears(shape.year, today, DEMO_HISTORY_YEARS);
    return periods.flatMap((period, year) => {
      const perLocality = children.map((l) => {
        const deprivation = DEPRIVATION[l.code] ?? 0.5;
        const level = shape.level * (1 + (shape.spread - 1) * (deprivation - 0.5)) + shape.drift * year;
        const yearsSince = l.code === change.localityCode ? yearsAfter(change.changedOn, period.end) : 0;
        const expected = Math.max(0, level + shape.effect * yearsSince);
        const denominator = Math.max(
          20,
          Math.round(
            Number(l.children) *
              shape.base *
              (0.95 + random.number.float({ min: 0, max: 0.1, multipleOf: 0.001 })),
          ),
        );
        const noisy = expected * (1 + random.number.float({ min: -0.04, max: 0.04, multipleOf: 0.001 }));
        const numerator = Math.max(0, Math.round((noisy / scale) * denominator));
        return { localityId: l.id, numerator, denominator };
      });
      const area = {
        localityId: null,
        numerator: perLocality.reduce((s, r) => s + r.numerator, 0),
        denominator: perLocality.reduce((s, r) => s + r.denominator, 0),
      };
      return [...perLocality, area].map((r) => ({
        partnershipId,
        indicatorCode: code,
        localityId: r.localityId,
        periodStart: period.start,
        periodEnd: period.end,
        numerator: r.numerator,
        denominator: r.denominator,
        value: Math.round((r.numerator / r.denominator) * scale * 10) / 10,
        sourceNote: `Demo figures in the shape of ${indicator.source.replace(' (imported)', '')}`,
        importedAt: options.now,
        importedBy: analyst.id,
      }));
    });
  });
  await db.transaction().execute((tx) => saveFigures(tx, rows));
  return { figures: rows.length };
}

/** The last `count` whole years of a kind ending before `today`, oldest first. */
function lastYears(kind: Shape['year'], today: string, count: number) {
  const startMonth = kind === 'financial' ? 4 : kind === 'academic' ? 9 : 1;
  let start = `${today.slice(0, 4)}-${String(startMonth).padStart(2, '0')}-01`;
  while (addDays(addMonths(start, 12), -1) >= today) start = addMonths(start, -12);
  const years = [];
  for (let i = count - 1; i >= 0; i--) {
    const first = addMonths(start, -12 * i);
    years.push({ start: first, end: addDays(addMonths(first, 12), -1) });
  }
  return years;
}

/** Whole or part years from the change to a period's end (0 when the period ended before it). */
function yearsAfter(changedOn: string, periodEnd: string): number {
  if (periodEnd < changedOn) return 0;
  const months =
    (Number(periodEnd.slice(0, 4)) - Number(changedOn.slice(0, 4))) * 12 +
    Number(periodEnd.slice(5, 7)) -
    Number(changedOn.slice(5, 7));
  return Math.min(3, Math.max(0.5, months / 12));
}

/**
 * The demo's own framework: the priorities of Northbridge's children and young people's plan, each
 * told about by some of the indicators, so the outcome pages can be grouped by it and plan goals can
 * name its outcomes. Codes as the service gives them: o1, o2... in list order.
 */
const DEMO_FRAMEWORK = {
  name: 'Northbridge children and young people’s plan 2025 to 2028',
  description: 'The four priorities the partnership board agreed for its three-year plan.',
  outcomes: [
    {
      label: 'Every child has the best start in life',
      indicators: ['low_birth_weight', 'mmr_two_doses_age_5', 'school_readiness'],
    },
    { label: 'Children are in school and learning', indicators: ['persistent_absence', 'suspension_rate'] },
    {
      label: 'Families get help early, before problems grow',
      indicators: ['early_help_rate', 're_referral_rate', 'step_downs_held', 'goals_improved'],
    },
    {
      label: 'Children are safe from harm',
      indicators: [
        'children_in_need_rate',
        'child_protection_rate',
        'looked_after_rate',
        'first_time_entrants',
      ],
    },
  ],
};

export async function seedLocalFramework(db: Db, partnershipId: string, now: Date) {
  const admin = await db
    .selectFrom('users')
    .select('id')
    .where('partnershipId', '=', partnershipId)
    .where('email', '=', 'admin@northbridge.example')
    .executeTakeFirstOrThrow();
  await db.transaction().execute(async (tx) => {
    const framework = await tx
      .insertInto('localFrameworks')
      .values({
        partnershipId,
        name: DEMO_FRAMEWORK.name,
        description: DEMO_FRAMEWORK.description,
        createdBy: admin.id,
        updatedAt: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await tx
      .insertInto('localFrameworkOutcomes')
      .values(
        DEMO_FRAMEWORK.outcomes.map((o, position) => ({
          partnershipId,
          frameworkId: framework.id,
          code: `o${position + 1}`,
          position,
          label: o.label,
          indicatorCodes: o.indicators,
        })),
      )
      .execute();
  });
}
