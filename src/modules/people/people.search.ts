import { distance } from 'fastest-levenshtein';
import { checkChiNumber, checkNhsNumber, checkUpn, type IdentifierSystem } from './people.identifiers.ts';

/**
 * Person search, the parts that need no database: reading what was typed (name words, an identifier
 * of any of the three systems, a full postcode or its outward code) and ranking the candidates the
 * blocking keys found, with a score simple enough to explain and the reason in words.
 */

export type SearchIdentifier = { systems: IdentifierSystem[]; value: string };
export type SearchPostcode = { full: string | null; outward: string };

/** What a search asks for; the schema's output, and what a service caller passes. */
export type SearchCriteria = {
  name: string;
  dateOfBirth: string | null;
  /** Search within a year either side of the date of birth, for when it may be wrong. */
  dobWithinYear?: boolean;
  identifier?: SearchIdentifier | null;
  postcode?: SearchPostcode | null;
};

/** At most this many words of a name are searched for (given names, family names, in any order). */
export const MAX_NAME_WORDS = 4;

/** The words of a typed name: lower case, letters with any apostrophes or hyphens inside them. */
export function nameWords(name: string): string[] {
  const words = name
    .toLowerCase()
    .split(/[\s,]+/)
    .map((w) => w.replace(/[^\p{L}'-]/gu, '').replace(/^['-]+|['-]+$/g, ''))
    .filter((w) => w.length > 0 && w.length <= 50);
  return [...new Set(words)].slice(0, MAX_NAME_WORDS);
}

/** How many single-letter edits still count as the same word: none for two letters, one up to four. */
export function maxEdits(word: string): number {
  return word.length <= 2 ? 0 : word.length <= 4 ? 1 : 2;
}

/** Letters only, lower case, accents and apostrophes gone: 'O’Brien' and 'obrien' read the same. */
function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/['’]/g, '');
}

export type IdentifierRead = ({ ok: true } & SearchIdentifier) | { ok: false; reason: string };

/**
 * An NHS number, UPN or CHI number, told apart by its shape: a letter first is a UPN, a 0 first a CHI
 * number, other digits an NHS number (and a CHI number too when the first six digits are a date, as
 * both use the same check digit). The failing check's own words are the error.
 */
export function readSearchIdentifier(raw: string): IdentifierRead {
  const s = raw.replace(/[\s-]/g, '').toUpperCase();
  if (/^[A-Z]/.test(s)) {
    const upn = checkUpn(s);
    return upn.ok ? { ok: true, systems: ['upn'], value: upn.value } : upn;
  }
  if (/^\d+$/.test(s)) {
    if (s.startsWith('0')) {
      const chi = checkChiNumber(s);
      return chi.ok ? { ok: true, systems: ['chi'], value: chi.value } : chi;
    }
    const nhs = checkNhsNumber(s);
    if (!nhs.ok) return nhs;
    const systems: IdentifierSystem[] = checkChiNumber(s).ok ? ['nhs', 'chi'] : ['nhs'];
    return { ok: true, systems, value: nhs.value };
  }
  return {
    ok: false,
    reason: 'Enter an NHS number or CHI number (10 digits) or a UPN (a letter and 12 numbers or letters)',
  };
}

/** A full postcode ('NB1 2AB', any spacing or case) or an outward code ('NB1'); null if neither. */
export function readPostcode(raw: string): SearchPostcode | null {
  const s = raw.replace(/\s/g, '').toUpperCase();
  const full = /^([A-Z]{1,2}\d[A-Z\d]?)(\d[A-Z]{2})$/.exec(s);
  if (full) return { full: s, outward: full[1]! };
  if (/^[A-Z]{1,2}\d[A-Z\d]?$/.test(s)) return { full: null, outward: s };
  return null;
}

/** The date range a date of birth searches: the day itself, or a year either side. */
export function dobRange(criteria: SearchCriteria): { from: string; to: string } | null {
  if (!criteria.dateOfBirth) return null;
  if (!criteria.dobWithinYear) return { from: criteria.dateOfBirth, to: criteria.dateOfBirth };
  const shift = (years: number) => {
    const d = new Date(`${criteria.dateOfBirth}T00:00:00Z`);
    d.setUTCFullYear(d.getUTCFullYear() + years);
    return d.toISOString().slice(0, 10);
  };
  return { from: shift(-1), to: shift(1) };
}

// ---------------------------------------------------------------------------------------------------
// Ranking

/** A person a blocking key found, with what ranking needs; postcodes already without spaces. */
export type SearchCandidate = {
  id: string;
  kind: string;
  givenName: string | null;
  familyName: string;
  dateOfBirth: string | null;
  expectedDate: string | null;
  localityName: string | null;
  /** Double Metaphone codes (primary, alternate) of the family and given names, from the database. */
  familyCodes: string[];
  givenCodes: string[];
  /** Null for a protected address: a match on it is never shown. */
  householdPostcode: string | null;
  recordPostcodes: string[];
  /** The system whose identifier matched, when one did. */
  identifierSystem: IdentifierSystem | null;
  /** Found only by the trigram fallback: the name is alike as a whole, no word matching closely. */
  byTrigrams: boolean;
};

export type RankedResult = Omit<
  SearchCandidate,
  'familyCodes' | 'givenCodes' | 'householdPostcode' | 'recordPostcodes' | 'identifierSystem' | 'byTrigrams'
> & { score: number; reasons: string[]; reason: string };

type NameLevel = 'exact' | 'sounds' | 'swapped' | 'edit1' | 'edit2' | 'starts' | 'initial';

const NAME_POINTS: Record<NameLevel, number> = {
  exact: 30,
  swapped: 24,
  edit1: 24,
  sounds: 22,
  edit2: 16,
  starts: 12,
  initial: 6,
};

const NAME_WORDS: Record<NameLevel, (field: string) => string> = {
  exact: (f) => `${f} matches`,
  sounds: (f) => `${f} sounds the same`,
  swapped: (f) => `${f} with two letters swapped`,
  edit1: (f) => `${f} one letter different`,
  edit2: (f) => `${f} two letters different`,
  starts: (f) => `${f} starts the same`,
  initial: (f) => `${f} initial matches`,
};

/** A given name counts for less than a family name: fewer of them, more often shared. */
const GIVEN_WEIGHT = 0.7;

const IDENTIFIER_WORDS: Record<IdentifierSystem, string> = {
  nhs: 'NHS number matches',
  upn: 'UPN matches',
  chi: 'CHI number matches',
};

const POINTS = {
  identifier: 100,
  nameAlike: 8,
  dobExact: 25,
  dobWithinMonth: 15,
  dobWithinWindow: 8,
  dobDifferent: -10,
  postcode: 15,
  recordPostcode: 12,
  district: 5,
  recordDistrict: 3,
};

function isOneSwap(a: string, b: string): boolean {
  if (a.length !== b.length || a === b) return false;
  const diff = [...a].flatMap((c, i) => (c === b[i] ? [] : [i]));
  return (
    diff.length === 2 && diff[1] === diff[0]! + 1 && a[diff[0]!] === b[diff[1]] && a[diff[1]] === b[diff[0]!]
  );
}

/** How well one typed word matches a name (any of its parts): the best-scoring way, or null. */
function levelOf(
  word: string,
  wordCodes: readonly string[],
  name: string | null,
  nameCodes: readonly string[],
): NameLevel | null {
  if (!name) return null;
  const w = fold(word);
  const whole = fold(name);
  const parts = [...new Set([whole, ...whole.split(/[\s-]+/), whole.replace(/[\s-]/g, '')])].filter(Boolean);
  if (parts.includes(w)) return 'exact';
  const found: NameLevel[] = [];
  if (wordCodes.some((c) => c && nameCodes.includes(c))) found.push('sounds');
  if (parts.some((p) => isOneSwap(w, p))) found.push('swapped');
  const edits = Math.min(...parts.map((p) => distance(w, p)));
  if (edits <= maxEdits(w)) found.push(edits <= 1 ? 'edit1' : 'edit2');
  if (w.length >= 2 && parts.some((p) => p.startsWith(w))) found.push('starts');
  if (w.length === 1 && parts.some((p) => p.startsWith(w))) found.push('initial');
  return found.reduce<NameLevel | null>((a, b) => (a && NAME_POINTS[a] >= NAME_POINTS[b] ? a : b), null);
}

function daysBetween(a: string, b: string): number {
  return Math.round(Math.abs(Date.parse(`${a}T00:00:00Z`) - Date.parse(`${b}T00:00:00Z`)) / 86_400_000);
}

/** The name part of the score: the best reading of the words as a family name and a given name. */
function scoreName(words: readonly string[], codes: ReadonlyMap<string, string[]>, c: SearchCandidate) {
  const family = words.map((w) => levelOf(w, codes.get(w) ?? [], c.familyName, c.familyCodes));
  const given = words.map((w) => levelOf(w, codes.get(w) ?? [], c.givenName, c.givenCodes));
  let best = { points: 0, family: null as NameLevel | null, given: null as NameLevel | null };
  const consider = (f: NameLevel | null, g: NameLevel | null) => {
    const points = (f ? NAME_POINTS[f] : 0) + (g ? NAME_POINTS[g] * GIVEN_WEIGHT : 0);
    if (points > best.points) best = { points, family: f, given: g };
  };
  for (let i = 0; i < words.length; i++) {
    consider(family[i]!, null);
    consider(null, given[i]!);
    for (let j = 0; j < words.length; j++) if (j !== i) consider(family[i]!, given[j]!);
  }
  const reasons: string[] = [];
  if (best.family === 'exact' && best.given === 'exact') reasons.push('name matches');
  else {
    if (best.family) reasons.push(NAME_WORDS[best.family]('surname'));
    if (best.given) reasons.push(NAME_WORDS[best.given]('given name'));
  }
  return { points: best.points, reasons };
}

/**
 * Scores each candidate and puts the best first: an identifier match, then the name (exact, sounds
 * alike, a letter or two out, the start), the date of birth (the same day, within a month, within the
 * window) and the postcode. Ties go alphabetically. Each result says why it is there.
 */
export function rankCandidates(
  criteria: SearchCriteria,
  wordCodes: ReadonlyMap<string, string[]>,
  candidates: readonly SearchCandidate[],
): RankedResult[] {
  const words = nameWords(criteria.name);
  const range = dobRange(criteria);
  const ranked = candidates.map((c) => {
    const reasons: string[] = [];
    let score = 0;
    if (c.identifierSystem) {
      score += POINTS.identifier;
      reasons.push(IDENTIFIER_WORDS[c.identifierSystem]);
    }
    if (words.length > 0) {
      const name = scoreName(words, wordCodes, c);
      score += name.points;
      if (name.reasons.length) reasons.push(...name.reasons);
      else if (c.byTrigrams) {
        score += POINTS.nameAlike;
        reasons.push('name looks alike');
      } else reasons.push('name differs');
    }
    if (criteria.dateOfBirth && c.dateOfBirth) {
      const days = daysBetween(criteria.dateOfBirth, c.dateOfBirth);
      const inWindow = range !== null && c.dateOfBirth >= range.from && c.dateOfBirth <= range.to;
      if (days === 0) {
        score += POINTS.dobExact;
        reasons.push('born the same day');
      } else if (inWindow && days <= 31) {
        score += POINTS.dobWithinMonth;
        reasons.push(`born ${days} ${days === 1 ? 'day' : 'days'} apart`);
      } else if (inWindow) {
        score += POINTS.dobWithinWindow;
        reasons.push('born within a year');
      } else {
        score += POINTS.dobDifferent;
        reasons.push('different date of birth');
      }
    }
    const postcode = criteria.postcode;
    if (postcode) {
      const outwardOf = (p: string) => p.slice(0, -3);
      if (postcode.full && c.householdPostcode === postcode.full) {
        score += POINTS.postcode;
        reasons.push('lives at the postcode');
      } else if (postcode.full && c.recordPostcodes.includes(postcode.full)) {
        score += POINTS.recordPostcode;
        reasons.push('postcode on an agency’s record');
      } else if (c.householdPostcode && outwardOf(c.householdPostcode) === postcode.outward) {
        score += POINTS.district;
        reasons.push('lives in the postcode district');
      } else if (c.recordPostcodes.some((p) => outwardOf(p) === postcode.outward)) {
        score += POINTS.recordDistrict;
        reasons.push('postcode district on an agency’s record');
      }
    }
    const reason = reasons.join(', ');
    return {
      id: c.id,
      kind: c.kind,
      givenName: c.givenName,
      familyName: c.familyName,
      dateOfBirth: c.dateOfBirth,
      expectedDate: c.expectedDate,
      localityName: c.localityName,
      score: Math.round(score * 10) / 10,
      reasons,
      reason: reason.charAt(0).toUpperCase() + reason.slice(1),
    };
  });
  return ranked.sort(
    (a, b) =>
      b.score - a.score ||
      a.familyName.localeCompare(b.familyName) ||
      (a.givenName ?? '').localeCompare(b.givenName ?? '') ||
      a.id.localeCompare(b.id),
  );
}
