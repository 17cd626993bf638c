import { createHash } from 'node:crypto';
import { sql, type RawBuilder } from 'kysely';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../../common/errors.ts';
import { partnershipBySlug } from '../access/index.ts';
import type { Db } from '../../db/database.ts';
import { findPlace, normalisePostcode, placeKey, type Place } from './directory.geo.ts';
import type { ServiceRecord, ServiceRecordInput } from './directory.schemas.ts';
import {
  TERM_COLUMNS,
  loadEntries,
  storedTerm,
  type StoredEntry,
  type StoredTaxonomy,
  type StoredTerm,
} from './directory.store.ts';
import { DAYS, LANGUAGES } from './directory.vocabulary.ts';

/**
 * Open Referral UK (the UK profile of HSDS 3.0) as JSON: directory entries as fully nested HSDS
 * services, taxonomies and terms, and services at locations; the Page object lists come in; and the
 * other way, an HSDS service from a feed as a ServiceRecord to be checked and saved.
 *
 * HSDS gives every row a UUID. Rows Wraparound keeps as columns (a location's address, a contact's
 * phone, a service's languages and its taxonomy attributes) get ids derived from their owner's, so
 * the same entry always reads the same. Wraparound's own search fields with no HSDS home (free,
 * access_routes, specialist, capacity, wait_weeks) are added to the service as extension fields, so
 * an export imports back whole; a feed without them gets the defaults.
 */

export const ORUK_VERSION = '3.0';
export const ORUK_PROFILE = 'https://github.com/OpenReferralUK/uk-profile';

/** A stable UUID (version 5 layout) from its parts: the same parts always give the same id. */
export function derivedId(...parts: readonly (string | number)[]): string {
  const h = createHash('sha1').update(parts.join('\u0000')).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// ---------------------------------------------------------------------------------------------------
// Entries as HSDS 3.0 JSON.

type Json = Record<string, unknown>;

export function hsdsTaxonomy(t: StoredTaxonomy): Json {
  return { id: t.id, name: t.name, description: t.description, uri: t.uri, version: t.version };
}

export function hsdsTaxonomyTerm(t: StoredTerm): Json {
  return {
    id: t.id,
    code: t.code,
    name: t.name,
    term: t.name,
    description: t.description,
    parent_id: t.parentId,
    taxonomy: t.taxonomy.name,
    taxonomy_id: t.taxonomy.id,
    taxonomy_detail: hsdsTaxonomy(t.taxonomy),
    language: 'en',
    term_uri: t.termUri,
  };
}

function hsdsPhone(ownerId: string, kind: string, number: string | null): Json[] {
  if (!number) return [];
  return [{ id: derivedId(ownerId, kind, 'phone'), number, type: 'voice', languages: [] }];
}

export function hsdsLocation(l: ServiceRecord['locations'][number]): Json {
  const hasAddress = Boolean(l.addressLine1 || l.city || l.postalCode);
  return {
    id: l.id,
    location_type: l.locationType,
    name: l.name,
    latitude: l.latitude,
    longitude: l.longitude,
    addresses: hasAddress
      ? [
          {
            id: derivedId(l.id, 'address'),
            location_id: l.id,
            address_1: l.addressLine1,
            city: l.city,
            state_province: '',
            postal_code: l.postalCode,
            country: 'GB',
            address_type: l.locationType === 'postal' ? 'postal' : 'physical',
          },
        ]
      : [],
  };
}

/** The minimal service: its own fields only. */
function hsdsServiceFields(e: StoredEntry): Json {
  return {
    id: e.id,
    organization_id: e.organization.id,
    name: e.name,
    description: e.description,
    url: e.url,
    email: e.email,
    status: e.status,
    eligibility_description: e.eligibilityDescription,
    fees_description: e.feesDescription,
    minimum_age: e.minimumAge,
    maximum_age: e.maximumAge,
    assured_date: e.assuredDate,
    last_modified: e.lastModified.toISOString(),
    // Wraparound extensions (not HSDS): the directory's own search fields.
    free: e.free,
    access_routes: e.accessRoutes,
    specialist: e.specialist,
    capacity: e.capacity,
    wait_weeks: e.waitWeeks,
  };
}

/** A fully nested service, as `GET /services/{id}` answers and a feed export holds. */
export function hsdsService(e: StoredEntry, options: { minimal?: boolean } = {}): Json {
  if (options.minimal) return hsdsServiceFields(e);
  return {
    ...hsdsServiceFields(e),
    organization: {
      id: e.organization.id,
      name: e.organization.name,
      description: e.organization.description,
      email: e.organization.email,
      website: e.organization.url,
      phones: hsdsPhone(e.organization.id, 'organization', e.organization.phone),
    },
    service_at_locations: e.locations.map((l) => ({
      id: e.placeIds.get(l.id) ?? derivedId(e.id, l.id, 'service_at_location'),
      service_id: e.id,
      location_id: l.id,
      location: hsdsLocation(l),
    })),
    schedules: e.schedules.map((s) => ({
      id: s.id,
      service_id: e.id,
      freq: s.freq,
      byday: s.byday || null,
      opens_at: s.opensAt,
      closes_at: s.closesAt,
      valid_from: s.validFrom,
      valid_to: s.validTo,
      description: s.description,
    })),
    cost_options: e.costOptions.map((c) => ({
      id: c.id,
      service_id: e.id,
      option: c.option,
      amount: c.amount,
      currency: c.currency,
      amount_description: c.amountDescription,
    })),
    contacts: e.contacts.map((c) => ({
      id: c.id,
      service_id: e.id,
      name: c.name,
      title: c.title,
      email: c.email,
      phones: hsdsPhone(c.id, 'contact', c.phone),
    })),
    languages: e.languages.map((code) => ({
      id: derivedId(e.id, 'language', code),
      service_id: e.id,
      name: LANGUAGES[code] ?? code,
      code,
    })),
    attributes: e.terms.map((t) => ({
      id: derivedId(e.id, 'attribute', t.id),
      link_id: e.id,
      link_type: 'service',
      link_entity: 'service',
      taxonomy_term_id: t.id,
      taxonomy_term: hsdsTaxonomyTerm(t),
    })),
    service_areas: [],
  };
}

// ---------------------------------------------------------------------------------------------------
// An HSDS service from a feed, as a ServiceRecord input (checked by ServiceRecord afterwards).

/** A term a feed's service names: by id, by code, and (when the feed carries it) the term itself. */
export type TermReference = {
  id: string | null;
  code: string | null;
  name: string | null;
  description: string;
  parentId: string | null;
  taxonomy: { id: string | null; name: string | null; description: string; uri: string | null } | null;
};

export type MappedRecord = {
  input: Omit<ServiceRecordInput, 'taxonomyTermIds'>;
  terms: TermReference[];
};

const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
const strOrNull = (v: unknown) => str(v) ?? null;
/** Passes through what ServiceRecord checks (so a wrong type is reported there), maps absent to undefined. */
const given = (v: unknown) => (v === undefined ? undefined : v);

function postcodeOf(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  return normalisePostcode(raw) ?? raw;
}

function mappedLocation(raw: unknown): Json {
  const l = obj(raw);
  const address = obj(arr(l.addresses)[0] ?? l.physical_addresses ?? {});
  return {
    id: given(l.id),
    name: str(l.name) ?? '',
    locationType: given(l.location_type) ?? 'physical',
    addressLine1: str(address.address_1) ?? '',
    city: str(address.city) ?? '',
    postalCode: postcodeOf(str(address.postal_code)) ?? '',
    latitude: given(l.latitude) ?? null,
    longitude: given(l.longitude) ?? null,
  };
}

function firstPhone(raw: unknown): string | null {
  return strOrNull(obj(arr(raw)[0]).number);
}

export function recordFromHsds(raw: unknown): MappedRecord {
  const s = obj(raw);
  const org = obj(s.organization);
  const costOptions = arr(s.cost_options).map((c) => {
    const o = obj(c);
    return {
      id: given(o.id),
      option: str(o.option) ?? '',
      amount: o.amount === null || o.amount === undefined ? null : Number(o.amount),
      currency: str(o.currency) ?? 'GBP',
      amountDescription: str(o.amount_description) ?? '',
    };
  });
  const languages = arr(s.languages)
    .map((l) => (typeof l === 'string' ? l : (str(obj(l).code) ?? str(obj(l).name))))
    .filter((l): l is string => Boolean(l));
  const terms: TermReference[] = arr(s.attributes).flatMap((a) => {
    const attr = obj(a);
    const term = obj(attr.taxonomy_term);
    const id = str(attr.taxonomy_term_id) ?? str(term.id) ?? null;
    const code = str(term.code) ?? null;
    if (!id && !code) return [];
    const detail = obj(term.taxonomy_detail);
    const taxonomyName = str(detail.name) ?? str(term.taxonomy) ?? null;
    return [
      {
        id,
        code,
        name: str(term.name) ?? str(term.term) ?? null,
        description: str(term.description) ?? '',
        parentId: str(term.parent_id) ?? null,
        taxonomy:
          taxonomyName || str(term.taxonomy_id)
            ? {
                id: str(detail.id) ?? str(term.taxonomy_id) ?? null,
                name: taxonomyName,
                description: str(detail.description) ?? '',
                uri: str(detail.uri) ?? null,
              }
            : null,
      },
    ];
  });
  const amounts = costOptions.map((c) => c.amount).filter((a) => a !== null && a > 0);
  return {
    input: {
      id: given(s.id) as string,
      organization: {
        id: given(org.id ?? s.organization_id) as string,
        name: str(org.name) ?? '',
        description: str(org.description) ?? '',
        email: strOrNull(org.email),
        url: strOrNull(org.website ?? org.url),
        phone: firstPhone(org.phones),
      },
      name: given(s.name) as string,
      description: given(s.description) as string,
      url: strOrNull(s.url),
      email: strOrNull(s.email),
      status: given(s.status) as ServiceRecordInput['status'],
      minimumAge: given(s.minimum_age) as number | null | undefined,
      maximumAge: given(s.maximum_age) as number | null | undefined,
      eligibilityDescription: str(s.eligibility_description) ?? '',
      feesDescription: str(s.fees_description) ?? str(s.fees) ?? '',
      free: (given(s.free) as boolean | undefined) ?? amounts.length === 0,
      accessRoutes: given(s.access_routes) as ServiceRecordInput['accessRoutes'],
      languages: languages.length ? languages : undefined,
      specialist: given(s.specialist) as boolean | undefined,
      capacity: given(s.capacity) as ServiceRecordInput['capacity'],
      waitWeeks: given(s.wait_weeks) as number | null | undefined,
      assuredDate: (str(s.assured_date) ?? str(s.last_modified)?.slice(0, 10)) as string,
      locations: arr(s.service_at_locations).map((p) => mappedLocation(obj(p).location)) as never,
      schedules: arr(s.schedules).map((r) => {
        const o = obj(r);
        return {
          id: given(o.id),
          freq: given(o.freq) ?? 'WEEKLY',
          byday: str(o.byday) ?? '',
          opensAt: given(o.opens_at) ?? null,
          closesAt: given(o.closes_at) ?? null,
          validFrom: given(o.valid_from) ?? null,
          validTo: given(o.valid_to) ?? null,
          description: str(o.description) ?? '',
        };
      }) as never,
      costOptions: costOptions as never,
      contacts: arr(s.contacts).map((c) => {
        const o = obj(c);
        return {
          id: given(o.id),
          name: str(o.name) ?? '',
          title: str(o.title) ?? '',
          email: strOrNull(o.email),
          phone: firstPhone(o.phones),
        };
      }) as never,
    },
    terms,
  };
}

/** A ServiceRecord field path as the HSDS document names it: ['schedules', 0, 'closesAt'] → 'schedules[0].closes_at'. */
export function hsdsPath(path: readonly PropertyKey[]): string {
  const LOCATION: Record<string, string> = {
    addressLine1: 'addresses[0].address_1',
    city: 'addresses[0].city',
    postalCode: 'addresses[0].postal_code',
    locationType: 'location_type',
  };
  const ORGANIZATION: Record<string, string> = { url: 'website', phone: 'phones[0].number' };
  const [head, index, leaf] = path;
  if (head === 'locations' && typeof index === 'number')
    return `service_at_locations[${index}].location${leaf === undefined ? '' : `.${LOCATION[String(leaf)] ?? snake(String(leaf))}`}`;
  if (head === 'organization' && index !== undefined)
    return `organization.${ORGANIZATION[String(index)] ?? snake(String(index))}`;
  if (head === 'contacts' && leaf === 'phone') return `contacts[${String(index)}].phones[0].number`;
  if (head === 'taxonomyTermIds') return 'attributes';
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${snake(String(p))}`))
    .join('');
}

export const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

// ---------------------------------------------------------------------------------------------------
// The read API's queries.

const uuid = z.uuid();
const DAY_CODES = Object.keys(DAYS) as [string, ...string[]];
const time = /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/;
const flag = z.enum(['true', 'false', '1', '0', '']).transform((v) => v === 'true' || v === '1');
const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().min(min, `must be ${min} or more`).max(max, `must be ${max} or less`));

const pagination = {
  page: wholeNumber(1, 100_000).optional().default(1),
  per_page: wholeNumber(1, 500).optional().default(50),
};

export const ServiceListQuery = z
  .object({
    search: z.string().trim().max(200, 'must be 200 characters or fewer').optional().default(''),
    ...pagination,
    taxonomy_term_id: uuid.optional(),
    taxonomy_id: uuid.optional(),
    organization_id: uuid.optional(),
    modified_after: z
      .string()
      .refine((v) => !Number.isNaN(Date.parse(v)), 'must be a date or date-time, like 2026-01-31T09:00:00Z')
      .transform((v) => new Date(v))
      .optional(),
    minimal: flag.optional().default(false),
    full: flag.optional().default(false),
    minimum_age: wholeNumber(0, 120).optional(),
    maximum_age: wholeNumber(0, 120).optional(),
    start_time: z.string().regex(time, 'must be a time, HH:MM').optional(),
    end_time: z.string().regex(time, 'must be a time, HH:MM').optional(),
    day: z
      .string()
      .toUpperCase()
      .pipe(z.enum(DAY_CODES, { error: `must be one of ${DAY_CODES.join(', ')}` }))
      .optional(),
    postcode: z.string().trim().max(10, 'must be a UK postcode').optional(),
    proximity: wholeNumber(1, 200_000).optional(),
  })
  .strict()
  .superRefine((q, ctx) => {
    if (q.minimum_age !== undefined && q.maximum_age !== undefined && q.maximum_age < q.minimum_age)
      ctx.addIssue({ code: 'custom', path: ['maximum_age'], message: 'must not be below minimum_age' });
    if (q.start_time && q.end_time && q.end_time <= q.start_time)
      ctx.addIssue({ code: 'custom', path: ['end_time'], message: 'must be after start_time' });
    if (q.proximity !== undefined && !q.postcode)
      ctx.addIssue({ code: 'custom', path: ['proximity'], message: 'needs a postcode to measure from' });
    if (q.minimal && q.full)
      ctx.addIssue({ code: 'custom', path: ['full'], message: 'cannot be asked for with minimal' });
  });
export type ServiceListQuery = z.output<typeof ServiceListQuery>;

export const TermListQuery = z
  .object({
    ...pagination,
    taxonomy_id: uuid.optional(),
    parent_id: uuid.optional(),
    top_only: flag.optional().default(false),
  })
  .strict();
export type TermListQuery = z.output<typeof TermListQuery>;

export const TaxonomyListQuery = z.object(pagination).strict();

export const PlaceListQuery = z
  .object({
    ...pagination,
    postcode: z.string().trim().max(10, 'must be a UK postcode').optional(),
    proximity: wholeNumber(1, 200_000).optional(),
  })
  .strict()
  .superRefine((q, ctx) => {
    if (q.proximity !== undefined && !q.postcode)
      ctx.addIssue({ code: 'custom', path: ['proximity'], message: 'needs a postcode to measure from' });
  });

/** Parses query parameters; a bad one is a ValidationError naming it (an unknown one too). */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.output<S> {
  const result = schema.safeParse(single(query));
  if (result.success) return result.data;
  throw new ValidationError(
    result.error.issues.flatMap((issue) => {
      if (issue.code === 'unrecognized_keys')
        return issue.keys.map((key) => ({ field: key, message: 'is not a parameter this list takes' }));
      return [{ field: String(issue.path[0] ?? 'query'), message: issue.message }];
    }),
  );
}

/** A parameter given twice is refused rather than silently picking one. */
function single(query: unknown): Record<string, unknown> {
  const q = obj(query);
  for (const [key, value] of Object.entries(q))
    if (Array.isArray(value)) throw new ValidationError([{ field: key, message: 'must be given once' }]);
  return q;
}

/** The HSDS Page object. */
export type Page<T> = {
  total_items: number;
  total_pages: number;
  page_number: number;
  size: number;
  first_page: boolean;
  last_page: boolean;
  empty: boolean;
  contents: T[];
};

export function page<T>(contents: T[], total: number, pageNumber: number, perPage: number): Page<T> {
  const totalPages = Math.ceil(total / perPage);
  return {
    total_items: total,
    total_pages: totalPages,
    page_number: pageNumber,
    size: perPage,
    first_page: pageNumber === 1,
    last_page: pageNumber >= totalPages,
    empty: contents.length === 0,
    contents,
  };
}

/** The place a `postcode` parameter names: a full postcode or an outward code held in geo_places. */
async function placeOf(db: Db, postcode: string): Promise<Place> {
  const key = placeKey(postcode);
  if ('error' in key || !/\d/.test(key.key))
    throw new ValidationError([{ field: 'postcode', message: 'must be a UK postcode, like NB4 7QT' }]);
  const place = await findPlace(db, key.key);
  if (!place)
    throw new ValidationError([
      { field: 'postcode', message: `${key.key} is not a postcode this directory knows` },
    ]);
  return place;
}

function distanceTo(place: Place): RawBuilder<unknown> {
  return sql`earth_distance(ll_to_earth(l.latitude, l.longitude), ll_to_earth(${place.latitude}, ${place.longitude}))`;
}

function within(place: Place, metres: number): RawBuilder<unknown> {
  return sql`l.latitude is not null
    and earth_box(ll_to_earth(${place.latitude}, ${place.longitude}), ${metres}) @> ll_to_earth(l.latitude, l.longitude)
    and ${distanceTo(place)} <= ${metres}`;
}

/**
 * The read side of the Open Referral UK API for one area: each list is a count and a page of ids in
 * one query, then the page's nested rows (one query per table).
 */
export class OpenReferralReader {
  constructor(private readonly db: Db) {}

  async area(slug: string) {
    const area = await partnershipBySlug(this.db, slug);
    if (!area) throw new NotFoundError('There is no directory for this area');
    return area;
  }

  async services(partnershipId: string, q: ServiceListQuery): Promise<Page<Json>> {
    const where: RawBuilder<unknown>[] = [sql`s.partnership_id = ${partnershipId}`];
    if (q.search) where.push(sql`s.search_text @@ websearch_to_tsquery('english', ${q.search})`);
    if (q.taxonomy_term_id)
      where.push(sql`exists (select 1 from directory_service_terms st where st.partnership_id = s.partnership_id
        and st.service_id = s.id and st.taxonomy_term_id = ${q.taxonomy_term_id})`);
    if (q.taxonomy_id)
      where.push(sql`exists (select 1 from directory_service_terms st join directory_taxonomy_terms t
          on t.partnership_id = st.partnership_id and t.id = st.taxonomy_term_id
        where st.partnership_id = s.partnership_id and st.service_id = s.id and t.taxonomy_id = ${q.taxonomy_id})`);
    if (q.organization_id) where.push(sql`s.organization_id = ${q.organization_id}`);
    if (q.modified_after) where.push(sql`s.last_modified > ${q.modified_after}`);
    // The child's age (or each end of the age range) must be within the service's.
    for (const a of [q.minimum_age, q.maximum_age])
      if (a !== undefined)
        where.push(sql`coalesce(s.minimum_age, 0) <= ${a} and coalesce(s.maximum_age, 120) >= ${a}`);
    if (q.day || q.start_time || q.end_time) {
      // One of its sessions is on that day and fits within the times asked.
      const session: RawBuilder<unknown>[] = [];
      if (q.day) session.push(sql`${q.day} = any(string_to_array(sc.byday, ','))`);
      if (q.start_time) session.push(sql`sc.opens_at >= ${q.start_time}::time`);
      if (q.end_time) session.push(sql`sc.closes_at <= ${q.end_time}::time`);
      where.push(sql`exists (select 1 from directory_schedules sc where sc.partnership_id = s.partnership_id
        and sc.service_id = s.id and ${sql.join(session, sql` and `)})`);
    }
    const place = q.postcode ? await placeOf(this.db, q.postcode) : null;
    if (place && q.proximity !== undefined)
      where.push(sql`exists (select 1 from directory_service_at_locations sl join directory_locations l
          on l.partnership_id = sl.partnership_id and l.id = sl.location_id
        where sl.partnership_id = s.partnership_id and sl.service_id = s.id and ${within(place, q.proximity)})`);
    const order = place
      ? sql`(select min(${distanceTo(place)}) from directory_service_at_locations sl join directory_locations l
            on l.partnership_id = sl.partnership_id and l.id = sl.location_id
          where sl.partnership_id = s.partnership_id and sl.service_id = s.id) nulls last, s.name, s.id`
      : sql`s.name, s.id`;
    const rows = await sql<{ id: string; total: number }>`
      select s.id, count(*) over ()::int as total
      from directory_services s
      where ${sql.join(where, sql` and `)}
      order by ${order}
      limit ${q.per_page} offset ${(q.page - 1) * q.per_page}`.execute(this.db);
    const total = rows.rows[0]?.total ?? (q.page > 1 ? await this.countServices(where) : 0);
    const entries = await loadEntries(
      this.db,
      partnershipId,
      rows.rows.map((r) => r.id),
    );
    return page(
      entries.map((e) => hsdsService(e, { minimal: q.minimal })),
      total,
      q.page,
      q.per_page,
    );
  }

  private async countServices(where: RawBuilder<unknown>[]) {
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from directory_services s where ${sql.join(where, sql` and `)}`.execute(
      this.db,
    );
    return rows[0]?.n ?? 0;
  }

  async service(partnershipId: string, id: string): Promise<Json> {
    const [entry] = uuid.safeParse(id).success ? await loadEntries(this.db, partnershipId, [id]) : [];
    if (!entry) throw new NotFoundError('There is no service with this id');
    return hsdsService(entry);
  }

  async taxonomies(partnershipId: string, q: z.output<typeof TaxonomyListQuery>): Promise<Page<Json>> {
    const base = this.db.selectFrom('directoryTaxonomies').where('partnershipId', '=', partnershipId);
    const [rows, count] = await Promise.all([
      base
        .select(['id', 'name', 'description', 'uri', 'version'])
        .orderBy('name')
        .orderBy('id')
        .limit(q.per_page)
        .offset((q.page - 1) * q.per_page)
        .execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return page(rows.map(hsdsTaxonomy), Number(count.n), q.page, q.per_page);
  }

  async taxonomy(partnershipId: string, id: string): Promise<Json> {
    const row = uuid.safeParse(id).success
      ? await this.db
          .selectFrom('directoryTaxonomies')
          .select(['id', 'name', 'description', 'uri', 'version'])
          .where('partnershipId', '=', partnershipId)
          .where('id', '=', id)
          .executeTakeFirst()
      : undefined;
    if (!row) throw new NotFoundError('There is no taxonomy with this id');
    return hsdsTaxonomy(row);
  }

  private termQuery(partnershipId: string) {
    return this.db
      .selectFrom('directoryTaxonomyTerms as t')
      .innerJoin('directoryTaxonomies as x', (j) =>
        j.onRef('x.partnershipId', '=', 't.partnershipId').onRef('x.id', '=', 't.taxonomyId'),
      )
      .where('t.partnershipId', '=', partnershipId);
  }

  async taxonomyTerms(partnershipId: string, q: TermListQuery): Promise<Page<Json>> {
    let base = this.termQuery(partnershipId);
    if (q.taxonomy_id) base = base.where('t.taxonomyId', '=', q.taxonomy_id);
    if (q.parent_id) base = base.where('t.parentId', '=', q.parent_id);
    if (q.top_only) base = base.where('t.parentId', 'is', null);
    const [rows, count] = await Promise.all([
      base
        .select(TERM_COLUMNS)
        .orderBy('x.name')
        .orderBy('t.code')
        .limit(q.per_page)
        .offset((q.page - 1) * q.per_page)
        .execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return page(
      rows.map((r) => hsdsTaxonomyTerm(storedTerm(r))),
      Number(count.n),
      q.page,
      q.per_page,
    );
  }

  async taxonomyTerm(partnershipId: string, id: string): Promise<Json> {
    const row = uuid.safeParse(id).success
      ? await this.termQuery(partnershipId).select(TERM_COLUMNS).where('t.id', '=', id).executeTakeFirst()
      : undefined;
    if (!row) throw new NotFoundError('There is no taxonomy term with this id');
    return hsdsTaxonomyTerm(storedTerm(row));
  }

  async serviceAtLocations(partnershipId: string, q: z.output<typeof PlaceListQuery>): Promise<Page<Json>> {
    const where: RawBuilder<unknown>[] = [sql`sl.partnership_id = ${partnershipId}`];
    const place = q.postcode ? await placeOf(this.db, q.postcode) : null;
    if (place && q.proximity !== undefined) where.push(within(place, q.proximity));
    const order = place ? sql`${distanceTo(place)} nulls last, sl.id` : sql`sl.id`;
    const { rows } = await sql<{ id: string; serviceId: string; total: number }>`
      select sl.id, sl.service_id, count(*) over ()::int as total
      from directory_service_at_locations sl
      join directory_locations l on l.partnership_id = sl.partnership_id and l.id = sl.location_id
      where ${sql.join(where, sql` and `)}
      order by ${order}
      limit ${q.per_page} offset ${(q.page - 1) * q.per_page}`.execute(this.db);
    const total =
      rows[0]?.total ??
      (q.page > 1
        ? ((
            await sql<{ n: number }>`select count(*)::int as n from directory_service_at_locations sl
            join directory_locations l on l.partnership_id = sl.partnership_id and l.id = sl.location_id
            where ${sql.join(where, sql` and `)}`.execute(this.db)
          ).rows[0]?.n ?? 0)
        : 0);
    const entries = await loadEntries(this.db, partnershipId, [...new Set(rows.map((r) => r.serviceId))]);
    const byId = new Map(entries.map((e) => [e.id, e]));
    return page(
      rows.flatMap((r) => {
        const entry = byId.get(r.serviceId);
        const found = entry && serviceAtLocation(entry, r.id);
        return found ? [found] : [];
      }),
      total,
      q.page,
      q.per_page,
    );
  }

  async serviceAtLocation(partnershipId: string, id: string): Promise<Json> {
    const row = uuid.safeParse(id).success
      ? await this.db
          .selectFrom('directoryServiceAtLocations')
          .select('serviceId')
          .where('partnershipId', '=', partnershipId)
          .where('id', '=', id)
          .executeTakeFirst()
      : undefined;
    const [entry] = row ? await loadEntries(this.db, partnershipId, [row.serviceId]) : [];
    const found = entry && serviceAtLocation(entry, id);
    if (!found) throw new NotFoundError('There is no service at location with this id');
    return found;
  }
}

/** One service at one location: the location nested, and the service (without its other places). */
function serviceAtLocation(entry: StoredEntry, placeId: string): Json | undefined {
  const location = entry.locations.find((l) => entry.placeIds.get(l.id) === placeId);
  if (!location) return undefined;
  const service = hsdsService(entry);
  delete service.service_at_locations;
  return {
    id: placeId,
    service_id: entry.id,
    location_id: location.id,
    location: hsdsLocation(location),
    service,
  };
}
