import { BasePage } from './base-page.ts';

export class TeamsPage extends BasePage {
  static readonly heading = 'Teams';

  async addTeam(): Promise<void> {
    await this.follow(this.page.getByRole('button', { name: 'Add a team' }));
  }

  async openTeam(name: string): Promise<void> {
    await this.follow(this.page.locator('main table').getByRole('link', { name, exact: true }));
  }
}
