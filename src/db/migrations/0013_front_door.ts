import { sql, type Kysely } from 'kysely';

/**
 * The front door: contacts about children with their history, requests to partner agencies for
 * information, the episodes a decision opens, idempotency keys for submissions, the contact centre's
 * enquiry log, and each partnership's timescales.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table front_door_settings (
      partnership_id uuid primary key references partnerships (id),
      calendar text not null default 'england-and-wales'
        check (calendar in ('england-and-wales', 'scotland', 'northern-ireland')),
      decision_working_days integer not null default 1 check (decision_working_days between 1 and 10),
      red_hours integer not null default 4 check (red_hours between 1 and 168),
      amber_hours integer not null default 24 check (amber_hours between 1 and 168),
      green_hours integer not null default 72 check (green_hours between 1 and 168),
      warning_hours integer not null default 2 check (warning_hours between 0 and 48),
      approval_outcomes text[] not null default '{no_further_action,strategy_discussion}',
      version integer not null default 1,
      updated_at timestamptz not null default now(),
      updated_by uuid
    );

    create table contacts (
      partnership_id uuid not null references partnerships (id),
      id uuid not null default gen_random_uuid(),
      number bigint generated always as identity,
      received_at timestamptz not null,
      recorded_at timestamptz not null,
      due_at timestamptz not null,
      channel text not null check (channel in
        ('phone', 'email', 'online_form', 'api', 'in_person', 'letter', 'police_notification')),
      source text not null check (source in ('1A', '1B', '1C', '1D', '2A', '2B', '3A', '3B', '3C', '3D', '3E',
        '3F', '4', '5A', '5B', '5C', '5D', '6', '7', '8', '9', '10')),
      referrer_user_id uuid,
      referrer_organisation_id uuid,
      referrer_name text check (length(referrer_name) between 1 and 200),
      referrer_role text check (length(referrer_role) between 1 and 200),
      referrer_phone text check (length(referrer_phone) between 1 and 40),
      referrer_email text check (length(referrer_email) between 3 and 254),
      person_id uuid,
      child_given_name text,
      child_family_name text,
      child_date_of_birth date,
      child_nhs_number text check (child_nhs_number ~ '^[0-9]{10}$'),
      child_upn text check (child_upn ~ '^[A-Z][0-9]{11}[0-9A-Z]$'),
      child_age_years integer check (child_age_years between 0 and 25),
      child_address text,
      child_postcode text,
      child_description text,
      locality_id uuid,
      worries text not null check (length(trim(worries)) > 0),
      actions_taken text,
      family_aware boolean not null,
      consent text not null check (consent in ('given', 'refused', 'not_sought')),
      consent_reason text,
      urgency text not null check (urgency in ('immediate', 'today', 'standard')),
      sector_answers jsonb not null default '{}',
      status text not null default 'new'
        check (status in ('new', 'in_triage', 'awaiting_approval', 'decided')),
      priority text check (priority in ('red', 'amber', 'green')),
      claimed_by uuid,
      claimed_at timestamptz,
      -- The holder's front-door involvement with the matched child, for the length of triage.
      involvement_id uuid,
      outcome text check (outcome in ('no_further_action', 'information_and_signposting', 'early_help',
        'statutory_assessment', 'strategy_discussion')),
      level_of_need text check (level_of_need in ('universal', 'additional', 'complex', 'acute')),
      decision_reason text,
      decided_by uuid,
      decided_at timestamptz,
      approved_by uuid,
      approved_at timestamptz,
      final_at timestamptz,
      re_referral boolean not null default false,
      referrer_told_at timestamptz,
      family_told_at timestamptz,
      family_not_told_reason text,
      version integer not null default 1,
      primary key (partnership_id, id),
      foreign key (partnership_id, referrer_user_id) references users (partnership_id, id),
      foreign key (partnership_id, referrer_organisation_id) references organisations (partnership_id, id),
      foreign key (partnership_id, person_id) references people (partnership_id, id),
      foreign key (partnership_id, locality_id) references localities (partnership_id, id),
      foreign key (partnership_id, claimed_by) references users (partnership_id, id),
      foreign key (partnership_id, decided_by) references users (partnership_id, id),
      foreign key (partnership_id, approved_by) references users (partnership_id, id),
      check (person_id is not null or child_family_name is not null or child_description is not null),
      check (consent = 'given' or consent_reason is not null),
      check (received_at <= recorded_at),
      check ((status = 'new') = (claimed_by is null)),
      check ((status = 'decided') = (final_at is not null)),
      check ((status in ('new', 'in_triage')) = (outcome is null))
    );
    create unique index contacts_number on contacts (partnership_id, number);
    create index contacts_open on contacts (partnership_id, due_at) where status <> 'decided';
    create index contacts_received on contacts (partnership_id, received_at);
    create index contacts_person on contacts (partnership_id, person_id, received_at) where person_id is not null;
    create index contacts_referrer on contacts (partnership_id, referrer_user_id, received_at)
      where referrer_user_id is not null;

    -- Append-only: every action on a contact, in order.
    create table contact_events (
      partnership_id uuid not null,
      id uuid not null default gen_random_uuid(),
      contact_id uuid not null,
      action text not null,
      at timestamptz not null,
      actor_user_id uuid,
      actor_label text not null,
      detail jsonb not null default '{}',
      primary key (partnership_id, id),
      foreign key (partnership_id, contact_id) references contacts (partnership_id, id),
      foreign key (partnership_id, actor_user_id) references users (partnership_id, id)
    );
    create index contact_events_contact on contact_events (partnership_id, contact_id, at);

    create table information_requests (
      partnership_id uuid not null,
      id uuid not null default gen_random_uuid(),
      contact_id uuid not null,
      organisation_id uuid not null,
      question text not null check (length(trim(question)) > 0),
      requested_by uuid not null,
      requested_at timestamptz not null,
      due_at timestamptz not null,
      status text not null default 'open' check (status in ('open', 'answered', 'withdrawn')),
      answer text,
      answered_by uuid,
      answered_at timestamptz,
      version integer not null default 1,
      primary key (partnership_id, id),
      foreign key (partnership_id, contact_id) references contacts (partnership_id, id),
      foreign key (partnership_id, organisation_id) references organisations (partnership_id, id),
      foreign key (partnership_id, requested_by) references users (partnership_id, id),
      foreign key (partnership_id, answered_by) references users (partnership_id, id),
      check ((status = 'answered') = (answer is not null))
    );
    create index information_requests_agency on information_requests (partnership_id, organisation_id, due_at)
      where status = 'open';
    create index information_requests_contact on information_requests (partnership_id, contact_id);

    -- Work a decision opens: early help awaiting a lead professional, an assessment with its clock.
    create table episodes (
      partnership_id uuid not null,
      id uuid not null default gen_random_uuid(),
      person_id uuid not null,
      contact_id uuid not null,
      kind text not null check (kind in ('early_help', 'statutory_assessment', 'strategy_discussion')),
      status text not null default 'awaiting_allocation'
        check (status in ('awaiting_allocation', 'open', 'closed')),
      opened_at timestamptz not null,
      due_on date,
      lead_professional_id uuid,
      version integer not null default 1,
      primary key (partnership_id, id),
      foreign key (partnership_id, person_id) references people (partnership_id, id),
      foreign key (partnership_id, contact_id) references contacts (partnership_id, id),
      foreign key (partnership_id, lead_professional_id) references users (partnership_id, id)
    );
    create unique index episodes_contact on episodes (partnership_id, contact_id);
    create index episodes_person on episodes (partnership_id, person_id);

    -- A submission's key and what it carried: the same key again returns the first result; the same
    -- key with a different body is refused.
    create table idempotency_keys (
      partnership_id uuid not null references partnerships (id),
      scope text not null,
      key text not null check (length(key) between 8 and 200),
      request_sha256 text not null,
      result_id uuid not null,
      created_at timestamptz not null,
      primary key (partnership_id, scope, key)
    );
    create index idempotency_keys_created on idempotency_keys (created_at);

    create table enquiries (
      partnership_id uuid not null references partnerships (id),
      id uuid not null default gen_random_uuid(),
      received_at timestamptz not null,
      channel text not null check (channel in ('phone', 'email', 'online_form', 'in_person', 'letter')),
      caller text not null check (caller in ('parent_or_carer', 'young_person', 'professional', 'public')),
      topic text not null,
      outcome text not null check (outcome in
        ('information_given', 'signposted', 'redirected_to_contact', 'redirected_elsewhere')),
      service_name text,
      notes text,
      locality_id uuid,
      recorded_by uuid not null,
      recorded_at timestamptz not null,
      primary key (partnership_id, id),
      foreign key (partnership_id, recorded_by) references users (partnership_id, id),
      foreign key (partnership_id, locality_id) references localities (partnership_id, id)
    );
    create index enquiries_received on enquiries (partnership_id, received_at);
  `.execute(db);
}
