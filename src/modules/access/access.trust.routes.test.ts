import { hash } from 'argon2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  errorSummary,
  TEST_PASSWORD,
  type Agent,
  type TestApp,
} from '../../../test/helpers/web.ts';
import { buildTrustWorld, type World, type WorldUser } from '../../../test/helpers/trust-world.ts';

/** The trust layer's forms on a child's record: what a person sees, and what bad input gets. */
describe('trust pages', () => {
  let t: TestApp;
  let w: World;

  beforeAll(async () => {
    t = await createTestApp();
    w = await buildTrustWorld(t.database.db);
    await t.database.db
      .updateTable('users')
      .set({ passwordHash: await hash(TEST_PASSWORD) })
      .where('partnershipId', '=', w.partnershipId)
      .execute();
  });
  afterAll(() => t.close());

  const as = async (user: WorldUser): Promise<Agent> => {
    const agent = t.agent();
    const signedIn = await agent.signIn(user.email);
    expect(signedIn.statusCode).toBe(303);
    return agent;
  };
  const count = async (table: 'emergencyAccesses' | 'consents' | 'involvements' | 'sharingRules') =>
    Number(
      (
        await t.database.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('shows an involved practitioner the record, with withheld items as "ask the owner"', async () => {
    const housing = await as(w.users.housingOfficer);
    const page = await housing.get(`/people/${w.child}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Maya Okafor');
    expect(page.body).toContain('Attendance falling');
    expect(page.body).not.toContain('Missed immunisations');
    expect(page.body).toContain('Riverside Surgery holds health information');
    expect(page.body).not.toContain('Refuge address');
  });

  it('refuses an uninvolved practitioner with a way to emergency access, which needs a reason', async () => {
    const agent = await as(w.users.uninvolved);
    const refused = await agent.get(`/people/${w.strangerChild}`);
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain(`/people/${w.strangerChild}/emergency-access`);

    const before = await count('emergencyAccesses');
    const empty = await agent.post(`/people/${w.strangerChild}/emergency-access`, { reason: '  ' });
    expect(empty.statusCode).toBe(400);
    expect(errorSummary(empty.body)).toEqual(['#reason Enter why you need this record now']);
    expect(await count('emergencyAccesses')).toBe(before);

    const granted = await agent.post(`/people/${w.strangerChild}/emergency-access`, {
      reason: 'Child reported missing by school this afternoon',
    });
    expect(granted.statusCode).toBe(303);
    const record = await agent.get(`/people/${w.strangerChild}`);
    expect(record.statusCode).toBe(200);
    expect(record.body).toContain('You are using emergency access');
  });

  it('keeps a sealed record and another partnership’s child out of sight: 404, not 403', async () => {
    const agent = await as(w.users.uninvolved);
    expect((await agent.get(`/people/${w.sealedChild}`)).statusCode).toBe(404);
    expect((await agent.get(`/people/${w.otherChild}`)).statusCode).toBe(404);
    expect((await agent.get(`/people/not-a-uuid`)).statusCode).toBe(404);
  });

  it('refuses consent without a giver, and an expiry before it was given, writing nothing', async () => {
    const agent = await as(w.users.socialWorker);
    const before = await count('consents');
    const response = await agent.post(`/people/${w.child}/consents/new`, {
      purpose: 'early_help',
      givenBy: 'parental_responsibility',
      givenByName: '',
      scope: 'Early help partners',
      obtainedHow: 'in_person',
      'given-day': '10',
      'given-month': '3',
      'given-year': '2026',
      'expires-day': '1',
      'expires-month': '3',
      'expires-year': '2026',
    });
    expect(response.statusCode).toBe(400);
    expect(errorSummary(response.body)).toContain(
      '#givenByName Enter the name of the person who gave consent',
    );
    expect(await count('consents')).toBe(before);
    const ok = await agent.post(`/people/${w.child}/consents/new`, {
      purpose: 'early_help',
      givenBy: 'young_person',
      givenByName: 'Maya Okafor',
      scope: 'Early help partners',
      obtainedHow: 'in_person',
      'given-day': '1',
      'given-month': '3',
      'given-year': '2026',
    });
    expect(ok.statusCode).toBe(303);
    expect(await count('consents')).toBe(before + 1);
  });

  it('refuses an involvement ending before it started, and a start date that is not a date', async () => {
    const agent = await as(w.users.manager);
    const before = await count('involvements');
    const bad = await agent.post(`/people/${w.child}/involvements/new`, {
      holder: `user:${w.users.uninvolved.id}`,
      kind: 'team_around_family',
      purpose: 'safeguarding',
      reason: 'Cover',
      'started-day': '31',
      'started-month': '2',
      'started-year': '2026',
    });
    expect(bad.statusCode).toBe(400);
    expect(errorSummary(bad.body)).toEqual(['#started-day The start date must be a real date']);
    const ended = await agent.post(`/people/${w.child}/involvements/${w.involvements.gp}/end`, {
      version: '1',
      endReason: 'Moved practice',
      'ended-day': '1',
      'ended-month': '1',
      'ended-year': '2020',
    });
    expect(ended.statusCode).toBe(400);
    expect(errorSummary(ended.body)).toEqual([
      '#ended-day The end date must be the same as or after the start date',
    ]);
    expect(await count('involvements')).toBe(before);
  });

  it('lists the children a practitioner is involved with, and searches without revealing sealed records', async () => {
    const agent = await as(w.users.teamMember);
    const mine = await agent.get('/people/mine');
    expect(mine.body).toContain('Maya');
    const search = await agent.get('/people?name=okafor');
    expect(search.statusCode).toBe(200);
    expect(search.body).toContain('2 people found');
    expect(search.body).not.toContain('Sam');
    const noCriteria = await agent.get('/people?name=');
    expect(noCriteria.statusCode).toBe(400);
  });
});
