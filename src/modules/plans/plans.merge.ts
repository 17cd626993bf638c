import { sql } from 'kysely';
import { ConflictError } from '../../common/errors.ts';
import type { Db, Tx } from '../../db/database.ts';

/**
 * Safe concurrent editing of a plan's text: when a save finds the plan moved on from the version the
 * editor loaded, the fields someone else saved since are looked up in the plan's history and offered
 * beside the editor's own text, so they merge by hand and nothing is silently overwritten. Any edit
 * of a plan whose events record `{ version, changes: { field: value } }` (the version the change
 * made, and each changed field's new text) can use it.
 */

/** What someone else saved in one field since the editor loaded the page. */
export type FieldChange = { field: string; saved: string; savedBy: string; savedAt: Date };

/** A save that lost a race on fields someone else changed: the new version and what changed. */
export class MergeConflict extends ConflictError {
  override name = 'MergeConflict';
  constructor(
    readonly version: number,
    readonly changes: FieldChange[],
  ) {
    super(
      'Someone else saved changes to this plan while you were editing. Compare their changes with yours, then save again.',
    );
  }
}

/**
 * The latest value saved in each of `fields` by the plan's `action` events after `sinceVersion`,
 * with who saved it; fields nobody touched since are left out.
 */
export async function changesSince(
  q: Db | Tx,
  partnershipId: string,
  planId: string,
  action: string,
  sinceVersion: number,
  fields: readonly string[],
): Promise<FieldChange[]> {
  const events = await q
    .selectFrom('planEvents')
    .select(['detail', 'actorLabel', 'at'])
    .where('partnershipId', '=', partnershipId)
    .where('planId', '=', planId)
    .where('action', '=', action)
    .where(sql<boolean>`(detail->>'version')::int > ${sinceVersion}`)
    .orderBy(sql`(detail->>'version')::int`, 'desc')
    .execute();
  const latest = new Map<string, FieldChange>();
  for (const event of events) {
    const changes = (event.detail.changes ?? {}) as Record<string, unknown>;
    for (const field of fields) {
      const saved = changes[field];
      if (typeof saved === 'string' && !latest.has(field))
        latest.set(field, { field, saved, savedBy: event.actorLabel, savedAt: event.at });
    }
  }
  return fields.flatMap((field) => latest.get(field) ?? []);
}
