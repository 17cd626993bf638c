import { z } from 'zod';
import { dateInputFields, readDateInput } from '../../common/date-input.ts';
import { checkNhsNumber } from '../people/index.ts';

/** Where a clinician checks from: unscheduled care always tells the social worker; scheduled care may not. */
export const CHECK_SETTINGS = ['unscheduled', 'scheduled'] as const;
export type CheckSetting = (typeof CHECK_SETTINGS)[number];

export const CHECK_SETTING_LABELS: Record<CheckSetting, string> = {
  unscheduled: 'Unscheduled care: emergency department, ambulance or out-of-hours service',
  scheduled: 'Scheduled care: for example a GP practice, health visiting or a clinic appointment',
};

/** Whom a check looks for: by NHS number, or by name and date of birth (exact, after normalising). */
export type FlagQuery =
  | { by: 'nhs_number'; nhsNumber: string }
  | { by: 'name_and_birth_date'; familyName: string; givenName: string; dateOfBirth: string };

export type FlagCheckInput = FlagQuery & { setting: CheckSetting };

const text = z.string().trim().max(100, 'Names must be 100 characters or fewer').optional().default('');

/**
 * The flag-check form. An NHS number, when given, is what is searched (and must pass the modulus 11
 * check); otherwise family name, given name and date of birth are all needed. Every problem is
 * reported at once, each on its own field.
 */
export const FlagCheckForm = z
  .object({
    nhsNumber: z.string().trim().optional().default(''),
    familyName: text,
    givenName: text,
    ...dateInputFields('dob'),
    setting: z.string().optional(),
  })
  .transform((form, ctx): FlagCheckInput => {
    const setting = CHECK_SETTINGS.find((s) => s === form.setting);
    if (!setting)
      ctx.addIssue({ code: 'custom', message: 'Select where you are checking from', path: ['setting'] });
    const query = queryOf(form, ctx);
    if (!setting || query === z.NEVER) return z.NEVER;
    return { ...query, setting };
  });
export type FlagCheckForm = z.output<typeof FlagCheckForm>;

function queryOf(
  form: { nhsNumber: string; familyName: string; givenName: string } & Record<string, unknown>,
  ctx: z.RefinementCtx,
): FlagQuery | typeof z.NEVER {
  if (form.nhsNumber) {
    const nhs = checkNhsNumber(form.nhsNumber);
    if (nhs.ok) return { by: 'nhs_number', nhsNumber: nhs.value };
    ctx.addIssue({ code: 'custom', message: nhs.reason, path: ['nhsNumber'] });
    return z.NEVER;
  }
  const dob = readDateInput(form, 'dob', 'The date of birth', ctx);
  if (!form.familyName && !form.givenName && dob === null) {
    ctx.addIssue({
      code: 'custom',
      message: 'Enter the NHS number, or the child’s name and date of birth',
      path: ['nhsNumber'],
    });
    return z.NEVER;
  }
  if (!form.familyName)
    ctx.addIssue({ code: 'custom', message: 'Enter the child’s family name', path: ['familyName'] });
  if (!form.givenName)
    ctx.addIssue({ code: 'custom', message: 'Enter the child’s given name', path: ['givenName'] });
  if (dob === null)
    ctx.addIssue({ code: 'custom', message: 'Enter the child’s date of birth', path: ['dob-day'] });
  if (!form.familyName || !form.givenName || dob === null || dob === z.NEVER) return z.NEVER;
  return {
    by: 'name_and_birth_date',
    familyName: form.familyName,
    givenName: form.givenName,
    dateOfBirth: dob,
  };
}
