import { describe, expect, it } from 'vitest';
import {
  accessWords,
  ageWords,
  capacityWords,
  costWords,
  currentSchedules,
  daysWords,
  distanceWords,
  firstSentence,
  hoursWords,
  languageWords,
  listWords,
  moneyWords,
  schedulesSummary,
  scheduleWords,
  telHref,
  timeWords,
  type ScheduleFacts,
} from './directory.words.ts';

const schedule = (over: Partial<ScheduleFacts> = {}): ScheduleFacts => ({
  freq: 'WEEKLY',
  byday: 'TU',
  opensAt: '10:00:00',
  closesAt: '11:30:00',
  validFrom: null,
  validTo: null,
  description: '',
  ...over,
});

describe('directory words', () => {
  it('lists things as a person would say them', () => {
    expect(listWords([])).toBe('');
    expect(listWords(['a'])).toBe('a');
    expect(listWords(['a', 'b'])).toBe('a and b');
    expect(listWords(['a', 'b', 'c'], 'or')).toBe('a, b or c');
  });

  it('says times the GOV.UK way', () => {
    expect(timeWords('10:00:00')).toBe('10am');
    expect(timeWords('11:30')).toBe('11:30am');
    expect(timeWords('12:00')).toBe('midday');
    expect(timeWords('00:00')).toBe('midnight');
    expect(timeWords('13:05:00')).toBe('1:05pm');
    expect(timeWords('12:30')).toBe('12:30pm');
    expect(timeWords('00:15')).toBe('12:15am');
    expect(timeWords('soon')).toBe('soon');
  });

  it('says days in week order, with the common shorthands', () => {
    expect(daysWords('TH,TU')).toBe('Tuesdays and Thursdays');
    expect(daysWords('MO,TU,WE,TH,FR')).toBe('Monday to Friday');
    expect(daysWords('MO,TU,WE,TH,FR,SA,SU')).toBe('Every day');
    expect(daysWords('SA', 'MONTHLY')).toBe('Once a month on Saturday');
    expect(daysWords('')).toBe('');
    expect(daysWords('XX')).toBe('');
  });

  it('says opening hours when only one end is known', () => {
    expect(hoursWords('09:00', '17:00')).toBe('9am to 5pm');
    expect(hoursWords('09:00', null)).toBe('from 9am');
    expect(hoursWords(null, '15:00')).toBe('until 3pm');
    expect(hoursWords(null, null)).toBe('');
  });

  it('turns a schedule into one phrase', () => {
    expect(scheduleWords(schedule({ byday: 'TU,TH' }))).toBe('Tuesdays and Thursdays, 10am to 11:30am');
    expect(scheduleWords(schedule({ opensAt: null, closesAt: null }))).toBe('Tuesdays');
    expect(
      scheduleWords(schedule({ byday: '', opensAt: null, closesAt: null, description: 'By appointment' })),
    ).toBe('By appointment');
    expect(scheduleWords(schedule({ byday: '', description: 'School holidays' }))).toBe(
      'School holidays, 10am to 11:30am',
    );
  });

  it('leaves out schedules that have ended and sums up the rest', () => {
    const ended = schedule({ byday: 'MO', validTo: '2026-01-31' });
    const running = schedule({ byday: 'WE', validFrom: '2026-01-01', validTo: '2026-12-31' });
    expect(currentSchedules([ended, running], '2026-06-01')).toEqual([running]);
    expect(schedulesSummary([ended, running], '2026-06-01')).toBe('Wednesdays, 10am to 11:30am');
    expect(schedulesSummary([], '2026-06-01')).toBe('');
    const many = ['MO', 'TU', 'WE'].map((byday) => schedule({ byday }));
    expect(schedulesSummary(many, '2026-06-01')).toBe(
      'Mondays, 10am to 11:30am; Tuesdays, 10am to 11:30am; and other times',
    );
  });

  it('says whom a service is for by age', () => {
    expect(ageWords(0, 5)).toBe('Ages 0 to 5');
    expect(ageWords(11, null)).toBe('Ages 11 and over');
    expect(ageWords(18, 120)).toBe('Ages 18 and over');
    expect(ageWords(null, 5)).toBe('Up to age 5');
    expect(ageWords(4, 4)).toBe('Age 4');
    expect(ageWords(null, null)).toBe('All ages');
    expect(ageWords(0, null)).toBe('All ages');
  });

  it('says distances in miles to one decimal', () => {
    expect(distanceWords(1931)).toBe('1.2 miles');
    expect(distanceWords(1609.344)).toBe('1 mile');
    expect(distanceWords(3218.7)).toBe('2 miles');
    expect(distanceWords(100)).toBe('0.1 miles');
    expect(distanceWords(10)).toBe('Less than 0.1 miles');
  });

  it('says capacity and waiting time together, when published', () => {
    expect(capacityWords('limited', 3)).toBe('Few places left · usually 3 weeks wait');
    expect(capacityWords('available', 0)).toBe('Taking new families · usually no wait');
    expect(capacityWords(null, 1)).toBe('Usually 1 week wait');
    expect(capacityWords('full', null)).toBe('Full at the moment');
    expect(capacityWords(null, null)).toBe('');
  });

  it('says how to get in, cost and languages', () => {
    expect(accessWords(['drop_in', 'self_referral'])).toBe('Drop in or contact them yourself');
    expect(accessWords(['professional_referral'])).toBe('A professional refers you');
    expect(accessWords(['self_referral', 'professional_referral'])).toBe(
      'Contact them yourself or a professional refers you',
    );
    expect(accessWords([])).toBe('');
    expect(costWords(true)).toBe('Free');
    expect(costWords(false)).toBe('There is a charge');
    expect(languageWords(['en', 'pl', 'ur'])).toBe('English, Polish and Urdu');
    expect(languageWords(['xx'])).toBe('xx');
  });

  it('says amounts of money', () => {
    expect(moneyWords('5.00')).toBe('£5');
    expect(moneyWords(2.5)).toBe('£2.50');
    expect(moneyWords('0')).toBe('Free');
    expect(moneyWords(null)).toBe('');
  });

  it('cuts a description to its first sentence, at a word', () => {
    expect(firstSentence('A weekly group. Bring a snack.')).toBe('A weekly group.');
    expect(firstSentence('No full stop here')).toBe('No full stop here');
    expect(firstSentence('Version 2.5 of the course runs weekly. More.')).toBe(
      'Version 2.5 of the course runs weekly.',
    );
    const long = `${'word '.repeat(60)}end.`;
    const cut = firstSentence(long, 40);
    expect(cut.length).toBeLessThanOrEqual(40);
    expect(cut.endsWith('word…')).toBe(true);
  });

  it('makes phone numbers into tel: links', () => {
    expect(telHref('01632 960000')).toBe('tel:01632960000');
    expect(telHref('+44 (0)1632 960 000')).toBe('tel:+4401632960000');
  });
});
