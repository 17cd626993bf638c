import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ROLE_LABELS, ROLES } from '../../common/context.ts';
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
  PASSWORD_MIN_LENGTH,
} from './access.schemas.ts';
import { PAGE_SIZE } from './access.store.ts';

const sectorItems = SECTORS.map((value) => ({ value, text: SECTOR_LABELS[value] }));
const roleItems = ROLES.map((value) => ({ value, text: ROLE_LABELS[value] }));

/** Partnership administration: organisations, teams and user accounts. The service checks the role. */
export function registerAccessRoutes(app: FastifyInstance, { access }: Pick<WebServices, 'access'>) {
  const guard = async (request: FastifyRequest) => {
    await access.require(request.ctx(), 'partnership.administer', 'admin.view');
  };

  app.register(async (admin) => {
    admin.addHook('preHandler', guard);

    admin.get('/admin', async (_request, reply) => reply.page('access/views/admin.njk'));

    // Organisations
    admin.get('/admin/organisations', async (request, reply) => {
      const organisations = await access.listOrganisations(request.ctx());
      return reply.page('access/views/organisations.njk', { organisations });
    });

    const organisationChoices = async (ctx: Parameters<typeof access.listLocalities>[0]) => ({
      sectorItems,
      localities: await access.listLocalities(ctx),
    });

    registerFormPage(admin, {
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
      url: '/admin/organisations/:organisationId/edit',
      view: 'access/views/organisation-form.njk',
      schema: OrganisationUpdate,
      load: async (ctx, { organisationId }) => ({
        ...(await organisationChoices(ctx)),
        values: await access.getOrganisation(ctx, organisationId!),
        editing: true,
      }),
      submit: async (ctx, data, { organisationId }) => {
        const org = await access.updateOrganisation(ctx, organisationId!, data);
        return { redirect: '/admin/organisations', flash: `${org.name} was updated` };
      },
    });

    // Teams
    admin.get('/admin/teams', async (request, reply) => {
      const teams = await access.listTeams(request.ctx());
      return reply.page('access/views/teams.njk', { teams });
    });

    admin.get('/admin/teams/:teamId', async (request, reply) => {
      const { teamId } = pathParams(request);
      const ctx = request.ctx();
      const [team, members] = await Promise.all([
        access.getTeam(ctx, teamId!),
        access.listTeamMembers(ctx, teamId!),
      ]);
      return reply.page('access/views/team.njk', { team, members });
    });

    const teamChoices = async (ctx: Parameters<typeof access.listLocalities>[0]) => ({
      organisations: await access.listOrganisations(ctx),
      localities: await access.listLocalities(ctx),
    });

    registerFormPage(admin, {
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
    admin.get('/admin/users', async (request, reply) => {
      const parsed = parseWith(ListQuery, request.query);
      const query = parsed.ok ? parsed.data : { q: '', page: 1 };
      const { rows, total } = await access.listUsers(request.ctx(), query);
      const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
      return reply.page('access/views/users.njk', { users: rows, total, query, pages });
    });

    const userChoices = async (ctx: Parameters<typeof access.listLocalities>[0]) => ({
      organisations: await access.listOrganisations(ctx),
      roleItems,
      passwordMinLength: PASSWORD_MIN_LENGTH,
    });

    registerFormPage(admin, {
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
      url: '/admin/users/:userId/edit',
      view: 'access/views/user-form.njk',
      schema: UserUpdate,
      load: async (ctx, { userId }) => ({
        ...(await userChoices(ctx)),
        values: (await access.getUser(ctx, userId!)).user,
        editing: true,
      }),
      submit: async (ctx, data, { userId }) => {
        await access.updateUser(ctx, userId!, data);
        return { redirect: `/admin/users/${userId}`, flash: `${data.displayName}’s account was updated` };
      },
    });

    const userPage = async (ctx: Parameters<typeof access.getUser>[0], userId: string, extra = {}) => ({
      ...(await access.getUser(ctx, userId)),
      teams: await access.listTeams(ctx),
      ...extra,
    });

    admin.get('/admin/users/:userId', async (request, reply) => {
      const { userId } = pathParams(request);
      return reply.page('access/views/user.njk', await userPage(request.ctx(), userId!));
    });

    registerFormPage(admin, {
      url: '/admin/users/:userId/memberships',
      view: 'access/views/user.njk',
      schema: MembershipInput,
      load: (ctx, { userId }) => userPage(ctx, userId!),
      submit: async (ctx, data, { userId }) => {
        await access.addMembership(ctx, userId!, data);
        return { redirect: `/admin/users/${userId}`, flash: 'They were added to the team' };
      },
    });

    admin.post('/admin/users/:userId/memberships/:membershipId/end', async (request, reply) => {
      const { userId, membershipId } = pathParams(request);
      await access.endMembership(request.ctx(), userId!, membershipId!);
      return reply.flash('Their membership of the team has ended').redirect(`/admin/users/${userId}`, 303);
    });

    for (const [action, active] of [
      ['deactivate', false],
      ['reactivate', true],
    ] as const) {
      admin.post(`/admin/users/:userId/${action}`, async (request, reply) => {
        const { userId } = pathParams(request);
        const parsed = parseWith(VersionOnly, request.body);
        if (!parsed.ok) throw new ValidationError(parsed.errors);
        await access.setUserActive(request.ctx(), userId!, parsed.data.version, active);
        const message = active ? 'The account was reactivated' : 'The account was deactivated and signed out';
        return reply.flash(message).redirect(`/admin/users/${userId}`, 303);
      });
    }
  });
}
