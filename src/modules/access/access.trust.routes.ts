import type { FastifyInstance } from 'fastify';
import type { Ctx } from '../../common/context.ts';
import type { WebServices } from '../../web/app.ts';
import { pathParams, registerFormPage } from '../../web/form-route.ts';
import {
  AgreementInput,
  ConsentInput,
  ConsentWithdrawal,
  EmergencyAccessInput,
  EmergencyReview,
  InvolvementEnd,
  InvolvementInput,
  Revocation,
  RuleInput,
  SealInput,
  SharingDecisionInput,
  WithheldDisplayInput,
} from './access.trust.schemas.ts';

type Services = Pick<
  WebServices,
  'access' | 'involvements' | 'emergencyAccess' | 'consent' | 'sharing' | 'people' | 'gate'
>;

const VIEWS = 'access/views/trust';

/** Involvements, consent, sharing decisions and emergency access on a child's record; the privacy officer's pages. */
export function registerTrustRoutes(app: FastifyInstance, services: Services) {
  registerFormPage(app, {
    url: '/people/:personId/involvements/new',
    access: 'person',
    view: `${VIEWS}/involvement-form.njk`,
    schema: InvolvementInput,
    load: async (ctx, params) => {
      await services.involvements.requireCanAdd(ctx, params.personId!);
      return { personId: params.personId, holders: await services.involvements.holders(ctx) };
    },
    submit: async (ctx, data, params) => {
      await services.involvements.add(ctx, params.personId!, data);
      return { redirect: `/people/${params.personId}`, flash: 'Involvement added' };
    },
  });

  registerFormPage(app, {
    url: '/people/:personId/involvements/:involvementId/end',
    access: 'person',
    view: `${VIEWS}/involvement-end.njk`,
    schema: InvolvementEnd,
    load: async (ctx, params) => {
      const involvement = await services.involvements.get(ctx, params.personId!, params.involvementId!);
      return { personId: params.personId, involvement, values: { version: involvement.version } };
    },
    submit: async (ctx, data, params) => {
      await services.involvements.end(ctx, params.personId!, params.involvementId!, data);
      return { redirect: `/people/${params.personId}`, flash: 'Involvement ended' };
    },
  });

  registerFormPage(app, {
    url: '/people/:personId/consents/new',
    access: 'person',
    view: `${VIEWS}/consent-form.njk`,
    schema: ConsentInput,
    load: async (ctx, params) => {
      await formAboutChild(services, ctx, params.personId!, 'consent.form');
      return { personId: params.personId };
    },
    submit: async (ctx, data, params) => {
      await services.consent.record(ctx, params.personId!, data);
      return { redirect: `/people/${params.personId}`, flash: 'Consent recorded' };
    },
  });

  registerFormPage(app, {
    url: '/people/:personId/consents/:consentId/withdraw',
    access: 'person',
    view: `${VIEWS}/consent-withdraw.njk`,
    schema: ConsentWithdrawal,
    load: async (ctx, params) => {
      const summary = await services.people.summary(ctx, params.personId!);
      const consent = summary.consents.find((c) => c.id === params.consentId);
      return { personId: params.personId, consent, values: { version: consent?.version } };
    },
    submit: async (ctx, data, params) => {
      await services.consent.withdraw(ctx, params.personId!, params.consentId!, data);
      return {
        redirect: `/people/${params.personId}`,
        flash: 'Consent withdrawn: sharing that rested on it has stopped',
      };
    },
  });

  registerFormPage(app, {
    url: '/people/:personId/items/:itemId/share',
    access: 'person',
    view: `${VIEWS}/sharing-decision.njk`,
    schema: SharingDecisionInput,
    load: async (ctx, params) => {
      await formAboutChild(services, ctx, params.personId!, 'sharing.form');
      return { personId: params.personId, organisations: await services.access.listOrganisations(ctx) };
    },
    submit: async (ctx, data, params) => {
      await services.sharing.decide(ctx, params.personId!, params.itemId!, data);
      return { redirect: `/people/${params.personId}`, flash: 'Your decision and its reason are recorded' };
    },
  });

  registerFormPage(app, {
    url: '/people/:personId/emergency-access',
    access: 'person.access',
    view: `${VIEWS}/emergency-access.njk`,
    schema: EmergencyAccessInput,
    load: async (_ctx, params) => ({ personId: params.personId }),
    submit: async (ctx, data, params) => {
      const { expiresAt } = await services.emergencyAccess.start(ctx, params.personId!, data);
      const until = expiresAt.toISOString().slice(0, 16).replace('T', ' ');
      return {
        redirect: `/people/${params.personId}`,
        flash: `Emergency access until ${until} UTC. The privacy officer will review it.`,
      };
    },
  });

  // The privacy officer's pages.

  app.get('/privacy', { config: { access: 'emergency-access.review' } }, async (_request, reply) =>
    reply.page(`${VIEWS}/privacy.njk`),
  );

  app.get(
    '/privacy/emergency-access',
    { config: { access: 'emergency-access.review' } },
    async (request, reply) => {
      const reviewed = (request.query as { reviewed?: string } | undefined)?.reviewed === '1';
      const rows = await services.emergencyAccess.queue(request.ctx(), { reviewed });
      return reply.page(`${VIEWS}/emergency-queue.njk`, { rows, reviewed });
    },
  );

  registerFormPage(app, {
    url: '/privacy/emergency-access/:emergencyAccessId',
    access: 'emergency-access.review',
    view: `${VIEWS}/emergency-review.njk`,
    schema: EmergencyReview,
    load: async (ctx, params) => {
      const use = await services.emergencyAccess.get(ctx, params.emergencyAccessId!);
      return { use, values: { version: use.version } };
    },
    submit: async (ctx, data, params) => {
      await services.emergencyAccess.review(ctx, params.emergencyAccessId!, data);
      return { redirect: '/privacy/emergency-access', flash: 'Review recorded' };
    },
  });

  app.get('/privacy/agreements', { config: { access: 'sharing.administer' } }, async (request, reply) =>
    reply.page(`${VIEWS}/agreements.njk`, {
      agreements: await services.sharing.listAgreements(request.ctx()),
    }),
  );

  registerFormPage(app, {
    url: '/privacy/agreements/new',
    access: 'sharing.administer',
    view: `${VIEWS}/agreement-form.njk`,
    schema: AgreementInput,
    load: async () => ({}),
    submit: async (ctx, data) => {
      const id = await services.sharing.createAgreement(ctx, data);
      return { redirect: `/privacy/agreements/${id}`, flash: 'Agreement added: add its rules' };
    },
  });

  app.get(
    '/privacy/agreements/:agreementId',
    { config: { access: 'sharing.administer' } },
    async (request, reply) => {
      const { agreementId } = pathParams(request);
      return reply.page(
        `${VIEWS}/agreement.njk`,
        await services.sharing.getAgreement(request.ctx(), agreementId!),
      );
    },
  );

  registerFormPage(app, {
    url: '/privacy/agreements/:agreementId/rules/new',
    access: 'sharing.administer',
    view: `${VIEWS}/rule-form.njk`,
    schema: RuleInput,
    load: async (ctx, params) => ({
      ...(await services.sharing.getAgreement(ctx, params.agreementId!)),
      organisations: await services.access.listOrganisations(ctx),
      values: { source: 'any', recipient: 'any', mode: 'content', effect: 'allow' },
    }),
    submit: async (ctx, data, params) => {
      await services.sharing.addRule(ctx, params.agreementId!, data);
      return { redirect: `/privacy/agreements/${params.agreementId}`, flash: 'Rule added: it applies now' };
    },
  });

  registerFormPage(app, {
    url: '/privacy/agreements/:agreementId/revoke',
    access: 'sharing.administer',
    view: `${VIEWS}/agreement-revoke.njk`,
    schema: Revocation,
    load: async (ctx, params) => {
      const found = await services.sharing.getAgreement(ctx, params.agreementId!);
      return { ...found, values: { version: found.agreement.version } };
    },
    submit: async (ctx, data, params) => {
      await services.sharing.revokeAgreement(ctx, params.agreementId!, data);
      return {
        redirect: `/privacy/agreements/${params.agreementId}`,
        flash: 'Agreement revoked: its rules no longer apply',
      };
    },
  });

  registerFormPage(app, {
    url: '/privacy/withheld-items',
    access: 'sharing.administer',
    view: `${VIEWS}/withheld-display.njk`,
    schema: WithheldDisplayInput,
    load: async (ctx) => ({ values: await services.sharing.withheldDisplay(ctx) }),
    submit: async (ctx, data) => {
      await services.sharing.setWithheldDisplay(ctx, data);
      return { redirect: '/privacy', flash: 'Saved: withheld items now show as you chose' };
    },
  });

  registerFormPage(app, {
    url: '/privacy/people/:personId/seal',
    access: 'subject-access.export',
    view: `${VIEWS}/seal.njk`,
    schema: SealInput,
    load: async (_ctx, params) => ({ personId: params.personId }),
    submit: async (ctx, data, params) => {
      await services.sharing.seal(ctx, params.personId!, data);
      return { redirect: '/privacy', flash: 'Record sealed: only the named users can see it' };
    },
  });
}

/** A form about one child opens only for those the gate lets in to the record; a refusal is audited there. */
function formAboutChild(services: Pick<Services, 'gate'>, ctx: Ctx, personId: string, action: string) {
  return services.gate.read(ctx, personId, action, async () => ({ value: undefined }));
}
