import type { Ctx } from '../../common/context.ts';
import { isSystem } from '../../common/context.ts';
import { ConflictError, NotFoundError } from '../../common/errors.ts';
import type { AccessGate } from './access.gate.ts';
import type { ConsentInput, ConsentWithdrawal } from './access.trust.schemas.ts';
import * as trust from './access.trust.store.ts';

/**
 * Consent per child and purpose: who gave it, what it covers, how and when, until when. Sharing that
 * rests on consent stops the moment it is withdrawn, because every item check reads consent afresh.
 */
export class ConsentService {
  constructor(private readonly gate: AccessGate) {}

  async record(ctx: Ctx, personId: string, input: ConsentInput): Promise<string> {
    return this.gate.change(ctx, personId, 'consent.record', async (access) => {
      const row = await access.tx
        .insertInto('consents')
        .values({
          partnershipId: access.partnershipId,
          personId,
          ...input,
          recordedBy: isSystem(ctx.actor) ? null : ctx.actor.userId,
          recordedAt: ctx.now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return {
        value: row.id,
        detail: {
          consentId: row.id,
          purpose: input.purpose,
          givenBy: input.givenBy,
          expiresOn: input.expiresOn,
        },
      };
    });
  }

  async withdraw(ctx: Ctx, personId: string, consentId: string, input: ConsentWithdrawal): Promise<void> {
    await this.gate.change(ctx, personId, 'consent.withdraw', async (access) => {
      const current = await trust.findConsent(access.tx, access.partnershipId, personId, consentId);
      if (!current) throw new NotFoundError('Consent');
      if (current.withdrawnAt) throw new ConflictError('This consent has already been withdrawn');
      const done = await access.tx
        .updateTable('consents')
        .set({ withdrawnAt: ctx.now, withdrawnReason: input.reason, version: current.version + 1 })
        .where('partnershipId', '=', access.partnershipId)
        .where('id', '=', consentId)
        .where('version', '=', input.version)
        .executeTakeFirst();
      if (done.numUpdatedRows === 0n)
        throw new ConflictError('Someone else changed this consent: check it and try again');
      return { value: undefined, detail: { consentId, purpose: current.purpose } };
    });
  }
}
