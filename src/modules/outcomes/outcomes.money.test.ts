import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_NOW } from '../../../test/helpers/context.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { insertPartnership, insertUser, type WorldUser } from '../../../test/helpers/builders.ts';
import { aServiceRecord, saveTestServices, seedTestDirectory } from '../../../test/helpers/directory.ts';
import { ConflictError, ForbiddenError, ValidationError } from '../../common/errors.ts';
import { AccessService } from '../access/index.ts';
import { AuditService } from '../audit/index.ts';
import { childrenServedByService } from '../directory/index.ts';
import { FrameworkInput, LocalFrameworkService } from './outcomes.local-frameworks.ts';
import { apportion, MoneyService, outcomeAccount } from './outcomes.money.ts';
import { BudgetForm, parsePounds, parseYear, SpendForm, yearLabel } from './outcomes.money.schemas.ts';
import { seedMoney } from './outcomes.money.seed.ts';

describe('money: pure rules', () => {
  it.each([
    ['1250', 125_000],
    ['£1,250.50', 125_050],
    ['0.5', 50],
    [' 12 ', 1200],
    ['1,000,000', 100_000_000],
  ])('reads %s as %i pence', (text, pence) => {
    expect(parsePounds(text)).toEqual({ pence });
  });

  it.each([
    ['', 'Enter the amount in pounds, for example 1250.50'],
    ['0', 'Enter an amount greater than £0'],
    ['-5', 'Enter an amount greater than £0'],
    ['1.234', 'Enter the amount to the nearest penny'],
    ['12,34', 'Enter the amount in pounds, for example 1250.50'],
    ['ten', 'Enter the amount in pounds, for example 1250.50'],
    ['20000000000', 'Enter an amount of £10 billion or less'],
  ])('refuses %j', (text, error) => {
    expect(parsePounds(text)).toEqual({ error });
  });

  it.each([
    ['2025', 2025],
    ['2025-26', 2025],
    ['2025/26', 2025],
    ['2025 to 2026', 2025],
    ['2025-27', null],
    ['1999', null],
    ['next year', null],
  ])('reads the financial year %j as %j', (text, year) => {
    expect(parseYear(text)).toBe(year);
  });

  it('labels years the GOV.UK way', () => {
    expect(yearLabel(2025)).toBe('2025-26');
    expect(yearLabel(2099)).toBe('2099-00');
  });

  it('apportions to the penny: the parts add up, and follow the weights', () => {
    expect(apportion(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(apportion(1000, [55, 30, 15])).toEqual([550, 300, 150]);
    expect(apportion(7, [0, 0])).toEqual([7, 0]);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e12 }),
        fc.array(fc.integer({ min: 1, max: 1e9 }), { minLength: 1, maxLength: 8 }),
        (amount, weights) => {
          const parts = apportion(amount, weights);
          const total = weights.reduce((s, w) => s + w, 0);
          expect(parts.reduce((s, p) => s + p, 0)).toBe(amount);
          parts.forEach((p, i) => expect(Math.abs(p - (amount * weights[i]!) / total)).toBeLessThan(1));
        },
      ),
    );
  });

  it('puts pooled spend to partners by contribution share, aligned spend to the partner named, split over outcomes', () => {
    const account = outcomeAccount([
      {
        financialYear: 2025,
        pence: 10_000,
        budgetKind: 'pooled',
        partnerId: null,
        contributions: [
          { partnerId: 'council', pence: 600 },
          { partnerId: 'icb', pence: 400 },
        ],
        outcomes: ['england:stay_safe', 'england:be_healthy'],
      },
      {
        financialYear: 2025,
        pence: 999,
        budgetKind: 'aligned',
        partnerId: 'pcc',
        contributions: [
          { partnerId: 'pcc', pence: 1 },
          { partnerId: 'council', pence: 1 },
        ],
        outcomes: [],
      },
      {
        financialYear: 2024,
        pence: 500,
        budgetKind: 'own',
        partnerId: null,
        contributions: [{ partnerId: 'council', pence: 1 }],
        outcomes: ['england:stay_safe'],
      },
    ]);
    expect(account.get('council')?.get('england:stay_safe')?.get(2025)).toBe(3000);
    expect(account.get('council')?.get('england:be_healthy')?.get(2025)).toBe(3000);
    expect(account.get('council')?.get('england:stay_safe')?.get(2024)).toBe(500);
    expect(account.get('icb')?.get('england:stay_safe')?.get(2025)).toBe(2000);
    expect(account.get('pcc')?.get('')?.get(2025)).toBe(999);
    expect(account.get('council')?.has('')).toBe(false);
  });
});

describe('money: the service', () => {
  let database: TestDatabase;
  let money: MoneyService;
  let partnershipId: string;
  let admin: WorldUser;
  let analyst: WorldUser;
  let practitioner: WorldUser;
  let services: { big: string; small: string; unused: string };
  let partners: { council: string; icb: string; pcc: string };

  beforeAll(async () => {
    database = await createTestDatabase();
    const db = database.db;
    partnershipId = await insertPartnership(db);
    const org = (
      await db
        .insertInto('organisations')
        .values({ partnershipId, name: 'Northbridge Council', sector: 'social_care', kind: 'Council' })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    admin = await insertUser(db, partnershipId, 'admin@money.example', org, ['partnership_admin']);
    analyst = await insertUser(db, partnershipId, 'analyst@money.example', org, ['analyst']);
    practitioner = await insertUser(db, partnershipId, 'pat@money.example', org, ['practitioner']);
    await seedTestDirectory(db, partnershipId);
    const big = aServiceRecord({ name: 'Family support workers', accessRoutes: ['professional_referral'] });
    const small = aServiceRecord({ name: 'Young carers group', accessRoutes: ['professional_referral'] });
    const unused = aServiceRecord({ name: 'Toy library' });
    await saveTestServices(db, partnershipId, [big, small, unused], TEST_NOW);
    services = { big: big.id, small: small.id, unused: unused.id };
    const audit = new AuditService(db);
    const access = new AccessService(db, audit);
    money = new MoneyService(db, audit, access, new LocalFrameworkService(db, audit, access));

    // Children served in 2025-26: six by the big service, two by the small one, and some that do not count.
    const child = async () =>
      (
        await db
          .insertInto('people')
          .values({
            partnershipId,
            kind: 'child',
            givenName: 'Test',
            familyName: 'Child',
            dateOfBirth: '2015-01-01',
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const refer = async (
      serviceId: string,
      personId: string,
      status: 'accepted' | 'declined' | 'sent',
      decidedAt: string,
    ) =>
      db
        .insertInto('directoryReferrals')
        .values({
          partnershipId,
          serviceId,
          personId,
          reason: 'Needs support',
          familyConsent: true,
          status,
          decisionReason: status === 'declined' ? 'Full' : null,
          decidedAt: status === 'sent' ? null : new Date(decidedAt),
          referredBy: practitioner.id,
          referredAt: new Date('2025-03-01T10:00:00Z'),
          organisationId: org,
          idempotencyKey: randomUUID(),
          requestHash: 'x',
        })
        .execute();
    for (let i = 0; i < 6; i++) {
      const c = await child();
      await refer(services.big, c, 'accepted', '2025-06-01T10:00:00Z');
      // A second acceptance of the same child in the year counts once.
      if (i === 0) await refer(services.big, c, 'accepted', '2025-09-01T10:00:00Z');
    }
    // 23:30 on 31 March UTC is 00:30 on 1 April in the UK: the new year.
    const edge = await child();
    await refer(services.small, edge, 'accepted', '2025-03-31T23:30:00Z');
    await refer(services.small, await child(), 'accepted', '2025-12-01T10:00:00Z');
    await refer(services.small, await child(), 'declined', '2025-12-01T10:00:00Z');
    await refer(services.small, await child(), 'sent', '2025-12-01T10:00:00Z');
    // The year before.
    await refer(services.small, await child(), 'accepted', '2025-03-31T22:30:00Z');
  }, 60_000);
  afterAll(() => database.close());

  const ctx = (u: WorldUser) => u.ctx(TEST_NOW);

  it('counts children served by financial year in UK time, distinct, accepted only', async () => {
    const rows = await childrenServedByService(database.db, partnershipId, 2024, 2025);
    const find = (serviceId: string, year: number) =>
      rows.find((r) => r.serviceId === serviceId && r.financialYear === year)?.children ?? 0;
    expect(find(services.big, 2025)).toBe(6);
    expect(find(services.small, 2025)).toBe(2);
    expect(find(services.small, 2024)).toBe(1);
  });

  it('adds funding partners: audited; a double submit makes one; a second with the same name is refused', async () => {
    const submissionId = randomUUID();
    const first = await money.createPartner(ctx(admin), {
      name: 'Northbridge Council',
      sector: 'social_care',
      active: true,
      submissionId,
    });
    const again = await money.createPartner(ctx(admin), {
      name: 'Northbridge Council',
      sector: 'social_care',
      active: true,
      submissionId,
    });
    expect(again).toEqual({ id: first.id, repeated: true });
    await expect(
      money.createPartner(ctx(admin), {
        name: 'northbridge council',
        sector: 'health',
        active: true,
        submissionId: randomUUID(),
      }),
    ).rejects.toMatchObject({
      fields: [{ field: 'name', message: 'There is already a funding partner with this name' }],
    });
    const icb = await money.createPartner(ctx(admin), {
      name: 'Integrated Care Board',
      sector: 'health',
      active: true,
    });
    const pcc = await money.createPartner(ctx(admin), {
      name: 'Police and Crime Commissioner',
      sector: 'police',
      active: true,
    });
    partners = { council: first.id, icb: icb.id, pcc: pcc.id };
    const events = await database.db
      .selectFrom('auditEvents')
      .select(['action', 'subjectId'])
      .where('partnershipId', '=', partnershipId)
      .where('action', '=', 'money.partner.create')
      .execute();
    expect(events.map((e) => e.subjectId)).toEqual([first.id, icb.id, pcc.id]);
  });

  it('refuses and audits someone without the permission', async () => {
    await expect(money.listPartners(ctx(practitioner))).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      money.createPartner(ctx(analyst), { name: 'X', sector: 'other', active: true }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    const denied = await database.db
      .selectFrom('auditEvents')
      .select('action')
      .where('partnershipId', '=', partnershipId)
      .where('outcome', '=', 'denied')
      .execute();
    expect(denied.map((d) => d.action)).toEqual(
      expect.arrayContaining(['money.partner.list', 'money.partner.create']),
    );
  });

  it('refuses a stale edit of a partner with a conflict, and changes nothing', async () => {
    await money.updatePartner(ctx(admin), partners.pcc, {
      name: 'Police and Crime Commissioner for Northbridge',
      sector: 'police',
      active: true,
      version: 1,
    });
    await expect(
      money.updatePartner(ctx(admin), partners.pcc, {
        name: 'Someone else',
        sector: 'police',
        active: true,
        version: 1,
      }),
    ).rejects.toBeInstanceOf(ConflictError);
    expect((await money.getPartner(ctx(admin), partners.pcc)).name).toBe(
      'Police and Crime Commissioner for Northbridge',
    );
  });

  const budget = (fields: Record<string, string>) => BudgetForm.parse(fields);

  it('checks a budget’s kind against its contributions', async () => {
    await expect(
      money.createBudget(
        ctx(admin),
        budget({
          name: 'Own',
          financialYear: '2025-26',
          kind: 'own',
          [`contribution-${partners.council}`]: '100',
          [`contribution-${partners.icb}`]: '100',
        }),
      ),
    ).rejects.toMatchObject({ fields: [{ field: 'contributions' }] });
    await expect(
      money.createBudget(
        ctx(admin),
        budget({
          name: 'Pool',
          financialYear: '2025',
          kind: 'pooled',
          [`contribution-${partners.council}`]: '100',
        }),
      ),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(() =>
      budget({
        name: 'Bad',
        financialYear: '2025',
        kind: 'pooled',
        [`contribution-${partners.council}`]: '1.999',
      }),
    ).toThrow('Enter the amount to the nearest penny');
  });

  let pooled: string;
  let aligned: string;
  let own: string;
  let ownBefore: string;

  it('adds own, aligned and pooled budgets; a stale edit is refused', async () => {
    pooled = (
      await money.createBudget(
        ctx(admin),
        budget({
          name: 'Early help pool',
          financialYear: '2025-26',
          kind: 'pooled',
          [`contribution-${partners.council}`]: '60,000',
          [`contribution-${partners.icb}`]: '40000',
          submissionId: randomUUID(),
        }),
      )
    ).id;
    aligned = (
      await money.createBudget(
        ctx(admin),
        budget({
          name: 'Youth violence',
          financialYear: '2025',
          kind: 'aligned',
          [`contribution-${partners.pcc}`]: '10000',
          [`contribution-${partners.council}`]: '5000',
        }),
      )
    ).id;
    own = (
      await money.createBudget(
        ctx(admin),
        budget({
          name: 'Council own',
          financialYear: '2025',
          kind: 'own',
          [`contribution-${partners.council}`]: '20000',
        }),
      )
    ).id;
    ownBefore = (
      await money.createBudget(
        ctx(admin),
        budget({
          name: 'Council own',
          financialYear: '2024',
          kind: 'own',
          [`contribution-${partners.council}`]: '18000',
        }),
      )
    ).id;
    const got = await money.getBudget(ctx(admin), pooled);
    expect(got).toMatchObject({ kind: 'pooled', financialYear: 2025, totalPence: 10_000_000, version: 1 });
    await money.updateBudget(
      ctx(admin),
      own,
      budget({
        name: 'Council own budget',
        financialYear: '2025',
        kind: 'own',
        [`contribution-${partners.council}`]: '20000',
        version: '1',
      }),
    );
    await expect(
      money.updateBudget(
        ctx(admin),
        own,
        budget({
          name: 'Stale',
          financialYear: '2025',
          kind: 'own',
          [`contribution-${partners.council}`]: '1',
          version: '1',
        }),
      ),
    ).rejects.toBeInstanceOf(ConflictError);
    expect((await money.getBudget(ctx(admin), own)).contributions[0]?.pence).toBe(2_000_000);
  });

  const spend = (fields: Record<string, string | string[]>) => SpendForm.parse(fields);

  it('records spend: aligned spend names whose part paid; the year is the budget’s; a double submit makes one', async () => {
    await expect(
      money.createSpend(ctx(admin), spend({ budgetId: aligned, serviceId: services.big, amount: '100' })),
    ).rejects.toMatchObject({
      fields: [{ field: 'partnerId', message: 'This budget is aligned: choose whose part of it paid' }],
    });
    await expect(
      money.createSpend(
        ctx(admin),
        spend({ budgetId: aligned, partnerId: partners.icb, serviceId: services.big, amount: '100' }),
      ),
    ).rejects.toMatchObject({ fields: [{ field: 'partnerId' }] });
    await expect(
      money.createSpend(
        ctx(admin),
        spend({ budgetId: pooled, partnerId: partners.icb, serviceId: services.big, amount: '100' }),
      ),
    ).rejects.toMatchObject({ fields: [{ field: 'partnerId' }] });
    await expect(
      money.createSpend(
        ctx(admin),
        spend({ budgetId: pooled, serviceId: randomUUID(), amount: '100', outcomes: 'england:flying' }),
      ),
    ).rejects.toMatchObject({ fields: [{ field: 'serviceId' }, { field: 'outcomes' }] });

    const submissionId = randomUUID();
    const line = spend({
      budgetId: pooled,
      serviceId: services.big,
      amount: '6000',
      quarter: '1',
      outcomes: ['england:stay_safe', 'england:be_healthy'],
      submissionId,
    });
    const first = await money.createSpend(ctx(admin), line);
    expect(await money.createSpend(ctx(admin), line)).toEqual({ id: first.id, repeated: true });
    await money.createSpend(
      ctx(admin),
      spend({
        budgetId: aligned,
        partnerId: partners.pcc,
        serviceId: services.small,
        amount: '2000',
        outcomes: 'england:stay_safe',
      }),
    );
    await money.createSpend(ctx(admin), spend({ budgetId: own, serviceId: services.small, amount: '1000' }));
    await money.createSpend(
      ctx(admin),
      spend({ budgetId: ownBefore, serviceId: services.big, amount: '500', outcomes: 'england:stay_safe' }),
    );
    const saved = await money.getSpend(ctx(admin), first.id);
    expect(saved).toMatchObject({
      financialYear: 2025,
      quarter: 1,
      pence: 600_000,
      outcomes: [
        { framework: 'england', code: 'be_healthy' },
        { framework: 'england', code: 'stay_safe' },
      ],
    });
    const listed = await money.listSpend(ctx(admin), 2025);
    expect(listed.lines).toHaveLength(3);
    expect(listed.totalPence).toBe(900_000);
  });

  it('refuses a stale edit of a spend line', async () => {
    const { lines } = await money.listSpend(ctx(admin), 2024);
    const id = lines[0]!.id;
    await money.updateSpend(
      ctx(admin),
      id,
      spend({
        budgetId: ownBefore,
        serviceId: services.big,
        amount: '600',
        outcomes: 'england:stay_safe',
        version: '1',
      }),
    );
    await expect(
      money.updateSpend(
        ctx(admin),
        id,
        spend({ budgetId: ownBefore, serviceId: services.big, amount: '1', version: '1' }),
      ),
    ).rejects.toBeInstanceOf(ConflictError);
    expect((await money.getSpend(ctx(admin), id)).pence).toBe(60_000);
  });

  it('will not let a budget drop a partner whose part paid for spend, or move year once spent from', async () => {
    await expect(
      money.updateBudget(
        ctx(admin),
        aligned,
        budget({
          name: 'Youth violence',
          financialYear: '2026',
          kind: 'aligned',
          [`contribution-${partners.council}`]: '5000',
          [`contribution-${partners.icb}`]: '5000',
          version: '1',
        }),
      ),
    ).rejects.toSatisfy((error: ValidationError) =>
      ['financialYear', `contribution-${partners.pcc}`].every((field) =>
        error.fields.some((f) => f.field === field),
      ),
    );
  });

  it('refuses a CSV file with any wrong row, naming row and column, and writes nothing', async () => {
    const before = (await money.listSpend(ctx(admin), 2025)).lines.length;
    const csv = [
      'financial_year,budget,partner,service,quarter,amount,outcomes,description',
      '2025-26,Early help pool,,Family support workers,2,1500.00,england:stay_safe,ok',
      '2025-26,No such budget,,Family support workers,2,10,,',
      '2025-26,Youth violence,,Young carers group,Q5,ten,england:nope,',
      '2025-26,Early help pool,,Nowhere,,100,,',
    ].join('\n');
    const error = await money
      .uploadSpend(ctx(admin), { name: 'spend.csv', content: csv }, randomUUID())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    const messages = (error as ValidationError).fields.map((f) => f.message);
    expect(messages).toEqual([
      'Row 3, column budget: there is no budget called “No such budget” in 2025-26',
      'Row 4, column quarter: “Q5” is not a quarter; use 1 to 4 (Q1 is April to June), or leave it empty for the whole year',
      'Row 4, column amount: enter the amount in pounds, for example 1250.50',
      'Row 4, column outcomes: “england:nope” is not an outcome; write framework:code, for example england:stay_safe',
      'Row 5, column service: there is no service called “Nowhere” in the directory',
    ]);
    expect((await money.listSpend(ctx(admin), 2025)).lines).toHaveLength(before);

    const header = await money
      .uploadSpend(ctx(admin), { name: 'x.csv', content: 'year,amount\n2025,1' }, randomUUID())
      .catch((e: unknown) => e);
    expect((header as ValidationError).fields.map((f) => f.message)).toEqual([
      'Row 1 (the header): unknown column “year”; the columns are financial_year, budget, partner, service, quarter, amount, outcomes, description',
      'Row 1 (the header): the file needs the columns financial_year, budget, service',
    ]);
  });

  it('loads a good CSV file in one go; the same submission twice loads it once', async () => {
    const csv = [
      '\uFEFFFinancial Year,Budget,Partner,Service,Quarter,Amount,Outcomes,Description',
      '2025-26,Early help pool,,Family support workers,Q2,"1,500.00",england:stay_safe;england:enjoy_and_achieve,Invoice 1',
      '2025-26,Youth violence,Integrated Care Board,Young carers group,,10,,',
    ].join('\r\n');
    const wrongPartner = await money
      .uploadSpend(ctx(admin), { name: 'a.csv', content: csv }, randomUUID())
      .catch((e: unknown) => e);
    expect((wrongPartner as ValidationError).fields.map((f) => f.message)).toEqual([
      'Row 3, column partner: Choose a partner that contributes to Youth violence',
    ]);
    const good = csv.replace('Integrated Care Board', 'Police and Crime Commissioner for Northbridge');
    const submissionId = randomUUID();
    const result = await money.uploadSpend(ctx(admin), { name: 'a.csv', content: good }, submissionId);
    expect(result).toMatchObject({ rows: 2, repeated: false });
    expect(await money.uploadSpend(ctx(admin), { name: 'a.csv', content: good }, submissionId)).toMatchObject(
      { id: result.id, repeated: true },
    );
    expect((await money.listSpend(ctx(admin), 2025)).lines).toHaveLength(5);
  });

  it('shows cost per child only where the count of children can be published, and audits the view', async () => {
    await expect(money.figures(ctx(practitioner), 'cost-per-child', 2025)).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(money.figures(ctx(admin), 'cost-per-child', 2025)).rejects.toBeInstanceOf(ForbiddenError);
    const figures = await money.figures(ctx(analyst), 'cost-per-child', 2025);
    const rows = figures.tables.main.rows.map((r) => r.map((c) => c.text));
    // Big: £6,000 + £1,500 for 6 children; small: £2,000 + £1,000 + £10 for 2 children (suppressed).
    expect(rows).toEqual([
      ['Family support workers', '£7,500', '6', '£1,250'],
      ['Young carers group', '£3,010', '<5', 'Not available'],
    ]);
    const chart = 'charts' in figures && 'main' in figures.charts ? figures.charts.main : undefined;
    expect(chart?.items.map((i) => i.value)).toEqual([1250, null]);
    const event = await database.db
      .selectFrom('auditEvents')
      .select(['action', 'detail'])
      .where('partnershipId', '=', partnershipId)
      .where('actorUserId', '=', analyst.id)
      .where('action', '=', 'aggregate.view')
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect(event.detail).toMatchObject({ table: 'money-cost-per-child', from: 2021, to: 2025 });
  });

  it('shows spend by service and by outcome across five years', async () => {
    const byService = await money.figures(ctx(analyst), 'spend-by-service', 2025);
    expect(byService.tables.main.head.map((h) => h.text)).toEqual([
      'Service',
      '2021-22',
      '2022-23',
      '2023-24',
      '2024-25',
      '2025-26',
    ]);
    expect(byService.tables.main.rows.at(-1)!.map((c) => c.text)).toEqual([
      'All services',
      '£0',
      '£0',
      '£0',
      '£600',
      '£10,510',
    ]);
    const byOutcome = await money.figures(ctx(analyst), 'spend-by-outcome', 2025);
    const rows = Object.fromEntries(byOutcome.tables.main.rows.map((r) => [r[0]!.text, r.at(-1)!.value]));
    // Pool line: £6,000 over two outcomes; CSV line: £1,500 over two; aligned £2,000 stay safe; own £1,000 and £10 none.
    expect(rows).toEqual({
      'Stay safe (Every Child Matters)': '5750.00',
      'Be healthy (Every Child Matters)': '3000.00',
      'Enjoy and achieve (Every Child Matters)': '750.00',
      'No outcome recorded': '1010.00',
      'All outcomes': '10510.00',
    });
  });

  it('keeps the outcome account: each partner’s money by outcome, with the change from the year before', async () => {
    const figures = await money.figures(ctx(analyst), 'outcome-account', 2025);
    if (!('sections' in figures)) throw new Error('no sections');
    const council = figures.sections.find((s) => s.partnerId === partners.council)!;
    const text = council.table.rows.map((r) => r.map((c) => c.text));
    // Pool: 60% of £6,000 (two outcomes) and of £1,500 (two outcomes); own: £1,000 (none); 2024: £600 stay safe.
    expect(text).toEqual([
      ['Stay safe (Every Child Matters)', '£600', '£2,250', '+£1,650'],
      ['Be healthy (Every Child Matters)', '£0', '£1,800', 'No spend the year before'],
      ['Enjoy and achieve (Every Child Matters)', '£0', '£450', 'No spend the year before'],
      ['No outcome recorded', '£0', '£1,000', 'No spend the year before'],
      ['All outcomes', '£600', '£5,500', '+£4,900'],
    ]);
    const pcc = figures.sections.find((s) => s.partnerId === partners.pcc)!;
    expect(pcc.totalPence).toBe(201_000);
    expect(figures.pooledBudgets[0]?.shares.map((s) => s.share)).toEqual(['40.0%', '60.0%']);
    expect(figures.tables.main.rows.length).toBeGreaterThan(5);
  });
});

describe('money: the demo seed', () => {
  let database: TestDatabase;
  afterAll(() => database.close());

  it('writes five years of budgets and spend on the directory’s services', async () => {
    database = await createTestDatabase();
    const partnershipId = await insertPartnership(database.db);
    await seedTestDirectory(database.db, partnershipId);
    await saveTestServices(
      database.db,
      partnershipId,
      [
        aServiceRecord({ name: 'Family support team' }),
        aServiceRecord({ name: 'Youth mentoring' }),
        aServiceRecord({ name: 'School inclusion service' }),
        aServiceRecord({ name: 'Mental health and wellbeing' }),
      ],
      TEST_NOW,
    );
    const org = (
      await database.db
        .insertInto('organisations')
        .values({ partnershipId, name: 'Council', sector: 'social_care', kind: 'Council' })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    await insertUser(database.db, partnershipId, 'worker@seed.example', org, ['practitioner']);
    const analyst = await insertUser(database.db, partnershipId, 'analyst@seed.example', org, ['analyst']);
    await database.db
      .insertInto('people')
      .values(
        Array.from({ length: 400 }, (_, i) => ({
          partnershipId,
          kind: 'child' as const,
          givenName: `Child${i}`,
          familyName: 'Seed',
          dateOfBirth: '2016-01-01',
        })),
      )
      .execute();
    const counts = await seedMoney(database.db, partnershipId, { now: TEST_NOW, seed: 1 });
    expect(counts.referrals).toBeGreaterThan(100);
    const audit = new AuditService(database.db);
    const access = new AccessService(database.db, audit);
    const money = new MoneyService(
      database.db,
      audit,
      access,
      new LocalFrameworkService(database.db, audit, access),
    );
    const cost = await money.figures(analyst.ctx(TEST_NOW), 'cost-per-child', 2025);
    const cells = cost.tables.main.rows.map((r) => r[3]!.text);
    expect(cells.some((c) => c.startsWith('£'))).toBe(true);
    expect(counts).toMatchObject({ partners: 5, budgets: 30, years: [2021, 2022, 2023, 2024, 2025] });
    expect(counts.spendLines).toBeGreaterThan(300);
    const aligned = await database.db
      .selectFrom('moneySpendLines as s')
      .innerJoin('moneyBudgets as b', 'b.id', 's.budgetId')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('b.kind', '=', 'aligned')
      .where('s.partnerId', 'is', null)
      .executeTakeFirstOrThrow();
    expect(Number(aligned.n)).toBe(0);
  }, 120_000);
});

describe('money: outcomes of the partnership’s own frameworks', () => {
  let database: TestDatabase;
  let money: MoneyService;
  let frameworks: LocalFrameworkService;
  let admin: WorldUser;
  let analyst: WorldUser;
  let partnerId: string;
  let budgetId: string;
  let serviceId: string;
  /** Ours: three outcomes, o3 to be retired; theirs: another partnership's. */
  let ours: string;
  let theirs: string;
  const PLAN = 'Northbridge Children’s Plan';

  beforeAll(async () => {
    database = await createTestDatabase();
    const db = database.db;
    const user = async (partnershipId: string, email: string, role: 'partnership_admin' | 'analyst') => {
      const org = await db
        .insertInto('organisations')
        .values({ partnershipId, name: `Council of ${email}`, sector: 'social_care', kind: 'Council' })
        .returning('id')
        .executeTakeFirstOrThrow();
      return insertUser(db, partnershipId, email, org.id, [role]);
    };
    const partnershipId = await insertPartnership(db, 'Northbridge');
    admin = await user(partnershipId, 'admin@local.example', 'partnership_admin');
    analyst = await user(partnershipId, 'analyst@local.example', 'analyst');
    const elsewhere = await user(
      await insertPartnership(db, 'Elsewhere'),
      'admin@elsewhere.example',
      'partnership_admin',
    );
    await seedTestDirectory(db, partnershipId);
    const service = aServiceRecord({ name: 'Family support workers' });
    await saveTestServices(db, partnershipId, [service], TEST_NOW);
    serviceId = service.id;
    const audit = new AuditService(db);
    const access = new AccessService(db, audit);
    frameworks = new LocalFrameworkService(db, audit, access);
    money = new MoneyService(db, audit, access, frameworks);
    ours = await frameworks.create(
      admin.ctx(TEST_NOW),
      FrameworkInput.parse({ name: PLAN, outcomes: 'Safe at home\nIn school\nHealthy and happy' }),
    );
    theirs = await frameworks.create(
      elsewhere.ctx(TEST_NOW),
      FrameworkInput.parse({ name: 'Elsewhere’s plan', outcomes: 'Safe at home' }),
    );
    partnerId = (
      await money.createPartner(admin.ctx(TEST_NOW), {
        name: 'Northbridge Council',
        sector: 'social_care',
        active: true,
      })
    ).id;
    budgetId = (
      await money.createBudget(
        admin.ctx(TEST_NOW),
        BudgetForm.parse({
          name: 'Early help',
          financialYear: '2025',
          kind: 'own',
          [`contribution-${partnerId}`]: '50000',
        }),
      )
    ).id;
  }, 60_000);
  afterAll(() => database.close());

  const ctx = (u: WorldUser) => u.ctx(TEST_NOW);
  const spend = (fields: Record<string, string | string[]>) =>
    SpendForm.parse({ budgetId, serviceId, amount: '100', ...fields });
  const written = async () => {
    const count = (table: 'moneySpendLines' | 'moneySpendOutcomes') =>
      database.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
        .then((r) => Number(r.n));
    return { lines: await count('moneySpendLines'), outcomes: await count('moneySpendOutcomes') };
  };
  const groupOf = (groups: { id: string; outcomes: { key: string; label: string }[] }[], id: string) =>
    groups.find((g) => g.id === id);

  it('offers the national frameworks, then the partnership’s own, and records a line serving a local outcome', async () => {
    const { outcomes } = await money.spendChoices(ctx(admin));
    expect(outcomes.map((g) => g.name)).toEqual([
      'Every Child Matters',
      'Wellbeing indicators (SHANARRI)',
      'Supporting Families',
      PLAN,
    ]);
    expect(groupOf(outcomes, ours)?.outcomes).toEqual([
      { key: `${ours}:o1`, label: 'Safe at home' },
      { key: `${ours}:o2`, label: 'In school' },
      { key: `${ours}:o3`, label: 'Healthy and happy' },
    ]);
    expect(groupOf(await money.spendOutcomes(ctx(admin)), theirs)).toBeUndefined();

    // A framework id in capitals is the same framework.
    const { id } = await money.createSpend(
      ctx(admin),
      spend({ amount: '3000', outcomes: [`${ours}:o1`, `${ours.toUpperCase()}:o3`, 'england:stay_safe'] }),
    );
    const saved = await money.getSpend(ctx(admin), id);
    expect(saved.outcomes).toHaveLength(3);
    expect(saved.outcomes).toEqual(
      expect.arrayContaining([
        { framework: ours, code: 'o1' },
        { framework: ours, code: 'o3' },
        { framework: 'england', code: 'stay_safe' },
      ]),
    );
    const { lines } = await money.listSpend(ctx(admin), 2025);
    expect(lines[0]!.outcomeLabels.sort()).toEqual([
      `Healthy and happy (${PLAN})`,
      `Safe at home (${PLAN})`,
      'Stay safe (Every Child Matters)',
    ]);
    const event = await database.db
      .selectFrom('auditEvents')
      .select('detail')
      .where('action', '=', 'money.spend.create')
      .where('subjectId', '=', id)
      .executeTakeFirstOrThrow();
    expect((event.detail as { outcomes: unknown[] }).outcomes).toContainEqual({
      framework: ours,
      code: 'o1',
    });
  });

  it('refuses another partnership’s outcome, an unknown framework or code, naming it, and writes nothing', async () => {
    const before = await written();
    const nowhere = randomUUID();
    for (const key of [`${theirs}:o1`, `${ours}:o9`, `${nowhere}:o1`, 'england:o1']) {
      await expect(
        money.createSpend(ctx(admin), spend({ outcomes: [`${ours}:o2`, key] })),
      ).rejects.toMatchObject({
        fields: [{ field: 'outcomes', message: `${key} is not an outcome of your partnership’s frameworks` }],
      });
    }
    // Not written as framework:code at all: refused at the edge.
    expect(SpendForm.safeParse({ budgetId, serviceId, amount: '1', outcomes: `${ours}:o-1` }).success).toBe(
      false,
    );
    expect(
      SpendForm.safeParse({ budgetId, serviceId, amount: '1', outcomes: `${ours}:stay_safe:x` }).success,
    ).toBe(false);
    expect(await written()).toEqual(before);
  });

  it('keeps a retired outcome on a line that serves it, and offers it for no new choice', async () => {
    const [line] = (await money.listSpend(ctx(admin), 2025)).lines;
    await frameworks.update(
      ctx(admin),
      ours,
      FrameworkInput.parse({ name: PLAN, outcomes: 'Safe at home\nIn school', version: '1' }),
    );
    expect(
      groupOf((await money.spendChoices(ctx(admin))).outcomes, ours)?.outcomes.map((o) => o.key),
    ).toEqual([`${ours}:o1`, `${ours}:o2`]);
    const keep = await money.spendChoices(ctx(admin), [`${ours}:o3`]);
    expect(groupOf(keep.outcomes, ours)?.outcomes.at(-1)).toEqual({
      key: `${ours}:o3`,
      label: 'Healthy and happy (no longer offered)',
    });

    const retired = `Healthy and happy (${PLAN}) is no longer offered: choose another outcome`;
    const before = await written();
    await expect(money.createSpend(ctx(admin), spend({ outcomes: `${ours}:o3` }))).rejects.toMatchObject({
      fields: [{ field: 'outcomes', message: retired }],
    });
    const { id: other } = await money.createSpend(ctx(admin), spend({ outcomes: `${ours}:o1` }));
    await expect(
      money.updateSpend(ctx(admin), other, spend({ outcomes: [`${ours}:o1`, `${ours}:o3`], version: '1' })),
    ).rejects.toMatchObject({ fields: [{ field: 'outcomes', message: retired }] });
    expect(await written()).toEqual({ lines: before.lines + 1, outcomes: before.outcomes + 1 });

    await money.updateSpend(
      ctx(admin),
      line!.id,
      spend({
        amount: '3000',
        outcomes: [`${ours}:o1`, `${ours}:o3`, 'england:stay_safe'],
        description: 'Invoice 7',
        version: String(line!.version),
      }),
    );
    expect(await money.getSpend(ctx(admin), line!.id)).toMatchObject({
      description: 'Invoice 7',
      version: 2,
    });
    expect((await money.getSpend(ctx(admin), line!.id)).outcomes).toContainEqual({
      framework: ours,
      code: 'o3',
    });
  });

  it('groups and labels local outcomes in spend by outcome and in the outcome account', async () => {
    // £3,000 over three outcomes (one retired since) and £100 on “Safe at home”.
    const byOutcome = await money.figures(ctx(analyst), 'spend-by-outcome', 2025);
    expect(Object.fromEntries(byOutcome.tables.main.rows.map((r) => [r[0]!.text, r.at(-1)!.value]))).toEqual({
      [`Safe at home (${PLAN})`]: '1100.00',
      [`Healthy and happy (${PLAN})`]: '1000.00',
      'Stay safe (Every Child Matters)': '1000.00',
      'All outcomes': '3100.00',
    });
    const account = await money.figures(ctx(analyst), 'outcome-account', 2025);
    if (!('sections' in account)) throw new Error('no sections');
    expect(account.sections[0]!.table.rows.map((r) => [r[0]!.text, r[2]!.text])).toEqual([
      [`Safe at home (${PLAN})`, '£1,100'],
      [`Healthy and happy (${PLAN})`, '£1,000'],
      ['Stay safe (Every Child Matters)', '£1,000'],
      ['All outcomes', '£3,100'],
    ]);
    // The CSV table: a row per partner and outcome, named the same way.
    expect(account.tables.main.rows.map((r) => r[1]!.value)).toContain(`Healthy and happy (${PLAN})`);
  });

  it('loads a CSV file naming a local outcome by its framework’s id and code, and refuses bad ones by row and column', async () => {
    const header = 'financial_year,budget,service,amount,outcomes';
    const row = (outcomes: string) => `2025-26,Early help,Family support workers,50,${outcomes}`;
    const before = await written();
    const refused = await money
      .uploadSpend(
        ctx(admin),
        {
          name: 'spend.csv',
          content: [header, row(`${ours}:o2;${theirs}:o1`), row(`${ours}:o3`), row(`${ours}:stay_safe`)].join(
            '\n',
          ),
        },
        randomUUID(),
      )
      .catch((e: unknown) => e);
    expect((refused as ValidationError).fields.map((f) => f.message)).toEqual([
      `Row 2, column outcomes: “${theirs}:o1” is not an outcome; write framework:code, for example england:stay_safe`,
      `Row 3, column outcomes: Healthy and happy (${PLAN}) is no longer offered: choose another outcome`,
      `Row 4, column outcomes: “${ours}:stay_safe” is not an outcome; write framework:code, for example england:stay_safe`,
    ]);
    expect(await written()).toEqual(before);

    const loaded = await money.uploadSpend(
      ctx(admin),
      {
        name: 'spend.csv',
        content: [header, row(`${ours.toUpperCase()}:o2; england:be_healthy`)].join('\n'),
      },
      randomUUID(),
    );
    expect(loaded).toMatchObject({ rows: 1, repeated: false });
    const lines = await database.db
      .selectFrom('moneySpendOutcomes')
      .innerJoin('moneySpendLines', 'moneySpendLines.id', 'moneySpendOutcomes.spendId')
      .select(['framework', 'outcomeCode'])
      .where('moneySpendLines.uploadId', '=', loaded.id)
      .orderBy('framework')
      .execute();
    expect(lines).toHaveLength(2);
    expect(lines).toContainEqual({ framework: ours, outcomeCode: 'o2' });
  });
});
