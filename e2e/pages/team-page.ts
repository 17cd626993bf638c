import { BasePage } from './base-page.ts';

export type TeamMemberRow = {
  name: string;
  jobTitle: string;
  homeOrganisation: string;
  arrangement: string;
  since: string;
};

/** A team's page; its heading is the team's name. */
export class TeamPage extends BasePage {
  static readonly heading = /\S/;

  async members(): Promise<TeamMemberRow[]> {
    const rows = await this.tableRows(this.page.locator('main table'));
    return rows.map(([name = '', jobTitle = '', homeOrganisation = '', arrangement = '', since = '']) => ({
      name,
      jobTitle,
      homeOrganisation,
      arrangement,
      since,
    }));
  }

  async openMember(name: string): Promise<void> {
    await this.follow(this.page.locator('main table').getByRole('link', { name, exact: true }));
  }
}
