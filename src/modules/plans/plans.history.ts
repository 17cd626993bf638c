import type { Ctx } from '../../common/context.ts';
import { isSystem } from '../../common/context.ts';
import type { Tx } from '../../db/database.ts';

/** Appends one entry to a plan's history: who did what, when, inside the change's transaction. */
export async function recordPlanEvent(
  tx: Tx,
  ctx: Ctx,
  partnershipId: string,
  planId: string,
  action: string,
  detail: Record<string, unknown>,
) {
  await tx
    .insertInto('planEvents')
    .values({
      partnershipId,
      planId,
      action,
      at: ctx.now,
      actorUserId: isSystem(ctx.actor) ? null : ctx.actor.userId,
      actorLabel: isSystem(ctx.actor) ? `system: ${ctx.actor.system}` : ctx.actor.displayName,
      detail: JSON.stringify(detail),
    })
    .execute();
}
