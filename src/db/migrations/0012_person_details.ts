import { sql, type Kysely } from 'kysely';

/**
 * A person's details beyond the index's own: other names (known as, previous, alias) with their
 * dates, how certain the date of birth is, the language they speak and whether an interpreter is
 * needed, and how to contact them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table people
      add column date_of_birth_certainty text not null default 'declared'
        check (date_of_birth_certainty in ('verified', 'declared', 'estimated')),
      add column language text check (length(language) between 1 and 100),
      add column interpreter_needed boolean not null default false,
      add column phone text check (length(phone) between 1 and 40),
      add column email text check (length(email) between 3 and 254);

    create table person_names (
      partnership_id uuid not null,
      id uuid not null default gen_random_uuid(),
      person_id uuid not null,
      kind text not null check (kind in ('known_as', 'previous', 'alias')),
      given_name text,
      family_name text not null check (length(trim(family_name)) > 0),
      used_from date,
      used_until date,
      recorded_by uuid,
      recorded_at timestamptz not null,
      primary key (partnership_id, id),
      foreign key (partnership_id, person_id) references people (partnership_id, id),
      foreign key (partnership_id, recorded_by) references users (partnership_id, id),
      check (used_until is null or used_from is null or used_until >= used_from)
    );
    create index person_names_person on person_names (partnership_id, person_id);
  `.execute(db);
}
