import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { insertPartnership } from '../../test/helpers/builders.ts';
import { createTestApp, type TestApp } from '../../test/helpers/web.ts';
import { APP_ROLE, currentPartnershipScope, withPartnershipScope } from './partnership-scope.ts';

const onPostgres = inject('testDatabase').engine === 'postgres';

describe('the partnership scope of a request', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t?.close());

  it('covers what a signed-in person’s request does, body and all, and nothing before sign-in', async () => {
    const seen: (string | undefined)[] = [];
    const signOut = t.services.sessions.signOut.bind(t.services.sessions);
    vi.spyOn(t.services.sessions, 'signOut').mockImplementation(async (...args) => {
      seen.push(currentPartnershipScope());
      return signOut(...args);
    });
    const agent = t.agent();
    await agent.signIn(t.practitioner.email);
    expect(currentPartnershipScope()).toBeUndefined();
    const out = await agent.post('/sign-out', {}, '/');
    expect(out.statusCode).toBe(303);
    expect(seen).toEqual([t.partnershipId]);
  });
});

describe.runIf(onPostgres)('row-level security per partnership (PostgreSQL)', () => {
  let t: TestApp;
  let other: string;
  const personIn = async (partnershipId: string) => {
    const id = randomUUID();
    await t.database.db
      .insertInto('people')
      .values({
        partnershipId,
        id,
        kind: 'child',
        givenName: 'Ada',
        familyName: 'Scope',
        dateOfBirth: '2015-03-01',
      })
      .execute();
    return id;
  };
  const count = async () =>
    Number(
      (await sql<{ n: number }>`select count(*)::int as n from people`.execute(t.database.db)).rows[0]!.n,
    );

  beforeAll(async () => {
    t = await createTestApp();
    other = await insertPartnership(t.database.db, 'Another Partnership');
    await personIn(t.partnershipId);
    await personIn(other);
  });
  afterAll(() => t?.close());

  it('shows work for one partnership only its rows, even from a query that forgets to ask', async () => {
    const everyone = await count();
    const own = await withPartnershipScope(t.partnershipId, count);
    const theirs = await withPartnershipScope(other, count);
    expect(own).toBeGreaterThan(0);
    expect(theirs).toBeGreaterThan(0);
    expect(own + theirs).toBe(everyone);
    const role = await withPartnershipScope(other, () =>
      sql<{ role: string }>`select current_user as role`.execute(t.database.db),
    );
    expect(role.rows[0]!.role).toBe(APP_ROLE);
  });

  it('refuses to change or add another partnership’s rows', async () => {
    const theirs = await personIn(other);
    const updated = await withPartnershipScope(t.partnershipId, () =>
      t.database.db.updateTable('people').set({ givenName: 'Changed' }).where('id', '=', theirs).execute(),
    );
    expect(Number(updated[0]!.numUpdatedRows)).toBe(0);
    await expect(withPartnershipScope(t.partnershipId, () => personIn(other))).rejects.toMatchObject({
      code: '42501',
    });
    const row = await t.database.db
      .selectFrom('people')
      .select('givenName')
      .where('id', '=', theirs)
      .executeTakeFirstOrThrow();
    expect(row.givenName).toBe('Ada');
  });

  it('lets the restricted role append to the audit trail but never rewrite it', async () => {
    await expect(
      withPartnershipScope(t.partnershipId, () =>
        sql`delete from audit_events where partnership_id = ${t.partnershipId}`.execute(t.database.db),
      ),
    ).rejects.toMatchObject({ code: '42501' });
  });

  it('gives the restricted role nothing when no partnership is named', async () => {
    const client = new pg.Client({ connectionString: t.database.url });
    await client.connect();
    try {
      await client.query(`set role ${APP_ROLE}`);
      await expect(client.query('select count(*) from people')).rejects.toThrow(/wraparound.partnership_id/);
    } finally {
      await client.end();
    }
  });
});
