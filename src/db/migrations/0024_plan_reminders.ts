import { sql, type Kysely } from 'kysely';

/**
 * Plan reminders reach people as notifications: a review due soon or overdue, an action overdue.
 * A reminder is sent once per thing and due date, so a notification may carry a `dedupe_key` (the
 * plan or action and the date it is about); the unique index lets a run write with `on conflict do
 * nothing`, so two runs at once never send the same reminder twice. Older notifications keep a null
 * key and are not affected. The index leads with (partnership_id, kind, dedupe_key) so that a run
 * can also ask cheaply whether a reminder about a thing was already sent to anyone.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table notifications add column dedupe_key text;
    create unique index notifications_dedupe on notifications (partnership_id, kind, dedupe_key, user_id)
      where dedupe_key is not null;

    alter table notifications drop constraint notifications_kind_check;
    alter table notifications add constraint notifications_kind_check check (kind in ('alert', 'alert_escalated',
      'flag_check', 'police_notification', 'directory_referral', 'directory_referral_decided',
      'directory_review_due', 'plan_review_due', 'plan_review_overdue', 'plan_action_overdue'));
  `.execute(db);
}
