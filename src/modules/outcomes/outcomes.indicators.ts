/**
 * The indicators the partnership tracks, as data: what each means, how it is worked out, where its
 * figures come from and which direction is good. Two kinds (results-based accountability, standards.md
 * section 6.3): population indicators, about every child in a place, and performance measures, about
 * the children a service worked with, each answering one of the three questions. An indicator either
 * is worked out from the platform's own records (`computed`: a numerator and a denominator measure
 * from measure_months) or is loaded from published statistics (indicator_values).
 */

export type IndicatorUnit = 'percent' | 'per_1000' | 'per_10000' | 'per_100000';
export type Direction = 'higher' | 'lower' | 'neither';
export type Question = 'how_much' | 'how_well' | 'better_off';

export type Indicator = {
  code: string;
  name: string;
  definition: string;
  numerator: string;
  denominator: string;
  source: string;
  unit: IndicatorUnit;
  better: Direction;
  kind: 'population' | 'performance';
  question?: Question;
  /** The outcomes it tells about: [framework id, outcome code] as in outcomes.frameworks.ts. */
  outcomes: readonly (readonly [string, string])[];
  /**
   * Worked out from measure_months: measure names, or for the denominator 'children', the number of
   * children aged 0 to 17 living there.
   */
  computed?: { numerator: string; denominator: string };
};

export const UNIT_SCALE: Record<IndicatorUnit, number> = {
  percent: 100,
  per_1000: 1_000,
  per_10000: 10_000,
  per_100000: 100_000,
};

export const UNIT_LABELS: Record<IndicatorUnit, string> = {
  percent: '%',
  per_1000: 'per 1,000',
  per_10000: 'per 10,000',
  per_100000: 'per 100,000',
};

export const QUESTION_LABELS: Record<Question, string> = {
  how_much: 'How much did we do?',
  how_well: 'How well did we do it?',
  better_off: 'Is anyone better off?',
};

const PLATFORM = 'Wraparound: the partnership’s own records';

export const INDICATORS: readonly Indicator[] = [
  {
    code: 'children_in_need_rate',
    name: 'Children in need',
    definition:
      'Children with an open child in need plan on the last day of the period, per 10,000 children aged 0 to 17.',
    numerator: 'Children with an open child in need plan on the last day',
    denominator: 'Children aged 0 to 17 living in the area, from the person index',
    source: PLATFORM,
    unit: 'per_10000',
    better: 'lower',
    kind: 'population',
    outcomes: [
      ['england', 'stay_safe'],
      ['supporting_families', 'safe_from_abuse'],
    ],
    computed: { numerator: 'plans.children_child_in_need', denominator: 'children' },
  },
  {
    code: 'child_protection_rate',
    name: 'Children on a child protection plan',
    definition:
      'Children with an open child protection plan on the last day of the period, per 10,000 children aged 0 to 17.',
    numerator: 'Children with an open child protection plan on the last day',
    denominator: 'Children aged 0 to 17 living in the area, from the person index',
    source: PLATFORM,
    unit: 'per_10000',
    better: 'lower',
    kind: 'population',
    outcomes: [
      ['england', 'stay_safe'],
      ['supporting_families', 'safe_from_abuse'],
    ],
    computed: { numerator: 'plans.children_child_protection', denominator: 'children' },
  },
  {
    code: 'looked_after_rate',
    name: 'Children looked after',
    definition: 'Children looked after on the last day of the period, per 10,000 children aged 0 to 17.',
    numerator: 'Children with an open looked-after plan on the last day',
    denominator: 'Children aged 0 to 17 living in the area, from the person index',
    source: PLATFORM,
    unit: 'per_10000',
    better: 'lower',
    kind: 'population',
    outcomes: [['england', 'stay_safe']],
    computed: { numerator: 'plans.children_looked_after', denominator: 'children' },
  },
  {
    code: 'low_birth_weight',
    name: 'Low birth weight of term babies',
    definition:
      'Live births at term (37 weeks or more) weighing under 2,500 grams, as a share of all live births at term.',
    numerator: 'Live births at term under 2,500 grams',
    denominator: 'All live births at term with a recorded weight',
    source: 'Office for Health Improvement and Disparities, Fingertips (imported)',
    unit: 'percent',
    better: 'lower',
    kind: 'population',
    outcomes: [
      ['england', 'be_healthy'],
      ['supporting_families', 'early_years'],
    ],
  },
  {
    code: 'mmr_two_doses_age_5',
    name: 'Immunisation: two doses of MMR by age 5',
    definition:
      'Children who have had two doses of the measles, mumps and rubella vaccine by their fifth birthday.',
    numerator: 'Children reaching 5 in the year with two MMR doses',
    denominator: 'Children reaching 5 in the year',
    source: 'UK Health Security Agency, COVER programme (imported)',
    unit: 'percent',
    better: 'higher',
    kind: 'population',
    outcomes: [
      ['england', 'be_healthy'],
      ['supporting_families', 'health'],
    ],
  },
  {
    code: 'school_readiness',
    name: 'School readiness: a good level of development',
    definition:
      'Children at the end of reception achieving a good level of development in the early years foundation stage profile.',
    numerator: 'Children achieving a good level of development',
    denominator: 'Children assessed at the end of reception',
    source: 'Department for Education, EYFS profile results (imported)',
    unit: 'percent',
    better: 'higher',
    kind: 'population',
    outcomes: [
      ['england', 'enjoy_and_achieve'],
      ['supporting_families', 'early_years'],
    ],
  },
  {
    code: 'persistent_absence',
    name: 'Persistent absence from school',
    definition: 'Pupils missing 10% or more of their possible sessions in the school year.',
    numerator: 'Pupils persistently absent',
    denominator: 'Pupils on roll',
    source: 'Department for Education, pupil absence statistics (imported)',
    unit: 'percent',
    better: 'lower',
    kind: 'population',
    outcomes: [
      ['england', 'enjoy_and_achieve'],
      ['supporting_families', 'good_education'],
    ],
  },
  {
    code: 'suspension_rate',
    name: 'Suspensions from school',
    definition: 'Suspensions (fixed-period exclusions) in the school year, per 1,000 pupils on roll.',
    numerator: 'Suspensions',
    denominator: 'Pupils on roll',
    source: 'Department for Education, suspensions and permanent exclusions (imported)',
    unit: 'per_1000',
    better: 'lower',
    kind: 'population',
    outcomes: [
      ['england', 'enjoy_and_achieve'],
      ['supporting_families', 'good_education'],
    ],
  },
  {
    code: 'child_poverty',
    name: 'Children in relative low income families',
    definition:
      'Children under 16 living in families with a household income below 60% of the median before housing costs.',
    numerator: 'Children under 16 in relative low income families',
    denominator: 'Children under 16',
    source: 'Department for Work and Pensions, children in low income families (imported)',
    unit: 'percent',
    better: 'lower',
    kind: 'population',
    outcomes: [
      ['england', 'economic_wellbeing'],
      ['supporting_families', 'financial_stability'],
    ],
  },
  {
    code: 'teenage_conceptions',
    name: 'Under-18 conceptions',
    definition: 'Conceptions to women aged under 18, per 1,000 women aged 15 to 17.',
    numerator: 'Conceptions to women aged under 18',
    denominator: 'Women aged 15 to 17',
    source: 'Office for National Statistics, conceptions statistics (imported)',
    unit: 'per_1000',
    better: 'lower',
    kind: 'population',
    outcomes: [['england', 'be_healthy']],
  },
  {
    code: 'first_time_entrants',
    name: 'First-time entrants to the youth justice system',
    definition:
      'Young people aged 10 to 17 receiving their first caution or conviction, per 100,000 aged 10 to 17.',
    numerator: 'First-time entrants aged 10 to 17',
    denominator: 'Young people aged 10 to 17',
    source: 'Youth Justice Board, youth justice statistics (imported)',
    unit: 'per_100000',
    better: 'lower',
    kind: 'population',
    outcomes: [
      ['england', 'positive_contribution'],
      ['supporting_families', 'crime'],
    ],
  },
  {
    code: 'contacts_rate',
    name: 'Contacts to the front door',
    definition:
      'Contacts about children received by the front door in the period, per 10,000 children aged 0 to 17.',
    numerator: 'Contacts received',
    denominator: 'Children aged 0 to 17 living in the area',
    source: PLATFORM,
    unit: 'per_10000',
    better: 'neither',
    kind: 'performance',
    question: 'how_much',
    outcomes: [['england', 'stay_safe']],
    computed: { numerator: 'contacts.received', denominator: 'children' },
  },
  {
    code: 'early_help_rate',
    name: 'Children supported by an early help plan',
    definition:
      'Children with an open early help plan on the last day of the period, per 10,000 children aged 0 to 17.',
    numerator: 'Children with an open early help plan on the last day',
    denominator: 'Children aged 0 to 17 living in the area',
    source: PLATFORM,
    unit: 'per_10000',
    better: 'neither',
    kind: 'performance',
    question: 'how_much',
    outcomes: [['supporting_families', 'family_relationships']],
    computed: { numerator: 'plans.children_early_help', denominator: 'children' },
  },
  {
    code: 'decided_in_time',
    name: 'Contacts decided within timescale',
    definition:
      'Contacts received in the period whose decision took effect by its deadline, as a share of the contacts decided.',
    numerator: 'Contacts decided by their deadline',
    denominator: 'Contacts decided',
    source: PLATFORM,
    unit: 'percent',
    better: 'higher',
    kind: 'performance',
    question: 'how_well',
    outcomes: [['england', 'stay_safe']],
    computed: { numerator: 'contacts.decided_in_time', denominator: 'contacts.decided' },
  },
  {
    code: 'reviews_on_time',
    name: 'Plans reviewed on time',
    definition:
      'Plan reviews held in the period on or before the date the previous review set, as a share of reviews with such a date.',
    numerator: 'Reviews held by their due date',
    denominator: 'Reviews held that had a due date',
    source: PLATFORM,
    unit: 'percent',
    better: 'higher',
    kind: 'performance',
    question: 'how_well',
    outcomes: [['supporting_families', 'family_relationships']],
    computed: { numerator: 'plans.reviews_on_time', denominator: 'plans.reviews_due_known' },
  },
  {
    code: 're_referral_rate',
    name: 'Re-referrals within 12 months',
    definition:
      'Referrals in the period (decided as statutory assessment or strategy discussion) of a child referred in the 12 months before, as a share of all referrals.',
    numerator: 'Re-referrals',
    denominator: 'Referrals',
    source: PLATFORM,
    unit: 'percent',
    better: 'lower',
    kind: 'performance',
    question: 'better_off',
    outcomes: [
      ['england', 'stay_safe'],
      ['supporting_families', 'safe_from_abuse'],
    ],
    computed: { numerator: 'contacts.re_referrals', denominator: 'contacts.referrals' },
  },
  {
    code: 'step_downs_held',
    name: 'Step-downs that stay down',
    definition:
      'Children stepped down in the period from a child in need or protection plan to early help with no new child in need or protection plan within six months, as a share of the children stepped down (for the latest six months, none so far).',
    numerator: 'Children stepped down with no new statutory plan within six months',
    denominator: 'Children stepped down to early help',
    source: PLATFORM,
    unit: 'percent',
    better: 'higher',
    kind: 'performance',
    question: 'better_off',
    outcomes: [
      ['england', 'stay_safe'],
      ['supporting_families', 'safe_from_abuse'],
    ],
    computed: { numerator: 'plans.step_downs_held', denominator: 'plans.step_downs' },
  },
  {
    code: 'goals_improved',
    name: 'Goals with improved ratings',
    definition:
      'Plan goals rated in the period whose latest rating is above the rating at the start, as a share of the goals rated.',
    numerator: 'Goals rated above their baseline',
    denominator: 'Goals rated',
    source: PLATFORM,
    unit: 'percent',
    better: 'higher',
    kind: 'performance',
    question: 'better_off',
    outcomes: [['supporting_families', 'family_relationships']],
    computed: { numerator: 'plans.goals_improved', denominator: 'plans.goals_rated' },
  },
];

export function indicatorByCode(code: string): Indicator | undefined {
  return INDICATORS.find((i) => i.code === code);
}
