import type { FastifyInstance } from 'fastify';
import type { Permission } from '../common/permissions.ts';
import type { AccessService } from '../modules/access/index.ts';

/**
 * Every route says who may reach it: anyone, anyone signed in, holders of a permission, or (for a
 * child's record) whoever the access gate lets through. A route
 * that does not say stops the app from starting, so no page can be added without an access rule.
 * Services check again; this is the first of two locks.
 */
export type RouteAccess = 'public' | 'signed-in' | 'person' | Permission;

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
}

export type RouteAccessEntry = { method: string; url: string; access: RouteAccess };

/**
 * Routes that plugins add, which carry no personal data: static files, and the API's OpenAPI document
 * with its Swagger UI page and files (@fastify/swagger-ui adds these and cannot set a route's config).
 */
const STATIC_PREFIXES = ['/assets/', '/api/docs/'];
const isStatic = (url: string) => url === '/api/docs' || STATIC_PREFIXES.some((p) => url.startsWith(p));

export function registerRouteAccess(app: FastifyInstance, access: Pick<AccessService, 'require'>) {
  const table: RouteAccessEntry[] = [];

  app.addHook('onRoute', (route) => {
    const methods = [route.method].flat();
    if (isStatic(route.url)) {
      route.config = { ...route.config, access: 'public' };
      return;
    }
    const declared = route.config?.access;
    if (!declared)
      throw new Error(`Route ${methods.join(',')} ${route.url} does not declare its access rule`);
    for (const method of methods) table.push({ method, url: route.url, access: declared });
  });

  return {
    table: () => [...table],
    /** Checks the permission a route needs; registered after the CSRF check, so a forged form never gets this far. */
    enforce() {
      app.addHook('preHandler', async (request) => {
        const rule = request.routeOptions.config.access;
        // 'person': any signed-in user reaches the route; the access gate decides child by child.
        if (rule === undefined || rule === 'public' || rule === 'signed-in' || rule === 'person') return;
        await access.require(
          request.ctx(),
          rule,
          `route ${request.method} ${request.routeOptions.url ?? ''}`,
        );
      });
    },
  };
}
