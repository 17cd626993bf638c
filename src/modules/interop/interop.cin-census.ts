import { londonDate } from '../../common/plain-dates.ts';
import type { CensusAssessment } from '../assessments/index.ts';
import type { CensusPerson } from '../people/index.ts';
import type { CensusPlanReview, CensusPlanStage } from '../plans/index.ts';
import type { CensusReferral } from '../referrals/index.ts';

/**
 * The Children in Need census (England, DfE; structure of the 2024 XSD, see
 * shared/reference/standards.md 3.1) as a plain model built from the platform's own data. Census year
 * `year` runs from 1 April of year - 1 to the reference date, 31 March of `year` (DfE's "2024 to 2025"
 * census is year 2025). Dates are 'YYYY-MM-DD'.
 *
 * Where each element comes from:
 * - a child is anyone with a CIN episode in the year; LAchildID is the platform person id, its
 *   first 20 hexadecimal characters without hyphens (DfE allows 20 letters and digits: rules 1570, 1580);
 * - CINdetails: one per referral, a contact decided as a statutory assessment or strategy discussion
 *   (CINreferralDate = the day it was received, ReferralSource = the contact's source code);
 *   ReferralNFA is always false: a contact the front door closes with no further action never
 *   becomes a referral in the platform (it is a contact, which the census does not count);
 * - closure: the day the episode's plan closed (or the child left it), with a reason read from the
 *   plan's closing words (adopted RC1, died RC2, child arrangements RC3, special guardianship RC4,
 *   another local authority RC5, adult services RC6, otherwise RC7); with no plan, the day an
 *   assessment of the episode finished with no further action or needs met (RC8) or a referral on
 *   (RC9);
 * - assessments: those of the episode (or of its plan); AssessmentAuthorisationDate = the day one
 *   finished, if by the reference date; no factors are recorded in the platform;
 * - CIN plan dates and child protection plans: the stages of the episode's plan of kind child in need
 *   and child protection, for the time the child was on the plan; NumberOfPreviousCPP counts the
 *   child's earlier child protection stages; reviews are the plan's review conferences;
 * - Section 47: a strategy discussion referral; the enquiry starts on the day the decision took
 *   effect; the initial conference is the start of the first child protection stage after it;
 *   ICPCnotRequired when the episode went on without one (a child in need plan, an end, or a
 *   finished assessment). A child protection plan with no strategy discussion puts its conference
 *   date on the CIN details instead (rule 2884);
 * - held by this module because no other does (census_child_codes, census_episode_codes):
 *   ethnicity, disabilities, a reason for no UPN, the primary need and the categories of abuse. With
 *   no recorded primary need, an episode with a child protection plan has N1 (abuse or neglect); an
 *   under-5 or unborn child with no UPN has UN1;
 * - not held by the platform at all: date of death, former UPN, ICPC target date, assessment
 *   factors. They are left out of the return, and the rules that read them pass or query as the
 *   DfE's would.
 */

export type CinAssessment = { startDate: string; authorisationDate: string | null; factors: string[] };
export type CinPlanDates = { startDate: string; endDate: string | null };
export type CinSection47 = {
  startDate: string;
  initialCpcTarget: string | null;
  dateOfInitialCpc: string | null;
  icpcNotRequired: boolean;
};
export type CinProtectionPlan = {
  startDate: string;
  endDate: string | null;
  initialCategoryOfAbuse: string | null;
  latestCategoryOfAbuse: string | null;
  numberOfPreviousCpp: number | null;
  reviewDates: string[];
};
export type CinDetails = {
  referralDate: string;
  referralSource: string | null;
  primaryNeedCode: string | null;
  closureDate: string | null;
  reasonForClosure: string | null;
  dateOfInitialCpc: string | null;
  referralNfa: boolean | null;
  assessments: CinAssessment[];
  cinPlanDates: CinPlanDates[];
  section47s: CinSection47[];
  protectionPlans: CinProtectionPlan[];
};
export type CinChild = {
  /** The platform's person id (never written to the return; for the page and the audit). */
  personId: string;
  laChildId: string;
  upn: string | null;
  formerUpn: string | null;
  upnUnknown: string | null;
  birthDate: string | null;
  expectedBirthDate: string | null;
  /** From 2024 to 2025: M, F or U (unborn or not recorded). */
  sex: 'M' | 'F' | 'U' | null;
  /** Up to 2023 to 2024: 1 male, 2 female, 9 indeterminate, 0 not recorded or unborn. */
  genderCurrent: '0' | '1' | '2' | '9' | null;
  deathDate: string | null;
  ethnicity: string | null;
  disabilities: string[];
  details: CinDetails[];
};
export type CinHeader = {
  year: number;
  referenceDate: string;
  laCode: string | null;
  softwareCode: string;
  release: string;
  serialNo: number;
  dateTime: string;
};
export type CinReturn = { header: CinHeader; children: CinChild[] };

export type CensusChildCodes = {
  personId: string;
  ethnicity: string | null;
  disabilities: string[];
  upnUnknown: string | null;
};
export type CensusEpisodeCodes = {
  episodeId: string;
  primaryNeed: string | null;
  initialCategoryOfAbuse: string | null;
  latestCategoryOfAbuse: string | null;
};

export type CensusSources = {
  referrals: CensusReferral[];
  people: CensusPerson[];
  assessments: CensusAssessment[];
  stages: CensusPlanStage[];
  reviews: CensusPlanReview[];
  childCodes: CensusChildCodes[];
  episodeCodes: CensusEpisodeCodes[];
};

export const SOFTWARE_CODE = 'Wraparound';
export const RELEASE = '1.0';

/** The census period of a year: 1 April of the year before to 31 March. */
export function censusPeriod(year: number): { start: string; referenceDate: string } {
  return { start: `${year - 1}-04-01`, referenceDate: `${year}-03-31` };
}

/** The first day after the reference date, as an instant (midnight in London, near enough in UTC). */
export function censusEnd(year: number): Date {
  return new Date(`${year}-04-01T00:00:00+01:00`);
}

export function laChildIdOf(personId: string): string {
  return personId.replace(/-/g, '').slice(0, 20);
}

const CLOSE_REASONS: [RegExp, string][] = [
  [/adopt/i, 'RC1'],
  [/\bdied\b|\bdeath\b/i, 'RC2'],
  [/child arrangements?|residence order/i, 'RC3'],
  [/special guardian/i, 'RC4'],
  [/another (local )?(authority|council)|transferred|moved (out|away|to)/i, 'RC5'],
  [/adult (social )?(care|services)/i, 'RC6'],
];

/** The DfE reason for closure a plan's closing words point to; RC7 (services ceased) otherwise. */
export function reasonForClosure(text: string | null): string {
  for (const [pattern, code] of CLOSE_REASONS) if (text && pattern.test(text)) return code;
  return 'RC7';
}

function ageOn(birth: string, on: string): number {
  const [by, bm, bd] = birth.split('-').map(Number) as [number, number, number];
  const [y, m, d] = on.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

const min = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : a < b ? a : b);
const max = (a: string, b: string) => (a > b ? a : b);

/** A stage's dates for the child: clipped to the child's time on the plan, and to the reference date. */
function stageDates(s: CensusPlanStage, referenceDate: string) {
  const start = max(s.startedOn, s.childAddedOn);
  const end = min(s.endedOn, s.childRemovedOn);
  return { start, end: end !== null && end > referenceDate ? null : end };
}

export function buildCinCensus(
  sources: CensusSources,
  options: { year: number; laCode: string | null; now: Date; serialNo?: number },
): CinReturn {
  const { start, referenceDate } = censusPeriod(options.year);
  const people = new Map(sources.people.map((p) => [p.id, p]));
  const childCodes = new Map(sources.childCodes.map((c) => [c.personId, c]));
  const episodeCodes = new Map(sources.episodeCodes.map((c) => [c.episodeId, c]));
  const inYear = (d: string | null) => d !== null && d >= start && d <= referenceDate;

  const byChild = new Map<string, { details: CinDetails[]; upns: string[] }>();
  for (const r of sources.referrals) {
    const referralDate = londonDate(r.receivedAt);
    if (referralDate > referenceDate) continue;
    const stages = sources.stages
      .filter((s) => r.episodeId !== null && s.episodeId === r.episodeId && s.personId === r.personId)
      .filter((s) => max(s.startedOn, s.childAddedOn) <= referenceDate);
    const planIds = new Set(stages.map((s) => s.planId));
    const assessments = sources.assessments.filter(
      (a) =>
        a.personId === r.personId &&
        ((r.episodeId !== null && a.episodeId === r.episodeId) ||
          (a.planId !== null && planIds.has(a.planId))) &&
        londonDate(a.startedAt) <= referenceDate,
    );

    // Closure: the plan's end for this child, else an assessment that ended the episode without one.
    let closureDate: string | null = null;
    let closure: string | null = null;
    if (stages.length > 0) {
      const last = stages.reduce((a, b) => (a.startedOn >= b.startedOn ? a : b));
      const ended = min(last.planClosedOn, last.childRemovedOn);
      if (ended !== null) {
        closureDate = ended;
        closure = reasonForClosure(last.planClosedOn !== null ? last.planCloseReason : null);
      }
    } else {
      const ending = assessments.find((a) => a.status === 'finished' && a.finishedAt !== null && a.outcome);
      if (ending?.finishedAt) {
        closureDate = londonDate(ending.finishedAt);
        closure = ending.outcome === 'referral_onward' ? 'RC9' : 'RC8';
      }
    }
    if (closureDate !== null && closureDate > referenceDate) closureDate = closure = null;
    if (closureDate !== null && closureDate < start) continue;

    const cinPlanDates: CinPlanDates[] = [];
    const protectionPlans: CinProtectionPlan[] = [];
    const reviewsOf = (planId: string) => sources.reviews.filter((v) => v.planId === planId);
    const codes = r.episodeId ? episodeCodes.get(r.episodeId) : undefined;
    for (const s of stages) {
      const { start: from, end } = stageDates(s, referenceDate);
      if (end !== null && end < start) continue;
      if (s.kind === 'child_in_need') cinPlanDates.push({ startDate: from, endDate: end });
      if (s.kind === 'child_protection') {
        const previous = sources.stages.filter(
          (o) =>
            o.personId === r.personId &&
            o.kind === 'child_protection' &&
            max(o.startedOn, o.childAddedOn) < from,
        ).length;
        protectionPlans.push({
          startDate: from,
          endDate: end,
          initialCategoryOfAbuse: codes?.initialCategoryOfAbuse ?? null,
          latestCategoryOfAbuse: codes?.latestCategoryOfAbuse ?? codes?.initialCategoryOfAbuse ?? null,
          numberOfPreviousCpp: previous,
          reviewDates: reviewsOf(s.planId)
            .filter((v) => v.kind === 'review_conference')
            .map((v) => v.heldOn)
            .filter((d) => d > from && d <= (end ?? referenceDate)),
        });
      }
    }

    // The initial conference: the start of the episode's first child protection plan.
    const firstCpp = [...protectionPlans].sort((a, b) => a.startDate.localeCompare(b.startDate))[0];
    const icpc = firstCpp && inYear(firstCpp.startDate) ? firstCpp.startDate : null;
    const section47s: CinSection47[] = [];
    let detailsIcpc: string | null = null;
    if (r.outcome === 'strategy_discussion') {
      const s47Start = londonDate(r.decidedAt);
      const moved =
        closureDate !== null ||
        cinPlanDates.length > 0 ||
        assessments.some((a) => a.finishedAt !== null && londonDate(a.finishedAt) <= referenceDate);
      if (s47Start <= referenceDate && (s47Start >= start || icpc !== null || !moved))
        section47s.push({
          startDate: s47Start,
          initialCpcTarget: null,
          dateOfInitialCpc: icpc,
          icpcNotRequired: icpc === null && !firstCpp && moved,
        });
    } else detailsIcpc = icpc;

    const details: CinDetails = {
      referralDate,
      referralSource: r.source || null,
      primaryNeedCode: codes?.primaryNeed ?? (protectionPlans.length > 0 ? 'N1' : null),
      closureDate,
      reasonForClosure: closure,
      dateOfInitialCpc: detailsIcpc,
      referralNfa: false,
      assessments: assessments.map((a) => {
        const finished = a.finishedAt ? londonDate(a.finishedAt) : null;
        return {
          startDate: londonDate(a.startedAt),
          authorisationDate: finished !== null && finished <= referenceDate ? finished : null,
          factors: [],
        };
      }),
      cinPlanDates,
      section47s,
      protectionPlans,
    };
    const entry = byChild.get(r.personId) ?? { details: [], upns: [] };
    entry.details.push(details);
    if (r.childUpn) entry.upns.push(r.childUpn.toUpperCase());
    byChild.set(r.personId, entry);
  }

  const children: CinChild[] = [];
  for (const [personId, entry] of byChild) {
    const person = people.get(personId);
    const codes = childCodes.get(personId);
    const unborn = person?.kind === 'unborn';
    const birthDate = unborn ? null : (person?.dateOfBirth ?? null);
    const upn = [...(person?.upns ?? []).map((u) => u.toUpperCase()), ...entry.upns.reverse()][0] ?? null;
    const young = unborn || (birthDate !== null && ageOn(birthDate, referenceDate) < 5);
    const sex = person?.sex;
    children.push({
      personId,
      laChildId: laChildIdOf(personId),
      upn,
      formerUpn: null,
      upnUnknown: upn ? null : (codes?.upnUnknown ?? (young ? 'UN1' : null)),
      birthDate,
      expectedBirthDate: unborn ? (person?.expectedDate ?? null) : null,
      sex: !person ? null : unborn ? 'U' : sex === 'male' ? 'M' : sex === 'female' ? 'F' : 'U',
      genderCurrent: !person
        ? null
        : unborn
          ? '0'
          : sex === 'male'
            ? '1'
            : sex === 'female'
              ? '2'
              : sex === 'other'
                ? '9'
                : '0',
      deathDate: null,
      ethnicity: codes?.ethnicity ?? null,
      disabilities: codes?.disabilities ?? [],
      details: entry.details.sort((a, b) => a.referralDate.localeCompare(b.referralDate)),
    });
  }
  children.sort((a, b) => a.laChildId.localeCompare(b.laChildId));
  return {
    header: {
      year: options.year,
      referenceDate,
      laCode: options.laCode,
      softwareCode: SOFTWARE_CODE,
      release: RELEASE,
      serialNo: options.serialNo ?? 1,
      dateTime: options.now.toISOString().slice(0, 19),
    },
    children,
  };
}
