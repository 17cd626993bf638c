import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  errorSummary,
  signedInAgent,
  type Agent,
  type TestApp,
} from '../../../test/helpers/web.ts';

const HEADER = 'indicator,locality,period_start,period_end,numerator,denominator,value,source_note';
const FIGURES = [
  HEADER,
  'persistent_absence,east,2023-09-01,2024-08-31,400,2000,20,DfE',
  'persistent_absence,west,2023-09-01,2024-08-31,300,2000,15,DfE',
  'persistent_absence,,2023-09-01,2024-08-31,700,4000,17.5,DfE',
  'persistent_absence,east,2024-09-01,2025-08-31,3,2000,0.2,DfE',
  'persistent_absence,west,2024-09-01,2025-08-31,280,2000,14,DfE',
].join('\n');

describe('the outcome pages', () => {
  let t: TestApp;
  let analyst: Agent;
  let practitioner: Agent;

  const auditActions = async (action: string) =>
    await t.database.db
      .selectFrom('auditEvents')
      .select(['outcome', 'detail'])
      .where('partnershipId', '=', t.partnershipId)
      .where('action', '=', action)
      .execute();

  beforeAll(async () => {
    t = await createTestApp();
    await t.database.db
      .insertInto('localities')
      .values([
        { partnershipId: t.partnershipId, code: 'east', name: 'Eastbrook' },
        { partnershipId: t.partnershipId, code: 'west', name: 'Westfield' },
      ])
      .execute();
    const user = await t.createUser('analyst@example.org', ['analyst']);
    analyst = await signedInAgent(t.app, t.clock, user.email);
    practitioner = await signedInAgent(t.app, t.clock, t.practitioner.email);
  });

  afterAll(async () => {
    await t.close();
  });

  it('shows every indicator to an analyst, and refuses a practitioner', async () => {
    const page = await analyst.get('/outcomes');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Population indicators');
    expect(page.body).toContain('Is anyone better off?');
    expect(page.body).toContain('Persistent absence from school');
    expect(
      (await auditActions('aggregate.view')).map((e) => [e.outcome, (e.detail as { table?: string }).table]),
    ).toContainEqual(['success', 'outcomes-overview']);
    expect((await practitioner.get('/outcomes')).statusCode).toBe(403);
    expect((await practitioner.get('/outcomes/indicators/persistent_absence')).statusCode).toBe(403);
    expect((await practitioner.get('/outcomes/figures/import')).statusCode).toBe(403);
  });

  it('answers a choice of periods it does not know, and an indicator it does not know', async () => {
    const bad = await analyst.get('/outcomes?grain=fortnight');
    expect(bad.statusCode).toBe(400);
    expect(errorSummary(bad.body)).toEqual(['#grain Choose years, quarters or months']);
    expect((await analyst.get('/outcomes/indicators/nonsense')).statusCode).toBe(404);
  });

  it('loads published figures: all rows, or none with every problem named', async () => {
    const before = await t.database.db
      .selectFrom('indicatorValues')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    const refused = await analyst.postFiles(
      '/outcomes/figures/import',
      {},
      {
        file: {
          name: 'figures.csv',
          content: `${FIGURES}\npersistent_absence,middle,2024-09-01,2025-08-31,,,1,\nnonsense,,2024-09-01,2025-08-31,,,1,`,
        },
      },
    );
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('Row 7, column locality');
    expect(refused.body).toContain('Row 8, column indicator');
    const after = await t.database.db
      .selectFrom('indicatorValues')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));

    const empty = await analyst.postFiles(
      '/outcomes/figures/import',
      {},
      { file: { name: 'figures.csv', content: '' } },
    );
    expect(empty.statusCode).toBe(400);
    expect(errorSummary(empty.body)).toEqual(['#file Choose a CSV file of figures to load']);

    const loaded = await analyst.postFiles(
      '/outcomes/figures/import',
      {},
      { file: { name: 'figures.csv', content: FIGURES } },
    );
    expect(loaded.statusCode).toBe(303);
    expect(loaded.headers.location).toBe('/outcomes');
    expect(await auditActions('outcomes.figures.import')).toEqual([
      expect.objectContaining({
        outcome: 'success',
        detail: { rows: 5, indicators: ['persistent_absence'] },
      }),
    ]);
    // Loading the same file again replaces the figures; it does not add to them.
    await analyst.postFiles(
      '/outcomes/figures/import',
      {},
      { file: { name: 'figures.csv', content: FIGURES } },
    );
    const rows = await t.database.db
      .selectFrom('indicatorValues')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(rows.n)).toBe(5);
  });

  it('shows an indicator with its localities, hiding a small count, and gives the same as CSV', async () => {
    const page = await analyst.get('/outcomes/indicators/persistent_absence');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('role="img"');
    expect(page.body).toMatch(/>\s*17.5\s*</);
    expect(page.body).toContain('Not shown: small number');
    expect(page.body).not.toContain('0.2%');

    const csv = await analyst.get('/outcomes/indicators/persistent_absence/figures.csv?grain=year');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\n');
    expect(lines[0]).toBe('indicator,period_start,period_end,period,place,numerator,denominator,value');
    expect(lines).toContain('persistent_absence,2023-09-01,2024-08-31,2023 to 24,Whole area,700,4000,17.5');
    expect(lines).toContain('persistent_absence,2024-09-01,2025-08-31,2024 to 25,Eastbrook,<5,,');
    expect((await auditActions('aggregate.view')).map((e) => e.detail)).toContainEqual({
      table: 'indicator:persistent_absence',
      grain: 'year',
      download: 'csv',
    });
  });

  it('sets a target, refusing a wrong one and a stale edit', async () => {
    const url = '/outcomes/indicators/persistent_absence/target';
    const empty = await analyst.post(url, { target: ' ', targetBy: 'soon' });
    expect(errorSummary(empty.body)).toEqual([
      '#target Enter the target',
      '#targetBy Enter the date to reach it by as YYYY-MM-DD, for example 2028-03-31',
    ]);
    const words = await analyst.post(url, { target: 'twelve', targetBy: '2028-08-31' });
    expect(errorSummary(words.body)).toEqual(['#target Enter the target as a number, like 12.5']);
    const wrong = await analyst.post(url, { target: '140', targetBy: '2020-01-01' });
    expect(wrong.statusCode).toBe(400);
    expect(errorSummary(wrong.body)).toEqual(['#target A percentage target cannot be more than 100']);

    const past = await analyst.post(url, { target: '12', targetBy: '2020-01-01' });
    expect(errorSummary(past.body)).toEqual([
      '#targetBy The date to reach the target by must be in the future',
    ]);

    const set = await analyst.post(url, { target: '12', targetBy: '2028-08-31' });
    expect(set.statusCode).toBe(303);
    const changed = await analyst.post(url, { target: '11', targetBy: '2028-08-31', version: '1' });
    expect(changed.statusCode).toBe(303);
    const stale = await analyst.post(url, { target: '10', targetBy: '2028-08-31', version: '1' });
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('Someone else changed this target');
    const page = await analyst.get('/outcomes/indicators/persistent_absence');
    expect(page.body).toContain('11% by');
  });

  it('shows a figure worked out from the partnership’s own records once the counts are refreshed', async () => {
    const db = t.database.db;
    const east = await db
      .selectFrom('localities')
      .select('id')
      .where('partnershipId', '=', t.partnershipId)
      .where('code', '=', 'east')
      .executeTakeFirstOrThrow();
    const rows = [];
    for (let i = 0; i < 12; i++)
      rows.push({
        partnershipId: t.partnershipId,
        measure: 'contacts.received',
        localityId: east.id,
        month: `2025-${String(i + 1).padStart(2, '0')}-01`,
        value: 10 + i,
      });
    for (let y = 2008; y <= 2025; y++)
      rows.push({
        partnershipId: t.partnershipId,
        measure: 'people.born',
        localityId: east.id,
        month: `${y}-06-01`,
        value: 100,
      });
    await db.insertInto('measureMonths').values(rows).execute();
    const page = await analyst.get('/outcomes/indicators/contacts_rate?grain=quarter');
    expect(page.statusCode).toBe(200);
    // January to March 2025: 10 + 11 + 12 contacts among the 1,700 children born from June 2008 to June 2024.
    expect(page.body).toMatch(/>\s*194.1\s*</);
  });

  it('writes the annual review for the board, with commentary kept against a stale edit', async () => {
    // The test clock is 2 March 2026: the last whole financial year is 2024 to 25.
    const latest = await analyst.get('/outcomes/review');
    expect(latest.statusCode).toBe(303);
    expect(latest.headers.location).toBe('/outcomes/review/2024');
    const page = await analyst.get('/outcomes/review/2024');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Outcome review 2024 to 25');
    expect(page.body).toContain('Enjoy and achieve');
    expect(page.body).toContain('Is anyone better off?');
    expect(page.body).toContain('No practice change is recorded for this year or before it.');
    expect((await analyst.get('/outcomes/review/2025')).statusCode).toBe(404);
    expect((await analyst.get('/outcomes/review/twenty')).statusCode).toBe(404);
    expect((await practitioner.get('/outcomes/review/2024')).statusCode).toBe(403);

    const url = '/outcomes/review/2024/notes/persistent_absence';
    const empty = await analyst.post(url, { commentary: '  ' });
    expect(errorSummary(empty.body)).toEqual(['#commentary Enter the commentary']);
    expect((await analyst.post(url, { commentary: 'Absence fell in the east.' })).statusCode).toBe(303);
    expect(
      (await analyst.post(url, { commentary: 'Absence fell in the east and held.', version: '1' }))
        .statusCode,
    ).toBe(303);
    const stale = await analyst.post(url, { commentary: 'Something else.', version: '1' });
    expect(stale.statusCode).toBe(409);
    const written = await analyst.get('/outcomes/review/2024');
    expect(written.body).toContain('Absence fell in the east and held.');
    expect(await auditActions('outcomes.review.note')).toHaveLength(2);
  });
});
