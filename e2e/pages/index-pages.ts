import { BasePage } from './base-page.ts';

/** The person index's imports: the list, the upload form and one import's progress and summary. */
export class ImportsPage extends BasePage {
  static readonly heading = 'Imports into the person index';

  async startImport(): Promise<void> {
    await this.follow(this.page.getByRole('button', { name: 'Import records' }));
  }
}

export class ImportFormPage extends BasePage {
  static readonly heading = 'Import records';

  async upload(source: string, csv: string, map: string): Promise<void> {
    if (source) await this.page.getByLabel('Where the records come from').selectOption({ label: source });
    if (csv)
      await this.page
        .getByLabel('The records (CSV with a header row)')
        .setInputFiles({ name: 'records.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    if (map)
      await this.page
        .getByLabel('The column map (map.json)')
        .setInputFiles({ name: 'map.json', mimeType: 'application/json', buffer: Buffer.from(map) });
    await this.submitWith(this.page.getByRole('button', { name: 'Import' }));
  }
}

export class ImportPage extends BasePage {
  static readonly heading = /^Import from /;

  /** Waits for the import to finish, inspecting each refresh of the page on the way. */
  async untilFinished(): Promise<ImportPage> {
    for (let i = 0; i < 20; i++) {
      if ((await this.summaryValue('Status')).startsWith('Finished')) return this;
      await this.journey.navigate(() => this.page.waitForEvent('framenavigated'));
      await ImportPage.verifyOnPage(this.journey);
    }
    throw new Error('The import did not finish');
  }

  async figure(key: string): Promise<string> {
    return this.summaryValue(key);
  }

  async rejectedRows(): Promise<string[][]> {
    return this.tableRows(this.page.locator('table', { hasText: 'Rejected rows' }));
  }
}

/** The review queue and one proposal side by side. */
export class ReviewQueuePage extends BasePage {
  static readonly heading = 'Records to review';

  async openImports(): Promise<void> {
    await this.follow(this.page.getByRole('link', { name: 'Imports into the person index' }));
  }

  async rows(): Promise<string[][]> {
    if ((await this.page.locator('table').count()) === 0) return [];
    return this.tableRows(this.page.locator('table'));
  }

  async review(recordName: string): Promise<void> {
    const row = this.page.locator('tbody tr', { hasText: recordName }).first();
    await this.follow(row.getByRole('link', { name: /Review/ }));
  }
}

export class ReviewPage extends BasePage {
  static readonly heading = 'Is this the same person?';

  /** The side-by-side rows: detail, the agency record, the index person, same or differs. */
  async sideBySide(): Promise<string[][]> {
    return this.tableRows(this.page.locator('table', { hasText: 'Side by side' }));
  }

  async decide(
    decision:
      | 'The same person: link the record'
      | 'Not the same person: never propose this again'
      | 'I need more information before deciding',
    note = '',
  ): Promise<void> {
    await this.page.getByLabel(decision, { exact: true }).check();
    if (note) await this.page.getByLabel('Note').fill(note);
    await this.submitWith(this.page.getByRole('button', { name: 'Record decision' }));
  }
}
