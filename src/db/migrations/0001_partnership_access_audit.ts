import { sql, type Kysely } from 'kysely';

/**
 * The partnership (tenant), its localities, organisations, teams, user accounts, sessions and the
 * audit trail. Every partnership-scoped table carries `partnership_id` as the first column of its
 * primary key and of every foreign key, so the data can later be distributed by it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table partnerships (
      id uuid primary key default gen_random_uuid(),
      name text not null,
      slug text not null unique,
      jurisdiction text not null default 'england',
      created_at timestamptz not null default now()
    );

    create table localities (
      partnership_id uuid not null references partnerships (id),
      id uuid not null default gen_random_uuid(),
      code text not null,
      name text not null,
      primary key (partnership_id, id),
      unique (partnership_id, code)
    );

    create table organisations (
      partnership_id uuid not null references partnerships (id),
      id uuid not null default gen_random_uuid(),
      name text not null,
      sector text not null check (sector in
        ('education', 'health', 'social_care', 'police', 'youth_justice', 'housing', 'voluntary', 'other')),
      kind text not null,
      locality_id uuid,
      active boolean not null default true,
      version integer not null default 1,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (partnership_id, id),
      foreign key (partnership_id, locality_id) references localities (partnership_id, id)
    );
    create unique index organisations_name_unique on organisations (partnership_id, lower(name));

    create table teams (
      partnership_id uuid not null references partnerships (id),
      id uuid not null default gen_random_uuid(),
      name text not null,
      organisation_id uuid not null,
      locality_id uuid,
      multi_agency boolean not null default false,
      active boolean not null default true,
      version integer not null default 1,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (partnership_id, id),
      foreign key (partnership_id, organisation_id) references organisations (partnership_id, id),
      foreign key (partnership_id, locality_id) references localities (partnership_id, id)
    );
    create unique index teams_name_unique on teams (partnership_id, lower(name));

    create table users (
      partnership_id uuid not null references partnerships (id),
      id uuid not null default gen_random_uuid(),
      email text not null,
      display_name text not null,
      job_title text,
      organisation_id uuid not null,
      roles text[] not null default '{}',
      password_hash text,
      active boolean not null default true,
      deactivated_at timestamptz,
      failed_sign_ins integer not null default 0,
      locked_until timestamptz,
      last_sign_in_at timestamptz,
      version integer not null default 1,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (partnership_id, id),
      foreign key (partnership_id, organisation_id) references organisations (partnership_id, id)
    );
    -- Sign-in is by email alone, so an email names one account across the installation.
    create unique index users_email_unique on users (lower(email));
    create index users_organisation on users (partnership_id, organisation_id);

    -- An identity at an external provider (OpenID Connect) linked to an account.
    create table user_identities (
      partnership_id uuid not null,
      issuer text not null,
      subject text not null,
      user_id uuid not null,
      created_at timestamptz not null default now(),
      primary key (partnership_id, issuer, subject),
      foreign key (partnership_id, user_id) references users (partnership_id, id)
    );

    create table memberships (
      partnership_id uuid not null,
      id uuid not null default gen_random_uuid(),
      user_id uuid not null,
      team_id uuid not null,
      seconded boolean not null default false,
      part_time boolean not null default false,
      started_on date not null default current_date,
      ended_on date,
      created_at timestamptz not null default now(),
      primary key (partnership_id, id),
      foreign key (partnership_id, user_id) references users (partnership_id, id),
      foreign key (partnership_id, team_id) references teams (partnership_id, id)
    );
    create unique index memberships_current on memberships (partnership_id, user_id, team_id) where ended_on is null;
    create index memberships_team on memberships (partnership_id, team_id) where ended_on is null;

    create table sessions (
      token_hash text primary key,
      partnership_id uuid not null,
      user_id uuid not null,
      created_at timestamptz not null,
      last_seen_at timestamptz not null,
      expires_at timestamptz not null,
      foreign key (partnership_id, user_id) references users (partnership_id, id)
    );
    create index sessions_user on sessions (partnership_id, user_id);

    -- Append-only and hash-chained per partnership: each row's hash covers its content and the
    -- previous row's hash, so an edit or a gap anywhere shows when the chain is verified.
    create table audit_events (
      partnership_id uuid not null references partnerships (id),
      seq bigint not null,
      at timestamptz not null,
      actor_user_id uuid,
      actor_label text not null,
      action text not null,
      outcome text not null check (outcome in ('success', 'denied', 'failed')),
      subject_type text,
      subject_id text,
      request_id text not null,
      detail jsonb not null default '{}',
      prev_hash text not null,
      hash text not null,
      primary key (partnership_id, seq)
    );
    create index audit_events_subject on audit_events (partnership_id, subject_type, subject_id);
    create index audit_events_actor on audit_events (partnership_id, actor_user_id, at);

    -- Installation-wide values kept across restarts (the cookie-signing secret, the demo seed mark).
    create table instance_settings (
      key text primary key,
      value text not null,
      updated_at timestamptz not null default now()
    );
  `.execute(db);
}
