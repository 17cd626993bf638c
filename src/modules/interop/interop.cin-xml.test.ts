import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { CinReturn } from './interop.cin-census.ts';
import { cinCensusXml } from './interop.cin-xml.ts';

function sample(year = 2025): CinReturn {
  return {
    header: {
      year,
      referenceDate: `${year}-03-31`,
      laCode: '370',
      softwareCode: 'Wraparound',
      release: '1.0',
      serialNo: 1,
      dateTime: '2025-04-10T09:00:00',
    },
    children: [
      {
        personId: 'p1',
        laChildId: 'abc123',
        upn: 'B801200005001',
        formerUpn: null,
        upnUnknown: null,
        birthDate: '2015-06-01',
        expectedBirthDate: null,
        sex: 'F',
        genderCurrent: '2',
        deathDate: null,
        ethnicity: 'WBRI',
        disabilities: ['AUT', 'LD'],
        details: [
          {
            referralDate: '2024-05-01',
            referralSource: '2A',
            primaryNeedCode: 'N1',
            closureDate: null,
            reasonForClosure: null,
            dateOfInitialCpc: null,
            referralNfa: false,
            assessments: [
              { startDate: '2024-05-02', authorisationDate: '2024-06-10', factors: ['16A', '3B'] },
            ],
            cinPlanDates: [{ startDate: '2024-06-11', endDate: '2024-08-30' }],
            section47s: [
              {
                startDate: '2024-09-02',
                initialCpcTarget: null,
                dateOfInitialCpc: '2024-09-16',
                icpcNotRequired: false,
              },
            ],
            protectionPlans: [
              {
                startDate: '2024-09-16',
                endDate: null,
                initialCategoryOfAbuse: 'NEG',
                latestCategoryOfAbuse: 'EMO',
                numberOfPreviousCpp: 0,
                reviewDates: ['2024-12-16', '2025-03-14'],
              },
            ],
          },
        ],
      },
      {
        personId: 'p2',
        laChildId: 'def456',
        upn: null,
        formerUpn: null,
        upnUnknown: 'UN1',
        birthDate: null,
        expectedBirthDate: '2025-06-01',
        sex: 'U',
        genderCurrent: '0',
        deathDate: null,
        ethnicity: null,
        disabilities: [],
        details: [
          {
            referralDate: '2025-01-06',
            referralSource: '3B',
            primaryNeedCode: 'N4',
            closureDate: '2025-02-20',
            reasonForClosure: 'RC8',
            dateOfInitialCpc: null,
            referralNfa: false,
            assessments: [{ startDate: '2025-01-07', authorisationDate: '2025-02-19', factors: [] }],
            cinPlanDates: [],
            section47s: [],
            protectionPlans: [],
          },
        ],
      },
    ],
  };
}

type Ordered = Record<string, unknown>[];
/** The names of an element's children, in document order (fast-xml-parser's preserveOrder form). */
function names(nodes: Ordered): string[] {
  return nodes.map((n) => Object.keys(n).find((k) => k !== ':@')!).filter((k) => k !== '#text');
}
function child(nodes: Ordered, name: string, index = 0): Ordered {
  const found = nodes.filter((n) => name in n)[index];
  if (!found) throw new Error(`No ${name}`);
  return found[name] as Ordered;
}

describe('CIN census XML', () => {
  const xml = cinCensusXml(sample());
  const plain = new XMLParser({
    parseTagValue: false,
    isArray: (name) =>
      ['Child', 'CINdetails', 'Disability', 'CPPreviewDate', 'AssessmentFactors'].includes(name),
  }).parse(xml) as {
    Message: {
      Header: { CollectionDetails: Record<string, string>; Source: Record<string, string> };
      Children: { Child: unknown[] };
    };
  };
  const ordered = new XMLParser({ preserveOrder: true, parseTagValue: false }).parse(xml) as Ordered;

  it('writes the header and every child', () => {
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    expect(plain.Message.Header.CollectionDetails).toEqual({
      Collection: 'CIN',
      Year: '2025',
      ReferenceDate: '2025-03-31',
    });
    expect(plain.Message.Header.Source).toMatchObject({
      SourceLevel: 'L',
      LEA: '370',
      SoftwareCode: 'Wraparound',
      SerialNo: '001',
    });
    const [first, second] = plain.Message.Children.Child;
    expect(first).toEqual({
      ChildIdentifiers: {
        LAchildID: 'abc123',
        UPN: 'B801200005001',
        PersonBirthDate: '2015-06-01',
        Sex: 'F',
      },
      ChildCharacteristics: { Ethnicity: 'WBRI', Disabilities: { Disability: ['AUT', 'LD'] } },
      CINdetails: [
        {
          CINreferralDate: '2024-05-01',
          ReferralSource: '2A',
          PrimaryNeedCode: 'N1',
          ReferralNFA: 'false',
          Assessments: {
            AssessmentActualStartDate: '2024-05-02',
            AssessmentAuthorisationDate: '2024-06-10',
            FactorsIdentifiedAtAssessment: { AssessmentFactors: ['16A', '3B'] },
          },
          CINPlanDates: { CINPlanStartDate: '2024-06-11', CINPlanEndDate: '2024-08-30' },
          Section47: {
            S47ActualStartDate: '2024-09-02',
            DateOfInitialCPC: '2024-09-16',
            ICPCnotRequired: 'false',
          },
          ChildProtectionPlans: {
            CPPstartDate: '2024-09-16',
            InitialCategoryOfAbuse: 'NEG',
            LatestCategoryOfAbuse: 'EMO',
            NumberOfPreviousCPP: '0',
            Reviews: { CPPreviewDate: ['2024-12-16', '2025-03-14'] },
          },
        },
      ],
    });
    // No ethnicity recorded: left out (rule 4220 names it), as are empty disabilities and factors.
    expect(second).toEqual({
      ChildIdentifiers: {
        LAchildID: 'def456',
        UPNunknown: 'UN1',
        ExpectedPersonBirthDate: '2025-06-01',
        Sex: 'U',
      },
      ChildCharacteristics: '',
      CINdetails: [
        {
          CINreferralDate: '2025-01-06',
          ReferralSource: '3B',
          PrimaryNeedCode: 'N4',
          CINclosureDate: '2025-02-20',
          ReasonForClosure: 'RC8',
          ReferralNFA: 'false',
          Assessments: { AssessmentActualStartDate: '2025-01-07', AssessmentAuthorisationDate: '2025-02-19' },
        },
      ],
    });
  });

  it('keeps the XSD element order', () => {
    const message = child(ordered, 'Message');
    expect(names(message)).toEqual(['Header', 'Children']);
    expect(names(child(child(message, 'Header'), 'Source'))).toEqual([
      'SourceLevel',
      'LEA',
      'SoftwareCode',
      'Release',
      'SerialNo',
      'DateTime',
    ]);
    const first = child(child(message, 'Children'), 'Child');
    expect(names(first)).toEqual(['ChildIdentifiers', 'ChildCharacteristics', 'CINdetails']);
    const details = child(first, 'CINdetails');
    expect(names(details)).toEqual([
      'CINreferralDate',
      'ReferralSource',
      'PrimaryNeedCode',
      'Assessments',
      'CINPlanDates',
      'Section47',
      'ReferralNFA',
      'ChildProtectionPlans',
    ]);
    expect(names(child(details, 'ChildProtectionPlans'))).toEqual([
      'CPPstartDate',
      'InitialCategoryOfAbuse',
      'LatestCategoryOfAbuse',
      'NumberOfPreviousCPP',
      'Reviews',
    ]);
    const second = child(child(message, 'Children'), 'Child', 1);
    expect(names(child(second, 'CINdetails'))).toEqual([
      'CINreferralDate',
      'ReferralSource',
      'PrimaryNeedCode',
      'CINclosureDate',
      'ReasonForClosure',
      'Assessments',
      'ReferralNFA',
    ]);
  });

  it('writes GenderCurrent instead of Sex before the 2024 to 2025 census', () => {
    const old = new XMLParser({ parseTagValue: false }).parse(cinCensusXml(sample(2024))) as {
      Message: { Children: { Child: { ChildIdentifiers: Record<string, string> }[] } };
    };
    expect(old.Message.Children.Child[0]!.ChildIdentifiers).toMatchObject({ GenderCurrent: '2' });
    expect(old.Message.Children.Child[0]!.ChildIdentifiers).not.toHaveProperty('Sex');
  });

  it('escapes text', () => {
    const r = sample();
    r.children[0]!.laChildId = 'a<b&c';
    expect(cinCensusXml(r)).toContain('<LAchildID>a&lt;b&amp;c</LAchildID>');
  });
});
