import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, ValidationError } from '../../common/errors.ts';
import { AccessGate, AccessService } from '../access/index.ts';
import { AuditService } from '../audit/index.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { buildPracticeWorld, type PracticeWorld } from '../../../test/helpers/directory-practice.ts';
import { SignpostInput, SignpostService } from './directory.signposts.ts';

let database: TestDatabase;
let world: PracticeWorld;
let signposts: SignpostService;

beforeAll(async () => {
  database = await createTestDatabase();
  const audit = new AuditService(database.db);
  signposts = new SignpostService(
    database.db,
    new AccessService(database.db, audit),
    new AccessGate(database.db, audit),
  );
  world = await buildPracticeWorld(database.db);
});
afterAll(() => database?.close());

const input = (overrides: Record<string, unknown> = {}) =>
  SignpostInput.parse({
    serviceId: world.services.dropIn,
    note: 'Mum keen',
    idempotencyKey: randomUUID(),
    ...overrides,
  });

async function eventsFor(action: string, outcome: 'success' | 'denied' = 'success') {
  return database.db
    .selectFrom('auditEvents')
    .selectAll()
    .where('partnershipId', '=', world.partnershipId)
    .where('action', '=', action)
    .where('outcome', '=', outcome)
    .execute();
}

describe('signposts', () => {
  it('suggests a service to the family and shows it on the child’s services page, audited', async () => {
    const made = await signposts.suggest(world.users.worker.ctx(), world.child, input());
    expect(made.replayed).toBe(false);
    const page = await signposts.ofChild(world.users.worker.ctx(), world.child);
    expect(page.person.postcode).toBe('NB1 1AA');
    const shown = page.signposts.find((s) => s.id === made.signpostId)!;
    expect(shown).toMatchObject({
      serviceName: 'Stay and play',
      note: 'Mum keen',
      takenUp: 'not_known',
      version: 1,
    });
    expect(shown.suggestedByName).toBe(world.users.worker.actor.displayName);
    const created = await eventsFor('directory.signpost.create');
    expect(
      created.some((e) => e.itemIds.includes(made.signpostId) && e.personIds.includes(world.child)),
    ).toBe(true);
    expect((await eventsFor('directory.signpost.list')).length).toBeGreaterThan(0);
  });

  it('makes one signpost from a double submit with the same key', async () => {
    const same = input({ idempotencyKey: randomUUID() });
    const [first, second] = await Promise.all([
      signposts.suggest(world.users.worker.ctx(), world.child, same),
      signposts.suggest(world.users.worker.ctx(), world.child, same),
    ]);
    expect(first.signpostId).toBe(second.signpostId);
    expect([first.replayed, second.replayed].sort()).toEqual([false, true]);
    const rows = await database.db
      .selectFrom('directorySignposts')
      .select('id')
      .where('idempotencyKey', '=', same.idempotencyKey)
      .execute();
    expect(rows).toHaveLength(1);
  });

  it('refuses the same key for a different service', async () => {
    const key = randomUUID();
    await signposts.suggest(world.users.worker.ctx(), world.child, input({ idempotencyKey: key }));
    await expect(
      signposts.suggest(
        world.users.worker.ctx(),
        world.child,
        input({ idempotencyKey: key, serviceId: world.services.referrable }),
      ),
    ).rejects.toBeInstanceOf(ConflictError);
  });

  it('refuses an unknown service, naming the field', async () => {
    const error = await signposts
      .suggest(world.users.worker.ctx(), world.child, input({ serviceId: randomUUID() }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).fields[0]!.field).toBe('serviceId');
  });

  it('records whether the family took it up, and refuses a stale version with 409', async () => {
    const { signpostId } = await signposts.suggest(world.users.worker.ctx(), world.child, input());
    await signposts.recordTakenUp(world.users.worker.ctx(), world.child, signpostId, {
      takenUp: 'yes',
      version: 1,
    });
    const stale = await signposts
      .recordTakenUp(world.users.worker.ctx(), world.child, signpostId, { takenUp: 'no', version: 1 })
      .catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(ConflictError);
    expect((stale as Error).message).toMatch(/Someone else recorded .*“Yes”/);
    const row = await database.db
      .selectFrom('directorySignposts')
      .select(['takenUp', 'version', 'takenUpRecordedBy'])
      .where('id', '=', signpostId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ takenUp: 'yes', version: 2, takenUpRecordedBy: world.users.worker.id });
    expect((await eventsFor('directory.signpost.taken-up')).some((e) => e.itemIds.includes(signpostId))).toBe(
      true,
    );
  });

  it('refuses a practitioner who is not involved with the child, writes nothing and audits the refusal', async () => {
    const before = await database.db.selectFrom('directorySignposts').select('id').execute();
    await expect(
      signposts.suggest(world.users.uninvolved.ctx(), world.child, input()),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(signposts.ofChild(world.users.uninvolved.ctx(), world.child)).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    expect(await database.db.selectFrom('directorySignposts').select('id').execute()).toHaveLength(
      before.length,
    );
    const denied = await eventsFor('directory.signpost.create', 'denied');
    expect(
      denied.some((e) => e.actorUserId === world.users.uninvolved.id && e.subjectId === world.child),
    ).toBe(true);
    expect(
      (await eventsFor('directory.signpost.list', 'denied')).some(
        (e) => e.actorUserId === world.users.uninvolved.id,
      ),
    ).toBe(true);
  });

  it('refuses someone without the permission (an analyst), audited', async () => {
    await expect(signposts.ofChild(world.users.analyst.ctx(), world.child)).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    expect(
      (await eventsFor('directory.signpost.list', 'denied')).some(
        (e) => e.actorUserId === world.users.analyst.id,
      ),
    ).toBe(true);
  });

  it('refuses a contact that is not about this child', async () => {
    const error = await signposts
      .suggest(world.users.worker.ctx(), world.child, input({ contactId: randomUUID() }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).fields[0]!.field).toBe('contactId');
  });
});
