/**
 * Estimating the Fellegi–Sunter parameters from the data, without labels: for every comparison level,
 * m (how often a true match shows it) and u (how often a non-match does), and λ (the share of compared
 * pairs that are matches), by expectation–maximisation over the comparison patterns of the candidate
 * pairs (Winkler's EM for record linkage, as Splink and fastLink do). u starts from pairs drawn at
 * random, m from a neutral prior that only says "agreement is commoner among matches"; both are then
 * re-estimated. A level never seen in the data keeps the prior's ratio.
 */

export type LevelParameters = { m: number[]; u: number[] };

export type EmInput = {
  /** Levels per comparison (index 0, "missing", is never counted). */
  levelCounts: readonly number[];
  /** Distinct patterns, flattened: pattern p's level for comparison c is patterns[p * C + c]. */
  patterns: Uint8Array;
  /** How many candidate pairs show each pattern. */
  counts: Float64Array;
  /** u from randomly drawn pairs (proportions over levels 1..n, index 0 ignored). */
  uStart: readonly (readonly number[])[];
};

export type EmResult = {
  lambda: number;
  parameters: LevelParameters[];
  iterations: number;
  converged: boolean;
};

/**
 * The prior m for a comparison with n levels (1..n-1 agreement of falling strength, n-1 "different"):
 * halving down the agreement levels, a little mass on "different". Only a starting point and a
 * fallback for unseen levels.
 */
export function priorM(levels: number): number[] {
  const m = new Array<number>(levels).fill(0);
  let mass = 0.9;
  for (let l = 1; l < levels - 1; l++) {
    m[l] = mass / 2;
    mass /= 2;
  }
  m[1]! += mass;
  m[levels - 1] = 0.05;
  return normalise(m);
}

function normalise(values: number[]): number[] {
  let sum = 0;
  for (let l = 1; l < values.length; l++) sum += values[l]!;
  return values.map((v, l) => (l === 0 || sum === 0 ? 0 : v / sum));
}

const FLOOR = 1e-6;

export function estimateParameters(
  input: EmInput,
  options: { maxIterations: number; tolerance: number; startLambda: number; fixU: boolean },
): EmResult {
  const C = input.levelCounts.length;
  const P = input.counts.length;
  const priors = input.levelCounts.map((n) => priorM(n));
  let m = priors.map((p) => [...p]);
  let u = input.uStart.map((row) => normalise(row.map((v) => Math.max(v, FLOOR))));
  let lambda = options.startLambda;
  // Which levels occur at all: a level nobody shows keeps the prior ratio.
  const seen = input.levelCounts.map((n) => new Array<boolean>(n).fill(false));
  for (let p = 0; p < P; p++) for (let c = 0; c < C; c++) seen[c]![input.patterns[p * C + c]!] = true;

  let iterations = 0;
  let converged = false;
  while (iterations < options.maxIterations) {
    iterations++;
    const cm = input.levelCounts.map((n) => new Array<number>(n).fill(0));
    const cu = input.levelCounts.map((n) => new Array<number>(n).fill(0));
    let matches = 0;
    let total = 0;
    for (let p = 0; p < P; p++) {
      let pm = lambda;
      let pu = 1 - lambda;
      for (let c = 0; c < C; c++) {
        const l = input.patterns[p * C + c]!;
        if (l === 0) continue;
        pm *= m[c]![l]!;
        pu *= u[c]![l]!;
      }
      const g = pm / (pm + pu);
      const n = input.counts[p]!;
      matches += g * n;
      total += n;
      for (let c = 0; c < C; c++) {
        const l = input.patterns[p * C + c]!;
        cm[c]![l]! += g * n;
        cu[c]![l]! += (1 - g) * n;
      }
    }
    // Half a pair at least, for a level seen in the data: the data cannot tell a rarer level from
    // one it never saw among matches, and a floor of nothing would make that level a veto.
    const nextM = cm.map((row, c) =>
      normalise(row.map((v, l) => (seen[c]![l] ? Math.max(v, 0.5) : priors[c]![l]! * 1e-3))),
    );
    const nextU = options.fixU
      ? u
      : cu.map((row, c) => normalise(row.map((v, l) => (seen[c]![l] ? Math.max(v, FLOOR) : u[c]![l]!))));
    const nextLambda = Math.min(Math.max(matches / Math.max(total, 1), 1e-9), 1 - 1e-9);
    let change = Math.abs(nextLambda - lambda);
    for (let c = 0; c < C; c++)
      for (let l = 1; l < nextM[c]!.length; l++) {
        change = Math.max(change, Math.abs(nextM[c]![l]! - m[c]![l]!), Math.abs(nextU[c]![l]! - u[c]![l]!));
      }
    m = nextM;
    u = nextU;
    lambda = nextLambda;
    if (change < options.tolerance) {
      converged = true;
      break;
    }
  }
  // Unseen levels: the prior's m against the sampled u, so the ratio is the prior's, not an artefact.
  const parameters = m.map((row, c) => {
    const mm = [...row];
    const uu = [...u[c]!];
    for (let l = 1; l < row.length; l++) {
      if (!seen[c]![l]) {
        // Evidence against keeps the prior's ratio; unseen evidence for counts for nothing.
        const u0 = Math.max(input.uStart[c]![l] ?? 0, FLOOR);
        mm[l] = Math.min(priors[c]![l]!, u0);
        uu[l] = u0;
      }
    }
    return { m: mm, u: uu };
  });
  return { lambda, parameters, iterations, converged };
}

/**
 * Term frequencies of a field's values and the adjustment, in bits, for agreeing exactly on a value:
 * log2(Σ f² / f(v)). Agreeing on a value as common as the average adds nothing; a rare surname adds,
 * a common one subtracts. Limited to ±limitBits.
 */
export function termFrequencyAdjustments(
  values: Iterable<string>,
  limitBits: number,
): { adjustment: (value: string) => number } {
  const counts = new Map<string, number>();
  let n = 0;
  for (const v of values) {
    if (!v) continue;
    counts.set(v, (counts.get(v) ?? 0) + 1);
    n++;
  }
  let sumSquares = 0;
  for (const c of counts.values()) sumSquares += (c / n) * (c / n);
  const cache = new Map<string, number>();
  return {
    adjustment(value: string) {
      let a = cache.get(value);
      if (a === undefined) {
        const f = (counts.get(value) ?? 1) / Math.max(n, 1);
        a = Math.max(-limitBits, Math.min(limitBits, Math.log2(sumSquares / f)));
        cache.set(value, a);
      }
      return a;
    },
  };
}
