import type { FastifyInstance } from 'fastify';
import { ROLE_LABELS, STAFF_ROLES, type Ctx } from '../../common/context.ts';
import { registerFormPage, pathParams } from '../../web/form-route.ts';
import { parseWith } from '../../web/forms.ts';
import type { WebServices } from '../../web/app.ts';
import { ValidationError } from '../../common/errors.ts';
import {
  ListQuery,
  MembershipInput,
  OrganisationInput,
  OrganisationUpdate,
  SECTOR_LABELS,
  SECTORS,
  TeamInput,
  TeamUpdate,
  UserInput,
  UserUpdate,
  VersionOnly,
  PasswordReset,
  PASSWORD_MIN_LENGTH,
} from './access.schemas.ts';
import { PAGE_SIZE } from './access.store.ts';

/** Every page here is for partnership administrators; the service checks again. */
const ADMIN = { config: { access: 'partnership.administer' } } as const;

const sectorItems = SECTORS.map((value) => ({ value, text: SECTOR_LABELS[value] }));
const roleItems = STAFF_ROLES.map((value) => ({ value, text: ROLE_LABELS[value] }));
/** Ids as the names a person chose them by, for the list of what someone else saved. */
const namesOf = (rows: { id: string; name: string }[]) => Object.fromEntries(rows.map((r) => [r.id, r.name]));

/** Partnership administration: organisations, teams and user accounts. The service checks the role. */
export function registerAccessRoutes(
  app: FastifyInstance,
  { access, twoFactor }: Pick<WebServices, 'access' | 'twoFactor'>,
) {
  app.register(async (admin) => {
    admin.get('/admin', ADMIN, async (_request, reply) => reply.page('access/views/admin.njk'));

    // Organisations
    admin.get('/admin/organisations', ADMIN, async (request, reply) => {
      const organisations = await access.listOrganisations(request.ctx());
      return reply.page('access/views/organisations.njk', { organisations });
    });

    const organisationChoices = async (ctx: Ctx) => ({
      sectorItems,
      localities: await access.listLocalities(ctx),
    });

    registerFormPage(admin, {
      access: 'partnership.administer',
      url: '/admin/organisations/new',
      view: 'access/views/organisation-form.njk',
      schema: OrganisationInput,
      load: async (ctx) => ({ ...(await organisationChoices(ctx)), values: { active: true } }),
      submit: async (ctx, data) => {
        const org = await access.createOrganisation(ctx, data);
        return { redirect: '/admin/organisations', flash: `${org.name} was added` };
      },
    });

    registerFormPage(admin, {
      access: 'partnership.administer',
      url: '/admin/organisations/:organisationId/edit',
      view: 'access/views/organisation-form.njk',
      schema: OrganisationUpdate,
      load: async (ctx, { organisationId }) => ({
        ...(await organisationChoices(ctx)),
        values: await access.getOrganisation(ctx, organisationId!),
        editing: true,
      }),
      fieldLabels: ({ localities }) => ({
        sector: { label: 'Sector', choices: SECTOR_LABELS },
        kind: 'Type of organisation',
        localityId: { label: 'Locality', choices: namesOf(localities) },
        active: { label: 'Active', choices: { yes: 'Yes' } },
      }),
      submit: async (ctx, data, { organisationId }) => {
        const org = await access.updateOrganisation(ctx, organisationId!, data);
        return { redirect: '/admin/organisations', flash: `${org.name} was updated` };
      },
    });

    // Teams
    admin.get('/admin/teams', ADMIN, async (request, reply) => {
      const teams = await access.listTeams(request.ctx());
      return reply.page('access/views/teams.njk', { teams });
    });

    admin.get('/admin/teams/:teamId', ADMIN, async (request, reply) => {
      const { teamId } = pathParams(request);
      const ctx = request.ctx();
      const team = await access.getTeamSummary(ctx, teamId!);
      const members = await access.listTeamMembers(ctx, teamId!);
      return reply.page('access/views/team.njk', { team, members });
    });

    const teamChoices = async (ctx: Ctx) => ({
      organisations: await access.listOrganisations(ctx),
      localities: await access.listLocalities(ctx),
    });

    registerFormPage(admin, {
      access: 'partnership.administer',
      url: '/admin/teams/new',
      view: 'access/views/team-form.njk',
      schema: TeamInput,
      load: async (ctx) => ({ ...(await teamChoices(ctx)), values: { active: true } }),
      submit: async (ctx, data) => {
        const team = await access.createTeam(ctx, data);
        return { redirect: `/admin/teams/${team.id}`, flash: `${team.name} was added` };
      },
    });

    registerFormPage(admin, {
      access: 'partnership.administer',
      url: '/admin/teams/:teamId/edit',
      view: 'access/views/team-form.njk',
      schema: TeamUpdate,
      load: async (ctx, { teamId }) => ({
        ...(await teamChoices(ctx)),
        values: await access.getTeam(ctx, teamId!),
        editing: true,
      }),
      submit: async (ctx, data, { teamId }) => {
        const team = await access.updateTeam(ctx, teamId!, data);
        return { redirect: `/admin/teams/${team.id}`, flash: `${team.name} was updated` };
      },
    });

    // User accounts
    admin.get('/admin/users', ADMIN, async (request, reply) => {
      const parsed = parseWith(ListQuery, request.query);
      const query = parsed.ok ? parsed.data : { q: '', page: 1 };
      const { rows, total } = await access.listUsers(request.ctx(), query);
      const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
      return reply.page('access/views/users.njk', { users: rows, total, query, pages });
    });

    const userChoices = async (ctx: Ctx) => ({
      organisations: await access.listOrganisations(ctx),
      roleItems,
      passwordMinLength: PASSWORD_MIN_LENGTH,
    });

    registerFormPage(admin, {
      access: 'partnership.administer',
      url: '/admin/users/new',
      view: 'access/views/user-form.njk',
      schema: UserInput,
      load: async (ctx) => ({ ...(await userChoices(ctx)), values: { roles: ['practitioner'] } }),
      submit: async (ctx, data) => {
        const user = await access.createUser(ctx, data);
        return {
          redirect: `/admin/users/${user.id}`,
          flash: `An account was created for ${data.displayName}`,
        };
      },
    });

    registerFormPage(admin, {
      access: 'partnership.administer',
      url: '/admin/users/:userId/edit',
      view: 'access/views/user-form.njk',
      schema: UserUpdate,
      load: async (ctx, { userId }) => ({
        ...(await userChoices(ctx)),
        values: (await access.getUser(ctx, userId!)).user,
        editing: true,
      }),
      fieldLabels: ({ organisations }) => ({
        displayName: 'Full name',
        email: 'Email address',
        jobTitle: 'Job title',
        organisationId: { label: 'Home organisation', choices: namesOf(organisations) },
        roles: { label: 'Roles', choices: ROLE_LABELS },
      }),
      submit: async (ctx, data, { userId }) => {
        await access.updateUser(ctx, userId!, data);
        return { redirect: `/admin/users/${userId}`, flash: `${data.displayName}’s account was updated` };
      },
    });

    const userPage = async (ctx: Ctx, userId: string) => {
      const { user, memberships } = await access.getUser(ctx, userId);
      const locked = user.lockedUntil !== null && user.lockedUntil > ctx.now;
      const teams = await access.listTeams(ctx);
      return { user, memberships, locked, teams, twoFactor: await twoFactor.statusFor(ctx, userId) };
    };

    admin.get('/admin/users/:userId', ADMIN, async (request, reply) => {
      const { userId } = pathParams(request);
      return reply.page('access/views/user.njk', await userPage(request.ctx(), userId!));
    });

    registerFormPage(admin, {
      access: 'partnership.administer',
      url: '/admin/users/:userId/memberships',
      view: 'access/views/user.njk',
      schema: MembershipInput,
      load: (ctx, { userId }) => userPage(ctx, userId!),
      submit: async (ctx, data, { userId }) => {
        await access.addMembership(ctx, userId!, data);
        return { redirect: `/admin/users/${userId}`, flash: 'They were added to the team' };
      },
    });

    admin.post('/admin/users/:userId/memberships/:membershipId/end', ADMIN, async (request, reply) => {
      const { userId, membershipId } = pathParams(request);
      await access.endMembership(request.ctx(), userId!, membershipId!);
      return reply.flash('Their membership of the team has ended').redirect(`/admin/users/${userId}`, 303);
    });

    // Deactivation asks first; its confirmation page is where the POST comes from.
    admin.get('/admin/users/:userId/deactivate', ADMIN, async (request, reply) => {
      const { userId } = pathParams(request);
      const { user } = await access.getUser(request.ctx(), userId!);
      return reply.page('access/views/user-deactivate.njk', { user });
    });

    const accountActions = {
      deactivate: (ctx, userId, version) => access.setUserActive(ctx, userId, version, false),
      reactivate: (ctx, userId, version) => access.setUserActive(ctx, userId, version, true),
      unlock: (ctx, userId, version) => access.unlockUser(ctx, userId, version),
    } satisfies Record<string, (ctx: Ctx, userId: string, version: number) => Promise<unknown>>;
    const accountActionMessages: Record<keyof typeof accountActions, string> = {
      deactivate: 'The account was deactivated and signed out',
      reactivate: 'The account was reactivated',
      unlock: 'The account was unlocked: they can sign in again',
    };
    for (const [name, act] of Object.entries(accountActions)) {
      admin.post(`/admin/users/:userId/${name}`, ADMIN, async (request, reply) => {
        const { userId } = pathParams(request);
        const parsed = parseWith(VersionOnly, request.body);
        if (!parsed.ok) throw new ValidationError(parsed.errors);
        await act(request.ctx(), userId!, parsed.data.version);
        return reply
          .flash(accountActionMessages[name as keyof typeof accountActions])
          .redirect(`/admin/users/${userId}`, 303);
      });
    }

    registerFormPage(admin, {
      access: 'partnership.administer',
      url: '/admin/users/:userId/password',
      view: 'access/views/user-password.njk',
      schema: PasswordReset,
      load: async (ctx, { userId }) => {
        const { user } = await access.getUser(ctx, userId!);
        return { user, values: { version: user.version }, passwordMinLength: PASSWORD_MIN_LENGTH };
      },
      submit: async (ctx, data, { userId }) => {
        await access.setPassword(ctx, userId!, data);
        return {
          redirect: `/admin/users/${userId}`,
          flash: 'A new password was set and their sessions were ended',
        };
      },
    });
  });
}
