import { afterAll, beforeAll, inject } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser } from './browser.ts';
import { Journey, type JourneyOptions } from './journey.ts';

export type Journeys = {
  /** Starts a journey in a fresh browser context; the name is its artifacts folder, unique in the run. */
  start(name: string, options?: JourneyOptions): Promise<Journey>;
  /** The password of every demo account. */
  readonly demoPassword: string;
};

/** One browser per test file, launched before its tests and closed after them. */
export function useJourneys(): Journeys {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  const baseUrl = inject('baseUrl');
  return {
    demoPassword: inject('demoPassword'),
    start: (name, options) => {
      if (!browser) throw new Error('The browser has not started: start journeys inside a test');
      return Journey.start(browser, baseUrl, name, options);
    },
  };
}
