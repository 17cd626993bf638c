import { sql, type Kysely } from 'kysely';

/**
 * Outcomes: the precomputed monthly figures that the indicator dashboards read, the aggregate
 * figures imported from published sources, and the partnership's targets.
 *
 * - measure_months: one count per measure, locality and calendar month, computed by the modules that
 *   own the data (`*.measures.ts`) and refreshed incrementally: only the months whose source rows
 *   changed since the last refresh are worked out again (measure_refresh_state keeps how far each
 *   source has been read). A null locality is a record whose locality is not known.
 * - indicator_values: figures for an indicator, a locality (null: the whole area) and a period, loaded
 *   from published statistics (low birth weight, immunisation, attendance...).
 * - indicator_targets: the value the partnership aims for by a date.
 * - outcome_review_notes: the analysts' commentary on an indicator in a year's outcome review.
 * - local_frameworks, local_framework_outcomes: outcome frameworks a partnership defines itself,
 *   each outcome naming the indicators that tell about it (the national ones are in code).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table measure_months (
      partnership_id uuid not null references partnerships (id),
      id bigint generated always as identity,
      measure text not null check (measure ~ '^[a-z_]+\.[a-z_]+$'),
      locality_id uuid,
      month date not null check (extract(day from month) = 1),
      value bigint not null check (value >= 0),
      primary key (partnership_id, id),
      foreign key (partnership_id, locality_id) references localities (partnership_id, id),
      unique nulls not distinct (partnership_id, measure, month, locality_id)
    );
    create table measure_refresh_state (
      partnership_id uuid not null references partnerships (id),
      source text not null,
      read_to timestamptz not null,
      refreshed_at timestamptz not null,
      primary key (partnership_id, source)
    );
    create table indicator_values (
      partnership_id uuid not null references partnerships (id),
      id uuid not null default gen_random_uuid(),
      indicator_code text not null check (indicator_code ~ '^[a-z][a-z0-9_]{1,62}$'),
      locality_id uuid,
      period_start date not null,
      period_end date not null,
      numerator numeric check (numerator >= 0),
      denominator numeric check (denominator > 0),
      value numeric not null,
      source_note text not null default '' check (length(source_note) <= 500),
      imported_at timestamptz not null,
      imported_by uuid not null,
      primary key (partnership_id, id),
      foreign key (partnership_id, locality_id) references localities (partnership_id, id),
      foreign key (partnership_id, imported_by) references users (partnership_id, id),
      unique nulls not distinct (partnership_id, indicator_code, period_start, locality_id),
      check (period_end >= period_start)
    );
    create table indicator_targets (
      partnership_id uuid not null references partnerships (id),
      indicator_code text not null check (indicator_code ~ '^[a-z][a-z0-9_]{1,62}$'),
      target numeric not null,
      target_by date not null,
      set_by uuid not null,
      set_at timestamptz not null,
      version integer not null default 1,
      primary key (partnership_id, indicator_code),
      foreign key (partnership_id, set_by) references users (partnership_id, id)
    );
    create table outcome_review_notes (
      partnership_id uuid not null references partnerships (id),
      year integer not null check (year between 2000 and 2100),
      indicator_code text not null check (indicator_code ~ '^[a-z][a-z0-9_]{1,62}$'),
      commentary text not null check (length(commentary) <= 4000),
      written_by uuid not null,
      written_at timestamptz not null,
      version integer not null default 1,
      primary key (partnership_id, year, indicator_code),
      foreign key (partnership_id, written_by) references users (partnership_id, id)
    );
    create table local_frameworks (
      partnership_id uuid not null references partnerships (id),
      id uuid not null default gen_random_uuid(),
      name text not null check (length(trim(name)) between 1 and 120),
      description text not null default '' check (length(description) <= 2000),
      created_by uuid not null,
      updated_at timestamptz not null,
      version integer not null default 1,
      primary key (partnership_id, id),
      foreign key (partnership_id, created_by) references users (partnership_id, id)
    );
    create unique index local_frameworks_name on local_frameworks (partnership_id, lower(name));
    create table local_framework_outcomes (
      partnership_id uuid not null,
      framework_id uuid not null,
      position integer not null check (position >= 0),
      label text not null check (length(trim(label)) between 1 and 200),
      indicator_codes text[] not null default '{}',
      primary key (partnership_id, framework_id, position),
      foreign key (partnership_id, framework_id) references local_frameworks (partnership_id, id)
    );
    -- The outcome measures find what changed since their last read by these times (see *.measures.ts).
    create index contacts_final on contacts (partnership_id, final_at) where final_at is not null;
    create index plans_updated on plans (partnership_id, updated_at);
    create index goal_ratings_recorded on goal_ratings (partnership_id, recorded_at);
    create index people_updated on people (partnership_id, updated_at);
    create index people_born on people (partnership_id, date_of_birth);
    create index plan_reviews_recorded on plan_reviews (partnership_id, recorded_at);
    create index signals_recorded on signals (partnership_id, recorded_at);
    create index alerts_raised on alerts (partnership_id, raised_at);
  `.execute(db);
  for (const table of [
    'measure_months',
    'measure_refresh_state',
    'indicator_values',
    'indicator_targets',
    'outcome_review_notes',
    'local_frameworks',
    'local_framework_outcomes',
  ]) {
    await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
    await sql`create policy partnership_only on ${sql.table(table)}
      using (partnership_id = current_setting('wraparound.partnership_id')::uuid)
      with check (partnership_id = current_setting('wraparound.partnership_id')::uuid)`.execute(db);
  }
}
