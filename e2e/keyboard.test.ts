import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { HomePage } from './pages/home-page.ts';
import { SignInPage } from './pages/sign-in-page.ts';
import { useJourneys } from './support/journeys.ts';

const journeys = useJourneys();

/** The focused element, described by what a keyboard user would meet: its id, or its text. */
async function focused(page: Page): Promise<string> {
  return page.evaluate<string>(
    `(() => { const el = document.activeElement; return el ? (el.id || el.getAttribute('aria-label') || el.textContent.trim()) : ''; })()`,
  );
}

async function tabUntil(page: Page, target: string, limit = 10): Promise<string[]> {
  const stops: string[] = [];
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    stops.push(await focused(page));
    if (stops.at(-1) === target) return stops;
  }
  throw new Error(`Tabbed ${limit} times without reaching ${target}: ${stops.join(' → ')}`);
}

describe('using the keyboard only', () => {
  it('the skip link is the first tab stop and moves focus to the main content', async () => {
    const journey = await journeys.start('c1-skip-link');
    await journey.visit('/sign-in');
    await SignInPage.verifyOnPage(journey);

    await journey.page.keyboard.press('Tab');
    expect(await focused(journey.page)).toBe('Skip to main content');
    await journey.inspect('skip link focused');

    await journey.page.keyboard.press('Enter');
    expect(await focused(journey.page)).toBe('main-content');
    expect(journey.page.url()).toMatch(/#main-content$/);
    await journey.end();
  });

  it('the sign-in form can be filled in and sent with the keyboard alone', async () => {
    const journey = await journeys.start('c2-sign-in-by-keyboard');
    await journey.visit('/sign-in');
    await SignInPage.verifyOnPage(journey);
    const { page } = journey;

    const toEmail = await tabUntil(page, 'email');
    expect(toEmail[0]).toBe('Skip to main content');
    await page.keyboard.type('health.visitor@northbridge.example');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('password');
    await page.keyboard.type(journeys.demoPassword);
    // Then the password's Show button, then the Sign in button.
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('Show password');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('Sign in');
    await journey.navigate(() => page.keyboard.press('Enter'));

    const home = await HomePage.verifyOnPage(journey, 'Grace Adeyemi');
    expect(await home.organisation()).toBe('Northbridge Community Health Trust');
    await journey.end();
  });
});
