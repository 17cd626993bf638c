import { randomUUID } from 'node:crypto';
import path from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import qs from 'node:querystring';
import type { Actor, Ctx } from '../common/context.ts';
import type { Clock } from '../common/clock.ts';
import {
  registerAccessRoutes,
  registerApiTokenRoutes,
  registerSignInRoutes,
  registerTrustRoutes,
  type AccessGate,
  type AccessService,
  type ApiTokenService,
  type ConsentService,
  type EmergencyAccessService,
  type InvolvementService,
  type OidcSignIn,
  type SessionService,
  type TwoFactorService,
  type SharingService,
} from '../modules/access/index.ts';
import {
  registerPeopleRoutes,
  registerPersonIndexRoutes,
  type PeopleService,
  type PersonIndexService,
} from '../modules/people/index.ts';

import {
  registerFrontDoorApi,
  registerFrontDoorDashboardRoutes,
  registerFrontDoorRoutes,
  type FrontDoorDashboard,
  type AgencyRequestService,
  type EnquiryService,
  type FrontDoorService,
} from '../modules/referrals/index.ts';
import { registerAuditRoutes, type AuditService } from '../modules/audit/index.ts';
import {
  registerFamilyRoutes,
  registerPlanRoutes,
  registerPlanWorkRoutes,
  type FamilyService,
  type PlanService,
  type PlanWorkService,
} from '../modules/plans/index.ts';
import { registerAssessmentRoutes, type AssessmentService } from '../modules/assessments/index.ts';
import {
  registerChronologyRoutes,
  registerFhirRoutes,
  registerFlagRoutes,
  registerSignalSettingsRoutes,
  registerSignalRoutes,
  registerSignalRuleRoutes,
  type AlertService,
  type ChronologyService,
  type FlagService,
  type SignalSettingsService,
  type SignalRuleService,
  type SignalService,
} from '../modules/signals/index.ts';
import {
  registerDirectoryRoutes,
  registerOpenReferralApi,
  type DirectoryService,
  type OpenReferralReader,
} from '../modules/directory/index.ts';
import {
  registerDirectoryPracticeRoutes,
  type DirectoryReferralService,
  type SignpostService,
} from '../modules/directory/index.ts';
import { registerDirectoryEditorRoutes, type DirectoryEditorService } from '../modules/directory/index.ts';
import {
  registerEvaluationRoutes,
  registerLocalFrameworkRoutes,
  registerMoneyRoutes,
  registerOutcomeRoutes,
  type EvaluationService,
  type LocalFrameworkService,
  type MoneyService,
  type OutcomeService,
  type PracticeChangeService,
} from '../modules/outcomes/index.ts';
import { registerStatutoryReturnRoutes, type StatutoryReturnService } from '../modules/interop/index.ts';
import { registerApiDocs } from './api.ts';
import { registerErrorHandling } from './errors.ts';
import { registerHealthRoutes } from './health.routes.ts';
import { registerHomeRoutes } from './home.routes.ts';
import { registerPages } from './pages.ts';
import { registerRouteAccess, type RouteAccessEntry } from './route-access.ts';
import { registerSessions } from './sessions.ts';
import { govukDist, srcDir } from './views.ts';

export type WebServices = {
  access: AccessService;
  audit: AuditService;
  sessions: SessionService;
  /** Bearer tokens for other systems calling the JSON API. */
  apiTokens: ApiTokenService;
  twoFactor: TwoFactorService;
  /** OpenID Connect sign-in, when configured. */
  oidc: OidcSignIn | undefined;
  gate: AccessGate;
  involvements: InvolvementService;
  emergencyAccess: EmergencyAccessService;
  consent: ConsentService;
  sharing: SharingService;
  people: PeopleService;
  personIndex: PersonIndexService;
  frontDoor: FrontDoorService;
  frontDoorDashboard: FrontDoorDashboard;
  agencyRequests: AgencyRequestService;
  enquiries: EnquiryService;
  plans: PlanService;
  planWork: PlanWorkService;
  family: FamilyService;
  assessments: AssessmentService;
  signals: SignalService;
  signalRules: SignalRuleService;
  alerts: AlertService;
  signalSettings: SignalSettingsService;
  flags: FlagService;
  chronology: ChronologyService;
  /** The public directory of services (Open Referral UK). */
  directory: DirectoryService;
  /** The Open Referral UK read API's queries. */
  openReferral: OpenReferralReader;
  /** What practitioners suggest to a child's family from the directory. */
  signposts: SignpostService;
  /** Referrals of children to directory services, and the providers' answers. */
  directoryReferrals: DirectoryReferralService;
  /** Directory editors keeping their organisation's entries current; providers' capacity. */
  directoryEditor: DirectoryEditorService;
  /** Funding partners, budgets and spend, and the outcome account. */
  money: MoneyService;
  outcomes: OutcomeService;
  localFrameworks: LocalFrameworkService;
  /** Statutory returns: the Children in Need census. */
  statutoryReturns: StatutoryReturnService;
  /** When localities changed their way of working, for the evaluation. */
  practiceChanges: PracticeChangeService;
  /** The evaluation: before and after a practice change, and cohort comparisons. */
  evaluation: EvaluationService;
  /** Answers whether the database can be reached, for /health. */
  databaseReachable(): Promise<boolean>;
};

export type WebOptions = {
  cookieSecret: string;
  secureCookies: boolean;
  trustProxy: boolean;
  logger: FastifyServerOptions['logger'];
  clock: Clock;
  /** Shows a banner saying the data is a demonstration. */
  demo: boolean;
};

declare module 'fastify' {
  interface FastifyInstance {
    /** Cookies carry the Secure flag (settings: SECURE_COOKIES, or TRUST_PROXY behind TLS). */
    secureCookies: boolean;
    /** Every route with the access rule it declared, for tests and review. */
    routeAccessTable(): RouteAccessEntry[];
  }
  interface FastifyRequest {
    actor: Actor | null;
    sessionToken: string | undefined;
    /** How the actor was identified: a session cookie, or (under /api/ and /fhir/ only) an API token. */
    authenticatedBy: 'session' | 'api-token' | undefined;
    /** The time by the app's clock. */
    now(): Date;
    /** The service context for this request: who, which request, when. */
    ctx(): Ctx;
  }
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Builds the web application on the services it is given. The order of registration is the order a
 * request meets them: request id, security headers, body and cookies, static assets, session and
 * sign-in guard, CSRF, the route's permission, routes; not-found and errors.
 */
export async function createApp(services: WebServices, options: WebOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    trustProxy: options.trustProxy,
    bodyLimit: 256 * 1024,
    routerOptions: { ignoreTrailingSlash: true },
  });

  await app.register(fastifyHelmet, {
    enableCSPNonces: true,
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        upgradeInsecureRequests: options.secureCookies ? [] : null,
      },
    },
    hsts: options.secureCookies,
  });
  // Form bodies keep repeated keys (checkboxes) as arrays.
  await app.register(fastifyFormbody, { parser: (body) => qs.parse(body) });
  await app.register(fastifyCookie, { secret: options.cookieSecret });
  await app.register(fastifyRateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      code: 'RATE_LIMITED',
      message: `Too many attempts from your network. Wait ${context.after} and try again.`,
    }),
  });

  await app.register(fastifyStatic, {
    root: [
      path.join(govukDist, 'govuk/assets'),
      path.join(govukDist, 'govuk'),
      path.join(srcDir, 'web/public'),
    ],
    prefix: '/assets/',
    allowedPath: (pathName) =>
      /\.(css|js|woff2?|png|svg|ico|json)$/.test(pathName) && !pathName.includes('..'),
    maxAge: '1d',
    index: false,
    list: false,
  });

  const routeAccess = registerRouteAccess(app, services.access);
  app.decorate('routeAccessTable', routeAccess.table);
  registerPages(app, options.demo);
  registerErrorHandling(app);
  registerHealthRoutes(app, services);
  registerSessions(app, services.sessions, services.apiTokens, options);

  await app.register(fastifyCsrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: 'wa_csrf',
    cookieOpts: { signed: true, httpOnly: true, sameSite: 'lax', path: '/', secure: options.secureCookies },
    getUserInfo: (request) => request.sessionToken ?? 'anonymous',
    getToken: (request) =>
      (request.body as { _csrf?: string } | undefined)?._csrf ??
      (request.headers['x-csrf-token'] as string | undefined),
    csrfOpts: { hmacKey: options.cookieSecret, userInfo: true },
  });
  // A request authenticated by an API token carries no cookie a browser could send for someone else,
  // so it needs no CSRF token; every other unsafe request does (including cookie-signed-in API calls).
  app.addHook('preHandler', (request, reply, done) => {
    if (UNSAFE_METHODS.has(request.method) && request.authenticatedBy !== 'api-token')
      return app.csrfProtection(request, reply, done);
    done();
  });
  routeAccess.enforce();
  await registerApiDocs(app);

  registerSignInRoutes(app, services);
  registerHomeRoutes(app, services);
  registerAccessRoutes(app, services);
  registerAuditRoutes(app, services.audit);
  registerPeopleRoutes(app, services);
  registerPersonIndexRoutes(app, services);
  registerFrontDoorRoutes(app, services);
  registerFrontDoorDashboardRoutes(app, services);
  registerFrontDoorApi(app, services);
  registerApiTokenRoutes(app, services);
  registerTrustRoutes(app, services);
  registerPlanRoutes(app, services);
  registerPlanWorkRoutes(app, services);
  registerFamilyRoutes(app, services);
  registerAssessmentRoutes(app, services);
  registerSignalRoutes(app, services);
  registerSignalRuleRoutes(app, services);
  registerSignalSettingsRoutes(app, services);
  registerFlagRoutes(app, services);
  registerFhirRoutes(app, services);
  registerChronologyRoutes(app, services);
  registerDirectoryRoutes(app, services);
  registerOpenReferralApi(app, services);
  registerDirectoryPracticeRoutes(app, services);
  registerDirectoryEditorRoutes(app, services);
  registerStatutoryReturnRoutes(app, services);
  registerMoneyRoutes(app, services);
  registerOutcomeRoutes(app, services);
  registerLocalFrameworkRoutes(app, services);
  registerEvaluationRoutes(app, services);
  return app;
}
