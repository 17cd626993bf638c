import { sql, type RawBuilder } from 'kysely';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { insertPartnership } from '../../../test/helpers/builders.ts';
import { buildActor, buildCtx, buildSystemActor } from '../../../test/helpers/context.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import type { Actor, Ctx } from '../../common/context.ts';
import { AuditService } from './audit.service.ts';
import type { VerifyOptions } from './audit.verify.ts';

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

/** How a chain can be checked: all at once; in small ranges and pages; by worker threads on PostgreSQL. */
const onPostgres = inject('testDatabase').engine === 'postgres';
const modes: [string, () => VerifyOptions][] = [
  ['', () => ({})],
  [' in ranges of 2 read a page of 2 at a time', () => ({ rangeSize: 2, pageSize: 2 })],
  ...(onPostgres
    ? ([
        [
          ' by two worker threads, each on its own connection',
          () => ({ connectionString: database.url!, workers: 2, rangeSize: 2, pageSize: 1 }),
        ],
      ] as [string, () => VerifyOptions][])
    : []),
];

describe.each(modes)('verifying the chain%s', (_, options) => {
  const verify = () => audit.verifyChain(partnershipId, options());
  const brokenAt = (seq: number, reason: string) => ({ ok: false, events: seq - 1, brokenAt: seq, reason });
  const where = (seq: number) => sql`partnership_id = ${partnershipId} and seq = ${seq}`;

  beforeEach(async () => {
    const withEverything = buildCtx(buildActor(partnershipId, { roles: ['practitioner', 'team_manager'] }), {
      sourceAddress: '198.51.100.7',
    });
    for (let i = 1; i <= 5; i++) {
      await audit.recordAlone(withEverything, {
        action: 'person.view',
        subjectType: 'person',
        subjectId: `p${i}`,
        detail: { i },
        basis: { kind: 'involvement', involvementId: randomUUID() },
        personIds: [randomUUID(), randomUUID()],
        itemIds: [randomUUID()],
      });
    }
  });

  it('finds an intact chain intact', async () => {
    expect(await verify()).toEqual({ ok: true, events: 5 });
  });

  it('names the seq of a row whose detail was changed', async () => {
    await tamper(sql`update audit_events set detail = '{"i": 99}' where ${where(3)}`);
    expect(await verify()).toEqual(brokenAt(3, 'content changed'));
  });

  it.each([
    ['actor', sql`actor_label = 'Someone Else'`],
    ['time', sql`at = at + interval '1 second'`],
    ['outcome', sql`outcome = 'denied'`],
    ['basis', sql`basis = '{"kind": "emergency", "reason": "none"}'`],
    ['people', sql`person_ids = person_ids[1:1]`],
    ['people, emptied', sql`person_ids = '{}'`],
    ['items', sql`item_ids = item_ids || gen_random_uuid()`],
    ['source address', sql`source_address = '203.0.113.9'`],
    ['source address, removed', sql`source_address = null`],
    ['actor roles', sql`actor_roles = '{privacy_officer}'`],
    ['actor organisation', sql`actor_organisation_id = gen_random_uuid()`],
  ])('names the seq of a row whose %s was changed', async (_field, change) => {
    await tamper(sql`update audit_events set ${change} where ${where(4)}`);
    expect(await verify()).toEqual(brokenAt(4, 'content changed'));
  });

  it('names the lowest of several bad rows, wherever they fall', async () => {
    await tamper(sql`update audit_events set detail = '{"i": 0}' where ${where(5)}`);
    expect(await verify()).toEqual(brokenAt(5, 'content changed'));
    await tamper(sql`update audit_events set action = 'person.update' where ${where(2)}`);
    expect(await verify()).toEqual(brokenAt(2, 'content changed'));
  });

  it('names the seq of a deleted middle row', async () => {
    await tamper(sql`delete from audit_events where ${where(3)}`);
    expect(await verify()).toEqual(brokenAt(3, 'missing event'));
  });

  it('names the seq of a deleted first row', async () => {
    await tamper(sql`delete from audit_events where ${where(1)}`);
    expect(await verify()).toEqual(brokenAt(1, 'missing event'));
  });

  it('cannot see a deleted last row: the head kept outside the database shows it', async () => {
    await tamper(sql`delete from audit_events where ${where(5)}`);
    expect(await verify()).toEqual({ ok: true, events: 4 });
  });

  it('names the seq of a row whose link to the previous row was changed', async () => {
    await tamper(sql`update audit_events set prev_hash = ${'f'.repeat(64)} where ${where(3)}`);
    expect(await verify()).toEqual(brokenAt(3, 'broken link'));
  });

  it('names the first of two rows that swapped places', async () => {
    await tamper(sql`update audit_events set seq = -2 where ${where(2)}`);
    await tamper(sql`update audit_events set seq = 2 where ${where(4)}`);
    await tamper(sql`update audit_events set seq = 4 where ${where(-2)}`);
    expect(await verify()).toEqual(brokenAt(2, 'out of order'));
  });

  it('names the place a row was moved from', async () => {
    await tamper(sql`update audit_events set seq = 9 where ${where(3)}`);
    expect(await verify()).toEqual(brokenAt(3, 'out of order'));
  });
});

describe('the application role, wraparound_app', () => {
  /** Runs the statement as the role a production server logs in as. */
  const asApp = (statement: RawBuilder<unknown>) =>
    database.db.transaction().execute(async (tx) => {
      await sql`set local role wraparound_app`.execute(tx);
      await sql`select set_config('wraparound.partnership_id', ${partnershipId}, true)`.execute(tx);
      return statement.execute(tx);
    });

  it('may read and append audit events, but holds no privilege to change or remove them', async () => {
    await audit.recordAlone(ctx, { action: 'person.view' });
    const read = await asApp(
      sql`select count(*) as n from audit_events where partnership_id = ${partnershipId}`,
    );
    expect(read.rows).toEqual([{ n: 1 }]);
    await expect(
      asApp(sql`update audit_events set action = 'x' where partnership_id = ${partnershipId}`),
    ).rejects.toThrow(/permission denied for table audit_events/);
    await expect(
      asApp(sql`delete from audit_events where partnership_id = ${partnershipId}`),
    ).rejects.toThrow(/permission denied for table audit_events/);
    await expect(asApp(sql`truncate audit_events`)).rejects.toThrow(
      /permission denied for table audit_events/,
    );
    expect(await audit.verifyChain(partnershipId)).toEqual({ ok: true, events: 1 });
  });
});
