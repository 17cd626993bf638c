import type { FastifyInstance } from 'fastify';
import { NotFoundError, ValidationError } from '../../common/errors.ts';
import { isAllowed } from '../../common/permissions.ts';
import { addDays } from '../../common/plain-dates.ts';
import { sendCsv, tableRows } from '../../web/csv.ts';
import { formErrors } from '../../web/forms.ts';
import {
  DASHBOARD_TABLES,
  DEFAULT_PERIOD_DAYS,
  defaultPeriod,
  type DashboardTableName,
  type FrontDoorDashboard,
} from './referrals.dashboard.ts';

const VIEW = 'referrals/views/dashboard.njk';
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The period asked for, as typed: a missing end is today; a missing start is 30 days before the end. */
function periodAsked(query: unknown, now: Date): { from: string; to: string } {
  const q = (query ?? {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
  const from = text(q.from);
  const to = text(q.to);
  const standard = defaultPeriod(now);
  return {
    from:
      from ??
      (to && ISO_DATE.test(to) && !Number.isNaN(Date.parse(to))
        ? addDays(to, -(DEFAULT_PERIOD_DAYS - 1))
        : standard.from),
    to: to ?? standard.to,
  };
}

function csvHrefs(period: { from: string; to: string }): Record<DashboardTableName, string> {
  const href = (table: string) =>
    `/front-door/dashboard.csv?${new URLSearchParams({ table, from: period.from, to: period.to }).toString()}`;
  return Object.fromEntries(DASHBOARD_TABLES.map((t) => [t, href(t)])) as Record<DashboardTableName, string>;
}

/** The front door manager's figures: a page of charts with their tables, and each table as CSV. */
export function registerFrontDoorDashboardRoutes(
  app: FastifyInstance,
  services: { frontDoorDashboard: FrontDoorDashboard },
) {
  const dashboard = services.frontDoorDashboard;

  app.get('/front-door/dashboard', { config: { access: 'contacts.dashboard' } }, async (request, reply) => {
    const ctx = request.ctx();
    const period = periodAsked(request.query, request.now());
    try {
      const figures = await dashboard.figures(ctx, period);
      return reply.page(VIEW, {
        figures,
        values: period,
        csv: csvHrefs(period),
        canTriage: isAllowed(ctx, 'contacts.triage'),
      });
    } catch (error) {
      if (error instanceof ValidationError)
        return reply.page(VIEW, { values: period, errors: formErrors(error.fields) }, 400);
      throw error;
    }
  });

  app.get(
    '/front-door/dashboard.csv',
    { config: { access: 'contacts.dashboard' } },
    async (request, reply) => {
      const ctx = request.ctx();
      const asked = (request.query as Record<string, unknown> | undefined)?.table;
      const table = DASHBOARD_TABLES.find((t) => t === asked);
      if (!table) throw new NotFoundError('That table');
      const period = periodAsked(request.query, request.now());
      let figures;
      try {
        figures = await dashboard.figures(ctx, period, { table });
      } catch (error) {
        if (error instanceof ValidationError)
          return reply.page(VIEW, { values: period, errors: formErrors(error.fields) }, 400);
        throw error;
      }
      return sendCsv(
        reply,
        `front-door-${table}-${figures.period.from}-to-${figures.period.to}.csv`,
        tableRows(figures.tables[table]),
      );
    },
  );
}
