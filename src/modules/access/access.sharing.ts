import type { Ctx } from '../../common/context.ts';
import { isSystem } from '../../common/context.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../common/errors.ts';
import { isAllowed, type Permission } from '../../common/permissions.ts';
import { SENSITIVITIES } from '../../common/sharing.ts';
import type { Db, Tx } from '../../db/database.ts';
import type { AuditService } from '../audit/index.ts';
import type { AccessGate } from './access.gate.ts';
import { findContradiction } from './access.policy.ts';
import type {
  AgreementInput,
  Revocation,
  RuleInput,
  SealInput,
  SharingDecisionInput,
  WithheldDisplayInput,
} from './access.trust.schemas.ts';
import * as trust from './access.trust.store.ts';

const UNIQUE_VIOLATION = '23505';

/**
 * Sharing agreements as data (which organisations share which kinds of data, for what purpose and
 * on what basis, from when until when, with exceptions), what a withheld item shows, recorded
 * decisions to share one item or not, and sealed records. A new rule changes the item checks at once.
 */
export class SharingService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly gate: AccessGate,
  ) {}

  async listAgreements(ctx: Ctx) {
    const partnershipId = await this.require(ctx, 'sharing.administer', 'sharing-agreement.list');
    return trust.listAgreements(this.db, partnershipId);
  }

  async getAgreement(ctx: Ctx, agreementId: string) {
    const partnershipId = await this.require(ctx, 'sharing.administer', 'sharing-agreement.view');
    const agreement = await trust.findAgreement(this.db, partnershipId, agreementId);
    if (!agreement) throw new NotFoundError('Sharing agreement');
    return { agreement, rules: await trust.rulesOf(this.db, partnershipId, agreementId) };
  }

  async createAgreement(ctx: Ctx, input: AgreementInput): Promise<string> {
    const partnershipId = await this.require(ctx, 'sharing.administer', 'sharing-agreement.create');
    return this.write(ctx, 'sharing-agreement.create', async (tx) => {
      const row = await tx
        .insertInto('sharingAgreements')
        .values({ partnershipId, ...input, createdBy: actorId(ctx) })
        .returning('id')
        .executeTakeFirstOrThrow()
        .catch((error: unknown) => {
          if ((error as { code?: string }).code === UNIQUE_VIOLATION)
            throw new ValidationError([
              { field: 'name', message: 'An agreement with this name already exists' },
            ]);
          throw error;
        });
      return { id: row.id, detail: input };
    });
  }

  async addRule(ctx: Ctx, agreementId: string, input: RuleInput): Promise<string> {
    const partnershipId = await this.require(ctx, 'sharing.administer', 'sharing-rule.add');
    return this.write(ctx, 'sharing-rule.add', async (tx) => {
      const agreement = await trust.findAgreement(tx, partnershipId, agreementId);
      if (!agreement) throw new NotFoundError('Sharing agreement');
      if (agreement.revokedAt)
        throw new ConflictError('This agreement has been revoked: it takes no new rules');
      for (const party of [input.source, input.recipient])
        if (
          party.organisationId &&
          !(await trust.findOrganisationSector(tx, partnershipId, party.organisationId))
        )
          throw new ValidationError([
            {
              field: party === input.source ? 'source' : 'recipient',
              message: 'Select an organisation from the list',
            },
          ]);
      const existing = await trust.rulesOf(tx, partnershipId, agreementId);
      const clash = findContradiction(existing, input);
      if (clash !== null)
        throw new ValidationError([
          {
            field: 'effect',
            message: `This rule contradicts rule ${clash + 1}, which ${existing[clash]!.effect}s the same sharing. Change or narrow one of them.`,
          },
        ]);
      const row = await tx
        .insertInto('sharingRules')
        .values({
          partnershipId,
          agreementId,
          effect: input.effect,
          mode: input.mode,
          sourceSector: input.source.sector,
          sourceOrganisationId: input.source.organisationId,
          recipientSector: input.recipient.sector,
          recipientOrganisationId: input.recipient.organisationId,
          dataType: input.dataType,
          sensitivities: input.sensitivities,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return { id: row.id, detail: { agreementId, ...input } };
    });
  }

  /** Urgent revocation: the agreement's rules stop applying at once; the agreement is kept. */
  async revokeAgreement(ctx: Ctx, agreementId: string, input: Revocation): Promise<void> {
    const partnershipId = await this.require(ctx, 'sharing.administer', 'sharing-agreement.revoke');
    await this.write(ctx, 'sharing-agreement.revoke', async (tx) => {
      const agreement = await trust.findAgreement(tx, partnershipId, agreementId);
      if (!agreement) throw new NotFoundError('Sharing agreement');
      if (agreement.revokedAt) throw new ConflictError('This agreement has already been revoked');
      const done = await tx
        .updateTable('sharingAgreements')
        .set({ revokedAt: ctx.now, revokedReason: input.reason, version: agreement.version + 1 })
        .where('partnershipId', '=', partnershipId)
        .where('id', '=', agreementId)
        .where('version', '=', input.version)
        .executeTakeFirst();
      if (done.numUpdatedRows === 0n)
        throw new ConflictError('Someone else changed this agreement: check it again');
      return { id: agreementId, detail: { reason: input.reason } };
    });
  }

  async withheldDisplay(ctx: Ctx) {
    const partnershipId = await this.require(ctx, 'sharing.administer', 'withheld-display.view');
    const stored = await trust.withheldDisplay(this.db, partnershipId);
    return Object.fromEntries(
      SENSITIVITIES.map((s) => [s, stored.get(s) ?? (s === 'restricted_location' ? 'nothing' : 'existence')]),
    ) as WithheldDisplayInput;
  }

  async setWithheldDisplay(ctx: Ctx, input: WithheldDisplayInput): Promise<void> {
    const partnershipId = await this.require(ctx, 'sharing.administer', 'withheld-display.update');
    await this.write(ctx, 'withheld-display.update', async (tx) => {
      for (const sensitivity of SENSITIVITIES)
        await tx
          .insertInto('withheldItemDisplay')
          .values({ partnershipId, sensitivity, shows: input[sensitivity] })
          .onConflict((oc) =>
            oc.columns(['partnershipId', 'sensitivity']).doUpdateSet({ shows: input[sensitivity] }),
          )
          .execute();
      return { id: partnershipId, detail: input };
    });
  }

  /**
   * The owning organisation decides to share one item with another organisation on a legal basis, or
   * records that it will not, with the reason either way.
   */
  async decide(ctx: Ctx, personId: string, itemId: string, input: SharingDecisionInput): Promise<void> {
    await this.gate.change(ctx, personId, 'sharing.decide', async (access) => {
      const item = await trust.findItemOwner(access.tx, access.partnershipId, personId, itemId);
      if (!item) throw new NotFoundError('Item');
      if (isSystem(ctx.actor) || item.owningOrganisationId !== ctx.actor.organisationId)
        throw new ForbiddenError('Only the organisation that recorded an item can decide to share it');
      if (
        !(await trust.findOrganisationSector(access.tx, access.partnershipId, input.recipientOrganisationId))
      )
        throw new ValidationError([
          { field: 'recipientOrganisationId', message: 'Select an organisation from the list' },
        ]);
      await access.tx
        .insertInto('sharingDecisions')
        .values({
          partnershipId: access.partnershipId,
          personId,
          itemId,
          recipientOrganisationId: input.recipientOrganisationId,
          decision: input.decision,
          lawfulBasis: input.decision === 'share' ? input.lawfulBasis : null,
          reason: input.reason,
          decidedBy: actorId(ctx),
          decidedAt: ctx.now,
        })
        .execute();
      return { value: undefined, itemIds: [itemId], detail: input };
    });
  }

  /** Seals a record: from now on only the named users see it, and nobody else can tell it exists. */
  async seal(ctx: Ctx, personId: string, input: SealInput): Promise<void> {
    const partnershipId = await this.require(ctx, 'subject-access.export', 'person.seal');
    if (!(await trust.findPersonForGate(this.db, partnershipId, personId, null))) {
      // Another partnership's child, or none: refused and audited like any other look for a child.
      await this.audit.recordAlone(ctx, {
        action: 'person.seal',
        outcome: 'denied',
        subjectType: 'person',
        subjectId: personId,
        personIds: [personId],
        detail: { reason: 'not found' },
      });
      throw new NotFoundError('Person');
    }
    await this.write(ctx, 'person.seal', async (tx) => {
      const users = await trust.activeUsersByEmail(tx, partnershipId, input.namedEmails);
      const unknown = input.namedEmails.filter((e) => !users.some((u) => u.email === e));
      if (unknown.length)
        throw new ValidationError([
          { field: 'namedEmails', message: `No active account has the email ${unknown.join(', ')}` },
        ]);
      const sealed = await tx
        .updateTable('people')
        .set({ sealedAt: ctx.now, sealedReason: input.reason })
        .where('partnershipId', '=', partnershipId)
        .where('id', '=', personId)
        .executeTakeFirst();
      if (sealed.numUpdatedRows === 0n) throw new NotFoundError('Person');
      for (const user of users)
        await tx
          .insertInto('sealedRecordUsers')
          .values({ partnershipId, personId, userId: user.id, addedBy: actorId(ctx) })
          .onConflict((oc) => oc.doNothing())
          .execute();
      return { id: personId, personIds: [personId], detail: { named: users.map((u) => u.id) } };
    });
  }

  private async require(ctx: Ctx, permission: Permission, action: string): Promise<string> {
    const partnershipId = ctx.actor.partnershipId;
    if (!partnershipId) throw new ForbiddenError('This needs a partnership');
    if (!isAllowed(ctx, permission)) {
      await this.audit.recordAlone(ctx, { action, outcome: 'denied', detail: { permission } });
      throw new ForbiddenError('Only a privacy officer can manage information sharing');
    }
    return partnershipId;
  }

  private async write(
    ctx: Ctx,
    action: string,
    change: (tx: Tx) => Promise<{ id: string; personIds?: string[]; detail: object }>,
  ): Promise<string> {
    return this.db.transaction().execute(async (tx) => {
      const { id, personIds, detail } = await change(tx);
      await this.audit.record(tx, ctx, {
        action,
        subjectType: action.split('.')[0],
        subjectId: id,
        personIds,
        detail: detail as Record<string, unknown>,
      });
      return id;
    });
  }
}

function actorId(ctx: Ctx): string | null {
  return isSystem(ctx.actor) ? null : ctx.actor.userId;
}
