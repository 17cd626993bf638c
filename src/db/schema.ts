import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

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
  version: Generated<number>;
  createdAt: Generated<CreatedAt>;
  updatedAt: Generated<Timestamp>;
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

export interface Database {
  partnerships: PartnershipsTable;
  localities: LocalitiesTable;
  organisations: OrganisationsTable;
  teams: TeamsTable;
  users: UsersTable;
  userIdentities: UserIdentitiesTable;
  memberships: MembershipsTable;
  sessions: SessionsTable;
  auditEvents: AuditEventsTable;
  instanceSettings: InstanceSettingsTable;
  people: PeopleTable;
  households: HouseholdsTable;
  householdMembers: HouseholdMembersTable;
  relationships: RelationshipsTable;
}

export type Row<T extends keyof Database> = Selectable<Database[T]>;
export type NewRow<T extends keyof Database> = Insertable<Database[T]>;
export type RowUpdate<T extends keyof Database> = Updateable<Database[T]>;
