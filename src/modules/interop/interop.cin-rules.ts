import { addDays } from '../../common/plain-dates.ts';
import { calendarFor, type WorkingDayCalendar } from '../../common/working-days.ts';
import { upnCheckLetter } from '../people/index.ts';
import type { CinAssessment, CinChild, CinDetails, CinReturn, CinSection47 } from './interop.cin-census.ts';
import { censusPeriod } from './interop.cin-census.ts';

/**
 * The DfE's Children in Need census validation rules (shared/reference/cin-census-rules.txt: the rules of
 * the data-to-insight CIN validator, `cin2022_23` with the later years' replacements), as pure checks on
 * a return. Rules whose code ends in Q are queries (check, then amend or give a reason); the rest are
 * errors the DfE refuses. A rule with a newer version applies from that version's year (`years`); the
 * versions before it apply up to then. Each check is our reading of the rule's message and fields.
 *
 * Every one of the 114 rules is evaluated. Some read fields the platform does not hold (date of death,
 * former UPN, ICPC target date, assessment factors): those rules are evaluated on the return as built
 * (a date of death is never present, so the death rules pass and 8585Q queries a "died" closure; the
 * factor rules 8897Q query every completed assessment, since the return carries no factors).
 */

/** The census year a rule version first applies to (cin2024_25 is the census year 2025); the first, to every year before. */
const VERSION_FROM: Record<string, number> = { cin2022_23: 0, cin2023_24: 2024, cin2024_25: 2025 };

export const CODE_LISTS = {
  referralSource: [
    '1A',
    '1B',
    '1C',
    '1D',
    '2A',
    '2B',
    '3A',
    '3B',
    '3C',
    '3D',
    '3E',
    '3F',
    '4',
    '5A',
    '5B',
    '5C',
    '5D',
    '6',
    '7',
    '8',
    '9',
    '10',
  ],
  primaryNeed: ['N0', 'N1', 'N2', 'N3', 'N4', 'N5', 'N6', 'N7', 'N8', 'N9'],
  reasonForClosure: ['RC1', 'RC2', 'RC3', 'RC4', 'RC5', 'RC6', 'RC7', 'RC8', 'RC9'],
  categoryOfAbuse: ['NEG', 'PHY', 'SAB', 'EMO', 'MUL'],
  ethnicity: [
    'WBRI',
    'WIRI',
    'WIRT',
    'WOTH',
    'WROM',
    'MWBC',
    'MWBA',
    'MWAS',
    'MOTH',
    'AIND',
    'APKN',
    'ABAN',
    'AOTH',
    'BCRB',
    'BAFR',
    'BOTH',
    'CHNE',
    'OOTH',
    'REFU',
    'NOBT',
  ],
  disability: ['NONE', 'MOB', 'HAND', 'PC', 'INC', 'COMM', 'LD', 'HEAR', 'VIS', 'BEH', 'CON', 'AUT', 'DDA'],
  upnUnknown: ['UN1', 'UN2', 'UN3', 'UN4', 'UN5', 'UN6', 'UN7'],
  assessmentFactors: [
    '1A',
    '1B',
    '1C',
    '2A',
    '2B',
    '2C',
    '3A',
    '3B',
    '3C',
    '4A',
    '4B',
    '4C',
    '5A',
    '5B',
    '5C',
    '6A',
    '6B',
    '6C',
    '7A',
    '8B',
    '8C',
    '8D',
    '8E',
    '8F',
    '9A',
    '10A',
    '11A',
    '12A',
    '13A',
    '14A',
    '15A',
    '16A',
    '17A',
    '18A',
    '18B',
    '18C',
    '19A',
    '19B',
    '19C',
    '20',
    '21',
    '22A',
    '23A',
    '24A',
  ],
} as const;

/** DfE LA numbers that may appear as characters 2 to 4 of a UPN (rule 1530, 2023 to 2024 list). */
const LA_RANGES: [number, number][] = [
  [1, 5],
  [201, 213],
  [301, 320],
  [330, 336],
  [340, 344],
  [350, 359],
  [370, 373],
  [380, 384],
  [390, 394],
  [420, 420],
  [660, 681],
  [701, 708],
  [800, 803],
  [805, 808],
  [810, 813],
  [815, 816],
  [820, 823],
  [825, 826],
  [830, 831],
  [835, 841],
  [845, 846],
  [850, 852],
  [855, 857],
  [860, 861],
  [865, 896],
  [908, 909],
  [916, 916],
  [919, 919],
  [921, 921],
  [925, 926],
  [928, 929],
  [931, 931],
  [933, 933],
  [935, 938],
  [940, 941],
];
export const isUpnLaCode = (digits: string) =>
  /^\d{3}$/.test(digits) && LA_RANGES.some(([a, b]) => Number(digits) >= a && Number(digits) <= b);

export const RULE_TEXTS = [
  { id: 'cin2022_23/100', code: '100', message: 'Reference Date is incorrect' },
  {
    id: 'cin2022_23/1103',
    code: '1103',
    message: 'The assessment start date cannot be before the referral date',
  },
  {
    id: 'cin2022_23/1104',
    code: '1104',
    message: 'The date of the initial child protection conference cannot be before the referral date',
  },
  {
    id: 'cin2022_23/1105',
    code: '1105',
    message: 'The child protection plan start date cannot be before the referral date',
  },
  { id: 'cin2022_23/1510', code: '1510', message: 'UPN invalid (wrong check letter at character 1)' },
  { id: 'cin2022_23/1520', code: '1520', message: 'More than one record with the same UPN.' },
  { id: 'cin2022_23/1530', code: '1530', message: 'UPN invalid (characters 2-4 not a recognised LA code)' },
  { id: 'cin2022_23/1540', code: '1540', message: 'UPN invalid (characters 5-12 not all numeric)' },
  { id: 'cin2022_23/1550', code: '1550', message: 'UPN invalid (character 13 not a recognised value)' },
  {
    id: 'cin2022_23/1560Q',
    code: '1560Q',
    message: 'Please check and either amend or provide a reason: Former UPN wrongly formatted',
  },
  {
    id: 'cin2022_23/2883',
    code: '2883',
    message: 'There are more child protection plans starting than initial conferences taking place',
  },
  {
    id: 'cin2022_23/2884',
    code: '2884',
    message:
      'An initial child protection conference is recorded at both the S47 and CIN Details level and it should only be recorded in one',
  },
  {
    id: 'cin2022_23/2885',
    code: '2885',
    message:
      'Child protection plan shown as starting a different day to the initial child protection conference.',
  },
  {
    id: 'cin2022_23/2886Q',
    code: '2886Q',
    message:
      'Please check and either amend or provide a reason: Percentage of children with no gender recorded is more than 2% (excluding unborns)',
  },
  {
    id: 'cin2022_23/2887Q',
    code: '2887Q',
    message:
      'Please check and either amend or provide a reason: Less than 8 disability codes have been used in your return',
  },
  {
    id: 'cin2022_23/2888Q',
    code: '2888Q',
    message:
      'Please check and either amend or provide a reason: Only one disability code is recorded per child and multiple disabilities should be recorded where possible.',
  },
  { id: 'cin2022_23/2889', code: '2889', message: 'The S47 start date cannot be before the referral date.' },
  {
    id: 'cin2022_23/2990',
    code: '2990',
    message:
      "Activity is recorded against a case marked as ‘Case closed after assessment, no further action’ or 'case closed after assessment, referred to early help'.",
  },
  {
    id: 'cin2022_23/2991Q',
    code: '2991Q',
    message:
      'Please check and either amend data or provide a reason: A Section 47 module is recorded and there is no assessment on the episode',
  },
  {
    id: 'cin2022_23/4000',
    code: '4000',
    message: 'CIN Plan details provided for a referral with no further action',
  },
  {
    id: 'cin2022_23/4001',
    code: '4001',
    message: 'A CIN Plan cannot run concurrently with a Child Protection Plan',
  },
  {
    id: 'cin2022_23/4003',
    code: '4003',
    message: 'A CPP review date is shown as being held at the same time as an open CIN Plan.',
  },
  {
    id: 'cin2022_23/4004',
    code: '4004',
    message: 'This child is showing more than one open CIN Plan, i.e. with no End Date',
  },
  {
    id: 'cin2022_23/4008',
    code: '4008',
    message: 'CIN Plan shown as starting after the child’s Date of Death.',
  },
  { id: 'cin2022_23/4009Q', code: '4009Q', message: 'CIN Plan cannot end after the child’s Date of Death' },
  {
    id: 'cin2022_23/4010',
    code: '4010',
    message: 'CIN Plan start date is missing or out of data collection period',
  },
  { id: 'cin2022_23/4011', code: '4011', message: 'CIN Plan End Date earlier than Start Date' },
  {
    id: 'cin2022_23/4012Q',
    code: '4012Q',
    message:
      'Please check and either amend or provide a reason: CIN Plan shown as starting and ending on the same day',
  },
  { id: 'cin2022_23/4013', code: '4013', message: 'CIN Plan end date must fall within the census year' },
  { id: 'cin2022_23/4014', code: '4014', message: 'CIN Plan data contains overlapping dates' },
  {
    id: 'cin2022_23/4015',
    code: '4015',
    message: 'The CIN Plan start date cannot be before the referral date',
  },
  {
    id: 'cin2022_23/4016',
    code: '4016',
    message: 'A CIN Plan has been reported as open at the same time as a Child Protection Plan.',
  },
  {
    id: 'cin2022_23/4017',
    code: '4017',
    message: 'A CIN Plan has been reported as open at the same time as a Child Protection Plan.',
  },
  { id: 'cin2022_23/4180', code: '4180', message: 'Gender is missing' },
  { id: 'cin2022_23/4220', code: '4220', message: 'Ethnicity is missing or invalid (see Ethnicity table)' },
  { id: 'cin2022_23/8500', code: '8500', message: 'LA Child ID missing' },
  { id: 'cin2022_23/8510', code: '8510', message: 'More than one child record with the same LA Child ID' },
  {
    id: 'cin2022_23/8520',
    code: '8520',
    message:
      'Date of Birth is after data collection period (must be on or before the end of the census period)',
  },
  {
    id: 'cin2022_23/8525Q',
    code: '8525Q',
    message: 'Either Date of Birth or Expected Date of Birth must be provided (but not both)',
  },
  {
    id: 'cin2022_23/8530Q',
    code: '8530Q',
    message:
      'Please check and either amend data or provide a reason: Expected Date of Birth is outside the expected range for this census (March to December of the Census Year end)',
  },
  {
    id: 'cin2022_23/8535Q',
    code: '8535Q',
    message:
      'Please check and either amend data or provide a reason: Child’s date of death should not be prior to the date of birth',
  },
  {
    id: 'cin2022_23/8540',
    code: '8540',
    message: 'Child’s disability is missing or invalid (see Disability table)',
  },
  {
    id: 'cin2022_23/8545Q',
    code: '8545Q',
    message:
      "Please check and either amend data or provide a reason: Child's date of death should be within the census year",
  },
  {
    id: 'cin2022_23/8555Q',
    code: '8555Q',
    message: 'Child cannot be referred after its recorded date of death',
  },
  { id: 'cin2022_23/8565', code: '8565', message: 'Activity shown after a case has been closed' },
  { id: 'cin2022_23/8568', code: '8568', message: 'RNFA flag is missing or invalid' },
  {
    id: 'cin2022_23/8569Q',
    code: '8569Q',
    message:
      'A case with referral date before one working day prior to the collection start date must not be flagged as a no further action case',
  },
  {
    id: 'cin2022_23/8585Q',
    code: '8585Q',
    message:
      'Please check and either amend or provide a reason: CIN episode shows Died as the Closure Reason, however child has no recorded Date of Death',
  },
  { id: 'cin2022_23/8590', code: '8590', message: 'Child does not have a recorded CIN episode.' },
  {
    id: 'cin2022_23/8600',
    code: '8600',
    message: 'Child referral date missing or after data collection period',
  },
  {
    id: 'cin2022_23/8606',
    code: '8606',
    message: 'Child referral date is more than 40 weeks before DOB or expected DOB',
  },
  { id: 'cin2022_23/8608', code: '8608', message: 'Assessment Start Date cannot be later than its End Date' },
  {
    id: 'cin2022_23/8610',
    code: '8610',
    message: 'Primary Need code is missing for a referral which led to further action.',
  },
  {
    id: 'cin2022_23/8614',
    code: '8614',
    message: 'Parental or child factors at assessment should only be present for a completed assessment.',
  },
  {
    id: 'cin2022_23/8615',
    code: '8615',
    message:
      'Section 47 Enquiry Start Date must be present and cannot be later than the date of the initial Child Protection Conference',
  },
  {
    id: 'cin2022_23/8620',
    code: '8620',
    message: 'CIN Closure Date present and does not fall within the Census year',
  },
  {
    id: 'cin2022_23/8630',
    code: '8630',
    message: 'CIN Closure Date is before CIN Referral Date for the same CIN episode',
  },
  {
    id: 'cin2022_23/8640',
    code: '8640',
    message: 'CIN Reason for closure code invalid (see Reason for Closure table in CIN Census code set)',
  },
  {
    id: 'cin2022_23/8650',
    code: '8650',
    message: 'Primary Need Code invalid (see Primary Need table in CIN census code set)',
  },
  {
    id: 'cin2022_23/8670Q',
    code: '8670Q',
    message:
      'Please check and either amend data or provide a reason: Assessment started more than 45 working days before the end of the census year. However, there is no Assessment end date.',
  },
  {
    id: 'cin2022_23/8675Q',
    code: '8675Q',
    message:
      'Please check and either amend data or provide a reason: S47 Enquiry started more than 15 working days before the end of the census year. However, there is no date of Initial Child Protection Conference.',
  },
  { id: 'cin2022_23/8696', code: '8696', message: 'Assessment end date must fall within the census year' },
  {
    id: 'cin2022_23/8715',
    code: '8715',
    message: 'Date of Initial Child Protection Conference must fall within the census year',
  },
  {
    id: 'cin2022_23/8720',
    code: '8720',
    message: 'Child Protection Plan Start Date missing or out of data collection period',
  },
  { id: 'cin2022_23/8730', code: '8730', message: 'Total Number of previous Child Protection Plans missing' },
  {
    id: 'cin2022_23/8736',
    code: '8736',
    message: 'For an Assessment that has not been completed, the start date must fall within the census year',
  },
  {
    id: 'cin2022_23/8740',
    code: '8740',
    message:
      'For a Section 47 Enquiry that has not held the Initial Child Protection Conference by the end of the census year, the start date must fall within the census year',
  },
  { id: 'cin2022_23/8750', code: '8750', message: 'Gender must equal 0 for an unborn child' },
  {
    id: 'cin2022_23/8770Q',
    code: '8770Q',
    message:
      'Please check and either amend data or provide a reason: UPN or reason UPN missing expected for a child who is more than 5 years old',
  },
  {
    id: 'cin2022_23/8772',
    code: '8772',
    message:
      'UPN unknown reason is UN7 (Referral with no further action) but at least one CIN details is a referral going on to further action',
  },
  {
    id: 'cin2022_23/8775Q',
    code: '8775Q',
    message: 'Please check and either amend data or provide a reason: Child is over 25 years old',
  },
  {
    id: 'cin2022_23/8790',
    code: '8790',
    message: 'Disability information includes both None and other values',
  },
  { id: 'cin2022_23/8794', code: '8794', message: 'Child has two or more disabilities with the same code' },
  {
    id: 'cin2022_23/8805',
    code: '8805',
    message: 'A CIN case cannot have a CIN closure date without a Reason for Closure',
  },
  {
    id: 'cin2022_23/8810',
    code: '8810',
    message: 'A CIN case cannot have a Reason for Closure without a CIN Closure Date',
  },
  {
    id: 'cin2022_23/8815',
    code: '8815',
    message:
      'More than one open CIN Details episode (a module with no CIN Closure Date) has been provided for this child and case is not a referral with no further action.',
  },
  {
    id: 'cin2022_23/8816',
    code: '8816',
    message:
      'An open CIN episode is shown and case is not a referral with no further action, but it is not the latest episode.',
  },
  { id: 'cin2022_23/8820', code: '8820', message: 'The dates on the CIN episodes for this child overlap' },
  {
    id: 'cin2022_23/8825Q',
    code: '8825Q',
    message:
      'Please check and either amend data or provide a reason: Reason for Closure code RC8 (case closed after assessment) or RC9 (case closed after assessment, referred to early help) has been returned but there is no assessment present for the episode.',
  },
  {
    id: 'cin2022_23/8831',
    code: '8831',
    message: 'Activity is recorded against a case marked as a referral with no further action',
  },
  {
    id: 'cin2022_23/8832',
    code: '8832',
    message: 'Child Protection details provided for a referral with no further action.',
  },
  {
    id: 'cin2022_23/8839',
    code: '8839',
    message: 'Within one CINDetails group there are 2 or more open S47 Assessments',
  },
  {
    id: 'cin2022_23/8840',
    code: '8840',
    message: 'Child Protection Plan cannot start and end on the same day',
  },
  {
    id: 'cin2022_23/8841',
    code: '8841',
    message: 'The review date cannot be on the same day or before the Child protection Plan start date.',
  },
  {
    id: 'cin2022_23/8842Q',
    code: '8842Q',
    message: 'Please check and either amend or provide a reason: Review Record has a missing date',
  },
  {
    id: 'cin2022_23/8863Q',
    code: '8863Q',
    message: 'An Assessment is shown as starting when there is another Assessment ongoing.',
  },
  { id: 'cin2022_23/8866', code: '8866', message: 'Source of Referral is missing or an invalid code' },
  {
    id: 'cin2022_23/8867',
    code: '8867',
    message: 'CIN episode is shown as closed, however Assessment is not shown as completed',
  },
  {
    id: 'cin2022_23/8868',
    code: '8868',
    message:
      'CIN episode is shown as closed, however Section 47 enquiry is not shown as completed by ICPC date or ICPC not required flag',
  },
  {
    id: 'cin2022_23/8869',
    code: '8869',
    message:
      'The assessment factors code “21” cannot be used in conjunction with any other assessment factors.',
  },
  {
    id: 'cin2022_23/8870Q',
    code: '8870Q',
    message:
      'Please check and either amend or provide a reason: The Target Date for Initial Child Protection Conference should not be a weekend',
  },
  {
    id: 'cin2022_23/8873Q',
    code: '8873Q',
    message:
      "Please check and either amend data or provide a reason: When there is only one assessment on the episode and the factors code “21 No factors identified” has been used for the completed assessment, the reason for closure ‘RC8’ or 'RC9' should be used.",
  },
  {
    id: 'cin2022_23/8875',
    code: '8875',
    message: 'The Date of Initial Child Protection Conference cannot be a weekend',
  },
  {
    id: 'cin2022_23/8890',
    code: '8890',
    message: 'A Section 47 enquiry is shown as starting when there is another Section 47 Enquiry ongoing',
  },
  {
    id: 'cin2022_23/8896',
    code: '8896',
    message: 'Within one CINDetails group there are 2 or more open Assessments groups',
  },
  {
    id: 'cin2022_23/8897Q',
    code: '8897Q',
    message: 'Parental or child factors at assessment information is missing from a completed assessment',
  },
  {
    id: 'cin2022_23/8898',
    code: '8898',
    message: 'The assessment has more than one parental or child factors with the same code',
  },
  {
    id: 'cin2022_23/8905',
    code: '8905',
    message:
      'Initial Category of Abuse code missing or invalid (see Category of Abuse table in CIN Census code set)',
  },
  {
    id: 'cin2022_23/8910',
    code: '8910',
    message:
      'Latest Category of Abuse code missing or invalid (see Category of Abuse table in CIN Census code set)',
  },
  {
    id: 'cin2022_23/8915',
    code: '8915',
    message: 'Child Protection Plan shown as starting after the child’s Date of Death',
  },
  {
    id: 'cin2022_23/8920',
    code: '8920',
    message: 'Child Protection Plan cannot end after the child’s Date of Death',
  },
  { id: 'cin2022_23/8925', code: '8925', message: 'Child Protection Plan End Date earlier than Start Date' },
  {
    id: 'cin2022_23/8930',
    code: '8930',
    message: 'Child Protection Plan End Date must fall within the census year',
  },
  {
    id: 'cin2022_23/8935',
    code: '8935',
    message: 'This child is showing more than one open Child Protection plan, i.e. with no End Date',
  },
  { id: 'cin2022_23/8940', code: '8940', message: 'Child Protection Plan data contains overlapping dates' },
  { id: 'cin2023_24/1530', code: '1530', message: 'UPN invalid (characters 2-4 not a recognised LA code)' },
  { id: 'cin2024_25/1570', code: '1570', message: 'LA Child ID must not be longer than 20 characters' },
  {
    id: 'cin2024_25/1580',
    code: '1580',
    message: 'LA Child ID must not contain any non-alphanumeric characters',
  },
  {
    id: 'cin2024_25/2886Q',
    code: '2886Q',
    message:
      'Please check and either amend or provide a reason: Percentage of children with no sex recorded is more than 2% (excluding unborns)',
  },
  { id: 'cin2024_25/4180', code: '4180', message: 'Sex must be provided and equal M, F, or U' },
  { id: 'cin2024_25/8750', code: '8750', message: 'Sex must equal U for an unborn child' },
  {
    id: 'cin2024_25/8770Q',
    code: '8770Q',
    message:
      'Please check and either amend data or provide a reason: UPN is missing or reason UPN is missing or is UN1 for a child who is of school age.',
  },
  {
    id: 'cin2024_25/8945Q',
    code: '8945Q',
    message:
      "Please check and either amend data or provide a reason: the assessment factors code '18A' should not be used ('18B' or '18C' should be used instead)",
  },
  {
    id: 'cin2024_25/8950Q',
    code: '8950Q',
    message:
      "Please check and either amend data or provide a reason: the assessment factors code '19A' should not be used ('19B' or '19C' should be used instead)",
  },
] as const;

export type RuleId = (typeof RULE_TEXTS)[number]['id'];
export type RuleLevel = 'error' | 'query';

/** One record failing one rule: the child (none for a rule about the whole return) and the fields. */
export type RuleFailure = {
  ruleId: RuleId;
  code: string;
  level: RuleLevel;
  message: string;
  personId: string | null;
  laChildId: string | null;
  /** The referral the failure is in, when it is about one CIN episode. */
  referralDate: string | null;
  fields: string[];
};

type Hit = { child: CinChild | null; details?: CinDetails; fields: string[] };

type RuleInput = {
  ret: CinReturn;
  year: number;
  start: string;
  ref: string;
  calendar: WorkingDayCalendar;
};

type Rule = {
  fields: string[];
  check: (x: RuleInput) => Hit[];
};

const inYear = (x: RuleInput, d: string | null) => d !== null && d >= x.start && d <= x.ref;
const isWeekend = (d: string) => [0, 6].includes(new Date(`${d}T12:00:00Z`).getUTCDay());
const unborn = (c: CinChild) => c.birthDate === null && c.expectedBirthDate !== null;
const ageOn = (birth: string, on: string) => {
  const [by, bm, bd] = birth.split('-').map(Number) as [number, number, number];
  const [y, m, d] = on.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
};
const dupes = (values: readonly string[]) => values.some((v, i) => values.indexOf(v) !== i);
const overlaps = (periods: { startDate: string; endDate: string | null }[]) => {
  const sorted = [...periods].sort((a, b) => a.startDate.localeCompare(b.startDate));
  return sorted.some((p, i) => {
    const next = sorted[i + 1];
    return next !== undefined && (p.endDate === null || next.startDate < p.endDate);
  });
};
/** Working days from `from` to `to`, both counted (the validator counts the start day as day 1). */
function workingDaysFrom(calendar: WorkingDayCalendar, from: string, to: string): number {
  let n = 0;
  for (let d = from; d <= to; d = addDays(d, 1)) if (calendar.isWorkingDay(d)) n++;
  return n;
}
const icpcDates = (d: CinDetails) =>
  [d.dateOfInitialCpc, ...d.section47s.map((s) => s.dateOfInitialCpc)].filter((v): v is string => v !== null);
const s47Open = (s: CinSection47) => s.dateOfInitialCpc === null && !s.icpcNotRequired;
const activityDates = (d: CinDetails) => [
  ...d.assessments.flatMap((a) => [a.startDate, a.authorisationDate]),
  ...d.cinPlanDates.flatMap((p) => [p.startDate, p.endDate]),
  ...d.section47s.flatMap((s) => [s.startDate, s.dateOfInitialCpc]),
  d.dateOfInitialCpc,
  ...d.protectionPlans.flatMap((p) => [p.startDate, p.endDate, ...p.reviewDates]),
];
const hasCode = (list: readonly string[], v: string | null) => v !== null && list.includes(v);
const assessmentsOf = (c: CinChild) => c.details.flatMap((d) => d.assessments);
const factorsOf = (a: CinAssessment) => a.factors;

/** A check on each child. */
const eachChild =
  (fields: string[], fails: (c: CinChild, x: RuleInput) => boolean) =>
  (x: RuleInput): Hit[] =>
    x.ret.children.filter((c) => fails(c, x)).map((child) => ({ child, fields }));
/** A check on each CIN episode (CINdetails) of each child. */
const eachDetails =
  (fields: string[], fails: (d: CinDetails, c: CinChild, x: RuleInput) => boolean) =>
  (x: RuleInput): Hit[] =>
    x.ret.children.flatMap((child) =>
      child.details.filter((d) => fails(d, child, x)).map((details) => ({ child, details, fields })),
    );
/** A check on the whole return. */
const wholeReturn =
  (fields: string[], fails: (x: RuleInput) => boolean) =>
  (x: RuleInput): Hit[] =>
    fails(x) ? [{ child: null, fields }] : [];
const rule = (fields: string[], check: (fields: string[]) => (x: RuleInput) => Hit[]): Rule => ({
  fields,
  check: check(fields),
});
const child = (fields: string[], fails: (c: CinChild, x: RuleInput) => boolean) =>
  rule(fields, (f) => eachChild(f, fails));
const episode = (fields: string[], fails: (d: CinDetails, c: CinChild, x: RuleInput) => boolean) =>
  rule(fields, (f) => eachDetails(f, fails));
const whole = (fields: string[], fails: (x: RuleInput) => boolean) =>
  rule(fields, (f) => wholeReturn(f, fails));

const upnShape = (u: string) => /^[A-Z]\d{11}[0-9A-Z]$/.test(u);
const sexShare = (x: RuleInput, blank: (c: CinChild) => boolean) => {
  const born = x.ret.children.filter((c) => !unborn(c));
  return born.length > 0 && born.filter(blank).length / born.length > 0.02;
};
/** Of compulsory school age in the census year: 5 to 15 on the 31 August before the reference date. */
const schoolAge = (c: CinChild, x: RuleInput) => {
  if (c.birthDate === null) return false;
  const age = ageOn(c.birthDate, `${x.year - 1}-08-31`);
  return age >= 5 && age <= 15;
};

export const RULES: Record<RuleId, Rule> = {
  'cin2022_23/100': whole(['ReferenceDate'], (x) => x.ret.header.referenceDate !== x.ref),
  'cin2022_23/1103': episode(['AssessmentActualStartDate', 'CINreferralDate'], (d) =>
    d.assessments.some((a) => a.startDate < d.referralDate),
  ),
  'cin2022_23/1104': episode(['DateOfInitialCPC', 'CINreferralDate'], (d) =>
    icpcDates(d).some((i) => i < d.referralDate),
  ),
  'cin2022_23/1105': episode(['CPPstartDate', 'CINreferralDate'], (d) =>
    d.protectionPlans.some((p) => p.startDate < d.referralDate),
  ),
  'cin2022_23/1510': child(
    ['UPN'],
    (c) =>
      c.upn !== null &&
      /^[A-Z]\d{11}[0-9A-HJ-NP-RT-Z]$/.test(c.upn) &&
      upnCheckLetter(c.upn.slice(1)) !== c.upn[0],
  ),
  'cin2022_23/1520': child(
    ['UPN'],
    (c, x) => c.upn !== null && x.ret.children.filter((o) => o.upn === c.upn).length > 1,
  ),
  'cin2022_23/1530': child(
    ['UPN'],
    (c, x) => x.year < 2024 && c.upn !== null && !isUpnLaCode(c.upn.slice(1, 4)),
  ),
  'cin2022_23/1540': child(['UPN'], (c) => c.upn !== null && !/^\d{8}$/.test(c.upn.slice(4, 12))),
  'cin2022_23/1550': child(
    ['UPN'],
    (c) => c.upn !== null && !/^[0-9A-HJ-NP-RT-Z]$/.test(c.upn.slice(12, 13)),
  ),
  'cin2022_23/1560Q': child(
    ['FormerUPN'],
    (c) => c.formerUpn !== null && !(upnShape(c.formerUpn) && c.formerUpn.length === 13),
  ),
  'cin2022_23/2883': episode(
    ['CPPstartDate', 'DateOfInitialCPC'],
    (d, _c, x) => d.protectionPlans.filter((p) => inYear(x, p.startDate)).length > icpcDates(d).length,
  ),
  'cin2022_23/2884': episode(
    ['DateOfInitialCPC'],
    (d) => d.dateOfInitialCpc !== null && d.section47s.some((s) => s.dateOfInitialCpc === d.dateOfInitialCpc),
  ),
  'cin2022_23/2885': episode(['CPPstartDate', 'DateOfInitialCPC'], (d, _c, x) => {
    const first = d.protectionPlans
      .filter((p) => inYear(x, p.startDate))
      .sort((a, b) => a.startDate.localeCompare(b.startDate))[0];
    return first !== undefined && !icpcDates(d).includes(first.startDate);
  }),
  'cin2022_23/2886Q': whole(
    ['ExpectedPersonBirthDate', 'GenderCurrent'],
    (x) => x.year < 2025 && sexShare(x, (c) => c.genderCurrent === '0' || c.genderCurrent === null),
  ),
  'cin2022_23/2887Q': whole(
    ['Disability'],
    (x) =>
      x.ret.children.length > 0 &&
      new Set(x.ret.children.flatMap((c) => c.disabilities).filter((d) => d !== 'NONE')).size < 8,
  ),
  'cin2022_23/2888Q': whole(
    ['Disability'],
    (x) =>
      x.ret.children.some((c) => c.disabilities.some((d) => d !== 'NONE')) &&
      !x.ret.children.some((c) => c.disabilities.length > 1),
  ),
  'cin2022_23/2889': episode(['S47ActualStartDate', 'CINreferralDate'], (d) =>
    d.section47s.some((s) => s.startDate < d.referralDate),
  ),
  'cin2022_23/2990': episode(
    ['ReasonForClosure', 'CINPlanStartDate', 'S47ActualStartDate', 'CPPstartDate'],
    (d) =>
      (d.reasonForClosure === 'RC8' || d.reasonForClosure === 'RC9') &&
      d.cinPlanDates.length + d.section47s.length + d.protectionPlans.length > 0,
  ),
  'cin2022_23/2991Q': episode(
    ['S47ActualStartDate', 'AssessmentActualStartDate'],
    (d) => d.section47s.length > 0 && d.assessments.length === 0,
  ),
  'cin2022_23/4000': episode(
    ['CINPlanStartDate', 'ReferralNFA'],
    (d) => d.referralNfa === true && d.cinPlanDates.length > 0,
  ),
  'cin2022_23/4001': episode(['CINPlanStartDate', 'CPPstartDate', 'CPPendDate'], (d) =>
    d.cinPlanDates.some((c) =>
      d.protectionPlans.some(
        (p) => c.startDate >= p.startDate && (p.endDate === null || c.startDate < p.endDate),
      ),
    ),
  ),
  'cin2022_23/4003': episode(['CPPreviewDate', 'CINPlanStartDate', 'CINPlanEndDate'], (d) =>
    d.protectionPlans.some((p) =>
      p.reviewDates.some((r) =>
        d.cinPlanDates.some((c) => c.startDate < r && (c.endDate === null || r < c.endDate)),
      ),
    ),
  ),
  'cin2022_23/4004': episode(
    ['CINPlanEndDate'],
    (d) => d.cinPlanDates.filter((c) => c.endDate === null).length > 1,
  ),
  'cin2022_23/4008': episode(['CINPlanStartDate', 'PersonDeathDate'], (d, c) =>
    d.cinPlanDates.some((p) => c.deathDate !== null && p.startDate > c.deathDate),
  ),
  'cin2022_23/4009Q': episode(['CINPlanEndDate', 'PersonDeathDate'], (d, c) =>
    d.cinPlanDates.some((p) => c.deathDate !== null && p.endDate !== null && p.endDate > c.deathDate),
  ),
  'cin2022_23/4010': episode(['CINPlanStartDate'], (d, _c, x) =>
    d.cinPlanDates.some((p) => !p.startDate || p.startDate > x.ref),
  ),
  'cin2022_23/4011': episode(['CINPlanEndDate', 'CINPlanStartDate'], (d) =>
    d.cinPlanDates.some((p) => p.endDate !== null && p.endDate < p.startDate),
  ),
  'cin2022_23/4012Q': episode(['CINPlanStartDate', 'CINPlanEndDate'], (d) =>
    d.cinPlanDates.some((p) => p.endDate === p.startDate),
  ),
  'cin2022_23/4013': episode(['CINPlanEndDate', 'ReferenceDate'], (d, _c, x) =>
    d.cinPlanDates.some((p) => p.endDate !== null && !inYear(x, p.endDate)),
  ),
  'cin2022_23/4014': child(['CINPlanStartDate', 'CINPlanEndDate'], (c) =>
    overlaps(c.details.flatMap((d) => d.cinPlanDates)),
  ),
  'cin2022_23/4015': episode(['CINPlanStartDate', 'CINreferralDate'], (d) =>
    d.cinPlanDates.some((p) => p.startDate < d.referralDate),
  ),
  'cin2022_23/4016': episode(['CINPlanStartDate', 'CINPlanEndDate', 'CPPstartDate'], (d) =>
    d.cinPlanDates.some((c) =>
      d.protectionPlans.some(
        (p) => c.startDate < p.startDate && (c.endDate === null || c.endDate > p.startDate),
      ),
    ),
  ),
  'cin2022_23/4017': episode(
    ['CINPlanEndDate', 'CPPendDate'],
    (d) =>
      d.cinPlanDates.some((c) => c.endDate === null) && d.protectionPlans.some((p) => p.endDate === null),
  ),
  'cin2022_23/4180': child(
    ['GenderCurrent'],
    (c, x) => x.year < 2025 && !hasCode(['0', '1', '2', '9'], c.genderCurrent),
  ),
  'cin2022_23/4220': child(['Ethnicity'], (c) => !hasCode(CODE_LISTS.ethnicity, c.ethnicity)),
  'cin2022_23/8500': child(['LAchildID'], (c) => c.laChildId.trim() === ''),
  'cin2022_23/8510': child(
    ['LAchildID'],
    (c, x) => x.ret.children.filter((o) => o.laChildId === c.laChildId).length > 1,
  ),
  'cin2022_23/8520': child(
    ['PersonBirthDate', 'ReferenceDate'],
    (c, x) => c.birthDate !== null && c.birthDate > x.ref,
  ),
  'cin2022_23/8525Q': child(
    ['PersonBirthDate', 'ExpectedPersonBirthDate'],
    (c) => (c.birthDate === null) === (c.expectedBirthDate === null),
  ),
  'cin2022_23/8530Q': child(
    ['ExpectedPersonBirthDate'],
    (c, x) =>
      c.expectedBirthDate !== null &&
      (c.expectedBirthDate < `${x.year}-03-01` || c.expectedBirthDate > `${x.year}-12-31`),
  ),
  'cin2022_23/8535Q': child(
    ['PersonDeathDate', 'PersonBirthDate'],
    (c) => c.deathDate !== null && c.birthDate !== null && c.deathDate < c.birthDate,
  ),
  'cin2022_23/8540': child(
    ['Disability', 'PersonBirthDate', 'ReferralNFA'],
    (c) =>
      !unborn(c) &&
      c.details.some((d) => d.referralNfa !== true) &&
      (c.disabilities.length === 0 || c.disabilities.some((d) => !hasCode(CODE_LISTS.disability, d))),
  ),
  'cin2022_23/8545Q': child(['PersonDeathDate'], (c, x) => c.deathDate !== null && !inYear(x, c.deathDate)),
  'cin2022_23/8555Q': episode(
    ['CINreferralDate', 'PersonDeathDate'],
    (d, c) => c.deathDate !== null && d.referralDate > c.deathDate,
  ),
  'cin2022_23/8565': episode(
    ['CINclosureDate'],
    (d) => d.closureDate !== null && activityDates(d).some((a) => a !== null && a > d.closureDate!),
  ),
  'cin2022_23/8568': episode(['ReferralNFA'], (d) => d.referralNfa === null),
  'cin2022_23/8569Q': episode(['ReferralNFA', 'CINreferralDate'], (d, _c, x) => {
    if (d.referralNfa !== true) return false;
    let dayBefore = addDays(x.start, -1);
    while (!x.calendar.isWorkingDay(dayBefore)) dayBefore = addDays(dayBefore, -1);
    return d.referralDate < dayBefore;
  }),
  'cin2022_23/8585Q': episode(
    ['ReasonForClosure', 'PersonDeathDate'],
    (d, c) => d.reasonForClosure === 'RC2' && c.deathDate === null,
  ),
  'cin2022_23/8590': child(['LAchildID'], (c) => c.details.length === 0),
  'cin2022_23/8600': episode(['CINreferralDate'], (d, _c, x) => !d.referralDate || d.referralDate > x.ref),
  'cin2022_23/8606': episode(['CINreferralDate', 'PersonBirthDate', 'ExpectedPersonBirthDate'], (d, c) => {
    const birth = c.birthDate ?? c.expectedBirthDate;
    return birth !== null && d.referralDate < addDays(birth, -280);
  }),
  'cin2022_23/8608': episode(['AssessmentActualStartDate', 'AssessmentAuthorisationDate'], (d) =>
    d.assessments.some((a) => a.authorisationDate !== null && a.authorisationDate < a.startDate),
  ),
  'cin2022_23/8610': episode(
    ['ReferralNFA', 'PrimaryNeedCode'],
    (d) => d.referralNfa === false && d.primaryNeedCode === null,
  ),
  'cin2022_23/8614': episode(['AssessmentAuthorisationDate', 'AssessmentFactors'], (d) =>
    d.assessments.some((a) => a.authorisationDate === null && factorsOf(a).length > 0),
  ),
  'cin2022_23/8615': episode(['S47ActualStartDate', 'DateOfInitialCPC'], (d) =>
    d.section47s.some(
      (s) => !s.startDate || (s.dateOfInitialCpc !== null && s.startDate > s.dateOfInitialCpc),
    ),
  ),
  'cin2022_23/8620': episode(
    ['CINclosureDate'],
    (d, _c, x) => d.closureDate !== null && !inYear(x, d.closureDate),
  ),
  'cin2022_23/8630': episode(
    ['CINreferralDate', 'CINclosureDate'],
    (d) => d.closureDate !== null && d.closureDate < d.referralDate,
  ),
  'cin2022_23/8640': episode(
    ['ReasonForClosure'],
    (d) => d.reasonForClosure !== null && !hasCode(CODE_LISTS.reasonForClosure, d.reasonForClosure),
  ),
  'cin2022_23/8650': episode(
    ['PrimaryNeedCode'],
    (d) => d.primaryNeedCode !== null && !hasCode(CODE_LISTS.primaryNeed, d.primaryNeedCode),
  ),
  'cin2022_23/8670Q': episode(['AssessmentActualStartDate'], (d, _c, x) =>
    d.assessments.some(
      (a) => a.authorisationDate === null && workingDaysFrom(x.calendar, a.startDate, x.ref) > 45,
    ),
  ),
  'cin2022_23/8675Q': episode(['DateOfInitialCPC', 'S47ActualStartDate', 'ICPCnotRequired'], (d, _c, x) =>
    d.section47s.some((s) => s47Open(s) && workingDaysFrom(x.calendar, s.startDate, x.ref) > 15),
  ),
  'cin2022_23/8696': episode(['AssessmentAuthorisationDate', 'ReferenceDate'], (d, _c, x) =>
    d.assessments.some((a) => a.authorisationDate !== null && !inYear(x, a.authorisationDate)),
  ),
  'cin2022_23/8715': episode(['DateOfInitialCPC', 'ReferenceDate'], (d, _c, x) =>
    icpcDates(d).some((i) => !inYear(x, i)),
  ),
  'cin2022_23/8720': episode(['CPPstartDate'], (d, _c, x) =>
    d.protectionPlans.some((p) => !p.startDate || p.startDate > x.ref),
  ),
  'cin2022_23/8730': episode(['NumberOfPreviousCPP'], (d) =>
    d.protectionPlans.some((p) => p.numberOfPreviousCpp === null),
  ),
  'cin2022_23/8736': episode(['AssessmentAuthorisationDate', 'AssessmentActualStartDate'], (d, _c, x) =>
    d.assessments.some((a) => a.authorisationDate === null && !inYear(x, a.startDate)),
  ),
  'cin2022_23/8740': episode(['S47ActualStartDate', 'DateOfInitialCPC', 'ICPCnotRequired'], (d, _c, x) =>
    d.section47s.some((s) => s47Open(s) && !inYear(x, s.startDate)),
  ),
  'cin2022_23/8750': child(
    ['GenderCurrent', 'ExpectedPersonBirthDate'],
    (c, x) => x.year < 2025 && unborn(c) && c.genderCurrent !== '0',
  ),
  'cin2022_23/8770Q': child(
    ['UPN', 'UPNunknown', 'PersonBirthDate'],
    (c, x) =>
      x.year < 2025 &&
      c.birthDate !== null &&
      ageOn(c.birthDate, x.ref) > 5 &&
      c.upn === null &&
      c.upnUnknown === null,
  ),
  'cin2022_23/8772': child(
    ['UPNunknown', 'ReferralNFA'],
    (c) => c.upnUnknown === 'UN7' && c.details.some((d) => d.referralNfa === false),
  ),
  'cin2022_23/8775Q': child(
    ['PersonBirthDate'],
    (c, x) => c.birthDate !== null && ageOn(c.birthDate, x.ref) > 25,
  ),
  'cin2022_23/8790': child(
    ['Disability'],
    (c) => c.disabilities.includes('NONE') && c.disabilities.some((d) => d !== 'NONE'),
  ),
  'cin2022_23/8794': child(['Disability'], (c) => dupes(c.disabilities)),
  'cin2022_23/8805': episode(
    ['CINclosureDate', 'ReasonForClosure'],
    (d) => d.closureDate !== null && d.reasonForClosure === null,
  ),
  'cin2022_23/8810': episode(
    ['ReasonForClosure', 'CINclosureDate'],
    (d) => d.reasonForClosure !== null && d.closureDate === null,
  ),
  'cin2022_23/8815': child(
    ['CINclosureDate', 'ReferralNFA'],
    (c) => c.details.filter((d) => d.closureDate === null && d.referralNfa !== true).length > 1,
  ),
  'cin2022_23/8816': child(['CINclosureDate', 'CINreferralDate', 'ReferralNFA'], (c) => {
    const latest = c.details.reduce<string>((m, d) => (d.referralDate > m ? d.referralDate : m), '');
    return c.details.some((d) => d.closureDate === null && d.referralNfa !== true && d.referralDate < latest);
  }),
  'cin2022_23/8820': child(['CINreferralDate', 'CINclosureDate'], (c) => {
    const sorted = [...c.details].sort((a, b) => a.referralDate.localeCompare(b.referralDate));
    return sorted.some((d, i) => {
      const next = sorted[i + 1];
      return next !== undefined && (d.closureDate === null || next.referralDate < d.closureDate);
    });
  }),
  'cin2022_23/8825Q': episode(
    ['ReasonForClosure', 'AssessmentActualStartDate'],
    (d) => (d.reasonForClosure === 'RC8' || d.reasonForClosure === 'RC9') && d.assessments.length === 0,
  ),
  'cin2022_23/8831': episode(
    ['ReferralNFA', 'AssessmentActualStartDate', 'S47ActualStartDate'],
    (d) => d.referralNfa === true && d.assessments.length + d.section47s.length > 0,
  ),
  'cin2022_23/8832': episode(
    ['ReferralNFA', 'CPPstartDate', 'DateOfInitialCPC'],
    (d) => d.referralNfa === true && (d.protectionPlans.length > 0 || d.dateOfInitialCpc !== null),
  ),
  'cin2022_23/8839': episode(
    ['S47ActualStartDate', 'DateOfInitialCPC'],
    (d) => d.section47s.filter(s47Open).length > 1,
  ),
  'cin2022_23/8840': episode(['CPPstartDate', 'CPPendDate'], (d) =>
    d.protectionPlans.some((p) => p.endDate === p.startDate),
  ),
  'cin2022_23/8841': episode(['CPPreviewDate', 'CPPstartDate'], (d) =>
    d.protectionPlans.some((p) => p.reviewDates.some((r) => r <= p.startDate)),
  ),
  'cin2022_23/8842Q': episode(['CPPreviewDate'], (d) =>
    d.protectionPlans.some((p) => p.reviewDates.some((r) => !r)),
  ),
  'cin2022_23/8863Q': child(['AssessmentActualStartDate', 'AssessmentAuthorisationDate'], (c) => {
    const all = assessmentsOf(c);
    return all.some((a) =>
      all.some(
        (b) =>
          b !== a &&
          b.startDate > a.startDate &&
          (a.authorisationDate === null || b.startDate < a.authorisationDate),
      ),
    );
  }),
  'cin2022_23/8866': episode(
    ['ReferralSource'],
    (d) => !hasCode(CODE_LISTS.referralSource, d.referralSource),
  ),
  'cin2022_23/8867': episode(
    ['CINclosureDate', 'AssessmentAuthorisationDate'],
    (d) => d.closureDate !== null && d.assessments.some((a) => a.authorisationDate === null),
  ),
  'cin2022_23/8868': episode(
    ['CINclosureDate', 'DateOfInitialCPC', 'ICPCnotRequired'],
    (d) => d.closureDate !== null && d.section47s.some(s47Open),
  ),
  'cin2022_23/8869': episode(['AssessmentFactors'], (d) =>
    d.assessments.some((a) => a.factors.includes('21') && a.factors.length > 1),
  ),
  'cin2022_23/8870Q': episode(['InitialCPCtarget'], (d) =>
    d.section47s.some((s) => s.initialCpcTarget !== null && isWeekend(s.initialCpcTarget)),
  ),
  'cin2022_23/8873Q': episode(
    ['AssessmentFactors', 'ReasonForClosure'],
    (d) =>
      d.assessments.length === 1 &&
      d.assessments[0]!.authorisationDate !== null &&
      d.assessments[0]!.factors.length === 1 &&
      d.assessments[0]!.factors[0] === '21' &&
      d.closureDate !== null &&
      d.reasonForClosure !== 'RC8' &&
      d.reasonForClosure !== 'RC9',
  ),
  'cin2022_23/8875': episode(['DateOfInitialCPC'], (d) => icpcDates(d).some(isWeekend)),
  'cin2022_23/8890': child(['S47ActualStartDate', 'DateOfInitialCPC'], (c) => {
    const all = c.details.flatMap((d) => d.section47s);
    return all.some((a) =>
      all.some(
        (b) =>
          b !== a &&
          b.startDate > a.startDate &&
          (a.dateOfInitialCpc === null ? !a.icpcNotRequired : b.startDate < a.dateOfInitialCpc),
      ),
    );
  }),
  'cin2022_23/8896': episode(
    ['AssessmentAuthorisationDate'],
    (d) => d.assessments.filter((a) => a.authorisationDate === null).length > 1,
  ),
  'cin2022_23/8897Q': episode(['AssessmentFactors', 'AssessmentAuthorisationDate'], (d) =>
    d.assessments.some((a) => a.authorisationDate !== null && a.factors.length === 0),
  ),
  'cin2022_23/8898': episode(['AssessmentFactors'], (d) => d.assessments.some((a) => dupes(a.factors))),
  'cin2022_23/8905': episode(['InitialCategoryOfAbuse'], (d) =>
    d.protectionPlans.some((p) => !hasCode(CODE_LISTS.categoryOfAbuse, p.initialCategoryOfAbuse)),
  ),
  'cin2022_23/8910': episode(['LatestCategoryOfAbuse'], (d) =>
    d.protectionPlans.some((p) => !hasCode(CODE_LISTS.categoryOfAbuse, p.latestCategoryOfAbuse)),
  ),
  'cin2022_23/8915': episode(['CPPstartDate', 'PersonDeathDate'], (d, c) =>
    d.protectionPlans.some((p) => c.deathDate !== null && p.startDate > c.deathDate),
  ),
  'cin2022_23/8920': episode(['CPPendDate', 'PersonDeathDate'], (d, c) =>
    d.protectionPlans.some((p) => c.deathDate !== null && p.endDate !== null && p.endDate > c.deathDate),
  ),
  'cin2022_23/8925': episode(['CPPendDate', 'CPPstartDate'], (d) =>
    d.protectionPlans.some((p) => p.endDate !== null && p.endDate < p.startDate),
  ),
  'cin2022_23/8930': episode(['CPPendDate', 'ReferenceDate'], (d, _c, x) =>
    d.protectionPlans.some((p) => p.endDate !== null && !inYear(x, p.endDate)),
  ),
  'cin2022_23/8935': child(
    ['CPPendDate'],
    (c) => c.details.flatMap((d) => d.protectionPlans).filter((p) => p.endDate === null).length > 1,
  ),
  'cin2022_23/8940': child(['CPPstartDate', 'CPPendDate'], (c) =>
    overlaps(c.details.flatMap((d) => d.protectionPlans)),
  ),
  'cin2023_24/1530': child(
    ['UPN'],
    (c, x) => x.year >= 2024 && c.upn !== null && !isUpnLaCode(c.upn.slice(1, 4)),
  ),
  'cin2024_25/1570': child(['LAchildID'], (c, x) => x.year >= 2025 && c.laChildId.length > 20),
  'cin2024_25/1580': child(['LAchildID'], (c, x) => x.year >= 2025 && /[^A-Za-z0-9]/.test(c.laChildId)),
  'cin2024_25/2886Q': whole(
    ['ExpectedPersonBirthDate', 'Sex'],
    (x) => x.year >= 2025 && sexShare(x, (c) => c.sex === 'U' || c.sex === null),
  ),
  'cin2024_25/4180': child(['Sex'], (c, x) => x.year >= 2025 && !hasCode(['M', 'F', 'U'], c.sex)),
  'cin2024_25/8750': child(
    ['Sex', 'ExpectedPersonBirthDate'],
    (c, x) => x.year >= 2025 && unborn(c) && c.sex !== 'U',
  ),
  'cin2024_25/8770Q': child(
    ['UPN', 'UPNunknown', 'PersonBirthDate'],
    (c, x) =>
      x.year >= 2025 &&
      schoolAge(c, x) &&
      c.upn === null &&
      (c.upnUnknown === null || c.upnUnknown === 'UN1'),
  ),
  'cin2024_25/8945Q': episode(
    ['AssessmentFactors'],
    (d, _c, x) => x.year >= 2025 && d.assessments.some((a) => a.factors.includes('18A')),
  ),
  'cin2024_25/8950Q': episode(
    ['AssessmentFactors'],
    (d, _c, x) => x.year >= 2025 && d.assessments.some((a) => a.factors.includes('19A')),
  ),
};

/** The rule versions that apply to a census year: a later version replaces an earlier one from its year. */
export function rulesFor(year: number): (typeof RULE_TEXTS)[number][] {
  return RULE_TEXTS.filter((t) => {
    const [version] = t.id.split('/') as [string];
    if ((VERSION_FROM[version] ?? 0) > year) return false;
    return !RULE_TEXTS.some((o) => {
      const [v] = o.id.split('/') as [string];
      return (
        o.code === t.code &&
        o !== t &&
        (VERSION_FROM[v] ?? 0) > (VERSION_FROM[version] ?? 0) &&
        (VERSION_FROM[v] ?? 0) <= year
      );
    });
  });
}

/** Every failure of every rule that applies to the return's year, errors first, then by child. */
export function validateCinReturn(
  ret: CinReturn,
  calendar = calendarFor('england-and-wales'),
): RuleFailure[] {
  const year = ret.header.year;
  const { start, referenceDate } = censusPeriod(year);
  const input: RuleInput = { ret, year, start, ref: referenceDate, calendar };
  const failures: RuleFailure[] = [];
  for (const text of rulesFor(year)) {
    const level: RuleLevel = text.code.endsWith('Q') ? 'query' : 'error';
    for (const hit of RULES[text.id].check(input))
      failures.push({
        ruleId: text.id,
        code: text.code,
        level,
        message: text.message,
        personId: hit.child?.personId ?? null,
        laChildId: hit.child?.laChildId ?? null,
        referralDate: hit.details?.referralDate ?? null,
        fields: hit.fields,
      });
  }
  const order = (f: RuleFailure) => (f.level === 'error' ? 0 : 1);
  return failures.sort(
    (a, b) =>
      order(a) - order(b) ||
      (a.laChildId ?? '').localeCompare(b.laChildId ?? '') ||
      a.code.localeCompare(b.code, 'en', { numeric: true }),
  );
}
