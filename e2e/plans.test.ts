import { describe, it } from 'vitest';
import { addDays, londonDate } from '../src/common/plain-dates.ts';
import { signInAs } from './pages/flows.ts';
import {
  ActionFormPage,
  ActivatePage,
  AssessmentPage,
  AssessmentSectionPage,
  ChangeActionPage,
  ChildAssessmentsPage,
  FamilyAccountFormPage,
  FamilyAccountsPage,
  FamilyCodePage,
  FamilyPlanPage,
  PlanPage,
  PlansYouWorkOnPage,
  ReviewFormPage,
  StartAssessmentPage,
} from './pages/plan-pages.ts';
import { SignInPage } from './pages/sign-in-page.ts';
import { useJourneys } from './support/journeys.ts';

const journeys = useJourneys();
// The demo's early-help family support worker leads the plan of the family with a demo sign-in.
const LEAD = { email: 'early.help@northbridge.example', name: 'Sarah Quinn' };
const RUN = Date.now().toString(36);

describe('the family plan', () => {
  it(
    'a lead professional records a review and a family action, gives a parent a sign-in, and the parent marks it done',
    { timeout: 180_000 },
    async ({ expect }) => {
      const lead = await journeys.start('p1-lead-professional');
      const home = await signInAs(lead, LEAD.email, journeys.demoPassword, LEAD.name);
      await home.openPanelLink('Plans you work on');
      const mine = await PlansYouWorkOnPage.verifyOnPage(lead);
      // Any plan she leads: the first, whose review is soonest due.
      const familyName = await lead.page
        .locator('main table tbody tr', { hasText: 'family' })
        .first()
        .locator('a')
        .first()
        .innerText();
      await mine.openPlan(familyName.trim());
      let plan = await PlanPage.verifyOnPage(lead, familyName.trim());

      // A review: sent empty first, then filled in.
      await plan.open('Record a review');
      const review = await ReviewFormPage.verifyOnPage(lead);
      await lead.navigate(() => lead.page.getByRole('button', { name: 'Record the review' }).click());
      const refused = await ReviewFormPage.verifyOnPage(lead);
      expect((await refused.errorSummary())?.links.map((l) => l.href)).toContain('#decisions');
      const today = londonDate(new Date());
      await review.record({
        heldOn: today,
        familyViews: 'Mornings are easier now.',
        decisions: `Keep going; meet again in eight weeks (${RUN}).`,
      });
      plan = await PlanPage.verifyOnPage(lead, familyName.trim());
      expect((await plan.reviewDecisions()).join('\n')).toContain(RUN);

      // An action the family owns, with the support they need.
      const description = `Pack school bags the night before (${RUN})`;
      await plan.open('Add an action');
      await (
        await ActionFormPage.verifyOnPage(lead)
      ).addFamilyAction({
        description,
        who: 'Mum',
        support: 'A checklist from the school',
        dueOn: addDays(today, 14),
      });
      plan = await PlanPage.verifyOnPage(lead, familyName.trim());
      expect(await plan.actionRow(description)).toBeDefined();

      // A sign-in for a parent: the code is shown once.
      await plan.open('Family sign-ins');
      await (await FamilyAccountsPage.verifyOnPage(lead)).addAccount();
      const email = `parent.${RUN}@example.org`;
      await (await FamilyAccountFormPage.verifyOnPage(lead)).give({ name: 'Jo Parent', email });
      const code = await (await FamilyCodePage.verifyOnPage(lead)).code();
      expect(code.length).toBeGreaterThanOrEqual(12);
      await lead.end();

      // The parent sets a password with the code, signs in and sees their plan.
      const parent = await journeys.start('p2-parent');
      await parent.visit('/family/activate');
      await (await ActivatePage.verifyOnPage(parent)).activate(email, code, `Plan-${RUN}-ok-password`);
      const signIn = await SignInPage.verifyOnPage(parent);
      await signIn.signIn(email, `Plan-${RUN}-ok-password`);
      const family = await FamilyPlanPage.verifyOnPage(parent);
      expect(await family.text()).toContain(description);
      await family.markDone(description);
      const marked = await FamilyPlanPage.verifyOnPage(parent);
      expect(await marked.banner()).toContain(description);
      await marked.comment('Thank you, the checklist helps.');
      const commented = await FamilyPlanPage.verifyOnPage(parent);
      expect(await commented.text()).toContain('Thank you, the checklist helps.');
      await commented.switchTo('Cymraeg');
      const welsh = await FamilyPlanPage.verifyOnPage(parent);
      expect(await welsh.heading()).toBe('Cynllun eich teulu');
      await parent.end();
    },
  );

  it(
    'two people change one action at once: the second keeps their words, sees the first’s, and saves knowingly',
    { timeout: 180_000 },
    async ({ expect }) => {
      const first = await journeys.start('p4-first-editor');
      const home = await signInAs(first, LEAD.email, journeys.demoPassword, LEAD.name);
      await home.openPanelLink('Plans you work on');
      const mine = await PlansYouWorkOnPage.verifyOnPage(first);
      const familyName = (await first.page.locator('main table tbody tr a').first().innerText()).trim();
      await mine.openPlan(familyName);
      await PlanPage.verifyOnPage(first, familyName);
      const change = first.page.getByRole('link', { name: /^Change the action:/ }).first();
      const actionUrl = new URL((await change.getAttribute('href'))!, first.page.url()).pathname;

      // Both open the action; the second person is the same lead in another browser, as on two devices.
      const second = await journeys.start('p4-second-editor');
      await signInAs(second, LEAD.email, journeys.demoPassword, LEAD.name);
      await second.visit(actionUrl);
      const theirs = await ChangeActionPage.verifyOnPage(second);
      await first.visit(actionUrl);
      await (await ChangeActionPage.verifyOnPage(first)).describe(`Walk to school together (${RUN})`);
      await PlanPage.verifyOnPage(first, familyName);
      await first.end();

      await theirs.describe(`Walk to school with a friend (${RUN})`);
      const merge = await ChangeActionPage.verifyOnPage(second);
      expect((await merge.errorSummary())?.title).toBeDefined();
      expect(await merge.description()).toBe(`Walk to school with a friend (${RUN})`);
      expect(await merge.savedByOthers()).toEqual([
        [
          'What will be done',
          `Saved now: Walk to school together (${RUN}) Yours: Walk to school with a friend (${RUN})`,
        ],
      ]);
      await merge.describe(`Walk to school together, then with a friend (${RUN})`);
      const plan = await PlanPage.verifyOnPage(second, familyName);
      expect(await plan.actionRow(`Walk to school together, then with a friend (${RUN})`)).toBeDefined();
      await second.end();
    },
  );

  it(
    'a lead professional starts an assessment of a child on the plan and records the child’s own words',
    { timeout: 180_000 },
    async ({ expect }) => {
      const lead = await journeys.start('p3-assessment');
      const home = await signInAs(lead, LEAD.email, journeys.demoPassword, LEAD.name);
      await home.openPanelLink('Plans you work on');
      const mine = await PlansYouWorkOnPage.verifyOnPage(lead);
      const familyName = (await lead.page.locator('main table tbody tr a').first().innerText()).trim();
      await mine.openPlan(familyName);
      await PlanPage.verifyOnPage(lead, familyName);
      // "Assessments:" then a link per child on the plan.
      await lead.navigate(() =>
        lead.page.locator('main li', { hasText: 'Assessments:' }).getByRole('link').first().click(),
      );
      await (await ChildAssessmentsPage.verifyOnPage(lead)).start();
      const title = await (await StartAssessmentPage.verifyOnPage(lead)).startSuggested();
      let overview = await AssessmentPage.verifyOnPage(lead, title);
      expect(await overview.sectionStatus('The child’s own words')).toBe('Not started');

      await overview.openSection('The child’s own words');
      const section = await AssessmentSectionPage.verifyOnPage(lead, 'The child’s own words');
      await section.answer('What the child said, in their own words', `“I like my new school.” (${RUN})`);
      await section.save();
      overview = await AssessmentPage.verifyOnPage(lead, title);
      expect(await overview.sectionStatus('The child’s own words')).toBe('Complete');
      await lead.end();
    },
  );
});
