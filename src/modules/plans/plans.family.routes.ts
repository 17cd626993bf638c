import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Ctx } from '../../common/context.ts';
import { ConflictError, NotFoundError, ValidationError, type FieldError } from '../../common/errors.ts';
import type { WebServices } from '../../web/app.ts';
import { pathParams } from '../../web/form-route.ts';
import { formErrors, parseWith } from '../../web/forms.ts';
import {
  DEFAULT_LANGUAGE,
  LANGUAGES,
  LANGUAGE_NAMES,
  requestLanguage,
  translator,
  type Language,
  type Translate,
} from '../../web/i18n.ts';
import { ACTIVATION_DAYS } from './plans.family.ts';
import {
  ActivationInput,
  ERROR_PARAMS,
  FAMILY_LANGUAGE_LABELS,
  FamilyAccountInput,
  FamilyCommentInput,
  MarkDoneInput,
  PASSWORD_MIN,
  RELATIONSHIP_LABELS,
} from './plans.family.schemas.ts';

const VIEWS = 'plans/views/family';
const STAFF = { config: { access: 'plans.contribute' } } as const;
const FAMILY = { config: { access: 'family.view' } } as const;
/** Guessing codes is slow work at this rate, and a family member who mistypes still gets through. */
const ACTIVATION_LIMIT = { rateLimit: { max: 20, timeWindow: '1 hour' } };

const accountsUrl = (planId: string) => `/plans/${planId}/family-accounts`;
const familyPlanUrl = (planId: string) => `/family/plans/${planId}`;

/**
 * Family accounts: the practitioner's page on a plan that gives a parent, carer or young person a
 * sign-in (and takes it away), the public page where they choose a password with their code, and
 * the family's own view of their plan, in their language.
 */
export function registerFamilyRoutes(app: FastifyInstance, { family }: Pick<WebServices, 'family'>) {
  // The practitioner's side: plain English, like every staff page.

  app.get('/plans/:planId/family-accounts', STAFF, async (request, reply) => {
    const { planId } = pathParams(request);
    const page = await family.listAccounts(request.ctx(), planId!);
    return reply.page(`${VIEWS}/accounts.njk`, {
      ...page,
      labels: STAFF_LABELS,
      activationDays: ACTIVATION_DAYS,
    });
  });

  const showAccountForm = async (
    request: FastifyRequest,
    reply: FastifyReply,
    planId: string,
    form: { values: Record<string, unknown>; errors?: FieldError[] },
    status?: number,
  ) => {
    const page = await family.listAccounts(request.ctx(), planId);
    const errors = form.errors && formErrors(form.errors);
    return reply.page(
      `${VIEWS}/account-form.njk`,
      { ...page, ...form, errors, labels: STAFF_LABELS, activationDays: ACTIVATION_DAYS },
      status,
    );
  };

  app.get('/plans/:planId/family-accounts/new', STAFF, async (request, reply) => {
    const { planId } = pathParams(request);
    return showAccountForm(request, reply, planId!, { values: { language: 'en' } });
  });

  // Not POST-redirect-GET: the code exists only in this answer, so it is shown here and never stored.
  app.post('/plans/:planId/family-accounts/new', STAFF, async (request, reply) => {
    const { planId } = pathParams(request);
    const values = (request.body ?? {}) as Record<string, unknown>;
    const parsed = parseWith(FamilyAccountInput, values);
    if (!parsed.ok) return showAccountForm(request, reply, planId!, { values, errors: parsed.errors }, 400);
    try {
      const issued = await family.addAccount(request.ctx(), planId!, parsed.data);
      return showCode(request, reply, planId!, issued, 'new');
    } catch (error) {
      if (error instanceof ValidationError)
        return showAccountForm(request, reply, planId!, { values, errors: error.fields }, 400);
      if (error instanceof ConflictError)
        return showAccountForm(
          request,
          reply,
          planId!,
          { values, errors: [{ field: 'form', message: error.message }] },
          409,
        );
      throw error;
    }
  });

  app.post('/plans/:planId/family-accounts/:accountId/new-code', STAFF, async (request, reply) => {
    const { planId, accountId } = pathParams(request);
    const issued = await family.newCode(request.ctx(), planId!, accountId!);
    return showCode(request, reply, planId!, issued, 'again');
  });

  app.post('/plans/:planId/family-accounts/:accountId/revoke', STAFF, async (request, reply) => {
    const { planId, accountId } = pathParams(request);
    const { displayName, alreadyRevoked } = await family.revokeAccount(request.ctx(), planId!, accountId!);
    const message = alreadyRevoked
      ? `${displayName}’s sign-in had already been revoked`
      : `${displayName} can no longer sign in to see the plan`;
    return reply.flash(message).redirect(accountsUrl(planId!), 303);
  });

  const showCode = (
    request: FastifyRequest,
    reply: FastifyReply,
    planId: string,
    issued: Awaited<ReturnType<typeof family.newCode>>,
    kind: 'new' | 'again',
  ) => {
    reply.header('cache-control', 'no-store');
    return reply.page(`${VIEWS}/account-code.njk`, {
      planId,
      issued,
      kind,
      activateUrl: `${request.protocol}://${request.host}/family/activate`,
    });
  };

  // Choosing a password with the code: nobody is signed in yet.

  app.get('/family/activate', { config: { access: 'public' } }, async (request, reply) => {
    const lang = requestLanguage(request, reply, DEFAULT_LANGUAGE);
    return familyPage(request, reply, lang, 'activate.njk', { values: {}, ...ACTIVATE_DATA });
  });

  app.post(
    '/family/activate',
    { config: { access: 'public', ...ACTIVATION_LIMIT } },
    async (request, reply) => {
      const lang = requestLanguage(request, reply, DEFAULT_LANGUAGE);
      const body = (request.body ?? {}) as Record<string, unknown>;
      // Passwords are never sent back to the page.
      const values = { email: body.email, code: body.code };
      const again = (errors: FieldError[]) =>
        familyPage(
          request,
          reply,
          lang,
          'activate.njk',
          { values, ...ACTIVATE_DATA, errors: translated(lang, errors) },
          400,
          '/family/activate',
        );
      const parsed = parseWith(ActivationInput, body);
      if (!parsed.ok) return again(parsed.errors);
      const ctx: Ctx = {
        actor: { system: 'family-activation' },
        requestId: request.id,
        now: request.now(),
        sourceAddress: request.ip,
      };
      try {
        await family.activate(ctx, parsed.data);
      } catch (error) {
        if (error instanceof ValidationError) return again(error.fields);
        throw error;
      }
      return reply.flash(translator(lang)('activate.done')).redirect('/sign-in?next=%2Ffamily', 303);
    },
  );

  // The family's own plan.

  app.get('/family', FAMILY, async (request, reply) => {
    // A language asked for here (a link to /family?lang=cy) is remembered before the redirect.
    const lang = requestLanguage(request, reply, DEFAULT_LANGUAGE);
    const home = await family.home(request.ctx());
    if (home) return reply.redirect(familyPlanUrl(home.planId), 303);
    return familyPage(request, reply, lang, 'no-plan.njk', {}, 404);
  });

  /** The plan page, with what went wrong with the last thing the family sent when something did. */
  const showPlan = async (
    request: FastifyRequest,
    reply: FastifyReply,
    planId: string,
    failure?: { errors: FieldError[]; status: number; values?: Record<string, unknown> },
  ) => {
    const ctx = request.ctx();
    const lang = await familyLanguage(request, reply, ctx);
    try {
      const view = await family.viewPlan(ctx, planId);
      const errors = failure && translated(lang, failure.errors);
      const data = { ...view, errors, values: failure?.values ?? {} };
      return familyPage(request, reply, lang, 'plan.njk', data, failure?.status, familyPlanUrl(planId));
    } catch (error) {
      if (error instanceof NotFoundError) return notFound(request, reply, lang);
      throw error;
    }
  };

  const familyLanguage = async (request: FastifyRequest, reply: FastifyReply, ctx: Ctx) =>
    requestLanguage(request, reply, (await family.home(ctx))?.language ?? DEFAULT_LANGUAGE);

  const notFound = (request: FastifyRequest, reply: FastifyReply, lang: Language) =>
    familyPage(request, reply, lang, 'not-found.njk', {}, 404, '/family');

  app.get('/family/plans/:planId', FAMILY, async (request, reply) =>
    showPlan(request, reply, pathParams(request).planId!),
  );

  /** Runs a change from the plan page; a refusal shows the plan again with the reason, nothing written. */
  const change = async (
    request: FastifyRequest,
    reply: FastifyReply,
    anchor: 'actions' | 'comments',
    work: (ctx: Ctx, planId: string, t: Translate) => Promise<string>,
  ) => {
    const { planId } = pathParams(request);
    const ctx = request.ctx();
    const lang = await familyLanguage(request, reply, ctx);
    const values = (request.body ?? {}) as Record<string, unknown>;
    try {
      const flash = await work(ctx, planId!, translator(lang));
      return reply.flash(flash).redirect(`${familyPlanUrl(planId!)}#${anchor}`, 303);
    } catch (error) {
      if (error instanceof ValidationError)
        return showPlan(request, reply, planId!, { errors: error.fields, status: 400, values });
      if (error instanceof ConflictError)
        return showPlan(request, reply, planId!, {
          errors: [{ field: anchor, message: error.message }],
          status: 409,
        });
      if (error instanceof NotFoundError) return notFound(request, reply, lang);
      throw error;
    }
  };

  app.post('/family/plans/:planId/actions/:actionId/done', FAMILY, async (request, reply) =>
    change(request, reply, 'actions', async (ctx, planId, t) => {
      const { actionId } = pathParams(request);
      const parsed = parseWith(MarkDoneInput, request.body);
      if (!parsed.ok) throw new ConflictError('errors.outOfDate');
      const { description } = await family.markActionDone(ctx, planId, actionId!, parsed.data);
      return t('actions.marked', { action: description });
    }),
  );

  app.post('/family/plans/:planId/comments', FAMILY, async (request, reply) =>
    change(request, reply, 'comments', async (ctx, planId, t) => {
      const parsed = parseWith(FamilyCommentInput, request.body);
      if (!parsed.ok) throw new ValidationError(parsed.errors);
      await family.addComment(ctx, planId, parsed.data);
      return t('comments.sent');
    }),
  );
}

const STAFF_LABELS = { relationship: RELATIONSHIP_LABELS, language: FAMILY_LANGUAGE_LABELS };
const ACTIVATE_DATA = { passwordMin: PASSWORD_MIN, activationDays: ACTIVATION_DAYS };

/** A family page: in `lang`, with links to the same page (`path`) in each language. */
function familyPage(
  request: FastifyRequest,
  reply: FastifyReply,
  lang: Language,
  view: string,
  data: Record<string, unknown>,
  status?: number,
  path = request.url.split('?')[0],
) {
  const languages = LANGUAGES.map((code) => ({
    code,
    name: LANGUAGE_NAMES[code],
    current: code === lang,
    href: `${path}?lang=${code}`,
  }));
  return reply.page(`${VIEWS}/${view}`, { ...data, lang, languages }, status);
}

/** The family's errors carry message keys; the error summary shows them in the page's language. */
function translated(lang: Language, errors: FieldError[]) {
  const t = translator(lang);
  return formErrors(errors.map((e) => ({ field: e.field, message: t(e.message, ERROR_PARAMS) })));
}
