import { BasePage } from './base-page.ts';

export class UsersPage extends BasePage {
  static readonly heading = 'User accounts';

  async createAccount(): Promise<void> {
    await this.follow(this.page.getByRole('button', { name: 'Create an account' }));
  }
}
