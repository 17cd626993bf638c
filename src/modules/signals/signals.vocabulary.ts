import type { DataType, Sensitivity } from '../../common/sharing.ts';
import type { AlertOutcome, NotificationKind, SignalCategory } from '../../db/schema.ts';

/** What a signal is about; each category names the kind of data it is and how sensitive, for sharing. */
export const SIGNAL_CATEGORIES = {
  neglect: { label: 'Neglect', dataType: 'social_care', sensitivity: 'standard' },
  physical_harm: { label: 'Physical harm', dataType: 'social_care', sensitivity: 'standard' },
  emotional_harm: { label: 'Emotional harm', dataType: 'social_care', sensitivity: 'standard' },
  sexual_harm: { label: 'Sexual harm', dataType: 'social_care', sensitivity: 'special_category' },
  domestic_abuse: { label: 'Domestic abuse', dataType: 'police', sensitivity: 'standard' },
  exploitation: { label: 'Exploitation', dataType: 'police', sensitivity: 'standard' },
  going_missing: { label: 'Going missing', dataType: 'police', sensitivity: 'standard' },
  school_attendance: { label: 'School attendance', dataType: 'education', sensitivity: 'standard' },
  health_needs_not_met: { label: 'Health needs not met', dataType: 'health', sensitivity: 'health' },
  mental_health: { label: 'Mental health', dataType: 'health', sensitivity: 'special_category' },
  substance_misuse: { label: 'Substance misuse', dataType: 'health', sensitivity: 'special_category' },
  housing: { label: 'Housing', dataType: 'housing', sensitivity: 'standard' },
  parental_capacity: { label: 'Parental capacity', dataType: 'family_support', sensitivity: 'standard' },
  other: { label: 'Other', dataType: 'family_support', sensitivity: 'standard' },
} as const satisfies Record<SignalCategory, { label: string; dataType: DataType; sensitivity: Sensitivity }>;

export const CATEGORY_KEYS = Object.keys(SIGNAL_CATEGORIES) as [SignalCategory, ...SignalCategory[]];

/** Severity is stored as 1-4 so rules can compare it; people see and type the words. */
export const SEVERITIES = ['low', 'moderate', 'high', 'severe'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const SEVERITY_LABELS: Record<Severity, string> = {
  low: 'Low: a small worry on its own',
  moderate: 'Moderate: a worry that needs watching',
  high: 'High: a serious worry',
  severe: 'Severe: the child may be at risk of significant harm now',
};

export function severityLevel(severity: Severity): number {
  return SEVERITIES.indexOf(severity) + 1;
}

export function severityName(level: number): Severity {
  const name = SEVERITIES[level - 1];
  if (!name) throw new Error(`Severity ${level} is out of range 1-4`);
  return name;
}

/** The agencies' data feeds that become signals, and the category each one's signals fall under. */
export const FEED_KINDS = {
  school_attendance: { label: 'Weekly school attendance', category: 'school_attendance' },
  was_not_brought: {
    label: 'Health appointment the child was not brought to',
    category: 'health_needs_not_met',
  },
  emergency_department: { label: 'Emergency department attendance', category: 'health_needs_not_met' },
  police_domestic_abuse: { label: 'Police notification of domestic abuse', category: 'domestic_abuse' },
  housing_notice: { label: 'Housing notice (eviction, temporary accommodation)', category: 'housing' },
  school_exclusion: { label: 'School exclusion', category: 'school_attendance' },
} as const satisfies Record<string, { label: string; category: SignalCategory }>;
export type FeedKind = keyof typeof FEED_KINDS;
export const FEED_KIND_KEYS = Object.keys(FEED_KINDS) as [FeedKind, ...FeedKind[]];

/** How an alert was closed, in words. */
export const ALERT_OUTCOME_LABELS: Record<AlertOutcome, string> = {
  contact: 'Referred to the front door',
  plan: 'Added to the plan',
  no_action: 'No action',
};

/** What a notification is, in a word or two: `/notifications` shows it above the message. */
export const NOTIFICATION_KIND_LABELS: Record<NotificationKind, string> = {
  alert: 'Alert',
  alert_escalated: 'Alert escalated',
  flag_check: 'Flag checked',
  police_notification: 'Police notification',
  directory_referral: 'Referral to your service',
  directory_referral_decided: 'Referral decided',
  directory_review_due: 'Directory entry to check',
  plan_review_due: 'Plan review due soon',
  plan_review_overdue: 'Plan review overdue',
  plan_action_overdue: 'Action overdue',
};
