import { sql, type Kysely } from 'kysely';

/**
 * Statutory returns (the interop module). What the Children in Need census needs that no other module
 * holds: the partnership's 3-digit DfE local authority number (the return's `LEA`), and the census codes
 * recorded for a child (ethnicity, disabilities, why a UPN is unknown) and for a referral's episode (the
 * primary need and the categories of abuse of a child protection plan). Each code is checked against the
 * DfE code lists in the application; these tables only hold them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table statutory_return_settings (
      partnership_id uuid primary key references partnerships (id),
      la_code text check (la_code ~ '^[0-9]{3}$'),
      version integer not null default 1,
      updated_at timestamptz not null default now(),
      updated_by uuid
    );

    create table census_child_codes (
      partnership_id uuid not null,
      person_id uuid not null,
      ethnicity text check (ethnicity ~ '^[A-Z]{4}$'),
      disabilities text[] not null default '{}',
      upn_unknown text check (upn_unknown ~ '^UN[1-7]$'),
      updated_at timestamptz not null default now(),
      primary key (partnership_id, person_id),
      foreign key (partnership_id, person_id) references people (partnership_id, id)
    );

    create table census_episode_codes (
      partnership_id uuid not null,
      episode_id uuid not null,
      primary_need text check (primary_need ~ '^N[0-9]$'),
      initial_category_of_abuse text check (initial_category_of_abuse in ('NEG', 'PHY', 'SAB', 'EMO', 'MUL')),
      latest_category_of_abuse text check (latest_category_of_abuse in ('NEG', 'PHY', 'SAB', 'EMO', 'MUL')),
      updated_at timestamptz not null default now(),
      primary key (partnership_id, episode_id),
      foreign key (partnership_id, episode_id) references episodes (partnership_id, id)
    );
  `.execute(db);
  for (const table of ['statutory_return_settings', 'census_child_codes', 'census_episode_codes']) {
    await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
    await sql`create policy partnership_only on ${sql.table(table)}
      using (partnership_id = current_setting('wraparound.partnership_id')::uuid)
      with check (partnership_id = current_setting('wraparound.partnership_id')::uuid)`.execute(db);
  }
}
