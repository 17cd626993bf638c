import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { createTestApp, type TestApp } from '../../test/helpers/web.ts';
import { registerRouteAccess } from './route-access.ts';

describe('route access rules', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('gives every route an access rule: public, signed-in or a permission', () => {
    const table = t.app.routeAccessTable();
    expect(table.length).toBeGreaterThan(20);
    const publicRoutes = table.filter((r) => r.access === 'public').map((r) => `${r.method} ${r.url}`);
    expect(publicRoutes.sort()).toEqual(
      [
        'GET /health',
        'GET /ping',
        'GET /sign-in',
        'HEAD /health',
        'HEAD /ping',
        'HEAD /sign-in',
        'POST /sign-in',
        // Anyone may tell an area's front door about a child, and see that it was sent.
        'GET /areas/:slug/report-a-concern',
        'HEAD /areas/:slug/report-a-concern',
        'POST /areas/:slug/report-a-concern',
        'GET /areas/:slug/report-a-concern/sent',
        'HEAD /areas/:slug/report-a-concern/sent',
        // Anyone may search an area's directory of services and read an entry.
        ...['/areas/:slug/services', '/areas/:slug/services/:serviceId'].flatMap((url) => [`GET ${url}`, `HEAD ${url}`]),
        // The Open Referral UK read API: public, no key; any path of it answers a CORS preflight or a JSON 404.
        ...[
          '/openreferral/:slug',
          '/openreferral/:slug/services',
          '/openreferral/:slug/services/:id',
          '/openreferral/:slug/taxonomies',
          '/openreferral/:slug/taxonomies/:id',
          '/openreferral/:slug/taxonomy_terms',
          '/openreferral/:slug/taxonomy_terms/:id',
          '/openreferral/:slug/service_at_locations',
          '/openreferral/:slug/service_at_locations/:id',
          '/openreferral/*',
        ].flatMap((url) => [`GET ${url}`, `HEAD ${url}`]),
        'OPTIONS /openreferral/*',
        // A family member chooses their password with the code they were given, before they can sign in.
        ...['GET', 'HEAD', 'POST'].map((method) => `${method} /family/activate`),
        // The second factor: between the password and a session, nobody is signed in yet.
        ...['/sign-in/two-factor', '/sign-in/two-factor/set-up', '/sign-in/recovery-code'].flatMap((url) => [
          `GET ${url}`,
          `HEAD ${url}`,
          `POST ${url}`,
        ]),
      ].sort(),
    );
    for (const route of table.filter((r) => r.url.startsWith('/admin'))) {
      expect(route.access, `${route.method} ${route.url}`).toBe('partnership.administer');
    }
  });

  it('refuses to start an app with a route that declares no rule', async () => {
    const app = Fastify();
    registerRouteAccess(app, { require: async () => 'p' });
    expect(() => app.get('/forgotten', async () => 'oops')).toThrow(
      'Route GET /forgotten does not declare its access rule',
    );
    await app.close();
  });

  it('turns away every administration route for someone signed in without the permission, before any work', async () => {
    const practitioner = t.agent();
    await practitioner.signIn(t.practitioner.email);
    const token = await practitioner.csrfToken('/');
    const id = t.admin.id;
    for (const route of t.app
      .routeAccessTable()
      .filter((r) => r.access === 'partnership.administer' && r.method !== 'HEAD')) {
      const url = route.url.replace(/:[a-zA-Z]+Id/g, id);
      const res =
        route.method === 'GET'
          ? await practitioner.get(url)
          : await practitioner.post(url, { _csrf: token, version: '1' });
      expect(res.statusCode, `${route.method} ${url}`).toBe(403);
    }
  });
});
