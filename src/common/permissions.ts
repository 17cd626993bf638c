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
  /** Decide uncertain record links and unlink wrong ones: the person index's clerical review. */
  'index.review': ['front_door', 'partnership_admin'],
  /** Load an agency's records into the person index. */
  'index.import': ['partnership_admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function isAllowed(ctx: Ctx, permission: Permission): boolean {
  if (isSystem(ctx.actor)) return true;
  const needed: readonly Role[] = PERMISSIONS[permission];
  return ctx.actor.roles.some((role) => needed.includes(role));
}
