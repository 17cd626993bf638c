import type { Db, Tx } from '../../db/database.ts';
import type { AssessmentOutcome } from '../../db/schema.ts';

export type CensusAssessment = {
  id: string;
  personId: string;
  episodeId: string | null;
  planId: string | null;
  status: 'draft' | 'finished';
  startedAt: Date;
  finishedAt: Date | null;
  outcome: AssessmentOutcome | null;
};

/** The census's read of assessments, for the statutory returns module (interop): these children's assessments. */
export async function censusAssessments(
  q: Db | Tx,
  partnershipId: string,
  personIds: readonly string[],
): Promise<CensusAssessment[]> {
  if (personIds.length === 0) return [];
  return q
    .selectFrom('assessments')
    .select(['id', 'personId', 'episodeId', 'planId', 'status', 'startedAt', 'finishedAt', 'outcome'])
    .where('partnershipId', '=', partnershipId)
    .where('personId', 'in', personIds)
    .orderBy('startedAt')
    .execute();
}
