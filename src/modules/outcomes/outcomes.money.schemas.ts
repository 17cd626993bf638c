import { z } from 'zod';

/** Input for money: funding partners, budgets and their contributions, spend lines, figures. */

export const BUDGET_KINDS = ['own', 'aligned', 'pooled'] as const;
export type BudgetKind = (typeof BUDGET_KINDS)[number];
export const BUDGET_KIND_LABELS: Record<BudgetKind, string> = {
  own: 'Own',
  aligned: 'Aligned',
  pooled: 'Pooled',
};
export const BUDGET_KIND_HINTS: Record<BudgetKind, string> = {
  own: 'One partner’s budget for its own services',
  aligned: 'Partners’ budgets managed to shared aims, each accountable for its own part',
  pooled: 'One fund with contributions from several partners, for example a section 75 agreement',
};

export const PARTNER_SECTORS = [
  'social_care',
  'health',
  'police',
  'education',
  'youth_justice',
  'housing',
  'voluntary',
  'other',
] as const;
export type PartnerSector = (typeof PARTNER_SECTORS)[number];

/** The largest amount one line or contribution may hold: £10 billion. */
export const MAX_PENCE = 1_000_000_000_000;
export const FIRST_YEAR = 2000;
export const LAST_YEAR = 2100;

const POUNDS = /^£?\s*(\d{1,3}(,\d{3})+|\d+)(\.(\d{1,2}))?$/;

/**
 * Pounds as typed ("1250", "£1,250.50") to whole pence, or the reason it is not an amount.
 * Zero, negative amounts and fractions of a penny are refused.
 */
export function parsePounds(text: string): { pence: number } | { error: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { error: 'Enter the amount in pounds, for example 1250.50' };
  const m = POUNDS.exec(trimmed);
  if (!m) {
    if (/^-|^£\s*-/.test(trimmed)) return { error: 'Enter an amount greater than £0' };
    if (/\.\d{3,}$/.test(trimmed)) return { error: 'Enter the amount to the nearest penny' };
    return { error: 'Enter the amount in pounds, for example 1250.50' };
  }
  const pounds = Number(m[1]!.replaceAll(',', ''));
  const pennies = Number((m[4] ?? '0').padEnd(2, '0'));
  const pence = pounds * 100 + pennies;
  if (pence <= 0) return { error: 'Enter an amount greater than £0' };
  if (!Number.isSafeInteger(pence) || pence > MAX_PENCE)
    return { error: 'Enter an amount of £10 billion or less' };
  return { pence };
}

const money = new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'GBP' });
const moneyWhole = new Intl.NumberFormat('en-GB', {
  style: 'currency',
  currency: 'GBP',
  maximumFractionDigits: 0,
});

/** Pence as "£1,250.50". */
export function formatPence(pence: number): string {
  return money.format(pence / 100);
}
/** Pence as whole pounds, "£1,251", for figures. */
export function formatPounds(pence: number): string {
  return moneyWhole.format(Math.round(pence / 100));
}
/** Pence as pounds for a form field or a CSV file: "1250.50". */
export function poundsText(pence: number): string {
  return (pence / 100).toFixed(2);
}

/** "2025-26": the financial year from 1 April 2025 to 31 March 2026. */
export function yearLabel(year: number): string {
  return `${year}-${String((year + 1) % 100).padStart(2, '0')}`;
}

/** A financial year as typed: "2025", "2025-26", "2025/26" or "2025 to 2026". */
export function parseYear(text: string): number | null {
  const m = /^(\d{4})(?:\s*(?:-|\/|to)\s*(\d{2}|\d{4}))?$/.exec(text.trim());
  if (!m) return null;
  const start = Number(m[1]);
  if (m[2]) {
    const end = Number(m[2]);
    if ((m[2].length === 2 ? (start + 1) % 100 : start + 1) !== end) return null;
  }
  return start >= FIRST_YEAR && start <= LAST_YEAR ? start : null;
}

/** The financial year a day falls in (named by the year it starts in). */
export function financialYearOf(londonDay: string): number {
  const year = Number(londonDay.slice(0, 4));
  return londonDay.slice(5, 7) < '04' ? year - 1 : year;
}

const text = (max: number, what: string) =>
  z
    .string({ error: `Enter ${what}` })
    .trim()
    .min(1, `Enter ${what}`)
    .max(max, `${what[0]!.toUpperCase()}${what.slice(1)} must be ${max} characters or fewer`);

const optionalText = (max: number, label: string) =>
  z
    .string()
    .trim()
    .max(max, `${label} must be ${max} characters or fewer`)
    .optional()
    .transform((v) => v ?? '');

const Version = z.coerce
  .number({ error: 'The form is out of date: open it again' })
  .int({ error: 'The form is out of date: open it again' })
  .min(1, 'The form is out of date: open it again');

const SubmissionId = z.uuid({ error: 'The form is out of date: open it again' });

const FinancialYear = z.string({ error: 'Choose the financial year' }).transform((v, ctx) => {
  const year = parseYear(v);
  if (year === null) {
    ctx.addIssue({ code: 'custom', message: 'Choose the financial year, for example 2025-26' });
    return z.NEVER;
  }
  return year;
});

export const PartnerForm = z.object({
  name: text(200, 'the partner’s name'),
  sector: z.enum(PARTNER_SECTORS, { error: 'Choose the partner’s sector' }),
  active: z
    .string()
    .optional()
    .transform((v) => v === 'yes'),
  version: Version.optional(),
  submissionId: SubmissionId.optional(),
});
export type PartnerForm = z.output<typeof PartnerForm>;

/** A contribution field is named `contribution-<partner id>` and holds pounds; blank means none. */
export const CONTRIBUTION_PREFIX = 'contribution-';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const BudgetForm = z
  .looseObject({
    name: text(200, 'the budget’s name'),
    financialYear: FinancialYear,
    kind: z.enum(BUDGET_KINDS, { error: 'Choose the kind of budget' }),
    description: optionalText(2000, 'The description'),
    version: Version.optional(),
    submissionId: SubmissionId.optional(),
  })
  .transform((v, ctx) => {
    const contributions: { partnerId: string; pence: number }[] = [];
    for (const [key, value] of Object.entries(v)) {
      if (!key.startsWith(CONTRIBUTION_PREFIX)) continue;
      const partnerId = key.slice(CONTRIBUTION_PREFIX.length);
      if (!UUID.test(partnerId) || typeof value !== 'string') continue;
      if (value.trim() === '') continue;
      const parsed = parsePounds(value);
      if ('error' in parsed) ctx.addIssue({ code: 'custom', path: [key], message: parsed.error });
      else contributions.push({ partnerId: partnerId.toLowerCase(), pence: parsed.pence });
    }
    return {
      name: v.name,
      financialYear: v.financialYear,
      kind: v.kind,
      description: v.description,
      version: v.version,
      submissionId: v.submissionId,
      contributions,
    };
  });
export type BudgetForm = z.output<typeof BudgetForm>;

/**
 * An outcome a spend line serves, as `<framework id>:<outcome code>`, as goals name one: a national
 * framework's id and code (`england:stay_safe`), or a local framework's uuid and its outcome's code
 * (`…:o1`). Whether the partnership's frameworks know it is the service's to check.
 */
const OUTCOME_KEY =
  /^([a-z_]{1,40}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}):([a-z0-9_]{1,60})$/;

/** `framework:code` as its parts (any case, spaces around it ignored), or null when not written so. */
export function parseOutcomeKey(key: string): { framework: string; code: string } | null {
  const m = OUTCOME_KEY.exec(key.trim().toLowerCase());
  return m ? { framework: m[1]!, code: m[2]! } : null;
}

const OutcomeKey = z.string().trim().toLowerCase().regex(OUTCOME_KEY, 'Choose the outcomes from the list');

export const SpendForm = z.object({
  budgetId: z.uuid({ error: 'Choose the budget the money came from' }),
  partnerId: z
    .union([z.literal(''), z.uuid({ error: 'Choose whose part of the budget paid' })])
    .optional()
    .transform((v) => (v ? v : null)),
  serviceId: z.uuid({ error: 'Choose the service the money paid for' }),
  quarter: z
    .enum(['', '1', '2', '3', '4'], { error: 'Choose a quarter, or the whole year' })
    .optional()
    .transform((v) => (v ? Number(v) : null)),
  amount: z.string({ error: 'Enter the amount in pounds, for example 1250.50' }).transform((v, ctx) => {
    const parsed = parsePounds(v);
    if ('error' in parsed) {
      ctx.addIssue({ code: 'custom', message: parsed.error });
      return z.NEVER;
    }
    return parsed.pence;
  }),
  outcomes: z
    .union([OutcomeKey, z.array(OutcomeKey)])
    .optional()
    .transform((v) => [...new Set(v === undefined ? [] : Array.isArray(v) ? v : [v])]),
  description: optionalText(500, 'The description'),
  version: Version.optional(),
  submissionId: SubmissionId.optional(),
});
export type SpendForm = z.output<typeof SpendForm>;

/** A spend line as the service takes it, from the form or from a row of a CSV file. */
export type SpendInput = {
  budgetId: string;
  partnerId: string | null;
  serviceId: string;
  quarter: number | null;
  amountPence: number;
  outcomes: { framework: string; code: string }[];
  description: string;
};

/** The columns of a spend CSV file, in any order; `partner`, `quarter`, `outcomes` and `description` may be blank. */
export const SPEND_CSV_COLUMNS = [
  'financial_year',
  'budget',
  'partner',
  'service',
  'quarter',
  'amount',
  'outcomes',
  'description',
] as const;
export const SPEND_CSV_REQUIRED = ['financial_year', 'budget', 'service', 'amount'] as const;

export const UploadForm = z.object({ submissionId: SubmissionId });

export const FiguresQuery = z.object({
  year: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return undefined;
      const year = parseYear(v);
      if (year === null) {
        ctx.addIssue({ code: 'custom', message: 'Choose a financial year from the list' });
        return z.NEVER;
      }
      return year;
    }),
});
