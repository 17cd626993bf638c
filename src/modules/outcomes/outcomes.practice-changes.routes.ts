import type { FastifyInstance } from 'fastify';
import { registerFormPage } from '../../web/form-route.ts';
import {
  PracticeChangeEdit,
  PracticeChangeInput,
  type PracticeChange,
  type PracticeChangeService,
} from './outcomes.practice-changes.ts';

const VIEWS = 'outcomes/views/evaluation';
const BASE = '/outcomes/evaluation/changes';

/** The form's boxes from a stored change (the date as the three boxes of a GOV.UK date input). */
function formValues(c: PracticeChange) {
  const [year, month, day] = c.changedOn.split('-');
  return {
    localityId: c.localityId,
    'changedOn-day': String(Number(day)),
    'changedOn-month': String(Number(month)),
    'changedOn-year': year,
    title: c.title,
    description: c.description,
    version: c.version,
    withdrawn: c.withdrawn ? 'yes' : undefined,
  };
}

/** A partnership administrator's record of when localities changed their way of working. */
export function registerPracticeChangeRoutes(
  app: FastifyInstance,
  services: { practiceChanges: PracticeChangeService },
) {
  const changes = services.practiceChanges;

  app.get(BASE, { config: { access: 'partnership.administer' } }, async (request, reply) => {
    const list = await changes.list(request.ctx());
    return reply.page(`${VIEWS}/changes.njk`, { changes: list });
  });

  registerFormPage(app, {
    url: `${BASE}/new`,
    access: 'partnership.administer',
    view: `${VIEWS}/change-form.njk`,
    schema: PracticeChangeInput,
    load: async (ctx) => ({ localities: await changes.localities(ctx), editing: false }),
    submit: async (ctx, input) => {
      await changes.create(ctx, input);
      return { redirect: BASE, flash: `Practice change “${input.title}” recorded` };
    },
  });

  registerFormPage(app, {
    url: `${BASE}/:changeId`,
    access: 'partnership.administer',
    view: `${VIEWS}/change-form.njk`,
    schema: PracticeChangeEdit,
    load: async (ctx, params) => {
      const change = await changes.get(ctx, params.changeId ?? '');
      return { localities: await changes.localities(ctx), editing: true, change, values: formValues(change) };
    },
    submit: async (ctx, input, params) => {
      await changes.update(ctx, params.changeId ?? '', input);
      return { redirect: BASE, flash: `Practice change “${input.title}” saved` };
    },
  });
}
