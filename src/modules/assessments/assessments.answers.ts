import type { FieldError } from '../../common/errors.ts';
import { spokenDate } from '../../common/plain-dates.ts';
import {
  MAX_ROWS,
  TEXT_LIMITS,
  type RowsColumn,
  type Template,
  type TemplateQuestion,
  type TemplateSection,
} from './assessments.template.ts';

/**
 * Answers to a template's questions: read from a section's form, checked by type (always, drafts
 * included), shown back, and judged complete. Pure, so the rules are tested without a database.
 *
 * Form fields are named from question ids, which are lower-case words joined by hyphens; the
 * underscore never appears in an id, so it separates the parts: `due-date_day`, `who_0_name`.
 */

export type Row = Record<string, string>;
export type AnswerValue = string | string[] | number | Row[];
export type Answers = Record<string, AnswerValue>;

export type SectionStatus = 'not_started' | 'in_progress' | 'complete' | 'not_recorded';
export const SECTION_STATUS_LABELS: Record<SectionStatus, string> = {
  not_started: 'Not started',
  in_progress: 'In progress',
  complete: 'Complete',
  not_recorded: 'Not recorded, with a reason',
};

/** A date as typed in the three boxes of a GOV.UK date input. */
type DateParts = { day?: unknown; month?: unknown; year?: unknown };

export const rowsField = (q: { id: string }) => `${q.id}_rows`;
export const cellField = (q: { id: string }, row: number, column: { id: string }) =>
  `${q.id}_${row}_${column.id}`;

/** How many rows a repeating question shows: its saved rows and some blank ones, without JavaScript. */
export function rowsShown(q: Extract<TemplateQuestion, { type: 'rows' }>, saved: number) {
  return Math.min(saved + q.blankRows, MAX_ROWS);
}

/** A section's form as posted, turned into raw answers for `checkAnswers`. */
export function readSectionForm(
  section: TemplateSection,
  body: Record<string, unknown>,
): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  const parts = (field: string): DateParts => ({
    day: body[`${field}_day`],
    month: body[`${field}_month`],
    year: body[`${field}_year`],
  });
  for (const q of section.questions) {
    if (q.type === 'date') raw[q.id] = parts(q.id);
    else if (q.type === 'rows') {
      const count = Math.min(Math.max(0, Number(body[rowsField(q)]) || 0), MAX_ROWS);
      raw[q.id] = Array.from({ length: count }, (_, i) =>
        Object.fromEntries(
          q.columns.map((c) => [
            c.id,
            c.type === 'date' ? parts(cellField(q, i, c)) : body[cellField(q, i, c)],
          ]),
        ),
      );
    } else raw[q.id] = body[q.id];
  }
  return raw;
}

/** Saved answers as the form's fields, to fill the form in again. */
export function sectionFormValues(section: TemplateSection, answers: Answers): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  const putDate = (field: string, date: string | undefined) => {
    if (!date) return;
    const [year, month, day] = date.split('-');
    values[`${field}_day`] = String(Number(day));
    values[`${field}_month`] = String(Number(month));
    values[`${field}_year`] = year;
  };
  for (const q of section.questions) {
    const value = answers[q.id];
    if (q.type === 'rows')
      values[rowsField(q)] = String(rowsShown(q, Array.isArray(value) ? value.length : 0));
    if (value === undefined) continue;
    if (q.type === 'date') putDate(q.id, value as string);
    else if (q.type === 'rows')
      (value as Row[]).forEach((row, i) => {
        for (const c of q.columns) {
          if (c.type === 'date') putDate(cellField(q, i, c), row[c.id]);
          else if (row[c.id] !== undefined) values[cellField(q, i, c)] = row[c.id];
        }
      });
    else values[q.id] = typeof value === 'number' ? String(value) : value;
  }
  return values;
}

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

/** A date from the three boxes or 'YYYY-MM-DD': the date, nothing (all empty), or what is wrong. */
function readDate(value: unknown): { date?: string; problem?: string } {
  if (value === undefined || value === null || value === '') return {};
  let parts: { day: string; month: string; year: string };
  if (typeof value === 'string') {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
    if (!match) return { problem: 'must be a real date' };
    parts = { year: match[1]!, month: match[2]!, day: match[3]! };
  } else if (typeof value === 'object') {
    const box = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
    const p = value as DateParts;
    parts = { day: box(p.day), month: box(p.month), year: box(p.year) };
    const missing = (['day', 'month', 'year'] as const).filter((k) => !parts[k]);
    if (missing.length === 3) return {};
    if (missing.length) return { problem: `must include a ${missing.join(' and ')}` };
  } else return { problem: 'must be a real date' };
  const [d, m, y] = [Number(parts.day), Number(parts.month), Number(parts.year)];
  const date = new Date(Date.UTC(y, m - 1, d));
  const real = [d, m, y].every(Number.isInteger) && y >= 1900 && y <= 2200;
  if (!real || date.getUTCDate() !== d || date.getUTCMonth() !== m - 1)
    return { problem: 'must be a real date' };
  return { date: date.toISOString().slice(0, 10) };
}

/** One option's value, or what is wrong with it. */
function readChoice(value: unknown, options: { value: string }[]): { value?: string; problem?: string } {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'string') return { problem: 'choose one of the options given' };
  const v = value.trim();
  if (!v) return {};
  return options.some((o) => o.value === v) ? { value: v } : { problem: 'choose one of the options given' };
}

/**
 * Checks raw answers against a section's questions: text length, options, scale range, real dates
 * on the right side of today, repeating rows with their columns. Required questions are not
 * enforced here (a draft may be incomplete); a row that is started must have its required columns.
 * Answers the clean answers (empty ones left out) and each problem on its form field.
 */
export function checkAnswers(
  section: TemplateSection,
  raw: Record<string, unknown>,
  today: string,
): { answers: Answers; problems: FieldError[] } {
  const answers: Answers = {};
  const problems: FieldError[] = [];
  const known = new Set(section.questions.map((q) => q.id));
  for (const key of Object.keys(raw))
    if (!known.has(key))
      problems.push({ field: key, message: `This section has no question called “${key}”` });

  const text = (value: unknown, limit: number, label: string, field: string): string | undefined => {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') return void problems.push({ field, message: `${label} must be text` });
    const v = value.trim();
    if (v.length > limit)
      return void problems.push({
        field,
        message: `${label} must be ${limit.toLocaleString('en-GB')} characters or fewer`,
      });
    return v || undefined;
  };
  const date = (value: unknown, label: string, field: string, when: 'past' | 'future' | 'any') => {
    const read = readDate(value);
    if (read.problem) return void problems.push({ field, message: `${label} ${read.problem}` });
    if (read.date && when === 'past' && read.date > today)
      return void problems.push({ field, message: `${label} must be today or in the past` });
    if (read.date && when === 'future' && read.date < today)
      return void problems.push({ field, message: `${label} must be today or in the future` });
    return read.date;
  };

  for (const q of section.questions) {
    const value = raw[q.id];
    switch (q.type) {
      case 'text': {
        const v = text(value, TEXT_LIMITS[q.size], q.label, q.id);
        if (v !== undefined) answers[q.id] = v;
        break;
      }
      case 'choice': {
        if (!q.multiple) {
          const read = readChoice(value, q.options);
          if (read.problem) problems.push({ field: q.id, message: `${q.label}: ${read.problem}` });
          else if (read.value) answers[q.id] = read.value;
          break;
        }
        const list = value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
        const chosen = new Set<string>();
        for (const item of list) {
          const read = readChoice(item, q.options);
          if (read.problem) {
            problems.push({ field: q.id, message: `${q.label}: ${read.problem}` });
            break;
          }
          if (read.value) chosen.add(read.value);
        }
        if (chosen.size) answers[q.id] = q.options.map((o) => o.value).filter((v) => chosen.has(v));
        break;
      }
      case 'scale': {
        if (value === undefined || value === null || value === '') break;
        const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : NaN;
        if (!Number.isInteger(n) || n < q.min || n > q.max)
          problems.push({ field: q.id, message: `${q.label}: choose a number from ${q.min} to ${q.max}` });
        else answers[q.id] = n;
        break;
      }
      case 'date': {
        const v = date(value, q.label, q.id, q.when);
        if (v) answers[q.id] = v;
        break;
      }
      case 'rows': {
        if (value === undefined || value === null) break;
        if (!Array.isArray(value)) {
          problems.push({ field: q.id, message: `${q.label} must be a list of rows` });
          break;
        }
        if (value.length > MAX_ROWS) {
          problems.push({ field: q.id, message: `${q.label} can have at most ${MAX_ROWS} rows` });
          break;
        }
        const rows = value
          .map((row: unknown, i) => checkRow(q, row, i, { text, date, problems }))
          .filter((row): row is Row => row !== null);
        if (rows.length) answers[q.id] = rows;
        break;
      }
    }
  }
  return { answers, problems };
}

function checkRow(
  q: Extract<TemplateQuestion, { type: 'rows' }>,
  row: unknown,
  i: number,
  check: {
    text: (value: unknown, limit: number, label: string, field: string) => string | undefined;
    date: (value: unknown, label: string, field: string, when: 'any') => string | undefined;
    problems: FieldError[];
  },
): Row | null {
  const where = `${q.label}, row ${i + 1}`;
  if (typeof row !== 'object' || row === null || Array.isArray(row)) {
    check.problems.push({ field: q.id, message: `${where} must be a row of answers` });
    return null;
  }
  const cells = row as Record<string, unknown>;
  const columns = new Map<string, RowsColumn>(q.columns.map((c) => [c.id, c]));
  for (const key of Object.keys(cells))
    if (!columns.has(key))
      check.problems.push({ field: q.id, message: `${where}: there is no column called “${key}”` });
  const out: Row = {};
  const before = check.problems.length;
  for (const c of q.columns) {
    const field = cellField(q, i, c);
    const label = `${where}: ${lowerFirst(c.label)}`;
    const value =
      c.type === 'text'
        ? check.text(cells[c.id], TEXT_LIMITS.short, label, field)
        : c.type === 'date'
          ? check.date(cells[c.id], label, field, 'any')
          : (() => {
              const read = readChoice(cells[c.id], c.options);
              if (read.problem) check.problems.push({ field, message: `${label}: ${read.problem}` });
              return read.value;
            })();
    if (value) out[c.id] = value;
  }
  // A row left blank is a spare row, not an answer.
  if (Object.keys(out).length === 0) return null;
  for (const c of q.columns)
    if (c.required && !out[c.id] && check.problems.length === before)
      check.problems.push({ field: cellField(q, i, c), message: `${where}: enter ${lowerFirst(c.label)}` });
  return out;
}

function isAnswered(value: AnswerValue | undefined): boolean {
  return value !== undefined && !(Array.isArray(value) && value.length === 0) && value !== '';
}

/**
 * Where a section stands: complete when something is answered and every required question is;
 * for the child's words and the parents' views, a reason instead counts as "not recorded".
 */
export function sectionStatus(
  section: TemplateSection,
  saved: { answers: Answers; notRecordedReason: string | null } | undefined,
): SectionStatus {
  const answers = saved?.answers ?? {};
  const answered = section.questions.filter((q) => isAnswered(answers[q.id]));
  if (answered.length > 0 && section.questions.every((q) => !q.required || isAnswered(answers[q.id])))
    return 'complete';
  if (saved?.notRecordedReason) return 'not_recorded';
  return answered.length > 0 ? 'in_progress' : 'not_started';
}

/** What stops an assessment being finished: each required section not complete, by name. */
export function finishProblems(
  template: Template,
  saved: Map<string, { answers: Answers; notRecordedReason: string | null }>,
): FieldError[] {
  return template.sections.flatMap((section) => {
    if (!section.required) return [];
    const status = sectionStatus(section, saved.get(section.id));
    if (status === 'complete' || status === 'not_recorded') return [];
    const message =
      section.role === 'child-voice'
        ? `${section.title}: record the child’s own words, or say why they could not be recorded`
        : section.role === 'parents-views'
          ? `${section.title}: record the parents’ views, or say why they could not be recorded`
          : `${section.title}: answer the required questions (${lowerFirst(SECTION_STATUS_LABELS[status])})`;
    return [{ field: `section-${section.id}`, message }];
  });
}

/** An answer in words: options by their labels, a scale point with its label, dates in full. */
export function answerLines(q: TemplateQuestion, value: AnswerValue | undefined): string[] {
  if (!isAnswered(value)) return [];
  switch (q.type) {
    case 'text':
      return [value as string];
    case 'choice': {
      const chosen = Array.isArray(value) ? (value as string[]) : [value as string];
      return chosen.map((v) => q.options.find((o) => o.value === v)?.label ?? v);
    }
    case 'scale': {
      const point = value as number;
      const label = q.labels[String(point)];
      return [`${point} out of ${q.max}${label ? ` (${label})` : ''}`];
    }
    case 'date':
      return [spokenDate(value as string)];
    case 'rows':
      return (value as Row[]).map((row) =>
        q.columns
          .filter((c) => row[c.id])
          .map((c) => {
            const cell = row[c.id]!;
            const shown =
              c.type === 'date'
                ? spokenDate(cell)
                : c.type === 'choice'
                  ? (c.options.find((o) => o.value === cell)?.label ?? cell)
                  : cell;
            return `${c.label}: ${shown}`;
          })
          .join('; '),
      );
  }
}

/** Every answered question of a section in words, in the template's order. */
export function answeredQuestions(section: TemplateSection, answers: Answers) {
  return section.questions
    .map((q) => ({ id: q.id, label: q.label, type: q.type, lines: answerLines(q, answers[q.id]) }))
    .filter((a) => a.lines.length > 0);
}

/** The questions whose answers differ between two saves of a section, by their labels. */
export function changedQuestions(section: TemplateSection, before: Answers, after: Answers): string[] {
  return section.questions
    .filter((q) => JSON.stringify(before[q.id] ?? null) !== JSON.stringify(after[q.id] ?? null))
    .map((q) => q.label);
}
