import { createHash, randomUUID } from 'node:crypto';
import stringify from 'safe-stable-stringify';
import type { Ctx } from '../../common/context.ts';
import { isSystem, requirePerson } from '../../common/context.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../common/errors.ts';
import { isAllowed, type Permission } from '../../common/permissions.ts';
import { calendarFor } from '../../common/working-days.ts';
import type { Db, Tx } from '../../db/database.ts';
import type { Sector, StoredFields } from '../../db/schema.ts';
import type { AccessGate, AccessService, InvolvementService } from '../access/index.ts';
import { partnershipBySlug, partnershipOf } from '../access/index.ts';
import type { AuditService } from '../audit/index.ts';
import { contactRecordId, type PersonIndexService } from '../people/index.ts';
import { recordEvent } from './referrals.history.ts';
import * as store from './referrals.store.ts';
import {
  SECTOR_SOURCES,
  sectorAnswerProblems,
  type ContactInput,
  type DecisionInput,
  type FrontDoorSettingsInput,
} from './referrals.schemas.ts';
import {
  CONTACT_ACTION_LABELS,
  EPISODE_OUTCOMES,
  HOLDER_ACTIONS,
  allowedActions,
  isActionAllowed,
  isReferral,
  timelinessOf,
  type ContactAction,
  type ContactStatus,
  type Outcome,
  type Priority,
} from './referrals.workflow.ts';

const YEAR_MS = 365 * 24 * 3_600_000;
export const QUEUE_PAGE_SIZE = 50;

type Choice = { personId: string } | { newPerson: true; dateOfBirth?: string };
type ChangeWork = {
  patch: Parameters<typeof store.updateContact>[4];
  detail: Record<string, unknown>;
  personIds?: string[];
};
/** The statuses in which a reviewer's decision may still set the contact's child: not yet decided. */
const MATCHABLE: readonly ContactStatus[] = ['new', 'in_triage'];

/**
 * The front door: contacts recorded by practitioners, other systems and the public; the queue the
 * front-door team works; requests to partner agencies; decisions with their timescales, approvals
 * and feedback. Each change is checked against the workflow table, written with a version check,
 * appended to the contact's history and audited, all in one transaction.
 */
export class FrontDoorService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly access: AccessService,
    private readonly gate: AccessGate,
    private readonly personIndex: PersonIndexService,
    private readonly involvements: InvolvementService,
  ) {}

  async settings(ctx: Ctx) {
    return store.settingsOf(this.db, partnershipOf(ctx));
  }

  /** The partnership's timescales: the calendar, days to decide, hours to answer, what needs approval. */
  async updateSettings(ctx: Ctx, input: FrontDoorSettingsInput) {
    const partnershipId = await this.access.require(ctx, 'partnership.administer', 'front-door.settings');
    await this.db.transaction().execute(async (tx) => {
      await store.settingsOf(tx, partnershipId);
      const { version, ...patch } = input;
      const done = await store.updateSettings(tx, partnershipId, version, {
        ...patch,
        updatedAt: ctx.now,
        updatedBy: requirePerson(ctx).userId,
      });
      if (!done) throw new ConflictError('Someone else changed these settings: check them and try again');
      await this.audit.record(tx, ctx, {
        action: 'front-door.settings',
        subjectType: 'front_door',
        detail: patch,
      });
    });
  }

  /** The area behind a public contact page, by its address; an unknown one is a page that does not exist. */
  async publicArea(slug: string) {
    const area = await partnershipBySlug(this.db, slug);
    if (!area) throw new NotFoundError('Page');
    return area;
  }

  /**
   * Records a contact. The same idempotency key again (a double click, a refresh, a retry) answers
   * the contact it made; the same key with a different contact is refused.
   */
  async create(
    ctx: Ctx,
    input: ContactInput,
    options: { idempotencyKey?: string } = {},
  ): Promise<{ id: string; number: string; replayed: boolean }> {
    const partnershipId = isSystem(ctx.actor)
      ? partnershipOf(ctx)
      : await this.access.require(ctx, 'contacts.create', 'contact.create');
    const receivedAt = input.receivedAt ? new Date(input.receivedAt) : ctx.now;
    const sector = isSystem(ctx.actor)
      ? null
      : (await this.access.getOrganisation(ctx, ctx.actor.organisationId)).sector;
    await this.checkContact(ctx, input, receivedAt, sector);
    const settings = await store.settingsOf(this.db, partnershipId);
    const dueAt = calendarFor(settings.calendar).addWorkingDays(receivedAt, settings.decisionWorkingDays);
    const actor = isSystem(ctx.actor) ? null : ctx.actor;
    const child = input.child;
    const requestSha256 = createHash('sha256').update(stringify(input)).digest('hex');
    // The id is chosen first so the idempotency key can name it in the same transaction.
    const id = randomUUID();
    return this.db.transaction().execute(async (tx) => {
      const row = {
        partnershipId,
        id,
        receivedAt,
        recordedAt: ctx.now,
        dueAt,
        channel: input.channel,
        source: input.source ?? (sector ? SECTOR_SOURCES[sector] : '10'),
        referrerUserId: actor?.userId ?? null,
        referrerOrganisationId: actor?.organisationId ?? null,
        referrerName: input.referrer?.name ?? null,
        referrerRole: input.referrer?.role ?? null,
        referrerPhone: input.referrer?.phone ?? null,
        referrerEmail: input.referrer?.email ?? null,
        personId: child.personId ?? null,
        childGivenName: child.givenName ?? null,
        childFamilyName: child.familyName ?? null,
        childDateOfBirth: child.dateOfBirth ?? null,
        childNhsNumber: child.nhsNumber?.replace(/[\s-]/g, '') ?? null,
        childUpn: child.upn?.replace(/[\s-]/g, '').toUpperCase() ?? null,
        childAgeYears: child.ageYears ?? null,
        childAddress: child.address ?? null,
        childPostcode: child.postcode?.toUpperCase() ?? null,
        childDescription: child.description ?? null,
        worries: input.worries,
        actionsTaken: input.actionsTaken ?? null,
        familyAware: input.familyAware,
        consent: input.consent,
        consentReason: input.consent === 'given' ? null : (input.consentReason ?? null),
        urgency: input.urgency,
        sectorAnswers: JSON.stringify(input.sectorAnswers ?? {}),
      };
      if (options.idempotencyKey) {
        const key = await store.claimIdempotencyKey(tx, {
          partnershipId,
          scope: 'contact.create',
          key: options.idempotencyKey,
          requestSha256,
          resultId: id,
          createdAt: ctx.now,
        });
        if (!key.fresh) {
          if (key.requestSha256 !== requestSha256)
            throw new ConflictError(
              'This idempotency key was already used for a different contact: send a new key for a new contact',
            );
          const earlier = await store.findContact(tx, partnershipId, key.resultId);
          return { id: key.resultId, number: String(earlier?.number ?? ''), replayed: true };
        }
      }
      const { number } = await store.insertContact(tx, row);
      await recordEvent(tx, ctx, partnershipId, id, 'create', {
        channel: input.channel,
        urgency: input.urgency,
      });
      await this.audit.record(tx, ctx, {
        action: 'contact.create',
        subjectType: 'contact',
        subjectId: id,
        personIds: child.personId ? [child.personId] : [],
        basis: actor ? { kind: 'permission', permission: 'contacts.create' } : { kind: 'public' },
        detail: { channel: input.channel, urgency: input.urgency },
      });
      return { id, number: String(number), replayed: false };
    });
  }

  /** What a contact must make sense of before it is written: dates, the sector's questions, the child. */
  private async checkContact(ctx: Ctx, input: ContactInput, receivedAt: Date, sector: Sector | null) {
    const problems: { field: string; message: string }[] = [];
    if (receivedAt.getTime() > ctx.now.getTime() + 60_000)
      problems.push({
        field: 'receivedAt',
        message: 'The time the contact was received cannot be in the future',
      });
    const today = ctx.now.toISOString().slice(0, 10);
    if (input.child.dateOfBirth && input.child.dateOfBirth > today)
      problems.push({
        field: 'child.dateOfBirth',
        message:
          'The date of birth cannot be in the future; for an unborn child, describe them and give the due date',
      });
    problems.push(...sectorAnswerProblems(sector, input.sectorAnswers));
    // Naming an index child is for those already involved with them; the public and other systems describe the child.
    if (
      input.child.personId &&
      (isSystem(ctx.actor) || (await this.gate.basisFor(ctx, input.child.personId)) === null)
    )
      problems.push({
        field: 'child.personId',
        message:
          'You can name a child from the index only if you are involved with them: describe the child instead',
      });
    if (problems.length > 0) throw new ValidationError(problems);
  }

  /** The front door's open contacts, soonest due first, with how many are breached or near it. */
  async queue(
    ctx: Ctx,
    filter: { view?: 'all' | 'mine' | 'unclaimed' | 'breached' | 'approval'; page?: number },
  ) {
    const partnershipId = await this.access.require(ctx, 'contacts.triage', 'contact.queue');
    const settings = await store.settingsOf(this.db, partnershipId);
    const userId = isSystem(ctx.actor) ? undefined : ctx.actor.userId;
    const page = Math.max(1, filter.page ?? 1);
    const where: store.QueueFilter =
      filter.view === 'mine'
        ? { claimedBy: userId }
        : filter.view === 'unclaimed'
          ? { unclaimed: true }
          : filter.view === 'breached'
            ? { overdueBefore: ctx.now }
            : filter.view === 'approval'
              ? { status: 'awaiting_approval' }
              : {};
    const warnUntil = new Date(ctx.now.getTime() + settings.warningHours * 3_600_000);
    const [rows, counts] = await Promise.all([
      store.openContacts(this.db, partnershipId, where, new Date(ctx.now.getTime() - YEAR_MS), {
        limit: QUEUE_PAGE_SIZE,
        offset: (page - 1) * QUEUE_PAGE_SIZE,
      }),
      store.queueCounts(this.db, partnershipId, ctx.now, warnUntil),
    ]);
    const personIds = [...new Set(rows.flatMap((r) => (r.personId ? [r.personId] : [])))];
    await this.audit.recordAlone(ctx, {
      action: 'contact.queue',
      subjectType: 'front_door',
      personIds,
      basis: { kind: 'permission', permission: 'contacts.triage' },
      detail: { view: filter.view ?? 'all', page, shown: rows.length },
    });
    return {
      page,
      pageSize: QUEUE_PAGE_SIZE,
      counts,
      contacts: rows.map((r) => ({
        ...r,
        number: String(r.number),
        earlierContacts: Number(r.earlierContacts ?? 0),
        timeliness: timelinessOf(r.dueAt, ctx.now, settings.warningHours),
      })),
    };
  }

  /**
   * A contact in full for the front door, or as far as the rules allow for its referrer (what they
   * sent, where it stands, and the outcome once the front door has told them). Audited either way.
   */
  async get(ctx: Ctx, contactId: string) {
    const partnershipId = partnershipOf(ctx);
    const contact = await store.findContact(this.db, partnershipId, contactId);
    const triage = isAllowed(ctx, 'contacts.triage');
    const referrer = !!contact && !isSystem(ctx.actor) && contact.referrerUserId === ctx.actor.userId;
    if (!contact || (!triage && !referrer)) {
      await this.audit.recordAlone(ctx, {
        action: 'contact.view',
        outcome: 'denied',
        subjectType: 'contact',
        subjectId: contactId,
      });
      throw new NotFoundError('Contact');
    }
    const personIds = contact.personId ? [contact.personId] : [];
    const basis = triage ? { kind: 'permission', permission: 'contacts.triage' } : { kind: 'referrer' };
    const looked = () =>
      this.audit.recordAlone(ctx, {
        action: 'contact.view',
        subjectType: 'contact',
        subjectId: contactId,
        personIds,
        basis,
      });
    if (!triage) {
      await looked();
      return { contact, full: false as const, outcomeShown: contact.referrerToldAt !== null };
    }
    const settings = await store.settingsOf(this.db, partnershipId);
    const since = new Date(ctx.now.getTime() - YEAR_MS);
    const [events, requests, episode, earlier] = await Promise.all([
      store.eventsOf(this.db, partnershipId, contactId),
      store.informationRequestsOf(this.db, partnershipId, contactId),
      store.episodeOf(this.db, partnershipId, contactId),
      contact.personId ? store.contactsAbout(this.db, partnershipId, contact.personId, contactId, since) : [],
    ]);
    await looked();
    const holder = !isSystem(ctx.actor) && contact.claimedBy === ctx.actor.userId;
    // Who else is working with the child, through the holder's own triage involvement and the gate.
    const involvements =
      holder && contact.personId && contact.involvementId
        ? await this.gate.read(ctx, contact.personId, 'contact.child-involvements', async (access) => ({
            value: (await access.involvements()).filter((i) => !i.endedAt && i.id !== contact.involvementId),
          }))
        : null;
    return {
      contact,
      full: true as const,
      involvements,
      events,
      requests: requests.map((r) => ({ ...r, timeliness: timelinessOf(r.dueAt, ctx.now, 1, r.answeredAt) })),
      episode,
      earlier,
      holder,
      allowed: this.actionsFor(ctx, contact.status, holder),
      timeliness: timelinessOf(contact.dueAt, ctx.now, settings.warningHours, contact.finalAt),
      needsApproval: settings.approvalOutcomes,
    };
  }

  /** The actions this person may take on the contact now: the workflow's, narrowed by role and holding. */
  private actionsFor(ctx: Ctx, status: ContactStatus, holder: boolean): ContactAction[] {
    return allowedActions(status).filter((action) => {
      if (HOLDER_ACTIONS.has(action)) return holder;
      if (action === 'approve' || action === 'return') return isAllowed(ctx, 'contacts.approve');
      return true;
    });
  }

  /** Which contact has this number (the person index's review page names contacts by number). */
  async contactIdByNumber(ctx: Ctx, number: string): Promise<string> {
    const partnershipId = await this.access.require(ctx, 'contacts.triage', 'contact.find-by-number');
    const found = /^\d{1,12}$/.test(number)
      ? await store.contactIdByNumber(this.db, partnershipId, number)
      : undefined;
    if (!found) throw new NotFoundError('Contact');
    return found;
  }

  /** The people the index thinks an unmatched contact's child may be, for the holder to choose from. */
  async candidates(ctx: Ctx, contactId: string) {
    const partnershipId = partnershipOf(ctx);
    const contact = await store.findContact(this.db, partnershipId, contactId);
    if (!contact) throw new NotFoundError('Contact');
    const candidates = await this.personIndex.candidatesFor(ctx, fieldsOf(contact), 'contacts.triage');
    const people = new Map(
      (
        await store.peopleByIds(
          this.db,
          partnershipId,
          candidates.map((c) => c.personId),
        )
      ).map((p) => [p.id, p]),
    );
    return candidates.flatMap((c) => {
      const person = people.get(c.personId);
      return person ? [{ ...c, ...person }] : [];
    });
  }

  async claim(ctx: Ctx, contactId: string, version: number): Promise<void> {
    const matched = await this.change(ctx, contactId, version, 'claim', async (tx, contact, actor) => {
      const involvementId = contact.personId
        ? await this.openInvolvement(tx, contact, contact.personId, actor.userId, actor.userId, ctx.now)
        : null;
      return {
        patch: { status: 'in_triage', claimedBy: actor.userId, claimedAt: ctx.now, involvementId },
        detail: {},
      };
    });
    if (!matched.personId) await this.matchAutomatically(ctx, contactId);
  }

  /**
   * A certain, unrivalled match links the contact's child at once. Anything less goes to the person
   * index's review queue (the contact's record proposed against the best candidates), while the holder
   * may still choose on the contact's page: whoever decides first sets the child.
   */
  private async matchAutomatically(ctx: Ctx, contactId: string) {
    const contact = await store.findContact(this.db, partnershipOf(ctx), contactId);
    if (!contact || contact.personId || contact.status !== 'in_triage') return;
    const candidates = await this.personIndex.candidatesFor(ctx, fieldsOf(contact), 'contacts.triage');
    const [best, next] = candidates;
    if (!best) return;
    if (best.band === 'auto-link' && (!next || next.band === 'no link'))
      return this.match(ctx, contactId, contact.version, { personId: best.personId }, best.probability);
    await this.holdForReview(ctx, contactId, candidates);
  }

  /**
   * Proposes the contact's child to the index's reviewers, once (claiming again adds nothing), if the
   * contact is still open and unmatched. A reviewer's "not the same" may make the child a new person,
   * which needs the family name and date of birth: without them the holder decides alone.
   */
  private async holdForReview(
    ctx: Ctx,
    contactId: string,
    candidates: Awaited<ReturnType<PersonIndexService['candidatesFor']>>,
  ) {
    const actor = requirePerson(ctx);
    await this.db.transaction().execute(async (tx) => {
      const contact = await store.lockContact(tx, partnershipOf(ctx), contactId);
      if (!contact || contact.personId || contact.status !== 'in_triage') return;
      if (!contact.childFamilyName || !contact.childDateOfBirth) return;
      const held = await this.personIndex.holdForReviewWithin(tx, contact.partnershipId, {
        localId: contactRecordId(contact.number),
        fields: fieldsOf(contact),
        organisationId: actor.organisationId,
        at: ctx.now,
        candidates,
      });
      if (held.proposed.length === 0) return;
      const detail = { sourceRecordId: held.recordId, proposed: held.proposed.length };
      await recordEvent(tx, ctx, contact.partnershipId, contactId, 'held_for_index_review', detail);
      await this.audit.record(tx, ctx, {
        action: 'contact.hold-for-review',
        subjectType: 'contact',
        subjectId: contactId,
        personIds: held.proposed,
        basis: { kind: 'permission', permission: 'contacts.triage' },
        detail,
      });
    });
  }

  /**
   * A reviewer of the person index has decided where a record belongs (`onRecordDecided`, in the
   * reviewer's transaction): when it is a contact's record and the contact is still open and
   * unmatched, the contact's child is set as the holder's own match would set it. The contact is read
   * locked, at its current version, so neither the reviewer's decision nor a holder's change is lost.
   */
  async matchFromReview(tx: Tx, ctx: Ctx, partnershipId: string, sourceRecordId: string) {
    const record = await this.personIndex.frontDoorRecordWithin(tx, partnershipId, sourceRecordId);
    if (!record?.personId) return;
    const contact = await store.lockContactByNumber(tx, partnershipId, record.contactNumber);
    if (!contact || contact.personId || !MATCHABLE.includes(contact.status)) return;
    const work = await this.matchedTo(tx, ctx, contact, record.personId, { byReview: true });
    await this.write(tx, ctx, contact, 'match', { kind: 'permission', permission: 'index.review' }, work);
  }

  async release(ctx: Ctx, contactId: string, version: number): Promise<void> {
    await this.change(ctx, contactId, version, 'release', async (tx, contact, actor) => {
      await this.endInvolvement(tx, contact, actor.userId, ctx.now, 'Released back to the queue');
      return { patch: { status: 'new', claimedBy: null, claimedAt: null, involvementId: null }, detail: {} };
    });
  }

  /**
   * Says which index person the child is, or adds them to the index as someone new. A contact held
   * for review is answered in the index too: its record becomes the chosen (or new) person's.
   */
  async match(ctx: Ctx, contactId: string, version: number, choice: Choice, probability?: number) {
    await this.change(ctx, contactId, version, 'match', async (tx, contact, actor) => {
      const dateOfBirth = 'newPerson' in choice ? (choice.dateOfBirth ?? contact.childDateOfBirth) : null;
      if ('newPerson' in choice && (!dateOfBirth || !contact.childFamilyName))
        throw new ValidationError([
          {
            field: dateOfBirth ? 'personId' : 'dob-day',
            message: dateOfBirth
              ? 'The index needs the child’s family name: ask the referrer, then add a note with what they said'
              : 'Enter the child’s date of birth (or your best estimate) to add them to the index',
          },
        ]);
      const record = { localId: contactRecordId(contact.number), decidedBy: actor.userId, at: ctx.now };
      let personId: string;
      if ('personId' in choice) {
        personId = choice.personId;
        await this.personIndex.settleFrontDoorRecordWithin(tx, contact.partnershipId, {
          ...record,
          personId,
        });
      } else
        personId = await this.personIndex.addPersonWithin(tx, contact.partnershipId, {
          ...record,
          fields: fieldsOf({ ...contact, childDateOfBirth: dateOfBirth }),
          organisationId: actor.organisationId,
        });
      const matched = await this.matchedTo(tx, ctx, contact, personId, {
        newPerson: 'newPerson' in choice,
        automatic: probability !== undefined,
        probability,
      });
      return dateOfBirth
        ? { ...matched, patch: { ...matched.patch, childDateOfBirth: dateOfBirth } }
        : matched;
    });
  }

  /**
   * The contact's child found, by its holder or by a reviewer of the index: the holder's triage
   * involvement moves to the child (a released contact has no holder: claiming opens one).
   */
  private async matchedTo(
    tx: Tx,
    ctx: Ctx,
    contact: store.LockedContact,
    personId: string,
    detail: Record<string, unknown>,
  ) {
    const by = isSystem(ctx.actor) ? null : ctx.actor.userId;
    await this.endInvolvement(tx, contact, by, ctx.now, 'The contact was matched to another child');
    const involvementId = contact.claimedBy
      ? await this.openInvolvement(tx, contact, personId, contact.claimedBy, by, ctx.now)
      : null;
    return {
      patch: { personId, involvementId },
      detail: { personId, ...detail },
      personIds: [personId],
    };
  }

  async prioritise(ctx: Ctx, contactId: string, version: number, priority: Priority) {
    await this.change(ctx, contactId, version, 'prioritise', async () => ({
      patch: { priority },
      detail: { priority },
    }));
  }

  async note(ctx: Ctx, contactId: string, version: number, note: string) {
    await this.change(ctx, contactId, version, 'note', async () => ({ patch: {}, detail: { note } }));
  }

  /** Asks a partner agency what it knows, due in the hours the contact's priority allows. */
  async requestInformation(
    ctx: Ctx,
    contactId: string,
    input: { version: number; organisationId: string; question: string },
  ) {
    const organisations = await this.access.listOrganisations(ctx);
    const agency = organisations.find((o) => o.id === input.organisationId && o.active);
    if (!agency)
      throw new ValidationError([
        { field: 'organisationId', message: 'Select an agency of this partnership' },
      ]);
    const settings = await store.settingsOf(this.db, partnershipOf(ctx));
    await this.change(ctx, contactId, input.version, 'request_information', async (tx, contact, actor) => {
      if (!contact.priority)
        throw new ValidationError([
          {
            field: 'organisationId',
            message: 'Set the contact’s priority first: it decides when the answer is due',
          },
        ]);
      const hours = { red: settings.redHours, amber: settings.amberHours, green: settings.greenHours }[
        contact.priority
      ];
      const dueAt = new Date(ctx.now.getTime() + hours * 3_600_000);
      const requestId = await store.insertInformationRequest(tx, {
        partnershipId: contact.partnershipId,
        contactId,
        organisationId: agency.id,
        question: input.question,
        requestedBy: actor.userId,
        requestedAt: ctx.now,
        dueAt,
      });
      return { patch: {}, detail: { requestId, organisation: agency.name, dueAt: dueAt.toISOString() } };
    });
  }

  /**
   * Decides a contact. Decisions of the kinds the partnership names wait for a manager's approval;
   * the rest take effect at once. A decision that opens work needs the child found in the index.
   */
  async decide(ctx: Ctx, contactId: string, input: DecisionInput): Promise<boolean> {
    const settings = await store.settingsOf(this.db, partnershipOf(ctx));
    const decided = await this.change(ctx, contactId, input.version, 'decide', async (tx, contact, actor) => {
      if (EPISODE_OUTCOMES[input.outcome] && !contact.personId)
        throw new ValidationError([
          {
            field: 'outcome',
            message: 'Find the child in the person index first: this decision opens work for them',
          },
        ]);
      const decision = {
        outcome: input.outcome,
        levelOfNeed: input.levelOfNeed,
        decisionReason: input.reason,
        decidedBy: actor.userId,
        decidedAt: ctx.now,
      };
      const detail = { outcome: input.outcome, levelOfNeed: input.levelOfNeed, reason: input.reason };
      if (settings.approvalOutcomes.includes(input.outcome))
        return {
          patch: { ...decision, status: 'awaiting_approval' },
          detail: { ...detail, approvalNeeded: true },
        };
      return { patch: { ...decision, ...(await this.finalise(tx, contact, input.outcome, ctx)) }, detail };
    });
    return decided.status === 'awaiting_approval';
  }

  /** A manager approves a decision (it takes effect) or returns it to the worker with a note. */
  async approve(
    ctx: Ctx,
    contactId: string,
    input: { version: number; approval: 'approve' | 'return'; note?: string },
  ) {
    const action = input.approval === 'approve' ? 'approve' : 'return';
    await this.change(ctx, contactId, input.version, action, async (tx, contact, actor) => {
      if (contact.decidedBy === actor.userId)
        throw new ForbiddenError('A decision needs a second person to approve it: ask another manager');
      if (action === 'return')
        return {
          patch: {
            status: 'in_triage',
            outcome: null,
            levelOfNeed: null,
            decisionReason: null,
            decidedBy: null,
            decidedAt: null,
          },
          detail: { note: input.note },
        };
      const patch = await this.finalise(tx, contact, contact.outcome as Outcome, ctx);
      return {
        patch: { ...patch, approvedBy: actor.userId, approvedAt: ctx.now },
        detail: { note: input.note },
      };
    });
  }

  /** A decision taking effect: its time, whether it is a re-referral, the work it opens; triage access ends. */
  private async finalise(tx: Tx, contact: store.LockedContact, outcome: Outcome, ctx: Ctx) {
    const { partnershipId, personId, id } = contact;
    const since = new Date(ctx.now.getTime() - YEAR_MS);
    const reReferral =
      isReferral(outcome) &&
      personId !== null &&
      (await store.hadReferralSince(tx, partnershipId, personId, id, since));
    const kind = EPISODE_OUTCOMES[outcome];
    if (kind && personId) {
      const settings = await store.settingsOf(tx, partnershipId);
      const received = contact.receivedAt.toISOString().slice(0, 10);
      await store.insertEpisode(tx, {
        partnershipId,
        personId,
        contactId: id,
        kind,
        openedAt: ctx.now,
        dueOn:
          kind === 'statutory_assessment'
            ? calendarFor(settings.calendar).addWorkingDaysToDate(received, 45)
            : null,
      });
    }
    await this.endInvolvement(tx, contact, requirePerson(ctx).userId, ctx.now, 'The contact was decided');
    return { status: 'decided' as const, finalAt: ctx.now, reReferral, involvementId: null };
  }

  /** Records that the referrer or the family was told the outcome (or why the family was not). */
  async recordFeedback(
    ctx: Ctx,
    contactId: string,
    input: { version: number; told: 'referrer' | 'family' | 'family_not_told'; reason?: string },
  ) {
    await this.change(ctx, contactId, input.version, 'record_feedback', async () => ({
      patch:
        input.told === 'referrer'
          ? { referrerToldAt: ctx.now }
          : input.told === 'family'
            ? { familyToldAt: ctx.now, familyNotToldReason: null }
            : { familyNotToldReason: input.reason ?? null },
      detail: { told: input.told, reason: input.reason },
    }));
  }

  /** The contacts the person made, newest first, with where each stands. */
  async mine(ctx: Ctx) {
    const partnershipId = await this.access.require(ctx, 'contacts.create', 'contact.list-mine');
    const actor = requirePerson(ctx);
    const rows = await store.contactsReferredBy(this.db, partnershipId, actor.userId, 100);
    await this.audit.recordAlone(ctx, {
      action: 'contact.list-mine',
      subjectType: 'front_door',
      personIds: [...new Set(rows.flatMap((r) => (r.personId ? [r.personId] : [])))],
      basis: { kind: 'referrer' },
    });
    return rows.map((r) => ({
      ...r,
      number: String(r.number),
      outcome: r.referrerToldAt ? r.outcome : null,
    }));
  }

  /**
   * One change to a contact: the permission, the workflow table, the holder rule, then the change with
   * a version check, its history row and its audit event in one transaction.
   */
  private async change(
    ctx: Ctx,
    contactId: string,
    version: number,
    action: ContactAction,
    work: (
      tx: Tx,
      contact: store.LockedContact,
      actor: { userId: string; organisationId: string; displayName: string },
    ) => Promise<ChangeWork>,
  ): Promise<store.LockedContact> {
    const permission: Permission =
      action === 'approve' || action === 'return' ? 'contacts.approve' : 'contacts.triage';
    const partnershipId = await this.access.require(ctx, permission, `contact.${action}`);
    const actor = requirePerson(ctx);
    return this.db.transaction().execute(async (tx) => {
      const contact = await store.lockContact(tx, partnershipId, contactId);
      if (!contact) throw new NotFoundError('Contact');
      if (action === 'claim' && contact.claimedBy)
        throw new ConflictError(`${await this.holderName(tx, contact)} has already claimed this contact`);
      if (!isActionAllowed(contact.status, action)) {
        const allowed = this.actionsFor(ctx, contact.status, contact.claimedBy === actor.userId);
        throw new ConflictError(
          `You cannot ${CONTACT_ACTION_LABELS[action]} now: the contact is ${contact.status.replace('_', ' ')}`,
          allowed,
        );
      }
      if (HOLDER_ACTIONS.has(action) && contact.claimedBy !== actor.userId) {
        const holder = await this.holderName(tx, contact);
        throw new ConflictError(
          `${holder} has claimed this contact: only they can ${CONTACT_ACTION_LABELS[action]}`,
        );
      }
      if (contact.version !== version)
        throw new ConflictError('Someone else changed this contact: check it and try again');
      return this.write(
        tx,
        ctx,
        contact,
        action,
        { kind: 'permission', permission },
        await work(tx, contact, actor),
      );
    });
  }

  /** Writes a change to a locked contact: the patch at its version, its history row and its audit event. */
  private async write(
    tx: Tx,
    ctx: Ctx,
    contact: store.LockedContact,
    action: ContactAction,
    basis: { kind: 'permission'; permission: Permission },
    { patch, detail, personIds }: ChangeWork,
  ): Promise<store.LockedContact> {
    const { partnershipId, id } = contact;
    if (!(await store.updateContact(tx, partnershipId, id, contact.version, patch)))
      throw new ConflictError('Someone else changed this contact: check it and try again');
    await recordEvent(tx, ctx, partnershipId, id, action, detail);
    await this.audit.record(tx, ctx, {
      action: `contact.${action}`,
      subjectType: 'contact',
      subjectId: id,
      personIds: personIds ?? (contact.personId ? [contact.personId] : []),
      basis,
      detail,
    });
    return { ...contact, ...patch } as store.LockedContact;
  }

  private async holderName(tx: Tx, contact: store.LockedContact) {
    if (!contact.claimedBy) return 'No one';
    return (await store.userName(tx, contact.partnershipId, contact.claimedBy)) ?? 'Someone else';
  }

  /** The holder's triage involvement with the contact's child, opened by `createdBy`. */
  private openInvolvement(
    tx: Tx,
    contact: store.LockedContact,
    personId: string,
    holderId: string,
    createdBy: string | null,
    at: Date,
  ) {
    return this.involvements.openWithin(tx, contact.partnershipId, {
      personId,
      userId: holderId,
      kind: 'front_door',
      purpose: 'safeguarding',
      reason: `Triage of contact ${contact.number}`,
      at,
      createdBy,
    });
  }

  private async endInvolvement(
    tx: Tx,
    contact: store.LockedContact,
    userId: string | null,
    at: Date,
    reason: string,
  ) {
    if (!contact.involvementId) return;
    await this.involvements.endWithin(tx, contact.partnershipId, {
      involvementId: contact.involvementId,
      at,
      reason,
      endedBy: userId,
    });
  }
}

/** The local id of a contact's record in the person index's 'front-door' source. */
/** What the contact says about the child, in the person index's terms, for matching. */
function fieldsOf(contact: {
  childGivenName: string | null;
  childFamilyName: string | null;
  childDateOfBirth: string | null;
  childPostcode: string | null;
  childAddress: string | null;
  childNhsNumber: string | null;
  childUpn: string | null;
}): StoredFields {
  const identifiers: [string, string][] = [];
  if (contact.childNhsNumber) identifiers.push(['nhs_number', contact.childNhsNumber]);
  if (contact.childUpn) identifiers.push(['upn', contact.childUpn]);
  return {
    ...(contact.childGivenName ? { givenName: contact.childGivenName } : {}),
    ...(contact.childFamilyName ? { familyName: contact.childFamilyName } : {}),
    ...(contact.childDateOfBirth ? { dateOfBirth: contact.childDateOfBirth } : {}),
    ...(contact.childPostcode ? { postcode: contact.childPostcode } : {}),
    ...(contact.childAddress ? { addressLine1: contact.childAddress } : {}),
    identifiers,
  };
}
