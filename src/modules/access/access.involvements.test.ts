import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../common/context.ts';
import { ValidationError } from '../../common/errors.ts';
import type { Tx } from '../../db/database.ts';
import { AuditService } from '../audit/index.ts';
import { buildCtx, TEST_NOW } from '../../../test/helpers/context.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { buildTrustWorld, type World } from '../../../test/helpers/trust-world.ts';
import { AccessGate } from './access.gate.ts';
import { InvolvementService } from './access.involvements.ts';

/**
 * The front door's hooks into involvements: opened and ended inside a transaction the caller holds,
 * so they commit (or roll back) with the caller's change and the caller's own audit event.
 */
describe('involvements opened and ended within the caller’s transaction', () => {
  let database: TestDatabase;
  let gate: AccessGate;
  let involvements: InvolvementService;
  let w: World;
  let frontDoor: Actor;
  const hourAgo = new Date(TEST_NOW.getTime() - 3_600_000);
  const minuteAgo = new Date(TEST_NOW.getTime() - 60_000);

  beforeAll(async () => {
    database = await createTestDatabase();
    const audit = new AuditService(database.db);
    gate = new AccessGate(database.db, audit);
    involvements = new InvolvementService(database.db, audit, gate);
    w = await buildTrustWorld(database.db);
    const roles = ['front_door' as const];
    const { id } = await database.db
      .insertInto('users')
      .values({
        partnershipId: w.partnershipId,
        email: 'front.door@world.example',
        displayName: 'front.door',
        organisationId: w.orgs.council,
        roles,
        passwordHash: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    frontDoor = {
      userId: id,
      partnershipId: w.partnershipId,
      organisationId: w.orgs.council,
      roles,
      displayName: 'front.door',
    };
  });
  afterAll(() => database.close());

  const within = <T>(work: (tx: Tx) => Promise<T>) => database.db.transaction().execute(work);
  const basis = () => gate.basisFor(buildCtx(frontDoor), w.strangerChild);
  const open = (tx: Tx, userId = frontDoor.userId) =>
    involvements.openWithin(tx, w.partnershipId, {
      personId: w.strangerChild,
      userId,
      kind: 'front_door',
      purpose: 'safeguarding',
      reason: 'Contact in triage',
      at: hourAgo,
      createdBy: frontDoor.userId,
    });
  const end = (tx: Tx, involvementId: string) =>
    involvements.endWithin(tx, w.partnershipId, {
      involvementId,
      at: minuteAgo,
      reason: 'Triage finished',
      endedBy: frontDoor.userId,
    });
  const row = (id: string) =>
    database.db.selectFrom('involvements').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const auditCount = async () =>
    Number(
      (
        await database.db
          .selectFrom('auditEvents')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('partnershipId', '=', w.partnershipId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('gives the worker an involvement basis while open, none once ended; ending twice is harmless', async () => {
    expect(await basis()).toBeNull();
    const audited = await auditCount();

    const id = await within((tx) => open(tx));
    expect(await basis()).toEqual({
      kind: 'involvement',
      involvements: [{ id, kind: 'front_door', purpose: 'safeguarding' }],
    });

    await within((tx) => end(tx, id));
    expect(await basis()).toBeNull();
    const ended = await row(id);
    expect(ended).toMatchObject({
      startedAt: hourAgo,
      endedAt: minuteAgo,
      endReason: 'Triage finished',
      endedBy: frontDoor.userId,
      createdBy: frontDoor.userId,
      version: 2,
    });

    await within((tx) => end(tx, id));
    expect(await row(id)).toEqual(ended);
    // The caller audits: these write no audit events of their own.
    expect(await auditCount()).toBe(audited);
  });

  it('rolls back with the caller’s transaction', async () => {
    const failed = within(async (tx) => {
      await open(tx);
      throw new Error('the caller’s change failed');
    });
    await expect(failed).rejects.toThrow('the caller’s change failed');
    expect(await basis()).toBeNull();
  });

  it('refuses an involvement for someone who is not an active user', async () => {
    await database.db
      .updateTable('users')
      .set({ active: false })
      .where('id', '=', w.users.uninvolved.id)
      .execute();
    await expect(within((tx) => open(tx, w.users.uninvolved.id))).rejects.toBeInstanceOf(ValidationError);
  });
});
