import { BasePage } from './base-page.ts';

export class OrganisationsPage extends BasePage {
  static readonly heading = 'Organisations';

  async addOrganisation(): Promise<void> {
    await this.follow(this.page.getByRole('button', { name: 'Add an organisation' }));
  }

  /** An organisation's table row as it reads on screen: name, sector, type, locality, status. */
  async rowFor(name: string): Promise<string[] | undefined> {
    const rows = await this.tableRows(this.page.locator('main table'));
    // The name links to the edit page; " (edit)" is hidden text for screen readers.
    const onScreen = rows.map(([first = '', ...rest]) => [first.replace(/\s*\(edit\)$/, ''), ...rest]);
    return onScreen.find((cells) => cells[0] === name);
  }
}
