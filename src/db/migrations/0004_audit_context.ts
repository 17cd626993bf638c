import { sql, type Kysely } from 'kysely';

/**
 * What an auditor needs beyond the action: the actor's organisation and roles, the basis the access
 * rested on, every person and item the event touched, and where the request came from. Earlier
 * rows keep nulls and empty arrays, which the hash leaves out, so their chain still verifies.
 *
 * `wraparound_app` is the role a production server should log in as (a member of it): it may read
 * and append audit events but holds no privilege to change or remove them, whatever the triggers do.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table audit_events
      add column actor_organisation_id uuid,
      add column actor_roles text[],
      add column basis jsonb,
      add column person_ids uuid[] not null default '{}',
      add column item_ids uuid[] not null default '{}',
      add column source_address text;
    create index audit_events_people on audit_events using gin (person_ids);

    do $$
    begin
      create role wraparound_app nologin;
    exception when duplicate_object or unique_violation then
      null;
    end
    $$;
    grant select, insert on all tables in schema public to wraparound_app;
    grant update, delete on all tables in schema public to wraparound_app;
    revoke update, delete, truncate on audit_events from wraparound_app;
    alter default privileges in schema public grant select, insert, update, delete on tables to wraparound_app;
  `.execute(db);
}
