import { describe, expect, it } from 'vitest';
import { calendarFor } from '../../common/working-days.ts';
import { nextSchoolDayStart, readFeedEvent, signalOf } from './signals.feeds.events.ts';
import type { FeedKind } from './signals.vocabulary.ts';

/** Feed rows' event columns read and judged, without a database. */

const TODAY = '2026-11-06';
const read = (kind: FeedKind, cells: Record<string, string>) =>
  readFeedEvent(kind, (name) => cells[name] ?? '', TODAY);
const judged = (
  kind: FeedKind,
  cells: Record<string, string>,
  previous?: { occurredOn: string; measure: number },
) => {
  const result = read(kind, cells);
  if (!('event' in result)) throw new Error(result.reason);
  return signalOf(kind, result.event, { attendanceThreshold: 90, previous });
};

describe('reading a feed row’s event', () => {
  it('names the column and the value that cannot be used', () => {
    expect(read('was_not_brought', { event_date: '02/11/2026' })).toEqual({
      reason: 'event_date "02/11/2026" is not a date in the form YYYY-MM-DD',
    });
    expect(read('was_not_brought', { event_date: '2026-13-01' })).toEqual({
      reason: 'event_date "2026-13-01" is not a date in the form YYYY-MM-DD',
    });
    expect(read('housing_notice', { event_date: '2026-11-02', notice: 'rent arrears' })).toEqual({
      reason: 'notice "rent arrears" is not one of eviction, temporary_accommodation',
    });
    expect(read('school_exclusion', { event_date: '2026-11-02', exclusion: 'suspension', days: '' })).toEqual(
      {
        reason: 'days "" is not a number of days from 0.5 to 45',
      },
    );
    expect(
      read('school_exclusion', { event_date: '2026-11-02', exclusion: 'suspension', days: '0.3' }),
    ).toEqual({
      reason: 'days "0.3" is not a number of days from 0.5 to 45',
    });
    expect(read('school_attendance', { event_date: '2026-11-02', attendance_percent: '' })).toEqual({
      reason: 'attendance_percent "" is not a number from 0 to 100',
    });
    expect(read('emergency_department', { event_date: '2026-11-02', detail: 'x'.repeat(1001) })).toEqual({
      reason: 'detail is longer than 1000 characters',
    });
  });

  it('keeps what each kind carries', () => {
    expect(read('school_exclusion', { event_date: '2026-11-02', exclusion: 'permanent', days: '' })).toEqual({
      event: { occurredOn: '2026-11-02', measure: null, detail: { exclusion: 'permanent' } },
    });
    expect(read('school_attendance', { event_date: '2026-11-02', attendance_percent: '84' })).toEqual({
      event: { occurredOn: '2026-11-02', measure: 84, detail: {} },
    });
  });
});

describe('judging an event', () => {
  it('says how serious each kind is, in a plain sentence', () => {
    expect(judged('school_attendance', { event_date: '2026-11-02', attendance_percent: '84' })).toEqual({
      severity: 'moderate',
      description: 'Attendance 84% in the week of 2 Nov 2026 (threshold 90%)',
    });
    expect(
      judged('school_attendance', { event_date: '2026-11-02', attendance_percent: '79.9' })?.severity,
    ).toBe('high');
    expect(judged('school_attendance', { event_date: '2026-11-02', attendance_percent: '90' })).toBeNull();
    expect(
      judged(
        'school_attendance',
        { event_date: '2026-11-02', attendance_percent: '91' },
        { occurredOn: '2026-10-26', measure: 95.5 },
      ),
    ).toBeNull();
    expect(
      judged(
        'school_attendance',
        { event_date: '2026-11-02', attendance_percent: '91' },
        { occurredOn: '2026-10-26', measure: 96 },
      ),
    ).toMatchObject({ severity: 'low' });
    expect(judged('emergency_department', { event_date: '2026-11-02' })).toEqual({
      severity: 'moderate',
      description: 'Attended the emergency department on 2 Nov 2026',
    });
    expect(judged('housing_notice', { event_date: '2026-11-02', notice: 'eviction' })).toEqual({
      severity: 'moderate',
      description: 'Housing notice of eviction on 2 Nov 2026',
    });
    expect(
      judged('housing_notice', { event_date: '2026-11-02', notice: 'temporary_accommodation' })?.severity,
    ).toBe('moderate');
    expect(
      judged('school_exclusion', { event_date: '2026-11-02', exclusion: 'permanent', days: '' }),
    ).toEqual({
      severity: 'high',
      description: 'Permanently excluded from school on 2 Nov 2026',
    });
    expect(
      judged('school_exclusion', { event_date: '2026-11-02', exclusion: 'suspension', days: '1' }),
    ).toEqual({
      severity: 'moderate',
      description: 'Suspended from school for 1 day from 2 Nov 2026',
    });
    expect(judged('police_domestic_abuse', { event_date: '2026-11-02' })?.severity).toBe('high');
  });
});

describe('the start of the next school day', () => {
  const calendar = calendarFor('england-and-wales');
  it('is 08:30 the same day before then, else the next day that is not a weekend or a holiday', () => {
    // Tuesday 3 Nov 2026 (GMT): 07:00 → today; 09:00 → Wednesday.
    expect(nextSchoolDayStart(new Date('2026-11-03T07:00:00Z'), calendar)).toEqual(
      new Date('2026-11-03T08:30:00Z'),
    );
    expect(nextSchoolDayStart(new Date('2026-11-03T09:00:00Z'), calendar)).toEqual(
      new Date('2026-11-04T08:30:00Z'),
    );
    // Christmas Eve 2026 is a Thursday; Christmas Day and the Boxing Day substitute (Monday 28th) are holidays.
    expect(nextSchoolDayStart(new Date('2026-12-24T17:00:00Z'), calendar)).toEqual(
      new Date('2026-12-29T08:30:00Z'),
    );
  });
});
