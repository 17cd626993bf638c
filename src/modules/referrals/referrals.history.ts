import type { Ctx } from '../../common/context.ts';
import { isSystem } from '../../common/context.ts';
import type { Tx } from '../../db/database.ts';
import * as store from './referrals.store.ts';

/** Appends one entry to a contact's history: who did what, when, inside the change's transaction. */
export async function recordEvent(
  tx: Tx,
  ctx: Ctx,
  partnershipId: string,
  contactId: string,
  action: string,
  detail: Record<string, unknown>,
) {
  await store.appendEvent(tx, {
    partnershipId,
    contactId,
    action,
    at: ctx.now,
    actorUserId: isSystem(ctx.actor) ? null : ctx.actor.userId,
    actorLabel: isSystem(ctx.actor) ? `system: ${ctx.actor.system}` : ctx.actor.displayName,
    detail: JSON.stringify(detail),
  });
}
