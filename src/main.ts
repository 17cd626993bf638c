import type { FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import { createWebApp, type Services } from './composition.ts';
import { openDatabase, type DatabaseHandle } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { checkRowSecurity } from './db/partnership-scope.ts';
import { scheduleReviewReminders } from './modules/directory/index.ts';
import { scheduleOutcomeRefresh } from './modules/outcomes/index.ts';
import { schedulePlanReminders } from './modules/plans/index.ts';

export type Running = { app: FastifyInstance; handle: DatabaseHandle; url: string; stop(): Promise<void> };

/** Start-up: open the database, migrate, build the app, listen. */
export async function startServer(
  config: Config,
  options: {
    demo?: boolean;
    beforeListen?: (handle: DatabaseHandle) => Promise<void>;
    /** Adds routes to the built app before it listens (benchmarks add their baselines this way). */
    extendApp?: (app: FastifyInstance, services: Services) => void;
  } = {},
): Promise<Running> {
  const handle = await openDatabase(config.database);
  try {
    await migrateToLatest(handle.db);
    if (handle.rowSecurity) await checkRowSecurity(handle.db);
    await options.beforeListen?.(handle);
    const { app, services } = await createWebApp(handle, config, { demo: options.demo ?? false });
    options.extendApp?.(app, services);
    const inFlight = countRequestsInFlight(app);
    try {
      await app.listen({ port: config.port, host: config.host });
    } catch (error) {
      if ((error as { code?: string }).code === 'EADDRINUSE') {
        throw new Error(
          `Setting PORT: port ${config.port} is already in use. Stop the other program or set PORT to another port.`,
        );
      }
      throw error;
    }
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const host = config.host === '0.0.0.0' || config.host === '127.0.0.1' ? 'localhost' : config.host;
    // Background work: directory entries not reviewed for 6 months are flagged to their owners now and every 6 hours.
    const reviewReminders = scheduleReviewReminders(handle.db, app.log);
    // Plan reviews due soon or overdue, and overdue actions, are notified to the people concerned every hour.
    const planReminders = schedulePlanReminders(handle.db, app.log);
    // The outcome dashboards' monthly counts catch up with new records every minute.
    const outcomeRefresh = scheduleOutcomeRefresh(services.outcomes, app.log);
    return {
      app,
      handle,
      url: `http://${host}:${port}`,
      stop: async () => {
        await app.close();
        await reviewReminders.stop();
        await planReminders.stop();
        await outcomeRefresh.stop();
        // A request whose client went away still runs to its end; let it finish its transaction.
        await inFlight.drained(5_000);
        await handle.close();
      },
    };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

function countRequestsInFlight(app: FastifyInstance) {
  let count = 0;
  app.addHook('onRequest', async () => {
    count += 1;
  });
  app.addHook('onResponse', async () => {
    count -= 1;
  });
  return {
    async drained(limitMs: number) {
      const until = Date.now() + limitMs;
      while (count > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
    },
  };
}
