import type { FastifyInstance } from 'fastify';
import type { Ctx } from '../../common/context.ts';
import { isAllowed } from '../../common/permissions.ts';
import type { WebServices } from '../../web/app.ts';
import { registerFormPage } from '../../web/form-route.ts';
import type { DirectoryEditorService } from './directory.editor.ts';
import { CapacityForm, EntryForm, ReviewForm } from './directory.editor.schemas.ts';
import type { DirectoryServiceStatus } from '../../db/schema.ts';
import { ACCESS_ROUTES, CAPACITY, DAYS, LANGUAGES } from './directory.vocabulary.ts';

type Services = Pick<WebServices, 'access'> & { directoryEditor: DirectoryEditorService };

const VIEWS = 'directory/views';

const STATUS_LABELS: Record<DirectoryServiceStatus, string> = {
  active: 'Running',
  'temporarily closed': 'Closed for now',
  inactive: 'Not running',
  defunct: 'Closed for good',
};

/** The words the editors' pages use for the directory's codes. */
const CHOICES = {
  status: STATUS_LABELS,
  accessRoutes: ACCESS_ROUTES,
  languages: LANGUAGES,
  days: DAYS,
  capacity: CAPACITY,
  cost: { free: 'Free', paid: 'Paid' },
  kind: {
    mainstream: 'Mainstream: open to any family',
    specialist: 'Specialist: for particular needs, often by referral',
  },
};

/** Directory editors' pages: their entries, the entry form, confirming a review, publishing capacity. */
export function registerDirectoryEditorRoutes(app: FastifyInstance, { directoryEditor }: Services) {
  app.get('/directory/entries', { config: { access: 'directory.edit' } }, async (request, reply) => {
    const ctx = request.ctx();
    const entries = await directoryEditor.entries(ctx);
    return reply.page(`${VIEWS}/editor-entries.njk`, {
      entries,
      due: entries.filter((e) => e.reviewDue).length,
      choices: CHOICES,
    });
  });

  registerFormPage(app, {
    url: '/directory/entries/new',
    access: 'directory.edit',
    view: `${VIEWS}/editor-entry-form.njk`,
    schema: EntryForm,
    load: async (ctx) => ({ ...(await directoryEditor.newForm(ctx)), choices: CHOICES }),
    submit: async (ctx, data) => {
      await directoryEditor.save(ctx, null, data);
      return { redirect: '/directory/entries', flash: `${data.name} added to the directory` };
    },
  });

  registerFormPage(app, {
    url: '/directory/entries/:serviceId/edit',
    access: 'directory.edit',
    view: `${VIEWS}/editor-entry-form.njk`,
    schema: EntryForm,
    load: async (ctx, params) => ({
      ...(await directoryEditor.editForm(ctx, params.serviceId!)),
      choices: CHOICES,
    }),
    submit: async (ctx, data, params) => {
      await directoryEditor.save(ctx, params.serviceId!, data);
      return { redirect: '/directory/entries', flash: `${data.name} saved and marked as reviewed today` };
    },
  });

  registerFormPage(app, {
    url: '/directory/entries/:serviceId/review',
    access: 'directory.edit',
    view: `${VIEWS}/editor-review.njk`,
    schema: ReviewForm,
    load: async (ctx, params) => {
      const entry = await directoryEditor.entry(ctx, params.serviceId!, 'review');
      return { entry, choices: CHOICES, values: { version: entry.version } };
    },
    submit: async (ctx, data, params) => {
      await directoryEditor.confirmReview(ctx, params.serviceId!, data);
      return { redirect: '/directory/entries', flash: 'Entry confirmed as correct today' };
    },
  });

  // Capacity is the provider's figure: editors and the provider's own referral staff publish it, so
  // the route is open to anyone signed in and the service decides entry by entry.
  registerFormPage(app, {
    url: '/directory/entries/:serviceId/capacity',
    access: 'signed-in',
    view: `${VIEWS}/editor-capacity.njk`,
    schema: CapacityForm,
    load: async (ctx, params) => {
      const entry = await directoryEditor.entry(ctx, params.serviceId!, 'capacity');
      return {
        entry,
        choices: CHOICES,
        backLink: backTo(ctx),
        values: { version: entry.version, capacity: entry.capacity ?? '', waitWeeks: entry.waitWeeks ?? '' },
      };
    },
    submit: async (ctx, data, params) => {
      await directoryEditor.publishCapacity(ctx, params.serviceId!, data);
      const back = backTo(ctx);
      return {
        redirect: back === '/' ? `/directory/entries/${params.serviceId}/capacity` : back,
        flash: 'Capacity and waiting time published',
      };
    },
  });
}

function backTo(ctx: Ctx): string {
  return isAllowed(ctx, 'directory.edit') ? '/directory/entries' : '/';
}
