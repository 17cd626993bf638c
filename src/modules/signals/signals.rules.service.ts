import { z } from 'zod';
import type { Ctx } from '../../common/context.ts';
import { requirePerson } from '../../common/context.ts';
import { ConflictError, NotFoundError, ValidationError, type FieldError } from '../../common/errors.ts';
import { londonDate } from '../../common/plain-dates.ts';
import { requiredText } from '../../common/text-fields.ts';
import type { Db } from '../../db/database.ts';
import type { SignalRoute } from '../../db/schema.ts';
import type { AccessService } from '../access/index.ts';
import type { AuditService } from '../audit/index.ts';
import * as store from './signals.rules.store.ts';
import {
  describeClause,
  fixtureFailure,
  formatRuleJson,
  parseRuleJson,
  RuleConditions,
  RuleFixtures,
  runFixtures,
} from './signals.rules.ts';

export const SIGNAL_ROUTES = [
  'lead_professional_or_front_door',
  'front_door',
] as const satisfies SignalRoute[];
export const SIGNAL_ROUTE_LABELS: Record<SignalRoute, string> = {
  lead_professional_or_front_door:
    'The child’s lead professional if the child has a plan, otherwise the front door',
  front_door: 'The front door',
};

export const RULE_KEY_PATTERN = /^[a-z0-9][a-z0-9-]{1,60}$/;

/** What the rule form sends. `version` is the one the editor started from; 0 for a new rule. */
export const SignalRuleInput = z.object({
  /** Only for a new rule; left empty, it is made from the name. */
  key: z.string().trim().toLowerCase().default(''),
  name: requiredText('Enter a name for the rule', 200, 'The name'),
  ownerUserId: z.uuid({ error: 'Choose who owns the rule' }),
  route: z.enum(SIGNAL_ROUTES, { error: 'Choose where the rule’s alerts go' }),
  active: z
    .enum(['yes', 'no'], { error: 'Choose whether the rule is switched on' })
    .transform((v) => v === 'yes'),
  conditions: z.string().default(''),
  fixtures: z.string().default(''),
  version: z.coerce.number({ error: 'The form is out of date: open it again' }).int().min(0),
});
export type SignalRuleInput = z.output<typeof SignalRuleInput>;

/** A new rule's form starts from an example that passes its own fixtures. */
const EXAMPLE_CONDITIONS: RuleConditions = { all: [{ atLeast: 3, withinDays: 90, fromAgencies: 2 }] };
const EXAMPLE_FIXTURES: RuleFixtures = [
  {
    name: 'Three signals from two agencies',
    signals: [
      { category: 'neglect', severity: 'moderate', daysAgo: 5, agency: 'school' },
      { category: 'neglect', severity: 'low', daysAgo: 30, agency: 'school' },
      { category: 'health_needs_not_met', severity: 'low', daysAgo: 60, agency: 'gp' },
    ],
    expect: 'alert',
  },
  { name: 'No signals', signals: [], expect: 'no_alert' },
];

const MAX_MESSAGES = 5;
/** All a field's faults in one message (the error summary shows one per field), the first few in full. */
function fieldMessage(label: string, errors: string[]): string {
  const more = errors.length - MAX_MESSAGES;
  return `${label} ${errors.slice(0, MAX_MESSAGES).join('; ')}${more > 0 ? `; and ${more} more` : ''}`;
}

/** A key made from a rule's name: "Any severe signal!" becomes "any-severe-signal". */
function keyFrom(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 61)
    .replace(/-+$/, '');
}

const UNIQUE_VIOLATION = '23505';
const CHANGED =
  'Someone else saved a new version of this rule while you were editing it: check the rule as it is now, then make your change again';

/** The parts of a version whose change the history names. */
const COMPARED = ['name', 'ownerUserId', 'route', 'active', 'conditions', 'fixtures'] as const;
const CHANGE_LABELS: Record<(typeof COMPARED)[number], string> = {
  name: 'name',
  ownerUserId: 'owner',
  route: 'route',
  active: 'switched on or off',
  conditions: 'conditions',
  fixtures: 'fixtures',
};

/**
 * The partnership's signal rules: listed, read with their history and fixture results, and changed
 * only by saving a new version, which must parse and pass its own fixtures. Each version is kept, so an
 * alert can name the version that raised it.
 */
export class SignalRuleService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly access: AccessService,
  ) {}

  /** Every rule as it now is, by name. */
  async list(ctx: Ctx) {
    const partnershipId = await this.access.require(ctx, 'signals.rules', 'signal-rule.list');
    return store.listCurrent(this.db, partnershipId);
  }

  /** One rule: its current version in words, its fixtures run today, and every version before it. */
  async get(ctx: Ctx, key: string) {
    const partnershipId = await this.access.require(ctx, 'signals.rules', 'signal-rule.view');
    const versions = await store.versionsOf(this.db, partnershipId, key);
    const [current] = versions;
    if (!current) throw new NotFoundError('Signal rule');
    const conditions = RuleConditions.parse(current.conditions);
    const fixtures = RuleFixtures.parse(current.fixtures);
    return {
      current: { ...current, conditions, fixtures },
      clauses: conditions.all.map(describeClause),
      fixtureResults: runFixtures(conditions, fixtures, londonDate(ctx.now)),
      history: versions.map((v, i) => {
        const before = versions[i + 1];
        const changes = before
          ? COMPARED.filter((f) => JSON.stringify(v[f]) !== JSON.stringify(before[f])).map(
              (f) => CHANGE_LABELS[f],
            )
          : [];
        return { ...v, changes };
      }),
    };
  }

  /** The form for a new rule: an example to start from, and who could own it. */
  async newForm(ctx: Ctx) {
    const partnershipId = await this.access.require(ctx, 'signals.rules', 'signal-rule.new-form');
    const owners = await store.possibleOwners(this.db, partnershipId);
    const me = requirePerson(ctx).userId;
    return {
      owners,
      values: {
        key: '',
        name: '',
        ownerUserId: owners.some((o) => o.id === me) ? me : '',
        route: 'lead_professional_or_front_door',
        active: 'yes',
        conditions: formatRuleJson(EXAMPLE_CONDITIONS),
        fixtures: formatRuleJson(EXAMPLE_FIXTURES),
        version: 0,
      },
    };
  }

  /** The form to change a rule, filled with its current version. */
  async editForm(ctx: Ctx, key: string) {
    const partnershipId = await this.access.require(ctx, 'signals.rules', 'signal-rule.edit-form');
    const [current] = await store.versionsOf(this.db, partnershipId, key);
    if (!current) throw new NotFoundError('Signal rule');
    return {
      owners: await store.possibleOwners(this.db, partnershipId),
      rule: { key: current.key, name: current.name, version: current.version },
      values: {
        key: current.key,
        name: current.name,
        ownerUserId: current.ownerUserId,
        route: current.route,
        active: current.active ? 'yes' : 'no',
        // Through the schema, so the fields come back in the order the help explains them.
        conditions: formatRuleJson(RuleConditions.parse(current.conditions)),
        fixtures: formatRuleJson(RuleFixtures.parse(current.fixtures)),
        version: current.version,
      },
    };
  }

  /**
   * Saves a new version of a rule (version 1 of a new one). Refused, naming the field, when the
   * conditions or fixtures do not parse, a fixture fails, or the owner is not an active member of
   * staff; refused as a conflict when someone saved a version since the editor started.
   */
  async save(ctx: Ctx, input: SignalRuleInput): Promise<{ key: string; version: number }> {
    const partnershipId = await this.access.require(ctx, 'signals.rules', 'signal-rule.save');
    const by = requirePerson(ctx).userId;
    const key = input.key || keyFrom(input.name);
    const problems: FieldError[] = [];
    if (!RULE_KEY_PATTERN.test(key) || key === 'new')
      problems.push({
        field: 'key',
        message: 'Enter a key of 2 to 61 lower-case letters, digits and hyphens, such as any-severe-signal',
      });
    const conditions = parseRuleJson(input.conditions, RuleConditions);
    if (!conditions.ok)
      problems.push({ field: 'conditions', message: fieldMessage('Conditions:', conditions.errors) });
    const fixtures = parseRuleJson(input.fixtures, RuleFixtures);
    if (!fixtures.ok)
      problems.push({ field: 'fixtures', message: fieldMessage('Fixtures:', fixtures.errors) });
    if (conditions.ok && fixtures.ok) {
      const failed = runFixtures(conditions.value, fixtures.value, londonDate(ctx.now)).filter(
        (r) => !r.passed,
      );
      if (failed.length)
        problems.push({
          field: 'fixtures',
          message: fieldMessage('Fixtures fail:', failed.map(fixtureFailure)),
        });
    }
    if (!(await store.isPossibleOwner(this.db, partnershipId, input.ownerUserId)))
      problems.push({ field: 'ownerUserId', message: 'Choose an active member of staff to own the rule' });
    if (problems.length || !conditions.ok || !fixtures.ok) throw new ValidationError(problems);

    try {
      return await this.db.transaction().execute(async (tx) => {
        const latest = await store.latestVersion(tx, partnershipId, key);
        if (input.version === 0 && latest !== null)
          throw new ValidationError([
            {
              field: 'key',
              message: `There is already a rule with the key ${key}: choose another key, or change that rule`,
            },
          ]);
        if (input.version > 0 && latest === null) throw new NotFoundError('Signal rule');
        if (input.version > 0 && latest !== input.version) throw new ConflictError(CHANGED);
        const version = (latest ?? 0) + 1;
        const id = await store.insertRuleVersion(tx, {
          partnershipId,
          key,
          version,
          name: input.name,
          ownerUserId: input.ownerUserId,
          route: input.route,
          conditions: conditions.value,
          fixtures: fixtures.value,
          active: input.active,
          createdAt: ctx.now,
          createdBy: by,
        });
        await this.audit.record(tx, ctx, {
          action: 'signal-rule.save',
          subjectType: 'signal_rule',
          subjectId: id,
          detail: { key, version, active: input.active, route: input.route, ownerUserId: input.ownerUserId },
        });
        return { key, version };
      });
    } catch (error) {
      // Two editors saving the same version at once: the unique index lets one through.
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) throw new ConflictError(CHANGED);
      throw error;
    }
  }
}
