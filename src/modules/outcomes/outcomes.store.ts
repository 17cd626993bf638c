import { sql } from 'kysely';
import type { Db, Tx } from '../../db/database.ts';
import type { NewRow } from '../../db/schema.ts';
import type { ImportedFigure, Locality, MonthCount } from './outcomes.series.ts';

type Q = Db | Tx;

/** The partnership's localities, in the order the dashboards list them. */
export function localities(q: Q, partnershipId: string): Promise<Locality[]> {
  return q
    .selectFrom('localities')
    .select(['id', 'code', 'name'])
    .where('partnershipId', '=', partnershipId)
    .orderBy('name')
    .execute();
}

/** The monthly counts of some measures from a month on, every locality. */
export async function measureCounts(
  q: Q,
  partnershipId: string,
  measures: readonly string[],
  fromMonth: string,
): Promise<MonthCount[]> {
  if (measures.length === 0) return [];
  const rows = await q
    .selectFrom('measureMonths')
    .select(['measure', 'localityId', 'month', 'value'])
    .where('partnershipId', '=', partnershipId)
    .where('measure', 'in', [...measures])
    .where('month', '>=', fromMonth)
    .execute();
  return rows.map((r) => ({ ...r, value: Number(r.value) }));
}

/** The first month any of these measures has a count for. */
export async function firstMonth(q: Q, partnershipId: string, measures: readonly string[]) {
  const row = await q
    .selectFrom('measureMonths')
    .select((eb) => eb.fn.min('month').as('first'))
    .where('partnershipId', '=', partnershipId)
    .where('measure', 'in', [...measures])
    .executeTakeFirst();
  return row?.first ?? null;
}

export async function importedFigures(q: Q, partnershipId: string, code: string): Promise<ImportedFigure[]> {
  const rows = await q
    .selectFrom('indicatorValues')
    .select(['localityId', 'periodStart', 'periodEnd', 'numerator', 'denominator', 'value'])
    .where('partnershipId', '=', partnershipId)
    .where('indicatorCode', '=', code)
    .orderBy('periodStart')
    .execute();
  return rows.map((r) => ({
    ...r,
    numerator: r.numerator === null ? null : Number(r.numerator),
    denominator: r.denominator === null ? null : Number(r.denominator),
    value: Number(r.value),
  }));
}

/** Replace the figures for the same indicator, locality and period; add the rest. */
export async function saveFigures(tx: Tx, rows: readonly NewRow<'indicatorValues'>[]) {
  for (let i = 0; i < rows.length; i += 500) {
    await tx
      .insertInto('indicatorValues')
      .values(rows.slice(i, i + 500))
      .onConflict((oc) =>
        oc.columns(['partnershipId', 'indicatorCode', 'periodStart', 'localityId']).doUpdateSet((eb) => ({
          periodEnd: eb.ref('excluded.periodEnd'),
          numerator: eb.ref('excluded.numerator'),
          denominator: eb.ref('excluded.denominator'),
          value: eb.ref('excluded.value'),
          sourceNote: eb.ref('excluded.sourceNote'),
          importedAt: eb.ref('excluded.importedAt'),
          importedBy: eb.ref('excluded.importedBy'),
        })),
      )
      .execute();
  }
}

export type Target = { indicatorCode: string; target: number; targetBy: string; version: number };

export async function targets(q: Q, partnershipId: string): Promise<Target[]> {
  const rows = await q
    .selectFrom('indicatorTargets')
    .select(['indicatorCode', 'target', 'targetBy', 'version'])
    .where('partnershipId', '=', partnershipId)
    .execute();
  return rows.map((r) => ({ ...r, target: Number(r.target) }));
}

/** Set a target: a new one, or the stored one when its version is still `version`. False on a lost race. */
export async function saveTarget(
  tx: Tx,
  partnershipId: string,
  target: { indicatorCode: string; target: number; targetBy: string; version: number | null },
  by: { userId: string; at: Date },
): Promise<boolean> {
  const values = { target: target.target, targetBy: target.targetBy, setBy: by.userId, setAt: by.at };
  if (target.version === null) {
    const inserted = await tx
      .insertInto('indicatorTargets')
      .values({ partnershipId, indicatorCode: target.indicatorCode, ...values })
      .onConflict((oc) => oc.columns(['partnershipId', 'indicatorCode']).doNothing())
      .executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1;
  }
  const updated = await tx
    .updateTable('indicatorTargets')
    .set({ ...values, version: sql`version + 1` })
    .where('partnershipId', '=', partnershipId)
    .where('indicatorCode', '=', target.indicatorCode)
    .where('version', '=', target.version)
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

/**
 * A mark that changes whenever anything the dashboards show may have: the last refresh, import or
 * target. Cached figures are kept under it.
 */
export async function changeMark(q: Q, partnershipId: string): Promise<string> {
  const { rows } = await sql<{ mark: string | null }>`
    select concat_ws('|',
      (select max(refreshed_at)::text from measure_refresh_state where partnership_id = ${partnershipId}),
      (select max(imported_at)::text || count(*)::text from indicator_values where partnership_id = ${partnershipId}),
      (select max(set_at)::text || count(*)::text from indicator_targets where partnership_id = ${partnershipId})) as mark`.execute(
    q,
  );
  return rows[0]?.mark ?? '';
}

/** When each source was last refreshed. */
export function refreshTimes(q: Q, partnershipId: string) {
  return q
    .selectFrom('measureRefreshState')
    .select(['source', 'refreshedAt'])
    .where('partnershipId', '=', partnershipId)
    .orderBy('source')
    .execute();
}

/** Every partnership, for the background refresh. */
export function partnershipIds(q: Q): Promise<string[]> {
  return q
    .selectFrom('partnerships')
    .select('id')
    .execute()
    .then((rows) => rows.map((r) => r.id));
}

export type ReviewNote = { indicatorCode: string; commentary: string; version: number };

export function reviewNotes(q: Q, partnershipId: string, year: number): Promise<ReviewNote[]> {
  return q
    .selectFrom('outcomeReviewNotes')
    .select(['indicatorCode', 'commentary', 'version'])
    .where('partnershipId', '=', partnershipId)
    .where('year', '=', year)
    .execute();
}

/** Write a year's commentary on an indicator: new, or over `version`. False on a lost race. */
export async function saveReviewNote(
  tx: Tx,
  partnershipId: string,
  note: { year: number; indicatorCode: string; commentary: string; version: number | null },
  by: { userId: string; at: Date },
): Promise<boolean> {
  const values = { commentary: note.commentary, writtenBy: by.userId, writtenAt: by.at };
  if (note.version === null) {
    const inserted = await tx
      .insertInto('outcomeReviewNotes')
      .values({ partnershipId, year: note.year, indicatorCode: note.indicatorCode, ...values })
      .onConflict((oc) => oc.columns(['partnershipId', 'year', 'indicatorCode']).doNothing())
      .executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1;
  }
  const updated = await tx
    .updateTable('outcomeReviewNotes')
    .set({ ...values, version: sql`version + 1` })
    .where('partnershipId', '=', partnershipId)
    .where('year', '=', note.year)
    .where('indicatorCode', '=', note.indicatorCode)
    .where('version', '=', note.version)
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

export async function jurisdictionOf(q: Q, partnershipId: string): Promise<string> {
  const row = await q
    .selectFrom('partnerships')
    .select('jurisdiction')
    .where('id', '=', partnershipId)
    .executeTakeFirstOrThrow();
  return row.jurisdiction;
}
