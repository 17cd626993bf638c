import { sql, type Kysely } from 'kysely';

/** The first cut of the person index: people, households (with their address) and relationships. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table people (
      partnership_id uuid not null references partnerships (id),
      id uuid not null default gen_random_uuid(),
      kind text not null check (kind in ('child', 'unborn', 'adult')),
      given_name text,
      family_name text not null,
      date_of_birth date,
      expected_date date,
      sex text not null default 'unknown' check (sex in ('female', 'male', 'other', 'unknown')),
      version integer not null default 1,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (partnership_id, id),
      check ((kind = 'unborn') = (expected_date is not null)),
      check (kind = 'unborn' or date_of_birth is not null)
    );
    create index people_family_name on people (partnership_id, lower(family_name));

    create table households (
      partnership_id uuid not null references partnerships (id),
      id uuid not null default gen_random_uuid(),
      locality_id uuid not null,
      address_line1 text not null,
      address_line2 text,
      town text not null,
      postcode text not null,
      created_at timestamptz not null default now(),
      primary key (partnership_id, id),
      foreign key (partnership_id, locality_id) references localities (partnership_id, id)
    );
    create index households_postcode on households (partnership_id, postcode);

    create table household_members (
      partnership_id uuid not null,
      household_id uuid not null,
      person_id uuid not null,
      started_on date not null,
      ended_on date,
      primary key (partnership_id, household_id, person_id, started_on),
      foreign key (partnership_id, household_id) references households (partnership_id, id),
      foreign key (partnership_id, person_id) references people (partnership_id, id)
    );
    create index household_members_person on household_members (partnership_id, person_id);

    -- Directed: person_id is the <kind> of related_person_id (a parent of the child).
    create table relationships (
      partnership_id uuid not null,
      id uuid not null default gen_random_uuid(),
      person_id uuid not null,
      related_person_id uuid not null,
      kind text not null check (kind in
        ('parent', 'carer', 'parental_responsibility', 'sibling', 'household_member', 'other')),
      started_on date,
      ended_on date,
      primary key (partnership_id, id),
      foreign key (partnership_id, person_id) references people (partnership_id, id),
      foreign key (partnership_id, related_person_id) references people (partnership_id, id),
      check (person_id <> related_person_id)
    );
    create index relationships_related on relationships (partnership_id, related_person_id);
    create index relationships_person on relationships (partnership_id, person_id);
  `.execute(db);
}
