import { z } from 'zod';
import type { Ctx } from '../../common/context.ts';
import { isSystem } from '../../common/context.ts';
import { dateInputFields, readDateRange } from '../../common/date-input.ts';
import { isAllowed } from '../../common/permissions.ts';
import { londonDate } from '../../common/plain-dates.ts';
import { DATA_TYPE_LABELS, type DataType } from '../../common/sharing.ts';
import type { SignalCategory } from '../../db/schema.ts';
import type { AccessGate, PersonAccess } from '../access/index.ts';
import { ASSESSMENT_OUTCOME_LABELS } from '../assessments/index.ts';
import { PLAN_KIND_LABELS, REVIEW_KIND_LABELS } from '../plans/index.ts';
import {
  CONTACT_STATUS_LABELS,
  LEVEL_OF_NEED_LABELS,
  OUTCOME_LABELS,
  referralsSchemas,
} from '../referrals/index.ts';
import * as store from './signals.chronology.store.ts';
import { signalsOf } from './signals.store.ts';
import {
  ALERT_OUTCOME_LABELS,
  CATEGORY_KEYS,
  FEED_KINDS,
  SIGNAL_CATEGORIES,
  severityName,
} from './signals.vocabulary.ts';

/**
 * A child's multi-agency chronology: contacts to the front door and their decisions, signals,
 * alerts, assessments, plan events, reviews and key notes, merged into one timeline. Items that
 * carry sharing facts (signals, key notes) are decided one by one by the trust layer: shown, shown
 * only as "an item from <organisation>: ask <someone>", or left out. The partnership's shared
 * working records (contacts, decisions, plans, assessments, alerts) show as labels and short texts
 * to anyone with a basis; a contact's own words never show here.
 */

/** The most entries a page shows, and the most rows read from any one source. */
export const CHRONOLOGY_LIMIT = 500;
/** How long a short text may be before it is cut; the full text is one link away. */
const TEXT_LIMIT = 240;

const SIGNAL_FILTERS = Object.fromEntries(
  CATEGORY_KEYS.map((key) => [`signal:${key}`, `Signal: ${SIGNAL_CATEGORIES[key].label.toLowerCase()}`]),
) as Record<`signal:${SignalCategory}`, string>;

/** What an entry is, for the filter; items not shared with the viewer are only "not shared with you". */
export const CHRONOLOGY_CATEGORIES = {
  contact: 'Contact to the front door',
  decision: 'Front-door decision',
  ...SIGNAL_FILTERS,
  alert: 'Alert',
  assessment: 'Assessment',
  plan: 'Plan',
  review: 'Review or conference',
  note: 'Key note',
  withheld: 'Not shared with you',
} as const;
export type ChronologyCategory = keyof typeof CHRONOLOGY_CATEGORIES;
const CATEGORY_SET: ReadonlySet<string> = new Set(Object.keys(CHRONOLOGY_CATEGORIES));

/** The filters, from the page's GET form: agency, categories (checkboxes), dates, order. */
export const ChronologyQuery = z
  .object({
    agency: z
      .union([z.literal(''), z.uuid({ error: 'Select an agency from the list' })], {
        error: 'Select an agency from the list',
      })
      .optional()
      .transform((v) => v || undefined),
    // One checkbox ticked arrives as a string, several as a list.
    category: z
      .preprocess(
        (v): unknown[] => (v === undefined || v === '' ? [] : Array.isArray(v) ? (v as unknown[]) : [v]),
        z
          .array(z.string(), { error: 'Select categories from the list' })
          .max(CATEGORY_SET.size, 'Select categories from the list'),
      )
      .refine((list) => list.every((c) => CATEGORY_SET.has(c)), {
        message: 'Select categories from the list',
      })
      .transform((list) => [...new Set(list)] as ChronologyCategory[]),
    order: z
      .union([z.enum(['newest', 'oldest']), z.literal('')], { error: 'Choose newest first or oldest first' })
      .optional()
      .transform((v) => v || 'newest'),
    ...dateInputFields('from'),
    ...dateInputFields('to'),
  })
  .transform((q, ctx) => {
    const range = readDateRange(q, ctx);
    if (range === z.NEVER) return z.NEVER;
    return {
      agency: q.agency,
      categories: q.category,
      order: q.order,
      ...range,
    };
  });
export type ChronologyFilters = z.output<typeof ChronologyQuery>;

export const NO_FILTERS: ChronologyFilters = {
  agency: undefined,
  categories: [],
  order: 'newest',
  from: undefined,
  to: undefined,
};

export type ChronologyEntry = {
  /** Unique on the page, for anchors. */
  id: string;
  /** The UK date it happened. */
  on: string;
  /** The time, where the record has one. */
  at: Date | null;
  agency: { id: string | null; name: string };
  category: ChronologyCategory;
  title: string;
  text: string;
  /** Who recorded it, or which feed it came from. */
  by: string | null;
  /** Where the viewer can open it, when there is such a page for them. */
  href: string | null;
  /** A withheld item: the viewer is told only that it exists and whom to ask. */
  withheld: boolean;
  /** A signal's or key note's id, when its content shows: the audit event lists them. */
  itemId: string | null;
};

type Entry = ChronologyEntry & { key: string };

/** Sorts by UK date, then by time where known (an untimed entry first on its day). */
function when(date: string | Date): Pick<Entry, 'on' | 'at' | 'key'> {
  if (typeof date === 'string') return { on: date, at: null, key: `${date}|` };
  const on = londonDate(date);
  return { on, at: date, key: `${on}|${date.toISOString()}` };
}
const keyOf = (date: string | Date) => when(date).key;
const latestKey = (...dates: (string | Date | null)[]) =>
  dates
    .filter((d): d is string | Date => d !== null)
    .map(keyOf)
    .reduce((a, b) => (a > b ? a : b));

/** A short text on one line, cut at a word near the limit. */
export function brief(text: string | null, limit = TEXT_LIMIT): string {
  const line = (text ?? '').replace(/\s+/g, ' ').trim();
  if (line.length <= limit) return line;
  const cut = line.slice(0, limit);
  const space = cut.lastIndexOf(' ');
  return `${(space > limit * 0.6 ? cut.slice(0, space) : cut).replace(/[\s,.;:]+$/, '')}…`;
}

function label<K extends string>(labels: Readonly<Record<K, string>>, key: string | null): string {
  return key === null ? '' : ((labels as Record<string, string>)[key] ?? key);
}

/** The rows of one source, cut to the limit; `horizon` is where it may be missing earlier rows. */
function capped<R>(rows: R[], key: (row: R) => string) {
  if (rows.length <= CHRONOLOGY_LIMIT) return { rows, horizon: null };
  return { rows: rows.slice(0, CHRONOLOGY_LIMIT), horizon: key(rows[CHRONOLOGY_LIMIT]!) };
}

type Rows<F extends (...args: never[]) => Promise<unknown[]>> = Awaited<ReturnType<F>>[number];

export class ChronologyService {
  constructor(private readonly gate: AccessGate) {}

  /**
   * The child's chronology as the viewer may see it, read through the gate in one transaction (one
   * query per source) and audited there with the items whose content showed and how many were
   * withheld. `print` is the copy for a case conference, audited as such.
   */
  async timeline(ctx: Ctx, personId: string, filters: ChronologyFilters, options: { print?: boolean } = {}) {
    const action = options.print ? 'person.chronology.print' : 'person.chronology';
    return this.gate.read(ctx, personId, action, async (access) => {
      const { tx, partnershipId } = access;
      const span: store.Span = { from: filters.from, to: filters.to, limit: CHRONOLOGY_LIMIT + 1 };
      const [child, contacts, decisions, signals, items, alerts, assessments, plans, stages, leads, reviews] =
        await Promise.all([
          store.person(tx, partnershipId, personId),
          store.contacts(tx, partnershipId, personId, span),
          store.contactDecisions(tx, partnershipId, personId, span),
          signalsOf(tx, partnershipId, personId, span),
          store.recordItems(tx, partnershipId, personId, span),
          store.alerts(tx, partnershipId, personId, span),
          store.assessments(tx, partnershipId, personId, span),
          store.plans(tx, partnershipId, personId, span),
          store.planStages(tx, partnershipId, personId, span),
          store.planLeads(tx, partnershipId, personId, span),
          store.planReviews(tx, partnershipId, personId, span),
        ]);
      const cut = {
        contacts: capped(contacts, (row) => keyOf(row.receivedAt)),
        decisions: capped(decisions, (row) => keyOf(row.at)),
        signals: capped(signals, (row) => keyOf(row.observedOn)),
        items: capped(items, (row) => keyOf(row.occurredOn)),
        alerts: capped(alerts, (row) => latestKey(row.raisedAt, row.acknowledgedAt, row.closedAt)),
        assessments: capped(assessments, (row) => latestKey(row.startedAt, row.finishedAt)),
        plans: capped(plans, (row) => latestKey(row.addedOn, row.removedOn, row.closedOn)),
        stages: capped(stages, (row) => keyOf(row.startedOn)),
        leads: capped(leads, (row) => keyOf(row.startedAt)),
        reviews: capped(reviews, (row) => keyOf(row.heldOn)),
      };
      // A source cut at the limit may be missing entries older than its cut: the page stops there.
      const horizon = Object.values(cut)
        .map((source) => source.horizon)
        .reduce<string | null>((x, y) => (y !== null && (x === null || y > x) ? y : x), null);

      const links = linksFor(ctx, personId);
      const shared = await sharedItems(access, cut.signals.rows, cut.items.rows, links);
      const inSpan = [
        ...cut.contacts.rows.map((row) => contactEntry(row, links)),
        ...cut.decisions.rows.map((row) => decisionEntry(row, links)),
        ...shared.entries,
        ...cut.alerts.rows.flatMap((row) => alertEntries(row, links)),
        ...cut.assessments.rows.flatMap((row) => assessmentEntries(row, links)),
        ...cut.plans.rows.flatMap((row) => planEntries(row, links)),
        ...cut.stages.rows.map((row) => stageEntry(row, links)),
        ...cut.leads.rows.filter((row) => !row.first).map((row) => leadEntry(row, links)),
        ...cut.reviews.rows.map((row) => reviewEntry(row, links)),
      ].filter(
        (e) =>
          (horizon === null || e.key > horizon) &&
          (!filters.from || e.on >= filters.from) &&
          (!filters.to || e.on <= filters.to),
      );

      // The agencies to filter by: those with an entry the viewer can see in these dates.
      const agencyNames = new Map<string, string>();
      for (const e of inSpan) if (e.agency.id) agencyNames.set(e.agency.id, e.agency.name);
      const agencies = [...agencyNames]
        .map(([id, name]) => ({ id, name }))
        .sort((x, y) => x.name.localeCompare(y.name));
      const matching = inSpan
        .filter((e) => !filters.agency || e.agency.id === filters.agency)
        .filter((e) => filters.categories.length === 0 || filters.categories.includes(e.category))
        .sort((x, y) => (x.key < y.key ? 1 : x.key > y.key ? -1 : 0));
      const shown = matching.slice(0, CHRONOLOGY_LIMIT);
      if (filters.order === 'oldest') shown.reverse();

      const viewer = access.actor;
      return {
        value: {
          person: child,
          entries: shown.map(({ key: _key, ...entry }): ChronologyEntry => entry),
          agencies,
          /** Earlier entries exist than the page shows: the dates asked for hold more than the limit. */
          more: matching.length > CHRONOLOGY_LIMIT || horizon !== null,
          generatedAt: ctx.now,
          viewer: viewer && {
            name: viewer.displayName,
            organisationName: await store.organisationName(tx, partnershipId, viewer.organisationId),
          },
        },
        itemIds: shown.flatMap((e) => (e.itemId ? [e.itemId] : [])),
        detail: { entries: shown.length, withheld: shared.withheld, filters: { ...filters } },
      };
    });
  }
}

/**
 * Signals and key notes, each decided for the viewer by the trust layer: content, "an item from
 * <organisation>: ask <someone>", or nothing. `withheld` counts those whose content did not show.
 */
async function sharedItems(
  access: PersonAccess,
  signals: Rows<typeof signalsOf>[],
  notes: Rows<typeof store.recordItems>[],
  links: Links,
) {
  const facts = [
    ...signals.map((row) => ({ ...row, sharing: 'as_agreed' as const, kind: 'signal' as const, row })),
    ...notes.map((row) => ({ ...row, kind: 'note' as const, row })),
  ];
  const decided = await access.decideItems(facts);
  const askable = decided.some((x) => x.access.level === 'existence')
    ? await store.peopleToAsk(access.tx, access.partnershipId, access.personId, access.ctx.now)
    : [];
  const entries = decided.flatMap(({ item, access: decision }): Entry[] => {
    if (decision.level === 'hidden') return [];
    if (decision.level === 'existence')
      return [
        withheldEntry(item, item.kind === 'signal' ? item.row.observedOn : item.row.occurredOn, askable),
      ];
    return [item.kind === 'signal' ? signalEntry(item.row, links) : noteEntry(item.row, links)];
  });
  return { entries, withheld: decided.filter((x) => x.access.level !== 'content').length };
}

type Links = ReturnType<typeof linksFor>;

/** Where each kind of record opens for this viewer: only pages their role reaches, or none. */
function linksFor(ctx: Ctx, personId: string) {
  const self = isSystem(ctx.actor) ? null : ctx.actor.userId;
  const triage = isAllowed(ctx, 'contacts.triage');
  const plans = isAllowed(ctx, 'plans.contribute');
  const signals = isAllowed(ctx, 'signals.record');
  return {
    // The front door sees every contact; whoever made one sees their own.
    contact: (id: string, referrer: string | null) =>
      triage || (referrer !== null && referrer === self) ? `/contacts/${id}` : null,
    signals: signals ? `/people/${personId}/signals` : null,
    alert: (id: string) => (signals ? `/alerts/${id}` : null),
    assessment: (id: string) => (plans ? `/assessments/${id}` : null),
    plan: (id: string) => (plans ? `/plans/${id}` : null),
    review: (planId: string, id: string) => (plans ? `/plans/${planId}/reviews/${id}` : null),
    // Key notes show on the child's record.
    note: `/people/${personId}`,
  };
}

const PLAIN = { by: null, href: null, withheld: false, itemId: null } as const;
const FRONT_DOOR = { id: null, name: 'Front door' };
const FEED_LABELS: Record<string, string> = Object.fromEntries(
  Object.entries(FEED_KINDS).map(([kind, { label }]) => [kind, label]),
);

function agencyOf(id: string | null, name: string | null, otherwise = FRONT_DOOR) {
  return id && name ? { id, name } : otherwise;
}

function sentences(...parts: (string | false | null | undefined)[]) {
  return parts.filter(Boolean).join(' ');
}

function contactEntry(row: Rows<typeof store.contacts>, links: Links): Entry {
  return {
    ...PLAIN,
    id: `contact-${row.id}`,
    ...when(row.receivedAt),
    agency: agencyOf(row.organisationId, row.organisationName, {
      id: null,
      name: label(referralsSchemas.CONTACT_SOURCES, row.source),
    }),
    category: 'contact',
    title: `Contact ${row.number} to the front door`,
    text: sentences(
      `${label(referralsSchemas.CHANNEL_LABELS, row.channel)}.`,
      `${label(referralsSchemas.URGENCY_LABELS, row.urgency)}.`,
      row.status !== 'decided' && `Now ${label(CONTACT_STATUS_LABELS, row.status).toLowerCase()}.`,
    ),
    href: links.contact(row.id, row.referrerUserId),
  };
}

function decisionEntry(row: Rows<typeof store.contactDecisions>, links: Links): Entry {
  const about = `Decision on contact ${row.number}`;
  const outcome = (key: string | null) => label(OUTCOME_LABELS, key);
  const [title, text] =
    row.action === 'decide'
      ? [
          `${about}: ${outcome(row.outcome)}`,
          sentences(
            row.levelOfNeed && `Level of need: ${label(LEVEL_OF_NEED_LABELS, row.levelOfNeed)}.`,
            row.approvalNeeded && 'Waiting for a manager’s approval.',
          ),
        ]
      : row.action === 'approve'
        ? [`${about} approved`, row.finalOutcome ? `${outcome(row.finalOutcome)}.` : '']
        : [`${about} returned for another look`, ''];
  return {
    ...PLAIN,
    id: `decision-${row.id}`,
    ...when(row.at),
    agency: agencyOf(row.organisationId, row.organisationName),
    category: 'decision',
    title,
    text,
    href: links.contact(row.contactId, row.referrerUserId),
  };
}

function signalEntry(row: Rows<typeof signalsOf>, links: Links): Entry {
  return {
    ...PLAIN,
    id: `signal-${row.id}`,
    ...when(row.observedOn),
    agency: { id: row.owningOrganisationId, name: row.owningOrganisationName },
    category: `signal:${row.category}`,
    title: `Signal: ${SIGNAL_CATEGORIES[row.category].label.toLowerCase()} (${severityName(row.severity)})`,
    text: brief(row.description),
    by:
      row.source === 'feed'
        ? `From the feed: ${label(FEED_LABELS, row.feedKind).toLowerCase()}`
        : row.recordedByName && `Recorded by ${row.recordedByName}`,
    href: links.signals,
    itemId: row.id,
  };
}

function noteEntry(row: Rows<typeof store.recordItems>, links: Links): Entry {
  return {
    ...PLAIN,
    id: `note-${row.id}`,
    ...when(row.occurredOn),
    agency: { id: row.owningOrganisationId, name: row.owningOrganisationName },
    category: 'note',
    title: row.title,
    text: brief(row.body),
    href: links.note,
    itemId: row.id,
  };
}

/**
 * An item the viewer may know exists but not read: who holds it, what kind of information, and
 * whom to ask. That is someone from the owning organisation working with the child today, if there
 * is one; otherwise the organisation's safeguarding lead.
 */
function withheldEntry(
  item: { id: string; owningOrganisationId: string; owningOrganisationName: string; dataType: DataType },
  date: string,
  askable: Awaited<ReturnType<typeof store.peopleToAsk>>,
): Entry {
  const organisation = item.owningOrganisationName;
  const someone = askable.find((a) => a.organisationId === item.owningOrganisationId);
  const ask = someone
    ? `${someone.name}${someone.email ? ` (${someone.email})` : ''}`
    : `the safeguarding lead at ${organisation}`;
  return {
    ...PLAIN,
    id: `withheld-${item.id}`,
    ...when(date),
    agency: { id: item.owningOrganisationId, name: organisation },
    category: 'withheld',
    title: `An item from ${organisation}: ask ${ask}`,
    text: `${organisation} holds ${DATA_TYPE_LABELS[item.dataType].toLowerCase()} information from this date that is not shared with your organisation.`,
    withheld: true,
  };
}

/** An alert shows by its rule's name only: its explanation names signals the viewer may not see. */
function alertEntries(row: Rows<typeof store.alerts>, links: Links): Entry[] {
  const alert = {
    ...PLAIN,
    agency: agencyOf(row.organisationId, row.organisationName),
    category: 'alert' as const,
    title: `Alert: ${row.ruleName}`,
    href: links.alert(row.id),
  };
  const sentTo = row.routedTo === 'front_door' ? 'the front door' : 'the lead professional';
  return [
    { ...alert, id: `alert-${row.id}`, ...when(row.raisedAt), text: `Raised and sent to ${sentTo}.` },
    ...(row.acknowledgedAt
      ? [{ ...alert, id: `alert-${row.id}-acknowledged`, ...when(row.acknowledgedAt), text: 'Acknowledged.' }]
      : []),
    ...(row.closedAt
      ? [
          {
            ...alert,
            id: `alert-${row.id}-closed`,
            ...when(row.closedAt),
            text: `Closed: ${label(ALERT_OUTCOME_LABELS, row.outcome).toLowerCase()}.`,
          },
        ]
      : []),
  ];
}

function assessmentEntries(row: Rows<typeof store.assessments>, links: Links): Entry[] {
  const href = links.assessment(row.id);
  const started: Entry = {
    ...PLAIN,
    id: `assessment-${row.id}`,
    ...when(row.startedAt),
    agency: agencyOf(row.startedOrganisationId, row.startedOrganisationName),
    category: 'assessment',
    title: `Assessment ${row.number} started`,
    text: '',
    by: row.startedByName && `Started by ${row.startedByName}`,
    href,
  };
  if (!row.finishedAt) return [started];
  return [
    started,
    {
      ...started,
      id: `assessment-${row.id}-finished`,
      ...when(row.finishedAt),
      agency: agencyOf(row.finishedOrganisationId, row.finishedOrganisationName),
      title: `Assessment ${row.number} finished`,
      text: row.outcome ? `Outcome: ${label(ASSESSMENT_OUTCOME_LABELS, row.outcome).toLowerCase()}.` : '',
      by: row.finishedByName && `Finished by ${row.finishedByName}`,
    },
  ];
}

/** The child's own time on a plan: joining one already under way, leaving it, and its closing. */
function planEntries(row: Rows<typeof store.plans>, links: Links): Entry[] {
  const plan = {
    ...PLAIN,
    agency: agencyOf(row.organisationId, row.organisationName),
    category: 'plan' as const,
    text: '',
    href: links.plan(row.id),
  };
  const entries: Entry[] = [];
  if (row.addedOn > row.startedOn)
    entries.push({
      ...plan,
      id: `plan-${row.id}-joined`,
      ...when(row.addedOn),
      title: `Added to plan ${row.number}`,
    });
  if (row.removedOn && (!row.closedOn || row.removedOn < row.closedOn))
    entries.push({
      ...plan,
      id: `plan-${row.id}-left`,
      ...when(row.removedOn),
      title: `Left plan ${row.number}`,
    });
  else if (row.closedOn)
    entries.push({
      ...plan,
      id: `plan-${row.id}-closed`,
      ...when(row.closedOn),
      title: `Plan ${row.number} closed`,
      text: brief(row.closeReason),
    });
  return entries;
}

/** The first stage is the plan starting; each later one a step up or down. */
function stageEntry(row: Rows<typeof store.planStages>, links: Links): Entry {
  const kind = label(PLAN_KIND_LABELS, row.kind);
  return {
    ...PLAIN,
    id: `stage-${row.id}`,
    ...when(row.startedOn),
    agency: agencyOf(row.organisationId, row.organisationName),
    category: 'plan',
    title: row.first
      ? `${kind} plan ${row.number} started`
      : `Plan ${row.number} changed to ${kind.toLowerCase()}`,
    text: brief(row.reason),
    href: links.plan(row.planId),
  };
}

function leadEntry(row: Rows<typeof store.planLeads>, links: Links): Entry {
  return {
    ...PLAIN,
    id: `lead-${row.id}`,
    ...when(row.startedAt),
    agency: { id: row.organisationId, name: row.organisationName },
    category: 'plan',
    title: `New lead professional for plan ${row.number}: ${row.leadName}`,
    text: brief(row.handoverNote),
    href: links.plan(row.planId),
  };
}

function reviewEntry(row: Rows<typeof store.planReviews>, links: Links): Entry {
  return {
    ...PLAIN,
    id: `review-${row.id}`,
    ...when(row.heldOn),
    agency: agencyOf(row.organisationId, row.organisationName),
    category: 'review',
    title: `${label(REVIEW_KIND_LABELS, row.kind)} for plan ${row.number}`,
    text: brief(row.decisions),
    href: links.review(row.planId, row.id),
  };
}
