import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { SECTORS } from '../access/index.ts';

/**
 * Assessment templates are data, not code: JSON files in ./templates, checked at load by the schema
 * below. A template may take shared sections (templates/sections/*.json) and shared sets of questions
 * (templates/questions/*.json) by reference, so the age versions do not repeat each other. Every
 * fault is reported with the file and the path inside it; one broken template stops the start.
 * A released version is never edited: a change is a new file with a higher version, and an
 * assessment keeps the version it was started on.
 */

export const TEMPLATES_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'templates');

export const TEMPLATE_JURISDICTIONS = ['all', 'england-and-wales', 'scotland', 'northern-ireland'] as const;
export type TemplateJurisdiction = (typeof TEMPLATE_JURISDICTIONS)[number];

export const AGE_BANDS = ['unborn', 'under-5', '5-9', '10-14', '15-plus'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];
export const AGE_BAND_LABELS: Record<AgeBand, string> = {
  unborn: 'unborn baby',
  'under-5': 'under 5',
  '5-9': '5 to 9 years',
  '10-14': '10 to 14 years',
  '15-plus': '15 years and over',
};

/**
 * What a section is for, where the system needs to know: the child's own words and the parents'
 * views (required, or a reason why not recorded), the analysis an onward referral is made from, and
 * the family's resources the family summary shows.
 */
export const SECTION_ROLES = ['child-voice', 'parents-views', 'analysis', 'family-resources'] as const;
export type SectionRole = (typeof SECTION_ROLES)[number];

/** Which answers of the analysis section become an onward referral's worries and what has been done. */
export const FEEDS = ['worries', 'actions-taken'] as const;

export const TEXT_LIMITS = { short: 500, long: 10_000 } as const;
export const MAX_ROWS = 50;

const needed = (what: string) => (issue: { input: unknown }) =>
  issue.input === undefined ? 'is required' : `must be ${what}`;

const Key = z
  .string({ error: needed('text') })
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be lower-case letters and digits joined by hyphens');
const Text = z
  .string({ error: needed('text') })
  .trim()
  .min(1, 'must not be empty');
const Flag = z.boolean({ error: needed('true or false') });

/** A strict object: a misspelt field is a fault, not a silently ignored one. */
const strict = <T extends z.core.$ZodLooseShape>(shape: T) =>
  z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `has an unknown field: ${issue.keys.join(', ')}`
        : issue.input === undefined
          ? 'is required'
          : 'must be an object',
  });

const questionBase = {
  // The section form names its own version field 'version': a question may not take the name.
  id: Key.refine((id) => id !== 'version', 'is a name the form keeps for itself'),
  label: Text,
  hint: Text.optional(),
  required: Flag.default(false),
};

const Option = strict({ value: Key, label: Text, hint: Text.optional() });
const Options = z
  .array(Option, { error: needed('a list') })
  .min(2, 'needs at least two options')
  .check((ctx) => duplicates(ctx, (o) => o.value, 'option value'));

const TextQuestion = strict({
  ...questionBase,
  type: z.literal('text'),
  size: z.enum(['short', 'long'], { error: 'must be short or long' }).default('long'),
  feeds: z.enum(FEEDS, { error: `must be one of ${FEEDS.join(', ')}` }).optional(),
});

const ChoiceQuestion = strict({
  ...questionBase,
  type: z.literal('choice'),
  multiple: Flag.default(false),
  options: Options,
});

const ScaleQuestion = strict({
  ...questionBase,
  type: z.literal('scale'),
  min: z.int({ error: needed('a whole number') }),
  max: z.int({ error: needed('a whole number') }),
  labels: z.record(z.string(), Text, { error: needed('an object of labels by point') }),
}).check((ctx) => {
  const q = ctx.value;
  const fault = (path: PropertyKey[], message: string) =>
    void ctx.issues.push({ code: 'custom', input: q, path, message });
  if (q.max <= q.min) return fault(['max'], 'must be more than min');
  if (q.max - q.min > 10) return fault(['max'], 'a scale has at most 11 points');
  for (const key of Object.keys(q.labels)) {
    const point = Number(key);
    if (!Number.isInteger(point) || point < q.min || point > q.max)
      fault(['labels', key], `is not a point from ${q.min} to ${q.max}`);
  }
  if (!(String(q.min) in q.labels) || !(String(q.max) in q.labels))
    fault(['labels'], 'must label at least the lowest and the highest point');
});

const DateQuestion = strict({
  ...questionBase,
  type: z.literal('date'),
  when: z.enum(['past', 'future', 'any'], { error: 'must be past, future or any' }).default('any'),
});

const Column = z.discriminatedUnion(
  'type',
  [
    strict({
      id: Key,
      label: Text,
      hint: Text.optional(),
      required: Flag.default(false),
      type: z.literal('text'),
    }),
    strict({
      id: Key,
      label: Text,
      hint: Text.optional(),
      required: Flag.default(false),
      type: z.literal('date'),
    }),
    strict({
      id: Key,
      label: Text,
      hint: Text.optional(),
      required: Flag.default(false),
      type: z.literal('choice'),
      options: Options,
    }),
  ],
  { error: (issue) => (issue.code === 'invalid_union' ? 'must be one of text, date or choice' : undefined) },
);

const RowsQuestion = strict({
  ...questionBase,
  type: z.literal('rows'),
  blankRows: z
    .int({ error: needed('a whole number') })
    .min(1)
    .max(10)
    .default(3),
  columns: z
    .array(Column, { error: needed('a list') })
    .min(1, 'needs at least one column')
    .max(6, 'has too many columns for a page: at most 6')
    .check((ctx) => duplicates(ctx, (c) => c.id, 'column id')),
});

const Question = z.discriminatedUnion(
  'type',
  [TextQuestion, ChoiceQuestion, ScaleQuestion, DateQuestion, RowsQuestion],
  {
    error: (issue) =>
      issue.code === 'invalid_union' ? 'must be one of text, choice, scale, date or rows' : undefined,
  },
);

const Section = strict({
  id: Key,
  title: Text,
  help: Text.optional(),
  contributors: z.union(
    [
      z.literal('any'),
      z
        .array(z.enum(SECTORS))
        .min(1)
        .check((ctx) => duplicates(ctx, (s) => s, 'sector')),
    ],
    {
      error: `must be "any" or a list of sectors (${SECTORS.join(', ')})`,
    },
  ),
  required: Flag,
  role: z.enum(SECTION_ROLES, { error: `must be one of ${SECTION_ROLES.join(', ')}` }).optional(),
  questions: z
    .array(Question, { error: needed('a list') })
    .min(1, 'needs at least one question')
    .check((ctx) => duplicates(ctx, (q) => q.id, 'question id')),
}).check((ctx) => {
  const s = ctx.value;
  if ((s.role === 'child-voice' || s.role === 'parents-views') && !s.required)
    ctx.issues.push({
      code: 'custom',
      input: s,
      path: ['required'],
      message: 'must be true: the child’s own words and the parents’ views are required sections',
    });
  s.questions.forEach((q, i) => {
    if (q.type === 'text' && q.feeds && s.role !== 'analysis')
      ctx.issues.push({
        code: 'custom',
        input: s,
        path: ['questions', i, 'feeds'],
        message: 'only questions of the analysis section feed an onward referral',
      });
  });
  if (s.role === 'analysis' && !s.questions.some((q) => q.type === 'text' && q.feeds === 'worries'))
    ctx.issues.push({
      code: 'custom',
      input: s,
      path: ['questions'],
      message: 'the analysis section needs a text question that feeds "worries", for an onward referral',
    });
});

export const TemplateSchema = strict({
  id: Key,
  version: z.int({ error: needed('a whole number') }).min(1, 'must be 1 or more'),
  title: Text,
  description: Text.optional(),
  jurisdiction: z.enum(TEMPLATE_JURISDICTIONS, {
    error: `must be one of ${TEMPLATE_JURISDICTIONS.join(', ')}`,
  }),
  ageBand: z.enum(AGE_BANDS, { error: `must be one of ${AGE_BANDS.join(', ')}` }).optional(),
  sections: z
    .array(Section, { error: needed('a list') })
    .min(1, 'needs at least one section')
    .check((ctx) => duplicates(ctx, (s) => s.id, 'section id')),
}).check((ctx) => {
  for (const role of ['child-voice', 'parents-views', 'analysis'] as const) {
    const count = ctx.value.sections.filter((s) => s.role === role).length;
    if (count !== 1)
      ctx.issues.push({
        code: 'custom',
        input: ctx.value,
        path: ['sections'],
        message: `needs exactly one section with the role "${role}" (it has ${count})`,
      });
  }
  if (ctx.value.sections.filter((s) => s.role === 'family-resources').length > 1)
    ctx.issues.push({
      code: 'custom',
      input: ctx.value,
      path: ['sections'],
      message: 'has more than one section with the role "family-resources"',
    });
});

export type Template = z.output<typeof TemplateSchema>;
export type TemplateSection = Template['sections'][number];
export type TemplateQuestion = TemplateSection['questions'][number];
export type RowsColumn = Extract<TemplateQuestion, { type: 'rows' }>['columns'][number];

function duplicates<T>(
  ctx: { value: T[]; issues: z.core.$ZodRawIssue[] },
  key: (item: T) => string,
  what: string,
) {
  const seen = new Set<string>();
  ctx.value.forEach((item, i) => {
    const k = key(item);
    if (seen.has(k))
      ctx.issues.push({ code: 'custom', input: item, path: [i], message: `repeats the ${what} "${k}"` });
    seen.add(k);
  });
}

/** Raised when templates have faults: each names the file and the path to the fault. */
export class TemplateError extends Error {
  override name = 'TemplateError';
  constructor(readonly faults: string[]) {
    super(`Assessment templates have faults:\n${faults.map((f) => `  ${f}`).join('\n')}`);
  }
}

/** `sections[3].questions[1].options`, as a person reads a path into JSON. */
export function pathText(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
    .join('');
}

type Resolved = {
  value: unknown;
  faults: string[];
  /** Which file each resolved section or question came from, by its path. */
  origins: Map<string, string>;
  /**
   * Where an include failed: the schema's complaints about what is left there say nothing new. A
   * section's questions are listed when one of their includes failed (the list may be empty now).
   */
  failed: string[];
};

const isInclude = (item: unknown): item is { include: unknown } =>
  typeof item === 'object' && item !== null && !Array.isArray(item) && 'include' in item;

/**
 * Replaces `{ "include": "sections/x.json" }` in a template's sections (with the section that file
 * holds) and in a section's questions (with the list of questions that file holds). Paths are
 * relative to the template's folder and may not leave it; an included file includes nothing itself
 * except a section's questions. `origins` says which file each resolved section or question came from.
 */
function resolveIncludes(file: string, raw: unknown): Resolved {
  const dir = path.dirname(file);
  const name = path.basename(file);
  const faults: string[] = [];
  const origins = new Map<string, string>();
  const failed: string[] = [];
  const read = (where: string, include: unknown): unknown => {
    failed.push(where);
    if (typeof include !== 'string' || !include.endsWith('.json'))
      return void faults.push(`${name}: ${where}.include: must name a .json file`);
    const target = path.resolve(dir, include);
    if (!target.startsWith(dir + path.sep))
      return void faults.push(`${name}: ${where}.include: must name a file inside the template's folder`);
    try {
      const parsed: unknown = JSON.parse(readFileSync(target, 'utf8'));
      failed.pop();
      return parsed;
    } catch (error) {
      const reason = error instanceof SyntaxError ? `is not valid JSON (${error.message})` : 'cannot be read';
      return void faults.push(`${name}: ${where}.include: ${include} ${reason}`);
    }
  };
  const resolveQuestions = (sectionPath: string, section: unknown, from?: string) => {
    if (
      typeof section !== 'object' ||
      section === null ||
      !Array.isArray((section as { questions?: unknown }).questions)
    )
      return section;
    const questions: unknown[] = [];
    for (const [i, item] of (section as { questions: unknown[] }).questions.entries()) {
      if (!isInclude(item)) {
        if (from) origins.set(`${sectionPath}.questions[${questions.length}]`, from);
        questions.push(item);
        continue;
      }
      const included = read(`${sectionPath}.questions[${i}]`, item.include);
      if (included === undefined) {
        failed.push(`${sectionPath}.questions`);
        continue;
      }
      const list = Array.isArray(included) ? included : [included];
      for (const q of list) {
        if (isInclude(q)) {
          faults.push(
            `${name}: ${sectionPath}.questions[${i}]: ${String(item.include)} may not include another file`,
          );
          failed.push(`${sectionPath}.questions`);
          continue;
        }
        origins.set(`${sectionPath}.questions[${questions.length}]`, String(item.include));
        questions.push(q);
      }
    }
    return { ...section, questions };
  };
  if (typeof raw !== 'object' || raw === null || !Array.isArray((raw as { sections?: unknown }).sections))
    return { value: raw, faults, origins, failed };
  const sections = (raw as { sections: unknown[] }).sections.map((item, i) => {
    const at = `sections[${i}]`;
    if (!isInclude(item)) return resolveQuestions(at, item);
    const included = read(at, item.include);
    if (included === undefined) return item;
    origins.set(at, String(item.include));
    return resolveQuestions(at, included, String(item.include));
  });
  return { value: { ...raw, sections }, faults, origins, failed };
}

/** Checks one template file with its includes: the template, or the faults found. */
export function checkTemplateFile(file: string): { template?: Template; faults: string[] } {
  const name = path.basename(file);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    return {
      faults: [
        `${name}: ${error instanceof SyntaxError ? `is not valid JSON (${error.message})` : 'cannot be read'}`,
      ],
    };
  }
  const resolved = resolveIncludes(path.resolve(file), raw);
  const parsed = TemplateSchema.safeParse(resolved.value);
  if (parsed.success && resolved.faults.length === 0) return { template: parsed.data, faults: [] };
  const under = (at: string, prefix: string) =>
    at === prefix || at.startsWith(`${prefix}.`) || at.startsWith(`${prefix}[`);
  const schemaFaults = (parsed.error?.issues ?? []).flatMap((issue) => {
    const at = pathText(issue.path);
    const listFailed = resolved.failed.some((prefix) => prefix.endsWith('.questions') && at === prefix);
    if (listFailed || resolved.failed.some((prefix) => !prefix.endsWith('.questions') && under(at, prefix)))
      return [];
    const from = [...resolved.origins.entries()]
      .filter(([prefix]) => under(at, prefix))
      .sort((a, b) => b[0].length - a[0].length)[0]?.[1];
    return [`${name}: ${at || '(the whole file)'}${from ? ` (from ${from})` : ''}: ${issue.message}`];
  });
  return { faults: [...resolved.faults, ...schemaFaults] };
}

/** Every version of every template, checked; the latest version of each is the one offered. */
export class TemplateRegistry {
  private readonly byKey = new Map<string, Template>();

  constructor(templates: Template[]) {
    for (const t of templates) this.byKey.set(`${t.id}@${t.version}`, t);
  }

  get(id: string, version: number): Template | undefined {
    return this.byKey.get(`${id}@${version}`);
  }

  /** The latest version of each template: by age, youngest first, then those for any age; then by title. */
  latest(): Template[] {
    const newest = new Map<string, Template>();
    for (const t of this.byKey.values())
      if ((newest.get(t.id)?.version ?? 0) < t.version) newest.set(t.id, t);
    const age = (t: Template) => (t.ageBand ? AGE_BANDS.indexOf(t.ageBand) : AGE_BANDS.length);
    return [...newest.values()].sort((a, b) => age(a) - age(b) || a.title.localeCompare(b.title));
  }

  /**
   * The template to offer first: one for the partnership's own jurisdiction before one for all, and
   * one for the child's age band before one for any age. Null when nothing fits.
   */
  recommended(jurisdiction: TemplateJurisdiction, ageBand: AgeBand | null): Template | null {
    const fits = this.latest().filter(
      (t) =>
        (t.jurisdiction === 'all' || t.jurisdiction === jurisdiction) &&
        (t.ageBand === undefined || t.ageBand === ageBand),
    );
    const score = (t: Template) => (t.jurisdiction === jurisdiction ? 2 : 0) + (t.ageBand ? 1 : 0);
    return fits.sort((a, b) => score(b) - score(a))[0] ?? null;
  }
}

/** Loads and checks every template in a folder (not its sub-folders, which hold shared parts). */
export function loadTemplates(dir = TEMPLATES_DIR): TemplateRegistry {
  const files = readdirSync(dir, { withFileTypes: true })
    .filter((f) => f.isFile() && f.name.endsWith('.json'))
    .map((f) => f.name)
    .sort();
  const faults: string[] = [];
  const templates: Template[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    const checked = checkTemplateFile(path.join(dir, file));
    faults.push(...checked.faults);
    if (!checked.template) continue;
    const key = `${checked.template.id} version ${checked.template.version}`;
    const earlier = seen.get(key);
    if (earlier) faults.push(`${file}: id: ${key} is also in ${earlier}`);
    seen.set(key, file);
    templates.push(checked.template);
  }
  if (files.length === 0) faults.push(`${dir}: has no templates`);
  if (faults.length) throw new TemplateError(faults);
  return new TemplateRegistry(templates);
}

/** The partnership's jurisdiction as the templates name it; England and Wales share one. */
export function templateJurisdiction(partnershipJurisdiction: string): TemplateJurisdiction {
  const j = partnershipJurisdiction.toLowerCase().replace(/_/g, '-');
  if (j === 'scotland') return 'scotland';
  if (j === 'northern-ireland') return 'northern-ireland';
  return 'england-and-wales';
}

/**
 * The child's age band on a date, from the date of birth, or for a child not yet born the expected
 * date; null when neither is known.
 */
export function ageBandOn(
  person: { dateOfBirth: string | null; expectedDate: string | null },
  on: string,
): AgeBand | null {
  const birth = person.dateOfBirth ?? person.expectedDate;
  if (!birth) return null;
  if (birth > on) return 'unborn';
  const years = Number(on.slice(0, 4)) - Number(birth.slice(0, 4)) - (on.slice(5) < birth.slice(5) ? 1 : 0);
  if (years < 5) return 'under-5';
  if (years < 10) return '5-9';
  if (years < 15) return '10-14';
  return '15-plus';
}
