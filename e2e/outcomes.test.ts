import { describe, it } from 'vitest';
import { signInAs } from './pages/flows.ts';
import {
  IndicatorPage,
  OutcomesPage,
  ReviewNotePage,
  ReviewPage,
  TargetFormPage,
} from './pages/outcome-pages.ts';
import { useJourneys } from './support/journeys.ts';

const journeys = useJourneys();
const ANALYST = { email: 'analyst@northbridge.example', name: 'Owen Price' };
const ADMIN = { email: 'admin@northbridge.example', name: 'Alex Morgan' };

describe('outcomes', () => {
  it(
    'an analyst reads the indicators, turns to quarters by keyboard, sets a target and writes the board’s commentary',
    { timeout: 180_000 },
    async ({ expect }) => {
      const analyst = await journeys.start('o1-analyst-reads-outcomes');
      await signInAs(analyst, ANALYST.email, journeys.demoPassword, ANALYST.name);
      await analyst.navigate(() =>
        analyst.page.getByRole('link', { name: 'Outcomes', exact: true }).first().click(),
      );
      const overview = await OutcomesPage.verifyOnPage(analyst);
      expect(await overview.indicatorsIn('Enjoy and achieve')).toContain('Persistent absence from school');
      expect(await overview.indicatorsIn('Is anyone better off?')).toContain('Re-referrals within 12 months');

      await overview.showByKeyboard('Quarters');
      const quarters = await OutcomesPage.verifyOnPage(analyst);
      expect(new URL(analyst.page.url()).searchParams.get('grain')).toBe('quarter');
      await quarters.open('Contacts to the front door');
      const contacts = await IndicatorPage.verifyOnPage(analyst, 'Contacts to the front door');
      expect(await contacts.charts()).toEqual([
        'Contacts to the front door: the whole area',
        expect.stringMatching(/^Contacts to the front door by locality, /),
        'Contacts to the front door by locality',
      ]);

      await contacts.setTarget();
      const form = await TargetFormPage.verifyOnPage(analyst);
      await form.save('', 'soon');
      const refused = await TargetFormPage.verifyOnPage(analyst);
      expect((await refused.errorSummary())?.links.map((l) => l.href)).toEqual(['#target', '#targetBy']);
      await refused.save('450', '2029-03-31');
      const withTarget = await IndicatorPage.verifyOnPage(analyst, 'Contacts to the front door');
      expect(await withTarget.banner()).toBe('Target set for Contacts to the front door');
      expect(await withTarget.fact('Target')).toMatch(/^450 per 10,000 by 31 March 2029$/);

      await analyst.visit('/outcomes/review');
      const review = await ReviewPage.verifyOnPage(analyst);
      await review.writeCommentary('Re-referrals within 12 months');
      const note = await ReviewNotePage.verifyOnPage(analyst, 'Re-referrals within 12 months');
      await note.save('Re-referrals fell in Eastbrook after the integrated team started.');
      const written = await ReviewPage.verifyOnPage(analyst);
      expect(await written.commentaryAfter('Re-referrals within 12 months')).toContain(
        'Re-referrals fell in Eastbrook after the integrated team started.',
      );
      await analyst.end();
    },
  );

  it(
    'the money, evaluation, framework and statutory return pages pass the accessibility checks, with and without JavaScript',
    { timeout: 240_000 },
    async ({ expect }) => {
      for (const javaScript of [true, false]) {
        const analyst = await journeys.start(
          `o2-analyst-reads-money-and-evaluation${javaScript ? '' : '-no-js'}`,
          { javaScript },
        );
        await signInAs(analyst, ANALYST.email, journeys.demoPassword, ANALYST.name);
        for (const path of [
          '/outcomes/money',
          '/outcomes/money/spend-by-service',
          '/outcomes/money/spend-by-outcome',
          '/outcomes/money/cost-per-child',
          '/outcomes/money/outcome-account',
          '/outcomes/evaluation',
          '/outcomes/frameworks',
          '/outcomes/frameworks/england',
          '/outcomes/figures/import',
        ]) {
          await analyst.visit(path);
          await analyst.inspect(path);
          expect(await analyst.page.locator('h1').count(), path).toBe(1);
        }
        await analyst.end();
      }

      const admin = await journeys.start('o3-administrator-keeps-money-changes-and-returns');
      await signInAs(admin, ADMIN.email, journeys.demoPassword, ADMIN.name);
      for (const path of [
        '/outcomes/money/partners/new',
        '/outcomes/money/budgets/new',
        '/outcomes/money/spend/new',
        '/outcomes/evaluation/changes',
        '/outcomes/evaluation/changes/new',
        '/outcomes/frameworks/new',
        '/returns/cin-census',
        '/returns/settings',
      ]) {
        await admin.visit(path);
        await admin.inspect(path);
        expect(await admin.page.locator('h1').count(), path).toBe(1);
      }
      await admin.end();
    },
  );
});
