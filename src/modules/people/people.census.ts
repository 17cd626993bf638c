import { sql } from 'kysely';
import type { Db, Tx } from '../../db/database.ts';

/** What the Children in Need census needs of a person: identity, dates, sex and their UPN. */
export type CensusPerson = {
  id: string;
  kind: 'child' | 'unborn' | 'adult';
  dateOfBirth: string | null;
  expectedDate: string | null;
  sex: 'female' | 'male' | 'other' | 'unknown';
  /** UPNs from agency records currently linked to the person, most recently received first. */
  upns: string[];
};

/**
 * The census's read of the person index, for the statutory returns module (interop): these people and
 * the UPNs their currently linked agency records carry. No access decision here: the caller holds the
 * permission to build the return and audits it.
 */
export async function censusPeople(
  q: Db | Tx,
  partnershipId: string,
  personIds: readonly string[],
): Promise<CensusPerson[]> {
  if (personIds.length === 0) return [];
  const people = await q
    .selectFrom('people')
    .select(['id', 'kind', 'dateOfBirth', 'expectedDate', 'sex'])
    .where('partnershipId', '=', partnershipId)
    .where('id', 'in', personIds)
    .execute();
  const { rows } = await sql<{ personId: string; value: string }>`
    select l.person_id as "personId", i.value
    from record_links l
    join source_record_identifiers i on i.partnership_id = l.partnership_id and i.source_record_id = l.source_record_id
    join source_records r on r.partnership_id = l.partnership_id and r.id = l.source_record_id
    where l.partnership_id = ${partnershipId} and l.person_id = any(${personIds}::uuid[])
      and l.status in ('auto_linked', 'confirmed') and l.ended_at is null and i.system = 'upn'
    order by r.received_at desc`.execute(q);
  const upns = new Map<string, string[]>();
  for (const r of rows) {
    const list = upns.get(r.personId) ?? [];
    if (!list.includes(r.value)) list.push(r.value);
    upns.set(r.personId, list);
  }
  return people.map((p) => ({ ...p, upns: upns.get(p.id) ?? [] }));
}
