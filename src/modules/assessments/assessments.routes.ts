import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Ctx } from '../../common/context.ts';
import { ConflictError, NotFoundError, ValidationError, type FieldError } from '../../common/errors.ts';
import { pathParams, registerFormPage } from '../../web/form-route.ts';
import { formErrors, parseWith } from '../../web/forms.ts';
import type { WebServices } from '../../web/app.ts';
import { referralsSchemas } from '../referrals/index.ts';
import { SECTION_STATUS_LABELS, sectionFormValues } from './assessments.answers.ts';
import { questionFields } from './assessments.form-view.ts';
import {
  FinishInput,
  finishInputOf,
  OUTCOME_LABELS,
  StartForm,
  startInputOf,
} from './assessments.schemas.ts';
import { AGE_BAND_LABELS } from './assessments.template.ts';

type Services = Pick<WebServices, 'assessments'>;

const VIEWS = 'assessments/views';

/** Labels the assessment pages use. */
const LABELS = {
  status: SECTION_STATUS_LABELS,
  outcome: OUTCOME_LABELS,
  ageBand: AGE_BAND_LABELS,
  urgency: referralsSchemas.URGENCY_LABELS,
  consent: referralsSchemas.CONSENT_LABELS,
  familyAware: { yes: 'Yes', no: 'No' },
  /** For the family: what each outcome means for them. */
  nextForFamily: {
    no_further_action:
      'We do not think you need more help from services at the moment. If things change, you can ask for help again at any time.',
    needs_met: 'The service that did this assessment with you will give you the help you need.',
    referral_onward:
      'We have asked children’s services for more help for your family. They will look at what we found and contact you soon.',
  },
};

/** A section is named by its id in the template: lower-case words joined by hyphens. */
const SECTION_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** The pages of the integrated assessment: start, sections, history, finish, and the family's summary. */
export function registerAssessmentRoutes(app: FastifyInstance, services: Services) {
  const assessments = services.assessments;

  app.get('/assessments', { config: { access: 'plans.contribute' } }, async (request, reply) =>
    reply.page(`${VIEWS}/mine.njk`, { drafts: await assessments.mine(request.ctx()) }),
  );

  app.get(
    '/people/:personId/assessments',
    { config: { access: 'plans.contribute' } },
    async (request, reply) => {
      const { personId } = pathParams(request);
      const found = await assessments.forPerson(request.ctx(), personId!);
      return reply.page(`${VIEWS}/person.njk`, { ...found, labels: LABELS });
    },
  );

  registerFormPage(app, {
    url: '/people/:personId/assessments/new',
    access: 'plans.contribute',
    view: `${VIEWS}/start.njk`,
    schema: StartForm,
    load: async (ctx, params) => {
      const options = await assessments.startOptions(ctx, params.personId!);
      const first = options.templates[0];
      return {
        ...options,
        labels: LABELS,
        values: { template: first ? `${first.id}@${first.version}` : undefined },
      };
    },
    submit: async (ctx, data, params) => {
      const made = await assessments.start(ctx, startInputOf(params.personId!, data));
      return { redirect: `/assessments/${made.id}`, flash: `Assessment ${made.number} started` };
    },
  });

  app.get(
    '/assessments/:assessmentId',
    { config: { access: 'plans.contribute' } },
    async (request, reply) => {
      const { assessmentId } = pathParams(request);
      const found = await assessments.overview(request.ctx(), assessmentId!);
      return reply.page(`${VIEWS}/overview.njk`, { ...found, labels: LABELS });
    },
  );

  app.get(
    '/assessments/:assessmentId/history',
    { config: { access: 'plans.contribute' } },
    async (request, reply) => {
      const { assessmentId } = pathParams(request);
      return reply.page(`${VIEWS}/history.njk`, await assessments.history(request.ctx(), assessmentId!));
    },
  );

  app.get(
    '/assessments/:assessmentId/summary',
    { config: { access: 'plans.contribute' } },
    async (request, reply) => {
      const { assessmentId } = pathParams(request);
      const found = await assessments.summary(request.ctx(), assessmentId!);
      // The print styles sit in the page, allowed by the style nonce of this response's security policy.
      const styleNonce = (reply as unknown as { cspNonce?: { style?: string } }).cspNonce?.style;
      return reply.page(`${VIEWS}/summary.njk`, { ...found, labels: LABELS, styleNonce });
    },
  );

  /** The section page, with the person's own input when it is shown again after a mistake or a lost race. */
  const showSection = async (
    reply: FastifyReply,
    ctx: Ctx,
    params: { assessmentId: string; section: string },
    again?: { body: Record<string, unknown>; errors: FieldError[]; status: number },
  ) => {
    const found = await assessments.section(ctx, params.assessmentId, params.section);
    const saved = found.saved;
    const values = again
      ? // After a lost race the form keeps the person's answers but takes the version now saved.
        { ...again.body, version: String(found.version) }
      : {
          ...sectionFormValues(found.section, saved?.answers ?? {}),
          notRecordedReason: saved?.notRecordedReason ?? '',
          version: String(found.version),
        };
    const errors = again ? formErrors(again.errors) : undefined;
    return reply.page(
      `${VIEWS}/section.njk`,
      {
        ...found,
        fields: questionFields(found.section, values, errors?.fields),
        values,
        errors,
        conflict: again?.status === 409,
        labels: LABELS,
      },
      again?.status,
    );
  };

  const sectionParams = (request: FastifyRequest) => {
    const { assessmentId } = pathParams(request);
    const section = (request.params as { section: string }).section;
    if (!SECTION_ID.test(section)) throw new NotFoundError('Page');
    return { assessmentId: assessmentId!, section };
  };

  app.get(
    '/assessments/:assessmentId/sections/:section',
    { config: { access: 'plans.contribute' } },
    async (request, reply) => showSection(reply, request.ctx(), sectionParams(request)),
  );

  app.post(
    '/assessments/:assessmentId/sections/:section',
    { config: { access: 'plans.contribute' } },
    async (request, reply) => {
      const ctx = request.ctx();
      const params = sectionParams(request);
      const body = (request.body ?? {}) as Record<string, unknown>;
      try {
        const saved = await assessments.saveSection(ctx, params.assessmentId, params.section, {
          version: body.version,
          notRecordedReason: body.notRecordedReason,
          form: body,
        });
        return reply
          .flash(`Section saved: ${SECTION_STATUS_LABELS[saved.status].toLowerCase()}`)
          .redirect(`/assessments/${params.assessmentId}`, 303);
      } catch (error) {
        if (error instanceof ValidationError)
          return showSection(reply, ctx, params, { body, errors: error.fields, status: 400 });
        if (error instanceof ConflictError)
          return showSection(reply, ctx, params, {
            body,
            errors: [{ field: 'form', message: error.message }],
            status: 409,
          });
        throw error;
      }
    },
  );

  /** The finish page; after a mistake it keeps what the person wrote, with each problem on its field. */
  const showFinish = async (
    reply: FastifyReply,
    ctx: Ctx,
    assessmentId: string,
    again?: { body: Record<string, unknown>; errors: FieldError[]; status: number },
  ) => {
    const found = await assessments.finishPage(ctx, assessmentId);
    const values = { ...(again?.body ?? {}), version: String(found.assessment.version) };
    return reply.page(
      `${VIEWS}/finish.njk`,
      {
        ...found,
        values,
        errors: again ? formErrors(again.errors.map(onFinishForm)) : undefined,
        labels: LABELS,
      },
      again?.status,
    );
  };

  app.get(
    '/assessments/:assessmentId/finish',
    { config: { access: 'plans.contribute' } },
    async (request, reply) => showFinish(reply, request.ctx(), pathParams(request).assessmentId!),
  );

  app.post(
    '/assessments/:assessmentId/finish',
    { config: { access: 'plans.contribute' } },
    async (request, reply) => {
      const ctx = request.ctx();
      const { assessmentId } = pathParams(request);
      const body = (request.body ?? {}) as Record<string, unknown>;
      const again = (errors: FieldError[], status: number) =>
        showFinish(reply, ctx, assessmentId!, { body, errors, status });
      const parsed = parseWith(FinishInput, finishInputOf(body));
      if (!parsed.ok) return again(parsed.errors, 400);
      try {
        const finished = await assessments.finish(ctx, assessmentId!, parsed.data);
        return reply
          .flash(
            finished.onwardContactId
              ? 'Assessment finished, and the referral sent to the front door'
              : 'Assessment finished',
          )
          .redirect(`/assessments/${assessmentId}`, 303);
      } catch (error) {
        if (error instanceof ValidationError) return again(error.fields, 400);
        if (error instanceof ConflictError) return again([{ field: 'form', message: error.message }], 409);
        throw error;
      }
    },
  );
}

/** A finish error on the field the page shows: the sector's questions are `answer-<key>` boxes. */
function onFinishForm(error: FieldError): FieldError {
  if (error.field.startsWith('sectorAnswers.'))
    return { ...error, field: `answer-${error.field.slice('sectorAnswers.'.length)}` };
  return error;
}
