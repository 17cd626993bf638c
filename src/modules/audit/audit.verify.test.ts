import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertPartnership } from '../../../test/helpers/builders.ts';
import { buildActor, buildCtx } from '../../../test/helpers/context.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import type { Role } from '../../common/context.ts';
import type { AuditEntry } from './audit.service.ts';
import { AuditService } from './audit.service.ts';
import { CopyRows, COPY_COLUMNS, writeContent, writtenHash } from './audit.verify.copy.ts';
import type { VerifyOptions } from './audit.verify.ts';

let database: TestDatabase;
let audit: AuditService;
let partnershipId: string;
beforeAll(async () => {
  database = await createTestDatabase();
  audit = new AuditService(database.db);
  partnershipId = await insertPartnership(database.db);
});
afterAll(() => database?.close());

/** What PostgreSQL's binary send function gives for each column COPY reads. */
const SEND = {
  seq: 'int8send',
  at: 'timestamptz_send',
  actor_user_id: 'uuid_send',
  detail: 'jsonb_send',
  basis: 'jsonb_send',
  actor_organisation_id: 'uuid_send',
  actor_roles: 'array_send',
  person_ids: 'array_send',
  item_ids: 'array_send',
} as Record<string, string>;

/**
 * The last event as a worker reads it, COPY's binary output, made here from each column's binary
 * send function (so it runs on PGlite too); and whether the fast writer's text hashes to its hash.
 */
async function lastEvent() {
  const columns = sql.raw(COPY_COLUMNS.map((c, i) => `${SEND[c] ?? 'textsend'}(${c}) as c${i}`).join(', '));
  const { rows } = await sql<Record<string, Uint8Array | null>>`select ${columns} from audit_events
    where partnership_id = ${partnershipId} order by seq desc limit 1`.execute(database.db);
  const fields = COPY_COLUMNS.map((_, i) => rows[0]![`c${i}`] ?? null);
  const int = (n: number, bytes: number) => {
    const b = Buffer.alloc(bytes);
    if (bytes === 2) b.writeInt16BE(n);
    else b.writeInt32BE(n);
    return b;
  };
  const copy = Buffer.concat([
    Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'),
    int(0, 4),
    int(0, 4),
    int(fields.length, 2),
    ...fields.flatMap((f) => (f === null ? [int(-1, 4)] : [int(f.length, 4), Buffer.from(f)])),
    int(-1, 2),
  ]);
  const reader = new CopyRows();
  reader.push(copy);
  expect(reader.next()).toBe(true);
  const { buffer, starts, ends } = reader;
  const written = writeContent(buffer, starts, ends, Buffer.from(JSON.stringify(partnershipId)));
  return { written, holds: written && writtenHash() === buffer.toString('latin1', starts[17], ends[17]) };
}

/** Text PostgreSQL can store: no NUL characters. */
const text = fc.string({ unit: 'binary', maxLength: 12 }).filter((s) => !s.includes('\u0000'));
const json = fc.jsonValue({ maxDepth: 2 }).filter((v) => !JSON.stringify(v).includes('\\u0000'));

describe('writeContent, the workers’ fast way to the text an event’s hash covers', () => {
  it('gives the very text hashOf hashes, or leaves the row to hashOf, whatever the event holds', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          action: text,
          outcome: fc.constantFrom('success', 'denied', 'failed'),
          subjectType: fc.option(text, { nil: undefined }),
          subjectId: fc.option(text, { nil: undefined }),
          detail: fc.option(fc.dictionary(text, json, { maxKeys: 4 }), { nil: undefined }),
          basis: fc.option(fc.dictionary(text, json, { maxKeys: 3 }), { nil: undefined }),
          personIds: fc.array(fc.uuid(), { maxLength: 3 }),
          itemIds: fc.array(fc.uuid(), { maxLength: 3 }),
        }),
        fc.record({
          displayName: text,
          roles: fc.array(fc.oneof(fc.constantFrom('practitioner', 'front_door'), text), { maxLength: 3 }),
          requestId: text,
          sourceAddress: fc.option(text, { nil: undefined }),
          now: fc.date({ min: new Date('1900-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }),
        }),
        async (entry: AuditEntry, who) => {
          const actor = buildActor(partnershipId, {
            displayName: who.displayName,
            roles: who.roles as Role[],
          });
          await audit.recordAlone(
            buildCtx(actor, { requestId: who.requestId, now: who.now, sourceAddress: who.sourceAddress }),
            entry,
          );
          const { written, holds } = await lastEvent();
          if (written) expect(holds).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
    // And where the fast way is not taken, hashOf holds for every one of those events.
    const events = await database.db
      .selectFrom('auditEvents')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('partnershipId', '=', partnershipId)
      .executeTakeFirstOrThrow();
    const everyWay: VerifyOptions[] = [
      {},
      ...(database.url ? [{ connectionString: database.url, workers: 2, rangeSize: 40 }] : []),
    ];
    for (const options of everyWay)
      expect(await audit.verifyChain(partnershipId, options)).toEqual({ ok: true, events: Number(events.n) });
  }, 60_000);

  it('writes text that needs escaping as JSON.stringify does, and is not fooled by a change that mimics it', async () => {
    const actor = buildActor(partnershipId, {
      displayName: 'Sam "Sammy" O\'Neil\n',
      roles: ['practitioner'],
    });
    const entry = {
      action: 'say "hi"\\',
      basis: { kind: 'owner', note: 'é 😀 \u2028' },
      personIds: [actor.userId],
    };
    await audit.recordAlone(buildCtx(actor, { sourceAddress: '192.0.2.1' }), entry);
    expect(await lastEvent()).toEqual({ written: true, holds: true });

    // Unescaped, a backslash before a quote would read like the original's escaped quote.
    await database.db.transaction().execute(async (tx) => {
      await sql`set local session_replication_role = replica`.execute(tx);
      await sql`update audit_events set action = ${'say \\"hi\\"\\\\'}
        where partnership_id = ${partnershipId} and action = ${entry.action}`.execute(tx);
    });
    expect(await lastEvent()).toEqual({ written: true, holds: false });
  });
});
