import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCtx, buildSystemActor } from '../../../test/helpers/context.ts';
import { createTestApp, errorSummary, type Agent, type TestApp } from '../../../test/helpers/web.ts';
import { importAgencyFile } from './people.import.ts';

const MAP = JSON.stringify({
  id: 'ref',
  given_name: 'first',
  family_name: 'last',
  date_of_birth: { column: 'dob', format: 'YYYY-MM-DD' },
  address_line_1: 'address',
  postcode: 'postcode',
  identifiers: { nhs_number: 'nhs' },
});
const HEADER = 'ref,first,last,dob,address,postcode,nhs';

describe('the person index pages', () => {
  let t: TestApp;
  let admin: Agent;
  let frontDoor: Agent;
  let practitioner: Agent;

  beforeAll(async () => {
    t = await createTestApp();
    await t.database.db
      .insertInto('recordSources')
      .values({
        partnershipId: t.partnershipId,
        code: 'school-roll',
        name: 'School census',
        kind: 'school_roll',
        organisationId: t.organisationId,
      })
      .execute();
    const frontDoorUser = await t.createUser('front.door@example.org', ['front_door']);
    admin = t.agent();
    await admin.signIn(t.admin.email);
    frontDoor = t.agent();
    await frontDoor.signIn(frontDoorUser.email);
    practitioner = t.agent();
    await practitioner.signIn(t.practitioner.email);
  });
  afterAll(() => t.close());

  /** Polls the import's page until the import running after the answer has finished. */
  async function finished(location: string) {
    for (let i = 0; i < 100; i++) {
      const page = await admin.get(location);
      if (!page.body.includes('Still running')) return page;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('The import did not finish');
  }

  it('takes an upload, runs it after answering, and shows the summary with every rejected row', async () => {
    const csv = [
      HEADER,
      'S1,Ada,Lovelace,2015-12-10,1 Analytical Way,NB1 1AA,9434765919',
      'S2,Charles,Babbage,2014-13-26,2 Difference Row,NB1 1AB,',
      'S3,Mary,Somerville,2016-02-26,3 Orbit Lane,NB1 1AC,9434765918',
    ].join('\n');
    const sent = await admin.postFiles(
      '/index/imports/new',
      { source: 'school-roll' },
      { file: { name: 'roll.csv', content: csv }, map: { name: 'map.json', content: MAP } },
    );
    expect(sent.statusCode, sent.body).toBe(303);
    const page = await finished(String(sent.headers.location));
    expect(page.body).toContain('Finished');
    expect(page.body).toMatch(
      /impossible date of birth &quot;2014-13-26&quot;|impossible date of birth "2014-13-26"/,
    );
    expect(page.body).toContain('the last digit does not match');
    const views = await t.database.db
      .selectFrom('auditEvents')
      .select('subjectId')
      .where('action', '=', 'index.import.view')
      .execute();
    expect(views.map((v) => v.subjectId)).toContain(String(sent.headers.location).split('/').pop());
    const list = await admin.get('/index/imports');
    expect(list.body).toContain('roll.csv');
  });

  it('refuses an upload without its files, or with a map.json that is wrong, naming the field', async () => {
    const before = await t.database.db.selectFrom('personImports').select('id').execute();
    const empty = await admin.postFiles('/index/imports/new', { source: '' }, {});
    expect(empty.statusCode).toBe(400);
    expect(errorSummary(empty.body)).toEqual([
      '#source Select where the records come from',
      '#file Choose the CSV file of records to import',
      '#map Choose the map.json that says which column holds which field',
    ]);
    const badMap = await admin.postFiles(
      '/index/imports/new',
      { source: 'school-roll' },
      {
        file: { name: 'roll.csv', content: `${HEADER}\nS9,A,B,2015-01-01,,,` },
        map: { name: 'map.json', content: '{"given_name":"first"}' },
      },
    );
    expect(badMap.statusCode).toBe(400);
    expect(errorSummary(badMap.body).join()).toContain('#map map.json: id:');
    const unknown = await admin.postFiles(
      '/index/imports/new',
      { source: 'police' },
      {
        file: { name: 'roll.csv', content: `${HEADER}\nS9,A,B,2015-01-01,,,` },
        map: { name: 'map.json', content: MAP },
      },
    );
    expect(unknown.statusCode).toBe(400);
    expect(errorSummary(unknown.body).join()).toContain(
      'There is no source &quot;police&quot;; choose one of: school-roll',
    );
    expect(await t.database.db.selectFrom('personImports').select('id').execute()).toHaveLength(
      before.length,
    );
  });

  describe('reviewing', () => {
    let linkId: string;

    beforeAll(async () => {
      // Twins: the second becomes a person of her own and is proposed, for a person to decide.
      const csv = [
        HEADER,
        'T1,Olivia,Marchetti,2019-05-14,27 Lapwing Close,NB4 2DH,',
        'T2,Sophia,Marchetti,2019-05-14,27 Lapwing Close,NB4 2DH,',
      ].join('\n');
      const ctx = buildCtx(buildSystemActor(t.partnershipId));
      await importAgencyFile(t.services.personIndex, ctx, {
        source: 'school-roll',
        fileName: 'twins.csv',
        open: () => Readable.from([Buffer.from(csv)]),
        map: JSON.parse(MAP) as never,
      });
      const queue = await frontDoor.get('/index/review');
      linkId = /href="\/index\/review\/([0-9a-f-]{36})"/.exec(queue.body)![1]!;
    });

    it('lists the proposal, and shows the two side by side with the score explained', async () => {
      const queue = await frontDoor.get('/index/review');
      expect(queue.statusCode).toBe(200);
      expect(queue.body).toContain('Sophia Marchetti');
      const page = await frontDoor.get(`/index/review/${linkId}`);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('Differs');
      expect(page.body).toContain('the given names differ: twins and triplets look like this');
      expect(page.body).toContain('date of birth');
    });

    it('refuses a decision that is missing or a request for information without saying what', async () => {
      const none = await frontDoor.post(`/index/review/${linkId}`, { version: '1' });
      expect(none.statusCode).toBe(400);
      expect(errorSummary(none.body)).toEqual(['#decision Select whether this is the same person']);
      const vague = await frontDoor.post(`/index/review/${linkId}`, {
        decision: 'more_information',
        version: '1',
      });
      expect(vague.statusCode).toBe(400);
      expect(errorSummary(vague.body)).toEqual(['#note Say what information is needed, and from whom']);
    });

    it('records "not the same person", and a second decision on the same proposal is refused', async () => {
      const decided = await frontDoor.post(`/index/review/${linkId}`, { decision: 'not_same', version: '1' });
      expect(decided.statusCode).toBe(303);
      const again = await frontDoor.post(`/index/review/${linkId}`, { decision: 'link', version: '2' });
      expect(again.statusCode).toBe(409);
      const queue = await frontDoor.get('/index/review');
      expect(queue.body).toContain('Nothing is waiting for review');
    });

    it('keeps the queue from practitioners', async () => {
      expect((await practitioner.get('/index/review')).statusCode).toBe(403);
      expect((await practitioner.get(`/index/review/${linkId}`)).statusCode).toBe(403);
    });
  });
});
