import type { Ctx } from '../../common/context.ts';
import { isSystem } from '../../common/context.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../common/errors.ts';
import { isAllowed } from '../../common/permissions.ts';
import type { InvolvementKind, Purpose } from '../../common/sharing.ts';
import type { Db, Tx } from '../../db/database.ts';
import type { AuditService } from '../audit/index.ts';
import type { AccessGate } from './access.gate.ts';
import type { InvolvementEnd, InvolvementInput } from './access.trust.schemas.ts';
import * as trust from './access.trust.store.ts';

/**
 * Who is involved with a child, why and since when: the basis of relationship-based access. A team
 * manager or front-door worker allocates; someone already involved may bring in a colleague or team.
 * Ending an involvement ends the access it gave. Nothing is deleted.
 */
export class InvolvementService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly gate: AccessGate,
  ) {}

  /** One involvement, for the page that ends it: open to its allocators as well as to those involved. */
  async get(ctx: Ctx, personId: string, involvementId: string) {
    const find = async (tx: Tx, partnershipId: string) => {
      const found = (await trust.involvementsOf(tx, partnershipId, personId)).find(
        (i) => i.id === involvementId,
      );
      if (!found) throw new NotFoundError('Involvement');
      return found;
    };
    if (isAllowed(ctx, 'involvement.manage')) {
      const partnershipId = await this.requireVisible(ctx, personId, 'involvement.view');
      return this.db.transaction().execute(async (tx) => {
        const found = await find(tx, partnershipId);
        await this.audit.record(tx, ctx, {
          action: 'involvement.view',
          subjectType: 'involvement',
          subjectId: involvementId,
          personIds: [personId],
          basis: { kind: 'permission', permission: 'involvement.manage' },
        });
        return found;
      });
    }
    return this.gate.read(ctx, personId, 'involvement.view', async (access) => ({
      value: await find(access.tx, access.partnershipId),
    }));
  }

  async add(ctx: Ctx, personId: string, input: InvolvementInput): Promise<string> {
    const startedAt = input.startedOn ? new Date(`${input.startedOn}T00:00:00Z`) : ctx.now;
    const write = async (tx: Tx, partnershipId: string) => {
      await this.checkHolder(tx, partnershipId, input);
      return trust.insertInvolvement(tx, {
        partnershipId,
        personId,
        userId: input.userId,
        teamId: input.teamId,
        kind: input.kind,
        purpose: input.purpose,
        reason: input.reason,
        startedAt,
        createdBy: actorId(ctx),
      });
    };
    // Allocation by a manager needs no access of their own; anyone else must already be involved.
    if (isAllowed(ctx, 'involvement.manage')) {
      const partnershipId = await this.requireVisible(ctx, personId, 'involvement.add');
      return this.db.transaction().execute(async (tx) => {
        const id = await write(tx, partnershipId);
        await this.audit.record(tx, ctx, {
          action: 'involvement.add',
          subjectType: 'involvement',
          subjectId: id,
          personIds: [personId],
          basis: { kind: 'permission', permission: 'involvement.manage' },
          detail: { kind: input.kind, purpose: input.purpose, userId: input.userId, teamId: input.teamId },
        });
        return id;
      });
    }
    return this.gate.change(ctx, personId, 'involvement.add', async (access) => {
      if (access.basis.kind !== 'involvement')
        throw new ValidationError([
          { field: 'holder', message: 'Only someone involved with the child can bring others in' },
        ]);
      const id = await write(access.tx, access.partnershipId);
      return { value: id, detail: { involvementId: id, kind: input.kind, purpose: input.purpose } };
    });
  }

  async end(ctx: Ctx, personId: string, involvementId: string, input: InvolvementEnd): Promise<void> {
    const endedAt = new Date(`${input.endedOn}T23:59:59.999Z`);
    const apply = async (tx: Tx, partnershipId: string) => {
      const current = await trust.findInvolvement(tx, partnershipId, personId, involvementId);
      if (!current) throw new NotFoundError('Involvement');
      if (current.endedAt) throw new ConflictError('This involvement has already ended');
      if (endedAt < current.startedAt)
        throw new ValidationError([
          { field: 'ended-day', message: 'The end date must be the same as or after the start date' },
        ]);
      const done = await tx
        .updateTable('involvements')
        .set({ endedAt, endReason: input.endReason, endedBy: actorId(ctx), version: current.version + 1 })
        .where('partnershipId', '=', partnershipId)
        .where('id', '=', involvementId)
        .where('version', '=', input.version)
        .executeTakeFirst();
      if (done.numUpdatedRows === 0n)
        throw new ConflictError('Someone else changed this involvement: check it and try again');
    };
    if (isAllowed(ctx, 'involvement.manage')) {
      const partnershipId = await this.requireVisible(ctx, personId, 'involvement.end');
      await this.db.transaction().execute(async (tx) => {
        await apply(tx, partnershipId);
        await this.audit.record(tx, ctx, {
          action: 'involvement.end',
          subjectType: 'involvement',
          subjectId: involvementId,
          personIds: [personId],
          basis: { kind: 'permission', permission: 'involvement.manage' },
          detail: { endedOn: input.endedOn },
        });
      });
      return;
    }
    await this.gate.change(ctx, personId, 'involvement.end', async (access) => {
      // Without the allocation permission, people end only their own (or their team's) involvement.
      const own =
        access.basis.kind === 'involvement' && access.basis.involvements.some((i) => i.id === involvementId);
      if (!own) throw new ForbiddenError('Only the people involved, or a manager, can end this involvement');
      await apply(access.tx, access.partnershipId);
      return { value: undefined, detail: { involvementId, endedOn: input.endedOn } };
    });
  }

  /**
   * A front-door worker's involvement with a child for the length of triage; the caller audits.
   * Inside the caller's transaction: the gate reads involvements afresh on every call (only the
   * sharing policy is kept between calls), so the access it gives starts when the caller commits.
   */
  async openWithin(
    tx: Tx,
    partnershipId: string,
    input: {
      personId: string;
      userId: string;
      kind: InvolvementKind;
      purpose: Purpose;
      reason: string;
      at: Date;
      createdBy: string | null;
    },
  ): Promise<string> {
    await this.checkHolder(tx, partnershipId, { userId: input.userId, teamId: null });
    return trust.insertInvolvement(tx, {
      partnershipId,
      personId: input.personId,
      userId: input.userId,
      teamId: null,
      kind: input.kind,
      purpose: input.purpose,
      reason: input.reason,
      startedAt: input.at,
      createdBy: input.createdBy,
    });
  }

  /** Ends an involvement opened with openWithin, if it is still open; the caller audits. */
  async endWithin(
    tx: Tx,
    partnershipId: string,
    input: { involvementId: string; at: Date; reason: string; endedBy: string | null },
  ): Promise<void> {
    const { involvementId, at, reason, endedBy } = input;
    await trust.endOpenInvolvement(tx, partnershipId, involvementId, { at, reason, endedBy });
  }

  /** The people and teams an involvement can be given to, for the select. */
  async holders(ctx: Ctx) {
    return trust.involvementHolders(this.db, ctx.actor.partnershipId!);
  }

  /** For the form that adds someone: an allocator who can find the child, or someone involved with them. */
  async requireCanAdd(ctx: Ctx, personId: string): Promise<void> {
    if (isAllowed(ctx, 'involvement.manage')) await this.requireVisible(ctx, personId, 'involvement.form');
    else await this.gate.read(ctx, personId, 'involvement.form', async () => ({ value: undefined }));
  }

  /**
   * Allocating needs no involvement, but only with a child the allocator could find: in their
   * partnership, and not a sealed record they are not named on. A refusal is audited and reads as
   * "no such child", as it does at the gate.
   */
  private async requireVisible(ctx: Ctx, personId: string, action: string): Promise<string> {
    const partnershipId = ctx.actor.partnershipId!;
    const person = await trust.findPersonForGate(this.db, partnershipId, personId, actorId(ctx));
    if (person && (!person.sealedAt || person.named)) return partnershipId;
    await this.audit.recordPersonRefusal(ctx, action, personId, 'not found or sealed');
    throw new NotFoundError('Person');
  }

  private async checkHolder(
    tx: Tx,
    partnershipId: string,
    holder: { userId: string | null; teamId: string | null },
  ) {
    const found = await trust.findHolder(tx, partnershipId, holder);
    if (!found) throw new ValidationError([{ field: 'holder', message: 'Select an active person or team' }]);
  }
}

function actorId(ctx: Ctx): string | null {
  return isSystem(ctx.actor) ? null : ctx.actor.userId;
}
