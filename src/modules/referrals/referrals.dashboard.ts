import { z } from 'zod';
import type { Ctx } from '../../common/context.ts';
import { ValidationError } from '../../common/errors.ts';
import { SUPPRESSION_THRESHOLD, suppressRow, suppressTable, type Shown } from '../../common/suppression.ts';
import { calendarFor, type WorkingDayCalendar } from '../../common/working-days.ts';
import { addDays, daysBetween, londonDate } from '../../common/plain-dates.ts';
import type { Db } from '../../db/database.ts';
import { SECTORS, SECTOR_LABELS, type AccessService } from '../access/index.ts';
import type { AuditService } from '../audit/index.ts';
import * as store from './referrals.dashboard.store.ts';
import { queueCounts } from './referrals.store.ts';
import { CONTACT_SOURCES, type ContactSource } from './referrals.schemas.ts';
import { OUTCOMES, OUTCOME_LABELS } from './referrals.workflow.ts';
import type { Cell, FigureTable as Figures } from '../../web/figure-table.ts';

/**
 * The front door manager's figures for a period of days: contacts per day by the referrer's sector and
 * by source, time to decision, decisions within timescale, the outcome mix, conversion to assessment,
 * re-referrals, information requests answered on time per agency, and the live queue's breaches.
 *
 * Definitions (every figure but the live queue is about the contacts *received* in the period, so the
 * numbers of one period add up and one index range serves every query):
 * - time to decision: from receipt to the decision taking effect (`final_at`: after approval where
 *   one is needed), in elapsed hours and in whole working days by the partnership's calendar
 *   (`WorkingDayCalendar.workingDaysBetween`); median and 90th percentile as `percentile_cont`;
 * - within timescale: decided with `final_at <= due_at`, as a share of contacts decided;
 * - outcome mix and conversion: decisions in force; a referral is a statutory assessment or a strategy
 *   discussion (`isReferral`), and conversion is referrals as a share of decisions;
 * - re-referral rate: referrals marked as re-referrals (another referral of the child decided in the
 *   12 months before) as a share of referrals;
 * - information requests: those about the period's contacts, not withdrawn; on time when answered
 *   by the deadline; the share on time is over requests whose outcome is known (answered, or open past
 *   the deadline now), so an agency that does not answer does not look better for it;
 * - breaches now: open contacts past their deadline, and near breaches within the warning window
 *   (`front_door_settings.warning_hours`), as the queue counts them, whatever their period.
 *
 * Small numbers: the partnership's rule (`common/suppression.ts`) applies to every count that
 * describes contacts about children, since a day, a sector, a source or an agency with one or two
 * contacts can point at a child. That includes the day-level counts: each day is split by the
 * referrer's sector, and a day's total would give a suppressed sector away, so the days are one
 * table (days by sectors, with totals) protected as a whole; a quiet day's total shows as "<5" and the
 * chart leaves it empty. Shares, medians and percentiles are shown only where their counts are. The
 * live queue counts (open, breached, near breach) are shown as they are: they describe the team's work
 * now, with nothing about any child, and are the same numbers the queue shows to the team.
 */

export const DASHBOARD_TABLES = [
  'summary',
  'contacts-by-day',
  'contacts-by-sector',
  'contacts-by-source',
  'time-to-decision',
  'outcomes',
  'information-requests',
] as const;
export type DashboardTableName = (typeof DASHBOARD_TABLES)[number];

/** The longest period the figures cover. */
export const MAX_PERIOD_DAYS = 3 * 365 + 1;
/** The default period: this many days ending today. */
export const DEFAULT_PERIOD_DAYS = 30;

export const DashboardPeriod = z
  .object({
    from: z.iso.date({ error: 'Enter the first day as YYYY-MM-DD, for example 2026-02-01' }),
    to: z.iso.date({ error: 'Enter the last day as YYYY-MM-DD, for example 2026-02-28' }),
  })
  .superRefine((p, ctx) => {
    if (p.to < p.from)
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: 'The last day must be the same as or after the first day',
      });
    else if (daysBetween(p.from, p.to) + 1 > MAX_PERIOD_DAYS)
      ctx.addIssue({ code: 'custom', path: ['from'], message: 'Choose a period of 3 years or less' });
  });
export type DashboardPeriod = z.output<typeof DashboardPeriod>;

export type FigureTable = Figures<DashboardTableName>;
/** A bar or column: `value` is null where the figure is not shown; `text` is what is written beside it. */
export type ChartItem = { label: string; value: number | null; text: string };
export type Chart = { title: string; description: string; items: ChartItem[] };

export const SECTOR_COLUMNS = [...SECTORS, 'public'] as const;
export type SectorColumn = (typeof SECTOR_COLUMNS)[number];
export const SECTOR_COLUMN_LABELS: Record<SectorColumn, string> = {
  ...SECTOR_LABELS,
  public: 'Public or no agency',
};

const WORKING_DAY_BANDS = [
  'Under 1 working day',
  '1 to under 2 working days',
  '2 to under 3 working days',
  '3 to under 4 working days',
  '4 to under 5 working days',
  '5 working days or more',
] as const;

/** The London calendar date of an instant. */
/** The last DEFAULT_PERIOD_DAYS days, ending today in the UK. */
export function defaultPeriod(now: Date): DashboardPeriod {
  const to = londonDate(now);
  return { from: addDays(to, -(DEFAULT_PERIOD_DAYS - 1)), to };
}

/**
 * Whole working days from receipt to decision for a group of decisions from `decisionDayPairs`: the
 * rule of `WorkingDayCalendar.workingDaysBetween`, worked from the London days and two comparisons of
 * the time of day, so the database can group thousands of decisions into a few rows.
 */
export function workingDaysTaken(
  calendar: WorkingDayCalendar,
  group: { receivedOn: string; decidedOn: string; earlierInDay: boolean; beforeNine: boolean },
): number {
  const receivedOnWorkingDay = calendar.isWorkingDay(group.receivedOn);
  // Received on a day off: the clock starts at 09:00 on the next working day.
  let start = group.receivedOn;
  while (!calendar.isWorkingDay(start)) start = addDays(start, 1);
  let count = 0;
  for (let d = addDays(start, 1); d <= group.decidedOn; d = addDays(d, 1)) {
    if (calendar.isWorkingDay(d)) count++;
  }
  // The last working day counts only once the clock's time of day has been reached on it.
  const beforeClockTime = receivedOnWorkingDay ? group.earlierInDay : group.beforeNine;
  if (calendar.isWorkingDay(group.decidedOn) && beforeClockTime) count--;
  return Math.max(0, count);
}

/** PostgreSQL's `percentile_cont` over values with their counts: linear between the nearest ranks. */
export function percentileCont(values: readonly { value: number; n: number }[], p: number): number | null {
  const sorted = values.filter((v) => v.n > 0).sort((a, b) => a.value - b.value);
  const total = sorted.reduce((sum, v) => sum + v.n, 0);
  if (total === 0) return null;
  const at = (rank: number) => {
    let seen = 0;
    for (const v of sorted) {
      seen += v.n;
      if (rank < seen) return v.value;
    }
    throw new RangeError(`No value at rank ${rank}`);
  };
  const position = p * (total - 1);
  const lower = Math.floor(position);
  return at(lower) + (position - lower) * (at(Math.ceil(position)) - at(lower));
}

const whole = new Intl.NumberFormat('en-GB');
const decimal = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 });
const percent = new Intl.NumberFormat('en-GB', { style: 'percent', maximumFractionDigits: 1 });
const dayLong = new Intl.DateTimeFormat('en-GB', {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  timeZone: 'UTC',
});
const dayShort = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
const dayPlain = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});
const asDate = (day: string) => new Date(`${day}T00:00:00Z`);

const NOT_SHOWN = 'Not available';

function published(shown: Shown | undefined): number | null {
  return shown?.kind === 'count' ? shown.value : null;
}

function ratio(part: number | null, whole: number | null): number | null {
  return part === null || whole === null || whole === 0 ? null : part / whole;
}

function countCell(shown: Shown | undefined): Cell {
  if (!shown) return { text: '0', value: 0 };
  return shown.kind === 'count'
    ? { text: whole.format(shown.value), value: shown.value }
    : { text: shown.display, value: shown.display };
}

function plainCount(n: number): Cell {
  return { text: whole.format(n), value: n };
}

/** A share as a percentage: on the page "54.5%", in the CSV 54.5. */
function shareCell(share: number | null): Cell {
  return share === null
    ? { text: NOT_SHOWN, value: '' }
    : { text: percent.format(share), value: Math.round(share * 1000) / 10 };
}

function numberCell(n: number | null, unit = ''): Cell {
  return n === null
    ? { text: NOT_SHOWN, value: '' }
    : { text: `${decimal.format(n)}${unit}`, value: Math.round(n * 100) / 100 };
}

function textCell(text: string, value: string | number = text): Cell {
  return { text, value };
}

function countItem(label: string, shown: Shown | undefined): ChartItem {
  const value = published(shown);
  return { label, value, text: countCell(shown).text };
}

/** The front door's figures for managers and analysts: counts only, no child named. */
export class FrontDoorDashboard {
  /** `readDb`: where the figures are read, a read replica when there is one (the primary otherwise). */
  constructor(
    private readonly readDb: Db,
    private readonly audit: AuditService,
    private readonly access: AccessService,
  ) {}

  /**
   * The figures for a period of whole UK days (both ends included). Audited as one `aggregate.view`
   * event, naming the table when a single table is downloaded. The event is written (on the primary)
   * before the figures are read, in a read-only transaction that a replica can serve: a read that
   * fails leaves one view too many on the record, never one too few.
   */
  async figures(
    ctx: Ctx,
    period: { from: string; to: string },
    options: { table?: DashboardTableName } = {},
  ) {
    const partnershipId = await this.access.require(ctx, 'contacts.dashboard', 'front-door.dashboard');
    const parsed = DashboardPeriod.safeParse(period);
    if (!parsed.success)
      throw new ValidationError(
        parsed.error.issues.map((i) => ({
          field: i.path.map(String).join('.') || 'form',
          message: i.message,
        })),
      );
    const { from, to } = parsed.data;
    await this.audit.recordAlone(ctx, {
      action: 'aggregate.view',
      detail: {
        table: 'front-door-dashboard',
        ...(options.table ? { download: options.table } : {}),
        from,
        to,
      },
    });
    return this.readDb
      .transaction()
      .setAccessMode('read only')
      .execute(async (tx) => {
        const settings = await store.dashboardSettings(tx, partnershipId);
        const byDay = await store.contactsByDayAndSector(tx, partnershipId, { from, to });
        const bySource = await store.contactsBySource(tx, partnershipId, { from, to });
        const totals = await store.decisionTotals(tx, partnershipId, { from, to });
        const byOutcome = await store.decisionsByOutcome(tx, partnershipId, { from, to });
        const dayPairs = await store.decisionDayPairs(tx, partnershipId, { from, to });
        const requests = await store.informationRequestsByAgency(tx, partnershipId, { from, to }, ctx.now);
        const warnUntil = new Date(ctx.now.getTime() + settings.warningHours * 3_600_000);
        const queue = await queueCounts(tx, partnershipId, ctx.now, warnUntil);

        const calendar = calendarFor(settings.calendar);
        const days = eachDay(from, to);

        // Contacts per day by sector: one protected table, so no total gives a small cell away.
        const dayCounts = new Map(byDay.map((r) => [`${r.day}|${r.sector}`, r.n]));
        const grid = days.map((day) => SECTOR_COLUMNS.map((s) => dayCounts.get(`${day}|${s}`) ?? 0));
        const dayTable = suppressTable(grid);
        const sectorTotals = SECTOR_COLUMNS.map((_, c) => grid.reduce((sum, row) => sum + (row[c] ?? 0), 0));
        const shownSectors = SECTOR_COLUMNS.map((sector, c) => ({ sector, c })).filter(
          (s) => (sectorTotals[s.c] ?? 0) > 0,
        );
        const received = published(dayTable.grandTotal);

        // Contacts by source code, with the total.
        const sourceCounts = new Map(bySource.map((r) => [r.source, r.n]));
        // In code order (1A, 1B, … 9, 10): object keys would put the all-digit codes first.
        const sourceCodes = (Object.keys(CONTACT_SOURCES) as ContactSource[])
          .filter((code) => (sourceCounts.get(code) ?? 0) > 0)
          .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
        const sourceRow = suppressRow(sourceCodes.map((code) => sourceCounts.get(code) ?? 0));

        // Decisions: within timescale or not (their total is the number decided).
        const timeliness = suppressRow([totals.inTime, totals.decided - totals.inTime]);
        const decided = published(timeliness.total ?? undefined);
        const enough = totals.decided >= SUPPRESSION_THRESHOLD;
        const workingDays = dayPairs.map((g) => ({ value: workingDaysTaken(calendar, g), n: g.n }));
        const bands = WORKING_DAY_BANDS.map((_, band) =>
          workingDays
            .filter((w) => (band === WORKING_DAY_BANDS.length - 1 ? w.value >= band : w.value === band))
            .reduce((sum, w) => sum + w.n, 0),
        );
        const bandRow = suppressRow(bands);
        const timeToDecision = {
          decided,
          medianHours: enough ? totals.medianHours : null,
          p90Hours: enough ? totals.p90Hours : null,
          medianWorkingDays: enough ? percentileCont(workingDays, 0.5) : null,
          p90WorkingDays: enough ? percentileCont(workingDays, 0.9) : null,
          withinTimescale: published(timeliness.cells[0]),
          // Shown only when the late count is too, or the share would give it away.
          withinTimescaleShare:
            published(timeliness.cells[1]) === null ? null : ratio(published(timeliness.cells[0]), decided),
        };

        // The outcome mix; referrals are shown only where both kinds of referral are.
        const outcomeCounts = new Map(byOutcome.map((r) => [r.outcome, r.n]));
        const outcomeRow = suppressRow(OUTCOMES.map((o) => outcomeCounts.get(o) ?? 0));
        const outcomeTotal = published(outcomeRow.total ?? undefined);
        const outcomes = OUTCOMES.map((outcome, i) => ({
          outcome,
          label: OUTCOME_LABELS[outcome],
          count: published(outcomeRow.cells[i]),
          text: countCell(outcomeRow.cells[i]).text,
          share: ratio(published(outcomeRow.cells[i]), outcomeTotal),
        }));
        const assessment = outcomes.find((o) => o.outcome === 'statutory_assessment')?.count ?? null;
        const strategy = outcomes.find((o) => o.outcome === 'strategy_discussion')?.count ?? null;
        const referrals = assessment === null || strategy === null ? null : assessment + strategy;
        const reReferralRow = suppressRow([totals.reReferrals, totals.referrals - totals.reReferrals]);
        const reReferrals = referrals === null ? null : published(reReferralRow.cells[0]);
        const conversion = { referrals, share: ratio(referrals, outcomeTotal) };
        const reReferral = {
          referrals,
          reReferrals,
          rate: published(reReferralRow.cells[1]) === null ? null : ratio(reReferrals, referrals),
        };

        // Information requests by agency: one protected table of the four ways a request stands.
        const requestTable = requests.length
          ? suppressTable(requests.map((r) => [r.onTime, r.late, r.openOverdue, r.openInTime]))
          : null;
        const agencies = requests.map((r, i) => {
          const cells = requestTable?.cells[i] ?? [];
          const [onTime, late, overdue] = [published(cells[0]), published(cells[1]), published(cells[2])];
          const known = onTime === null || late === null || overdue === null ? null : onTime + late + overdue;
          return {
            organisationId: r.organisationId,
            name: r.organisationName,
            requests: published(requestTable?.rowTotals[i]),
            onTime,
            late,
            openOverdue: overdue,
            openInTime: published(cells[3]),
            shareOnTime: ratio(onTime, known),
            cells: [requestTable?.rowTotals[i], ...cells],
          };
        });

        const periodText = `${dayPlain.format(asDate(from))} to ${dayPlain.format(asDate(to))}`;
        const peak = days
          .map((day, r) => ({ day, n: published(dayTable.rowTotals[r]) }))
          .reduce<{ day: string; n: number } | null>(
            (best, d) => (d.n !== null && (!best || d.n > best.n) ? { day: d.day, n: d.n } : best),
            null,
          );

        const tables: Record<DashboardTableName, FigureTable> = {
          summary: {
            name: 'summary',
            caption: `Front door figures, ${periodText}`,
            head: [
              { text: 'Figure', numeric: false },
              { text: 'Value', numeric: true },
            ],
            rows: [
              [textCell('Contacts received'), countCell(dayTable.grandTotal)],
              [textCell('Contacts decided'), countCell(timeliness.total ?? undefined)],
              [
                textCell('Contacts not yet decided'),
                received === null || decided === null
                  ? textCell(NOT_SHOWN, '')
                  : plainCount(received - decided),
              ],
              [textCell('Median time to decision (hours)'), numberCell(timeToDecision.medianHours)],
              [textCell('90th percentile time to decision (hours)'), numberCell(timeToDecision.p90Hours)],
              [
                textCell('Median time to decision (working days)'),
                numberCell(timeToDecision.medianWorkingDays),
              ],
              [
                textCell('90th percentile time to decision (working days)'),
                numberCell(timeToDecision.p90WorkingDays),
              ],
              [textCell('Decided within timescale (%)'), shareCell(timeToDecision.withinTimescaleShare)],
              [textCell('Conversion to assessment (%)'), shareCell(conversion.share)],
              [textCell('Re-referral rate within 12 months (%)'), shareCell(reReferral.rate)],
              [textCell('Open contacts now'), plainCount(queue.open)],
              [textCell('Open contacts past their deadline now'), plainCount(queue.breached)],
              [
                textCell(`Open contacts due within ${settings.warningHours} hours now`),
                plainCount(queue.nearBreach),
              ],
            ],
          },
          'contacts-by-day': {
            name: 'contacts-by-day',
            caption: `Contacts received each day by the referrer’s sector, ${periodText}`,
            head: [
              { text: 'Day', numeric: false },
              ...shownSectors.map((s) => ({ text: SECTOR_COLUMN_LABELS[s.sector], numeric: true })),
              { text: 'All contacts', numeric: true },
            ],
            rows: [
              ...days.map((day, r) => [
                textCell(dayLong.format(asDate(day)), day),
                ...shownSectors.map((s) => countCell(dayTable.cells[r]?.[s.c])),
                countCell(dayTable.rowTotals[r]),
              ]),
              [
                textCell('All days', 'All days'),
                ...shownSectors.map((s) => countCell(dayTable.columnTotals[s.c])),
                countCell(dayTable.grandTotal),
              ],
            ],
          },
          'contacts-by-sector': {
            name: 'contacts-by-sector',
            caption: `Contacts received by the referrer’s sector, ${periodText}`,
            head: [
              { text: 'Sector', numeric: false },
              { text: 'Contacts', numeric: true },
            ],
            rows: [
              ...shownSectors.map((s) => [
                textCell(SECTOR_COLUMN_LABELS[s.sector]),
                countCell(dayTable.columnTotals[s.c]),
              ]),
              [textCell('All sectors'), countCell(dayTable.grandTotal)],
            ],
          },
          'contacts-by-source': {
            name: 'contacts-by-source',
            caption: `Contacts received by source (children in need census codes), ${periodText}`,
            head: [
              { text: 'Source', numeric: false },
              { text: 'Code', numeric: false },
              { text: 'Contacts', numeric: true },
            ],
            rows: [
              ...sourceCodes.map((code, i) => [
                textCell(CONTACT_SOURCES[code]),
                textCell(code),
                countCell(sourceRow.cells[i]),
              ]),
              [textCell('All sources'), textCell(''), countCell(sourceRow.total ?? undefined)],
            ],
          },
          'time-to-decision': {
            name: 'time-to-decision',
            caption: `Contacts decided, by working days from receipt to decision, ${periodText}`,
            head: [
              { text: 'Time to decision', numeric: false },
              { text: 'Contacts decided', numeric: true },
            ],
            rows: [
              ...WORKING_DAY_BANDS.map((band, i) => [textCell(band), countCell(bandRow.cells[i])]),
              [textCell('All decisions'), countCell(bandRow.total ?? undefined)],
            ],
          },
          outcomes: {
            name: 'outcomes',
            caption: `Decisions on contacts received, by outcome, ${periodText}`,
            head: [
              { text: 'Decision', numeric: false },
              { text: 'Contacts', numeric: true },
              { text: 'Share of decisions (%)', numeric: true },
            ],
            rows: [
              ...outcomes.map((o, i) => [
                textCell(o.label),
                countCell(outcomeRow.cells[i]),
                shareCell(o.share),
              ]),
              [
                textCell('All decisions'),
                countCell(outcomeRow.total ?? undefined),
                shareCell(outcomeTotal ? 1 : null),
              ],
            ],
          },
          'information-requests': {
            name: 'information-requests',
            caption: `Requests for information about contacts received, by the agency asked, ${periodText}`,
            head: [
              { text: 'Agency', numeric: false },
              { text: 'Requests', numeric: true },
              { text: 'Answered on time', numeric: true },
              { text: 'Answered late', numeric: true },
              { text: 'Open and overdue now', numeric: true },
              { text: 'Open, not yet due', numeric: true },
              { text: 'Answered on time (%)', numeric: true },
            ],
            rows: [
              ...agencies.map((a) => [textCell(a.name), ...a.cells.map(countCell), shareCell(a.shareOnTime)]),
              ...(requestTable
                ? [
                    [
                      textCell('All agencies'),
                      countCell(requestTable.grandTotal),
                      ...requestTable.columnTotals.map(countCell),
                      shareCell(
                        ratio(
                          published(requestTable.columnTotals[0]),
                          [0, 1, 2]
                            .map((c) => published(requestTable.columnTotals[c]))
                            .reduce<number | null>(
                              (sum, n) => (sum === null || n === null ? null : sum + n),
                              0,
                            ),
                        ),
                      ),
                    ],
                  ]
                : []),
            ],
          },
        };

        const charts = {
          perDay: {
            title: 'Contacts received each day',
            description:
              `Columns show the contacts received each day, ${periodText}` +
              (peak ? `; the most was ${whole.format(peak.n)} on ${dayPlain.format(asDate(peak.day))}` : '') +
              '. A day with fewer than 5 contacts, or hidden to protect a small number, has no column. ' +
              'The table that follows gives every day by sector.',
            items: days.map((day, r) => ({
              label: dayShort.format(asDate(day)),
              value: published(dayTable.rowTotals[r]),
              text: countCell(dayTable.rowTotals[r]).text,
            })),
          },
          bySector: {
            title: 'Contacts by the referrer’s sector',
            description: `Bars show the contacts received from each sector, ${periodText}. Each bar is labelled with its number.`,
            items: shownSectors.map((s) =>
              countItem(SECTOR_COLUMN_LABELS[s.sector], dayTable.columnTotals[s.c]),
            ),
          },
          bySource: {
            title: 'Contacts by source',
            description: `Bars show the contacts received from each source, ${periodText}. Each bar is labelled with its number.`,
            items: sourceCodes.map((code, i) =>
              countItem(`${CONTACT_SOURCES[code]} (${code})`, sourceRow.cells[i]),
            ),
          },
          workingDays: {
            title: 'Time from contact to decision',
            description: `Bars show how many contacts were decided in each band of working days, ${periodText}.`,
            items: WORKING_DAY_BANDS.map((band, i) => countItem(band, bandRow.cells[i])),
          },
          outcomes: {
            title: 'Decisions by outcome',
            description: `Bars show how many contacts ended in each decision, ${periodText}, with the share of all decisions.`,
            items: outcomes.map((o) => ({
              label: o.label,
              value: o.count,
              text: o.share === null ? o.text : `${o.text} (${percent.format(o.share)})`,
            })),
          },
          requestsOnTime: {
            title: 'Requests for information answered on time',
            description: `Bars show the share of each agency’s requests answered by their deadline, of those answered or overdue, ${periodText}.`,
            items: agencies.map((a) => ({
              label: a.name,
              value: a.shareOnTime === null ? null : Math.round(a.shareOnTime * 1000) / 10,
              text: a.shareOnTime === null ? NOT_SHOWN : percent.format(a.shareOnTime),
            })),
          },
        } satisfies Record<string, Chart>;

        return {
          period: { from, to, days: days.length, text: periodText },
          settings,
          received,
          decided,
          queue: { open: queue.open, breached: queue.breached, nearBreach: queue.nearBreach },
          timeToDecision,
          outcomes,
          conversion,
          reReferral,
          informationRequests: agencies.map(({ cells: _cells, ...a }) => a),
          charts,
          tables,
        };
      });
  }
}

export type DashboardFigures = Awaited<ReturnType<FrontDoorDashboard['figures']>>;

function eachDay(from: string, to: string): string[] {
  const days: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) days.push(d);
  return days;
}
