/**
 * The front door's rules, pure: a contact's statuses, the actions each allows, the decisions and the
 * levels of need they fit. The service asks here before it changes anything; a refused action answers
 * 409 naming the ones allowed.
 */

export const CONTACT_STATUSES = ['new', 'in_triage', 'awaiting_approval', 'decided'] as const;
export type ContactStatus = (typeof CONTACT_STATUSES)[number];

export const CONTACT_STATUS_LABELS: Record<ContactStatus, string> = {
  new: 'New',
  in_triage: 'In triage',
  awaiting_approval: 'Awaiting approval',
  decided: 'Decided',
};

export const CONTACT_ACTIONS = [
  'claim',
  'release',
  'match',
  'prioritise',
  'request_information',
  'decide',
  'approve',
  'return',
  'record_feedback',
  'note',
] as const;
export type ContactAction = (typeof CONTACT_ACTIONS)[number];

export const CONTACT_ACTION_LABELS: Record<ContactAction, string> = {
  claim: 'claim it',
  release: 'release it',
  match: 'find the child in the person index',
  prioritise: 'set its priority',
  request_information: 'ask an agency for information',
  decide: 'decide',
  approve: 'approve the decision',
  return: 'return the decision',
  record_feedback: 'record who was told the outcome',
  note: 'add a note',
};

/** Every status names what it allows; `satisfies` makes forgetting a status a type error. */
export const ALLOWED_ACTIONS = {
  new: ['claim', 'note'],
  in_triage: ['release', 'match', 'prioritise', 'request_information', 'decide', 'note'],
  awaiting_approval: ['approve', 'return', 'note'],
  decided: ['record_feedback', 'note'],
} as const satisfies Record<ContactStatus, readonly ContactAction[]>;

export function allowedActions(status: ContactStatus): readonly ContactAction[] {
  return ALLOWED_ACTIONS[status];
}

export function isActionAllowed(status: ContactStatus, action: ContactAction): boolean {
  return (ALLOWED_ACTIONS[status] as readonly ContactAction[]).includes(action);
}

/** The actions that only the worker holding a claimed contact may take. */
export const HOLDER_ACTIONS: ReadonlySet<ContactAction> = new Set([
  'release',
  'match',
  'prioritise',
  'request_information',
  'decide',
]);

export const OUTCOMES = [
  'no_further_action',
  'information_and_signposting',
  'early_help',
  'statutory_assessment',
  'strategy_discussion',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const OUTCOME_LABELS: Record<Outcome, string> = {
  no_further_action: 'No further action',
  information_and_signposting: 'Information, advice and signposting to a universal service',
  early_help: 'Early help',
  statutory_assessment: 'Statutory assessment (child and family assessment)',
  strategy_discussion: 'Strategy discussion (risk of significant harm)',
};

/** The partnership's shared scale of need, which each sector's own words map onto. */
export const LEVELS_OF_NEED = ['universal', 'additional', 'complex', 'acute'] as const;
export type LevelOfNeed = (typeof LEVELS_OF_NEED)[number];

export const LEVEL_OF_NEED_LABELS: Record<LevelOfNeed, string> = {
  universal: 'Universal: needs met by everyday services',
  additional: 'Additional: early help',
  complex: 'Complex: targeted or statutory help',
  acute: 'Acute or protection: risk of significant harm',
};

/** Which levels of need each decision fits: a strategy discussion for a universal need is a slip. */
export const OUTCOME_LEVELS = {
  no_further_action: ['universal', 'additional'],
  information_and_signposting: ['universal', 'additional'],
  early_help: ['additional', 'complex'],
  statutory_assessment: ['complex', 'acute'],
  strategy_discussion: ['acute'],
} as const satisfies Record<Outcome, readonly LevelOfNeed[]>;

export function levelFits(outcome: Outcome, level: LevelOfNeed): boolean {
  return (OUTCOME_LEVELS[outcome] as readonly LevelOfNeed[]).includes(level);
}

/** Decisions that open work for someone (and so need the child found in the person index). */
export const EPISODE_OUTCOMES = {
  no_further_action: null,
  information_and_signposting: null,
  early_help: 'early_help',
  statutory_assessment: 'statutory_assessment',
  strategy_discussion: 'strategy_discussion',
} as const satisfies Record<Outcome, string | null>;

/** A referral, as the statistics count it: a contact accepted for a statutory response. */
export function isReferral(outcome: Outcome): boolean {
  return outcome === 'statutory_assessment' || outcome === 'strategy_discussion';
}

export const PRIORITIES = ['red', 'amber', 'green'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const PRIORITY_LABELS: Record<Priority, string> = {
  red: 'Red',
  amber: 'Amber',
  green: 'Green',
};

/** Where a contact stands against its deadline: a near breach is within the warning window. */
export type Timeliness = 'in_time' | 'near_breach' | 'breached';

export function timelinessOf(dueAt: Date, now: Date, warningHours: number, doneAt?: Date | null): Timeliness {
  const at = doneAt ?? now;
  if (at.getTime() > dueAt.getTime()) return 'breached';
  if (!doneAt && dueAt.getTime() - now.getTime() <= warningHours * 3_600_000) return 'near_breach';
  return 'in_time';
}
