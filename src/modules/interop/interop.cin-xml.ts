import { create } from 'xmlbuilder2';
import type { CinChild, CinDetails, CinReturn } from './interop.cin-census.ts';

type XMLBuilder = ReturnType<typeof create>;

/**
 * The return as the DfE's Children in Need census XML, in the XSD's element order (liia-tools'
 * cin-2022.xsd and the validator's 2026 sample: ReferralNFA comes after Section47, before the child
 * protection plans, whatever order shared/reference/standards.md 3.1 lists them in). Optional elements with no value are left out; a required one with
 * no value (an ethnicity never recorded, say) is left out too, and the validation rules name it.
 * From the 2024 to 2025 census the child's sex is `Sex` (M, F, U); before it, `GenderCurrent`.
 */
export function cinCensusXml(ret: CinReturn): string {
  const doc = create({ version: '1.0', encoding: 'UTF-8' });
  const message = doc.ele('Message');
  const header = message.ele('Header');
  const collection = header.ele('CollectionDetails');
  collection.ele('Collection').txt('CIN');
  collection.ele('Year').txt(String(ret.header.year));
  collection.ele('ReferenceDate').txt(ret.header.referenceDate);
  const source = header.ele('Source');
  source.ele('SourceLevel').txt('L');
  if (ret.header.laCode) source.ele('LEA').txt(ret.header.laCode);
  source.ele('SoftwareCode').txt(ret.header.softwareCode);
  source.ele('Release').txt(ret.header.release);
  source.ele('SerialNo').txt(String(ret.header.serialNo).padStart(3, '0')); // the XSD asks for 3 digits or more
  source.ele('DateTime').txt(ret.header.dateTime);
  const children = message.ele('Children');
  for (const child of ret.children) writeChild(children.ele('Child'), child, ret.header.year);
  return doc.end({ prettyPrint: true });
}

function optional(parent: XMLBuilder, name: string, value: string | null | undefined) {
  if (value !== null && value !== undefined && value !== '') parent.ele(name).txt(value);
}

function writeChild(el: XMLBuilder, child: CinChild, year: number) {
  const ids = el.ele('ChildIdentifiers');
  ids.ele('LAchildID').txt(child.laChildId);
  optional(ids, 'UPN', child.upn);
  optional(ids, 'FormerUPN', child.formerUpn);
  optional(ids, 'UPNunknown', child.upnUnknown);
  optional(ids, 'PersonBirthDate', child.birthDate);
  optional(ids, 'ExpectedPersonBirthDate', child.expectedBirthDate);
  if (year >= 2025) optional(ids, 'Sex', child.sex);
  else optional(ids, 'GenderCurrent', child.genderCurrent);
  optional(ids, 'PersonDeathDate', child.deathDate);
  const characteristics = el.ele('ChildCharacteristics');
  optional(characteristics, 'Ethnicity', child.ethnicity);
  if (child.disabilities.length > 0) {
    const disabilities = characteristics.ele('Disabilities');
    for (const d of child.disabilities) disabilities.ele('Disability').txt(d);
  }
  for (const details of child.details) writeDetails(el.ele('CINdetails'), details);
}

function writeDetails(el: XMLBuilder, d: CinDetails) {
  el.ele('CINreferralDate').txt(d.referralDate);
  optional(el, 'ReferralSource', d.referralSource);
  optional(el, 'PrimaryNeedCode', d.primaryNeedCode);
  optional(el, 'CINclosureDate', d.closureDate);
  optional(el, 'ReasonForClosure', d.reasonForClosure);
  optional(el, 'DateOfInitialCPC', d.dateOfInitialCpc);
  for (const a of d.assessments) {
    const as = el.ele('Assessments');
    as.ele('AssessmentActualStartDate').txt(a.startDate);
    optional(as, 'AssessmentAuthorisationDate', a.authorisationDate);
    if (a.factors.length > 0) {
      const factors = as.ele('FactorsIdentifiedAtAssessment');
      for (const f of a.factors) factors.ele('AssessmentFactors').txt(f);
    }
  }
  for (const p of d.cinPlanDates) {
    const plan = el.ele('CINPlanDates');
    plan.ele('CINPlanStartDate').txt(p.startDate);
    optional(plan, 'CINPlanEndDate', p.endDate);
  }
  for (const s of d.section47s) {
    const s47 = el.ele('Section47');
    s47.ele('S47ActualStartDate').txt(s.startDate);
    optional(s47, 'InitialCPCtarget', s.initialCpcTarget);
    optional(s47, 'DateOfInitialCPC', s.dateOfInitialCpc);
    s47.ele('ICPCnotRequired').txt(String(s.icpcNotRequired));
  }
  // After the section 47s, before the plans: the XSD's order (not the order the DfE guide lists them in).
  if (d.referralNfa !== null) el.ele('ReferralNFA').txt(String(d.referralNfa));
  for (const p of d.protectionPlans) {
    const cpp = el.ele('ChildProtectionPlans');
    cpp.ele('CPPstartDate').txt(p.startDate);
    optional(cpp, 'CPPendDate', p.endDate);
    optional(cpp, 'InitialCategoryOfAbuse', p.initialCategoryOfAbuse);
    optional(cpp, 'LatestCategoryOfAbuse', p.latestCategoryOfAbuse);
    if (p.numberOfPreviousCpp !== null) cpp.ele('NumberOfPreviousCPP').txt(String(p.numberOfPreviousCpp));
    if (p.reviewDates.length > 0) {
      const reviews = cpp.ele('Reviews');
      for (const r of p.reviewDates) reviews.ele('CPPreviewDate').txt(r);
    }
  }
}
