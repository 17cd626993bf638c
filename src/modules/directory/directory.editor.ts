import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Actor, Ctx } from '../../common/context.ts';
import { isSystem } from '../../common/context.ts';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
  type FieldError,
} from '../../common/errors.ts';
import { isAllowed } from '../../common/permissions.ts';
import { addMonths, londonDate } from '../../common/plain-dates.ts';
import type { Db, Tx } from '../../db/database.ts';
import type { AccessService } from '../access/index.ts';
import type { AuditService } from '../audit/index.ts';
import type { CapacityForm, EntryForm, ReviewForm } from './directory.editor.schemas.ts';
import { ServiceRecord } from './directory.schemas.ts';
import { loadEntry, recordOf, saveServiceRecords } from './directory.store.ts';
import { taxonomyTermsOf, type TaxonomyTerm } from './directory.taxonomy.ts';
import { DAYS, LANGUAGES, REVIEW_AFTER_MONTHS } from './directory.vocabulary.ts';

/**
 * Directory editors keep their organisation's entries current: a directory editor edits the entries
 * of the directory organisations their own agency runs, a partnership administrator any entry of the
 * partnership. Each save is checked against the version the editor opened (a lost race changes
 * nothing), counts as a review, and is audited with the fields it changed. Providers publish their
 * capacity and typical wait. Entries are not personal data, so no access gate.
 */

export const STALE_ENTRY =
  'Someone else changed this entry since you opened it: check their changes and try again';

type Q = Db | Tx;

/** The first day an entry confirmed before it is due for review. */
export function reviewCutoff(now: Date): string {
  return addMonths(londonDate(now), -REVIEW_AFTER_MONTHS);
}

export const editLink = (serviceId: string) => `/directory/entries/${serviceId}/edit`;

/** The parts of an entry whose change the audit trail names, with their values before and after. */
const SCALARS = [
  'name',
  'description',
  'status',
  'minimumAge',
  'maximumAge',
  'eligibilityDescription',
  'feesDescription',
  'free',
  'specialist',
  'url',
  'email',
] as const;
const LISTS = ['accessRoutes', 'languages', 'taxonomyTermIds'] as const;
const OWNED = ['locations', 'schedules', 'contacts'] as const;

export type NeedGroup = { id: string; name: string; terms: { id: string; name: string }[] };

export class DirectoryEditorService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly access: AccessService,
  ) {}

  // --- Reading -------------------------------------------------------------------------------

  /** The entries the person keeps, those due for review first, then by name. */
  async entries(ctx: Ctx) {
    const partnershipId = await this.access.require(ctx, 'directory.edit', 'directory.entries.list');
    const cutoff = reviewCutoff(ctx.now);
    const rows = await this.ownEntries(this.db, ctx, partnershipId)
      .select([
        's.id',
        's.name',
        's.status',
        's.assuredDate',
        's.capacity',
        's.waitWeeks',
        's.capacityUpdatedAt',
        'o.name as organizationName',
      ])
      .orderBy('s.name')
      .execute();
    const entries = rows.map((r) => ({ ...r, reviewDue: r.status === 'active' && r.assuredDate < cutoff }));
    return [...entries.filter((e) => e.reviewDue), ...entries.filter((e) => !e.reviewDue)];
  }

  /** How many of the person's active entries are due for review (the home page's count). */
  async dueCount(ctx: Ctx): Promise<number> {
    if (!isAllowed(ctx, 'directory.edit')) return 0;
    const partnershipId = partnershipOf(ctx);
    const row = await this.ownEntries(this.db, ctx, partnershipId)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('s.status', '=', 'active')
      .where('s.assuredDate', '<', reviewCutoff(ctx.now))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** The directory organisations a new entry may belong to: the editor's agency's, or any for an administrator. */
  async organisations(ctx: Ctx) {
    const partnershipId = await this.access.require(ctx, 'directory.edit', 'directory.entry.new-form');
    let query = this.db
      .selectFrom('directoryOrganizations')
      .select(['id', 'name'])
      .where('partnershipId', '=', partnershipId)
      .orderBy('name');
    if (!editsAny(ctx)) query = query.where('agencyOrganisationId', '=', (ctx.actor as Actor).organisationId);
    return query.execute();
  }

  /** The needs to tick, grouped under their broader need. */
  async needs(partnershipId: string): Promise<NeedGroup[]> {
    return groupNeeds(await taxonomyTermsOf(this.db, partnershipId));
  }

  /** The form for a new entry: the organisations to choose from and a blank entry. */
  async newForm(ctx: Ctx) {
    const organisations = await this.organisations(ctx);
    return {
      organisations,
      needs: await this.needs(partnershipOf(ctx)),
      values: {
        version: 0,
        organizationId: organisations.length === 1 ? organisations[0]!.id : '',
        status: 'active',
        cost: 'free',
        kind: 'mainstream',
        languages: ['en'],
        accessRoutes: [],
        days: [],
        needs: [],
      },
    };
  }

  /** The form to change an entry, filled with the entry as it is. */
  async editForm(ctx: Ctx, serviceId: string) {
    const { partnershipId } = await this.entryToEdit(ctx, serviceId, 'directory.entry.edit-form');
    const record = await loadRecord(this.db, partnershipId, serviceId);
    const version = await currentVersion(this.db, partnershipId, serviceId);
    return {
      entry: { id: serviceId, name: record.name, organizationName: record.organization.name, version },
      needs: await this.needs(partnershipId),
      values: formValues(record, version),
    };
  }

  /** An entry's summary for the review and capacity pages. */
  async entry(ctx: Ctx, serviceId: string, purpose: 'review' | 'capacity') {
    const found =
      purpose === 'review'
        ? await this.entryToEdit(ctx, serviceId, 'directory.entry.review-form')
        : await this.entryForCapacity(ctx, serviceId, 'directory.entry.capacity-form');
    return this.db
      .selectFrom('directoryServices as s')
      .innerJoin('directoryOrganizations as o', (j) =>
        j.onRef('o.partnershipId', '=', 's.partnershipId').onRef('o.id', '=', 's.organizationId'),
      )
      .leftJoin('users as u', (j) =>
        j.onRef('u.partnershipId', '=', 's.partnershipId').onRef('u.id', '=', 's.assuredBy'),
      )
      .select([
        's.id',
        's.name',
        's.status',
        's.assuredDate',
        's.capacity',
        's.waitWeeks',
        's.capacityUpdatedAt',
        's.version',
        'o.name as organizationName',
        'u.displayName as assuredByName',
      ])
      .where('s.partnershipId', '=', found.partnershipId)
      .where('s.id', '=', serviceId)
      .executeTakeFirstOrThrow();
  }

  // --- Changing ------------------------------------------------------------------------------

  /**
   * Saves the entry form over the entry (or as a new entry when serviceId is null). Refused as a
   * conflict, changing nothing, when the entry changed since the editor opened it. Counts as a review.
   */
  async save(ctx: Ctx, serviceId: string | null, form: EntryForm): Promise<{ id: string }> {
    const partnershipId = await this.access.require(
      ctx,
      'directory.edit',
      serviceId ? 'directory.entry.update' : 'directory.entry.create',
    );
    if (serviceId) await this.entryToEdit(ctx, serviceId, 'directory.entry.update');
    const by = isSystem(ctx.actor) ? null : ctx.actor.userId;
    const terms = await taxonomyTermsOf(this.db, partnershipId);
    const known = new Set(terms.map((t) => t.id));
    if (form.needs.some((id) => !known.has(id)))
      throw new ValidationError([{ field: 'needs', message: 'Select needs from the list' }]);
    let organization: ServiceRecord['organization'] | undefined;
    if (!serviceId) {
      const allowed = await this.organisations(ctx);
      if (!allowed.some((o) => o.id === form.organizationId))
        throw new ValidationError([
          { field: 'organizationId', message: 'Select the organisation that runs the service' },
        ]);
      organization = await loadOrganization(this.db, partnershipId, form.organizationId);
    }
    return this.db.transaction().execute(async (tx) => {
      let before: ServiceRecord | null = null;
      let capacityUpdatedAt: Date | null = null;
      if (serviceId) {
        const locked = await tx
          .selectFrom('directoryServices')
          .select(['version', 'capacityUpdatedAt'])
          .where('partnershipId', '=', partnershipId)
          .where('id', '=', serviceId)
          .forUpdate()
          .executeTakeFirst();
        if (!locked) throw new NotFoundError('Directory entry');
        if (locked.version !== form.version) throw new ConflictError(STALE_ENTRY);
        capacityUpdatedAt = locked.capacityUpdatedAt;
        before = await loadRecord(tx, partnershipId, serviceId);
      } else if (form.version !== 0) throw new ConflictError(STALE_ENTRY);
      const record = mergeForm(before, organization!, form, londonDate(ctx.now));
      await saveServiceRecords(tx, partnershipId, [record], { now: ctx.now, assuredBy: by });
      // The capacity is the provider's figure: editing the rest of the entry does not re-date it.
      if (before)
        await tx
          .updateTable('directoryServices')
          .set({ capacityUpdatedAt })
          .where('partnershipId', '=', partnershipId)
          .where('id', '=', record.id)
          .execute();
      const version = await currentVersion(tx, partnershipId, record.id);
      await this.audit.record(tx, ctx, {
        action: before ? 'directory.entry.update' : 'directory.entry.create',
        subjectType: 'directory_service',
        subjectId: record.id,
        detail: { name: record.name, version, changed: changes(before, record) },
      });
      return { id: record.id };
    });
  }

  /** "This entry is still correct": dates the review today, changing nothing else. */
  async confirmReview(ctx: Ctx, serviceId: string, form: ReviewForm): Promise<void> {
    const { partnershipId } = await this.entryToEdit(ctx, serviceId, 'directory.entry.review');
    const today = londonDate(ctx.now);
    const by = isSystem(ctx.actor) ? null : ctx.actor.userId;
    await this.db.transaction().execute(async (tx) => {
      const done = await tx
        .updateTable('directoryServices')
        .set({ assuredDate: today, assuredBy: by, version: sql<number>`version + 1` })
        .where('partnershipId', '=', partnershipId)
        .where('id', '=', serviceId)
        .where('version', '=', form.version)
        .returning(['version', 'name'])
        .executeTakeFirst();
      if (!done) throw new ConflictError(STALE_ENTRY);
      await this.audit.record(tx, ctx, {
        action: 'directory.entry.review',
        subjectType: 'directory_service',
        subjectId: serviceId,
        detail: { name: done.name, version: done.version, changed: { assuredDate: today } },
      });
    });
  }

  /** The provider's capacity and typical wait, published at the version the person saw. */
  async publishCapacity(ctx: Ctx, serviceId: string, form: CapacityForm): Promise<void> {
    const { partnershipId } = await this.entryForCapacity(ctx, serviceId, 'directory.entry.capacity');
    await this.db.transaction().execute(async (tx) => {
      const before = await tx
        .selectFrom('directoryServices')
        .select(['capacity', 'waitWeeks', 'version'])
        .where('partnershipId', '=', partnershipId)
        .where('id', '=', serviceId)
        .forUpdate()
        .executeTakeFirst();
      if (!before) throw new NotFoundError('Directory entry');
      if (before.version !== form.version) throw new ConflictError(STALE_ENTRY);
      const done = await tx
        .updateTable('directoryServices')
        .set({
          capacity: form.capacity,
          waitWeeks: form.waitWeeks,
          capacityUpdatedAt: ctx.now,
          version: sql<number>`version + 1`,
        })
        .where('partnershipId', '=', partnershipId)
        .where('id', '=', serviceId)
        .returning(['version', 'name'])
        .executeTakeFirstOrThrow();
      await this.audit.record(tx, ctx, {
        action: 'directory.entry.capacity',
        subjectType: 'directory_service',
        subjectId: serviceId,
        detail: {
          name: done.name,
          version: done.version,
          changed: {
            capacity: { from: before.capacity, to: form.capacity },
            waitWeeks: { from: before.waitWeeks, to: form.waitWeeks },
          },
        },
      });
    });
  }

  // --- Who may ---------------------------------------------------------------------------------

  /** The entry, if the person may edit it: another partnership's is not found, another agency's refused. */
  private async entryToEdit(ctx: Ctx, serviceId: string, action: string) {
    const partnershipId = await this.access.require(ctx, 'directory.edit', action);
    const found = await findOwner(this.db, partnershipId, serviceId);
    if (!found) throw new NotFoundError('Directory entry');
    if (!editsAny(ctx) && found.agencyOrganisationId !== (ctx.actor as Actor).organisationId)
      await this.refuse(
        ctx,
        action,
        serviceId,
        'Only the organisation that runs this service can change its entry',
      );
    return { partnershipId, ...found };
  }

  /**
   * Capacity is the provider's own figure: whoever may edit the entry may publish it, and so may
   * anyone who answers the provider's referrals (directory.referrals) in the organisation that runs it.
   */
  private async entryForCapacity(ctx: Ctx, serviceId: string, action: string) {
    const editor = isAllowed(ctx, 'directory.edit');
    const provider = isAllowed(ctx, 'directory.referrals');
    if (!editor && !provider) await this.access.require(ctx, 'directory.edit', action);
    const partnershipId = partnershipOf(ctx);
    const found = await findOwner(this.db, partnershipId, serviceId);
    if (!found) throw new NotFoundError('Directory entry');
    const own = !isSystem(ctx.actor) && found.agencyOrganisationId === ctx.actor.organisationId;
    if (!((editor && editsAny(ctx)) || own))
      await this.refuse(
        ctx,
        action,
        serviceId,
        'Only the organisation that runs this service can publish its capacity',
      );
    return { partnershipId, ...found };
  }

  private async refuse(ctx: Ctx, action: string, serviceId: string, message: string): Promise<never> {
    await this.audit.recordAlone(ctx, {
      action,
      outcome: 'denied',
      subjectType: 'directory_service',
      subjectId: serviceId,
      detail: { reason: 'not the organisation that runs the service' },
    });
    throw new ForbiddenError(message);
  }

  /** The partnership's entries the person keeps (all of them for an administrator). */
  private ownEntries(q: Q, ctx: Ctx, partnershipId: string) {
    let query = q
      .selectFrom('directoryServices as s')
      .innerJoin('directoryOrganizations as o', (j) =>
        j.onRef('o.partnershipId', '=', 's.partnershipId').onRef('o.id', '=', 's.organizationId'),
      )
      .where('s.partnershipId', '=', partnershipId);
    if (!editsAny(ctx))
      query = query.where('o.agencyOrganisationId', '=', (ctx.actor as Actor).organisationId);
    return query;
  }
}

// --- Helpers ---------------------------------------------------------------------------------------

function partnershipOf(ctx: Ctx): string {
  const id = ctx.actor.partnershipId;
  if (!id) throw new ForbiddenError('No partnership');
  return id;
}

/** An administrator (or the system) keeps every entry; a directory editor only their agency's. */
function editsAny(ctx: Ctx): boolean {
  return isSystem(ctx.actor) || ctx.actor.roles.includes('partnership_admin');
}

async function findOwner(q: Q, partnershipId: string, serviceId: string) {
  return q
    .selectFrom('directoryServices as s')
    .innerJoin('directoryOrganizations as o', (j) =>
      j.onRef('o.partnershipId', '=', 's.partnershipId').onRef('o.id', '=', 's.organizationId'),
    )
    .select(['s.id', 's.name', 'o.agencyOrganisationId'])
    .where('s.partnershipId', '=', partnershipId)
    .where('s.id', '=', serviceId)
    .executeTakeFirst();
}

async function currentVersion(q: Q, partnershipId: string, serviceId: string): Promise<number> {
  const row = await q
    .selectFrom('directoryServices')
    .select('version')
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', serviceId)
    .executeTakeFirstOrThrow();
  return row.version;
}

async function loadOrganization(q: Q, partnershipId: string, id: string) {
  const o = await q
    .selectFrom('directoryOrganizations')
    .select(['id', 'name', 'description', 'email', 'url', 'phone'])
    .where('partnershipId', '=', partnershipId)
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return o;
}

/** An entry as a whole ServiceRecord, read from the tables (inside the save's transaction). */
export async function loadRecord(q: Q, partnershipId: string, serviceId: string): Promise<ServiceRecord> {
  const entry = await loadEntry(q, partnershipId, serviceId);
  if (!entry) throw new NotFoundError('Directory entry');
  return recordOf(entry);
}

/** The main location, weekly opening and contact are the first of each; the form edits those. */
function mainSchedule(record: ServiceRecord) {
  return record.schedules.find((s) => s.freq === 'WEEKLY' && !s.validFrom && !s.validTo) ?? null;
}

export function formValues(
  record: ServiceRecord,
  version: number,
): Record<string, string | number | string[]> {
  const location = record.locations[0];
  const schedule = mainSchedule(record);
  const contact = record.contacts[0];
  return {
    version,
    organizationId: record.organization.id,
    name: record.name,
    description: record.description,
    status: record.status,
    minimumAge: record.minimumAge ?? '',
    maximumAge: record.maximumAge ?? '',
    eligibilityDescription: record.eligibilityDescription,
    feesDescription: record.feesDescription,
    cost: record.free ? 'free' : 'paid',
    accessRoutes: record.accessRoutes,
    languages: record.languages,
    kind: record.specialist ? 'specialist' : 'mainstream',
    url: record.url ?? '',
    email: record.email ?? '',
    needs: record.taxonomyTermIds,
    contactPhone: contact?.phone ?? '',
    contactEmail: contact?.email ?? '',
    locationName: location?.name ?? '',
    addressLine1: location?.addressLine1 ?? '',
    city: location?.city ?? '',
    postalCode: location?.postalCode ?? '',
    days: schedule?.byday ? schedule.byday.split(',') : [],
    opensAt: schedule?.opensAt?.slice(0, 5) ?? '',
    closesAt: schedule?.closesAt?.slice(0, 5) ?? '',
  };
}

/** The entry as it will be: the current one (or a new one) with the form's fields over it. */
export function mergeForm(
  before: ServiceRecord | null,
  organization: ServiceRecord['organization'],
  form: EntryForm,
  today: string,
): ServiceRecord {
  const base = before ?? {
    id: randomUUID(),
    organization,
    capacity: null,
    waitWeeks: null,
    locations: [],
    schedules: [],
    costOptions: [],
    contacts: [],
  };
  const [oldLocation, ...otherLocations] = base.locations;
  const hasLocation = Boolean(form.locationName || form.addressLine1 || form.city || form.postalCode);
  const addressChanged =
    !oldLocation ||
    oldLocation.postalCode !== form.postalCode ||
    oldLocation.addressLine1 !== form.addressLine1;
  const location = hasLocation
    ? {
        id: oldLocation?.id ?? randomUUID(),
        name: form.locationName,
        locationType: oldLocation?.locationType ?? ('physical' as const),
        addressLine1: form.addressLine1,
        city: form.city,
        postalCode: form.postalCode,
        // A new address takes its postcode's coordinates (saveServiceRecords looks them up).
        latitude: addressChanged ? null : (oldLocation?.latitude ?? null),
        longitude: addressChanged ? null : (oldLocation?.longitude ?? null),
      }
    : null;
  const oldSchedule = before ? mainSchedule(before) : null;
  const days = Object.keys(DAYS).filter((d) => form.days.includes(d));
  const schedule =
    days.length > 0 || form.opensAt
      ? {
          id: oldSchedule?.id ?? randomUUID(),
          freq: 'WEEKLY' as const,
          byday: days.join(','),
          opensAt: form.opensAt,
          closesAt: form.closesAt,
          validFrom: null,
          validTo: null,
          description: oldSchedule?.description ?? '',
        }
      : null;
  const [oldContact, ...otherContacts] = base.contacts;
  const contact =
    form.contactPhone || form.contactEmail
      ? {
          id: oldContact?.id ?? randomUUID(),
          name: oldContact?.name ?? '',
          title: oldContact?.title ?? '',
          phone: form.contactPhone || null,
          email: form.contactEmail,
        }
      : null;
  const candidate = {
    ...base,
    name: form.name,
    description: form.description,
    url: form.url,
    email: form.email,
    status: form.status,
    minimumAge: form.minimumAge,
    maximumAge: form.maximumAge,
    eligibilityDescription: form.eligibilityDescription,
    feesDescription: form.feesDescription,
    free: form.cost === 'free',
    accessRoutes: form.accessRoutes,
    // Only the languages the form offers can be kept: an imported code it does not know is dropped.
    languages: form.languages.filter((l) => l in LANGUAGES),
    specialist: form.kind === 'specialist',
    assuredDate: today,
    taxonomyTermIds: form.needs,
    locations: [...(location ? [location] : []), ...otherLocations],
    schedules: [...(schedule ? [schedule] : []), ...base.schedules.filter((s) => s.id !== oldSchedule?.id)],
    contacts: [...(contact ? [contact] : []), ...otherContacts],
  };
  const parsed = ServiceRecord.safeParse(candidate);
  if (!parsed.success)
    throw new ValidationError(
      parsed.error.issues.map((i): FieldError => ({
        field: formField(i.path.map(String)),
        message: i.message,
      })),
    );
  return parsed.data;
}

/** Which form field a fault in the whole record belongs to. */
function formField(path: string[]): string {
  const [first, , leaf] = path;
  if (first === 'locations') return leaf ?? 'postalCode';
  if (first === 'schedules') return leaf === 'opensAt' || leaf === 'closesAt' ? leaf : 'days';
  if (first === 'contacts') return leaf === 'email' ? 'contactEmail' : 'contactPhone';
  if (first === 'taxonomyTermIds') return 'needs';
  if (first === 'free') return 'cost';
  if (first === 'specialist') return 'kind';
  return first ?? 'form';
}

/** What a save changed, for the audit trail: values for the simple fields, "changed" for the rest. */
export function changes(before: ServiceRecord | null, after: ServiceRecord): Record<string, unknown> {
  const changed: Record<string, unknown> = {};
  for (const f of SCALARS)
    if (!before || before[f] !== after[f]) changed[f] = { from: before ? before[f] : null, to: after[f] };
  for (const f of LISTS) {
    const a = [...(before?.[f] ?? [])].sort();
    const b = [...after[f]].sort();
    if (JSON.stringify(a) !== JSON.stringify(b)) changed[f] = { from: a, to: b };
  }
  for (const f of OWNED)
    if (JSON.stringify(before?.[f] ?? []) !== JSON.stringify(after[f])) changed[f] = 'changed';
  if (!before || before.assuredDate !== after.assuredDate) changed.assuredDate = after.assuredDate;
  return changed;
}

export function groupNeeds(terms: readonly TaxonomyTerm[]): NeedGroup[] {
  const parents = terms.filter((t) => t.parentId === null);
  const groups = parents.map((p) => ({
    id: p.id,
    name: p.name,
    terms: [p, ...terms.filter((t) => t.parentId === p.id)].map((t) => ({ id: t.id, name: t.name })),
  }));
  return groups;
}
