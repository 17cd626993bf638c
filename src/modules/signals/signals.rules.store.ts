import type { Db, Tx } from '../../db/database.ts';
import type { SignalRoute } from '../../db/schema.ts';
import { RuleConditions } from './signals.rules.ts';

type Q = Db | Tx;

/** SQL for signal rules: one row per saved version, the latest version of a key being the rule. */

export type ActiveRule = {
  id: string;
  key: string;
  version: number;
  name: string;
  route: SignalRoute;
  ownerUserId: string;
  conditions: RuleConditions;
};

export type RuleVersionRow = {
  partnershipId: string;
  key: string;
  version: number;
  name: string;
  ownerUserId: string;
  route: SignalRoute;
  conditions: unknown;
  fixtures: unknown;
  active: boolean;
  createdAt: Date;
  createdBy: string | null;
};

/** The latest version of each rule, switched on or off, with who owns it and who saved it. */
function currentVersions(q: Q, partnershipId: string) {
  return q
    .selectFrom('signalRules as r')
    .where('r.partnershipId', '=', partnershipId)
    .distinctOn('r.key')
    .orderBy('r.key')
    .orderBy('r.version', 'desc');
}

/** The rules the evaluator applies: each key's latest version, when that version is switched on. */
export async function activeRules(q: Q, partnershipId: string): Promise<ActiveRule[]> {
  const rows = await currentVersions(q, partnershipId)
    .select(['r.id', 'r.key', 'r.version', 'r.name', 'r.route', 'r.ownerUserId', 'r.conditions', 'r.active'])
    .execute();
  return rows
    .filter((row) => row.active)
    .map(({ active: _, conditions, ...row }) => {
      // Saved rules were checked at save; one that no longer parses is a fault to fix, not to skip.
      const parsed = RuleConditions.safeParse(conditions);
      if (!parsed.success)
        throw new Error(
          `Signal rule ${row.key} version ${row.version} no longer parses: ${parsed.error.message}`,
        );
      return { ...row, conditions: parsed.data };
    });
}

/** Saves a version; the unique (partnership, key, version) index refuses a second save of the same version. */
export async function insertRuleVersion(q: Q, row: RuleVersionRow): Promise<string> {
  const { id } = await q
    .insertInto('signalRules')
    .values({ ...row, conditions: JSON.stringify(row.conditions), fixtures: JSON.stringify(row.fixtures) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

/** The list page: each rule as it now is, with its owner's name. */
export function listCurrent(q: Q, partnershipId: string) {
  return q
    .selectFrom(
      currentVersions(q, partnershipId)
        .select(['r.key', 'r.version', 'r.name', 'r.route', 'r.active', 'r.ownerUserId', 'r.createdAt'])
        .as('c'),
    )
    .innerJoin('users as o', (j) =>
      j.on('o.partnershipId', '=', partnershipId).onRef('o.id', '=', 'c.ownerUserId'),
    )
    .select([
      'c.key',
      'c.version',
      'c.name',
      'c.route',
      'c.active',
      'c.createdAt',
      'o.displayName as ownerName',
    ])
    .orderBy('c.name')
    .orderBy('c.key')
    .execute();
}

/** Every version of one rule, newest first, with who owned it and who saved it. */
export function versionsOf(q: Q, partnershipId: string, key: string) {
  return q
    .selectFrom('signalRules as r')
    .innerJoin('users as o', (j) =>
      j.onRef('o.partnershipId', '=', 'r.partnershipId').onRef('o.id', '=', 'r.ownerUserId'),
    )
    .leftJoin('users as b', (j) =>
      j.onRef('b.partnershipId', '=', 'r.partnershipId').onRef('b.id', '=', 'r.createdBy'),
    )
    .select([
      'r.id',
      'r.key',
      'r.version',
      'r.name',
      'r.route',
      'r.ownerUserId',
      'r.conditions',
      'r.fixtures',
      'r.active',
      'r.createdAt',
      'o.displayName as ownerName',
      'b.displayName as createdByName',
    ])
    .where('r.partnershipId', '=', partnershipId)
    .where('r.key', '=', key)
    .orderBy('r.version', 'desc')
    .execute();
}

/** The number of the latest version of a rule, or null for a key not used yet. */
export async function latestVersion(q: Q, partnershipId: string, key: string): Promise<number | null> {
  const row = await q
    .selectFrom('signalRules')
    .select((eb) => eb.fn.max('version').as('version'))
    .where('partnershipId', '=', partnershipId)
    .where('key', '=', key)
    .executeTakeFirst();
  return row?.version ?? null;
}

/** Who may own a rule: the partnership's active staff accounts (family accounts never). */
function ownersQuery(q: Q, partnershipId: string) {
  return q
    .selectFrom('users')
    .select(['id', 'displayName', 'jobTitle'])
    .where('partnershipId', '=', partnershipId)
    .where('active', '=', true)
    .where((eb) => eb.not(eb(eb.val('family_member'), '=', eb.fn.any('roles'))));
}

export function possibleOwners(q: Q, partnershipId: string) {
  return ownersQuery(q, partnershipId).orderBy('displayName').orderBy('id').execute();
}

export async function isPossibleOwner(q: Q, partnershipId: string, userId: string): Promise<boolean> {
  return (await ownersQuery(q, partnershipId).where('id', '=', userId).executeTakeFirst()) !== undefined;
}
