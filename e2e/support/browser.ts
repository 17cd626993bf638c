import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium, never a downloaded browser: the same binary on a laptop and in CI. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}
