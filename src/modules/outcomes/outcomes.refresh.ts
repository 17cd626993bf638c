import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { MeasureSource } from '../../db/measures.ts';

/**
 * Keeps measure_months current. For each source, one transaction: take the source's lock (one
 * refresh at a time per partnership and source), ask it which months changed since it was last read,
 * count those months again and replace their rows. Counting whole months again, rather than adding
 * differences, keeps the figures exact however a record changed.
 *
 * A row committed late (its transaction began before the last refresh and ended after it) has a time
 * before the last read; reading back OVERLAP before it catches such rows, and the nightly full
 * refresh catches anything slower.
 */
const OVERLAP_MS = 10 * 60 * 1000;

export type RefreshResult = { source: string; months: number; rows: number; ms: number }[];

export async function refreshMeasures(
  db: Db,
  sources: readonly MeasureSource[],
  partnershipId: string,
  options: { full?: boolean } = {},
): Promise<RefreshResult> {
  const results: RefreshResult = [];
  for (const source of sources) {
    const started = performance.now();
    const done = await db.transaction().execute(async (tx) => {
      // Building everyone's current locality sorts a table as large as the population: in memory, not on disk.
      await sql`set local work_mem = '64MB'`.execute(tx);
      await sql`select pg_advisory_xact_lock(hashtext(${`outcomes:${partnershipId}:${source.source}`}))`.execute(
        tx,
      );
      const { rows } = await sql<{ now: Date }>`select now() as now`.execute(tx);
      const readTo = rows[0]!.now;
      const state = await tx
        .selectFrom('measureRefreshState')
        .select('readTo')
        .where('partnershipId', '=', partnershipId)
        .where('source', '=', source.source)
        .executeTakeFirst();
      const since = options.full || !state ? null : new Date(state.readTo.getTime() - OVERLAP_MS);
      const months = (await source.changedMonths(tx, partnershipId, since)).sort();
      const names = source.measures.map((m) => m.name);
      let written = 0;
      if (since === null) {
        await tx
          .deleteFrom('measureMonths')
          .where('partnershipId', '=', partnershipId)
          .where('measure', 'in', names)
          .execute();
      }
      // A large change is counted in slices, so no single query holds too many months.
      const size = source.sliceMonths ?? 24;
      for (let i = 0; i < months.length; i += size) {
        const slice = months.slice(i, i + size);
        const counted = (await source.compute(tx, partnershipId, slice)).filter((r) => r.value > 0);
        if (since !== null) {
          await tx
            .deleteFrom('measureMonths')
            .where('partnershipId', '=', partnershipId)
            .where('measure', 'in', names)
            .where('month', 'in', slice)
            .execute();
        }
        for (let j = 0; j < counted.length; j += 1000) {
          await tx
            .insertInto('measureMonths')
            .values(counted.slice(j, j + 1000).map((r) => ({ partnershipId, ...r })))
            .execute();
        }
        written += counted.length;
      }
      await tx
        .insertInto('measureRefreshState')
        .values({ partnershipId, source: source.source, readTo, refreshedAt: readTo })
        .onConflict((oc) =>
          // The dashboards' caches are kept under refreshed_at: move it only when a count may have changed.
          oc
            .columns(['partnershipId', 'source'])
            .doUpdateSet(months.length > 0 ? { readTo, refreshedAt: readTo } : { readTo }),
        )
        .execute();
      return { months: months.length, rows: written };
    });
    results.push({ source: source.source, ...done, ms: Math.round(performance.now() - started) });
  }
  return results;
}
