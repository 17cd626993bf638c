import { QUESTION_LABELS, type Indicator } from './outcomes.indicators.ts';
import { changeOf } from './outcomes.trend.ts';
import { valueText } from './outcomes.present.ts';
import type { Grouping } from './outcomes.local-frameworks.ts';
import type { IndicatorView } from './outcomes.service.ts';
import type { ReviewNote } from './outcomes.store.ts';

/**
 * The annual outcome review for the partnership board: for a financial year, each indicator's latest
 * figure published by the year's end against the one before, its target, each locality's figure and
 * the analysts' commentary; population indicators under the outcomes of the partnership's framework,
 * performance measures under the three questions. Pure.
 */

export type ReviewRow = {
  indicator: Indicator;
  period: string;
  value: string;
  previous: string;
  change: 'Improving' | 'Getting worse' | 'No change' | 'No judgement' | 'Not known';
  target: string;
  localities: { name: string; value: string }[];
  commentary: string;
  version: number | null;
};

/** The financial year starting in April of `year`. */
export function financialYear(year: number) {
  return {
    year,
    start: `${year}-04-01`,
    end: `${year + 1}-03-31`,
    label: `${year} to ${String(year + 1).slice(2)}`,
  };
}

function rowOf(view: IndicatorView, yearEnd: string, note: ReviewNote | undefined): ReviewRow {
  const { indicator, series, target } = view;
  // The latest figures published by the end of the year (a school year or a calendar year may end first).
  const index = series.periods.findLastIndex((p) => p.end <= yearEnd);
  const area = series.lines[0]!.points;
  const point = index >= 0 ? area[index] : undefined;
  const before = index >= 1 ? area[index - 1] : undefined;
  const change = changeOf([before?.value ?? null, point?.value ?? null], indicator.better);
  return {
    indicator,
    period: point?.period.label ?? 'No figure',
    value: valueText(indicator, point),
    previous: valueText(indicator, before),
    change:
      change.direction === 'not known'
        ? 'Not known'
        : change.direction === 'same'
          ? 'No change'
          : change.improving === null
            ? 'No judgement'
            : change.improving
              ? 'Improving'
              : 'Getting worse',
    target: target
      ? `${target.target}${indicator.unit === 'percent' ? '%' : ''} by ${target.targetBy}`
      : 'None set',
    localities: series.lines
      .slice(1)
      .filter((l) => l.key !== 'unknown')
      .map((l) => ({ name: l.name, value: valueText(indicator, index >= 0 ? l.points[index] : undefined) })),
    commentary: note?.commentary ?? '',
    version: note?.version ?? null,
  };
}

export function annualReview(input: {
  year: number;
  views: readonly IndicatorView[];
  notes: readonly ReviewNote[];
  framework: Grouping;
}) {
  const fy = financialYear(input.year);
  const notes = new Map(input.notes.map((n) => [n.indicatorCode, n]));
  const rows = input.views.map((v) => rowOf(v, fy.end, notes.get(v.indicator.code)));
  const population = rows.filter((r) => r.indicator.kind === 'population');
  const placed = new Set(input.framework.outcomes.flatMap((o) => o.indicatorCodes));
  const outcomes = [
    ...input.framework.outcomes.map((o) => ({
      label: o.label,
      rows: population.filter((r) => o.indicatorCodes.includes(r.indicator.code)),
    })),
    { label: 'Other population indicators', rows: population.filter((r) => !placed.has(r.indicator.code)) },
  ].filter((o) => o.rows.length > 0);
  const performance = (['how_much', 'how_well', 'better_off'] as const).map((q) => ({
    label: QUESTION_LABELS[q],
    rows: rows.filter((r) => r.indicator.question === q),
  }));
  const count = (change: ReviewRow['change']) => rows.filter((r) => r.change === change).length;
  return {
    year: fy,
    framework: input.framework,
    outcomes,
    performance,
    summary: { improving: count('Improving'), worse: count('Getting worse'), total: rows.length },
    populationRows: population,
    localityNames: rows[0]?.localities.map((l) => l.name) ?? [],
  };
}
