import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { DirectoryAccessRoute, DirectoryCapacity } from '../../db/schema.ts';
import type { Place } from './directory.geo.ts';
import type { SearchQuery } from './directory.schemas.ts';
import { METRES_PER_MILE } from './directory.vocabulary.ts';

/**
 * The public search: one query filters active services by need, age, cost, way in, language and
 * kind, and by distance through the locations' earthdistance index; a second loads the page's
 * schedules. Services with no physical place (phone and online ones) serve the whole area, so a
 * distance search lists them after the nearby ones.
 */

export type ScheduleSummary = {
  freq: 'WEEKLY' | 'MONTHLY';
  byday: string;
  opensAt: string | null;
  closesAt: string | null;
  validFrom: string | null;
  validTo: string | null;
  description: string;
};

export type LocationSummary = { name: string; addressLine1: string; city: string; postalCode: string };

export type ServiceSummary = {
  id: string;
  name: string;
  description: string;
  organizationName: string;
  minimumAge: number | null;
  maximumAge: number | null;
  free: boolean;
  accessRoutes: DirectoryAccessRoute[];
  languages: string[];
  specialist: boolean;
  capacity: DirectoryCapacity | null;
  waitWeeks: number | null;
  assuredDate: string;
  distanceMetres: number | null;
  location: LocationSummary | null;
  schedules: ScheduleSummary[];
  phone: string | null;
  email: string | null;
};

export type SearchFilters = Omit<SearchQuery, 'need' | 'near' | 'within'> & {
  /** The need and every narrower need under it. */
  termIds: string[] | null;
  place: Place | null;
  withinMetres: number;
};

export type SearchResult = { total: number; page: number; perPage: number; results: ServiceSummary[] };

type Row = Omit<ServiceSummary, 'location' | 'schedules'> & {
  locationName: string | null;
  addressLine1: string | null;
  city: string | null;
  postalCode: string | null;
  total: number;
};

export async function searchServices(db: Db, partnershipId: string, f: SearchFilters): Promise<SearchResult> {
  const conditions: RawBuilder<unknown>[] = [
    sql`s.partnership_id = ${partnershipId}`,
    sql`s.status = 'active'`,
  ];
  if (f.q) conditions.push(sql`s.search_text @@ websearch_to_tsquery('english', ${f.q})`);
  if (f.termIds)
    conditions.push(sql`exists (select 1 from directory_service_terms t
      where t.partnership_id = s.partnership_id and t.service_id = s.id
        and t.taxonomy_term_id = any(${f.termIds}::uuid[]))`);
  if (f.age !== '')
    conditions.push(sql`coalesce(s.minimum_age, 0) <= ${f.age} and coalesce(s.maximum_age, 120) >= ${f.age}`);
  if (f.cost) conditions.push(sql`s.free = ${f.cost === 'free'}`);
  if (f.access) conditions.push(sql`${f.access} = any(s.access_routes)`);
  if (f.language) conditions.push(sql`${f.language} = any(s.languages)`);
  if (f.kind) conditions.push(sql`s.specialist = ${f.kind === 'specialist'}`);

  const offset = (f.page - 1) * f.perPage;
  const where = sql.join(conditions, sql` and `);
  const { rows } = f.place
    ? await sql<Row>`
        with origin as (select ll_to_earth(${f.place.latitude}, ${f.place.longitude}) as e),
        nearby as (
          select distinct on (sal.service_id) sal.service_id, l.name, l.address_line1, l.city, l.postal_code,
            earth_distance(ll_to_earth(l.latitude, l.longitude), origin.e) as distance
          from origin, directory_locations l
          join directory_service_at_locations sal
            on sal.partnership_id = l.partnership_id and sal.location_id = l.id
          where l.partnership_id = ${partnershipId} and l.latitude is not null
            and earth_box(origin.e, ${f.withinMetres}) @> ll_to_earth(l.latitude, l.longitude)
            and earth_distance(ll_to_earth(l.latitude, l.longitude), origin.e) <= ${f.withinMetres}
          order by sal.service_id, distance
        ),
        everywhere as (
          select s.id as service_id from directory_services s
          where s.partnership_id = ${partnershipId} and not exists (
            select 1 from directory_service_at_locations sal
            join directory_locations l on l.partnership_id = sal.partnership_id and l.id = sal.location_id
            where sal.partnership_id = s.partnership_id and sal.service_id = s.id and l.latitude is not null)
        ),
        candidates as (
          select service_id, name, address_line1, city, postal_code, distance from nearby
          union all
          select service_id, null, null, null, null, null from everywhere
        )
        select ${summaryColumns()}, c.distance as distance_metres,
          c.name as location_name, c.address_line1, c.city, c.postal_code, count(*) over () as total
        from candidates c
        join directory_services s on s.partnership_id = ${partnershipId} and s.id = c.service_id
        join directory_organizations o on o.partnership_id = s.partnership_id and o.id = s.organization_id
        where ${where}
        order by c.distance nulls last, s.name, s.id
        limit ${f.perPage} offset ${offset}`.execute(db)
    : await sql<Row>`
        select ${summaryColumns()}, null::float8 as distance_metres,
          l.name as location_name, l.address_line1, l.city, l.postal_code, count(*) over () as total
        from directory_services s
        join directory_organizations o on o.partnership_id = s.partnership_id and o.id = s.organization_id
        left join lateral (
          select l.name, l.address_line1, l.city, l.postal_code
          from directory_service_at_locations sal
          join directory_locations l on l.partnership_id = sal.partnership_id and l.id = sal.location_id
          where sal.partnership_id = s.partnership_id and sal.service_id = s.id
          order by l.name, l.id limit 1
        ) l on true
        where ${where}
        order by ${f.q ? sql`ts_rank(s.search_text, websearch_to_tsquery('english', ${f.q})) desc,` : sql``} s.name, s.id
        limit ${f.perPage} offset ${offset}`.execute(db);

  const schedules = await schedulesOf(
    db,
    partnershipId,
    rows.map((r) => r.id),
  );
  return {
    total: rows[0]?.total ?? (offset > 0 ? await countOnly(db, f, partnershipId) : 0),
    page: f.page,
    perPage: f.perPage,
    results: rows.map(({ locationName, addressLine1, city, postalCode, total: _total, ...r }) => ({
      ...r,
      location:
        addressLine1 === null && locationName === null
          ? null
          : {
              name: locationName ?? '',
              addressLine1: addressLine1 ?? '',
              city: city ?? '',
              postalCode: postalCode ?? '',
            },
      schedules: schedules.get(r.id) ?? [],
    })),
  };
}

/** A page past the end has no rows to carry the total: count without paging. */
async function countOnly(db: Db, f: SearchFilters, partnershipId: string): Promise<number> {
  const all = await searchServices(db, partnershipId, { ...f, page: 1, perPage: 1 });
  return all.total;
}

function summaryColumns() {
  return sql`s.id, s.name, s.description, o.name as organization_name, s.minimum_age, s.maximum_age, s.free,
    s.access_routes, s.languages, s.specialist, s.capacity, s.wait_weeks, s.assured_date,
    (select c.phone from directory_contacts c where c.partnership_id = s.partnership_id and c.service_id = s.id
      and c.phone is not null order by c.name, c.id limit 1) as phone,
    coalesce(s.email, (select c.email from directory_contacts c where c.partnership_id = s.partnership_id
      and c.service_id = s.id and c.email is not null order by c.name, c.id limit 1)) as email`;
}

async function schedulesOf(db: Db, partnershipId: string, serviceIds: string[]) {
  const found = new Map<string, ScheduleSummary[]>();
  if (serviceIds.length === 0) return found;
  const rows = await db
    .selectFrom('directorySchedules')
    .select(['serviceId', 'freq', 'byday', 'opensAt', 'closesAt', 'validFrom', 'validTo', 'description'])
    .where('partnershipId', '=', partnershipId)
    .where('serviceId', 'in', serviceIds)
    .orderBy('serviceId')
    .orderBy('opensAt')
    .execute();
  for (const { serviceId, ...s } of rows) found.set(serviceId, [...(found.get(serviceId) ?? []), s]);
  return found;
}

export const milesToMetres = (miles: number) => miles * METRES_PER_MILE;
