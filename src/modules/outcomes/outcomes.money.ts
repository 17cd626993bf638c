import { parse as parseCsv } from 'csv-parse/sync';
import type { Ctx } from '../../common/context.ts';
import { isSystem } from '../../common/context.ts';
import { isAllowed } from '../../common/permissions.ts';
import { ConflictError, NotFoundError, ValidationError, type FieldError } from '../../common/errors.ts';
import { londonDate } from '../../common/plain-dates.ts';
import { suppressRow, type Shown } from '../../common/suppression.ts';
import type { Db, Tx } from '../../db/database.ts';
import type { AccessService } from '../access/index.ts';
import type { AuditService } from '../audit/index.ts';
import { childrenServedByService, listServiceNames, type DirectoryServiceName } from '../directory/index.ts';
import { OUTCOME_FRAMEWORKS, outcomeIn, type OutcomeFramework } from '../../common/outcome-frameworks.ts';
import {
  BUDGET_KIND_LABELS,
  financialYearOf,
  formatPence,
  formatPounds,
  parseOutcomeKey,
  parsePounds,
  parseYear,
  poundsText,
  SPEND_CSV_COLUMNS,
  SPEND_CSV_REQUIRED,
  yearLabel,
  type BudgetForm,
  type PartnerForm,
  type SpendForm,
  type SpendInput,
} from './outcomes.money.schemas.ts';
import type { Cell, Table as FigureTable } from '../../web/figure-table.ts';
import type { LocalFrameworkService } from './outcomes.local-frameworks.ts';
import * as store from './outcomes.money.store.ts';

/**
 * Money for outcome accounting. A partnership administrator keeps the funding partners, their budgets
 * per financial year with each partner's contribution, and the spend lines paid from them, by hand or
 * from a CSV file. Managers, board members and analysts see spend by service and by outcome, cost per
 * child served, and the outcome account: which partner's money went to which outcome, year on year.
 *
 * Rules:
 * - an own budget has one contributor; aligned and pooled budgets have two or more;
 * - a spend line's year is its budget's; a line from an aligned budget names whose part paid (one of
 *   the budget's contributors); own and pooled lines do not;
 * - a line serves outcomes of the national frameworks or of the partnership's own (local) ones, as
 *   plan goals do; a retired local outcome is offered for no new choice, but a line that serves it
 *   keeps it;
 * - a line's money is shared equally between the outcomes it serves (to the penny, the remainder
 *   going to the first outcomes); in the outcome account, an own budget's line is its partner's, an
 *   aligned line the partner it names, and a pooled line is apportioned by the partners' shares of
 *   the budget's contributions;
 * - children served by a service in a year: distinct children with a directory referral to it
 *   accepted in the year (the directory module counts them). The counts go through small-number
 *   suppression; a cost per child resting on a suppressed count is not shown.
 *
 * Money is not personal data; the figures are audited as `aggregate.view` like the front door's, and
 * every change as `money.*` with what changed, in the change's transaction.
 */

export const STALE_EDIT =
  'Someone else changed this since you opened it: compare what they saved with your change below, then save again';
export const NO_OUTCOME = 'No outcome recorded';
const NOT_SHOWN = 'Not available';

/** How many financial years the figures pages cover, ending with the year chosen. */
export const FIGURE_YEARS = 5;

export type MoneyFigureName = 'spend-by-service' | 'spend-by-outcome' | 'cost-per-child' | 'outcome-account';
export const MONEY_FIGURES: readonly MoneyFigureName[] = [
  'spend-by-service',
  'spend-by-outcome',
  'cost-per-child',
  'outcome-account',
];

export type ChartItem = { label: string; value: number | null; text: string };
export type Chart = { title: string; description: string; items: ChartItem[] };

/**
 * Splits whole pence in proportion to weights, to the penny, with the largest remainders getting the
 * odd pennies (the first on a tie). The parts always add up to the amount.
 */
export function apportion(amount: number, weights: readonly number[]): number[] {
  const total = weights.reduce((s, w) => s + w, 0);
  if (weights.length === 0) return [];
  if (total <= 0) return weights.map((_, i) => (i === 0 ? amount : 0));
  const exact = weights.map((w) => (amount * w) / total);
  const parts = exact.map((e) => Math.floor(e));
  let left = amount - parts.reduce((s, p) => s + p, 0);
  const order = exact.map((e, i) => ({ i, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    parts[i] = (parts[i] ?? 0) + 1;
    left--;
  }
  return parts;
}

export type AccountLine = {
  financialYear: number;
  pence: number;
  budgetKind: 'own' | 'aligned' | 'pooled';
  /** For an aligned budget's line: whose part paid. */
  partnerId: string | null;
  /** The budget's contributions, for own and pooled budgets. */
  contributions: readonly { partnerId: string; pence: number }[];
  /** `framework:code` keys; empty when none was recorded. */
  outcomes: readonly string[];
};

/**
 * The outcome account: pence per partner, outcome key (or '' for none) and year. Pure, so tests can
 * check that every penny of every line lands somewhere.
 */
export function outcomeAccount(lines: readonly AccountLine[]): Map<string, Map<string, Map<number, number>>> {
  const account = new Map<string, Map<string, Map<number, number>>>();
  const add = (partnerId: string, outcome: string, year: number, pence: number) => {
    if (pence === 0) return;
    const byOutcome = account.get(partnerId) ?? new Map<string, Map<number, number>>();
    const byYear = byOutcome.get(outcome) ?? new Map<number, number>();
    byYear.set(year, (byYear.get(year) ?? 0) + pence);
    byOutcome.set(outcome, byYear);
    account.set(partnerId, byOutcome);
  };
  for (const line of lines) {
    let payers: { partnerId: string; pence: number }[];
    if (line.budgetKind === 'aligned' && line.partnerId)
      payers = [{ partnerId: line.partnerId, pence: line.pence }];
    else {
      const shares = apportion(
        line.pence,
        line.contributions.map((c) => c.pence),
      );
      payers = line.contributions.map((c, i) => ({ partnerId: c.partnerId, pence: shares[i] ?? 0 }));
    }
    const outcomes = line.outcomes.length > 0 ? line.outcomes : [''];
    for (const payer of payers) {
      const parts = apportion(
        payer.pence,
        outcomes.map(() => 1),
      );
      outcomes.forEach((o, i) => add(payer.partnerId, o, line.financialYear, parts[i] ?? 0));
    }
  }
  return account;
}

const whole = new Intl.NumberFormat('en-GB');

function moneyCell(pence: number): Cell {
  return { text: formatPounds(pence), value: poundsText(pence) };
}
function changeCell(pence: number | null): Cell {
  if (pence === null) return { text: 'No spend the year before', value: '' };
  const sign = pence > 0 ? '+' : pence < 0 ? '−' : '';
  return { text: `${sign}${formatPounds(Math.abs(pence))}`, value: poundsText(pence) };
}
function textCell(text: string): Cell {
  return { text, value: text };
}
function countCell(shown: Shown | undefined): Cell {
  if (!shown) return { text: '0', value: 0 };
  return shown.kind === 'count'
    ? { text: whole.format(shown.value), value: shown.value }
    : { text: shown.display, value: shown.display };
}

/** An outcome key's words and its framework's name, from `frameworks` (national and the partnership's own). */
function outcomeLabel(key: string, frameworks: readonly OutcomeFramework[]): string {
  if (key === '') return NO_OUTCOME;
  const [framework, code] = key.split(':');
  const o = outcomeIn(frameworks, framework ?? '', code ?? '');
  return o ? `${o.label} (${o.frameworkName})` : key;
}

/**
 * The outcomes a line can serve, grouped by framework, for the form's checkboxes: the national
 * frameworks, then the partnership's own without their retired outcomes, except those in `keep`
 * (the line's own, which it may keep). A framework with nothing to offer is left out.
 */
function outcomeChoices(frameworks: readonly OutcomeFramework[], keep: readonly string[] = []) {
  return frameworks
    .map((f) => ({
      id: f.id,
      name: f.name,
      outcomes: f.outcomes
        .filter((o) => !o.retired || keep.includes(`${f.id}:${o.code}`))
        .map((o) => ({
          key: `${f.id}:${o.code}`,
          label: o.retired ? `${o.label} (no longer offered)` : o.label,
        })),
    }))
    .filter((f) => f.outcomes.length > 0);
}

/**
 * Why a line may not serve `o`, or null if it may: it must be an outcome of `frameworks` (another
 * partnership's framework is unknown here, and answers `unknown`), and not retired unless the line
 * already served it (`kept`).
 */
function outcomeProblem(
  frameworks: readonly OutcomeFramework[],
  o: { framework: string; code: string },
  kept: boolean,
  unknown: string,
): string | null {
  const found = outcomeIn(frameworks, o.framework, o.code);
  if (!found) return unknown;
  if (found.retired && !kept)
    return `${found.label} (${found.frameworkName}) is no longer offered: choose another outcome`;
  return null;
}

function fieldErrors(errors: FieldError[]): never {
  throw new ValidationError(errors);
}

export class MoneyService {
  /** `readDb`: where figures are read, a read replica when there is one. */
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly access: AccessService,
    private readonly localFrameworks: Pick<LocalFrameworkService, 'forGoals'>,
    private readonly readDb: Db = db,
  ) {}

  private actorId(ctx: Ctx): string | null {
    return isSystem(ctx.actor) ? null : ctx.actor.userId;
  }

  /** The frameworks a line's outcomes come from: the national ones, then the partnership's own (one query). */
  private async frameworks(q: Db | Tx, partnershipId: string): Promise<OutcomeFramework[]> {
    return [...OUTCOME_FRAMEWORKS, ...(await this.localFrameworks.forGoals(q, partnershipId))];
  }

  /** What the person may use here; someone who may neither record nor see figures is refused (audited). */
  async entry(ctx: Ctx): Promise<{ canRecord: boolean; canView: boolean }> {
    const canRecord = isAllowed(ctx, 'money.record');
    const canView = isAllowed(ctx, 'aggregates.view');
    if (!canRecord && !canView) await this.access.require(ctx, 'aggregates.view', 'money.view');
    return { canRecord, canView };
  }

  // --- Funding partners --------------------------------------------------------------------------

  async listPartners(ctx: Ctx) {
    const partnershipId = await this.access.require(ctx, 'money.record', 'money.partner.list');
    return store.listPartners(this.db, partnershipId);
  }

  async getPartner(ctx: Ctx, id: string) {
    const partnershipId = await this.access.require(ctx, 'money.record', 'money.partner.view');
    const partner = await store.findPartner(this.db, partnershipId, id);
    if (!partner) throw new NotFoundError('That funding partner');
    return partner;
  }

  async createPartner(ctx: Ctx, input: PartnerForm): Promise<{ id: string; repeated: boolean }> {
    const partnershipId = await this.access.require(ctx, 'money.record', 'money.partner.create');
    return this.db.transaction().execute(async (tx) => {
      if (input.submissionId) {
        const earlier = await store.madeBy(tx, 'moneyPartners', partnershipId, input.submissionId);
        if (earlier) return { id: earlier, repeated: true };
      }
      if (await store.partnerNamed(tx, partnershipId, input.name))
        fieldErrors([{ field: 'name', message: 'There is already a funding partner with this name' }]);
      const id = await store.insertPartner(tx, {
        partnershipId,
        name: input.name,
        sector: input.sector,
        createdBy: this.actorId(ctx),
        createdAt: ctx.now,
        idempotencyKey: input.submissionId ?? null,
      });
      await this.audit.record(tx, ctx, {
        action: 'money.partner.create',
        subjectType: 'money_partner',
        subjectId: id,
        detail: { name: input.name, sector: input.sector },
      });
      return { id, repeated: false };
    });
  }

  async updatePartner(ctx: Ctx, id: string, input: PartnerForm): Promise<void> {
    const partnershipId = await this.access.require(ctx, 'money.record', 'money.partner.update');
    if (input.version === undefined)
      fieldErrors([{ field: 'form', message: 'The form is out of date: open it again' }]);
    await this.db.transaction().execute(async (tx) => {
      const before = await store.findPartner(tx, partnershipId, id);
      if (!before) throw new NotFoundError('That funding partner');
      if (await store.partnerNamed(tx, partnershipId, input.name, id))
        fieldErrors([{ field: 'name', message: 'There is already a funding partner with this name' }]);
      const change = { name: input.name, sector: input.sector, active: input.active };
      if (!(await store.updatePartner(tx, partnershipId, id, input.version!, change)))
        throw new ConflictError(STALE_EDIT);
      await this.audit.record(tx, ctx, {
        action: 'money.partner.update',
        subjectType: 'money_partner',
        subjectId: id,
        detail: {
          before: { name: before.name, sector: before.sector, active: before.active },
          after: change,
        },
      });
    });
  }

  // --- Budgets -----------------------------------------------------------------------------------

  async listBudgets(ctx: Ctx, year?: number) {
    const partnershipId = await this.access.require(ctx, 'money.record', 'money.budget.list');
    const [budgets, years] = await Promise.all([
      store.listBudgets(this.db, partnershipId, year === undefined ? {} : { year }),
      store.yearsWithMoney(this.db, partnershipId),
    ]);
    return { budgets, years };
  }

  async getBudget(ctx: Ctx, id: string) {
    const partnershipId = await this.access.require(ctx, 'money.record', 'money.budget.view');
    const [budget] = await store.listBudgets(this.db, partnershipId, { id });
    if (!budget) throw new NotFoundError('That budget');
    return budget;
  }

  private async checkBudget(tx: Tx, partnershipId: string, input: BudgetForm, exceptId?: string) {
    const errors: FieldError[] = [];
    const partners = await store.listPartners(tx, partnershipId);
    for (const c of input.contributions) {
      if (!partners.some((p) => p.id === c.partnerId))
        errors.push({ field: `contribution-${c.partnerId}`, message: 'That funding partner does not exist' });
    }
    const n = input.contributions.length;
    if (input.kind === 'own' && n !== 1)
      errors.push({
        field: 'contributions',
        message: 'An own budget has one partner: enter the amount for that partner only',
      });
    if (input.kind !== 'own' && n < 2)
      errors.push({
        field: 'contributions',
        message: `${input.kind === 'aligned' ? 'An aligned' : 'A pooled'} budget has two or more partners: enter each partner’s contribution`,
      });
    if (await store.budgetNamed(tx, partnershipId, input.financialYear, input.name, exceptId))
      errors.push({
        field: 'name',
        message: `There is already a budget with this name in ${yearLabel(input.financialYear)}`,
      });
    if (errors.length > 0) fieldErrors(errors);
  }

  async createBudget(ctx: Ctx, input: BudgetForm): Promise<{ id: string; repeated: boolean }> {
    const partnershipId = await this.access.require(ctx, 'money.record', 'money.budget.create');
    return this.db.transaction().execute(async (tx) => {
      if (input.submissionId) {
        const earlier = await store.madeBy(tx, 'moneyBudgets', partnershipId, input.submissionId);
        if (earlier) return { id: earlier, repeated: true };
      }
      await this.checkBudget(tx, partnershipId, input);
      const id = await store.insertBudget(tx, {
        partnershipId,
        name: input.name,
        financialYear: input.financialYear,
        kind: input.kind,
        description: input.description,
        createdBy: this.actorId(ctx),
        createdAt: ctx.now,
        idempotencyKey: input.submissionId ?? null,
      });
      await store.replaceContributions(tx, partnershipId, id, input.contributions);
      await this.audit.record(tx, ctx, {
        action: 'money.budget.create',
        subjectType: 'money_budget',
        subjectId: id,
        detail: {
          name: input.name,
          financialYear: input.financialYear,
          kind: input.kind,
          contributions: input.contributions,
        },
      });
      return { id, repeated: false };
    });
  }

  async updateBudget(ctx: Ctx, id: string, input: BudgetForm): Promise<void> {
    const partnershipId = await this.access.require(ctx, 'money.record', 'money.budget.update');
    if (input.version === undefined)
      fieldErrors([{ field: 'form', message: 'The form is out of date: open it again' }]);
    await this.db.transaction().execute(async (tx) => {
      const [before] = await store.listBudgets(tx, partnershipId, { id });
      if (!before) throw new NotFoundError('That budget');
      await this.checkBudget(tx, partnershipId, input, id);
      // Spend already recorded must still fit: its year, and (aligned) the partner that paid.
      const errors: FieldError[] = [];
      const paid = await store.spendByPartnerOfBudget(tx, partnershipId, id);
      const hasSpend = paid.length > 0;
      if (hasSpend && input.financialYear !== before.financialYear)
        errors.push({
          field: 'financialYear',
          message: 'Spend has been recorded from this budget: its financial year cannot change',
        });
      if (hasSpend && input.kind !== before.kind && (input.kind === 'aligned' || before.kind === 'aligned'))
        errors.push({
          field: 'kind',
          message: 'Spend has been recorded from this budget: it cannot become or stop being aligned',
        });
      for (const p of paid) {
        if (p.partnerId && !input.contributions.some((c) => c.partnerId === p.partnerId))
          errors.push({
            field: `contribution-${p.partnerId}`,
            message: 'Spend was paid from this partner’s part: enter its contribution',
          });
      }
      if (errors.length > 0) fieldErrors(errors);
      const change = {
        name: input.name,
        financialYear: input.financialYear,
        kind: input.kind,
        description: input.description,
      };
      if (!(await store.updateBudget(tx, partnershipId, id, input.version!, change)))
        throw new ConflictError(STALE_EDIT);
      await store.replaceContributions(tx, partnershipId, id, input.contributions);
      await this.audit.record(tx, ctx, {
        action: 'money.budget.update',
        subjectType: 'money_budget',
        subjectId: id,
        detail: {
          before: {
            name: before.name,
            financialYear: before.financialYear,
            kind: before.kind,
            contributions: before.contributions.map((c) => ({ partnerId: c.partnerId, pence: c.pence })),
          },
          after: { ...change, contributions: input.contributions },
        },
      });
    });
  }

  // --- Spend -------------------------------------------------------------------------------------

  /**
   * What the spend form offers: budgets (with their contributors), services, outcomes. `keep`: the
   * outcomes the line being changed serves, offered even if retired.
   */
  async spendChoices(ctx: Ctx, keep: readonly string[] = []) {
    const partnershipId = await this.access.require(ctx, 'money.record', 'money.spend.form');
    const [budgets, services, frameworks] = await Promise.all([
      store.listBudgets(this.db, partnershipId),
      listServiceNames(this.db, partnershipId),
      this.frameworks(this.db, partnershipId),
    ]);
    return { budgets, services, outcomes: outcomeChoices(frameworks, keep) };
  }

  /** The outcomes a spend file may name, for the upload page's help. */
  async spendOutcomes(ctx: Ctx) {
    const partnershipId = await this.access.require(ctx, 'money.record', 'money.spend.upload');
    return outcomeChoices(await this.frameworks(this.db, partnershipId));
  }

  async listSpend(ctx: Ctx, year?: number) {
    const partnershipId = await this.access.require(ctx, 'money.record', 'money.spend.list');
    const years = await store.yearsWithMoney(this.db, partnershipId);
    const shown = year ?? years[0] ?? financialYearOf(londonDate(ctx.now));
    const [lines, services, frameworks] = await Promise.all([
      store.listSpend(this.db, partnershipId, { year: shown }),
      listServiceNames(this.db, partnershipId),
      this.frameworks(this.db, partnershipId),
    ]);
    const serviceName = new Map(services.map((s) => [s.id, s.name]));
    return {
      year: shown,
      years,
      lines: lines.map((l) => ({
        ...l,
        serviceName: serviceName.get(l.serviceId) ?? 'Unknown service',
        outcomeLabels: l.outcomes.map((o) => outcomeLabel(`${o.framework}:${o.code}`, frameworks)),
      })),
      totalPence: lines.reduce((s, l) => s + l.pence, 0),
    };
  }

  async getSpend(ctx: Ctx, id: string) {
    const partnershipId = await this.access.require(ctx, 'money.record', 'money.spend.view');
    const [line] = await store.listSpend(this.db, partnershipId, { id });
    if (!line) throw new NotFoundError('That spend line');
    return line;
  }

  /**
   * Checks a spend line against the budgets, partners, services and outcomes; answers its year.
   * `before`: the line as it was, whose outcomes it may keep even if retired since.
   */
  private checkSpend(
    input: SpendInput,
    { budgets, services, frameworks }: KnownForSpend,
    field: (name: string) => string = (name) => name,
    before?: store.SpendRow,
  ): { errors: FieldError[]; financialYear: number } {
    const errors: FieldError[] = [];
    const budget = budgets.find((b) => b.id === input.budgetId);
    if (!budget) errors.push({ field: field('budgetId'), message: 'Choose a budget that exists' });
    if (!services.some((s) => s.id === input.serviceId))
      errors.push({ field: field('serviceId'), message: 'Choose a service from the directory' });
    if (budget?.kind === 'aligned') {
      if (!input.partnerId)
        errors.push({
          field: field('partnerId'),
          message: 'This budget is aligned: choose whose part of it paid',
        });
      else if (!budget.contributions.some((c) => c.partnerId === input.partnerId))
        errors.push({
          field: field('partnerId'),
          message: `Choose a partner that contributes to ${budget.name}`,
        });
    } else if (budget && input.partnerId) {
      errors.push({
        field: field('partnerId'),
        message: `Leave the partner empty: ${budget.name} is ${budget.kind === 'own' ? 'an own' : 'a pooled'} budget`,
      });
    }
    for (const o of input.outcomes) {
      const kept = before?.outcomes.some((b) => b.framework === o.framework && b.code === o.code) ?? false;
      const message = outcomeProblem(
        frameworks,
        o,
        kept,
        `${o.framework}:${o.code} is not an outcome of your partnership’s frameworks`,
      );
      if (message) errors.push({ field: field('outcomes'), message });
    }
    return { errors, financialYear: budget?.financialYear ?? 0 };
  }

  /** What a spend line is checked against, read in the change's transaction. */
  private async knownForSpend(tx: Tx, partnershipId: string): Promise<KnownForSpend> {
    const [budgets, services, frameworks] = await Promise.all([
      store.listBudgets(tx, partnershipId),
      listServiceNames(tx, partnershipId),
      this.frameworks(tx, partnershipId),
    ]);
    return { budgets, services, frameworks };
  }

  private static fromForm(form: SpendForm): SpendInput {
    return {
      budgetId: form.budgetId,
      partnerId: form.partnerId,
      serviceId: form.serviceId,
      quarter: form.quarter,
      amountPence: form.amount,
      // The schema let through only keys written as framework:code.
      outcomes: form.outcomes.map((key) => parseOutcomeKey(key)!),
      description: form.description,
    };
  }

  async createSpend(ctx: Ctx, form: SpendForm): Promise<{ id: string; repeated: boolean }> {
    const partnershipId = await this.access.require(ctx, 'money.record', 'money.spend.create');
    const input = MoneyService.fromForm(form);
    return this.db.transaction().execute(async (tx) => {
      if (form.submissionId) {
        const earlier = await store.madeBy(tx, 'moneySpendLines', partnershipId, form.submissionId);
        if (earlier) return { id: earlier, repeated: true };
      }
      const { errors, financialYear } = this.checkSpend(input, await this.knownForSpend(tx, partnershipId));
      if (errors.length > 0) fieldErrors(errors);
      const id = await store.insertSpend(tx, {
        ...input,
        partnershipId,
        financialYear,
        uploadId: null,
        createdBy: this.actorId(ctx),
        createdAt: ctx.now,
        idempotencyKey: form.submissionId ?? null,
      });
      await this.audit.record(tx, ctx, {
        action: 'money.spend.create',
        subjectType: 'money_spend',
        subjectId: id,
        detail: { ...input, financialYear },
      });
      return { id, repeated: false };
    });
  }

  async updateSpend(ctx: Ctx, id: string, form: SpendForm): Promise<void> {
    const partnershipId = await this.access.require(ctx, 'money.record', 'money.spend.update');
    if (form.version === undefined)
      fieldErrors([{ field: 'form', message: 'The form is out of date: open it again' }]);
    const input = MoneyService.fromForm(form);
    await this.db.transaction().execute(async (tx) => {
      const [before] = await store.listSpend(tx, partnershipId, { id });
      if (!before) throw new NotFoundError('That spend line');
      const { errors, financialYear } = this.checkSpend(
        input,
        await this.knownForSpend(tx, partnershipId),
        undefined,
        before,
      );
      if (errors.length > 0) fieldErrors(errors);
      if (
        !(await store.updateSpend(tx, partnershipId, id, form.version!, {
          ...input,
          financialYear,
          updatedAt: ctx.now,
        }))
      )
        throw new ConflictError(STALE_EDIT);
      await this.audit.record(tx, ctx, {
        action: 'money.spend.update',
        subjectType: 'money_spend',
        subjectId: id,
        detail: {
          before: {
            budgetId: before.budgetId,
            partnerId: before.partnerId,
            serviceId: before.serviceId,
            quarter: before.quarter,
            amountPence: before.pence,
            outcomes: before.outcomes,
            description: before.description,
          },
          after: { ...input, financialYear },
        },
      });
    });
  }

  /**
   * Spend lines from a CSV file with a header row (SPEND_CSV_COLUMNS, any order). Every row is
   * checked first; if any is wrong nothing is written, and the errors name the row (the line of the
   * file, the header being line 1), the column and what is wrong. The same submission twice makes
   * one upload.
   */
  async uploadSpend(
    ctx: Ctx,
    file: { name: string; content: string },
    submissionId: string,
  ): Promise<{ id: string; rows: number; repeated: boolean }> {
    const partnershipId = await this.access.require(ctx, 'money.record', 'money.spend.upload');
    return this.db.transaction().execute(async (tx) => {
      const earlier = await store.madeBy(tx, 'moneyUploads', partnershipId, submissionId);
      if (earlier) {
        const upload = await store.findUpload(tx, partnershipId, earlier);
        return { id: earlier, rows: upload?.rowCount ?? 0, repeated: true };
      }
      const known = await this.knownForSpend(tx, partnershipId);
      const partners = await store.listPartners(tx, partnershipId);
      const { rows, errors } = readSpendCsv(file.content, { ...known, partners }, (input, line) =>
        this.checkSpend(input, known, (name) => `row ${line}, ${CSV_COLUMN_OF[name] ?? name}`),
      );
      if (errors.length > 0) throw new ValidationError(errors.map((e) => ({ field: 'file', message: e })));
      const uploadId = await store.insertUpload(tx, {
        partnershipId,
        fileName: file.name.slice(0, 300),
        rowCount: rows.length,
        uploadedBy: this.actorId(ctx),
        uploadedAt: ctx.now,
        idempotencyKey: submissionId,
      });
      for (const row of rows) {
        await store.insertSpend(tx, {
          ...row.input,
          partnershipId,
          financialYear: row.financialYear,
          uploadId,
          createdBy: this.actorId(ctx),
          createdAt: ctx.now,
          idempotencyKey: null,
        });
      }
      await this.audit.record(tx, ctx, {
        action: 'money.spend.upload',
        subjectType: 'money_upload',
        subjectId: uploadId,
        detail: {
          fileName: file.name,
          rows: rows.length,
          totalPence: rows.reduce((s, r) => s + r.input.amountPence, 0),
        },
      });
      return { id: uploadId, rows: rows.length, repeated: false };
    });
  }

  // --- Figures -----------------------------------------------------------------------------------

  /**
   * The figures for FIGURE_YEARS financial years ending with `year` (default: the latest with a
   * budget). Audited as one `aggregate.view` event before anything is read, naming the download.
   */
  async figures(
    ctx: Ctx,
    figure: MoneyFigureName,
    year: number | undefined,
    options: { download?: boolean } = {},
  ) {
    const partnershipId = await this.access.require(ctx, 'aggregates.view', 'money.figures');
    const years = await store.yearsWithMoney(this.readDb, partnershipId);
    const to = year ?? years[0] ?? financialYearOf(londonDate(ctx.now));
    const from = to - FIGURE_YEARS + 1;
    await this.audit.recordAlone(ctx, {
      action: 'aggregate.view',
      detail: { table: `money-${figure}`, ...(options.download ? { download: figure } : {}), from, to },
    });
    return this.readDb
      .transaction()
      .setAccessMode('read only')
      .execute(async (tx) => {
        const lines = await store.listSpend(tx, partnershipId, { fromYear: from, toYear: to });
        const services = await listServiceNames(tx, partnershipId);
        const span = Array.from({ length: FIGURE_YEARS }, (_, i) => from + i);
        const base = {
          figure,
          year: to,
          years: span,
          choices: years.length > 0 ? years : [to],
          // The year we are in is not over: its figures are the spend recorded so far.
          partYear: to === financialYearOf(londonDate(ctx.now)),
        };
        switch (figure) {
          case 'spend-by-service':
            return { ...base, ...spendByService(lines, services, span) };
          case 'spend-by-outcome':
            return { ...base, ...spendByOutcome(lines, span, await this.frameworks(tx, partnershipId)) };
          case 'cost-per-child': {
            const served = await childrenServedByService(tx, partnershipId, to, to);
            return { ...base, ...costPerChild(lines, services, served, to) };
          }
          case 'outcome-account': {
            const budgets = await store.listBudgets(tx, partnershipId, { fromYear: from, toYear: to });
            const partners = await store.listPartners(tx, partnershipId);
            const frameworks = await this.frameworks(tx, partnershipId);
            return { ...base, ...outcomeAccountFigures(lines, budgets, partners, to, frameworks) };
          }
        }
      });
  }
}

// --- CSV ----------------------------------------------------------------------------------------

const CSV_COLUMN_OF: Record<string, string> = {
  budgetId: 'column budget',
  partnerId: 'column partner',
  serviceId: 'column service',
  outcomes: 'column outcomes',
};

/** What a spend line is checked against: the partnership's budgets, services and outcome frameworks. */
type KnownForSpend = {
  budgets: readonly store.BudgetRow[];
  services: readonly DirectoryServiceName[];
  frameworks: readonly OutcomeFramework[];
};

type CsvContext = KnownForSpend & { partners: readonly store.PartnerRow[] };

/** Reads a spend file: rows ready to write, or the errors as "Row N, column C: what is wrong". */
export function readSpendCsv(
  content: string,
  known: CsvContext,
  check: (input: SpendInput, line: number) => { errors: FieldError[] },
): { rows: { input: SpendInput; financialYear: number }[]; errors: string[] } {
  let records: string[][];
  try {
    records = parseCsv(content.replace(/^\uFEFF/, ''), {
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
    });
  } catch (error) {
    return { rows: [], errors: [`The file is not a CSV file we can read: ${(error as Error).message}`] };
  }
  const [header, ...body] = records;
  if (!header)
    return { rows: [], errors: ['The file is empty: it needs a header row and one row per spend line'] };
  const names = header.map((h) => h.toLowerCase().replaceAll(' ', '_'));
  const errors: string[] = [];
  const unknown = names.filter((n) => !(SPEND_CSV_COLUMNS as readonly string[]).includes(n));
  if (unknown.length > 0)
    errors.push(
      `Row 1 (the header): unknown column ${unknown.map((u) => `“${u}”`).join(', ')}; the columns are ${SPEND_CSV_COLUMNS.join(', ')}`,
    );
  const missing = SPEND_CSV_REQUIRED.filter((n) => !names.includes(n));
  if (missing.length > 0)
    errors.push(
      `Row 1 (the header): the file needs the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
    );
  if (errors.length > 0) return { rows: [], errors };
  if (body.length === 0) return { rows: [], errors: ['The file has a header row but no spend lines'] };
  if (body.length > 5000)
    return { rows: [], errors: ['The file has more than 5,000 rows: split it into smaller files'] };

  const rows: { input: SpendInput; financialYear: number }[] = [];
  body.forEach((record, index) => {
    const line = index + 2;
    const cell = (name: string) => {
      const at = names.indexOf(name);
      return at < 0 ? '' : (record[at] ?? '').trim();
    };
    const problem = (column: string, message: string) =>
      errors.push(`Row ${line}, column ${column}: ${message}`);
    const yearText = cell('financial_year');
    const year = parseYear(yearText);
    if (year === null)
      problem(
        'financial_year',
        yearText
          ? `“${yearText}” is not a financial year; write it as 2025-26`
          : 'enter the financial year, for example 2025-26',
      );
    const budgetText = cell('budget');
    const budget = budgetText
      ? known.budgets.find(
          (b) =>
            (b.id === budgetText.toLowerCase() || b.name.toLowerCase() === budgetText.toLowerCase()) &&
            (year === null || b.financialYear === year),
        )
      : undefined;
    if (!budgetText) problem('budget', 'enter the name of the budget the money came from');
    else if (!budget && year !== null)
      problem('budget', `there is no budget called “${budgetText}” in ${yearLabel(year)}`);
    const partnerText = cell('partner');
    const partner = partnerText
      ? known.partners.find(
          (p) => p.id === partnerText.toLowerCase() || p.name.toLowerCase() === partnerText.toLowerCase(),
        )
      : undefined;
    if (partnerText && !partner) problem('partner', `there is no funding partner called “${partnerText}”`);
    const serviceText = cell('service');
    const matches = serviceText
      ? known.services.filter(
          (s) => s.id === serviceText.toLowerCase() || s.name.toLowerCase() === serviceText.toLowerCase(),
        )
      : [];
    if (!serviceText) problem('service', 'enter the directory service the money paid for');
    else if (matches.length === 0)
      problem('service', `there is no service called “${serviceText}” in the directory`);
    else if (matches.length > 1)
      problem('service', `more than one service is called “${serviceText}”: use the service’s id`);
    const quarterText = cell('quarter').toUpperCase().replace(/^Q/, '');
    let quarter: number | null = null;
    if (quarterText !== '') {
      if (/^[1-4]$/.test(quarterText)) quarter = Number(quarterText);
      else
        problem(
          'quarter',
          `“${cell('quarter')}” is not a quarter; use 1 to 4 (Q1 is April to June), or leave it empty for the whole year`,
        );
    }
    const amount = parsePounds(cell('amount'));
    if ('error' in amount) problem('amount', amount.error.replace(/^Enter/, 'enter'));
    const outcomes: { framework: string; code: string }[] = [];
    for (const key of cell('outcomes')
      .split(/[;|]/)
      .map((s) => s.trim())
      .filter(Boolean)) {
      const unknown = `“${key}” is not an outcome; write framework:code, for example england:stay_safe`;
      const outcome = parseOutcomeKey(key);
      const wrong = outcome ? outcomeProblem(known.frameworks, outcome, false, unknown) : unknown;
      if (wrong) problem('outcomes', wrong);
      else if (!outcomes.some((o) => o.framework === outcome!.framework && o.code === outcome!.code))
        outcomes.push(outcome!);
    }
    const description = cell('description');
    if (description.length > 500) problem('description', 'write 500 characters or fewer');
    if (!budget || matches.length !== 1 || 'error' in amount || (partnerText && !partner)) return;
    const input: SpendInput = {
      budgetId: budget.id,
      partnerId: partner?.id ?? null,
      serviceId: matches[0]!.id,
      quarter,
      amountPence: amount.pence,
      outcomes,
      description,
    };
    const checked = check(input, line);
    for (const e of checked.errors) errors.push(`${e.field.replace(/^row/, 'Row')}: ${e.message}`);
    if (checked.errors.length === 0) rows.push({ input, financialYear: budget.financialYear });
  });
  return { rows: errors.length > 0 ? [] : rows, errors };
}

// --- Figure builders (pure) ---------------------------------------------------------------------

type Line = store.SpendRow;

function sumBy<K>(lines: readonly Line[], key: (l: Line) => K): Map<K, number> {
  const sums = new Map<K, number>();
  for (const l of lines) sums.set(key(l), (sums.get(key(l)) ?? 0) + l.pence);
  return sums;
}

export function spendByService(
  lines: readonly Line[],
  services: readonly DirectoryServiceName[],
  years: readonly number[],
) {
  const to = years[years.length - 1]!;
  const sums = sumBy(lines, (l) => `${l.serviceId}|${l.financialYear}`);
  const used = [...new Set(lines.map((l) => l.serviceId))];
  const name = new Map(services.map((s) => [s.id, s.name]));
  const rows = used
    .map((id) => ({
      id,
      name: name.get(id) ?? 'Unknown service',
      byYear: years.map((y) => sums.get(`${id}|${y}`) ?? 0),
    }))
    .sort((a, b) => (b.byYear.at(-1) ?? 0) - (a.byYear.at(-1) ?? 0) || a.name.localeCompare(b.name));
  const totals = years.map((_, i) => rows.reduce((s, r) => s + (r.byYear[i] ?? 0), 0));
  const table: FigureTable = {
    caption: `Spend by service, ${yearLabel(years[0]!)} to ${yearLabel(to)}`,
    head: [{ text: 'Service', numeric: false }, ...years.map((y) => ({ text: yearLabel(y), numeric: true }))],
    rows: [
      ...rows.map((r) => [textCell(r.name), ...r.byYear.map(moneyCell)]),
      [textCell('All services'), ...totals.map(moneyCell)],
    ],
  };
  const items = rows
    .filter((r) => (r.byYear.at(-1) ?? 0) > 0)
    .map((r) => ({
      label: r.name,
      value: Math.round((r.byYear.at(-1) ?? 0) / 100),
      text: formatPounds(r.byYear.at(-1) ?? 0),
    }));
  const chart: Chart = {
    title: `Spend by service in ${yearLabel(to)}`,
    description: `Bar chart of the spend on each service in ${yearLabel(to)}, largest first, in pounds. The table below gives the figures for each year.`,
    items,
  };
  return { tables: { main: table }, charts: { main: chart }, totalPence: totals.at(-1) ?? 0 };
}

/** Each line's money shared equally between its outcomes, to the penny. */
function byOutcome(lines: readonly Line[]): Map<string, number> {
  const sums = new Map<string, number>();
  for (const l of lines) {
    const keys = l.outcomes.length > 0 ? l.outcomes.map((o) => `${o.framework}:${o.code}`) : [''];
    const parts = apportion(
      l.pence,
      keys.map(() => 1),
    );
    keys.forEach((k, i) =>
      sums.set(`${k}|${l.financialYear}`, (sums.get(`${k}|${l.financialYear}`) ?? 0) + (parts[i] ?? 0)),
    );
  }
  return sums;
}

export function spendByOutcome(
  lines: readonly Line[],
  years: readonly number[],
  frameworks: readonly OutcomeFramework[],
) {
  const to = years[years.length - 1]!;
  const sums = byOutcome(lines);
  const keys = [...new Set([...sums.keys()].map((k) => k.slice(0, k.lastIndexOf('|'))))];
  const rows = keys
    .map((key) => ({
      key,
      label: outcomeLabel(key, frameworks),
      byYear: years.map((y) => sums.get(`${key}|${y}`) ?? 0),
    }))
    .sort(
      (a, b) =>
        (a.key === '' ? 1 : b.key === '' ? -1 : 0) ||
        (b.byYear.at(-1) ?? 0) - (a.byYear.at(-1) ?? 0) ||
        a.label.localeCompare(b.label),
    );
  const totals = years.map((_, i) => rows.reduce((s, r) => s + (r.byYear[i] ?? 0), 0));
  const table: FigureTable = {
    caption: `Spend by outcome, ${yearLabel(years[0]!)} to ${yearLabel(to)}`,
    head: [{ text: 'Outcome', numeric: false }, ...years.map((y) => ({ text: yearLabel(y), numeric: true }))],
    rows: [
      ...rows.map((r) => [textCell(r.label), ...r.byYear.map(moneyCell)]),
      [textCell('All outcomes'), ...totals.map(moneyCell)],
    ],
  };
  const chart: Chart = {
    title: `Spend by outcome in ${yearLabel(to)}`,
    description: `Bar chart of the spend towards each outcome in ${yearLabel(to)}, in pounds; a line serving several outcomes is shared equally between them. The table below gives the figures for each year.`,
    items: rows
      .filter((r) => (r.byYear.at(-1) ?? 0) > 0)
      .map((r) => ({
        label: r.label,
        value: Math.round((r.byYear.at(-1) ?? 0) / 100),
        text: formatPounds(r.byYear.at(-1) ?? 0),
      })),
  };
  return { tables: { main: table }, charts: { main: chart }, totalPence: totals.at(-1) ?? 0 };
}

export function costPerChild(
  lines: readonly Line[],
  services: readonly DirectoryServiceName[],
  served: readonly { serviceId: string; financialYear: number; children: number }[],
  year: number,
) {
  const spend = sumBy(
    lines.filter((l) => l.financialYear === year),
    (l) => l.serviceId,
  );
  const name = new Map(services.map((s) => [s.id, s.name]));
  const ids = [...spend.keys()].sort((a, b) => (name.get(a) ?? '').localeCompare(name.get(b) ?? ''));
  const counts = ids.map(
    (id) => served.find((s) => s.serviceId === id && s.financialYear === year)?.children ?? 0,
  );
  // Children can use several services, so no total is published: primary suppression only.
  const shown = suppressRow(counts, { total: 'hidden' }).cells;
  const rows = ids.map((id, i) => {
    const s = shown[i];
    const pence = spend.get(id) ?? 0;
    const cost = s?.kind === 'count' && s.value > 0 ? Math.round(pence / s.value) : null;
    return { name: name.get(id) ?? 'Unknown service', pence, children: s, cost };
  });
  const table: FigureTable = {
    caption: `Cost per child served, ${yearLabel(year)}`,
    head: [
      { text: 'Service', numeric: false },
      { text: 'Spend', numeric: true },
      { text: 'Children served', numeric: true },
      { text: 'Cost per child', numeric: true },
    ],
    rows: rows.map((r) => [
      textCell(r.name),
      moneyCell(r.pence),
      countCell(r.children),
      r.cost === null
        ? {
            text: r.children?.kind === 'count' && r.children.value === 0 ? 'No children served' : NOT_SHOWN,
            value: '',
          }
        : moneyCell(r.cost),
    ]),
  };
  const chart: Chart = {
    title: `Cost per child served in ${yearLabel(year)}`,
    description: `Bar chart of the spend on each service in ${yearLabel(year)} divided by the children it served, in pounds. Services whose count of children is too small to publish have no bar.`,
    items: rows.map((r) => ({
      label: r.name,
      value: r.cost === null ? null : Math.round(r.cost / 100),
      text: r.cost === null ? NOT_SHOWN : formatPounds(r.cost),
    })),
  };
  return { tables: { main: table }, charts: { main: chart } };
}

export function outcomeAccountFigures(
  lines: readonly Line[],
  budgets: readonly store.BudgetRow[],
  partners: readonly store.PartnerRow[],
  year: number,
  frameworks: readonly OutcomeFramework[],
) {
  const contributions = new Map(budgets.map((b) => [b.id, b.contributions]));
  const account = outcomeAccount(
    lines.map((l) => ({
      financialYear: l.financialYear,
      pence: l.pence,
      budgetKind: l.budgetKind,
      partnerId: l.partnerId,
      contributions: contributions.get(l.budgetId) ?? [],
      outcomes: l.outcomes.map((o) => `${o.framework}:${o.code}`),
    })),
  );
  const sections = partners
    .filter((p) => account.has(p.id))
    .map((p) => {
      const byOutcome = account.get(p.id)!;
      const rows = [...byOutcome.entries()]
        .map(([key, byYear]) => {
          const now = byYear.get(year) ?? 0;
          const before = byYear.has(year - 1) ? byYear.get(year - 1)! : null;
          return { key, label: outcomeLabel(key, frameworks), now, before };
        })
        .filter((r) => r.now > 0 || (r.before ?? 0) > 0)
        .sort(
          (a, b) =>
            (a.key === '' ? 1 : b.key === '' ? -1 : 0) || b.now - a.now || a.label.localeCompare(b.label),
        );
      const total = rows.reduce((s, r) => s + r.now, 0);
      const totalBefore = rows.some((r) => r.before !== null)
        ? rows.reduce((s, r) => s + (r.before ?? 0), 0)
        : null;
      const table: FigureTable = {
        caption: `${p.name}: spend by outcome, ${yearLabel(year)} and the year before`,
        head: [
          { text: 'Outcome', numeric: false },
          { text: yearLabel(year - 1), numeric: true },
          { text: yearLabel(year), numeric: true },
          { text: 'Change', numeric: true },
        ],
        rows: [
          ...rows.map((r) => [
            textCell(r.label),
            r.before === null ? { text: '£0', value: poundsText(0) } : moneyCell(r.before),
            moneyCell(r.now),
            changeCell(r.before === null ? (r.now > 0 ? null : 0) : r.now - r.before),
          ]),
          [
            textCell('All outcomes'),
            moneyCell(totalBefore ?? 0),
            moneyCell(total),
            changeCell(totalBefore === null ? null : total - totalBefore),
          ],
        ],
      };
      const chart: Chart = {
        title: `${p.name}: spend by outcome in ${yearLabel(year)}`,
        description: `Bar chart of the money from ${p.name} spent towards each outcome in ${yearLabel(year)}, in pounds. The table below gives the year before and the change.`,
        items: rows
          .filter((r) => r.now > 0)
          .map((r) => ({ label: r.label, value: Math.round(r.now / 100), text: formatPounds(r.now) })),
      };
      return { partnerId: p.id, name: p.name, table, chart, totalPence: total };
    })
    .filter((s) => s.table.rows.length > 1);
  // One CSV for the whole account: a row per partner, outcome and year.
  const csv: FigureTable = {
    caption: `Outcome account, ${yearLabel(year - 1)} and ${yearLabel(year)}`,
    head: [
      { text: 'Funding partner', numeric: false },
      { text: 'Outcome', numeric: false },
      { text: `${yearLabel(year - 1)} (£)`, numeric: true },
      { text: `${yearLabel(year)} (£)`, numeric: true },
      { text: 'Change (£)', numeric: true },
    ],
    rows: sections.flatMap((s) =>
      s.table.rows.slice(0, -1).map((r) => [textCell(s.name), r[0]!, r[1]!, r[2]!, r[3]!]),
    ),
  };
  const pooled = budgets.filter(
    (b) => b.kind === 'pooled' && (b.financialYear === year || b.financialYear === year - 1),
  );
  return {
    sections,
    pooledBudgets: pooled.map((b) => ({
      name: b.name,
      year: yearLabel(b.financialYear),
      kind: BUDGET_KIND_LABELS[b.kind],
      shares: b.contributions.map((c) => ({
        name: c.partnerName,
        amount: formatPence(c.pence),
        share: b.totalPence > 0 ? `${((100 * c.pence) / b.totalPence).toFixed(1)}%` : '0%',
      })),
    })),
    tables: { main: csv },
    charts: {},
  };
}
