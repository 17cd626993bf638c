import { BasePage } from './base-page.ts';

export type MembershipRow = { team: string; hostedBy: string; arrangement: string; dates: string };

export type NewMembership = { team: string; seconded: boolean; partTime: boolean };

/** A user account's page; its heading is the person's name. */
export class UserPage extends BasePage {
  static readonly heading = /\S/;

  async isDeactivated(): Promise<boolean> {
    return (await this.page.locator('h1 .govuk-tag', { hasText: 'Deactivated' }).count()) > 0;
  }

  roles(): Promise<string> {
    return this.summaryValue('Roles');
  }

  /** Follows "Deactivate account" to its confirmation page, which the caller inspects and confirms. */
  async startDeactivation(): Promise<void> {
    await this.follow(this.page.getByRole('button', { name: 'Deactivate account' }));
  }

  /** Adds the person to a team; the team is chosen by its name as the list shows it, "Team (Host)". */
  async addToTeam(membership: NewMembership): Promise<void> {
    const form = this.page.locator('form', { has: this.page.getByRole('button', { name: 'Add to team' }) });
    const select = form.getByLabel('Team', { exact: true });
    const options = await select.locator('option').allInnerTexts();
    const label = options.find((o) => o.trim().startsWith(`${membership.team} (`));
    if (!label) throw new Error(`No team called ${membership.team} in the list: ${options.join(', ')}`);
    await select.selectOption({ label: label.trim() });
    await form.getByLabel('Seconded from their home organisation').setChecked(membership.seconded);
    await form.getByLabel('Part time in this team').setChecked(membership.partTime);
    await this.submitWith(form.getByRole('button', { name: 'Add to team' }));
  }

  async memberships(): Promise<MembershipRow[]> {
    const table = this.page.locator('table', {
      has: this.page.locator('caption', { hasText: 'Team memberships' }),
    });
    if ((await table.count()) === 0) return [];
    return (await this.tableRows(table)).map(([team = '', hostedBy = '', arrangement = '', dates = '']) => ({
      team,
      hostedBy,
      arrangement,
      dates,
    }));
  }
}
