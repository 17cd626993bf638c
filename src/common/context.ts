import { ForbiddenError } from './errors.ts';
/** Who is acting, in which request, at what time: the first argument of every service operation. */
export type Actor = {
  userId: string;
  partnershipId: string;
  organisationId: string;
  roles: readonly Role[];
  displayName: string;
};

/** The roles an administrator gives staff accounts. */
export const STAFF_ROLES = [
  'practitioner',
  'front_door',
  'team_manager',
  'privacy_officer',
  'partnership_admin',
  'analyst',
  'unscheduled_care',
  'directory_editor',
] as const;
/** A family account (a parent, carer or young person) is made from their plan, never by an administrator. */
export type StaffRole = (typeof STAFF_ROLES)[number];
export const ROLES = [...STAFF_ROLES, 'family_member'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  practitioner: 'Practitioner',
  front_door: 'Front-door (triage) worker',
  team_manager: 'Team manager',
  privacy_officer: 'Privacy officer',
  partnership_admin: 'Partnership administrator',
  analyst: 'Analyst',
  unscheduled_care: 'Unscheduled-care clinician',
  directory_editor: 'Directory editor',
  family_member: 'Family member',
};

/** The system itself (start-up, seeding, the CLI): acts with no signed-in user. */
export type SystemActor = { system: string; partnershipId?: string };

export type Ctx = {
  actor: Actor | SystemActor;
  requestId: string;
  now: Date;
  /** The client's address as the server saw it (behind a trusted proxy, the forwarded one). */
  sourceAddress?: string;
};

export function isSystem(actor: Ctx['actor']): actor is SystemActor {
  return 'system' in actor;
}

/** The signed-in person acting, for operations the system itself never performs. */
export function requirePerson(ctx: Ctx): Actor {
  if (isSystem(ctx.actor)) throw new ForbiddenError('Only a signed-in person can do this');
  return ctx.actor;
}
