import { TRAINING_SESSIONS, blockingRules, forEachCandidate, type BlockingStats } from './people.blocking.ts';
import { comparisonsFor, type Comparison } from './people.comparisons.ts';
import type { BlockingRule } from './people.blocking.ts';
import { estimateParameters, termFrequencyAdjustments, type LevelParameters } from './people.em.ts';
import { checkIdentifier, type IdentifierSystem } from './people.identifiers.ts';
import { LINKAGE_CONFIG, bandOf, type MatchBand } from './people.linkage-config.ts';
import type { LinkageRecord, MatchedPair } from './people.linkage-io.ts';
import { variantGroups } from './people.nicknames.ts';
import { prepareRecord, type PreparedRecord } from './people.normalise.ts';
import { seededRandom } from '../../common/random.ts';

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
  /**
   * The given names of the records the model was built from, to tell a misspelt name from a different
   * one (guardFor). Absent on a model built by hand: every given-name difference is then held.
   */
  givenNames?: GivenNameIndex;
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
/**
 * A scored pair: probability with guards applied; raw, the model's probability before them. `implied`:
 * not linked by its own score but through others of one person (impliedPairs); its probability is the
 * weakest link of that person's records.
 */
export type ScoredPair = { left: number; right: number; probability: number; raw: number; implied?: true };

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
  const next = seededRandom(20_260_101);
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

/**
 * How often each first given name occurs in the records, to tell a misspelling from a name: a name seen
 * once, in no nickname or variant group, whose one nearest well-attested name (seen at least
 * `LINKAGE_CONFIG.guards.misspelling.attested` times, or in a variant group) is the other record's
 * name, within two edits, is a misspelling of it ("willaim" and "william"). Twins have two names that
 * are each in use (Jack and Jake, Ava and Eva), so a difference between two such names is still held.
 */
export class GivenNameIndex {
  private readonly counts = new Map<string, number>();
  private readonly attestedByLength = new Map<number, string[]>();
  private readonly nearestCache = new Map<string, string | null>();

  constructor(names: Iterable<string>) {
    for (const n of names) if (n) this.counts.set(n, (this.counts.get(n) ?? 0) + 1);
    for (const [n, c] of this.counts) {
      if (!this.isAttested(n, c)) continue;
      const list = this.attestedByLength.get(n.length);
      if (list) list.push(n);
      else this.attestedByLength.set(n.length, [n]);
    }
  }

  private isAttested(name: string, count = this.counts.get(name) ?? 0): boolean {
    return (
      name.length > 1 &&
      (count >= LINKAGE_CONFIG.guards.misspelling.attested || variantGroups(name).length > 0)
    );
  }

  /** Seen once at most, and in no variant group: perhaps a misspelling. */
  private isRare(name: string): boolean {
    return (this.counts.get(name) ?? 0) <= 1 && variantGroups(name).length === 0;
  }

  /**
   * The well-attested name nearest to this one by edit distance (a swap of neighbours counts as one
   * edit), within maxEdits; null when none is that near, or when two are equally near (ambiguous:
   * "haryley" is one edit from both Harley and Hayley, and twins may be called Harley and Hayley).
   */
  nearestAttested(name: string): string | null {
    let found = this.nearestCache.get(name);
    if (found !== undefined) return found;
    const maxEdits = LINKAGE_CONFIG.guards.misspelling.maxEdits;
    let best = maxEdits + 1;
    found = null;
    for (let len = name.length - maxEdits; len <= name.length + maxEdits; len++) {
      for (const other of this.attestedByLength.get(len) ?? []) {
        if (other === name) continue;
        const d = editDistance(name, other, best);
        if (d < best) {
          best = d;
          found = other;
        } else if (d === best) found = null;
      }
    }
    this.nearestCache.set(name, found);
    return found;
  }

  /**
   * Whether two different given names are one name, misspelt: one is rare (seen once, in no variant
   * group) and its nearest well-attested name is the other; or both are rare and nearest to the same
   * well-attested name ("rahcel" and "rachyel", both Rachel).
   */
  misspelt(x: string, y: string): boolean {
    if (!x || !y || x === y) return false;
    const rareX = this.isRare(x);
    const rareY = this.isRare(y);
    if (rareX && rareY) {
      const nx = this.nearestAttested(x);
      return nx !== null && nx === this.nearestAttested(y);
    }
    if (rareX) return this.isAttested(y) && this.nearestAttested(x) === y;
    if (rareY) return this.isAttested(x) && this.nearestAttested(y) === x;
    return false;
  }
}

/**
 * Edit distance where a swap of two neighbouring characters is one edit (optimal string alignment), for
 * short strings; stops counting once past `limit` (returns a value above it).
 */
export function editDistance(a: string, b: string, limit = Infinity): number {
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > limit) return limit + 1;
  let prev2 = new Array<number>(lb + 1).fill(0);
  let prev = Array.from({ length: lb + 1 }, (_, j) => j);
  let cur = new Array<number>(lb + 1).fill(0);
  for (let i = 1; i <= la; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= lb; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (
        i > 1 &&
        j > 1 &&
        a.charCodeAt(i - 1) === b.charCodeAt(j - 2) &&
        a.charCodeAt(i - 2) === b.charCodeAt(j - 1)
      )
        v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > limit) return limit + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[lb]!;
}

/** The first year of birth of those who are children now (under 18). */
const CHILDREN_BORN_FROM = new Date().getUTCFullYear() - 18;

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
 *   otherwise alike: twins and triplets (Jack and Jake, Ella and Emma). Review at most. Not where one
 *   name is plainly a misspelling of the other (GivenNameIndex: seen once, no name of its own, nearest
 *   to the other record's well-attested name, within two edits): twins have two real names.
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
    const years = a.dob?.year && b.dob?.year ? [a.dob.year, b.dob.year].sort((x, y) => x - y) : null;
    const yearsApart = years ? years[1]! - years[0]! : 0;
    if (d === 6 && yearsApart >= LINKAGE_CONFIG.guards.generationYears && years![1]! >= CHILDREN_BORN_FROM)
      return {
        reason: `the dates of birth are ${yearsApart} years apart and one is a child's: a parent and a child of one name look like this`,
        ceiling: LINKAGE_CONFIG.guards.noLinkCeiling,
      };
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
  if (
    LINKAGE_CONFIG.guards.givenNamesDiffer &&
    (g === 7 || ((g === 4 || g === 5) && !model.givenNames?.misspelt(a.givenFirst, b.givenFirst)))
  )
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
  /** Add the pairs implied by the links (impliedPairs); default LINKAGE_CONFIG.clusters.enabled. */
  implied?: boolean;
};

/**
 * The pairs the links imply: when A is linked to B and B to C, A and C are one person too, though A
 * and C may never have been compared (blocking) or may differ more than either differs from B. The
 * links at or above `linkAt` are grouped (union-find); inside a group of at most
 * `LINKAGE_CONFIG.clusters.maxSize` records, each pair not linked already is compared directly and
 * added only when no guard holds it (so twins joined through a record without a given name stay
 * apart) and its own probability reaches the review band. Its probability is the group's weakest
 * link. Linking two files, only pairs of one left and one right record are made.
 */
export function impliedPairs(
  model: MatchModel,
  left: readonly PreparedRecord[],
  right: readonly PreparedRecord[] | null,
  links: readonly ScoredPair[],
  linkAt: number,
): ScoredPair[] {
  const offset = right ? left.length : 0;
  const parent = new Int32Array(left.length + (right?.length ?? 0)).map((_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]!]!;
      x = parent[x]!;
    }
    return x;
  };
  const weakest = new Map<number, number>();
  const linked = new Set<string>();
  for (const p of links) {
    if (p.probability < linkAt) continue;
    linked.add(`${p.left},${p.right}`);
    const a = find(p.left);
    const b = find(p.right + offset);
    const w = Math.min(weakest.get(a) ?? 1, weakest.get(b) ?? 1, p.probability);
    if (a !== b) parent[a] = b;
    weakest.set(b, w);
  }
  const groups = new Map<number, number[]>();
  for (let x = 0; x < parent.length; x++) {
    const root = find(x);
    if (root === x && !weakest.has(x)) continue;
    const g = groups.get(root);
    if (g) g.push(x);
    else groups.set(root, [x]);
  }
  const other = right ?? left;
  const levels = new Uint8Array(model.comparisons.length);
  const out: ScoredPair[] = [];
  for (const [root, members] of groups) {
    if (members.length < 3 || members.length > LINKAGE_CONFIG.clusters.maxSize) continue;
    const probability = weakest.get(root)!;
    for (const x of members) {
      if (x >= left.length) continue;
      for (const y of members) {
        if (right ? y < offset : y <= x) continue;
        const j = y - offset;
        if (linked.has(`${x},${j}`)) continue;
        const a = left[x]!;
        const b = other[j]!;
        compareInto(model.comparisons, a, b, levels);
        if (guardFor(model, a, b, levels)) continue;
        if (probabilityOf(weightOf(model, a, levels)) < LINKAGE_CONFIG.bands.review) continue;
        out.push({ left: x, right: j, probability, raw: probability, implied: true });
      }
    }
  }
  return out;
}

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
    givenNames: new GivenNameIndex(everyone.map((r) => r.givenFirst)),
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
  if (options.implied ?? LINKAGE_CONFIG.clusters.enabled)
    pairs.push(
      ...impliedPairs(model, left, right, pairs, Math.max(threshold, LINKAGE_CONFIG.bands.autoLink)),
    );
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
