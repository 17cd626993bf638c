import fs from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { artifactPath, slug } from './artifacts.ts';
import { BLOCKING_IMPACTS, describeFindings, runAxe, runAxeOnMarkup, type AxeFinding } from './axe.ts';

export type JourneyOptions = { javaScript?: boolean };

type Inspection = { step: number; label: string; url: string; findings: AxeFinding[] };

/**
 * One person's visit in their own browser context. Every page they reach is inspected: a full-page
 * screenshot and an axe check. Pages reached but not inspected, and serious or critical axe
 * findings, fail the journey when it ends, so one run reports every page rather than the first.
 */
export class Journey {
  private step = 0;
  private readonly inspections: Inspection[] = [];
  /** The address of a document the browser loaded that has not been inspected yet. */
  private uninspected: string | undefined;

  private constructor(
    readonly name: string,
    readonly page: Page,
    private readonly context: BrowserContext,
    private readonly browser: Browser,
    private readonly baseUrl: string,
    readonly javaScript: boolean,
  ) {
    // A navigation request means a new document (a jump to #main-content makes none).
    page.on('request', (request) => {
      if (request.isNavigationRequest() && request.frame() === page.mainFrame()) {
        this.uninspected = request.url();
      }
    });
  }

  static async start(
    browser: Browser,
    baseUrl: string,
    name: string,
    options: JourneyOptions = {},
  ): Promise<Journey> {
    const javaScript = options.javaScript ?? true;
    const context = await browser.newContext({
      javaScriptEnabled: javaScript,
      viewport: { width: 1280, height: 800 },
    });
    const page = await context.newPage();
    await fs.mkdir(artifactPath(name), { recursive: true });
    return new Journey(name, page, context, browser, baseUrl, javaScript);
  }

  /** Opens a path on the site and waits for the page to load. */
  async visit(pathname: string): Promise<void> {
    await this.page.goto(new URL(pathname, this.baseUrl).toString());
  }

  /** Does something that loads a new page (a link, a form) and waits until that page has loaded. */
  async navigate(action: () => Promise<unknown>): Promise<void> {
    const page = this.page;
    const committed = page.waitForEvent('framenavigated', {
      predicate: (frame) => frame === page.mainFrame(),
    });
    await action();
    await committed;
    await page.waitForLoadState('load');
  }

  /** Screenshot and accessibility check of the page now showing. */
  async inspect(label: string): Promise<AxeFinding[]> {
    const url = this.page.url();
    this.step += 1;
    const file = artifactPath(this.name, `${String(this.step).padStart(2, '0')}-${slug(label)}.png`);
    await this.page.screenshot({ path: file, fullPage: true });
    const findings = this.javaScript
      ? await runAxe(this.page)
      : await runAxeOnMarkup(this.browser, url, await this.page.content());
    this.inspections.push({ step: this.step, label, url, findings });
    this.uninspected = undefined;
    // Written as it goes, so a journey that fails half way still leaves its findings.
    await this.writeFindings();
    return findings;
  }

  /** Closes the browser context; fails if a page went uninspected or axe found serious problems. */
  async end(): Promise<void> {
    await this.context.close();
    const problems: string[] = [];
    if (this.uninspected) problems.push(`A page was loaded but never inspected: ${this.uninspected}`);
    for (const i of this.inspections) {
      const blocking = i.findings.filter((f) => BLOCKING_IMPACTS.has(f.impact));
      if (blocking.length) problems.push(describeFindings(`${i.step} ${i.label}`, i.url, blocking));
    }
    if (problems.length) throw new Error(`Journey "${this.name}":\n${problems.join('\n')}`);
  }

  /** Every finding of any impact, for reading after the run. */
  private async writeFindings(): Promise<void> {
    const withFindings = this.inspections.filter((i) => i.findings.length > 0);
    if (!withFindings.length) return;
    await fs.writeFile(artifactPath(this.name, 'axe-findings.json'), JSON.stringify(withFindings, null, 2));
  }
}
