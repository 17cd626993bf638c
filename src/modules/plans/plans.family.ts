import { createHash, randomInt } from 'node:crypto';
import { hash } from 'argon2';
import { addMinutes } from '../../common/clock.ts';
import { requirePerson, type Ctx } from '../../common/context.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../common/errors.ts';
import { londonDate } from '../../common/plain-dates.ts';
import type { Db, Tx } from '../../db/database.ts';
import type { Row } from '../../db/schema.ts';
import { familyUsers, type AccessGate, type AccessService } from '../access/index.ts';
import type { AuditService } from '../audit/index.ts';
import { currentChildren, withPlan } from './plans.access.ts';
import {
  normaliseActivationCode,
  type ActivationInput,
  type FamilyAccountInput,
  type FamilyCommentInput,
  type FamilyRelationship,
  type MarkDoneInput,
} from './plans.family.schemas.ts';
import * as store from './plans.family.store.ts';
import { recordPlanEvent } from './plans.history.ts';
import {
  loadPlanWork,
  type PlanAction,
  type PlanComment,
  type PlanGoal,
  type PlanReview,
} from './plans.work.store.ts';

/** How long a family member has to use the code they were given. */
export const ACTIVATION_DAYS = 14;
/** Letters and digits that cannot be mistaken for one another when read out or copied by hand. */
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 16;
const UNIQUE_VIOLATION = '23505';

export type FamilyAccountStatus = 'waiting' | 'code_expired' | 'active' | 'revoked';

export type FamilyAccountSummary = Awaited<ReturnType<typeof store.listAccounts>>[number] & {
  status: FamilyAccountStatus;
};

export type FamilyAccountsPage = {
  plan: Pick<Row<'plans'>, 'id' | 'number' | 'familyName' | 'status'>;
  children: { id: string; name: string }[];
  accounts: FamilyAccountSummary[];
};

/** A code shown once, to be given to the family member; only its hash is kept. */
export type IssuedCode = {
  accountId: string;
  displayName: string;
  email: string;
  code: string;
  expiresAt: Date;
};

export type FamilyTeamMember = {
  name: string;
  role: string | null;
  organisation: string;
  email: string;
  lead: boolean;
};

/** Everything the family may see of their plan: nothing marked not-for-family is in it. */
export type FamilyPlanView = {
  account: { id: string; relationship: FamilyRelationship; language: 'en' | 'cy' };
  plan: {
    id: string;
    familyName: string;
    status: 'open' | 'closed';
    closedOn: string | null;
    nextReviewDue: string;
  };
  /** Given names; null for a baby not yet born or named. */
  children: { id: string; givenName: string | null }[];
  goals: PlanGoal[];
  actions: (PlanAction & { canMarkDone: boolean })[];
  team: FamilyTeamMember[];
  /** Newest first. */
  reviews: PlanReview[];
  /** Newest first. */
  comments: (PlanComment & { mine: boolean })[];
};

type FamilyScope = {
  tx: Tx;
  partnershipId: string;
  userId: string;
  account: NonNullable<Awaited<ReturnType<typeof store.findCurrentAccount>>>;
  plan: NonNullable<Awaited<ReturnType<typeof store.findPlan>>>;
  childIds: string[];
};

/**
 * Family accounts and the family's own view of their plan.
 *
 * A practitioner who may change a plan gives a parent, carer or young person a sign-in: a `users`
 * row with the one role 'family_member', no password, and the practitioner's own organisation as
 * its sponsor (every account belongs to an organisation; this one answers for the account). They
 * get a one-time code, shown once, that the family member uses at /family/activate to choose a
 * password before signing in at /sign-in like anyone else.
 *
 * A family member sees only the plan of their current (unrevoked) account, and only what is for
 * the family. They hold no involvement, so the access gate has no basis for them: every read and
 * change is audited here, in its transaction, naming the children, on the basis of the account.
 * Errors meant for the family carry message keys (src/web/locales), which their pages translate.
 */
export class FamilyService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly access: AccessService,
    private readonly gate: AccessGate,
  ) {}

  // The practitioner's side

  async listAccounts(ctx: Ctx, planId: string): Promise<FamilyAccountsPage> {
    await this.access.require(ctx, 'plans.contribute', 'plan.family-account.list');
    return withPlan(this.db, this.gate, ctx, planId, 'plan.family-account.list', 'read', async (scope) => {
      const [accounts, children] = await Promise.all([
        store.listAccounts(scope.tx, scope.partnershipId, planId),
        store.childNames(scope.tx, scope.partnershipId, scope.childIds),
      ]);
      const { id, number, familyName, status } = scope.plan;
      return {
        value: {
          plan: { id, number, familyName, status },
          children: children.map((c) => ({
            id: c.id,
            name: [c.givenName, c.familyName].filter(Boolean).join(' '),
          })),
          accounts: accounts.map((a) => ({ ...a, status: accountStatus(a, ctx.now) })),
        },
        detail: { shown: accounts.length },
      };
    });
  }

  /**
   * Gives a family member a sign-in to this plan. The email address must be free, unless it is a
   * family member's whose earlier account was revoked: that sign-in is reopened, without a password.
   */
  async addAccount(ctx: Ctx, planId: string, input: FamilyAccountInput): Promise<IssuedCode> {
    await this.access.require(ctx, 'plans.contribute', 'plan.family-account.add');
    const actor = requirePerson(ctx);
    return withPlan(this.db, this.gate, ctx, planId, 'plan.family-account.add', 'change', async (scope) => {
      const { tx, partnershipId, childIds } = scope;
      if (scope.plan.status !== 'open')
        throw new ConflictError(
          'This plan is closed: family members can be given a sign-in only to an open plan',
        );
      if (input.personId && !childIds.includes(input.personId))
        throw new ValidationError([{ field: 'personId', message: 'Select a child who is on the plan now' }]);
      const userId = await emailFree(() => this.familyUser(tx, partnershipId, actor.organisationId, input));
      const code = newActivationCode(ctx.now);
      const accountId = await emailFree(() =>
        store.insertAccount(tx, {
          partnershipId,
          planId,
          userId,
          personId: input.personId,
          relationship: input.relationship,
          language: input.language,
          activationSha256: code.sha256,
          activationExpiresAt: code.expiresAt,
          grantedAt: ctx.now,
          grantedBy: actor.userId,
        }),
      );
      await recordPlanEvent(tx, ctx, partnershipId, planId, 'add_family_account', {
        familyAccountId: accountId,
        name: input.displayName,
        relationship: input.relationship,
      });
      return {
        value: {
          accountId,
          displayName: input.displayName,
          email: input.email,
          code: code.code,
          expiresAt: code.expiresAt,
        },
        personIds: input.personId ? [input.personId] : [],
        detail: { familyAccountId: accountId, userId, relationship: input.relationship },
      };
    });
  }

  /** A new code for a current account: when the first expired, or the password is forgotten. */
  async newCode(ctx: Ctx, planId: string, accountId: string): Promise<IssuedCode> {
    await this.access.require(ctx, 'plans.contribute', 'plan.family-account.new-code');
    return withPlan(
      this.db,
      this.gate,
      ctx,
      planId,
      'plan.family-account.new-code',
      'change',
      async (scope) => {
        const account = await store.findAccountForUpdate(scope.tx, scope.partnershipId, planId, accountId);
        if (!account) throw new NotFoundError('Family account');
        if (account.revokedAt)
          throw new ConflictError(
            `${account.displayName}’s sign-in was revoked: give them a new one instead`,
          );
        const code = newActivationCode(ctx.now);
        await store.setActivationCode(scope.tx, scope.partnershipId, accountId, code);
        await recordPlanEvent(scope.tx, ctx, scope.partnershipId, planId, 'new_family_code', {
          familyAccountId: accountId,
        });
        return {
          value: {
            accountId,
            displayName: account.displayName,
            email: account.email,
            code: code.code,
            expiresAt: code.expiresAt,
          },
          detail: { familyAccountId: accountId },
        };
      },
    );
  }

  /** Ends a family member's sign-in to the plan at once. Revoking a revoked account changes nothing. */
  async revokeAccount(
    ctx: Ctx,
    planId: string,
    accountId: string,
  ): Promise<{ displayName: string; alreadyRevoked: boolean }> {
    await this.access.require(ctx, 'plans.contribute', 'plan.family-account.revoke');
    const actor = requirePerson(ctx);
    return withPlan(
      this.db,
      this.gate,
      ctx,
      planId,
      'plan.family-account.revoke',
      'change',
      async (scope) => {
        const { tx, partnershipId } = scope;
        const account = await store.findAccountForUpdate(tx, partnershipId, planId, accountId);
        if (!account) throw new NotFoundError('Family account');
        const alreadyRevoked = account.revokedAt !== null;
        if (!alreadyRevoked) {
          await store.revokeAccount(tx, partnershipId, accountId, actor.userId, ctx.now);
          await familyUsers.deactivateUser(tx, partnershipId, account.userId, ctx.now);
          await recordPlanEvent(tx, ctx, partnershipId, planId, 'revoke_family_account', {
            familyAccountId: accountId,
            name: account.displayName,
          });
        }
        return {
          value: { displayName: account.displayName, alreadyRevoked },
          detail: { familyAccountId: accountId, alreadyRevoked },
        };
      },
    );
  }

  // Activation: nobody is signed in yet

  /**
   * Sets a family member's password with the code they were given, and uses the code up. A wrong,
   * expired or used code and an unknown email address all get the same answer.
   */
  async activate(ctx: Ctx, input: ActivationInput): Promise<void> {
    const sha256 = activationCodeHash(input.code);
    const found = await store.findActivation(this.db, input.email, sha256, ctx.now);
    const refused = () => new ValidationError([{ field: 'code', message: 'errors.code.wrong' }]);
    if (!found) {
      const holder = await familyUsers.findUserByEmail(this.db, input.email);
      if (holder?.roles.includes('family_member'))
        await this.audit.recordAlone(
          activationCtx(ctx, holder.partnershipId),
          { action: 'family.account.activate', outcome: 'failed', subjectType: 'user', subjectId: holder.id },
          holder.partnershipId,
        );
      throw refused();
    }
    const passwordHash = await hash(input.password);
    await this.db.transaction().execute(async (tx) => {
      if (!(await store.clearActivationCode(tx, found.partnershipId, found.id, sha256))) throw refused();
      await familyUsers.setPassword(tx, found.partnershipId, found.userId, passwordHash);
      await this.audit.record(
        tx,
        activationCtx(ctx, found.partnershipId),
        {
          action: 'family.account.activate',
          subjectType: 'user',
          subjectId: found.userId,
          basis: { kind: 'family_account', familyAccountId: found.id },
          personIds: await currentChildren(tx, found.partnershipId, found.planId),
        },
        found.partnershipId,
      );
    });
  }

  // The family's side

  /** The signed-in family member's current plan and language, or null when they have none. */
  async home(ctx: Ctx): Promise<{ planId: string; language: 'en' | 'cy' } | null> {
    const partnershipId = await this.access.require(ctx, 'family.view', 'family.home');
    const account = await store.findCurrentAccount(this.db, partnershipId, requirePerson(ctx).userId);
    return account ? { planId: account.planId, language: account.language } : null;
  }

  async viewPlan(ctx: Ctx, planId: string): Promise<FamilyPlanView> {
    return this.withOwnPlan(ctx, planId, 'family.plan.view', { forUpdate: false }, async (scope) => {
      const { tx, partnershipId, plan, account, userId } = scope;
      const [work, children, team] = await Promise.all([
        loadPlanWork(tx, partnershipId, planId, { familyView: true, today: londonDate(ctx.now) }),
        store.childNames(tx, partnershipId, scope.childIds),
        store.team(tx, partnershipId, planId, plan.leadProfessionalId),
      ]);
      const open = plan.status === 'open';
      return {
        value: {
          account: { id: account.id, relationship: account.relationship, language: account.language },
          plan: {
            id: plan.id,
            familyName: plan.familyName,
            status: plan.status,
            closedOn: plan.closedOn,
            nextReviewDue: plan.nextReviewDue,
          },
          children: scope.childIds.flatMap((id) => {
            const child = children.find((c) => c.id === id);
            return child ? [{ id, givenName: child.givenName }] : [];
          }),
          goals: work.goals,
          actions: work.actions.map((a) => ({
            ...a,
            canMarkDone:
              open && a.ownerKind === 'family' && (a.status === 'to_do' || a.status === 'in_progress'),
          })),
          team: team.map((m) => ({
            name: m.displayName,
            role: m.role ?? m.jobTitle,
            organisation: m.memberOrganisation ?? m.userOrganisation,
            email: m.email,
            lead: Boolean(m.lead),
          })),
          reviews: work.reviews,
          comments: work.comments.map((c) => ({ ...c, mine: c.authorId === userId })),
        },
        detail: {
          goals: work.goals.length,
          actions: work.actions.length,
          reviews: work.reviews.length,
          comments: work.comments.length,
        },
      };
    });
  }

  /** Marks one of the family's own actions done, as them; a practitioner's or an agency's is refused. */
  async markActionDone(
    ctx: Ctx,
    planId: string,
    actionId: string,
    input: MarkDoneInput,
  ): Promise<{ description: string }> {
    return this.withOwnPlan(ctx, planId, 'family.action.done', { forUpdate: true }, async (scope) => {
      const { tx, partnershipId, userId } = scope;
      assertOpen(scope.plan);
      const action = await store.findActionForUpdate(tx, partnershipId, planId, actionId);
      if (!action) throw new NotFoundError('Action');
      if (action.ownerKind !== 'family')
        throw new ValidationError([{ field: `action-${actionId}`, message: 'errors.action.notFamily' }]);
      if (!(await store.markActionDone(tx, partnershipId, actionId, input.version, { userId, now: ctx.now })))
        throw new ConflictError('errors.action.changed');
      await recordPlanEvent(tx, ctx, partnershipId, planId, 'change_action', {
        actionId,
        changes: { status: { from: action.status, to: 'done' } },
        familyAccountId: scope.account.id,
      });
      return { value: { description: action.description }, detail: { actionId } };
    });
  }

  /** A comment from the family to the team: from_family, and for the family to see too. */
  async addComment(ctx: Ctx, planId: string, input: FamilyCommentInput): Promise<void> {
    return this.withOwnPlan(ctx, planId, 'family.comment.add', { forUpdate: true }, async (scope) => {
      const { tx, partnershipId, userId } = scope;
      assertOpen(scope.plan);
      const commentId = await store.insertComment(tx, {
        partnershipId,
        planId,
        authorId: userId,
        fromFamily: true,
        body: input.body,
        forFamily: true,
        createdAt: ctx.now,
      });
      await recordPlanEvent(tx, ctx, partnershipId, planId, 'add_comment', {
        commentId,
        forFamily: true,
        familyAccountId: scope.account.id,
      });
      return { value: undefined, detail: { commentId } };
    });
  }

  /**
   * The family's one way to a plan: their current account must be on it. Any other plan, and
   * anything not on theirs, is "not found", with the refusal audited on its own.
   */
  private async withOwnPlan<T>(
    ctx: Ctx,
    planId: string,
    action: string,
    opts: { forUpdate: boolean },
    work: (scope: FamilyScope) => Promise<{ value: T; detail?: Record<string, unknown> }>,
  ): Promise<T> {
    const partnershipId = await this.access.require(ctx, 'family.view', action);
    const userId = requirePerson(ctx).userId;
    try {
      return await this.db.transaction().execute(async (tx) => {
        const account = await store.findCurrentAccount(tx, partnershipId, userId);
        const plan =
          account?.planId === planId ? await store.findPlan(tx, partnershipId, planId, opts) : undefined;
        if (!account || !plan) throw new NotFoundError('Plan');
        const childIds = await currentChildren(tx, partnershipId, planId);
        const outcome = await work({ tx, partnershipId, userId, account, plan, childIds });
        await this.audit.record(tx, ctx, {
          action,
          subjectType: 'plan',
          subjectId: planId,
          basis: { kind: 'family_account', familyAccountId: account.id },
          personIds: childIds,
          detail: outcome.detail,
        });
        return outcome.value;
      });
    } catch (error) {
      if (error instanceof NotFoundError)
        await this.audit.recordAlone(ctx, {
          action,
          outcome: 'denied',
          subjectType: 'plan',
          subjectId: planId,
          detail: { reason: `${error.what} is not on the family’s own plan` },
        });
      throw error;
    }
  }

  /** A new sign-in for the family member, or the one they had before, if that was only theirs. */
  private async familyUser(
    tx: Tx,
    partnershipId: string,
    organisationId: string,
    input: FamilyAccountInput,
  ): Promise<string> {
    const holder = await familyUsers.findUserByEmail(tx, input.email);
    if (!holder)
      return familyUsers.insertFamilyUser(tx, {
        partnershipId,
        email: input.email,
        displayName: input.displayName,
        organisationId,
      });
    const reusable =
      holder.partnershipId === partnershipId &&
      holder.roles.length === 1 &&
      holder.roles[0] === 'family_member' &&
      !(await store.hasCurrentAccount(tx, partnershipId, holder.id));
    if (!reusable) throw emailInUse();
    await familyUsers.reopenFamilyUser(tx, partnershipId, holder.id, {
      displayName: input.displayName,
      organisationId,
    });
    return holder.id;
  }
}

export function accountStatus(
  account: {
    revokedAt: Date | null;
    lastSignInAt: Date | null;
    codeWaiting: boolean;
    activationExpiresAt: Date | null;
  },
  now: Date,
): FamilyAccountStatus {
  if (account.revokedAt) return 'revoked';
  if (account.lastSignInAt) return 'active';
  if (account.codeWaiting && account.activationExpiresAt && account.activationExpiresAt > now)
    return 'waiting';
  return account.codeWaiting ? 'code_expired' : 'active';
}

/** Sixteen characters (about 79 bits), shown as ABCD-EFGH-JKMN-PQRS; valid for ACTIVATION_DAYS. */
export function newActivationCode(now: Date) {
  let raw = '';
  for (let i = 0; i < CODE_LENGTH; i++) raw += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return {
    code: raw.match(/.{4}/g)!.join('-'),
    sha256: activationCodeHash(raw),
    expiresAt: addMinutes(now, ACTIVATION_DAYS * 24 * 60),
  };
}

/** The code is random and long enough that a slow password hash would add nothing but time. */
export function activationCodeHash(code: string): string {
  return createHash('sha256').update(normaliseActivationCode(code)).digest('hex');
}

/** Activation is recorded by the system on the partnership's chain, as a sign-in is: nobody is signed in. */
function activationCtx(ctx: Ctx, partnershipId: string): Ctx {
  return { ...ctx, actor: { system: 'family-activation', partnershipId } };
}

function assertOpen(plan: { status: 'open' | 'closed' }) {
  if (plan.status !== 'open') throw new ConflictError('errors.planClosed');
}

function emailInUse() {
  return new ValidationError([
    {
      field: 'email',
      message: 'An account with this email address already exists: ask the family member for another address',
    },
  ]);
}

/** A unique index is the final word when two people add the same address at once. */
async function emailFree<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if ((error as { code?: string }).code === UNIQUE_VIOLATION) throw emailInUse();
    throw error;
  }
}
