import { describe, expect, it } from 'vitest';
import { totpCode } from '../src/modules/access/index.ts';
import { signInAs } from './pages/flows.ts';
import { HomePage } from './pages/home-page.ts';
import { SignInPage } from './pages/sign-in-page.ts';
import {
  AccountPage,
  RecoveryCodePage,
  RecoveryCodesPage,
  TwoFactorPage,
  TwoFactorSetUpPage,
} from './pages/two-factor-page.ts';
import { useJourneys } from './support/journeys.ts';

const journeys = useJourneys();
const PERSON = { email: 'housing@northbridge.example', name: 'Lucy Brennan' };

describe('two-factor sign-in', () => {
  it('a practitioner turns it on, then signs in with a recovery code after a wrong code', async () => {
    const journey = await journeys.start('f1-practitioner-turns-on-two-factor');
    const home = await signInAs(journey, PERSON.email, journeys.demoPassword, PERSON.name);
    await journey.navigate(() => home.page.getByRole('link', { name: 'Your account' }).click());
    const account = await AccountPage.verifyOnPage(journey);
    expect(await account.status()).toBe('Off');

    await account.turnOnTwoFactor();
    const setUp = await TwoFactorSetUpPage.verifyOnPage(journey);
    expect(await setUp.hasQrCode()).toBe(true);
    const secret = await setUp.secret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);

    // A slip first: the code field says what is wrong, and links from the summary.
    await setUp.confirm('12345');
    const again = await TwoFactorSetUpPage.verifyOnPage(journey);
    expect((await again.errorSummary())?.links).toEqual([
      { text: 'The code must be 6 numbers', href: '#code' },
    ]);
    await again.confirm(totpCode(secret, new Date()));

    const codesPage = await RecoveryCodesPage.verifyOnPage(journey);
    const codes = await codesPage.codes();
    expect(codes).toHaveLength(10);
    await codesPage.saved();
    const on = await AccountPage.verifyOnPage(journey);
    expect(await on.status()).toBe('On');
    await on.signOut();

    // Signing in again asks for a code.
    const signIn = await SignInPage.verifyOnPage(journey);
    await signIn.signIn(PERSON.email, journeys.demoPassword);
    const twoFactor = await TwoFactorPage.verifyOnPage(journey);
    await twoFactor.enterCode('000000');
    const wrong = await TwoFactorPage.verifyOnPage(journey);
    expect(await wrong.title()).toMatch(/^Error: /);
    expect((await wrong.errorSummary())?.links).toEqual([
      {
        text: 'The code is not correct. Check your authenticator app and enter the code it shows now',
        href: '#code',
      },
    ]);

    await wrong.useRecoveryCode();
    const recovery = await RecoveryCodePage.verifyOnPage(journey);
    await recovery.enterCode(codes[0]!);
    const signedIn = await HomePage.verifyOnPage(journey, PERSON.name);
    expect(await signedIn.banner()).toContain('You have 9 recovery codes left');
    await journey.end();
  });
});
