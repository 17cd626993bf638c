import { Faker, base, en, en_GB } from '@faker-js/faker';
import { sql } from 'kysely';
import { calendarFor, type WorkingDayCalendar } from '../../common/working-days.ts';
import { addDays } from '../../common/plain-dates.ts';
import type { Db, Tx } from '../../db/database.ts';
import type { NewRow, Sector } from '../../db/schema.ts';
import { FAMILY_NAMES, MENS_NAMES, WOMENS_NAMES } from '../people/index.ts';
import type { ENQUIRY_TOPICS, ContactSource } from './referrals.schemas.ts';
import {
  EPISODE_OUTCOMES,
  OUTCOME_LEVELS,
  isReferral,
  type ContactStatus,
  type LevelOfNeed,
  type Outcome,
  type Priority,
} from './referrals.workflow.ts';

/**
 * The demo partnership's front door: a year of contacts at England's rates, written in bulk (not
 * through the service, which would take minutes; like the other demo seeds, it writes no audit events
 * of its own: the demo's `demo.seed` event stands for all of it).
 *
 * Volume: about 620,000 referrals a year for 12 million children, and about four contacts for every
 * referral: 20 contacts a year per 100 children, a quarter of them decided as referrals (statutory
 * assessment or strategy discussion), 22% of those re-referrals within 12 months. Sources mix as the
 * children-in-need census counts them; contacts come mostly on weekdays, schools' not in the holidays;
 * most are decided within the working day the partnership allows (about 85% in time). Contacts of the
 * last two working days are still open: new, in triage with a front-door worker (who holds a front-door
 * involvement with a matched child, as claiming gives), and a couple awaiting a manager's approval.
 * Every action has its history row; decisions that open work have their episode; some contacts asked
 * partner agencies for information. A few dozen contact-centre enquiries, and the settings row.
 *
 * Repeatable: one seeded random stream for everything drawn, and another, keyed by the partnership
 * too, for ids; children are sampled in an order made from their names and dates of birth.
 */

export type SeedFrontDoorOptions = {
  /** The contacts end here; the open ones are those of the working days just before. */
  now: Date;
  seed?: number;
  onProgress?: (contactsWritten: number, contacts: number) => void;
  /** Contacts to make; by default 20 a year for every 100 children in the partnership. */
  contacts?: number;
  /** The days the contacts are spread over, back from `now` (default 365). */
  days?: number;
  /** How many of the newest contacts are still open; by default those since the previous working day. */
  open?: number;
  /** One locality's change in its way of working, which its decisions show from that day on. */
  practiceChange?: FrontDoorPracticeChange;
};

/**
 * A locality that changed its way of working (an integrated team with one front door): from
 * `changedOn`, building up over `rampMonths`, more of its contacts are decided as early help rather
 * than as referrals or no further action, and fewer of its referrals are about children referred in
 * the year before. The other localities carry on as before.
 */
export type FrontDoorPracticeChange = {
  localityId: string;
  /** The first day (YYYY-MM-DD, London) of the new way of working. */
  changedOn: string;
  /** Months until the change has its full effect (default 6). */
  rampMonths?: number;
};

export type FrontDoorSeedCounts = {
  contacts: number;
  open: number;
  decided: number;
  referrals: number;
  reReferrals: number;
  events: number;
  informationRequests: number;
  episodes: number;
  involvements: number;
  enquiries: number;
};

/** 20 contacts a year per 100 children: 5.2 referrals per 100 (England), about four contacts to each. */
export const CONTACTS_PER_CHILD_PER_YEAR = 0.2;
export const RE_REFERRAL_SHARE = 0.22;
const IN_TIME_SHARE = 0.86;

/**
 * Slow change over the years, counted back from now (so the latest year is as described above):
 * contacts grow about 3% a year, early help is chosen a little more often each year and no further
 * action a little less, and a few more decisions are made in time.
 */
const VOLUME_GROWTH = 0.03;
const EARLY_HELP_GROWTH = 0.05;
const NO_FURTHER_ACTION_DECLINE = 0.03;
const IN_TIME_GAIN = 0.012;
/** Contacts by month of the year (January first), beyond the school holidays: quieter in August and December. */
const MONTH_WEIGHTS = [1, 1, 1.04, 0.97, 1.02, 1.04, 1.03, 0.9, 1, 1.06, 1.06, 0.88];

/**
 * A changed locality's decisions, at full effect: the share of each decision made early help instead
 * (for referrals about a child referred in the year before, `reReferral`: the team knew the family).
 */
const CHANGED_TO_EARLY_HELP: Record<Outcome, { any: number; reReferral: number }> = {
  no_further_action: { any: 0.12, reReferral: 0.12 },
  information_and_signposting: { any: 0.08, reReferral: 0.08 },
  early_help: { any: 0, reReferral: 0 },
  statutory_assessment: { any: 0.25, reReferral: 0.6 },
  strategy_discussion: { any: 0, reReferral: 0 },
};

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY_MS = 24 * HOUR;
const YEAR_MS = 365 * DAY_MS;
/** Rows per INSERT (one array parameter per column): few statements, and memory stays small. */
const BATCH_ROWS = 1_000;

type Group = 'police' | 'school' | 'health' | 'individual' | 'la' | 'other';
type SourceSpec = { source: ContactSource; group: Group; weight: number; ages?: [number, number] };

/** Census referral sources, by share of contacts (police 28%, schools 20%, health 15%, ...). */
const SOURCES: SourceSpec[] = [
  { source: '6', group: 'police', weight: 28 },
  { source: '2A', group: 'school', weight: 18, ages: [2, 17] },
  { source: '2B', group: 'school', weight: 2, ages: [5, 17] },
  { source: '3A', group: 'health', weight: 3 },
  { source: '3B', group: 'health', weight: 3, ages: [0, 4] },
  { source: '3C', group: 'health', weight: 1, ages: [5, 17] },
  { source: '3D', group: 'health', weight: 3 },
  { source: '3E', group: 'health', weight: 3 },
  { source: '3F', group: 'health', weight: 2 },
  { source: '1A', group: 'individual', weight: 5 },
  { source: '1B', group: 'individual', weight: 1.5 },
  { source: '1C', group: 'individual', weight: 0.5, ages: [11, 17] },
  { source: '1D', group: 'individual', weight: 1 },
  { source: '9', group: 'individual', weight: 2 },
  { source: '5A', group: 'la', weight: 4 },
  { source: '5B', group: 'la', weight: 2 },
  { source: '5C', group: 'la', weight: 2 },
  { source: '5D', group: 'la', weight: 2 },
  { source: '4', group: 'other', weight: 2 },
  { source: '7', group: 'other', weight: 3, ages: [10, 17] },
  { source: '8', group: 'other', weight: 8 },
  { source: '10', group: 'other', weight: 4 },
];

/** Decisions by who made the contact; about a quarter become referrals overall. */
const OUTCOME_MIX: Record<Group, Record<Outcome, number>> = {
  police: {
    no_further_action: 38,
    information_and_signposting: 20,
    early_help: 17,
    statutory_assessment: 17,
    strategy_discussion: 8,
  },
  school: {
    no_further_action: 22,
    information_and_signposting: 22,
    early_help: 32,
    statutory_assessment: 18,
    strategy_discussion: 6,
  },
  health: {
    no_further_action: 26,
    information_and_signposting: 22,
    early_help: 27,
    statutory_assessment: 18,
    strategy_discussion: 7,
  },
  individual: {
    no_further_action: 34,
    information_and_signposting: 30,
    early_help: 18,
    statutory_assessment: 14,
    strategy_discussion: 4,
  },
  la: {
    no_further_action: 22,
    information_and_signposting: 16,
    early_help: 28,
    statutory_assessment: 25,
    strategy_discussion: 9,
  },
  other: {
    no_further_action: 32,
    information_and_signposting: 26,
    early_help: 22,
    statutory_assessment: 15,
    strategy_discussion: 5,
  },
};

/** Within the levels each decision fits (OUTCOME_LEVELS), how often each is chosen. */
const LEVEL_MIX: Record<Outcome, Partial<Record<LevelOfNeed, number>>> = {
  no_further_action: { universal: 70, additional: 30 },
  information_and_signposting: { universal: 55, additional: 45 },
  early_help: { additional: 75, complex: 25 },
  statutory_assessment: { complex: 70, acute: 30 },
  strategy_discussion: { acute: 100 },
};

const URGENCY_MIX: Record<Outcome, Record<'immediate' | 'today' | 'standard', number>> = {
  no_further_action: { immediate: 0, today: 5, standard: 95 },
  information_and_signposting: { immediate: 0, today: 5, standard: 95 },
  early_help: { immediate: 0, today: 10, standard: 90 },
  statutory_assessment: { immediate: 10, today: 35, standard: 55 },
  strategy_discussion: { immediate: 60, today: 35, standard: 5 },
};

const PRIORITY_MIX: Record<Outcome, Record<Priority, number>> = {
  no_further_action: { red: 0, amber: 15, green: 85 },
  information_and_signposting: { red: 0, amber: 15, green: 85 },
  early_help: { red: 0, amber: 35, green: 65 },
  statutory_assessment: { red: 25, amber: 65, green: 10 },
  strategy_discussion: { red: 100, amber: 0, green: 0 },
};

/** How often triage asks partner agencies what they know, by the decision it comes to. */
const REQUEST_SHARE: Record<Outcome, number> = {
  no_further_action: 0.1,
  information_and_signposting: 0.12,
  early_help: 0.35,
  statutory_assessment: 0.6,
  strategy_discussion: 0.8,
};

/** Contacts by day of the week (Sunday first): the police's come every day, schools' on school days. */
const WEEKDAY_WEIGHTS: Record<Group, number[]> = {
  police: [0.95, 1, 1, 1, 1, 1.05, 1],
  school: [0, 1.1, 1.05, 1, 1, 0.9, 0],
  health: [0.35, 1.1, 1, 1, 1, 0.95, 0.35],
  individual: [0.45, 1.1, 1, 1, 1, 1, 0.5],
  la: [0.08, 1.1, 1, 1, 1, 0.95, 0.08],
  other: [0.15, 1.05, 1, 1, 1, 0.95, 0.15],
};

/** Hour of the day (London) a contact comes in; the police's most in the evening, schools' after lessons. */
const OFFICE = [0, 0, 0, 0, 0, 0, 0, 0.5, 4, 8, 9, 9, 7, 7, 8, 8, 7, 3, 1, 0.5, 0.2, 0, 0, 0];
const HOUR_WEIGHTS: Record<Group, number[]> = {
  police: [3, 2, 2, 1, 1, 1, 1, 2, 3, 4, 4, 4, 4, 4, 4, 4, 4, 5, 5, 6, 6, 6, 5, 4],
  school: [0, 0, 0, 0, 0, 0, 0, 0.5, 4, 8, 9, 8, 6, 6, 8, 10, 9, 5, 2, 0.5, 0, 0, 0, 0],
  health: OFFICE.map((w, h) => w + (h >= 18 || h < 8 ? 0.6 : 0)),
  individual: [0.2, 0.1, 0, 0, 0, 0, 0.2, 1, 3, 6, 7, 7, 6, 6, 6, 6, 6, 5, 4, 3, 2, 1.5, 1, 0.5],
  la: OFFICE,
  other: OFFICE,
};

/** English school holidays, roughly (month-day ranges): schools' contacts nearly stop. */
const SCHOOL_HOLIDAYS: [string, string][] = [
  ['01-01', '01-03'],
  ['02-14', '02-22'],
  ['03-29', '04-12'],
  ['05-24', '06-01'],
  ['07-22', '09-02'],
  ['10-24', '11-01'],
  ['12-20', '12-31'],
];

// ---------------------------------------------------------------------------------------------------
// Words

type Severity = 'low' | 'medium' | 'high';

/** What referrers write, by who they are and how serious it turns out to be; {child} is the child's name. */
const WORRIES: Record<Group, Record<Severity, string[]>> = {
  police: {
    low: [
      'Officers attended a verbal argument between the parents at the home. No offences disclosed; {child} was in bed and was not spoken to.',
      '{child} was found with friends in the park after 11pm and brought home. The parents had not known where {child} was.',
      'Neighbours reported shouting at the address. Officers found the adults calm and the children asleep; no injuries seen.',
    ],
    medium: [
      'Second domestic abuse incident at the home in three months (DASH: medium risk). {child} was present and heard the argument.',
      '{child} was reported missing for six hours and was found in the town centre with older teenagers.',
      'The mother was arrested for being drunk and disorderly while {child} was in her care; a relative collected {child}.',
    ],
    high: [
      'Domestic abuse incident (DASH: high risk). {child} was present and tried to stop the assault; the mother has visible injuries. The suspect has been released on bail to an address nearby.',
      '{child} told officers that an adult man has been giving them money, alcohol and lifts; concerns about child sexual exploitation.',
      '{child} was seen with a bruise to the face; the explanation given does not fit the injury and the father was aggressive towards officers.',
    ],
  },
  school: {
    low: [
      '{child}’s attendance has dropped this term and {child} seems tired in lessons. The parents say it is a sleep problem; we have offered a meeting.',
      '{child} has come to school without lunch or money several times this month. We think the family may be struggling.',
      '{child} has fallen out with friends and seems low. Parents are supportive and have asked us for ideas.',
    ],
    medium: [
      '{child} told a teaching assistant that there is a lot of shouting at home and that they do not want to go home at the end of the day.',
      'Attendance is 71% this year with many unexplained absences. {child} is withdrawn, has lost weight and often wears the same unwashed uniform.',
      '{child} has been sent home twice for fighting. Mum says she cannot cope with {child}’s behaviour and is asking for help.',
    ],
    high: [
      '{child} arrived with a mark on the neck and said their stepfather grabbed them last night. {child} is frightened to go home.',
      '{child} disclosed self-harm and said an adult at home hits them when he has been drinking.',
      '{child} has been collected from school by different unknown adults and has new expensive clothes and a phone; {child} is missing lessons.',
    ],
  },
  health: {
    low: [
      'The mother has missed two health visitor appointments and sounds low on the phone. The baby appeared well cared for at the last visit.',
      '{child} was not brought to two dental appointments and has extensive tooth decay.',
      '{child} has asthma and has missed several clinic reviews; the family says transport is the problem.',
    ],
    medium: [
      '{child}’s weight has dropped two centiles since the last review. The parent is struggling and has little support.',
      '{child} has attended the emergency department three times this year with minor injuries, each with a different explanation.',
      'The parent’s mental health has worsened and they have stopped taking medication; {child} is often the one caring for the family.',
    ],
    high: [
      'Non-mobile baby with a bruise to the cheek and no explanation given. Paediatric review arranged today.',
      '{child} attended the emergency department intoxicated after taking tablets and says things at home are unbearable.',
      '{child} has an injury the paediatrician thinks is unlikely to be accidental; the parents’ accounts differ.',
    ],
  },
  individual: {
    low: [
      'The caller is worried that the house is untidy and the children are often unwashed.',
      'The caller hears shouting from the flat next door most evenings and wants someone to check the children are all right.',
      'The caller is struggling with {child}’s behaviour and does not know where to get help.',
    ],
    medium: [
      'The caller says {child}’s mother is drinking heavily again and the children are left alone in the evenings.',
      'The caller says {child} has been staying out all night and will not say where.',
    ],
    high: [
      'The caller says {child} told them that mum’s boyfriend hits them and that they are scared to go home.',
      'The caller saw an adult hit {child} hard in the street and drag them into a car.',
    ],
  },
  la: {
    low: [
      'The family was supported by early help and the plan has closed, but the school has raised new worries about attendance.',
      'The family is at risk of eviction; the children’s needs are not known.',
    ],
    medium: [
      'The early help plan has not progressed: the parents have stopped engaging and worries about neglect are growing.',
      'The family has moved to Northbridge from another area, where {child} was on a child in need plan.',
      'The family has moved into temporary accommodation; {child} has special educational needs and has no school place.',
    ],
    high: [
      'The children were on child protection plans in another authority; the family moved without telling them.',
      'The allocated worker has learned that the mother’s new partner has convictions for offences against children.',
    ],
  },
  other: {
    low: [
      'A youth club leader has noticed {child} is often hungry and asks for food.',
      'The home is overcrowded and damp; the parent is worried about the children’s health.',
      'The family has been coming to the food bank for several months and the parent is finding things hard.',
    ],
    medium: [
      'A support worker is worried about the father’s mental health and what the children are seeing at home.',
      '{child} told a coach that they are sleeping on a sofa at a friend’s house because they cannot go home.',
      '{child} has been arrested twice this year and the youth justice worker thinks older young people are exploiting {child}.',
    ],
    high: [
      'A counsellor reports that {child} has disclosed sexual abuse by a family member.',
      '{child} has been found carrying a knife and says they owe money to people who have threatened the family.',
    ],
  },
};

const ACTIONS_TAKEN: Record<Group, string[]> = {
  police: [
    'Officers spoke to both adults and checked on the children. Safeguarding advice given.',
    'Suspect arrested and interviewed; bail conditions set.',
    'Child returned home and a return interview offered.',
  ],
  school: [
    'Spoke with the parents, who agreed to a meeting. Breakfast club place offered.',
    'Discussed with the designated safeguarding lead; the child was seen by the school nurse.',
    'The child is being checked in with each morning by their form tutor.',
  ],
  health: [
    'Discussed with the named nurse for safeguarding. Follow-up appointment booked.',
    'Paediatric review requested; the GP has been informed.',
    'Advice given to the parent and a further visit arranged.',
  ],
  individual: ['The caller has spoken to the parent about it.', 'The caller has not told anyone else.'],
  la: [
    'Checked our records: the family is known to early help.',
    'Spoke to the previous local authority, who are sending their records.',
  ],
  other: [
    'Spoke with the parent, who agreed to the contact being made.',
    'Gave the family information about local support services.',
  ],
};

const DECISION_REASONS: Record<Outcome, string[]> = {
  no_further_action: [
    'No role for children’s services: the referring agency has addressed the worry and the parents are acting protectively.',
    'Information checked with police, health and school: no further worries known. No further action; the referrer has been told.',
    'Duplicate of a contact already being worked; linked to it.',
  ],
  information_and_signposting: [
    'Needs can be met by universal services: the family has been given information about local parenting support.',
    'Signposted to the Family Information Service and the school nursing drop-in; no targeted help needed.',
    'Advice given to the referrer; the family has been told about the food bank and money advice service.',
  ],
  early_help: [
    'Additional needs that the family agrees need support: passed to the Early Help Hub for a family assessment with consent.',
    'The family agrees to early help; a lead professional to be identified at the team around the family meeting.',
  ],
  statutory_assessment: [
    'The child may be a child in need: a child and family assessment (section 17) is needed to understand the risks.',
    'Needs are complex and the parents have not engaged with early help: child and family assessment.',
  ],
  strategy_discussion: [
    'Reasonable cause to suspect the child is suffering, or likely to suffer, significant harm: strategy discussion with police and health today (section 47).',
    'Disclosure of harm with the alleged abuser in the household: strategy discussion convened today.',
  ],
};

const CALLER_ROLES: Partial<Record<ContactSource, string[]>> = {
  '1A': [
    'Grandmother',
    'Grandfather',
    'Aunt',
    'Uncle',
    'Father (does not live with the child)',
    'Older sister',
  ],
  '1B': ['Neighbour', 'Childminder', 'Family friend', 'Friend’s parent'],
  '1D': ['Member of the public', 'Shop worker', 'Bus driver'],
  '2B': ['Education welfare officer', 'Virtual school caseworker', 'Elective home education adviser'],
  '5B': ['SEND caseworker', 'Youth worker', 'Family hub worker', 'Housing support officer (council)'],
  '5C': ['Social worker, Eastshire County Council', 'Emergency duty team, Westmarch Council'],
  '8': ['Church youth leader', 'Football coach', 'Food bank volunteer', 'Refuge worker'],
};

/** Who a professional caller without an account is, by the kind of source. */
const PROFESSIONAL_ROLES: Record<Group, string> = {
  police: 'Police officer',
  school: 'Designated safeguarding lead',
  health: 'Nurse',
  individual: 'Caller',
  la: 'Social worker',
  other: 'Support worker',
};

const ENQUIRY_MIX: Record<keyof typeof ENQUIRY_TOPICS, number> = {
  childcare: 14,
  parenting: 18,
  send: 14,
  mental_health: 14,
  money_and_housing: 14,
  school: 10,
  activities: 8,
  domestic_abuse: 5,
  other: 3,
};

const ENQUIRY_SERVICES: Record<keyof typeof ENQUIRY_TOPICS, string> = {
  childcare: 'Family Information Service',
  parenting: 'Bridges Family Support',
  send: 'Northbridge SEND Information, Advice and Support Service',
  mental_health: 'Northbridge Young People’s Counselling',
  money_and_housing: 'Northbridge Council Housing Options',
  school: 'School admissions team',
  activities: 'Northbridge Youth Service',
  domestic_abuse: 'Northbridge Domestic Abuse Service',
  other: 'Citizens Advice Northbridge',
};

const ENQUIRY_NOTES: Record<keyof typeof ENQUIRY_TOPICS, string> = {
  childcare: 'Asked about funded childcare hours for a three-year-old.',
  parenting: 'Parent finding bedtimes hard with two young children; asked about parenting groups.',
  send: 'Asked how to request an education, health and care needs assessment.',
  mental_health: 'Parent worried about a teenager’s low mood; no risk of harm described.',
  money_and_housing: 'Family behind on rent after a change in benefits.',
  school: 'Asked about in-year school admissions after moving to the area.',
  activities: 'Asked about holiday activities and free meals for a ten-year-old.',
  domestic_abuse: 'Caller asked for support for a friend; given the helpline and the local service.',
  other: 'General question about council services.',
};

// ---------------------------------------------------------------------------------------------------
// Seeding

type Team = { name: string; localityId: string | null };

type Staff = {
  id: string;
  name: string;
  email: string;
  roles: string[];
  organisationId: string;
  organisationName: string;
  organisationKind: string;
  organisationLocalityId: string | null;
  sector: Sector;
  teams: Team[];
};

type Organisation = { id: string; name: string; sector: Sector; kind: string; localityId: string | null };

type Child = {
  id: string;
  givenName: string | null;
  familyName: string;
  dateOfBirth: string;
  sex: string;
  address: string | null;
  postcode: string | null;
  localityId: string | null;
};

type Actor = { userId: string | null; label: string };

type Referrer = {
  actor: Actor;
  userId: string | null;
  organisationId: string | null;
  sector: Sector | null;
  name: string | null;
  role: string | null;
  phone: string | null;
  email: string | null;
};

type Urgency = 'immediate' | 'today' | 'standard';
type Consent = 'given' | 'refused' | 'not_sought';

type Draft = {
  id: string;
  spec: SourceSpec;
  receivedAt: Date;
  recordedAt: Date;
  dueAt: Date;
  channel: NewRow<'contacts'>['channel'];
  outcome: Outcome;
  level: LevelOfNeed;
  urgency: Urgency;
  priority: Priority;
  consent: Consent;
  consentReason: string | null;
  familyAware: boolean;
  /** The child is found in the index by the decision (always, for decisions that open work). */
  matched: boolean;
  /** The referrer named the child from the index when making the contact. */
  namedByReferrer: boolean;
  /** The referrer did not know the child's name: a description and where they live. */
  described: boolean;
  claimedAt: Date;
  decidedAt: Date;
  approvedAt: Date | null;
  finalAt: Date;
  open: boolean;
  status: ContactStatus;
  child: Child | null;
  reReferral: boolean;
  /** The child was picked as one referred in the year before (a likely re-referral). */
  fromPool: boolean;
};

type ContactRows = {
  contacts: NewRow<'contacts'>[];
  events: NewRow<'contactEvents'>[];
  requests: NewRow<'informationRequests'>[];
  episodes: NewRow<'episodes'>[];
  involvements: (Omit<NewRow<'involvements'>, 'reason'> & { contactId: string })[];
};

export async function seedFrontDoor(
  db: Db,
  partnershipId: string,
  options: SeedFrontDoorOptions,
): Promise<FrontDoorSeedCounts> {
  const seed = options.seed ?? 1;
  const days = options.days ?? 365;

  await db
    .insertInto('frontDoorSettings')
    .values({ partnershipId })
    .onConflict((oc) => oc.column('partnershipId').doNothing())
    .execute();
  const settings = await db
    .selectFrom('frontDoorSettings')
    .selectAll()
    .where('partnershipId', '=', partnershipId)
    .executeTakeFirstOrThrow();
  const [staff, organisations, localities, childCount] = await Promise.all([
    readStaff(db, partnershipId),
    db
      .selectFrom('organisations')
      .select(['id', 'name', 'sector', 'kind', 'localityId'])
      .where('partnershipId', '=', partnershipId)
      .where('active', '=', true)
      .orderBy('name')
      .execute(),
    db
      .selectFrom('localities')
      .select('id')
      .where('partnershipId', '=', partnershipId)
      .orderBy('code')
      .execute(),
    db
      .selectFrom('people')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('partnershipId', '=', partnershipId)
      .where('kind', '<>', 'adult')
      .where('sealedAt', 'is', null)
      .executeTakeFirstOrThrow()
      .then((r) => Number(r.n)),
  ]);
  let yearsWeighted = 0;
  for (let i = 0; i < days; i++) yearsWeighted += volumeTrend((i * DAY_MS) / YEAR_MS);
  const total =
    options.contacts ?? Math.round((childCount * CONTACTS_PER_CHILD_PER_YEAR * yearsWeighted) / 365);

  const plan = new FrontDoorPlan({
    partnershipId,
    seed,
    now: options.now,
    days,
    calendar: calendarFor(settings.calendar),
    decisionWorkingDays: settings.decisionWorkingDays,
    hours: { red: settings.redHours, amber: settings.amberHours, green: settings.greenHours },
    approvalOutcomes: new Set(settings.approvalOutcomes),
    staff,
    organisations,
    localityIds: localities.map((l) => l.id),
    practiceChange: options.practiceChange ?? null,
  });
  const children = total > 0 ? await sampleChildren(db, partnershipId, seed, total) : [];
  const drafts = plan.contacts(total, options.open, children);
  const rows = plan.rows(drafts);
  const enquiries = plan.enquiries(
    Math.round((Math.min(120, Math.max(24, Math.round(childCount / 400))) * Math.max(days, 365)) / 365),
  );

  await db.transaction().execute(async (tx) => {
    const numbers = new Map<string, string>();
    await insertRows(tx, 'contacts', rows.contacts, (written, batch) => {
      for (const w of batch) numbers.set(w.id, String(w.number));
      options.onProgress?.(written, rows.contacts.length);
    });
    // Claiming a matched child's contact gives its holder a front-door involvement for the triage.
    const involvements = rows.involvements.map(({ contactId, ...row }) => ({
      ...row,
      reason: `Triage of contact ${numbers.get(contactId) ?? ''}`,
    }));
    await insertRows(tx, 'involvements', involvements);
    await insertRows(tx, 'contactEvents', rows.events);
    await insertRows(tx, 'informationRequests', rows.requests);
    await insertRows(tx, 'episodes', rows.episodes);
    await insertRows(tx, 'enquiries', enquiries);
  });

  const decided = drafts.filter((d) => d.status === 'decided');
  return {
    contacts: drafts.length,
    open: drafts.length - decided.length,
    decided: decided.length,
    referrals: decided.filter((d) => isReferral(d.outcome)).length,
    reReferrals: decided.filter((d) => d.reReferral).length,
    events: rows.events.length,
    informationRequests: rows.requests.length,
    episodes: rows.episodes.length,
    involvements: rows.involvements.length,
    enquiries: enquiries.length,
  };
}

/** The columns the seed writes, with their types: each batch is one INSERT of unnested arrays. */
const COLUMNS = {
  contacts: {
    partnershipId: 'uuid',
    id: 'uuid',
    receivedAt: 'timestamptz',
    recordedAt: 'timestamptz',
    dueAt: 'timestamptz',
    channel: 'text',
    source: 'text',
    referrerUserId: 'uuid',
    referrerOrganisationId: 'uuid',
    referrerName: 'text',
    referrerRole: 'text',
    referrerPhone: 'text',
    referrerEmail: 'text',
    personId: 'uuid',
    childGivenName: 'text',
    childFamilyName: 'text',
    childDateOfBirth: 'date',
    childAgeYears: 'integer',
    childAddress: 'text',
    childPostcode: 'text',
    childDescription: 'text',
    localityId: 'uuid',
    worries: 'text',
    actionsTaken: 'text',
    familyAware: 'boolean',
    consent: 'text',
    consentReason: 'text',
    urgency: 'text',
    sectorAnswers: 'jsonb',
    status: 'text',
    priority: 'text',
    claimedBy: 'uuid',
    claimedAt: 'timestamptz',
    involvementId: 'uuid',
    outcome: 'text',
    levelOfNeed: 'text',
    decisionReason: 'text',
    decidedBy: 'uuid',
    decidedAt: 'timestamptz',
    approvedBy: 'uuid',
    approvedAt: 'timestamptz',
    finalAt: 'timestamptz',
    reReferral: 'boolean',
    referrerToldAt: 'timestamptz',
    familyToldAt: 'timestamptz',
    familyNotToldReason: 'text',
  },
  contactEvents: {
    partnershipId: 'uuid',
    id: 'uuid',
    contactId: 'uuid',
    action: 'text',
    at: 'timestamptz',
    actorUserId: 'uuid',
    actorLabel: 'text',
    detail: 'jsonb',
  },
  informationRequests: {
    partnershipId: 'uuid',
    id: 'uuid',
    contactId: 'uuid',
    organisationId: 'uuid',
    question: 'text',
    requestedBy: 'uuid',
    requestedAt: 'timestamptz',
    dueAt: 'timestamptz',
    status: 'text',
    answer: 'text',
    answeredBy: 'uuid',
    answeredAt: 'timestamptz',
  },
  episodes: {
    partnershipId: 'uuid',
    id: 'uuid',
    personId: 'uuid',
    contactId: 'uuid',
    kind: 'text',
    status: 'text',
    openedAt: 'timestamptz',
    dueOn: 'date',
    leadProfessionalId: 'uuid',
  },
  involvements: {
    partnershipId: 'uuid',
    id: 'uuid',
    personId: 'uuid',
    userId: 'uuid',
    teamId: 'uuid',
    kind: 'text',
    purpose: 'text',
    reason: 'text',
    startedAt: 'timestamptz',
    createdBy: 'uuid',
  },
  enquiries: {
    partnershipId: 'uuid',
    id: 'uuid',
    receivedAt: 'timestamptz',
    channel: 'text',
    caller: 'text',
    topic: 'text',
    outcome: 'text',
    serviceName: 'text',
    notes: 'text',
    localityId: 'uuid',
    recordedBy: 'uuid',
    recordedAt: 'timestamptz',
  },
} satisfies { [T in SeededTable]: Partial<Record<keyof NewRow<T>, string>> };

type SeededTable =
  'contacts' | 'contactEvents' | 'informationRequests' | 'episodes' | 'involvements' | 'enquiries';

/**
 * Writes rows a batch at a time, each column sent as one array parameter and unnested by the server
 * (as the people seed does): far less SQL to parse than VALUES lists, and no parameter limit.
 */
async function insertRows<T extends SeededTable>(
  tx: Tx,
  table: T,
  rows: readonly NewRow<T>[],
  written?: (count: number, batch: { id: string; number: number | string }[]) => void,
): Promise<void> {
  const types: Record<string, string> = COLUMNS[table];
  const keys = Object.keys(types);
  for (let start = 0; start < rows.length; start += BATCH_ROWS) {
    const batch = rows.slice(start, start + BATCH_ROWS) as readonly Record<string, unknown>[];
    const arrays = keys.map(
      (key) => sql`${batch.map((row) => asParameter(row[key]))}::${sql.raw(types[key]!)}[]`,
    );
    const insert = sql<{ id: string; number: number | string }>`
      insert into ${sql.table(table)} (${sql.join(keys.map((key) => sql.ref(key)))})
      select * from unnest(${sql.join(arrays)})
      ${written ? sql`returning ${sql.ref('id')}, ${sql.ref('number')}` : sql``}`;
    const result = await insert.execute(tx);
    written?.(start + batch.length, result.rows);
  }
}

/** Instants as ISO strings, so both drivers (pg and PGlite) send arrays of them the same way. */
function asParameter(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : (value ?? null);
}

/** Everyone who works in the partnership, with their organisation and current teams. */
async function readStaff(db: Db, partnershipId: string): Promise<Staff[]> {
  return db
    .selectFrom('users as u')
    .innerJoin('organisations as o', (j) =>
      j.onRef('o.partnershipId', '=', 'u.partnershipId').onRef('o.id', '=', 'u.organisationId'),
    )
    .select([
      'u.id',
      'u.displayName as name',
      'u.email',
      'u.roles',
      'u.organisationId',
      'o.name as organisationName',
      'o.kind as organisationKind',
      'o.localityId as organisationLocalityId',
      'o.sector',
      sql<Team[]>`coalesce((
        select json_agg(json_build_object('name', t.name, 'localityId', t.locality_id) order by t.name)
        from memberships m
        join teams t on t.partnership_id = m.partnership_id and t.id = m.team_id
        where m.partnership_id = u.partnership_id and m.user_id = u.id and m.ended_on is null
      ), '[]'::json)`.as('teams'),
    ])
    .where('u.partnershipId', '=', partnershipId)
    .where('u.active', '=', true)
    .orderBy('u.email')
    .execute();
}

/**
 * Children the contacts can be about, in a repeatable random order made from what they are (name, date
 * of birth, address) rather than their ids: as many as there are contacts, more than a year reaches.
 */
async function sampleChildren(db: Db, partnershipId: string, seed: number, limit: number): Promise<Child[]> {
  const { rows } = await sql<Child>`
    select p.id, p.given_name, p.family_name, p.date_of_birth, p.sex,
      h.address_line1 as address, h.postcode, h.locality_id
    from people p
    left join lateral (
      select h.address_line1, h.postcode, h.locality_id
      from household_members m
      join households h on h.partnership_id = m.partnership_id and h.id = m.household_id
      where m.partnership_id = p.partnership_id and m.person_id = p.id and m.ended_on is null
      order by m.started_on desc
      limit 1
    ) h on true
    where p.partnership_id = ${partnershipId} and p.kind = 'child' and p.sealed_at is null
      and p.date_of_birth is not null
    order by md5(concat_ws('|', ${String(seed)}::text, p.family_name, p.given_name, p.date_of_birth::text,
      h.address_line1)), p.id
    limit ${limit}
  `.execute(db);
  return rows;
}

type PlanSettings = {
  partnershipId: string;
  seed: number;
  now: Date;
  days: number;
  calendar: WorkingDayCalendar;
  decisionWorkingDays: number;
  hours: Record<Priority, number>;
  approvalOutcomes: ReadonlySet<string>;
  staff: Staff[];
  organisations: Organisation[];
  localityIds: string[];
  practiceChange: FrontDoorPracticeChange | null;
};

type EventSink = (action: string, at: Date, actor: Actor, detail?: Record<string, unknown>) => void;

const CAN_CREATE = ['practitioner', 'front_door', 'team_manager'];

/** Draws the contacts and everything that happened to them; writes nothing. */
class FrontDoorPlan {
  private readonly random: Faker;
  private readonly ids: Faker;
  private readonly now: number;
  private readonly offsets = new Map<string, number>();
  private readonly dayPicker: Record<Group, { dates: string[]; cumulative: number[] }>;
  /** Who claims and decides contacts, and who approves decisions. */
  private readonly frontDoor: Staff[];
  private readonly managers: Staff[];
  /** Who may make contacts and answer requests (practitioners, the front door, managers). */
  private readonly practitioners: Staff[];

  constructor(private readonly s: PlanSettings) {
    this.random = new Faker({ locale: [en_GB, en, base] });
    this.random.seed(s.seed + 31);
    this.ids = new Faker({ locale: base });
    this.ids.seed([s.seed + 31, ...uuidWords(s.partnershipId)]);
    this.now = s.now.getTime();
    const canTriage = s.staff.filter(
      (u) => u.roles.includes('front_door') || u.roles.includes('team_manager'),
    );
    this.managers = s.staff.filter((u) => u.roles.includes('team_manager'));
    const workers = canTriage.filter((u) => !u.roles.includes('team_manager'));
    this.frontDoor = workers.length > 0 ? workers : canTriage;
    this.practitioners = s.staff.filter((u) => u.roles.some((r) => CAN_CREATE.includes(r)));
    this.dayPicker = this.dayWeights();
  }

  // -------------------------------------------------------------------------------------------------
  // Contacts and their timelines

  contacts(total: number, open: number | undefined, children: Child[]): Draft[] {
    if (total === 0) return [];
    if (this.frontDoor.length === 0)
      throw new Error('Seeding the front door needs a front-door worker or team manager in the partnership');
    if (children.length === 0) throw new Error('Seeding the front door needs children in the partnership');
    const drafts: Draft[] = [];
    for (let i = 0; i < total; i++) drafts.push(this.draft());
    drafts.sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime() || (a.id < b.id ? -1 : 1));

    // The newest are still open: those since the start of the previous working day (at least five).
    const openSince = this.londonInstant(this.previousWorkingDay(this.londonDate(this.now)), 0).getTime();
    const firstRecent = drafts.findIndex((d) => d.receivedAt.getTime() >= openSince);
    const openFrom =
      open !== undefined
        ? Math.max(0, drafts.length - open)
        : Math.min(Math.max(0, drafts.length - 5), firstRecent === -1 ? drafts.length : firstRecent);
    // An older contact whose (late) decision is still to come is open too, and past its deadline.
    drafts.forEach((d, i) => (d.open = i >= openFrom || d.finalAt.getTime() >= this.now));
    const openDrafts = drafts.filter((d) => d.open);
    const maxAwaiting = Math.max(2, Math.round(openDrafts.length * 0.05));
    let awaiting = 0;
    for (const d of openDrafts) {
      // The newest is never yet claimed; of the rest, some wait in the queue.
      if (d === drafts.at(-1) || d.claimedAt.getTime() >= this.now || this.chance(0.22)) d.status = 'new';
      else if (
        awaiting < maxAwaiting &&
        d.approvedAt !== null &&
        d.decidedAt.getTime() < this.now &&
        d.claimedAt.getTime() < this.now - 2 * HOUR
      ) {
        d.status = 'awaiting_approval';
        awaiting++;
      } else d.status = 'in_triage';
    }
    this.assignChildren(drafts, children);
    this.changePractice(drafts);
    this.markReReferrals(drafts);
    return drafts;
  }

  private draft(): Draft {
    const spec = SOURCES[this.weightedIndex(SOURCES.map((s) => s.weight))]!;
    const receivedAt = this.receivedAt(spec.group);
    const yearsAgo = (this.now - receivedAt.getTime()) / YEAR_MS;
    const outcome = this.weighted(trendedMix(OUTCOME_MIX[spec.group], yearsAgo));
    const levels: Partial<Record<LevelOfNeed, number>> = {};
    for (const level of OUTCOME_LEVELS[outcome]) levels[level] = LEVEL_MIX[outcome][level] ?? 1;
    const level = this.weighted(levels);
    const urgency = this.weighted(URGENCY_MIX[outcome]);
    const channel = this.channel(spec);
    const delay =
      channel === 'phone' || channel === 'in_person'
        ? this.minutes(3, 25)
        : channel === 'email' || channel === 'letter'
          ? this.minutes(10, 120)
          : 0;
    const recordedAt = new Date(Math.min(this.now, receivedAt.getTime() + delay));
    const dueAt = this.s.calendar.addWorkingDays(receivedAt, this.s.decisionWorkingDays);
    const claimedAt = this.claimTime(recordedAt, urgency);
    const times = this.decisionTimes(outcome, claimedAt, dueAt, yearsAgo);
    const consent = this.weighted<Consent>(
      outcome === 'strategy_discussion'
        ? { given: 20, refused: 20, not_sought: 60 }
        : spec.group === 'police'
          ? { given: 15, refused: 5, not_sought: 80 }
          : spec.group === 'individual'
            ? { given: 20, refused: 0, not_sought: 80 }
            : { given: 62, refused: 10, not_sought: 28 },
    );
    const practitioner = spec.group !== 'individual' && spec.source !== '10';
    const matched = EPISODE_OUTCOMES[outcome] !== null || this.chance(spec.source === '9' ? 0.3 : 0.75);
    return {
      id: this.newId(),
      spec,
      receivedAt,
      recordedAt,
      dueAt,
      channel,
      outcome,
      level,
      urgency,
      priority: this.weighted(PRIORITY_MIX[outcome]),
      consent,
      consentReason: consent === 'given' ? null : this.consentReason(consent, spec, outcome),
      familyAware: consent !== 'not_sought' || this.chance(0.25),
      matched,
      namedByReferrer: matched && practitioner && this.chance(0.12),
      described: spec.source === '9' || (!matched && this.chance(0.4)),
      claimedAt,
      ...times,
      open: false,
      status: 'decided',
      child: null,
      reReferral: false,
      fromPool: false,
    };
  }

  private consentReason(consent: Consent, spec: SourceSpec, outcome: Outcome): string {
    if (consent === 'refused')
      return 'The parents do not agree, but the worries are serious enough to share without their consent';
    if (outcome === 'strategy_discussion') return 'Asking the family could put the child at risk of harm';
    if (spec.source === '9') return 'Anonymous caller';
    if (spec.group === 'police') return 'Police notification, shared under the duty to safeguard children';
    if (spec.group === 'individual')
      return 'The caller is not the child’s parent and did not want the family told';
    return 'The referrer could not reach the parents before making the contact';
  }

  private channel(spec: SourceSpec): Draft['channel'] {
    switch (spec.group) {
      case 'police':
        return this.weighted({ police_notification: 70, phone: 15, email: 10, api: 5 });
      case 'individual':
        return spec.source === '9'
          ? 'phone'
          : this.weighted({ phone: 70, online_form: 20, in_person: 5, letter: 5 });
      case 'health':
        return this.weighted({ online_form: 50, phone: 30, email: 15, api: 5 });
      case 'school':
      case 'la':
      case 'other':
        return this.weighted({ online_form: 55, phone: 30, email: 15 });
    }
  }

  /** A time in the period, on a day weighted for the source, at an hour of the day weighted for it. */
  private receivedAt(group: Group): Date {
    const picker = this.dayPicker[group];
    for (;;) {
      const target = this.random.number.float() * picker.cumulative.at(-1)!;
      let lo = 0;
      let hi = picker.cumulative.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (picker.cumulative[mid]! < target) lo = mid + 1;
        else hi = mid;
      }
      const minute = this.weightedIndex(HOUR_WEIGHTS[group]) * 60 + this.random.number.int(59);
      const at = this.londonInstant(picker.dates[lo]!, minute).getTime() + this.random.number.int(59) * 1000;
      if (at <= this.now) return new Date(at);
    }
  }

  /** Immediate worries are picked up at once; others in office hours, those out of hours next morning. */
  private claimTime(recordedAt: Date, urgency: Urgency): Date {
    const recorded = recordedAt.getTime();
    if (urgency === 'immediate') return new Date(recorded + this.minutes(5, 40));
    const date = this.londonDate(recorded);
    const minuteOfDay = (recorded - this.londonInstant(date, 0).getTime()) / MINUTE;
    const working = this.s.calendar.isWorkingDay(date);
    if (working && minuteOfDay >= 8 * 60 && minuteOfDay < 17 * 60)
      return new Date(recorded + 10 * MINUTE + this.random.number.float() ** 2 * 170 * MINUTE);
    const day = working && minuteOfDay < 8 * 60 ? date : this.nextWorkingDay(date);
    return new Date(this.londonInstant(day, 8 * 60 + 30).getTime() + this.minutes(0, 120));
  }

  /** Most decisions are made in time; those a manager approves take effect when approved. */
  private decisionTimes(outcome: Outcome, claimedAt: Date, dueAt: Date, yearsAgo: number) {
    const claimed = claimedAt.getTime();
    const due = dueAt.getTime();
    const inTime = this.chance(
      outcome === 'strategy_discussion' ? 0.97 : IN_TIME_SHARE - IN_TIME_GAIN * Math.max(0, yearsAgo),
    );
    let final: number;
    if (inTime && outcome === 'strategy_discussion' && due - claimed > 3 * HOUR)
      final = claimed + this.minutes(20, 150);
    else if (inTime && due - claimed > 40 * MINUTE)
      final = claimed + 15 * MINUTE + this.random.number.float() ** 1.4 * (due - claimed - 20 * MINUTE);
    else final = Math.max(due, claimed) + 20 * MINUTE + this.random.number.float() * 36 * HOUR;
    if (!this.s.approvalOutcomes.has(outcome) || this.managers.length === 0)
      return { decidedAt: new Date(final), approvedAt: null, finalAt: new Date(final) };
    const wait = Math.min(this.minutes(10, 180), (final - claimed) / 2);
    return { decidedAt: new Date(final - wait), approvedAt: new Date(final), finalAt: new Date(final) };
  }

  // -------------------------------------------------------------------------------------------------
  // Children

  /**
   * Each contact's child, in the order contacts came in. A referral goes to a child with a referral
   * decided in the last twelve months often enough to keep re-referrals at 22% of referrals, otherwise
   * to a child never referred; other contacts are now and then about a child met before.
   */
  private assignChildren(drafts: Draft[], children: Child[]) {
    // Children born after the first contact join the queue at a random place once they are born
    // (over years of contacts, the unborn would otherwise crowd the front of the queue).
    const firstDay = drafts.length > 0 ? isoDate(drafts[0]!.receivedAt.getTime()) : '';
    const order = children.filter((c) => c.dateOfBirth <= firstDay);
    const unborn = children
      .filter((c) => c.dateOfBirth > firstDay)
      .sort((a, b) => (a.dateOfBirth < b.dateOfBirth ? -1 : a.dateOfBirth > b.dateOfBirth ? 1 : 0));
    let nextBorn = 0;
    let next = 0;
    const contacted: Child[] = [];
    const seen = new Set<string>();
    const referred = new Set<string>();
    const pool: { child: Child; finalAt: number }[] = [];
    let referrals = 0;
    let reReferrals = 0;
    for (const d of drafts) {
      const at = d.receivedAt.getTime();
      const today = isoDate(at);
      for (; nextBorn < unborn.length && unborn[nextBorn]!.dateOfBirth <= today; nextBorn++) {
        const place = next + this.random.number.int(Math.max(0, order.length - next));
        if (place < order.length) {
          order.push(order[place]!);
          order[place] = unborn[nextBorn]!;
        } else order.push(unborn[nextBorn]!);
      }
      const born = (c: Child) => c.dateOfBirth <= today;
      const fits = (c: Child) => {
        if (!born(c)) return false;
        const age = ageOn(c.dateOfBirth, today);
        return !d.spec.ages || (age >= d.spec.ages[0] && age <= d.spec.ages[1]);
      };
      const fresh = (): Child | undefined => {
        // The next unused child who fits the source; failing that, anyone born by then.
        for (const test of [fits, born]) {
          for (let k = next; k < Math.min(order.length, next + 80); k++) {
            const c = order[k]!;
            if (test(c)) {
              [order[k], order[next]] = [order[next]!, c];
              next++;
              return c;
            }
          }
        }
        return undefined;
      };
      const earlier = (test: (c: Child) => boolean): Child | undefined => {
        for (let tries = 0; tries < 8 && contacted.length > 0; tries++) {
          const c = this.random.helpers.arrayElement(contacted);
          if (test(c)) return c;
        }
        return undefined;
      };
      const decided = d.status === 'decided';
      let child: Child | undefined;
      if (isReferral(d.outcome)) {
        const eligible = decided
          ? pool.filter((p) => p.finalAt < at && p.finalAt > at - 330 * DAY_MS && born(p.child))
          : [];
        if (eligible.length > 0 && reReferrals < RE_REFERRAL_SHARE * (referrals + 1)) {
          child = this.random.helpers.arrayElement(eligible).child;
          d.fromPool = true;
          reReferrals++;
        } else {
          const known = this.chance(0.3) ? earlier((c) => !referred.has(c.id) && fits(c)) : undefined;
          child = known ?? fresh() ?? earlier((c) => !referred.has(c.id) && born(c));
        }
        if (decided) referrals++;
      } else {
        child = (this.chance(0.2) ? earlier(fits) : undefined) ?? fresh();
      }
      child ??= earlier(born) ?? order.find(born) ?? order[0] ?? children[0]!;
      d.child = child;
      if (!seen.has(child.id)) {
        seen.add(child.id);
        contacted.push(child);
      }
      if (isReferral(d.outcome)) {
        referred.add(child.id);
        if (decided) pool.push({ child, finalAt: d.finalAt.getTime() });
      }
    }
  }

  /**
   * The changed locality's decisions from the day of its change: some contacts that would have been
   * referrals (most of those about a child referred in the year before) or closed with no further
   * action are decided as early help instead, the effect building up over the first months.
   */
  private changePractice(drafts: Draft[]) {
    const change = this.s.practiceChange;
    if (!change) return;
    const from = this.londonInstant(change.changedOn, 0).getTime();
    const ramp = Math.max(1, change.rampMonths ?? 6) * (YEAR_MS / 12);
    for (const d of drafts) {
      const at = d.receivedAt.getTime();
      if (d.status !== 'decided' || at < from || d.child?.localityId !== change.localityId) continue;
      const shares = CHANGED_TO_EARLY_HELP[d.outcome];
      const share = (d.fromPool ? shares.reReferral : shares.any) * Math.min(1, (at - from) / ramp);
      if (share > 0 && this.chance(share)) this.redecide(d, 'early_help');
    }
  }

  /** Makes a decided contact's decision another: its level, urgency and priority, and its approval. */
  private redecide(d: Draft, outcome: Outcome) {
    d.outcome = outcome;
    const levels: Partial<Record<LevelOfNeed, number>> = {};
    for (const level of OUTCOME_LEVELS[outcome]) levels[level] = LEVEL_MIX[outcome][level] ?? 1;
    d.level = this.weighted(levels);
    d.urgency = this.weighted(URGENCY_MIX[outcome]);
    d.priority = this.weighted(PRIORITY_MIX[outcome]);
    const approval = this.s.approvalOutcomes.has(outcome) && this.managers.length > 0;
    if (!approval && d.approvedAt) {
      d.approvedAt = null;
      d.finalAt = d.decidedAt;
    } else if (approval && !d.approvedAt) {
      const final = d.finalAt.getTime();
      d.decidedAt = new Date(final - Math.min(this.minutes(10, 180), (final - d.claimedAt.getTime()) / 2));
      d.approvedAt = d.finalAt;
    }
  }

  /** As the service decides it: a referral whose child had another referral take effect in the year before. */
  private markReReferrals(drafts: Draft[]) {
    const last = new Map<string, number>();
    const referrals = drafts
      .filter((d) => d.status === 'decided' && isReferral(d.outcome))
      .sort((a, b) => a.finalAt.getTime() - b.finalAt.getTime());
    for (const d of referrals) {
      const childId = d.child!.id;
      const previous = last.get(childId);
      d.reReferral = previous !== undefined && previous >= d.finalAt.getTime() - YEAR_MS;
      last.set(childId, d.finalAt.getTime());
    }
  }

  // -------------------------------------------------------------------------------------------------
  // Rows

  rows(drafts: Draft[]): ContactRows {
    const out: ContactRows = { contacts: [], events: [], requests: [], episodes: [], involvements: [] };
    for (const d of drafts) this.contactRows(d, out);
    return out;
  }

  private contactRows(d: Draft, out: ContactRows) {
    const { partnershipId } = this.s;
    const child = d.child!;
    const referrer = this.referrerFor(d, child);
    const decided = d.status === 'decided';
    const hasDecision = decided || d.status === 'awaiting_approval';
    const holder = d.status === 'new' ? null : this.pick(this.frontDoor);
    const holderActor: Actor = holder ? { userId: holder.id, label: holder.name } : referrer.actor;
    // In triage the child is matched in the index a few minutes after the claim, or not yet.
    const personId =
      d.namedByReferrer || (d.matched && holder && (hasDecision || this.chance(0.7))) ? child.id : null;
    const prioritised = hasDecision || (holder !== null && this.chance(0.7));
    const event: EventSink = (action, at, actor, detail = {}) =>
      out.events.push({
        partnershipId,
        id: this.newId(),
        contactId: d.id,
        action,
        at,
        actorUserId: actor.userId,
        actorLabel: actor.label,
        detail: JSON.stringify(detail),
      });

    event('create', d.recordedAt, referrer.actor, { channel: d.channel, urgency: d.urgency });
    const claimedAt = holder ? d.claimedAt : null;
    if (holder && claimedAt) {
      const start = claimedAt.getTime();
      const until = hasDecision ? d.decidedAt.getTime() : this.now;
      const step = (share: number, most: number) => new Date(start + Math.min((until - start) * share, most));
      event('claim', claimedAt, holderActor);
      if (personId && !d.namedByReferrer) {
        const automatic = this.chance(0.55);
        event('match', step(0.02, this.minutes(1, 8)), holderActor, {
          personId,
          newPerson: false,
          automatic,
          ...(automatic
            ? { probability: Math.round((0.97 + this.random.number.float() * 0.029) * 1e4) / 1e4 }
            : {}),
        });
      }
      if (prioritised) {
        event('prioritise', step(0.04, this.minutes(9, 20)), holderActor, { priority: d.priority });
        this.informationRequests(
          d,
          child,
          holder,
          step(0.05, this.minutes(20, 40)).getTime(),
          until,
          event,
          out,
        );
      }
    }
    const reason = hasDecision ? this.pick(DECISION_REASONS[d.outcome]) : null;
    if (hasDecision)
      event('decide', d.decidedAt, holderActor, {
        outcome: d.outcome,
        levelOfNeed: d.level,
        reason,
        ...(d.approvedAt ? { approvalNeeded: true } : {}),
      });
    const approver = decided && d.approvedAt && holder ? this.approverFor(holder) : null;
    if (approver && d.approvedAt)
      event(
        'approve',
        d.approvedAt,
        { userId: approver.id, label: approver.name },
        this.chance(0.3) ? { note: 'Agreed.' } : {},
      );

    let referrerToldAt: Date | null = null;
    let familyToldAt: Date | null = null;
    let familyNotToldReason: string | null = null;
    if (decided) {
      const told = (spanHours: number) => {
        const at = d.finalAt.getTime() + 30 * MINUTE + this.random.number.float() * spanHours * HOUR;
        return at < this.now ? new Date(at) : null;
      };
      if ((referrer.userId || referrer.name) && this.chance(0.8)) {
        referrerToldAt = told(48);
        if (referrerToldAt) event('record_feedback', referrerToldAt, holderActor, { told: 'referrer' });
      }
      if (d.outcome === 'strategy_discussion' && this.chance(0.5)) {
        familyNotToldReason = 'Telling the family before the strategy discussion could put the child at risk';
        const at = new Date(Math.min(this.now, d.finalAt.getTime() + 5 * MINUTE));
        event('record_feedback', at, holderActor, { told: 'family_not_told', reason: familyNotToldReason });
      } else if (d.familyAware && this.chance(0.6)) {
        familyToldAt = told(72);
        if (familyToldAt) event('record_feedback', familyToldAt, holderActor, { told: 'family' });
      }
      this.episode(d, child, out);
    }
    let involvementId: string | null = null;
    if (personId && holder && claimedAt && !decided) {
      involvementId = this.newId();
      out.involvements.push({
        partnershipId,
        id: involvementId,
        contactId: d.id,
        personId,
        userId: holder.id,
        teamId: null,
        kind: 'front_door',
        purpose: 'safeguarding',
        startedAt: claimedAt,
        createdBy: holder.id,
      });
    }

    out.contacts.push({
      partnershipId,
      id: d.id,
      receivedAt: d.receivedAt,
      recordedAt: d.recordedAt,
      dueAt: d.dueAt,
      channel: d.channel,
      source: d.spec.source,
      referrerUserId: referrer.userId,
      referrerOrganisationId: referrer.organisationId,
      referrerName: referrer.name,
      referrerRole: referrer.role,
      referrerPhone: referrer.phone,
      referrerEmail: referrer.email,
      personId,
      ...this.childDetails(d, child),
      localityId: child.localityId,
      worries: this.worries(d, child),
      actionsTaken: this.chance(0.6) ? this.pick(ACTIONS_TAKEN[d.spec.group]) : null,
      familyAware: d.familyAware,
      consent: d.consent,
      consentReason: d.consentReason,
      urgency: d.urgency,
      sectorAnswers: JSON.stringify(referrer.sector ? this.sectorAnswers(referrer.sector, d, child) : {}),
      status: d.status,
      priority: prioritised ? d.priority : null,
      claimedBy: holder?.id ?? null,
      claimedAt,
      involvementId,
      outcome: hasDecision ? d.outcome : null,
      levelOfNeed: hasDecision ? d.level : null,
      decisionReason: reason,
      decidedBy: hasDecision ? (holder?.id ?? null) : null,
      decidedAt: hasDecision ? d.decidedAt : null,
      approvedBy: approver?.id ?? null,
      approvedAt: approver ? d.approvedAt : null,
      finalAt: decided ? d.finalAt : null,
      reReferral: d.reReferral,
      referrerToldAt,
      familyToldAt,
      familyNotToldReason,
    });
  }

  /** Who made the contact: a practitioner with an account where the source has one, otherwise a caller. */
  private referrerFor(d: Draft, child: Child): Referrer {
    const { source, group } = d.spec;
    const users = this.referrerPool(source, child, d.receivedAt);
    if (users.length > 0 && this.chance(0.85)) {
      const user = this.pick(users);
      return {
        actor: { userId: user.id, label: user.name },
        userId: user.id,
        organisationId: user.organisationId,
        sector: user.sector,
        name: null,
        role: null,
        phone: null,
        email: null,
      };
    }
    const recorder: Actor =
      d.channel === 'online_form'
        ? { userId: null, label: 'system: online contact form' }
        : d.channel === 'api'
          ? { userId: null, label: `system: ${group === 'police' ? 'police' : 'health'} notifications feed` }
          : { userId: this.pick(this.frontDoor).id, label: '' };
    if (recorder.userId) recorder.label = this.frontDoor.find((u) => u.id === recorder.userId)!.name;
    const anonymous = source === '9' || (source === '10' && this.chance(0.5));
    if (anonymous)
      return {
        actor: recorder,
        userId: null,
        organisationId: null,
        sector: null,
        name: null,
        role: null,
        phone: null,
        email: null,
      };
    const professional = !['1A', '1B', '1C', '1D', '10'].includes(source);
    const given = this.pick(this.chance(0.6) ? WOMENS_NAMES : MENS_NAMES);
    const family = source === '1A' && this.chance(0.6) ? child.familyName : this.pick(FAMILY_NAMES);
    const gp =
      source === '3A'
        ? this.s.organisations.find((o) => o.kind === 'GP practice' && o.localityId === child.localityId)
        : undefined;
    const role =
      source === '1C'
        ? 'The young person'
        : gp
          ? `GP, ${gp.name}`
          : CALLER_ROLES[source]
            ? this.pick(CALLER_ROLES[source])
            : source === '10'
              ? null
              : PROFESSIONAL_ROLES[group];
    const name =
      source === '1C'
        ? `${child.givenName ?? ''} ${child.familyName}`.trim()
        : `${source === '3A' ? 'Dr ' : ''}${given} ${family}`;
    const domain = source === '5C' ? 'eastshire.example' : 'northbridge.example';
    return {
      actor: recorder,
      userId: null,
      organisationId: null,
      sector: null,
      name,
      role,
      phone: professional
        ? `01632 960${this.digits(3)}`
        : this.chance(0.8)
          ? `07700 900${this.digits(3)}`
          : null,
      email:
        professional && this.chance(0.7)
          ? `${given}.${family}@${domain}`.toLowerCase().replace(/[^a-z.@]/g, '')
          : null,
    };
  }

  /** The practitioners who would make a contact from this source about this child. */
  private referrerPool(source: ContactSource, child: Child, at: Date): Staff[] {
    const p = this.practitioners;
    const inTeam = (re: RegExp) => p.filter((u) => u.teams.some((t) => re.test(t.name)));
    switch (source) {
      case '6':
        return p.filter((u) => u.sector === 'police');
      case '2A': {
        const schools = p.filter((u) => u.sector === 'education');
        const kind = schoolKindFor(ageOn(child.dateOfBirth, isoDate(at.getTime())));
        const own = schools.filter(
          (u) => u.organisationLocalityId === child.localityId && u.organisationKind === kind,
        );
        return own.length > 0 ? own : schools;
      }
      case '3A':
        return p.filter(
          (u) => u.organisationKind === 'GP practice' && u.organisationLocalityId === child.localityId,
        );
      case '3B':
        return inTeam(/health visit/i);
      case '3C':
        return inTeam(/school nurs/i);
      case '3D':
        return p.filter((u) => u.sector === 'health' && !/hospital|GP/i.test(u.organisationKind));
      case '3E':
      case '3F':
        return p.filter((u) => u.sector === 'health' && /hospital/i.test(u.organisationKind));
      case '4':
        return p.filter((u) => u.sector === 'housing');
      case '5A': {
        const locality = p.filter((u) =>
          u.teams.some((t) => /locality/i.test(t.name) && t.localityId === child.localityId),
        );
        return locality.length > 0 ? locality : inTeam(/locality/i);
      }
      case '5D':
        return inTeam(/early help/i);
      case '7':
        return p.filter((u) => u.sector === 'youth_justice');
      case '8':
        return p.filter((u) => u.sector === 'voluntary');
      // Individuals, the anonymous and those unknown, and agencies without accounts here, call in.
      case '1A':
      case '1B':
      case '1C':
      case '1D':
      case '2B':
      case '5B':
      case '5C':
      case '9':
      case '10':
        return [];
    }
  }

  private approverFor(holder: Staff): Staff | null {
    const others = this.managers.filter((m) => m.id !== holder.id);
    return others.length > 0 ? this.pick(others) : null;
  }

  /** Requests to partner agencies that hold something about the child, answered before the decision. */
  private informationRequests(
    d: Draft,
    child: Child,
    holder: Staff,
    from: number,
    until: number,
    event: EventSink,
    out: ContactRows,
  ) {
    if (!this.chance(REQUEST_SHARE[d.outcome])) return;
    const agencies = this.agenciesFor(child, d.receivedAt);
    const count = Math.min(agencies.length, this.chance(0.35) ? 2 : 1);
    const decided = d.status !== 'in_triage';
    for (const agency of this.random.helpers.arrayElements(agencies, count)) {
      const requestedAt = from + (until - from) * (0.05 + 0.25 * this.random.number.float());
      if (requestedAt > this.now) continue;
      const dueAt = requestedAt + this.s.hours[d.priority] * HOUR;
      const answeredAt = decided
        ? requestedAt + (until - requestedAt) * (0.3 + 0.6 * this.random.number.float())
        : requestedAt + this.random.number.float() * 1.3 * this.s.hours[d.priority] * HOUR;
      const answered = answeredAt < this.now;
      const answerer = this.pick(agency.staff);
      const id = this.newId();
      out.requests.push({
        partnershipId: this.s.partnershipId,
        id,
        contactId: d.id,
        organisationId: agency.organisation.id,
        question: this.question(agency.organisation.sector),
        requestedBy: holder.id,
        requestedAt: new Date(requestedAt),
        dueAt: new Date(dueAt),
        status: answered ? 'answered' : 'open',
        answer: answered ? this.answer(agency.organisation.sector) : null,
        answeredBy: answered ? answerer.id : null,
        answeredAt: answered ? new Date(answeredAt) : null,
      });
      event(
        'request_information',
        new Date(requestedAt),
        { userId: holder.id, label: holder.name },
        {
          requestId: id,
          organisation: agency.organisation.name,
          dueAt: new Date(dueAt).toISOString(),
        },
      );
      if (answered)
        event(
          'information_received',
          new Date(answeredAt),
          { userId: answerer.id, label: answerer.name },
          {
            requestId: id,
          },
        );
    }
  }

  /** The police, the child's GP (or the community health trust) and the child's school, where they have staff. */
  private agenciesFor(child: Child, at: Date) {
    const staffOf = (organisationId: string) =>
      this.practitioners.filter((u) => u.organisationId === organisationId);
    const withStaff = (o: Organisation | undefined) =>
      o ? { organisation: o, staff: staffOf(o.id) } : undefined;
    const kind = schoolKindFor(ageOn(child.dateOfBirth, isoDate(at.getTime())));
    const candidates = [
      withStaff(this.s.organisations.find((o) => o.sector === 'police')),
      withStaff(
        this.s.organisations.find((o) => o.kind === 'GP practice' && o.localityId === child.localityId),
      ),
      withStaff(this.s.organisations.find((o) => o.sector === 'health' && /community/i.test(o.kind))),
      withStaff(this.s.organisations.find((o) => o.kind === kind && o.localityId === child.localityId)),
    ];
    const found = candidates.filter(
      (c): c is { organisation: Organisation; staff: Staff[] } => !!c && c.staff.length > 0,
    );
    // One health agency is enough: the GP where the practice has staff here, otherwise the trust.
    const gp = found.findIndex((c) => c.organisation.kind === 'GP practice');
    if (gp >= 0)
      return found.filter((c) => c.organisation.sector !== 'health' || c.organisation.kind === 'GP practice');
    return found;
  }

  private question(sector: Sector): string {
    switch (sector) {
      case 'police':
        return 'Please share any incidents at the address or involving the adults in the household in the last two years, and any bail conditions.';
      case 'health':
        return 'Please share any health worries, missed appointments and emergency department visits for the child, and anything known about the parents’ health that affects their care.';
      case 'education':
        return 'Please share attendance, any safeguarding records and how the child presents in school.';
      case 'social_care':
      case 'youth_justice':
      case 'housing':
      case 'voluntary':
      case 'other':
        return 'Please share what your agency knows about the child and family.';
    }
  }

  private answer(sector: Sector): string {
    const answers: Record<string, string[]> = {
      police: [
        'Two domestic incidents at the address in the last year, both verbal. No current bail conditions.',
        'No police records for the address or the adults named.',
        'Father has a conviction for assault (2021). One incident at the address last month, the child present.',
      ],
      health: [
        'Immunisations up to date. Two missed outpatient appointments this year. Mother under the GP for anxiety.',
        'No health worries recorded; last seen for a routine review three months ago.',
        'Seen in the emergency department twice this year (minor injuries); follow-up not attended.',
      ],
      education: [
        'Attendance 82% this year, 94% last year. Two safeguarding records for arriving hungry.',
        'Attendance good. No safeguarding records; the child presents as happy and settled.',
        'Attendance 68%; on a part-time timetable since October. The child is withdrawn in lessons.',
      ],
    };
    return this.pick(answers[sector] ?? ['No record of the child or family.']);
  }

  /** The work a decision opens: allocated in a few days, to early help or the child's locality team. */
  private episode(d: Draft, child: Child, out: ContactRows) {
    const kind = EPISODE_OUTCOMES[d.outcome];
    if (!kind) return;
    const opened = d.finalAt.getTime();
    const age = this.now - opened;
    const dueOn =
      kind === 'statutory_assessment'
        ? this.s.calendar.addWorkingDaysToDate(d.receivedAt.toISOString().slice(0, 10), 45)
        : null;
    const leads =
      kind === 'early_help'
        ? this.practitioners.filter((u) => u.teams.some((t) => /early help/i.test(t.name)))
        : this.practitioners.filter((u) =>
            u.teams.some((t) => /locality/i.test(t.name) && t.localityId === child.localityId),
          );
    // Work from before the latest year has all been allocated (to any locality team for a child
    // whose locality is not known) and closed.
    const anyLeads =
      leads.length > 0
        ? leads
        : this.practitioners.filter((u) => u.teams.some((t) => /locality/i.test(t.name)));
    const old = age > YEAR_MS && anyLeads.length > 0;
    const waiting =
      !old && (age < (kind === 'early_help' ? 5 : 2) * DAY_MS || this.chance(0.04) || leads.length === 0);
    const closed =
      old ||
      (!waiting &&
        (kind === 'statutory_assessment'
          ? dueOn !== null && Date.parse(dueOn) < this.now - 5 * DAY_MS && this.chance(0.85)
          : kind === 'early_help'
            ? age > 180 * DAY_MS && this.chance(0.7)
            : age > 30 * DAY_MS && this.chance(0.8)));
    out.episodes.push({
      partnershipId: this.s.partnershipId,
      id: this.newId(),
      personId: child.id,
      contactId: d.id,
      kind,
      status: waiting ? 'awaiting_allocation' : closed ? 'closed' : 'open',
      openedAt: d.finalAt,
      dueOn,
      leadProfessionalId: waiting ? null : this.pick(old ? anyLeads : leads).id,
    });
  }

  /** What the contact says about the child: as the index has them, with a referrer's slips, or a description. */
  private childDetails(d: Draft, child: Child) {
    const age = Math.max(0, ageOn(child.dateOfBirth, isoDate(d.receivedAt.getTime())));
    const none = {
      childGivenName: null,
      childFamilyName: null,
      childDateOfBirth: null,
      childAgeYears: null,
      childAddress: null,
      childPostcode: null,
      childDescription: null,
    };
    if (d.described && !d.namedByReferrer) {
      const who = child.sex === 'female' ? 'Girl' : child.sex === 'male' ? 'Boy' : 'Child';
      const extra = this.pick([
        'lives with mum and younger brothers and sisters',
        'often seen out on their own late in the evening',
        'goes to a local school; the family moved in last year',
        'lives with a parent and the parent’s partner',
        'seen with older teenagers near the shops',
      ]);
      return {
        ...none,
        childGivenName: this.chance(0.3) ? child.givenName : null,
        childAgeYears: Math.min(25, Math.max(0, age + this.random.number.int({ min: -1, max: 1 }))),
        childAddress: child.address ?? 'Address not known',
        childPostcode: this.chance(0.6) ? child.postcode : null,
        childDescription: `${who} of about ${Math.max(1, age)}, ${extra}`,
      };
    }
    const slip = !d.namedByReferrer && this.chance(0.08);
    const knowsDob = d.namedByReferrer || this.chance(0.85);
    return {
      ...none,
      childGivenName: child.givenName,
      childFamilyName: slip ? swapLetters(child.familyName, this.random.number.int(100)) : child.familyName,
      childDateOfBirth: knowsDob ? child.dateOfBirth : null,
      childAgeYears: knowsDob ? null : Math.min(25, age),
      childAddress: this.chance(0.85) ? child.address : null,
      childPostcode: this.chance(0.9) ? child.postcode : null,
    };
  }

  private worries(d: Draft, child: Child): string {
    const severity: Severity =
      d.outcome === 'strategy_discussion' || d.level === 'acute'
        ? 'high'
        : d.outcome === 'early_help' || d.outcome === 'statutory_assessment'
          ? 'medium'
          : 'low';
    const name = d.described || !child.givenName ? 'the child' : child.givenName;
    const text = this.pick(WORRIES[d.spec.group][severity]).replaceAll('{child}', name);
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  /** The answers the contact form asks practitioners of the referrer's sector for. */
  private sectorAnswers(sector: Sector, d: Draft, child: Child): Record<string, string> {
    const worse = d.outcome !== 'no_further_action' && d.outcome !== 'information_and_signposting';
    switch (sector) {
      case 'education': {
        const attendance = worse
          ? this.random.number.int({ min: 62, max: 89 })
          : this.random.number.int({ min: 86, max: 98 });
        return {
          attendance: `${attendance}%${attendance < 90 ? ', falling this term' : ''}`,
          behaviour: worse ? 'Withdrawn and tired; upset at the end of the day' : 'No change',
          ...(worse && this.chance(0.3) ? { exclusions: 'One fixed-term suspension this year' } : {}),
        };
      }
      case 'health':
        return {
          growth:
            ageOn(child.dateOfBirth, isoDate(d.receivedAt.getTime())) < 5 && worse
              ? 'Weight has dropped from the 50th to the 9th centile'
              : 'No concerns',
          missedAppointments: worse ? `${this.random.number.int({ min: 1, max: 4 })} not brought` : 'None',
        };
      case 'police':
        return {
          incidentReference: `NP-${d.receivedAt.toISOString().slice(2, 4)}-${this.digits(6)}`,
          ...(this.chance(0.4)
            ? { domesticAbuse: 'Verbal argument between the adults; the child was present' }
            : {}),
        };
      case 'housing':
        return {
          housingSituation: this.pick([
            'Eight weeks’ rent arrears',
            'Overcrowded two-bedroom flat',
            'In temporary accommodation',
          ]),
        };
      case 'youth_justice':
        return {
          orders: this.pick(['Referral order (six months)', 'Youth caution', 'Court date next month']),
        };
      case 'social_care':
      case 'voluntary':
      case 'other':
        return {};
    }
  }

  // -------------------------------------------------------------------------------------------------
  // Enquiries

  /** Questions the contact centre answered without a contact: on working days, in office hours. */
  enquiries(count: number): NewRow<'enquiries'>[] {
    if (this.frontDoor.length === 0) return [];
    const rows: NewRow<'enquiries'>[] = [];
    for (let i = 0; i < count; i++) {
      const receivedAt = this.receivedAt('la');
      const topic = this.weighted(ENQUIRY_MIX);
      const outcome = this.weighted({
        information_given: 35,
        signposted: 45,
        redirected_to_contact: 10,
        redirected_elsewhere: 10,
      });
      rows.push({
        partnershipId: this.s.partnershipId,
        id: this.newId(),
        receivedAt,
        channel: this.weighted({ phone: 65, email: 15, online_form: 10, in_person: 7, letter: 3 }),
        caller: this.weighted({ parent_or_carer: 55, professional: 20, young_person: 10, public: 15 }),
        topic,
        outcome,
        serviceName:
          outcome === 'signposted' || outcome === 'redirected_elsewhere' ? ENQUIRY_SERVICES[topic] : null,
        notes:
          outcome === 'redirected_to_contact'
            ? `${ENQUIRY_NOTES[topic]} Worries about a child's safety: passed to the front door as a contact.`
            : ENQUIRY_NOTES[topic],
        localityId: this.s.localityIds.length > 0 && this.chance(0.7) ? this.pick(this.s.localityIds) : null,
        recordedBy: this.pick(this.frontDoor).id,
        recordedAt: new Date(Math.min(this.now, receivedAt.getTime() + this.minutes(2, 20))),
      });
    }
    return rows.sort((a, b) => (a.receivedAt as Date).getTime() - (b.receivedAt as Date).getTime());
  }

  // -------------------------------------------------------------------------------------------------
  // Days and times (London)

  /** Each source's days, weighted by weekday, bank holidays, school holidays and Christmas. */
  private dayWeights(): Record<Group, { dates: string[]; cumulative: number[] }> {
    const today = this.londonDate(this.now);
    const dates: string[] = [];
    for (let i = this.s.days - 1; i >= 0; i--) dates.push(addDays(today, -i));
    const groups = Object.keys(WEEKDAY_WEIGHTS) as Group[];
    // The slow growth in contacts, and the months' ups and downs.
    const trends = dates.map(
      (date, i) => volumeTrend((dates.length - 1 - i) / 365) * MONTH_WEIGHTS[Number(date.slice(5, 7)) - 1]!,
    );
    const out = {} as Record<Group, { dates: string[]; cumulative: number[] }>;
    for (const group of groups) {
      let sum = 0;
      const cumulative = dates.map((date, i) => {
        const weekday = new Date(`${date}T12:00:00Z`).getUTCDay();
        const bankHoliday = weekday !== 0 && weekday !== 6 && !this.s.calendar.isWorkingDay(date);
        let w = WEEKDAY_WEIGHTS[group][bankHoliday ? 0 : weekday]!;
        w *= trends[i]!;
        const md = date.slice(5);
        const schoolHoliday = SCHOOL_HOLIDAYS.some(([from, to]) => md >= from && md <= to);
        if (schoolHoliday && group === 'school') w *= 0.04;
        else if (schoolHoliday && group !== 'police') w *= 0.9;
        if (group === 'police' && (md >= '12-24' || md <= '01-01')) w *= 1.2;
        sum += w;
        return sum;
      });
      out[group] = { dates, cumulative };
    }
    return out;
  }

  /** London's offset from UTC on a day, in ms (taken at noon, so the small hours of a clock change are an hour out). */
  private offset(date: string): number {
    let ms = this.offsets.get(date);
    if (ms === undefined) {
      const hour = Number(LONDON_HOUR.format(new Date(`${date}T12:00:00Z`)));
      ms = (hour - 12) * HOUR;
      this.offsets.set(date, ms);
    }
    return ms;
  }

  private londonInstant(date: string, minuteOfDay: number): Date {
    return new Date(Date.parse(`${date}T00:00:00Z`) + minuteOfDay * MINUTE - this.offset(date));
  }

  private londonDate(at: number): string {
    return isoDate(at + this.offset(isoDate(at)));
  }

  private nextWorkingDay(date: string): string {
    let next = addDays(date, 1);
    while (!this.s.calendar.isWorkingDay(next)) next = addDays(next, 1);
    return next;
  }

  private previousWorkingDay(date: string): string {
    let previous = addDays(date, -1);
    while (!this.s.calendar.isWorkingDay(previous)) previous = addDays(previous, -1);
    return previous;
  }

  // -------------------------------------------------------------------------------------------------
  // Random draws

  private chance(probability: number): boolean {
    return this.random.number.float() < probability;
  }

  private minutes(least: number, most: number): number {
    return (least + this.random.number.float() * (most - least)) * MINUTE;
  }

  private pick<T>(items: readonly T[]): T {
    return this.random.helpers.arrayElement(items);
  }

  private digits(n: number): string {
    return String(this.random.number.int(10 ** n - 1)).padStart(n, '0');
  }

  private weightedIndex(weights: readonly number[]): number {
    const total = weights.reduce((a, b) => a + b, 0);
    let target = this.random.number.float() * total;
    for (const [i, w] of weights.entries()) {
      if (target < w) return i;
      target -= w;
    }
    return weights.length - 1;
  }

  private weighted<K extends string>(weights: Partial<Record<K, number>>): K {
    const keys = Object.keys(weights) as K[];
    return keys[this.weightedIndex(keys.map((k) => weights[k] ?? 0))]!;
  }

  /** A version-4 uuid from four 32-bit draws of the id stream (as the people seed makes them). */
  private newId(): string {
    const word = () => this.ids.number.int(0xffff_ffff).toString(16).padStart(8, '0');
    const [a, b, c, d] = [word(), word(), word(), word()];
    const variant = ((Number.parseInt(c.charAt(0), 16) & 0x3) | 0x8).toString(16);
    return `${a}-${b.slice(0, 4)}-4${b.slice(5)}-${variant}${c.slice(1, 4)}-${c.slice(4)}${d}`;
  }
}

const LONDON_HOUR = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  hourCycle: 'h23',
  hour: '2-digit',
});

/** Contacts a day, as a share of the latest year's, some years back. */
function volumeTrend(yearsAgo: number): number {
  return 1 / (1 + VOLUME_GROWTH) ** yearsAgo;
}

/** A source's decision mix some years back: a little less early help then, and more no further action. */
function trendedMix(mix: Record<Outcome, number>, yearsAgo: number): Record<Outcome, number> {
  const years = Math.max(0, yearsAgo);
  return {
    ...mix,
    early_help: mix.early_help * (1 - EARLY_HELP_GROWTH) ** years,
    no_further_action: mix.no_further_action * (1 + NO_FURTHER_ACTION_DECLINE) ** years,
  };
}

function isoDate(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

/** Whole years from a date of birth to a day (both 'YYYY-MM-DD'). */
function ageOn(dateOfBirth: string, day: string): number {
  const years = Number(day.slice(0, 4)) - Number(dateOfBirth.slice(0, 4));
  return day.slice(5) < dateOfBirth.slice(5) ? years - 1 : years;
}

function schoolKindFor(age: number): string {
  return age < 4 ? 'Nursery' : age < 11 ? 'Primary school' : 'Secondary school';
}

/** A referrer's typing slip: two letters swapped. */
function swapLetters(word: string, at: number): string {
  if (word.length < 4) return word;
  const i = 1 + (at % (word.length - 2));
  return word.slice(0, i) + word[i + 1]! + word[i]! + word.slice(i + 2);
}

/** A uuid as four 32-bit numbers, to seed a random stream with. */
function uuidWords(uuid: string): number[] {
  return (uuid.replaceAll('-', '').match(/.{8}/g) ?? []).map((word) => Number.parseInt(word, 16));
}
