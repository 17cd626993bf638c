import type { Db, Tx } from '../../db/database.ts';

/** A referral to children's social care as the census counts it: a contact decided for a statutory response. */
export type CensusReferral = {
  contactId: string;
  personId: string;
  receivedAt: Date;
  /** The CIN ReferralSource code (the contact's source uses the same list). */
  source: string;
  outcome: 'statutory_assessment' | 'strategy_discussion';
  /** When the decision took effect (after approval where one was needed). */
  decidedAt: Date;
  childUpn: string | null;
  episodeId: string | null;
  episodeStatus: 'awaiting_allocation' | 'open' | 'closed' | null;
};

/**
 * The census's read of the front door, for the statutory returns module (interop): every contact about
 * a known child decided as a statutory assessment or a strategy discussion, received on or before
 * `receivedBefore` (an instant), with its episode. The caller decides which fall in the census year.
 */
export async function censusReferrals(
  q: Db | Tx,
  partnershipId: string,
  receivedBefore: Date,
): Promise<CensusReferral[]> {
  const rows = await q
    .selectFrom('contacts as c')
    .leftJoin('episodes as e', (j) =>
      j.onRef('e.partnershipId', '=', 'c.partnershipId').onRef('e.contactId', '=', 'c.id'),
    )
    .select([
      'c.id as contactId',
      'c.personId',
      'c.receivedAt',
      'c.source',
      'c.outcome',
      'c.finalAt',
      'c.childUpn',
      'e.id as episodeId',
      'e.status as episodeStatus',
    ])
    .where('c.partnershipId', '=', partnershipId)
    .where('c.outcome', 'in', ['statutory_assessment', 'strategy_discussion'])
    .where('c.finalAt', 'is not', null)
    .where('c.personId', 'is not', null)
    .where('c.receivedAt', '<', receivedBefore)
    .orderBy('c.receivedAt')
    .execute();
  return rows.map((r) => ({
    contactId: r.contactId,
    personId: r.personId!,
    receivedAt: r.receivedAt,
    source: r.source,
    outcome: r.outcome as CensusReferral['outcome'],
    decidedAt: r.finalAt!,
    childUpn: r.childUpn,
    episodeId: r.episodeId,
    episodeStatus: r.episodeStatus,
  }));
}
