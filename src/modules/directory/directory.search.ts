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

type Hit = { id: string; miles: number | null; total: number };

/**
 * Two steps: the page's service ids (every filter on the service row, distance by the `<@>`
 * great-circle operator over each service's nearest located place), then what the page shows of
 * those ids only.
 */
export async function searchServices(db: Db, partnershipId: string, f: SearchFilters): Promise<SearchResult> {
  const hits = await pageOfServices(db, partnershipId, f);
  const offset = (f.page - 1) * f.perPage;
  const total = hits[0]?.total ?? (offset > 0 ? await countOnly(db, f, partnershipId) : 0);
  return {
    total,
    page: f.page,
    perPage: f.perPage,
    results: await summaries(db, partnershipId, hits, f.place),
  };
}

function pageOfServices(db: Db, partnershipId: string, f: SearchFilters): Promise<Hit[]> {
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
  const page = sql`limit ${f.perPage} offset ${(f.page - 1) * f.perPage}`;
  const byWords = f.q ? sql`ts_rank(s.search_text, websearch_to_tsquery('english', ${f.q})) desc,` : sql``;

  if (!f.place)
    return sql<Hit>`
      select s.id, null::float8 as miles, count(*) over () as total
      from directory_services s
      where ${sql.join(conditions, sql` and `)}
      order by ${byWords} s.name, s.id ${page}`
      .execute(db)
      .then((r) => r.rows);
  // Services with no located place (phone, online) serve the whole area: listed after the nearby ones.
  // Only the matching services' places are measured, and only those inside the bounding box.
  const miles = f.withinMetres / METRES_PER_MILE;
  const box = boundingBox(f.place, miles);
  return sql<Hit>`
    with matches as (
      select s.id, s.name, s.located from directory_services s where ${sql.join(conditions, sql` and `)}
    ),
    near as (
      select sal.service_id, min(point(l.longitude, l.latitude) <@> point(${f.place.longitude}, ${f.place.latitude})) as miles
      from matches m
      join directory_service_at_locations sal on sal.partnership_id = ${partnershipId} and sal.service_id = m.id
      join directory_locations l on l.partnership_id = sal.partnership_id and l.id = sal.location_id
      where l.latitude between ${box.south} and ${box.north} and l.longitude between ${box.west} and ${box.east}
      group by sal.service_id
    )
    select m.id, near.miles, count(*) over () as total
    from matches m
    left join near on near.service_id = m.id
    where not m.located or near.miles <= ${miles}
    order by near.miles nulls last, m.name, m.id ${page}`
    .execute(db)
    .then((r) => r.rows);
}

/** A box around the place that holds every point within the distance (a degree of latitude is 69 miles). */
function boundingBox(place: Place, miles: number) {
  const dLat = miles / 69;
  const dLon = miles / (69 * Math.max(Math.cos((place.latitude * Math.PI) / 180), 0.01));
  return {
    south: place.latitude - dLat,
    north: place.latitude + dLat,
    west: place.longitude - dLon,
    east: place.longitude + dLon,
  };
}

/** A page past the end has no rows to carry the total: count without paging. */
async function countOnly(db: Db, f: SearchFilters, partnershipId: string): Promise<number> {
  const [first] = await pageOfServices(db, partnershipId, { ...f, page: 1, perPage: 1 });
  return first?.total ?? 0;
}

type SummaryRow = Omit<ServiceSummary, 'location' | 'schedules' | 'distanceMetres'> & {
  location: LocationSummary | null;
  schedules: ScheduleSummary[];
};

/** What a result shows, for the page's services only, in the page's order. */
async function summaries(
  db: Db,
  partnershipId: string,
  hits: Hit[],
  place: Place | null,
): Promise<ServiceSummary[]> {
  if (hits.length === 0) return [];
  const ids = hits.map((h) => h.id);
  // The place shown is the nearest to the searcher, or the first by name.
  const placeOrder = place
    ? sql`point(l.longitude, l.latitude) <@> point(${place.longitude}, ${place.latitude}) nulls last, l.name, l.id`
    : sql`l.name, l.id`;
  const { rows } = await sql<SummaryRow>`
    select s.id, s.name, s.description, o.name as organization_name, s.minimum_age, s.maximum_age, s.free,
      s.access_routes, s.languages, s.specialist, s.capacity, s.wait_weeks, s.assured_date,
      (select c.phone from directory_contacts c where c.partnership_id = s.partnership_id and c.service_id = s.id
        and c.phone is not null order by c.name, c.id limit 1) as phone,
      coalesce(s.email, (select c.email from directory_contacts c where c.partnership_id = s.partnership_id
        and c.service_id = s.id and c.email is not null order by c.name, c.id limit 1)) as email,
      (select json_build_object('name', l.name, 'addressLine1', l.address_line1, 'city', l.city,
          'postalCode', l.postal_code)
        from directory_service_at_locations sal
        join directory_locations l on l.partnership_id = sal.partnership_id and l.id = sal.location_id
        where sal.partnership_id = s.partnership_id and sal.service_id = s.id
        order by ${placeOrder} limit 1) as location,
      coalesce((select json_agg(json_build_object('freq', d.freq, 'byday', d.byday, 'opensAt', d.opens_at,
          'closesAt', d.closes_at, 'validFrom', d.valid_from, 'validTo', d.valid_to, 'description', d.description)
          order by d.opens_at, d.id)
        from directory_schedules d where d.partnership_id = s.partnership_id and d.service_id = s.id), '[]') as schedules
    from directory_services s
    join directory_organizations o on o.partnership_id = s.partnership_id and o.id = s.organization_id
    where s.partnership_id = ${partnershipId} and s.id = any(${ids}::uuid[])`.execute(db);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return hits.map((h) => ({
    ...byId.get(h.id)!,
    distanceMetres: h.miles === null ? null : h.miles * METRES_PER_MILE,
  }));
}

export const milesToMetres = (miles: number) => miles * METRES_PER_MILE;
