import type { FastifyInstance } from 'fastify';
import type { Ctx } from '../../common/context.ts';
import { isAllowed } from '../../common/permissions.ts';
import { pathParams, registerFormPage } from '../../web/form-route.ts';
import { formErrors, parseWith } from '../../web/forms.ts';
import type { WebServices } from '../../web/app.ts';
import { DetailsInput, ItemInput, NameInput, PersonSearch } from './people.schemas.ts';

type Services = Pick<WebServices, 'people' | 'gate' | 'personIndex'>;

/** A child's record, search, "my children", who has looked, and the analysts' figures. */
export function registerPeopleRoutes(app: FastifyInstance, services: Services) {
  // The same search serves practitioners (to open a record) and the privacy officer (to answer a
  // subject access request); only where a result leads differs.
  for (const [url, access, linkTo] of [
    ['/people', 'person.access', '/people/'],
    ['/privacy/people', 'subject-access.export', '/privacy/people/'],
  ] as const) {
    app.get(url, { config: { access } }, async (request, reply) => {
      const query = (request.query ?? {}) as Record<string, unknown>;
      const view = { values: query, linkTo, forPrivacy: url !== '/people' };
      const parsed = Object.keys(query).length > 0 ? parseWith(PersonSearch, query) : null;
      if (parsed && !parsed.ok)
        return reply.page('people/views/search.njk', { ...view, errors: formErrors(parsed.errors) }, 400);
      const results = parsed?.ok ? await services.people.search(request.ctx(), parsed.data) : null;
      return reply.page('people/views/search.njk', { ...view, results });
    });
  }

  app.get(
    '/privacy/people/:personId',
    { config: { access: 'subject-access.export' } },
    async (request, reply) => {
      const { personId } = pathParams(request);
      const pack = await services.people.subjectAccess(request.ctx(), personId!);
      if ((request.query as { format?: string } | undefined)?.format === 'json')
        return reply
          .header('content-disposition', `attachment; filename="subject-access-${personId}.json"`)
          .type('application/json; charset=utf-8')
          .send(JSON.stringify(pack, null, 2));
      return reply.page('people/views/subject-access.njk', pack);
    },
  );

  app.get('/people/mine', { config: { access: 'person.access' } }, async (request, reply) =>
    reply.page('people/views/mine.njk', { rows: await services.people.mine(request.ctx()) }),
  );

  app.get('/people/:personId', { config: { access: 'person' } }, async (request, reply) => {
    const { personId } = pathParams(request);
    const ctx = request.ctx();
    const summary = await services.people.summary(ctx, personId!);
    const { records, provenance } = await services.personIndex.recordsOf(ctx, personId!);
    return reply.page('people/views/person.njk', {
      ...summary,
      records,
      provenance,
      canUnlink: isAllowed(ctx, 'index.review'),
      canAllocate: isAllowed(ctx, 'involvement.manage'),
      // The involvements that give this person their access: the ones they may end themselves.
      ownInvolvementIds:
        summary.basis.kind === 'involvement' ? summary.basis.involvements.map((i) => i.id) : [],
      organisationId: actorOrganisation(ctx),
    });
  });

  app.get('/people/:personId/access-log', { config: { access: 'person' } }, async (request, reply) => {
    const { personId } = pathParams(request);
    const events = await services.people.accessLog(request.ctx(), personId!);
    return reply.page('people/views/access-log.njk', { personId, events });
  });

  registerFormPage(app, {
    url: '/people/:personId/items/new',
    access: 'person',
    view: 'people/views/item-form.njk',
    schema: ItemInput,
    load: async (ctx, params) => {
      // The form opens only for those the gate lets in to the record; a refusal is audited there.
      await services.gate.read(ctx, params.personId!, 'item.form', async () => ({ value: undefined }));
      return { personId: params.personId, values: { sharing: 'as_agreed', sensitivity: 'standard' } };
    },
    submit: async (ctx, data, params) => {
      await services.people.addItem(ctx, params.personId!, data);
      return { redirect: `/people/${params.personId}`, flash: 'Information recorded' };
    },
  });

  registerFormPage(app, {
    url: '/people/:personId/details',
    access: 'person',
    view: 'people/views/details-form.njk',
    schema: DetailsInput,
    load: async (ctx, params) => {
      const person = await services.people.details(ctx, params.personId!);
      return {
        person,
        values: {
          dateOfBirthCertainty: person.dateOfBirthCertainty,
          language: person.language ?? '',
          interpreterNeeded: person.interpreterNeeded ? 'yes' : 'no',
          phone: person.phone ?? '',
          email: person.email ?? '',
          version: person.version,
        },
      };
    },
    fieldLabels: () => ({
      dateOfBirthCertainty: {
        label: 'How certain is the date of birth?',
        choices: {
          verified: 'Verified from a document',
          declared: 'Given, not checked',
          estimated: 'Estimated',
        },
      },
      interpreterNeeded: { label: 'Is an interpreter needed?', choices: { yes: 'Yes', no: 'No' } },
      phone: 'Phone number',
      email: 'Email address',
    }),
    submit: async (ctx, data, params) => {
      await services.people.updateDetails(ctx, params.personId!, data);
      return { redirect: `/people/${params.personId}`, flash: 'Details changed' };
    },
  });

  registerFormPage(app, {
    url: '/people/:personId/names/new',
    access: 'person',
    view: 'people/views/name-form.njk',
    schema: NameInput,
    load: async (ctx, params) => {
      const person = await services.people.details(ctx, params.personId!);
      return { person, values: { kind: 'known_as' } };
    },
    submit: async (ctx, data, params) => {
      await services.people.addName(ctx, params.personId!, data);
      return { redirect: `/people/${params.personId}`, flash: 'Name recorded' };
    },
  });

  app.get('/analysis/children', { config: { access: 'aggregates.view' } }, async (request, reply) =>
    reply.page('people/views/analysis.njk', {
      table: await services.people.childrenByLocality(request.ctx()),
    }),
  );
}

function actorOrganisation(ctx: Ctx): string | null {
  return 'organisationId' in ctx.actor ? ctx.actor.organisationId : null;
}
