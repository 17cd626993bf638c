import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { FastifyServerOptions } from 'fastify';
import type { Config } from './config.ts';
import { systemClock, type Clock } from './common/clock.ts';
import type { Db, DatabaseHandle } from './db/database.ts';
import {
  AccessGate,
  AccessService,
  ApiTokenService,
  ConsentService,
  EmergencyAccessService,
  InvolvementService,
  SessionService,
  SharingService,
  OidcSignIn,
  TwoFactorService,
} from './modules/access/index.ts';
import { PeopleService, PersonIndexService, peopleMeasures } from './modules/people/index.ts';
import { AuditService } from './modules/audit/index.ts';
import {
  AgencyRequestService,
  EnquiryService,
  FrontDoorDashboard,
  FrontDoorService,
  referralMeasures,
} from './modules/referrals/index.ts';
import { FamilyService, PlanService, PlanWorkService, planMeasures } from './modules/plans/index.ts';
import { AssessmentService } from './modules/assessments/index.ts';
import {
  AlertService,
  ChronologyService,
  convertFeedEventsOfRecord,
  moveFeedSignalsOfRecord,
  FlagService,
  SignalSettingsService,
  SignalRuleService,
  SignalService,
  signalMeasures,
} from './modules/signals/index.ts';
import { DirectoryService, OpenReferralReader } from './modules/directory/index.ts';
import { DirectoryReferralService, SignpostService } from './modules/directory/index.ts';
import { DirectoryEditorService } from './modules/directory/index.ts';
import {
  EvaluationService,
  LocalFrameworkService,
  MoneyService,
  OutcomeService,
  PracticeChangeService,
} from './modules/outcomes/index.ts';
import { StatutoryReturnService } from './modules/interop/index.ts';
import { createApp } from './web/app.ts';
import { loggerOptions } from './logging.ts';

/** The only place objects are built: database, then services, then the web app. */

export type Services = {
  db: Db;
  audit: AuditService;
  access: AccessService;
  sessions: SessionService;
  apiTokens: ApiTokenService;
  twoFactor: TwoFactorService;
  /** Present when OpenID Connect sign-in is configured. */
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
  /** Outcome indicators and performance measures from the precomputed monthly counts. */
  outcomes: OutcomeService;
  /** Outcome frameworks the partnership defines for itself. */
  localFrameworks: LocalFrameworkService;
  /** Statutory returns: the Children in Need census, checked and exported. */
  statutoryReturns: StatutoryReturnService;
  /** When localities changed their way of working, kept by an administrator for the evaluation. */
  practiceChanges: PracticeChangeService;
  /** The evaluation: before and after a practice change by locality, and cohort comparisons. */
  evaluation: EvaluationService;
};

/** `readDb`: a read replica that dashboards read from, when there is one. */
export function createServices(
  db: Db,
  config: Pick<Config, 'session' | 'signIn' | 'emergencyAccessHours'> & Partial<Pick<Config, 'oidc'>>,
  readDb: Db = db,
): Services {
  const audit = new AuditService(db);
  const access = new AccessService(db, audit);
  const sessions = new SessionService(db, audit, {
    idleMinutes: config.session.idleMinutes,
    absoluteHours: config.session.absoluteHours,
    maxFailures: config.signIn.maxFailures,
    lockoutMinutes: config.signIn.lockoutMinutes,
  });
  const gate = new AccessGate(db, audit);
  const involvements = new InvolvementService(db, audit, gate);
  const personIndex = new PersonIndexService(db, audit, gate);
  personIndex.onRecordUnlinked = (tx, ctx, partnershipId, move) =>
    moveFeedSignalsOfRecord(tx, ctx, partnershipId, move);
  const frontDoor = new FrontDoorService(db, audit, access, gate, personIndex, involvements);
  // A decided record may be a front-door contact's child, or the key to a data feed's waiting rows.
  // The contact goes first: it takes the contact's lock before anything takes the audit chain's.
  personIndex.onRecordDecided = async (tx, ctx, partnershipId, recordId) => {
    await frontDoor.matchFromReview(tx, ctx, partnershipId, recordId);
    await convertFeedEventsOfRecord(tx, audit, ctx, partnershipId, recordId);
  };
  const localFrameworks = new LocalFrameworkService(db, audit, access);
  const planWork = new PlanWorkService(db, audit, access, gate, localFrameworks);
  const outcomes = new OutcomeService(db, readDb, audit, access, [
    peopleMeasures,
    referralMeasures,
    planMeasures,
    signalMeasures,
  ]);
  const practiceChanges = new PracticeChangeService(db, audit, access);
  return {
    db,
    audit,
    access,
    sessions,
    apiTokens: new ApiTokenService(db, audit, access),
    twoFactor: new TwoFactorService(db, audit, sessions, access),
    oidc: config.oidc ? new OidcSignIn(db, audit, sessions, config.oidc) : undefined,
    gate,
    involvements,
    emergencyAccess: new EmergencyAccessService(db, audit, gate, config.emergencyAccessHours),
    consent: new ConsentService(gate),
    sharing: new SharingService(db, audit, gate),
    people: new PeopleService(db, audit, gate),
    personIndex,
    frontDoor,
    frontDoorDashboard: new FrontDoorDashboard(readDb, audit, access),
    agencyRequests: new AgencyRequestService(db, audit, access),
    enquiries: new EnquiryService(db, audit, access),
    plans: new PlanService(db, audit, access, gate, involvements),
    planWork,
    family: new FamilyService(db, audit, access, gate),
    assessments: new AssessmentService(db, audit, access, gate, frontDoor),
    signals: new SignalService(db, access, gate),
    signalRules: new SignalRuleService(db, audit, access),
    alerts: new AlertService(db, audit, access, gate, involvements, frontDoor, planWork),
    signalSettings: new SignalSettingsService(db, audit, access),
    flags: new FlagService(db, audit, access, gate),
    chronology: new ChronologyService(gate),
    directory: new DirectoryService(db),
    openReferral: new OpenReferralReader(db),
    signposts: new SignpostService(db, access, gate),
    directoryReferrals: new DirectoryReferralService(db, audit, access, gate),
    directoryEditor: new DirectoryEditorService(db, audit, access),
    money: new MoneyService(db, audit, access, localFrameworks, readDb),
    localFrameworks,
    outcomes,
    practiceChanges,
    evaluation: new EvaluationService(readDb, audit, access, outcomes, practiceChanges),
    statutoryReturns: new StatutoryReturnService(db, audit, access),
  };
}

/** The cookie-signing secret: from settings, or made once and kept in the database across restarts. */
export async function cookieSecret(db: Db, configured: string | undefined): Promise<string> {
  if (configured) return configured;
  const candidate = randomBytes(32).toString('base64url');
  await db
    .insertInto('instanceSettings')
    .values({ key: 'cookie_secret', value: candidate })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const row = await db
    .selectFrom('instanceSettings')
    .select('value')
    .where('key', '=', 'cookie_secret')
    .executeTakeFirstOrThrow();
  return row.value;
}

export async function createWebApp(
  handle: DatabaseHandle,
  config: Config,
  options: { logger?: FastifyServerOptions['logger']; clock?: Clock; demo?: boolean } = {},
) {
  const services = createServices(handle.db, config, handle.readDb);
  const app = await createApp(
    {
      ...services,
      databaseReachable: async () => {
        await sql`select 1`.execute(handle.db);
        return true;
      },
    },
    {
      cookieSecret: await cookieSecret(handle.db, config.cookieSecret),
      secureCookies: config.secureCookies,
      trustProxy: config.trustProxy,
      logger: options.logger ?? loggerOptions(config.logLevel),
      clock: options.clock ?? systemClock,
      demo: options.demo ?? false,
    },
  );
  return { app, services };
}
