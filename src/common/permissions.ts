import type { Ctx, Role } from './context.ts';
import { isSystem } from './context.ts';

/** What each permission needs. Pure: decides, never writes; the service audits the refusal. */
export const PERMISSIONS = {
  'partnership.administer': ['partnership_admin'],
  'audit.read': ['privacy_officer'],
  /** May hold an involvement or use emergency access: analysts never see a person. */
  'person.access': ['practitioner', 'front_door', 'team_manager'],
  /** May add or end anyone's involvement with a child (allocation), not only their own team's. */
  'involvement.manage': ['team_manager', 'front_door', 'partnership_admin'],
  'emergency-access.review': ['privacy_officer'],
  'sharing.administer': ['privacy_officer'],
  'subject-access.export': ['privacy_officer'],
  'aggregates.view': ['analyst', 'team_manager', 'privacy_officer'],
  /** Read the outcome frameworks (the administrator, who defines local ones, included). */
  'outcomes.frameworks': ['analyst', 'team_manager', 'privacy_officer', 'partnership_admin'],
  /** Load published figures for the outcome indicators and set the partnership's targets. */
  'outcomes.manage': ['analyst', 'partnership_admin'],
  /** Decide uncertain record links and unlink wrong ones: the person index's clerical review. */
  'index.review': ['front_door', 'partnership_admin'],
  /** Load an agency's records into the person index. */
  'index.import': ['partnership_admin'],
  /** Tell the front door about a worry: any practitioner (the public use their own page). */
  'contacts.create': ['practitioner', 'front_door', 'team_manager'],
  /** Work the front door's queue: claim, gather information, decide. */
  'contacts.triage': ['front_door', 'team_manager'],
  /** Approve or return the decisions that need a manager. */
  'contacts.approve': ['team_manager'],
  /** Answer the front door's requests addressed to one's own agency. */
  'contacts.answer': ['front_door', 'team_manager', 'practitioner'],
  /** The front door's figures: no child is named. */
  'contacts.dashboard': ['team_manager', 'analyst', 'partnership_admin'],
  /** Log the contact centre's enquiries (no child record needed). */
  'enquiries.record': ['front_door', 'team_manager'],
  /** Start a plan or an assessment for a child one is involved with, and work on it. */
  'plans.contribute': ['practitioner', 'front_door', 'team_manager'],
  /** Allocate the episodes awaiting a lead professional; the team's plans and overdue reviews. */
  'plans.allocate': ['team_manager'],
  /** Record a small worry about a child one is involved with; work the alerts that reach one. */
  'signals.record': ['practitioner', 'front_door', 'team_manager'],
  /** Write and version the partnership's signal rules and flag settings. */
  'signals.rules': ['partnership_admin', 'team_manager'],
  /** Load an agency's data feed (attendance, missed appointments, police notifications...). */
  'signals.feed': ['partnership_admin'],
  /** Check whether a child carries a protection flag: flag type, dates and whom to call, nothing more. */
  'flags.check': ['unscheduled_care'],
  /** Keep one's own organisation's directory entries current (an administrator keeps any). */
  'directory.edit': ['directory_editor', 'partnership_admin'],
  /** Suggest a service to a child's family, or refer the child to it, from the child's record. */
  'directory.signpost': ['practitioner', 'front_door', 'team_manager'],
  /** Accept or decline referrals to one's own organisation's services. */
  'directory.referrals': ['practitioner', 'front_door', 'team_manager', 'directory_editor'],
  /** A family's own plan, through their family account. */
  'family.view': ['family_member'],
  /** Keep the funding partners, budgets and spend lines behind the outcome account. */
  'money.record': ['partnership_admin'],
  /** Build, check and download the statutory returns (the Children in Need census): child-level data. */
  'returns.export': ['partnership_admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function isAllowed(ctx: Ctx, permission: Permission): boolean {
  if (isSystem(ctx.actor)) return true;
  const needed: readonly Role[] = PERMISSIONS[permission];
  return ctx.actor.roles.some((role) => needed.includes(role));
}
