import { sql } from 'kysely';
import { z } from 'zod';
import type { Ctx } from '../../common/context.ts';
import { requirePerson } from '../../common/context.ts';
import { dateChecked, dateInputFields, requiredDate } from '../../common/date-input.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../common/errors.ts';
import type { Db, Tx } from '../../db/database.ts';
import type { AccessService } from '../access/index.ts';
import type { AuditService } from '../audit/index.ts';
import { demoPracticeChange } from './outcomes.demo.ts';

/**
 * Practice changes: when a locality changed its way of working, kept by a partnership administrator
 * so the evaluation can compare that locality before and after the change with the others. An edit
 * carries the version it was made from; a stale edit is refused (409) and the form shows the record
 * as it now is. Nothing is deleted: a change recorded in error is withdrawn, and kept.
 */

type Q = Db | Tx;

const fields = {
  localityId: z.uuid({ error: 'Choose the locality that changed' }),
  ...dateInputFields('changedOn'),
  title: z
    .string({ error: 'Enter a title' })
    .trim()
    .min(1, 'Enter a title, for example “Integrated locality team”')
    .max(200, 'The title must be 200 characters or fewer'),
  description: z
    .string()
    .trim()
    .max(2000, 'The description must be 2,000 characters or fewer')
    .optional()
    .default(''),
};

const LABEL = 'The date the change took effect';

const toInput = <F extends z.output<z.ZodObject<typeof fields>>>(form: F, ctx: z.RefinementCtx) => {
  const changedOn = requiredDate(form, 'changedOn', LABEL, ctx);
  if (changedOn === z.NEVER) return z.NEVER;
  return { localityId: form.localityId, changedOn, title: form.title, description: form.description };
};

export const PracticeChangeInput = z.object(fields).check(dateChecked('changedOn', LABEL)).transform(toInput);
export type PracticeChangeInput = z.output<typeof PracticeChangeInput>;

export const PracticeChangeEdit = z
  .object({
    ...fields,
    version: z.coerce.number({ error: 'The form is out of date: open it again' }).int().positive(),
    withdrawn: z.enum(['yes']).optional(),
  })
  .check(dateChecked('changedOn', LABEL))
  .transform((form, ctx) => {
    const input = toInput(form, ctx);
    return input === z.NEVER
      ? z.NEVER
      : { ...input, version: form.version, withdrawn: form.withdrawn === 'yes' };
  });
export type PracticeChangeEdit = z.output<typeof PracticeChangeEdit>;

export type PracticeChange = {
  id: string;
  localityId: string;
  localityCode: string;
  localityName: string;
  changedOn: string;
  title: string;
  description: string;
  withdrawn: boolean;
  version: number;
};

function listQuery(q: Q, partnershipId: string) {
  return q
    .selectFrom('practiceChanges as c')
    .innerJoin('localities as l', (j) =>
      j.onRef('l.partnershipId', '=', 'c.partnershipId').onRef('l.id', '=', 'c.localityId'),
    )
    .select([
      'c.id',
      'c.localityId',
      'l.code as localityCode',
      'l.name as localityName',
      'c.changedOn',
      'c.title',
      'c.description',
      sql<boolean>`c.withdrawn_at is not null`.as('withdrawn'),
      'c.version',
    ])
    .where('c.partnershipId', '=', partnershipId);
}

async function localityIn(q: Q, partnershipId: string, localityId: string): Promise<boolean> {
  const row = await q
    .selectFrom('localities')
    .select('id')
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', localityId)
    .executeTakeFirst();
  return row !== undefined;
}

export class PracticeChangeService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly access: AccessService,
  ) {}

  /** Every practice change, newest first, for the administrator's list (withdrawn ones too). */
  async list(ctx: Ctx): Promise<PracticeChange[]> {
    const partnershipId = await this.access.require(ctx, 'partnership.administer', 'practice-change.list');
    return listQuery(this.db, partnershipId).orderBy('c.changedOn', 'desc').orderBy('c.title').execute();
  }

  /** The changes in force, for the evaluation page's choice (aggregates only: no child in them). */
  async listForEvaluation(ctx: Ctx): Promise<PracticeChange[]> {
    const partnershipId = await this.access.require(ctx, 'aggregates.view', 'practice-change.list');
    return listQuery(this.db, partnershipId)
      .where('c.withdrawnAt', 'is', null)
      .orderBy('c.changedOn', 'desc')
      .orderBy('c.title')
      .execute();
  }

  /** One change in force, for the evaluation; NotFound for another partnership's or a withdrawn one. */
  async getForEvaluation(ctx: Ctx, id: string): Promise<PracticeChange> {
    const partnershipId = await this.access.require(ctx, 'aggregates.view', 'practice-change.view');
    const found = await listQuery(this.db, partnershipId)
      .where('c.id', '=', id)
      .where('c.withdrawnAt', 'is', null)
      .executeTakeFirst();
    if (!found) throw new NotFoundError('That practice change');
    return found;
  }

  async get(ctx: Ctx, id: string): Promise<PracticeChange> {
    const partnershipId = await this.access.require(ctx, 'partnership.administer', 'practice-change.view');
    const found = await listQuery(this.db, partnershipId).where('c.id', '=', id).executeTakeFirst();
    if (!found) throw new NotFoundError('That practice change');
    return found;
  }

  /** The partnership's localities, for the form's choice. */
  async localities(ctx: Ctx): Promise<{ id: string; name: string }[]> {
    const partnershipId = await this.access.require(ctx, 'partnership.administer', 'practice-change.list');
    return this.db
      .selectFrom('localities')
      .select(['id', 'name'])
      .where('partnershipId', '=', partnershipId)
      .orderBy('name')
      .execute();
  }

  async create(ctx: Ctx, input: PracticeChangeInput): Promise<string> {
    const partnershipId = await this.access.require(ctx, 'partnership.administer', 'practice-change.create');
    const userId = requirePerson(ctx).userId;
    return this.db.transaction().execute(async (tx) => {
      if (!(await localityIn(tx, partnershipId, input.localityId)))
        throw new ValidationError([{ field: 'localityId', message: 'Choose the locality that changed' }]);
      const row = await tx
        .insertInto('practiceChanges')
        .values({
          partnershipId,
          ...input,
          createdAt: ctx.now,
          createdBy: userId,
          updatedAt: ctx.now,
          updatedBy: userId,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await this.audit.record(tx, ctx, {
        action: 'practice-change.create',
        subjectType: 'practice_change',
        subjectId: row.id,
        detail: input,
      });
      return row.id;
    });
  }

  /** Changes the record if it is still at the version the form was made from. */
  async update(ctx: Ctx, id: string, input: PracticeChangeEdit): Promise<void> {
    const partnershipId = await this.access.require(ctx, 'partnership.administer', 'practice-change.update');
    const userId = requirePerson(ctx).userId;
    await this.db.transaction().execute(async (tx) => {
      const current = await tx
        .selectFrom('practiceChanges')
        .select(['version', 'withdrawnAt'])
        .where('partnershipId', '=', partnershipId)
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
      if (!current) throw new NotFoundError('That practice change');
      if (!(await localityIn(tx, partnershipId, input.localityId)))
        throw new ValidationError([{ field: 'localityId', message: 'Choose the locality that changed' }]);
      if (current.version !== input.version)
        throw new ConflictError(
          'Someone else changed this practice change while you were editing it: compare what they saved with your change below, then save again',
        );
      const { version: _version, withdrawn, ...patch } = input;
      await tx
        .updateTable('practiceChanges')
        .set({
          ...patch,
          withdrawnAt: withdrawn ? (current.withdrawnAt ?? ctx.now) : null,
          version: sql<number>`version + 1`,
          updatedAt: ctx.now,
          updatedBy: userId,
        })
        .where('partnershipId', '=', partnershipId)
        .where('id', '=', id)
        .execute();
      await this.audit.record(tx, ctx, {
        action: 'practice-change.update',
        subjectType: 'practice_change',
        subjectId: id,
        detail: { ...patch, withdrawn },
      });
    });
  }
}

/** The demo partnership's practice change (outcomes.demo.ts): East's integrated locality team. */
export async function seedPracticeChanges(db: Db, partnershipId: string, now: Date): Promise<void> {
  const change = demoPracticeChange(now);
  const locality = await db
    .selectFrom('localities')
    .select('id')
    .where('partnershipId', '=', partnershipId)
    .where('code', '=', change.localityCode)
    .executeTakeFirst();
  if (!locality) return;
  await db
    .insertInto('practiceChanges')
    .values({
      partnershipId,
      localityId: locality.id,
      changedOn: change.changedOn,
      title: change.title,
      description: change.description,
      createdAt: now,
      updatedAt: now,
    })
    .execute();
}
