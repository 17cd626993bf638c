import { sql, type RawBuilder } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { insertPartnership } from '../../../test/helpers/builders.ts';
import { buildActor, buildCtx, buildSystemActor } from '../../../test/helpers/context.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import type { Actor, Ctx } from '../../common/context.ts';
import { AuditService } from './audit.service.ts';

let database: TestDatabase;
let audit: AuditService;
beforeAll(async () => {
  database = await createTestDatabase();
  audit = new AuditService(database.db);
});
afterAll(() => database?.close());

/** Each test gets its own partnership, so its chain starts at seq 1. */
let partnershipId: string;
let actor: Actor;
let ctx: Ctx;
beforeEach(async () => {
  partnershipId = await insertPartnership(database.db);
  actor = buildActor(partnershipId, { displayName: 'Sam Practitioner' });
  ctx = buildCtx(actor);
});

function eventsOf(id: string) {
  return database.db
    .selectFrom('auditEvents')
    .selectAll()
    .where('partnershipId', '=', id)
    .orderBy('seq')
    .execute();
}

class RolledBack extends Error {}

describe('recording', () => {
  it('appends events numbered 1..n, each linked to the one before', async () => {
    await audit.recordAlone(ctx, { action: 'person.view', subjectType: 'person', subjectId: 'p1' });
    await database.db.transaction().execute(async (tx) => {
      await audit.record(tx, ctx, {
        action: 'person.update',
        subjectType: 'person',
        subjectId: 'p1',
        detail: { field: 'name' },
      });
      await audit.record(tx, ctx, {
        action: 'referral.decide',
        outcome: 'denied',
        detail: { reason: 'no involvement' },
      });
    });

    const events = await eventsOf(partnershipId);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(events[0]!.prevHash).toBe('0'.repeat(64));
    expect(events[1]!.prevHash).toBe(events[0]!.hash);
    expect(events[2]!.prevHash).toBe(events[1]!.hash);
    expect(events[0]).toMatchObject({
      actorUserId: actor.userId,
      actorLabel: 'Sam Practitioner',
      outcome: 'success',
    });
    expect(events[1]!.detail).toEqual({ field: 'name' });
    expect(events[2]).toMatchObject({
      action: 'referral.decide',
      outcome: 'denied',
      requestId: ctx.requestId,
    });
    expect(await audit.verifyChain(partnershipId)).toEqual({ ok: true, events: 3 });
  });

  it('labels an event by the system when no user acts', async () => {
    await audit.recordAlone(buildCtx(buildSystemActor(partnershipId)), { action: 'partnership.seed' });
    const [event] = await eventsOf(partnershipId);
    expect(event).toMatchObject({ actorUserId: null, actorLabel: 'system: test' });
  });

  it('keeps a separate chain for each partnership', async () => {
    const otherPartnershipId = await insertPartnership(database.db, 'Other Partnership');
    const otherCtx = buildCtx(buildActor(otherPartnershipId));
    await audit.recordAlone(ctx, { action: 'person.view' });
    await audit.recordAlone(otherCtx, { action: 'person.view' });
    await audit.recordAlone(ctx, { action: 'person.view' });
    expect((await eventsOf(partnershipId)).map((e) => e.seq)).toEqual([1, 2]);
    expect((await eventsOf(otherPartnershipId)).map((e) => e.seq)).toEqual([1]);
    expect(await audit.verifyChain(otherPartnershipId)).toEqual({ ok: true, events: 1 });
  });

  it('gives concurrent recordAlone calls a gapless, valid chain', async () => {
    await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        audit.recordAlone(ctx, { action: 'person.view', subjectId: `p${i}` }),
      ),
    );
    expect((await eventsOf(partnershipId)).map((e) => e.seq)).toEqual(
      Array.from({ length: 25 }, (_, i) => i + 1),
    );
    expect(await audit.verifyChain(partnershipId)).toEqual({ ok: true, events: 25 });
  });

  it('leaves no event when the transaction it was recorded in rolls back', async () => {
    await audit.recordAlone(ctx, { action: 'person.view' });
    await expect(
      database.db.transaction().execute(async (tx) => {
        await audit.record(tx, ctx, { action: 'person.update' });
        throw new RolledBack();
      }),
    ).rejects.toBeInstanceOf(RolledBack);
    expect((await eventsOf(partnershipId)).map((e) => e.action)).toEqual(['person.view']);
    await audit.recordAlone(ctx, { action: 'person.view' });
    expect(await audit.verifyChain(partnershipId)).toEqual({ ok: true, events: 2 });
  });

  it('refuses an event with no partnership', async () => {
    await expect(
      audit.recordAlone(buildCtx(buildSystemActor()), { action: 'instance.start' }),
    ).rejects.toThrow(/needs a partnership/);
  });
});

/** What only a superuser could do: change the table with its append-only triggers switched off. */
async function tamper(statement: RawBuilder<unknown>) {
  await database.db.transaction().execute(async (tx) => {
    await sql`set local session_replication_role = replica`.execute(tx);
    await statement.execute(tx);
  });
}

describe('the append-only table', () => {
  it('refuses updates, deletes and truncation of audit events', async () => {
    await audit.recordAlone(ctx, { action: 'person.view' });
    await expect(sql`update audit_events set action = 'x'`.execute(database.db)).rejects.toThrow(
      /append-only: UPDATE/,
    );
    await expect(sql`delete from audit_events`.execute(database.db)).rejects.toThrow(/append-only: DELETE/);
    await expect(sql`truncate audit_events`.execute(database.db)).rejects.toThrow(/append-only: TRUNCATE/);
    expect(await audit.verifyChain(partnershipId)).toEqual({ ok: true, events: 1 });
  });
});

describe('verifying the chain', () => {
  beforeEach(async () => {
    for (let i = 1; i <= 5; i++) {
      await audit.recordAlone(ctx, {
        action: 'person.view',
        subjectType: 'person',
        subjectId: `p${i}`,
        detail: { i },
      });
    }
    expect(await audit.verifyChain(partnershipId)).toEqual({ ok: true, events: 5 });
  });

  it('names the seq of a row whose detail was changed', async () => {
    await tamper(
      sql`update audit_events set detail = '{"i": 99}' where partnership_id = ${partnershipId} and seq = 3`,
    );
    expect(await audit.verifyChain(partnershipId)).toEqual({
      ok: false,
      events: 2,
      brokenAt: 3,
      reason: 'content changed',
    });
  });

  it('names the seq of a row whose actor was changed', async () => {
    await tamper(
      sql`update audit_events set actor_label = 'Someone Else' where partnership_id = ${partnershipId} and seq = 4`,
    );
    expect(await audit.verifyChain(partnershipId)).toMatchObject({ ok: false, brokenAt: 4 });
  });

  it('names the seq of a deleted middle row', async () => {
    await tamper(sql`delete from audit_events where partnership_id = ${partnershipId} and seq = 3`);
    expect(await audit.verifyChain(partnershipId)).toEqual({
      ok: false,
      events: 2,
      brokenAt: 3,
      reason: 'missing event',
    });
  });

  it('names the seq of a deleted first row', async () => {
    await tamper(sql`delete from audit_events where partnership_id = ${partnershipId} and seq = 1`);
    expect(await audit.verifyChain(partnershipId)).toMatchObject({
      ok: false,
      brokenAt: 1,
      reason: 'missing event',
    });
  });

  it('names the seq of a row whose link to the previous row was changed', async () => {
    await tamper(sql`update audit_events set prev_hash = ${'f'.repeat(64)}
              where partnership_id = ${partnershipId} and seq = 3`);
    expect(await audit.verifyChain(partnershipId)).toEqual({
      ok: false,
      events: 2,
      brokenAt: 3,
      reason: 'broken link',
    });
  });

  it('walks the chain across pages', async () => {
    expect(await audit.verifyChain(partnershipId, 2)).toEqual({ ok: true, events: 5 });
    await tamper(sql`delete from audit_events where partnership_id = ${partnershipId} and seq = 4`);
    expect(await audit.verifyChain(partnershipId, 2)).toEqual({
      ok: false,
      events: 3,
      brokenAt: 4,
      reason: 'missing event',
    });
  });
});
