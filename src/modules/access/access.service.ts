import { hash } from 'argon2';
import type { Ctx } from '../../common/context.ts';
import { isSystem } from '../../common/context.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../common/errors.ts';
import type { Db, Tx } from '../../db/database.ts';
import type { AuditService } from '../audit/index.ts';
import { isAllowed, type Permission } from '../../common/permissions.ts';
import type {
  ListQuery,
  MembershipInput,
  OrganisationInput,
  OrganisationUpdate,
  PasswordReset,
  TeamInput,
  TeamUpdate,
  UserInput,
  UserUpdate,
} from './access.schemas.ts';
import * as store from './access.store.ts';

const UNIQUE_VIOLATION = '23505';

/**
 * The partnership's organisations, teams and user accounts. Every operation checks the actor's
 * permission (refusals are audited) and writes its change and audit event in one transaction.
 */
export class AccessService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
  ) {}

  /** Throws Forbidden, after recording the refusal, unless the actor holds the permission. */
  async require(ctx: Ctx, permission: Permission, action: string): Promise<string> {
    const partnershipId = partnershipOf(ctx);
    if (!isAllowed(ctx, permission)) {
      await this.audit.recordAlone(ctx, { action, outcome: 'denied', detail: { permission } });
      throw new ForbiddenError(`You need the ${permission} permission to do this`);
    }
    return partnershipId;
  }

  /** The signed-in person's own account, organisation and current teams, for the home page. */
  async getProfile(ctx: Ctx) {
    if (isSystem(ctx.actor)) throw new ForbiddenError('The system has no profile');
    const profile = await store.findProfile(this.db, ctx.actor.partnershipId, ctx.actor.userId);
    if (!profile) throw new NotFoundError('Your account');
    return profile;
  }

  async listLocalities(ctx: Ctx) {
    return store.listLocalities(this.db, partnershipOf(ctx));
  }

  // Organisations

  async listOrganisations(ctx: Ctx) {
    return store.listOrganisations(this.db, partnershipOf(ctx));
  }

  async getOrganisation(ctx: Ctx, id: string) {
    const org = await store.findOrganisation(this.db, partnershipOf(ctx), id);
    if (!org) throw new NotFoundError('Organisation');
    return org;
  }

  async createOrganisation(ctx: Ctx, input: OrganisationInput) {
    const partnershipId = await this.require(ctx, 'partnership.administer', 'organisation.create');
    return this.db.transaction().execute(async (tx) => {
      await this.assertLocality(tx, partnershipId, input.localityId);
      const org = await uniqueName('name', `An organisation called ${input.name} already exists`, () =>
        store.insertOrganisation(tx, { partnershipId, ...input }),
      );
      await this.audit.record(tx, ctx, {
        action: 'organisation.create',
        subjectType: 'organisation',
        subjectId: org.id,
        detail: { name: org.name, sector: org.sector },
      });
      return org;
    });
  }

  async updateOrganisation(ctx: Ctx, id: string, input: OrganisationUpdate) {
    const partnershipId = await this.require(ctx, 'partnership.administer', 'organisation.update');
    const { version, ...changes } = input;
    return this.db.transaction().execute(async (tx) => {
      await this.assertLocality(tx, partnershipId, changes.localityId);
      const before = await store.findOrganisation(tx, partnershipId, id);
      if (!before) throw new NotFoundError('Organisation');
      const org = await uniqueName('name', `An organisation called ${changes.name} already exists`, () =>
        store.updateOrganisation(tx, partnershipId, id, version, changes),
      );
      if (!org) throw staleEdit('organisation', before.version);
      await this.audit.record(tx, ctx, {
        action: 'organisation.update',
        subjectType: 'organisation',
        subjectId: id,
        detail: { changed: changedFields(before, changes) },
      });
      return org;
    });
  }

  // Teams

  async listTeams(ctx: Ctx) {
    return store.listTeams(this.db, partnershipOf(ctx));
  }

  async getTeam(ctx: Ctx, id: string) {
    const partnershipId = partnershipOf(ctx);
    const team = await store.findTeam(this.db, partnershipId, id);
    if (!team) throw new NotFoundError('Team');
    return team;
  }

  /** A team with the names of its host organisation and locality, and its member count. */
  async getTeamSummary(ctx: Ctx, id: string) {
    const [team] = await store.listTeams(this.db, partnershipOf(ctx), { id });
    if (!team) throw new NotFoundError('Team');
    return team;
  }

  async listTeamMembers(ctx: Ctx, teamId: string) {
    const partnershipId = await this.require(ctx, 'partnership.administer', 'team.members.view');
    const members = await store.listTeamMembers(this.db, partnershipId, teamId);
    await this.audit.recordAlone(ctx, {
      action: 'team.members.view',
      subjectType: 'team',
      subjectId: teamId,
      detail: { shown: members.length },
    });
    return members;
  }

  async createTeam(ctx: Ctx, input: TeamInput) {
    const partnershipId = await this.require(ctx, 'partnership.administer', 'team.create');
    return this.db.transaction().execute(async (tx) => {
      await this.assertOrganisation(tx, partnershipId, input.organisationId);
      await this.assertLocality(tx, partnershipId, input.localityId);
      const team = await uniqueName('name', `A team called ${input.name} already exists`, () =>
        store.insertTeam(tx, { partnershipId, ...input }),
      );
      await this.audit.record(tx, ctx, {
        action: 'team.create',
        subjectType: 'team',
        subjectId: team.id,
        detail: { name: team.name },
      });
      return team;
    });
  }

  async updateTeam(ctx: Ctx, id: string, input: TeamUpdate) {
    const partnershipId = await this.require(ctx, 'partnership.administer', 'team.update');
    const { version, ...changes } = input;
    return this.db.transaction().execute(async (tx) => {
      await this.assertOrganisation(tx, partnershipId, changes.organisationId);
      await this.assertLocality(tx, partnershipId, changes.localityId);
      const before = await store.findTeam(tx, partnershipId, id);
      if (!before) throw new NotFoundError('Team');
      const team = await uniqueName('name', `A team called ${changes.name} already exists`, () =>
        store.updateTeam(tx, partnershipId, id, version, changes),
      );
      if (!team) throw staleEdit('team', before.version);
      await this.audit.record(tx, ctx, {
        action: 'team.update',
        subjectType: 'team',
        subjectId: id,
        detail: { changed: changedFields(before, changes) },
      });
      return team;
    });
  }

  // User accounts

  async listUsers(ctx: Ctx, query: ListQuery) {
    const partnershipId = await this.require(ctx, 'partnership.administer', 'user.list');
    const result = await store.listUsers(this.db, partnershipId, { search: query.q, page: query.page });
    // Lists and searches are where people's details leak, so they are audited like a single look.
    await this.audit.recordAlone(ctx, {
      action: 'user.list',
      detail: { search: query.q, page: query.page, shown: result.rows.length, total: result.total },
    });
    return result;
  }

  async getUser(ctx: Ctx, id: string) {
    const partnershipId = await this.require(ctx, 'partnership.administer', 'user.view');
    const user = await store.findUser(this.db, partnershipId, id);
    if (!user) throw new NotFoundError('User account');
    const memberships = await store.listMemberships(this.db, partnershipId, id);
    await this.audit.recordAlone(ctx, { action: 'user.view', subjectType: 'user', subjectId: id });
    return { user, memberships };
  }

  async createUser(ctx: Ctx, input: UserInput) {
    const partnershipId = await this.require(ctx, 'partnership.administer', 'user.create');
    const { password, ...account } = input;
    const passwordHash = await hash(password);
    return this.db.transaction().execute(async (tx) => {
      await this.assertOrganisation(tx, partnershipId, account.organisationId);
      if (await store.emailTaken(tx, account.email)) throw emailInUse();
      const user = await uniqueName('email', emailInUse().message, () =>
        store.insertUser(tx, { partnershipId, ...account, passwordHash }),
      );
      await this.audit.record(tx, ctx, {
        action: 'user.create',
        subjectType: 'user',
        subjectId: user.id,
        detail: { roles: account.roles, organisationId: account.organisationId },
      });
      return user;
    });
  }

  async updateUser(ctx: Ctx, id: string, input: UserUpdate) {
    const partnershipId = await this.require(ctx, 'partnership.administer', 'user.update');
    const { version, ...changes } = input;
    return this.db.transaction().execute(async (tx) => {
      await this.assertOrganisation(tx, partnershipId, changes.organisationId);
      const before = await store.findUser(tx, partnershipId, id);
      if (!before) throw new NotFoundError('User account');
      if (await store.emailTaken(tx, changes.email, id)) throw emailInUse();
      if (isSelf(ctx, id) && !changes.roles.includes('partnership_admin')) {
        throw new ValidationError([
          {
            field: 'roles',
            message: 'You cannot remove your own administrator role: ask another administrator',
          },
        ]);
      }
      const user = await uniqueName('email', emailInUse().message, () =>
        store.updateUser(tx, partnershipId, id, version, changes),
      );
      if (!user) throw staleEdit('user account', before.version);
      await this.audit.record(tx, ctx, {
        action: 'user.update',
        subjectType: 'user',
        subjectId: id,
        detail: { changed: changedFields(before, changes), roles: changes.roles },
      });
      return user;
    });
  }

  /** Deactivated accounts cannot sign in and lose their sessions; nothing is deleted. */
  async setUserActive(ctx: Ctx, id: string, version: number, active: boolean) {
    const action = active ? 'user.reactivate' : 'user.deactivate';
    const partnershipId = await this.require(ctx, 'partnership.administer', action);
    if (!active && isSelf(ctx, id)) {
      throw new ConflictError('You cannot deactivate your own account: ask another administrator');
    }
    return this.db.transaction().execute(async (tx) => {
      const before = await store.findUser(tx, partnershipId, id);
      if (!before) throw new NotFoundError('User account');
      const user = await store.updateUser(tx, partnershipId, id, version, {
        active,
        deactivatedAt: active ? null : ctx.now,
        ...(active ? { failedSignIns: 0, lockedUntil: null } : {}),
      });
      if (!user) throw staleEdit('user account', before.version);
      if (!active)
        await tx
          .deleteFrom('sessions')
          .where('partnershipId', '=', partnershipId)
          .where('userId', '=', id)
          .execute();
      await this.audit.record(tx, ctx, { action, subjectType: 'user', subjectId: id });
      return user;
    });
  }

  /** Lifts a lock after failed sign-ins, before it would end by itself. */
  async unlockUser(ctx: Ctx, id: string, version: number) {
    const partnershipId = await this.require(ctx, 'partnership.administer', 'user.unlock');
    return this.db.transaction().execute(async (tx) => {
      const before = await store.findUser(tx, partnershipId, id);
      if (!before) throw new NotFoundError('User account');
      const user = await store.updateUser(tx, partnershipId, id, version, {
        failedSignIns: 0,
        lockedUntil: null,
      });
      if (!user) throw staleEdit('user account', before.version);
      await this.audit.record(tx, ctx, { action: 'user.unlock', subjectType: 'user', subjectId: id });
      return user;
    });
  }

  /** An administrator sets a new password for someone who forgot theirs; their sessions end. */
  async setPassword(ctx: Ctx, id: string, input: PasswordReset) {
    const partnershipId = await this.require(ctx, 'partnership.administer', 'user.password.reset');
    const passwordHash = await hash(input.password);
    return this.db.transaction().execute(async (tx) => {
      const before = await store.findUser(tx, partnershipId, id);
      if (!before) throw new NotFoundError('User account');
      const user = await store.updateUser(tx, partnershipId, id, input.version, {
        passwordHash,
        failedSignIns: 0,
        lockedUntil: null,
      });
      if (!user) throw staleEdit('user account', before.version);
      await tx
        .deleteFrom('sessions')
        .where('partnershipId', '=', partnershipId)
        .where('userId', '=', id)
        .execute();
      await this.audit.record(tx, ctx, { action: 'user.password.reset', subjectType: 'user', subjectId: id });
      return user;
    });
  }

  async addMembership(ctx: Ctx, userId: string, input: MembershipInput) {
    const partnershipId = await this.require(ctx, 'partnership.administer', 'membership.create');
    return this.db.transaction().execute(async (tx) => {
      if (!(await store.findUser(tx, partnershipId, userId))) throw new NotFoundError('User account');
      const team = await store.findTeam(tx, partnershipId, input.teamId);
      if (!team) throw new ValidationError([{ field: 'teamId', message: 'Select a team from the list' }]);
      const membership = await uniqueName('teamId', `They are already a member of ${team.name}`, () =>
        store.insertMembership(tx, { partnershipId, userId, ...input, startedOn: isoDate(ctx.now) }),
      );
      await this.audit.record(tx, ctx, {
        action: 'membership.create',
        subjectType: 'user',
        subjectId: userId,
        detail: { teamId: team.id, seconded: input.seconded, partTime: input.partTime },
      });
      return membership;
    });
  }

  async endMembership(ctx: Ctx, userId: string, membershipId: string) {
    const partnershipId = await this.require(ctx, 'partnership.administer', 'membership.end');
    return this.db.transaction().execute(async (tx) => {
      const ended = await store.endMembership(tx, partnershipId, membershipId, isoDate(ctx.now));
      if (!ended || ended.userId !== userId) throw new ConflictError('This membership has already ended');
      await this.audit.record(tx, ctx, {
        action: 'membership.end',
        subjectType: 'user',
        subjectId: userId,
        detail: { teamId: ended.teamId },
      });
      return ended;
    });
  }

  private async assertOrganisation(tx: Tx, partnershipId: string, id: string) {
    if (!(await store.findOrganisation(tx, partnershipId, id))) {
      throw new ValidationError([
        { field: 'organisationId', message: 'Select an organisation from the list' },
      ]);
    }
  }

  private async assertLocality(tx: Tx, partnershipId: string, id: string | null) {
    if (id === null) return;
    const localities = await store.listLocalities(tx, partnershipId);
    if (!localities.some((l) => l.id === id)) {
      throw new ValidationError([{ field: 'localityId', message: 'Select a locality from the list' }]);
    }
  }
}

export function partnershipOf(ctx: Ctx): string {
  const id = ctx.actor.partnershipId;
  if (!id) throw new ForbiddenError('No partnership is in scope');
  return id;
}

function isSelf(ctx: Ctx, userId: string) {
  return !isSystem(ctx.actor) && ctx.actor.userId === userId;
}

function isoDate(at: Date) {
  return at.toISOString().slice(0, 10);
}

function emailInUse() {
  return new ValidationError([
    { field: 'email', message: 'An account with this email address already exists' },
  ]);
}

function staleEdit(what: string, currentVersion: number) {
  return new ConflictError(
    `Someone else changed this ${what} while you were editing it (it is now at version ${currentVersion}). ` +
      'Reload the page to see their changes, then make yours again.',
  );
}

/** A unique index is the final word on duplicates: its violation becomes a message on the field. */
async function uniqueName<T>(field: string, message: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if ((error as { code?: string }).code === UNIQUE_VIOLATION)
      throw new ValidationError([{ field, message }]);
    throw error;
  }
}

/** Names of the fields an edit changed, for the audit trail (values of personal fields stay out). */
function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  return Object.keys(after).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
}
