import { BasePage } from './base-page.ts';

export type TeamDetails = { name: string; hostedBy: string; locality?: string; multiAgency: boolean };

export class TeamFormPage extends BasePage {
  static readonly heading = 'Add a team';

  async fillIn(details: TeamDetails): Promise<void> {
    await this.page.getByLabel('Name', { exact: true }).fill(details.name);
    await this.page.getByLabel('Hosted by').selectOption({ label: details.hostedBy });
    if (details.locality) await this.page.getByLabel('Locality').selectOption({ label: details.locality });
    await this.page.getByLabel('Multi-agency team').setChecked(details.multiAgency);
  }

  async save(): Promise<void> {
    await this.submitWith(this.page.getByRole('button', { name: 'Add team' }));
  }
}
