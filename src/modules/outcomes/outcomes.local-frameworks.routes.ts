import type { FastifyInstance } from 'fastify';
import { ConflictError, ValidationError } from '../../common/errors.ts';
import { isAllowed } from '../../common/permissions.ts';
import { pathParams, registerFormPage } from '../../web/form-route.ts';
import { formErrors, parseWith } from '../../web/forms.ts';
import { INDICATORS } from './outcomes.indicators.ts';
import {
  FrameworkInput,
  IndicatorChoice,
  MAX_OUTCOMES,
  type LocalFrameworkService,
} from './outcomes.local-frameworks.ts';

const VIEWS = 'outcomes/views/frameworks';

/** The outcome frameworks: the national ones to read, and the partnership's own to define. */
export function registerLocalFrameworkRoutes(
  app: FastifyInstance,
  services: { localFrameworks: LocalFrameworkService },
) {
  const frameworks = services.localFrameworks;
  const indicators = INDICATORS.map((i) => ({ code: i.code, name: i.name, kind: i.kind }));

  app.get('/outcomes/frameworks', { config: { access: 'outcomes.frameworks' } }, async (request, reply) => {
    const ctx = request.ctx();
    return reply.page(`${VIEWS}/list.njk`, {
      frameworks: await frameworks.list(ctx),
      canDefine: isAllowed(ctx, 'partnership.administer'),
    });
  });

  registerFormPage(app, {
    url: '/outcomes/frameworks/new',
    access: 'partnership.administer',
    view: `${VIEWS}/form.njk`,
    schema: FrameworkInput,
    load: async () => ({ maxOutcomes: MAX_OUTCOMES }),
    submit: async (ctx, data) => {
      const id = await frameworks.create(ctx, data);
      return {
        redirect: `/outcomes/frameworks/${id}`,
        flash: `${data.name} added: now say which indicators tell about each outcome`,
      };
    },
  });

  registerFormPage(app, {
    url: '/outcomes/frameworks/:frameworkId/edit',
    access: 'partnership.administer',
    view: `${VIEWS}/form.njk`,
    schema: FrameworkInput,
    load: async (ctx, params) => {
      const framework = await frameworks.get(ctx, params.frameworkId!);
      return {
        framework,
        maxOutcomes: MAX_OUTCOMES,
        values: {
          name: framework.name,
          description: framework.description,
          outcomes: framework.outcomes.map((o) => o.label).join('\n'),
          version: framework.version,
        },
      };
    },
    submit: async (ctx, data, params) => {
      await frameworks.update(ctx, params.frameworkId!, data);
      return { redirect: `/outcomes/frameworks/${params.frameworkId}`, flash: `${data.name} saved` };
    },
  });

  app.get(
    '/outcomes/frameworks/:framework',
    { config: { access: 'outcomes.frameworks' } },
    async (request, reply) => {
      const ctx = request.ctx();
      const framework = await frameworks.get(ctx, pathParams(request).framework!);
      return reply.page(`${VIEWS}/show.njk`, {
        framework,
        indicators,
        canDefine: framework.local && isAllowed(ctx, 'partnership.administer'),
      });
    },
  );

  app.post(
    '/outcomes/frameworks/:frameworkId/indicators',
    { config: { access: 'partnership.administer' } },
    async (request, reply) => {
      const ctx = request.ctx();
      const { frameworkId } = pathParams(request);
      const again = async (status: number, message: string) =>
        reply.page(
          `${VIEWS}/show.njk`,
          {
            framework: await frameworks.get(ctx, frameworkId!),
            indicators,
            canDefine: true,
            errors: formErrors([{ field: 'form', message }]),
          },
          status,
        );
      const parsed = parseWith(IndicatorChoice, request.body ?? {});
      if (!parsed.ok) return again(400, parsed.errors[0]!.message);
      try {
        await frameworks.chooseIndicators(ctx, frameworkId!, parsed.data);
      } catch (error) {
        if (error instanceof ConflictError) return again(409, error.message);
        if (error instanceof ValidationError) return again(400, error.fields[0]!.message);
        throw error;
      }
      return reply.flash('Indicators saved').redirect(`/outcomes/frameworks/${frameworkId}`, 303);
    },
  );
}
