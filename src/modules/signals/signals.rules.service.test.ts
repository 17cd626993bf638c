import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../common/errors.ts';
import { createServices, type Services } from '../../composition.ts';
import { loadConfig } from '../../config.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { TEST_NOW } from '../../../test/helpers/context.ts';
import { buildTrustWorld, type World } from '../../../test/helpers/trust-world.ts';
import { seedSignalRules } from './signals.rules.seed.ts';
import { SignalRuleInput } from './signals.rules.service.ts';
import { activeRules } from './signals.rules.store.ts';

const CONDITIONS = '{"all": [{"atLeast": 2, "withinDays": 30, "categories": ["going_missing"]}]}';
const FIXTURES = JSON.stringify([
  {
    name: 'Missing twice this month',
    signals: [
      { category: 'going_missing', severity: 'high', daysAgo: 2, agency: 'police' },
      { category: 'going_missing', severity: 'high', daysAgo: 20, agency: 'police' },
    ],
    expect: 'alert',
  },
  {
    name: 'Missing once',
    signals: [{ category: 'going_missing', severity: 'high', daysAgo: 2, agency: 'police' }],
    expect: 'no_alert',
  },
]);

describe('signal rules', () => {
  let database: TestDatabase;
  let services: Services;
  let w: World;

  beforeAll(async () => {
    database = await createTestDatabase();
    services = createServices(database.db, loadConfig({ DATA_DIR: 'memory://' }));
    w = await buildTrustWorld(database.db);
  });
  afterAll(() => database.close());

  const manager = () => w.users.manager.ctx();
  const input = (overrides: Record<string, unknown> = {}) =>
    SignalRuleInput.parse({
      name: 'Going missing twice in a month',
      ownerUserId: w.users.manager.id,
      route: 'lead_professional_or_front_door',
      active: 'yes',
      conditions: CONDITIONS,
      fixtures: FIXTURES,
      version: '0',
      ...overrides,
    });
  const versions = (key: string) =>
    database.db
      .selectFrom('signalRules')
      .select(['version', 'active', 'name'])
      .where('partnershipId', '=', w.partnershipId)
      .where('key', '=', key)
      .orderBy('version')
      .execute();
  const refusal = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ValidationError);
    return Object.fromEntries((error as ValidationError).fields.map((f) => [f.field, f.message]));
  };

  it('seeds the default rules once, switched on, for the evaluator', async () => {
    expect(await seedSignalRules(database.db, w.partnershipId, w.users.admin.id, TEST_NOW)).toBe(4);
    expect(await seedSignalRules(database.db, w.partnershipId, w.users.admin.id, TEST_NOW)).toBe(0);
    const active = await activeRules(database.db, w.partnershipId);
    expect(active.map((r) => [r.key, r.version, r.route]).sort()).toEqual([
      ['any-severe-signal', 1, 'front_door'],
      ['attendance-and-health', 1, 'lead_professional_or_front_door'],
      ['repeated-domestic-abuse', 1, 'lead_professional_or_front_door'],
      ['three-signals-two-agencies', 1, 'lead_professional_or_front_door'],
    ]);
    expect(active.find((r) => r.key === 'any-severe-signal')!.conditions).toEqual({
      all: [{ atLeast: 1, withinDays: 30, minSeverity: 'severe' }],
    });
  });

  it('saves a new rule as version 1, its key made from its name, and audits it', async () => {
    expect(await services.signalRules.save(manager(), input())).toEqual({
      key: 'going-missing-twice-in-a-month',
      version: 1,
    });
    const audit = await database.db
      .selectFrom('auditEvents')
      .select(['actorUserId', 'subjectType', 'detail'])
      .where('partnershipId', '=', w.partnershipId)
      .where('action', '=', 'signal-rule.save')
      .executeTakeFirstOrThrow();
    expect(audit).toMatchObject({
      actorUserId: w.users.manager.id,
      subjectType: 'signal_rule',
      detail: { key: 'going-missing-twice-in-a-month', version: 1, active: true },
    });
    const listed = await services.signalRules.list(manager());
    expect(listed.find((r) => r.key === 'going-missing-twice-in-a-month')).toMatchObject({
      name: 'Going missing twice in a month',
      version: 1,
      active: true,
      ownerName: 'manager',
    });
  });

  it('changes a rule by saving a new version, keeping the old one, and names what changed', async () => {
    const key = 'going-missing-twice-in-a-month';
    const form = await services.signalRules.editForm(manager(), key);
    expect(form.values).toMatchObject({ version: 1, active: 'yes' });
    expect(JSON.parse(form.values.conditions)).toEqual(JSON.parse(CONDITIONS));
    await services.signalRules.save(
      w.users.admin.ctx(),
      input({ ...form.values, key, name: 'Missing twice in 30 days', ownerUserId: w.users.admin.id }),
    );
    const rule = await services.signalRules.get(manager(), key);
    expect(rule.current).toMatchObject({ version: 2, name: 'Missing twice in 30 days', ownerName: 'admin' });
    expect(rule.clauses).toEqual(['at least 2 signals about going missing in the last 30 days']);
    expect(rule.fixtureResults.map((f) => [f.name, f.passed])).toEqual([
      ['Missing twice this month', true],
      ['Missing once', true],
    ]);
    expect(rule.history.map((v) => [v.version, v.createdByName, v.changes])).toEqual([
      [2, 'admin', ['name', 'owner']],
      [1, 'manager', []],
    ]);
    expect((await activeRules(database.db, w.partnershipId)).find((r) => r.key === key)).toMatchObject({
      version: 2,
      name: 'Missing twice in 30 days',
    });
  });

  it('switches a rule off with a new version, and the evaluator stops applying it', async () => {
    const key = 'going-missing-twice-in-a-month';
    await services.signalRules.save(manager(), input({ key, version: '2', active: 'no' }));
    expect((await versions(key)).map((v) => v.active)).toEqual([true, true, false]);
    expect((await activeRules(database.db, w.partnershipId)).map((r) => r.key)).not.toContain(key);
    expect((await services.signalRules.get(manager(), key)).history[0]!.changes).toContain(
      'switched on or off',
    );
  });

  it('refuses a save from a stale version, and saves nothing', async () => {
    const key = 'going-missing-twice-in-a-month';
    await expect(services.signalRules.save(manager(), input({ key, version: '2' }))).rejects.toThrow(
      ConflictError,
    );
    expect(await versions(key)).toHaveLength(3);
  });

  it('lets one of two saves from the same version through', async () => {
    const key = 'any-severe-signal';
    const form = await services.signalRules.editForm(manager(), key);
    const results = await Promise.allSettled([
      services.signalRules.save(manager(), input({ ...form.values, key, name: 'First' })),
      services.signalRules.save(w.users.admin.ctx(), input({ ...form.values, key, name: 'Second' })),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected');
    expect(refused?.reason).toBeInstanceOf(ConflictError);
    expect(await versions(key)).toHaveLength(2);
  });

  it('refuses conditions that do not parse or name an unknown category, naming the field', async () => {
    const before = await database.db.selectFrom('signalRules').select('id').execute();
    expect(
      await refusal(services.signalRules.save(manager(), input({ name: 'Broken', conditions: '{"all": [' }))),
    ).toEqual({
      conditions:
        'Conditions: is not valid JSON at line 1, column 10: expected a value (a number, "text", true, false, null, [ or {), found the end of the text',
    });
    const unknown = await refusal(
      services.signalRules.save(
        manager(),
        input({
          name: 'Typo',
          conditions: '{"all": [{"atLeast": 1, "withinDays": 30, "categories": ["negelct"]}]}',
        }),
      ),
    );
    expect(unknown.conditions).toContain(
      'Conditions: all[0].categories[0]: unknown category "negelct"; use one of neglect,',
    );
    expect(await database.db.selectFrom('signalRules').select('id').execute()).toHaveLength(before.length);
  });

  it('refuses a rule whose fixtures fail, saying which and why', async () => {
    const failing = await refusal(
      services.signalRules.save(
        manager(),
        input({
          name: 'Too eager',
          conditions: '{"all": [{"atLeast": 1, "withinDays": 30, "categories": ["going_missing"]}]}',
        }),
      ),
    );
    expect(failing).toEqual({
      fixtures: 'Fixtures fail: fixture "Missing once" expected no alert, but the rule raised one',
    });
    const bad = await refusal(
      services.signalRules.save(manager(), input({ name: 'No fixtures', fixtures: '[]' })),
    );
    expect(bad).toEqual({ fixtures: 'Fixtures: must be a list of 1 to 50 fixtures' });
    expect(await versions('too-eager')).toEqual([]);
  });

  it('refuses an owner who is not an active member of staff here, and a key already taken', async () => {
    await database.db
      .updateTable('users')
      .set({ active: false })
      .where('id', '=', w.users.teamMember.id)
      .execute();
    for (const owner of [w.users.teamMember.id, w.users.outsider.id])
      expect(
        await refusal(services.signalRules.save(manager(), input({ name: 'Orphan', ownerUserId: owner }))),
      ).toEqual({
        ownerUserId: 'Choose an active member of staff to own the rule',
      });
    expect(await refusal(services.signalRules.save(manager(), input({ key: 'any-severe-signal' })))).toEqual({
      key: 'There is already a rule with the key any-severe-signal: choose another key, or change that rule',
    });
    expect(await refusal(services.signalRules.save(manager(), input({ name: '!!!' })))).toHaveProperty('key');
  });

  it('lets only those with the signals.rules permission read or change rules, auditing refusals', async () => {
    const practitioner = w.users.socialWorker.ctx();
    await expect(services.signalRules.list(practitioner)).rejects.toThrow(ForbiddenError);
    await expect(services.signalRules.save(practitioner, input({ name: 'Sneaky' }))).rejects.toThrow(
      ForbiddenError,
    );
    const denied = await database.db
      .selectFrom('auditEvents')
      .select('action')
      .where('partnershipId', '=', w.partnershipId)
      .where('outcome', '=', 'denied')
      .where('actorUserId', '=', w.users.socialWorker.id)
      .execute();
    expect(denied.map((d) => d.action)).toEqual(['signal-rule.list', 'signal-rule.save']);
    await expect(services.signalRules.get(manager(), 'no-such-rule')).rejects.toThrow(NotFoundError);
  });
});
