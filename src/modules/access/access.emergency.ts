import type { Ctx } from '../../common/context.ts';
import { isSystem } from '../../common/context.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../../common/errors.ts';
import { isAllowed } from '../../common/permissions.ts';
import type { Db } from '../../db/database.ts';
import type { AuditService } from '../audit/index.ts';
import type { AccessGate } from './access.gate.ts';
import type { EmergencyAccessInput, EmergencyReview } from './access.trust.schemas.ts';
import * as trust from './access.trust.store.ts';

/**
 * Break-glass access: a practitioner with no involvement may open a child's record after stating a
 * reason. It lasts a set number of hours, and the privacy officer reviews every use in a queue.
 */
export class EmergencyAccessService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly gate: AccessGate,
    private readonly hours: number,
  ) {}

  async start(ctx: Ctx, personId: string, input: EmergencyAccessInput): Promise<{ expiresAt: Date }> {
    if (isSystem(ctx.actor)) throw new ForbiddenError('Emergency access is for people');
    const actor = ctx.actor;
    const refuse = (reason: string) =>
      this.audit.recordPersonRefusal(ctx, 'emergency-access.start', personId, reason);
    if (!isAllowed(ctx, 'person.access')) {
      await refuse('role may not see people');
      throw new ForbiddenError('Your role does not give access to children’s records, even in an emergency');
    }
    const expiresAt = new Date(ctx.now.getTime() + this.hours * 3_600_000);
    const found = await this.db.transaction().execute(async (tx) => {
      const person = await trust.findPersonForGate(tx, actor.partnershipId, personId, actor.userId);
      if (!person || (person.sealedAt && !person.named)) return false;
      const row = await tx
        .insertInto('emergencyAccesses')
        .values({
          partnershipId: actor.partnershipId,
          personId,
          userId: actor.userId,
          reason: input.reason,
          startedAt: ctx.now,
          expiresAt,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await this.audit.record(tx, ctx, {
        action: 'emergency-access.start',
        subjectType: 'person',
        subjectId: personId,
        personIds: [personId],
        basis: { kind: 'emergency', emergencyAccessId: row.id, reason: input.reason },
        detail: { expiresAt: expiresAt.toISOString() },
      });
      return true;
    });
    if (!found) {
      await refuse('not found or sealed');
      throw new NotFoundError('Person');
    }
    return { expiresAt };
  }

  /** The privacy officer's queue: uses not yet reviewed, oldest first; the look is audited. */
  async queue(ctx: Ctx, options: { reviewed: boolean }) {
    await this.requireReviewer(ctx, 'emergency-access.queue');
    return this.db.transaction().execute(async (tx) => {
      const rows = await trust.emergencyAccessQueue(tx, ctx.actor.partnershipId!, options.reviewed);
      await this.audit.record(tx, ctx, {
        action: 'emergency-access.queue',
        personIds: [...new Set(rows.map((r) => r.personId))],
        detail: { reviewed: options.reviewed, shown: rows.length },
      });
      return rows;
    });
  }

  async get(ctx: Ctx, id: string) {
    await this.requireReviewer(ctx, 'emergency-access.view');
    return this.db.transaction().execute(async (tx) => {
      const row = await trust.findEmergencyAccess(tx, ctx.actor.partnershipId!, id);
      if (!row) throw new NotFoundError('Emergency access');
      await this.audit.record(tx, ctx, {
        action: 'emergency-access.view',
        subjectType: 'emergency_access',
        subjectId: id,
        personIds: [row.personId],
      });
      return row;
    });
  }

  async review(ctx: Ctx, id: string, input: EmergencyReview): Promise<void> {
    await this.requireReviewer(ctx, 'emergency-access.review');
    const reviewer = ctx.actor as Exclude<Ctx['actor'], { system: string }>;
    await this.db.transaction().execute(async (tx) => {
      const row = await trust.findEmergencyAccess(tx, reviewer.partnershipId, id);
      if (!row) throw new NotFoundError('Emergency access');
      if (row.reviewOutcome)
        throw new ConflictError('This use of emergency access has already been reviewed');
      if (row.userId === reviewer.userId)
        throw new ForbiddenError('You cannot review your own use of emergency access');
      const done = await tx
        .updateTable('emergencyAccesses')
        .set({
          reviewOutcome: input.outcome,
          reviewNote: input.note || null,
          reviewedBy: reviewer.userId,
          reviewedAt: ctx.now,
          version: row.version + 1,
        })
        .where('partnershipId', '=', reviewer.partnershipId)
        .where('id', '=', id)
        .where('version', '=', input.version)
        .executeTakeFirst();
      if (done.numUpdatedRows === 0n)
        throw new ConflictError('Someone else reviewed this first: check it again');
      await this.audit.record(tx, ctx, {
        action: 'emergency-access.review',
        subjectType: 'emergency_access',
        subjectId: id,
        personIds: [row.personId],
        detail: { outcome: input.outcome },
      });
    });
  }

  private async requireReviewer(ctx: Ctx, action: string) {
    if (isAllowed(ctx, 'emergency-access.review')) return;
    await this.audit.recordAlone(ctx, {
      action,
      outcome: 'denied',
      detail: { permission: 'emergency-access.review' },
    });
    throw new ForbiddenError('Only a privacy officer can review emergency access');
  }
}
