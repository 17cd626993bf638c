import type { Ctx } from '../../common/context.ts';
import { ValidationError } from '../../common/errors.ts';
import { requirePerson } from '../../common/context.ts';
import type { Db } from '../../db/database.ts';
import type { AccessService } from '../access/index.ts';
import type { AuditService } from '../audit/index.ts';
import type { EnquiryInput } from './referrals.schemas.ts';
import * as store from './referrals.store.ts';

/**
 * The contact centre's log of enquiries answered with information or sent on: no child record,
 * only the topic and what happened, so the area sees what people ask for.
 */
export class EnquiryService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly access: AccessService,
  ) {}

  /** Logs a contact-centre enquiry: no child record, only what was asked and where the person was sent. */
  async record(ctx: Ctx, input: EnquiryInput) {
    const partnershipId = await this.access.require(ctx, 'enquiries.record', 'enquiry.record');
    const actor = requirePerson(ctx);
    if (input.directoryServiceId) {
      const active = await store.activeDirectoryServices(this.db, partnershipId);
      if (!active.some((s) => s.id === input.directoryServiceId))
        throw new ValidationError([
          { field: 'directoryServiceId', message: 'Choose a service from the directory list' },
        ]);
    }
    await this.db.transaction().execute(async (tx) => {
      const id = await store.insertEnquiry(tx, {
        partnershipId,
        receivedAt: ctx.now,
        channel: input.channel,
        caller: input.caller,
        topic: input.topic,
        outcome: input.outcome,
        serviceName: input.serviceName ?? null,
        notes: input.notes ?? null,
        directoryServiceId: input.directoryServiceId,
        recordedBy: actor.userId,
        recordedAt: ctx.now,
      });
      await this.audit.record(tx, ctx, { action: 'enquiry.record', subjectType: 'enquiry', subjectId: id });
    });
  }

  /** The latest enquiries and, for the last 90 days, how many of each topic ended each way. */
  async list(ctx: Ctx) {
    const partnershipId = await this.access.require(ctx, 'enquiries.record', 'enquiry.list');
    const since = new Date(ctx.now.getTime() - 90 * 24 * 3_600_000);
    const [recent, totals, slug] = await Promise.all([
      store.recentEnquiries(this.db, partnershipId, 50),
      store.enquiryTotals(this.db, partnershipId, since),
      store.partnershipSlugOf(this.db, partnershipId),
    ]);
    return { recent, totals: totals.map((t) => ({ ...t, n: Number(t.n) })), slug };
  }

  /** The directory's active services, for naming the one a caller was signposted to. */
  async directoryChoices(ctx: Ctx) {
    const partnershipId = await this.access.require(ctx, 'enquiries.record', 'enquiry.form');
    return store.activeDirectoryServices(this.db, partnershipId);
  }
}
