import { BasePage } from './base-page.ts';

export type TeamMembershipRow = { team: string; hostedBy: string; arrangement: string };

/** The home page; its heading is the signed-in person's name. */
export class HomePage extends BasePage {
  static readonly heading = /\S/;

  organisation(): Promise<string> {
    return this.summaryValue('Organisation');
  }

  roles(): Promise<string> {
    return this.summaryValue('Roles');
  }

  async teams(): Promise<TeamMembershipRow[]> {
    const table = this.page.locator('table', {
      has: this.page.locator('caption', { hasText: 'Teams you belong to' }),
    });
    if ((await table.count()) === 0) return [];
    return (await this.tableRows(table)).map(([team = '', hostedBy = '', arrangement = '']) => ({
      team,
      hostedBy,
      arrangement,
    }));
  }

  async openPanelLink(text: string): Promise<void> {
    await this.follow(this.page.locator('main').getByRole('link', { name: text, exact: true }));
  }
}
