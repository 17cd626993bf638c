import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JURISDICTIONS, type Jurisdiction, WorkingDayCalendar, calendarFor } from './working-days.ts';

const EW: Jurisdiction = 'england-and-wales';
const SCT: Jurisdiction = 'scotland';
const NI: Jurisdiction = 'northern-ireland';

const londonDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' });
const localDate = (at: Date) => londonDate.format(at);
const iso = (at: Date) => at.toISOString();

describe('isWorkingDay', () => {
  it.each<[Jurisdiction, string, boolean, string]>([
    [EW, '2026-12-24', true, 'Thursday before Christmas'],
    [EW, '2026-12-25', false, 'Christmas Day (Friday)'],
    [EW, '2026-12-26', false, 'Boxing Day (Saturday)'],
    [EW, '2026-12-28', false, 'Boxing Day substitute (Monday)'],
    [EW, '2026-12-29', true, 'Tuesday after Christmas'],
    [EW, '2027-03-26', false, 'Good Friday 2027'],
    [EW, '2027-03-29', false, 'Easter Monday 2027'],
    [SCT, '2027-03-29', true, 'Easter Monday is not a bank holiday in Scotland'],
    [SCT, '2027-03-26', false, 'Good Friday in Scotland'],
    [SCT, '2027-01-04', false, '2 January 2027 (Saturday) substituted to Monday in Scotland'],
    [EW, '2027-01-04', true, 'no 2 January holiday in England'],
    [SCT, '2026-11-30', false, "St Andrew's Day 2026 (Monday)"],
    [EW, '2026-11-30', true, "no St Andrew's Day in England"],
    [SCT, '2025-12-01', false, "St Andrew's Day 2025 substitute (30 November a Sunday)"],
    [NI, '2026-03-17', false, "St Patrick's Day"],
    [EW, '2026-03-17', true, "no St Patrick's Day in England"],
    [NI, '2026-07-13', false, '12 July 2026 (Sunday) substituted to Monday'],
    [NI, '2027-07-12', false, '12 July 2027 (Monday)'],
    [EW, '2027-07-12', true, 'no 12 July in England'],
    [EW, '2026-03-14', false, 'Saturday'],
    [EW, '2026-03-15', false, 'Sunday'],
    [EW, '2026-03-16', true, 'Monday'],
  ])('%s %s → %s (%s)', (jurisdiction, date, expected) => {
    expect(calendarFor(jurisdiction).isWorkingDay(date)).toBe(expected);
  });

  it('treats the partnership’s own closures as non-working days', () => {
    const calendar = new WorkingDayCalendar(EW, { extraClosures: ['2026-12-24'] });
    expect(calendar.isWorkingDay('2026-12-24')).toBe(false);
    expect(calendar.isWorkingDay('2026-12-23')).toBe(true);
    expect(calendarFor(EW).isWorkingDay('2026-12-24')).toBe(true);
  });

  it('refuses dates that are not YYYY-MM-DD or do not exist', () => {
    expect(() => calendarFor(EW).isWorkingDay('2026-02-30')).toThrow(RangeError);
    expect(() => calendarFor(EW).isWorkingDay('26/12/2026')).toThrow(RangeError);
    expect(() => new WorkingDayCalendar(EW, { extraClosures: ['2026-13-01'] })).toThrow(RangeError);
  });
});

describe('addWorkingDays', () => {
  it.each<[Jurisdiction, string, number, string, string]>([
    // received on a working day: same local time N working days later
    [EW, '2026-12-23T15:00:00Z', 1, '2026-12-24T15:00:00.000Z', 'Wednesday to Thursday'],
    [EW, '2026-12-24T15:00:00Z', 1, '2026-12-29T15:00:00.000Z', 'over Christmas and Boxing Day substitute'],
    [EW, '2026-12-23T15:00:00Z', 0, '2026-12-23T15:00:00.000Z', 'zero days is receipt itself'],
    // received on a non-working day: clock starts 09:00 on the next working day
    [EW, '2026-12-26T10:00:00Z', 1, '2026-12-30T09:00:00.000Z', 'Boxing Day → starts Tue 29th 09:00'],
    [EW, '2026-12-26T10:00:00Z', 0, '2026-12-29T09:00:00.000Z', 'zero days is the clock start'],
    [EW, '2026-03-14T10:00:00Z', 1, '2026-03-17T09:00:00.000Z', 'Saturday → Tuesday 09:00'],
    // Easter 2027, with BST starting on Easter Sunday 28 March
    [EW, '2027-03-25T11:00:00Z', 1, '2027-03-30T10:00:00.000Z', 'Thu 11:00 GMT → Tue 11:00 BST'],
    [SCT, '2027-03-25T11:00:00Z', 1, '2027-03-29T10:00:00.000Z', 'Scotland works Easter Monday'],
    // clock changes, last Sunday of March and of October 2026
    [EW, '2026-03-27T15:00:00Z', 1, '2026-03-30T14:00:00.000Z', 'Fri 15:00 GMT → Mon 15:00 BST'],
    [EW, '2026-03-28T10:00:00Z', 1, '2026-03-31T08:00:00.000Z', 'Sat → Mon 09:00 BST start → Tue 09:00 BST'],
    [EW, '2026-03-29T01:30:00Z', 0, '2026-03-30T08:00:00.000Z', 'received in the lost hour'],
    [EW, '2026-10-23T14:00:00Z', 1, '2026-10-26T15:00:00.000Z', 'Fri 15:00 BST → Mon 15:00 GMT'],
    [EW, '2026-10-23T22:30:00Z', 1, '2026-10-26T23:30:00.000Z', 'Fri 23:30 BST is still Friday in London'],
    [EW, '2026-10-23T23:30:00Z', 1, '2026-10-27T09:00:00.000Z', 'Sat 00:30 BST is a Saturday receipt'],
    [EW, '2026-10-25T01:30:00Z', 1, '2026-10-27T09:00:00.000Z', 'received in the repeated hour'],
    // Scotland and England differ
    [EW, '2026-12-31T12:00:00Z', 1, '2027-01-04T12:00:00.000Z', 'England: back on Mon 4 Jan'],
    [SCT, '2026-12-31T12:00:00Z', 1, '2027-01-05T12:00:00.000Z', 'Scotland: 2 January substitute'],
    [EW, '2026-11-27T10:00:00Z', 1, '2026-11-30T10:00:00.000Z', "England works St Andrew's Day"],
    [SCT, '2026-11-27T10:00:00Z', 1, '2026-12-01T10:00:00.000Z', "Scotland: St Andrew's Day"],
    // Northern Ireland
    [NI, '2026-03-16T10:00:00Z', 1, '2026-03-18T10:00:00.000Z', "St Patrick's Day"],
    [EW, '2026-03-16T10:00:00Z', 1, '2026-03-17T10:00:00.000Z', "England works St Patrick's Day"],
    [NI, '2026-07-10T09:00:00Z', 1, '2026-07-14T09:00:00.000Z', '12 July substitute Monday'],
    [EW, '2026-07-10T09:00:00Z', 1, '2026-07-13T09:00:00.000Z', 'England works 13 July'],
  ])('%s %s + %i → %s (%s)', (jurisdiction, from, days, expected) => {
    expect(iso(calendarFor(jurisdiction).addWorkingDays(new Date(from), days))).toBe(expected);
  });

  it('refuses negative or fractional days', () => {
    expect(() => calendarFor(EW).addWorkingDays(new Date(), -1)).toThrow(RangeError);
    expect(() => calendarFor(EW).addWorkingDays(new Date(), 1.5)).toThrow(RangeError);
  });
});

describe('workingDaysBetween', () => {
  it.each<[string, string, number, string]>([
    ['2026-12-23T15:00:00Z', '2026-12-24T14:59:59Z', 0, 'a second short of one day'],
    ['2026-12-23T15:00:00Z', '2026-12-24T15:00:00Z', 1, 'exactly one day'],
    ['2026-12-23T15:00:00Z', '2026-12-29T14:59:00Z', 1, 'holidays do not count'],
    ['2026-12-23T15:00:00Z', '2026-12-29T15:00:00Z', 2, 'two days'],
    ['2026-12-23T15:00:00Z', '2026-12-22T15:00:00Z', 0, 'to before from'],
    ['2026-12-26T10:00:00Z', '2026-12-29T23:00:00Z', 0, 'non-working receipt: clock starts Tue 09:00'],
    ['2026-12-26T10:00:00Z', '2026-12-30T09:00:00Z', 1, 'one day from Tue 09:00'],
    ['2026-12-24T15:00:00Z', '2027-01-02T12:00:00Z', 3, 'ending on a non-working day (29, 30, 31 Dec)'],
    ['2026-03-27T15:00:00Z', '2026-03-30T13:59:00Z', 0, 'across BST: Mon 14:59 BST'],
    ['2026-03-27T15:00:00Z', '2026-03-30T14:00:00Z', 1, 'across BST: Mon 15:00 BST'],
  ])('%s → %s = %i (%s)', (from, to, expected) => {
    expect(calendarFor(EW).workingDaysBetween(new Date(from), new Date(to))).toBe(expected);
  });
});

describe('addWorkingDaysToDate', () => {
  it.each<[Jurisdiction, string, number, string, string]>([
    [EW, '2026-12-23', 1, '2026-12-24', 'the start day does not count'],
    [EW, '2026-12-23', 2, '2026-12-29', 'over Christmas'],
    [EW, '2026-12-26', 1, '2026-12-29', 'from a non-working day: first working day after it'],
    [EW, '2026-12-23', 0, '2026-12-23', 'zero days'],
    [EW, '2026-11-02', 45, '2027-01-07', '45-day assessment over Christmas'],
    [SCT, '2026-11-02', 45, '2027-01-11', "Scotland: St Andrew's Day and 2 January too"],
  ])('%s %s + %i → %s (%s)', (jurisdiction, date, days, expected) => {
    expect(calendarFor(jurisdiction).addWorkingDaysToDate(date, days)).toBe(expected);
  });

  it('skips the partnership’s own closures', () => {
    const calendar = new WorkingDayCalendar(EW, { extraClosures: ['2026-12-24', '2026-12-31'] });
    expect(calendar.addWorkingDaysToDate('2026-12-23', 2)).toBe('2026-12-30');
    expect(calendar.addWorkingDaysToDate('2026-12-23', 3)).toBe('2027-01-04');
  });
});

describe('properties', () => {
  const jurisdiction = fc.constantFrom(...JURISDICTIONS);
  const instant = fc.date({
    min: new Date('2025-01-01T00:00:00Z'),
    max: new Date('2030-12-31T23:59:59Z'),
    noInvalidDate: true,
  });
  const days = fc.integer({ min: 0, max: 60 });

  it('workingDaysBetween undoes addWorkingDays from a working day', () => {
    fc.assert(
      fc.property(
        jurisdiction.chain((j) =>
          fc.tuple(
            fc.constant(j),
            instant.filter((x) => calendarFor(j).isWorkingDay(localDate(x))),
          ),
        ),
        days,
        ([j, x], n) => {
          const calendar = calendarFor(j);
          const due = calendar.addWorkingDays(x, n);
          expect(calendar.workingDaysBetween(x, due)).toBe(n);
          // the forbidden side: a millisecond earlier is a day short
          if (n > 0) expect(calendar.workingDaysBetween(x, new Date(due.getTime() - 1))).toBe(n - 1);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('also holds from any instant, and deadlines land on working days in order', () => {
    fc.assert(
      fc.property(jurisdiction, instant, days, (j, x, n) => {
        const calendar = calendarFor(j);
        const due = calendar.addWorkingDays(x, n);
        expect(calendar.workingDaysBetween(x, due)).toBe(n);
        expect(calendar.isWorkingDay(localDate(due))).toBe(true);
        expect(due.getTime()).toBeGreaterThanOrEqual(x.getTime());
        expect(calendar.addWorkingDays(x, n + 1).getTime()).toBeGreaterThan(due.getTime());
        const dueDate = calendar.addWorkingDaysToDate(localDate(x), n);
        if (n > 0) expect(calendar.isWorkingDay(dueDate)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
