import { formatShown } from '../../common/suppression.ts';
import { QUESTION_LABELS, UNIT_LABELS, type Indicator } from './outcomes.indicators.ts';
import { nextPeriod, type Point, type Series } from './outcomes.series.ts';
import type { Grouping } from './outcomes.local-frameworks.ts';
import type { IndicatorView } from './outcomes.service.ts';
import type { Cell, Table } from '../../web/figure-table.ts';

/**
 * From figures to what a page or a CSV file shows: charts, tables and words. Pure. A value that is not
 * shown says why: a small number, or no figure for that period.
 */

const NO_FIGURE = 'No figure';
const MAX_LINES = 8;
const SMALL = 'Not shown: small number';

export function unitText(indicator: Indicator): string {
  return indicator.unit === 'percent' ? '%' : ` ${UNIT_LABELS[indicator.unit]}`;
}

export function valueText(indicator: Indicator, point: Point | undefined): string {
  if (!point) return NO_FIGURE;
  if (point.value === null) return point.numerator?.kind === 'suppressed' ? SMALL : NO_FIGURE;
  return `${point.value.toLocaleString('en-GB')}${unitText(indicator)}`;
}

/** A table cell: the number alone (the caption gives the unit). */
function valueCell(point: Point | undefined): Cell {
  if (point?.value === null || point === undefined) {
    const hidden = point?.numerator?.kind === 'suppressed';
    return { text: hidden ? SMALL : NO_FIGURE, value: hidden ? 'suppressed' : '' };
  }
  return { text: point.value.toLocaleString('en-GB'), value: point.value };
}

/** The overview's line for an indicator: its latest figure for the whole area and which way it moved. */
export function summaryOf(view: IndicatorView) {
  const area = view.series.lines[0]?.points ?? [];
  const latest = [...area].reverse().find((p) => p.value !== null);
  const index = latest ? area.indexOf(latest) : -1;
  const previous = index > 0 ? area[index - 1] : undefined;
  const change = view.trend?.latestChange ?? { direction: 'not known', improving: null };
  return {
    code: view.indicator.code,
    name: view.indicator.name,
    period: latest?.period.label ?? NO_FIGURE,
    value: latest ? valueText(view.indicator, latest) : NO_FIGURE,
    previous: previous ? valueText(view.indicator, previous) : NO_FIGURE,
    change,
    tag:
      change.improving === true
        ? { text: 'Improving', colour: 'green' }
        : change.improving === false
          ? { text: 'Getting worse', colour: 'red' }
          : { text: change.direction === 'not known' ? 'Not known' : 'No judgement', colour: 'grey' },
    target: view.target
      ? `${view.target.target}${unitText(view.indicator)} by ${view.target.targetBy}`
      : 'None set',
  };
}

/**
 * The overview grouped as results-based accountability keeps them: population indicators under the
 * chosen framework's outcomes (an indicator may tell about several), then the three questions.
 */
export function overviewGroups(views: readonly IndicatorView[], grouping: Grouping) {
  const population = views.filter((v) => v.indicator.kind === 'population');
  const placed = new Set(grouping.outcomes.flatMap((o) => o.indicatorCodes));
  const outcomes = [
    ...grouping.outcomes.map((o) => ({
      heading: o.label,
      rows: population.filter((v) => o.indicatorCodes.includes(v.indicator.code)).map(summaryOf),
    })),
    {
      heading: 'Other population indicators',
      rows: population.filter((v) => !placed.has(v.indicator.code)).map(summaryOf),
    },
  ].filter((g) => g.rows.length > 0);
  const performance = (['how_much', 'how_well', 'better_off'] as const).map((q) => ({
    heading: QUESTION_LABELS[q],
    rows: views.filter((v) => v.indicator.question === q).map(summaryOf),
  }));
  return { outcomes, performance };
}

/** The indicator page: the area's curve with its forecast and target, the localities, and the tables. */
export function indicatorPage(view: IndicatorView) {
  const { indicator, series, trend, target } = view;
  const area = series.lines[0]!;
  // Records whose locality is not known have no population to be a rate of.
  const places = series.lines
    .slice(1)
    .filter((l) => !(l.key === 'unknown' && indicator.computed?.denominator === 'children'))
    .filter((l) => l.points.some((p) => p.value !== null || p.numerator?.kind === 'suppressed'));
  const forecastPeriods =
    trend?.forecast.map((_, k) => {
      let period = series.periods[series.periods.length - 1]!;
      for (let i = 0; i <= k; i++) period = nextPeriod(period, series.grain);
      return period;
    }) ?? [];
  const labels = [...series.periods.map((p) => p.short), ...forecastPeriods.map((p) => p.short)];
  const actual = [...area.points.map((p) => p.value), ...forecastPeriods.map(() => null)];
  const lastKnown = area.points.length - 1;
  const curve = {
    title: `${indicator.name}: the whole area`,
    description: `The whole area's figure for each period${trend ? ', with the forecast if nothing changes (a straight line through the history, carried forward)' : ''}${target ? ` and the target of ${target.target}${unitText(indicator)}` : ''}. The same figures are in the table below.`,
    labels,
    series: [
      { name: 'Whole area', values: actual, dash: '' },
      ...(trend
        ? [
            {
              name: 'Forecast',
              values: [
                ...trend.fitted.map((v, i) => (i === lastKnown ? (area.points[i]?.value ?? v) : null)),
                ...trend.forecast,
              ],
              dash: '8 6',
            },
          ]
        : []),
      ...(target ? [{ name: 'Target', values: labels.map(() => target.target), dash: '12 4 2 4' }] : []),
    ],
  };
  // More lines than this cannot be told apart: the table below holds every locality.
  const localities =
    places.length > MAX_LINES
      ? null
      : {
          title: `${indicator.name} by locality`,
          description: 'Each locality’s figure for each period. The same figures are in the table below.',
          labels: series.periods.map((p) => p.short),
          series: places.map((l) => ({ name: l.name, values: l.points.map((p) => p.value) })),
        };
  const latestIndex = series.periods.length - 1;
  const comparison = {
    title: `${indicator.name} by locality, ${series.periods[latestIndex]?.label ?? ''}`,
    description: 'The latest period’s figure for each locality and the whole area.',
    items: [area, ...places].map((l) => {
      const p = l.points[latestIndex];
      return { label: l.name, value: p?.value ?? null, text: valueText(indicator, p) };
    }),
  };
  const table: Table = {
    caption: `${indicator.name} (${UNIT_LABELS[indicator.unit]}) by period`,
    head: [
      { text: 'Period', numeric: false },
      ...[area, ...places].map((l) => ({ text: l.name, numeric: true })),
    ],
    rows: series.periods.map((period, i) => [
      { text: period.label, value: period.label },
      ...[area, ...places].map((l) => valueCell(l.points[i])),
    ]),
  };
  const counts: Table = {
    caption: `The counts behind the whole area's figure`,
    head: [
      { text: 'Period', numeric: false },
      { text: indicator.numerator, numeric: true },
      { text: indicator.denominator, numeric: true },
    ],
    rows: series.periods.map((period, i) => {
      const p = area.points[i]!;
      const shown = p.value !== null;
      return [
        { text: period.label, value: period.label },
        p.numerator
          ? { text: formatShown(p.numerator), value: formatShown(p.numerator) }
          : { text: NO_FIGURE, value: '' },
        shown && p.denominator !== null
          ? { text: p.denominator.toLocaleString('en-GB'), value: p.denominator }
          : { text: NO_FIGURE, value: '' },
      ];
    }),
  };
  return { curve, localities, comparison, table, counts, hasFigures: series.periods.length > 0 };
}

/** The CSV file: one row per period and place, the value and the counts that may be published. */
export function indicatorCsvRows(series: Series): (string | number)[][] {
  const head = [
    'indicator',
    'period_start',
    'period_end',
    'period',
    'place',
    'numerator',
    'denominator',
    'value',
  ];
  const rows = series.lines
    .filter((l) => l.points.some((p) => p.value !== null || p.numerator !== null))
    .flatMap((l) =>
      l.points.map((p) => [
        series.indicator.code,
        p.period.start,
        p.period.end,
        p.period.label,
        l.name,
        p.numerator ? formatShown(p.numerator) : '',
        p.value !== null && p.denominator !== null ? p.denominator : '',
        p.value ?? '',
      ]),
    );
  return [head, ...rows];
}
