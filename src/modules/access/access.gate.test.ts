import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../composition.ts';
import { loadConfig } from '../../config.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { TEST_NOW } from '../../../test/helpers/context.ts';
import { buildTrustWorld, type World } from '../../../test/helpers/trust-world.ts';

/**
 * The gate keeps each partnership's compiled sharing policy between reads. Whatever the policy is
 * built from changes (here straight in the database, as another server or an administrator's SQL
 * would), the next read decides by the new policy: a kept policy is never used once it is stale.
 */
describe('the compiled sharing policy the gate keeps', () => {
  let database: TestDatabase;
  let services: Services;
  let w: World;

  beforeAll(async () => {
    database = await createTestDatabase();
    services = createServices(database.db, loadConfig({ DATA_DIR: 'memory://' }));
    w = await buildTrustWorld(database.db);
  });
  afterAll(() => database.close());

  /** What the school's safeguarding lead sees of the GP's health item: content, existence or nothing. */
  const teacherSeesGpHealth = async () => {
    const summary = await services.people.summary(w.users.teacher.ctx(), w.child);
    return summary.items.find((i) => i.id === w.items.gpHealth)?.level ?? 'nothing';
  };

  it('follows rules added and removed, sectors changed, agreements revoked and withheld display set', async () => {
    const db = database.db;
    expect(await teacherSeesGpHealth()).toBe('content');
    expect(await teacherSeesGpHealth()).toBe('content');

    const deny = await db
      .insertInto('sharingRules')
      .values({
        partnershipId: w.partnershipId,
        agreementId: w.agreements.safeguarding,
        effect: 'deny',
        mode: 'content',
        sourceSector: null,
        sourceOrganisationId: null,
        recipientSector: 'education',
        recipientOrganisationId: null,
        dataType: null,
        sensitivities: ['health'],
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect(await teacherSeesGpHealth()).toBe('existence');

    await db.deleteFrom('sharingRules').where('id', '=', deny.id).execute();
    expect(await teacherSeesGpHealth()).toBe('content');

    // The world's agreement keeps health content from housing: the school, made housing, is refused.
    await db
      .updateTable('organisations')
      .set({ sector: 'housing' })
      .where('id', '=', w.orgs.school)
      .execute();
    expect(await teacherSeesGpHealth()).toBe('existence');
    await db
      .updateTable('organisations')
      .set({ sector: 'education' })
      .where('id', '=', w.orgs.school)
      .execute();
    expect(await teacherSeesGpHealth()).toBe('content');

    await db
      .updateTable('sharingAgreements')
      .set({ revokedAt: TEST_NOW, revokedReason: 'Ended' })
      .where('id', '=', w.agreements.safeguarding)
      .execute();
    expect(await teacherSeesGpHealth()).toBe('existence');

    await db
      .insertInto('withheldItemDisplay')
      .values({ partnershipId: w.partnershipId, sensitivity: 'health', shows: 'nothing' })
      .execute();
    expect(await teacherSeesGpHealth()).toBe('nothing');
  });

  it('gives each partnership a token of its own, set by the triggers as its organisations were added', async () => {
    const { rows } = await sql<{ partnershipId: string; token: string }>`
      select partnership_id, token from sharing_policy_versions`.execute(database.db);
    expect(rows.map((r) => r.partnershipId).sort()).toEqual([w.partnershipId, w.otherPartnershipId].sort());
    expect(new Set(rows.map((r) => r.token)).size).toBe(2);
  });
});
