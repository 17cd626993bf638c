import type { PreparedRecord } from './people.normalise.ts';

/**
 * Blocking: which pairs are compared at all. A pair is a candidate when the two records share the key
 * of at least one rule. The rules are a union of independent routes in, so that an error in any one
 * field (a mistyped date, a changed surname, a missing postcode) still leaves another route. Each pair
 * is produced once: by the first rule whose keys agree (a later rule skips pairs an earlier one has
 * made), so nothing needs to hold a set of all pairs, and a million records fit in memory.
 */
export type BlockingRule = { name: string; key: (r: PreparedRecord) => string | null };

const year = (r: PreparedRecord) => (r.dob?.year ? String(r.dob.year) : null);
const givenCode = (r: PreparedRecord) => r.givenCodes?.[0] ?? null;
const familyCode = (r: PreparedRecord) => r.familyCodes?.[0] ?? null;
/** Month and day of birth (MMDD), for dates whose year was mistyped. */
const monthDay = (r: PreparedRecord) => (r.dob?.text.length === 8 ? r.dob.text.slice(4) : null);
/** The part of an email address before the @, when it is long enough to say something. */
const emailName = (r: PreparedRecord) => {
  const at = r.email.indexOf('@');
  return at >= 3 ? r.email.slice(0, at) : null;
};
const both = (x: string | null, y: string | null) => (x && y ? `${x}|${y}` : null);

export function blockingRules(identifierSystems: readonly string[]): BlockingRule[] {
  return [
    ...identifierSystems.map((system): BlockingRule => ({
      name: `identifier ${system}`,
      key: (r) => r.identifiers[system]?.value ?? null,
    })),
    { name: 'date of birth', key: (r) => r.dob?.text || null },
    {
      name: 'given and family name sound the same (either order)',
      key: (r) => {
        const g = givenCode(r);
        const f = familyCode(r);
        if (!g || !f) return null;
        return g < f ? `${g}|${f}` : `${f}|${g}`;
      },
    },
    { name: 'family name sounds the same, same birth year', key: (r) => both(familyCode(r), year(r)) },
    { name: 'given name sounds the same, same birth year', key: (r) => both(givenCode(r), year(r)) },
    { name: 'postcode and street number', key: (r) => both(r.postcode || null, r.streetNumber || null) },
    {
      name: 'family name sounds the same, same postcode',
      key: (r) => both(familyCode(r), r.postcode || null),
    },
    { name: 'given name sounds the same, same postcode', key: (r) => both(givenCode(r), r.postcode || null) },
    { name: 'email', key: (r) => r.email || null },
    {
      name: 'family name sounds the same, same day and month of birth',
      key: (r) => both(familyCode(r), monthDay(r)),
    },
    {
      name: 'given name sounds the same, same day and month of birth',
      key: (r) => both(givenCode(r), monthDay(r)),
    },
    { name: 'email before the @', key: (r) => emailName(r) },
  ];
}

/**
 * Rules used to train the model (people.matching.ts), as in Splink: EM is run on the pairs one rule
 * makes, leaving out the comparisons that rule forces to agree, whose agreement there says nothing.
 * Each comparison's m comes from the sessions that did not leave it out.
 */
export const TRAINING_SESSIONS: readonly { rule: string; leaveOut: readonly string[] }[] = [
  { rule: 'date of birth', leaveOut: ['date_of_birth'] },
  { rule: 'given and family name sound the same (either order)', leaveOut: ['given_name', 'family_name'] },
  { rule: 'postcode and street number', leaveOut: ['postcode', 'street_number', 'address'] },
];

/** Each rule's key for every record, as small integers (-1: no key), shared between the two sides. */
function encodeKeys(
  rules: readonly BlockingRule[],
  sides: readonly (readonly PreparedRecord[])[],
): Int32Array[][] {
  return rules.map((rule) => {
    const ids = new Map<string, number>();
    return sides.map((records) => {
      const keys = new Int32Array(records.length);
      records.forEach((r, i) => {
        const k = rule.key(r);
        if (k === null) keys[i] = -1;
        else {
          let id = ids.get(k);
          if (id === undefined) ids.set(k, (id = ids.size));
          keys[i] = id;
        }
      });
      return keys;
    });
  });
}

/** Indices grouped by key: members of key k are order[start[k] .. start[k+1]), ascending. */
function groupByKey(keys: Int32Array): { start: Int32Array; order: Int32Array } {
  let max = -1;
  for (const k of keys) if (k > max) max = k;
  const start = new Int32Array(max + 2);
  for (const k of keys) if (k >= 0) start[k + 1]!++;
  for (let k = 1; k < start.length; k++) start[k]! += start[k - 1]!;
  const fill = start.slice(0, max + 1);
  const order = new Int32Array(start[max + 1] ?? 0);
  keys.forEach((k, i) => {
    if (k >= 0) order[fill[k]!++] = i;
  });
  return { start, order };
}

export type BlockingStats = {
  candidates: number;
  /** Pairs each rule added (those not already made by an earlier rule). */
  perRule: { name: string; pairs: number }[];
  /** Blocks skipped for holding more pairs than the cap: their pairs are not compared by that rule. */
  skippedBlocks: number;
};

/**
 * Calls visit(i, j) once for every candidate pair. Deduplication (right omitted): i < j, both indices
 * into left. Linking: i indexes left, j right. Blocks with more than maxBlockPairs pairs are skipped.
 */
export function forEachCandidate(
  rules: readonly BlockingRule[],
  left: readonly PreparedRecord[],
  right: readonly PreparedRecord[] | null,
  visit: (i: number, j: number) => void,
  maxBlockPairs: number,
): BlockingStats {
  const encoded = encodeKeys(rules, right ? [left, right] : [left]);
  const stats: BlockingStats = {
    candidates: 0,
    perRule: rules.map((r) => ({ name: r.name, pairs: 0 })),
    skippedBlocks: 0,
  };
  encoded.forEach((sides, r) => {
    const leftKeys = sides[0]!;
    const rightKeys = sides[1] ?? leftKeys;
    const earlier = encoded.slice(0, r).map((s) => [s[0]!, s[1] ?? s[0]!] as const);
    const seenBefore = (i: number, j: number) => {
      for (const [lk, rk] of earlier) {
        const k = lk[i]!;
        if (k >= 0 && k === rk[j]) return true;
      }
      return false;
    };
    let added = 0;
    const { start, order } = groupByKey(leftKeys);
    if (!right) {
      for (let k = 0; k + 1 < start.length; k++) {
        const from = start[k]!;
        const to = start[k + 1]!;
        const n = to - from;
        if (n < 2) continue;
        if ((n * (n - 1)) / 2 > maxBlockPairs) {
          stats.skippedBlocks++;
          continue;
        }
        for (let p = from; p < to; p++) {
          const i = order[p]!;
          for (let q = p + 1; q < to; q++) {
            const j = order[q]!;
            if (r > 0 && seenBefore(i, j)) continue;
            visit(i, j);
            added++;
          }
        }
      }
    } else {
      const rightGroups = groupByKey(rightKeys);
      for (let k = 0; k + 1 < start.length; k++) {
        const from = start[k]!;
        const to = start[k + 1]!;
        if (k + 1 >= rightGroups.start.length) break;
        const rFrom = rightGroups.start[k]!;
        const rTo = rightGroups.start[k + 1]!;
        if (to === from || rTo === rFrom) continue;
        if ((to - from) * (rTo - rFrom) > maxBlockPairs) {
          stats.skippedBlocks++;
          continue;
        }
        for (let p = from; p < to; p++) {
          const i = order[p]!;
          for (let q = rFrom; q < rTo; q++) {
            const j = rightGroups.order[q]!;
            if (r > 0 && seenBefore(i, j)) continue;
            visit(i, j);
            added++;
          }
        }
      }
    }
    stats.perRule[r]!.pairs = added;
    stats.candidates += added;
  });
  return stats;
}
