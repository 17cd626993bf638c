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
     * Given names that differ hold a pair in review unless an identifier agrees. This protects twins
     * and triplets; it also holds back true duplicates whose given name was replaced outright (common
     * in the FEBRL files), so recall without identifiers falls: see docs/benchmarks.md.
     */
    givenNamesDiffer: true,
  },
  /** Random pairs drawn to start u (non-match probabilities). */
  uSamplePairs: 100_000,
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
