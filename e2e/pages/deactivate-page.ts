import { BasePage } from './base-page.ts';

/** "Deactivate this account?": the confirmation before an account is deactivated. */
export class DeactivatePage extends BasePage {
  static readonly heading = /^Deactivate .+’s account\?$/;

  async confirm(): Promise<void> {
    await this.submitWith(this.page.locator('form').getByRole('button', { name: 'Deactivate account' }));
  }
}
