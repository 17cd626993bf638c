import { describe, expect, it } from 'vitest';
import { signInAs } from './pages/flows.ts';
import { SignInPage } from './pages/sign-in-page.ts';
import { useJourneys } from './support/journeys.ts';

const journeys = useJourneys();

describe('signing in and out', () => {
  it('a practitioner signs in, sees their organisation and teams, and signs out', async () => {
    const journey = await journeys.start('a1-practitioner-signs-in-and-out');
    const home = await signInAs(
      journey,
      'police@northbridge.example',
      journeys.demoPassword,
      'DC Mark Ellison',
    );

    expect(await home.organisation()).toBe('Northshire Police');
    expect(await home.roles()).toContain('Front-door (triage) worker');
    expect(await home.teams()).toEqual(
      expect.arrayContaining([
        {
          team: 'Front Door (Multi-Agency Safeguarding Hub)',
          hostedBy: 'Northbridge Council Children’s Services',
          arrangement: 'Seconded, full time',
        },
        {
          team: 'Public Protection Unit',
          hostedBy: 'Northshire Police',
          arrangement: 'Home organisation, full time',
        },
      ]),
    );

    await home.signOut();
    const signIn = await SignInPage.verifyOnPage(journey);
    expect(await signIn.banner()).toContain('You have signed out');
    // Signed out means signed out: the home page asks for a sign-in again.
    await journey.visit('/');
    await SignInPage.verifyOnPage(journey);
    await journey.end();
  });

  it('a wrong password shows the GOV.UK error summary linking to the field', async () => {
    const journey = await journeys.start('a2-wrong-password');
    await journey.visit('/sign-in');
    const signIn = await SignInPage.verifyOnPage(journey);
    await signIn.signIn('teacher@northbridge.example', 'not the password');

    const again = await SignInPage.verifyOnPage(journey);
    expect(await again.title()).toMatch(/^Error: /);
    expect(await again.errorSummary()).toEqual({
      title: 'There is a problem',
      links: [{ text: 'Enter a correct email address and password', href: '#email' }],
    });
    expect(await again.fieldError('email')).toBe('Enter a correct email address and password');
    expect(await again.emailValue()).toBe('teacher@northbridge.example');

    // The summary's link takes the person to the field in error.
    await journey.page.locator('.govuk-error-summary a[href="#email"]').click();
    expect(await journey.page.evaluate('document.activeElement && document.activeElement.id')).toBe('email');
    await journey.end();
  });
});
