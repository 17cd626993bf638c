import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  address,
  dateOfBirth,
  familyName,
  givenName,
  identifierComparison,
  oneEditApart,
  postcode,
} from './people.comparisons.ts';
import { jaroWinkler } from './people.jaro-winkler.ts';
import type { LinkageRecord } from './people.linkage-io.ts';
import { prepareRecord, splitFullName } from './people.normalise.ts';
import { checkNhsNumber } from './people.identifiers.ts';

const check = (system: string, value: string) => (system === 'nhs' ? checkNhsNumber(value).ok : undefined);
const rec = (fields: Partial<LinkageRecord> & { dob?: string }) =>
  prepareRecord(
    {
      id: 'x',
      identifiers: {},
      extra: [],
      ...fields,
      dateOfBirth: fields.dob ? { value: fields.dob, format: 'YYYY-MM-DD' } : undefined,
    },
    check,
  );
const level = (c: { compare: typeof givenName.compare; levels: readonly string[] }, a: object, b: object) =>
  c.levels[c.compare(rec(a), rec(b))];

describe('Jaro-Winkler', () => {
  it('gives the published values', () => {
    expect(jaroWinkler('martha', 'marhta')).toBeCloseTo(0.9611, 4);
    expect(jaroWinkler('dwayne', 'duane')).toBeCloseTo(0.84, 4);
    expect(jaroWinkler('dixon', 'dicksonx')).toBeCloseTo(0.8133, 4);
    expect(jaroWinkler('abc', 'xyz')).toBe(0);
  });

  it('is symmetric, between 0 and 1, and 1 only for equal strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }), (a, b) => {
        const s = jaroWinkler(a, b);
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(1 + 1e-12);
        expect(Math.abs(s - jaroWinkler(b, a))).toBeLessThan(1e-12);
        if (a === b && a !== '') expect(s).toBe(1);
      }),
    );
  });
});

describe('one edit apart', () => {
  it('sees a wrong, extra, missing or swapped character', () => {
    expect(oneEditApart('20120315', '20120316')).toBe(true);
    expect(oneEditApart('20120315', '20123015')).toBe(true);
    expect(oneEditApart('20120315', '20120513')).toBe(false);
    expect(oneEditApart('20120315', '20121035')).toBe(false);
    expect(oneEditApart('20120315', '21020315')).toBe(true);
    expect(oneEditApart('smith', 'smth')).toBe(true);
    expect(oneEditApart('same', 'same')).toBe(false);
  });

  it('is symmetric', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 }), (a, b) => {
        expect(oneEditApart(a, b)).toBe(oneEditApart(b, a));
      }),
    );
  });
});

describe('name comparisons', () => {
  it('grade given names', () => {
    expect(level(givenName, { givenName: 'Oliver' }, { givenName: 'oliver' })).toBe('exact');
    expect(level(givenName, { givenName: 'William' }, { givenName: 'Bill' })).toMatch(/nickname/);
    expect(level(givenName, { givenName: 'Elizabeth' }, { givenName: 'Lizzie' })).toMatch(/nickname/);
    expect(
      level(
        givenName,
        { givenName: 'Mary Jane', familyName: 'Doe' },
        { givenName: 'Jane', familyName: 'Doe' },
      ),
    ).toMatch(/other given name/);
    expect(level(givenName, { givenName: 'Jonathan' }, { givenName: 'Jonathon' })).toMatch(/0.92/);
    expect(level(givenName, { givenName: 'Stephen' }, { givenName: 'Stefan' })).toMatch(/nickname|sounds/);
    expect(level(givenName, { givenName: 'Catherine' }, { givenName: 'Kathryn' })).toMatch(/nickname|sounds/);
    expect(level(givenName, { givenName: 'J' }, { givenName: 'James' })).toBe('initial agrees');
    expect(
      level(givenName, { givenName: 'Jac ob', familyName: 'Lee' }, { givenName: 'Jacob', familyName: 'Lee' }),
    ).toBe('exact');
    expect(level(givenName, { givenName: 'Oliver' }, { givenName: 'Jack' })).toBe('different');
    expect(level(givenName, { givenName: '' }, { givenName: 'Jack' })).toBe('missing');
  });

  it('find given and family names written the other way round', () => {
    const a = { givenName: 'Khan', familyName: 'Ayaan' };
    const b = { givenName: 'Ayaan', familyName: 'Khan' };
    expect(level(givenName, a, b)).toBe('exact');
    expect(level(familyName, a, b)).toBe('exact');
  });

  it('find swapped names with a typing error in one of them', () => {
    const a = { givenName: 'Osacar', familyName: 'Moore' };
    const b = { givenName: 'Moore', familyName: 'Oscar' };
    expect(level(givenName, a, b)).toBe('exact');
    expect(level(familyName, a, b)).toBe('exact');
    // Two different people whose names merely share letters are not swapped.
    expect(level(givenName, { givenName: 'Mark', familyName: 'Oscar' }, b)).toBe('different');
  });

  it('compare a lone name with the other record’s other field, never making a given name agree', () => {
    const both = { givenName: 'Thomson', familyName: 'Holly' };
    // "Holly" alone as a given name, against Holly as the family name: one name agrees, as the family.
    expect(level(familyName, { givenName: 'Holly' }, both)).toBe('exact');
    expect(level(givenName, { givenName: 'Holly' }, both)).toBe('missing');
    expect(level(familyName, both, { givenName: 'Holly' })).toBe('exact');
    // A lone family name that is the other record's given name: the given names agree.
    const ivy = { givenName: 'Ivy', familyName: 'Thomson' };
    expect(level(givenName, { familyName: 'Ivy' }, ivy)).toBe('exact');
    expect(level(familyName, { familyName: 'Ivy' }, ivy)).toBe('missing');
    // A twin's record holding only the surname, in the given-name field: no given name to agree.
    expect(level(givenName, { givenName: 'Thomson' }, ivy)).toBe('missing');
    expect(level(familyName, { givenName: 'Thomson' }, ivy)).toBe('exact');
    // A lone name agreeing with neither field stays different.
    expect(level(givenName, { givenName: 'Rosa' }, ivy)).toBe('different');
    expect(level(familyName, { familyName: 'Rosa' }, ivy)).toBe('different');
  });

  it('grade family names, double-barrelled and hyphenated ones included', () => {
    expect(level(familyName, { familyName: "O'Brien" }, { familyName: 'OBrien' })).toBe('exact');
    expect(level(familyName, { familyName: 'Smith' }, { familyName: 'Smyth' })).toMatch(/Jaro|sounds/);
    expect(level(familyName, { familyName: 'Clarke-Wilson' }, { familyName: 'Wilson' })).toMatch(
      /double-barrelled|Jaro/,
    );
    expect(level(familyName, { familyName: 'Ahmed Patel' }, { familyName: 'Patel' })).toMatch(
      /double-barrelled|Jaro/,
    );
    expect(level(familyName, { familyName: 'Smith' }, { familyName: 'Okafor' })).toBe('different');
  });

  it('transliterate other scripts and drop accents', () => {
    expect(level(givenName, { givenName: 'Amélie' }, { givenName: 'Amelie' })).toBe('exact');
    expect(level(givenName, { givenName: 'Александр' }, { givenName: 'Aleksandr' })).toBe('exact');
    expect(level(givenName, { givenName: 'Александр' }, { givenName: 'Alexander' })).toMatch(/nickname/);
    expect(level(givenName, { givenName: 'Mohammed' }, { givenName: 'Muhammad' })).toMatch(/nickname/);
    expect(level(givenName, { givenName: 'Yusuf' }, { givenName: 'Youssef' })).toMatch(/nickname|sounds/);
  });

  it('split a full name typed into one field', () => {
    expect(splitFullName('Smith, John Paul')).toEqual({ given: 'John Paul', family: 'Smith' });
    expect(splitFullName('John Paul Smith')).toEqual({ given: 'John Paul', family: 'Smith' });
    const full = rec({ fullName: 'Amira Hussain' });
    expect([full.given, full.family]).toEqual(['amira', 'hussain']);
    const inGiven = rec({ givenName: 'Amira Hussain' });
    expect([inGiven.given, inGiven.family]).toEqual(['amira', 'hussain']);
  });

  it('treat "baby of" and other placeholders as no given name', () => {
    for (const placeholder of ['Baby of Sarah', 'B/O Sarah', 'Twin 1', 'Unborn', 'Infant']) {
      const r = rec({ givenName: placeholder, familyName: 'Jones' });
      expect(r.placeholderName).toBe(true);
      expect(r.given).toBe('');
    }
    expect(rec({ givenName: 'Bo', familyName: 'Jones' }).placeholderName).toBe(false);
  });
});

describe('date of birth', () => {
  const dob = (a: string, b: string) => level(dateOfBirth, { dob: a }, { dob: b });
  it('grades dates', () => {
    expect(dob('2015-03-04', '2015-03-04')).toBe('exact');
    expect(dob('2015-03-04', '2015-04-03')).toBe('day and month swapped');
    expect(dob('2015-03-04', '2015-03-07')).toMatch(/one digit/);
    expect(dob('2015-03-04', '2015-03-28')).toBe('within a month');
    expect(dob('2015-03-04', '2015-11-20')).toBe('same year');
    expect(dob('2015-03-04', '2011-11-20')).toBe('different');
  });

  it('compares an impossible date as text instead of dropping it', () => {
    expect(dob('2015-13-04', '2015-13-04')).toBe('exact');
    expect(dob('2015-13-04', '2015-13-05')).toMatch(/one digit/);
    const r = rec({ dob: '2015-02-30' });
    expect(r.dob?.text).toBe('20150230');
    expect(r.dob?.epochDay).toBeNull();
  });

  it('reads the three formats', () => {
    const read = (value: string, format: 'YYYYMMDD' | 'YYYY-MM-DD' | 'DD/MM/YYYY') =>
      prepareRecord({ id: 'x', identifiers: {}, extra: [], dateOfBirth: { value, format } }, check).dob?.text;
    expect(read('20150304', 'YYYYMMDD')).toBe('20150304');
    expect(read('2015-03-04', 'YYYY-MM-DD')).toBe('20150304');
    expect(read('04/03/2015', 'DD/MM/YYYY')).toBe('20150304');
  });
});

describe('postcode, address and identifiers', () => {
  it('grades postcodes: full, one character, sector, outward code', () => {
    expect(level(postcode, { postcode: 'NB1 4AA' }, { postcode: 'nb14aa' })).toBe('exact');
    expect(level(postcode, { postcode: 'NB1 4AA' }, { postcode: 'NB1 4AB' })).toBe('one character wrong');
    expect(level(postcode, { postcode: 'NB1 4AA' }, { postcode: 'NB1 4XY' })).toBe('same sector');
    expect(level(postcode, { postcode: 'NB1 4AA' }, { postcode: 'NB1 7XY' })).toBe('same outward code');
    expect(level(postcode, { postcode: 'NB1 4AA' }, { postcode: 'NB9 7XY' })).toBe('different');
  });

  it('grades addresses by words', () => {
    expect(level(address, { addressLine1: '12 Mill Lane' }, { addressLine1: '12 mill lane' })).toBe('exact');
    expect(level(address, { addressLine1: '12 Mill Lane' }, { addressLine1: '12 Mill Lnae' })).toBe(
      'nearly the same',
    );
    expect(
      level(
        address,
        { addressLine1: 'Flat 3, Rose Court', addressLine2: 'Mill Lane' },
        { addressLine1: 'Mill Lane' },
      ),
    ).toBe('some words in common');
  });

  it('tells different valid NHS numbers from typing errors', () => {
    const nhs = identifierComparison('nhs');
    const with_ = (value: string) => ({ identifiers: { nhs: value } });
    expect(level(nhs, with_('943 476 5919'), with_('9434765919'))).toBe('exact');
    expect(level(nhs, with_('9434765919'), with_('9434765918'))).toMatch(/one character/);
    expect(level(nhs, with_('9434765919'), with_('9449306753'))).toMatch(/both pass/);
  });
});
