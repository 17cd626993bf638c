import { BasePage } from './base-page.ts';

/** The privacy officer's audit trail: a search form over the events, newest first. */
export class AuditPage extends BasePage {
  static readonly heading = 'Audit trail';

  async search(criteria: {
    who?: string;
    action?: string;
    fromDay?: string;
    fromMonth?: string;
    fromYear?: string;
  }) {
    if (criteria.who !== undefined) await this.page.getByLabel('Who (name or email)').fill(criteria.who);
    if (criteria.action !== undefined) await this.page.getByLabel('Action starts with').fill(criteria.action);
    const from = this.page.getByRole('group', { name: 'From' });
    if (criteria.fromDay !== undefined) await from.getByLabel('Day').fill(criteria.fromDay);
    if (criteria.fromMonth !== undefined) await from.getByLabel('Month').fill(criteria.fromMonth);
    if (criteria.fromYear !== undefined) await from.getByLabel('Year').fill(criteria.fromYear);
    await this.submitWith(this.page.getByRole('button', { name: 'Search' }));
  }

  async actions(): Promise<string[]> {
    const rows = await this.tableRows(this.page.locator('table'));
    return rows.map((cells) => cells[2] ?? '');
  }
}
