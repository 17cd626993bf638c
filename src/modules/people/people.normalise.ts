import { doubleMetaphone } from 'double-metaphone';
import { transliterate } from 'transliteration';
import type { DateFormat, LinkageRecord } from './people.linkage-io.ts';
import { variantGroups } from './people.nicknames.ts';

/**
 * A record made ready for comparison: names transliterated to ASCII and lower-cased, phonetic codes
 * (Double Metaphone, from the `double-metaphone` package), the date of birth read in its format,
 * postcode parts, address tokens, identifiers. Computed once per record, so that comparing a pair is
 * cheap.
 */
export type PreparedRecord = {
  id: string;
  /** Small integers naming distinct strings (see intern), for caching similarities. */
  givenFirstId: number;
  familyId: number;
  localityId: number;
  cityId: number;
  /** The whole given name ("mary jane"), its first word, and every word. */
  given: string;
  /** The given name without spaces, so that "jac ob" and "jacob" agree. */
  givenJoined: string;
  givenFirst: string;
  givenTokens: string[];
  /** The nickname and variant groups of the first given name (people.nicknames.ts). */
  givenGroups: readonly number[];
  givenCodes: [string, string] | null;
  family: string;
  familyTokens: string[];
  familyCodes: [string, string] | null;
  /** A placeholder such as "baby of Sarah", "unborn" or "twin 1": not a name, never a basis for a link. */
  placeholderName: boolean;
  dob: PreparedDate | null;
  sex: '' | 'f' | 'm';
  postcode: string;
  postcodeOutward: string;
  postcodeSector: string;
  streetNumber: string;
  /** Address lines 1 and 2 as one string, and their words in order. */
  address: string;
  addressTokens: string[];
  locality: string;
  city: string;
  region: string;
  email: string;
  /** system → normalised value, and whether it passes its check (undefined: no check known). */
  identifiers: Record<string, { value: string; valid: boolean | undefined }>;
  extra: string[];
};

export type PreparedDate = {
  /** YYYYMMDD when the value could be read in its format (even an impossible date), else the text. */
  text: string;
  year: number | null;
  month: number | null;
  day: number | null;
  /** Days since 1970-01-01 when the date is real. */
  epochDay: number | null;
};

const interned = new Map<string, number>();

/**
 * A small integer for a string, the same for equal strings throughout the process: comparisons cache
 * similarities of names by these. Only short name-like strings are interned, so the table stays small
 * next to the records themselves.
 */
export function intern(s: string): number {
  let id = interned.get(s);
  if (id === undefined) interned.set(s, (id = interned.size));
  return id;
}

/** Lower-case ASCII letters, digits and single spaces; other scripts transliterated, accents dropped. */
export function normaliseText(raw: string | undefined): string {
  if (!raw) return '';
  let s = raw;
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(s)) s = transliterate(s);
  return s
    .toLowerCase()
    .replace(/['’`]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

const PLACEHOLDER_FIRST_WORDS = new Set([
  'baby',
  'babe',
  'infant',
  'newborn',
  'unborn',
  'unnamed',
  'unknown',
  'twin',
  'triplet',
  'stillborn',
]);

/** Whether a given name is a placeholder for a child not yet named: "Baby of Sarah", "B/O Sarah", "Twin 2". */
export function isPlaceholderName(raw: string | undefined): boolean {
  if (!raw) return false;
  if (/^\s*b\s*\/\s*o\b/i.test(raw)) return true;
  const first = normaliseText(raw).split(' ')[0] ?? '';
  return (
    PLACEHOLDER_FIRST_WORDS.has(first) || /^(nk|not known|male|female|boy|girl)$/.test(normaliseText(raw))
  );
}

/** Splits a full name typed into one field: "Smith, John" or "John Smith" (the last word is the family name). */
export function splitFullName(raw: string): { given: string; family: string } {
  if (raw.includes(',')) {
    const [family = '', ...rest] = raw.split(',');
    return { given: rest.join(' ').trim(), family: family.trim() };
  }
  const words = raw.trim().split(/\s+/);
  if (words.length === 1) return { given: '', family: words[0] ?? '' };
  return { given: words.slice(0, -1).join(' '), family: words[words.length - 1] ?? '' };
}

/** Double Metaphone codes of a word, kept per word: names repeat, and the codes are a third of preparing. */
const codesByWord = new Map<string, [string, string] | null>();

function codes(word: string): [string, string] | null {
  if (!word) return null;
  let found = codesByWord.get(word);
  if (found === undefined) {
    const [primary, secondary] = doubleMetaphone(word);
    found = primary ? [primary, secondary || primary] : null;
    if (codesByWord.size < 200_000) codesByWord.set(word, found);
  }
  return found;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Reads a date of birth in its format. An impossible date is kept as text to compare, never dropped. */
export function prepareDate(value: string, format: DateFormat): PreparedDate | null {
  const raw = value.trim();
  if (!raw) return null;
  let parts: RegExpMatchArray | null = null;
  if (format === 'YYYYMMDD') parts = /^(\d{4})(\d{2})(\d{2})$/.exec(raw);
  else if (format === 'YYYY-MM-DD') parts = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(raw);
  else {
    const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(raw);
    if (m) parts = [m[0], m[3]!, m[2]!, m[1]!] as unknown as RegExpMatchArray;
  }
  if (!parts) {
    const yearOnly = /^\d{4}$/.test(raw) ? Number(raw) : null;
    return { text: raw.toLowerCase(), year: yearOnly, month: null, day: null, epochDay: null };
  }
  const year = Number(parts[1]);
  const month = Number(parts[2]);
  const day = Number(parts[3]);
  const text = `${parts[1]}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}`;
  const real =
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= (month === 2 && !isLeap(year) ? 28 : (DAYS_IN_MONTH[month - 1] ?? 0));
  return {
    text,
    year,
    month: real ? month : null,
    day: real ? day : null,
    epochDay: real ? Math.floor(Date.UTC(year, month - 1, day) / 86_400_000) : null,
  };
}

const UK_POSTCODE = /^([A-Z]{1,2}\d[A-Z\d]?)(\d)([A-Z]{2})$/;

function prepareSex(raw: string | undefined): '' | 'f' | 'm' {
  const s = normaliseText(raw);
  if (/^(f|female|girl|w|woman)$/.test(s)) return 'f';
  if (/^(m|male|boy|man)$/.test(s)) return 'm';
  return '';
}

/**
 * A checker per identifier system: true or false when the system has a check (NHS number, UPN, CHI),
 * undefined when it has none.
 */
export type IdentifierChecker = (system: string, value: string) => boolean | undefined;

export function prepareRecord(record: LinkageRecord, checkIdentifier: IdentifierChecker): PreparedRecord {
  let givenRaw = record.givenName ?? '';
  let familyRaw = record.familyName ?? '';
  if (record.fullName && (!givenRaw || !familyRaw)) {
    const split = splitFullName(record.fullName);
    if (!givenRaw && !familyRaw) {
      givenRaw = split.given;
      familyRaw = split.family;
    } else if (!givenRaw)
      givenRaw = record.fullName.includes(',') ? split.given : split.given || split.family;
    else familyRaw = split.family;
  }
  // A full name typed into the given-name field alone.
  if (givenRaw && !familyRaw && /\s/.test(givenRaw.trim()) && !isPlaceholderName(givenRaw)) {
    const split = splitFullName(givenRaw);
    givenRaw = split.given;
    familyRaw = split.family;
  }
  const placeholderName = isPlaceholderName(givenRaw);
  const given = placeholderName ? '' : normaliseText(givenRaw);
  const givenTokens = given ? given.split(' ') : [];
  const family = normaliseText(familyRaw);
  const familyTokens = family ? family.split(' ') : [];
  const postcode = (record.postcode ?? '').toUpperCase().replace(/[^A-Z0-9]/g, '');
  const uk = UK_POSTCODE.exec(postcode);
  const address = normaliseText([record.addressLine1, record.addressLine2].filter(Boolean).join(' '));
  const identifiers: PreparedRecord['identifiers'] = {};
  for (const [system, raw] of Object.entries(record.identifiers)) {
    const value = raw.replace(/[\s-]/g, '').toUpperCase();
    if (value) identifiers[system] = { value, valid: checkIdentifier(system, value) };
  }
  const givenFirst = givenTokens[0] ?? '';
  const locality = normaliseText(record.locality);
  const city = normaliseText(record.city);
  return {
    id: record.id,
    givenFirstId: intern(givenFirst),
    familyId: intern(family),
    localityId: intern(locality),
    cityId: intern(city),
    given,
    givenJoined: givenTokens.join(''),
    givenFirst,
    givenTokens,
    givenGroups: variantGroups(givenFirst),
    givenCodes: codes(givenFirst),
    family,
    familyTokens,
    familyCodes: codes(family.replace(/ /g, '')),
    placeholderName,
    dob: record.dateOfBirth ? prepareDate(record.dateOfBirth.value, record.dateOfBirth.format) : null,
    sex: prepareSex(record.sex),
    postcode,
    postcodeOutward: uk ? uk[1]! : '',
    postcodeSector: uk ? `${uk[1]}${uk[2]}` : '',
    streetNumber: normaliseText(record.streetNumber),
    address,
    addressTokens: address ? address.split(' ') : [],
    locality,
    city,
    region: normaliseText(record.region),
    email: (record.email ?? '').trim().toLowerCase(),
    identifiers,
    extra: record.extra.map((v) => normaliseText(v)),
  };
}
