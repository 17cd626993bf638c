import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/web.ts';

describe('the web application', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('answers /ping and /health without signing in', async () => {
    expect((await t.app.inject('/ping')).json()).toEqual({ status: 'UP' });
    const health = await t.app.inject('/health');
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'UP', database: 'UP' });
  });

  it('sends security headers and a fresh script nonce that the page uses', async () => {
    const first = await t.app.inject('/sign-in');
    const second = await t.app.inject('/sign-in');
    const csp = first.headers['content-security-policy'] as string;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    const nonce = /'nonce-([^']+)'/.exec(csp)![1]!;
    expect(first.body).toContain(`nonce="${nonce}"`);
    expect(second.headers['content-security-policy']).not.toContain(nonce);
    expect(first.headers['x-content-type-options']).toBe('nosniff');
    expect(first.headers['x-frame-options']).toBe('SAMEORIGIN');
  });

  it('serves GOV.UK Frontend assets from this server', async () => {
    const css = await t.app.inject('/assets/govuk-frontend.min.css');
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toContain('text/css');
    expect((await t.app.inject('/assets/fonts/bold-b542beb274-v2.woff2')).statusCode).toBe(200);
    expect((await t.app.inject('/assets/index.scss')).statusCode).toBe(404);
    const escape = await t.app.inject('/assets/%2e%2e/%2e%2e/package.json');
    expect(escape.statusCode).not.toBe(200);
    expect(escape.body).not.toContain('"name": "wraparound"');
  });

  it('answers an unknown page with a GOV.UK 404 page, or JSON to a JSON client', async () => {
    const agent = t.agent();
    await agent.signIn(t.practitioner.email);
    const page = await agent.get('/nowhere');
    expect(page.statusCode).toBe(404);
    expect(page.body).toContain('Page not found');
    const json = await agent.get('/nowhere', { accept: 'application/json' });
    expect(json.statusCode).toBe(404);
    expect(json.json()).toMatchObject({ error: 'Page not found' });
  });

  it('answers a JSON client that is not signed in with 401, not a redirect', async () => {
    const res = await t.app.inject({ url: '/', headers: { accept: 'application/json' } });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: 'Sign in to continue' });
  });

  it('answers malformed and oversized bodies with 4xx, never 500', async () => {
    const agent = t.agent();
    const token = await agent.csrfToken('/sign-in');
    const unknownType = await t.app.inject({
      method: 'POST',
      url: '/sign-in',
      headers: { 'content-type': 'application/xml' },
      payload: '<x/>',
    });
    expect(unknownType.statusCode).toBe(415);
    const badJson = await t.app.inject({
      method: 'POST',
      url: '/sign-in',
      headers: { 'content-type': 'application/json' },
      payload: '{"email":',
    });
    expect(badJson.statusCode).toBe(400);
    const huge = await t.app.inject({
      method: 'POST',
      url: '/sign-in',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `_csrf=${token}&email=${'a'.repeat(300 * 1024)}`,
    });
    expect(huge.statusCode).toBe(413);
    const weird = await agent.post(
      '/sign-in',
      { email: ['one@example.org', 'two@example.org'], password: ['x', 'y'] },
      '/sign-in',
    );
    expect(weird.statusCode).toBe(400);
  });
});
