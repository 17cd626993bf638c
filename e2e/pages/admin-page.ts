import { BasePage } from './base-page.ts';

export class AdminPage extends BasePage {
  static readonly heading = 'Administer the partnership';

  async open(section: 'Organisations' | 'Teams' | 'User accounts'): Promise<void> {
    await this.follow(this.page.locator('main').getByRole('link', { name: section, exact: true }));
  }
}
