import { sql } from 'kysely';
import type { Ctx } from '../../common/context.ts';
import { isSystem } from '../../common/context.ts';
import type { Db, Tx } from '../../db/database.ts';
import type { CensusChildCodes, CensusEpisodeCodes } from './interop.cin-census.ts';

type Q = Db | Tx;

/** SQL for the statutory returns' own tables: the settings and the census codes no other module holds. */

export function findSettings(q: Q, partnershipId: string) {
  return q
    .selectFrom('statutoryReturnSettings')
    .select(['laCode', 'version'])
    .where('partnershipId', '=', partnershipId)
    .executeTakeFirst();
}

export async function saveSettings(tx: Tx, partnershipId: string, laCode: string, ctx: Ctx) {
  const updatedBy = isSystem(ctx.actor) ? null : ctx.actor.userId;
  await tx
    .insertInto('statutoryReturnSettings')
    .values({ partnershipId, laCode, updatedAt: ctx.now, updatedBy })
    .onConflict((oc) =>
      oc.column('partnershipId').doUpdateSet({
        laCode,
        updatedAt: ctx.now,
        updatedBy,
        version: sql`statutory_return_settings.version + 1`,
      }),
    )
    .execute();
}

export async function childCodes(
  q: Q,
  partnershipId: string,
  personIds: readonly string[],
): Promise<CensusChildCodes[]> {
  if (personIds.length === 0) return [];
  return q
    .selectFrom('censusChildCodes')
    .select(['personId', 'ethnicity', 'disabilities', 'upnUnknown'])
    .where('partnershipId', '=', partnershipId)
    .where('personId', 'in', personIds)
    .execute();
}

export async function episodeCodes(
  q: Q,
  partnershipId: string,
  episodeIds: readonly string[],
): Promise<CensusEpisodeCodes[]> {
  if (episodeIds.length === 0) return [];
  return q
    .selectFrom('censusEpisodeCodes')
    .select(['episodeId', 'primaryNeed', 'initialCategoryOfAbuse', 'latestCategoryOfAbuse'])
    .where('partnershipId', '=', partnershipId)
    .where('episodeId', 'in', episodeIds)
    .execute();
}
