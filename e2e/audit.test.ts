import { describe, expect, it } from 'vitest';
import { AuditPage } from './pages/audit-page.ts';
import { signInAs } from './pages/flows.ts';
import { useJourneys } from './support/journeys.ts';

const journeys = useJourneys();

describe('the privacy officer', () => {
  it('searches the audit trail, and is told plainly when a date is wrong', async () => {
    const journey = await journeys.start('e1-privacy-officer-searches-the-audit-trail');
    const home = await signInAs(journey, 'privacy@northbridge.example', 'northbridge-demo', 'Nadia Haddad');
    await home.openPanelLink('Audit trail');
    const audit = await AuditPage.verifyOnPage(journey);

    await audit.search({ action: 'session.sign-in' });
    const found = await AuditPage.verifyOnPage(journey);
    const actions = await found.actions();
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.every((a) => a === 'session.sign-in')).toBe(true);

    await found.search({ fromDay: '31', fromMonth: '2', fromYear: '2026' });
    const wrong = await AuditPage.verifyOnPage(journey);
    expect((await wrong.errorSummary())?.links).toEqual([
      { text: 'The from date must be a real date', href: '#from-day' },
    ]);
    await journey.end();
  });
});
