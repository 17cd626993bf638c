import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requirePerson, type Ctx } from '../../common/context.ts';
import { ConflictError, type FieldError } from '../../common/errors.ts';
import { londonDate } from '../../common/plain-dates.ts';
import type { WebServices } from '../../web/app.ts';
import { pathParams, registerFormPage } from '../../web/form-route.ts';
import { formErrors, parseWith } from '../../web/forms.ts';
import { referralsSchemas } from '../referrals/index.ts';
import {
  AlertContactInput,
  AlertVersion,
  NoActionInput,
  PlanNoteInput,
  SignalInput,
} from './signals.schemas.ts';
import {
  ALERT_OUTCOME_LABELS,
  FEED_KINDS,
  NOTIFICATION_KIND_LABELS,
  SEVERITIES,
  SEVERITY_LABELS,
  SIGNAL_CATEGORIES,
  severityName,
} from './signals.vocabulary.ts';

type Services = Pick<WebServices, 'signals' | 'alerts' | 'access'>;

const VIEWS = 'signals/views';

/** Labels the signal and alert pages use. */
const LABELS = {
  category: Object.fromEntries(Object.entries(SIGNAL_CATEGORIES).map(([k, v]) => [k, v.label])),
  severity: SEVERITY_LABELS,
  severityShort: Object.fromEntries(SEVERITIES.map((s) => [s, s[0]!.toUpperCase() + s.slice(1)])),
  feedKind: Object.fromEntries(Object.entries(FEED_KINDS).map(([k, v]) => [k, v.label])),
  outcome: ALERT_OUTCOME_LABELS,
  status: { open: 'New', acknowledged: 'Acknowledged', closed: 'Closed' },
  routedTo: { lead_professional: 'Lead professional', front_door: 'Front door' },
  consent: referralsSchemas.CONSENT_LABELS,
  urgency: referralsSchemas.URGENCY_LABELS,
};

/** Pages for recording signals, the alert inboxes, acting on an alert, and one's notifications. */
export function registerSignalRoutes(app: FastifyInstance, { signals, alerts, access }: Services) {
  // --- Signals ------------------------------------------------------------------------------------

  registerFormPage(app, {
    url: '/people/:personId/signals/new',
    access: 'signals.record',
    view: `${VIEWS}/signal-form.njk`,
    schema: SignalInput,
    load: async (ctx, params) => {
      const [day, month, year] = londonDate(ctx.now).split('-').reverse();
      return {
        person: await signals.recordForm(ctx, params.personId!),
        labels: LABELS,
        values: {
          idempotencyKey: randomUUID(),
          'observed-day': String(Number(day)),
          'observed-month': String(Number(month)),
          'observed-year': year,
        },
      };
    },
    submit: async (ctx, data, params) => {
      const made = await signals.record(ctx, params.personId!, data);
      if (made.replayed)
        return {
          redirect: `/people/${params.personId}/signals`,
          flash: 'You had already recorded this signal.',
        };
      const raised = made.alertsRaised
        ? ` It raised ${made.alertsRaised === 1 ? 'an alert' : `${made.alertsRaised} alerts`}.`
        : '';
      return { redirect: `/people/${params.personId}/signals`, flash: `Signal recorded.${raised}` };
    },
  });

  app.get('/people/:personId/signals', { config: { access: 'signals.record' } }, async (request, reply) => {
    const { personId } = pathParams(request);
    const shown = await signals.ofChild(request.ctx(), personId!);
    return reply.page(`${VIEWS}/signals.njk`, { ...shown, labels: LABELS, severityName });
  });

  // --- Alerts -------------------------------------------------------------------------------------

  app.get('/alerts', { config: { access: 'signals.record' } }, async (request, reply) =>
    reply.page(`${VIEWS}/alerts.njk`, { ...(await alerts.inbox(request.ctx())), labels: LABELS }),
  );

  const showAlert = async (
    request: FastifyRequest,
    reply: FastifyReply,
    problems?: FieldError[],
    status?: number,
  ) => {
    const { alertId } = pathParams(request);
    const shown = await alerts.get(request.ctx(), alertId!);
    return reply.page(
      `${VIEWS}/alert.njk`,
      { ...shown, labels: LABELS, severityName, errors: problems && formErrors(problems) },
      status,
    );
  };

  app.get('/alerts/:alertId', { config: { access: 'signals.record' } }, (request, reply) =>
    showAlert(request, reply),
  );

  /** The alert page's buttons: a version-checked change, then back to the alert. */
  const alertButton = (
    path: string,
    flash: string,
    act: (ctx: Ctx, id: string, v: AlertVersion) => Promise<void>,
  ) =>
    app.post(`/alerts/:alertId/${path}`, { config: { access: 'signals.record' } }, async (request, reply) => {
      const { alertId } = pathParams(request);
      const parsed = parseWith(AlertVersion, request.body ?? {});
      if (!parsed.ok) return showAlert(request, reply, parsed.errors, 400);
      try {
        await act(request.ctx(), alertId!, parsed.data);
      } catch (error) {
        if (error instanceof ConflictError)
          return showAlert(request, reply, [{ field: 'form', message: error.message }], 409);
        throw error;
      }
      return reply.flash(flash).redirect(`/alerts/${alertId}`, 303);
    });
  alertButton('pick-up', 'You have picked up this alert', (ctx, id, v) => alerts.pickUp(ctx, id, v));
  alertButton('acknowledge', 'Alert acknowledged', (ctx, id, v) => alerts.acknowledge(ctx, id, v));

  /** The page an action's form sits on: the alert, for its caption and version. */
  const actionPage = async (ctx: Ctx, params: Record<string, string>) => {
    const shown = await alerts.get(ctx, params.alertId!);
    if (shown.pickUpNeeded || shown.alert.status === 'closed')
      throw new ConflictError('This alert is closed');
    return { ...shown, labels: LABELS, values: { version: shown.alert.version } };
  };

  registerFormPage(app, {
    url: '/alerts/:alertId/no-action',
    access: 'signals.record',
    view: `${VIEWS}/alert-no-action.njk`,
    schema: NoActionInput,
    load: actionPage,
    submit: async (ctx, data, params) => {
      await alerts.closeWithNoAction(ctx, params.alertId!, data);
      // Back to the inbox: closing may end the closer's involvement, and with it the alert page.
      return { redirect: '/alerts', flash: 'Alert closed with no action' };
    },
  });

  registerFormPage(app, {
    url: '/alerts/:alertId/plan-note',
    access: 'signals.record',
    view: `${VIEWS}/alert-plan-note.njk`,
    schema: PlanNoteInput,
    load: actionPage,
    submit: async (ctx, data, params) => {
      const planId = await alerts.addToPlan(ctx, params.alertId!, data);
      return {
        redirect: `/plans/${planId}`,
        flash: 'The alert is on the plan, for the team around the family',
      };
    },
  });

  registerFormPage(app, {
    url: '/alerts/:alertId/refer',
    access: 'signals.record',
    view: `${VIEWS}/alert-refer.njk`,
    schema: AlertContactInput,
    load: async (ctx, params) => {
      const page = await actionPage(ctx, params);
      const { sector } = await access.getOrganisation(ctx, requirePerson(ctx).organisationId);
      return {
        ...page,
        prompts: referralsSchemas.SECTOR_PROMPTS[sector] ?? [],
        values: { ...page.values, worries: page.alert.explanation },
      };
    },
    // The worries start as the alert's explanation, a suggestion: nothing saved to compare.
    compare: false,
    submit: async (ctx, data, params) => {
      await alerts.referToFrontDoor(ctx, params.alertId!, data);
      return {
        redirect: '/alerts',
        flash: 'Contact sent to the front door; the alert is closed',
      };
    },
  });

  // --- Notifications ------------------------------------------------------------------------------

  app.get('/notifications', { config: { access: 'signed-in' } }, async (request, reply) =>
    reply.page(`${VIEWS}/notifications.njk`, {
      notifications: await alerts.notifications(request.ctx()),
      kindLabels: NOTIFICATION_KIND_LABELS,
    }),
  );

  app.post(
    '/notifications/:notificationId/read',
    { config: { access: 'signed-in' } },
    async (request, reply) => {
      const { notificationId } = pathParams(request);
      await alerts.markRead(request.ctx(), notificationId!);
      return reply.redirect('/notifications', 303);
    },
  );
}
