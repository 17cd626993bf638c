import { BasePage } from './base-page.ts';

/** The outcome pages an analyst or a board member reads. */
export class OutcomesPage extends BasePage {
  static readonly heading = 'Outcomes';

  /** The indicators' names in a table, by its caption. */
  async indicatorsIn(caption: string): Promise<string[]> {
    const table = this.page.locator('table', { has: this.page.locator('caption', { hasText: caption }) });
    return (await table.locator('tbody th').allInnerTexts()).map((t) => t.trim());
  }

  /** Chooses a period length with the keyboard alone, then presses the button. */
  async showByKeyboard(label: string): Promise<void> {
    await this.page.getByLabel(label, { exact: true }).focus();
    await this.page.keyboard.press('Space');
    await this.page.getByRole('button', { name: 'Show' }).focus();
    await this.journey.navigate(() => this.page.keyboard.press('Enter'));
  }

  async open(indicator: string): Promise<void> {
    await this.journey.navigate(() => this.page.getByRole('link', { name: indicator, exact: true }).click());
  }
}

export class IndicatorPage extends BasePage {
  static readonly heading = /\S/;

  async charts(): Promise<string[]> {
    return this.page.locator('svg[role="img"] > title').allTextContents();
  }

  async fact(key: string): Promise<string> {
    return this.summaryValue(key);
  }

  async setTarget(): Promise<void> {
    await this.journey.navigate(() => this.page.getByRole('link', { name: /the target/ }).click());
  }
}

export class TargetFormPage extends BasePage {
  static readonly heading = 'Set the target';

  async save(target: string, by: string): Promise<void> {
    await this.page.locator('#target').fill(target);
    await this.page.locator('#targetBy').fill(by);
    await this.journey.navigate(() => this.page.getByRole('button', { name: 'Save the target' }).click());
  }
}

export class ReviewPage extends BasePage {
  static readonly heading = /^Outcome review \d{4} to \d{2}$/;

  async writeCommentary(indicator: string): Promise<void> {
    await this.journey.navigate(() =>
      this.page.getByRole('link', { name: new RegExp(`the commentary on ${indicator}$`) }).click(),
    );
  }

  async commentaryAfter(indicator: string): Promise<string> {
    const row = this.page.locator('tr', {
      has: this.page.getByRole('link', { name: indicator, exact: true }),
    });
    return (await row.locator('xpath=following-sibling::tr[1]').innerText()).trim();
  }
}

export class ReviewNotePage extends BasePage {
  static readonly heading = /\S/;

  async save(text: string): Promise<void> {
    await this.page.getByLabel('Commentary for the board').fill(text);
    await this.journey.navigate(() => this.page.getByRole('button', { name: 'Save the commentary' }).click());
  }
}
