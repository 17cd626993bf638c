import { sql, type Kysely } from 'kysely';

/**
 * The flag check finds a child's plans, past ones included (a plan that ended within the last 12
 * months still shows): plan_children was indexed by person only for current rows, so a lookup of
 * ended ones scanned the partnership's rows.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index plan_children_person on plan_children (partnership_id, person_id)`.execute(db);
}
