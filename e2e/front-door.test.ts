import { describe, it } from 'vitest';
import { DEMO_SLUG } from '../src/seed/demo.ts';
import { signInAs } from './pages/flows.ts';
import {
  AgencyRequestsPage,
  AnswerRequestPage,
  ApprovalPage,
  ConcernSentPage,
  ContactFormPage,
  ContactPage,
  ContactsYouMadePage,
  DecisionPage,
  FeedbackPage,
  FrontDoorQueuePage,
  InformationRequestPage,
  ReportConcernPage,
} from './pages/front-door-pages.ts';
import { useJourneys } from './support/journeys.ts';

const journeys = useJourneys();
// Demo accounts: a secondary school's safeguarding lead, a front-door social worker, a GP at
// Eastbrook Medical Practice and the front door's team manager.
const TEACHER = { email: 'teacher@northbridge.example', name: 'Claire Bennett' };
const WORKER = { email: 'frontdoor@northbridge.example', name: 'Priya Shah' };
const GP = {
  email: 'gp@northbridge.example',
  name: 'Dr Imran Hussain',
  practice: 'Eastbrook Medical Practice',
};
const MANAGER = { email: 'manager@northbridge.example', name: 'Helen Okafor' };
// A family name no demo child has, so the contacts of this run are easy to tell apart.
const FAMILY = `Fennimore${Date.now().toString(36).replace(/\d/g, '')}`;

// The two tests run side by side, each in browser contexts of its own; the journey finds its contact by number, so
// the public report never gets in its way. The long timeout is for a busy CI machine, not the usual run.
describe.concurrent('the front door', () => {
  it(
    'a school’s contact is triaged, a GP is asked, a manager approves and the school sees the outcome',
    { timeout: 180_000 },
    async ({ expect }) => {
      // Four people, each in a browser context of their own, signed in at once.
      const [teacher, worker, gp, manager] = await Promise.all([
        journeys.start('f1-school-records-a-contact'),
        journeys.start('f2-front-door-triages'),
        journeys.start('f3-gp-answers'),
        journeys.start('f4-manager-approves'),
      ]);
      const [teacherHome, workerHome, gpHome, managerHome] = await Promise.all([
        signInAs(teacher, TEACHER.email, journeys.demoPassword, TEACHER.name),
        signInAs(worker, WORKER.email, journeys.demoPassword, WORKER.name),
        signInAs(gp, GP.email, journeys.demoPassword, GP.name),
        signInAs(manager, MANAGER.email, journeys.demoPassword, MANAGER.name),
      ]);

      // The school practitioner records the contact: first sent empty, then filled in by keyboard alone.
      await teacherHome.openPanelLink('Tell the front door about a child');
      const form = await ContactFormPage.verifyOnPage(teacher);
      expect(await form.sectorQuestions()).toEqual([
        'Attendance this school year',
        'Changes in behaviour or presentation at school',
        'Exclusions or part-time timetable (optional)',
      ]);
      await form.send();

      const refused = await ContactFormPage.verifyOnPage(teacher);
      expect(await refused.title()).toMatch(/^Error: /);
      const summary = await refused.errorSummary();
      expect(summary?.title).toBe('There is a problem');
      expect(summary?.links.map((l) => l.href)).toEqual([
        '#childFamilyName',
        '#worries',
        '#answer-attendance',
        '#answer-behaviour',
        '#urgency',
        '#familyAware',
        '#consent',
        '#consentReason',
        '#channel',
      ]);
      expect(await refused.fieldError('worries')).toBe('Enter what worries you about the child');
      // GOV.UK Frontend moves focus to the summary; Tab reaches its first link, Enter lands on the field.
      expect(await refused.isErrorSummaryFocused()).toBe(true);
      expect((await refused.followFirstErrorLinkByKeyboard()).id).toBe('childFamilyName');

      await refused.completeByKeyboard({
        givenName: 'Rowan',
        familyName: FAMILY,
        dob: { day: '14', month: '3', year: '2013' },
        postcode: 'NB3 4QT',
        worries: 'Rowan came to school with a bruise on his arm and said he was scared to go home.',
        answers: { attendance: '82%, down from 96% last year', behaviour: 'Withdrawn since half term' },
        urgency: 'today',
        familyAware: 'no',
        consent: 'not_sought',
        consentReason: 'Asking might put Rowan at risk before the front door has looked at this',
        channel: 'email',
      });
      const mine = await ContactsYouMadePage.verifyOnPage(teacher);
      const banner = await mine.banner();
      const number = /^Contact (\d+) sent to the front door$/.exec(banner ?? '')?.[1];
      expect(number, `banner "${banner}"`).toBeDefined();
      expect(await mine.rowFor(number!)).toMatchObject({
        child: `Rowan ${FAMILY}`,
        status: 'New',
        outcome: 'Not yet shared with you',
      });

      // The front-door worker finds it in the queue, claims it, sets its priority and asks the GP.
      await workerHome.openPanelLink('Contacts to triage');
      const queue = await (await FrontDoorQueuePage.verifyOnPage(worker)).pageTo(number!);
      const row = await queue.rowFor(number!);
      expect(row?.[1]).toContain(`Rowan ${FAMILY}`);
      expect(row?.[3]).toBe('New');
      await queue.open(number!);

      const fresh = await ContactPage.verifyOnPage(worker, `Contact ${number}`);
      expect(await fresh.tags()).toEqual(['New']);
      expect(await fresh.value('Referrer')).toContain('Claire Bennett, Canal Side Academy');
      expect(await fresh.triageAnswers()).toEqual({
        'Attendance this school year': '82%, down from 96% last year',
        'Changes in behaviour or presentation at school': 'Withdrawn since half term',
      });
      expect(await fresh.actions()).toEqual(['Claim this contact', 'Add note']);
      await fresh.claim();

      const claimed = await ContactPage.verifyOnPage(worker);
      expect(await claimed.banner()).toBe('You have claimed this contact');
      expect(await claimed.tags()).toEqual(['In triage']);
      await claimed.setPriority('Amber');

      const prioritised = await ContactPage.verifyOnPage(worker);
      expect(await prioritised.banner()).toBe('Priority set');
      expect(await prioritised.tags()).toEqual(['In triage', 'Amber priority']);
      await prioritised.askAnAgency();

      const ask = await InformationRequestPage.verifyOnPage(worker);
      await ask.send(GP.practice, 'Is Rowan registered with you, and are there any safeguarding concerns?');
      const asked = await ContactPage.verifyOnPage(worker);
      expect(await asked.banner()).toBe('Request for information sent');
      const [request] = await asked.requests();
      expect(request?.agency).toContain(GP.practice);
      expect(request?.answer).toBe('Waiting');

      // The GP answers from their agency's requests page.
      await gpHome.openPanelLink('Requests for information to your agency');
      const inbox = await AgencyRequestsPage.verifyOnPage(gp);
      await inbox.open(number!);
      const answering = await AnswerRequestPage.verifyOnPage(gp);
      expect(await answering.value('Child')).toBe(`Rowan ${FAMILY}`);
      expect(await answering.value('Date of birth')).toContain('2013');
      await answering.answer(
        'Registered since birth. Missed two immunisation appointments; no other concerns.',
      );
      const answered = await AgencyRequestsPage.verifyOnPage(gp);
      expect(await answered.banner()).toBe('Answer sent to the front door');
      expect(await answered.hasRequestFor(number!)).toBe(false);
      await gp.end();

      // The worker sees the answer and decides no further action, which needs a manager's approval.
      await asked.refresh();
      const withAnswer = await ContactPage.verifyOnPage(worker);
      const [answer] = await withAnswer.requests();
      expect(answer?.answer).toContain('Missed two immunisation appointments');
      expect(answer?.answer).toContain(GP.name);
      await withAnswer.decide();

      const decision = await DecisionPage.verifyOnPage(worker);
      expect(await decision.approvalNotice()).toContain('no further action');
      await decision.decide(
        'No further action',
        'Universal: needs met by everyday services',
        'The bruise has an explanation the GP confirms; school to keep watching attendance.',
      );
      const awaiting = await ContactPage.verifyOnPage(worker);
      expect(await awaiting.banner()).toBe('Decision recorded: it now needs a manager’s approval');
      expect(await awaiting.tags()).toContain('Awaiting approval');
      expect(await awaiting.value('Approved by')).toBe('Waiting for a manager');
      expect(await awaiting.actions()).not.toContain('Approve or return the decision');

      // The team manager, a second person, approves it.
      await managerHome.openPanelLink('Contacts to triage');
      await (await FrontDoorQueuePage.verifyOnPage(manager)).show('Awaiting approval');
      const waiting = await (await FrontDoorQueuePage.verifyOnPage(manager)).pageTo(number!);
      expect((await waiting.rowFor(number!))?.[3]).toContain('Awaiting approval');
      await waiting.open(number!);
      await (await ContactPage.verifyOnPage(manager)).approveOrReturn();
      const approval = await ApprovalPage.verifyOnPage(manager);
      expect(await approval.value('Decision')).toBe('No further action');
      expect(await approval.value('Decided by')).toBe(WORKER.name);
      await approval.approve();
      const approved = await ContactPage.verifyOnPage(manager);
      expect(await approved.banner()).toBe('Decision approved');
      expect(await approved.tags()).toContain('Decided');
      expect(await approved.value('Approved by')).toMatch(new RegExp(`^${MANAGER.name}, `));
      await manager.end();

      // Until the worker records that the school was told, the school does not see the outcome.
      await mine.refresh();
      const beforeTold = await ContactsYouMadePage.verifyOnPage(teacher);
      expect((await beforeTold.rowFor(number!))?.outcome).toBe('Not yet shared with you');

      await awaiting.refresh();
      const decided = await ContactPage.verifyOnPage(worker);
      expect(await decided.value('Referrer told')).toBe('Not yet');
      await decided.recordWhoWasTold();
      const feedback = await FeedbackPage.verifyOnPage(worker);
      await feedback.record('The referrer was told the outcome');
      const told = await ContactPage.verifyOnPage(worker);
      expect(await told.banner()).toBe('Feedback recorded');
      expect(await told.value('Referrer told')).not.toBe('Not yet');
      await worker.end();

      // The school now sees the outcome, in its list and on the contact.
      await beforeTold.refresh();
      const afterTold = await ContactsYouMadePage.verifyOnPage(teacher);
      expect(await afterTold.rowFor(number!)).toMatchObject({
        status: 'Decided',
        outcome: 'No further action',
      });
      await afterTold.open(number!);
      const outcome = await ContactPage.verifyOnPage(teacher, `Contact ${number}`);
      expect(await outcome.value('Outcome')).toBe('No further action');
      expect(await outcome.actions()).toEqual([]);
      await teacher.end();
    },
  );

  it('anyone can report a concern without JavaScript and is given a reference', async ({ expect }) => {
    const journey = await journeys.start('f5-public-report-without-javascript', { javaScript: false });
    await journey.visit(`/areas/${DEMO_SLUG}/report-a-concern`);
    const form = await ReportConcernPage.verifyOnPage(journey);
    // The page scripts did not run: GOV.UK Frontend marks the body when they do.
    expect(await journey.page.locator('body.govuk-frontend-supported').count()).toBe(0);
    await form.send();

    const refused = await ReportConcernPage.verifyOnPage(journey);
    expect((await refused.errorSummary())?.links[0]).toEqual({
      text: 'Give the child’s family name with their date of birth, age or address; or, if you do not know their name, describe them and say where they live',
      href: '#childFamilyName',
    });
    // Without JavaScript a link to a field is a plain jump to it, and the field is there to jump to.
    expect(await journey.page.locator('#childFamilyName').count()).toBe(1);
    await refused.fillIn({
      familyName: `${FAMILY}-Neighbour`,
      postcode: 'NB4 2DH',
      worries: 'I hear shouting late at night and the little girl next door is often left alone.',
      urgency: 'Standard: within the usual timescale',
      familyAware: 'No',
      consent: 'The family has not been asked',
      consentReason: 'I am worried they would take it out on her',
    });
    await refused.send();

    const sent = await ConcernSentPage.verifyOnPage(journey);
    expect(await sent.reference()).toMatch(/^\d+$/);
    expect(new URL(journey.page.url()).pathname).toBe(`/areas/${DEMO_SLUG}/report-a-concern/sent`);
    await journey.end();
  });
});
