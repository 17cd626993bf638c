import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Ctx } from '../../common/context.ts';
import { ConflictError, NotFoundError, ValidationError, type FieldError } from '../../common/errors.ts';
import { londonDate } from '../../common/plain-dates.ts';
import type { WebServices } from '../../web/app.ts';
import { pathParams, registerFormPage } from '../../web/form-route.ts';
import { formErrors, parseWith } from '../../web/forms.ts';
import { MergeConflict } from './plans.merge.ts';
import {
  AllocationInput,
  ChildInput,
  CloseInput,
  HandoverInput,
  MemberInput,
  PlanInput,
  PlanSettingsInput,
  ReasonInput,
  StageInput,
  SUMMARY_FIELDS,
  SUMMARY_LABELS,
  SummaryInput,
} from './plans.schemas.ts';
import {
  COMMITMENT_LABELS,
  EPISODE_KIND_LABELS,
  PLAN_KIND_LABELS,
  REVIEW_STATE_LABELS,
  SETTING_LIMITS,
} from './plans.workflow.ts';

type Services = Pick<WebServices, 'plans'>;

const VIEWS = 'plans/views';

/** Labels every plan page uses. */
const LABELS = {
  kind: PLAN_KIND_LABELS,
  status: { open: 'Open', closed: 'Closed' },
  reviewState: REVIEW_STATE_LABELS,
  commitment: COMMITMENT_LABELS,
  episodeKind: EPISODE_KIND_LABELS,
  summary: SUMMARY_LABELS,
  /** What each history entry says happened; other parts of the plan name their own. */
  event: {
    start: 'started the plan',
    summary: 'changed the summary',
    handover: 'handed the plan over',
    'add-member': 'added a member to the team',
    'remove-member': 'took a member off the team',
    'add-child': 'added a child to the plan',
    'remove-child': 'took a child off the plan',
    'change-kind': 'changed the kind of plan',
    close: 'closed the plan',
    add_goal: 'added a goal',
    change_goal: 'changed a goal',
    rate_goal: 'scored a goal',
    add_action: 'added an action',
    change_action: 'changed an action',
    record_review: 'recorded a review',
    add_comment: 'added a comment',
  } satisfies Record<string, string>,
};

/** A GOV.UK date input's three boxes, filled with a date. */
function dateBoxes(prefix: string, date: string) {
  const [year, month, day] = date.split('-');
  return {
    [`${prefix}-day`]: String(Number(day)),
    [`${prefix}-month`]: String(Number(month)),
    [`${prefix}-year`]: year,
  };
}

const today = (ctx: Ctx) => londonDate(ctx.now);

/** The family plan's own pages: starting and allocating plans, the plan page, and its changes. */
export function registerPlanRoutes(app: FastifyInstance, services: Services) {
  const plans = services.plans;
  const planUrl = (params: Record<string, string>) => `/plans/${params.planId}`;

  /** A form page shown again: what the person sent, with what to correct; or the first time. */
  const show = (
    reply: FastifyReply,
    view: string,
    data: Record<string, unknown>,
    values: Record<string, unknown>,
    problems?: FieldError[],
    status?: number,
  ) =>
    reply.page(
      `${VIEWS}/${view}`,
      { ...data, labels: LABELS, values, errors: problems && formErrors(problems) },
      status,
    );

  /** Posts a form whose page needs more than path parameters: parse, act, or show it again. */
  const postForm = async <S extends z.ZodType>(
    request: FastifyRequest,
    reply: FastifyReply,
    form: {
      schema: S;
      again: (
        values: Record<string, unknown>,
        problems: FieldError[],
        status: number,
      ) => Promise<FastifyReply>;
      submit: (data: z.output<S>) => Promise<{ redirect: string; flash: string }>;
      onConflict?: (error: ConflictError, body: Record<string, unknown>) => Promise<FastifyReply | undefined>;
    },
  ) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const parsed = parseWith(form.schema, body);
    if (!parsed.ok) return form.again(body, parsed.errors, 400);
    try {
      const { redirect, flash } = await form.submit(parsed.data);
      return reply.flash(flash).redirect(redirect, 303);
    } catch (error) {
      if (error instanceof ValidationError) return form.again(body, error.fields, 400);
      if (error instanceof ConflictError)
        return (
          (await form.onConflict?.(error, body)) ??
          form.again(body, [{ field: 'form', message: error.message }], 409)
        );
      throw error;
    }
  };

  // --- Lists --------------------------------------------------------------------------------------

  app.get('/plans', { config: { access: 'plans.contribute' } }, async (request, reply) => {
    const mine = await plans.mine(request.ctx());
    const open = mine.filter((p) => p.status === 'open');
    const closed = mine.filter((p) => p.status === 'closed');
    return reply.page(`${VIEWS}/plans.njk`, { open, closed, labels: LABELS });
  });

  // The child's record links here: their open plan, or the form to start one.
  app.get('/people/:personId/plan', { config: { access: 'plans.contribute' } }, async (request, reply) => {
    const { personId } = pathParams(request);
    const planId = await plans.openPlanOf(request.ctx(), personId!);
    return reply.redirect(planId ? `/plans/${planId}` : `/plans/new?childId=${personId}`, 303);
  });

  app.get('/plans/allocation', { config: { access: 'plans.allocate' } }, async (request, reply) =>
    reply.page(`${VIEWS}/allocation.njk`, { ...(await plans.allocation(request.ctx())), labels: LABELS }),
  );

  registerFormPage(app, {
    url: '/plans/settings',
    // A team manager or an administrator: the service checks which.
    access: 'signed-in',
    view: `${VIEWS}/settings-form.njk`,
    schema: PlanSettingsInput,
    load: async (ctx) => ({ values: await plans.settings(ctx), limits: SETTING_LIMITS, labels: LABELS }),
    submit: async (ctx, data) => {
      await plans.updateSettings(ctx, data);
      return { redirect: '/plans/settings', flash: 'Review settings saved' };
    },
  });

  // --- Starting a plan ----------------------------------------------------------------------------

  /** The child the start form is for, from `?childId=`; anything but a uuid is a page that does not exist. */
  const startChild = (request: FastifyRequest) => {
    const childId = (request.query as { childId?: string }).childId;
    if (!z.uuid().safeParse(childId).success) throw new NotFoundError('Page');
    return childId!;
  };
  const showStart = async (
    request: FastifyRequest,
    reply: FastifyReply,
    values?: Record<string, unknown>,
    problems?: FieldError[],
    status?: number,
  ) => {
    const ctx = request.ctx();
    const form = await plans.startForm(ctx, startChild(request));
    const actor = request.actor!;
    const defaults = {
      childIds: [form.child.id],
      familyName: `${form.child.familyName} family`,
      leadUserId: form.users.some((u) => u.id === actor.userId) ? actor.userId : undefined,
      ...dateBoxes('started', today(ctx)),
    };
    return show(reply, 'plan-form.njk', form, values ?? defaults, problems, status);
  };

  app.get('/plans/new', { config: { access: 'plans.contribute' } }, (request, reply) =>
    showStart(request, reply),
  );
  app.post('/plans/new', { config: { access: 'plans.contribute' } }, (request, reply) =>
    postForm(request, reply, {
      schema: PlanInput,
      again: (values, problems, status) => showStart(request, reply, values, problems, status),
      submit: async (data) => {
        const made = await plans.start(request.ctx(), data);
        return {
          redirect: `/plans/${made.id}`,
          flash: `Plan ${made.number} started for the ${data.familyName}`,
        };
      },
    }),
  );

  registerFormPage(app, {
    url: '/episodes/:episodeId/allocate',
    access: 'plans.allocate',
    view: `${VIEWS}/plan-form.njk`,
    schema: AllocationInput,
    load: async (ctx, params) => {
      const form = await plans.allocationForm(ctx, params.episodeId!);
      const values = {
        version: form.episode.version,
        kind: form.proposedKind,
        childIds: [form.child.id],
        familyName: `${form.child.familyName} family`,
        ...dateBoxes('started', today(ctx)),
      };
      return { ...form, labels: LABELS, values };
    },
    // The values are a suggested plan for the episode, not a saved one: nothing to compare.
    compare: false,
    submit: async (ctx, data, params) => {
      const made = await plans.allocate(ctx, params.episodeId!, data);
      return {
        redirect: `/plans/${made.id}`,
        flash: `Plan ${made.number} started for the ${data.familyName}`,
      };
    },
  });

  // --- The plan page ------------------------------------------------------------------------------

  app.get('/plans/:planId', { config: { access: 'plans.contribute' } }, async (request, reply) => {
    const found = await plans.get(request.ctx(), pathParams(request).planId!);
    return reply.page(`${VIEWS}/plan.njk`, { ...found, labels: LABELS });
  });

  app.get('/plans/:planId/history', { config: { access: 'plans.contribute' } }, async (request, reply) => {
    const found = await plans.history(request.ctx(), pathParams(request).planId!);
    return reply.page(`${VIEWS}/history.njk`, { ...found, labels: LABELS });
  });

  /** The plan as its edit forms show it, with the version the change will be checked against. */
  const planForm = async (ctx: Ctx, params: Record<string, string>) => {
    const found = await plans.get(ctx, params.planId!, { work: false });
    return { ...found, labels: LABELS, values: { version: found.plan.version } };
  };

  // The summary: a save that lost a race shows what the other person saved beside this person's text.
  const showSummary = async (
    request: FastifyRequest,
    reply: FastifyReply,
    values?: Record<string, unknown>,
    problems?: FieldError[],
    status?: number,
    merge?: MergeConflict,
  ) => {
    const found = await plans.get(request.ctx(), pathParams(request).planId!, { work: false });
    const saved = values ?? { version: found.plan.version, ...pick(found.plan, SUMMARY_FIELDS) };
    return show(reply, 'summary-form.njk', { ...found, merge: merge?.changes }, saved, problems, status);
  };
  app.get('/plans/:planId/summary', { config: { access: 'plans.contribute' } }, (request, reply) =>
    showSummary(request, reply),
  );
  app.post('/plans/:planId/summary', { config: { access: 'plans.contribute' } }, (request, reply) =>
    postForm(request, reply, {
      schema: SummaryInput,
      again: (values, problems, status) => showSummary(request, reply, values, problems, status),
      submit: async (data) => {
        const params = pathParams(request);
        await plans.editSummary(request.ctx(), params.planId!, data);
        return { redirect: planUrl(params), flash: 'Plan summary saved' };
      },
      onConflict: async (error, body) => {
        if (!(error instanceof MergeConflict)) return undefined;
        const problems = error.changes.map((c) => ({
          field: c.field,
          message: `${SUMMARY_LABELS[c.field as keyof typeof SUMMARY_LABELS]}: ${c.savedBy} saved a change while you were editing. Compare it with yours and save again`,
        }));
        return showSummary(request, reply, { ...body, version: error.version }, problems, 409, error);
      },
    }),
  );

  registerFormPage(app, {
    url: '/plans/:planId/lead',
    access: 'plans.contribute',
    view: `${VIEWS}/handover-form.njk`,
    schema: HandoverInput,
    load: async (ctx, params) => {
      const found = await planForm(ctx, params);
      const users = (await plans.eligibleUsers(ctx)).filter((u) => u.id !== found.plan.leadProfessionalId);
      return { ...found, users, values: { ...found.values, outgoing: 'stay' } };
    },
    compare: false,
    submit: async (ctx, data, params) => {
      await plans.handOver(ctx, params.planId!, data);
      return { redirect: planUrl(params), flash: 'The plan has a new lead professional' };
    },
  });

  registerFormPage(app, {
    url: '/plans/:planId/team/new',
    access: 'plans.contribute',
    view: `${VIEWS}/member-form.njk`,
    schema: MemberInput,
    load: async (ctx, params) => {
      const found = await planForm(ctx, params);
      const serving = new Set(found.members.map((m) => m.userId));
      const users = (await plans.eligibleUsers(ctx)).filter((u) => !serving.has(u.id));
      return { ...found, users };
    },
    submit: async (ctx, data, params) => {
      await plans.addMember(ctx, params.planId!, data);
      return { redirect: `${planUrl(params)}#team`, flash: 'Added to the team' };
    },
  });

  registerFormPage(app, {
    url: '/plans/:planId/team/:memberId/remove',
    access: 'plans.contribute',
    view: `${VIEWS}/reason-form.njk`,
    schema: ReasonInput,
    load: async (ctx, params) => {
      const found = await planForm(ctx, params);
      const member = found.members.find((m) => m.id === params.memberId);
      if (!member) throw new NotFoundError('Team member');
      return {
        ...found,
        heading: `Take ${member.name} off the team`,
        reasonLabel: `Why is ${member.name} leaving the team?`,
        blocked:
          member.userId === found.plan.leadProfessionalId
            ? `${member.name} is the lead professional: hand the plan over to someone else first.`
            : undefined,
        hint: 'Their access to the children’s records through this plan ends now.',
        button: 'Take off the team',
      };
    },
    submit: async (ctx, data, params) => {
      await plans.removeMember(ctx, params.planId!, params.memberId!, data);
      return { redirect: `${planUrl(params)}#team`, flash: 'Taken off the team' };
    },
  });

  registerFormPage(app, {
    url: '/plans/:planId/children/new',
    access: 'plans.contribute',
    view: `${VIEWS}/child-form.njk`,
    schema: ChildInput,
    load: async (ctx, params) => {
      const options = await plans.childOptions(ctx, params.planId!);
      return { ...options, labels: LABELS, values: { version: options.plan.version } };
    },
    submit: async (ctx, data, params) => {
      await plans.addChild(ctx, params.planId!, data);
      return { redirect: planUrl(params), flash: 'Child added to the plan' };
    },
  });

  registerFormPage(app, {
    url: '/plans/:planId/children/:childId/remove',
    access: 'plans.contribute',
    view: `${VIEWS}/reason-form.njk`,
    schema: ReasonInput,
    load: async (ctx, params) => {
      const found = await planForm(ctx, params);
      const child = found.children.find((c) => c.id === params.childId);
      if (!child) throw new NotFoundError('Child on this plan');
      const name = [child.givenName, child.familyName].filter(Boolean).join(' ');
      return {
        ...found,
        heading: `Take ${name} off the plan`,
        reasonLabel: `Why is ${name} leaving the plan?`,
        blocked:
          found.children.length === 1
            ? `${name} is the only child on the plan: close the plan instead.`
            : undefined,
        hint: 'The team’s access to their record through this plan ends now.',
        button: 'Take off the plan',
      };
    },
    submit: async (ctx, data, params) => {
      await plans.removeChild(ctx, params.planId!, params.childId!, data);
      return { redirect: planUrl(params), flash: 'Child taken off the plan' };
    },
  });

  registerFormPage(app, {
    url: '/plans/:planId/kind',
    access: 'plans.contribute',
    view: `${VIEWS}/kind-form.njk`,
    schema: StageInput,
    load: async (ctx, params) => {
      const found = await planForm(ctx, params);
      return { ...found, values: { ...found.values, ...dateBoxes('stage', today(ctx)) } };
    },
    compare: false,
    submit: async (ctx, data, params) => {
      await plans.changeStage(ctx, params.planId!, data);
      return {
        redirect: planUrl(params),
        flash: `The plan is now ${PLAN_KIND_LABELS[data.kind].toLowerCase()}; the next review date has been worked out again`,
      };
    },
  });

  registerFormPage(app, {
    url: '/plans/:planId/close',
    access: 'plans.contribute',
    view: `${VIEWS}/close-form.njk`,
    schema: CloseInput,
    load: async (ctx, params) => {
      const found = await planForm(ctx, params);
      return { ...found, values: { ...found.values, ...dateBoxes('closed', today(ctx)) } };
    },
    compare: false,
    submit: async (ctx, data, params) => {
      await plans.close(ctx, params.planId!, data);
      return { redirect: '/plans', flash: 'Plan closed: the team’s access through it has ended' };
    },
  });
}

function pick<T extends object, K extends keyof T>(from: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, from[k]])) as Pick<T, K>;
}
