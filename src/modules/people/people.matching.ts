import { TRAINING_SESSIONS, blockingRules, forEachCandidate, type BlockingStats } from './people.blocking.ts';
import { comparisonsFor, type Comparison } from './people.comparisons.ts';
import type { BlockingRule } from './people.blocking.ts';
import { estimateParameters, termFrequencyAdjustments, type LevelParameters } from './people.em.ts';
import { checkIdentifier, type IdentifierSystem } from './people.identifiers.ts';
import { LINKAGE_CONFIG, bandOf, type MatchBand } from './people.linkage-config.ts';
import type { LinkageRecord, MatchedPair } from './people.linkage-io.ts';
import { prepareRecord, type PreparedRecord } from './people.normalise.ts';

/**
 * The matching engine's public surface: prepare records, build a Fellegi–Sunter model from them
 * (blocking, then EM), score and explain pairs, and link two files or deduplicate one. Everything runs
 * in memory; nothing here touches the database.
 */

/** Identifier systems with a check digit or letter, under the names a map.json may use for them. */
const CHECKED_SYSTEMS: Record<string, IdentifierSystem> = {
  nhs: 'nhs',
  nhs_number: 'nhs',
  upn: 'upn',
  chi: 'chi',
  chi_number: 'chi',
};

function checkIdentifierValue(system: string, value: string): boolean | undefined {
  const known = CHECKED_SYSTEMS[system.toLowerCase()];
  return known ? checkIdentifier(known, value).ok : undefined;
}

export function prepareRecords(records: readonly LinkageRecord[]): PreparedRecord[] {
  return records.map((r) => prepareRecord(r, checkIdentifierValue));
}

export type MatchModel = {
  comparisons: Comparison[];
  parameters: LevelParameters[];
  /** log2(m/u) per comparison and level; level 0 (missing) is 0. */
  weights: number[][];
  /** log2 of the prior odds that a candidate pair is a match (λ from EM). */
  priorBits: number;
  /** Term-frequency adjustment (bits) for exact agreement, per comparison that has one. */
  termAdjustment: (((value: string) => number) | undefined)[];
  givenIndex: number;
  dobIndex: number;
  identifierIndices: number[];
  /** EM over all candidates; whether every session converged; λ over all pairs; the sessions run. */
  training: { iterations: number; converged: boolean; lambda: number; sessions: string[] };
};

export type MatchStats = BlockingStats & {
  /** Seconds spent comparing and scoring the candidate pairs (both passes, blocking included). */
  scoringSeconds: number;
  /** Candidate pairs compared and scored per second (one core). */
  pairsPerSecond: number;
  totalSeconds: number;
};

/** A scored pair: probability with guards applied; raw, the model's probability before them. */
export type ScoredPair = { left: number; right: number; probability: number; raw: number };

/** A small, seeded random number generator (mulberry32), so that the same input gives the same model. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Level frequencies among pairs drawn at random: the starting u. */
function sampleU(
  comparisons: readonly Comparison[],
  left: readonly PreparedRecord[],
  right: readonly PreparedRecord[] | null,
  samples: number,
): number[][] {
  const counts = comparisons.map((c) => new Array<number>(c.levels.length).fill(1));
  const other = right ?? left;
  if (left.length === 0 || other.length === 0 || (!right && left.length < 2)) return counts;
  const next = random(20_260_101);
  for (let s = 0; s < samples; s++) {
    const i = Math.floor(next() * left.length);
    let j = Math.floor(next() * other.length);
    if (!right && j === i) j = (j + 1) % other.length;
    const a = left[i]!;
    const b = other[j]!;
    comparisons.forEach((c, k) => counts[k]![c.compare(a, b)]!++);
  }
  return counts;
}

/** Typed arrays that grow, for the candidate pairs kept between the two passes. */
class PairBuffer {
  left = new Int32Array(1024);
  right = new Int32Array(1024);
  levels: Uint8Array;
  length = 0;
  constructor(readonly width: number) {
    this.levels = new Uint8Array(1024 * width);
  }
  push(i: number, j: number, levels: Uint8Array) {
    if (this.length === this.left.length) {
      const grow = <T extends Int32Array | Uint8Array>(a: T, n: number): T => {
        const b = new (a.constructor as new (n: number) => T)(n);
        b.set(a);
        return b;
      };
      this.left = grow(this.left, this.length * 2);
      this.right = grow(this.right, this.length * 2);
      this.levels = grow(this.levels, this.length * 2 * this.width);
    }
    this.left[this.length] = i;
    this.right[this.length] = j;
    this.levels.set(levels, this.length * this.width);
    this.length++;
  }
}

function compareInto(
  comparisons: readonly Comparison[],
  a: PreparedRecord,
  b: PreparedRecord,
  out: Uint8Array,
) {
  for (let c = 0; c < comparisons.length; c++) out[c] = comparisons[c]!.compare(a, b);
}

/**
 * The identifiers of a pair agree in some system, exactly or but for one character: evidence about
 * the person that names and dates cannot give (twins never share an NHS number).
 */
function identifierAgrees(model: MatchModel, levels: Uint8Array): boolean {
  for (const c of model.identifierIndices) if (levels[c] === 1 || levels[c] === 2) return true;
  return false;
}

/** A guard: why a pair may not score above a ceiling, whatever the weights say. */
export type Guard = { reason: string; ceiling: number };

/**
 * The children's hazards the weights alone do not catch, because the fields that agree are the ones a
 * household shares (surname, address, postcode) and are not independent evidence. None applies when
 * an identifier agrees (exactly or but for one character): twins never share an NHS number.
 *
 * - Two different identifiers of one system that both pass its check (NHS number, UPN, CHI). No link.
 * - Dates of birth that differ by more than a typing error (only the year agrees, or not even that)
 *   on records whose given names are not the same: siblings, or a parent and a child. No link.
 * - A placeholder given name ("baby of Sarah", "twin 1"): it cannot say which child. Review at most.
 * - Given names that differ, or only sound alike or are only near (Jaro-Winkler 0.80–0.92), on records
 *   otherwise alike: twins and triplets (Jack and Jake, Ella and Emma). Review at most.
 */
export function guardFor(
  model: MatchModel,
  a: PreparedRecord,
  b: PreparedRecord,
  levels: Uint8Array,
): Guard | undefined {
  if (identifierAgrees(model, levels)) return undefined;
  for (const c of model.identifierIndices)
    if (levels[c] === 4)
      return {
        reason: `two different ${model.comparisons[c]!.key.slice(11)} identifiers, both passing the check: a child has one`,
        ceiling: LINKAGE_CONFIG.guards.noLinkCeiling,
      };
  const g = model.givenIndex >= 0 ? levels[model.givenIndex]! : 0;
  if (model.dobIndex >= 0) {
    const d = levels[model.dobIndex]!;
    if ((d === 5 || d === 6) && g !== 1)
      return {
        reason:
          'the dates of birth differ by more than a typing error and the given names are not the same: siblings, or a parent and child, look like this',
        ceiling: LINKAGE_CONFIG.guards.noLinkCeiling,
      };
  }
  if (a.placeholderName || b.placeholderName)
    return {
      reason: 'a placeholder name ("baby of …", "unborn", "twin …") cannot confirm which child this is',
      ceiling: LINKAGE_CONFIG.guards.reviewCeiling,
    };
  if (LINKAGE_CONFIG.guards.givenNamesDiffer && (g === 4 || g === 5 || g === 7))
    return {
      reason: 'the given names differ: twins and triplets look like this',
      ceiling: LINKAGE_CONFIG.guards.reviewCeiling,
    };
  return undefined;
}

/** The match weight (bits) of a pair whose levels are known. */
function weightOf(model: MatchModel, a: PreparedRecord, levels: Uint8Array): number {
  let bits = model.priorBits;
  for (let c = 0; c < levels.length; c++) {
    const l = levels[c]!;
    bits += model.weights[c]![l]!;
    if (l === 1) {
      const adjust = model.termAdjustment[c];
      if (adjust) bits += adjust(model.comparisons[c]!.termValue!(a));
    }
  }
  return bits;
}

function probabilityOf(bits: number): number {
  return 1 / (1 + Math.pow(2, -bits));
}

function scoreLevels(model: MatchModel, a: PreparedRecord, b: PreparedRecord, levels: Uint8Array): number {
  const p = probabilityOf(weightOf(model, a, levels));
  const guard = guardFor(model, a, b, levels);
  return guard ? Math.min(p, guard.ceiling) : p;
}

/** Scores a pair whose levels are known; adds it to pairs when at or above the threshold. */
function scoreInto(
  pairs: ScoredPair[],
  threshold: number,
  model: MatchModel,
  i: number,
  j: number,
  a: PreparedRecord,
  b: PreparedRecord,
  levels: Uint8Array,
) {
  const raw = probabilityOf(weightOf(model, a, levels));
  // Guards only ever lower a score, so a pair below the threshold needs no further look.
  if (raw < threshold) return;
  const guard = guardFor(model, a, b, levels);
  const probability = guard ? Math.min(raw, guard.ceiling) : raw;
  pairs.push({ left: i, right: j, probability, raw });
}

/** The probability that two prepared records are the same person, guards applied. */
export function scorePair(model: MatchModel, a: PreparedRecord, b: PreparedRecord): number {
  const levels = new Uint8Array(model.comparisons.length);
  compareInto(model.comparisons, a, b, levels);
  return scoreLevels(model, a, b, levels);
}

export type PairExplanation = {
  priorBits: number;
  comparisons: { key: string; level: string; weightBits: number; termFrequencyBits: number }[];
  totalBits: number;
  probability: number;
  band: MatchBand;
  guard?: string;
};

/** Every comparison's level and weight, the prior, the total and the band: why a pair scored as it did. */
export function explainPair(model: MatchModel, a: PreparedRecord, b: PreparedRecord): PairExplanation {
  const levels = new Uint8Array(model.comparisons.length);
  compareInto(model.comparisons, a, b, levels);
  const comparisons = model.comparisons.map((c, k) => {
    const l = levels[k]!;
    const adjust = l === 1 ? model.termAdjustment[k] : undefined;
    return {
      key: c.key,
      level: c.levels[l]!,
      weightBits: model.weights[k]![l]!,
      termFrequencyBits: adjust ? adjust(c.termValue!(a)) : 0,
    };
  });
  const totalBits = weightOf(model, a, levels);
  const guard = guardFor(model, a, b, levels);
  const probability = scoreLevels(model, a, b, levels);
  return {
    priorBits: model.priorBits,
    comparisons,
    totalBits,
    probability,
    band: bandOf(probability),
    guard: guard?.reason,
  };
}

/**
 * Splink-style training: EM on the pairs of each training rule, the comparisons it forces to agree
 * left out; each comparison's m averaged over the sessions that trained it. λ (over all pairs) from the
 * date-of-birth session: matches found there, over the share of matches whose dates agree exactly.
 */
function trainBySessions(
  comparisons: readonly Comparison[],
  rules: readonly BlockingRule[],
  left: readonly PreparedRecord[],
  right: readonly PreparedRecord[] | null,
  uStart: number[][],
  uCounts: number[][],
  allPairs: number,
): { m: (number[] | undefined)[]; lambda: number | undefined; converged: boolean; sessions: string[] } {
  const C = comparisons.length;
  const other = right ?? left;
  const sums = comparisons.map((c) => new Array<number>(c.levels.length).fill(0));
  const runs = new Array<number>(C).fill(0);
  let converged = true;
  const sessions: string[] = [];
  const found: { leaveOut: readonly string[]; matches: number }[] = [];
  for (const session of TRAINING_SESSIONS) {
    const rule = rules.find((r) => r.name === session.rule);
    const leftOut = comparisons.map((c) => session.leaveOut.includes(c.key));
    if (!rule || leftOut.every((x) => x)) continue;
    const patternCounts = new Map<string, number>();
    const levels = new Uint8Array(C);
    forEachCandidate(
      [rule],
      left,
      right,
      (i, j) => {
        compareInto(comparisons, left[i]!, other[j]!, levels);
        for (let c = 0; c < C; c++) if (leftOut[c]) levels[c] = 0;
        const key = levels.join(',');
        patternCounts.set(key, (patternCounts.get(key) ?? 0) + 1);
      },
      LINKAGE_CONFIG.maxBlockPairs,
    );
    if (patternCounts.size === 0) continue;
    const patterns = new Uint8Array(patternCounts.size * C);
    const counts = new Float64Array(patternCounts.size);
    let p = 0;
    let pairs = 0;
    for (const [key, count] of patternCounts) {
      patterns.set(key.split(',').map(Number), p * C);
      counts[p++] = count;
      pairs += count;
    }
    const em = estimateParameters(
      { levelCounts: comparisons.map((c) => c.levels.length), patterns, counts, uStart },
      LINKAGE_CONFIG.em,
    );
    converged &&= em.converged;
    sessions.push(`${session.rule}: ${pairs} pairs, ${em.iterations} iterations`);
    found.push({ leaveOut: session.leaveOut, matches: em.lambda * pairs });
    em.parameters.forEach(({ m }, c) => {
      if (leftOut[c]) return;
      m.forEach((v, l) => (sums[c]![l]! += v));
      runs[c]!++;
    });
  }
  const m = sums.map((row, c) => (runs[c] ? row.map((v) => v / runs[c]!) : undefined));
  // λ from the date-of-birth session: its matches are those whose dates agree exactly and are present.
  const dobAt = comparisons.findIndex((c) => c.key === 'date_of_birth');
  const dobSession = found.find((f) => f.leaveOut.includes('date_of_birth'));
  let lambda: number | undefined;
  if (dobAt >= 0 && dobSession && m[dobAt]) {
    const row = uCounts[dobAt]!;
    const total = row.reduce((s, v) => s + v, 0);
    const present = 1 - row[0]! / total;
    const recall = m[dobAt][1]! * present;
    if (recall > 0) lambda = dobSession.matches / recall / Math.max(allPairs, 1);
  }
  return { m, lambda, converged, sessions };
}

export type MatchOptions = {
  threshold?: number;
  extraNames?: readonly string[];
};

/**
 * Builds the model from the records and scores every candidate pair: linking left to right, or
 * deduplicating left when right is null (each pair once, left index < right index). Returns the pairs
 * at or above the threshold (the auto-link band by default); the pairs a guard held below it though
 * the model alone would have reached it; the model; and the figures.
 */
export function matchRecords(
  left: readonly PreparedRecord[],
  right: readonly PreparedRecord[] | null,
  options: MatchOptions = {},
): { pairs: ScoredPair[]; held: ScoredPair[]; model: MatchModel; stats: MatchStats } {
  const started = performance.now();
  const threshold = options.threshold ?? LINKAGE_CONFIG.bands.autoLink;
  const other = right ?? left;
  const comparisons = comparisonsFor(left, other, options.extraNames);
  const C = comparisons.length;
  const systems = comparisons.filter((c) => c.key.startsWith('identifier:')).map((c) => c.key.slice(11));
  const rules = blockingRules(systems);

  // Pass 1: the comparison pattern of every candidate pair, counted; the pairs kept if not too many.
  const radix: number[] = [];
  let r = 1;
  for (const c of comparisons) {
    radix.push(r);
    r *= c.levels.length;
  }
  const passOneStarted = performance.now();
  const patternCounts = new Map<number, number>();
  const kept = new PairBuffer(C);
  let keeping = true;
  const levels = new Uint8Array(C);
  const blocking = forEachCandidate(
    rules,
    left,
    right,
    (i, j) => {
      compareInto(comparisons, left[i]!, other[j]!, levels);
      let key = 0;
      for (let c = 0; c < C; c++) key += levels[c]! * radix[c]!;
      patternCounts.set(key, (patternCounts.get(key) ?? 0) + 1);
      if (keeping) {
        if (kept.length >= LINKAGE_CONFIG.keepPairsUpTo) keeping = false;
        else kept.push(i, j, levels);
      }
    },
    LINKAGE_CONFIG.maxBlockPairs,
  );

  const passOneSeconds = (performance.now() - passOneStarted) / 1000;
  const patterns = new Uint8Array(patternCounts.size * C);
  const counts = new Float64Array(patternCounts.size);
  let p = 0;
  for (const [key, count] of patternCounts) {
    for (let c = 0; c < C; c++)
      patterns[p * C + c] = Math.floor(key / radix[c]!) % comparisons[c]!.levels.length;
    counts[p++] = count;
  }
  const uCounts = sampleU(comparisons, left, right, LINKAGE_CONFIG.uSamplePairs);
  const uStart = uCounts.map((row) => {
    const total = row.slice(1).reduce((s, v) => s + v, 0);
    return row.map((v, l) => (l === 0 ? 0 : v / total));
  });
  const levelCounts = comparisons.map((c) => c.levels.length);
  const em = estimateParameters({ levelCounts, patterns, counts, uStart }, LINKAGE_CONFIG.em);
  const allPairs = right ? left.length * right.length : (left.length * (left.length - 1)) / 2;
  const trained = trainBySessions(comparisons, rules, left, right, uStart, uCounts, allPairs);
  // m from the sessions where a comparison was trained; from EM over all candidates otherwise.
  const parameters = em.parameters.map((p, k) => ({ m: trained.m[k] ?? p.m, u: p.u }));
  // With u from random pairs, the prior is the chance that two records drawn at random match.
  const fallbackLambda = (em.lambda * blocking.candidates) / Math.max(allPairs, 1);
  const populationLambda = Math.min(Math.max(trained.lambda ?? fallbackLambda, 1e-12), 0.5);
  const everyone = right ? [...left, ...right] : left;
  const model: MatchModel = {
    comparisons,
    parameters,
    weights: parameters.map(({ m, u }) => m.map((mv, l) => (l === 0 ? 0 : Math.log2(mv / u[l]!)))),
    priorBits: Math.log2(populationLambda / (1 - populationLambda)),
    termAdjustment: comparisons.map((c) =>
      c.termValue
        ? termFrequencyAdjustments(everyone.map(c.termValue), LINKAGE_CONFIG.termFrequencyLimitBits)
            .adjustment
        : undefined,
    ),
    givenIndex: comparisons.findIndex((c) => c.key === 'given_name'),
    dobIndex: comparisons.findIndex((c) => c.key === 'date_of_birth'),
    identifierIndices: comparisons.flatMap((c, k) => (c.key.startsWith('identifier:') ? [k] : [])),
    training: {
      iterations: em.iterations,
      converged: em.converged && trained.converged,
      lambda: populationLambda,
      sessions: trained.sessions,
    },
  };

  // Pass 2: score.
  const scoringStarted = performance.now();
  const reached: ScoredPair[] = [];
  if (keeping) {
    for (let k = 0; k < kept.length; k++) {
      const i = kept.left[k]!;
      const j = kept.right[k]!;
      const lv = kept.levels.subarray(k * C, k * C + C);
      scoreInto(reached, threshold, model, i, j, left[i]!, other[j]!, lv);
    }
  } else {
    forEachCandidate(
      rules,
      left,
      right,
      (i, j) => {
        compareInto(comparisons, left[i]!, other[j]!, levels);
        scoreInto(reached, threshold, model, i, j, left[i]!, other[j]!, levels);
      },
      LINKAGE_CONFIG.maxBlockPairs,
    );
  }
  const pairs = reached.filter((p) => p.probability >= threshold);
  const held = reached.filter((p) => p.probability < threshold);
  const ended = performance.now();
  const scoringSeconds = passOneSeconds + (ended - scoringStarted) / 1000;
  return {
    pairs,
    held,
    model,
    stats: {
      ...blocking,
      scoringSeconds,
      pairsPerSecond: blocking.candidates / Math.max(scoringSeconds, 1e-9),
      totalSeconds: (ended - started) / 1000,
    },
  };
}

/** Links two files of records, or deduplicates one (right null): the matched pairs by id. */
export function linkRecords(
  left: readonly LinkageRecord[],
  right: readonly LinkageRecord[] | null,
  options: MatchOptions = {},
): { pairs: MatchedPair[]; stats: MatchStats; model: MatchModel } {
  const l = prepareRecords(left);
  const r = right ? prepareRecords(right) : null;
  const result = matchRecords(l, r, options);
  const other = r ?? l;
  return {
    pairs: result.pairs.map((p) => ({
      leftId: l[p.left]!.id,
      rightId: other[p.right]!.id,
      probability: p.probability,
    })),
    stats: result.stats,
    model: result.model,
  };
}
