import { describe, it } from 'vitest';
import { northbridgePlaces } from '../src/modules/people/index.ts';
import { DirectorySearchPage, DirectoryServicePage } from './pages/directory-pages.ts';
import { useJourneys } from './support/journeys.ts';

const journeys = useJourneys();
const DIRECTORY = '/areas/northbridge/services';
/** A real demo postcode in Eastbrook (NB4), so the search has a place to measure from. */
const POSTCODE = northbridgePlaces().find((p) => p.kind === 'postcode' && p.key.startsWith('NB4 '))!.key;

describe('the public directory', () => {
  it(
    'a parent on a 320px phone, not signed in, finds parenting support near their postcode and opens a service',
    { timeout: 120_000 },
    async ({ expect }) => {
      const phone = await journeys.start('dir1-parent-searches-on-a-phone');
      await phone.page.setViewportSize({ width: 320, height: 740 });
      await phone.visit(DIRECTORY);
      const search = await DirectorySearchPage.verifyOnPage(phone);
      expect(await search.overflow()).toBeLessThanOrEqual(0);

      // Everything on the form can be reached with the keyboard alone, in page order.
      const reached: string[] = [];
      for (let i = 0; i < 40 && !reached.includes('search-button'); i++) {
        await phone.page.keyboard.press('Tab');
        reached.push(await search.focused());
      }
      const order = ['need', 'age', 'near', 'within', 'summary', 'search-button'].map((id) =>
        reached.indexOf(id),
      );
      expect(
        order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1]!)),
        reached.join(' '),
      ).toBe(true);

      // A half-typed postcode is named, and what was typed stays in the box.
      await search.search({ need: 'Parenting support', near: POSTCODE.slice(0, -1) });
      const refused = await DirectorySearchPage.verifyOnPage(phone);
      expect((await refused.errorSummary())?.links.map((l) => l.href)).toEqual(['#near']);
      expect(await phone.page.getByLabel('Postcode or place').inputValue()).toBe(POSTCODE.slice(0, -1));

      await refused.search({ near: POSTCODE });
      const results = await DirectorySearchPage.verifyOnPage(phone);
      expect(await results.count()).toMatch(new RegExp(`^\\d+ services? found near ${POSTCODE}$`));
      const names = await results.resultNames();
      expect(names.length).toBeGreaterThan(0);
      const miles = (await results.distances()).filter((m): m is number => m !== null);
      expect(miles).toEqual([...miles].sort((a, b) => a - b));
      expect(await results.overflow()).toBeLessThanOrEqual(0);
      // The results' links are reachable from the keyboard too.
      await phone.page.locator('.app-result__name a').first().focus();
      expect(await results.focusedText()).toBe(names[0]);

      await results.openResult(names[0]!);
      const service = await DirectoryServicePage.verifyOnPage(phone, names[0]);
      expect(await service.fact('Who it is for')).toMatch(/Age|All ages/);
      expect(await service.fact('Where')).toBeTruthy();
      expect(await service.lastChecked()).toMatch(/^Last checked \d{1,2} \w+ \d{4}/);
      expect(await service.backLink()).toContain(`near=${encodeURIComponent(POSTCODE).replace('%20', '+')}`);
      expect(await service.overflow()).toBeLessThanOrEqual(0);

      await service.back();
      const again = await DirectorySearchPage.verifyOnPage(phone);
      expect(await again.resultNames()).toEqual(names);
      await phone.end();
    },
  );

  it('works the same on a desktop without JavaScript', { timeout: 120_000 }, async ({ expect }) => {
    const desk = await journeys.start('dir2-search-on-a-desktop-without-javascript', { javaScript: false });
    await desk.visit(`${DIRECTORY}?need=mental-health&age=14`);
    const results = await DirectorySearchPage.verifyOnPage(desk);
    expect(await results.count()).toMatch(/^\d+ services? found$/);
    const names = await results.resultNames();
    expect(names.length).toBeGreaterThan(0);
    // "More filters" is a native details element: it opens without scripts.
    await desk.page.getByText('More filters').click();
    await desk.page.getByLabel('Free only').check();
    await results.search({ near: 'Eastbrook', within: 'Within 10 miles' });
    const nearby = await DirectorySearchPage.verifyOnPage(desk);
    expect(await nearby.count()).toMatch(/services? found near Eastbrook$/);
    expect(desk.page.url()).toContain('cost=free');
    const first = (await nearby.resultNames())[0];
    if (first) {
      await nearby.openResult(first);
      await DirectoryServicePage.verifyOnPage(desk, first);
    }
    await desk.end();
  });
});
