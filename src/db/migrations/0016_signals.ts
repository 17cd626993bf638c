import { sql, type Kysely } from 'kysely';

/**
 * Signals, alerts and flags. A signal is one small worry about a child, recorded by a practitioner
 * or arriving in an agency's data feed; rules (versioned data, one row per version) add signals up,
 * and a rule that holds raises one live alert per child, routed to the child's lead professional or
 * to the front door, until someone acts on it. Feed rows wait for their record link before they
 * become signals, so a row for a child not yet in the index is never dropped. Flags for unscheduled
 * care are derived from plans; each check of one is kept, and notifications carry news to a person.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table signal_settings (
      partnership_id uuid primary key references partnerships (id),
      council_name text not null default '' check (length(council_name) <= 200),
      office_hours_phone text not null default '' check (length(office_hours_phone) <= 40),
      out_of_hours_phone text not null default '' check (length(out_of_hours_phone) <= 40),
      escalation_hours integer not null default 24 check (escalation_hours between 1 and 336),
      attendance_threshold integer not null default 90 check (attendance_threshold between 50 and 100),
      notify_scheduled_care boolean not null default false,
      version integer not null default 1,
      updated_at timestamptz not null default now(),
      updated_by uuid
    );

    -- A rule is changed by saving a new version; alerts name the version that raised them.
    create table signal_rules (
      partnership_id uuid not null references partnerships (id),
      id uuid not null default gen_random_uuid(),
      key text not null check (key ~ '^[a-z0-9][a-z0-9-]{1,60}$'),
      version integer not null check (version >= 1),
      name text not null check (length(trim(name)) between 1 and 200),
      owner_user_id uuid not null,
      route text not null check (route in ('lead_professional_or_front_door', 'front_door')),
      conditions jsonb not null,
      fixtures jsonb not null,
      active boolean not null,
      created_at timestamptz not null,
      created_by uuid,
      primary key (partnership_id, id),
      foreign key (partnership_id, owner_user_id) references users (partnership_id, id)
    );
    create unique index signal_rules_version on signal_rules (partnership_id, key, version);

    create table signal_feed_events (
      partnership_id uuid not null,
      id uuid not null default gen_random_uuid(),
      import_id uuid not null,
      source_record_id uuid not null,
      feed_kind text not null,
      occurred_on date not null,
      measure double precision,
      detail jsonb not null default '{}',
      status text not null default 'awaiting_link'
        check (status in ('awaiting_link', 'signalled', 'no_signal')),
      person_id uuid,
      created_at timestamptz not null,
      primary key (partnership_id, id),
      foreign key (partnership_id, import_id) references person_imports (partnership_id, id),
      foreign key (partnership_id, source_record_id) references source_records (partnership_id, id),
      foreign key (partnership_id, person_id) references people (partnership_id, id)
    );
    create unique index signal_feed_events_record on signal_feed_events (partnership_id, source_record_id);
    create index signal_feed_events_waiting on signal_feed_events (partnership_id, created_at)
      where status = 'awaiting_link';
    -- A child's attendance the week before, to judge whether it is falling.
    create index signal_feed_events_person on signal_feed_events (partnership_id, person_id, feed_kind, occurred_on)
      where person_id is not null;

    create table signals (
      partnership_id uuid not null,
      id uuid not null default gen_random_uuid(),
      person_id uuid not null,
      category text not null check (category in ('neglect', 'physical_harm', 'emotional_harm',
        'sexual_harm', 'domestic_abuse', 'exploitation', 'going_missing', 'school_attendance',
        'health_needs_not_met', 'mental_health', 'substance_misuse', 'housing', 'parental_capacity',
        'other')),
      severity smallint not null check (severity between 1 and 4),
      description text not null check (length(trim(description)) between 1 and 4000),
      observed_on date not null,
      organisation_id uuid not null,
      data_type text not null,
      sensitivity text not null,
      source text not null check (source in ('practitioner', 'feed')),
      feed_event_id uuid,
      feed_kind text,
      measure double precision,
      idempotency_key text,
      recorded_by uuid,
      recorded_at timestamptz not null,
      primary key (partnership_id, id),
      foreign key (partnership_id, person_id) references people (partnership_id, id),
      foreign key (partnership_id, organisation_id) references organisations (partnership_id, id),
      foreign key (partnership_id, recorded_by) references users (partnership_id, id),
      foreign key (partnership_id, feed_event_id) references signal_feed_events (partnership_id, id),
      check ((source = 'feed') = (feed_event_id is not null))
    );
    create index signals_person on signals (partnership_id, person_id, observed_on desc);
    create unique index signals_idempotency on signals (partnership_id, recorded_by, idempotency_key)
      where idempotency_key is not null;
    create unique index signals_feed_event on signals (partnership_id, feed_event_id)
      where feed_event_id is not null;

    create table alerts (
      partnership_id uuid not null,
      id uuid not null default gen_random_uuid(),
      number bigint generated always as identity,
      person_id uuid not null,
      rule_id uuid not null,
      rule_key text not null,
      signal_ids jsonb not null,
      explanation text not null,
      routed_to text not null check (routed_to in ('lead_professional', 'front_door')),
      assigned_user_id uuid,
      plan_id uuid,
      status text not null default 'open' check (status in ('open', 'acknowledged', 'closed')),
      raised_at timestamptz not null,
      updated_at timestamptz not null,
      acknowledged_at timestamptz,
      acknowledged_by uuid,
      closed_at timestamptz,
      closed_by uuid,
      outcome text check (outcome in ('contact', 'plan', 'no_action')),
      outcome_note text,
      contact_id uuid,
      -- The involvement a front-door worker or manager took on when they picked the alert up.
      picked_up_involvement_id uuid,
      version integer not null default 1,
      primary key (partnership_id, id),
      foreign key (partnership_id, person_id) references people (partnership_id, id),
      foreign key (partnership_id, rule_id) references signal_rules (partnership_id, id),
      foreign key (partnership_id, assigned_user_id) references users (partnership_id, id),
      foreign key (partnership_id, plan_id) references plans (partnership_id, id),
      foreign key (partnership_id, contact_id) references contacts (partnership_id, id),
      check ((status = 'closed') = (outcome is not null and closed_at is not null)),
      check ((routed_to = 'lead_professional') = (assigned_user_id is not null))
    );
    -- One live alert per child and rule: a rule that holds again adds its signals to it.
    create unique index alerts_live on alerts (partnership_id, person_id, rule_key) where status <> 'closed';
    create index alerts_person on alerts (partnership_id, person_id, raised_at desc);
    create index alerts_inbox on alerts (partnership_id, routed_to, assigned_user_id, raised_at)
      where status <> 'closed';

    create table flag_checks (
      partnership_id uuid not null,
      id uuid not null default gen_random_uuid(),
      person_id uuid not null,
      checked_by uuid not null,
      organisation_id uuid not null,
      setting text not null check (setting in ('unscheduled', 'scheduled')),
      method text not null check (method in ('nhs_number', 'name_and_birth_date', 'fhir')),
      checked_at timestamptz not null,
      notified_user_id uuid,
      primary key (partnership_id, id),
      foreign key (partnership_id, person_id) references people (partnership_id, id),
      foreign key (partnership_id, checked_by) references users (partnership_id, id),
      foreign key (partnership_id, organisation_id) references organisations (partnership_id, id)
    );
    create index flag_checks_person on flag_checks (partnership_id, person_id, checked_at desc);

    -- News for one person (an alert, a flag check on their child, a police notification for the
    -- school's safeguarding lead), with the time by which they should have it.
    create table notifications (
      partnership_id uuid not null,
      id uuid not null default gen_random_uuid(),
      user_id uuid not null,
      kind text not null check (kind in ('alert', 'alert_escalated', 'flag_check', 'police_notification')),
      person_id uuid,
      message text not null,
      link text,
      created_at timestamptz not null,
      due_by timestamptz,
      read_at timestamptz,
      primary key (partnership_id, id),
      foreign key (partnership_id, user_id) references users (partnership_id, id),
      foreign key (partnership_id, person_id) references people (partnership_id, id)
    );
    create index notifications_unread on notifications (partnership_id, user_id, created_at desc)
      where read_at is null;
  `.execute(db);
}
