import { BasePage } from './base-page.ts';

export class SignInPage extends BasePage {
  static readonly heading = 'Sign in to Wraparound';

  async signIn(email: string, password: string): Promise<void> {
    await this.page.getByLabel('Email address').fill(email);
    await this.page.getByLabel('Password', { exact: true }).fill(password);
    await this.submitWith(this.page.getByRole('button', { name: 'Sign in' }));
  }

  async emailValue(): Promise<string> {
    return this.page.getByLabel('Email address').inputValue();
  }
}
