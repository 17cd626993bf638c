import { BasePage } from './base-page.ts';

/** The privacy officer's queue of emergency access waiting for review, oldest first. */
export class EmergencyQueuePage extends BasePage {
  static readonly heading: string = 'Emergency access to review';

  async rows(): Promise<string[][]> {
    if ((await this.page.locator('table').count()) === 0) return [];
    return this.tableRows(this.page.locator('table'));
  }

  async review(userName: string, child: string): Promise<void> {
    const row = this.page.locator('tbody tr', { hasText: userName }).filter({ hasText: child }).first();
    await this.follow(row.getByRole('link', { name: /Review/ }));
  }

  async showReviewed(): Promise<void> {
    await this.follow(this.page.getByRole('link', { name: 'Show reviewed uses' }));
  }
}

export class EmergencyReviewedPage extends EmergencyQueuePage {
  static override readonly heading = 'Emergency access reviewed';
}

export class EmergencyReviewPage extends BasePage {
  static readonly heading = 'Review emergency access';

  async record(
    outcome: 'Justified' | 'Not justified' | 'Referred for investigation',
    note = '',
  ): Promise<void> {
    await this.page.getByLabel(outcome, { exact: true }).check();
    if (note) await this.page.getByLabel('What you found and what happens next').fill(note);
    await this.submitWith(this.page.getByRole('button', { name: 'Record review' }));
  }

  async reason(): Promise<string> {
    return this.summaryValue('Reason given');
  }
}
