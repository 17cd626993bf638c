import { sql, type Kysely } from 'kysely';

/**
 * One integrated assessment and one family plan. An assessment follows a versioned template (kept
 * as data in the code base) and is answered section by section by practitioners of any agency, each
 * save kept as an attributed contribution. A plan covers a family's children together: one lead
 * professional at a time (the handovers kept), a team around the family whose members hold an
 * involvement with each child while they serve, goals rated 0-10 over time, actions owned by a
 * practitioner, an agency or the family, and reviews on the plan kind's schedule. A family account
 * lets a parent, carer or young person see their own plan.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table plan_settings (
      partnership_id uuid primary key references partnerships (id),
      early_help_review_weeks integer not null default 8 check (early_help_review_weeks between 6 and 12),
      child_in_need_review_weeks integer not null default 8 check (child_in_need_review_weeks between 2 and 26),
      reminder_days integer not null default 7 check (reminder_days between 1 and 28),
      version integer not null default 1,
      updated_at timestamptz not null default now(),
      updated_by uuid
    );

    create table plans (
      partnership_id uuid not null references partnerships (id),
      id uuid not null default gen_random_uuid(),
      number bigint generated always as identity,
      kind text not null check (kind in ('early_help', 'child_in_need', 'child_protection', 'looked_after')),
      status text not null default 'open' check (status in ('open', 'closed')),
      family_name text not null check (length(trim(family_name)) between 1 and 200),
      worries text not null default '',
      strengths text not null default '',
      started_on date not null,
      closed_on date,
      close_reason text,
      lead_professional_id uuid not null,
      episode_id uuid,
      next_review_due date not null,
      created_at timestamptz not null,
      created_by uuid not null,
      updated_at timestamptz not null,
      updated_by uuid not null,
      version integer not null default 1,
      primary key (partnership_id, id),
      foreign key (partnership_id, lead_professional_id) references users (partnership_id, id),
      foreign key (partnership_id, episode_id) references episodes (partnership_id, id),
      check (closed_on is null or closed_on >= started_on),
      check ((status = 'closed') = (closed_on is not null))
    );
    create index plans_lead on plans (partnership_id, lead_professional_id) where status = 'open';
    create index plans_review_due on plans (partnership_id, next_review_due) where status = 'open';
    create unique index plans_episode on plans (partnership_id, episode_id) where episode_id is not null;

    -- A child is on at most one open plan: 'current' is cleared when the plan closes or they leave it.
    create table plan_children (
      partnership_id uuid not null,
      plan_id uuid not null,
      person_id uuid not null,
      added_on date not null,
      removed_on date,
      current boolean not null default true,
      primary key (partnership_id, plan_id, person_id),
      foreign key (partnership_id, plan_id) references plans (partnership_id, id),
      foreign key (partnership_id, person_id) references people (partnership_id, id)
    );
    create unique index plan_children_one_open_plan on plan_children (partnership_id, person_id) where current;

    -- Each stage of a plan: stepping up to a statutory plan or down to early help keeps the history.
    create table plan_stages (
      partnership_id uuid not null,
      id uuid not null default gen_random_uuid(),
      plan_id uuid not null,
      kind text not null check (kind in ('early_help', 'child_in_need', 'child_protection', 'looked_after')),
      started_on date not null,
      ended_on date,
      reason text not null check (length(trim(reason)) > 0),
      decided_by uuid not null,
      primary key (partnership_id, id),
      foreign key (partnership_id, plan_id) references plans (partnership_id, id),
      check (ended_on is null or ended_on >= started_on)
    );
    create index plan_stages_plan on plan_stages (partnership_id, plan_id);

    create table plan_leads (
      partnership_id uuid not null,
      id uuid not null default gen_random_uuid(),
      plan_id uuid not null,
      user_id uuid not null,
      started_at timestamptz not null,
      ended_at timestamptz,
      handover_note text,
      recorded_by uuid not null,
      primary key (partnership_id, id),
      foreign key (partnership_id, plan_id) references plans (partnership_id, id),
      foreign key (partnership_id, user_id) references users (partnership_id, id)
    );
    create unique index plan_leads_one_current on plan_leads (partnership_id, plan_id) where ended_at is null;

    create table plan_members (
      partnership_id uuid not null,
      id uuid not null default gen_random_uuid(),
      plan_id uuid not null,
      user_id uuid not null,
      organisation_id uuid not null,
      role text not null check (length(trim(role)) between 1 and 200),
      seconded boolean not null default false,
      commitment text not null default 'part_time' check (commitment in ('full_time', 'part_time')),
      joined_at timestamptz not null,
      left_at timestamptz,
      left_reason text,
      added_by uuid not null,
      primary key (partnership_id, id),
      foreign key (partnership_id, plan_id) references plans (partnership_id, id),
      foreign key (partnership_id, user_id) references users (partnership_id, id),
      foreign key (partnership_id, organisation_id) references organisations (partnership_id, id)
    );
    create unique index plan_members_current on plan_members (partnership_id, plan_id, user_id) where left_at is null;
    create index plan_members_user on plan_members (partnership_id, user_id) where left_at is null;

    -- The involvements a member holds because they are on the team; ended when they leave it.
    create table plan_member_involvements (
      partnership_id uuid not null,
      member_id uuid not null,
      involvement_id uuid not null,
      primary key (partnership_id, member_id, involvement_id),
      foreign key (partnership_id, member_id) references plan_members (partnership_id, id),
      foreign key (partnership_id, involvement_id) references involvements (partnership_id, id)
    );

    create table plan_goals (
      partnership_id uuid not null,
      id uuid not null default gen_random_uuid(),
      plan_id uuid not null,
      person_id uuid,
      title text not null check (length(trim(title)) between 1 and 500),
      outcome_framework text not null,
      outcome_code text not null,
      baseline smallint not null check (baseline between 0 and 10),
      baseline_on date not null,
      target smallint check (target between 0 and 10),
      status text not null default 'active' check (status in ('active', 'achieved', 'stopped')),
      for_family boolean not null default true,
      created_at timestamptz not null,
      created_by uuid not null,
      version integer not null default 1,
      primary key (partnership_id, id),
      foreign key (partnership_id, plan_id) references plans (partnership_id, id),
      foreign key (partnership_id, person_id) references people (partnership_id, id)
    );
    create index plan_goals_plan on plan_goals (partnership_id, plan_id);

    create table plan_reviews (
      partnership_id uuid not null,
      id uuid not null default gen_random_uuid(),
      plan_id uuid not null,
      held_on date not null,
      kind text not null check (kind in ('review', 'review_conference', 'core_group', 'looked_after_review')),
      attendance jsonb not null default '[]',
      family_views text not null default '',
      child_views text not null default '',
      decisions text not null check (length(trim(decisions)) > 0),
      next_review_due date,
      for_family boolean not null default true,
      recorded_at timestamptz not null,
      recorded_by uuid not null,
      primary key (partnership_id, id),
      foreign key (partnership_id, plan_id) references plans (partnership_id, id),
      check (next_review_due is null or next_review_due > held_on)
    );
    create index plan_reviews_plan on plan_reviews (partnership_id, plan_id, held_on);

    create table goal_ratings (
      partnership_id uuid not null,
      id uuid not null default gen_random_uuid(),
      goal_id uuid not null,
      rated_on date not null,
      score smallint not null check (score between 0 and 10),
      rater text not null check (rater in ('family', 'child', 'practitioner')),
      recorded_by uuid not null,
      note text not null default '',
      review_id uuid,
      recorded_at timestamptz not null,
      primary key (partnership_id, id),
      foreign key (partnership_id, goal_id) references plan_goals (partnership_id, id),
      foreign key (partnership_id, review_id) references plan_reviews (partnership_id, id)
    );
    create index goal_ratings_goal on goal_ratings (partnership_id, goal_id, rated_on);

    create table plan_actions (
      partnership_id uuid not null,
      id uuid not null default gen_random_uuid(),
      plan_id uuid not null,
      goal_id uuid,
      description text not null check (length(trim(description)) between 1 and 1000),
      owner_kind text not null check (owner_kind in ('practitioner', 'agency', 'family')),
      owner_user_id uuid,
      owner_organisation_id uuid,
      owner_family_member text,
      support_needed text not null default '',
      due_on date not null,
      status text not null default 'to_do' check (status in ('to_do', 'in_progress', 'done', 'dropped')),
      completed_at timestamptz,
      completed_by uuid,
      for_family boolean not null default true,
      created_at timestamptz not null,
      created_by uuid not null,
      updated_at timestamptz not null,
      updated_by uuid not null,
      version integer not null default 1,
      primary key (partnership_id, id),
      foreign key (partnership_id, plan_id) references plans (partnership_id, id),
      foreign key (partnership_id, goal_id) references plan_goals (partnership_id, id),
      foreign key (partnership_id, owner_user_id) references users (partnership_id, id),
      foreign key (partnership_id, owner_organisation_id) references organisations (partnership_id, id),
      check (
        (owner_kind = 'practitioner' and owner_user_id is not null) or
        (owner_kind = 'agency' and owner_organisation_id is not null) or
        (owner_kind = 'family' and length(trim(coalesce(owner_family_member, ''))) > 0)
      ),
      check ((status = 'done') = (completed_at is not null))
    );
    create index plan_actions_plan on plan_actions (partnership_id, plan_id, due_on);
    create index plan_actions_owner on plan_actions (partnership_id, owner_user_id)
      where status in ('to_do', 'in_progress');

    create table plan_comments (
      partnership_id uuid not null,
      id uuid not null default gen_random_uuid(),
      plan_id uuid not null,
      author_id uuid not null,
      from_family boolean not null,
      body text not null check (length(trim(body)) between 1 and 5000),
      for_family boolean not null default true,
      created_at timestamptz not null,
      primary key (partnership_id, id),
      foreign key (partnership_id, plan_id) references plans (partnership_id, id),
      foreign key (partnership_id, author_id) references users (partnership_id, id)
    );
    create index plan_comments_plan on plan_comments (partnership_id, plan_id, created_at);

    -- What changed on a plan, by whom: the plan's history and the merge view after a conflict.
    create table plan_events (
      partnership_id uuid not null,
      id uuid not null default gen_random_uuid(),
      plan_id uuid not null,
      action text not null,
      at timestamptz not null,
      actor_user_id uuid,
      actor_label text not null,
      detail jsonb not null default '{}',
      primary key (partnership_id, id),
      foreign key (partnership_id, plan_id) references plans (partnership_id, id)
    );
    create index plan_events_plan on plan_events (partnership_id, plan_id, at);

    -- A parent's, carer's or young person's sign-in to their own family's plan.
    create table family_accounts (
      partnership_id uuid not null,
      id uuid not null default gen_random_uuid(),
      plan_id uuid not null,
      user_id uuid not null,
      person_id uuid,
      relationship text not null check (relationship in ('parent', 'carer', 'young_person')),
      language text not null default 'en' check (language in ('en', 'cy')),
      -- A code shown once to the practitioner who makes the account; the family member uses it to
      -- choose their password. Only its hash is kept, and it is cleared once used.
      activation_sha256 text,
      activation_expires_at timestamptz,
      granted_at timestamptz not null,
      granted_by uuid not null,
      revoked_at timestamptz,
      revoked_by uuid,
      primary key (partnership_id, id),
      foreign key (partnership_id, plan_id) references plans (partnership_id, id),
      foreign key (partnership_id, user_id) references users (partnership_id, id),
      foreign key (partnership_id, person_id) references people (partnership_id, id)
    );
    create unique index family_accounts_current on family_accounts (partnership_id, user_id) where revoked_at is null;
    create index family_accounts_plan on family_accounts (partnership_id, plan_id);

    create table assessments (
      partnership_id uuid not null references partnerships (id),
      id uuid not null default gen_random_uuid(),
      number bigint generated always as identity,
      person_id uuid not null,
      plan_id uuid,
      episode_id uuid,
      template_id text not null,
      template_version integer not null,
      status text not null default 'draft' check (status in ('draft', 'finished')),
      started_at timestamptz not null,
      started_by uuid not null,
      finished_at timestamptz,
      finished_by uuid,
      outcome text check (outcome in ('no_further_action', 'needs_met', 'referral_onward')),
      outcome_reason text,
      onward_contact_id uuid,
      family_summary text not null default '',
      updated_at timestamptz not null,
      version integer not null default 1,
      primary key (partnership_id, id),
      foreign key (partnership_id, person_id) references people (partnership_id, id),
      foreign key (partnership_id, plan_id) references plans (partnership_id, id),
      foreign key (partnership_id, episode_id) references episodes (partnership_id, id),
      foreign key (partnership_id, onward_contact_id) references contacts (partnership_id, id),
      check ((status = 'finished') = (outcome is not null and finished_at is not null)),
      check ((outcome = 'referral_onward') = (onward_contact_id is not null))
    );
    create index assessments_person on assessments (partnership_id, person_id);
    create index assessments_drafts on assessments (partnership_id, started_by) where status = 'draft';

    -- Each section's current answers; 'not_recorded_reason' when the child's or parents' views
    -- could not be gathered.
    create table assessment_sections (
      partnership_id uuid not null,
      assessment_id uuid not null,
      section_id text not null,
      answers jsonb not null default '{}',
      not_recorded_reason text,
      updated_at timestamptz not null,
      updated_by uuid not null,
      version integer not null default 1,
      primary key (partnership_id, assessment_id, section_id),
      foreign key (partnership_id, assessment_id) references assessments (partnership_id, id)
    );

    -- Every save of a section, attributed: the assessment's change history and who contributed.
    create table assessment_contributions (
      partnership_id uuid not null,
      id uuid not null default gen_random_uuid(),
      assessment_id uuid not null,
      section_id text not null,
      user_id uuid not null,
      organisation_id uuid not null,
      at timestamptz not null,
      answers jsonb not null,
      not_recorded_reason text,
      primary key (partnership_id, id),
      foreign key (partnership_id, assessment_id) references assessments (partnership_id, id),
      foreign key (partnership_id, user_id) references users (partnership_id, id)
    );
    create index assessment_contributions_assessment
      on assessment_contributions (partnership_id, assessment_id, at);
  `.execute(db);
}
