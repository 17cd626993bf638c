import { sql, type Kysely } from 'kysely';

/**
 * The trust layer: who is involved with a child (the basis of relationship-based access), emergency
 * access with its review, sealed records, record items with owner and sensitivity, sharing
 * agreements and their rules, consent, and recorded decisions to share or not to share.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table involvements (
      partnership_id uuid not null,
      id uuid not null default gen_random_uuid(),
      person_id uuid not null,
      user_id uuid,
      team_id uuid,
      kind text not null check (kind in ('allocated_worker', 'team_around_family', 'school_safeguarding_lead',
        'health_visitor', 'gp_practice', 'front_door', 'other')),
      purpose text not null check (purpose in ('safeguarding', 'early_help', 'health_and_care', 'education')),
      reason text not null check (length(trim(reason)) > 0),
      started_at timestamptz not null,
      ended_at timestamptz,
      end_reason text,
      created_by uuid,
      ended_by uuid,
      version integer not null default 1,
      created_at timestamptz not null default now(),
      primary key (partnership_id, id),
      foreign key (partnership_id, person_id) references people (partnership_id, id),
      foreign key (partnership_id, user_id) references users (partnership_id, id),
      foreign key (partnership_id, team_id) references teams (partnership_id, id),
      check ((user_id is null) <> (team_id is null)),
      check (ended_at is null or ended_at >= started_at)
    );
    create index involvements_person on involvements (partnership_id, person_id);
    create index involvements_user on involvements (partnership_id, user_id) where user_id is not null;
    create index involvements_team on involvements (partnership_id, team_id) where team_id is not null;

    create table emergency_accesses (
      partnership_id uuid not null,
      id uuid not null default gen_random_uuid(),
      person_id uuid not null,
      user_id uuid not null,
      reason text not null check (length(trim(reason)) > 0),
      started_at timestamptz not null,
      expires_at timestamptz not null,
      review_outcome text check (review_outcome in ('justified', 'not_justified', 'referred')),
      review_note text,
      reviewed_by uuid,
      reviewed_at timestamptz,
      version integer not null default 1,
      primary key (partnership_id, id),
      foreign key (partnership_id, person_id) references people (partnership_id, id),
      foreign key (partnership_id, user_id) references users (partnership_id, id),
      check (expires_at > started_at)
    );
    create index emergency_accesses_user on emergency_accesses (partnership_id, user_id, person_id);
    create index emergency_accesses_unreviewed on emergency_accesses (partnership_id, started_at)
      where review_outcome is null;

    alter table people
      add column sealed_at timestamptz,
      add column sealed_reason text,
      add column protected_address boolean not null default false;

    create table sealed_record_users (
      partnership_id uuid not null,
      person_id uuid not null,
      user_id uuid not null,
      added_by uuid,
      added_at timestamptz not null default now(),
      primary key (partnership_id, person_id, user_id),
      foreign key (partnership_id, person_id) references people (partnership_id, id),
      foreign key (partnership_id, user_id) references users (partnership_id, id)
    );

    create table record_items (
      partnership_id uuid not null,
      id uuid not null default gen_random_uuid(),
      person_id uuid not null,
      owning_organisation_id uuid not null,
      data_type text not null check (data_type in ('education', 'health', 'social_care', 'police',
        'youth_justice', 'housing', 'family_support', 'contact_details')),
      sensitivity text not null check (sensitivity in ('standard', 'health', 'special_category',
        'restricted_location')),
      sharing text not null default 'as_agreed' check (sharing in ('as_agreed', 'owner_only')),
      title text not null,
      body text not null,
      occurred_on date not null,
      third_party boolean not null default false,
      recorded_by uuid,
      recorded_at timestamptz not null,
      primary key (partnership_id, id),
      foreign key (partnership_id, person_id) references people (partnership_id, id),
      foreign key (partnership_id, owning_organisation_id) references organisations (partnership_id, id)
    );
    create index record_items_person on record_items (partnership_id, person_id, occurred_on);

    -- What another organisation sees of an item it may not read: that it exists and whom to ask, or nothing.
    create table withheld_item_display (
      partnership_id uuid not null references partnerships (id),
      sensitivity text not null,
      shows text not null check (shows in ('existence', 'nothing')),
      version integer not null default 1,
      primary key (partnership_id, sensitivity)
    );

    create table sharing_agreements (
      partnership_id uuid not null references partnerships (id),
      id uuid not null default gen_random_uuid(),
      name text not null,
      purpose text not null check (purpose in ('safeguarding', 'early_help', 'health_and_care', 'education')),
      lawful_basis text not null check (lawful_basis in ('consent', 'public_task', 'legal_obligation',
        'vital_interests', 'legitimate_interests')),
      valid_from date not null,
      valid_until date,
      revoked_at timestamptz,
      revoked_reason text,
      created_by uuid,
      created_at timestamptz not null default now(),
      version integer not null default 1,
      primary key (partnership_id, id),
      check (valid_until is null or valid_until >= valid_from)
    );
    create unique index sharing_agreements_name on sharing_agreements (partnership_id, lower(name));

    create table sharing_rules (
      partnership_id uuid not null,
      agreement_id uuid not null,
      id uuid not null default gen_random_uuid(),
      effect text not null check (effect in ('allow', 'deny')),
      mode text not null check (mode in ('existence', 'content')),
      source_sector text,
      source_organisation_id uuid,
      recipient_sector text,
      recipient_organisation_id uuid,
      data_type text,
      sensitivities text[] not null check (cardinality(sensitivities) > 0),
      created_at timestamptz not null default now(),
      primary key (partnership_id, id),
      foreign key (partnership_id, agreement_id) references sharing_agreements (partnership_id, id),
      foreign key (partnership_id, source_organisation_id) references organisations (partnership_id, id),
      foreign key (partnership_id, recipient_organisation_id) references organisations (partnership_id, id)
    );
    create index sharing_rules_agreement on sharing_rules (partnership_id, agreement_id);

    create table consents (
      partnership_id uuid not null,
      id uuid not null default gen_random_uuid(),
      person_id uuid not null,
      purpose text not null check (purpose in ('safeguarding', 'early_help', 'health_and_care', 'education')),
      given_by text not null check (given_by in ('young_person', 'parental_responsibility')),
      given_by_name text not null check (length(trim(given_by_name)) > 0),
      scope text not null,
      obtained_how text not null check (obtained_how in ('in_person', 'phone', 'written', 'digital')),
      given_on date not null,
      expires_on date,
      withdrawn_at timestamptz,
      withdrawn_reason text,
      recorded_by uuid,
      recorded_at timestamptz not null,
      version integer not null default 1,
      primary key (partnership_id, id),
      foreign key (partnership_id, person_id) references people (partnership_id, id),
      check (expires_on is null or expires_on >= given_on)
    );
    create index consents_person on consents (partnership_id, person_id);

    -- Golden rule 7: record the reasons for the decision, whether or not you share.
    create table sharing_decisions (
      partnership_id uuid not null,
      id uuid not null default gen_random_uuid(),
      person_id uuid not null,
      item_id uuid not null,
      recipient_organisation_id uuid not null,
      decision text not null check (decision in ('share', 'not_share')),
      lawful_basis text check (lawful_basis in ('public_task', 'legal_obligation', 'vital_interests',
        'safeguarding')),
      reason text not null check (length(trim(reason)) > 0),
      decided_by uuid,
      decided_at timestamptz not null,
      primary key (partnership_id, id),
      foreign key (partnership_id, item_id) references record_items (partnership_id, id),
      foreign key (partnership_id, recipient_organisation_id) references organisations (partnership_id, id),
      check (decision = 'not_share' or lawful_basis is not null)
    );
    create index sharing_decisions_item on sharing_decisions (partnership_id, item_id);
  `.execute(db);
}
