import { sql, type Expression, type RawBuilder } from 'kysely';
import { scheduleReminders, type JobLog } from '../../common/background.ts';
import { londonDate, spokenDate } from '../../common/plain-dates.ts';
import type { Db } from '../../db/database.ts';
import type { NewRow, NotificationKind } from '../../db/schema.ts';
import { DEFAULT_PLAN_SETTINGS } from './plans.workflow.ts';

/**
 * Plan reminders as notifications, for open plans whose lead professional's account is active:
 * - a review due within the partnership's reminder window: the lead professional;
 * - a review overdue: the lead professional and the team managers of the lead's organisation;
 * - an action past its due date and not done or dropped: its owner (an agency's or the family's
 *   action: the lead professional; a practitioner whose account has closed: the lead professional).
 * Each is sent once per plan or action and due date: the notification's `dedupe_key` names the thing
 * and the date, and a unique index on it (migration 0024) makes a second run, or two at once, write
 * nothing. A new due date (a review recorded, an action moved) is a new key and so a new reminder.
 * The message names the family only as the plan does (its family name) and holds no child's data,
 * so, as the directory's review reminders, this system work writes no audit event.
 */

export type PlanReminderRun = {
  reviewsDueSoon: number;
  reviewsOverdue: number;
  actionsOverdue: number;
  notifications: number;
};

/** Rows per insert: a first run over a large area writes many reminders. */
const CHUNK = 500;

/** `<id>:<date>`: what a reminder is about, the same in the query that skips it and the row that records it. */
function dedupeKey(id: string, date: string): RawBuilder<string> {
  return sql<string>`${sql.ref(id)}::text || ':' || to_char(${sql.ref(date)}, 'YYYY-MM-DD')`;
}

/** No reminder of this kind about this thing yet, to anyone. */
function notSent(partnershipId: string, kind: Expression<string>, key: Expression<string>) {
  return sql<boolean>`not exists (select 1 from notifications n
    where n.partnership_id = ${sql.ref(partnershipId)} and n.kind = ${kind} and n.dedupe_key = ${key})`;
}

export async function remindPlans(db: Db, now: Date): Promise<PlanReminderRun> {
  const today = londonDate(now);
  const reviews = await reviewsToRemind(db, today);
  const actions = await actionsToRemind(db, today);

  const overdue = reviews.filter((r) => r.kind === 'plan_review_overdue');
  const managers = await teamManagers(db, [...new Set(overdue.map((r) => r.partnershipId))]);

  const rows: NewRow<'notifications'>[] = [];
  for (const r of reviews) {
    const plan = `the ${r.familyName} plan`;
    const base = {
      partnershipId: r.partnershipId,
      kind: r.kind,
      personId: null,
      link: `/plans/${r.id}#reviews`,
      createdAt: now,
      dedupeKey: r.dedupeKey,
    };
    if (r.kind === 'plan_review_due') {
      rows.push({
        ...base,
        userId: r.leadId,
        message: `The review of ${plan} is due on ${spokenDate(r.due)}`,
      });
      continue;
    }
    rows.push({
      ...base,
      userId: r.leadId,
      message: `The review of ${plan} is overdue: it was due on ${spokenDate(r.due)}`,
    });
    for (const m of managers) {
      if (m.partnershipId !== r.partnershipId || m.organisationId !== r.leadOrganisationId) continue;
      if (m.id === r.leadId) continue;
      rows.push({
        ...base,
        userId: m.id,
        message: `The review of ${plan}, led by ${r.leadName}, is overdue: it was due on ${spokenDate(r.due)}`,
      });
    }
  }
  for (const a of actions) {
    const plan = `the ${a.familyName} plan`;
    const due = `was due on ${spokenDate(a.dueOn)} and is not done`;
    const ownerTold = a.ownerKind === 'practitioner' && a.ownerActive === true;
    const message = ownerTold
      ? `Your action on ${plan} ${due}`
      : a.ownerKind === 'practitioner'
        ? `An action of ${a.ownerName}, whose account has closed, on ${plan} ${due}`
        : a.ownerKind === 'agency'
          ? `An action for ${a.agencyName} on ${plan} ${due}`
          : `The family’s own action on ${plan} ${due}: see if they need support`;
    rows.push({
      partnershipId: a.partnershipId,
      userId: ownerTold ? a.ownerUserId! : a.leadId,
      kind: 'plan_action_overdue',
      personId: null,
      message,
      link: `/plans/${a.planId}#actions`,
      createdAt: now,
      dedupeKey: a.dedupeKey,
    });
  }

  const written = await insertOnce(db, rows);
  const things = (kind: NotificationKind) =>
    new Set(written.filter((w) => w.kind === kind).map((w) => w.dedupeKey)).size;
  return {
    reviewsDueSoon: things('plan_review_due'),
    reviewsOverdue: things('plan_review_overdue'),
    actionsOverdue: things('plan_action_overdue'),
    notifications: written.length,
  };
}

/**
 * Open plans whose review is overdue, or due within the partnership's reminder window (as
 * `reviewState` counts it), and not yet reminded of for this date. A plan whose lead's account has
 * closed has no one to tell and is left out.
 */
function reviewsToRemind(db: Db, today: string) {
  const kind = sql<
    'plan_review_due' | 'plan_review_overdue'
  >`case when p.next_review_due < ${today}::date then 'plan_review_overdue' else 'plan_review_due' end`;
  const key = dedupeKey('p.id', 'p.next_review_due');
  return db
    .selectFrom('plans as p')
    .innerJoin('users as lead', (j) =>
      j.onRef('lead.partnershipId', '=', 'p.partnershipId').onRef('lead.id', '=', 'p.leadProfessionalId'),
    )
    .leftJoin('planSettings as s', 's.partnershipId', 'p.partnershipId')
    .select([
      'p.partnershipId',
      'p.id',
      'p.familyName',
      'p.nextReviewDue as due',
      'lead.id as leadId',
      'lead.displayName as leadName',
      'lead.organisationId as leadOrganisationId',
      kind.as('kind'),
      key.as('dedupeKey'),
    ])
    .where('p.status', '=', 'open')
    .where('lead.active', '=', true)
    .where(
      sql<boolean>`p.next_review_due <= ${today}::date + coalesce(s.reminder_days, ${DEFAULT_PLAN_SETTINGS.reminderDays})`,
    )
    .where(notSent('p.partnership_id', kind, key))
    .orderBy('p.partnershipId')
    .orderBy('p.id')
    .execute();
}

/** Actions past their due date and neither done nor dropped, on open plans with an active lead, not yet reminded of. */
function actionsToRemind(db: Db, today: string) {
  const key = dedupeKey('a.id', 'a.due_on');
  return db
    .selectFrom('planActions as a')
    .innerJoin('plans as p', (j) =>
      j.onRef('p.partnershipId', '=', 'a.partnershipId').onRef('p.id', '=', 'a.planId'),
    )
    .innerJoin('users as lead', (j) =>
      j.onRef('lead.partnershipId', '=', 'p.partnershipId').onRef('lead.id', '=', 'p.leadProfessionalId'),
    )
    .leftJoin('users as owner', (j) =>
      j.onRef('owner.partnershipId', '=', 'a.partnershipId').onRef('owner.id', '=', 'a.ownerUserId'),
    )
    .leftJoin('organisations as agency', (j) =>
      j
        .onRef('agency.partnershipId', '=', 'a.partnershipId')
        .onRef('agency.id', '=', 'a.ownerOrganisationId'),
    )
    .select([
      'a.partnershipId',
      'a.id',
      'a.planId',
      'a.dueOn',
      'a.ownerKind',
      'a.ownerUserId',
      'owner.active as ownerActive',
      'owner.displayName as ownerName',
      'agency.name as agencyName',
      'p.familyName',
      'lead.id as leadId',
      key.as('dedupeKey'),
    ])
    .where('p.status', '=', 'open')
    .where('lead.active', '=', true)
    .where('a.dueOn', '<', today)
    .where('a.status', 'in', ['to_do', 'in_progress'])
    .where(notSent('a.partnership_id', sql.lit('plan_action_overdue'), key))
    .orderBy('a.partnershipId')
    .orderBy('a.id')
    .execute();
}

/** The active team managers of these partnerships, with their organisation; the same order every run. */
function teamManagers(db: Db, partnershipIds: string[]) {
  if (partnershipIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('users')
    .select(['partnershipId', 'id', 'organisationId'])
    .where('partnershipId', 'in', partnershipIds)
    .where('active', '=', true)
    .where(sql<boolean>`'team_manager' = any(roles)`)
    .orderBy('id')
    .execute();
}

/**
 * Writes the reminders, skipping any already sent (to that person, of that kind, with that key):
 * another run may have written them since this one looked. Answers those this run wrote. Rows go in
 * the order they were found, the same in every run, so two runs at once wait on each other's rows
 * in the same order rather than deadlock.
 */
async function insertOnce(db: Db, rows: NewRow<'notifications'>[]) {
  const written: { kind: NotificationKind; dedupeKey: string | null }[] = [];
  for (let i = 0; i < rows.length; i += CHUNK) {
    written.push(
      ...(await db
        .insertInto('notifications')
        .values(rows.slice(i, i + CHUNK))
        .onConflict((oc) =>
          oc
            .columns(['partnershipId', 'kind', 'dedupeKey', 'userId'])
            .where('dedupeKey', 'is not', null)
            .doNothing(),
        )
        .returning(['kind', 'dedupeKey'])
        .execute()),
    );
  }
  return written;
}

export const PLAN_REMIND_INTERVAL_MS = 60 * 60 * 1000;

/**
 * Sends the plan reminders now and then every hour, in the background: a failure is logged and the
 * next run tries again. `stop()` ends the timer and waits for a run in progress.
 */
export function schedulePlanReminders(
  db: Db,
  log: JobLog,
  clock: () => Date = () => new Date(),
  intervalMs = PLAN_REMIND_INTERVAL_MS,
) {
  return scheduleReminders('plan reminders', () => remindPlans(db, clock()), log, intervalMs);
}
