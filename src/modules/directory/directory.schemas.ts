import { z } from 'zod';
import {
  ACCESS_ROUTE_CODES,
  CAPACITY_CODES,
  DISTANCES_MILES,
  LANGUAGES,
  SERVICE_STATUSES,
} from './directory.vocabulary.ts';
import { POSTCODE_PATTERN } from './directory.geo.ts';

/**
 * One directory entry as Wraparound keeps it: a service with its organisation, the places it runs,
 * when, what it costs, whom to contact and the needs it meets. The importer, the editors' forms and
 * the demo seed all produce this shape; the store writes it whole, in one transaction.
 */

const id = z.uuid({ error: 'must be a UUID' });
const text = (max: number) => z.string().trim().max(max, `must be ${max} characters or fewer`);
const nullableText = (max: number) =>
  text(max)
    .nullable()
    .default(null)
    .transform((v) => (v === '' ? null : v));
const plainDate = z.iso.date({ error: 'must be a date, YYYY-MM-DD' });
const clockTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/, 'must be a time, HH:MM')
  .transform((v) => (v.length === 5 ? `${v}:00` : v));
const age = z
  .number({ error: 'must be a whole number of years' })
  .int('must be a whole number of years')
  .min(0);

export const OrganizationRecord = z.object({
  id,
  name: text(200).min(1, 'is required'),
  description: text(4000).default(''),
  email: nullableText(200),
  url: nullableText(500),
  phone: nullableText(40),
});
export type OrganizationRecord = z.output<typeof OrganizationRecord>;

export const LocationRecord = z
  .object({
    id,
    name: text(200).default(''),
    locationType: z.enum(['physical', 'postal', 'virtual']).default('physical'),
    addressLine1: text(200).default(''),
    city: text(100).default(''),
    postalCode: z
      .string()
      .trim()
      .toUpperCase()
      .refine((v) => v === '' || POSTCODE_PATTERN.test(v), 'must be a UK postcode, like NB4 7QT')
      .default(''),
    latitude: z.number().min(-90).max(90).nullable().default(null),
    longitude: z.number().min(-180).max(180).nullable().default(null),
  })
  .refine((l) => (l.latitude === null) === (l.longitude === null), {
    message: 'must give both latitude and longitude, or neither',
    path: ['latitude'],
  });
export type LocationRecord = z.output<typeof LocationRecord>;

export const ScheduleRecord = z
  .object({
    id,
    freq: z.enum(['WEEKLY', 'MONTHLY']).default('WEEKLY'),
    byday: z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^((MO|TU|WE|TH|FR|SA|SU)(,(MO|TU|WE|TH|FR|SA|SU))*)?$/, 'must be day codes like MO,WE,FR')
      .default(''),
    opensAt: clockTime.nullable().default(null),
    closesAt: clockTime.nullable().default(null),
    validFrom: plainDate.nullable().default(null),
    validTo: plainDate.nullable().default(null),
    description: text(500).default(''),
  })
  .refine((s) => !s.opensAt || !s.closesAt || s.opensAt < s.closesAt, {
    message: 'must close after it opens',
    path: ['closesAt'],
  })
  .refine((s) => !s.validFrom || !s.validTo || s.validFrom <= s.validTo, {
    message: 'must not end before it starts',
    path: ['validTo'],
  });
export type ScheduleRecord = z.output<typeof ScheduleRecord>;

export const CostOptionRecord = z.object({
  id,
  option: text(200).default(''),
  amount: z.number().min(0, 'must not be negative').nullable().default(null),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be a currency code like GBP')
    .default('GBP'),
  amountDescription: text(500).default(''),
});
export type CostOptionRecord = z.output<typeof CostOptionRecord>;

export const ContactRecord = z.object({
  id,
  name: text(200).default(''),
  title: text(200).default(''),
  email: nullableText(200),
  phone: nullableText(40),
});
export type ContactRecord = z.output<typeof ContactRecord>;

export const ServiceRecord = z
  .object({
    id,
    organization: OrganizationRecord,
    name: text(200).min(1, 'is required'),
    description: text(4000).min(1, 'is required'),
    url: nullableText(500),
    email: nullableText(200),
    status: z.enum(SERVICE_STATUSES).default('active'),
    minimumAge: age.max(25, 'must be 25 or under').nullable().default(null),
    maximumAge: age.max(120, 'must be 120 or under').nullable().default(null),
    eligibilityDescription: text(2000).default(''),
    feesDescription: text(1000).default(''),
    free: z.boolean().default(true),
    accessRoutes: z.array(z.enum(ACCESS_ROUTE_CODES)).default([]),
    languages: z
      .array(z.string().refine((c) => c in LANGUAGES, 'is not a language code the directory knows'))
      .default(['en']),
    specialist: z.boolean().default(false),
    capacity: z.enum(CAPACITY_CODES).nullable().default(null),
    waitWeeks: z.number().int().min(0).max(104).nullable().default(null),
    assuredDate: plainDate,
    /** Taxonomy term ids; each must be one of the partnership's terms (the store checks). */
    taxonomyTermIds: z.array(id).default([]),
    locations: z.array(LocationRecord).default([]),
    schedules: z.array(ScheduleRecord).default([]),
    costOptions: z.array(CostOptionRecord).default([]),
    contacts: z.array(ContactRecord).default([]),
  })
  .refine((s) => s.minimumAge === null || s.maximumAge === null || s.minimumAge <= s.maximumAge, {
    message: 'must not be below the minimum age',
    path: ['maximumAge'],
  });
export type ServiceRecord = z.output<typeof ServiceRecord>;
export type ServiceRecordInput = z.input<typeof ServiceRecord>;

/** The public search, from the query string of the page or the API. Every filter is optional. */
export const SearchQuery = z
  .object({
    q: z.string().trim().max(200, 'Search words must be 200 characters or fewer').optional().default(''),
    /** A taxonomy term code (the need). */
    need: z.string().trim().max(80).optional().default(''),
    /** The child's age in whole years, '' when not given. */
    age: z
      .string({ error: 'Enter an age in whole years, like 7' })
      .trim()
      .optional()
      .default('')
      .transform((v, ctx): number | '' => {
        if (v === '') return '';
        if (/^-\d+$/.test(v)) {
          ctx.addIssue({ code: 'custom', message: 'Enter an age of 0 or more' });
          return z.NEVER;
        }
        if (!/^\d{1,3}$/.test(v)) {
          ctx.addIssue({ code: 'custom', message: 'Enter an age in whole years, like 7' });
          return z.NEVER;
        }
        const age = Number(v);
        if (age > 25) {
          ctx.addIssue({ code: 'custom', message: 'Enter an age of 25 or under' });
          return z.NEVER;
        }
        return age;
      }),
    /** A postcode, an outward code or a place name. */
    near: z
      .string()
      .trim()
      .max(60, 'Postcode or place must be 60 characters or fewer')
      .optional()
      .default(''),
    within: z
      .enum(DISTANCES_MILES.map(String) as [string, ...string[]], {
        error: 'Select a distance from the list',
      })
      .optional()
      .default('5'),
    cost: z.enum(['', 'free', 'paid'], { error: 'Select free or paid' }).optional().default(''),
    access: z
      .enum(['', ...ACCESS_ROUTE_CODES], { error: 'Select how you want to get in' })
      .optional()
      .default(''),
    language: z
      .string()
      .optional()
      .default('')
      .refine((c) => c === '' || c in LANGUAGES, 'Select a language from the list'),
    kind: z
      .enum(['', 'mainstream', 'specialist'], { error: 'Select mainstream or specialist' })
      .optional()
      .default(''),
    page: z.coerce
      .number({ error: 'Page must be a number' })
      .int('Page must be a whole number')
      .min(1, 'Page must be 1 or more')
      .max(10_000, 'Page must be 10,000 or less')
      .optional()
      .default(1),
    perPage: z.coerce
      .number({ error: 'Results per page must be a number' })
      .int('Results per page must be a whole number')
      .min(1, 'Results per page must be 1 or more')
      .max(100, 'Results per page must be 100 or fewer')
      .optional()
      .default(10),
  })
  .transform((q) => ({ ...q, within: Number(q.within) }));
export type SearchQuery = z.output<typeof SearchQuery>;
