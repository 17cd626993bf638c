import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  IDENTIFIER_SYSTEMS,
  checkChiNumber,
  checkIdentifier,
  checkNhsNumber,
  checkUpn,
  formatNhsNumber,
  identifierSchema,
  isNhsTestNumber,
  isTemporaryUpn,
  modulus11CheckDigit,
  upnCheckLetter,
  type IdentifierCheck,
} from './people.identifiers.ts';

/*
 * The examples are from the standards reference, section 1, or worked by hand from its algorithms (the
 * working is beside each one) and cross-checked once with a throwaway script. They are hard-coded, not
 * computed here, so that a wrong implementation cannot agree with itself.
 */

const NHS_MISMATCH =
  'This is not a real NHS number: the last digit does not match the other 9. Check it was copied correctly';
const NHS_NEVER_ISSUED =
  'This is not a real NHS number: no NHS number starts with these 9 digits. Check it was copied correctly';
const UPN_MISMATCH =
  'This is not a real UPN: the first letter does not match the rest. Check it was copied correctly';
const CHI_MISMATCH =
  'This is not a real CHI number: the last digit does not match the other 9. Check it was copied correctly';
const CHI_NEVER_ISSUED =
  'This is not a real CHI number: no CHI number starts with these 9 digits. Check it was copied correctly';

const reasonOf = (result: IdentifierCheck) => (result.ok ? undefined : result.reason);

const digit = fc.integer({ min: 0, max: 9 });
const digits = (n: number) => fc.array(digit, { minLength: n, maxLength: n }).map((ds) => ds.join(''));
const separator = fc.constantFrom('', '', '', ' ', '  ', '-', '\t', '\u00a0');

/** `s` with a separator (often none) before each character and at the end. */
function withSeparators(s: string) {
  return fc
    .array(separator, { minLength: s.length + 1, maxLength: s.length + 1 })
    .map((seps) => [...s].map((ch, i) => `${seps[i] ?? ''}${ch}`).join('') + (seps[s.length] ?? ''));
}

/** Nine digits not starting with 0 whose check digit exists, completed with it. */
const validNhs = fc
  .tuple(fc.integer({ min: 1, max: 9 }), digits(8))
  .map(([first, rest]) => `${first}${rest}`)
  .filter((nine) => modulus11CheckDigit(nine) !== undefined)
  .map((nine) => `${nine}${modulus11CheckDigit(nine)}`);

/** `s` with the character at `i` replaced. */
const replaceAt = (s: string, i: number, ch: string) => `${s.slice(0, i)}${ch}${s.slice(i + 1)}`;

describe('NHS number', () => {
  it.each([
    ['9434765919', 'the NHS Data Dictionary worked example: sum 299, 299 mod 11 = 2, 11 − 2 = 9'],
    ['9449306753', 'from the reference'],
    ['6541003238', 'from the reference'],
    ['9912003888', 'from the reference'],
    ['9990000018', 'test range: 90+81+72+2 = 245, 245 mod 11 = 3, 11 − 3 = 8'],
    ['9990000050', 'test range, check 11 becomes 0: 90+81+72+10 = 253 = 23 × 11'],
  ])('accepts %s (%s)', (raw) => {
    expect(checkNhsNumber(raw)).toEqual({ ok: true, value: raw });
  });

  it.each([
    ['943 476 5919'],
    ['943-476-5919'],
    [' 9434765919 '],
    ['943\u00a0476\u00a05919'],
    ['9 4 3 4 7 6 5 9 1 9'],
  ])('reads %j as 9434765919', (raw) => {
    expect(checkNhsNumber(raw)).toEqual({ ok: true, value: '9434765919' });
  });

  it.each([
    ['', 'Enter an NHS number'],
    ['   ', 'Enter an NHS number'],
    [' - ', 'Enter an NHS number'],
    ['9434765918', NHS_MISMATCH],
    ['9434765910', NHS_MISMATCH],
    ['4934765919', NHS_MISMATCH], // the first two digits swapped
    ['943476591', 'An NHS number has 10 digits; this has 9'],
    ['94347659190', 'An NHS number has 10 digits; this has 11'],
    ['94347659A9', 'An NHS number must only contain the numbers 0 to 9'],
    ['943.476.5919', 'An NHS number must only contain the numbers 0 to 9'],
    ['943/476/591', 'An NHS number must only contain the numbers 0 to 9'],
    [
      '\uff19\uff14\uff13\uff14\uff17\uff16\uff15\uff19\uff11\uff19',
      'An NHS number must only contain the numbers 0 to 9',
    ], // full-width
    // 0101011237 passes the modulus 11 check (it is the reference's CHI example) but starts with 0.
    ['0101011237', 'An NHS number cannot start with 0; numbers starting with 0 are Scottish CHI numbers'],
    ['0000000000', 'An NHS number cannot start with 0; numbers starting with 0 are Scottish CHI numbers'],
  ])('refuses %j: %s', (raw, reason) => {
    expect(checkNhsNumber(raw)).toEqual({ ok: false, reason });
  });

  // 9,9,9,0,0,0,0,0,0 weighted: 90+81+72 = 243, 243 mod 11 = 1, 11 − 1 = 10: never issued, whatever the last digit.
  it.each(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'])(
    'refuses 999000000%s: a check of 10 is never issued',
    (last) => {
      expect(checkNhsNumber(`999000000${last}`)).toEqual({ ok: false, reason: NHS_NEVER_ISSUED });
    },
  );

  it('works out the check digit, or none when it would be 10', () => {
    expect(modulus11CheckDigit('943476591')).toBe(9);
    expect(modulus11CheckDigit('999000005')).toBe(0);
    expect(modulus11CheckDigit('999000000')).toBeUndefined();
    expect(() => modulus11CheckDigit('94347659')).toThrow();
    expect(() => modulus11CheckDigit('94347659X')).toThrow();
  });

  it('tells a number in the test range 999 000 0000–999 999 9999', () => {
    expect(isNhsTestNumber('9990000018')).toBe(true);
    expect(isNhsTestNumber('999 000 0018')).toBe(true);
    expect(isNhsTestNumber('9999999999')).toBe(true);
    expect(isNhsTestNumber('9989999999')).toBe(false);
    expect(isNhsTestNumber('9434765919')).toBe(false);
    expect(isNhsTestNumber('9912003888')).toBe(false);
  });

  it('formats as 3 3 4 digits, leaving anything else alone', () => {
    expect(formatNhsNumber('9434765919')).toBe('943 476 5919');
    expect(formatNhsNumber('943-476-5919')).toBe('943 476 5919');
    expect(formatNhsNumber('94347659')).toBe('94347659');
    expect(formatNhsNumber('not known')).toBe('not known');
  });

  it('accepts exactly the 10 digits whose weighted sum, weights 10 to 1, is a multiple of 11', () => {
    // The modulus 11 rule said another way: 11 − (S mod 11) ≡ −S, so d10 is right when S + d10 ≡ 0 (mod 11),
    // and a check of 10 can never be met by a single digit.
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), digits(9), (first, rest) => {
        const n = `${first}${rest}`;
        const weighted = [...n].reduce((sum, d, i) => sum + Number(d) * (10 - i), 0);
        expect(checkNhsNumber(n).ok).toBe(weighted % 11 === 0);
      }),
      { numRuns: 2000 },
    );
  });

  it('completes any 9 digits with the computed check digit, or with no digit when the check is 10', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), digits(8), (first, rest) => {
        const nine = `${first}${rest}`;
        const accepted = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'].filter(
          (d) => checkNhsNumber(`${nine}${d}`).ok,
        );
        const check = modulus11CheckDigit(nine);
        expect(accepted).toEqual(check === undefined ? [] : [String(check)]);
        if (check === undefined) expect(reasonOf(checkNhsNumber(`${nine}0`))).toBe(NHS_NEVER_ISSUED);
      }),
    );
  });

  it('refuses a valid number with any one digit changed', () => {
    fc.assert(
      fc.property(validNhs, fc.nat(9), fc.integer({ min: 1, max: 9 }), (n, i, delta) => {
        const changed = replaceAt(n, i, String((Number(n[i]) + delta) % 10));
        expect(checkNhsNumber(changed).ok).toBe(false);
      }),
    );
  });

  it('refuses a valid number with two different neighbouring digits swapped', () => {
    fc.assert(
      fc.property(validNhs, fc.nat(8), (n, i) => {
        fc.pre(n[i] !== n[i + 1]);
        const swapped = `${n.slice(0, i)}${n[i + 1]}${n[i]}${n.slice(i + 2)}`;
        expect(checkNhsNumber(swapped).ok).toBe(false);
      }),
    );
  });

  it('ignores spaces and hyphens anywhere', () => {
    fc.assert(
      fc.property(
        validNhs.chain((n) => withSeparators(n).map((raw) => [n, raw] as const)),
        ([n, raw]) => {
          expect(checkNhsNumber(raw)).toEqual({ ok: true, value: n });
        },
      ),
    );
  });
});

describe('Unique pupil number (UPN)', () => {
  it.each([
    ['B801200005001', 'from the reference: sum 93, 93 mod 23 = 1 → B'],
    ['A950000178301', 'from the reference'],
    ['H243278544154', 'from the reference'],
    ['P207000016049', 'from the reference: sum 266, 266 mod 23 = 13 → P'],
    ['W201400025012', '4+4+20+18+50+12+26 = 134, 134 mod 23 = 19 → W'],
  ])('accepts the permanent UPN %s (%s)', (raw) => {
    expect(checkUpn(raw)).toEqual({ ok: true, value: raw });
    expect(isTemporaryUpn(raw)).toBe(false);
  });

  it.each([
    ['T20140002501A', '4+4+20+18+50+12 + A(0)×13 = 108, 108 mod 23 = 16 → T'],
    ['D20140002501Z', '108 + Z(22)×13 = 394, 394 mod 23 = 3 → D'],
  ])('accepts the temporary UPN %s (%s)', (raw) => {
    expect(checkUpn(raw)).toEqual({ ok: true, value: raw });
    expect(isTemporaryUpn(raw)).toBe(true);
  });

  it.each([
    ['b801200005001', 'B801200005001'],
    ['t20140002501a', 'T20140002501A'],
    [' B 801 2000 05 001 ', 'B801200005001'],
    ['B-801-2000-05-001', 'B801200005001'],
  ])('reads %j as %s', (raw, value) => {
    expect(checkUpn(raw)).toEqual({ ok: true, value });
  });

  it.each([
    ['', 'Enter a unique pupil number (UPN)'],
    ['Q207000016049', UPN_MISMATCH], // the published example with the arithmetic error
    ['A801200005001', UPN_MISMATCH],
    ['B801200005002', UPN_MISMATCH],
    ['B801200050001', UPN_MISMATCH], // neighbouring digits swapped
    ['T20140002501B', UPN_MISMATCH],
    ['B80120000500', 'A UPN has 13 characters; this has 12'],
    ['B8012000050011', 'A UPN has 13 characters; this has 14'],
    ['1801200005001', 'A UPN starts with a letter'],
    ['B8012000A5001', 'Characters 2 to 12 of a UPN must be numbers'],
    ['T2014000250AA', 'Characters 2 to 12 of a UPN must be numbers'],
    ['B80120000500!', 'The last character of a UPN must be a number, or a letter other than I, O or S'],
    ['T20140002501I', 'The last character of a UPN must be a number, or a letter other than I, O or S'],
    ['T20140002501O', 'The last character of a UPN must be a number, or a letter other than I, O or S'],
    ['T20140002501S', 'The last character of a UPN must be a number, or a letter other than I, O or S'],
    ['I801200005001', 'A UPN cannot start with I, O or S. Check it was copied correctly'],
    ['o801200005001', 'A UPN cannot start with I, O or S. Check it was copied correctly'],
    ['S801200005001', 'A UPN cannot start with I, O or S. Check it was copied correctly'],
  ])('refuses %j: %s', (raw, reason) => {
    expect(checkUpn(raw)).toEqual({ ok: false, reason });
  });

  it('works out the check letter from the 12 characters after it', () => {
    expect(upnCheckLetter('801200005001')).toBe('B');
    expect(upnCheckLetter('20140002501a')).toBe('T');
    expect(() => upnCheckLetter('80120000500')).toThrow();
    expect(() => upnCheckLetter('20140002501I')).toThrow();
  });

  const UPN_ALPHABET = 'ABCDEFGHJKLMNPQRTUVWXYZ';
  const upnLetter = fc.constantFrom(...UPN_ALPHABET);
  const upnLast = fc.oneof(digit.map(String), upnLetter);
  const upnBody = fc.tuple(digits(11), upnLast).map(([d, last]) => `${d}${last}`);
  const validUpn = upnBody.map((body) => `${upnCheckLetter(body)}${body}`);

  it('accepts exactly one of the 23 check letters for any 12 characters after it, never I, O or S', () => {
    fc.assert(
      fc.property(upnBody, (body) => {
        const accepted = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'].filter((l) => checkUpn(`${l}${body}`).ok);
        expect(accepted).toHaveLength(1);
        expect(accepted[0]).toBe(upnCheckLetter(body));
        expect(['I', 'O', 'S']).not.toContain(accepted[0]);
      }),
    );
  });

  it('refuses a valid UPN with any one character after the check letter changed for one of its kind', () => {
    fc.assert(
      fc.property(
        validUpn,
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 22 }),
        (upn, i, delta) => {
          // A digit becomes another digit; a final letter becomes another of the 23 letters.
          const ch = upn.charAt(i);
          const replacement = /\d/.test(ch)
            ? String((Number(ch) + (delta % 9) + 1) % 10)
            : UPN_ALPHABET.charAt((UPN_ALPHABET.indexOf(ch) + delta) % 23);
          expect(replacement).not.toBe(ch);
          expect(checkUpn(replaceAt(upn, i, replacement)).ok).toBe(false);
        },
      ),
    );
  });

  it('cannot tell a last digit from the letter of the same value (0 = A … 9 = K)', () => {
    // This follows from the algorithm: the letter in place 13 is worth its place in A B C D E F G H J K …
    expect(checkUpn('W201400025012').ok).toBe(true);
    expect(checkUpn('W20140002501C').ok).toBe(true);
    expect(checkUpn('T20140002501A').ok).toBe(true);
    expect(checkUpn('T201400025010').ok).toBe(true);
  });

  it('ignores case, spaces and hyphens', () => {
    fc.assert(
      fc.property(
        validUpn.chain((u) =>
          fc
            .array(fc.boolean(), { minLength: 13, maxLength: 13 })
            .map((lower) => [...u].map((ch, i) => (lower[i] ? ch.toLowerCase() : ch)).join(''))
            .chain(withSeparators)
            .map((raw) => [u, raw] as const),
        ),
        ([u, raw]) => {
          expect(checkUpn(raw)).toEqual({ ok: true, value: u });
        },
      ),
    );
  });
});

describe('CHI number', () => {
  it.each([
    ['0101011237', 'from the reference: born 01/01/01, sum 37, 11 − 4 = 7'],
    ['2902001231', 'born 29/02/00 (a leap year in 2000): 20+81+14+4+6+6 = 131, 131 mod 11 = 10, 11 − 10 = 1'],
  ])('accepts %s (%s)', (raw) => {
    expect(checkChiNumber(raw)).toEqual({ ok: true, value: raw });
  });

  it('keeps a leading 0 and ignores spaces and hyphens', () => {
    expect(checkChiNumber('010101 1237')).toEqual({ ok: true, value: '0101011237' });
    expect(checkChiNumber('010101-1237')).toEqual({ ok: true, value: '0101011237' });
  });

  const notADate = (ddmmyy: string) =>
    `The first 6 digits of a CHI number are the date of birth as DDMMYY, and ${ddmmyy} is not a real date`;

  it.each([
    ['', 'Enter a CHI number'],
    ['0101011238', CHI_MISMATCH],
    ['0101011273', CHI_NEVER_ISSUED], // 9+7+5+4+6+14 = 45, 45 mod 11 = 1, 11 − 1 = 10
    [
      '101011237',
      'A CHI number has 10 digits; this has 9. If it was kept as a number, a leading 0 may have been lost',
    ],
    ['01010112370', 'A CHI number has 10 digits; this has 11'],
    ['01010112', 'A CHI number has 10 digits; this has 8'],
    ['010101123A', 'A CHI number must only contain the numbers 0 to 9'],
    // The check digits below are right, so only the date is wrong.
    ['3002011231', notADate('300201')], // 30 February
    ['2902011237', notADate('290201')], // 29 February, neither 1901 nor 2001 a leap year
    ['0113011237', notADate('011301')], // month 13
    ['0001011235', notADate('000101')], // day 0
  ])('refuses %j: %s', (raw, reason) => {
    expect(checkChiNumber(raw)).toEqual({ ok: false, reason });
  });

  /** A CHI number for a real date of birth from 1900 to 2099, with a check digit that exists. */
  const validChi = fc
    .tuple(
      fc.date({
        min: new Date('1900-01-01T00:00:00Z'),
        max: new Date('2099-12-31T00:00:00Z'),
        noInvalidDate: true,
      }),
      digits(3),
    )
    .map(([date, serial]) => {
      const two = (n: number) => String(n).padStart(2, '0');
      return `${two(date.getUTCDate())}${two(date.getUTCMonth() + 1)}${two(date.getUTCFullYear() % 100)}${serial}`;
    })
    .filter((nine) => modulus11CheckDigit(nine) !== undefined)
    .map((nine) => `${nine}${modulus11CheckDigit(nine)}`);

  it('accepts any real date of birth followed by 3 digits and the check digit', () => {
    fc.assert(
      fc.property(validChi, (chi) => {
        expect(checkChiNumber(chi)).toEqual({ ok: true, value: chi });
      }),
    );
  });

  it('refuses a valid number with any one digit changed', () => {
    fc.assert(
      fc.property(validChi, fc.nat(9), fc.integer({ min: 1, max: 9 }), (chi, i, delta) => {
        const changed = replaceAt(chi, i, String((Number(chi[i]) + delta) % 10));
        expect(checkChiNumber(changed).ok).toBe(false);
      }),
    );
  });
});

describe('any identifier', () => {
  it.each([
    ['nhs', '943 476 5919', '9434765919'],
    ['upn', 'b801200005001', 'B801200005001'],
    ['chi', '010101 1237', '0101011237'],
  ] as const)('checks a %s as its own kind', (system, raw, value) => {
    expect(checkIdentifier(system, raw)).toEqual({ ok: true, value });
  });

  it('does not take one kind for another', () => {
    expect(checkIdentifier('nhs', '0101011237').ok).toBe(false);
    expect(checkIdentifier('chi', '9434765919').ok).toBe(false); // 94/34/76 is not a date
    expect(checkIdentifier('upn', '9434765919').ok).toBe(false);
  });

  it('gives every refusal as a plain sentence', () => {
    const raw = fc.oneof(
      fc.string({ maxLength: 16 }),
      digits(10),
      fc.stringMatching(/^[A-Za-z][0-9]{11}[0-9A-Za-z]$/),
    );
    fc.assert(
      fc.property(fc.constantFrom(...IDENTIFIER_SYSTEMS), raw, (system, input) => {
        const reason = reasonOf(checkIdentifier(system, input));
        if (reason === undefined) return;
        expect(reason).toMatch(/^[A-Z]/);
        expect(reason).not.toMatch(/undefined|NaN|null|modulus|mod 11|regex|\[object/i);
        expect(reason).not.toMatch(/\.$/);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('identifierSchema', () => {
  it('parses to the normalised value', () => {
    expect(identifierSchema('nhs').parse('943 476 5919')).toBe('9434765919');
    expect(identifierSchema('upn').parse('t20140002501a')).toBe('T20140002501A');
    expect(identifierSchema('chi').parse('010101-1237')).toBe('0101011237');
  });

  it('fails with the reason', () => {
    const result = identifierSchema('nhs').safeParse('9434765918');
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message)).toEqual([NHS_MISMATCH]);
  });

  it('asks for the identifier when it is missing', () => {
    expect(identifierSchema('nhs').safeParse(undefined).error?.issues[0]?.message).toBe(
      'Enter an NHS number',
    );
    expect(identifierSchema('upn').safeParse('').error?.issues[0]?.message).toBe(
      'Enter a unique pupil number (UPN)',
    );
  });

  it('agrees with checkIdentifier on any input', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...IDENTIFIER_SYSTEMS),
        fc.oneof(fc.string(), digits(10)),
        (system, input) => {
          const check = checkIdentifier(system, input);
          const parsed = identifierSchema(system).safeParse(input);
          if (check.ok) expect(parsed).toEqual({ success: true, data: check.value });
          else expect(parsed.error?.issues.map((i) => i.message)).toEqual([check.reason]);
        },
      ),
    );
  });
});
