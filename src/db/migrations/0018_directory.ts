import { sql, type Kysely } from 'kysely';

/**
 * The directory of services (Open Referral UK, a profile of HSDS 3.0): organisations, services,
 * locations and the services offered at them, taxonomies and their terms, cost options, schedules and
 * contacts. Ids are UUIDs as HSDS requires, scoped by partnership like every other row, so an imported
 * feed keeps its own ids and a rerun updates rather than duplicates.
 *
 * Search columns (ages, free or paid, ways in, languages, mainstream or specialist) live on the service
 * row so one indexed query answers the public search; distance uses earthdistance over the location's
 * coordinates, which come from the postcode table (reference data shared by every partnership).
 *
 * Signposts and professional referrals to a service are a child's personal data and sit behind the
 * access gate like the rest of the child's record.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create extension if not exists cube;
    create extension if not exists earthdistance;

    -- Reference data: postcodes, outward codes and place names with their centre. Not per partnership.
    create table geo_places (
      key text primary key check (key = upper(key)),
      kind text not null check (kind in ('postcode', 'outcode', 'place')),
      label text not null,
      latitude double precision not null check (latitude between -90 and 90),
      longitude double precision not null check (longitude between -180 and 180)
    );

    create table directory_organizations (
      partnership_id uuid not null references partnerships (id),
      id uuid not null default gen_random_uuid(),
      name text not null check (length(trim(name)) between 1 and 200),
      description text not null default '' check (length(description) <= 4000),
      email text check (length(email) <= 200),
      url text check (length(url) <= 500),
      phone text check (length(phone) <= 40),
      -- The partnership's agency that runs this organisation's entries, when it is one of them: its
      -- directory editors keep the entries current and its staff answer referrals.
      agency_organisation_id uuid,
      last_modified timestamptz not null,
      primary key (partnership_id, id),
      foreign key (partnership_id, agency_organisation_id) references organisations (partnership_id, id)
    );
    create index directory_organizations_agency on directory_organizations (partnership_id, agency_organisation_id)
      where agency_organisation_id is not null;

    create table directory_taxonomies (
      partnership_id uuid not null references partnerships (id),
      id uuid not null default gen_random_uuid(),
      name text not null check (length(trim(name)) between 1 and 200),
      description text not null default '',
      uri text,
      version text,
      primary key (partnership_id, id)
    );

    create table directory_taxonomy_terms (
      partnership_id uuid not null,
      id uuid not null default gen_random_uuid(),
      taxonomy_id uuid not null,
      code text not null check (code ~ '^[a-z0-9][a-z0-9-]{0,80}$'),
      name text not null check (length(trim(name)) between 1 and 200),
      description text not null default '',
      parent_id uuid,
      term_uri text,
      primary key (partnership_id, id),
      foreign key (partnership_id, taxonomy_id) references directory_taxonomies (partnership_id, id),
      foreign key (partnership_id, parent_id) references directory_taxonomy_terms (partnership_id, id)
    );
    create unique index directory_taxonomy_terms_code on directory_taxonomy_terms (partnership_id, taxonomy_id, code);

    create table directory_services (
      partnership_id uuid not null,
      id uuid not null default gen_random_uuid(),
      organization_id uuid not null,
      name text not null check (length(trim(name)) between 1 and 200),
      description text not null check (length(trim(description)) between 1 and 4000),
      url text check (length(url) <= 500),
      email text check (length(email) <= 200),
      status text not null default 'active'
        check (status in ('active', 'inactive', 'defunct', 'temporarily closed')),
      minimum_age smallint check (minimum_age between 0 and 25),
      maximum_age smallint check (maximum_age between 0 and 120),
      eligibility_description text not null default '' check (length(eligibility_description) <= 2000),
      fees_description text not null default '' check (length(fees_description) <= 1000),
      free boolean not null default true,
      -- How a family gets in: any of drop_in, self_referral, professional_referral.
      access_routes text[] not null default '{}'
        check (access_routes <@ array['drop_in', 'self_referral', 'professional_referral']::text[]),
      -- ISO 639-1 codes of the languages the service is offered in.
      languages text[] not null default '{en}',
      specialist boolean not null default false,
      -- Whether any of its places has coordinates: a service with none (phone, online) serves the whole area.
      located boolean not null default false,
      -- Published by the provider: whether they can take more families now, and the typical wait.
      capacity text check (capacity in ('available', 'limited', 'full')),
      wait_weeks smallint check (wait_weeks between 0 and 104),
      capacity_updated_at timestamptz,
      -- When an editor last confirmed the entry is right (HSDS assured_date), and who.
      assured_date date not null,
      assured_by uuid,
      last_modified timestamptz not null,
      version integer not null default 1,
      search_text tsvector generated always as
        (to_tsvector('english', name || ' ' || description || ' ' || eligibility_description)) stored,
      primary key (partnership_id, id),
      foreign key (partnership_id, organization_id) references directory_organizations (partnership_id, id),
      foreign key (partnership_id, assured_by) references users (partnership_id, id),
      check (minimum_age is null or maximum_age is null or minimum_age <= maximum_age)
    );
    create index directory_services_organization on directory_services (partnership_id, organization_id);
    create index directory_services_search on directory_services using gin (search_text);
    -- The search's filters and its order by name, without reading the wide rows (index-only scans).
    create index directory_services_filters on directory_services (partnership_id, name, id)
      include (status, minimum_age, maximum_age, free, specialist, located, access_routes, languages);
    create index directory_services_review on directory_services (partnership_id, assured_date)
      where status = 'active';

    -- HSDS attribute rows that tag a service with taxonomy terms.
    create table directory_service_terms (
      partnership_id uuid not null,
      service_id uuid not null,
      taxonomy_term_id uuid not null,
      primary key (partnership_id, service_id, taxonomy_term_id),
      foreign key (partnership_id, service_id) references directory_services (partnership_id, id),
      foreign key (partnership_id, taxonomy_term_id) references directory_taxonomy_terms (partnership_id, id)
    );
    create index directory_service_terms_term on directory_service_terms (partnership_id, taxonomy_term_id, service_id);

    create table directory_locations (
      partnership_id uuid not null,
      id uuid not null default gen_random_uuid(),
      organization_id uuid,
      name text not null default '' check (length(name) <= 200),
      description text not null default '',
      location_type text not null default 'physical' check (location_type in ('physical', 'postal', 'virtual')),
      address_line1 text not null default '' check (length(address_line1) <= 200),
      city text not null default '' check (length(city) <= 100),
      postal_code text not null default '' check (length(postal_code) <= 10),
      latitude double precision check (latitude between -90 and 90),
      longitude double precision check (longitude between -180 and 180),
      primary key (partnership_id, id),
      foreign key (partnership_id, organization_id) references directory_organizations (partnership_id, id),
      check ((latitude is null) = (longitude is null))
    );
    create index directory_locations_earth on directory_locations using gist (ll_to_earth(latitude, longitude))
      where latitude is not null;

    create table directory_service_at_locations (
      partnership_id uuid not null,
      id uuid not null default gen_random_uuid(),
      service_id uuid not null,
      location_id uuid not null,
      primary key (partnership_id, id),
      foreign key (partnership_id, service_id) references directory_services (partnership_id, id),
      foreign key (partnership_id, location_id) references directory_locations (partnership_id, id)
    );
    create unique index directory_service_at_locations_pair
      on directory_service_at_locations (partnership_id, service_id, location_id);
    create index directory_service_at_locations_location
      on directory_service_at_locations (partnership_id, location_id);

    -- When a service runs, iCal-style as HSDS 3.0 has it.
    create table directory_schedules (
      partnership_id uuid not null,
      id uuid not null default gen_random_uuid(),
      service_id uuid not null,
      freq text not null default 'WEEKLY' check (freq in ('WEEKLY', 'MONTHLY')),
      byday text not null default '' check (byday ~ '^((MO|TU|WE|TH|FR|SA|SU)(,(MO|TU|WE|TH|FR|SA|SU))*)?$'),
      opens_at time,
      closes_at time,
      valid_from date,
      valid_to date,
      description text not null default '' check (length(description) <= 500),
      primary key (partnership_id, id),
      foreign key (partnership_id, service_id) references directory_services (partnership_id, id),
      check (opens_at is null or closes_at is null or opens_at < closes_at),
      check (valid_from is null or valid_to is null or valid_from <= valid_to)
    );
    create index directory_schedules_service on directory_schedules (partnership_id, service_id);

    create table directory_cost_options (
      partnership_id uuid not null,
      id uuid not null default gen_random_uuid(),
      service_id uuid not null,
      option text not null default '' check (length(option) <= 200),
      amount numeric(10, 2) check (amount >= 0),
      currency text not null default 'GBP' check (currency ~ '^[A-Z]{3}$'),
      amount_description text not null default '' check (length(amount_description) <= 500),
      primary key (partnership_id, id),
      foreign key (partnership_id, service_id) references directory_services (partnership_id, id)
    );
    create index directory_cost_options_service on directory_cost_options (partnership_id, service_id);

    create table directory_contacts (
      partnership_id uuid not null,
      id uuid not null default gen_random_uuid(),
      service_id uuid not null,
      name text not null default '' check (length(name) <= 200),
      title text not null default '' check (length(title) <= 200),
      email text check (length(email) <= 200),
      phone text check (length(phone) <= 40),
      primary key (partnership_id, id),
      foreign key (partnership_id, service_id) references directory_services (partnership_id, id)
    );
    create index directory_contacts_service on directory_contacts (partnership_id, service_id);

    -- What a practitioner suggested to a family, and later whether they took it up.
    create table directory_signposts (
      partnership_id uuid not null,
      id uuid not null default gen_random_uuid(),
      person_id uuid not null,
      service_id uuid not null,
      note text not null default '' check (length(note) <= 2000),
      contact_id uuid,
      taken_up text not null default 'not_known' check (taken_up in ('not_known', 'yes', 'no')),
      taken_up_recorded_at timestamptz,
      taken_up_recorded_by uuid,
      suggested_by uuid not null,
      suggested_at timestamptz not null,
      organisation_id uuid not null,
      idempotency_key text,
      version integer not null default 1,
      primary key (partnership_id, id),
      foreign key (partnership_id, person_id) references people (partnership_id, id),
      foreign key (partnership_id, service_id) references directory_services (partnership_id, id),
      foreign key (partnership_id, contact_id) references contacts (partnership_id, id),
      foreign key (partnership_id, suggested_by) references users (partnership_id, id),
      foreign key (partnership_id, organisation_id) references organisations (partnership_id, id)
    );
    create index directory_signposts_person on directory_signposts (partnership_id, person_id, suggested_at desc);
    create unique index directory_signposts_idempotency on directory_signposts (partnership_id, suggested_by, idempotency_key)
      where idempotency_key is not null;

    -- A practitioner's referral of a child to a service that takes professional referrals.
    create table directory_referrals (
      partnership_id uuid not null,
      id uuid not null default gen_random_uuid(),
      number bigint generated always as identity,
      service_id uuid not null,
      person_id uuid not null,
      reason text not null check (length(trim(reason)) between 1 and 4000),
      family_consent boolean not null,
      status text not null default 'sent' check (status in ('sent', 'accepted', 'declined', 'withdrawn')),
      decision_reason text check (length(decision_reason) <= 2000),
      decided_by uuid,
      decided_at timestamptz,
      referred_by uuid not null,
      referred_at timestamptz not null,
      organisation_id uuid not null,
      idempotency_key text not null,
      request_hash text not null,
      version integer not null default 1,
      primary key (partnership_id, id),
      foreign key (partnership_id, service_id) references directory_services (partnership_id, id),
      foreign key (partnership_id, person_id) references people (partnership_id, id),
      foreign key (partnership_id, referred_by) references users (partnership_id, id),
      foreign key (partnership_id, decided_by) references users (partnership_id, id),
      foreign key (partnership_id, organisation_id) references organisations (partnership_id, id),
      check (status <> 'declined' or length(trim(coalesce(decision_reason, ''))) > 0)
    );
    create index directory_referrals_service on directory_referrals (partnership_id, service_id, status);
    create index directory_referrals_person on directory_referrals (partnership_id, person_id);
    create unique index directory_referrals_idempotency on directory_referrals (partnership_id, referred_by, idempotency_key);

    -- The contact centre's log can name the directory entry it pointed a caller to.
    alter table enquiries add column directory_service_id uuid;
    alter table enquiries add foreign key (partnership_id, directory_service_id)
      references directory_services (partnership_id, id);

    alter table notifications drop constraint notifications_kind_check;
    alter table notifications add constraint notifications_kind_check check (kind in ('alert', 'alert_escalated',
      'flag_check', 'police_notification', 'directory_referral', 'directory_referral_decided',
      'directory_review_due'));
  `.execute(db);
}
