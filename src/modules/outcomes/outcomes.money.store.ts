import { sql } from 'kysely';
import type { Db, Tx } from '../../db/database.ts';
import type { Sector } from '../../db/schema.ts';
import type { BudgetKind, SpendInput } from './outcomes.money.schemas.ts';

/** SQL for money: partners, budgets and contributions, spend lines and their outcomes. Nothing else. */

type Q = Db | Tx;

/** bigint pence arrive as text from the driver; every amount is read through this. */
const pence = (column: string) => sql<string>`${sql.ref(column)}::text`;
const toNumber = (v: string | number | bigint | null) => (v === null ? 0 : Number(v));

export type PartnerRow = { id: string; name: string; sector: Sector; active: boolean; version: number };

export async function listPartners(q: Q, partnershipId: string): Promise<PartnerRow[]> {
  return q
    .selectFrom('moneyPartners')
    .select(['id', 'name', 'sector', 'active', 'version'])
    .where('partnershipId', '=', partnershipId)
    .orderBy(sql`lower(name)`)
    .execute();
}

export async function findPartner(q: Q, partnershipId: string, id: string): Promise<PartnerRow | undefined> {
  return q
    .selectFrom('moneyPartners')
    .select(['id', 'name', 'sector', 'active', 'version'])
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function partnerNamed(q: Q, partnershipId: string, name: string, exceptId?: string) {
  let query = q
    .selectFrom('moneyPartners')
    .select('id')
    .where('partnershipId', '=', partnershipId)
    .where(sql`lower(name)`, '=', name.toLowerCase());
  if (exceptId) query = query.where('id', '<>', exceptId);
  return query.executeTakeFirst();
}

/** The id made by an earlier submission of the same form, if there was one. */
export async function madeBy(
  q: Q,
  table: 'moneyPartners' | 'moneyBudgets' | 'moneySpendLines' | 'moneyUploads',
  partnershipId: string,
  idempotencyKey: string,
): Promise<string | undefined> {
  const row = await q
    .selectFrom(table)
    .select('id')
    .where('partnershipId', '=', partnershipId)
    .where('idempotencyKey', '=', idempotencyKey)
    .executeTakeFirst();
  return row?.id;
}

export async function insertPartner(
  q: Q,
  row: {
    partnershipId: string;
    name: string;
    sector: Sector;
    createdBy: string | null;
    createdAt: Date;
    idempotencyKey: string | null;
  },
): Promise<string> {
  const { id } = await q.insertInto('moneyPartners').values(row).returning('id').executeTakeFirstOrThrow();
  return id;
}

/** Answers whether the row was at the version given (and so was changed). */
export async function updatePartner(
  q: Q,
  partnershipId: string,
  id: string,
  version: number,
  change: { name: string; sector: Sector; active: boolean },
): Promise<boolean> {
  const result = await q
    .updateTable('moneyPartners')
    .set({ ...change, version: sql`version + 1` })
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export type ContributionRow = { partnerId: string; partnerName: string; pence: number };
export type BudgetRow = {
  id: string;
  name: string;
  financialYear: number;
  kind: BudgetKind;
  description: string;
  version: number;
  contributions: ContributionRow[];
  totalPence: number;
  spentPence: number;
};

export async function listBudgets(
  q: Q,
  partnershipId: string,
  filter: { year?: number; id?: string; fromYear?: number; toYear?: number } = {},
): Promise<BudgetRow[]> {
  let query = q
    .selectFrom('moneyBudgets as b')
    .select([
      'b.id',
      'b.name',
      'b.financialYear',
      'b.kind',
      'b.description',
      'b.version',
      sql<string>`coalesce((select sum(s.amount_pence) from money_spend_lines s
        where s.partnership_id = b.partnership_id and s.budget_id = b.id), 0)::text`.as('spent'),
    ])
    .where('b.partnershipId', '=', partnershipId);
  if (filter.year !== undefined) query = query.where('b.financialYear', '=', filter.year);
  if (filter.fromYear !== undefined) query = query.where('b.financialYear', '>=', filter.fromYear);
  if (filter.toYear !== undefined) query = query.where('b.financialYear', '<=', filter.toYear);
  if (filter.id !== undefined) query = query.where('b.id', '=', filter.id);
  const budgets = await query
    .orderBy('b.financialYear', 'desc')
    .orderBy(sql`lower(b.name)`)
    .execute();
  if (budgets.length === 0) return [];
  const contributions = await q
    .selectFrom('moneyContributions as c')
    .innerJoin('moneyPartners as p', (j) =>
      j.onRef('p.partnershipId', '=', 'c.partnershipId').onRef('p.id', '=', 'c.partnerId'),
    )
    .select(['c.budgetId', 'c.partnerId', 'p.name as partnerName', pence('c.amount_pence').as('amount')])
    .where('c.partnershipId', '=', partnershipId)
    .where(
      'c.budgetId',
      'in',
      budgets.map((b) => b.id),
    )
    .orderBy(sql`lower(p.name)`)
    .execute();
  return budgets.map((b) => {
    const own = contributions
      .filter((c) => c.budgetId === b.id)
      .map((c) => ({ partnerId: c.partnerId, partnerName: c.partnerName, pence: toNumber(c.amount) }));
    return {
      id: b.id,
      name: b.name,
      financialYear: b.financialYear,
      kind: b.kind,
      description: b.description,
      version: b.version,
      contributions: own,
      totalPence: own.reduce((sum, c) => sum + c.pence, 0),
      spentPence: toNumber(b.spent),
    };
  });
}

export async function budgetNamed(
  q: Q,
  partnershipId: string,
  financialYear: number,
  name: string,
  exceptId?: string,
) {
  let query = q
    .selectFrom('moneyBudgets')
    .select('id')
    .where('partnershipId', '=', partnershipId)
    .where('financialYear', '=', financialYear)
    .where(sql`lower(name)`, '=', name.toLowerCase());
  if (exceptId) query = query.where('id', '<>', exceptId);
  return query.executeTakeFirst();
}

export async function insertBudget(
  q: Q,
  row: {
    partnershipId: string;
    name: string;
    financialYear: number;
    kind: BudgetKind;
    description: string;
    createdBy: string | null;
    createdAt: Date;
    idempotencyKey: string | null;
  },
): Promise<string> {
  const { id } = await q.insertInto('moneyBudgets').values(row).returning('id').executeTakeFirstOrThrow();
  return id;
}

export async function updateBudget(
  q: Q,
  partnershipId: string,
  id: string,
  version: number,
  change: { name: string; financialYear: number; kind: BudgetKind; description: string },
): Promise<boolean> {
  const result = await q
    .updateTable('moneyBudgets')
    .set({ ...change, version: sql`version + 1` })
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function replaceContributions(
  q: Q,
  partnershipId: string,
  budgetId: string,
  contributions: readonly { partnerId: string; pence: number }[],
): Promise<void> {
  await q
    .deleteFrom('moneyContributions')
    .where('partnershipId', '=', partnershipId)
    .where('budgetId', '=', budgetId)
    .execute();
  if (contributions.length === 0) return;
  await q
    .insertInto('moneyContributions')
    .values(
      contributions.map((c) => ({ partnershipId, budgetId, partnerId: c.partnerId, amountPence: c.pence })),
    )
    .execute();
}

/** Spend lines of a budget paid by a partner: a contribution that pays for spend cannot be taken away. */
export async function spendByPartnerOfBudget(q: Q, partnershipId: string, budgetId: string) {
  const rows = await q
    .selectFrom('moneySpendLines')
    .select(['partnerId', sql<string>`count(*)::text`.as('n')])
    .where('partnershipId', '=', partnershipId)
    .where('budgetId', '=', budgetId)
    .groupBy('partnerId')
    .execute();
  return rows.map((r) => ({ partnerId: r.partnerId, lines: Number(r.n) }));
}

export type SpendRow = {
  id: string;
  budgetId: string;
  budgetName: string;
  budgetKind: BudgetKind;
  partnerId: string | null;
  partnerName: string | null;
  serviceId: string;
  financialYear: number;
  quarter: number | null;
  pence: number;
  description: string;
  version: number;
  outcomes: { framework: string; code: string }[];
};

export async function listSpend(
  q: Q,
  partnershipId: string,
  filter: { year?: number; fromYear?: number; toYear?: number; id?: string },
): Promise<SpendRow[]> {
  let query = q
    .selectFrom('moneySpendLines as s')
    .innerJoin('moneyBudgets as b', (j) =>
      j.onRef('b.partnershipId', '=', 's.partnershipId').onRef('b.id', '=', 's.budgetId'),
    )
    .leftJoin('moneyPartners as p', (j) =>
      j.onRef('p.partnershipId', '=', 's.partnershipId').onRef('p.id', '=', 's.partnerId'),
    )
    .select([
      's.id',
      's.budgetId',
      'b.name as budgetName',
      'b.kind as budgetKind',
      's.partnerId',
      'p.name as partnerName',
      's.serviceId',
      's.financialYear',
      's.quarter',
      pence('s.amount_pence').as('amount'),
      's.description',
      's.version',
    ])
    .where('s.partnershipId', '=', partnershipId);
  if (filter.year !== undefined) query = query.where('s.financialYear', '=', filter.year);
  if (filter.fromYear !== undefined) query = query.where('s.financialYear', '>=', filter.fromYear);
  if (filter.toYear !== undefined) query = query.where('s.financialYear', '<=', filter.toYear);
  if (filter.id !== undefined) query = query.where('s.id', '=', filter.id);
  const lines = await query
    .orderBy('s.financialYear', 'desc')
    .orderBy(sql`s.quarter nulls first`)
    .orderBy('s.createdAt')
    .orderBy('s.id')
    .execute();
  if (lines.length === 0) return [];
  let outcomesQuery = q
    .selectFrom('moneySpendOutcomes as o')
    .innerJoin('moneySpendLines as s', (j) =>
      j.onRef('s.partnershipId', '=', 'o.partnershipId').onRef('s.id', '=', 'o.spendId'),
    )
    .select(['o.spendId', 'o.framework', 'o.outcomeCode'])
    .where('o.partnershipId', '=', partnershipId);
  if (filter.year !== undefined) outcomesQuery = outcomesQuery.where('s.financialYear', '=', filter.year);
  if (filter.fromYear !== undefined)
    outcomesQuery = outcomesQuery.where('s.financialYear', '>=', filter.fromYear);
  if (filter.toYear !== undefined)
    outcomesQuery = outcomesQuery.where('s.financialYear', '<=', filter.toYear);
  if (filter.id !== undefined) outcomesQuery = outcomesQuery.where('s.id', '=', filter.id);
  const outcomes = await outcomesQuery.orderBy('o.framework').orderBy('o.outcomeCode').execute();
  const bySpend = new Map<string, { framework: string; code: string }[]>();
  for (const o of outcomes) {
    const list = bySpend.get(o.spendId) ?? [];
    list.push({ framework: o.framework, code: o.outcomeCode });
    bySpend.set(o.spendId, list);
  }
  return lines.map((l) => ({
    id: l.id,
    budgetId: l.budgetId,
    budgetName: l.budgetName,
    budgetKind: l.budgetKind,
    partnerId: l.partnerId,
    partnerName: l.partnerName,
    serviceId: l.serviceId,
    financialYear: l.financialYear,
    quarter: l.quarter,
    pence: toNumber(l.amount),
    description: l.description,
    version: l.version,
    outcomes: bySpend.get(l.id) ?? [],
  }));
}

export async function insertSpend(
  q: Q,
  row: SpendInput & {
    partnershipId: string;
    financialYear: number;
    uploadId: string | null;
    createdBy: string | null;
    createdAt: Date;
    idempotencyKey: string | null;
  },
): Promise<string> {
  const { outcomes, amountPence, ...line } = row;
  const { id } = await q
    .insertInto('moneySpendLines')
    .values({ ...line, amountPence, updatedAt: row.createdAt })
    .returning('id')
    .executeTakeFirstOrThrow();
  await insertOutcomes(q, row.partnershipId, id, outcomes);
  return id;
}

async function insertOutcomes(
  q: Q,
  partnershipId: string,
  spendId: string,
  outcomes: readonly { framework: string; code: string }[],
) {
  if (outcomes.length === 0) return;
  await q
    .insertInto('moneySpendOutcomes')
    .values(outcomes.map((o) => ({ partnershipId, spendId, framework: o.framework, outcomeCode: o.code })))
    .execute();
}

export async function updateSpend(
  q: Q,
  partnershipId: string,
  id: string,
  version: number,
  change: SpendInput & { financialYear: number; updatedAt: Date },
): Promise<boolean> {
  const { outcomes, ...line } = change;
  const result = await q
    .updateTable('moneySpendLines')
    .set({ ...line, version: sql`version + 1` })
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) return false;
  await q
    .deleteFrom('moneySpendOutcomes')
    .where('partnershipId', '=', partnershipId)
    .where('spendId', '=', id)
    .execute();
  await insertOutcomes(q, partnershipId, id, outcomes);
  return true;
}

export async function insertUpload(
  q: Q,
  row: {
    partnershipId: string;
    fileName: string;
    rowCount: number;
    uploadedBy: string | null;
    uploadedAt: Date;
    idempotencyKey: string | null;
  },
): Promise<string> {
  const { id } = await q.insertInto('moneyUploads').values(row).returning('id').executeTakeFirstOrThrow();
  return id;
}

export async function findUpload(q: Q, partnershipId: string, id: string) {
  return q
    .selectFrom('moneyUploads')
    .select(['id', 'fileName', 'rowCount', 'uploadedAt'])
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** The financial years that have budgets or spend, newest first. */
export async function yearsWithMoney(q: Q, partnershipId: string): Promise<number[]> {
  const rows = await q
    .selectFrom('moneyBudgets')
    .select('financialYear')
    .distinct()
    .where('partnershipId', '=', partnershipId)
    .orderBy('financialYear', 'desc')
    .execute();
  return rows.map((r) => r.financialYear);
}
