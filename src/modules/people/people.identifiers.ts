import { z } from 'zod';

/**
 * The national identifiers the person index accepts, checked as pure functions, by the published rules:
 * NHS number (NHS Data Dictionary, "NHS NUMBER"), Unique Pupil Number (DfE UPN guide and the UK
 * Government Data Standards Catalogue), Community Health Index (CHI) number (NHS Scotland).
 *
 * Every check first removes spaces and hyphens, so '943 476 5919' and '943-476-5919' are both read as
 * '9434765919'. A failed check never says what the check digit or letter should have been: "correcting"
 * a mistyped number to pass the check would link the record to someone else.
 */

export const IDENTIFIER_SYSTEMS = ['nhs', 'upn', 'chi'] as const;
export type IdentifierSystem = (typeof IDENTIFIER_SYSTEMS)[number];

export const IDENTIFIER_LABELS: Record<IdentifierSystem, string> = {
  nhs: 'NHS number',
  upn: 'Unique pupil number (UPN)',
  chi: 'CHI number',
};

/** The outcome of a check: the identifier as it is stored, or a sentence a person can act on. */
export type IdentifierCheck = { ok: true; value: string } | { ok: false; reason: string };

const COPY_AGAIN = 'Check it was copied correctly';

/** Spaces (of any kind) and hyphens are separators people type; they are not part of an identifier. */
function stripSeparators(raw: string): string {
  return raw.replace(/[\s-]/g, '');
}

function fail(reason: string): IdentifierCheck {
  return { ok: false, reason };
}

function digitsIn(s: string): number[] {
  return [...s].map(Number);
}

// ---------------------------------------------------------------------------------------------------
// Modulus 11 (NHS number and CHI number)
// ---------------------------------------------------------------------------------------------------

/**
 * The modulus 11 check digit for the first nine digits of an NHS or CHI number:
 * weights 10 down to 2, sum, remainder mod 11, check = 11 − remainder, 11 becomes 0. Returns undefined
 * when the check would be 10: no number is issued with those nine digits.
 */
export function modulus11CheckDigit(nineDigits: string): number | undefined {
  if (!/^\d{9}$/.test(nineDigits)) throw new Error('modulus11CheckDigit needs exactly nine digits');
  const sum = digitsIn(nineDigits).reduce((total, d, i) => total + d * (10 - i), 0);
  const check = 11 - (sum % 11);
  if (check === 10) return undefined;
  return check === 11 ? 0 : check;
}

/** Whether ten digits pass the modulus 11 check, a check of 10 failing. */
function passesModulus11(tenDigits: string): boolean {
  const expected = modulus11CheckDigit(tenDigits.slice(0, 9));
  return expected !== undefined && expected === Number(tenDigits[9]);
}

/** Why ten digits fail the modulus 11 check, in words, or undefined when they pass. */
function modulus11Problem(tenDigits: string, name: string): string | undefined {
  if (passesModulus11(tenDigits)) return undefined;
  if (modulus11CheckDigit(tenDigits.slice(0, 9)) === undefined) {
    return `This is not a real ${name}: no ${name} starts with these 9 digits. ${COPY_AGAIN}`;
  }
  return `This is not a real ${name}: the last digit does not match the other 9. ${COPY_AGAIN}`;
}

// ---------------------------------------------------------------------------------------------------
// NHS number
// ---------------------------------------------------------------------------------------------------

/**
 * An NHS number: 10 digits passing the modulus 11 check. Like the DfE single unique identifier code the
 * reference cites, a number starting with 0 is refused: those are in the Scottish CHI range. Numbers in
 * the test range 999 000 0000–999 999 9999 are accepted when their check digit is right, since they
 * are what fixtures use; see isNhsTestNumber. The issued-range table in the reference is not enforced.
 */
export function checkNhsNumber(raw: string): IdentifierCheck {
  const s = stripSeparators(raw);
  if (s === '') return fail('Enter an NHS number');
  if (!/^\d+$/.test(s)) return fail('An NHS number must only contain the numbers 0 to 9');
  if (s.length !== 10) return fail(`An NHS number has 10 digits; this has ${s.length}`);
  if (s.startsWith('0')) {
    return fail('An NHS number cannot start with 0; numbers starting with 0 are Scottish CHI numbers');
  }
  const problem = modulus11Problem(s, 'NHS number');
  return problem ? fail(problem) : { ok: true, value: s };
}

/** Whether a (normalised) NHS number is in the range 999 000 0000–999 999 9999, which is never issued. */
export function isNhsTestNumber(value: string): boolean {
  return /^999\d{7}$/.test(stripSeparators(value));
}

/** '9434765919' as '943 476 5919'. Anything that is not 10 digits comes back unchanged. */
export function formatNhsNumber(value: string): string {
  const s = stripSeparators(value);
  if (!/^\d{10}$/.test(s)) return value;
  return `${s.slice(0, 3)} ${s.slice(3, 6)} ${s.slice(6)}`;
}

// ---------------------------------------------------------------------------------------------------
// Unique Pupil Number
// ---------------------------------------------------------------------------------------------------

/** The 23 letters a UPN uses, in the order of their values 0 to 22. I, O and S are never used. */
const UPN_LETTERS = 'ABCDEFGHJKLMNPQRTUVWXYZ';

/**
 * The check letter for the 12 characters after it (positions 2 to 13): each character's value times its
 * position, summed, mod 23, looked up in UPN_LETTERS. Digits are worth their number; a letter in
 * position 13 (a temporary UPN) is worth its place in UPN_LETTERS.
 */
export function upnCheckLetter(body: string): string {
  const b = body.toUpperCase();
  if (!/^\d{11}[\dA-HJ-NP-RT-Z]$/.test(b)) {
    throw new Error('upnCheckLetter needs 11 digits then a digit or a letter other than I, O or S');
  }
  let sum = 0;
  for (let i = 0; i < 12; i++) {
    const ch = b.charAt(i);
    const value = /\d/.test(ch) ? Number(ch) : UPN_LETTERS.indexOf(ch);
    sum += value * (i + 2);
  }
  return UPN_LETTERS.charAt(sum % 23);
}

/**
 * A UPN, permanent (a letter and 12 digits) or temporary (a letter, 11 digits and a letter other than
 * I, O or S), whose first letter matches the check letter. Upper-cased. The DfE census list of local
 * authority numbers for characters 2–4 (rule 1530) is not applied: it changes by year, and the
 * reference's own worked examples (A950…, H243…) are outside the list it gives.
 */
export function checkUpn(raw: string): IdentifierCheck {
  const s = stripSeparators(raw).toUpperCase();
  if (s === '') return fail('Enter a unique pupil number (UPN)');
  if (s.length !== 13) return fail(`A UPN has 13 characters; this has ${s.length}`);
  if (!/^[A-Z]/.test(s)) return fail('A UPN starts with a letter');
  if (!/^.\d{11}/.test(s)) return fail('Characters 2 to 12 of a UPN must be numbers');
  if (!/[\dA-HJ-NP-RT-Z]$/.test(s)) {
    return fail('The last character of a UPN must be a number, or a letter other than I, O or S');
  }
  if (/^[IOS]/.test(s)) return fail(`A UPN cannot start with I, O or S. ${COPY_AGAIN}`);
  if (upnCheckLetter(s.slice(1)) !== s.charAt(0)) {
    return fail(`This is not a real UPN: the first letter does not match the rest. ${COPY_AGAIN}`);
  }
  return { ok: true, value: s };
}

/** Whether a UPN is temporary, that is, ends in a letter; a school replaces it with a permanent one. */
export function isTemporaryUpn(value: string): boolean {
  return /[A-Z]$/i.test(stripSeparators(value));
}

// ---------------------------------------------------------------------------------------------------
// Community Health Index number, Scotland
// ---------------------------------------------------------------------------------------------------

/**
 * Whether DDMMYY is a real date. The reference does not say which century YY is in; a date is accepted
 * if it is real in 19YY or in 20YY. That only matters for 29 February, which is then real whenever YY
 * is a multiple of 4 (1900 was not a leap year but 2000 was).
 */
function isRealDdmmyy(ddmmyy: string): boolean {
  const [dd, mm, yy] = [0, 2, 4].map((i) => Number(ddmmyy.slice(i, i + 2))) as [number, number, number];
  if (mm < 1 || mm > 12 || dd < 1) return false;
  const february = yy % 4 === 0 ? 29 : 28;
  const daysIn = [31, february, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mm - 1] ?? 0;
  return dd <= daysIn;
}

/**
 * A CHI number: 10 digits, the first six the date of birth as DDMMYY, the last a modulus 11 check digit
 * worked out as for an NHS number. It may start with 0, so it is kept as text.
 */
export function checkChiNumber(raw: string): IdentifierCheck {
  const s = stripSeparators(raw);
  if (s === '') return fail('Enter a CHI number');
  if (!/^\d+$/.test(s)) return fail('A CHI number must only contain the numbers 0 to 9');
  if (s.length === 9) {
    return fail(
      'A CHI number has 10 digits; this has 9. If it was kept as a number, a leading 0 may have been lost',
    );
  }
  if (s.length !== 10) return fail(`A CHI number has 10 digits; this has ${s.length}`);
  if (!isRealDdmmyy(s.slice(0, 6))) {
    return fail(
      `The first 6 digits of a CHI number are the date of birth as DDMMYY, and ${s.slice(0, 6)} is not a real date`,
    );
  }
  const problem = modulus11Problem(s, 'CHI number');
  return problem ? fail(problem) : { ok: true, value: s };
}

// ---------------------------------------------------------------------------------------------------
// Any of them
// ---------------------------------------------------------------------------------------------------

export function checkIdentifier(system: IdentifierSystem, raw: string): IdentifierCheck {
  switch (system) {
    case 'nhs':
      return checkNhsNumber(raw);
    case 'upn':
      return checkUpn(raw);
    case 'chi':
      return checkChiNumber(raw);
  }
}

/** A form or API field for one identifier: parses to the normalised value, or fails with the reason. */
export function identifierSchema(system: IdentifierSystem) {
  const missing = checkIdentifier(system, '');
  return z.string({ error: missing.ok ? undefined : missing.reason }).transform((raw, ctx) => {
    const result = checkIdentifier(system, raw);
    if (result.ok) return result.value;
    ctx.addIssue({ code: 'custom', message: result.reason });
    return z.NEVER;
  });
}
