import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requirePerson } from '../../common/context.ts';
import { ConflictError, ValidationError, type FieldError } from '../../common/errors.ts';
import { pathParams, registerFormPage } from '../../web/form-route.ts';
import { formErrors, parseWith } from '../../web/forms.ts';
import {
  type DirectoryReferralService,
  NO_CONSENT_MESSAGE,
  REFERRAL_STATUS_LABELS,
  ReferralDecisionInput,
  ReferralInput,
} from './directory.referrals.ts';
import { SearchQuery } from './directory.schemas.ts';
import type { DirectoryService } from './directory.service.ts';
import { SignpostInput, type SignpostService, TAKEN_UP_LABELS, TakenUpInput } from './directory.signposts.ts';
import { ACCESS_ROUTES, CAPACITY } from './directory.vocabulary.ts';

export type DirectoryPracticeServices = {
  signposts: SignpostService;
  directoryReferrals: DirectoryReferralService;
  directory: Pick<DirectoryService, 'search' | 'needs'>;
};

const VIEWS = 'directory/views';

const LABELS = {
  takenUp: TAKEN_UP_LABELS,
  status: REFERRAL_STATUS_LABELS,
  accessRoutes: ACCESS_ROUTES,
  capacity: CAPACITY,
  consent: { yes: 'Yes, the family agreed', no: 'No' },
  decision: { accept: 'Accept the referral', decline: 'Decline it' },
};

const SEARCH_FIELDS = ['q', 'need', 'near'] as const;

/**
 * The directory in practice: a child's services page (what was suggested to the family, referrals and
 * their answers, and a search to suggest or refer from), the referral form, and the providers' inbox.
 */
export function registerDirectoryPracticeRoutes(app: FastifyInstance, services: DirectoryPracticeServices) {
  const { signposts, directoryReferrals, directory } = services;

  const showServices = async (
    request: FastifyRequest,
    reply: FastifyReply,
    problems?: FieldError[],
    status?: number,
  ) => {
    const { personId } = pathParams(request);
    const ctx = request.ctx();
    const query = (request.query ?? {}) as Record<string, unknown>;
    const body = (request.body ?? {}) as Record<string, unknown>;
    const text = (v: unknown) => (typeof v === 'string' ? v : '');
    const contactParam = text(query.contact) || text(body.contactId);
    const contactId = /^[0-9a-f-]{36}$/i.test(contactParam) ? contactParam : null;
    const page = await signposts.ofChild(ctx, personId!, { contactId });
    const partnershipId = requirePerson(ctx).partnershipId;
    const asked = request.method === 'GET' && SEARCH_FIELDS.some((f) => f in query);
    const search = {
      q: text(query.q),
      need: text(query.need),
      near: asked ? text(query.near) : (page.person.postcode ?? ''),
    };
    let results = null;
    let errors = problems;
    if (asked) {
      const parsed = parseWith(SearchQuery, { ...search, page: query.page ?? '1' });
      if (!parsed.ok) errors = parsed.errors;
      else {
        try {
          results = await directory.search(partnershipId, parsed.data);
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          errors = error.fields;
        }
      }
    }
    return reply.page(
      `${VIEWS}/practice-services.njk`,
      {
        ...page,
        needs: await directory.needs(partnershipId),
        search,
        results: results && {
          ...results,
          results: results.results.map((r) => ({ ...r, idempotencyKey: randomUUID() })),
        },
        labels: LABELS,
        values: problems ? body : {},
        errors: errors && formErrors(errors),
      },
      errors ? (status ?? 400) : status,
    );
  };

  app.get('/people/:personId/services', { config: { access: 'directory.signpost' } }, (request, reply) =>
    showServices(request, reply),
  );

  app.post(
    '/people/:personId/services/suggest',
    { config: { access: 'directory.signpost' } },
    async (request, reply) => {
      const { personId } = pathParams(request);
      const parsed = parseWith(SignpostInput, request.body ?? {});
      if (!parsed.ok) return showServices(request, reply, parsed.errors, 400);
      try {
        const made = await signposts.suggest(request.ctx(), personId!, parsed.data);
        const back = `/people/${personId}/services${parsed.data.contactId ? `?contact=${parsed.data.contactId}` : ''}`;
        return reply
          .flash(made.replayed ? 'You had already suggested this service' : 'Suggested to the family')
          .redirect(back, 303);
      } catch (error) {
        if (error instanceof ValidationError) return showServices(request, reply, error.fields, 400);
        if (error instanceof ConflictError)
          return showServices(request, reply, [{ field: 'form', message: error.message }], 409);
        throw error;
      }
    },
  );

  app.post(
    '/people/:personId/services/signposts/:signpostId',
    { config: { access: 'directory.signpost' } },
    async (request, reply) => {
      const { personId, signpostId } = pathParams(request);
      const parsed = parseWith(TakenUpInput, request.body ?? {});
      if (!parsed.ok) return showServices(request, reply, parsed.errors, 400);
      try {
        await signposts.recordTakenUp(request.ctx(), personId!, signpostId!, parsed.data);
        return reply
          .flash('Recorded whether the family took it up')
          .redirect(`/people/${personId}/services`, 303);
      } catch (error) {
        if (error instanceof ConflictError)
          return showServices(
            request,
            reply,
            [{ field: `takenUp-${signpostId}`, message: error.message }],
            409,
          );
        throw error;
      }
    },
  );

  registerFormPage(app, {
    url: '/people/:personId/services/:serviceId/refer',
    access: 'directory.signpost',
    view: `${VIEWS}/practice-refer.njk`,
    schema: ReferralInput,
    load: async (ctx, params) => ({
      ...(await directoryReferrals.referForm(ctx, params.personId!, params.serviceId!)),
      labels: LABELS,
      noConsent: NO_CONSENT_MESSAGE,
      values: { idempotencyKey: randomUUID() },
    }),
    submit: async (ctx, data, params) => {
      const made = await directoryReferrals.refer(ctx, params.personId!, params.serviceId!, data);
      return {
        redirect: `/people/${params.personId}/services`,
        flash: made.replayed
          ? `You had already sent this referral (${made.number})`
          : `Referral ${made.number} sent: the service will answer it here`,
      };
    },
  });

  // --- The providers' side ------------------------------------------------------------------------

  app.get('/directory/referrals', { config: { access: 'directory.referrals' } }, async (request, reply) =>
    reply.page(`${VIEWS}/practice-referrals.njk`, {
      referrals: await directoryReferrals.inbox(request.ctx()),
      labels: LABELS,
    }),
  );

  registerFormPage(app, {
    url: '/directory/referrals/:referralId',
    access: 'directory.referrals',
    view: `${VIEWS}/practice-referral.njk`,
    schema: ReferralDecisionInput,
    load: async (ctx, params) => {
      const referral = await directoryReferrals.get(ctx, params.referralId!);
      return { referral, labels: LABELS, values: { version: String(referral.version) } };
    },
    submit: async (ctx, data, params) => {
      const { status } = await directoryReferrals.decide(ctx, params.referralId!, data);
      return {
        redirect: '/directory/referrals',
        flash:
          status === 'accepted'
            ? 'Referral accepted: the referrer has been told'
            : 'Referral declined: the referrer has been told why',
      };
    },
  });
}
