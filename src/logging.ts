import type { FastifyServerOptions } from 'fastify';
import type { Config } from './config.ts';

/**
 * pino settings. Request logs carry method, path and status, never query strings (a search can hold
 * a child's name), cookies, or bodies; known personal fields are redacted wherever they appear.
 */
export function loggerOptions(level: Config['logLevel']): FastifyServerOptions['logger'] {
  return {
    level,
    redact: {
      paths: [
        '*.password',
        '*.email',
        '*.givenName',
        '*.familyName',
        '*.dateOfBirth',
        '*.headers.cookie',
        '*.headers.authorization',
      ],
      censor: '[redacted]',
    },
    serializers: {
      req: (req: { method: string; url: string; id: string }) => ({
        id: req.id,
        method: req.method,
        path: req.url.split('?')[0],
      }),
    },
  };
}
