import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { NewRow } from '../../db/schema.ts';
import { editLink, reviewCutoff } from './directory.editor.ts';
import { REVIEW_AFTER_MONTHS } from './directory.vocabulary.ts';
import { scheduleReminders, type JobLog } from '../../common/background.ts';
import { spokenDate } from '../../common/plain-dates.ts';

/**
 * Entries not reviewed for REVIEW_AFTER_MONTHS are flagged to their owner: a notification to each
 * directory editor of the agency that runs the entry or, when no agency runs it or it has no editors,
 * to the partnership's administrators. An entry is flagged at most once every REMIND_EVERY_DAYS, so
 * running this often (at start-up, every few hours, from the CLI) never repeats a reminder.
 */

export const REMIND_EVERY_DAYS = 30;
const DAY_MS = 86_400_000;

export type ReminderRun = { entries: number; notifications: number };

export async function remindStaleEntries(db: Db, now: Date): Promise<ReminderRun> {
  const cutoff = reviewCutoff(now);
  const since = new Date(now.getTime() - REMIND_EVERY_DAYS * DAY_MS);
  const stale = await db
    .selectFrom('directoryServices as s')
    .innerJoin('directoryOrganizations as o', (j) =>
      j.onRef('o.partnershipId', '=', 's.partnershipId').onRef('o.id', '=', 's.organizationId'),
    )
    .select(['s.partnershipId', 's.id', 's.name', 's.assuredDate', 'o.agencyOrganisationId'])
    .where('s.status', '=', 'active')
    .where('s.assuredDate', '<', cutoff)
    .orderBy('s.partnershipId')
    .orderBy('s.assuredDate')
    .execute();
  if (stale.length === 0) return { entries: 0, notifications: 0 };

  // One query for the people who could be told, in every partnership with a stale entry.
  const partnerships = [...new Set(stale.map((s) => s.partnershipId))];
  const people = await db
    .selectFrom('users')
    .select(['partnershipId', 'id', 'organisationId', 'roles'])
    .where('partnershipId', 'in', partnerships)
    .where('active', '=', true)
    .where(sql<boolean>`roles && array['directory_editor', 'partnership_admin']::text[]`)
    .execute();
  const editorsOf = (partnershipId: string, agency: string | null) =>
    agency === null
      ? []
      : people.filter(
          (p) =>
            p.partnershipId === partnershipId &&
            p.organisationId === agency &&
            p.roles.includes('directory_editor'),
        );
  const adminsOf = (partnershipId: string) =>
    people.filter((p) => p.partnershipId === partnershipId && p.roles.includes('partnership_admin'));

  let entries = 0;
  let notifications = 0;
  for (const entry of stale) {
    const link = editLink(entry.id);
    const written = await db.transaction().execute(async (tx) => {
      // One run at a time per entry, so two servers (or the CLI beside a server) never both remind.
      await sql`select pg_advisory_xact_lock(hashtextextended(${`directory-review:${entry.id}`}, 0))`.execute(
        tx,
      );
      const recent = await tx
        .selectFrom('notifications')
        .select('id')
        .where('partnershipId', '=', entry.partnershipId)
        .where('kind', '=', 'directory_review_due')
        .where('link', '=', link)
        .where('createdAt', '>', since)
        .limit(1)
        .executeTakeFirst();
      if (recent) return 0;
      const editors = editorsOf(entry.partnershipId, entry.agencyOrganisationId);
      const recipients = editors.length > 0 ? editors : adminsOf(entry.partnershipId);
      if (recipients.length === 0) return 0;
      const rows: NewRow<'notifications'>[] = recipients.map((r) => ({
        partnershipId: entry.partnershipId,
        userId: r.id,
        kind: 'directory_review_due',
        personId: null,
        message: `The directory entry “${entry.name}” was last checked on ${spokenDate(entry.assuredDate)}, over ${REVIEW_AFTER_MONTHS} months ago: check it is still correct`,
        link,
        createdAt: now,
      }));
      await tx.insertInto('notifications').values(rows).execute();
      return rows.length;
    });
    if (written > 0) {
      entries += 1;
      notifications += written;
    }
  }
  return { entries, notifications };
}

export const REMIND_INTERVAL_MS = 6 * 60 * 60 * 1000;

/**
 * Runs the reminders once now and then every 6 hours, in the background: a failure is logged and
 * the next run tries again. `stop()` ends the timer and waits for a run in progress.
 */
export function scheduleReviewReminders(
  db: Db,
  log: JobLog,
  clock: () => Date = () => new Date(),
  intervalMs = REMIND_INTERVAL_MS,
) {
  return scheduleReminders(
    'directory review reminders',
    () => remindStaleEntries(db, clock()),
    log,
    intervalMs,
  );
}
