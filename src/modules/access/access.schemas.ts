import { z } from 'zod';
import { STAFF_ROLES } from '../../common/context.ts';

/** Form and API input for the access module. A schema and its type share a name. */

export const SECTORS = [
  'education',
  'health',
  'social_care',
  'police',
  'youth_justice',
  'housing',
  'voluntary',
  'other',
] as const;

export const SECTOR_LABELS: Record<(typeof SECTORS)[number], string> = {
  education: 'Education',
  health: 'Health',
  social_care: 'Social care',
  police: 'Police',
  youth_justice: 'Youth justice',
  housing: 'Housing',
  voluntary: 'Voluntary and community',
  other: 'Other',
};

const text = (label: string, max = 200) =>
  z
    .string({ error: `Enter ${label}` })
    .trim()
    .min(1, `Enter ${label}`)
    .max(max, `${capitalise(label)} must be ${max} characters or fewer`);

const optionalText = (label: string, max = 200) =>
  z
    .string()
    .trim()
    .max(max, `${capitalise(label)} must be ${max} characters or fewer`)
    .optional()
    .transform((v) => (v ? v : null));

const uuid = (message: string) => z.uuid({ error: message });

const optionalUuid = (message: string) =>
  z
    .union([z.literal(''), z.uuid({ error: message })])
    .optional()
    .transform((v) => (v ? v : null));

/** A checkbox sends its value when ticked and nothing when not. */
const checkbox = z
  .union([z.literal('yes'), z.literal('true'), z.literal('on')])
  .optional()
  .transform((v) => v !== undefined);

const version = z.coerce.number({ error: 'The form is out of date: reload the page' }).int().min(1);

function capitalise(s: string) {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export const SignIn = z.object({
  email: z.string({ error: 'Enter your email address' }).trim().min(1, 'Enter your email address').max(320),
  password: z.string({ error: 'Enter your password' }).min(1, 'Enter your password').max(1024),
});
export type SignIn = z.infer<typeof SignIn>;

export const OrganisationInput = z.object({
  name: text('the organisation’s name'),
  sector: z.enum(SECTORS, { error: 'Select the sector the organisation belongs to' }),
  kind: text('the type of organisation', 100),
  localityId: optionalUuid('Select a locality from the list'),
  active: checkbox,
});
export type OrganisationInput = z.infer<typeof OrganisationInput>;

export const OrganisationUpdate = OrganisationInput.extend({ version });
export type OrganisationUpdate = z.infer<typeof OrganisationUpdate>;

export const TeamInput = z.object({
  name: text('the team’s name'),
  organisationId: uuid('Select the organisation that hosts the team'),
  localityId: optionalUuid('Select a locality from the list'),
  multiAgency: checkbox,
  active: checkbox,
});
export type TeamInput = z.infer<typeof TeamInput>;

export const TeamUpdate = TeamInput.extend({ version });
export type TeamUpdate = z.infer<typeof TeamUpdate>;

const roles = z
  .union([z.enum(STAFF_ROLES), z.array(z.enum(STAFF_ROLES))], { error: 'Select a role from the list' })
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? [...new Set(v)] : [v]))
  .refine((v) => v.length > 0, 'Select at least one role');

const email = z
  .string({ error: 'Enter an email address' })
  .trim()
  .toLowerCase()
  .min(1, 'Enter an email address')
  .max(320, 'Email address must be 320 characters or fewer')
  .pipe(z.email({ error: 'Enter an email address in the correct format, like name@example.org' }));

export const PASSWORD_MIN_LENGTH = 12;
const password = z
  .string({ error: 'Enter a password' })
  .min(PASSWORD_MIN_LENGTH, `Password must be at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(256, 'Password must be 256 characters or fewer');

export const UserInput = z.object({
  email,
  displayName: text('the person’s full name'),
  jobTitle: optionalText('job title', 200),
  organisationId: uuid('Select the person’s home organisation'),
  roles,
  password,
});
export type UserInput = z.infer<typeof UserInput>;

export const UserUpdate = UserInput.omit({ password: true }).extend({ version });
export type UserUpdate = z.infer<typeof UserUpdate>;

export const PasswordReset = z.object({ password, version });
export type PasswordReset = z.infer<typeof PasswordReset>;

export const MembershipInput = z.object({
  teamId: uuid('Select a team'),
  seconded: checkbox,
  partTime: checkbox,
});
export type MembershipInput = z.infer<typeof MembershipInput>;

export const VersionOnly = z.object({ version });
export type VersionOnly = z.infer<typeof VersionOnly>;

export const ListQuery = z.object({
  q: z.string().trim().max(200).optional().default(''),
  page: z.coerce.number().int().min(1).max(100_000).optional().default(1),
});
export type ListQuery = z.infer<typeof ListQuery>;

/** A code from an authenticator app: six digits; spaces are forgiven, as some apps show them. */
export const TotpCodeInput = z.object({
  code: z
    .string({ error: 'Enter the code from your authenticator app' })
    .transform((v) => v.replace(/\s/g, ''))
    .pipe(
      z
        .string()
        .min(1, 'Enter the code from your authenticator app')
        .regex(/^\d*$/, 'The code must only include numbers')
        .length(6, 'The code must be 6 numbers'),
    ),
});
export type TotpCodeInput = z.infer<typeof TotpCodeInput>;

/** A recovery code as typed: any case, hyphens and spaces forgiven. */
export const RecoveryCodeInput = z.object({
  code: z
    .string({ error: 'Enter one of your recovery codes' })
    .transform((v) => v.toLowerCase().replace(/[\s-]/g, ''))
    .pipe(
      z
        .string()
        .min(1, 'Enter one of your recovery codes')
        .regex(/^[a-z0-9]{16}$/, 'A recovery code is 16 letters and numbers, like abcd-efgh-jkmn-pqrs'),
    ),
});
export type RecoveryCodeInput = z.infer<typeof RecoveryCodeInput>;
