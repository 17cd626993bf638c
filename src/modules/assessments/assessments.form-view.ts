import { cellField, rowsField } from './assessments.answers.ts';
import {
  MAX_ROWS,
  type RowsColumn,
  type TemplateQuestion,
  type TemplateSection,
} from './assessments.template.ts';

/**
 * A section's questions as the parameters of GOV.UK Frontend macros, so the page template only
 * chooses the macro. Values are the form's fields (saved answers, or what the person just sent).
 */

type Values = Record<string, unknown>;
type FieldErrors = Record<string, { text: string }>;
type Params = Record<string, unknown>;

export type QuestionField =
  | { kind: 'input' | 'textarea' | 'radios' | 'checkboxes' | 'date'; params: Params }
  | {
      kind: 'rows';
      id: string;
      label: string;
      hint?: string;
      error?: { text: string };
      countField: string;
      count: number;
      columns: { label: string }[];
      rows: { cells: { kind: 'input' | 'date' | 'select'; params: Params }[] }[];
    };

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
const chosen = (value: unknown) =>
  new Set((Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string'));

function dateParams(
  id: string,
  legend: string,
  values: Values,
  error: { text: string } | undefined,
  hidden: boolean,
) {
  const box = (part: 'day' | 'month' | 'year', label: string, width: number) => ({
    // The first box carries the field's own id, so the error summary's link lands on it.
    id: part === 'day' ? id : `${id}_${part}`,
    name: `${id}_${part}`,
    label,
    value: text(values[`${id}_${part}`]),
    classes: `govuk-input--width-${width}${error ? ' govuk-input--error' : ''}`,
  });
  return {
    id: `${id}_date`,
    fieldset: {
      legend: { text: legend, classes: hidden ? 'govuk-visually-hidden' : 'govuk-fieldset__legend--s' },
    },
    errorMessage: error,
    items: [box('day', 'Day', 2), box('month', 'Month', 2), box('year', 'Year', 4)],
  };
}

function cell(q: TemplateQuestion, row: number, column: RowsColumn, values: Values, errors: FieldErrors) {
  const id = cellField(q, row, column);
  const label = `Row ${row + 1}: ${column.label}`;
  const error = errors[id];
  if (column.type === 'date')
    return { kind: 'date' as const, params: dateParams(id, label, values, error, true) };
  const hiddenLabel = { text: label, classes: 'govuk-visually-hidden' };
  if (column.type === 'choice')
    return {
      kind: 'select' as const,
      params: {
        id,
        name: id,
        label: hiddenLabel,
        errorMessage: error,
        items: [
          { value: '', text: 'Choose' },
          ...column.options.map((o) => ({ value: o.value, text: o.label, selected: values[id] === o.value })),
        ],
      },
    };
  return {
    kind: 'input' as const,
    params: { id, name: id, label: hiddenLabel, value: text(values[id]), errorMessage: error },
  };
}

export function questionFields(
  section: TemplateSection,
  values: Values,
  errors: FieldErrors = {},
): QuestionField[] {
  return section.questions.map((q): QuestionField => {
    const error = errors[q.id];
    const hint = q.hint ? { text: q.hint } : undefined;
    const legend = { text: q.label, classes: 'govuk-fieldset__legend--s' };
    switch (q.type) {
      case 'text':
        return {
          kind: q.size === 'short' ? 'input' : 'textarea',
          params: {
            id: q.id,
            name: q.id,
            label: { text: q.label, classes: 'govuk-label--s' },
            hint,
            value: text(values[q.id]),
            errorMessage: error,
            ...(q.size === 'long' ? { rows: 5 } : {}),
          },
        };
      case 'choice': {
        const picked = chosen(values[q.id]);
        return {
          kind: q.multiple ? 'checkboxes' : 'radios',
          params: {
            name: q.id,
            idPrefix: q.id,
            fieldset: { legend },
            hint,
            errorMessage: error,
            items: q.options.map((o) => ({
              value: o.value,
              text: o.label,
              hint: o.hint ? { text: o.hint } : undefined,
              checked: picked.has(o.value),
            })),
          },
        };
      }
      case 'scale': {
        const points = Array.from({ length: q.max - q.min + 1 }, (_, i) => q.min + i);
        return {
          kind: 'radios',
          params: {
            name: q.id,
            idPrefix: q.id,
            classes: 'govuk-radios--small',
            fieldset: { legend },
            hint,
            errorMessage: error,
            items: points.map((p) => ({
              value: String(p),
              text: q.labels[String(p)] ? `${p}: ${q.labels[String(p)]}` : String(p),
              checked: text(values[q.id]) === String(p),
            })),
          },
        };
      }
      case 'date':
        return { kind: 'date', params: { ...dateParams(q.id, q.label, values, error, false), hint } };
      case 'rows': {
        const count = Math.min(Math.max(0, Number(values[rowsField(q)]) || q.blankRows), MAX_ROWS);
        return {
          kind: 'rows',
          id: q.id,
          label: q.label,
          hint: q.hint,
          error,
          countField: rowsField(q),
          count,
          columns: q.columns.map((c) => ({ label: c.required ? c.label : `${c.label} (optional)` })),
          rows: Array.from({ length: count }, (_, i) => ({
            cells: q.columns.map((c) => cell(q, i, c, values, errors)),
          })),
        };
      }
    }
  });
}
