import { describe, expect, it } from 'vitest';
import { signInAs } from './pages/flows.ts';
import { ImportFormPage, ImportPage, ImportsPage, ReviewPage, ReviewQueuePage } from './pages/index-pages.ts';
import { useJourneys } from './support/journeys.ts';

const journeys = useJourneys();
const ADMIN = { email: 'admin@northbridge.example', name: 'Alex Morgan' };
const FRONT_DOOR = { email: 'frontdoor@northbridge.example', name: 'Priya Shah' };
// A family name no demo child has, so that this journey's twins are its own.
const FAMILY = `Quillfeather${Date.now().toString(36).replace(/\d/g, '')}`;
const MAP = JSON.stringify({
  id: 'ref',
  given_name: 'first',
  family_name: 'last',
  date_of_birth: { column: 'dob', format: 'DD/MM/YYYY' },
  address_line_1: 'address',
  postcode: 'postcode',
});
const CSV = [
  'ref,first,last,dob,address,postcode',
  `E1,Marnie,${FAMILY},14/05/2019,27 Lapwing Close,NB4 2DH`,
  `E2,Juniper,${FAMILY},14/05/2019,27 Lapwing Close,NB4 2DH`,
  `E3,Tobias,${FAMILY},31/02/2018,2 Heron Way,NB4 2DJ`,
].join('\n');

describe('the person index', () => {
  it('an administrator imports a file; the front door decides the uncertain link', async () => {
    const admin = await journeys.start('i1-administrator-imports-records');
    const home = await signInAs(admin, ADMIN.email, journeys.demoPassword, ADMIN.name);
    await home.openNavigation('Person index');
    await (await ReviewQueuePage.verifyOnPage(admin)).openImports();
    const imports = await ImportsPage.verifyOnPage(admin);
    await imports.startImport();
    const form = await ImportFormPage.verifyOnPage(admin);
    await form.upload('', '', '');
    const refused = await ImportFormPage.verifyOnPage(admin);
    expect((await refused.errorSummary())?.links.map((l) => l.href)).toEqual(['#source', '#file', '#map']);
    await refused.upload('School census (Northbridge Council Children’s Services)', CSV, MAP);
    const running = await ImportPage.verifyOnPage(admin);
    const done = await running.untilFinished();
    expect(await done.figure('Rows read')).toBe('3');
    expect(await done.figure('Rejected')).toBe('1');
    expect((await done.rejectedRows())[0]).toEqual([
      '4',
      'impossible date of birth "31/02/2018" (expected DD/MM/YYYY)',
    ]);
    await admin.end();

    const worker = await journeys.start('i2-front-door-reviews-a-link');
    const workerHome = await signInAs(worker, FRONT_DOOR.email, journeys.demoPassword, FRONT_DOOR.name);
    await workerHome.openNavigation('Person index');
    const queue = await ReviewQueuePage.verifyOnPage(worker);
    await queue.review(`Juniper ${FAMILY}`);
    const review = await ReviewPage.verifyOnPage(worker);
    const given = (await review.sideBySide()).find((cells) => cells[0] === 'Given name');
    expect(given).toEqual(['Given name', 'Juniper', 'Marnie', 'Differs']);
    await review.decide('I need more information before deciding');
    const noNote = await ReviewPage.verifyOnPage(worker);
    expect((await noNote.errorSummary())?.links).toEqual([
      { text: 'Say what information is needed, and from whom', href: '#note' },
    ]);
    await noNote.decide('Not the same person: never propose this again');
    const after = await ReviewQueuePage.verifyOnPage(worker);
    expect(await after.banner()).toBe('Recorded as not the same person; it will not be proposed again');
    expect((await after.rows()).some((cells) => cells[0]!.includes(`Juniper ${FAMILY}`))).toBe(false);
    await worker.end();
  });
});
