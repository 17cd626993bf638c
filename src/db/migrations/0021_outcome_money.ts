import { sql, type Kysely } from 'kysely';

/**
 * Money for outcome accounting: the partnership's funding partners, their budgets per financial year
 * (April to March, named by the year it starts in), each partner's contribution to a budget, and the
 * spend lines paid from a budget for a directory service and the outcomes it serves.
 *
 * - Amounts are whole pence (bigint), never floating point.
 * - A budget is `own` (one partner's budget for its own services), `aligned` (several partners'
 *   budgets managed to shared aims but accountable separately: a spend line names whose part paid)
 *   or `pooled` (one fund with contributions from several partners: spend is apportioned by share).
 * - Rows that two people can edit carry a `version`; rows made from a form carry the form's
 *   submission id, so a double click makes one row.
 * - Spend outcomes name an outcome framework's id and an outcome's code, as goals do.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table money_partners (
      partnership_id uuid not null references partnerships (id),
      id uuid not null default gen_random_uuid(),
      name text not null check (length(trim(name)) between 1 and 200),
      sector text not null check (sector in ('education', 'health', 'social_care', 'police', 'youth_justice',
        'housing', 'voluntary', 'other')),
      active boolean not null default true,
      version integer not null default 1,
      created_by uuid,
      created_at timestamptz not null,
      idempotency_key text,
      primary key (partnership_id, id),
      foreign key (partnership_id, created_by) references users (partnership_id, id)
    );
    create unique index money_partners_name on money_partners (partnership_id, lower(name));
    create unique index money_partners_idempotency on money_partners (partnership_id, idempotency_key)
      where idempotency_key is not null;

    create table money_budgets (
      partnership_id uuid not null references partnerships (id),
      id uuid not null default gen_random_uuid(),
      name text not null check (length(trim(name)) between 1 and 200),
      financial_year smallint not null check (financial_year between 2000 and 2100),
      kind text not null check (kind in ('own', 'aligned', 'pooled')),
      description text not null default '' check (length(description) <= 2000),
      version integer not null default 1,
      created_by uuid,
      created_at timestamptz not null,
      idempotency_key text,
      primary key (partnership_id, id),
      foreign key (partnership_id, created_by) references users (partnership_id, id)
    );
    create unique index money_budgets_name on money_budgets (partnership_id, financial_year, lower(name));
    create unique index money_budgets_idempotency on money_budgets (partnership_id, idempotency_key)
      where idempotency_key is not null;

    create table money_contributions (
      partnership_id uuid not null,
      budget_id uuid not null,
      partner_id uuid not null,
      amount_pence bigint not null check (amount_pence > 0),
      primary key (partnership_id, budget_id, partner_id),
      foreign key (partnership_id, budget_id) references money_budgets (partnership_id, id),
      foreign key (partnership_id, partner_id) references money_partners (partnership_id, id)
    );
    create index money_contributions_partner on money_contributions (partnership_id, partner_id);

    create table money_uploads (
      partnership_id uuid not null references partnerships (id),
      id uuid not null default gen_random_uuid(),
      file_name text not null check (length(file_name) <= 300),
      row_count integer not null check (row_count >= 0),
      uploaded_by uuid,
      uploaded_at timestamptz not null,
      idempotency_key text,
      primary key (partnership_id, id),
      foreign key (partnership_id, uploaded_by) references users (partnership_id, id)
    );
    create unique index money_uploads_idempotency on money_uploads (partnership_id, idempotency_key)
      where idempotency_key is not null;

    create table money_spend_lines (
      partnership_id uuid not null,
      id uuid not null default gen_random_uuid(),
      budget_id uuid not null,
      -- Whose part of an aligned budget paid; null for own and pooled budgets.
      partner_id uuid,
      service_id uuid not null,
      financial_year smallint not null check (financial_year between 2000 and 2100),
      -- 1 (April to June) to 4 (January to March); null for spend recorded for the whole year.
      quarter smallint check (quarter between 1 and 4),
      amount_pence bigint not null check (amount_pence > 0),
      description text not null default '' check (length(description) <= 500),
      upload_id uuid,
      version integer not null default 1,
      created_by uuid,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      idempotency_key text,
      primary key (partnership_id, id),
      foreign key (partnership_id, budget_id) references money_budgets (partnership_id, id),
      foreign key (partnership_id, partner_id) references money_partners (partnership_id, id),
      foreign key (partnership_id, service_id) references directory_services (partnership_id, id),
      foreign key (partnership_id, upload_id) references money_uploads (partnership_id, id),
      foreign key (partnership_id, created_by) references users (partnership_id, id)
    );
    create index money_spend_lines_year on money_spend_lines (partnership_id, financial_year, service_id);
    create index money_spend_lines_budget on money_spend_lines (partnership_id, budget_id);
    create unique index money_spend_lines_idempotency on money_spend_lines (partnership_id, idempotency_key)
      where idempotency_key is not null;

    create table money_spend_outcomes (
      partnership_id uuid not null,
      spend_id uuid not null,
      framework text not null check (framework ~ '^[a-z_]{1,40}$'),
      outcome_code text not null check (outcome_code ~ '^[a-z_]{1,60}$'),
      primary key (partnership_id, spend_id, framework, outcome_code),
      foreign key (partnership_id, spend_id) references money_spend_lines (partnership_id, id)
    );
  `.execute(db);

  // Row-level security as 0019 sets it for every partnership-scoped table.
  for (const name of [
    'money_partners',
    'money_budgets',
    'money_contributions',
    'money_uploads',
    'money_spend_lines',
    'money_spend_outcomes',
  ]) {
    const table = sql.table(name);
    await sql`alter table ${table} enable row level security`.execute(db);
    await sql`create policy partnership_only on ${table}
      using (partnership_id = current_setting('wraparound.partnership_id')::uuid)
      with check (partnership_id = current_setting('wraparound.partnership_id')::uuid)`.execute(db);
  }
}
