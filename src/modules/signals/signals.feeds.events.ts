import { addDays, londonDate } from '../../common/plain-dates.ts';
import { londonToInstant, type WorkingDayCalendar } from '../../common/working-days.ts';
import type { FeedKind, Severity } from './signals.vocabulary.ts';

/**
 * The event part of an agency's feed row, read and judged: which columns each kind of feed carries
 * beside the identifying ones, what makes a row's event unusable (with the reason, for the rejects),
 * whether an event is a worry at all (attendance at or above the threshold and not falling is not),
 * how serious it is, and the plain sentence a practitioner reads. Pure: no database.
 */

/** The columns a feed of each kind must have; any feed may also carry `detail`. */
export const FEED_COLUMNS: Record<FeedKind, readonly string[]> = {
  school_attendance: ['event_date', 'attendance_percent'],
  was_not_brought: ['event_date'],
  emergency_department: ['event_date'],
  police_domestic_abuse: ['event_date'],
  housing_notice: ['event_date', 'notice'],
  school_exclusion: ['event_date', 'exclusion', 'days'],
};

export const HOUSING_NOTICES = ['eviction', 'temporary_accommodation'] as const;
export const EXCLUSIONS = ['suspension', 'permanent'] as const;
const DETAIL_MAX = 1000;
/** A fall of this many points since the child's previous week makes attendance a worry, even above the threshold. */
export const FALLING_POINTS = 5;

export type FeedEventDetail = {
  detail?: string;
  notice?: (typeof HOUSING_NOTICES)[number];
  exclusion?: (typeof EXCLUSIONS)[number];
  days?: number;
};
/** `measure` is the week's attendance percentage; nothing else has one. */
export type FeedEvent = { occurredOn: string; measure: number | null; detail: FeedEventDetail };

/** A row's event columns by name. */
export type EventCells = (column: string) => string;

/** The event a row describes, or why it cannot be used. `today` is the UK date the feed is read. */
export function readFeedEvent(
  kind: FeedKind,
  cell: EventCells,
  today: string,
): { event: FeedEvent } | { reason: string } {
  const date = cell('event_date');
  if (!isIsoDate(date)) return { reason: `event_date "${date}" is not a date in the form YYYY-MM-DD` };
  if (date > today) return { reason: `event_date ${date} is in the future` };
  const text = cell('detail');
  if (text.length > DETAIL_MAX) return { reason: `detail is longer than ${DETAIL_MAX} characters` };
  const detail: FeedEventDetail = text ? { detail: text } : {};
  const event = (measure: number | null, more: FeedEventDetail = {}) => ({
    event: { occurredOn: date, measure, detail: { ...detail, ...more } },
  });
  switch (kind) {
    case 'school_attendance': {
      const raw = cell('attendance_percent');
      const percent = raw === '' ? Number.NaN : Number(raw);
      if (!Number.isFinite(percent) || percent < 0 || percent > 100)
        return { reason: `attendance_percent "${raw}" is not a number from 0 to 100` };
      return event(percent);
    }
    case 'housing_notice': {
      const notice = cell('notice');
      if (!isOneOf(HOUSING_NOTICES, notice))
        return { reason: `notice "${notice}" is not one of ${HOUSING_NOTICES.join(', ')}` };
      return event(null, { notice });
    }
    case 'school_exclusion': {
      const exclusion = cell('exclusion');
      if (!isOneOf(EXCLUSIONS, exclusion))
        return { reason: `exclusion "${exclusion}" is not one of ${EXCLUSIONS.join(', ')}` };
      const raw = cell('days');
      // A permanent exclusion has no length; a suspension is counted in (half) days, at most 45 a year.
      if (exclusion === 'permanent' && raw === '') return event(null, { exclusion });
      const days = Number(raw);
      if (raw === '' || !Number.isFinite(days) || days <= 0 || days > 45 || (days * 2) % 1 !== 0)
        return { reason: `days "${raw}" is not a number of days from 0.5 to 45` };
      return event(null, { exclusion, days });
    }
    case 'was_not_brought':
    case 'emergency_department':
    case 'police_domestic_abuse':
      return event(null);
  }
}

/** The child's attendance the time before, for judging whether it is falling. */
export type PreviousAttendance = { occurredOn: string; measure: number };

/**
 * The signal an event makes, or null when it is no worry: attendance at or above the partnership's
 * threshold that has not fallen by FALLING_POINTS since the child's previous attendance event.
 */
export function signalOf(
  kind: FeedKind,
  event: FeedEvent,
  context: { attendanceThreshold: number; previous?: PreviousAttendance | null },
): { severity: Severity; description: string } | null {
  const on = formatDate(event.occurredOn);
  const more = event.detail.detail ? `: ${event.detail.detail}` : '';
  switch (kind) {
    case 'school_attendance': {
      const percent = event.measure!;
      const threshold = context.attendanceThreshold;
      const previous = context.previous;
      const falling =
        previous !== null && previous !== undefined && previous.measure - percent >= FALLING_POINTS;
      if (percent >= threshold && !falling) return null;
      const fall = falling
        ? `, down from ${formatPercent(previous.measure)} on ${formatDate(previous.occurredOn)}`
        : '';
      return {
        severity: percent < 80 ? 'high' : percent < threshold ? 'moderate' : 'low',
        description: `Attendance ${formatPercent(percent)} in the week of ${on}${fall} (threshold ${threshold}%)${more}`,
      };
    }
    case 'was_not_brought':
      return { severity: 'low', description: `Not brought to a health appointment on ${on}${more}` };
    case 'emergency_department':
      return { severity: 'moderate', description: `Attended the emergency department on ${on}${more}` };
    case 'police_domestic_abuse':
      return {
        severity: 'high',
        description: `Police notified a domestic abuse incident where the child lives on ${on}${more}`,
      };
    case 'housing_notice':
      return {
        severity: 'moderate',
        description:
          (event.detail.notice === 'eviction'
            ? `Housing notice of eviction on ${on}`
            : `Housing notice: the family moved to temporary accommodation on ${on}`) + more,
      };
    case 'school_exclusion': {
      const days = event.detail.days;
      return event.detail.exclusion === 'permanent'
        ? { severity: 'high', description: `Permanently excluded from school on ${on}${more}` }
        : {
            severity: 'moderate',
            description: `Suspended from school for ${days} ${days === 1 ? 'day' : 'days'} from ${on}${more}`,
          };
    }
  }
}

/** When the school day starts: the school's safeguarding lead must know of a police notification by then. */
const SCHOOL_DAY_STARTS_MS = (8 * 60 + 30) * 60_000;

/** 08:30 (UK time) on the first school day that starts after `now`: not a weekend or a holiday. */
export function nextSchoolDayStart(now: Date, calendar: WorkingDayCalendar): Date {
  for (let date = londonDate(now); ; date = addDays(date, 1)) {
    if (!calendar.isWorkingDay(date)) continue;
    const start = londonToInstant(date, SCHOOL_DAY_STARTS_MS);
    if (start > now) return start;
  }
}

const dayMonthYear = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  timeZone: 'UTC',
});

/** "2 Nov 2026". */
export function formatDate(date: string): string {
  return dayMonthYear.format(new Date(`${date}T00:00:00Z`));
}

function formatPercent(value: number): string {
  return `${Number(value.toFixed(1))}%`;
}

function isIsoDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const ms = Date.parse(`${text}T00:00:00Z`);
  // 2026-02-31 parses (as 3 March): a real date reads back as itself.
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === text;
}

function isOneOf<T extends string>(values: readonly T[], value: string): value is T {
  return (values as readonly string[]).includes(value);
}
