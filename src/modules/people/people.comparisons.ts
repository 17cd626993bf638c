import { distance } from 'fastest-levenshtein';
import { jaroWinkler } from './people.jaro-winkler.ts';
import { groupsMeet } from './people.nicknames.ts';
import type { PreparedRecord } from './people.normalise.ts';

/**
 * Comparisons: each turns a pair of prepared records into a level, from the strongest agreement down
 * to "different". Level 0 is always "missing" (either side lacks the field) and carries no weight.
 * The weight of every other level is estimated from the data (people.em.ts); nothing here says how much
 * a level is worth, only how alike two values are.
 *
 * Jaro-Winkler similarity is people.jaro-winkler.ts, edit distance from `fastest-levenshtein`,
 * phonetic codes (Double Metaphone) from `double-metaphone` at preparation (people.normalise.ts).
 */
export type Comparison = {
  key: string;
  /** Level labels; index 0 is "missing". */
  levels: readonly string[];
  compare: (a: PreparedRecord, b: PreparedRecord) => number;
  /** For a term-frequency adjustment of the exact level (level 1): the value whose frequency counts. */
  termValue?: (r: PreparedRecord) => string;
};

/** Jaro-Winkler bands used by the name and text comparisons. */
export const JW_HIGH = 0.92;
export const JW_LOW = 0.8;

/** Jaro-Winkler similarity; the ids (see intern) are kept for a cache if profiles ever call for one. */
function cachedJaroWinkler(_aId: number, a: string, _bId: number, b: string): number {
  return jaroWinkler(a, b);
}

/** Whether two strings are one edit apart: one character wrong, added or dropped, or two neighbours swapped. */
export function oneEditApart(a: string, b: string): boolean {
  if (a === b) return false;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  if (la === lb) {
    let first = -1;
    let mismatches = 0;
    for (let i = 0; i < la; i++) {
      if (a.charCodeAt(i) !== b.charCodeAt(i)) {
        if (++mismatches === 1) first = i;
        else if (mismatches > 2) return false;
      }
    }
    if (mismatches === 1) return true;
    // Two mismatches: a transposition of neighbours.
    return a[first] === b[first + 1] && a[first + 1] === b[first] && mismatches === 2;
  }
  return distance(a, b) === 1;
}

function sharedCodes(x: [string, string] | null, y: [string, string] | null): boolean {
  if (!x || !y) return false;
  return x[0] === y[0] || x[0] === y[1] || x[1] === y[0] || (x[1] === y[1] && x[1] !== '');
}

/**
 * The same name but for a typing error, for names compared across fields: equal, Jaro-Winkler ≥ 0.92, or
 * sounding the same (Double Metaphone) with Jaro-Winkler ≥ 0.80 ("osacar" and "oscar"). The first
 * letters must agree, which keeps this cheap on the many pairs whose names have nothing in common.
 */
function nearlySameName(
  x: string,
  xCodes: [string, string] | null,
  y: string,
  yCodes: [string, string] | null,
): boolean {
  if (!x || !y || x.charCodeAt(0) !== y.charCodeAt(0)) return false;
  if (x === y) return true;
  const jw = jaroWinkler(x, y);
  return jw >= JW_HIGH || (jw >= JW_LOW && sharedCodes(xCodes, yCodes));
}

/** Given and family names written the other way round in one record. */
export function namesSwapped(a: PreparedRecord, b: PreparedRecord): boolean {
  if (!a.givenFirst || !a.family || !b.givenFirst || !b.family) return false;
  return (
    nearlySameName(a.givenFirst, a.givenCodes, b.family, b.familyCodes) &&
    nearlySameName(a.family, a.familyCodes, b.givenFirst, b.givenCodes)
  );
}

/**
 * A record with one name only, written in the other field from where the other record has it: "Holly"
 * as a given name against "Thomson, Holly" (Holly the family name there), or "Holly" as a family name
 * against the given name Holly. Returns the field of the other record that the lone name agrees with
 * (and does not agree with the field it was written in), or null. The lone name then counts as that
 * field's agreement, and the other field as missing: the record names one field, not two, so it can
 * never make a given name agree where the record has none (twins stay apart).
 */
export function loneNameAcross(a: PreparedRecord, b: PreparedRecord): 'given' | 'family' | null {
  for (const [x, y] of [
    [a, b],
    [b, a],
  ] as const) {
    if (x.givenFirst && !x.family && y.family) {
      if (
        nearlySameName(x.givenFirst, x.givenCodes, y.family, y.familyCodes) &&
        !nearlySameName(x.givenFirst, x.givenCodes, y.givenFirst, y.givenCodes)
      )
        return 'family';
    } else if (x.family && !x.givenFirst && y.givenFirst) {
      if (
        nearlySameName(x.family, x.familyCodes, y.givenFirst, y.givenCodes) &&
        !nearlySameName(x.family, x.familyCodes, y.family, y.familyCodes)
      )
        return 'given';
    }
  }
  return null;
}

// --------------------------------------------------------------------------------------------------
// Names
// --------------------------------------------------------------------------------------------------

export const GIVEN_LEVELS = [
  'missing',
  'exact',
  'nickname, variant or other given name',
  `Jaro-Winkler ≥ ${JW_HIGH}`,
  'sounds the same (Double Metaphone)',
  `Jaro-Winkler ≥ ${JW_LOW}`,
  'initial agrees',
  'different',
] as const;

export const givenName: Comparison = {
  key: 'given_name',
  levels: GIVEN_LEVELS,
  termValue: (r) => r.given,
  compare(a, b) {
    if (!a.given || !b.given) return (a.given || b.given) && loneNameAcross(a, b) === 'given' ? 1 : 0;
    if (a.given === b.given || a.givenJoined === b.givenJoined) return 1;
    const af = a.givenFirst;
    const bf = b.givenFirst;
    if (af === bf || groupsMeet(a.givenGroups, b.givenGroups)) return 2;
    if (a.givenTokens.length > 1 || b.givenTokens.length > 1) {
      for (const t of a.givenTokens) if (t.length > 1 && b.givenTokens.includes(t)) return 2;
    }
    if (af.length === 1 || bf.length === 1) return af[0] === bf[0] ? 6 : 7;
    const jw = cachedJaroWinkler(a.givenFirstId, af, b.givenFirstId, bf);
    if (jw >= JW_HIGH) return 3;
    if (namesSwapped(a, b)) return 1;
    if (!a.family !== !b.family && loneNameAcross(a, b) === 'family') return 0;
    if (sharedCodes(a.givenCodes, b.givenCodes)) return 4;
    return jw >= JW_LOW ? 5 : 7;
  },
};

export const FAMILY_LEVELS = [
  'missing',
  'exact',
  `Jaro-Winkler ≥ ${JW_HIGH}`,
  'sounds the same (Double Metaphone)',
  'one part of a double-barrelled or hyphenated name',
  `Jaro-Winkler ≥ ${JW_LOW}`,
  'different',
] as const;

export const familyName: Comparison = {
  key: 'family_name',
  levels: FAMILY_LEVELS,
  termValue: (r) => r.family,
  compare(a, b) {
    if (!a.family || !b.family) return (a.family || b.family) && loneNameAcross(a, b) === 'family' ? 1 : 0;
    if (a.family === b.family) return 1;
    const jw = cachedJaroWinkler(a.familyId, a.family, b.familyId, b.family);
    if (jw >= JW_HIGH) return 2;
    if (namesSwapped(a, b)) return 1;
    if (!a.givenFirst !== !b.givenFirst && loneNameAcross(a, b) === 'given') return 0;
    if (sharedCodes(a.familyCodes, b.familyCodes)) return 3;
    if (a.familyTokens.length > 1 || b.familyTokens.length > 1) {
      for (const t of a.familyTokens) if (t.length > 1 && b.familyTokens.includes(t)) return 4;
    }
    return jw >= JW_LOW ? 5 : 6;
  },
};

// --------------------------------------------------------------------------------------------------
// Date of birth
// --------------------------------------------------------------------------------------------------

export const DOB_LEVELS = [
  'missing',
  'exact',
  'day and month swapped',
  'one digit wrong or two swapped',
  'within a month',
  'same year',
  'different',
] as const;

export const dateOfBirth: Comparison = {
  key: 'date_of_birth',
  levels: DOB_LEVELS,
  compare(a, b) {
    const x = a.dob;
    const y = b.dob;
    if (!x || !y) return 0;
    if (x.text === y.text) return 1;
    const xt = x.text;
    const yt = y.text;
    if (
      xt.length === 8 &&
      yt.length === 8 &&
      xt.slice(0, 4) === yt.slice(0, 4) &&
      xt.slice(4, 6) === yt.slice(6, 8) &&
      xt.slice(6, 8) === yt.slice(4, 6)
    )
      return 2;
    if (oneEditApart(xt, yt)) return 3;
    if (x.epochDay !== null && y.epochDay !== null && Math.abs(x.epochDay - y.epochDay) <= 31) return 4;
    if (x.year !== null && x.year === y.year) return 5;
    return 6;
  },
};

// --------------------------------------------------------------------------------------------------
// Sex, postcode, address, contact
// --------------------------------------------------------------------------------------------------

export const sex: Comparison = {
  key: 'sex',
  levels: ['missing', 'same', 'different'],
  compare: (a, b) => (!a.sex || !b.sex ? 0 : a.sex === b.sex ? 1 : 2),
};

export const postcode: Comparison = {
  key: 'postcode',
  levels: ['missing', 'exact', 'one character wrong', 'same sector', 'same outward code', 'different'],
  termValue: (r) => r.postcode,
  compare(a, b) {
    if (!a.postcode || !b.postcode) return 0;
    if (a.postcode === b.postcode) return 1;
    if (oneEditApart(a.postcode, b.postcode)) return 2;
    if (a.postcodeSector && a.postcodeSector === b.postcodeSector) return 3;
    if (a.postcodeOutward && a.postcodeOutward === b.postcodeOutward) return 4;
    return 5;
  },
};

export const streetNumber: Comparison = {
  key: 'street_number',
  levels: ['missing', 'exact', 'one character wrong', 'different'],
  compare(a, b) {
    if (!a.streetNumber || !b.streetNumber) return 0;
    if (a.streetNumber === b.streetNumber) return 1;
    return oneEditApart(a.streetNumber, b.streetNumber) ? 2 : 3;
  },
};

/** Share of the words of the shorter address that the other has too. */
function tokenOverlap(a: string[], b: string[]): number {
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  let found = 0;
  for (const t of short) if (long.includes(t)) found++;
  return short.length ? found / short.length : 0;
}

/**
 * Addresses are long and rarely repeat, so they are compared by edit distance (fastest-levenshtein,
 * bit-parallel) rather than Jaro-Winkler: "nearly the same" is within one edit per ten characters
 * (at least two), or the same words in another order.
 */
export const address: Comparison = {
  key: 'address',
  levels: ['missing', 'exact', 'nearly the same', 'some words in common', 'different'],
  compare(a, b) {
    if (!a.address || !b.address) return 0;
    if (a.address === b.address) return 1;
    const longest = Math.max(a.address.length, b.address.length);
    const allowed = Math.max(2, Math.floor(longest / 10));
    if (Math.abs(a.address.length - b.address.length) <= allowed && distance(a.address, b.address) <= allowed)
      return 2;
    const overlap = tokenOverlap(a.addressTokens, b.addressTokens);
    if (overlap >= 0.99 && a.addressTokens.length === b.addressTokens.length) return 2;
    return overlap >= 0.5 ? 3 : 4;
  },
};

function textComparison(
  key: string,
  value: (r: PreparedRecord) => string,
  id: ((r: PreparedRecord) => number) | null,
  withTermFrequency: boolean,
): Comparison {
  return {
    key,
    levels: ['missing', 'exact', 'nearly the same (Jaro-Winkler ≥ 0.88)', 'different'],
    termValue: withTermFrequency ? value : undefined,
    compare(a, b) {
      const x = value(a);
      const y = value(b);
      if (!x || !y) return 0;
      if (x === y) return 1;
      const jw = id ? cachedJaroWinkler(id(a), x, id(b), y) : jaroWinkler(x, y);
      return jw >= 0.88 ? 2 : 3;
    },
  };
}

export const locality = textComparison(
  'locality',
  (r) => r.locality,
  (r) => r.localityId,
  true,
);
export const city = textComparison(
  'city',
  (r) => r.city,
  (r) => r.cityId,
  true,
);
export const region = textComparison('region', (r) => r.region, null, false);

export const email: Comparison = {
  key: 'email',
  levels: ['missing', 'exact', 'same name before @ or one character wrong', 'different'],
  compare(a, b) {
    if (!a.email || !b.email) return 0;
    if (a.email === b.email) return 1;
    const al = a.email.split('@')[0];
    const bl = b.email.split('@')[0];
    if (al === bl || oneEditApart(a.email, b.email) || jaroWinkler(a.email, b.email) >= 0.95) return 2;
    return 3;
  },
};

export const IDENTIFIER_LEVELS = [
  'missing',
  'exact',
  'one character wrong or two swapped',
  'different',
  'different, and both pass the check digit',
] as const;

export function identifierComparison(system: string): Comparison {
  return {
    key: `identifier:${system}`,
    levels: IDENTIFIER_LEVELS,
    compare(a, b) {
      const x = a.identifiers[system];
      const y = b.identifiers[system];
      if (!x || !y) return 0;
      if (x.value === y.value) return 1;
      if (x.valid && y.valid) return 4;
      return oneEditApart(x.value, y.value) ? 2 : 3;
    },
  };
}

export function extraComparison(index: number, name: string): Comparison {
  return textComparison(`extra:${name}`, (r) => r.extra[index] ?? '', null, false);
}

/**
 * The comparisons worth making for two sets of records: those whose field some record on each side
 * has. Identifier systems and extra columns come from the records themselves.
 */
export function comparisonsFor(
  left: readonly PreparedRecord[],
  right: readonly PreparedRecord[],
  extraNames: readonly string[] = [],
): Comparison[] {
  const candidates: Comparison[] = [
    givenName,
    familyName,
    dateOfBirth,
    sex,
    postcode,
    streetNumber,
    address,
    locality,
    city,
    region,
    email,
  ];
  const systems = new Set<string>();
  for (const r of left) for (const s of Object.keys(r.identifiers)) systems.add(s);
  for (const s of [...systems].sort()) candidates.push(identifierComparison(s));
  extraNames.forEach((name, i) => candidates.push(extraComparison(i, name)));
  const present = (side: readonly PreparedRecord[], c: Comparison) => side.some((r) => c.compare(r, r) !== 0);
  return candidates.filter((c) => present(left, c) && present(right, c));
}
