import { DEMO_TOTP_SECRET } from '../../src/modules/access/index.ts';
import type { Journey } from '../support/journey.ts';
import { HomePage } from './home-page.ts';
import { SignInPage } from './sign-in-page.ts';
import { TwoFactorPage } from './two-factor-page.ts';

/**
 * Opens the sign-in page, signs in and lands on the home page, whose heading is the person's name.
 * Accounts with two-factor sign-in (the demo's administrator and privacy officer) are asked for a
 * code next: it comes from the demo's published TOTP secret, as a tester's authenticator app would.
 */
export async function signInAs(
  journey: Journey,
  email: string,
  password: string,
  name: string,
  totpSecret = DEMO_TOTP_SECRET,
): Promise<HomePage> {
  await journey.visit('/sign-in');
  const signIn = await SignInPage.verifyOnPage(journey);
  await signIn.signIn(email, password);
  if (new URL(journey.page.url()).pathname === '/sign-in/two-factor') {
    const twoFactor = await TwoFactorPage.verifyOnPage(journey);
    await twoFactor.enterCurrentCode(totpSecret);
  }
  return HomePage.verifyOnPage(journey, name);
}
