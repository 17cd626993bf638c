import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError } from '../../common/errors.ts';
import { AuditService } from '../audit/index.ts';
import { buildActor, buildCtx, buildSystemActor } from '../../../test/helpers/context.ts';
import { insertPartnership } from '../../../test/helpers/builders.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { AccessService } from './access.service.ts';

describe('AccessService', () => {
  let database: TestDatabase;
  let access: AccessService;
  let audit: AuditService;
  let partnershipId: string;
  let otherPartnershipId: string;
  const adminCtx = () => buildCtx(buildActor(partnershipId, { roles: ['partnership_admin'] }));
  const org = (name: string) => ({
    name,
    sector: 'health' as const,
    kind: 'GP practice',
    localityId: null,
    active: true,
  });

  beforeAll(async () => {
    database = await createTestDatabase();
    audit = new AuditService(database.db);
    access = new AccessService(database.db, audit);
    partnershipId = await insertPartnership(database.db, 'Northbridge');
    otherPartnershipId = await insertPartnership(database.db, 'Southport');
  });
  afterAll(() => database.close());

  it('writes the organisation and its audit event together', async () => {
    const created = await access.createOrganisation(adminCtx(), org('Elm Surgery'));
    const events = await audit.listForSubject(partnershipId, 'organisation', created.id);
    expect(events.map((e) => e.action)).toEqual(['organisation.create']);
    expect((await audit.verifyChain(partnershipId)).ok).toBe(true);
  });

  it('refuses a practitioner, records the refusal and writes nothing else', async () => {
    const ctx = buildCtx(buildActor(partnershipId, { roles: ['practitioner'] }));
    await expect(access.createOrganisation(ctx, org('Not Allowed Surgery'))).rejects.toThrow(ForbiddenError);
    const rows = await database.db
      .selectFrom('organisations')
      .select('id')
      .where('name', '=', 'Not Allowed Surgery')
      .execute();
    expect(rows).toHaveLength(0);
    const denied = await database.db
      .selectFrom('auditEvents')
      .selectAll()
      .where('action', '=', 'organisation.create')
      .where('outcome', '=', 'denied')
      .execute();
    expect(denied).toHaveLength(1);
  });

  it('lets only one of two editors holding the same version win', async () => {
    const created = await access.createOrganisation(adminCtx(), org('Race Surgery'));
    const results = await Promise.allSettled([
      access.updateOrganisation(adminCtx(), created.id, {
        ...org('Race Surgery'),
        kind: 'First',
        version: 1,
      }),
      access.updateOrganisation(adminCtx(), created.id, {
        ...org('Race Surgery'),
        kind: 'Second',
        version: 1,
      }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected');
    expect(rejected?.reason).toBeInstanceOf(ConflictError);
    const row = await database.db
      .selectFrom('organisations')
      .selectAll()
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(row.version).toBe(2);
    const updates = await audit.listForSubject(partnershipId, 'organisation', created.id);
    expect(updates.filter((e) => e.action === 'organisation.update')).toHaveLength(1);
  });

  it('never shows or changes another partnership’s records', async () => {
    const theirs = await access.createOrganisation(
      buildCtx(buildSystemActor(otherPartnershipId)),
      org('Their Surgery'),
    );
    await expect(access.getOrganisation(adminCtx(), theirs.id)).rejects.toThrow('Organisation was not found');
    await expect(
      access.updateOrganisation(adminCtx(), theirs.id, { ...org('Taken Over'), version: 1 }),
    ).rejects.toThrow('Organisation was not found');
    const names = (await access.listOrganisations(adminCtx())).map((o) => o.name);
    expect(names).not.toContain('Their Surgery');
    await expect(
      access.createTeam(adminCtx(), {
        name: 'Cross Team',
        organisationId: theirs.id,
        localityId: null,
        multiAgency: false,
        active: true,
      }),
    ).rejects.toThrow('organisationId: Select an organisation from the list');
  });
});
