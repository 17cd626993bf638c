import { describe, expect, it } from 'vitest';
import { AdminPage } from './pages/admin-page.ts';
import { signInAs } from './pages/flows.ts';
import { OrganisationFormPage } from './pages/organisation-form-page.ts';
import { OrganisationsPage } from './pages/organisations-page.ts';
import { SignInPage } from './pages/sign-in-page.ts';
import { TeamFormPage } from './pages/team-form-page.ts';
import { TeamPage } from './pages/team-page.ts';
import { TeamsPage } from './pages/teams-page.ts';
import { UserFormPage } from './pages/user-form-page.ts';
import { DeactivatePage } from './pages/deactivate-page.ts';
import { UserPage } from './pages/user-page.ts';
import { UsersPage } from './pages/users-page.ts';
import { useJourneys } from './support/journeys.ts';

const journeys = useJourneys();
const ADMIN = { email: 'admin@northbridge.example', name: 'Alex Morgan' };
/** Names made for this run, so the journey never meets a record it did not make. */
const run = Date.now().toString(36);

describe('partnership administration', () => {
  it('an administrator adds an organisation, a team and an account; the account signs in until it is deactivated', async () => {
    const admin = await journeys.start('b1-administrator-sets-up-an-account');
    const organisation = `Riverside Youth Project ${run}`;
    const team = `Riverside Outreach ${run}`;
    const person = {
      displayName: `Jordan Ellis ${run}`,
      email: `jordan.ellis.${run}@northbridge.example`,
      password: 'a long enough password',
    };

    // An organisation
    const home = await signInAs(admin, ADMIN.email, journeys.demoPassword, ADMIN.name);
    await home.openPanelLink('Organisations');
    const organisations = await OrganisationsPage.verifyOnPage(admin);
    await organisations.addOrganisation();
    const orgForm = await OrganisationFormPage.verifyOnPage(admin);
    await orgForm.fillIn({
      name: organisation,
      sector: 'Voluntary and community',
      kind: 'Youth charity',
      locality: 'Eastbrook and Canal Side',
    });
    await orgForm.save();
    const withOrganisation = await OrganisationsPage.verifyOnPage(admin);
    expect(await withOrganisation.banner()).toBe(`${organisation} was added`);
    expect(await withOrganisation.rowFor(organisation)).toEqual([
      organisation,
      'Voluntary and community',
      'Youth charity',
      'Eastbrook and Canal Side',
      'Active',
    ]);

    // A team hosted by it
    await withOrganisation.openNavigation('Administration');
    await (await AdminPage.verifyOnPage(admin)).open('Teams');
    await (await TeamsPage.verifyOnPage(admin)).addTeam();
    const teamForm = await TeamFormPage.verifyOnPage(admin);
    await teamForm.fillIn({
      name: team,
      hostedBy: organisation,
      locality: 'Eastbrook and Canal Side',
      multiAgency: true,
    });
    await teamForm.save();
    const newTeam = await TeamPage.verifyOnPage(admin, team);
    expect(await newTeam.banner()).toBe(`${team} was added`);
    expect(await newTeam.members()).toEqual([]);

    // An account whose home is the health trust, seconded part time to the new team
    await newTeam.openNavigation('Administration');
    await (await AdminPage.verifyOnPage(admin)).open('User accounts');
    await (await UsersPage.verifyOnPage(admin)).createAccount();
    const userForm = await UserFormPage.verifyOnPage(admin);
    await userForm.fillIn({
      ...person,
      jobTitle: 'Youth worker',
      organisation: 'Northbridge Community Health Trust',
      roles: ['Practitioner', 'Front-door (triage) worker'],
    });
    await userForm.create();
    const account = await UserPage.verifyOnPage(admin, person.displayName);
    expect(await account.banner()).toBe(`An account was created for ${person.displayName}`);
    expect(await account.roles()).toBe('Practitioner, Front-door (triage) worker');

    await account.addToTeam({ team, seconded: true, partTime: true });
    const member = await UserPage.verifyOnPage(admin, person.displayName);
    expect(await member.banner()).toBe('They were added to the team');
    expect(await member.memberships()).toEqual([
      expect.objectContaining({ team, hostedBy: organisation, arrangement: 'Seconded, part time' }),
    ]);

    // The team's page lists them
    await member.openNavigation('Administration');
    await (await AdminPage.verifyOnPage(admin)).open('Teams');
    await (await TeamsPage.verifyOnPage(admin)).openTeam(team);
    const teamPage = await TeamPage.verifyOnPage(admin, team);
    expect(await teamPage.members()).toEqual([
      expect.objectContaining({
        name: person.displayName,
        jobTitle: 'Youth worker',
        homeOrganisation: 'Northbridge Community Health Trust (Health)',
        arrangement: 'Seconded, part time',
      }),
    ]);

    // The new person signs in and sees the team
    const newcomer = await journeys.start('b1-new-account-signs-in');
    const theirHome = await signInAs(newcomer, person.email, person.password, person.displayName);
    expect(await theirHome.organisation()).toBe('Northbridge Community Health Trust');
    expect(await theirHome.teams()).toEqual([
      { team, hostedBy: organisation, arrangement: 'Seconded, part time' },
    ]);

    // Deactivated, they are signed out and cannot sign in again
    await teamPage.openMember(person.displayName);
    const toDeactivate = await UserPage.verifyOnPage(admin, person.displayName);
    await toDeactivate.startDeactivation();
    await (await DeactivatePage.verifyOnPage(admin)).confirm();
    const deactivated = await UserPage.verifyOnPage(admin, person.displayName);
    expect(await deactivated.banner()).toBe('The account was deactivated and signed out');
    expect(await deactivated.isDeactivated()).toBe(true);

    await newcomer.visit('/');
    const signedOut = await SignInPage.verifyOnPage(newcomer);
    await signedOut.signIn(person.email, person.password);
    const refused = await SignInPage.verifyOnPage(newcomer);
    expect((await refused.errorSummary())?.links).toEqual([
      {
        text: 'This account has been deactivated. Ask your partnership administrator if you still need access.',
        href: '#email',
      },
    ]);

    await newcomer.end();
    await admin.end();
  });

  it('a form sent with mistakes shows the error summary and keeps what was typed', async () => {
    const admin = await journeys.start('b2-account-form-with-mistakes');
    await signInAs(admin, ADMIN.email, journeys.demoPassword, ADMIN.name);
    await admin.visit('/admin/users/new');
    const form = await UserFormPage.verifyOnPage(admin);
    await form.fillIn({
      displayName: `Robin Hale ${run}`,
      email: 'robin.hale at northbridge',
      jobTitle: 'Mentor',
      roles: [],
      password: 'short',
    });
    await form.create();

    const again = await UserFormPage.verifyOnPage(admin);
    expect(await again.title()).toMatch(/^Error: /);
    const summary = await again.errorSummary();
    expect(summary?.title).toBe('There is a problem');
    expect(summary?.links).toEqual([
      { text: 'Enter an email address in the correct format, like name@example.org', href: '#email' },
      { text: 'Select the person’s home organisation', href: '#organisationId' },
      { text: 'Select at least one role', href: '#roles' },
      { text: 'Password must be at least 12 characters', href: '#password' },
    ]);
    expect(await again.fieldError('email')).toBe(
      'Enter an email address in the correct format, like name@example.org',
    );
    // What they typed is still there, apart from the password, which is never sent back.
    expect(await again.value('Full name')).toBe(`Robin Hale ${run}`);
    expect(await again.value('Email address')).toBe('robin.hale at northbridge');
    expect(await again.value('Job title (optional)')).toBe('Mentor');
    // No role was ticked; the form must not tick its default again behind the person's back.
    expect(await again.checkedRoles()).toEqual([]);
    expect(await again.value('Initial password')).toBe('');
    await admin.end();
  });
});
