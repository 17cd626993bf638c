import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Ctx } from '../../common/context.ts';
import { ConflictError, NotFoundError, ValidationError, type FieldError } from '../../common/errors.ts';
import type { WebServices } from '../../web/app.ts';
import { pathParams, registerFormPage } from '../../web/form-route.ts';
import { formErrors, parseWith } from '../../web/forms.ts';
import {
  ACTION_STATUS_LABELS,
  ActionForm,
  ActionUpdateForm,
  ATTENDANCE_ROWS,
  CommentForm,
  GOAL_STATUS_LABELS,
  GoalForm,
  GoalUpdateForm,
  OWNER_KIND_LABELS,
  RATER_LABELS,
  RatingForm,
  REVIEW_KIND_LABELS,
  ReviewForm,
} from './plans.work.schemas.ts';
import type { PlanAction, PlanGoal } from './plans.work.store.ts';
import { PLAN_KIND_LABELS } from './plans.workflow.ts';

type Services = Pick<WebServices, 'planWork'>;

const VIEWS = 'plans/views';
const LABELS = {
  rater: RATER_LABELS,
  goalStatus: GOAL_STATUS_LABELS,
  ownerKind: OWNER_KIND_LABELS,
  actionStatus: ACTION_STATUS_LABELS,
  reviewKind: REVIEW_KIND_LABELS,
  planKind: PLAN_KIND_LABELS,
};

/** Back to the plan page, at the part that changed. */
const planAt = (planId: string, part: 'goals' | 'actions' | 'reviews' | 'comments') =>
  `/plans/${planId}#${part}`;

/** A plain date as the three boxes of a GOV.UK date input. */
function dateBoxes(prefix: string, date: string | null) {
  const [year, month, day] = date ? date.split('-') : ['', '', ''];
  return {
    [`${prefix}-day`]: day ? String(Number(day)) : '',
    [`${prefix}-month`]: month ? String(Number(month)) : '',
    [`${prefix}-year`]: year ?? '',
  };
}
const yesNo = (value: boolean) => (value ? 'yes' : 'no');
const FOR_FAMILY = { label: 'Can the family see it?', choices: { yes: 'Yes', no: 'No' } };

const goalValues = (goal: PlanGoal) => ({
  version: goal.version,
  personId: goal.personId ?? 'family',
  title: goal.title,
  outcome: `${goal.outcome.framework}:${goal.outcome.code}`,
  baseline: String(goal.baseline),
  ...dateBoxes('baselineOn', goal.baselineOn),
  target: goal.target === null ? '' : String(goal.target),
  forFamily: yesNo(goal.forFamily),
  status: goal.status,
});

const actionValues = (action: PlanAction) => ({
  version: action.version,
  description: action.description,
  goalId: action.goalId ?? '',
  ownerKind: action.ownerKind,
  ownerUserId: action.ownerUserId ?? '',
  ownerOrganisationId: action.ownerOrganisationId ?? '',
  ownerFamilyMember: action.ownerFamilyMember ?? '',
  supportNeeded: action.supportNeeded,
  ...dateBoxes('dueOn', action.dueOn),
  forFamily: yesNo(action.forFamily),
  status: action.status,
});

/** A plan's goals, ratings, actions, reviews and comments: the forms behind the plan page's working part. */
export function registerPlanWorkRoutes(app: FastifyInstance, services: Services) {
  const work = services.planWork;
  const access = 'plans.contribute' as const;
  const page = async (ctx: Ctx, planId: string) => ({
    ...(await work.workPage(ctx, planId)),
    labels: LABELS,
  });
  const goalOf = (found: Awaited<ReturnType<typeof page>>, goalId: string) => {
    const goal = found.work.goals.find((g) => g.id === goalId);
    if (!goal) throw new NotFoundError('Goal');
    return goal;
  };
  // What a goal's and an action's fields are called, for the list of what someone else saved.
  type Found = Awaited<ReturnType<typeof page>>;
  const goalLabels = ({ children, frameworks, goal }: Found & { goal: PlanGoal }) => ({
    personId: {
      label: 'Whose goal is it?',
      choices: {
        family: 'The whole family',
        ...Object.fromEntries(children.map((c) => [c.id, c.name] as const)),
      },
    },
    title: 'The goal, in the family’s own words',
    outcome: {
      label: 'The outcome it serves',
      choices: Object.fromEntries([
        [`${goal.outcome.framework}:${goal.outcome.code}`, goal.outcome.label] as const,
        ...frameworks.flatMap((f) => f.outcomes.map((o) => [`${f.id}:${o.code}`, o.label] as const)),
      ]),
    },
    baseline: 'Score at the start',
    baselineOn: 'Date of the score at the start',
    target: 'Target score',
    status: { label: 'Where the goal stands', choices: GOAL_STATUS_LABELS },
    forFamily: FOR_FAMILY,
  });
  const actionLabels = ({ work: { goals }, team, organisations }: Found) => ({
    description: 'What will be done',
    goalId: {
      label: 'The goal it works towards',
      choices: { '': 'Not for one goal', ...Object.fromEntries(goals.map((g) => [g.id, g.title] as const)) },
    },
    ownerKind: { label: 'Who will do it?', choices: OWNER_KIND_LABELS },
    ownerUserId: { label: 'The practitioner', choices: Object.fromEntries(team.map((u) => [u.id, u.name])) },
    ownerOrganisationId: {
      label: 'The agency',
      choices: Object.fromEntries(organisations.map((o) => [o.id, o.name])),
    },
    ownerFamilyMember: 'Who in the family',
    supportNeeded: 'The support they need',
    dueOn: 'Due by',
    status: { label: 'Where it stands', choices: ACTION_STATUS_LABELS },
    forFamily: FOR_FAMILY,
  });

  registerFormPage(app, {
    url: '/plans/:planId/goals/new',
    access,
    view: `${VIEWS}/goal-form.njk`,
    schema: GoalForm,
    load: async (ctx, params) => {
      const found = await page(ctx, params.planId!);
      return { ...found, values: { ...dateBoxes('baselineOn', found.today), forFamily: 'yes' } };
    },
    submit: async (ctx, data, params) => {
      await work.addGoal(ctx, params.planId!, data);
      return { redirect: planAt(params.planId!, 'goals'), flash: 'Goal added' };
    },
  });

  registerFormPage(app, {
    url: '/plans/:planId/goals/:goalId',
    access,
    view: `${VIEWS}/goal-form.njk`,
    schema: GoalUpdateForm,
    load: async (ctx, params) => {
      const found = await page(ctx, params.planId!);
      const goal = goalOf(found, params.goalId!);
      return { ...found, goal, values: goalValues(goal) };
    },
    fieldLabels: goalLabels,
    submit: async (ctx, data, params) => {
      await work.updateGoal(ctx, params.planId!, params.goalId!, data);
      return { redirect: planAt(params.planId!, 'goals'), flash: 'Goal saved' };
    },
  });

  registerFormPage(app, {
    url: '/plans/:planId/goals/:goalId/ratings/new',
    access,
    view: `${VIEWS}/rating-form.njk`,
    schema: RatingForm,
    load: async (ctx, params) => {
      const found = await page(ctx, params.planId!);
      const goal = goalOf(found, params.goalId!);
      return { ...found, goal, values: { ...dateBoxes('ratedOn', found.today), rater: 'family' } };
    },
    submit: async (ctx, data, params) => {
      await work.rateGoal(ctx, params.planId!, params.goalId!, data);
      return { redirect: planAt(params.planId!, 'goals'), flash: 'Score added' };
    },
  });

  registerFormPage(app, {
    url: '/plans/:planId/actions/new',
    access,
    view: `${VIEWS}/action-form.njk`,
    schema: ActionForm,
    load: async (ctx, params) => ({ ...(await page(ctx, params.planId!)), values: { forFamily: 'yes' } }),
    submit: async (ctx, data, params) => {
      await work.addAction(ctx, params.planId!, data);
      return { redirect: planAt(params.planId!, 'actions'), flash: 'Action added' };
    },
  });

  registerFormPage(app, {
    url: '/plans/:planId/actions/:actionId',
    access,
    view: `${VIEWS}/action-form.njk`,
    schema: ActionUpdateForm,
    load: async (ctx, params) => {
      const found = await page(ctx, params.planId!);
      const action = found.work.actions.find((a) => a.id === params.actionId);
      if (!action) throw new NotFoundError('Action');
      return { ...found, action, values: actionValues(action) };
    },
    fieldLabels: actionLabels,
    submit: async (ctx, data, params) => {
      await work.updateAction(ctx, params.planId!, params.actionId!, data);
      return { redirect: planAt(params.planId!, 'actions'), flash: 'Action saved' };
    },
  });

  /**
   * The review form. Not a registerFormPage: a review lost to a race keeps what the person wrote
   * (a meeting's record is long), with the plan's new version, and says why it was not saved.
   */
  const reviewForm = async (
    reply: FastifyReply,
    ctx: Ctx,
    planId: string,
    sent?: { values: Record<string, unknown>; errors: FieldError[]; status: 400 | 409 },
  ) => {
    const found = await page(ctx, planId);
    const fresh = {
      version: found.plan.version,
      ...dateBoxes('heldOn', found.today),
      kind: found.reviewKinds[0],
      forFamily: 'yes',
      ratingsBy: 'family',
    };
    const values = !sent
      ? fresh
      : sent.status === 409
        ? { ...sent.values, version: fresh.version }
        : sent.values;
    return reply.page(
      `${VIEWS}/review-form.njk`,
      {
        ...found,
        activeGoals: found.work.goals.filter((g) => g.status === 'active'),
        attendanceRows: Array.from({ length: ATTENDANCE_ROWS }, (_, i) => i),
        values,
        errors: sent ? formErrors(sent.errors) : undefined,
      },
      sent?.status,
    );
  };

  app.get('/plans/:planId/reviews/new', { config: { access } }, async (request, reply) =>
    reviewForm(reply, request.ctx(), pathParams(request).planId!),
  );

  app.post('/plans/:planId/reviews/new', { config: { access } }, async (request, reply) => {
    const ctx = request.ctx();
    const planId = pathParams(request).planId!;
    const values = (request.body ?? {}) as Record<string, unknown>;
    const parsed = parseWith(ReviewForm, values);
    if (!parsed.ok) return reviewForm(reply, ctx, planId, { values, errors: parsed.errors, status: 400 });
    try {
      await work.recordReview(ctx, planId, parsed.data);
      return reply.flash('Review recorded').redirect(planAt(planId, 'reviews'), 303);
    } catch (error) {
      if (error instanceof ValidationError)
        return reviewForm(reply, ctx, planId, { values, errors: error.fields, status: 400 });
      if (error instanceof ConflictError)
        return reviewForm(reply, ctx, planId, {
          values,
          errors: [{ field: 'form', message: error.message }],
          status: 409,
        });
      throw error;
    }
  });

  app.get('/plans/:planId/reviews/:reviewId', { config: { access } }, async (request, reply) => {
    const { planId, reviewId } = pathParams(request);
    const found = await work.review(request.ctx(), planId!, reviewId!);
    return reply.page(`${VIEWS}/review-detail.njk`, { ...found, labels: LABELS });
  });

  registerFormPage(app, {
    url: '/plans/:planId/comments',
    access,
    view: `${VIEWS}/comment-form.njk`,
    schema: CommentForm,
    load: async (ctx, params) => ({ ...(await page(ctx, params.planId!)), values: { forFamily: 'yes' } }),
    submit: async (ctx, data, params) => {
      await work.addComment(ctx, params.planId!, data);
      return { redirect: planAt(params.planId!, 'comments'), flash: 'Comment added' };
    },
  });
}
