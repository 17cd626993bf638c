import { BasePage } from './base-page.ts';

/** The public directory search: the form (need, age, place first; the rest under "More filters") and its results. */
export class DirectorySearchPage extends BasePage {
  static readonly heading = 'Find services for families';

  async search(criteria: { need?: string; age?: string; near?: string; within?: string }): Promise<void> {
    if (criteria.need !== undefined) await this.page.locator('#need').selectOption({ label: criteria.need });
    if (criteria.age !== undefined) await this.page.getByLabel('Child’s age').fill(criteria.age);
    if (criteria.near !== undefined) await this.page.getByLabel('Postcode or place').fill(criteria.near);
    if (criteria.within !== undefined)
      await this.page.locator('#within').selectOption({ label: criteria.within });
    await this.submitWith(this.page.getByRole('button', { name: 'Search' }));
  }

  /** The heading above the results, such as "23 services found near NB4 7QT". */
  async count(): Promise<string> {
    return (await this.page.locator('#results').innerText()).trim();
  }

  async resultNames(): Promise<string[]> {
    return (await this.page.locator('.app-result__name').allInnerTexts()).map((t) => t.trim());
  }

  /** Each result's distance in miles, in the order shown (null for a service with no place). */
  async distances(): Promise<(number | null)[]> {
    const results = await this.page.locator('.app-result').all();
    const miles: (number | null)[] = [];
    for (const r of results) {
      const text = (await r.locator('.app-facts__distance').allInnerTexts())[0] ?? '';
      if (/Less than 0\.1/.test(text)) miles.push(0);
      else
        miles.push(/([\d.]+) miles? away/.exec(text) ? Number(/([\d.]+) miles? away/.exec(text)![1]) : null);
    }
    return miles;
  }

  async openResult(name: string): Promise<void> {
    await this.follow(this.page.locator('.app-result__name').getByRole('link', { name, exact: true }));
  }

  /** The id of the element with the keyboard focus, or its tag name when it has none. */
  async focused(): Promise<string> {
    return this.page.evaluate<string>(
      '(document.activeElement && (document.activeElement.id || document.activeElement.tagName.toLowerCase())) || ""',
    );
  }

  /** The text of the element with the keyboard focus. */
  async focusedText(): Promise<string> {
    return (
      await this.page.evaluate<string>('(document.activeElement && document.activeElement.textContent) || ""')
    ).trim();
  }

  /** How much wider than the window the page is, in CSS pixels (0 when nothing sticks out). */
  async overflow(): Promise<number> {
    return this.page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
  }
}

/** One directory entry; its heading is the service's name. */
export class DirectoryServicePage extends BasePage {
  static readonly heading = /.+/;

  fact(key: string): Promise<string> {
    return this.summaryValue(key);
  }

  async lastChecked(): Promise<string> {
    return (await this.page.getByText(/^Last checked /).innerText()).trim();
  }

  async backLink(): Promise<string> {
    return (await this.page.locator('.govuk-back-link').getAttribute('href')) ?? '';
  }

  async back(): Promise<void> {
    await this.follow(this.page.locator('.govuk-back-link'));
  }

  async overflow(): Promise<number> {
    return this.page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
  }
}
