import { sql, type Kysely } from 'kysely';

/**
 * Practice changes: when a locality changed its way of working (an integrated locality team, a new
 * front door), recorded by a partnership administrator so the evaluation can compare the locality's
 * figures before and after the change with the localities that did not change. Nothing is deleted:
 * a change recorded in error is withdrawn (`withdrawn_at`) and kept.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table practice_changes (
      partnership_id uuid not null references partnerships (id),
      id uuid not null default gen_random_uuid(),
      locality_id uuid not null,
      changed_on date not null,
      title text not null check (length(trim(title)) between 1 and 200),
      description text not null default '' check (length(description) <= 2000),
      withdrawn_at timestamptz,
      version integer not null default 1,
      created_at timestamptz not null default now(),
      created_by uuid,
      updated_at timestamptz not null default now(),
      updated_by uuid,
      primary key (partnership_id, id),
      foreign key (partnership_id, locality_id) references localities (partnership_id, id),
      foreign key (partnership_id, created_by) references users (partnership_id, id),
      foreign key (partnership_id, updated_by) references users (partnership_id, id)
    );
    create index practice_changes_locality on practice_changes (partnership_id, locality_id, changed_on);
    alter table practice_changes enable row level security;
    create policy partnership_only on practice_changes
      using (partnership_id = current_setting('wraparound.partnership_id')::uuid)
      with check (partnership_id = current_setting('wraparound.partnership_id')::uuid);
  `.execute(db);
}
