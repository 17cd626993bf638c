import { sql } from 'kysely';
import type { Db, Tx } from '../../db/database.ts';

/**
 * What other modules may know of the directory for money and outcome figures: services by name, and
 * how many distinct children each service served in a financial year. No child is named; the counts
 * are raw, and the caller must pass them through small-number suppression before showing them.
 */

type Q = Db | Tx;

export type DirectoryServiceName = { id: string; name: string; status: string };

/** Every service of the partnership, by name (inactive ones too: past spend may have paid for them). */
export async function listServiceNames(db: Q, partnershipId: string): Promise<DirectoryServiceName[]> {
  return db
    .selectFrom('directoryServices')
    .select(['id', 'name', 'status'])
    .where('partnershipId', '=', partnershipId)
    .orderBy('name')
    .orderBy('id')
    .execute();
}

export type ChildrenServed = { serviceId: string; financialYear: number; children: number };

/**
 * Children served: distinct children with a directory referral to the service accepted in the
 * financial year (1 April to 31 March, UK time, named by the year it starts in), for the years from
 * `fromYear` to `toYear` inclusive. Services with none are left out.
 */
export async function childrenServedByService(
  db: Q,
  partnershipId: string,
  fromYear: number,
  toYear: number,
): Promise<ChildrenServed[]> {
  const year = sql<number>`(extract(year from (decided_at at time zone 'Europe/London') - interval '3 months'))::int`;
  const rows = await db
    .selectFrom('directoryReferrals')
    .select([
      'serviceId',
      year.as('financialYear'),
      sql<string>`count(distinct person_id)::text`.as('children'),
    ])
    .where('partnershipId', '=', partnershipId)
    .where('status', '=', 'accepted')
    .where(
      'decidedAt',
      '>=',
      sql<Date>`(${`${fromYear}-04-01`}::date)::timestamp at time zone 'Europe/London'`,
    )
    .where(
      'decidedAt',
      '<',
      sql<Date>`(${`${toYear + 1}-04-01`}::date)::timestamp at time zone 'Europe/London'`,
    )
    .groupBy(['serviceId', year])
    .execute();
  return rows.map((r) => ({
    serviceId: r.serviceId,
    financialYear: Number(r.financialYear),
    children: Number(r.children),
  }));
}

/**
 * Demo data: accepted referrals to the given services, so the demo's cost per child has children to
 * count. For each service and financial year, `children(serviceIndex, year)` distinct children of
 * the partnership (chosen in a repeatable order from `seed`) are referred by the partnership's
 * practitioners and accepted within that year, never after `now`. Returns how many were written.
 */
export async function seedAcceptedReferrals(
  db: Db,
  partnershipId: string,
  options: {
    serviceIds: readonly string[];
    years: readonly number[];
    children: (serviceIndex: number, year: number) => number;
    now: Date;
    seed: number;
  },
): Promise<number> {
  const kids = await db
    .selectFrom('people')
    .select('id')
    .where('partnershipId', '=', partnershipId)
    .where('kind', '=', 'child')
    .where('sealedAt', 'is', null)
    .orderBy('id')
    .execute();
  const referrers = await db
    .selectFrom('users')
    .select(['id', 'organisationId'])
    .where('partnershipId', '=', partnershipId)
    .where(sql<boolean>`'practitioner' = any(roles)`)
    .orderBy('id')
    .execute();
  if (kids.length === 0 || referrers.length === 0) return 0;
  let state = (options.seed * 2654435761) >>> 0 || 1;
  const next = () => {
    // xorshift32: repeatable, no dependency.
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4294967296;
  };
  const rows = [];
  for (const [s, serviceId] of options.serviceIds.entries()) {
    for (const year of options.years) {
      const start = Date.UTC(year, 3, 1, 9);
      const end = Math.min(Date.UTC(year + 1, 2, 31, 9), options.now.getTime() - 86_400_000);
      if (end <= start) continue;
      const wanted = Math.min(options.children(s, year), kids.length);
      const offset = Math.floor(next() * kids.length);
      for (let i = 0; i < wanted; i++) {
        const child = kids[(offset + i * 7) % kids.length]!;
        const referrer = referrers[Math.floor(next() * referrers.length)]!;
        const decidedAt = new Date(start + Math.floor(next() * (end - start)));
        rows.push({
          partnershipId,
          serviceId,
          personId: child.id,
          reason: 'Referred for support the family agreed to.',
          familyConsent: true,
          status: 'accepted' as const,
          decidedAt,
          referredBy: referrer.id,
          referredAt: new Date(decidedAt.getTime() - Math.floor(next() * 14 + 1) * 86_400_000),
          organisationId: referrer.organisationId,
          idempotencyKey: `demo-${serviceId}-${year}-${i}`,
          requestHash: 'demo',
        });
      }
    }
  }
  for (let i = 0; i < rows.length; i += 500)
    await db
      .insertInto('directoryReferrals')
      .values(rows.slice(i, i + 500))
      .execute();
  return rows.length;
}
