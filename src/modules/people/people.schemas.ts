import { z } from 'zod';
import { dateInputFields, readDateInput } from '../../common/date-input.ts';
import { DATA_TYPES, SENSITIVITIES } from '../../common/sharing.ts';
import {
  nameWords,
  readPostcode,
  readSearchIdentifier,
  type SearchCriteria,
  type SearchIdentifier,
  type SearchPostcode,
} from './people.search.ts';

/** Form and API input for the person index pages. */

export const ItemInput = z
  .object({
    dataType: z.enum(DATA_TYPES, { error: 'Select the kind of information' }),
    sensitivity: z.enum(SENSITIVITIES, { error: 'Select how sensitive it is' }),
    sharing: z.enum(['as_agreed', 'owner_only'], { error: 'Select who may see it' }),
    title: z
      .string({ error: 'Enter a short title' })
      .trim()
      .min(1, 'Enter a short title')
      .max(200, 'The title must be 200 characters or fewer'),
    body: z
      .string({ error: 'Enter what happened or what you know' })
      .trim()
      .min(1, 'Enter what happened or what you know')
      .max(20_000, 'The note must be 20,000 characters or fewer'),
    thirdParty: z
      .union([z.literal('yes'), z.literal('true'), z.literal('on')])
      .optional()
      .transform((v) => v !== undefined),
    ...dateInputFields('occurred'),
  })
  .transform((form, ctx) => {
    const occurredOn = readDateInput(form, 'occurred', 'The date', ctx);
    if (occurredOn === z.NEVER) return z.NEVER;
    if (occurredOn === null) {
      ctx.addIssue({ code: 'custom', message: 'Enter the date it happened', path: ['occurred-day'] });
      return z.NEVER;
    }
    const { dataType, sensitivity, sharing, title, body, thirdParty } = form;
    return { dataType, sensitivity, sharing, title, body, thirdParty, occurredOn };
  });
export type ItemInput = z.output<typeof ItemInput>;

/**
 * A person search: a name (given and family, any order, typos allowed) or an identifier, or both; a
 * date of birth, exact or within a year; a full postcode or its first half. Every mistake is reported
 * at once, on its own field.
 */
export const PersonSearch = z
  .object({
    name: z.string().trim().max(200, 'The name must be 200 characters or fewer').optional().default(''),
    ...dateInputFields('dob'),
    dobWindow: z.string().optional().default(''),
    identifier: z
      .string()
      .trim()
      .max(30, 'The NHS number, UPN or CHI number must be 30 characters or fewer')
      .optional()
      .default(''),
    postcode: z.string().trim().max(10, 'The postcode must be 10 characters or fewer').optional().default(''),
  })
  .transform((form, ctx): SearchCriteria => {
    let failed = false;
    const problem = (path: string, message: string) => {
      ctx.addIssue({ code: 'custom', message, path: [path] });
      failed = true;
    };
    if (form.name && nameWords(form.name).length === 0) problem('name', 'Enter a name using letters');
    if (!form.name && !form.identifier) problem('name', 'Enter a name, or an NHS number, UPN or CHI number');
    const dateOfBirth = readDateInput(form, 'dob', 'The date of birth', ctx);
    if (dateOfBirth === z.NEVER) failed = true;
    const dobWithinYear = form.dobWindow === 'year';
    if (dobWithinYear && dateOfBirth === null)
      problem('dob-day', 'Enter the date of birth to search within a year of it');
    let identifier: SearchIdentifier | null = null;
    if (form.identifier) {
      const read = readSearchIdentifier(form.identifier);
      if (read.ok) identifier = { systems: read.systems, value: read.value };
      else problem('identifier', read.reason);
    }
    let postcode: SearchPostcode | null = null;
    if (form.postcode) {
      postcode = readPostcode(form.postcode);
      if (!postcode) problem('postcode', 'Enter a full postcode, like NB1 2AB, or its first half, like NB1');
    }
    if (failed || dateOfBirth === z.NEVER) return z.NEVER;
    return { name: form.name, dateOfBirth, dobWithinYear, identifier, postcode };
  });
export type PersonSearch = z.output<typeof PersonSearch>;

const version = z.coerce.number({ error: 'The form is out of date: reload the page' }).int().min(1);
const note = z.string().trim().max(2000, 'The note must be 2000 characters or fewer');

/** A reviewer's decision on a proposed link. */
export const LinkDecision = z
  .object({
    decision: z.enum(['link', 'not_same', 'more_information'], {
      error: 'Select whether this is the same person',
    }),
    note: note.optional().default(''),
    version,
  })
  .refine((d) => d.decision !== 'more_information' || d.note.length > 0, {
    message: 'Say what information is needed, and from whom',
    path: ['note'],
  });
export type LinkDecision = z.output<typeof LinkDecision>;

export const UnlinkInput = z.object({
  reason: z
    .string({ error: 'Say why this record is not this person' })
    .trim()
    .min(10, 'Say why this record is not this person, in at least 10 characters')
    .max(2000, 'The reason must be 2000 characters or fewer'),
  version,
});
export type UnlinkInput = z.output<typeof UnlinkInput>;

/** The fields of the import form besides its two files. */
export const ImportInput = z.object({
  source: z
    .string({ error: 'Select where the records come from' })
    .trim()
    .min(1, 'Select where the records come from'),
});

const optionalText = (max: number, label: string) =>
  z
    .string()
    .trim()
    .max(max, `${label} must be ${max} characters or fewer`)
    .optional()
    .transform((v) => v || null);

/** A person's details beyond the index's own: date-of-birth certainty, language, contact. */
export const DetailsInput = z.object({
  dateOfBirthCertainty: z.enum(['verified', 'declared', 'estimated'], {
    error: 'Select how certain the date of birth is',
  }),
  language: optionalText(100, 'The language'),
  interpreterNeeded: z
    .union([z.literal('yes'), z.literal('no')], { error: 'Select whether an interpreter is needed' })
    .transform((v) => v === 'yes'),
  phone: optionalText(40, 'The phone number').refine((v) => v === null || /^[+()\d\s-]{6,40}$/.test(v), {
    message: 'Enter a phone number using digits, spaces, brackets, + and -, like 01632 960 001',
  }),
  email: optionalText(254, 'The email address').refine((v) => v === null || z.email().safeParse(v).success, {
    message: 'Enter an email address in the correct format, like name@example.com',
  }),
  version,
});
export type DetailsInput = z.output<typeof DetailsInput>;

/** Another name a person is or was known by, with the dates it was used. */
export const NameInput = z
  .object({
    kind: z.enum(['known_as', 'previous', 'alias'], { error: 'Select what kind of name this is' }),
    givenName: optionalText(100, 'The given name'),
    familyName: z
      .string({ error: 'Enter the family name' })
      .trim()
      .min(1, 'Enter the family name')
      .max(100, 'The family name must be 100 characters or fewer'),
    ...dateInputFields('usedFrom'),
    ...dateInputFields('usedUntil'),
  })
  .transform((form, ctx) => {
    const usedFrom = readDateInput(form, 'usedFrom', 'The date it was first used', ctx);
    const usedUntil = readDateInput(form, 'usedUntil', 'The date it was last used', ctx);
    if (usedFrom === z.NEVER || usedUntil === z.NEVER) return z.NEVER;
    if (usedFrom && usedUntil && usedUntil < usedFrom) {
      ctx.addIssue({
        code: 'custom',
        message: 'The date it was last used must be the same as or after the date it was first used',
        path: ['usedUntil-day'],
      });
      return z.NEVER;
    }
    return { kind: form.kind, givenName: form.givenName, familyName: form.familyName, usedFrom, usedUntil };
  });
export type NameInput = z.output<typeof NameInput>;
