import { sql, type Kysely } from 'kysely';

/**
 * Two-factor sign-in: an account's TOTP secret and the last time step it accepted (so a code works
 * once), the hashes of its one-time recovery codes, and the short-lived state between a correct
 * password (or an OpenID Connect sign-in) and the second factor. A challenge is never a session: it
 * lives in its own table and only the second factor turns it into one.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table user_two_factor (
      partnership_id uuid not null,
      user_id uuid not null,
      secret text not null,
      last_used_step bigint,
      enrolled_at timestamptz not null,
      primary key (partnership_id, user_id),
      foreign key (partnership_id, user_id) references users (partnership_id, id)
    );

    create table two_factor_recovery_codes (
      partnership_id uuid not null,
      user_id uuid not null,
      code_hash text not null,
      created_at timestamptz not null,
      used_at timestamptz,
      primary key (partnership_id, user_id, code_hash),
      foreign key (partnership_id, user_id) references users (partnership_id, id)
    );

    create table sign_in_challenges (
      partnership_id uuid not null,
      token_hash text not null,
      user_id uuid not null,
      purpose text not null check (purpose in ('sign-in', 'account')),
      method text check (method in ('password', 'oidc')),
      pending_secret text,
      created_at timestamptz not null,
      expires_at timestamptz not null,
      primary key (partnership_id, token_hash),
      foreign key (partnership_id, user_id) references users (partnership_id, id)
    );
    create unique index sign_in_challenges_token on sign_in_challenges (token_hash);
    create index sign_in_challenges_user on sign_in_challenges (partnership_id, user_id);
  `.execute(db);
}
