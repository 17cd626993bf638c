import { BasePage } from './base-page.ts';

/**
 * Find a child: a name or an identifier, with an optional date of birth and postcode; results come
 * best first, say why they matched and whether you are involved.
 */
export class FindChildPage extends BasePage {
  static readonly heading = 'Find a child';

  async search(name: string, more: { identifier?: string; postcode?: string } = {}): Promise<void> {
    await this.page.getByLabel('Name', { exact: true }).fill(name);
    if (more.identifier !== undefined)
      await this.page.getByLabel('NHS number, UPN or CHI number (optional)').fill(more.identifier);
    if (more.postcode !== undefined) await this.page.getByLabel('Postcode (optional)').fill(more.postcode);
    await this.submitWith(this.page.getByRole('button', { name: 'Search' }));
  }

  /** Why each result matched, in the order shown. */
  async reasons(): Promise<string[]> {
    return (await this.page.locator('tbody tr td:nth-child(4)').allInnerTexts()).map((t) => t.trim());
  }

  /** Opens the first result the searcher is not involved with; answers that child's name. */
  async openFirstNotInvolved(): Promise<string> {
    const row = this.page.locator('tbody tr', { hasText: 'Not involved' }).first();
    const link = row.getByRole('link');
    const name = (await link.innerText()).trim();
    await this.follow(link);
    return name;
  }
}

/** The page a person sees when the trust layer closes a record to them. */
export class NoAccessPage extends BasePage {
  static readonly heading = 'You do not have access to this';

  async useEmergencyAccess(): Promise<void> {
    await this.follow(this.page.getByRole('link', { name: 'Use emergency access' }));
  }
}

export class EmergencyAccessPage extends BasePage {
  static readonly heading = 'Use emergency access';

  async open(reason: string): Promise<void> {
    await this.page.getByLabel('Why do you need this record now?').fill(reason);
    await this.submitWith(this.page.getByRole('button', { name: 'Open the record' }));
  }
}

/** A child's record; its heading is the child's name. */
export class ChildRecordPage extends BasePage {
  static readonly heading = /./;

  async warning(): Promise<string> {
    return (await this.page.locator('.govuk-warning-text__text').first().innerText()).trim();
  }
}
