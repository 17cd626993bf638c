import { describe, expect, it } from 'vitest';
import { signInAs } from './pages/flows.ts';
import { OrganisationFormPage } from './pages/organisation-form-page.ts';
import { OrganisationsPage } from './pages/organisations-page.ts';
import { useJourneys } from './support/journeys.ts';

const journeys = useJourneys();

describe('without JavaScript', () => {
  it('an administrator signs in and adds an organisation', async () => {
    const journey = await journeys.start('d1-no-javascript', { javaScript: false });
    const name = `Northbridge Toy Library ${Date.now().toString(36)}`;

    const home = await signInAs(journey, 'admin@northbridge.example', journeys.demoPassword, 'Alex Morgan');
    // The page scripts did not run: GOV.UK Frontend marks the body when they do.
    expect(await journey.page.locator('body.govuk-frontend-supported').count()).toBe(0);

    await home.openPanelLink('Organisations');
    await (await OrganisationsPage.verifyOnPage(journey)).addOrganisation();
    const form = await OrganisationFormPage.verifyOnPage(journey);
    await form.fillIn({ name, sector: 'Voluntary and community', kind: 'Toy library' });
    await form.save();

    const organisations = await OrganisationsPage.verifyOnPage(journey);
    expect(await organisations.banner()).toBe(`${name} was added`);
    expect(await organisations.rowFor(name)).toEqual([
      name,
      'Voluntary and community',
      'Toy library',
      'Whole area',
      'Active',
    ]);
    await journey.end();
  });
});
