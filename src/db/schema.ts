import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type {
  DataType,
  DecisionBasis,
  InvolvementKind,
  LawfulBasis,
  Purpose,
  Sensitivity,
} from '../common/sharing.ts';

/** Table types for Kysely, in camelCase (the CamelCasePlugin maps them to the snake_case columns). */

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
/** A plain calendar date, 'YYYY-MM-DD'. */
type PlainDate = string;

export type Sector =
  'education' | 'health' | 'social_care' | 'police' | 'youth_justice' | 'housing' | 'voluntary' | 'other';

export interface PartnershipsTable {
  id: Generated<string>;
  name: string;
  slug: string;
  jurisdiction: Generated<string>;
  createdAt: Generated<CreatedAt>;
}

export interface LocalitiesTable {
  partnershipId: string;
  id: Generated<string>;
  code: string;
  name: string;
}

export interface OrganisationsTable {
  partnershipId: string;
  id: Generated<string>;
  name: string;
  sector: Sector;
  kind: string;
  localityId: string | null;
  active: Generated<boolean>;
  version: Generated<number>;
  createdAt: Generated<CreatedAt>;
  updatedAt: Generated<Timestamp>;
}

export interface TeamsTable {
  partnershipId: string;
  id: Generated<string>;
  name: string;
  organisationId: string;
  localityId: string | null;
  multiAgency: Generated<boolean>;
  active: Generated<boolean>;
  version: Generated<number>;
  createdAt: Generated<CreatedAt>;
  updatedAt: Generated<Timestamp>;
}

export interface UsersTable {
  partnershipId: string;
  id: Generated<string>;
  email: string;
  displayName: string;
  jobTitle: string | null;
  organisationId: string;
  roles: Generated<string[]>;
  passwordHash: string | null;
  active: Generated<boolean>;
  deactivatedAt: Timestamp | null;
  failedSignIns: Generated<number>;
  lockedUntil: Timestamp | null;
  lastSignInAt: Timestamp | null;
  version: Generated<number>;
  createdAt: Generated<CreatedAt>;
  updatedAt: Generated<Timestamp>;
}

export interface UserIdentitiesTable {
  partnershipId: string;
  issuer: string;
  subject: string;
  userId: string;
  createdAt: Generated<CreatedAt>;
}

export interface MembershipsTable {
  partnershipId: string;
  id: Generated<string>;
  userId: string;
  teamId: string;
  seconded: Generated<boolean>;
  partTime: Generated<boolean>;
  startedOn: Generated<PlainDate>;
  endedOn: PlainDate | null;
  createdAt: Generated<CreatedAt>;
}

export interface SessionsTable {
  tokenHash: string;
  partnershipId: string;
  userId: string;
  createdAt: Timestamp;
  lastSeenAt: Timestamp;
  expiresAt: Timestamp;
}

export interface UserTwoFactorTable {
  partnershipId: string;
  userId: string;
  /** The TOTP secret, base32. */
  secret: string;
  /** The last TOTP time step accepted, so a code cannot be used twice. */
  lastUsedStep: number | null;
  enrolledAt: Timestamp;
}

export interface TwoFactorRecoveryCodesTable {
  partnershipId: string;
  userId: string;
  codeHash: string;
  createdAt: Timestamp;
  usedAt: Timestamp | null;
}

/** Between the first factor and the second: never a session. */
export interface SignInChallengesTable {
  partnershipId: string;
  tokenHash: string;
  userId: string;
  purpose: 'sign-in' | 'account';
  /** How the first factor was given (sign-in only). */
  method: 'password' | 'oidc' | null;
  /** A secret being set up, until a code from it is confirmed. */
  pendingSecret: string | null;
  createdAt: Timestamp;
  expiresAt: Timestamp;
}

export interface AuditEventsTable {
  partnershipId: string;
  seq: number;
  at: Timestamp;
  actorUserId: string | null;
  actorLabel: string;
  action: string;
  outcome: 'success' | 'denied' | 'failed';
  subjectType: string | null;
  subjectId: string | null;
  requestId: string;
  detail: ColumnType<Record<string, unknown>, string, never>;
  actorOrganisationId: string | null;
  actorRoles: string[] | null;
  basis: ColumnType<Record<string, unknown> | null, string | null, never>;
  personIds: ColumnType<string[], string[] | undefined, never>;
  itemIds: ColumnType<string[], string[] | undefined, never>;
  sourceAddress: string | null;
  prevHash: string;
  hash: string;
}

export interface InstanceSettingsTable {
  key: string;
  value: string;
  updatedAt: Generated<Timestamp>;
}

export interface PeopleTable {
  partnershipId: string;
  id: Generated<string>;
  kind: 'child' | 'unborn' | 'adult';
  givenName: string | null;
  familyName: string;
  dateOfBirth: PlainDate | null;
  expectedDate: PlainDate | null;
  sex: Generated<'female' | 'male' | 'other' | 'unknown'>;
  sealedAt: Timestamp | null;
  sealedReason: string | null;
  protectedAddress: Generated<boolean>;
  dateOfBirthCertainty: Generated<DateCertainty>;
  language: string | null;
  interpreterNeeded: Generated<boolean>;
  phone: string | null;
  email: string | null;
  version: Generated<number>;
  createdAt: Generated<CreatedAt>;
  updatedAt: Generated<Timestamp>;
}

export type DateCertainty = 'verified' | 'declared' | 'estimated';
export type OtherNameKind = 'known_as' | 'previous' | 'alias';

export interface PersonNamesTable {
  partnershipId: string;
  id: Generated<string>;
  personId: string;
  kind: OtherNameKind;
  givenName: string | null;
  familyName: string;
  usedFrom: PlainDate | null;
  usedUntil: PlainDate | null;
  recordedBy: string | null;
  recordedAt: Timestamp;
}

export interface HouseholdsTable {
  partnershipId: string;
  id: Generated<string>;
  localityId: string;
  addressLine1: string;
  addressLine2: string | null;
  town: string;
  postcode: string;
  createdAt: Generated<CreatedAt>;
}

export interface HouseholdMembersTable {
  partnershipId: string;
  householdId: string;
  personId: string;
  startedOn: PlainDate;
  endedOn: PlainDate | null;
}

export type RelationshipKind =
  'parent' | 'carer' | 'parental_responsibility' | 'sibling' | 'household_member' | 'other';

export interface RelationshipsTable {
  partnershipId: string;
  id: Generated<string>;
  personId: string;
  relatedPersonId: string;
  kind: RelationshipKind;
  startedOn: PlainDate | null;
  endedOn: PlainDate | null;
}

export interface InvolvementsTable {
  partnershipId: string;
  id: Generated<string>;
  personId: string;
  userId: string | null;
  teamId: string | null;
  kind: InvolvementKind;
  purpose: Purpose;
  reason: string;
  startedAt: Timestamp;
  endedAt: Timestamp | null;
  endReason: string | null;
  createdBy: string | null;
  endedBy: string | null;
  version: Generated<number>;
  createdAt: Generated<CreatedAt>;
}

export type ReviewOutcome = 'justified' | 'not_justified' | 'referred';

export interface EmergencyAccessesTable {
  partnershipId: string;
  id: Generated<string>;
  personId: string;
  userId: string;
  reason: string;
  startedAt: Timestamp;
  expiresAt: Timestamp;
  reviewOutcome: ReviewOutcome | null;
  reviewNote: string | null;
  reviewedBy: string | null;
  reviewedAt: Timestamp | null;
  version: Generated<number>;
}

export interface SealedRecordUsersTable {
  partnershipId: string;
  personId: string;
  userId: string;
  addedBy: string | null;
  addedAt: Generated<CreatedAt>;
}

export interface RecordItemsTable {
  partnershipId: string;
  id: Generated<string>;
  personId: string;
  owningOrganisationId: string;
  dataType: DataType;
  sensitivity: Sensitivity;
  sharing: Generated<'as_agreed' | 'owner_only'>;
  title: string;
  body: string;
  occurredOn: PlainDate;
  thirdParty: Generated<boolean>;
  recordedBy: string | null;
  recordedAt: Timestamp;
}

export interface WithheldItemDisplayTable {
  partnershipId: string;
  sensitivity: Sensitivity;
  shows: 'existence' | 'nothing';
  version: Generated<number>;
}

export interface SharingAgreementsTable {
  partnershipId: string;
  id: Generated<string>;
  name: string;
  purpose: Purpose;
  lawfulBasis: LawfulBasis;
  validFrom: PlainDate;
  validUntil: PlainDate | null;
  revokedAt: Timestamp | null;
  revokedReason: string | null;
  createdBy: string | null;
  createdAt: Generated<CreatedAt>;
  version: Generated<number>;
}

export interface SharingRulesTable {
  partnershipId: string;
  agreementId: string;
  id: Generated<string>;
  effect: 'allow' | 'deny';
  mode: 'existence' | 'content';
  sourceSector: Sector | null;
  sourceOrganisationId: string | null;
  recipientSector: Sector | null;
  recipientOrganisationId: string | null;
  dataType: DataType | null;
  sensitivities: Sensitivity[];
  createdAt: Generated<CreatedAt>;
}

export interface ConsentsTable {
  partnershipId: string;
  id: Generated<string>;
  personId: string;
  purpose: Purpose;
  givenBy: 'young_person' | 'parental_responsibility';
  givenByName: string;
  scope: string;
  obtainedHow: 'in_person' | 'phone' | 'written' | 'digital';
  givenOn: PlainDate;
  expiresOn: PlainDate | null;
  withdrawnAt: Timestamp | null;
  withdrawnReason: string | null;
  recordedBy: string | null;
  recordedAt: Timestamp;
  version: Generated<number>;
}

export interface SharingDecisionsTable {
  partnershipId: string;
  id: Generated<string>;
  personId: string;
  itemId: string;
  recipientOrganisationId: string;
  decision: 'share' | 'not_share';
  lawfulBasis: DecisionBasis | null;
  reason: string;
  decidedBy: string | null;
  decidedAt: Timestamp;
}

export type RecordSourceKind =
  'school_roll' | 'gp_registrations' | 'social_care' | 'police' | 'health' | 'housing' | 'other';

export interface RecordSourcesTable {
  partnershipId: string;
  id: Generated<string>;
  code: string;
  name: string;
  kind: RecordSourceKind;
  organisationId: string;
  createdAt: Generated<CreatedAt>;
}

export interface PersonImportsTable {
  partnershipId: string;
  id: Generated<string>;
  sourceId: string;
  fileName: string;
  fileSha256: string;
  startedBy: string | null;
  startedAt: Timestamp;
  finishedAt: Timestamp | null;
  status: Generated<'running' | 'finished' | 'failed'>;
  rowsRead: Generated<number>;
  rowsRejected: Generated<number>;
  recordsNew: Generated<number>;
  recordsUnchanged: Generated<number>;
  autoLinked: Generated<number>;
  forReview: Generated<number>;
  newPeople: Generated<number>;
  /** The first rejected rows: line number and reason. */
  rejects: ColumnType<{ line: number; reason: string }[], string | undefined, string>;
  error: string | null;
}

/** A record as an agency sent it: the columns and values in order (kept as JSON arrays, not keys). */
export type ReceivedRow = { columns: string[]; values: string[] };

/**
 * A record's fields as the matching engine reads them. Identifiers are pairs, not keys, because the
 * column-name plugin would rename snake_case keys inside JSON.
 */
export type StoredFields = {
  givenName?: string;
  familyName?: string;
  fullName?: string;
  streetNumber?: string;
  addressLine1?: string;
  addressLine2?: string;
  locality?: string;
  city?: string;
  postcode?: string;
  region?: string;
  email?: string;
  sex?: string;
  /** ISO date (YYYY-MM-DD), or the text as sent when it is not a real date. */
  dateOfBirth?: string;
  identifiers: [system: string, value: string][];
};

/** Why a pair scored as it did (the engine's PairExplanation, stored). */
export type StoredExplanation = {
  priorBits: number;
  comparisons: { key: string; level: string; weightBits: number; termFrequencyBits: number }[];
  totalBits: number;
  probability: number;
  band: string;
  guard?: string;
};

export interface SourceRecordsTable {
  partnershipId: string;
  id: Generated<string>;
  sourceId: string;
  localId: string;
  contentSha256: string;
  received: ColumnType<ReceivedRow, string, never>;
  /** The record's fields as the matching engine reads them (see people.index-records.ts). */
  fields: ColumnType<StoredFields, string, never>;
  importId: string | null;
  lineNumber: number | null;
  receivedAt: Timestamp;
  /** The matching engine's blocking keys (people.index-match.ts), for finding candidates. */
  matchKeys: Generated<string[]>;
}

export interface SourceRecordIdentifiersTable {
  partnershipId: string;
  system: string;
  value: string;
  sourceRecordId: string;
}

export type LinkStatus = 'auto_linked' | 'confirmed' | 'rejected' | 'pending_review';

export interface RecordLinksTable {
  partnershipId: string;
  id: Generated<string>;
  sourceRecordId: string;
  personId: string;
  status: LinkStatus;
  probability: number | null;
  explanation: ColumnType<StoredExplanation | null, string | null, string | null>;
  createdPerson: Generated<boolean>;
  needsInformation: Generated<boolean>;
  decidedBy: string | null;
  decidedAt: Timestamp | null;
  decisionNote: string | null;
  endedAt: Timestamp | null;
  endedBy: string | null;
  endReason: string | null;
  version: Generated<number>;
  createdAt: Generated<CreatedAt>;
}

export interface FrontDoorSettingsTable {
  partnershipId: string;
  calendar: Generated<'england-and-wales' | 'scotland' | 'northern-ireland'>;
  decisionWorkingDays: Generated<number>;
  redHours: Generated<number>;
  amberHours: Generated<number>;
  greenHours: Generated<number>;
  warningHours: Generated<number>;
  approvalOutcomes: Generated<string[]>;
  version: Generated<number>;
  updatedAt: ColumnType<Date, Date | string | undefined, Date | string>;
  updatedBy: string | null;
}

export interface ContactsTable {
  partnershipId: string;
  id: Generated<string>;
  number: ColumnType<string, never, never>;
  receivedAt: Timestamp;
  recordedAt: Timestamp;
  dueAt: Timestamp;
  channel: string;
  source: string;
  referrerUserId: string | null;
  referrerOrganisationId: string | null;
  referrerName: string | null;
  referrerRole: string | null;
  referrerPhone: string | null;
  referrerEmail: string | null;
  personId: string | null;
  childGivenName: string | null;
  childFamilyName: string | null;
  childDateOfBirth: PlainDate | null;
  childNhsNumber: string | null;
  childUpn: string | null;
  childAgeYears: number | null;
  childAddress: string | null;
  childPostcode: string | null;
  childDescription: string | null;
  localityId: string | null;
  worries: string;
  actionsTaken: string | null;
  familyAware: boolean;
  consent: 'given' | 'refused' | 'not_sought';
  consentReason: string | null;
  urgency: 'immediate' | 'today' | 'standard';
  sectorAnswers: ColumnType<Record<string, string>, string | undefined, string>;
  status: Generated<'new' | 'in_triage' | 'awaiting_approval' | 'decided'>;
  priority: 'red' | 'amber' | 'green' | null;
  claimedBy: string | null;
  claimedAt: Timestamp | null;
  involvementId: string | null;
  outcome: string | null;
  levelOfNeed: string | null;
  decisionReason: string | null;
  decidedBy: string | null;
  decidedAt: Timestamp | null;
  approvedBy: string | null;
  approvedAt: Timestamp | null;
  finalAt: Timestamp | null;
  reReferral: Generated<boolean>;
  referrerToldAt: Timestamp | null;
  familyToldAt: Timestamp | null;
  familyNotToldReason: string | null;
  version: Generated<number>;
}

export interface ContactEventsTable {
  partnershipId: string;
  id: Generated<string>;
  contactId: string;
  action: string;
  at: Timestamp;
  actorUserId: string | null;
  actorLabel: string;
  detail: ColumnType<Record<string, unknown>, string | undefined, never>;
}

export interface InformationRequestsTable {
  partnershipId: string;
  id: Generated<string>;
  contactId: string;
  organisationId: string;
  question: string;
  requestedBy: string;
  requestedAt: Timestamp;
  dueAt: Timestamp;
  status: Generated<'open' | 'answered' | 'withdrawn'>;
  answer: string | null;
  answeredBy: string | null;
  answeredAt: Timestamp | null;
  version: Generated<number>;
}

export interface EpisodesTable {
  partnershipId: string;
  id: Generated<string>;
  personId: string;
  contactId: string;
  kind: 'early_help' | 'statutory_assessment' | 'strategy_discussion';
  status: Generated<'awaiting_allocation' | 'open' | 'closed'>;
  openedAt: Timestamp;
  dueOn: PlainDate | null;
  leadProfessionalId: string | null;
  version: Generated<number>;
}

export interface IdempotencyKeysTable {
  partnershipId: string;
  scope: string;
  key: string;
  requestSha256: string;
  resultId: string;
  createdAt: Timestamp;
}

export interface EnquiriesTable {
  partnershipId: string;
  id: Generated<string>;
  receivedAt: Timestamp;
  channel: string;
  caller: string;
  topic: string;
  outcome: string;
  serviceName: string | null;
  notes: string | null;
  localityId: string | null;
  recordedBy: string;
  recordedAt: Timestamp;
  directoryServiceId: Generated<string | null>;
}

export interface ApiTokensTable {
  partnershipId: string;
  id: Generated<string>;
  userId: string;
  name: string;
  tokenSha256: string;
  createdBy: string | null;
  createdAt: Timestamp;
  lastUsedAt: Timestamp | null;
  revokedAt: Timestamp | null;
  revokedBy: string | null;
}

export type PlanKind = 'early_help' | 'child_in_need' | 'child_protection' | 'looked_after';
type Json<T> = ColumnType<T, string | undefined, string>;

export interface PlanSettingsTable {
  partnershipId: string;
  earlyHelpReviewWeeks: Generated<number>;
  childInNeedReviewWeeks: Generated<number>;
  reminderDays: Generated<number>;
  version: Generated<number>;
  updatedAt: ColumnType<Date, Date | string | undefined, Date | string>;
  updatedBy: string | null;
}

export interface PlansTable {
  partnershipId: string;
  id: Generated<string>;
  number: ColumnType<string, never, never>;
  kind: PlanKind;
  status: Generated<'open' | 'closed'>;
  familyName: string;
  worries: Generated<string>;
  strengths: Generated<string>;
  startedOn: PlainDate;
  closedOn: PlainDate | null;
  closeReason: string | null;
  leadProfessionalId: string;
  episodeId: string | null;
  nextReviewDue: PlainDate;
  createdAt: Timestamp;
  createdBy: string;
  updatedAt: Timestamp;
  updatedBy: string;
  version: Generated<number>;
}

export interface PlanChildrenTable {
  partnershipId: string;
  planId: string;
  personId: string;
  addedOn: PlainDate;
  removedOn: PlainDate | null;
  current: Generated<boolean>;
}

export interface PlanStagesTable {
  partnershipId: string;
  id: Generated<string>;
  planId: string;
  kind: PlanKind;
  startedOn: PlainDate;
  endedOn: PlainDate | null;
  reason: string;
  decidedBy: string;
}

export interface PlanLeadsTable {
  partnershipId: string;
  id: Generated<string>;
  planId: string;
  userId: string;
  startedAt: Timestamp;
  endedAt: Timestamp | null;
  handoverNote: string | null;
  recordedBy: string;
}

export interface PlanMembersTable {
  partnershipId: string;
  id: Generated<string>;
  planId: string;
  userId: string;
  organisationId: string;
  role: string;
  seconded: Generated<boolean>;
  commitment: Generated<'full_time' | 'part_time'>;
  joinedAt: Timestamp;
  leftAt: Timestamp | null;
  leftReason: string | null;
  addedBy: string;
}

export interface PlanMemberInvolvementsTable {
  partnershipId: string;
  memberId: string;
  involvementId: string;
}

export interface PlanGoalsTable {
  partnershipId: string;
  id: Generated<string>;
  planId: string;
  personId: string | null;
  title: string;
  /** A national framework's id (common/outcome-frameworks.ts) or a local framework's uuid. */
  outcomeFramework: string;
  outcomeCode: string;
  baseline: number;
  baselineOn: PlainDate;
  target: number | null;
  status: Generated<'active' | 'achieved' | 'stopped'>;
  forFamily: Generated<boolean>;
  createdAt: Timestamp;
  createdBy: string;
  version: Generated<number>;
}

export type ReviewAttendee = { name: string; role: string; attended: boolean };

export interface PlanReviewsTable {
  partnershipId: string;
  id: Generated<string>;
  planId: string;
  heldOn: PlainDate;
  kind: 'review' | 'review_conference' | 'core_group' | 'looked_after_review';
  attendance: Json<ReviewAttendee[]>;
  familyViews: Generated<string>;
  childViews: Generated<string>;
  decisions: string;
  nextReviewDue: PlainDate | null;
  forFamily: Generated<boolean>;
  recordedAt: Timestamp;
  recordedBy: string;
}

export interface GoalRatingsTable {
  partnershipId: string;
  id: Generated<string>;
  goalId: string;
  ratedOn: PlainDate;
  score: number;
  rater: 'family' | 'child' | 'practitioner';
  recordedBy: string;
  note: Generated<string>;
  reviewId: string | null;
  recordedAt: Timestamp;
}

export interface PlanActionsTable {
  partnershipId: string;
  id: Generated<string>;
  planId: string;
  goalId: string | null;
  description: string;
  ownerKind: 'practitioner' | 'agency' | 'family';
  ownerUserId: string | null;
  ownerOrganisationId: string | null;
  ownerFamilyMember: string | null;
  supportNeeded: Generated<string>;
  dueOn: PlainDate;
  status: Generated<'to_do' | 'in_progress' | 'done' | 'dropped'>;
  completedAt: Timestamp | null;
  completedBy: string | null;
  forFamily: Generated<boolean>;
  createdAt: Timestamp;
  createdBy: string;
  updatedAt: Timestamp;
  updatedBy: string;
  version: Generated<number>;
}

export interface PlanCommentsTable {
  partnershipId: string;
  id: Generated<string>;
  planId: string;
  authorId: string;
  fromFamily: boolean;
  body: string;
  forFamily: Generated<boolean>;
  createdAt: Timestamp;
}

export interface PlanEventsTable {
  partnershipId: string;
  id: Generated<string>;
  planId: string;
  action: string;
  at: Timestamp;
  actorUserId: string | null;
  actorLabel: string;
  detail: ColumnType<Record<string, unknown>, string | undefined, never>;
}

export interface FamilyAccountsTable {
  partnershipId: string;
  id: Generated<string>;
  planId: string;
  userId: string;
  personId: string | null;
  relationship: 'parent' | 'carer' | 'young_person';
  language: Generated<'en' | 'cy'>;
  activationSha256: string | null;
  activationExpiresAt: Timestamp | null;
  grantedAt: Timestamp;
  grantedBy: string;
  revokedAt: Timestamp | null;
  revokedBy: string | null;
}

export type AssessmentOutcome = 'no_further_action' | 'needs_met' | 'referral_onward';

export interface AssessmentsTable {
  partnershipId: string;
  id: Generated<string>;
  number: ColumnType<string, never, never>;
  personId: string;
  planId: string | null;
  episodeId: string | null;
  templateId: string;
  templateVersion: number;
  status: Generated<'draft' | 'finished'>;
  startedAt: Timestamp;
  startedBy: string;
  finishedAt: Timestamp | null;
  finishedBy: string | null;
  outcome: AssessmentOutcome | null;
  outcomeReason: string | null;
  onwardContactId: string | null;
  familySummary: Generated<string>;
  updatedAt: Timestamp;
  version: Generated<number>;
}

export interface AssessmentSectionsTable {
  partnershipId: string;
  assessmentId: string;
  sectionId: string;
  answers: Json<Record<string, unknown>>;
  notRecordedReason: string | null;
  updatedAt: Timestamp;
  updatedBy: string;
  version: Generated<number>;
}

export interface AssessmentContributionsTable {
  partnershipId: string;
  id: Generated<string>;
  assessmentId: string;
  sectionId: string;
  userId: string;
  organisationId: string;
  at: Timestamp;
  answers: Json<Record<string, unknown>>;
  notRecordedReason: string | null;
}

export type SignalCategory =
  | 'neglect'
  | 'physical_harm'
  | 'emotional_harm'
  | 'sexual_harm'
  | 'domestic_abuse'
  | 'exploitation'
  | 'going_missing'
  | 'school_attendance'
  | 'health_needs_not_met'
  | 'mental_health'
  | 'substance_misuse'
  | 'housing'
  | 'parental_capacity'
  | 'other';
export type SignalRoute = 'lead_professional_or_front_door' | 'front_door';
export type AlertStatus = 'open' | 'acknowledged' | 'closed';
export type AlertOutcome = 'contact' | 'plan' | 'no_action';
export type NotificationKind =
  | 'alert'
  | 'alert_escalated'
  | 'flag_check'
  | 'police_notification'
  | 'directory_referral'
  | 'directory_referral_decided'
  | 'directory_review_due'
  | 'plan_review_due'
  | 'plan_review_overdue'
  | 'plan_action_overdue';

export interface SignalSettingsTable {
  partnershipId: string;
  councilName: Generated<string>;
  officeHoursPhone: Generated<string>;
  outOfHoursPhone: Generated<string>;
  escalationHours: Generated<number>;
  attendanceThreshold: Generated<number>;
  notifyScheduledCare: Generated<boolean>;
  version: Generated<number>;
  updatedAt: ColumnType<Date, Date | string | undefined, Date | string>;
  updatedBy: string | null;
}

export interface SignalRulesTable {
  partnershipId: string;
  id: Generated<string>;
  key: string;
  version: number;
  name: string;
  ownerUserId: string;
  route: SignalRoute;
  /** The rule's conditions as saved (see signals.rules.ts). */
  conditions: Json<unknown>;
  fixtures: Json<unknown>;
  active: boolean;
  createdAt: Timestamp;
  createdBy: string | null;
}

export interface SignalFeedEventsTable {
  partnershipId: string;
  id: Generated<string>;
  importId: string;
  sourceRecordId: string;
  feedKind: string;
  occurredOn: PlainDate;
  measure: number | null;
  detail: Json<Record<string, unknown>>;
  status: Generated<'awaiting_link' | 'signalled' | 'no_signal'>;
  personId: string | null;
  createdAt: Timestamp;
}

export interface SignalsTable {
  partnershipId: string;
  id: Generated<string>;
  personId: string;
  category: SignalCategory;
  /** 1 low, 2 moderate, 3 high, 4 severe. */
  severity: number;
  description: string;
  observedOn: PlainDate;
  organisationId: string;
  dataType: DataType;
  sensitivity: Sensitivity;
  source: 'practitioner' | 'feed';
  feedEventId: string | null;
  feedKind: string | null;
  measure: number | null;
  idempotencyKey: string | null;
  recordedBy: string | null;
  recordedAt: Timestamp;
}

export interface AlertsTable {
  partnershipId: string;
  id: Generated<string>;
  number: ColumnType<string, never, never>;
  personId: string;
  ruleId: string;
  ruleKey: string;
  signalIds: Json<string[]>;
  explanation: string;
  routedTo: 'lead_professional' | 'front_door';
  assignedUserId: string | null;
  planId: string | null;
  status: Generated<AlertStatus>;
  raisedAt: Timestamp;
  updatedAt: Timestamp;
  acknowledgedAt: Timestamp | null;
  acknowledgedBy: string | null;
  closedAt: Timestamp | null;
  closedBy: string | null;
  outcome: AlertOutcome | null;
  outcomeNote: string | null;
  contactId: string | null;
  pickedUpInvolvementId: string | null;
  version: Generated<number>;
}

export interface FlagChecksTable {
  partnershipId: string;
  id: Generated<string>;
  personId: string;
  checkedBy: string;
  organisationId: string;
  setting: 'unscheduled' | 'scheduled';
  method: 'nhs_number' | 'name_and_birth_date' | 'fhir';
  checkedAt: Timestamp;
  notifiedUserId: string | null;
}

export interface NotificationsTable {
  partnershipId: string;
  id: Generated<string>;
  userId: string;
  kind: NotificationKind;
  personId: string | null;
  message: string;
  link: string | null;
  createdAt: Timestamp;
  dueBy: Timestamp | null;
  readAt: Timestamp | null;
  /** A reminder's thing and date (migration 0024): the same key never reaches a person twice. */
  dedupeKey: string | null;
}

export interface GeoPlacesTable {
  key: string;
  kind: 'postcode' | 'outcode' | 'place';
  label: string;
  latitude: number;
  longitude: number;
}

export interface DirectoryOrganizationsTable {
  partnershipId: string;
  id: Generated<string>;
  name: string;
  description: Generated<string>;
  email: string | null;
  url: string | null;
  phone: string | null;
  agencyOrganisationId: string | null;
  lastModified: Timestamp;
}

export interface DirectoryTaxonomiesTable {
  partnershipId: string;
  id: Generated<string>;
  name: string;
  description: Generated<string>;
  uri: string | null;
  version: string | null;
}

export interface DirectoryTaxonomyTermsTable {
  partnershipId: string;
  id: Generated<string>;
  taxonomyId: string;
  code: string;
  name: string;
  description: Generated<string>;
  parentId: string | null;
  termUri: string | null;
}

export type DirectoryServiceStatus = 'active' | 'inactive' | 'defunct' | 'temporarily closed';
export type DirectoryAccessRoute = 'drop_in' | 'self_referral' | 'professional_referral';
export type DirectoryCapacity = 'available' | 'limited' | 'full';

export interface DirectoryServicesTable {
  partnershipId: string;
  id: Generated<string>;
  organizationId: string;
  name: string;
  description: string;
  url: string | null;
  email: string | null;
  status: Generated<DirectoryServiceStatus>;
  minimumAge: number | null;
  maximumAge: number | null;
  eligibilityDescription: Generated<string>;
  feesDescription: Generated<string>;
  free: Generated<boolean>;
  accessRoutes: Generated<DirectoryAccessRoute[]>;
  languages: Generated<string[]>;
  specialist: Generated<boolean>;
  located: Generated<boolean>;
  capacity: DirectoryCapacity | null;
  waitWeeks: number | null;
  capacityUpdatedAt: Timestamp | null;
  assuredDate: PlainDate;
  assuredBy: string | null;
  lastModified: Timestamp;
  version: Generated<number>;
  searchText: ColumnType<string, never, never>;
}

export interface DirectoryServiceTermsTable {
  partnershipId: string;
  serviceId: string;
  taxonomyTermId: string;
}

export interface DirectoryLocationsTable {
  partnershipId: string;
  id: Generated<string>;
  organizationId: string | null;
  name: Generated<string>;
  description: Generated<string>;
  locationType: Generated<'physical' | 'postal' | 'virtual'>;
  addressLine1: Generated<string>;
  city: Generated<string>;
  postalCode: Generated<string>;
  latitude: number | null;
  longitude: number | null;
}

export interface DirectoryServiceAtLocationsTable {
  partnershipId: string;
  id: Generated<string>;
  serviceId: string;
  locationId: string;
}

export interface DirectorySchedulesTable {
  partnershipId: string;
  id: Generated<string>;
  serviceId: string;
  freq: Generated<'WEEKLY' | 'MONTHLY'>;
  /** Comma-separated iCal day codes, e.g. 'MO,WE'. */
  byday: Generated<string>;
  /** 'HH:MM:SS' */
  opensAt: string | null;
  closesAt: string | null;
  validFrom: PlainDate | null;
  validTo: PlainDate | null;
  description: Generated<string>;
}

export interface DirectoryCostOptionsTable {
  partnershipId: string;
  id: Generated<string>;
  serviceId: string;
  option: Generated<string>;
  /** numeric(10,2), read as a string. */
  amount: ColumnType<string | null, string | number | null, string | number | null>;
  currency: Generated<string>;
  amountDescription: Generated<string>;
}

export interface DirectoryContactsTable {
  partnershipId: string;
  id: Generated<string>;
  serviceId: string;
  name: Generated<string>;
  title: Generated<string>;
  email: string | null;
  phone: string | null;
}

export type SignpostTakenUp = 'not_known' | 'yes' | 'no';

export interface DirectorySignpostsTable {
  partnershipId: string;
  id: Generated<string>;
  personId: string;
  serviceId: string;
  note: Generated<string>;
  contactId: string | null;
  takenUp: Generated<SignpostTakenUp>;
  takenUpRecordedAt: Timestamp | null;
  takenUpRecordedBy: string | null;
  suggestedBy: string;
  suggestedAt: Timestamp;
  organisationId: string;
  idempotencyKey: string | null;
  version: Generated<number>;
}

export type DirectoryReferralStatus = 'sent' | 'accepted' | 'declined' | 'withdrawn';

export interface DirectoryReferralsTable {
  partnershipId: string;
  id: Generated<string>;
  number: ColumnType<number, never, never>;
  serviceId: string;
  personId: string;
  reason: string;
  familyConsent: boolean;
  status: Generated<DirectoryReferralStatus>;
  decisionReason: string | null;
  decidedBy: string | null;
  decidedAt: Timestamp | null;
  referredBy: string;
  referredAt: Timestamp;
  organisationId: string;
  idempotencyKey: string;
  requestHash: string;
  version: Generated<number>;
}

/** Money for outcome accounting (migration 0021). Amounts are whole pence; bigint arrives as a string or number. */
type Pence = ColumnType<string | number | bigint, number, number>;

export type MoneyBudgetKind = 'own' | 'aligned' | 'pooled';

export interface MoneyPartnersTable {
  partnershipId: string;
  id: Generated<string>;
  name: string;
  sector: Sector;
  active: Generated<boolean>;
  version: Generated<number>;
  createdBy: string | null;
  createdAt: Timestamp;
  idempotencyKey: string | null;
}

export interface MoneyBudgetsTable {
  partnershipId: string;
  id: Generated<string>;
  name: string;
  financialYear: number;
  kind: MoneyBudgetKind;
  description: Generated<string>;
  version: Generated<number>;
  createdBy: string | null;
  createdAt: Timestamp;
  idempotencyKey: string | null;
}

export interface MoneyContributionsTable {
  partnershipId: string;
  budgetId: string;
  partnerId: string;
  amountPence: Pence;
}

export interface MoneyUploadsTable {
  partnershipId: string;
  id: Generated<string>;
  fileName: string;
  rowCount: number;
  uploadedBy: string | null;
  uploadedAt: Timestamp;
  idempotencyKey: string | null;
}

export interface MoneySpendLinesTable {
  partnershipId: string;
  id: Generated<string>;
  budgetId: string;
  partnerId: string | null;
  serviceId: string;
  financialYear: number;
  quarter: number | null;
  amountPence: Pence;
  description: Generated<string>;
  uploadId: string | null;
  version: Generated<number>;
  createdBy: string | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
  idempotencyKey: string | null;
}

export interface MoneySpendOutcomesTable {
  partnershipId: string;
  spendId: string;
  framework: string;
  outcomeCode: string;
}

/** The partnership's settings for statutory returns (interop): its DfE local authority number. */
export interface StatutoryReturnSettingsTable {
  partnershipId: string;
  laCode: string | null;
  version: Generated<number>;
  updatedAt: ColumnType<Date, Date | string | undefined, Date | string>;
  updatedBy: string | null;
}

/** Children in Need census codes for a child that no other module holds (interop). */
export interface CensusChildCodesTable {
  partnershipId: string;
  personId: string;
  ethnicity: string | null;
  disabilities: Generated<string[]>;
  upnUnknown: string | null;
  updatedAt: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** Children in Need census codes for a referral's episode that no other module holds (interop). */
export interface CensusEpisodeCodesTable {
  partnershipId: string;
  episodeId: string;
  primaryNeed: string | null;
  initialCategoryOfAbuse: string | null;
  latestCategoryOfAbuse: string | null;
  updatedAt: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** Counts per measure, locality and month, kept by the outcomes module's refresh. */
export interface MeasureMonthsTable {
  partnershipId: string;
  id: Generated<string>;
  measure: string;
  localityId: string | null;
  month: PlainDate;
  /** bigint: the driver answers a string. */
  value: ColumnType<string | number, number, number>;
}

export interface MeasureRefreshStateTable {
  partnershipId: string;
  source: string;
  readTo: Timestamp;
  refreshedAt: Timestamp;
}

/** Published figures loaded for an indicator; a null locality is the whole area. */
export interface IndicatorValuesTable {
  partnershipId: string;
  id: Generated<string>;
  indicatorCode: string;
  localityId: string | null;
  periodStart: PlainDate;
  periodEnd: PlainDate;
  /** numeric: the driver answers a string. */
  numerator: ColumnType<string | null, number | null, number | null>;
  denominator: ColumnType<string | null, number | null, number | null>;
  value: ColumnType<string, number, number>;
  sourceNote: Generated<string>;
  importedAt: Timestamp;
  importedBy: string;
}

export interface LocalFrameworksTable {
  partnershipId: string;
  id: Generated<string>;
  name: string;
  description: Generated<string>;
  createdBy: string;
  updatedAt: Timestamp;
  version: Generated<number>;
}

export interface LocalFrameworkOutcomesTable {
  partnershipId: string;
  frameworkId: string;
  /** Stable within the framework (`o1`, `o2`...; migration 0025): what a plan goal stores. */
  code: string;
  /** Its place on the list; null once it is taken off (retired: kept for the goals that name it). */
  position: number | null;
  label: string;
  indicatorCodes: Generated<string[]>;
}

export interface OutcomeReviewNotesTable {
  partnershipId: string;
  /** The financial year by its first calendar year: 2025 is April 2025 to March 2026. */
  year: number;
  indicatorCode: string;
  commentary: string;
  writtenBy: string;
  writtenAt: Timestamp;
  version: Generated<number>;
}

export interface IndicatorTargetsTable {
  partnershipId: string;
  indicatorCode: string;
  target: ColumnType<string, number, number>;
  targetBy: PlainDate;
  setBy: string;
  setAt: Timestamp;
  version: Generated<number>;
}

export interface PracticeChangesTable {
  partnershipId: string;
  id: Generated<string>;
  localityId: string;
  /** The first day of the new way of working. */
  changedOn: PlainDate;
  title: string;
  description: Generated<string>;
  withdrawnAt: Timestamp | null;
  version: Generated<number>;
  createdAt: ColumnType<Date, Date | string | undefined, never>;
  createdBy: string | null;
  updatedAt: ColumnType<Date, Date | string | undefined, Date | string>;
  updatedBy: string | null;
}

export interface Database {
  partnerships: PartnershipsTable;
  localities: LocalitiesTable;
  organisations: OrganisationsTable;
  teams: TeamsTable;
  users: UsersTable;
  userIdentities: UserIdentitiesTable;
  memberships: MembershipsTable;
  sessions: SessionsTable;
  userTwoFactor: UserTwoFactorTable;
  twoFactorRecoveryCodes: TwoFactorRecoveryCodesTable;
  signInChallenges: SignInChallengesTable;
  auditEvents: AuditEventsTable;
  instanceSettings: InstanceSettingsTable;
  people: PeopleTable;
  households: HouseholdsTable;
  householdMembers: HouseholdMembersTable;
  relationships: RelationshipsTable;
  involvements: InvolvementsTable;
  emergencyAccesses: EmergencyAccessesTable;
  sealedRecordUsers: SealedRecordUsersTable;
  recordItems: RecordItemsTable;
  withheldItemDisplay: WithheldItemDisplayTable;
  sharingAgreements: SharingAgreementsTable;
  sharingRules: SharingRulesTable;
  consents: ConsentsTable;
  sharingDecisions: SharingDecisionsTable;
  recordSources: RecordSourcesTable;
  personImports: PersonImportsTable;
  sourceRecords: SourceRecordsTable;
  sourceRecordIdentifiers: SourceRecordIdentifiersTable;
  recordLinks: RecordLinksTable;
  personNames: PersonNamesTable;
  frontDoorSettings: FrontDoorSettingsTable;
  contacts: ContactsTable;
  contactEvents: ContactEventsTable;
  informationRequests: InformationRequestsTable;
  episodes: EpisodesTable;
  idempotencyKeys: IdempotencyKeysTable;
  enquiries: EnquiriesTable;
  apiTokens: ApiTokensTable;
  planSettings: PlanSettingsTable;
  plans: PlansTable;
  planChildren: PlanChildrenTable;
  planStages: PlanStagesTable;
  planLeads: PlanLeadsTable;
  planMembers: PlanMembersTable;
  planMemberInvolvements: PlanMemberInvolvementsTable;
  planGoals: PlanGoalsTable;
  planReviews: PlanReviewsTable;
  goalRatings: GoalRatingsTable;
  planActions: PlanActionsTable;
  planComments: PlanCommentsTable;
  planEvents: PlanEventsTable;
  familyAccounts: FamilyAccountsTable;
  assessments: AssessmentsTable;
  assessmentSections: AssessmentSectionsTable;
  assessmentContributions: AssessmentContributionsTable;
  signalSettings: SignalSettingsTable;
  signalRules: SignalRulesTable;
  signalFeedEvents: SignalFeedEventsTable;
  signals: SignalsTable;
  alerts: AlertsTable;
  flagChecks: FlagChecksTable;
  notifications: NotificationsTable;
  geoPlaces: GeoPlacesTable;
  directoryOrganizations: DirectoryOrganizationsTable;
  directoryTaxonomies: DirectoryTaxonomiesTable;
  directoryTaxonomyTerms: DirectoryTaxonomyTermsTable;
  directoryServices: DirectoryServicesTable;
  directoryServiceTerms: DirectoryServiceTermsTable;
  directoryLocations: DirectoryLocationsTable;
  directoryServiceAtLocations: DirectoryServiceAtLocationsTable;
  directorySchedules: DirectorySchedulesTable;
  directoryCostOptions: DirectoryCostOptionsTable;
  directoryContacts: DirectoryContactsTable;
  directorySignposts: DirectorySignpostsTable;
  directoryReferrals: DirectoryReferralsTable;
  measureMonths: MeasureMonthsTable;
  measureRefreshState: MeasureRefreshStateTable;
  indicatorValues: IndicatorValuesTable;
  indicatorTargets: IndicatorTargetsTable;
  outcomeReviewNotes: OutcomeReviewNotesTable;
  localFrameworks: LocalFrameworksTable;
  localFrameworkOutcomes: LocalFrameworkOutcomesTable;
  moneyPartners: MoneyPartnersTable;
  moneyBudgets: MoneyBudgetsTable;
  moneyContributions: MoneyContributionsTable;
  moneyUploads: MoneyUploadsTable;
  moneySpendLines: MoneySpendLinesTable;
  moneySpendOutcomes: MoneySpendOutcomesTable;
  statutoryReturnSettings: StatutoryReturnSettingsTable;
  censusChildCodes: CensusChildCodesTable;
  censusEpisodeCodes: CensusEpisodeCodesTable;
  practiceChanges: PracticeChangesTable;
}

export type Row<T extends keyof Database> = Selectable<Database[T]>;
export type NewRow<T extends keyof Database> = Insertable<Database[T]>;
export type RowUpdate<T extends keyof Database> = Updateable<Database[T]>;
