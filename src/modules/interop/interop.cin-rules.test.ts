import { describe, expect, it } from 'vitest';
import type { CinChild, CinDetails, CinReturn } from './interop.cin-census.ts';
import { RULES, RULE_TEXTS, rulesFor, validateCinReturn, type RuleId } from './interop.cin-rules.ts';

/** A small, clean return for the 2024 to 2025 census: every rule passes on it. */
function details(overrides: Partial<CinDetails> = {}): CinDetails {
  return {
    referralDate: '2024-10-01',
    referralSource: '6',
    primaryNeedCode: 'N5',
    closureDate: null,
    reasonForClosure: null,
    dateOfInitialCpc: null,
    referralNfa: false,
    assessments: [{ startDate: '2024-10-02', authorisationDate: '2024-11-01', factors: ['3A'] }],
    cinPlanDates: [{ startDate: '2024-11-04', endDate: null }],
    section47s: [],
    protectionPlans: [],
    ...overrides,
  };
}

function child(id: string, overrides: Partial<CinChild> = {}): CinChild {
  return {
    personId: `person-${id}`,
    laChildId: id,
    upn: null,
    formerUpn: null,
    upnUnknown: 'UN2',
    birthDate: '2010-01-01',
    expectedBirthDate: null,
    sex: 'M',
    genderCurrent: '1',
    deathDate: null,
    ethnicity: 'WBRI',
    disabilities: ['NONE'],
    details: [details()],
    ...overrides,
  };
}

function cleanReturn(): CinReturn {
  return {
    header: {
      year: 2025,
      referenceDate: '2025-03-31',
      laCode: '370',
      softwareCode: 'Wraparound',
      release: '1.0',
      serialNo: 1,
      dateTime: '2025-04-10T09:00:00',
    },
    children: [
      child('A1', {
        upn: 'B801200005001',
        upnUnknown: null,
        birthDate: '2015-06-01',
        sex: 'F',
        genderCurrent: '2',
        disabilities: ['AUT', 'LD'],
        details: [
          details({
            referralDate: '2024-05-01',
            primaryNeedCode: 'N1',
            referralSource: '2A',
            assessments: [{ startDate: '2024-05-02', authorisationDate: '2024-06-10', factors: ['16A'] }],
            cinPlanDates: [{ startDate: '2024-06-11', endDate: '2024-08-30' }],
            section47s: [
              {
                startDate: '2024-09-02',
                initialCpcTarget: '2024-09-16',
                dateOfInitialCpc: '2024-09-16',
                icpcNotRequired: false,
              },
            ],
            protectionPlans: [
              {
                startDate: '2024-09-16',
                endDate: null,
                initialCategoryOfAbuse: 'NEG',
                latestCategoryOfAbuse: 'NEG',
                numberOfPreviousCpp: 0,
                reviewDates: ['2024-12-16'],
              },
            ],
          }),
        ],
      }),
      child('B2', {
        upnUnknown: 'UN1',
        birthDate: null,
        expectedBirthDate: '2025-06-01',
        sex: 'U',
        genderCurrent: '0',
        ethnicity: 'NOBT',
        disabilities: [],
        details: [
          details({
            referralDate: '2025-01-06',
            referralSource: '3B',
            primaryNeedCode: 'N4',
            closureDate: '2025-02-20',
            reasonForClosure: 'RC8',
            assessments: [{ startDate: '2025-01-07', authorisationDate: '2025-02-19', factors: ['21'] }],
            cinPlanDates: [],
          }),
        ],
      }),
      child('C3', { disabilities: ['BEH', 'COMM'] }),
      child('D4', { disabilities: ['MOB', 'HAND'], sex: 'F', genderCurrent: '2' }),
      child('E5', { disabilities: ['VIS', 'HEAR'] }),
    ],
  };
}

type Change = (r: CinReturn) => void;
const a1 = (r: CinReturn) => r.children[0]!;
const a1d = (r: CinReturn) => a1(r).details[0]!;
const b2 = (r: CinReturn) => r.children[1]!;
const b2d = (r: CinReturn) => b2(r).details[0]!;
const c3 = (r: CinReturn) => r.children[2]!;
const c3d = (r: CinReturn) => c3(r).details[0]!;
const cpp = (r: CinReturn) => a1d(r).protectionPlans[0]!;
const s47 = (r: CinReturn) => a1d(r).section47s[0]!;

/** For each rule, a change to the clean return that breaks it (rules of earlier years: see below). */
const BREAKS: Partial<Record<RuleId, Change>> = {
  'cin2022_23/100': (r) => void (r.header.referenceDate = '2025-03-30'),
  'cin2022_23/1103': (r) => void (c3d(r).assessments[0]!.startDate = '2024-09-30'),
  'cin2022_23/1104': (r) => void (a1d(r).referralDate = '2024-09-17'),
  'cin2022_23/1105': (r) => void (cpp(r).startDate = '2024-04-30'),
  'cin2022_23/1510': (r) => void (a1(r).upn = 'A801200005001'),
  'cin2022_23/1520': (r) => void (c3(r).upn = 'B801200005001'),
  'cin2023_24/1530': (r) => void (a1(r).upn = 'B999200005001'),
  'cin2022_23/1540': (r) => void (a1(r).upn = 'B8012000X5001'),
  'cin2022_23/1550': (r) => void (a1(r).upn = 'B80120000500I'),
  'cin2022_23/1560Q': (r) => void (a1(r).formerUpn = 'B80120'),
  'cin2022_23/2883': (r) => {
    s47(r).dateOfInitialCpc = null;
    s47(r).icpcNotRequired = true;
  },
  'cin2022_23/2884': (r) => void (a1d(r).dateOfInitialCpc = '2024-09-16'),
  'cin2022_23/2885': (r) => void (s47(r).dateOfInitialCpc = '2024-09-13'),
  'cin2024_25/2886Q': (r) => void (c3(r).sex = 'U'),
  'cin2022_23/2887Q': (r) => void (r.children[4]!.disabilities = ['NONE']),
  'cin2022_23/2888Q': (r) => {
    for (const c of r.children) if (c.disabilities.length > 1) c.disabilities = c.disabilities.slice(0, 1);
  },
  'cin2022_23/2889': (r) => void (s47(r).startDate = '2024-04-30'),
  'cin2022_23/2990': (r) => {
    b2d(r).cinPlanDates = [{ startDate: '2025-02-01', endDate: '2025-02-10' }];
  },
  'cin2022_23/2991Q': (r) => void (a1d(r).assessments = []),
  'cin2022_23/4000': (r) => void (c3d(r).referralNfa = true),
  'cin2022_23/4001': (r) => void (a1d(r).cinPlanDates = [{ startDate: '2024-10-01', endDate: '2024-10-20' }]),
  'cin2022_23/4003': (r) => void (a1d(r).cinPlanDates = [{ startDate: '2024-06-11', endDate: '2024-12-20' }]),
  'cin2022_23/4004': (r) => void c3d(r).cinPlanDates.push({ startDate: '2024-12-01', endDate: null }),
  'cin2022_23/4008': (r) => void (c3(r).deathDate = '2024-11-01'),
  'cin2022_23/4009Q': (r) => {
    a1(r).deathDate = '2024-08-01';
  },
  'cin2022_23/4010': (r) => void (c3d(r).cinPlanDates[0]!.startDate = '2025-04-02'),
  'cin2022_23/4011': (r) => void (c3d(r).cinPlanDates[0]!.endDate = '2024-11-01'),
  'cin2022_23/4012Q': (r) => void (c3d(r).cinPlanDates[0]!.endDate = '2024-11-04'),
  'cin2022_23/4013': (r) => void (c3d(r).cinPlanDates[0]!.endDate = '2025-04-04'),
  'cin2022_23/4014': (r) => void c3d(r).cinPlanDates.push({ startDate: '2024-12-01', endDate: '2025-01-01' }),
  'cin2022_23/4015': (r) => void (c3d(r).cinPlanDates[0]!.startDate = '2024-09-01'),
  'cin2022_23/4016': (r) => void (a1d(r).cinPlanDates[0]!.endDate = '2024-09-20'),
  'cin2022_23/4017': (r) => void (a1d(r).cinPlanDates[0]!.endDate = null),
  'cin2024_25/4180': (r) => void (c3(r).sex = null),
  'cin2022_23/4220': (r) => void (c3(r).ethnicity = 'XXXX'),
  'cin2022_23/8500': (r) => void (c3(r).laChildId = ''),
  'cin2022_23/8510': (r) => void (c3(r).laChildId = 'A1'),
  'cin2022_23/8520': (r) => void (c3(r).birthDate = '2025-04-02'),
  'cin2022_23/8525Q': (r) => void (c3(r).expectedBirthDate = '2010-01-01'),
  'cin2022_23/8530Q': (r) => void (b2(r).expectedBirthDate = '2026-01-10'),
  'cin2022_23/8535Q': (r) => void (c3(r).deathDate = '2009-01-01'),
  'cin2022_23/8540': (r) => void (c3(r).disabilities = []),
  'cin2022_23/8545Q': (r) => void (c3(r).deathDate = '2025-04-10'),
  'cin2022_23/8555Q': (r) => void (c3(r).deathDate = '2024-09-01'),
  'cin2022_23/8565': (r) => {
    c3d(r).closureDate = '2024-11-02';
    c3d(r).reasonForClosure = 'RC7';
  },
  'cin2022_23/8568': (r) => void (c3d(r).referralNfa = null),
  'cin2022_23/8569Q': (r) => {
    c3d(r).referralNfa = true;
    c3d(r).referralDate = '2024-03-01';
  },
  'cin2022_23/8585Q': (r) => void (b2d(r).reasonForClosure = 'RC2'),
  'cin2022_23/8590': (r) => void (c3(r).details = []),
  'cin2022_23/8600': (r) => void (c3d(r).referralDate = '2025-04-01'),
  'cin2022_23/8606': (r) => void (b2d(r).referralDate = '2024-08-01'),
  'cin2022_23/8608': (r) => void (c3d(r).assessments[0]!.authorisationDate = '2024-10-01'),
  'cin2022_23/8610': (r) => void (c3d(r).primaryNeedCode = null),
  'cin2022_23/8614': (r) => void (c3d(r).assessments[0]!.authorisationDate = null),
  'cin2022_23/8615': (r) => void (s47(r).startDate = '2024-09-20'),
  'cin2022_23/8620': (r) => void (b2d(r).closureDate = '2025-04-02'),
  'cin2022_23/8630': (r) => void (b2d(r).closureDate = '2025-01-05'),
  'cin2022_23/8640': (r) => void (b2d(r).reasonForClosure = 'RC10'),
  'cin2022_23/8650': (r) => void (c3d(r).primaryNeedCode = 'N10'),
  'cin2022_23/8670Q': (r) => {
    c3d(r).assessments[0]!.authorisationDate = null;
    c3d(r).assessments[0]!.factors = [];
  },
  'cin2022_23/8675Q': (r) => {
    s47(r).dateOfInitialCpc = null;
  },
  'cin2022_23/8696': (r) => void (a1d(r).assessments[0]!.authorisationDate = '2025-04-03'),
  'cin2022_23/8715': (r) => {
    s47(r).dateOfInitialCpc = '2024-03-11';
  },
  'cin2022_23/8720': (r) => void (cpp(r).startDate = '2025-04-07'),
  'cin2022_23/8730': (r) => void (cpp(r).numberOfPreviousCpp = null),
  'cin2022_23/8736': (r) => {
    c3d(r).referralDate = '2024-03-01';
    c3d(r).assessments[0] = { startDate: '2024-03-02', authorisationDate: null, factors: [] };
    c3d(r).cinPlanDates = [];
  },
  'cin2022_23/8740': (r) => {
    a1d(r).referralDate = '2024-03-01';
    s47(r).startDate = '2024-03-04';
    s47(r).dateOfInitialCpc = null;
  },
  'cin2024_25/8750': (r) => void (b2(r).sex = 'F'),
  'cin2024_25/8770Q': (r) => void (c3(r).upnUnknown = 'UN1'),
  'cin2022_23/8772': (r) => void (c3(r).upnUnknown = 'UN7'),
  'cin2022_23/8775Q': (r) => void (c3(r).birthDate = '1998-01-01'),
  'cin2022_23/8790': (r) => void (c3(r).disabilities = ['NONE', 'BEH']),
  'cin2022_23/8794': (r) => void (c3(r).disabilities = ['BEH', 'BEH', 'COMM']),
  'cin2022_23/8805': (r) => void (b2d(r).reasonForClosure = null),
  'cin2022_23/8810': (r) => void (b2d(r).closureDate = null),
  'cin2022_23/8815': (r) =>
    void c3(r).details.push(details({ referralDate: '2025-01-10', assessments: [], cinPlanDates: [] })),
  'cin2022_23/8816': (r) => {
    c3(r).details.push(
      details({
        referralDate: '2025-01-10',
        closureDate: '2025-02-01',
        reasonForClosure: 'RC8',
        cinPlanDates: [],
        assessments: [{ startDate: '2025-01-11', authorisationDate: '2025-01-30', factors: ['21'] }],
      }),
    );
  },
  'cin2022_23/8820': (r) => {
    c3(r).details.unshift(
      details({
        referralDate: '2024-09-01',
        closureDate: '2024-10-15',
        reasonForClosure: 'RC7',
        cinPlanDates: [],
        assessments: [],
      }),
    );
  },
  'cin2022_23/8825Q': (r) => void (b2d(r).assessments = []),
  'cin2022_23/8831': (r) => {
    b2d(r).referralNfa = true;
  },
  'cin2022_23/8832': (r) => void (a1d(r).referralNfa = true),
  'cin2022_23/8839': (r) => {
    s47(r).dateOfInitialCpc = null;
    a1d(r).section47s.push({
      startDate: '2024-09-05',
      initialCpcTarget: null,
      dateOfInitialCpc: null,
      icpcNotRequired: false,
    });
  },
  'cin2022_23/8840': (r) => void (cpp(r).endDate = '2024-09-16'),
  'cin2022_23/8841': (r) => void (cpp(r).reviewDates = ['2024-09-16']),
  'cin2022_23/8842Q': (r) => void (cpp(r).reviewDates = ['']),
  'cin2022_23/8863Q': (r) =>
    void c3d(r).assessments.push({
      startDate: '2024-10-10',
      authorisationDate: '2024-10-30',
      factors: ['3A'],
    }),
  'cin2022_23/8866': (r) => void (c3d(r).referralSource = '11'),
  'cin2022_23/8867': (r) => {
    b2d(r).assessments[0]!.authorisationDate = null;
    b2d(r).assessments[0]!.factors = [];
  },
  'cin2022_23/8868': (r) => {
    b2d(r).reasonForClosure = 'RC7';
    b2d(r).section47s = [
      { startDate: '2025-01-08', initialCpcTarget: null, dateOfInitialCpc: null, icpcNotRequired: false },
    ];
  },
  'cin2022_23/8869': (r) => void (b2d(r).assessments[0]!.factors = ['21', '3A']),
  'cin2022_23/8870Q': (r) => void (s47(r).initialCpcTarget = '2024-09-14'),
  'cin2022_23/8873Q': (r) => void (b2d(r).reasonForClosure = 'RC7'),
  'cin2022_23/8875': (r) => {
    s47(r).dateOfInitialCpc = '2024-09-15';
    cpp(r).startDate = '2024-09-15';
  },
  'cin2022_23/8890': (r) => {
    s47(r).dateOfInitialCpc = null;
    c3d(r).section47s = [
      { startDate: '2024-10-03', initialCpcTarget: null, dateOfInitialCpc: null, icpcNotRequired: true },
    ];
    c3d(r).section47s.unshift({
      startDate: '2024-10-02',
      initialCpcTarget: null,
      dateOfInitialCpc: null,
      icpcNotRequired: false,
    });
  },
  'cin2022_23/8896': (r) => {
    c3d(r).assessments = [
      { startDate: '2024-10-02', authorisationDate: null, factors: [] },
      { startDate: '2024-10-03', authorisationDate: null, factors: [] },
    ];
  },
  'cin2022_23/8897Q': (r) => void (c3d(r).assessments[0]!.factors = []),
  'cin2022_23/8898': (r) => void (c3d(r).assessments[0]!.factors = ['3A', '3A']),
  'cin2022_23/8905': (r) => void (cpp(r).initialCategoryOfAbuse = null),
  'cin2022_23/8910': (r) => void (cpp(r).latestCategoryOfAbuse = 'XXX'),
  'cin2022_23/8915': (r) => void (a1(r).deathDate = '2024-09-15'),
  'cin2022_23/8920': (r) => {
    cpp(r).endDate = '2025-01-10';
    a1(r).deathDate = '2025-01-09';
  },
  'cin2022_23/8925': (r) => void (cpp(r).endDate = '2024-09-10'),
  'cin2022_23/8930': (r) => void (cpp(r).endDate = '2025-04-10'),
  'cin2022_23/8935': (r) =>
    void a1d(r).protectionPlans.push({ ...cpp(r), startDate: '2025-01-06', reviewDates: [] }),
  'cin2022_23/8940': (r) => {
    cpp(r).endDate = '2024-12-20';
    a1d(r).protectionPlans.push({
      ...cpp(r),
      startDate: '2024-12-01',
      endDate: '2025-01-10',
      reviewDates: [],
    });
  },
  'cin2024_25/1570': (r) => void (c3(r).laChildId = 'C'.repeat(21)),
  'cin2024_25/1580': (r) => void (c3(r).laChildId = 'C-3'),
  'cin2024_25/8945Q': (r) => void (c3d(r).assessments[0]!.factors = ['18A']),
  'cin2024_25/8950Q': (r) => void (c3d(r).assessments[0]!.factors = ['19A']),
};

/** The rules of earlier years (replaced from 2024 or 2025), broken in a return for 2023 to 2024. */
const BREAKS_2024: Partial<Record<RuleId, Change>> = {
  'cin2022_23/2886Q': (r) => void (c3(r).genderCurrent = '0'),
  'cin2022_23/4180': (r) => void (c3(r).genderCurrent = null),
  'cin2022_23/8750': (r) => void (b2(r).genderCurrent = '1'),
  'cin2022_23/8770Q': (r) => void (c3(r).upnUnknown = null),
};

/** The clean return moved back a year, to 2023 to 2024. */
function cleanReturn2024(): CinReturn {
  const json = JSON.stringify(cleanReturn()).replace(
    /"(20\d\d)-(\d\d)-(\d\d)"/g,
    (_m, y: string, m: string, d: string) => {
      const date = `${Number(y) - 1}-${m}-${d}`;
      return JSON.stringify(date === '2023-02-29' ? '2023-02-28' : date);
    },
  );
  const r = JSON.parse(json) as CinReturn;
  r.header.year = 2024;
  r.header.referenceDate = '2024-03-31';
  // Weekdays move with the year: keep the conference on a Monday.
  const s = a1d(r).section47s[0]!;
  s.startDate = '2023-09-04';
  s.dateOfInitialCpc = s.initialCpcTarget = a1d(r).protectionPlans[0]!.startDate = '2023-09-18';
  a1d(r).protectionPlans[0]!.reviewDates = ['2023-12-18'];
  return r;
}

const codesFailing = (r: CinReturn) => validateCinReturn(r).map((f) => f.ruleId);

describe('CIN census rules', () => {
  it('has one check for each of the 114 published rules', () => {
    expect(RULE_TEXTS).toHaveLength(114);
    expect(Object.keys(RULES).sort()).toEqual(RULE_TEXTS.map((t) => t.id).sort());
  });

  it('applies the latest version of each rule to the year', () => {
    const ids2025 = rulesFor(2025).map((t) => t.id);
    expect(ids2025).toContain('cin2024_25/4180');
    expect(ids2025).not.toContain('cin2022_23/4180');
    expect(ids2025).toContain('cin2023_24/1530');
    expect(ids2025).not.toContain('cin2022_23/1530');
    const ids2023 = rulesFor(2023).map((t) => t.id);
    expect(ids2023).toContain('cin2022_23/4180');
    expect(ids2023).not.toContain('cin2024_25/1570');
    expect(ids2023).not.toContain('cin2023_24/1530');
    expect(rulesFor(2025)).toHaveLength(114 - 5);
  });

  it('passes a clean return for 2025 and for 2024', () => {
    expect(validateCinReturn(cleanReturn())).toEqual([]);
    expect(validateCinReturn(cleanReturn2024())).toEqual([]);
  });

  it('has a breaking change for every rule that applies in 2025 or before', () => {
    const covered = new Set([...Object.keys(BREAKS), ...Object.keys(BREAKS_2024), 'cin2022_23/1530']);
    expect(RULE_TEXTS.map((t) => t.id).filter((id) => !covered.has(id))).toEqual([]);
  });

  for (const [id, change] of Object.entries(BREAKS) as [RuleId, Change][]) {
    it(`fails ${id} on a return that breaks it`, () => {
      const r = cleanReturn();
      change(r);
      expect(codesFailing(r)).toContain(id);
    });
  }

  for (const [id, change] of Object.entries(BREAKS_2024) as [RuleId, Change][]) {
    it(`fails ${id} on a 2024 return that breaks it, and not in 2025`, () => {
      const r = cleanReturn2024();
      change(r);
      expect(codesFailing(r)).toContain(id);
      const later = cleanReturn();
      change(later);
      expect(codesFailing(later)).not.toContain(id);
    });
  }

  it('checks UPN LA codes with the first version of 1530 up to 2023', () => {
    const r = cleanReturn2024();
    r.header.year = 2023;
    r.header.referenceDate = '2023-03-31';
    a1(r).upn = 'B999200005001';
    const ids = validateCinReturn(r).map((f) => f.ruleId);
    expect(ids).toContain('cin2022_23/1530');
    expect(ids).not.toContain('cin2023_24/1530');
  });

  it('reports a failure with its child, referral, fields and level', () => {
    const r = cleanReturn();
    c3d(r).primaryNeedCode = null;
    c3d(r).assessments[0]!.factors = [];
    const failures = validateCinReturn(r);
    expect(failures).toEqual([
      {
        ruleId: 'cin2022_23/8610',
        code: '8610',
        level: 'error',
        message: 'Primary Need code is missing for a referral which led to further action.',
        personId: 'person-C3',
        laChildId: 'C3',
        referralDate: '2024-10-01',
        fields: ['ReferralNFA', 'PrimaryNeedCode'],
      },
      expect.objectContaining({ code: '8897Q', level: 'query', laChildId: 'C3' }),
    ]);
  });

  it('reports a whole-return failure with no child', () => {
    const r = cleanReturn();
    r.children[4]!.disabilities = ['NONE'];
    expect(validateCinReturn(r)).toEqual([
      expect.objectContaining({ code: '2887Q', laChildId: null, personId: null, referralDate: null }),
    ]);
  });

  it('passes an empty return', () => {
    const r = cleanReturn();
    r.children = [];
    expect(validateCinReturn(r)).toEqual([]);
  });
});
