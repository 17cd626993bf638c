import Holidays from 'date-holidays';

/**
 * Working days for statutory timescales: a contact decided within 1 working day, an assessment
 * within 45. Bank holidays come from `date-holidays` (public holidays only, as observed, so
 * substitute days count); the partnership can add its own closures.
 *
 * Rule for deadlines on instants (`addWorkingDays`), in UK local time (Europe/London):
 * - received on a working day: due at the same local time of day N working days later
 *   (Wednesday 15:00 + 1 → Thursday 15:00);
 * - received on a non-working day: the clock starts at 09:00 on the next working day, then runs
 *   N working days (Saturday 10:00 + 1 → Monday 09:00 start → Tuesday 09:00), so the whole of
 *   Monday is the one working day, as it would be for a contact received at 09:00 on Monday.
 * Clock changes always fall on a Sunday, never a working day, so "same local time" always exists.
 */

export const JURISDICTIONS = ['england-and-wales', 'scotland', 'northern-ireland'] as const;
export type Jurisdiction = (typeof JURISDICTIONS)[number];

export const JURISDICTION_LABELS: Record<Jurisdiction, string> = {
  'england-and-wales': 'England and Wales',
  scotland: 'Scotland',
  'northern-ireland': 'Northern Ireland',
};

/** England and Wales share their bank holidays, so ENG stands for both. */
const HOLIDAY_REGION: Record<Jurisdiction, string> = {
  'england-and-wales': 'ENG',
  scotland: 'SCT',
  'northern-ireland': 'NIR',
};

const TIME_ZONE = 'Europe/London';
const START_OF_DAY_MS = 9 * 3_600_000;
const DAY_MS = 86_400_000;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export class WorkingDayCalendar {
  readonly jurisdiction: Jurisdiction;
  private readonly holidays: Holidays;
  private readonly extraClosures: ReadonlySet<string>;
  private readonly bankHolidaysByYear = new Map<number, ReadonlySet<string>>();

  constructor(jurisdiction: Jurisdiction, options: { extraClosures?: string[] } = {}) {
    this.jurisdiction = jurisdiction;
    this.holidays = new Holidays('GB', HOLIDAY_REGION[jurisdiction]);
    this.extraClosures = new Set((options.extraClosures ?? []).map(checkIsoDate));
  }

  /** Not a weekend, not a bank holiday here, not a day the partnership is closed. */
  isWorkingDay(date: string): boolean {
    const day = new Date(dateToUtcMs(checkIsoDate(date))).getUTCDay();
    if (day === 0 || day === 6) return false;
    if (this.extraClosures.has(date)) return false;
    return !this.bankHolidays(Number(date.slice(0, 4))).has(date);
  }

  /** The deadline N working days after an instant; see the module comment for the rule. */
  addWorkingDays(from: Date, days: number): Date {
    checkDays(days);
    const start = this.clockStart(from);
    let date = start.date;
    for (let i = 0; i < days; i++) date = this.nextWorkingDay(date);
    return londonToInstant(date, start.timeOfDayMs);
  }

  /**
   * Whole working days elapsed from `from` to `to`: the largest n with
   * `addWorkingDays(from, n) <= to`, or 0 if `to` is before the clock started.
   */
  workingDaysBetween(from: Date, to: Date): number {
    const start = this.clockStart(from);
    if (to.getTime() <= londonToInstant(start.date, start.timeOfDayMs).getTime()) return 0;
    const end = toLondon(to);
    let count = 0;
    for (let d = addDays(start.date, 1); d <= end.date; d = addDays(d, 1)) {
      if (this.isWorkingDay(d)) count++;
    }
    // The last working day counts only once its time of day has been reached.
    if (this.isWorkingDay(end.date) && end.timeOfDayMs < start.timeOfDayMs) count--;
    return count;
  }

  /**
   * The Nth working day after a plain date (the start day never counts, working or not), for
   * deadlines held as dates and met by the end of that day: 45 working days for an assessment.
   */
  addWorkingDaysToDate(date: string, days: number): string {
    checkDays(days);
    let result = checkIsoDate(date);
    for (let i = 0; i < days; i++) result = this.nextWorkingDay(result);
    return result;
  }

  private nextWorkingDay(date: string): string {
    let next = addDays(date, 1);
    while (!this.isWorkingDay(next)) next = addDays(next, 1);
    return next;
  }

  /** Receipt on a working day starts the clock there; otherwise at 09:00 on the next working day. */
  private clockStart(from: Date): LocalTime {
    const local = toLondon(from);
    if (this.isWorkingDay(local.date)) return local;
    return { date: this.nextWorkingDay(local.date), timeOfDayMs: START_OF_DAY_MS };
  }

  private bankHolidays(year: number): ReadonlySet<string> {
    let dates = this.bankHolidaysByYear.get(year);
    if (!dates) {
      dates = new Set(
        this.holidays
          .getHolidays(year)
          .filter((h) => h.type === 'public')
          .map((h) => h.date.slice(0, 10)),
      );
      this.bankHolidaysByYear.set(year, dates);
    }
    return dates;
  }
}

const calendars = new Map<Jurisdiction, WorkingDayCalendar>();

/** A shared calendar with bank holidays only; build your own to add partnership closures. */
export function calendarFor(jurisdiction: Jurisdiction): WorkingDayCalendar {
  let calendar = calendars.get(jurisdiction);
  if (!calendar) {
    calendar = new WorkingDayCalendar(jurisdiction);
    calendars.set(jurisdiction, calendar);
  }
  return calendar;
}

/** A local date in London and the time since its midnight, as a wall clock shows it. */
type LocalTime = { date: string; timeOfDayMs: number };

const londonParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

function toLondon(at: Date): LocalTime {
  const parts: Record<string, string> = {};
  for (const p of londonParts.formatToParts(at)) parts[p.type] = p.value;
  const date = `${parts.year}-${parts.month}-${parts.day}`;
  const timeOfDayMs =
    (Number(parts.hour) * 3600 + Number(parts.minute) * 60 + Number(parts.second)) * 1000 +
    at.getUTCMilliseconds();
  return { date, timeOfDayMs };
}

/** London's offset from UTC at an instant, in ms (0 in GMT, 3,600,000 in BST). */
function londonOffsetMs(at: number): number {
  const local = toLondon(new Date(at));
  return dateToUtcMs(local.date) + local.timeOfDayMs - at;
}

/** The instant a London wall clock shows `date` + `timeOfDayMs`; two passes settle the offset. */
export function londonToInstant(date: string, timeOfDayMs: number): Date {
  const wall = dateToUtcMs(date) + timeOfDayMs;
  const guess = wall - londonOffsetMs(wall);
  return new Date(wall - londonOffsetMs(guess));
}

function dateToUtcMs(date: string): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
}

function addDays(date: string, days: number): string {
  return new Date(dateToUtcMs(date) + days * DAY_MS).toISOString().slice(0, 10);
}

function checkIsoDate(date: string): string {
  if (!ISO_DATE.test(date) || addDays(date, 0) !== date) {
    throw new RangeError(`Not a date in the form YYYY-MM-DD: ${date}`);
  }
  return date;
}

function checkDays(days: number): void {
  if (!Number.isInteger(days) || days < 0) {
    throw new RangeError(`Working days must be a whole number of 0 or more: ${days}`);
  }
}
