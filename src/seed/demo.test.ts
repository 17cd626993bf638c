import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditService } from '../modules/audit/index.ts';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { seedDemo, type DemoSummary } from './demo.ts';

describe('the demo partnership', () => {
  let database: TestDatabase;
  let audit: AuditService;
  let first: DemoSummary;
  beforeAll(async () => {
    database = await createTestDatabase();
    audit = new AuditService(database.db);
    first = await seedDemo(database.db, audit, { children: 60, seed: 11 });
    // Five years of history take a while on a busy machine.
  }, 120_000);
  afterAll(() => database.close());

  const count = async (table: 'users' | 'organisations' | 'memberships' | 'people' | 'localities') =>
    (
      await database.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n;

  it('has four localities, agencies of every sector and about sixty practitioners with demo sign-ins', async () => {
    expect(first.created).toBe(true);
    expect(await count('localities')).toBe(4);
    const sectors = await database.db.selectFrom('organisations').select('sector').distinct().execute();
    expect(sectors.map((s) => s.sector).sort()).toEqual(
      ['education', 'health', 'housing', 'police', 'social_care', 'voluntary', 'youth_justice'].sort(),
    );
    const practitioners = await database.db
      .selectFrom('users')
      .select('email')
      .where(({ eb, val }) => eb(val('practitioner'), '=', eb.fn.any('roles')))
      .execute();
    expect(practitioners.length).toBeGreaterThanOrEqual(55);
    expect(first.accounts.map((a) => a.email)).toContain('admin@northbridge.example');
    const seconded = await database.db
      .selectFrom('memberships')
      .select('id')
      .where('seconded', '=', true)
      .execute();
    expect(seconded.length).toBeGreaterThan(0);
  });

  it('loads the children asked for, and says so in the audit trail', async () => {
    expect(first.children).toBe(60);
    const events = await database.db.selectFrom('auditEvents').select(['action']).execute();
    // The GP registrations first; then the demo's data feeds, each an import, its events and signals.
    const actions = events.map((e) => e.action);
    expect(actions.slice(0, 5)).toEqual([
      'demo.seed',
      'index.import.begin',
      'index.import.batch',
      'index.link',
      'index.import.finish',
    ]);
    expect(new Set(actions.slice(5))).toEqual(
      new Set([
        'index.import.begin',
        'index.import.batch',
        'index.link',
        'index.import.finish',
        'signals.feed.events',
        'signals.feed.signal',
      ]),
    );
    expect((await audit.verifyChain(first.partnershipId)).ok).toBe(true);
  });

  it('imports a GP registration feed that links most children and leaves some for review', async () => {
    const imported = await database.db.selectFrom('personImports').selectAll().executeTakeFirstOrThrow();
    expect(imported.status).toBe('finished');
    expect(imported.rowsRejected).toBe(0);
    expect(imported.autoLinked).toBeGreaterThan(imported.rowsRead * 0.7);
    expect(imported.newPeople).toBeGreaterThanOrEqual(3);
    const links = await database.db.selectFrom('recordLinks').select(['status']).execute();
    expect(new Set(links.map((l) => l.status))).toContain('auto_linked');
  });

  it('is loaded once: a second run changes nothing and reports what is there', async () => {
    const before = await Promise.all([count('users'), count('people'), count('organisations')]);
    const second = await seedDemo(database.db, audit, { children: 60, seed: 11 });
    expect(second.created).toBe(false);
    expect(second.accounts).toEqual(first.accounts);
    expect(await Promise.all([count('users'), count('people'), count('organisations')])).toEqual(before);
  });
});
