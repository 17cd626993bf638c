import { BasePage } from './base-page.ts';

export type OrganisationDetails = { name: string; sector: string; kind: string; locality?: string };

export class OrganisationFormPage extends BasePage {
  static readonly heading = 'Add an organisation';

  async fillIn(details: OrganisationDetails): Promise<void> {
    await this.page.getByLabel('Name', { exact: true }).fill(details.name);
    await this.page.getByLabel(details.sector, { exact: true }).check();
    await this.page.getByLabel('Type of organisation').fill(details.kind);
    if (details.locality) await this.page.getByLabel('Locality').selectOption({ label: details.locality });
  }

  async save(): Promise<void> {
    await this.submitWith(this.page.getByRole('button', { name: 'Add organisation' }));
  }
}
