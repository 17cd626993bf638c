import type { Ctx, Role } from './context.ts';
import { isSystem } from './context.ts';

/** What each permission needs. Pure: decides, never writes; the service audits the refusal. */
export const PERMISSIONS = {
  'partnership.administer': ['partnership_admin'],
  'audit.read': ['privacy_officer'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function isAllowed(ctx: Ctx, permission: Permission): boolean {
  if (isSystem(ctx.actor)) return true;
  const needed: readonly Role[] = PERMISSIONS[permission];
  return ctx.actor.roles.some((role) => needed.includes(role));
}
