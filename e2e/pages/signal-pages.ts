import { BasePage } from './base-page.ts';

/** Children the practitioner is involved with. */
export class MyChildrenPage extends BasePage {
  static readonly heading = 'Children you are involved with';

  /** Opens the first child listed and answers their name. */
  async openFirst(): Promise<string> {
    const link = this.page.locator('main table tbody a').first();
    const name = (await link.innerText()).trim();
    await this.follow(link);
    return name;
  }
}

/** The record-a-signal form. */
export class SignalFormPage extends BasePage {
  static readonly heading = 'Record a signal';

  async send(): Promise<void> {
    await this.submitWith(this.page.getByRole('button', { name: 'Record the signal' }));
  }

  async record(signal: { category: string; severity: string; description: string }): Promise<void> {
    await this.page.getByLabel('What is the worry about?').selectOption({ label: signal.category });
    await this.page.getByRole('radio', { name: signal.severity }).check();
    await this.page.getByLabel('What did you see or hear?').fill(signal.description);
    await this.send();
  }
}

/** A child's signals and alerts. */
export class ChildSignalsPage extends BasePage {
  static readonly heading = 'Signals and alerts';

  async signalTexts(): Promise<string> {
    return this.page.locator('main table').innerText();
  }
}

/** The alert inboxes. */
export class AlertsPage extends BasePage {
  static readonly heading = 'Alerts';

  /** Opens the alert a rule raised about the named child, from whichever inbox lists it. */
  async openFor(childName: string, ruleName: string): Promise<void> {
    const row = this.page
      .locator('main table tbody tr', { hasText: childName })
      .filter({ hasText: ruleName })
      .first();
    await this.follow(row.getByRole('link'));
  }
}

/** One alert; its heading is "Alert <number>: <rule>". */
export class AlertPage extends BasePage {
  static readonly heading = /^Alert \d+/;

  async pickUp(): Promise<void> {
    await this.submitWith(this.page.getByRole('button', { name: 'Pick up this alert' }));
  }

  async explanation(): Promise<string> {
    return (await this.page.locator('.govuk-inset-text').first().innerText()).trim();
  }

  async closeWithNoAction(): Promise<void> {
    await this.follow(this.page.getByRole('link', { name: 'Close it with no action, giving the reason' }));
  }
}

export class NoActionPage extends BasePage {
  static readonly heading = 'Close the alert with no action';

  async close(reason: string): Promise<void> {
    await this.page.getByLabel('Why is no action needed?').fill(reason);
    await this.submitWith(this.page.getByRole('button', { name: 'Close the alert' }));
  }
}
