/**
 * Every setting of the matching engine, in one place, fixed before any data is scored (never per file).
 *
 * Bands: a pair at or above `autoLink` is linked without a person looking; from `review` up to it, it
 * goes to clerical review; below `review`, no link. `wraparound link` and `dedupe` write the pairs at
 * or above `autoLink` unless given --threshold.
 */
export const LINKAGE_CONFIG = {
  bands: { autoLink: 0.99, review: 0.5 },
  /** The children's hazards (people.matching.ts, guardFor): the highest probability each allows. */
  guards: {
    /** Twins, triplets, placeholder names: into review at most. */
    reviewCeiling: 0.9,
    /** Siblings, parent and child: no link. */
    noLinkCeiling: 0.3,
    /**
     * Dates of birth this many years apart or more, the later one a child's (born in the last 18
     * years): a parent and a child, often of one name. No link.
     */
    generationYears: 12,
    /**
     * Given names that differ hold a pair in review unless an identifier agrees. This protects twins
     * and triplets; it also holds back true duplicates whose given name was replaced outright (common
     * in the FEBRL files), so recall without identifiers falls: see docs/benchmarks.md.
     */
    givenNamesDiffer: true,
    /**
     * Given names that only sound alike or are only near are not held when one is plainly a misspelling
     * of the other (people.matching.ts, GivenNameIndex): seen once in the records and in no variant
     * group, within this many edits of the other, whose nearest well-attested name (seen at least
     * `attested` times, or in a variant group) it is.
     */
    misspelling: { maxEdits: 2, attested: 3 },
  },
  /**
   * Pairs implied by links (A–B and B–C make A–C; people.matching.ts, impliedPairs) are added, each
   * checked directly against the guards, inside groups of at most maxSize records.
   */
  clusters: { enabled: true, maxSize: 50 },
  /** Random pairs drawn to start u (non-match probabilities). */
  uSamplePairs: 50_000,
  em: { maxIterations: 200, tolerance: 1e-6, startLambda: 0.1, fixU: true },
  /** A block making more pairs than this is skipped by its rule (other rules still apply). */
  maxBlockPairs: 5_000_000,
  /** Term-frequency adjustments are limited to ± this many bits. */
  termFrequencyLimitBits: 6,
  /** Candidate pairs' levels are kept between the estimation and scoring passes up to this many pairs. */
  keepPairsUpTo: 20_000_000,
} as const;

export type MatchBand = 'auto-link' | 'review' | 'no link';

export function bandOf(probability: number): MatchBand {
  if (probability >= LINKAGE_CONFIG.bands.autoLink) return 'auto-link';
  if (probability >= LINKAGE_CONFIG.bands.review) return 'review';
  return 'no link';
}
