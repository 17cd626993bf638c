import type { Db } from '../../db/database.ts';
import { censusReferrals } from '../referrals/index.ts';
import { seededRandom } from '../../common/random.ts';

/**
 * The demo partnership's census codes: its local authority number, and for every child referred to
 * children's social care an ethnicity and disabilities, and for every referral's episode a primary
 * need (and categories of abuse), drawn with a seeded generator from shares like England's children in
 * need (most White British; most with no disability; abuse or neglect the commonest need).
 */
export async function seedCensusCodes(db: Db, partnershipId: string, options: { seed: number; now: Date }) {
  const random = seededRandom(options.seed ^ 0x5eed_c1);
  const pick = <T extends string>(weights: [T, number][]): T => {
    const total = weights.reduce((s, [, w]) => s + w, 0);
    let r = random() * total;
    for (const [value, w] of weights) if ((r -= w) < 0) return value;
    return weights[weights.length - 1]![0];
  };
  await db
    .insertInto('statutoryReturnSettings')
    .values({ partnershipId, laCode: '999', updatedAt: options.now, updatedBy: null })
    .onConflict((oc) => oc.column('partnershipId').doNothing())
    .execute();

  const referred = (
    await censusReferrals(db, partnershipId, new Date(options.now.getTime() + 86_400_000))
  ).flatMap((r) =>
    r.episodeId ? [{ episodeId: r.episodeId, personId: r.personId, outcome: r.outcome }] : [],
  );

  const children = [...new Set(referred.map((r) => r.personId))].sort();
  const childRows = children.map((personId) => {
    const disabled = random() < 0.13;
    const disabilities = disabled
      ? [...new Set([pick(DISABILITIES), ...(random() < 0.4 ? [pick(DISABILITIES)] : [])])]
      : ['NONE'];
    return { partnershipId, personId, ethnicity: pick(ETHNICITIES), disabilities, upnUnknown: null };
  });
  const episodeRows = referred.map((r) => {
    const abuse = r.outcome === 'strategy_discussion' ? pick(CATEGORIES) : null;
    return {
      partnershipId,
      episodeId: r.episodeId,
      primaryNeed: r.outcome === 'strategy_discussion' ? 'N1' : pick(NEEDS),
      initialCategoryOfAbuse: abuse,
      latestCategoryOfAbuse: abuse && random() < 0.1 ? pick(CATEGORIES) : abuse,
    };
  });
  for (let i = 0; i < childRows.length; i += 500)
    await db
      .insertInto('censusChildCodes')
      .values(childRows.slice(i, i + 500))
      .onConflict((oc) => oc.columns(['partnershipId', 'personId']).doNothing())
      .execute();
  for (let i = 0; i < episodeRows.length; i += 500)
    await db
      .insertInto('censusEpisodeCodes')
      .values(episodeRows.slice(i, i + 500))
      .onConflict((oc) => oc.columns(['partnershipId', 'episodeId']).doNothing())
      .execute();
  return { children: childRows.length, episodes: episodeRows.length };
}

const ETHNICITIES: [string, number][] = [
  ['WBRI', 62],
  ['WIRI', 1],
  ['WIRT', 1],
  ['WOTH', 5],
  ['WROM', 1],
  ['MWBC', 4],
  ['MWBA', 1],
  ['MWAS', 1],
  ['MOTH', 3],
  ['AIND', 2],
  ['APKN', 4],
  ['ABAN', 1],
  ['AOTH', 2],
  ['BCRB', 2],
  ['BAFR', 4],
  ['BOTH', 1],
  ['CHNE', 1],
  ['OOTH', 2],
  ['REFU', 1],
  ['NOBT', 1],
];
const DISABILITIES: [string, number][] = [
  ['AUT', 25],
  ['LD', 15],
  ['BEH', 15],
  ['COMM', 12],
  ['CON', 6],
  ['MOB', 5],
  ['HAND', 4],
  ['PC', 3],
  ['INC', 3],
  ['HEAR', 3],
  ['VIS', 3],
  ['DDA', 6],
];
const NEEDS: [string, number][] = [
  ['N1', 45],
  ['N2', 5],
  ['N3', 5],
  ['N4', 15],
  ['N5', 13],
  ['N6', 3],
  ['N7', 1],
  ['N8', 4],
  ['N9', 6],
  ['N0', 3],
];
const CATEGORIES: [string, number][] = [
  ['NEG', 50],
  ['EMO', 36],
  ['PHY', 7],
  ['SAB', 4],
  ['MUL', 3],
];
