import type { FastifyInstance } from 'fastify';
import type { WebServices } from './app.ts';

/** Liveness and readiness, reachable without signing in and before any session work. */
export function registerHealthRoutes(app: FastifyInstance, services: Pick<WebServices, 'databaseReachable'>) {
  app.get('/ping', { config: { access: 'public' } }, async () => ({ status: 'UP' }));
  app.get('/health', { config: { access: 'public' } }, async (_request, reply) => {
    const database = await services.databaseReachable().catch(() => false);
    return reply
      .status(database ? 200 : 503)
      .send({ status: database ? 'UP' : 'DOWN', database: database ? 'UP' : 'DOWN' });
  });
}
