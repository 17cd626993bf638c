import type { FastifyInstance } from 'fastify';
import type { WebServices } from '../../web/app.ts';

export function registerAssessmentRoutes(_app: FastifyInstance, _services: WebServices) {}
