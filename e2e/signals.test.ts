import { describe, it } from 'vitest';
import { signInAs } from './pages/flows.ts';
import { ChildRecordPage } from './pages/people-pages.ts';
import {
  AlertPage,
  AlertsPage,
  ChildSignalsPage,
  MyChildrenPage,
  NoActionPage,
  SignalFormPage,
} from './pages/signal-pages.ts';
import { useJourneys } from './support/journeys.ts';

const journeys = useJourneys();
// Demo accounts: a secondary school's safeguarding lead and a front-door social worker.
const TEACHER = { email: 'teacher@northbridge.example', name: 'Claire Bennett' };
const WORKER = { email: 'frontdoor@northbridge.example', name: 'Priya Shah' };
const RUN = Date.now().toString(36);

describe('signals and alerts', () => {
  it(
    'a school records a severe worry, the rule raises an alert for the front door, and the front door works it',
    { timeout: 180_000 },
    async ({ expect }) => {
      const [teacher, worker] = await Promise.all([
        journeys.start('s1-school-records-a-signal'),
        journeys.start('s2-front-door-works-the-alert'),
      ]);
      const teacherHome = await signInAs(teacher, TEACHER.email, journeys.demoPassword, TEACHER.name);
      await teacherHome.openPanelLink('Children you are involved with');
      const childName = await (await MyChildrenPage.verifyOnPage(teacher)).openFirst();
      await ChildRecordPage.verifyOnPage(teacher, childName);
      await teacher.navigate(() => teacher.page.getByRole('link', { name: 'record a signal' }).click());

      // Sent empty first: every mistake named, with today already filled in.
      const form = await SignalFormPage.verifyOnPage(teacher);
      await form.send();
      const refused = await SignalFormPage.verifyOnPage(teacher);
      expect((await refused.errorSummary())?.links.map((l) => l.href)).toEqual([
        '#category',
        '#severity',
        '#description',
      ]);
      const description = `Bruising to both arms, said a parent grabbed her (${RUN}).`;
      await refused.record({ category: 'Physical harm', severity: 'Severe', description });
      const signals = await ChildSignalsPage.verifyOnPage(teacher);
      expect(await signals.banner()).toMatch(/^Signal recorded\./);
      expect(await signals.signalTexts()).toContain(description);

      // "Any severe signal" always goes to the front door, which picks the alert up and closes it.
      const workerHome = await signInAs(worker, WORKER.email, journeys.demoPassword, WORKER.name);
      await workerHome.openPanelLink('Alerts');
      await (await AlertsPage.verifyOnPage(worker)).openFor(childName, 'Any severe signal');
      let alert = await AlertPage.verifyOnPage(worker);
      if (await worker.page.getByRole('button', { name: 'Pick up this alert' }).count()) {
        await alert.pickUp();
        alert = await AlertPage.verifyOnPage(worker);
      }
      expect(await alert.explanation()).toMatch(/Any severe signal/);
      expect(await worker.page.locator('main').innerText()).toContain(description);
      await alert.closeWithNoAction();
      const close = await NoActionPage.verifyOnPage(worker);
      await worker.navigate(() => worker.page.getByRole('button', { name: 'Close the alert' }).click());
      const blank = await NoActionPage.verifyOnPage(worker);
      expect((await blank.errorSummary())?.links.map((l) => l.href)).toEqual(['#reason']);
      await close.close('A strategy discussion is already arranged for this child.');
      const inbox = await AlertsPage.verifyOnPage(worker);
      expect(await inbox.banner()).toBe('Alert closed with no action');
    },
  );
});
