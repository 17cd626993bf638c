import type { Actor, Ctx } from '../../common/context.ts';
import { isSystem } from '../../common/context.ts';
import { ForbiddenError, NotFoundError } from '../../common/errors.ts';
import { isAllowed } from '../../common/permissions.ts';
import { PURPOSES, type Purpose, type Sensitivity } from '../../common/sharing.ts';
import type { Db, Tx } from '../../db/database.ts';
import type { Sector } from '../../db/schema.ts';
import type { AuditService } from '../audit/index.ts';
import {
  compilePolicy,
  decideItem,
  type CompiledPolicy,
  type ItemAccess,
  type ItemFacts,
} from './access.policy.ts';
import * as trust from './access.trust.store.ts';

/** What a person's access to one child rests on; recorded with every audit event of that access. */
export type PersonBasis =
  | { kind: 'involvement'; involvements: { id: string; kind: string; purpose: Purpose }[] }
  | { kind: 'emergency'; emergencyAccessId: string; reason: string; expiresAt: string }
  | { kind: 'subject_access' }
  | { kind: 'system' };

/** Sensitivities whose withheld items show nothing at all unless the partnership says otherwise. */
const HIDDEN_BY_DEFAULT: ReadonlySet<Sensitivity> = new Set(['restricted_location']);

export type GateOutcome<T> = {
  value: T;
  /** Everyone else whose details the answer shows (carers, siblings), for their own access logs. */
  personIds?: readonly string[];
  itemIds?: readonly string[];
  detail?: Record<string, unknown>;
};

/** What item decisions need of a partnership: its agreements compiled, withheld display, sectors. */
type PartnershipPolicy = {
  policy: CompiledPolicy;
  display: Map<Sensitivity, 'existence' | 'nothing'>;
  sectors: Map<string, Sector>;
};

/** One actor's access to one child inside one transaction: the basis, and item-by-item decisions. */
export class PersonAccess {
  constructor(
    readonly tx: Tx,
    readonly ctx: Ctx,
    readonly partnershipId: string,
    readonly personId: string,
    readonly basis: PersonBasis,
    private readonly partnershipPolicy: () => Promise<PartnershipPolicy>,
  ) {}

  get actor(): Actor | null {
    return isSystem(this.ctx.actor) ? null : this.ctx.actor;
  }

  /** The purposes the access serves: an involvement's own; emergency access is for safeguarding. */
  purposes(): Set<Purpose> {
    switch (this.basis.kind) {
      case 'involvement':
        return new Set(this.basis.involvements.map((i) => i.purpose));
      case 'emergency':
        return new Set(['safeguarding']);
      case 'subject_access':
      case 'system':
        return new Set(PURPOSES);
    }
  }

  /** Everyone involved with the child, current and past: the team around the child. */
  involvements() {
    return trust.involvementsOf(this.tx, this.partnershipId, this.personId);
  }

  consents() {
    return trust.consentsOf(this.tx, this.partnershipId, this.personId);
  }

  /** Uses of emergency access to this child, with their reviews. */
  emergencyAccesses() {
    return trust.emergencyAccessesOf(this.tx, this.partnershipId, this.personId);
  }

  /** Recorded decisions to share, or not to share, this child's items. */
  sharingDecisions() {
    return trust.sharingDecisionsOf(this.tx, this.partnershipId, this.personId);
  }

  /** Decides every item at once: loads the compiled agreements, consent and decisions one time. */
  async decideItems<I extends ItemFacts & { id: string }>(items: readonly I[]) {
    const actor = this.actor;
    if (!actor || this.basis.kind === 'subject_access') {
      return items.map((item) => ({
        item,
        access: { level: 'content', basis: { kind: 'subject_access' } } satisfies ItemAccess,
      }));
    }
    if (items.length === 0) return [];
    const [{ policy, display, sectors }, { consented, decisions }] = await Promise.all([
      this.partnershipPolicy(),
      trust.itemSharingFacts(this.tx, this.partnershipId, this.personId, actor.organisationId, this.ctx.now),
    ]);
    const viewerSector = sectors.get(actor.organisationId);
    if (!viewerSector) throw new Error('The actor’s organisation is missing');
    const purposes = this.purposes();
    const today = this.ctx.now.toISOString().slice(0, 10);
    return items.map((item) => ({
      item,
      access: decideItem(policy, {
        item,
        viewer: { organisationId: actor.organisationId, sector: viewerSector },
        purposes,
        today,
        consentCovers: (purpose) => consented.has(purpose),
        sharedByDecision: decisions.get(item.id) ?? null,
        withheldShows:
          display.get(item.sensitivity) ??
          (HIDDEN_BY_DEFAULT.has(item.sensitivity) ? 'nothing' : 'existence'),
      }),
    }));
  }
}

/**
 * The only way to a child's data. It finds the basis of the actor's access (an active involvement,
 * their own or their team's; unexpired emergency access; a privacy officer's subject access), runs
 * the work in a transaction and writes the audit event in that same transaction. A child in another
 * partnership, or a sealed record the actor is not named on, does not exist as far as they can tell.
 */
export class AccessGate {
  /** Each partnership's policy, with the token it was compiled under (see migration 0007). */
  private readonly policies = new Map<string, { token: string; policy: PartnershipPolicy }>();

  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
  ) {}

  async read<T>(
    ctx: Ctx,
    personId: string,
    action: string,
    work: (access: PersonAccess) => Promise<GateOutcome<T>>,
    options: { subjectAccess?: boolean } = {},
  ): Promise<T> {
    return this.run(ctx, personId, action, work, options.subjectAccess ?? false);
  }

  /** A change to a child's record: never on subject-access grounds, which are for reading only. */
  async change<T>(
    ctx: Ctx,
    personId: string,
    action: string,
    work: (access: PersonAccess) => Promise<GateOutcome<T>>,
  ): Promise<T> {
    return this.run(ctx, personId, action, work, false);
  }

  /** The basis the actor has for this child now, or null; for pages that only need to know. */
  async basisFor(ctx: Ctx, personId: string): Promise<PersonBasis | null> {
    return this.findBasis(this.db, ctx, partnershipOf(ctx), personId, false);
  }

  private async run<T>(
    ctx: Ctx,
    personId: string,
    action: string,
    work: (access: PersonAccess) => Promise<GateOutcome<T>>,
    subjectAccess: boolean,
  ): Promise<T> {
    const partnershipId = partnershipOf(ctx);
    const refusal = await this.db
      .transaction()
      .execute(async (tx) => {
        const person = await trust.gateFacts(tx, partnershipId, personId, actorId(ctx), ctx.now);
        const hiddenSeal = person?.sealedAt && !person.named && !isSystem(ctx.actor) && !subjectAccess;
        if (!person || hiddenSeal) return 'not-found' as const;
        const basis = await this.findBasis(
          tx,
          ctx,
          partnershipId,
          personId,
          subjectAccess,
          person.involvements,
        );
        if (!basis) return 'no-basis' as const;
        const policy = () => this.partnershipPolicy(tx, partnershipId, person.policyToken);
        const outcome = await work(new PersonAccess(tx, ctx, partnershipId, personId, basis, policy));
        await this.audit.record(tx, ctx, {
          action,
          subjectType: 'person',
          subjectId: personId,
          basis,
          personIds: [personId, ...(outcome.personIds ?? []).filter((id) => id !== personId)],
          itemIds: outcome.itemIds ?? [],
          detail: outcome.detail,
        });
        return { value: outcome.value };
      })
      .catch(async (error: unknown) => {
        // A refusal the work itself makes (not the owner, not their involvement) is audited too.
        if (error instanceof ForbiddenError)
          await this.audit.recordPersonRefusal(ctx, action, personId, error.message);
        throw error;
      });
    if (typeof refusal === 'object') return refusal.value;

    await this.audit.recordPersonRefusal(
      ctx,
      action,
      personId,
      refusal === 'not-found' ? 'not found or sealed' : 'no involvement',
    );
    if (refusal === 'not-found') throw new NotFoundError('Person');
    throw new ForbiddenError(
      'You are not involved with this child, so their record is closed to you. If you need it now to keep a child safe, you can use emergency access: you will give a reason, and the privacy officer reviews every use.',
      { href: `/people/${personId}/emergency-access`, text: 'Use emergency access' },
    );
  }

  /**
   * The partnership's compiled policy: the one kept, while the token read with the child in this
   * transaction is the one it was compiled under; otherwise compiled afresh, in this transaction.
   */
  private async partnershipPolicy(
    tx: Tx,
    partnershipId: string,
    token: string | null,
  ): Promise<PartnershipPolicy> {
    const kept = this.policies.get(partnershipId);
    if (kept && token !== null && kept.token === token) return kept.policy;
    const [rules, display, sectors] = await Promise.all([
      trust.loadSharingRules(tx, partnershipId),
      trust.withheldDisplay(tx, partnershipId),
      trust.organisationSectors(tx, partnershipId),
    ]);
    // Loaded after the token was read, so never older than it: kept under it, it is at worst reloaded.
    const policy = { policy: compilePolicy(rules), display, sectors };
    if (token !== null) this.policies.set(partnershipId, { token, policy });
    return policy;
  }

  /** `involvementsRead`: the actor's active involvements with the child, when already read. */
  private async findBasis(
    q: Db | Tx,
    ctx: Ctx,
    partnershipId: string,
    personId: string,
    subjectAccess: boolean,
    involvementsRead?: Awaited<ReturnType<typeof trust.activeInvolvements>>,
  ): Promise<PersonBasis | null> {
    if (isSystem(ctx.actor)) return { kind: 'system' };
    if (subjectAccess && isAllowed(ctx, 'subject-access.export')) return { kind: 'subject_access' };
    if (!isAllowed(ctx, 'person.access')) return null;
    const { userId } = ctx.actor;
    const involvements =
      involvementsRead ?? (await trust.activeInvolvements(q, partnershipId, personId, userId, ctx.now));
    if (involvements.length > 0) return { kind: 'involvement', involvements };
    const emergency = await trust.activeEmergencyAccess(q, partnershipId, personId, userId, ctx.now);
    if (emergency)
      return {
        kind: 'emergency',
        emergencyAccessId: emergency.id,
        reason: emergency.reason,
        expiresAt: new Date(emergency.expiresAt).toISOString(),
      };
    return null;
  }
}

function actorId(ctx: Ctx): string | null {
  return isSystem(ctx.actor) ? null : ctx.actor.userId;
}

function partnershipOf(ctx: Ctx): string {
  const id = ctx.actor.partnershipId;
  if (!id) throw new ForbiddenError('This needs a partnership');
  return id;
}
