import { z } from 'zod';
import { accessSchemas } from '../access/index.ts';

/**
 * Input for family accounts. The practitioner's form speaks English, like the rest of the staff
 * pages; the family's own forms give message keys (src/web/locales) that their pages translate.
 */

export const FAMILY_RELATIONSHIPS = ['parent', 'carer', 'young_person'] as const;
export type FamilyRelationship = (typeof FAMILY_RELATIONSHIPS)[number];
export const RELATIONSHIP_LABELS: Record<FamilyRelationship, string> = {
  parent: 'Parent',
  carer: 'Carer',
  young_person: 'Young person',
};

export const FAMILY_LANGUAGES = ['en', 'cy'] as const;
export const FAMILY_LANGUAGE_LABELS: Record<(typeof FAMILY_LANGUAGES)[number], string> = {
  en: 'English',
  cy: 'Welsh (Cymraeg)',
};

export const FamilyAccountInput = z
  .object({
    displayName: z
      .string({ error: 'Enter their name' })
      .trim()
      .min(1, 'Enter their name')
      .max(200, 'Their name must be 200 characters or fewer'),
    // The staff accounts' own rule, so one address is written one way everywhere.
    email: accessSchemas.UserInput.shape.email,
    relationship: z.enum(FAMILY_RELATIONSHIPS, { error: 'Select who they are in the family' }),
    personId: z
      .union([z.literal(''), z.uuid({ error: 'Select the young person from the list' })])
      .optional()
      .transform((v) => (v ? v : null)),
    language: z.enum(FAMILY_LANGUAGES, { error: 'Select the language they want to read their plan in' }),
  })
  .transform((input) => ({
    ...input,
    // Only a young person's account is tied to a child's record: a parent's or carer's covers the family.
    personId: input.relationship === 'young_person' ? input.personId : null,
  }))
  .refine((input) => input.relationship !== 'young_person' || input.personId !== null, {
    path: ['personId'],
    message: 'Select which child on the plan this young person is',
  });
export type FamilyAccountInput = z.output<typeof FamilyAccountInput>;

/** Family members' passwords follow the staff accounts' rule; only the messages are the family's. */
const staffPassword = accessSchemas.PasswordReset.shape.password;
export const PASSWORD_MIN = accessSchemas.PASSWORD_MIN_LENGTH;
/** As plan_comments allows. */
export const COMMENT_MAX = 5000;

/** Parameters the family's error messages may name. */
export const ERROR_PARAMS = { passwordMin: PASSWORD_MIN, commentMax: COMMENT_MAX };

/** A code as typed: any case, spaces and hyphens forgiven. */
export function normaliseActivationCode(typed: string): string {
  return typed.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

export const ActivationInput = z
  .object({
    email: z
      .string({ error: 'errors.email.missing' })
      .trim()
      .toLowerCase()
      .min(1, 'errors.email.missing')
      .max(320, 'errors.email.format')
      .pipe(z.email({ error: 'errors.email.format' })),
    code: z
      .string({ error: 'errors.code.missing' })
      .max(100, 'errors.code.wrong')
      .transform(normaliseActivationCode)
      .pipe(z.string().min(1, 'errors.code.missing')),
    password: z
      .string({ error: 'errors.password.missing' })
      .min(1, 'errors.password.missing')
      .superRefine((value, ctx) => {
        if (staffPassword.safeParse(value).success) return;
        const tooShort = value.length < PASSWORD_MIN;
        ctx.addIssue({
          code: 'custom',
          message: tooShort ? 'errors.password.tooShort' : 'errors.password.tooLong',
        });
      }),
    confirmPassword: z.string({ error: 'errors.password.mismatch' }),
  })
  .refine((input) => input.password === input.confirmPassword, {
    path: ['confirmPassword'],
    message: 'errors.password.mismatch',
  });
export type ActivationInput = z.output<typeof ActivationInput>;

export const FamilyCommentInput = z.object({
  body: z
    .string({ error: 'errors.comment.missing' })
    .trim()
    .min(1, 'errors.comment.missing')
    .max(COMMENT_MAX, 'errors.comment.tooLong'),
});
export type FamilyCommentInput = z.output<typeof FamilyCommentInput>;

export const MarkDoneInput = z.object({
  version: z.coerce.number({ error: 'errors.outOfDate' }).int('errors.outOfDate').min(1, 'errors.outOfDate'),
});
export type MarkDoneInput = z.output<typeof MarkDoneInput>;
