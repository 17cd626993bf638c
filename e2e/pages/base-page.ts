import type { Locator, Page } from 'playwright-core';
import type { Journey } from '../support/journey.ts';

/** A page-object class: how to make one, and the heading that proves the browser is on that page. */
export type PageClass<P extends BasePage> = {
  new (journey: Journey): P;
  readonly heading: string | RegExp;
  readonly name: string;
};

export type ErrorSummary = { title: string; links: { text: string; href: string }[] };

/**
 * What every page in the service layout has: a heading, the header navigation, the GOV.UK error
 * summary and notification banner. Pages are reached through `verifyOnPage`, which inspects them.
 */
export abstract class BasePage {
  constructor(protected readonly journey: Journey) {}

  get page(): Page {
    return this.journey.page;
  }

  /**
   * Inspects the page the browser shows (screenshot, axe) and checks its heading. A page whose
   * heading is its subject, such as a person's name, is given that heading by the caller.
   */
  static async verifyOnPage<P extends BasePage>(
    this: PageClass<P>,
    journey: Journey,
    heading?: string | RegExp,
  ): Promise<P> {
    await journey.inspect(this.name);
    const expected = heading ?? this.heading;
    const actual = (await journey.page.locator('h1').first().innerText()).trim();
    const matches = typeof expected === 'string' ? actual.includes(expected) : expected.test(actual);
    if (!matches) {
      throw new Error(
        `Expected ${this.name} with heading ${String(expected)}, but ${journey.page.url()} shows "${actual}"`,
      );
    }
    return new this(journey);
  }

  async heading(): Promise<string> {
    return (await this.page.locator('h1').first().innerText()).trim();
  }

  async title(): Promise<string> {
    return this.page.title();
  }

  /** The GOV.UK error summary, or undefined when the page has none. */
  async errorSummary(): Promise<ErrorSummary | undefined> {
    const summary = this.page.locator('.govuk-error-summary');
    if ((await summary.count()) === 0) return undefined;
    const links = summary.locator('.govuk-error-summary__list a');
    const list: ErrorSummary['links'] = [];
    for (const link of await links.all()) {
      list.push({ text: (await link.innerText()).trim(), href: (await link.getAttribute('href')) ?? '' });
    }
    return { title: (await summary.locator('.govuk-error-summary__title').innerText()).trim(), links: list };
  }

  /** The message a field shows under its label when it is in error. */
  async fieldError(fieldId: string): Promise<string | undefined> {
    const message = this.page.locator(`#${fieldId}-error`);
    if ((await message.count()) === 0) return undefined;
    return (await message.innerText()).replace(/^Error:\s*/, '').trim();
  }

  /** The notification banner's text (a success message after a change, or a notice). */
  async banner(): Promise<string | undefined> {
    const banner = this.page.locator('.govuk-notification-banner');
    if ((await banner.count()) === 0) return undefined;
    return (await banner.locator('.govuk-notification-banner__content').innerText()).trim();
  }

  async signOut(): Promise<void> {
    await this.journey.navigate(() => this.page.getByRole('button', { name: 'Sign out' }).click());
  }

  async openNavigation(
    text: 'Home' | 'Children' | 'Privacy' | 'Administration' | 'Person index',
  ): Promise<void> {
    const nav = this.page.locator('.govuk-service-navigation');
    await this.journey.navigate(() => nav.getByRole('link', { name: text, exact: true }).click());
  }

  protected async follow(link: Locator): Promise<void> {
    await this.journey.navigate(() => link.click());
  }

  protected async submitWith(button: Locator): Promise<void> {
    await this.journey.navigate(() => button.click());
  }

  /** The cells of each body row of a table, as text. */
  protected async tableRows(table: Locator): Promise<string[][]> {
    const rows: string[][] = [];
    for (const row of await table.locator('tbody tr').all()) {
      rows.push((await row.locator('th, td').allInnerTexts()).map((t) => t.trim()));
    }
    return rows;
  }

  /** The value beside a key in a GOV.UK summary list. */
  protected async summaryValue(key: string): Promise<string> {
    const row = this.page.locator('.govuk-summary-list__row', {
      has: this.page.locator('.govuk-summary-list__key', { hasText: key }),
    });
    return (await row.locator('.govuk-summary-list__value').innerText()).trim();
  }
}
