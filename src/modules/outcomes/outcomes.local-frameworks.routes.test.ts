import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  errorSummary,
  signedInAgent,
  type Agent,
  type TestApp,
} from '../../../test/helpers/web.ts';

describe('the partnership’s own outcome frameworks', () => {
  let t: TestApp;
  let admin: Agent;
  let analyst: Agent;
  let frameworkId: string;

  beforeAll(async () => {
    t = await createTestApp();
    await t.database.db
      .insertInto('localities')
      .values({ partnershipId: t.partnershipId, code: 'east', name: 'Eastbrook' })
      .execute();
    admin = await signedInAgent(t.app, t.clock, t.admin.email);
    const user = await t.createUser('analyst@example.org', ['analyst']);
    analyst = await signedInAgent(t.app, t.clock, user.email);
  });

  afterAll(async () => {
    await t.close();
  });

  it('refuses a framework with no name, no outcomes or an outcome twice, naming the field', async () => {
    const empty = await admin.post('/outcomes/frameworks/new', { name: ' ', outcomes: '\n \n' });
    expect(empty.statusCode).toBe(400);
    expect(errorSummary(empty.body)).toEqual([
      '#name Enter the framework’s name',
      '#outcomes Enter the outcomes, one on each line',
    ]);
    const twice = await admin.post('/outcomes/frameworks/new', {
      name: 'Our plan',
      outcomes: 'Safe at home\nsafe at home',
    });
    expect(errorSummary(twice.body)).toEqual(['#outcomes Each outcome must be on the list once']);
    const national = await admin.post('/outcomes/frameworks/new', {
      name: 'Every Child Matters',
      outcomes: 'Safe',
    });
    expect(errorSummary(national.body)).toEqual([
      '#name There is already a framework with this name: choose another',
    ]);
    const count = await t.database.db
      .selectFrom('localFrameworks')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
  });

  it('lets an administrator define one and say which indicators tell about each outcome', async () => {
    const made = await admin.post('/outcomes/frameworks/new', {
      name: 'Northbridge Children’s Plan',
      description: 'Our three priorities for 2025 to 2028',
      outcomes: 'Children are safe at home\n\nChildren attend school and learn',
    });
    expect(made.statusCode).toBe(303);
    frameworkId = String(made.headers.location).split('/').pop()!;
    const saved = await admin.post(
      `/outcomes/frameworks/${frameworkId}/indicators`,
      {
        version: '1',
        'outcome-0': ['children_in_need_rate', 'child_protection_rate'],
        'outcome-1': 'persistent_absence',
      },
      `/outcomes/frameworks/${frameworkId}`,
    );
    expect(saved.statusCode).toBe(303);
    const stale = await admin.post(
      `/outcomes/frameworks/${frameworkId}/indicators`,
      { version: '1', 'outcome-0': 'looked_after_rate' },
      `/outcomes/frameworks/${frameworkId}`,
    );
    expect(
      stale.statusCode,
      stale.body.slice(stale.body.indexOf('<main'), stale.body.indexOf('<main') + 800),
    ).toBe(409);

    const overview = await analyst.get(`/outcomes?framework=${frameworkId}`);
    expect(overview.statusCode).toBe(200);
    expect(overview.body).toContain('Population indicators: Northbridge Children’s Plan');
    expect(overview.body).toContain('Children attend school and learn');
    const actions = await t.database.db
      .selectFrom('auditEvents')
      .select('action')
      .where('action', 'like', 'outcomes.framework.%')
      .execute();
    expect(actions.map((a) => a.action).sort()).toEqual([
      'outcomes.framework.create',
      'outcomes.framework.indicators',
    ]);
  });

  it('keeps each outcome’s code and indicators when the outcomes are listed again, and retires one left off', async () => {
    const outcomes = () =>
      t.database.db
        .selectFrom('localFrameworkOutcomes')
        .select(['code', 'position', 'label', 'indicatorCodes'])
        .orderBy('code')
        .execute();
    const edit = (outcomes: string, version: string) =>
      admin.post(`/outcomes/frameworks/${frameworkId}/edit`, {
        name: 'Northbridge Children’s Plan',
        outcomes,
        version,
      });
    const edited = await edit('children attend school and learn\nFamilies are financially secure', '2');
    expect(edited.statusCode).toBe(303);
    expect(await outcomes()).toEqual([
      {
        code: 'o1',
        position: null,
        label: 'Children are safe at home',
        indicatorCodes: ['children_in_need_rate', 'child_protection_rate'],
      },
      {
        code: 'o2',
        position: 0,
        label: 'children attend school and learn',
        indicatorCodes: ['persistent_absence'],
      },
      { code: 'o3', position: 1, label: 'Families are financially secure', indicatorCodes: [] },
    ]);
    const page = await admin.get(`/outcomes/frameworks/${frameworkId}`);
    expect(page.body).toContain('Taken off the list');
    expect(page.body.slice(page.body.indexOf('Taken off the list'))).toContain('Children are safe at home');
    const update = await t.database.db
      .selectFrom('auditEvents')
      .select('detail')
      .where('action', '=', 'outcomes.framework.update')
      .executeTakeFirstOrThrow();
    expect(update.detail).toMatchObject({ added: ['o3'], retired: ['o1'] });

    const stale = await edit('Something else', '2');
    expect(stale.statusCode).toBe(409);
    expect((await outcomes()).map((o) => o.label)).not.toContain('Something else');

    // Its words listed again, a retired outcome comes back with its code and indicators.
    expect((await edit('Children are safe at home\nFamilies are financially secure', '3')).statusCode).toBe(
      303,
    );
    expect((await outcomes()).map((o) => [o.code, o.position, o.indicatorCodes.length])).toEqual([
      ['o1', 0, 2],
      ['o2', null, 1],
      ['o3', 1, 0],
    ]);
  });

  it('lets an analyst read the frameworks but not define one, and answers an unknown one', async () => {
    expect((await analyst.get('/outcomes/frameworks')).body).toContain('Northbridge Children’s Plan');
    expect((await analyst.get('/outcomes/frameworks/england')).statusCode).toBe(200);
    expect((await analyst.get('/outcomes/frameworks/new')).statusCode).toBe(403);
    expect((await analyst.get('/outcomes/frameworks/nowhere')).statusCode).toBe(404);
    const unknown = await analyst.get('/outcomes?framework=nowhere');
    expect(unknown.statusCode).toBe(400);
    expect(errorSummary(unknown.body)).toEqual(['#framework Choose a framework from the list']);
  });
});
