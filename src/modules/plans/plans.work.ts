import type { z } from 'zod';
import type { Actor, Ctx } from '../../common/context.ts';
import { requirePerson } from '../../common/context.ts';
import { ConflictError, NotFoundError, ValidationError, type FieldError } from '../../common/errors.ts';
import { londonDate, spokenDate as spoken } from '../../common/plain-dates.ts';
import { calendarFor } from '../../common/working-days.ts';
import type { Db } from '../../db/database.ts';
import type { Row } from '../../db/schema.ts';
import type { AccessGate, AccessService } from '../access/index.ts';
import type { AuditService } from '../audit/index.ts';
import type { LocalFrameworkService } from '../outcomes/index.ts';
import { requirePlanRole, withPlan, type PlanScope } from './plans.access.ts';
import { recordPlanEvent } from './plans.history.ts';
import { frameworksFor, offered, OUTCOME_FRAMEWORKS, outcomeIn } from '../../common/outcome-frameworks.ts';
import {
  ActionInput,
  ActionUpdate,
  CommentInput,
  formField,
  GoalInput,
  GoalUpdate,
  RatingInput,
  REVIEW_KIND_LABELS,
  REVIEW_KINDS_FOR,
  ReviewInput,
  type ReviewKind,
} from './plans.work.schemas.ts';
import * as store from './plans.work.store.ts';
import { DEFAULT_PLAN_SETTINGS, latestNextReview } from './plans.workflow.ts';

type ActionFields = z.output<typeof ActionInput>;

/** What a change does inside its plan: its answer, the plan-history entry and what the audit names. */
type Change<T> = { value: T; event: string; detail: Record<string, unknown>; audit: Record<string, unknown> };

/**
 * A plan's goals and ratings, actions, reviews and comments. Every operation needs the
 * 'plans.contribute' permission and goes through `withPlan` (the access gate, which audits in the
 * same transaction); each change is version-checked where two people can make it and appended to
 * the plan's history. A closed plan keeps its record as it was.
 */
export class PlanWorkService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly access: AccessService,
    private readonly gate: AccessGate,
    private readonly localFrameworks: Pick<LocalFrameworkService, 'forGoals'>,
  ) {}

  /** Everything the plan's work pages show: the work itself, the children, who can own an action, the outcomes, the review schedule. */
  async workPage(ctx: Ctx, planId: string) {
    await this.access.require(ctx, 'plans.contribute', 'plan.work.view');
    return withPlan(this.db, this.gate, ctx, planId, 'plan.work.view', 'read', async (scope) => {
      await requirePlanRole(ctx, scope, 'team');
      const { tx, partnershipId, plan, childIds } = scope;
      const today = londonDate(ctx.now);
      const [work, children, owners, settings, locals] = await Promise.all([
        store.loadPlanWork(tx, partnershipId, planId, { familyView: false, today }),
        store.childrenNamed(tx, partnershipId, childIds),
        store.ownerChoices(tx, partnershipId, plan),
        store.reviewSettingsOf(tx, partnershipId),
        this.localFrameworks.forGoals(tx, partnershipId),
      ]);
      const reviewKinds = REVIEW_KINDS_FOR[plan.kind];
      const schedule = await this.schedule(scope, settings, reviewKinds[0]!, today);
      return {
        value: {
          plan,
          today,
          children: childIds.flatMap((id) => {
            const child = children.find((c) => c.id === id);
            return child ? [{ id, name: [child.givenName, child.familyName].filter(Boolean).join(' ') }] : [];
          }),
          work,
          team: owners.team,
          organisations: owners.organisations,
          /** The outcomes a goal may choose: the national frameworks open to the partnership, then its own. */
          frameworks: offered([...frameworksFor(settings.jurisdiction), ...locals]),
          reviewKinds,
          /** The latest the next review may be if a meeting is held today. */
          nextReviewIfHeldToday: schedule.latest,
        },
      };
    });
  }

  /** A goal agreed with the family, for a child on the plan or the whole family. */
  async addGoal(ctx: Ctx, planId: string, input: GoalInput): Promise<string> {
    const goal = check(GoalInput, input);
    return this.change(ctx, planId, 'plan.goal.add', async (scope, actor) => {
      refuse(await this.goalProblems(scope, goal, londonDate(ctx.now)));
      const id = await store.insertGoal(scope.tx, {
        partnershipId: scope.partnershipId,
        planId,
        ...goal,
        createdAt: ctx.now,
        createdBy: actor.userId,
      });
      return {
        value: id,
        event: 'add_goal',
        detail: { goalId: id, title: goal.title },
        audit: { goalId: id },
      };
    });
  }

  /** Changes a goal's words, outcome, scores or status, if nobody has changed it since `version`. */
  async updateGoal(ctx: Ctx, planId: string, goalId: string, input: GoalUpdate): Promise<void> {
    const { version, ...goal } = check(GoalUpdate, input);
    await this.change(ctx, planId, 'plan.goal.change', async (scope) => {
      const before = await store.findGoal(scope.tx, scope.partnershipId, planId, goalId);
      if (!before) throw new NotFoundError('Goal');
      if (before.version !== version) throw staleGoal();
      refuse(await this.goalProblems(scope, goal, londonDate(ctx.now), before));
      if (!(await store.updateGoal(scope.tx, scope.partnershipId, goalId, version, goal))) throw staleGoal();
      return {
        value: undefined,
        event: 'change_goal',
        detail: { goalId, changes: changesOf(before, goal) },
        audit: { goalId },
      };
    });
  }

  /** A score for a goal on a day, by the family, the child or a practitioner. */
  async rateGoal(ctx: Ctx, planId: string, goalId: string, input: RatingInput): Promise<string> {
    const rating = check(RatingInput, input);
    return this.change(ctx, planId, 'plan.goal.rate', async (scope, actor) => {
      const goal = await store.findGoal(scope.tx, scope.partnershipId, planId, goalId);
      if (!goal) throw new NotFoundError('Goal');
      const today = londonDate(ctx.now);
      refuse([
        ...(rating.ratedOn > today
          ? [{ field: 'ratedOn-day', message: 'The rating cannot be in the future' }]
          : []),
        ...(rating.ratedOn < goal.baselineOn
          ? [
              {
                field: 'ratedOn-day',
                message: `The rating cannot be before the score at the start, on ${spoken(goal.baselineOn)}`,
              },
            ]
          : []),
      ]);
      const [id] = await store.insertRatings(scope.tx, [
        {
          partnershipId: scope.partnershipId,
          goalId,
          ...rating,
          recordedBy: actor.userId,
          reviewId: null,
          recordedAt: ctx.now,
        },
      ]);
      return {
        value: id!,
        event: 'rate_goal',
        detail: { goalId, ratingId: id, score: rating.score, rater: rating.rater, ratedOn: rating.ratedOn },
        audit: { goalId, ratingId: id },
      };
    });
  }

  /** An action with its owner: a practitioner, an agency, or someone in the family with the support they need. */
  async addAction(ctx: Ctx, planId: string, input: ActionInput): Promise<string> {
    const action = withOneOwner(check(ActionInput, input));
    return this.change(ctx, planId, 'plan.action.add', async (scope, actor) => {
      refuse(await this.actionProblems(scope, action));
      const id = await store.insertAction(scope.tx, {
        partnershipId: scope.partnershipId,
        planId,
        ...action,
        createdAt: ctx.now,
        createdBy: actor.userId,
        updatedAt: ctx.now,
        updatedBy: actor.userId,
      });
      return {
        value: id,
        event: 'add_action',
        detail: { actionId: id, description: action.description, dueOn: action.dueOn },
        audit: { actionId: id },
      };
    });
  }

  /**
   * Changes an action (its status too), if nobody has changed it since `version`: done records
   * when and by whom; moving it back from done clears that.
   */
  async updateAction(ctx: Ctx, planId: string, actionId: string, input: ActionUpdate): Promise<void> {
    const { version, ...action } = withOneOwner(check(ActionUpdate, input));
    await this.change(ctx, planId, 'plan.action.change', async (scope, actor) => {
      const before = await store.findAction(scope.tx, scope.partnershipId, planId, actionId);
      if (!before) throw new NotFoundError('Action');
      const stale = () =>
        new ConflictError(
          `${before.updatedByName ?? 'Someone else'} changed this action since you opened it: compare what they saved with your change below, then save again`,
        );
      if (before.version !== version) throw stale();
      refuse(await this.actionProblems(scope, action));
      const done = action.status === 'done';
      const completion =
        done && before.status === 'done'
          ? {}
          : { completedAt: done ? ctx.now : null, completedBy: done ? actor.userId : null };
      const changed = await store.updateAction(scope.tx, scope.partnershipId, actionId, version, {
        ...action,
        ...completion,
        updatedAt: ctx.now,
        updatedBy: actor.userId,
      });
      if (!changed) throw stale();
      return {
        value: undefined,
        event: 'change_action',
        detail: { actionId, changes: changesOf(before, action) },
        audit: { actionId, status: action.status },
      };
    });
  }

  /**
   * A review meeting: who came, the family's and the child's views, the decisions, scores for the
   * active goals, and the next review date, which may be sooner than the rules' latest but not
   * later. The plan's next review date moves with it, if the plan is still at `version`.
   */
  async recordReview(ctx: Ctx, planId: string, input: ReviewInput): Promise<string> {
    const { version, ratings, ratingsBy, ...review } = check(ReviewInput, input);
    return this.change(ctx, planId, 'plan.review.record', async (scope, actor) => {
      const { tx, partnershipId, plan } = scope;
      if (plan.version !== version)
        throw new ConflictError(
          'The plan changed since you opened this page (someone may have recorded this meeting already): check the plan, then send the review again',
        );
      const today = londonDate(ctx.now);
      const problems: FieldError[] = [];
      const kinds = REVIEW_KINDS_FOR[plan.kind];
      if (!kinds.includes(review.kind))
        problems.push({
          field: 'kind',
          message: `Choose ${kinds.map((k) => `a ${REVIEW_KIND_LABELS[k].toLowerCase()}`).join(' or ')}: the meetings this plan holds`,
        });
      if (review.heldOn < plan.startedOn)
        problems.push({
          field: 'heldOn-day',
          message: `The meeting cannot be before the plan began, on ${spoken(plan.startedOn)}`,
        });
      if (review.heldOn > today)
        problems.push({ field: 'heldOn-day', message: 'The meeting date cannot be in the future' });
      const goals = await store.goalsOf(tx, partnershipId, planId);
      for (const goalId of Object.keys(ratings))
        if (!goals.some((g) => g.id === goalId && g.status === 'active'))
          problems.push({
            field: `rating-${goalId}`,
            message: 'Scores at a review are for the plan’s active goals',
          });
      refuse(problems);

      const settings = await store.reviewSettingsOf(tx, partnershipId);
      const { latest, suggested } = await this.schedule(scope, settings, review.kind, review.heldOn);
      const nextReviewDue = review.nextReviewDue ?? suggested;
      if (nextReviewDue > latest)
        refuse([
          {
            field: 'nextReviewDue-day',
            message: `The next review must be held by ${spoken(latest)}, the latest the rules for this plan allow`,
          },
        ]);
      if (nextReviewDue <= review.heldOn)
        refuse([{ field: 'nextReviewDue-day', message: 'The next review must be after this meeting' }]);

      const id = await store.insertReview(tx, {
        partnershipId,
        planId,
        ...review,
        attendance: JSON.stringify(review.attendance),
        nextReviewDue,
        recordedAt: ctx.now,
        recordedBy: actor.userId,
      });
      await store.insertRatings(
        tx,
        Object.entries(ratings).map(([goalId, score]) => ({
          partnershipId,
          goalId,
          ratedOn: review.heldOn,
          score,
          rater: ratingsBy,
          recordedBy: actor.userId,
          reviewId: id,
          recordedAt: ctx.now,
        })),
      );
      const moved = await store.setNextReview(tx, plan, version, {
        nextReviewDue,
        updatedAt: ctx.now,
        updatedBy: actor.userId,
      });
      if (!moved)
        throw new ConflictError('The plan changed since you opened this page: send the review again');
      return {
        value: id,
        event: 'record_review',
        detail: {
          reviewId: id,
          heldOn: review.heldOn,
          kind: review.kind,
          nextReviewDue,
          previousNextReviewDue: plan.nextReviewDue,
          ratings: Object.keys(ratings).length,
        },
        audit: { reviewId: id, heldOn: review.heldOn, kind: review.kind },
      };
    });
  }

  /** One review in full, with the scores given at it. */
  async review(ctx: Ctx, planId: string, reviewId: string) {
    await this.access.require(ctx, 'plans.contribute', 'plan.review.view');
    return withPlan(
      this.db,
      this.gate,
      ctx,
      planId,
      'plan.review.view',
      'read',
      async ({ tx, partnershipId, plan }) => {
        const review = await store.findReview(tx, partnershipId, planId, reviewId);
        if (!review) throw new NotFoundError('Review');
        const ratings = await store.ratingsAtReview(tx, partnershipId, reviewId);
        return { value: { plan, review, ratings }, detail: { reviewId } };
      },
    );
  }

  /** A practitioner's comment on the plan; the family sees it unless it is marked not for them. */
  async addComment(ctx: Ctx, planId: string, input: CommentInput): Promise<string> {
    const comment = check(CommentInput, input);
    return this.change(ctx, planId, 'plan.comment.add', async (scope, actor) => {
      const id = await store.insertComment(scope.tx, {
        partnershipId: scope.partnershipId,
        planId,
        authorId: actor.userId,
        fromFamily: false,
        ...comment,
        createdAt: ctx.now,
      });
      return {
        value: id,
        event: 'add_comment',
        detail: { commentId: id, forFamily: comment.forFamily },
        audit: { commentId: id },
      };
    });
  }

  /** The permission, the plan through the gate (locked), open plans only, and the plan's history. */
  private async change<T>(
    ctx: Ctx,
    planId: string,
    action: string,
    work: (scope: PlanScope, actor: Actor) => Promise<Change<T>>,
  ): Promise<T> {
    await this.access.require(ctx, 'plans.contribute', action);
    const actor = requirePerson(ctx);
    return withPlan(this.db, this.gate, ctx, planId, action, 'change', async (scope) => {
      await requirePlanRole(ctx, scope, 'team');
      if (scope.plan.status === 'closed') throw new ConflictError('This plan is closed, so it cannot change');
      const { value, event, detail, audit } = await work(scope, actor);
      await recordPlanEvent(scope.tx, ctx, scope.partnershipId, planId, event, detail);
      return { value, detail: audit };
    });
  }

  /**
   * What a goal must make sense of: a child on the plan, an outcome the partnership's frameworks
   * offer (national or its own; a changed goal may keep one no longer offered), a starting score not
   * in the future and, for a changed goal, not after its first rating.
   */
  private async goalProblems(
    { tx, partnershipId, childIds }: PlanScope,
    goal: z.output<typeof GoalInput>,
    today: string,
    before?: Row<'planGoals'>,
  ): Promise<FieldError[]> {
    const problems: FieldError[] = [];
    if (goal.personId && !childIds.includes(goal.personId))
      problems.push({ field: 'personId', message: 'Select a child on the plan, or the whole family' });
    const { jurisdiction } = await store.reviewSettingsOf(tx, partnershipId);
    const locals = await this.localFrameworks.forGoals(tx, partnershipId);
    const { outcomeFramework: framework, outcomeCode: code } = goal;
    const kept = before?.outcomeFramework === framework && before.outcomeCode === code;
    const known = outcomeIn([...OUTCOME_FRAMEWORKS, ...locals], framework, code);
    const open = outcomeIn(offered([...frameworksFor(jurisdiction), ...locals]), framework, code);
    // Another partnership's framework is unknown here, so it is refused like a closed one.
    if (!known && OUTCOME_FRAMEWORKS.some((f) => f.id === framework))
      problems.push({ field: 'outcome', message: 'Select the outcome the goal serves' });
    else if (!open && !(known && kept))
      problems.push({ field: 'outcome', message: 'Select an outcome from your partnership’s framework' });
    const firstRating = before ? await store.firstRatingOn(tx, partnershipId, before.id) : null;
    if (goal.baselineOn > today)
      problems.push({
        field: 'baselineOn-day',
        message: 'The date of the score at the start cannot be in the future',
      });
    else if (firstRating && goal.baselineOn > firstRating)
      problems.push({
        field: 'baselineOn-day',
        message: `The score at the start cannot be dated after the first rating, on ${spoken(firstRating)}`,
      });
    return problems;
  }

  private async actionProblems(
    { tx, partnershipId, plan }: PlanScope,
    action: ActionFields,
  ): Promise<FieldError[]> {
    const problems: FieldError[] = [];
    if (action.ownerUserId && !(await store.staffUser(tx, partnershipId, action.ownerUserId)))
      problems.push({ field: 'ownerUserId', message: 'Select a practitioner of this partnership' });
    if (
      action.ownerOrganisationId &&
      !(await store.activeOrganisation(tx, partnershipId, action.ownerOrganisationId))
    )
      problems.push({ field: 'ownerOrganisationId', message: 'Select an agency of this partnership' });
    if (action.goalId && !(await store.findGoal(tx, partnershipId, plan.id, action.goalId)))
      problems.push({ field: 'goalId', message: 'Select a goal of this plan' });
    if (action.dueOn < plan.startedOn)
      problems.push({
        field: 'dueOn-day',
        message: `The due date cannot be before the plan began, on ${spoken(plan.startedOn)}`,
      });
    return problems;
  }

  /**
   * The latest date the next review may be after a meeting of `kind` held on `heldOn`, counting the
   * meetings of the current stage that set the schedule, and the date offered by default: the
   * latest, or for a core group (which does not move the conference's schedule) the date already set.
   */
  private async schedule(
    { tx, partnershipId, plan }: PlanScope,
    settings: Awaited<ReturnType<typeof store.reviewSettingsOf>>,
    kind: ReviewKind,
    heldOn: string,
  ) {
    const stageStart = await store.stageStartedOn(tx, plan);
    const counts = (k: ReviewKind) => k !== 'core_group';
    const held = (await store.reviewsSince(tx, partnershipId, plan.id, stageStart))
      .filter((r) => counts(r.kind))
      .map((r) => r.heldOn);
    if (counts(kind) && heldOn >= stageStart) held.push(heldOn);
    const latest = latestNextReview(
      plan.kind,
      stageStart,
      held.sort(),
      {
        earlyHelpReviewWeeks: settings.earlyHelpReviewWeeks ?? DEFAULT_PLAN_SETTINGS.earlyHelpReviewWeeks,
        childInNeedReviewWeeks:
          settings.childInNeedReviewWeeks ?? DEFAULT_PLAN_SETTINGS.childInNeedReviewWeeks,
      },
      calendarFor(settings.calendar ?? 'england-and-wales'),
    );
    const keep = !counts(kind) && plan.nextReviewDue > heldOn && plan.nextReviewDue <= latest;
    const suggested = keep ? plan.nextReviewDue : latest;
    return { latest, suggested };
  }
}

/** Checks a domain input whoever calls: a mistake is a ValidationError on the page's box. */
function check<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success)
    throw new ValidationError(
      result.error.issues.map((i) => ({ field: formField(i.path), message: i.message })),
    );
  return result.data;
}

function refuse(problems: FieldError[]) {
  if (problems.length > 0) throw new ValidationError(problems);
}

const staleGoal = () =>
  new ConflictError(
    'Someone else changed this goal since you opened it: compare what they saved with your change below, then save again',
  );

/** Keeps only the owner detail the owner's kind uses, so a changed kind leaves nothing behind. */
function withOneOwner<A extends ActionFields>(action: A): A {
  return {
    ...action,
    ownerUserId: action.ownerKind === 'practitioner' ? action.ownerUserId : null,
    ownerOrganisationId: action.ownerKind === 'agency' ? action.ownerOrganisationId : null,
    ownerFamilyMember: action.ownerKind === 'family' ? action.ownerFamilyMember : null,
    supportNeeded: action.ownerKind === 'family' ? action.supportNeeded : '',
  };
}

/** What an edit changed, field by field, for the plan's history (and the merge after a conflict). */
function changesOf<T extends Record<string, unknown>>(before: Partial<T>, after: T) {
  return Object.fromEntries(
    Object.entries(after)
      .filter(([key, value]) => before[key] !== value)
      .map(([key, value]) => [key, { from: before[key] ?? null, to: value }]),
  );
}
