import { describe, expect, it } from 'vitest';
import type { CensusPlanStage } from '../plans/index.ts';
import type { CensusReferral } from '../referrals/index.ts';
import {
  buildCinCensus,
  censusPeriod,
  laChildIdOf,
  reasonForClosure,
  type CensusSources,
} from './interop.cin-census.ts';

const PERSON = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const now = new Date('2025-05-01T10:00:00Z');

function referral(overrides: Partial<CensusReferral> = {}): CensusReferral {
  return {
    contactId: 'c1',
    personId: PERSON,
    receivedAt: new Date('2024-06-03T09:00:00Z'),
    source: '3A',
    outcome: 'statutory_assessment',
    decidedAt: new Date('2024-06-03T15:00:00Z'),
    childUpn: null,
    episodeId: 'e1',
    episodeStatus: 'open',
    ...overrides,
  };
}

function stage(overrides: Partial<CensusPlanStage> = {}): CensusPlanStage {
  return {
    planId: 'plan1',
    episodeId: 'e1',
    personId: PERSON,
    kind: 'child_in_need',
    startedOn: '2024-07-01',
    endedOn: null,
    childAddedOn: '2024-07-01',
    childRemovedOn: null,
    planClosedOn: null,
    planCloseReason: null,
    ...overrides,
  };
}

function sources(overrides: Partial<CensusSources> = {}): CensusSources {
  return {
    referrals: [referral()],
    people: [
      { id: PERSON, kind: 'child', dateOfBirth: '2021-02-01', expectedDate: null, sex: 'male', upns: [] },
    ],
    assessments: [
      {
        id: 'a1',
        personId: PERSON,
        episodeId: 'e1',
        planId: null,
        status: 'finished',
        startedAt: new Date('2024-06-04T09:00:00Z'),
        finishedAt: new Date('2024-06-28T09:00:00Z'),
        outcome: 'needs_met',
      },
    ],
    stages: [stage()],
    reviews: [],
    childCodes: [],
    episodeCodes: [],
    ...overrides,
  };
}

const build = (s: CensusSources, year = 2025) => buildCinCensus(s, { year, laCode: '370', now });

describe('building the CIN census from the platform data', () => {
  it('names the census period by the year it ends', () => {
    expect(censusPeriod(2025)).toEqual({ start: '2024-04-01', referenceDate: '2025-03-31' });
  });

  it('makes a child with a referral, an assessment and an open child in need plan', () => {
    const ret = build(sources());
    expect(ret.header).toMatchObject({ year: 2025, referenceDate: '2025-03-31', laCode: '370' });
    expect(ret.children).toHaveLength(1);
    const [c] = ret.children;
    expect(c).toMatchObject({
      laChildId: '0a1b2c3d4e5f4a6b8c7d',
      birthDate: '2021-02-01',
      sex: 'M',
      genderCurrent: '1',
      // Under 5 with no UPN: not of school age.
      upnUnknown: 'UN1',
      ethnicity: null,
      disabilities: [],
    });
    expect(c!.details).toEqual([
      {
        referralDate: '2024-06-03',
        referralSource: '3A',
        primaryNeedCode: null,
        closureDate: null,
        reasonForClosure: null,
        dateOfInitialCpc: null,
        referralNfa: false,
        assessments: [{ startDate: '2024-06-04', authorisationDate: '2024-06-28', factors: [] }],
        cinPlanDates: [{ startDate: '2024-07-01', endDate: null }],
        section47s: [],
        protectionPlans: [],
      },
    ]);
    expect(laChildIdOf(PERSON)).toHaveLength(20);
  });

  it('closes an episode when its plan closes, with the reason its words give', () => {
    const s = sources({
      stages: [
        stage({
          endedOn: '2025-01-10',
          planClosedOn: '2025-01-10',
          planCloseReason: 'Family moved to another local authority',
        }),
      ],
    });
    const d = build(s).children[0]!.details[0]!;
    expect(d).toMatchObject({ closureDate: '2025-01-10', reasonForClosure: 'RC5' });
    expect(d.cinPlanDates).toEqual([{ startDate: '2024-07-01', endDate: '2025-01-10' }]);
    expect(reasonForClosure('Adopted by her foster carers')).toBe('RC1');
    expect(reasonForClosure('Special guardianship order to grandmother')).toBe('RC4');
    expect(reasonForClosure('Goals met')).toBe('RC7');
    expect(reasonForClosure(null)).toBe('RC7');
  });

  it('closes an episode with no plan at its assessment: RC8, or RC9 when referred on', () => {
    const d = build(sources({ stages: [] })).children[0]!.details[0]!;
    expect(d).toMatchObject({ closureDate: '2024-06-28', reasonForClosure: 'RC8', cinPlanDates: [] });
    const [a] = sources().assessments;
    const onward = build(sources({ stages: [], assessments: [{ ...a!, outcome: 'referral_onward' }] }));
    expect(onward.children[0]!.details[0]!.reasonForClosure).toBe('RC9');
  });

  it('leaves out an episode closed before the year and anything after the reference date', () => {
    const closedEarly = sources({
      referrals: [
        referral({
          receivedAt: new Date('2023-05-01T09:00:00Z'),
          decidedAt: new Date('2023-05-01T12:00:00Z'),
        }),
      ],
      stages: [
        stage({
          startedOn: '2023-06-01',
          childAddedOn: '2023-06-01',
          endedOn: '2024-02-01',
          planClosedOn: '2024-02-01',
        }),
      ],
    });
    expect(build(closedEarly).children).toEqual([]);
    const later = sources({ referrals: [referral({ receivedAt: new Date('2025-04-02T09:00:00Z') })] });
    expect(build(later).children).toEqual([]);
    // A plan closed after the reference date is still open on it.
    const open = build(sources({ stages: [stage({ endedOn: '2025-05-01', planClosedOn: '2025-05-01' })] }));
    expect(open.children[0]!.details[0]).toMatchObject({ closureDate: null, reasonForClosure: null });
    expect(open.children[0]!.details[0]!.cinPlanDates).toEqual([{ startDate: '2024-07-01', endDate: null }]);
  });

  it('makes a section 47 and a child protection plan from a strategy discussion', () => {
    const s = sources({
      referrals: [referral({ outcome: 'strategy_discussion' })],
      stages: [
        stage({ kind: 'child_protection', startedOn: '2024-06-17', childAddedOn: '2024-06-17' }),
        // An earlier child protection plan, on another episode.
        stage({
          planId: 'old',
          episodeId: 'e0',
          kind: 'child_protection',
          startedOn: '2022-01-10',
          endedOn: '2022-09-01',
          childAddedOn: '2022-01-10',
        }),
      ],
      reviews: [
        { planId: 'plan1', heldOn: '2024-09-16', kind: 'review_conference' },
        { planId: 'plan1', heldOn: '2024-10-01', kind: 'core_group' },
      ],
      episodeCodes: [
        { episodeId: 'e1', primaryNeed: null, initialCategoryOfAbuse: 'EMO', latestCategoryOfAbuse: null },
      ],
    });
    const d = build(s).children[0]!.details[0]!;
    expect(d.primaryNeedCode).toBe('N1');
    expect(d.dateOfInitialCpc).toBeNull();
    expect(d.section47s).toEqual([
      {
        startDate: '2024-06-03',
        initialCpcTarget: null,
        dateOfInitialCpc: '2024-06-17',
        icpcNotRequired: false,
      },
    ]);
    expect(d.protectionPlans).toEqual([
      {
        startDate: '2024-06-17',
        endDate: null,
        initialCategoryOfAbuse: 'EMO',
        latestCategoryOfAbuse: 'EMO',
        numberOfPreviousCpp: 1,
        reviewDates: ['2024-09-16'],
      },
    ]);
  });

  it('marks an enquiry that went on without a conference as not needing one', () => {
    const s = sources({ referrals: [referral({ outcome: 'strategy_discussion' })] });
    expect(build(s).children[0]!.details[0]!.section47s[0]!.icpcNotRequired).toBe(true);
  });

  it('takes the UPN from the index, else the contact, and the codes recorded for the child', () => {
    const s = sources({
      referrals: [referral({ childUpn: 'a801200005001' })],
      childCodes: [{ personId: PERSON, ethnicity: 'MWBC', disabilities: ['AUT'], upnUnknown: null }],
    });
    expect(build(s).children[0]).toMatchObject({
      upn: 'A801200005001',
      upnUnknown: null,
      ethnicity: 'MWBC',
      disabilities: ['AUT'],
    });
    const indexed = sources({ people: [{ ...sources().people[0]!, upns: ['B801200005001'] }] });
    expect(build(indexed).children[0]!.upn).toBe('B801200005001');
  });

  it('writes an unborn child with an expected date and sex U', () => {
    const s = sources({
      people: [
        {
          id: PERSON,
          kind: 'unborn',
          dateOfBirth: null,
          expectedDate: '2025-06-01',
          sex: 'unknown',
          upns: [],
        },
      ],
    });
    expect(build(s).children[0]).toMatchObject({
      birthDate: null,
      expectedBirthDate: '2025-06-01',
      sex: 'U',
      genderCurrent: '0',
      upnUnknown: 'UN1',
    });
  });

  it('builds an empty return when nothing happened', () => {
    expect(build(sources({ referrals: [] })).children).toEqual([]);
  });
});
