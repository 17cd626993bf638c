import { sql, type Kysely } from 'kysely';

/**
 * The database itself refuses to change or remove an audit event, whoever asks. Only someone who
 * can switch triggers off (a superuser) could; the hash chain shows it when they do.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create function audit_events_refuse_change() returns trigger language plpgsql as $$
    begin
      raise exception 'audit events are append-only: % is not allowed', tg_op
        using errcode = 'insufficient_privilege';
    end
    $$;
    create trigger audit_events_no_update_or_delete
      before update or delete on audit_events
      for each row execute function audit_events_refuse_change();
    create trigger audit_events_no_truncate
      before truncate on audit_events
      for each statement execute function audit_events_refuse_change();
  `.execute(db);
}
