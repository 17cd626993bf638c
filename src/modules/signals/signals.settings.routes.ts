import type { FastifyInstance } from 'fastify';
import type { WebServices } from '../../web/app.ts';
import { registerFormPage } from '../../web/form-route.ts';
import { SignalSettingsInput } from './signals.settings.ts';

type Services = Pick<WebServices, 'signalSettings'>;

/** The partnership's settings for signals and flags, saved at the version the person saw. */
export function registerSignalSettingsRoutes(app: FastifyInstance, { signalSettings }: Services) {
  registerFormPage(app, {
    url: '/signals/settings',
    access: 'signals.rules',
    view: 'signals/views/settings.njk',
    schema: SignalSettingsInput,
    load: async (ctx) => {
      const settings = await signalSettings.settings(ctx);
      return { values: { ...settings, notifyScheduledCare: settings.notifyScheduledCare ? 'yes' : 'no' } };
    },
    submit: async (ctx, data) => {
      await signalSettings.update(ctx, data);
      return { redirect: '/signals/settings', flash: 'Signal and flag settings saved' };
    },
  });
}
