import { sql } from 'kysely';
import { ValidationError } from '../../common/errors.ts';
import type { Db, Tx } from '../../db/database.ts';
import type { ServiceRecord } from './directory.schemas.ts';

/**
 * Writing whole directory entries. A service is saved with everything it owns: its rows of schedules,
 * costs, contacts, terms and places are replaced by the record's, so saving the same record twice
 * changes nothing and an import rerun never duplicates. Locations are shared rows (several services
 * may run at one centre), upserted by id; a location without coordinates takes its postcode's.
 */

export type SaveOptions = { now: Date; assuredBy?: string | null };

export async function saveServiceRecords(
  tx: Tx,
  partnershipId: string,
  records: readonly ServiceRecord[],
  options: SaveOptions,
): Promise<void> {
  if (records.length === 0) return;
  await checkTerms(tx, partnershipId, records);
  const coordinates = await postcodeCoordinates(tx, records);
  const organizations = uniqueBy(records.map((r) => r.organization));
  await tx
    .insertInto('directoryOrganizations')
    .values(organizations.map((o) => ({ partnershipId, ...o, lastModified: options.now })))
    .onConflict((oc) =>
      oc.columns(['partnershipId', 'id']).doUpdateSet((eb) => ({
        name: eb.ref('excluded.name'),
        description: eb.ref('excluded.description'),
        email: eb.ref('excluded.email'),
        url: eb.ref('excluded.url'),
        phone: eb.ref('excluded.phone'),
        lastModified: eb.ref('excluded.lastModified'),
      })),
    )
    .execute();
  const locations = uniqueBy(
    records.flatMap((r) =>
      r.locations.map((l) => {
        const known = coordinates.get(l.postalCode);
        return {
          ...l,
          organizationId: r.organization.id,
          latitude: l.latitude ?? known?.latitude ?? null,
          longitude: l.longitude ?? known?.longitude ?? null,
        };
      }),
    ),
  );
  if (locations.length > 0)
    await tx
      .insertInto('directoryLocations')
      .values(locations.map((l) => ({ partnershipId, ...l })))
      .onConflict((oc) =>
        oc.columns(['partnershipId', 'id']).doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          locationType: eb.ref('excluded.locationType'),
          addressLine1: eb.ref('excluded.addressLine1'),
          city: eb.ref('excluded.city'),
          postalCode: eb.ref('excluded.postalCode'),
          latitude: eb.ref('excluded.latitude'),
          longitude: eb.ref('excluded.longitude'),
        })),
      )
      .execute();
  await tx
    .insertInto('directoryServices')
    .values(
      records.map((r) => ({
        partnershipId,
        id: r.id,
        organizationId: r.organization.id,
        name: r.name,
        description: r.description,
        url: r.url,
        email: r.email,
        status: r.status,
        minimumAge: r.minimumAge,
        maximumAge: r.maximumAge,
        eligibilityDescription: r.eligibilityDescription,
        feesDescription: r.feesDescription,
        free: r.free,
        accessRoutes: r.accessRoutes,
        languages: r.languages,
        specialist: r.specialist,
        capacity: r.capacity,
        waitWeeks: r.waitWeeks,
        capacityUpdatedAt: r.capacity === null && r.waitWeeks === null ? null : options.now,
        assuredDate: r.assuredDate,
        assuredBy: options.assuredBy ?? null,
        lastModified: options.now,
      })),
    )
    .onConflict((oc) =>
      oc.columns(['partnershipId', 'id']).doUpdateSet((eb) => ({
        organizationId: eb.ref('excluded.organizationId'),
        name: eb.ref('excluded.name'),
        description: eb.ref('excluded.description'),
        url: eb.ref('excluded.url'),
        email: eb.ref('excluded.email'),
        status: eb.ref('excluded.status'),
        minimumAge: eb.ref('excluded.minimumAge'),
        maximumAge: eb.ref('excluded.maximumAge'),
        eligibilityDescription: eb.ref('excluded.eligibilityDescription'),
        feesDescription: eb.ref('excluded.feesDescription'),
        free: eb.ref('excluded.free'),
        accessRoutes: eb.ref('excluded.accessRoutes'),
        languages: eb.ref('excluded.languages'),
        specialist: eb.ref('excluded.specialist'),
        capacity: eb.ref('excluded.capacity'),
        waitWeeks: eb.ref('excluded.waitWeeks'),
        capacityUpdatedAt: eb.ref('excluded.capacityUpdatedAt'),
        assuredDate: eb.ref('excluded.assuredDate'),
        assuredBy: eb.ref('excluded.assuredBy'),
        lastModified: eb.ref('excluded.lastModified'),
        version: sql<number>`directory_services.version + 1`,
      })),
    )
    .execute();
  await replaceOwnedRows(tx, partnershipId, records);
  await sql`
    update directory_services s set located = exists (
      select 1 from directory_service_at_locations sal
      join directory_locations l on l.partnership_id = sal.partnership_id and l.id = sal.location_id
      where sal.partnership_id = s.partnership_id and sal.service_id = s.id and l.latitude is not null)
    where s.partnership_id = ${partnershipId} and s.id = any(${records.map((r) => r.id)}::uuid[])`.execute(
    tx,
  );
}

/** Schedules, costs, contacts, terms and places belong to one service: replaced as a set. */
async function replaceOwnedRows(tx: Tx, partnershipId: string, records: readonly ServiceRecord[]) {
  const serviceIds = records.map((r) => r.id);
  for (const table of [
    'directorySchedules',
    'directoryCostOptions',
    'directoryContacts',
    'directoryServiceTerms',
  ] as const)
    await tx
      .deleteFrom(table)
      .where('partnershipId', '=', partnershipId)
      .where('serviceId', 'in', serviceIds)
      .execute();
  const owned = <T>(pick: (r: ServiceRecord) => T[]) =>
    records.flatMap((r) => pick(r).map((row) => ({ partnershipId, serviceId: r.id, ...row })));
  const schedules = owned((r) => r.schedules);
  if (schedules.length) await tx.insertInto('directorySchedules').values(schedules).execute();
  const costs = owned((r) => r.costOptions);
  if (costs.length) await tx.insertInto('directoryCostOptions').values(costs).execute();
  const contacts = owned((r) => r.contacts);
  if (contacts.length) await tx.insertInto('directoryContacts').values(contacts).execute();
  const terms = owned((r) => [...new Set(r.taxonomyTermIds)].map((taxonomyTermId) => ({ taxonomyTermId })));
  if (terms.length) await tx.insertInto('directoryServiceTerms').values(terms).execute();
  // A service-at-location keeps its id while the pair stands, so links to it stay stable.
  const places = owned((r) => r.locations.map((l) => ({ locationId: l.id })));
  const pairs = places.map((p) => `${p.serviceId}:${p.locationId}`);
  await sql`
    delete from directory_service_at_locations
    where partnership_id = ${partnershipId} and service_id = any(${serviceIds}::uuid[])
      and not (service_id::text || ':' || location_id::text = any(${pairs}::text[]))`.execute(tx);
  if (places.length)
    await tx
      .insertInto('directoryServiceAtLocations')
      .values(places)
      .onConflict((oc) => oc.columns(['partnershipId', 'serviceId', 'locationId']).doNothing())
      .execute();
}

/** Every term a record names must be one of the partnership's. */
async function checkTerms(tx: Tx, partnershipId: string, records: readonly ServiceRecord[]) {
  const named = [...new Set(records.flatMap((r) => r.taxonomyTermIds))];
  if (named.length === 0) return;
  const known = new Set(
    (
      await tx
        .selectFrom('directoryTaxonomyTerms')
        .select('id')
        .where('partnershipId', '=', partnershipId)
        .where('id', 'in', named)
        .execute()
    ).map((t) => t.id),
  );
  const unknown = named.filter((t) => !known.has(t));
  if (unknown.length)
    throw new ValidationError(
      unknown.map((t) => ({
        field: 'taxonomyTermIds',
        message: `Unknown taxonomy term ${t}: use a term of the partnership's taxonomy`,
      })),
    );
}

async function postcodeCoordinates(tx: Tx, records: readonly ServiceRecord[]) {
  const postcodes = [
    ...new Set(
      records.flatMap((r) =>
        r.locations.filter((l) => l.latitude === null && l.postalCode).map((l) => l.postalCode),
      ),
    ),
  ];
  if (postcodes.length === 0) return new Map<string, { latitude: number; longitude: number }>();
  const rows = await tx
    .selectFrom('geoPlaces')
    .select(['key', 'latitude', 'longitude'])
    .where('key', 'in', postcodes)
    .execute();
  return new Map(rows.map((r) => [r.key, r]));
}

function uniqueBy<T extends { id: string }>(rows: readonly T[]): T[] {
  return [...new Map(rows.map((r) => [r.id, r])).values()];
}

// ---------------------------------------------------------------------------------------------------
// Entries as stored, read whole: a page at a time (one query per table, whatever the page's size)
// for the API and exports, one for its page and its editor.

export type StoredTerm = {
  id: string;
  code: string;
  name: string;
  description: string;
  parentId: string | null;
  termUri: string | null;
  taxonomy: StoredTaxonomy;
};
export type StoredTaxonomy = {
  id: string;
  name: string;
  description: string;
  uri: string | null;
  version: string | null;
};

/** A ServiceRecord as held, with what only the database knows: when it changed, its terms, its place ids. */
export type StoredEntry = ServiceRecord & {
  lastModified: Date;
  terms: StoredTerm[];
  /** service_at_location ids by location id. */
  placeIds: Map<string, string>;
  /** For optimistic locking of edits. */
  version: number;
  /** When the provider last gave places left or the wait; null if never. */
  capacityUpdatedAt: Date | null;
};

const num = (v: string | number | null) => (v === null ? null : Number(v));

/** A taxonomy term with its taxonomy, as selected from directory_taxonomy_terms t join directory_taxonomies x. */
export const TERM_COLUMNS = [
  't.id',
  't.code',
  't.name',
  't.description',
  't.parentId',
  't.termUri',
  'x.id as taxonomyId',
  'x.name as taxonomyName',
  'x.description as taxonomyDescription',
  'x.uri as taxonomyUri',
  'x.version as taxonomyVersion',
] as const;

export function storedTerm(r: {
  id: string;
  code: string;
  name: string;
  description: string;
  parentId: string | null;
  termUri: string | null;
  taxonomyId: string;
  taxonomyName: string;
  taxonomyDescription: string;
  taxonomyUri: string | null;
  taxonomyVersion: string | null;
}): StoredTerm {
  return {
    id: r.id,
    code: r.code,
    name: r.name,
    description: r.description,
    parentId: r.parentId,
    termUri: r.termUri,
    taxonomy: {
      id: r.taxonomyId,
      name: r.taxonomyName,
      description: r.taxonomyDescription,
      uri: r.taxonomyUri,
      version: r.taxonomyVersion,
    },
  };
}

/** The entries with these ids, in the order given (ids not held are left out). */
export async function loadEntries(
  db: Db | Tx,
  partnershipId: string,
  serviceIds: readonly string[],
): Promise<StoredEntry[]> {
  if (serviceIds.length === 0) return [];
  const ids = [...serviceIds];
  const [services, places, schedules, costs, contacts, terms] = await Promise.all([
    db
      .selectFrom('directoryServices as s')
      .innerJoin('directoryOrganizations as o', (j) =>
        j.onRef('o.partnershipId', '=', 's.partnershipId').onRef('o.id', '=', 's.organizationId'),
      )
      .select([
        's.id',
        's.name',
        's.description',
        's.url',
        's.email',
        's.status',
        's.minimumAge',
        's.maximumAge',
        's.eligibilityDescription',
        's.feesDescription',
        's.free',
        's.accessRoutes',
        's.languages',
        's.specialist',
        's.capacity',
        's.waitWeeks',
        's.assuredDate',
        's.lastModified',
        's.version',
        's.capacityUpdatedAt',
        'o.id as orgId',
        'o.name as orgName',
        'o.description as orgDescription',
        'o.email as orgEmail',
        'o.url as orgUrl',
        'o.phone as orgPhone',
      ])
      .where('s.partnershipId', '=', partnershipId)
      .where('s.id', 'in', ids)
      .execute(),
    db
      .selectFrom('directoryServiceAtLocations as sl')
      .innerJoin('directoryLocations as l', (j) =>
        j.onRef('l.partnershipId', '=', 'sl.partnershipId').onRef('l.id', '=', 'sl.locationId'),
      )
      .select([
        'sl.id as placeId',
        'sl.serviceId',
        'l.id',
        'l.name',
        'l.locationType',
        'l.addressLine1',
        'l.city',
        'l.postalCode',
        'l.latitude',
        'l.longitude',
      ])
      .where('sl.partnershipId', '=', partnershipId)
      .where('sl.serviceId', 'in', ids)
      .orderBy('l.name')
      .orderBy('l.id')
      .execute(),
    db
      .selectFrom('directorySchedules')
      .select([
        'id',
        'serviceId',
        'freq',
        'byday',
        'opensAt',
        'closesAt',
        'validFrom',
        'validTo',
        'description',
      ])
      .where('partnershipId', '=', partnershipId)
      .where('serviceId', 'in', ids)
      .orderBy('opensAt')
      .orderBy('id')
      .execute(),
    db
      .selectFrom('directoryCostOptions')
      .select(['id', 'serviceId', 'option', 'amount', 'currency', 'amountDescription'])
      .where('partnershipId', '=', partnershipId)
      .where('serviceId', 'in', ids)
      .orderBy('id')
      .execute(),
    db
      .selectFrom('directoryContacts')
      .select(['id', 'serviceId', 'name', 'title', 'email', 'phone'])
      .where('partnershipId', '=', partnershipId)
      .where('serviceId', 'in', ids)
      .orderBy('name')
      .orderBy('id')
      .execute(),
    db
      .selectFrom('directoryServiceTerms as st')
      .innerJoin('directoryTaxonomyTerms as t', (j) =>
        j.onRef('t.partnershipId', '=', 'st.partnershipId').onRef('t.id', '=', 'st.taxonomyTermId'),
      )
      .innerJoin('directoryTaxonomies as x', (j) =>
        j.onRef('x.partnershipId', '=', 't.partnershipId').onRef('x.id', '=', 't.taxonomyId'),
      )
      .select(['st.serviceId', ...TERM_COLUMNS])
      .where('st.partnershipId', '=', partnershipId)
      .where('st.serviceId', 'in', ids)
      .orderBy('t.code')
      .execute(),
  ]);
  const by = <T extends { serviceId: string }>(rows: T[]) => {
    const map = new Map<string, T[]>();
    for (const r of rows) map.set(r.serviceId, [...(map.get(r.serviceId) ?? []), r]);
    return (id: string) => map.get(id) ?? [];
  };
  const placesOf = by(places);
  const schedulesOf = by(schedules);
  const costsOf = by(costs);
  const contactsOf = by(contacts);
  const termsOf = by(terms);
  const found = new Map(
    services.map((s): [string, StoredEntry] => {
      const stripService = <T extends { serviceId: string }>({ serviceId: _, ...rest }: T) => rest;
      const entryTerms = termsOf(s.id).map(storedTerm);
      return [
        s.id,
        {
          id: s.id,
          organization: {
            id: s.orgId,
            name: s.orgName,
            description: s.orgDescription,
            email: s.orgEmail,
            url: s.orgUrl,
            phone: s.orgPhone,
          },
          name: s.name,
          description: s.description,
          url: s.url,
          email: s.email,
          status: s.status,
          minimumAge: s.minimumAge,
          maximumAge: s.maximumAge,
          eligibilityDescription: s.eligibilityDescription,
          feesDescription: s.feesDescription,
          free: s.free,
          accessRoutes: s.accessRoutes,
          languages: s.languages,
          specialist: s.specialist,
          capacity: s.capacity,
          waitWeeks: s.waitWeeks,
          assuredDate: s.assuredDate,
          taxonomyTermIds: entryTerms.map((t) => t.id),
          locations: placesOf(s.id).map(({ placeId: _, serviceId: __, ...l }) => l),
          schedules: schedulesOf(s.id).map(stripService),
          costOptions: costsOf(s.id).map((c) => ({ ...stripService(c), amount: num(c.amount) })),
          contacts: contactsOf(s.id).map(stripService),
          lastModified: s.lastModified,
          version: s.version,
          capacityUpdatedAt: s.capacityUpdatedAt,
          terms: entryTerms,
          placeIds: new Map(placesOf(s.id).map((p) => [p.id, p.placeId])),
        },
      ];
    }),
  );
  return ids.flatMap((id) => {
    const entry = found.get(id);
    return entry ? [entry] : [];
  });
}

/** One entry, whole, or null when the area holds no service with this id. */
export async function loadEntry(db: Db | Tx, partnershipId: string, serviceId: string) {
  const [entry] = await loadEntries(db, partnershipId, [serviceId]);
  return entry ?? null;
}

/** The entry as the record it was saved from, without what only the database adds. */
export function recordOf(entry: StoredEntry): ServiceRecord {
  // Destructured only to leave them out of the record.
  const { lastModified, terms, placeIds, version, capacityUpdatedAt, ...record } = entry;
  return record;
}
