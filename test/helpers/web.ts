import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { loadConfig } from '../../src/config.ts';
import { createWebApp, type Services } from '../../src/composition.ts';
import type { Clock } from '../../src/common/clock.ts';
import type { StaffRole } from '../../src/common/context.ts';
import { totpCode, twoFactorRequired } from '../../src/modules/access/index.ts';
import { buildCtx, buildSystemActor, TEST_NOW } from './context.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { insertPartnership } from './builders.ts';

export const TEST_PASSWORD = 'correct horse battery staple';
/** The TOTP secret of every test account whose roles need two-factor sign-in. */
export const TEST_TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

/** A clock the test moves by hand. */
export class TestClock implements Clock {
  private at = TEST_NOW.getTime();
  now() {
    return new Date(this.at);
  }
  advanceMinutes(minutes: number) {
    this.at += minutes * 60_000;
  }
  advanceSeconds(seconds: number) {
    this.at += seconds * 1000;
  }
}

export type TestUser = { id: string; email: string };

export type TestApp = {
  app: FastifyInstance;
  services: Services;
  database: TestDatabase;
  clock: TestClock;
  partnershipId: string;
  organisationId: string;
  admin: TestUser;
  practitioner: TestUser;
  /** Another account in the same partnership, with the roles given (and TEST_TOTP_SECRET if they need it). */
  createUser(email: string, roles: StaffRole[], opts?: { twoFactor?: boolean }): Promise<TestUser>;
  agent(): Agent;
  close(): Promise<void>;
};

/** The real app on a fresh database, with a partnership, one organisation, an administrator and a practitioner. */
export async function createTestApp(settings: Record<string, string> = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const config = loadConfig({
    DATA_DIR: 'memory://',
    COOKIE_SECRET: 'test-secret-'.padEnd(40, 'x'),
    ...settings,
  });
  const clock = new TestClock();
  const { app, services } = await createWebApp(database, config, { logger: false, clock });
  const partnershipId = await insertPartnership(database.db);
  const system = buildCtx(buildSystemActor(partnershipId));
  const org = await services.access.createOrganisation(system, {
    name: 'Northbridge Council',
    sector: 'social_care',
    kind: 'Local authority',
    localityId: null,
    active: true,
  });
  const createUser = async (email: string, roles: StaffRole[], opts: { twoFactor?: boolean } = {}) => {
    const user = await services.access.createUser(system, {
      email,
      displayName: email.split('@')[0]!.replace('.', ' '),
      jobTitle: null,
      organisationId: org.id,
      roles,
      password: TEST_PASSWORD,
    });
    if (opts.twoFactor ?? twoFactorRequired(roles))
      await services.twoFactor.enrolWithSecret(system, partnershipId, user.id, TEST_TOTP_SECRET);
    return { id: user.id, email } satisfies TestUser;
  };
  const admin = await createUser('admin@example.org', ['partnership_admin']);
  const practitioner = await createUser('pat.smith@example.org', ['practitioner']);
  return {
    app,
    services,
    database,
    clock,
    partnershipId,
    organisationId: org.id,
    admin,
    practitioner,
    createUser,
    agent: () => new Agent(app, clock),
    close: async () => {
      await app.close();
      await database.close();
    },
  };
}

/** A browser without a browser: keeps cookies between requests and fills in each form's CSRF token. */
/** A new agent signed in as this account (password, then a TOTP code when its roles need one), or an error. */
export async function signedInAgent(
  app: FastifyInstance,
  clock: TestClock,
  email: string,
  password?: string,
  totpSecret?: string,
): Promise<Agent> {
  const agent = new Agent(app, clock);
  const response = await agent.signIn(email, password, totpSecret);
  if (response.statusCode !== 303 || String(response.headers.location).startsWith('/sign-in'))
    throw new Error(`Signing in as ${email} failed: ${response.statusCode} ${response.headers.location}`);
  return agent;
}

export class Agent {
  private readonly cookies = new Map<string, string>();
  constructor(
    private readonly app: FastifyInstance,
    private readonly clock: TestClock,
  ) {}

  async get(url: string, headers: Record<string, string> = {}) {
    return this.keep(
      await this.app.inject({ method: 'GET', url, cookies: Object.fromEntries(this.cookies), headers }),
    );
  }

  /** Posts a form; the CSRF token comes from `tokenFrom` (a page to read it from) unless the form has `_csrf`. */
  async post(url: string, form: Record<string, string | string[]>, tokenFrom = url) {
    const body = { ...form };
    if (!('_csrf' in body)) body._csrf = await this.csrfToken(tokenFrom);
    return this.keep(
      await this.app.inject({
        method: 'POST',
        url,
        cookies: Object.fromEntries(this.cookies),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams(
          // repeated keys for multi-value fields, as a browser sends checkboxes
          Object.entries(body).flatMap(([k, v]) =>
            (Array.isArray(v) ? v : [v]).map((x): [string, string] => [k, x]),
          ),
        ).toString(),
      }),
    );
  }

  /** Posts a multipart form with files, as a browser sends an upload; the CSRF token as for post. */
  async postFiles(
    url: string,
    fields: Record<string, string>,
    files: Record<string, { name: string; content: string }>,
    tokenFrom = url,
  ) {
    const boundary = `----wraparound${Math.random().toString(16).slice(2)}`;
    const all = { _csrf: fields._csrf ?? (await this.csrfToken(tokenFrom)), ...fields };
    const parts = [
      ...Object.entries(all).map(
        ([name, value]) =>
          `--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
      ),
      ...Object.entries(files).map(
        ([name, file]) =>
          `--${boundary}\r\ncontent-disposition: form-data; name="${name}"; filename="${file.name}"\r\n` +
          `content-type: application/octet-stream\r\n\r\n${file.content}\r\n`,
      ),
    ];
    return this.keep(
      await this.app.inject({
        method: 'POST',
        url,
        cookies: Object.fromEntries(this.cookies),
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
        payload: `${parts.join('')}--${boundary}--\r\n`,
      }),
    );
  }

  async csrfToken(pageUrl: string): Promise<string> {
    const page = await this.get(pageUrl);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
    if (!token) throw new Error(`No CSRF token on ${pageUrl} (status ${page.statusCode})`);
    return token;
  }

  /**
   * Signs in with the password and, when asked, a code from TEST_TOTP_SECRET. A code works once, so
   * the clock first moves on by a TOTP step (30 seconds): every sign-in gets a fresh code.
   */
  async signIn(email: string, password = TEST_PASSWORD, totpSecret = TEST_TOTP_SECRET) {
    const first = await this.post('/sign-in', { email, password, next: '/' }, '/sign-in');
    const location = String(first.headers.location ?? '');
    if (first.statusCode !== 303 || !location.startsWith('/sign-in/two-factor?')) return first;
    this.clock.advanceSeconds(30);
    return this.post(location, { code: totpCode(totpSecret, this.clock.now()), next: '/' }, location);
  }

  /** The code the test secret gives now, after moving the clock on a step so it has not been used. */
  freshCode(totpSecret = TEST_TOTP_SECRET) {
    this.clock.advanceSeconds(30);
    return totpCode(totpSecret, this.clock.now());
  }

  cookie(name: string) {
    return this.cookies.get(name);
  }

  private keep(response: LightMyRequestResponse) {
    // Expiry is the server's business (its clock may be a test clock); a cleared cookie has no value.
    for (const c of response.cookies as { name: string; value: string }[]) {
      if (c.value === '') this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    return response;
  }
}

/** The texts of the GOV.UK error summary on a page. */
export function errorSummary(html: string): string[] {
  const summary = /govuk-error-summary__list">([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? '';
  return [...summary.matchAll(/<a href="(#[^"]+)"[^>]*>([^<]+)<\/a>/g)].map((m) => `${m[1]} ${m[2]!.trim()}`);
}
