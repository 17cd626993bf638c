import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aServiceRecord, saveTestServices, seedTestDirectory } from '../../../test/helpers/directory.ts';
import {
  createTestApp,
  errorSummary,
  signedInAgent,
  type Agent,
  type TestApp,
} from '../../../test/helpers/web.ts';

describe('money pages', () => {
  let t: TestApp;
  let admin: Agent;
  let analyst: Agent;
  let practitioner: Agent;
  let serviceId: string;

  beforeAll(async () => {
    t = await createTestApp();
    await seedTestDirectory(t.database.db, t.partnershipId);
    const service = aServiceRecord({ name: 'Family support workers' });
    await saveTestServices(t.database.db, t.partnershipId, [service], t.clock.now());
    serviceId = service.id;
    await t.createUser('analyst@example.org', ['analyst']);
    admin = await signedInAgent(t.app, t.clock, t.admin.email);
    analyst = await signedInAgent(t.app, t.clock, 'analyst@example.org');
    practitioner = await signedInAgent(t.app, t.clock, t.practitioner.email);
  }, 60_000);
  afterAll(() => t.close());

  const count = async (table: 'moneyPartners' | 'moneyBudgets' | 'moneySpendLines') =>
    Number(
      (
        await t.database.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('partnershipId', '=', t.partnershipId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  const submissionIdOn = async (agent: Agent, url: string) => {
    const page = await agent.get(url);
    const id = /name="submissionId" value="([^"]+)"/.exec(page.body)?.[1];
    if (!id) throw new Error(`No submission id on ${url}`);
    return id;
  };

  it('lets each person see only the links they may use, and refuses people with neither', async () => {
    const forAdmin = await admin.get('/outcomes/money');
    expect(forAdmin.statusCode).toBe(200);
    expect(forAdmin.body).toContain('href="/outcomes/money/budgets"');
    expect(forAdmin.body).not.toContain('href="/outcomes/money/outcome-account"');
    const forAnalyst = await analyst.get('/outcomes/money');
    expect(forAnalyst.body).toContain('href="/outcomes/money/outcome-account"');
    expect(forAnalyst.body).not.toContain('href="/outcomes/money/budgets"');
    expect((await practitioner.get('/outcomes/money')).statusCode).toBe(403);
  });

  it('refuses the administrator’s pages to an analyst and a practitioner, and the figures to a practitioner', async () => {
    for (const url of [
      '/outcomes/money/partners',
      '/outcomes/money/budgets/new',
      '/outcomes/money/spend',
      '/outcomes/money/spend/upload',
    ])
      expect((await analyst.get(url)).statusCode, url).toBe(403);
    expect((await practitioner.get('/outcomes/money/spend-by-service')).statusCode).toBe(403);
    expect((await practitioner.get('/outcomes/money/cost-per-child.csv')).statusCode).toBe(403);
  });

  it('adds a funding partner; a double submit makes one; an empty name is a 400 naming the field', async () => {
    const empty = await admin.post('/outcomes/money/partners/new', {
      name: ' ',
      sector: 'health',
      submissionId: randomUUID(),
    });
    expect(empty.statusCode).toBe(400);
    expect(errorSummary(empty.body)).toEqual(['#name Enter the partner’s name']);
    const submissionId = await submissionIdOn(admin, '/outcomes/money/partners/new');
    const form = { name: 'Integrated Care Board', sector: 'health', submissionId };
    const first = await admin.post('/outcomes/money/partners/new', form);
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toBe('/outcomes/money/partners');
    expect((await admin.post('/outcomes/money/partners/new', form)).statusCode).toBe(303);
    expect(await count('moneyPartners')).toBe(1);
    await admin.post('/outcomes/money/partners/new', {
      name: 'Northbridge Council',
      sector: 'social_care',
      submissionId: randomUUID(),
    });
    const list = await admin.get('/outcomes/money/partners');
    expect(list.body).toContain('Integrated Care Board');
    expect(list.body).toContain('Northbridge Council');
  });

  it('shows a stale edit with 409, the editor’s words kept beside those saved since', async () => {
    const partner = await t.database.db
      .selectFrom('moneyPartners')
      .select('id')
      .where('partnershipId', '=', t.partnershipId)
      .where('name', '=', 'Integrated Care Board')
      .executeTakeFirstOrThrow();
    const url = `/outcomes/money/partners/${partner.id}/edit`;
    expect(
      (await admin.post(url, { name: 'ICB', sector: 'health', active: 'yes', version: '1' })).statusCode,
    ).toBe(303);
    const stale = await admin.post(url, {
      name: 'Someone else',
      sector: 'health',
      active: 'yes',
      version: '1',
    });
    expect(stale.statusCode).toBe(409);
    expect(errorSummary(stale.body)[0]).toContain('#form Someone else changed this');
    expect(stale.body).toContain('value="Someone else"');
    expect(stale.body).toMatch(
      /Name\s*<\/dt>[\s\S]*?Saved now:<\/span> ICB[\s\S]*?Yours:<\/span> Someone else/,
    );
    expect(stale.body).toContain('name="version" value="2"');
    expect((await admin.get('/outcomes/money/partners/not-a-uuid/edit')).statusCode).toBe(404);
  });

  it('adds a pooled budget with contributions, and explains a wrong one field by field', async () => {
    const partners = await t.database.db
      .selectFrom('moneyPartners')
      .select(['id', 'name'])
      .where('partnershipId', '=', t.partnershipId)
      .orderBy('name')
      .execute();
    const [icb, council] = partners;
    const wrong = await admin.post('/outcomes/money/budgets/new', {
      name: 'Early help pool',
      financialYear: '2025',
      kind: 'pooled',
      [`contribution-${icb!.id}`]: 'lots',
      submissionId: randomUUID(),
    });
    expect(wrong.statusCode).toBe(400);
    expect(errorSummary(wrong.body)).toEqual([
      `#contribution-${icb!.id} Enter the amount in pounds, for example 1250.50`,
    ]);
    const one = await admin.post('/outcomes/money/budgets/new', {
      name: 'Early help pool',
      financialYear: '2025',
      kind: 'pooled',
      [`contribution-${icb!.id}`]: '40000',
      submissionId: randomUUID(),
    });
    expect(errorSummary(one.body)).toEqual([
      '#contributions A pooled budget has two or more partners: enter each partner’s contribution',
    ]);
    const ok = await admin.post('/outcomes/money/budgets/new', {
      name: 'Early help pool',
      financialYear: '2025',
      kind: 'pooled',
      [`contribution-${icb!.id}`]: '40000',
      [`contribution-${council!.id}`]: '60,000.00',
      description: 'Section 75',
      submissionId: randomUUID(),
    });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe('/outcomes/money/budgets?year=2025');
    const list = await admin.get('/outcomes/money/budgets?year=2025');
    expect(list.body).toContain('£100,000.00');
    expect(list.body).toContain('Pooled');
  });

  it('adds a spend line from the form', async () => {
    const budget = await t.database.db
      .selectFrom('moneyBudgets')
      .select('id')
      .where('partnershipId', '=', t.partnershipId)
      .executeTakeFirstOrThrow();
    const form = await admin.get('/outcomes/money/spend/new');
    expect(form.body).toContain('Family support workers');
    expect(form.body).toContain('value="england:stay_safe"');
    const bad = await admin.post('/outcomes/money/spend/new', {
      budgetId: budget.id,
      serviceId,
      amount: '-4',
      submissionId: randomUUID(),
    });
    expect(bad.statusCode).toBe(400);
    expect(errorSummary(bad.body)).toEqual(['#amount Enter an amount greater than £0']);
    const submissionId = await submissionIdOn(admin, '/outcomes/money/spend/new');
    const line = {
      budgetId: budget.id,
      serviceId,
      quarter: '1',
      amount: '2500',
      outcomes: ['england:stay_safe', 'england:be_healthy'],
      submissionId,
    };
    const saved = await admin.post('/outcomes/money/spend/new', line);
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe('/outcomes/money/spend?year=2025');
    await admin.post('/outcomes/money/spend/new', line);
    expect(await count('moneySpendLines')).toBe(1);
    const list = await admin.get('/outcomes/money/spend?year=2025');
    expect(list.body).toContain('£2,500.00');
    expect(list.body).toContain('Stay safe (Every Child Matters)');
  });

  it('uploads spend: a wrong file lists each row and column at fault and saves nothing; a good one saves every row', async () => {
    const bad = [
      'financial_year,budget,service,amount,quarter',
      '2025-26,Early help pool,Family support workers,100,2',
      '2025-26,Early help pool,Family support workers,,7',
    ].join('\n');
    const refused = await admin.postFiles(
      '/outcomes/money/spend/upload',
      { submissionId: randomUUID() },
      { file: { name: 'spend.csv', content: bad } },
    );
    expect(refused.statusCode).toBe(400);
    expect(errorSummary(refused.body)).toEqual([
      '#file Row 3, column quarter: “7” is not a quarter; use 1 to 4 (Q1 is April to June), or leave it empty for the whole year',
      '#file Row 3, column amount: enter the amount in pounds, for example 1250.50',
    ]);
    expect(await count('moneySpendLines')).toBe(1);
    const none = await admin.postFiles('/outcomes/money/spend/upload', { submissionId: randomUUID() }, {});
    expect(errorSummary(none.body)).toEqual(['#file Choose the CSV file of spend lines to upload']);
    const good = bad.replace(',,7', ',300,Q3');
    const submissionId = await submissionIdOn(admin, '/outcomes/money/spend/upload');
    const saved = await admin.postFiles(
      '/outcomes/money/spend/upload',
      { submissionId },
      { file: { name: 'spend.csv', content: good } },
    );
    expect(saved.statusCode).toBe(303);
    await admin.postFiles(
      '/outcomes/money/spend/upload',
      { submissionId },
      { file: { name: 'spend.csv', content: good } },
    );
    expect(await count('moneySpendLines')).toBe(3);
  });

  it('opens a budget and a spend line for editing with their values', async () => {
    const budget = await t.database.db
      .selectFrom('moneyBudgets')
      .select('id')
      .where('partnershipId', '=', t.partnershipId)
      .executeTakeFirstOrThrow();
    const budgetPage = await admin.get(`/outcomes/money/budgets/${budget.id}/edit`);
    expect(budgetPage.statusCode).toBe(200);
    expect(budgetPage.body).toContain('value="60000.00"');
    expect(budgetPage.body).toContain('name="version" value="1"');
    const line = await t.database.db
      .selectFrom('moneySpendLines')
      .select('id')
      .where('partnershipId', '=', t.partnershipId)
      .where('quarter', '=', 1)
      .executeTakeFirstOrThrow();
    const spendPage = await admin.get(`/outcomes/money/spend/${line.id}/edit`);
    expect(spendPage.statusCode).toBe(200);
    expect(spendPage.body).toContain('value="2500.00"');
    expect(spendPage.body).toMatch(/value="england:stay_safe" checked/);
    expect((await admin.get(`/outcomes/money/spend/${randomUUID()}/edit`)).statusCode).toBe(404);
  });

  it('shows the figures pages with a chart, the table and a CSV download', async () => {
    for (const figure of ['spend-by-service', 'spend-by-outcome', 'cost-per-child', 'outcome-account']) {
      const page = await analyst.get(`/outcomes/money/${figure}?year=2025`);
      expect(page.statusCode, figure).toBe(200);
      expect(page.body, figure).toContain('role="img"');
      expect(page.body, figure).toContain('<table class="govuk-table">');
      expect(page.body, figure).toContain(`href="/outcomes/money/${figure}.csv?year=2025"`);
    }
    const account = await analyst.get('/outcomes/money/outcome-account?year=2025');
    expect(account.body).toContain('apportioned to its partners by their share');
    const cost = await analyst.get('/outcomes/money/cost-per-child?year=2025');
    expect(cost.body).toContain('No children served');
    const csv = await analyst.get('/outcomes/money/spend-by-service.csv?year=2025');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.body).toContain('Family support workers,0.00,0.00,0.00,0.00,2900.00');
    const badYear = await analyst.get('/outcomes/money/spend-by-service?year=soon');
    expect(badYear.statusCode).toBe(400);
    expect(errorSummary(badYear.body)).toEqual(['#year Choose a financial year from the list']);
    const events = await t.database.db
      .selectFrom('auditEvents')
      .select('detail')
      .where('partnershipId', '=', t.partnershipId)
      .where('action', '=', 'aggregate.view')
      .execute();
    expect(events.map((e) => (e.detail as { table: string }).table)).toEqual(
      expect.arrayContaining(['money-spend-by-service', 'money-outcome-account', 'money-cost-per-child']),
    );
    expect(events.some((e) => (e.detail as { download?: string }).download === 'spend-by-service')).toBe(
      true,
    );
  });

  it('lets a spend line serve the partnership’s own outcomes: offered, refused when unknown, kept when retired, named in the figures', async () => {
    const plan = 'Northbridge Children’s Plan';
    const made = await admin.post('/outcomes/frameworks/new', {
      name: plan,
      outcomes: 'Safe at home\nIn school',
    });
    expect(made.statusCode).toBe(303);
    const ours = String(made.headers.location).split('/').pop()!;
    const budget = await t.database.db
      .selectFrom('moneyBudgets')
      .select('id')
      .where('partnershipId', '=', t.partnershipId)
      .executeTakeFirstOrThrow();
    const form = await admin.get('/outcomes/money/spend/new');
    expect(form.body).toContain(plan);
    expect(form.body).toContain(`value="${ours}:o2"`);

    const before = await count('moneySpendLines');
    const line = async (outcomes: string) => ({
      budgetId: budget.id,
      serviceId,
      amount: '400',
      outcomes,
      submissionId: await submissionIdOn(admin, '/outcomes/money/spend/new'),
    });
    const nowhere = `${randomUUID()}:o1`;
    const refused = await admin.post('/outcomes/money/spend/new', await line(nowhere));
    expect(refused.statusCode).toBe(400);
    expect(errorSummary(refused.body)).toEqual([
      `#outcomes ${nowhere} is not an outcome of your partnership’s frameworks`,
    ]);
    expect(await count('moneySpendLines')).toBe(before);
    expect((await admin.post('/outcomes/money/spend/new', await line(`${ours}:o2`))).statusCode).toBe(303);
    expect((await admin.get('/outcomes/money/spend?year=2025')).body).toContain(`In school (${plan})`);

    // “In school” is taken off the list: no new line may choose it, the line that serves it keeps it.
    const retired = await admin.post(`/outcomes/frameworks/${ours}/edit`, {
      name: plan,
      outcomes: 'Safe at home',
      version: '1',
    });
    expect(retired.statusCode).toBe(303);
    expect((await admin.get('/outcomes/money/spend/new')).body).not.toContain(`value="${ours}:o2"`);
    const saved = await t.database.db
      .selectFrom('moneySpendOutcomes')
      .innerJoin('moneySpendLines', 'moneySpendLines.id', 'moneySpendOutcomes.spendId')
      .select(['moneySpendLines.id', 'moneySpendLines.version'])
      .where('moneySpendOutcomes.framework', '=', ours)
      .executeTakeFirstOrThrow();
    const edit = await admin.get(`/outcomes/money/spend/${saved.id}/edit`);
    expect(edit.body).toMatch(new RegExp(`value="${ours}:o2" checked`));
    expect(edit.body).toContain('In school (no longer offered)');
    const kept = await admin.post(`/outcomes/money/spend/${saved.id}/edit`, {
      budgetId: budget.id,
      serviceId,
      amount: '450',
      outcomes: [`${ours}:o2`, `${ours}:o1`],
      version: String(saved.version),
    });
    expect(kept.statusCode).toBe(303);
    const again = await admin.post('/outcomes/money/spend/new', await line(`${ours}:o2`));
    expect(errorSummary(again.body)).toEqual([
      `#outcomes In school (${plan}) is no longer offered: choose another outcome`,
    ]);

    const upload = await admin.get('/outcomes/money/spend/upload');
    expect(upload.body).toContain(`<code>${ours}:o1</code>: Safe at home`);
    const file = (outcomes: string) => ({
      file: {
        name: 'spend.csv',
        content: `financial_year,budget,service,amount,outcomes\n2025-26,Early help pool,Family support workers,50,${outcomes}\n`,
      },
    });
    const badFile = await admin.postFiles(
      '/outcomes/money/spend/upload',
      { submissionId: randomUUID() },
      file(`${ours}:o2`),
    );
    expect(errorSummary(badFile.body)).toEqual([
      `#file Row 2, column outcomes: In school (${plan}) is no longer offered: choose another outcome`,
    ]);
    const goodFile = await admin.postFiles(
      '/outcomes/money/spend/upload',
      { submissionId: randomUUID() },
      file(`${ours}:o1`),
    );
    expect(goodFile.statusCode).toBe(303);

    const csv = await analyst.get('/outcomes/money/spend-by-outcome.csv?year=2025');
    expect(csv.body).toContain(`Safe at home (${plan}),0.00,0.00,0.00,0.00,275.00`);
    expect(csv.body).toContain(`In school (${plan}),0.00,0.00,0.00,0.00,225.00`);
    const account = await analyst.get('/outcomes/money/outcome-account?year=2025');
    expect(account.body).toContain(`Safe at home (${plan})`);
  });
});
