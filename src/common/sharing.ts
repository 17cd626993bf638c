/** The vocabulary of information sharing: purposes, lawful bases, kinds of data and sensitivities. */

export const PURPOSES = ['safeguarding', 'early_help', 'health_and_care', 'education'] as const;
export type Purpose = (typeof PURPOSES)[number];
export const PURPOSE_LABELS: Record<Purpose, string> = {
  safeguarding: 'Safeguarding',
  early_help: 'Early help',
  health_and_care: 'Health and care',
  education: 'Education',
};

export const LAWFUL_BASES = [
  'consent',
  'public_task',
  'legal_obligation',
  'vital_interests',
  'legitimate_interests',
] as const;
export type LawfulBasis = (typeof LAWFUL_BASES)[number];
export const LAWFUL_BASIS_LABELS: Record<LawfulBasis, string> = {
  consent: 'Consent (UK GDPR 6(1)(a))',
  public_task: 'Public task (UK GDPR 6(1)(e))',
  legal_obligation: 'Legal obligation (UK GDPR 6(1)(c))',
  vital_interests: 'Vital interests (UK GDPR 6(1)(d))',
  legitimate_interests: 'Legitimate interests (UK GDPR 6(1)(f))',
};

/** The bases a practitioner may cite when sharing one item without an agreement. */
export const DECISION_BASES = ['public_task', 'legal_obligation', 'vital_interests', 'safeguarding'] as const;
export type DecisionBasis = (typeof DECISION_BASES)[number];
export const DECISION_BASIS_LABELS: Record<DecisionBasis, string> = {
  public_task: 'Public task (UK GDPR 6(1)(e))',
  legal_obligation: 'Legal obligation (UK GDPR 6(1)(c))',
  vital_interests: 'Vital interests (UK GDPR 6(1)(d))',
  safeguarding: 'Safeguarding of children (DPA 2018 Sch 1 para 18)',
};

export const DATA_TYPES = [
  'education',
  'health',
  'social_care',
  'police',
  'youth_justice',
  'housing',
  'family_support',
  'contact_details',
] as const;
export type DataType = (typeof DATA_TYPES)[number];
export const DATA_TYPE_LABELS: Record<DataType, string> = {
  education: 'Education',
  health: 'Health',
  social_care: 'Social care',
  police: 'Police',
  youth_justice: 'Youth justice',
  housing: 'Housing',
  family_support: 'Family support',
  contact_details: 'Contact details',
};

export const SENSITIVITIES = ['standard', 'health', 'special_category', 'restricted_location'] as const;
export type Sensitivity = (typeof SENSITIVITIES)[number];
export const SENSITIVITY_LABELS: Record<Sensitivity, string> = {
  standard: 'Standard',
  health: 'Health',
  special_category: 'Special category (such as sexual or mental health)',
  restricted_location: 'Restricted location (protected address)',
};

export const INVOLVEMENT_KINDS = [
  'allocated_worker',
  'team_around_family',
  'school_safeguarding_lead',
  'health_visitor',
  'gp_practice',
  'front_door',
  'other',
] as const;
export type InvolvementKind = (typeof INVOLVEMENT_KINDS)[number];
export const INVOLVEMENT_KIND_LABELS: Record<InvolvementKind, string> = {
  allocated_worker: 'Allocated worker',
  team_around_family: 'Team around the family',
  school_safeguarding_lead: "School's safeguarding lead",
  health_visitor: 'Health visitor',
  gp_practice: 'GP practice',
  front_door: 'Front door (open contact)',
  other: 'Other',
};
