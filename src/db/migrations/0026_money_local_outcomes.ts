import { sql, type Kysely } from 'kysely';

/**
 * A spend line can serve an outcome of the partnership's own (local) frameworks, as a plan goal can:
 * the framework is then the local framework's uuid and the code its outcome's stable code (`o1`,
 * `o2`...; see 0025). The two column checks of 0021 allowed only national ids and codes (`england`,
 * `stay_safe`); one check on the pair takes their place, allowing a national id with a national code
 * or a uuid with a local code. Every row 0021 allowed passes it, so existing spend is kept as it is.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table money_spend_outcomes
      drop constraint money_spend_outcomes_framework_check,
      drop constraint money_spend_outcomes_outcome_code_check,
      add constraint money_spend_outcomes_outcome_check check (
        (framework ~ '^[a-z_]{1,40}$' and outcome_code ~ '^[a-z_]{1,60}$')
        or (framework ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
          and outcome_code ~ '^o[1-9][0-9]{0,5}$')
      );
  `.execute(db);
}
