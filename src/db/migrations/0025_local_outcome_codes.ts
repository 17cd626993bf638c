import { sql, type Kysely } from 'kysely';

/**
 * A local framework's outcomes get a stable code, so a plan goal can name one (as it names a national
 * outcome) and keep naming it while the administrator edits the list. Codes are `o1`, `o2`... in the
 * order outcomes were first listed, never reused within a framework; existing outcomes take `o` and
 * their position plus one.
 *
 * An outcome taken off the list is retired, not deleted: its position becomes null, so it is offered
 * for no new goal but the goals that name it keep its words. The key moves from the position to the
 * code; positions stay unique among the outcomes on the list, and labels unique (in any case) among
 * all of a framework's outcomes, so listing a retired outcome's words again brings it back.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table local_framework_outcomes add column code text;
    update local_framework_outcomes set code = 'o' || (position + 1);
    alter table local_framework_outcomes
      alter column code set not null,
      add constraint local_framework_outcomes_code_check check (code ~ '^o[1-9][0-9]{0,5}$'),
      drop constraint local_framework_outcomes_pkey,
      alter column position drop not null,
      add primary key (partnership_id, framework_id, code);
    create unique index local_framework_outcomes_position
      on local_framework_outcomes (partnership_id, framework_id, position);
    create unique index local_framework_outcomes_label
      on local_framework_outcomes (partnership_id, framework_id, lower(label));
  `.execute(db);
}
