import { randomUUID } from 'node:crypto';
import { Migrator } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertPartnership } from '../../../test/helpers/builders.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { aServiceRecord, saveTestServices, seedTestDirectory } from '../../../test/helpers/directory.ts';
import { migrateToLatest } from '../migrate.ts';
import { migrations } from './index.ts';

describe('migration 0026: spend lines can serve local outcomes', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ migrated: false });
  });
  afterAll(() => database?.close());

  it('keeps the outcomes already recorded, then takes a local framework’s uuid and code but no mix of the two', async () => {
    const db = database.db;
    const before = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '0026'));
    const migrator = new Migrator({ db, provider: { getMigrations: async () => before } });
    expect((await migrator.migrateToLatest()).error).toBeUndefined();

    const partnershipId = await insertPartnership(db);
    await seedTestDirectory(db, partnershipId);
    const service = aServiceRecord({ name: 'Family support workers' });
    await saveTestServices(db, partnershipId, [service]);
    const budget = await db
      .insertInto('moneyBudgets')
      .values({ partnershipId, name: 'Early help', financialYear: 2025, kind: 'own', createdAt: new Date() })
      .returning('id')
      .executeTakeFirstOrThrow();
    const line = await db
      .insertInto('moneySpendLines')
      .values({
        partnershipId,
        budgetId: budget.id,
        serviceId: service.id,
        financialYear: 2025,
        amountPence: 100,
        createdAt: new Date(),
        updatedAt: new Date(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    // A local framework's id: the column names it without a foreign key, as national ids are not rows.
    const framework = randomUUID();
    const serve = (framework: string, outcomeCode: string) =>
      db
        .insertInto('moneySpendOutcomes')
        .values({ partnershipId, spendId: line.id, framework, outcomeCode })
        .execute()
        .then(
          () => 'written',
          () => 'refused',
        );
    expect(await serve('england', 'stay_safe')).toBe('written');
    // What 0021 refused, and this migration is for.
    expect(await serve(framework, 'o1')).toBe('refused');

    expect(await migrateToLatest(db)).toContain('0026_money_local_outcomes');
    const kept = await db.selectFrom('moneySpendOutcomes').select(['framework', 'outcomeCode']).execute();
    expect(kept).toEqual([{ framework: 'england', outcomeCode: 'stay_safe' }]);
    expect(await serve(framework, 'o1')).toBe('written');
    expect(await serve('supporting_families', 'housing')).toBe('written');
    expect(await serve(framework, 'stay_safe')).toBe('refused');
    expect(await serve('england', 'o2')).toBe('refused');
    expect(await serve(framework.toUpperCase(), 'o2')).toBe('refused');
    expect(await serve('England', 'be_healthy')).toBe('refused');
    expect(await serve(framework, 'o0')).toBe('refused');
  });
});
