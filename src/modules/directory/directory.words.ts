import type { DirectoryAccessRoute, DirectoryCapacity } from '../../db/schema.ts';
import { ACCESS_ROUTES, CAPACITY, DAYS, LANGUAGES, METRES_PER_MILE } from './directory.vocabulary.ts';

/**
 * Directory facts in a family's words: "Tuesdays and Thursdays, 10am to 11:30am", "Ages 0 to 5",
 * "1.2 miles". Pure functions, shared by the public pages, the practitioners' pages and e-mails.
 */

/** 'a', 'a and b', 'a, b and c'. */
export function listWords(items: readonly string[], last = 'and'): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} ${last} ${items.at(-1)}`;
}

/** '10:00:00' → '10am', '11:30' → '11:30am', '12:00' → 'midday', '00:00' → 'midnight', '13:05' → '1:05pm'. */
export function timeWords(time: string): string {
  const match = /^(\d{1,2}):(\d{2})/.exec(time);
  if (!match) return time;
  const hours = Number(match[1]);
  const minutes = match[2]!;
  if (minutes === '00' && hours === 12) return 'midday';
  if (minutes === '00' && hours === 0) return 'midnight';
  const hour12 = hours % 12 === 0 ? 12 : hours % 12;
  return `${hour12}${minutes === '00' ? '' : `:${minutes}`}${hours < 12 ? 'am' : 'pm'}`;
}

const DAY_CODES = Object.keys(DAYS);
const WEEKDAYS = 'MO,TU,WE,TH,FR';

/** 'TU,TH' → 'Tuesdays and Thursdays'; every weekday → 'Monday to Friday'; every day → 'Every day'. */
export function daysWords(byday: string, freq: 'WEEKLY' | 'MONTHLY' = 'WEEKLY'): string {
  const codes = DAY_CODES.filter((c) => byday.toUpperCase().split(',').includes(c));
  if (codes.length === 0) return '';
  if (freq === 'MONTHLY')
    return `Once a month on ${listWords(
      codes.map((c) => DAYS[c]!),
      'or',
    )}`;
  if (codes.length === 7) return 'Every day';
  if (codes.join(',') === WEEKDAYS) return 'Monday to Friday';
  return listWords(codes.map((c) => `${DAYS[c]!}s`));
}

/** '10am to 11:30am', 'from 10am', 'until 3pm', or '' when no times are given. */
export function hoursWords(opensAt: string | null, closesAt: string | null): string {
  if (opensAt && closesAt) return `${timeWords(opensAt)} to ${timeWords(closesAt)}`;
  if (opensAt) return `from ${timeWords(opensAt)}`;
  if (closesAt) return `until ${timeWords(closesAt)}`;
  return '';
}

export type ScheduleFacts = {
  freq: 'WEEKLY' | 'MONTHLY';
  byday: string;
  opensAt: string | null;
  closesAt: string | null;
  validFrom: string | null;
  validTo: string | null;
  description: string;
};

/** One schedule as a phrase: 'Tuesdays and Thursdays, 10am to 11:30am'; its description when it has no days. */
export function scheduleWords(s: ScheduleFacts): string {
  const days = daysWords(s.byday, s.freq);
  const hours = hoursWords(s.opensAt, s.closesAt);
  if (days && hours) return `${days}, ${hours}`;
  if (days) return days;
  if (hours) return `${s.description ? `${s.description}, ` : ''}${capitalise(hours)}`;
  return s.description;
}

/** The schedules running on or after `today` (YYYY-MM-DD): ended ones are left out. */
export function currentSchedules<S extends ScheduleFacts>(schedules: readonly S[], today: string): S[] {
  return schedules.filter((s) => !s.validTo || s.validTo >= today);
}

/** The when of a search result, in one line: the current schedules' phrases, joined; '' when none. */
export function schedulesSummary(schedules: readonly ScheduleFacts[], today: string): string {
  const phrases = [...new Set(currentSchedules(schedules, today).map(scheduleWords).filter(Boolean))];
  if (phrases.length > 2) return `${phrases.slice(0, 2).join('; ')}; and other times`;
  return phrases.join('; ');
}

/** 'Ages 0 to 5', 'Ages 11 and over', 'Up to age 5', 'Age 4', 'All ages'. */
export function ageWords(minimumAge: number | null, maximumAge: number | null): string {
  const min = minimumAge ?? 0;
  const max = maximumAge === null || maximumAge >= 120 ? null : maximumAge;
  if (min === 0 && max === null) return 'All ages';
  if (max === null) return `Ages ${min} and over`;
  if (min === max) return `Age ${min}`;
  if (minimumAge === null) return `Up to age ${max}`;
  return `Ages ${min} to ${max}`;
}

/** Metres as miles to one decimal: '1.2 miles', '1 mile', 'Less than 0.1 miles'. */
export function distanceWords(metres: number): string {
  const miles = Math.round((metres / METRES_PER_MILE) * 10) / 10;
  if (miles < 0.1) return 'Less than 0.1 miles';
  const shown = Number.isInteger(miles) ? String(miles) : miles.toFixed(1);
  return `${shown} ${miles === 1 ? 'mile' : 'miles'}`;
}

/** 'usually 3 weeks wait', 'usually no wait', or '' when no wait is published. */
export function waitWords(waitWeeks: number | null): string {
  if (waitWeeks === null) return '';
  if (waitWeeks === 0) return 'usually no wait';
  return `usually ${waitWeeks} ${waitWeeks === 1 ? 'week' : 'weeks'} wait`;
}

/** 'Few places left · usually 3 weeks wait'; '' when the provider has published neither. */
export function capacityWords(capacity: DirectoryCapacity | null, waitWeeks: number | null): string {
  const parts = [capacity ? CAPACITY[capacity] : '', waitWords(waitWeeks)].filter(Boolean);
  return capitalise(parts.join(' · '));
}

/** ['drop_in', 'self_referral'] → 'Drop in or contact them yourself'. */
export function accessWords(routes: readonly DirectoryAccessRoute[]): string {
  const phrases = routes.map((r) => ACCESS_ROUTES[r]).filter(Boolean);
  return capitalise(
    listWords(
      phrases.map((p, i) => (i === 0 ? p : lowerFirst(p))),
      'or',
    ),
  );
}

export function costWords(free: boolean): string {
  return free ? 'Free' : 'There is a charge';
}

/** ['en', 'pl'] → 'English and Polish'; unknown codes are shown as they are. */
export function languageWords(codes: readonly string[]): string {
  return listWords(codes.map((c) => LANGUAGES[c] ?? c));
}

/** An amount of money: '£5', '£2.50'. */
export function moneyWords(amount: string | number | null, currency = 'GBP'): string {
  if (amount === null || amount === '') return '';
  const value = Number(amount);
  if (!Number.isFinite(value)) return String(amount);
  if (value === 0) return 'Free';
  return new Intl.NumberFormat('en-GB', {
    style: 'currency',
    currency,
    minimumFractionDigits: Number.isInteger(value) ? 0 : 2,
  }).format(value);
}

/** The first sentence of a description, cut at a word to about `max` characters: the one-line summary. */
export function firstSentence(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const end = flat.search(/[.!?](\s|$)/);
  const sentence = end === -1 ? flat : flat.slice(0, end + 1);
  if (sentence.length <= max) return sentence;
  const cut = sentence.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[,;:]$/, '')}…`;
}

/** A phone number as a tel: link target: digits and a leading +. */
export function telHref(phone: string): string {
  return `tel:${phone.replace(/[^\d+]/g, '')}`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function lowerFirst(text: string): string {
  // 'A professional refers you' → 'a professional…'; leave acronyms alone.
  return /^[A-Z][a-z]/.test(text) || /^A /.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}
