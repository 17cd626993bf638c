import type { Journey } from '../support/journey.ts';
import { HomePage } from './home-page.ts';
import { SignInPage } from './sign-in-page.ts';

/** Opens the sign-in page, signs in and lands on the home page, whose heading is the person's name. */
export async function signInAs(
  journey: Journey,
  email: string,
  password: string,
  name: string,
): Promise<HomePage> {
  await journey.visit('/sign-in');
  const signIn = await SignInPage.verifyOnPage(journey);
  await signIn.signIn(email, password);
  return HomePage.verifyOnPage(journey, name);
}
