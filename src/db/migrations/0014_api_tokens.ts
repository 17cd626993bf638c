import { sql, type Kysely } from 'kysely';

/**
 * API tokens: another system (a school's own system, say) calls the JSON API as a named account,
 * with that account's roles and organisation. Only a hash of each token is stored: the token itself
 * is shown once, when it is issued. A token is revoked, never deleted, so the audit trail can name it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table api_tokens (
      partnership_id uuid not null,
      id uuid not null default gen_random_uuid(),
      user_id uuid not null,
      name text not null check (length(trim(name)) between 1 and 100),
      token_sha256 text not null check (token_sha256 ~ '^[0-9a-f]{64}$'),
      created_by uuid,
      created_at timestamptz not null,
      last_used_at timestamptz,
      revoked_at timestamptz,
      revoked_by uuid,
      primary key (partnership_id, id),
      foreign key (partnership_id, user_id) references users (partnership_id, id),
      foreign key (partnership_id, created_by) references users (partnership_id, id),
      foreign key (partnership_id, revoked_by) references users (partnership_id, id),
      check (revoked_by is null or revoked_at is not null)
    );
    create unique index api_tokens_token on api_tokens (token_sha256);
    create index api_tokens_user on api_tokens (partnership_id, user_id);
  `.execute(db);
}
