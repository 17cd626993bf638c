import type { DirectoryAccessRoute, DirectoryCapacity, DirectoryServiceStatus } from '../../db/schema.ts';

/** The words the directory shows families: plain English, the same on every page and in the API. */

export const ACCESS_ROUTES: Record<DirectoryAccessRoute, string> = {
  drop_in: 'Drop in',
  self_referral: 'Contact them yourself',
  professional_referral: 'A professional refers you',
};
export const ACCESS_ROUTE_CODES = Object.keys(ACCESS_ROUTES) as [
  DirectoryAccessRoute,
  ...DirectoryAccessRoute[],
];

export const CAPACITY: Record<DirectoryCapacity, string> = {
  available: 'Taking new families',
  limited: 'Few places left',
  full: 'Full at the moment',
};
export const CAPACITY_CODES = Object.keys(CAPACITY) as [DirectoryCapacity, ...DirectoryCapacity[]];

export const SERVICE_STATUSES = [
  'active',
  'inactive',
  'defunct',
  'temporarily closed',
] as const satisfies readonly DirectoryServiceStatus[];

/** Languages services are offered in, by ISO 639-1 code: those most spoken in English homes after English. */
export const LANGUAGES: Record<string, string> = {
  en: 'English',
  cy: 'Welsh',
  pl: 'Polish',
  ro: 'Romanian',
  pa: 'Punjabi',
  ur: 'Urdu',
  bn: 'Bengali',
  gu: 'Gujarati',
  ar: 'Arabic',
  pt: 'Portuguese',
  es: 'Spanish',
  so: 'Somali',
  uk: 'Ukrainian',
  ku: 'Kurdish',
  ti: 'Tigrinya',
  fa: 'Persian',
  zh: 'Chinese',
  sgn: 'British Sign Language',
};

/** iCal day codes in week order, with their names. */
export const DAYS: Record<string, string> = {
  MO: 'Monday',
  TU: 'Tuesday',
  WE: 'Wednesday',
  TH: 'Thursday',
  FR: 'Friday',
  SA: 'Saturday',
  SU: 'Sunday',
};

/** An entry not confirmed for this many months is flagged to its owner. */
export const REVIEW_AFTER_MONTHS = 6;

/** Distances offered in the search form, in miles. */
export const DISTANCES_MILES = [1, 2, 5, 10, 25] as const;
export const METRES_PER_MILE = 1609.344;
