import { sql, type Kysely } from 'kysely';

/**
 * Reading a child's record, made cheaper. A token per partnership that changes, in the same
 * transaction, whenever anything its sharing policy is built from changes (agreements, their rules,
 * what withheld items show, organisations and their sectors): the access gate keeps the compiled
 * policy while the token it reads with the child is the one it compiled under. Triggers keep it, so
 * no writer can forget to. And indexes for the lookups by person and by user that read paths make:
 * without them each scanned every row of the partnership.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table sharing_policy_versions (
      partnership_id uuid primary key,
      token uuid not null default gen_random_uuid()
    );
    insert into sharing_policy_versions (partnership_id) select id from partnerships;

    create function sharing_policy_changed() returns trigger language plpgsql as $$
    begin
      if tg_level = 'STATEMENT' then
        update sharing_policy_versions set token = gen_random_uuid();
        return null;
      end if;
      if tg_op <> 'INSERT' then
        insert into sharing_policy_versions (partnership_id) values (old.partnership_id)
          on conflict (partnership_id) do update set token = gen_random_uuid();
      end if;
      if tg_op <> 'DELETE' then
        insert into sharing_policy_versions (partnership_id) values (new.partnership_id)
          on conflict (partnership_id) do update set token = gen_random_uuid();
      end if;
      return null;
    end
    $$;
    create trigger sharing_agreements_policy_changed after insert or update or delete on sharing_agreements
      for each row execute function sharing_policy_changed();
    create trigger sharing_rules_policy_changed after insert or update or delete on sharing_rules
      for each row execute function sharing_policy_changed();
    create trigger withheld_item_display_policy_changed after insert or update or delete on withheld_item_display
      for each row execute function sharing_policy_changed();
    create trigger organisations_policy_changed after insert or update of sector or delete on organisations
      for each row execute function sharing_policy_changed();
    create trigger sharing_agreements_policy_truncated after truncate on sharing_agreements
      for each statement execute function sharing_policy_changed();
    create trigger sharing_rules_policy_truncated after truncate on sharing_rules
      for each statement execute function sharing_policy_changed();
    create trigger withheld_item_display_policy_truncated after truncate on withheld_item_display
      for each statement execute function sharing_policy_changed();
    create trigger organisations_policy_truncated after truncate on organisations
      for each statement execute function sharing_policy_changed();

    create index memberships_user on memberships (partnership_id, user_id);
    create index sharing_decisions_person on sharing_decisions (partnership_id, person_id);
    create index emergency_accesses_person on emergency_accesses (partnership_id, person_id);
  `.execute(db);
}
