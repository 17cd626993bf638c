import { sql } from 'kysely';
import { z } from 'zod';
import type { Ctx } from '../../common/context.ts';
import { requirePerson } from '../../common/context.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../common/errors.ts';
import type { Db, Tx } from '../../db/database.ts';
import type { AccessService } from '../access/index.ts';
import type { AuditService } from '../audit/index.ts';
import { OUTCOME_FRAMEWORKS, type Outcome, type OutcomeFramework } from '../../common/outcome-frameworks.ts';
import { INDICATORS } from './outcomes.indicators.ts';

/**
 * Outcome frameworks a partnership defines for itself (a local strategy's priorities, say), beside the
 * national ones in code. An administrator names the framework and its outcomes, then says which
 * indicators tell about each; the outcome pages and the annual review can be grouped by any of them,
 * and plan goals can name their outcomes. Each outcome has a stable code (`o1`, `o2`...): listing the
 * outcomes again keeps the code of every line whose words are unchanged (in any case), and an outcome
 * taken off the list is retired, not deleted, so the goals that name it keep its words.
 */

export const MAX_OUTCOMES = 20;

export const FrameworkInput = z.object({
  name: z
    .string()
    .trim()
    .min(1, 'Enter the framework’s name')
    .max(120, 'The name must be 120 characters or fewer'),
  description: z.string().trim().max(2000, 'The description must be 2,000 characters or fewer').default(''),
  outcomes: z
    .string()
    .default('')
    .transform((text) =>
      text
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l !== ''),
    )
    .superRefine((lines, ctx) => {
      const problem = (message: string) => ctx.addIssue({ code: 'custom', message });
      if (lines.length === 0) problem('Enter the outcomes, one on each line');
      else if (lines.length > MAX_OUTCOMES) problem(`Enter ${MAX_OUTCOMES} outcomes or fewer`);
      else if (lines.some((l) => l.length > 200)) problem('Each outcome must be 200 characters or fewer');
      else if (new Set(lines.map((l) => l.toLowerCase())).size < lines.length)
        problem('Each outcome must be on the list once');
    }),
  version: z.coerce.number().int().positive().optional(),
});
export type FrameworkInput = z.output<typeof FrameworkInput>;

/** The indicators chosen for each outcome: form fields `outcome-0`, `outcome-1`... each a code or a list. */
export const IndicatorChoice = z
  .record(z.string(), z.union([z.string(), z.array(z.string())]))
  .transform((body) => {
    const known = new Set(INDICATORS.map((i) => i.code));
    const byPosition = new Map<number, string[]>();
    for (const [field, value] of Object.entries(body)) {
      const match = /^outcome-(\d{1,2})$/.exec(field);
      if (!match) continue;
      byPosition.set(
        Number(match[1]),
        (Array.isArray(value) ? value : [value]).filter((c) => known.has(c)),
      );
    }
    return { byPosition, version: Number(body.version) };
  });

/** A framework to group indicators by: national (from code) or the partnership's own. */
export type Grouping = {
  id: string;
  name: string;
  local: boolean;
  description: string;
  version: number | null;
  /** The outcomes on the list, in order. */
  outcomes: { code: string; label: string; indicatorCodes: string[] }[];
  /** The words of outcomes taken off the list, kept for the goals that name them. */
  retired: string[];
};

export function nationalGrouping(framework: OutcomeFramework): Grouping {
  return {
    id: framework.id,
    name: framework.name,
    local: false,
    description: '',
    version: null,
    outcomes: framework.outcomes.map((o) => ({
      code: o.code,
      label: o.label,
      indicatorCodes: INDICATORS.filter((i) =>
        i.outcomes.some(([f, c]) => f === framework.id && c === o.code),
      ).map((i) => i.code),
    })),
    retired: [],
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class LocalFrameworkService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly access: AccessService,
  ) {}

  /** Every framework the partnership can group by: the national ones, then its own. */
  async list(ctx: Ctx): Promise<Grouping[]> {
    const partnershipId = await this.access.require(ctx, 'outcomes.frameworks', 'outcomes.frameworks');
    return [...OUTCOME_FRAMEWORKS.map(nationalGrouping), ...(await this.locals(this.db, partnershipId))];
  }

  /**
   * The partnership's own frameworks as plan goals use them, in one query: every outcome, those taken
   * off the list marked retired. The caller has checked the actor may work on the plan.
   */
  async forGoals(q: Db | Tx, partnershipId: string): Promise<OutcomeFramework[]> {
    const rows = await q
      .selectFrom('localFrameworks as f')
      .innerJoin('localFrameworkOutcomes as o', (j) =>
        j.onRef('o.partnershipId', '=', 'f.partnershipId').onRef('o.frameworkId', '=', 'f.id'),
      )
      .select(['f.id', 'f.name', 'o.code', 'o.label', 'o.position'])
      .where('f.partnershipId', '=', partnershipId)
      .orderBy('f.name')
      .orderBy('f.id')
      .orderBy(sql`o.position nulls last`)
      .orderBy('o.code')
      .execute();
    const frameworks = new Map<string, { id: string; name: string; outcomes: Outcome[] }>();
    for (const r of rows) {
      const framework = frameworks.get(r.id) ?? { id: r.id, name: r.name, outcomes: [] };
      framework.outcomes.push({ code: r.code, label: r.label, retired: r.position === null });
      frameworks.set(r.id, framework);
    }
    return [...frameworks.values()];
  }

  /** One framework by id (national or local), or undefined. */
  async find(q: Db | Tx, partnershipId: string, id: string): Promise<Grouping | undefined> {
    const national = OUTCOME_FRAMEWORKS.find((f) => f.id === id);
    if (national) return nationalGrouping(national);
    if (!UUID.test(id)) return undefined;
    return (await this.locals(q, partnershipId, id))[0];
  }

  async get(ctx: Ctx, id: string): Promise<Grouping> {
    const partnershipId = await this.access.require(ctx, 'outcomes.frameworks', 'outcomes.frameworks');
    const found = await this.find(this.db, partnershipId, id);
    if (!found) throw new NotFoundError('That framework');
    return found;
  }

  async create(ctx: Ctx, input: FrameworkInput): Promise<string> {
    const partnershipId = await this.access.require(
      ctx,
      'partnership.administer',
      'outcomes.frameworks.create',
    );
    const userId = requirePerson(ctx).userId;
    return this.db.transaction().execute(async (tx) => {
      await this.checkName(tx, partnershipId, input.name, null);
      const row = await tx
        .insertInto('localFrameworks')
        .values({
          partnershipId,
          name: input.name,
          description: input.description,
          createdBy: userId,
          updatedAt: ctx.now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await this.relist(tx, partnershipId, row.id, input.outcomes);
      await this.audit.record(tx, ctx, {
        action: 'outcomes.framework.create',
        detail: { framework: row.id, name: input.name },
      });
      return row.id;
    });
  }

  /**
   * Rename, describe and list the outcomes again: an outcome whose words are listed again keeps its
   * code and indicators, wherever it now stands; one left off is retired (see `relist`).
   */
  async update(ctx: Ctx, id: string, input: FrameworkInput): Promise<void> {
    const partnershipId = await this.access.require(
      ctx,
      'partnership.administer',
      'outcomes.frameworks.update',
    );
    await this.db.transaction().execute(async (tx) => {
      await this.bump(tx, partnershipId, id, input.version, ctx.now);
      await this.checkName(tx, partnershipId, input.name, id);
      await tx
        .updateTable('localFrameworks')
        .set({ name: input.name, description: input.description })
        .where('partnershipId', '=', partnershipId)
        .where('id', '=', id)
        .execute();
      const { added, retired } = await this.relist(tx, partnershipId, id, input.outcomes);
      await this.audit.record(tx, ctx, {
        action: 'outcomes.framework.update',
        detail: { framework: id, name: input.name, added, retired },
      });
    });
  }

  /** Say which indicators tell about each outcome. */
  async chooseIndicators(ctx: Ctx, id: string, choice: z.output<typeof IndicatorChoice>): Promise<void> {
    const partnershipId = await this.access.require(
      ctx,
      'partnership.administer',
      'outcomes.frameworks.update',
    );
    await this.db.transaction().execute(async (tx) => {
      const framework = await this.bump(
        tx,
        partnershipId,
        id,
        Number.isInteger(choice.version) ? choice.version : undefined,
        ctx.now,
      );
      for (const [position] of framework.outcomes.entries()) {
        await tx
          .updateTable('localFrameworkOutcomes')
          .set({ indicatorCodes: choice.byPosition.get(position) ?? [] })
          .where('partnershipId', '=', partnershipId)
          .where('frameworkId', '=', id)
          .where('position', '=', position)
          .execute();
      }
      await this.audit.record(tx, ctx, {
        action: 'outcomes.framework.indicators',
        detail: { framework: id },
      });
    });
  }

  /** The framework as it is, after moving its version on from `version` (a stale one is a conflict). */
  private async bump(tx: Tx, partnershipId: string, id: string, version: number | undefined, now: Date) {
    const framework = UUID.test(id) ? (await this.locals(tx, partnershipId, id))[0] : undefined;
    if (!framework) throw new NotFoundError('That framework');
    if (version === undefined)
      throw new ValidationError([
        { field: 'form', message: 'The form is missing its version: open the framework again' },
      ]);
    const moved = await tx
      .updateTable('localFrameworks')
      .set({ version: sql`version + 1`, updatedAt: now })
      .where('partnershipId', '=', partnershipId)
      .where('id', '=', id)
      .where('version', '=', version)
      .executeTakeFirst();
    if (Number(moved.numUpdatedRows) !== 1)
      throw new ConflictError(
        'Someone else changed this framework while you were editing it. Check it and try again.',
      );
    return framework;
  }

  /**
   * Puts `labels` on the framework's list in order. A label matching an outcome's words in any case
   * (a retired one too, which comes back) keeps that outcome's code and indicators; a new one gets the
   * next code, never one used before. An outcome not listed is retired: it loses its position but
   * stays, because plan goals may name it. Run under the framework's version check, so two edits
   * cannot hand out the same code.
   */
  private async relist(tx: Tx, partnershipId: string, frameworkId: string, labels: string[]) {
    const existing = await tx
      .selectFrom('localFrameworkOutcomes')
      .select(['code', 'label', 'position'])
      .where('partnershipId', '=', partnershipId)
      .where('frameworkId', '=', frameworkId)
      .execute();
    const byWords = new Map(existing.map((o) => [o.label.toLowerCase(), o]));
    const listed = new Set(labels.map((l) => l.toLowerCase()));
    // Clear every position first: positions are unique, and outcomes may swap places.
    await tx
      .updateTable('localFrameworkOutcomes')
      .set({ position: null })
      .where('partnershipId', '=', partnershipId)
      .where('frameworkId', '=', frameworkId)
      .execute();
    let next = Math.max(0, ...existing.map((o) => Number(o.code.slice(1)))) + 1;
    const added: {
      partnershipId: string;
      frameworkId: string;
      code: string;
      position: number;
      label: string;
    }[] = [];
    for (const [position, label] of labels.entries()) {
      const kept = byWords.get(label.toLowerCase());
      if (!kept) {
        added.push({ partnershipId, frameworkId, code: `o${next++}`, position, label });
        continue;
      }
      await tx
        .updateTable('localFrameworkOutcomes')
        .set({ position, label })
        .where('partnershipId', '=', partnershipId)
        .where('frameworkId', '=', frameworkId)
        .where('code', '=', kept.code)
        .execute();
    }
    if (added.length > 0) await tx.insertInto('localFrameworkOutcomes').values(added).execute();
    return {
      added: added.map((o) => o.code),
      retired: existing
        .filter((o) => o.position !== null && !listed.has(o.label.toLowerCase()))
        .map((o) => o.code),
    };
  }

  private async checkName(tx: Tx, partnershipId: string, name: string, except: string | null) {
    const clash = await tx
      .selectFrom('localFrameworks')
      .select('id')
      .where('partnershipId', '=', partnershipId)
      .where(sql<boolean>`lower(name) = lower(${name})`)
      .$if(except !== null, (qb) => qb.where('id', '<>', except!))
      .executeTakeFirst();
    const national = OUTCOME_FRAMEWORKS.some((f) => f.name.toLowerCase() === name.toLowerCase());
    if (clash || national)
      throw new ValidationError([
        { field: 'name', message: 'There is already a framework with this name: choose another' },
      ]);
  }

  private async locals(q: Db | Tx, partnershipId: string, id?: string): Promise<Grouping[]> {
    const frameworks = await q
      .selectFrom('localFrameworks')
      .select(['id', 'name', 'description', 'version'])
      .where('partnershipId', '=', partnershipId)
      .$if(id !== undefined, (qb) => qb.where('id', '=', id!))
      .orderBy('name')
      .execute();
    if (frameworks.length === 0) return [];
    const outcomes = await q
      .selectFrom('localFrameworkOutcomes')
      .select(['frameworkId', 'code', 'position', 'label', 'indicatorCodes'])
      .where('partnershipId', '=', partnershipId)
      .where(
        'frameworkId',
        'in',
        frameworks.map((f) => f.id),
      )
      .orderBy(sql`position nulls last`)
      .orderBy('label')
      .execute();
    return frameworks.map((f) => {
      const own = outcomes.filter((o) => o.frameworkId === f.id);
      return {
        ...f,
        local: true,
        outcomes: own
          .filter((o) => o.position !== null)
          .map((o) => ({ code: o.code, label: o.label, indicatorCodes: o.indicatorCodes })),
        retired: own.filter((o) => o.position === null).map((o) => o.label),
      };
    });
  }
}
