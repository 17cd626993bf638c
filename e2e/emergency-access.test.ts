import { describe, expect, it } from 'vitest';
import { signInAs } from './pages/flows.ts';
import { ChildRecordPage, EmergencyAccessPage, FindChildPage, NoAccessPage } from './pages/people-pages.ts';
import { EmergencyQueuePage, EmergencyReviewedPage, EmergencyReviewPage } from './pages/privacy-pages.ts';
import { useJourneys } from './support/journeys.ts';

const journeys = useJourneys();
const TEACHER = { email: 'teacher@northbridge.example', name: 'Claire Bennett' };
const PRIVACY = { email: 'privacy@northbridge.example', name: 'Nadia Haddad' };
const reason = `Pupil disclosed at lunchtime that they are afraid to go home (${Date.now().toString(36)})`;

describe('emergency access', () => {
  it('a practitioner without an involvement is refused, opens the record with a reason, and the privacy officer reviews it', async () => {
    const teacher = await journeys.start('t1-practitioner-uses-emergency-access');
    const home = await signInAs(teacher, TEACHER.email, journeys.demoPassword, TEACHER.name);
    await home.openNavigation('Children');
    const find = await FindChildPage.verifyOnPage(teacher);
    await find.search('Smiht');
    const results = await FindChildPage.verifyOnPage(teacher);
    expect((await results.reasons()).length).toBeGreaterThan(0);
    const child = await results.openFirstNotInvolved();

    const refused = await NoAccessPage.verifyOnPage(teacher);
    await refused.useEmergencyAccess();
    const form = await EmergencyAccessPage.verifyOnPage(teacher);
    await form.open('');
    const noReason = await EmergencyAccessPage.verifyOnPage(teacher);
    expect((await noReason.errorSummary())?.links).toEqual([
      { text: 'Enter why you need this record now', href: '#reason' },
    ]);
    await noReason.open(reason);
    const record = await ChildRecordPage.verifyOnPage(teacher, child);
    expect(await record.warning()).toContain('You are using emergency access');
    await record.signOut();
    await teacher.inspect('signed out');
    await teacher.end();

    const officer = await journeys.start('t2-privacy-officer-reviews-emergency-access');
    const officerHome = await signInAs(officer, PRIVACY.email, journeys.demoPassword, PRIVACY.name);
    await officerHome.openNavigation('Privacy');
    await officer.inspect('privacy');
    await officer.navigate(() =>
      officer.page.getByRole('link', { name: 'Emergency access to review' }).click(),
    );
    const queue = await EmergencyQueuePage.verifyOnPage(officer);
    await queue.review(TEACHER.name, child);
    const review = await EmergencyReviewPage.verifyOnPage(officer);
    expect(await review.reason()).toBe(reason);
    await review.record('Justified');
    const after = await EmergencyQueuePage.verifyOnPage(officer);
    expect(await after.banner()).toBe('Review recorded');
    expect((await after.rows()).some((cells) => cells.includes(reason))).toBe(false);
    await after.showReviewed();
    const reviewed = await EmergencyReviewedPage.verifyOnPage(officer);
    expect((await reviewed.rows()).find((cells) => cells.includes(reason))?.at(-1)).toBe('Justified');
    await officer.end();
  });
});
