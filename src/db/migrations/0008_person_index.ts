import { sql, type Kysely } from 'kysely';

/**
 * The person index's sources: each agency feed, every record it sent (kept as received, never
 * overwritten), the identifiers in it, the imports that brought them, and the links from records to
 * index people with score, status, decider and time. Links are closed, never deleted, so that an
 * unlink restores the earlier state and both stay on record.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table record_sources (
      partnership_id uuid not null references partnerships (id),
      id uuid not null default gen_random_uuid(),
      code text not null check (code ~ '^[a-z0-9][a-z0-9-]{1,40}$'),
      name text not null check (length(trim(name)) > 0),
      kind text not null check (kind in
        ('school_roll', 'gp_registrations', 'social_care', 'police', 'health', 'housing', 'other')),
      organisation_id uuid not null,
      created_at timestamptz not null default now(),
      primary key (partnership_id, id),
      foreign key (partnership_id, organisation_id) references organisations (partnership_id, id)
    );
    create unique index record_sources_code on record_sources (partnership_id, code);

    create table person_imports (
      partnership_id uuid not null,
      id uuid not null default gen_random_uuid(),
      source_id uuid not null,
      file_name text not null,
      file_sha256 text not null,
      started_by uuid,
      started_at timestamptz not null,
      finished_at timestamptz,
      status text not null default 'running' check (status in ('running', 'finished', 'failed')),
      rows_read integer not null default 0,
      rows_rejected integer not null default 0,
      records_new integer not null default 0,
      records_unchanged integer not null default 0,
      auto_linked integer not null default 0,
      for_review integer not null default 0,
      new_people integer not null default 0,
      rejects jsonb not null default '[]',
      error text,
      primary key (partnership_id, id),
      foreign key (partnership_id, source_id) references record_sources (partnership_id, id),
      foreign key (partnership_id, started_by) references users (partnership_id, id)
    );
    create index person_imports_started on person_imports (partnership_id, started_at desc);

    -- One row per version of an agency's record: a changed record arrives as a new row with the same
    -- local id; re-sending the same content finds the row already there.
    create table source_records (
      partnership_id uuid not null,
      id uuid not null default gen_random_uuid(),
      source_id uuid not null,
      local_id text not null check (length(local_id) between 1 and 200),
      content_sha256 text not null,
      received jsonb not null,
      fields jsonb not null,
      import_id uuid,
      line_number integer,
      received_at timestamptz not null,
      primary key (partnership_id, id),
      foreign key (partnership_id, source_id) references record_sources (partnership_id, id),
      foreign key (partnership_id, import_id) references person_imports (partnership_id, id)
    );
    create unique index source_records_content
      on source_records (partnership_id, source_id, local_id, content_sha256);

    create table source_record_identifiers (
      partnership_id uuid not null,
      system text not null,
      value text not null,
      source_record_id uuid not null,
      primary key (partnership_id, system, value, source_record_id),
      foreign key (partnership_id, source_record_id) references source_records (partnership_id, id)
    );

    create table record_links (
      partnership_id uuid not null,
      id uuid not null default gen_random_uuid(),
      source_record_id uuid not null,
      person_id uuid not null,
      status text not null check (status in ('auto_linked', 'confirmed', 'rejected', 'pending_review')),
      probability double precision check (probability between 0 and 1),
      explanation jsonb,
      created_person boolean not null default false,
      needs_information boolean not null default false,
      decided_by uuid,
      decided_at timestamptz,
      decision_note text,
      ended_at timestamptz,
      ended_by uuid,
      end_reason text,
      version integer not null default 1,
      created_at timestamptz not null default now(),
      primary key (partnership_id, id),
      foreign key (partnership_id, source_record_id) references source_records (partnership_id, id),
      foreign key (partnership_id, person_id) references people (partnership_id, id),
      foreign key (partnership_id, decided_by) references users (partnership_id, id),
      foreign key (partnership_id, ended_by) references users (partnership_id, id),
      check ((ended_at is null) = (end_reason is null))
    );
    -- A record belongs to one person at a time.
    create unique index record_links_current on record_links (partnership_id, source_record_id)
      where status in ('auto_linked', 'confirmed') and ended_at is null;
    -- A pair found not to be the same person is never proposed again.
    create unique index record_links_rejected on record_links (partnership_id, source_record_id, person_id)
      where status = 'rejected';
    create index record_links_person on record_links (partnership_id, person_id) where ended_at is null;
    create index record_links_review on record_links (partnership_id, created_at)
      where status = 'pending_review' and ended_at is null;
  `.execute(db);
}
