import type { FastifyInstance } from 'fastify';
import type { WebServices } from '../../web/app.ts';

export function registerPlanWorkRoutes(_app: FastifyInstance, _services: WebServices) {}
