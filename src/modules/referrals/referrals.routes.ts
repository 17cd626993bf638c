import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Ctx } from '../../common/context.ts';
import { ConflictError, ValidationError, type FieldError } from '../../common/errors.ts';
import { pathParams, registerFormPage } from '../../web/form-route.ts';
import { formErrors, parseWith } from '../../web/forms.ts';
import type { WebServices } from '../../web/app.ts';
import {
  ApprovalInput,
  CHANNEL_LABELS,
  CONSENT_LABELS,
  CONTACT_FORM_FIELDS,
  CONTACT_SOURCES,
  ContactForm,
  ContactInput,
  DecisionInput,
  ENQUIRY_TOPICS,
  EnquiryInput,
  FeedbackInput,
  FrontDoorSettingsInput,
  InformationAnswerInput,
  InformationRequestInput,
  MatchInput,
  NoteInput,
  PriorityInput,
  PROMPT_LABELS,
  sectorAnswerProblems,
  SECTOR_PROMPTS,
  URGENCY_LABELS,
  VersionInput,
} from './referrals.schemas.ts';
import {
  CONTACT_ACTION_LABELS,
  CONTACT_STATUS_LABELS,
  LEVEL_OF_NEED_LABELS,
  OUTCOME_LABELS,
  OUTCOME_LEVELS,
  PRIORITY_LABELS,
} from './referrals.workflow.ts';

type Services = Pick<WebServices, 'frontDoor' | 'agencyRequests' | 'enquiries' | 'access'>;

const VIEWS = 'referrals/views';
const QUEUE_VIEWS = ['all', 'mine', 'unclaimed', 'breached', 'approval'] as const;

/** Labels every front-door page uses. */
const LABELS = {
  status: CONTACT_STATUS_LABELS,
  priority: PRIORITY_LABELS,
  outcome: OUTCOME_LABELS,
  level: LEVEL_OF_NEED_LABELS,
  source: CONTACT_SOURCES,
  channel: CHANNEL_LABELS,
  urgency: URGENCY_LABELS,
  consent: CONSENT_LABELS,
  action: CONTACT_ACTION_LABELS,
  topic: ENQUIRY_TOPICS,
  prompt: PROMPT_LABELS,
  /** What each history entry says happened. */
  event: {
    create: 'recorded the contact',
    claim: 'claimed it',
    release: 'released it to the queue',
    match: 'found the child in the person index',
    held_for_index_review: 'sent the child’s possible matches to the person index’s review queue',
    prioritise: 'set the priority',
    request_information: 'asked an agency for information',
    information_received: 'answered a request for information',
    decide: 'decided',
    approve: 'approved the decision',
    return: 'returned the decision',
    record_feedback: 'recorded who was told the outcome',
    note: 'added a note',
  } satisfies Record<string, string>,
};

/** The contact form's fields in page order, so the error summary lists problems as the page does. */
const FORM_ORDER = [
  'childPersonId',
  'childGivenName',
  'childFamilyName',
  'dob-day',
  'childAge',
  'childNhsNumber',
  'childUpn',
  'childAddress',
  'childPostcode',
  'childDescription',
  'worries',
  'actionsTaken',
  'answer-',
  'urgency',
  'familyAware',
  'consent',
  'consentReason',
  'referrerName',
  'referrerRole',
  'referrerPhone',
  'referrerEmail',
  'channel',
];
const formRank = (field: string) => {
  const at = FORM_ORDER.indexOf(field.startsWith('answer-') ? 'answer-' : field);
  return at === -1 ? FORM_ORDER.length : at;
};
const inPageOrder = (errors: FieldError[]) =>
  [...errors].sort((a, b) => formRank(a.field) - formRank(b.field));

/** How a contact can come in through the form: other systems use the API. */
const FORM_CHANNELS = Object.fromEntries(Object.entries(CHANNEL_LABELS).filter(([key]) => key !== 'api'));

/** A ContactInput error path as the form's field name, so the message lands on the right box. */
function formField(path: string): string {
  if (path.startsWith('sectorAnswers.')) return `answer-${path.slice('sectorAnswers.'.length)}`;
  return CONTACT_FORM_FIELDS[path] ?? path;
}

/** The front door's pages: the contact form (for practitioners and the public), the queue, triage and decisions. */
export function registerFrontDoorRoutes(app: FastifyInstance, services: Services) {
  const frontDoor = services.frontDoor;

  const sectorOf = async (ctx: Ctx) =>
    (await services.access.getOrganisation(ctx, (ctx.actor as { organisationId: string }).organisationId))
      .sector;

  /** The contact form, for a practitioner (their sector's questions) or the public (about themselves). */
  const showContactForm = async (
    reply: FastifyReply,
    form: { ctx: Ctx | null; values: Record<string, unknown>; errors?: FieldError[]; publicSlug?: string },
    status?: number,
  ) => {
    const prompts = form.ctx ? (SECTOR_PROMPTS[await sectorOf(form.ctx)] ?? []) : [];
    return reply.page(
      `${VIEWS}/contact-form.njk`,
      {
        labels: LABELS,
        formChannels: FORM_CHANNELS,
        prompts,
        publicSlug: form.publicSlug,
        values: { idempotencyKey: randomUUID(), ...form.values },
        errors: form.errors ? formErrors(inPageOrder(form.errors)) : undefined,
      },
      status,
    );
  };

  /** Parses the form, records the contact, and answers where to go, or the form again with what to fix. */
  const submitContact = async (
    request: FastifyRequest,
    reply: FastifyReply,
    ctx: Ctx,
    options: { formCtx: Ctx | null; publicSlug?: string; channel?: string },
  ) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const again = (errors: FieldError[], status = 400) =>
      showContactForm(
        reply,
        { ctx: options.formCtx, values: body, errors, publicSlug: options.publicSlug },
        status,
      );
    const form = parseWith(ContactForm, body);
    if (!form.ok) return again(form.errors);
    const contact = parseWith(ContactInput, {
      ...form.data.contact,
      channel: options.channel ?? form.data.contact.channel,
    });
    if (!contact.ok) {
      // The sector's questions are listed with the other mistakes, so a person corrects everything at once.
      const sector = options.formCtx ? await sectorOf(options.formCtx) : null;
      const answers = sectorAnswerProblems(sector, form.data.contact.sectorAnswers);
      return again([...contact.errors, ...answers].map((e) => ({ ...e, field: formField(e.field) })));
    }
    try {
      const made = await frontDoor.create(ctx, contact.data, { idempotencyKey: form.data.idempotencyKey });
      if (options.publicSlug)
        return reply.redirect(
          `/areas/${options.publicSlug}/report-a-concern/sent?reference=${made.number}`,
          303,
        );
      return reply.flash(`Contact ${made.number} sent to the front door`).redirect('/contacts/mine', 303);
    } catch (error) {
      if (error instanceof ValidationError)
        return again(error.fields.map((e) => ({ ...e, field: formField(e.field) })));
      if (error instanceof ConflictError) return again([{ field: 'form', message: error.message }], 409);
      throw error;
    }
  };

  app.get('/contacts/new', { config: { access: 'contacts.create' } }, async (request, reply) =>
    showContactForm(reply, { ctx: request.ctx(), values: {} }),
  );
  app.post('/contacts/new', { config: { access: 'contacts.create' } }, async (request, reply) =>
    submitContact(request, reply, request.ctx(), { formCtx: request.ctx() }),
  );

  app.get('/contacts/mine', { config: { access: 'contacts.create' } }, async (request, reply) =>
    reply.page(`${VIEWS}/mine.njk`, { contacts: await frontDoor.mine(request.ctx()), labels: LABELS }),
  );

  // The public page: anyone may tell the area's front door about a child, named or anonymous.
  const publicLimit = { rateLimit: { max: 20, timeWindow: '1 hour' } };
  app.get('/areas/:slug/report-a-concern', { config: { access: 'public' } }, async (request, reply) => {
    const { slug } = request.params as { slug: string };
    await frontDoor.publicArea(slug);
    return showContactForm(reply, { ctx: null, values: {}, publicSlug: slug });
  });
  app.post(
    '/areas/:slug/report-a-concern',
    { config: { access: 'public', ...publicLimit } },
    async (request, reply) => {
      const { slug } = request.params as { slug: string };
      const area = await frontDoor.publicArea(slug);
      const ctx: Ctx = {
        actor: { system: 'public contact form', partnershipId: area.id },
        requestId: request.id,
        now: request.now(),
        sourceAddress: request.ip,
      };
      return submitContact(request, reply, ctx, { formCtx: null, publicSlug: slug, channel: 'online_form' });
    },
  );
  app.get('/areas/:slug/report-a-concern/sent', { config: { access: 'public' } }, async (request, reply) => {
    const { slug } = request.params as { slug: string };
    const area = await frontDoor.publicArea(slug);
    const reference = String((request.query as { reference?: string }).reference ?? '').replace(/\D/g, '');
    return reply.page(`${VIEWS}/contact-sent.njk`, { area, reference });
  });

  app.get('/front-door', { config: { access: 'contacts.triage' } }, async (request, reply) => {
    const query = request.query as { view?: string; page?: string };
    const view = (QUEUE_VIEWS as readonly string[]).includes(query.view ?? '')
      ? (query.view as (typeof QUEUE_VIEWS)[number])
      : 'all';
    const page = /^\d{1,5}$/.test(query.page ?? '') ? Number(query.page) : 1;
    const queue = await frontDoor.queue(request.ctx(), { view, page });
    return reply.page(`${VIEWS}/queue.njk`, { ...queue, view, labels: LABELS });
  });

  /** The contact page, with an error from an action on it when there is one. */
  const showContact = async (
    reply: FastifyReply,
    ctx: Ctx,
    contactId: string,
    errors?: FieldError[],
    status?: number,
  ) => {
    const found = await frontDoor.get(ctx, contactId);
    return reply.page(
      `${VIEWS}/contact.njk`,
      { ...found, labels: LABELS, errors: errors ? formErrors(errors) : undefined, values: {} },
      status,
    );
  };

  // The person index's review page names a contact by its number; its page checks access as ever.
  app.get('/contacts/number/:number', { config: { access: 'contacts.triage' } }, async (request, reply) => {
    const { number } = request.params as { number: string };
    return reply.redirect(`/contacts/${await frontDoor.contactIdByNumber(request.ctx(), number)}`, 303);
  });

  app.get('/contacts/:contactId', { config: { access: 'signed-in' } }, async (request, reply) =>
    showContact(reply, request.ctx(), pathParams(request).contactId!),
  );

  /** A button on the contact page: parse, act, and back to the page (with the problem if there was one). */
  const contactAction = <S extends z.ZodType>(
    path: string,
    schema: S,
    act: (ctx: Ctx, contactId: string, data: z.output<S>) => Promise<unknown>,
    flash: string,
  ) =>
    app.post(
      `/contacts/:contactId/${path}`,
      { config: { access: 'contacts.triage' } },
      async (request, reply) => {
        const ctx = request.ctx();
        const { contactId } = pathParams(request);
        const parsed = parseWith(schema, request.body);
        if (!parsed.ok) return showContact(reply, ctx, contactId!, parsed.errors, 400);
        try {
          await act(ctx, contactId!, parsed.data);
          return reply.flash(flash).redirect(`/contacts/${contactId}`, 303);
        } catch (error) {
          if (error instanceof ValidationError) return showContact(reply, ctx, contactId!, error.fields, 400);
          if (error instanceof ConflictError)
            return showContact(reply, ctx, contactId!, [{ field: 'form', message: error.message }], 409);
          throw error;
        }
      },
    );

  contactAction(
    'claim',
    VersionInput,
    (ctx, id, d) => frontDoor.claim(ctx, id, d.version),
    'You have claimed this contact',
  );
  contactAction(
    'release',
    VersionInput,
    (ctx, id, d) => frontDoor.release(ctx, id, d.version),
    'Released to the queue',
  );
  contactAction(
    'priority',
    PriorityInput,
    (ctx, id, d) => frontDoor.prioritise(ctx, id, d.version, d.priority),
    'Priority set',
  );
  contactAction('notes', NoteInput, (ctx, id, d) => frontDoor.note(ctx, id, d.version, d.note), 'Note added');

  registerFormPage(app, {
    url: '/contacts/:contactId/match',
    access: 'contacts.triage',
    view: `${VIEWS}/match.njk`,
    schema: MatchInput,
    load: async (ctx, params) => {
      const found = await frontDoor.get(ctx, params.contactId!);
      const candidates = await frontDoor.candidates(ctx, params.contactId!);
      return { ...found, candidates, labels: LABELS, values: { version: found.contact.version } };
    },
    submit: async (ctx, data, params) => {
      const choice =
        data.personId === 'new'
          ? { newPerson: true as const, dateOfBirth: data.dateOfBirth }
          : { personId: data.personId };
      await frontDoor.match(ctx, params.contactId!, data.version, choice);
      return {
        redirect: `/contacts/${params.contactId}`,
        flash:
          data.personId === 'new'
            ? 'The child has been added to the person index'
            : 'The child has been found in the person index',
      };
    },
  });

  registerFormPage(app, {
    url: '/contacts/:contactId/information-requests/new',
    access: 'contacts.triage',
    view: `${VIEWS}/information-request-form.njk`,
    schema: InformationRequestInput,
    load: async (ctx, params) => {
      const found = await frontDoor.get(ctx, params.contactId!);
      const organisations = (await services.access.listOrganisations(ctx)).filter((o) => o.active);
      return { ...found, organisations, labels: LABELS, values: { version: found.contact.version } };
    },
    submit: async (ctx, data, params) => {
      await frontDoor.requestInformation(ctx, params.contactId!, data);
      return { redirect: `/contacts/${params.contactId}`, flash: 'Request for information sent' };
    },
  });

  registerFormPage(app, {
    url: '/contacts/:contactId/decision',
    access: 'contacts.triage',
    view: `${VIEWS}/decision-form.njk`,
    schema: DecisionInput,
    load: async (ctx, params) => {
      const found = await frontDoor.get(ctx, params.contactId!);
      return {
        ...found,
        labels: LABELS,
        outcomeLevels: OUTCOME_LEVELS,
        values: { version: found.contact.version },
      };
    },
    submit: async (ctx, data, params) => {
      const waits = await frontDoor.decide(ctx, params.contactId!, data);
      return {
        redirect: `/contacts/${params.contactId}`,
        flash: waits ? 'Decision recorded: it now needs a manager’s approval' : 'Decision recorded',
      };
    },
  });

  registerFormPage(app, {
    url: '/contacts/:contactId/approval',
    access: 'contacts.approve',
    view: `${VIEWS}/approval-form.njk`,
    schema: ApprovalInput,
    load: async (ctx, params) => {
      const found = await frontDoor.get(ctx, params.contactId!);
      return { ...found, labels: LABELS, values: { version: found.contact.version } };
    },
    submit: async (ctx, data, params) => {
      await frontDoor.approve(ctx, params.contactId!, data);
      return {
        redirect: `/contacts/${params.contactId}`,
        flash: data.approval === 'approve' ? 'Decision approved' : 'Decision returned to the worker',
      };
    },
  });

  registerFormPage(app, {
    url: '/contacts/:contactId/feedback',
    access: 'contacts.triage',
    view: `${VIEWS}/feedback-form.njk`,
    schema: FeedbackInput,
    load: async (ctx, params) => {
      const found = await frontDoor.get(ctx, params.contactId!);
      return { ...found, labels: LABELS, values: { version: found.contact.version } };
    },
    submit: async (ctx, data, params) => {
      await frontDoor.recordFeedback(ctx, params.contactId!, data);
      return { redirect: `/contacts/${params.contactId}`, flash: 'Feedback recorded' };
    },
  });

  app.get('/front-door/requests', { config: { access: 'contacts.answer' } }, async (request, reply) =>
    reply.page(`${VIEWS}/requests.njk`, {
      requests: await services.agencyRequests.open(request.ctx()),
      labels: LABELS,
    }),
  );

  registerFormPage(app, {
    url: '/front-door/requests/:requestId',
    access: 'contacts.answer',
    view: `${VIEWS}/request.njk`,
    schema: InformationAnswerInput,
    load: async (ctx, params) => {
      const request = await services.agencyRequests.get(ctx, params.requestId!);
      return { request, labels: LABELS, values: { version: request.version } };
    },
    submit: async (ctx, data, params) => {
      await services.agencyRequests.answer(ctx, params.requestId!, data);
      return { redirect: '/front-door/requests', flash: 'Answer sent to the front door' };
    },
  });

  app.get('/enquiries', { config: { access: 'enquiries.record' } }, async (request, reply) =>
    reply.page(`${VIEWS}/enquiries.njk`, {
      ...(await services.enquiries.list(request.ctx())),
      labels: LABELS,
    }),
  );

  registerFormPage(app, {
    url: '/enquiries/new',
    access: 'enquiries.record',
    view: `${VIEWS}/enquiry-form.njk`,
    schema: EnquiryInput,
    load: async (ctx) => ({
      labels: LABELS,
      directoryServices: await services.enquiries.directoryChoices(ctx),
    }),
    submit: async (ctx, data) => {
      await services.enquiries.record(ctx, data);
      return { redirect: '/enquiries', flash: 'Enquiry logged' };
    },
  });

  registerFormPage(app, {
    url: '/front-door/settings',
    access: 'partnership.administer',
    view: `${VIEWS}/settings-form.njk`,
    schema: FrontDoorSettingsInput,
    load: async (ctx) => {
      const settings = await frontDoor.settings(ctx);
      return { labels: LABELS, values: settings };
    },
    submit: async (ctx, data) => {
      await frontDoor.updateSettings(ctx, data);
      return { redirect: '/front-door/settings', flash: 'Front-door timescales saved' };
    },
  });
}
