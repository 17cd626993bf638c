import { Faker, base, en, en_GB } from '@faker-js/faker';
import { hash } from 'argon2';
import { sql } from 'kysely';
import { addDays, londonDate } from '../../common/plain-dates.ts';
import { calendarFor, type WorkingDayCalendar } from '../../common/working-days.ts';
import type { Db, Tx } from '../../db/database.ts';
import type { NewRow, PlanKind, Sector } from '../../db/schema.ts';
import { DEMO_PASSWORD } from '../access/index.ts';
import { currentLocalityOf } from '../people/index.ts';
import { holidayCalendar } from '../referrals/index.ts';
import { latestNextReview, type ReviewSettings } from './plans.workflow.ts';

/**
 * The demo's family plans: one for each family whose front-door episode is open and allocated,
 * siblings together, with a team around the family, goals whose ratings move over time, actions
 * owned by practitioners, agencies and the family, and reviews on each kind's schedule. Rows are
 * built in memory from a seeded random stream and written in batches.
 */

export type PlanSeedCounts = { plans: number; actions: number; reviews: number; ratings: number };
export type SeedPlansOptions = { now: Date; seed?: number; practiceChange?: PlanPracticeChange };

/**
 * A locality that changed its way of working from a day on (an integrated team): fewer of its
 * statutory decisions lead to a child in need or protection plan, those plans are shorter, and its
 * plans' goals more often improve. Work that began before the change carries on as it was.
 */
export type PlanPracticeChange = { localityId: string; changedOn: string };

/** The family account the demo offers for the family's own view (password: the demo password). */
export const DEMO_FAMILY_EMAIL = 'parent@northbridge.example';

const DEFAULT_SETTINGS: ReviewSettings = { earlyHelpReviewWeeks: 8, childInNeedReviewWeeks: 8 };
const DAY_MS = 86_400_000;

export type Staff = { id: string; name: string; email: string; organisationId: string; sector: Sector };
type Child = { id: string; givenName: string | null; familyName: string; dateOfBirth?: string | null };

/** One family's plan to build: who, what kind, since when, and how much has happened on it. */
export type PlanSpec = {
  kind: PlanKind;
  children: Child[];
  lead: Staff;
  members: Staff[];
  startedOn: string;
  actions: number;
  /** At most this many reviews, held on the schedule up to today. */
  reviews: number;
  /** A later start of the current stage: the plan stepped up or down then. */
  steppedFrom?: { kind: PlanKind; on: string };
  /** Every goal's scores rise (most plans have one or two that stall or slip). */
  improving?: boolean;
  /** The least a goal's score moves each review period (default -0.3: some goals slip). */
  leastDrift?: number;
  episodeId?: string;
  /** The plan closed that day (no later than today): the work ended, the team left, the children freed. */
  closed?: { on: string; reason: string };
};

type Rows = {
  plans: NewRow<'plans'>[];
  planChildren: NewRow<'planChildren'>[];
  planStages: NewRow<'planStages'>[];
  planLeads: NewRow<'planLeads'>[];
  planMembers: NewRow<'planMembers'>[];
  involvements: NewRow<'involvements'>[];
  planMemberInvolvements: NewRow<'planMemberInvolvements'>[];
  planGoals: NewRow<'planGoals'>[];
  planReviews: NewRow<'planReviews'>[];
  goalRatings: NewRow<'goalRatings'>[];
  planActions: NewRow<'planActions'>[];
  planComments: NewRow<'planComments'>[];
  planEvents: NewRow<'planEvents'>[];
};

/** Goals in the family's words; `child` names the child a goal is about (the others are the family's). */
const GOALS: { title: (child: string) => string; child: boolean; framework: string; code: string }[] = [
  {
    title: (c) => `${c} goes to school every day and on time`,
    child: true,
    framework: 'england',
    code: 'enjoy_and_achieve',
  },
  {
    title: (c) => `${c} sleeps in their own bed by 8pm on school nights`,
    child: true,
    framework: 'england',
    code: 'be_healthy',
  },
  {
    title: () => 'The family home is warm, safe and not overcrowded',
    child: false,
    framework: 'england',
    code: 'stay_safe',
  },
  {
    title: () => 'Mum feels able to manage the bills and rent each month',
    child: false,
    framework: 'england',
    code: 'economic_wellbeing',
  },
  {
    title: (c) => `${c} can talk to a trusted adult when worried`,
    child: true,
    framework: 'england',
    code: 'positive_contribution',
  },
  {
    title: () => 'No more arguments in front of the children',
    child: false,
    framework: 'england',
    code: 'stay_safe',
  },
  {
    title: (c) => `${c} is seen at every health appointment`,
    child: true,
    framework: 'england',
    code: 'be_healthy',
  },
  {
    title: (c) => `${c} joins a club or activity after school`,
    child: true,
    framework: 'england',
    code: 'positive_contribution',
  },
];

const PRACTITIONER_ACTIONS = [
  'Arrange a school nurse check-up',
  'Refer to the family support worker for parenting sessions',
  'Check the family’s benefits entitlement with them',
  'Set up a weekly check-in with the school’s pastoral lead',
  'Book a health visitor home visit',
  'Find a place at the after-school club',
  'Ask housing about repairs to the damp in the bedroom',
  'Make a referral to the young carers’ group',
  'Share the plan with the GP practice',
  'Arrange a meeting with the attendance officer',
];
const FAMILY_ACTIONS: { action: string; support: string }[] = [
  { action: 'Set a bedtime routine and keep to it', support: 'A sleep chart from the health visitor' },
  { action: 'Walk the children to school each morning', support: 'A bus pass for the first month' },
  { action: 'Go to the parenting group on Tuesdays', support: 'A crèche place for the youngest' },
  {
    action: 'Open the post every week and call about any bill',
    support: 'Help from the money advice service',
  },
  { action: 'Take the children to the dentist', support: 'A reminder text the day before' },
  {
    action: 'Keep a diary of good days and hard days',
    support: 'A notebook and a weekly chat with the lead professional',
  },
];
const DECISIONS = [
  'Good progress on school attendance. Keep the plan as it is until the next review.',
  'Sleep routine is working most nights. New action added for the dentist.',
  'Money worries have eased since the benefits check. Housing repairs still waiting.',
  'The family want to keep the parenting group going. Review the goals next time.',
  'Some setbacks this month; extra support agreed from the family support worker.',
  'Attendance has dipped again; the school will meet mum weekly.',
];
const FAMILY_VIEWS = [
  'Things feel calmer at home. Mornings are still hard.',
  'We are getting there. The group has really helped.',
  'I want the housing repairs sorted; the damp is making the little one ill.',
  'I am pleased with how the kids are doing at school.',
];
const CHILD_VIEWS = [
  'I like my new teacher. I still don’t like mornings.',
  'Home is better. I like the football club.',
  'I wish mum and dad didn’t shout.',
  'I have a friend now at school.',
];

/** Builds plan rows from specs with one seeded random stream and repeatable ids. */
export class PlanRowBuilder {
  readonly rows: Rows = {
    plans: [],
    planChildren: [],
    planStages: [],
    planLeads: [],
    planMembers: [],
    involvements: [],
    planMemberInvolvements: [],
    planGoals: [],
    planReviews: [],
    goalRatings: [],
    planActions: [],
    planComments: [],
    planEvents: [],
  };
  private readonly random: Faker;

  constructor(
    private readonly partnershipId: string,
    private readonly now: Date,
    seed: number,
    private readonly calendar: WorkingDayCalendar,
    private readonly settings: ReviewSettings = DEFAULT_SETTINGS,
  ) {
    this.random = new Faker({ locale: [en_GB, en, base] });
    this.random.seed(seed + 53);
  }

  /** Adds one plan and everything on it; answers its id. */
  add(spec: PlanSpec): string {
    const p = this.partnershipId;
    const closed = spec.closed ?? null;
    // A closed plan's story ends the day it closed.
    const today = closed?.on ?? londonDate(this.now);
    const closedAt = closed ? atNoon(closed.on) : null;
    const id = this.random.string.uuid();
    const familyName = `${spec.children[0]!.familyName} family`;
    const startedAt = atNoon(spec.startedOn);
    const stageStart = spec.steppedFrom?.on ?? spec.startedOn;
    const firstKind = spec.steppedFrom?.kind ?? spec.kind;
    const purpose = spec.kind === 'early_help' ? ('early_help' as const) : ('safeguarding' as const);

    const reviewDates = this.reviewDates(spec.kind, stageStart, spec.reviews, today);
    const nextReviewDue = latestNextReview(spec.kind, stageStart, reviewDates, this.settings, this.calendar);
    this.rows.plans.push({
      partnershipId: p,
      id,
      kind: spec.kind,
      familyName,
      worries: this.random.helpers.arrayElement([
        'School attendance has fallen and the children are often late and hungry.',
        'Arguments at home; the police were called twice this year. The children are unsettled.',
        'Mum is struggling with her mental health and the rent arrears are growing.',
        'The youngest has missed health appointments and is not gaining weight as expected.',
      ]),
      strengths: this.random.helpers.arrayElement([
        'Mum wants things to change and has asked for help. The children are close to their grandmother.',
        'The children love school and have good friends. Dad is back in touch and wants to help.',
        'The family have stayed together through a hard year; the eldest helps a lot at home.',
      ]),
      startedOn: spec.startedOn,
      ...(closed ? { status: 'closed' as const, closedOn: closed.on, closeReason: closed.reason } : {}),
      leadProfessionalId: spec.lead.id,
      episodeId: spec.episodeId ?? null,
      nextReviewDue,
      createdAt: startedAt,
      createdBy: spec.lead.id,
      updatedAt: closedAt ?? startedAt,
      updatedBy: spec.lead.id,
    });
    for (const child of spec.children) {
      this.rows.planChildren.push({
        partnershipId: p,
        planId: id,
        personId: child.id,
        addedOn: spec.startedOn,
        // As closing a plan does: the children are free for another plan.
        ...(closed ? { current: false } : {}),
      });
    }
    this.rows.planStages.push({
      partnershipId: p,
      id: this.random.string.uuid(),
      planId: id,
      kind: firstKind,
      startedOn: spec.startedOn,
      endedOn: spec.steppedFrom ? spec.steppedFrom.on : (closed?.on ?? null),
      reason: 'Plan agreed with the family',
      decidedBy: spec.lead.id,
    });
    if (spec.steppedFrom) {
      this.rows.planStages.push({
        partnershipId: p,
        id: this.random.string.uuid(),
        planId: id,
        kind: spec.kind,
        startedOn: spec.steppedFrom.on,
        endedOn: closed?.on ?? null,
        reason:
          spec.kind === 'early_help'
            ? 'Stepped down: the worries that needed a statutory plan have eased'
            : 'Stepped up: the worries have grown',
        decidedBy: spec.lead.id,
      });
    }
    this.rows.planLeads.push({
      partnershipId: p,
      id: this.random.string.uuid(),
      planId: id,
      userId: spec.lead.id,
      startedAt,
      endedAt: closedAt,
      recordedBy: spec.lead.id,
    });
    const team = [spec.lead, ...spec.members.filter((m) => m.id !== spec.lead.id)];
    team.forEach((member, i) => this.member(id, member, i === 0, spec, purpose, familyName));
    this.event(id, 'start', startedAt, spec.lead, { kind: firstKind, leadName: spec.lead.name });

    const goals = this.goals(id, spec);
    reviewDates.forEach((heldOn, i) =>
      this.review(id, heldOn, i, reviewDates.length, goals, team, spec, {
        nextReviewDue: latestNextReview(
          spec.kind,
          stageStart,
          reviewDates.slice(0, i + 1).filter((d) => d >= stageStart),
          this.settings,
          this.calendar,
        ),
      }),
    );
    this.actions(id, spec, team, goals, today);
    if (closed && closedAt)
      this.event(id, 'close', closedAt, spec.lead, { closedOn: closed.on, reason: closed.reason });
    return id;
  }

  private member(
    planId: string,
    staff: Staff,
    lead: boolean,
    spec: PlanSpec,
    purpose: 'early_help' | 'safeguarding',
    familyName: string,
  ) {
    const p = this.partnershipId;
    let joinedAt = atNoon(
      lead ? spec.startedOn : addDays(spec.startedOn, this.random.number.int({ min: 0, max: 14 })),
    );
    const leftAt = spec.closed ? atNoon(spec.closed.on) : null;
    if (leftAt && joinedAt > leftAt) joinedAt = leftAt;
    const memberId = this.random.string.uuid();
    this.rows.planMembers.push({
      partnershipId: p,
      id: memberId,
      planId,
      userId: staff.id,
      organisationId: staff.organisationId,
      role: lead ? 'Lead professional' : ROLE_BY_SECTOR[staff.sector],
      seconded: !lead && this.random.datatype.boolean(0.1),
      commitment: this.random.datatype.boolean(0.1) ? 'full_time' : 'part_time',
      joinedAt,
      ...(leftAt ? { leftAt, leftReason: 'The plan closed' } : {}),
      addedBy: spec.lead.id,
    });
    for (const child of spec.children) {
      const involvementId = this.random.string.uuid();
      this.rows.involvements.push({
        partnershipId: p,
        id: involvementId,
        personId: child.id,
        userId: staff.id,
        kind: 'team_around_family',
        purpose,
        reason: `On the team around the ${familyName}`,
        startedAt: joinedAt,
        createdBy: spec.lead.id,
        ...(leftAt ? { endedAt: leftAt, endReason: 'The plan closed', endedBy: spec.lead.id } : {}),
      });
      this.rows.planMemberInvolvements.push({ partnershipId: p, memberId, involvementId });
    }
  }

  /** Held on the schedule, a few days early or late; a plan with fewer than its due reviews is overdue. */
  private reviewDates(kind: PlanKind, stageStart: string, count: number, today: string): string[] {
    const dates: string[] = [];
    while (dates.length < count) {
      const due = latestNextReview(kind, stageStart, dates, this.settings, this.calendar);
      const held = addDays(due, this.random.number.int({ min: -10, max: 3 }));
      if (held > today) break;
      dates.push(held);
    }
    return dates;
  }

  private goals(planId: string, spec: PlanSpec) {
    const chosen = this.random.helpers.arrayElements(GOALS, this.random.number.int({ min: 2, max: 4 }));
    return chosen.map((goal) => {
      const child = this.random.helpers.arrayElement(spec.children);
      const baseline = this.random.number.int({ min: 1, max: 5 });
      const id = this.random.string.uuid();
      this.rows.planGoals.push({
        partnershipId: this.partnershipId,
        id,
        planId,
        personId: goal.child ? child.id : null,
        title: goal.title(child.givenName ?? 'The baby'),
        outcomeFramework: goal.framework,
        outcomeCode: goal.code,
        baseline,
        baselineOn: spec.startedOn,
        target: this.random.number.int({ min: Math.max(baseline + 3, 7), max: 10 }),
        createdAt: atNoon(spec.startedOn),
        createdBy: spec.lead.id,
      });
      const drift = this.random.number.float({
        min: spec.improving ? 0.5 : (spec.leastDrift ?? -0.3),
        max: 1.2,
      });
      return { id, baseline, drift };
    });
  }

  private review(
    planId: string,
    heldOn: string,
    index: number,
    of: number,
    goals: { id: string; baseline: number; drift: number }[],
    team: Staff[],
    spec: PlanSpec,
    set: { nextReviewDue: string },
  ) {
    const p = this.partnershipId;
    const id = this.random.string.uuid();
    const recordedAt = atNoon(heldOn);
    this.rows.planReviews.push({
      partnershipId: p,
      id,
      planId,
      heldOn,
      kind:
        spec.kind === 'child_protection'
          ? 'review_conference'
          : spec.kind === 'looked_after'
            ? 'looked_after_review'
            : 'review',
      attendance: JSON.stringify([
        ...team.map((m) => ({
          name: m.name,
          role: ROLE_BY_SECTOR[m.sector],
          attended: this.random.datatype.boolean(0.85),
        })),
        { name: `Parent (${spec.children[0]!.familyName})`, role: 'Parent', attended: true },
      ]),
      familyViews: this.random.helpers.arrayElement(FAMILY_VIEWS),
      childViews: this.random.helpers.arrayElement(CHILD_VIEWS),
      decisions: this.random.helpers.arrayElement(DECISIONS),
      // The date the meeting set for the next review, as the plan's schedule has it.
      nextReviewDue: set.nextReviewDue,
      recordedAt,
      recordedBy: spec.lead.id,
    });
    for (const goal of goals) {
      const progress = goal.baseline + goal.drift * (index + 1) * (6 / Math.max(of, 1));
      for (const rater of ['family', 'practitioner'] as const) {
        const noise = this.random.number.int({ min: -1, max: 1 });
        this.rows.goalRatings.push({
          partnershipId: p,
          id: this.random.string.uuid(),
          goalId: goal.id,
          ratedOn: heldOn,
          score: Math.max(0, Math.min(10, Math.round(progress) + noise)),
          rater,
          recordedBy: spec.lead.id,
          reviewId: id,
          recordedAt,
        });
      }
    }
    this.event(planId, 'record_review', recordedAt, spec.lead, { heldOn });
  }

  private actions(planId: string, spec: PlanSpec, team: Staff[], goals: { id: string }[], today: string) {
    const span = Math.max(1, Math.round((Date.parse(today) - Date.parse(spec.startedOn)) / DAY_MS));
    const closed = spec.closed !== undefined;
    for (let i = 0; i < spec.actions; i++) {
      // A closed plan's actions fall due while it was open, and were done or dropped by its close.
      const dueOn = addDays(
        spec.startedOn,
        Math.round(((i + 1) / spec.actions) * (closed ? span : span + 56)),
      );
      const past = dueOn < today;
      const status = closed
        ? this.random.helpers.weightedArrayElement([
            { weight: 85, value: 'done' as const },
            { weight: 15, value: 'dropped' as const },
          ])
        : past
          ? this.random.helpers.weightedArrayElement([
              { weight: 80, value: 'done' as const },
              { weight: 8, value: 'dropped' as const },
              { weight: 12, value: 'in_progress' as const },
            ])
          : this.random.helpers.weightedArrayElement([
              { weight: 60, value: 'to_do' as const },
              { weight: 30, value: 'in_progress' as const },
              { weight: 10, value: 'done' as const },
            ]);
      const ownerKind = this.random.helpers.weightedArrayElement([
        { weight: 50, value: 'practitioner' as const },
        { weight: 20, value: 'agency' as const },
        { weight: 30, value: 'family' as const },
      ]);
      const owner = this.random.helpers.arrayElement(team);
      const family = this.random.helpers.arrayElement(FAMILY_ACTIONS);
      const createdAt = atNoon(spec.startedOn);
      const completedAt = status === 'done' ? atNoon(past || closed ? dueOn : today) : null;
      this.rows.planActions.push({
        partnershipId: this.partnershipId,
        id: this.random.string.uuid(),
        planId,
        goalId:
          goals.length > 0 && this.random.datatype.boolean(0.7)
            ? this.random.helpers.arrayElement(goals).id
            : null,
        description:
          ownerKind === 'family' ? family.action : this.random.helpers.arrayElement(PRACTITIONER_ACTIONS),
        ownerKind,
        ownerUserId: ownerKind === 'practitioner' ? owner.id : null,
        ownerOrganisationId: ownerKind === 'agency' ? owner.organisationId : null,
        ownerFamilyMember:
          ownerKind === 'family'
            ? this.random.helpers.arrayElement(['Mum', 'Dad', 'Nan', 'The family'])
            : null,
        supportNeeded: ownerKind === 'family' ? family.support : '',
        dueOn,
        status,
        completedAt,
        completedBy: completedAt ? spec.lead.id : null,
        createdAt,
        createdBy: spec.lead.id,
        updatedAt: completedAt ?? createdAt,
        updatedBy: spec.lead.id,
      });
    }
  }

  private event(planId: string, action: string, at: Date, by: Staff, detail: Record<string, unknown>) {
    this.rows.planEvents.push({
      partnershipId: this.partnershipId,
      id: this.random.string.uuid(),
      planId,
      action,
      at,
      actorUserId: by.id,
      actorLabel: by.name,
      detail: JSON.stringify(detail),
    });
  }
}

const ROLE_BY_SECTOR: Record<Sector, string> = {
  education: 'School safeguarding lead',
  health: 'Health visitor',
  social_care: 'Family support worker',
  police: 'Police early intervention officer',
  youth_justice: 'Youth justice worker',
  housing: 'Housing officer',
  voluntary: 'Family support volunteer',
  other: 'Support worker',
};

/** Writes built rows in dependency order, in batches a statement can carry. */
export async function insertPlanRows(tx: Tx, rows: Rows): Promise<void> {
  const order: (keyof Rows)[] = [
    'plans',
    'planChildren',
    'planStages',
    'planLeads',
    'planMembers',
    'involvements',
    'planMemberInvolvements',
    'planGoals',
    'planReviews',
    'goalRatings',
    'planActions',
    'planComments',
    'planEvents',
  ];
  for (const table of order) {
    const all = rows[table] as Record<string, unknown>[];
    for (let i = 0; i < all.length; i += 500) {
      await tx
        .insertInto(table)
        .values(all.slice(i, i + 500) as never)
        .execute();
    }
  }
}

/** Plans for the demo partnership's open, allocated episodes; runs after the front door's seed. */
export async function seedPlans(
  db: Db,
  partnershipId: string,
  options: SeedPlansOptions,
): Promise<PlanSeedCounts> {
  const seed = options.seed ?? 1;
  const calendar = calendarFor(await holidayCalendar(db, partnershipId));
  const [staff, episodes] = await Promise.all([
    readStaff(db, partnershipId),
    openEpisodes(db, partnershipId),
  ]);
  const byId = new Map(staff.map((s) => [s.id, s]));
  const byEmail = new Map(staff.map((s) => [s.email, s]));
  const bySector = new Map<Sector, Staff[]>();
  for (const s of staff) bySector.set(s.sector, [...(bySector.get(s.sector) ?? []), s]);
  const builder = new PlanRowBuilder(partnershipId, options.now, seed, calendar);
  const random = new Faker({ locale: base });
  random.seed(seed + 59);

  const today = londonDate(options.now);
  const onPlan = new Set<string>();
  // The demo's named practitioners join some of the plans, so signing in as them shows a caseload.
  const featured = [
    'teacher@northbridge.example',
    'health.visitor@northbridge.example',
    'social.worker@northbridge.example',
  ]
    .map((email) => byEmail.get(email))
    .filter((s): s is Staff => s !== undefined);
  const earlyHelp = byEmail.get('early.help@northbridge.example');
  let showcase: { planId: string; familyName: string } | null = null;
  // One family, led by the demo's early-help practitioner, has a long plan and a family sign-in:
  // the first early-help episode of a child with brothers or sisters, else the first of all.
  const earlyHelpEpisodes = episodes.filter((e) => e.kind === 'early_help');
  const showcaseEpisode = earlyHelpEpisodes.find((e) => e.siblings.length > 0) ?? earlyHelpEpisodes[0];

  for (const episode of episodes) {
    if (onPlan.has(episode.child.id)) continue;
    const lead = byId.get(episode.leadProfessionalId);
    if (!lead) continue;
    const changed = isChanged(options.practiceChange, episode);
    const kind = planKindFor(episode.kind, random, changed);
    if (!kind) continue;
    const children = [episode.child, ...episode.siblings.filter((s) => !onPlan.has(s.id))].slice(0, 4);
    children.forEach((c) => onPlan.add(c.id));
    const startedOn = addDays(episode.openedOn, random.number.int({ min: 3, max: 15 }));
    if (startedOn > today) continue;
    const isShowcase = episode.id === showcaseEpisode?.id && earlyHelp !== undefined;
    const members = pickMembers(random, bySector, lead, featured, builder.rows.plans.length);
    const weeks = (Date.parse(today) - Date.parse(startedOn)) / (7 * DAY_MS);
    const steppedDown = kind === 'early_help' && !isShowcase && weeks > 20 && random.datatype.boolean(0.1);
    const planId = builder.add({
      kind,
      children,
      lead: isShowcase ? earlyHelp : lead,
      members,
      startedOn: isShowcase ? addDays(today, -600) : startedOn,
      actions: isShowcase ? 40 : random.number.int({ min: 6, max: 16 }),
      improving: isShowcase,
      ...(changed ? { leastDrift: CHANGED_LEAST_DRIFT } : {}),
      reviews: isShowcase ? 10 : random.datatype.boolean(0.12) ? 0 : 30,
      // The showcase began long before its episode's contact: it stands alone.
      ...(isShowcase ? {} : { episodeId: episode.id }),
      ...(steppedDown
        ? {
            steppedFrom: {
              kind: 'child_in_need' as const,
              on: addDays(startedOn, random.number.int({ min: 60, max: 120 })),
            },
          }
        : {}),
    });
    if (isShowcase) showcase = { planId, familyName: children[0]!.familyName };
  }

  await db.transaction().execute(async (tx) => {
    await insertPlanRows(tx, builder.rows);
    if (showcase && earlyHelp)
      await addDemoFamilyAccount(tx, partnershipId, showcase, earlyHelp, options.now);
  });
  return {
    plans: builder.rows.plans.length,
    actions: builder.rows.planActions.length,
    reviews: builder.rows.planReviews.length,
    ratings: builder.rows.goalRatings.length,
  };
}

export type SeedPlanHistoryOptions = {
  now: Date;
  seed?: number;
  practiceChange?: PlanPracticeChange;
};

/** How long the plans of closed work lasted (days, drawn evenly between), before any practice change. */
const HISTORY_DAYS: Record<'early_help' | 'child_in_need' | 'child_protection', [number, number]> = {
  early_help: [120, 420],
  child_in_need: [120, 270],
  child_protection: [90, 210],
};
/** The changed way of working's statutory plans are this much shorter. */
const CHANGED_STATUTORY_DAYS = 0.8;
/** The shortest plan the history makes (days): the start, a meeting or two, a close. */
const SHORTEST_DAYS = 28;

/**
 * The plans of the partnership's closed work, for the outcome figures' history: for each closed,
 * allocated episode (oldest first), a plan of the kind its decision led to, with its team, goals,
 * reviews on the schedule with ratings, actions done or dropped, and its close, all before today.
 * A child is on one plan at a time: a plan starts only for children free of any other (a sibling
 * on one is left out) and closes before a child's current plan began. Runs after `seedPlans` (and
 * after the assessments' seed, which reads every early-help plan).
 */
export async function seedPlanHistory(
  db: Db,
  partnershipId: string,
  options: SeedPlanHistoryOptions,
): Promise<PlanSeedCounts> {
  const seed = options.seed ?? 1;
  const calendar = calendarFor(await holidayCalendar(db, partnershipId));
  const [staff, episodes, current] = await Promise.all([
    readStaff(db, partnershipId),
    openEpisodes(db, partnershipId, 'closed'),
    db
      .selectFrom('planChildren')
      .select(['personId', (eb) => eb.fn.min('addedOn').as('addedOn')])
      .where('partnershipId', '=', partnershipId)
      .groupBy('personId')
      .execute(),
  ]);
  const byId = new Map(staff.map((s) => [s.id, s]));
  const bySector = new Map<Sector, Staff[]>();
  for (const s of staff) bySector.set(s.sector, [...(bySector.get(s.sector) ?? []), s]);
  // Its own streams, so the plans of open work stay as they were.
  const builder = new PlanRowBuilder(partnershipId, options.now, seed + 1_000, calendar);
  const random = new Faker({ locale: base });
  random.seed(seed + 1_059);

  const yesterday = addDays(londonDate(options.now), -1);
  /** The day each child's first plan of open work began: a plan of closed work ends before it. */
  const laterPlan = new Map(current.map((c) => [c.personId, String(c.addedOn)]));
  /** The day each child's latest plan of closed work closed: the next begins after it. */
  const freeFrom = new Map<string, string>();

  // The work of the year before the first contact, so the first months' figures are not empty: the
  // first year's closed work again, a year earlier, each plan standing alone (it has no contact here).
  const firstDay = episodes[0]?.openedOn ?? '';
  const yearBefore = episodes
    .filter((e) => e.openedOn < addDays(firstDay, 365))
    .map((e) => ({ ...e, id: '', openedOn: addDays(e.openedOn, -365) }));
  for (const episode of [...yearBefore, ...episodes]) {
    const lead = byId.get(episode.leadProfessionalId);
    if (!lead) continue;
    const changed = isChanged(options.practiceChange, episode);
    const kind = historyKindFor(episode.kind, random, changed);
    if (!kind) continue;
    const startedOn = addDays(episode.openedOn, random.number.int({ min: 3, max: 15 }));
    const free = (c: Child) =>
      (c.dateOfBirth ?? '') <= startedOn &&
      (freeFrom.get(c.id) ?? '') < startedOn &&
      (laterPlan.get(c.id) ?? '9999-12-31') > addDays(startedOn, SHORTEST_DAYS);
    if (!free(episode.child)) continue;
    const children = [
      episode.child,
      ...episode.siblings.filter((s) => s.id !== episode.child.id && free(s)),
    ].slice(0, 4);
    const [least, most] = HISTORY_DAYS[kind as keyof typeof HISTORY_DAYS];
    const shorter = changed && kind !== 'early_help' ? CHANGED_STATUTORY_DAYS : 1;
    const days = Math.round(random.number.int({ min: least, max: most }) * shorter);
    // It closed before today, and before any of its children's current plans began.
    const limit = [
      yesterday,
      ...children.map((c) => addDays(laterPlan.get(c.id) ?? '9999-12-31', -1)),
    ].sort()[0]!;
    let closedOn = addDays(startedOn, days);
    if (closedOn > limit) {
      const room = Math.round((Date.parse(limit) - Date.parse(startedOn)) / DAY_MS);
      if (room < SHORTEST_DAYS) continue;
      closedOn = addDays(startedOn, random.number.int({ min: SHORTEST_DAYS, max: room }));
    }
    children.forEach((c) => freeFrom.set(c.id, closedOn));
    builder.add({
      kind,
      children,
      lead,
      members: pickMembers(random, bySector, lead, [], 1),
      startedOn,
      actions: random.number.int({ min: 4, max: 12 }),
      reviews: random.datatype.boolean(0.05) ? 0 : 30,
      ...(changed ? { leastDrift: CHANGED_LEAST_DRIFT } : {}),
      ...(episode.id ? { episodeId: episode.id } : {}),
      closed: { on: closedOn, reason: random.helpers.arrayElement(CLOSE_REASONS[kind]) },
    });
  }

  await db.transaction().execute((tx) => insertPlanRows(tx, builder.rows));
  return {
    plans: builder.rows.plans.length,
    actions: builder.rows.planActions.length,
    reviews: builder.rows.planReviews.length,
    ratings: builder.rows.goalRatings.length,
  };
}

const CLOSE_REASONS: Record<PlanKind, string[]> = {
  early_help: [
    'The family’s goals are met and they are managing well without the plan.',
    'The family asked to end the plan; they know how to ask for help again.',
    'Stepped up: the worries have grown and a statutory assessment is under way.',
  ],
  child_in_need: [
    'The child’s needs are now met; stepped down to the school’s support.',
    'The plan’s goals are met; the family agreed to close it.',
  ],
  child_protection: [
    'The review conference agreed the child is no longer at risk of significant harm.',
    'The risks have reduced; the child’s plan continues as a child in need plan with the school.',
  ],
  looked_after: ['The child returned home to their family.'],
};

/**
 * The plan closed work had: every early-help episode one; a strategy discussion a protection plan or
 * a child-in-need plan, or neither when the worries were not substantiated; an assessment now and
 * then a child-in-need plan. Where the way of working changed, fewer statutory plans.
 */
function historyKindFor(kind: string, random: Faker, changed: boolean): PlanKind | null {
  if (kind === 'early_help') return 'early_help';
  const draw = random.number.float();
  if (kind === 'strategy_discussion') {
    const protection = changed ? 0.22 : 0.35;
    return draw < protection ? 'child_protection' : draw < protection + 0.3 ? 'child_in_need' : null;
  }
  return draw < (changed ? 0.14 : 0.2) ? 'child_in_need' : null;
}

/**
 * Early help opens an early-help plan; a strategy discussion mostly a protection plan; an assessment
 * sometimes a child-in-need plan (less often where the locality's way of working changed).
 */
function planKindFor(kind: string, random: Faker, changed = false): PlanKind | null {
  if (kind === 'early_help') return 'early_help';
  if (kind === 'strategy_discussion')
    return random.datatype.boolean(changed ? 0.5 : 0.7) ? 'child_protection' : 'child_in_need';
  return random.datatype.boolean(changed ? 0.3 : 0.4) ? 'child_in_need' : null;
}

/** Goals on plans the changed way of working began slip less often. */
const CHANGED_LEAST_DRIFT = 0.1;

function isChanged(
  change: PlanPracticeChange | undefined,
  episode: { openedOn: string; localityId: string | null },
) {
  return (
    change !== undefined && episode.localityId === change.localityId && episode.openedOn >= change.changedOn
  );
}

function pickMembers(
  random: Faker,
  bySector: Map<Sector, Staff[]>,
  lead: Staff,
  featured: Staff[],
  index: number,
): Staff[] {
  const sectors = random.helpers.arrayElements(
    ['education', 'health', 'housing', 'police', 'voluntary'] as Sector[],
    {
      min: 2,
      max: 4,
    },
  );
  const members = sectors.flatMap((sector) => {
    const pool = (bySector.get(sector) ?? []).filter((s) => s.id !== lead.id);
    return pool.length > 0 ? [random.helpers.arrayElement(pool)] : [];
  });
  // Every seventh plan has one of the named demo practitioners on its team.
  const named = index % 7 === 0 ? featured[(index / 7) % featured.length] : undefined;
  if (named && named.id !== lead.id && !members.some((m) => m.id === named.id)) members.push(named);
  return members;
}

/** A parent's account on the showcase plan, sponsored by its lead professional's organisation. */
async function addDemoFamilyAccount(
  tx: Tx,
  partnershipId: string,
  plan: { planId: string; familyName: string },
  sponsor: Staff,
  now: Date,
) {
  const user = await tx
    .insertInto('users')
    .values({
      partnershipId,
      email: DEMO_FAMILY_EMAIL,
      displayName: `Sam ${plan.familyName}`,
      organisationId: sponsor.organisationId,
      roles: ['family_member'],
      passwordHash: await hash(DEMO_PASSWORD),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await tx
    .insertInto('familyAccounts')
    .values({
      partnershipId,
      planId: plan.planId,
      userId: user.id,
      relationship: 'parent',
      grantedAt: now,
      grantedBy: sponsor.id,
    })
    .execute();
}

async function readStaff(db: Db, partnershipId: string): Promise<Staff[]> {
  return db
    .selectFrom('users as u')
    .innerJoin('organisations as o', (j) =>
      j.onRef('o.partnershipId', '=', 'u.partnershipId').onRef('o.id', '=', 'u.organisationId'),
    )
    .select(['u.id', 'u.displayName as name', 'u.email', 'u.organisationId', 'o.sector'])
    .where('u.partnershipId', '=', partnershipId)
    .where('u.active', '=', true)
    .where(sql<boolean>`u.roles && array['practitioner']::text[]`)
    .orderBy('u.email')
    .execute();
}

type OpenEpisode = {
  id: string;
  kind: string;
  openedOn: string;
  leadProfessionalId: string;
  /** Where the child lives now (the outcome figures count them there). */
  localityId: string | null;
  child: Child;
  siblings: Child[];
};

/** Open, allocated episodes oldest first, each with the child's brothers and sisters in the index. */
async function openEpisodes(db: Db, partnershipId: string, status = 'open'): Promise<OpenEpisode[]> {
  const { rows } = await sql<OpenEpisode>`
    select e.id, e.kind, to_char(e.opened_at at time zone 'Europe/London', 'YYYY-MM-DD') as "openedOn",
      e.lead_professional_id as "leadProfessionalId", ${currentLocalityOf(partnershipId, 'p.id')} as "localityId",
      json_build_object('id', p.id, 'givenName', p.given_name, 'familyName', p.family_name, 'dateOfBirth', p.date_of_birth) as child,
      coalesce((
        select json_agg(json_build_object('id', s.id, 'givenName', s.given_name, 'familyName', s.family_name, 'dateOfBirth', s.date_of_birth) order by s.date_of_birth)
        from relationships r
        join people s on s.partnership_id = r.partnership_id and s.id = r.person_id
        where r.partnership_id = e.partnership_id and r.related_person_id = p.id and r.kind = 'sibling'
          and r.ended_on is null and s.kind <> 'adult' and s.sealed_at is null
      ), '[]'::json) as siblings
    from episodes e
    join people p on p.partnership_id = e.partnership_id and p.id = e.person_id
    where e.partnership_id = ${partnershipId} and e.status = ${status} and e.lead_professional_id is not null
      and p.sealed_at is null
    order by e.opened_at, e.id`.execute(db);
  return rows;
}

function atNoon(date: string): Date {
  return new Date(`${date}T12:00:00Z`);
}
