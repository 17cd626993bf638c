import type { FastifyInstance } from 'fastify';
import type { WebServices } from '../../web/app.ts';

export function registerFamilyRoutes(_app: FastifyInstance, _services: WebServices) {}
