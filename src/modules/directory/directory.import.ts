import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { z } from 'zod';
import type { Ctx } from '../../common/context.ts';
import { ValidationError } from '../../common/errors.ts';
import type { Db, Tx } from '../../db/database.ts';
import { AuditService } from '../audit/index.ts';
import { normalisePostcode, savePlaces, type Place } from './directory.geo.ts';
import {
  derivedId,
  hsdsPath,
  hsdsService,
  recordFromHsds,
  snake,
  type TermReference,
} from './directory.oruk.ts';
import { ServiceRecord, type ServiceRecordInput } from './directory.schemas.ts';
import { loadEntries, saveServiceRecords, type StoredEntry } from './directory.store.ts';

/**
 * Loading a directory from a file, and writing one out in the same shapes, so an export imports back
 * whole. Two shapes:
 *
 * - an Open Referral UK JSON feed: an array of fully nested HSDS 3.0 services, a Page object (its
 *   `contents`), or `{ "services": [...] }`;
 * - a flat CSV of services, one row each, with the columns in CSV_COLUMNS. A service with more than
 *   one location, schedule, contact or cost option takes one more row for each, repeating its id
 *   (the service's own columns are read from its first row).
 *
 * Every record is checked as a ServiceRecord after mapping, and its taxonomy terms (by id or code)
 * must be the partnership's; a JSON feed that carries a term with its taxonomy may add it. Good
 * records load, in batches of one transaction each; broken ones are reported by line (the CSV line,
 * or the index in the JSON array) and field. Ids are kept (or derived from the content when a CSV
 * has none), so loading the same file again updates rather than duplicates.
 */

export type DirectoryFile = { name: string; content: string };
export type ImportOptions = { format?: 'json' | 'csv'; now?: Date; batchSize?: number };
export type Rejection = { line: number; field: string; message: string };
export type ImportReport = { loaded: number; rejected: Rejection[] };

export const CSV_COLUMNS = [
  'id',
  'organization_id',
  'organization_name',
  'organization_description',
  'organization_url',
  'organization_email',
  'organization_phone',
  'name',
  'description',
  'url',
  'email',
  'status',
  'minimum_age',
  'maximum_age',
  'eligibility_description',
  'fees_description',
  'free',
  'access_routes',
  'languages',
  'specialist',
  'capacity',
  'wait_weeks',
  'assured_date',
  'taxonomy_term_codes',
  'location_id',
  'location_name',
  'location_type',
  'address_1',
  'city',
  'postal_code',
  'latitude',
  'longitude',
  'schedule_id',
  'schedule_freq',
  'schedule_byday',
  'opens_at',
  'closes_at',
  'valid_from',
  'valid_to',
  'schedule_description',
  'contact_id',
  'contact_name',
  'contact_title',
  'contact_email',
  'phone',
  'cost_option_id',
  'cost_option',
  'amount',
  'currency',
  'amount_description',
] as const;
type CsvColumn = (typeof CSV_COLUMNS)[number];
type CsvRow = Partial<Record<CsvColumn, string>>;
const REQUIRED_COLUMNS: CsvColumn[] = ['name', 'organization_name'];

const DEFAULT_BATCH = 200;

/** A record ready to check: where it came from, how to name its fields, the terms it names. */
type Candidate = {
  line: number;
  input: Omit<ServiceRecordInput, 'taxonomyTermIds'>;
  terms: TermReference[];
  /** The field the terms came from, for an unknown one. */
  termField: (index: number) => string;
  /** A ServiceRecord path as the file names it, and the line it came from. */
  place: (path: readonly PropertyKey[]) => { line: number; field: string };
};

export function detectFormat(file: DirectoryFile): 'json' | 'csv' {
  if (/\.json$/i.test(file.name)) return 'json';
  if (/\.csv$/i.test(file.name)) return 'csv';
  return /^\s*[[{]/.test(file.content) ? 'json' : 'csv';
}

export async function importDirectory(
  db: Db,
  ctx: Ctx,
  partnershipId: string,
  file: DirectoryFile,
  options: ImportOptions = {},
): Promise<ImportReport> {
  const format = options.format ?? detectFormat(file);
  const candidates = format === 'json' ? jsonCandidates(file) : csvCandidates(file);
  const known = await knownTerms(db, partnershipId);
  const rejected: Rejection[] = [];
  const good: { line: number; record: ServiceRecord }[] = [];
  const toCreate = new Map<string, NewTerm>();
  const seen = new Map<string, number>();

  for (const c of candidates) {
    const problems: Rejection[] = [];
    const termIds: string[] = [];
    const created: NewTerm[] = [];
    c.terms.forEach((ref, i) => {
      const found = resolveTerm(known, ref, format === 'json', partnershipId);
      if ('id' in found) termIds.push(found.id);
      else if ('create' in found) {
        termIds.push(found.create.id);
        created.push(found.create);
      } else problems.push({ line: c.line, field: c.termField(i), message: found.error });
    });
    const parsed = ServiceRecord.safeParse({ ...c.input, taxonomyTermIds: termIds });
    if (!parsed.success) problems.push(...issuesOf(parsed.error, c));
    if (parsed.success) {
      const first = seen.get(parsed.data.id);
      if (first !== undefined)
        problems.push({
          line: c.line,
          field: 'id',
          message: `is the same as the service at ${format === 'json' ? 'index' : 'line'} ${first}: give each service its own id`,
        });
    }
    if (problems.length) {
      rejected.push(...problems);
      continue;
    }
    seen.set(parsed.data!.id, c.line);
    for (const t of created) toCreate.set(t.id, t);
    good.push({ line: c.line, record: parsed.data! });
  }

  const now = options.now ?? ctx.now;
  const audit = new AuditService(db);
  if (toCreate.size)
    await db.transaction().execute(async (tx) => {
      await createTerms(tx, partnershipId, [...toCreate.values()]);
      await audit.record(
        tx,
        ctx,
        {
          action: 'directory.import.terms',
          subjectType: 'directory',
          detail: { file: file.name, terms: [...toCreate.values()].map((t) => t.code) },
        },
        partnershipId,
      );
    });

  let loaded = 0;
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  for (let i = 0; i < good.length; i += batchSize) {
    const batch = good.slice(i, i + batchSize);
    const save = (items: typeof batch) =>
      db.transaction().execute(async (tx) => {
        await saveServiceRecords(
          tx,
          partnershipId,
          items.map((g) => g.record),
          { now },
        );
        await audit.record(
          tx,
          ctx,
          {
            action: 'directory.import',
            subjectType: 'directory',
            detail: { file: file.name, format, services: items.length },
            itemIds: items.map((g) => g.record.id),
          },
          partnershipId,
        );
      });
    try {
      await save(batch);
      loaded += batch.length;
    } catch {
      // Something only the database could tell: load the batch one by one to find the record.
      for (const item of batch) {
        try {
          await save([item]);
          loaded += 1;
        } catch (error) {
          const fields = error instanceof ValidationError ? error.fields : [];
          rejected.push(
            ...(fields.length
              ? fields.map((f) => ({ line: item.line, field: snake(f.field), message: f.message }))
              : [
                  {
                    line: item.line,
                    field: 'id',
                    message: `could not be saved: ${(error as Error).message}`,
                  },
                ]),
          );
        }
      }
    }
  }
  rejected.sort((a, b) => a.line - b.line);
  return { loaded, rejected };
}

function issuesOf(error: z.ZodError, c: Candidate): Rejection[] {
  return error.issues.map((issue) => {
    const { line, field } = c.place(issue.path);
    return { line, field, message: issue.message };
  });
}

// ---------------------------------------------------------------------------------------------------
// Taxonomy terms: the partnership's, and those a feed adds.

type KnownTerms = {
  terms: { id: string; code: string; taxonomyId: string; taxonomyName: string }[];
  taxonomies: { id: string; name: string }[];
};
type NewTerm = {
  id: string;
  code: string;
  name: string;
  description: string;
  parentId: string | null;
  taxonomy: { id: string; name: string; description: string; uri: string | null; exists: boolean };
};

async function knownTerms(db: Db, partnershipId: string): Promise<KnownTerms> {
  const [terms, taxonomies] = await Promise.all([
    db
      .selectFrom('directoryTaxonomyTerms as t')
      .innerJoin('directoryTaxonomies as x', (j) =>
        j.onRef('x.partnershipId', '=', 't.partnershipId').onRef('x.id', '=', 't.taxonomyId'),
      )
      .select(['t.id', 't.code', 't.taxonomyId', 'x.name as taxonomyName'])
      .where('t.partnershipId', '=', partnershipId)
      .execute(),
    db
      .selectFrom('directoryTaxonomies')
      .select(['id', 'name'])
      .where('partnershipId', '=', partnershipId)
      .execute(),
  ]);
  return { terms, taxonomies };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TERM_CODE = /^[a-z0-9][a-z0-9-]{0,80}$/;
const codeOf = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);

function resolveTerm(
  known: KnownTerms,
  ref: TermReference,
  mayCreate: boolean,
  partnershipId: string,
): { id: string } | { create: NewTerm } | { error: string } {
  if (ref.id) {
    const byId = known.terms.find((t) => t.id.toLowerCase() === ref.id!.toLowerCase());
    if (byId) return { id: byId.id };
  }
  if (ref.code) {
    const byCode = known.terms.filter(
      (t) => t.code === ref.code && (!ref.taxonomy?.name || t.taxonomyName === ref.taxonomy.name),
    );
    if (byCode.length === 1) return { id: byCode[0]!.id };
    if (byCode.length > 1)
      return { error: `taxonomy term "${ref.code}" is in more than one taxonomy: name it by its id` };
  }
  const name = ref.id ?? ref.code ?? '';
  if (!mayCreate || !ref.name || !ref.taxonomy?.name)
    return {
      error: `unknown taxonomy term "${name}": use a term of the area's taxonomy (by id or code), or give the term with its taxonomy`,
    };
  const code = ref.code ?? codeOf(ref.name);
  if (!TERM_CODE.test(code))
    return { error: `taxonomy term code "${code}" must be lower-case letters, digits and hyphens` };
  const taxonomy =
    known.taxonomies.find(
      (x) => (ref.taxonomy!.id && x.id === ref.taxonomy!.id) || x.name === ref.taxonomy!.name,
    ) ?? null;
  const taxonomyId =
    taxonomy?.id ??
    (ref.taxonomy.id && UUID.test(ref.taxonomy.id)
      ? ref.taxonomy.id
      : derivedId(partnershipId, 'taxonomy', ref.taxonomy.name));
  return {
    create: {
      id: ref.id && UUID.test(ref.id) ? ref.id.toLowerCase() : derivedId(partnershipId, taxonomyId, code),
      code,
      name: ref.name,
      description: ref.description,
      parentId: ref.parentId && UUID.test(ref.parentId) ? ref.parentId.toLowerCase() : null,
      taxonomy: {
        id: taxonomyId,
        name: ref.taxonomy.name,
        description: ref.taxonomy.description,
        uri: ref.taxonomy.uri,
        exists: taxonomy !== null,
      },
    },
  };
}

async function createTerms(tx: Tx, partnershipId: string, terms: NewTerm[]) {
  const taxonomies = new Map(terms.filter((t) => !t.taxonomy.exists).map((t) => [t.taxonomy.id, t.taxonomy]));
  if (taxonomies.size)
    await tx
      .insertInto('directoryTaxonomies')
      .values(
        [...taxonomies.values()].map((x) => ({
          partnershipId,
          id: x.id,
          name: x.name,
          description: x.description,
          uri: x.uri,
        })),
      )
      .onConflict((oc) => oc.columns(['partnershipId', 'id']).doNothing())
      .execute();
  // Parents first; a parent that is neither held nor in the feed is left out.
  const ids = new Set(terms.map((t) => t.id));
  const existing = new Set(
    (
      await tx
        .selectFrom('directoryTaxonomyTerms')
        .select('id')
        .where('partnershipId', '=', partnershipId)
        .execute()
    ).map((t) => t.id),
  );
  const pending = [...terms];
  while (pending.length) {
    const ready = pending.filter((t) => !t.parentId || existing.has(t.parentId) || !ids.has(t.parentId));
    const batch = ready.length ? ready : pending;
    await tx
      .insertInto('directoryTaxonomyTerms')
      .values(
        batch.map((t) => ({
          partnershipId,
          id: t.id,
          taxonomyId: t.taxonomy.id,
          code: t.code,
          name: t.name,
          description: t.description,
          parentId: t.parentId && existing.has(t.parentId) ? t.parentId : null,
        })),
      )
      .onConflict((oc) => oc.columns(['partnershipId', 'id']).doNothing())
      .execute();
    for (const t of batch) {
      existing.add(t.id);
      pending.splice(pending.indexOf(t), 1);
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// JSON feeds.

function jsonCandidates(file: DirectoryFile): Candidate[] {
  let document: unknown;
  try {
    document = JSON.parse(file.content);
  } catch (error) {
    throw new ValidationError([
      { field: 'file', message: `${file.name} is not valid JSON: ${(error as Error).message}` },
    ]);
  }
  const services = Array.isArray(document)
    ? document
    : Array.isArray((document as { contents?: unknown })?.contents)
      ? (document as { contents: unknown[] }).contents
      : Array.isArray((document as { services?: unknown })?.services)
        ? (document as { services: unknown[] }).services
        : null;
  if (!services)
    throw new ValidationError([
      {
        field: 'file',
        message: `${file.name} must hold an array of services, a Page object with contents, or { "services": [...] }`,
      },
    ]);
  return services.map((raw, index) => {
    const { input, terms } = recordFromHsds(raw);
    return {
      line: index,
      input,
      terms,
      termField: (i) => `attributes[${i}].taxonomy_term_id`,
      place: (path) => ({ line: index, field: hsdsPath(path) }),
    };
  });
}

// ---------------------------------------------------------------------------------------------------
// CSV.

const CSV_FIELD: Record<string, CsvColumn> = {
  addressLine1: 'address_1',
  name: 'location_name',
  locationType: 'location_type',
};

/** A ServiceRecord path as the CSV's column: ['schedules', 0, 'closesAt'] → 'closes_at'. */
function csvColumn(path: readonly PropertyKey[]): string {
  const [head, index, leaf] = path;
  const key = String(leaf ?? '');
  if (head === 'organization') return `organization_${snake(String(index))}`;
  if (head === 'taxonomyTermIds') return 'taxonomy_term_codes';
  if (head === 'accessRoutes' || head === 'languages') return snake(String(head));
  if (typeof index !== 'number') return snake(String(head));
  if (head === 'locations') return key === 'id' ? 'location_id' : (CSV_FIELD[key] ?? snake(key));
  if (head === 'schedules')
    return ['id', 'freq', 'byday', 'description'].includes(key) ? `schedule_${key}` : snake(key);
  if (head === 'contacts') return key === 'phone' ? 'phone' : `contact_${snake(key)}`;
  if (head === 'costOptions')
    return key === 'id' ? 'cost_option_id' : key === 'option' ? 'cost_option' : snake(key);
  return snake(String(head));
}

const present = (row: CsvRow, ...columns: CsvColumn[]) => columns.some((c) => (row[c] ?? '') !== '');
const cell = (row: CsvRow, c: CsvColumn) => row[c] ?? '';
const orNull = (v: string) => (v === '' ? null : v);
const list = (v: string) =>
  v
    .split(/[;,]/)
    .map((s) => s.trim())
    .filter(Boolean);
/** '' → absent (the record's default), a number → the number, anything else as written (refused by the check). */
const numberOf = (v: string): number | string | null =>
  v === '' ? null : /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
const booleanOf = (v: string): boolean | string | undefined => {
  if (v === '') return undefined;
  if (/^(true|yes|y|1)$/i.test(v)) return true;
  if (/^(false|no|n|0)$/i.test(v)) return false;
  return v;
};

function csvCandidates(file: DirectoryFile): Candidate[] {
  let rows: { record: CsvRow; info: { lines: number } }[];
  try {
    rows = parse(file.content, {
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      bom: true,
      trim: true,
      skip_empty_lines: true,
      info: true,
    }) as never;
  } catch (error) {
    throw new ValidationError([
      { field: 'file', message: `${file.name} is not a CSV file we can read: ${(error as Error).message}` },
    ]);
  }
  const header = rows.length ? Object.keys(rows[0]!.record) : [];
  const missing = REQUIRED_COLUMNS.filter((c) => !header.includes(c));
  if (rows.length === 0 || missing.length)
    throw new ValidationError([
      {
        field: 'file',
        message:
          rows.length === 0
            ? `${file.name} has no services: it needs a header row and a row for each service`
            : `${file.name} needs the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (the file has: ${header.join(', ')})`,
      },
    ]);

  // Rows of one service: by its id, or (without one) by its organisation and name.
  const groups = new Map<string, { line: number; row: CsvRow }[]>();
  for (const { record, info } of rows) {
    const key = cell(record, 'id') || `${cell(record, 'organization_name')}\u0000${cell(record, 'name')}`;
    groups.set(key, [...(groups.get(key) ?? []), { line: info.lines, row: record }]);
  }
  return [...groups.values()].map((group) => {
    const first = group[0]!.row;
    const line = group[0]!.line;
    const serviceId =
      cell(first, 'id') || derivedId('service', cell(first, 'organization_name'), cell(first, 'name'));
    const organizationId =
      cell(first, 'organization_id') || derivedId('organization', cell(first, 'organization_name'));
    // Each nested item remembers its row, so a fault in it is reported on that line.
    const lines: Record<'locations' | 'schedules' | 'contacts' | 'costOptions', number[]> = {
      locations: [],
      schedules: [],
      contacts: [],
      costOptions: [],
    };
    const locations = new Map<string, unknown>();
    const schedules = new Map<string, unknown>();
    const contacts = new Map<string, unknown>();
    const costs = new Map<string, unknown>();
    const add = (
      map: Map<string, unknown>,
      key: keyof typeof lines,
      id: string,
      item: unknown,
      at: number,
    ) => {
      if (map.has(id)) return;
      map.set(id, item);
      lines[key].push(at);
    };
    group.forEach(({ row, line: at }, i) => {
      if (
        present(
          row,
          'location_id',
          'location_name',
          'address_1',
          'city',
          'postal_code',
          'latitude',
          'longitude',
        )
      ) {
        const postcode = cell(row, 'postal_code');
        const id =
          cell(row, 'location_id') ||
          derivedId(serviceId, 'location', postcode, cell(row, 'address_1'), cell(row, 'location_name'));
        add(
          locations,
          'locations',
          id,
          {
            id,
            name: cell(row, 'location_name'),
            locationType: cell(row, 'location_type') || undefined,
            addressLine1: cell(row, 'address_1'),
            city: cell(row, 'city'),
            postalCode: normalisePostcode(postcode) ?? postcode,
            latitude: numberOf(cell(row, 'latitude')),
            longitude: numberOf(cell(row, 'longitude')),
          },
          at,
        );
      }
      if (
        present(
          row,
          'schedule_id',
          'schedule_byday',
          'opens_at',
          'closes_at',
          'valid_from',
          'valid_to',
          'schedule_description',
        )
      ) {
        const id = cell(row, 'schedule_id') || derivedId(serviceId, 'schedule', i);
        add(
          schedules,
          'schedules',
          id,
          {
            id,
            freq: cell(row, 'schedule_freq').toUpperCase() || undefined,
            byday: cell(row, 'schedule_byday').replace(/;/g, ','),
            opensAt: orNull(cell(row, 'opens_at')),
            closesAt: orNull(cell(row, 'closes_at')),
            validFrom: orNull(cell(row, 'valid_from')),
            validTo: orNull(cell(row, 'valid_to')),
            description: cell(row, 'schedule_description'),
          },
          at,
        );
      }
      if (present(row, 'contact_id', 'contact_name', 'contact_title', 'contact_email', 'phone')) {
        const id = cell(row, 'contact_id') || derivedId(serviceId, 'contact', i);
        add(
          contacts,
          'contacts',
          id,
          {
            id,
            name: cell(row, 'contact_name'),
            title: cell(row, 'contact_title'),
            email: orNull(cell(row, 'contact_email')),
            phone: orNull(cell(row, 'phone')),
          },
          at,
        );
      }
      if (present(row, 'cost_option_id', 'cost_option', 'amount', 'amount_description')) {
        const id = cell(row, 'cost_option_id') || derivedId(serviceId, 'cost', i);
        add(
          costs,
          'costOptions',
          id,
          {
            id,
            option: cell(row, 'cost_option'),
            amount: numberOf(cell(row, 'amount')),
            currency: cell(row, 'currency') || undefined,
            amountDescription: cell(row, 'amount_description'),
          },
          at,
        );
      }
    });
    const optional = (c: CsvColumn) => (cell(first, c) === '' ? undefined : cell(first, c));
    const input = {
      id: serviceId,
      organization: {
        id: organizationId,
        name: cell(first, 'organization_name'),
        description: cell(first, 'organization_description'),
        url: orNull(cell(first, 'organization_url')),
        email: orNull(cell(first, 'organization_email')),
        phone: orNull(cell(first, 'organization_phone')),
      },
      name: cell(first, 'name'),
      description: cell(first, 'description'),
      url: orNull(cell(first, 'url')),
      email: orNull(cell(first, 'email')),
      status: optional('status'),
      minimumAge: numberOf(cell(first, 'minimum_age')),
      maximumAge: numberOf(cell(first, 'maximum_age')),
      eligibilityDescription: cell(first, 'eligibility_description'),
      feesDescription: cell(first, 'fees_description'),
      free: booleanOf(cell(first, 'free')),
      accessRoutes: list(cell(first, 'access_routes')),
      languages: cell(first, 'languages') ? list(cell(first, 'languages')) : undefined,
      specialist: booleanOf(cell(first, 'specialist')),
      capacity: orNull(cell(first, 'capacity')),
      waitWeeks: numberOf(cell(first, 'wait_weeks')),
      assuredDate: cell(first, 'assured_date'),
      locations: [...locations.values()],
      schedules: [...schedules.values()],
      contacts: [...contacts.values()],
      costOptions: [...costs.values()],
    } as unknown as Omit<ServiceRecordInput, 'taxonomyTermIds'>;
    const terms: TermReference[] = list(cell(first, 'taxonomy_term_codes')).map((t) => ({
      id: UUID.test(t) ? t : null,
      code: UUID.test(t) ? null : t,
      name: null,
      description: '',
      parentId: null,
      taxonomy: null,
    }));
    return {
      line,
      input,
      terms,
      termField: () => 'taxonomy_term_codes',
      place: (path) => {
        const [head, index] = path;
        const at =
          typeof index === 'number' && typeof head === 'string' && head in lines
            ? lines[head as keyof typeof lines][index]
            : undefined;
        return { line: at ?? line, field: csvColumn(path) };
      },
    };
  });
}

// ---------------------------------------------------------------------------------------------------
// Export.

const EXPORT_BATCH = 500;

/** Every service of the partnership, as a JSON feed (an array of nested HSDS services) or the flat CSV. */
export async function exportDirectory(
  db: Db,
  partnershipId: string,
  format: 'json' | 'csv',
): Promise<string> {
  const ids = (
    await db
      .selectFrom('directoryServices')
      .select('id')
      .where('partnershipId', '=', partnershipId)
      .orderBy('name')
      .orderBy('id')
      .execute()
  ).map((r) => r.id);
  const entries: StoredEntry[] = [];
  for (let i = 0; i < ids.length; i += EXPORT_BATCH)
    entries.push(...(await loadEntries(db, partnershipId, ids.slice(i, i + EXPORT_BATCH))));
  if (format === 'json')
    return `${JSON.stringify(
      entries.map((e) => hsdsService(e)),
      null,
      2,
    )}\n`;
  const codeCount = new Map<string, number>();
  const allTerms = await db
    .selectFrom('directoryTaxonomyTerms')
    .select('code')
    .where('partnershipId', '=', partnershipId)
    .execute();
  for (const t of allTerms) codeCount.set(t.code, (codeCount.get(t.code) ?? 0) + 1);
  // A code that names one term is written as the code; otherwise the term's id.
  const termKey = (t: StoredEntry['terms'][number]) => (codeCount.get(t.code) === 1 ? t.code : t.id);
  return stringify(
    entries.flatMap((e) => csvRows(e, termKey)),
    { header: true, columns: [...CSV_COLUMNS] },
  );
}

function csvRows(e: StoredEntry, termKey: (t: StoredEntry['terms'][number]) => string): CsvRow[] {
  const count = Math.max(1, e.locations.length, e.schedules.length, e.contacts.length, e.costOptions.length);
  const text = (v: string | number | boolean | null | undefined) =>
    v === null || v === undefined ? '' : String(v);
  const service: CsvRow = {
    id: e.id,
    organization_id: e.organization.id,
    organization_name: e.organization.name,
    organization_description: e.organization.description,
    organization_url: text(e.organization.url),
    organization_email: text(e.organization.email),
    organization_phone: text(e.organization.phone),
    name: e.name,
    description: e.description,
    url: text(e.url),
    email: text(e.email),
    status: e.status,
    minimum_age: text(e.minimumAge),
    maximum_age: text(e.maximumAge),
    eligibility_description: e.eligibilityDescription,
    fees_description: e.feesDescription,
    free: text(e.free),
    access_routes: e.accessRoutes.join(';'),
    languages: e.languages.join(';'),
    specialist: text(e.specialist),
    capacity: text(e.capacity),
    wait_weeks: text(e.waitWeeks),
    assured_date: e.assuredDate,
    taxonomy_term_codes: e.terms.map(termKey).join(';'),
  };
  return Array.from({ length: count }, (_, i) => {
    const l = e.locations[i];
    const s = e.schedules[i];
    const c = e.contacts[i];
    const o = e.costOptions[i];
    return {
      ...service,
      ...(l && {
        location_id: l.id,
        location_name: l.name,
        location_type: l.locationType,
        address_1: l.addressLine1,
        city: l.city,
        postal_code: l.postalCode,
        latitude: text(l.latitude),
        longitude: text(l.longitude),
      }),
      ...(s && {
        schedule_id: s.id,
        schedule_freq: s.freq,
        schedule_byday: s.byday,
        opens_at: text(s.opensAt),
        closes_at: text(s.closesAt),
        valid_from: text(s.validFrom),
        valid_to: text(s.validTo),
        schedule_description: s.description,
      }),
      ...(c && {
        contact_id: c.id,
        contact_name: c.name,
        contact_title: c.title,
        contact_email: text(c.email),
        phone: text(c.phone),
      }),
      ...(o && {
        cost_option_id: o.id,
        cost_option: o.option,
        amount: text(o.amount),
        currency: o.currency,
        amount_description: o.amountDescription,
      }),
    };
  });
}

// ---------------------------------------------------------------------------------------------------
// Postcode coordinates (`wraparound directory places`).

export type PlacesReport = { postcodes: number; outcodes: number; rejected: Rejection[] };

/**
 * Postcode coordinates from an ONS Postcode Directory-style CSV (columns pcds or postcode, lat, long)
 * into geo_places, with each outward code's centre (the mean of its postcodes). Rows without usable
 * coordinates (the ONS file gives 99.999999 for postcodes it cannot place) are reported and skipped.
 */
export async function loadPlacesCsv(db: Db, file: DirectoryFile): Promise<PlacesReport> {
  let rows: { record: Record<string, string>; info: { lines: number } }[];
  try {
    rows = parse(file.content, {
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      bom: true,
      trim: true,
      skip_empty_lines: true,
      info: true,
    }) as never;
  } catch (error) {
    throw new ValidationError([
      { field: 'file', message: `${file.name} is not a CSV file we can read: ${(error as Error).message}` },
    ]);
  }
  const header = rows.length ? Object.keys(rows[0]!.record) : [];
  const postcodeColumn = ['pcds', 'postcode', 'pcd'].find((c) => header.includes(c));
  const latColumn = ['lat', 'latitude'].find((c) => header.includes(c));
  const longColumn = ['long', 'longitude', 'lng'].find((c) => header.includes(c));
  if (!postcodeColumn || !latColumn || !longColumn)
    throw new ValidationError([
      {
        field: 'file',
        message: `${file.name} needs the columns pcds (or postcode), lat and long (the file has: ${header.join(', ') || 'nothing'})`,
      },
    ]);
  const rejected: Rejection[] = [];
  const places: (Place & { kind: 'postcode' | 'outcode' })[] = [];
  const outcodes = new Map<string, { lat: number; long: number; n: number }>();
  for (const { record, info } of rows) {
    const postcode = normalisePostcode(record[postcodeColumn] ?? '');
    const latitude = Number(record[latColumn]);
    const longitude = Number(record[longColumn]);
    if (!postcode) {
      rejected.push({ line: info.lines, field: postcodeColumn, message: 'must be a UK postcode' });
      continue;
    }
    if (
      record[latColumn] === '' ||
      record[longColumn] === '' ||
      !Number.isFinite(latitude) ||
      !Number.isFinite(longitude) ||
      Math.abs(latitude) > 90 ||
      Math.abs(longitude) > 180 ||
      latitude === 99.999999
    ) {
      rejected.push({
        line: info.lines,
        field: latColumn,
        message: 'must be a latitude and longitude in degrees',
      });
      continue;
    }
    places.push({ key: postcode, kind: 'postcode', label: postcode, latitude, longitude });
    const outcode = postcode.split(' ')[0]!;
    const sum = outcodes.get(outcode) ?? { lat: 0, long: 0, n: 0 };
    outcodes.set(outcode, { lat: sum.lat + latitude, long: sum.long + longitude, n: sum.n + 1 });
  }
  for (const [key, s] of outcodes)
    places.push({ key, kind: 'outcode', label: key, latitude: s.lat / s.n, longitude: s.long / s.n });
  await db.transaction().execute((tx) => savePlaces(tx, places));
  return { postcodes: places.length - outcodes.size, outcodes: outcodes.size, rejected };
}
