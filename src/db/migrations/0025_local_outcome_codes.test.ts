import { Migrator } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertPartnership, insertUser } from '../../../test/helpers/builders.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { migrateToLatest } from '../migrate.ts';
import { migrations } from './index.ts';

describe('migration 0025: local outcomes get stable codes', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ migrated: false });
  });
  afterAll(() => database?.close());

  it('gives the outcomes already listed a code by their place, and keys them by it', async () => {
    const db = database.db;
    const before = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '0025'));
    const migrator = new Migrator({ db, provider: { getMigrations: async () => before } });
    expect((await migrator.migrateToLatest()).error).toBeUndefined();

    const partnershipId = await insertPartnership(db);
    const org = await db
      .insertInto('organisations')
      .values({ partnershipId, name: 'Council', sector: 'social_care', kind: 'Council' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const admin = await insertUser(db, partnershipId, 'admin@example.org', org.id, ['partnership_admin']);
    const framework = async (name: string) =>
      (
        await db
          .insertInto('localFrameworks')
          .values({ partnershipId, name, createdBy: admin.id, updatedAt: new Date() })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const [one, two] = [await framework('Our plan'), await framework('Another plan')];
    // Written as before 0025: no code, keyed by position.
    await db
      .insertInto('localFrameworkOutcomes')
      .values([
        { partnershipId, frameworkId: one, position: 0, label: 'Safe at home', indicatorCodes: ['x'] },
        { partnershipId, frameworkId: one, position: 1, label: 'In school' },
        { partnershipId, frameworkId: two, position: 0, label: 'Healthy' },
      ] as never)
      .execute();

    expect(await migrateToLatest(db)).toContain('0025_local_outcome_codes');
    const rows = await db
      .selectFrom('localFrameworkOutcomes')
      .select(['frameworkId', 'code', 'position', 'label', 'indicatorCodes'])
      .orderBy('frameworkId')
      .orderBy('code')
      .execute();
    expect(rows.filter((r) => r.frameworkId === one)).toEqual([
      { frameworkId: one, code: 'o1', position: 0, label: 'Safe at home', indicatorCodes: ['x'] },
      { frameworkId: one, code: 'o2', position: 1, label: 'In school', indicatorCodes: [] },
    ]);
    expect(rows.filter((r) => r.frameworkId === two).map((r) => r.code)).toEqual(['o1']);

    const again = (values: { code: string; position: number | null; label: string }) =>
      db
        .insertInto('localFrameworkOutcomes')
        .values({ partnershipId, frameworkId: one, ...values })
        .execute()
        .then(
          () => 'written',
          () => 'refused',
        );
    expect(await again({ code: 'o1', position: null, label: 'Another' })).toBe('refused');
    expect(await again({ code: 'o3', position: 1, label: 'Another' })).toBe('refused');
    expect(await again({ code: 'o3', position: null, label: 'SAFE AT HOME' })).toBe('refused');
    expect(await again({ code: 'safe', position: null, label: 'Another' })).toBe('refused');
    expect(await again({ code: 'o3', position: null, label: 'Retired' })).toBe('written');
    expect(await again({ code: 'o4', position: null, label: 'Retired too' })).toBe('written');
  });
});
