import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { insertPartnership } from '../../../test/helpers/builders.ts';
import { aServiceRecord, saveTestServices, seedTestDirectory } from '../../../test/helpers/directory.ts';
import { ValidationError } from '../../common/errors.ts';

describe('saving directory entries', () => {
  let database: TestDatabase;
  let partnershipId: string;
  let term: (code: string) => string;
  beforeAll(async () => {
    database = await createTestDatabase();
    partnershipId = await insertPartnership(database.db);
    ({ term } = await seedTestDirectory(database.db, partnershipId));
  });
  afterAll(() => database.close());

  const count = async (table: 'directoryServices' | 'directorySchedules' | 'directoryServiceAtLocations') =>
    Number(
      (
        await database.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .where('partnershipId', '=', partnershipId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('writes a whole entry, takes coordinates from the postcode, and saving it again changes nothing', async () => {
    const record = aServiceRecord({ taxonomyTermIds: [term('parenting')] });
    await saveTestServices(database.db, partnershipId, [record]);
    await saveTestServices(database.db, partnershipId, [record]);
    expect(await count('directoryServices')).toBe(1);
    expect(await count('directorySchedules')).toBe(1);
    expect(await count('directoryServiceAtLocations')).toBe(1);
    const location = await database.db
      .selectFrom('directoryLocations')
      .select(['latitude', 'longitude'])
      .where('id', '=', record.locations[0]!.id)
      .executeTakeFirstOrThrow();
    expect(location).toEqual({ latitude: 53.8, longitude: -1.55 });
    const service = await database.db
      .selectFrom('directoryServices')
      .select('version')
      .where('id', '=', record.id)
      .executeTakeFirstOrThrow();
    expect(service.version).toBe(2);
  });

  it('refuses an unknown taxonomy term and writes nothing', async () => {
    const before = await count('directoryServices');
    const record = aServiceRecord({ taxonomyTermIds: [randomUUID()] });
    await expect(saveTestServices(database.db, partnershipId, [record])).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(await count('directoryServices')).toBe(before);
  });
});
