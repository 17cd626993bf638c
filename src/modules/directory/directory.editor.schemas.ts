import { z } from 'zod';
import { optionalText, requiredText } from '../../common/text-fields.ts';
import { normalisePostcode } from './directory.geo.ts';
import {
  ACCESS_ROUTE_CODES,
  CAPACITY_CODES,
  DAYS,
  LANGUAGES,
  SERVICE_STATUSES,
} from './directory.vocabulary.ts';

/**
 * What the directory editors' forms send. Field names are the form's (and the error summary's
 * anchors); the editor service turns an entry form into a whole ServiceRecord.
 */

const version = z.coerce
  .number({ error: 'The page is out of date: open it again' })
  .int('The page is out of date: open it again')
  .min(0, 'The page is out of date: open it again');

/** One ticked checkbox arrives as a string, several as a list, none as nothing. */
const ticked = (allowed: readonly string[], message: string) =>
  z
    .preprocess(
      (v): unknown[] => (v === undefined || v === '' ? [] : Array.isArray(v) ? (v as unknown[]) : [v]),
      z.array(z.string({ error: message }), { error: message }).max(200, message),
    )
    .refine((list) => list.every((c) => allowed.includes(c)), { message })
    .transform((list) => [...new Set(list)]);

/** A whole number a form may leave empty (null). */
const optionalWhole = (label: string, min: number, max: number) =>
  z
    .string({ error: `Enter ${label} as a whole number` })
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return null;
      const n = Number(v);
      if (!/^\d+$/.test(v) || !Number.isInteger(n)) {
        ctx.addIssue({ code: 'custom', message: `Enter ${label} as a whole number` });
        return z.NEVER;
      }
      if (n < min || n > max) {
        ctx.addIssue({
          code: 'custom',
          message: `${label[0]!.toUpperCase()}${label.slice(1)} must be between ${min} and ${max}`,
        });
        return z.NEVER;
      }
      return n;
    });

const optionalEmail = (label: string) =>
  z
    .string()
    .trim()
    .max(200, `${label} must be 200 characters or fewer`)
    .default('')
    .refine((v) => v === '' || z.email().safeParse(v).success, {
      message: `Enter ${label.toLowerCase()} in the right format, like name@example.org`,
    })
    .transform((v) => (v === '' ? null : v));

const clock = (label: string) =>
  z
    .string()
    .trim()
    .default('')
    .refine((v) => v === '' || /^([01]?\d|2[0-3])[:.][0-5]\d$/.test(v), {
      message: `Enter the time it ${label} as hours and minutes, like 09:30 or 17:00`,
    })
    .transform((v) => (v === '' ? null : v.replace('.', ':').padStart(5, '0')));

const LANGUAGE_CODES = Object.keys(LANGUAGES);
const DAY_CODES = Object.keys(DAYS);

export const EntryForm = z
  .object({
    version,
    /** Only for a new entry: which of the editor's organisations runs it. */
    organizationId: z.string().trim().default(''),
    name: requiredText('Enter the name of the service', 200, 'The name'),
    description: requiredText('Enter what the service does', 4000, 'The description'),
    status: z.enum(SERVICE_STATUSES, { error: 'Select whether the service is running' }),
    minimumAge: optionalWhole('the youngest age', 0, 25),
    maximumAge: optionalWhole('the oldest age', 0, 120),
    eligibilityDescription: optionalText(2000, 'Who it is for'),
    feesDescription: optionalText(1000, 'What it costs'),
    cost: z.enum(['free', 'paid'], { error: 'Select whether the service is free or paid' }),
    accessRoutes: ticked(ACCESS_ROUTE_CODES, 'Select how families get in from the list'),
    languages: ticked(LANGUAGE_CODES, 'Select languages from the list'),
    kind: z.enum(['mainstream', 'specialist'], { error: 'Select mainstream or specialist' }),
    url: z
      .string()
      .trim()
      .max(500, 'The website must be 500 characters or fewer')
      .default('')
      .refine((v) => v === '' || /^https?:\/\/[^\s/]+\.[^\s]+$/i.test(v), {
        message: 'Enter the website in the right format, like https://www.example.org',
      })
      .transform((v) => (v === '' ? null : v)),
    email: optionalEmail('The service’s email address'),
    /** Taxonomy term ids; the service checks each is one of the partnership's. */
    needs: z
      .preprocess(
        (v): unknown[] => (v === undefined || v === '' ? [] : Array.isArray(v) ? (v as unknown[]) : [v]),
        z.array(z.string(), { error: 'Select needs from the list' }).max(200, 'Select needs from the list'),
      )
      .refine((list) => list.every((id) => z.uuid().safeParse(id).success), {
        message: 'Select needs from the list',
      })
      .transform((list) => [...new Set(list)]),
    contactPhone: z
      .string()
      .trim()
      .max(40, 'The telephone number must be 40 characters or fewer')
      .default('')
      .refine((v) => v === '' || (/^[0-9 +()-]+$/.test(v) && v.replace(/\D/g, '').length >= 6), {
        message: 'Enter the telephone number using numbers, spaces, + and brackets, like 01632 960 001',
      }),
    contactEmail: optionalEmail('The contact email address'),
    locationName: optionalText(200, 'The place’s name'),
    addressLine1: optionalText(200, 'The address'),
    city: optionalText(100, 'The town'),
    postalCode: z
      .string()
      .trim()
      .max(10, 'Enter a real postcode, like NB4 7QT')
      .default('')
      .transform((v, ctx) => {
        if (v === '') return '';
        const postcode = normalisePostcode(v);
        if (!postcode) {
          ctx.addIssue({ code: 'custom', message: 'Enter a real postcode, like NB4 7QT' });
          return z.NEVER;
        }
        return postcode;
      }),
    days: ticked(DAY_CODES, 'Select days from the list'),
    opensAt: clock('opens'),
    closesAt: clock('closes'),
  })
  .superRefine((f, ctx) => {
    if (f.minimumAge !== null && f.maximumAge !== null && f.minimumAge > f.maximumAge)
      ctx.addIssue({
        code: 'custom',
        path: ['maximumAge'],
        message: 'The oldest age must be the same as or more than the youngest age',
      });
    if (f.opensAt && f.closesAt && f.closesAt <= f.opensAt)
      ctx.addIssue({
        code: 'custom',
        path: ['closesAt'],
        message: 'The closing time must be after the opening time',
      });
    if ((f.opensAt || f.closesAt) && f.days.length === 0)
      ctx.addIssue({ code: 'custom', path: ['days'], message: 'Select the days the service is open' });
    if ((f.opensAt === null) !== (f.closesAt === null))
      ctx.addIssue({
        code: 'custom',
        path: [f.opensAt === null ? 'opensAt' : 'closesAt'],
        message: 'Enter both the opening and the closing time, or neither',
      });
  });
export type EntryForm = z.output<typeof EntryForm>;

/** "Confirm this entry is still correct": only the version the editor saw. */
export const ReviewForm = z.object({ version });
export type ReviewForm = z.output<typeof ReviewForm>;

/** The provider's own figures: whether they can take families now, and the typical wait. */
export const CapacityForm = z.object({
  version,
  capacity: z.enum(CAPACITY_CODES, { error: 'Select whether you are taking new families' }),
  waitWeeks: optionalWhole('the typical wait in weeks', 0, 104),
});
export type CapacityForm = z.output<typeof CapacityForm>;
