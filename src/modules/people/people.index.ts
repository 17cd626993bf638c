import { randomUUID } from 'node:crypto';
import type { Ctx } from '../../common/context.ts';
import { isSystem } from '../../common/context.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../common/errors.ts';
import { isAllowed, type Permission } from '../../common/permissions.ts';
import type { Db, Tx } from '../../db/database.ts';
import type { NewRow, StoredExplanation, StoredFields } from '../../db/schema.ts';
import type { AccessGate } from '../access/index.ts';
import type { AuditService } from '../audit/index.ts';
import {
  contentHashOf,
  linkageRecordOf,
  personDetailsOf,
  receivedRowOf,
  sexFrom,
} from './people.index-records.ts';
import { IndexMatcher, PairScorer, matchKeysOfFields } from './people.index-match.ts';
import * as store from './people.index.store.ts';
import { LINKAGE_CONFIG } from './people.linkage-config.ts';
import { blockingRules, forEachCandidate } from './people.blocking.ts';
import { explainPair, matchRecords, prepareRecords, type MatchModel } from './people.matching.ts';
import type { PreparedRecord } from './people.normalise.ts';

/** Proposals kept per record when it is uncertain which person it belongs to. */
const MAX_PROPOSALS = 3;
/** Decisions written per transaction: an interrupted run keeps what it wrote and resumes after it. */
const WRITE_BATCH = 500;

export type LinkOutcome = { autoLinked: number; forReview: number; newPeople: number };

type Scored = { probability: number; explanation: StoredExplanation };
/**
 * What to do with a record: link it to a person; hold it for review against the people it is near;
 * or, near no one in the index, make it (and the records of the same file certain to be the same
 * child) a new person, proposed for review against earlier new people it is near.
 */
type Decision =
  | ({ kind: 'link'; recordId: string; personId: string } & Scored)
  | { kind: 'review'; recordId: string; proposals: ({ personId: string } & Scored)[] }
  | {
      kind: 'new';
      group: number;
      recordId: string;
      fields: StoredFields;
      members: ({ recordId: string } & Scored)[];
      near: ({ group: number } & Scored)[];
    };

export type ImportBatch = {
  importId: string;
  sourceId: string;
  records: store.NewSourceRecord[];
  rejects: { line: number; reason: string }[];
};

export type ReviewDecision = 'link' | 'not_same' | 'more_information';

/** Where the children the front door adds to the index are recorded as coming from. */
const FRONT_DOOR_SOURCE = { code: 'front-door', name: 'Front door', kind: 'other' } as const;

/** The local id of the front-door record that describes a contact's child. */
export function contactRecordId(contactNumber: string): string {
  return `contact-${contactNumber}`;
}

/** The number of the front-door contact a record describes (its local id is `contact-<number>`), else null. */
export function contactNumberOf(sourceCode: string, localId: string): string | null {
  const match = sourceCode === FRONT_DOOR_SOURCE.code ? /^contact-(\d+)$/.exec(localId) : null;
  return match ? match[1]! : null;
}

/**
 * The person index over the agencies' records: linking new records to index people (automatically
 * when certain, to clerical review when not, to a new person when no one is near), the review queue
 * and its decisions, unlinking, and the records behind a person with where each came from.
 */
export class PersonIndexService {
  private readonly matcher: IndexMatcher;
  /**
   * Work waiting for a record's link (a feed row's signal), done in the transaction of the review
   * decision on it; set where the services are built, since the person index depends on no module above it.
   */
  onRecordDecided?: (tx: Tx, ctx: Ctx, partnershipId: string, sourceRecordId: string) => Promise<unknown>;
  /** Work that follows a record taken off a person (its feed signals move with it), in the unlink's transaction. */
  onRecordUnlinked?: (
    tx: Tx,
    ctx: Ctx,
    partnershipId: string,
    move: { sourceRecordId: string; fromPersonId: string; toPersonId: string },
  ) => Promise<unknown>;

  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly gate: AccessGate,
  ) {
    this.matcher = new IndexMatcher(db);
  }

  /**
   * The people a record may be, best first, found through the database (the record's blocking keys)
   * rather than by loading the index: each with its probability, band and explanation. Audited with
   * the people it names. The front door asks with its own permission, to find a contact's child.
   */
  async candidatesFor(ctx: Ctx, fields: StoredFields, permission: Permission = 'index.review') {
    const partnershipId = await this.require(ctx, permission, 'index.match');
    const candidates = await this.matcher.candidatesFor(partnershipId, fields);
    await this.audit.recordAlone(ctx, {
      action: 'index.match',
      subjectType: 'person_index',
      personIds: candidates.map((c) => c.personId),
      detail: { candidates: candidates.length },
    });
    return candidates;
  }

  /**
   * Links every record not yet decided: against the index first; those near no one are deduplicated
   * among themselves, each group becoming one new person. Writes in batches, so an interrupted run
   * resumes where it stopped.
   */
  async linkPending(
    ctx: Ctx,
    onProgress?: (done: number, total: number) => void,
    onPhase?: PhaseTimer,
  ): Promise<LinkOutcome> {
    const partnershipId = await this.require(ctx, 'index.import', 'index.link');
    const phase = phaseClock(onPhase);
    const pending = await store.unprocessedRecords(this.db, partnershipId);
    phase('read pending');
    const outcome: LinkOutcome = { autoLinked: 0, forReview: 0, newPeople: 0 };
    if (pending.length === 0) return outcome;
    const decisions = await this.decide(partnershipId, pending, phase);
    const today = ctx.now.toISOString().slice(0, 10);
    const groupPeople = new Map<number, string>();
    for (let start = 0; start < decisions.length; start += WRITE_BATCH) {
      const batch = decisions.slice(start, start + WRITE_BATCH);
      await this.db.transaction().execute(async (tx) => {
        const touched = await writeDecisions(tx, partnershipId, batch, today, groupPeople, outcome);
        await this.audit.record(tx, ctx, {
          action: 'index.link',
          subjectType: 'person_index',
          personIds: touched,
          detail: { decisions: batch.length },
        });
      });
      onProgress?.(Math.min(start + WRITE_BATCH, decisions.length), decisions.length);
    }
    phase('write');
    return outcome;
  }

  /** What to do with each pending record, from what the index holds now. Computes; writes nothing. */
  private async decide(
    partnershipId: string,
    pending: { id: string; fields: StoredFields }[],
    phase: (name: string) => void,
  ) {
    const index = await store.indexRecords(this.db, partnershipId);
    phase('read index');
    const right = [
      ...index.linked.map((r) => ({ personId: r.personId, record: linkageRecordOf(r.id, r.fields) })),
      ...index.unsourced.map((p) => ({
        personId: p.personId,
        record: linkageRecordOf(`person:${p.personId}`, p.fields),
      })),
    ];
    const left = prepareRecords(pending.map((r) => linkageRecordOf(r.id, r.fields)));
    const rejected = await store.rejectedPairs(
      this.db,
      partnershipId,
      pending.map((r) => r.id),
    );
    const decisions: Decision[] = [];
    const unmatched: number[] = [];
    const preparedRight = prepareRecords(right.map((r) => r.record));
    phase('prepare');
    const model = trainModel(left, preparedRight);
    phase('train');
    const pairs = model ? nearPairs(model, left, preparedRight) : [];
    phase('score against the index');
    // Each record's best score against each person (a person may have several records).
    const near = new Map<number, Map<string, number>>();
    pairs.forEach((pair, k) => {
      const personId = right[pair.right]!.personId;
      if (rejected.has(`${pending[pair.left]!.id} ${personId}`)) return;
      const byPerson = near.get(pair.left) ?? new Map<string, number>();
      const seen = byPerson.get(personId);
      if (seen === undefined || pairs[seen]!.probability < pair.probability) byPerson.set(personId, k);
      near.set(pair.left, byPerson);
    });
    left.forEach((a, i) => {
      const candidates = [...(near.get(i) ?? new Map<string, number>()).entries()]
        .map(([personId, k]) => ({ personId, pair: pairs[k]! }))
        .sort((x, y) => y.pair.probability - x.pair.probability);
      if (candidates.length === 0) return void unmatched.push(i);
      const scored = (c: (typeof candidates)[number]) => ({
        personId: c.personId,
        probability: c.pair.probability,
        explanation: explainPair(model!, a, preparedRight[c.pair.right]!),
      });
      const certain = candidates.filter((c) => c.pair.probability >= LINKAGE_CONFIG.bands.autoLink);
      if (certain.length === 1) decisions.push({ kind: 'link', recordId: a.id, ...scored(certain[0]!) });
      else
        decisions.push({
          kind: 'review',
          recordId: a.id,
          proposals: candidates.slice(0, MAX_PROPOSALS).map(scored),
        });
    });
    const fieldsOf = new Map(pending.map((r) => [r.id, r.fields]));
    const alone = unmatched.map((i) => left[i]!);
    decisions.push(
      ...(model
        ? groupNewPeople(model, alone, fieldsOf)
        : // Too few records to learn from (a first record into an empty index): each is someone new.
          alone.map((record, group) => ({
            kind: 'new' as const,
            group,
            recordId: record.id,
            fields: fieldsOf.get(record.id)!,
            members: [],
            near: [],
          }))),
    );
    phase('decide and group the rest');
    return decisions;
  }

  /** The agency feeds records can be imported from. */
  async sources(ctx: Ctx) {
    const partnershipId = await this.require(ctx, 'index.import', 'index.sources');
    return store.listSources(this.db, partnershipId);
  }

  /** Starts an import from a source (by its code); a code the partnership does not have is refused. */
  async beginImport(ctx: Ctx, sourceCode: string, fileName: string, fileSha256: string) {
    const partnershipId = await this.require(ctx, 'index.import', 'index.import');
    const sources = await store.listSources(this.db, partnershipId);
    const source = sources.find((s) => s.code === sourceCode);
    if (!source)
      throw new ValidationError([
        {
          field: 'source',
          message: `There is no source "${sourceCode}"; choose one of: ${sources.map((s) => s.code).join(', ') || '(none set up)'}`,
        },
      ]);
    return this.db.transaction().execute(async (tx) => {
      const importId = await store.insertImport(tx, {
        partnershipId,
        sourceId: source.id,
        fileName,
        fileSha256,
        startedBy: actorId(ctx),
        startedAt: ctx.now,
      });
      await this.audit.record(tx, ctx, {
        action: 'index.import.begin',
        subjectType: 'person_import',
        subjectId: importId,
        detail: { source: source.code, fileName, fileSha256 },
      });
      return { importId, sourceId: source.id };
    });
  }

  /**
   * Stores one batch of checked rows (a row already held with the same content is not stored again)
   * and counts the rejected ones, in one transaction.
   */
  async storeBatch(ctx: Ctx, batch: ImportBatch): Promise<number> {
    const partnershipId = await this.require(ctx, 'index.import', 'index.import.batch');
    return this.db.transaction().execute(async (tx) => {
      const added = await store.insertSourceRecords(
        tx,
        partnershipId,
        batch.sourceId,
        batch.importId,
        ctx.now,
        batch.records.map((r) => ({ ...r, matchKeys: r.matchKeys ?? matchKeysOfFields(r.fields) })),
      );
      await store.addToImport(tx, partnershipId, batch.importId, {
        rowsRead: batch.records.length + batch.rejects.length,
        rowsRejected: batch.rejects.length,
        recordsNew: added,
        recordsUnchanged: batch.records.length - added,
        rejects: batch.rejects,
      });
      await this.audit.record(tx, ctx, {
        action: 'index.import.batch',
        subjectType: 'person_import',
        subjectId: batch.importId,
        detail: { stored: added, unchanged: batch.records.length - added, rejected: batch.rejects.length },
      });
      return added;
    });
  }

  /**
   * Adds a child the index does not know, from what a front-door contact says about them: a record
   * of the partnership's 'front-door' source (made on first use, kind 'other', owned by the given
   * organisation) and a new person confirmed as that record's person, so later records and contacts
   * can be matched to them. Inside the caller's transaction; the caller audits. The same record
   * (source, local id and content) added again answers the person it belongs to now. Proposals still
   * open for the local id (the contact held for review) end: the front door has answered them.
   */
  async addPersonWithin(
    tx: Tx,
    partnershipId: string,
    input: FrontDoorRecordInput & { decidedBy: string | null },
  ): Promise<string> {
    for (const open of await lockFrontDoorLinks(tx, partnershipId, input.localId))
      if (open.status === 'pending_review')
        await store.updateLink(tx, partnershipId, open.id, null, {
          endedAt: input.at,
          endedBy: input.decidedBy,
          endReason: 'the front door added the child as someone new',
        });
    const recordId = await frontDoorRecord(tx, partnershipId, input);
    const current = (await store.openLinksOf(tx, partnershipId, recordId)).find(
      (l) => l.status === 'auto_linked' || l.status === 'confirmed',
    );
    return current?.personId ?? newPersonFor(tx, partnershipId, recordId, input.decidedBy, input.at);
  }

  /**
   * Holds a front-door contact's child for the review queue: a record of the 'front-door' source (as
   * addPersonWithin makes it) proposed for review against the best few of the people it may be, as
   * linking does with a record it is unsure of. Inside the caller's transaction; the caller audits.
   * A record with any decision already (proposed before, or decided) is left as it is, so claiming a
   * contact again proposes nothing twice. Answers the record and the people proposed now.
   */
  async holdForReviewWithin(
    tx: Tx,
    partnershipId: string,
    input: FrontDoorRecordInput & { candidates: readonly ({ personId: string } & Scored)[] },
  ): Promise<{ recordId: string; proposed: string[] }> {
    const recordId = await frontDoorRecord(tx, partnershipId, input);
    if (await store.hasLinks(tx, partnershipId, recordId)) return { recordId, proposed: [] };
    const proposals = input.candidates.slice(0, MAX_PROPOSALS);
    await store.insertLinks(
      tx,
      proposals.map((p) => linkRow(partnershipId, recordId, p.personId, 'pending_review', p)),
    );
    return { recordId, proposed: proposals.map((p) => p.personId) };
  }

  /**
   * The front door found a contact's child itself: a record held for review (by local id) becomes
   * that child's, as a reviewer's link would make it (the proposal confirmed, or a confirmed link made
   * when the child was not proposed; every other open link closed), so the queue no longer shows it.
   * A contact never held for review has no record, and nothing is done. Inside the caller's
   * transaction; the caller audits. Refused (409) while a reviewer is deciding the same record.
   */
  async settleFrontDoorRecordWithin(
    tx: Tx,
    partnershipId: string,
    input: { localId: string; personId: string; decidedBy: string | null; at: Date },
  ): Promise<void> {
    const { personId, decidedBy, at } = input;
    const open = await lockFrontDoorLinks(tx, partnershipId, input.localId);
    for (const recordId of new Set(open.map((l) => l.sourceRecordId))) {
      const keep = open.find((l) => l.sourceRecordId === recordId && l.personId === personId);
      await closeOtherLinks(tx, partnershipId, recordId, keep?.id ?? null, decidedBy, at);
      const decided = { decidedBy, decidedAt: at, decisionNote: 'Found by the front door' };
      if (!keep)
        await store.insertLinks(tx, [
          { partnershipId, sourceRecordId: recordId, personId, status: 'confirmed', ...decided },
        ]);
      else if (keep.status === 'pending_review')
        await store.updateLink(tx, partnershipId, keep.id, null, {
          ...decided,
          status: 'confirmed',
          needsInformation: false,
        });
    }
  }

  /**
   * A record of the front door's source, with the number of the contact it describes and the person
   * it belongs to now (null while undecided); undefined for any other record. For the front door,
   * when a review decision may have found a contact's child.
   */
  async frontDoorRecordWithin(tx: Tx, partnershipId: string, recordId: string) {
    const record = await store.recordWithOwner(tx, partnershipId, recordId);
    const contactNumber = record ? contactNumberOf(record.sourceCode, record.localId) : null;
    return record && contactNumber ? { contactNumber, personId: record.personId } : undefined;
  }

  /** Links what the import brought and closes it with its figures, or records why it failed. */
  async finishImport(ctx: Ctx, importId: string, result: { outcome: LinkOutcome } | { error: string }) {
    const partnershipId = await this.require(ctx, 'index.import', 'index.import.finish');
    await this.db.transaction().execute(async (tx) => {
      await store.updateImport(tx, partnershipId, importId, {
        finishedAt: ctx.now,
        ...('error' in result
          ? { status: 'failed' as const, error: result.error }
          : {
              status: 'finished' as const,
              autoLinked: result.outcome.autoLinked,
              forReview: result.outcome.forReview,
              newPeople: result.outcome.newPeople,
            }),
      });
      await this.audit.record(tx, ctx, {
        action: 'index.import.finish',
        subjectType: 'person_import',
        subjectId: importId,
        outcome: 'error' in result ? 'failed' : 'success',
        detail: result,
      });
    });
  }

  async findImport(ctx: Ctx, importId: string) {
    const partnershipId = await this.require(ctx, 'index.import', 'index.import.view');
    const found = await store.findImport(this.db, partnershipId, importId);
    if (!found) throw new NotFoundError('Import');
    // Its rejected rows quote what the agency sent (names, dates, identifiers).
    await this.audit.recordAlone(ctx, {
      action: 'index.import.view',
      subjectType: 'person_import',
      subjectId: importId,
      detail: { rejectsShown: found.rejects.length },
    });
    return found;
  }

  async recentImports(ctx: Ctx) {
    const partnershipId = await this.require(ctx, 'index.import', 'index.import.list');
    return store.recentImports(this.db, partnershipId);
  }

  /** Proposals awaiting a decision (sealed people only for those named on them), and the count. */
  async reviewQueue(ctx: Ctx) {
    const partnershipId = await this.require(ctx, 'index.review', 'index.review.queue');
    const [rows, total] = await Promise.all([
      store.reviewQueue(this.db, partnershipId, actorId(ctx)),
      store.countPendingReview(this.db, partnershipId, actorId(ctx)),
    ]);
    // A list of children's names and dates of birth: audited like any other list.
    await this.audit.recordAlone(ctx, {
      action: 'index.review.queue',
      subjectType: 'person_index',
      personIds: [...new Set(rows.map((r) => r.personId))],
      detail: { shown: rows.length, total },
    });
    return { rows, total };
  }

  /**
   * One proposal side by side: the agency's record as received and as read, the person with the
   * records already theirs, which fields differ, and the score's explanation. Audited: it shows two
   * sets of personal details.
   */
  async reviewPair(ctx: Ctx, linkId: string) {
    const partnershipId = await this.require(ctx, 'index.review', 'index.review.view');
    return this.db.transaction().execute(async (tx) => {
      const link = await this.findVisibleLink(tx, ctx, partnershipId, linkId);
      const records = await store.recordsOfPerson(tx, partnershipId, link.personId);
      const person = await store.findPersonDetails(tx, partnershipId, link.personId);
      await this.audit.record(tx, ctx, {
        action: 'index.review.view',
        subjectType: 'record_link',
        subjectId: linkId,
        personIds: [link.personId],
        detail: { sourceRecordId: link.sourceRecordId },
      });
      return {
        link,
        person,
        records,
        comparison: compareFields(link.fields, records, person),
        contactNumber: contactNumberOf(link.sourceCode, link.localId),
      };
    });
  }

  /** Records a reviewer's decision on a proposal, if no one has decided it since they looked. */
  async decideLink(ctx: Ctx, linkId: string, version: number, decision: ReviewDecision, note: string | null) {
    const partnershipId = await this.require(ctx, 'index.review', 'index.review.decide');
    const userId = actorId(ctx);
    if (decision === 'more_information' && !note)
      throw new ValidationError([
        { field: 'note', message: 'Say what information is needed, and from whom' },
      ]);
    return this.db.transaction().execute(async (tx) => {
      const link = await this.findVisibleLink(tx, ctx, partnershipId, linkId);
      if (link.status !== 'pending_review' || link.endedAt)
        throw new ConflictError('Someone has already decided this; the queue shows what is left');
      const decided = { decidedBy: userId, decidedAt: ctx.now, decisionNote: note };
      const patch =
        decision === 'link'
          ? { ...decided, status: 'confirmed' as const, needsInformation: false }
          : decision === 'not_same'
            ? { ...decided, status: 'rejected' as const, needsInformation: false }
            : { ...decided, needsInformation: true };
      const touched = [link.personId];
      // The record now belongs to this person (a stale version below rolls all this back).
      if (decision === 'link')
        touched.push(
          ...(await closeOtherLinks(tx, partnershipId, link.sourceRecordId, linkId, userId, ctx.now)),
        );
      if (!(await store.updateLink(tx, partnershipId, linkId, version, patch)))
        throw new ConflictError('Someone has changed this proposal since you opened it; look again');
      if (decision === 'not_same') {
        const open = await store.openLinksOf(tx, partnershipId, link.sourceRecordId);
        // Not this person, and no one else proposed or linked: the record is someone new.
        if (open.length === 0)
          touched.push(await newPersonFor(tx, partnershipId, link.sourceRecordId, userId, ctx.now));
      }
      await this.onRecordDecided?.(tx, ctx, partnershipId, link.sourceRecordId);
      await this.audit.record(tx, ctx, {
        action: 'index.review.decide',
        subjectType: 'record_link',
        subjectId: linkId,
        personIds: touched,
        detail: { decision, sourceRecordId: link.sourceRecordId },
      });
      return { personId: decision === 'link' ? link.personId : touched.at(-1)! };
    });
  }

  /**
   * Takes a record off a person it was wrongly linked to: the link ends (kept on record), the pair is
   * never proposed again, the record becomes a person of its own, and the person's details are
   * derived again from the records left. A person's only record cannot be taken away.
   */
  async unlink(ctx: Ctx, linkId: string, version: number, reason: string) {
    const partnershipId = await this.require(ctx, 'index.review', 'index.unlink');
    const userId = actorId(ctx);
    return this.db.transaction().execute(async (tx) => {
      const link = await this.findVisibleLink(tx, ctx, partnershipId, linkId);
      if (link.endedAt || (link.status !== 'auto_linked' && link.status !== 'confirmed'))
        throw new ConflictError('This record is no longer linked to this person');
      const records = await store.recordsOfPerson(tx, partnershipId, link.personId);
      if (records.length < 2)
        throw new ValidationError([
          {
            field: 'reason',
            message: 'This is the only record of this person, so there is nothing to separate it from',
          },
        ]);
      if (
        !(await store.updateLink(tx, partnershipId, linkId, version, {
          endedAt: ctx.now,
          endedBy: userId,
          endReason: reason,
        }))
      )
        throw new ConflictError('Someone has changed this link since you opened it; look again');
      await store.insertLinks(tx, [
        {
          partnershipId,
          sourceRecordId: link.sourceRecordId,
          personId: link.personId,
          status: 'rejected',
          probability: link.probability,
          decidedBy: userId,
          decidedAt: ctx.now,
          decisionNote: reason,
        },
      ]);
      const newPersonId = await newPersonFor(tx, partnershipId, link.sourceRecordId, userId, ctx.now);
      await refreshPerson(tx, partnershipId, link.personId, ctx.now);
      await this.onRecordUnlinked?.(tx, ctx, partnershipId, {
        sourceRecordId: link.sourceRecordId,
        fromPersonId: link.personId,
        toPersonId: newPersonId,
      });
      await this.audit.record(tx, ctx, {
        action: 'index.unlink',
        subjectType: 'record_link',
        subjectId: linkId,
        personIds: [link.personId, newPersonId],
        detail: { sourceRecordId: link.sourceRecordId, reason },
      });
      return { personId: link.personId, newPersonId };
    });
  }

  /**
   * The agencies' records behind a person, and each detail with where it came from ("NHS number from
   * GP registrations, 3 Jan 2026"). Read through the gate like the rest of the record.
   */
  async recordsOf(ctx: Ctx, personId: string) {
    return this.gate.read(ctx, personId, 'person.records.view', async (access) => {
      const records = await store.recordsOfPerson(access.tx, access.partnershipId, personId);
      return {
        value: { records, provenance: provenanceOf(records) },
        detail: { records: records.length },
      };
    });
  }

  private async findVisibleLink(tx: Tx, ctx: Ctx, partnershipId: string, linkId: string) {
    const link = await store.findLink(tx, partnershipId, linkId);
    if (
      !link ||
      (link.sealedAt && !(await store.isNamedOnSeal(tx, partnershipId, link.personId, actorId(ctx))))
    )
      throw new NotFoundError('Record link');
    return link;
  }

  private async require(ctx: Ctx, permission: Permission, action: string): Promise<string> {
    const partnershipId = ctx.actor.partnershipId;
    if (!partnershipId) throw new ForbiddenError('This needs a partnership');
    if (!isAllowed(ctx, permission)) {
      await this.audit.recordAlone(ctx, { action, outcome: 'denied', detail: { permission } });
      throw new ForbiddenError(
        permission === 'index.import'
          ? 'Only a partnership administrator can import agency records'
          : 'Only the front door and partnership administrators review record links',
      );
    }
    return partnershipId;
  }
}

/** Told how long each phase of linking took (ms), for benchmarks and logs. */
export type PhaseTimer = (phase: string, ms: number) => void;

function phaseClock(onPhase: PhaseTimer | undefined): (name: string) => void {
  let last = performance.now();
  return (name) => {
    const now = performance.now();
    onPhase?.(name, now - last);
    last = now;
  };
}

/** Index records a model is trained on, at most; with as many of the new records. */
const TRAINING_SAMPLE = 20_000;

/**
 * The model for matching new records to the index, estimated (EM) as a deduplication of the new
 * records together with a sample of the index: a small file alone has too few pairs to learn from.
 */
function trainModel(pending: readonly PreparedRecord[], index: readonly PreparedRecord[]) {
  const step = Math.max(1, Math.ceil(index.length / TRAINING_SAMPLE));
  const training = [...pending.slice(0, TRAINING_SAMPLE), ...index.filter((_, i) => i % step === 0)];
  if (training.length < 2) return undefined;
  return matchRecords(training, null, { threshold: Number.POSITIVE_INFINITY }).model;
}

/**
 * Candidate pairs (by the engine's blocking rules) scoring at least the review band: left against
 * right, or within left when right is null (each pair once, left index below right).
 */
function nearPairs(
  model: MatchModel,
  left: readonly PreparedRecord[],
  right: readonly PreparedRecord[] | null,
) {
  const systems = model.identifierIndices.map((c) => model.comparisons[c]!.key.slice('identifier:'.length));
  const other = right ?? left;
  const pairs: { left: number; right: number; probability: number }[] = [];
  const scorer = new PairScorer(model);
  forEachCandidate(
    blockingRules(systems),
    left,
    right,
    (i, j) => {
      const probability = scorer.score(left[i]!, other[j]!);
      if (probability < LINKAGE_CONFIG.bands.review) return;
      pairs.push(right || i < j ? { left: i, right: j, probability } : { left: j, right: i, probability });
    },
    LINKAGE_CONFIG.maxBlockPairs,
  );
  return pairs;
}

/**
 * Records near no one in the index, made into new people: a record certain to be the same child as
 * exactly one earlier group joins it; otherwise it starts a group of its own, proposed for review
 * against the earlier groups it is near (or certain of, when it is certain of more than one).
 */
function groupNewPeople(
  model: MatchModel,
  records: PreparedRecord[],
  fieldsOf: Map<string, StoredFields>,
): Decision[] {
  const groups: Extract<Decision, { kind: 'new' }>[] = [];
  const groupOf = new Array<number>(records.length);
  const nearEarlier = new Map<number, { left: number; probability: number }[]>();
  for (const p of nearPairs(model, records, null)) {
    const list = nearEarlier.get(p.right) ?? [];
    list.push({ left: p.left, probability: p.probability });
    nearEarlier.set(p.right, list);
  }
  records.forEach((record, j) => {
    const byGroup = new Map<number, { left: number; probability: number }>();
    for (const n of nearEarlier.get(j) ?? []) {
      const g = groupOf[n.left]!;
      const seen = byGroup.get(g);
      if (!seen || seen.probability < n.probability) byGroup.set(g, n);
    }
    const scored = (n: { left: number; probability: number }) => ({
      probability: n.probability,
      explanation: explainPair(model, record, records[n.left]!),
    });
    const certain = [...byGroup.entries()].filter(([, n]) => n.probability >= LINKAGE_CONFIG.bands.autoLink);
    if (certain.length === 1) {
      const [g, n] = certain[0]!;
      groupOf[j] = g;
      groups[g]!.members.push({ recordId: record.id, ...scored(n) });
      return;
    }
    groupOf[j] = groups.length;
    groups.push({
      kind: 'new',
      group: groups.length,
      recordId: record.id,
      fields: fieldsOf.get(record.id)!,
      members: [],
      near: [...byGroup.entries()]
        .sort(([, x], [, y]) => y.probability - x.probability)
        .slice(0, MAX_PROPOSALS)
        .map(([group, n]) => ({ group, ...scored(n) })),
    });
  });
  return groups;
}

/** Writes one batch of decisions; answers the people it touched. */
async function writeDecisions(
  tx: Tx,
  partnershipId: string,
  batch: readonly Decision[],
  today: string,
  groupPeople: Map<number, string>,
  outcome: LinkOutcome,
): Promise<string[]> {
  const links: NewRow<'recordLinks'>[] = [];
  const people: NewRow<'people'>[] = [];
  const touched = new Set<string>();
  for (const d of batch) {
    switch (d.kind) {
      case 'link':
        links.push(linkRow(partnershipId, d.recordId, d.personId, 'auto_linked', d));
        touched.add(d.personId);
        outcome.autoLinked++;
        break;
      case 'review':
        for (const p of d.proposals) {
          links.push(linkRow(partnershipId, d.recordId, p.personId, 'pending_review', p));
          touched.add(p.personId);
        }
        outcome.forReview++;
        break;
      case 'new': {
        // Made here, so that the batch's new people are inserted in one statement.
        const personId = randomUUID();
        people.push({ partnershipId, id: personId, ...personDetailsOf(d.fields, today) });
        groupPeople.set(d.group, personId);
        touched.add(personId);
        outcome.newPeople++;
        links.push({
          ...linkRow(partnershipId, d.recordId, personId, 'auto_linked', null),
          createdPerson: true,
        });
        for (const m of d.members) {
          links.push(linkRow(partnershipId, m.recordId, personId, 'auto_linked', m));
          outcome.autoLinked++;
        }
        for (const n of d.near) {
          const earlier = groupPeople.get(n.group);
          if (earlier) links.push(linkRow(partnershipId, d.recordId, earlier, 'pending_review', n));
        }
        if (d.near.length > 0) outcome.forReview++;
        break;
      }
    }
  }
  await store.insertPeople(tx, people);
  await store.insertLinks(tx, links);
  return [...touched];
}

function linkRow(
  partnershipId: string,
  sourceRecordId: string,
  personId: string,
  status: 'auto_linked' | 'pending_review',
  scored: Scored | null,
): NewRow<'recordLinks'> {
  return {
    partnershipId,
    sourceRecordId,
    personId,
    status,
    probability: scored?.probability ?? null,
    explanation: scored ? JSON.stringify(scored.explanation) : null,
  };
}

function actorId(ctx: Ctx): string | null {
  return isSystem(ctx.actor) ? null : ctx.actor.userId;
}

/** Makes a new person of a record no one else holds, linked as decided by `decidedBy` at `at`. */
async function newPersonFor(
  tx: Tx,
  partnershipId: string,
  recordId: string,
  decidedBy: string | null,
  at: Date,
): Promise<string> {
  const record = await store.findRecord(tx, partnershipId, recordId);
  const today = at.toISOString().slice(0, 10);
  const personId = await store.insertPerson(tx, { partnershipId, ...personDetailsOf(record.fields, today) });
  await store.insertLinks(tx, [
    {
      partnershipId,
      sourceRecordId: recordId,
      personId,
      status: 'confirmed',
      createdPerson: true,
      decidedBy,
      decidedAt: at,
    },
  ]);
  return personId;
}

/**
 * A record now belongs to one person (the link kept, if any): its other open links close, proposals
 * as another person was chosen, a current link elsewhere as moved, that person's details derived
 * again (ended first: a record has one current link at a time). Answers the people it moved from.
 */
async function closeOtherLinks(
  tx: Tx,
  partnershipId: string,
  recordId: string,
  keepLinkId: string | null,
  userId: string | null,
  at: Date,
): Promise<string[]> {
  const movedFrom: string[] = [];
  for (const other of await store.openLinksOf(tx, partnershipId, recordId)) {
    if (other.id === keepLinkId) continue;
    const moved = other.status !== 'pending_review';
    await store.updateLink(tx, partnershipId, other.id, null, {
      endedAt: at,
      endedBy: userId,
      endReason: moved ? 'moved to another person after review' : 'another person was chosen',
    });
    if (moved) {
      movedFrom.push(other.personId);
      await refreshPerson(tx, partnershipId, other.personId, at);
    }
  }
  return movedFrom;
}

type FrontDoorRecordInput = { localId: string; fields: StoredFields; organisationId: string; at: Date };

/**
 * The front door's record of a contact's child, stored once (the same local id and content again is
 * found, not stored twice): of the partnership's 'front-door' source, made on first use.
 */
async function frontDoorRecord(tx: Tx, partnershipId: string, input: FrontDoorRecordInput) {
  const { localId, fields, at } = input;
  const sourceId = await store.ensureSource(tx, {
    partnershipId,
    ...FRONT_DOOR_SOURCE,
    organisationId: input.organisationId,
  });
  const received = receivedRowOf(fields);
  const contentSha256 = contentHashOf(received);
  await store.insertSourceRecords(tx, partnershipId, sourceId, null, at, [
    { localId, contentSha256, received, fields, lineNumber: null, matchKeys: matchKeysOfFields(fields) },
  ]);
  return (await store.findRecordByContent(tx, partnershipId, sourceId, localId, contentSha256)).id;
}

/** PostgreSQL's "lock not available", answered to a NOWAIT lock held by another transaction. */
const LOCK_NOT_AVAILABLE = '55P03';

/**
 * The open links of the front door's record under a local id, locked. The front door holds the
 * contact's lock when it asks, and a reviewer deciding the record wants that lock next: waiting here
 * could deadlock, so the front door is told to look again instead (409), after the reviewer's decision.
 */
async function lockFrontDoorLinks(tx: Tx, partnershipId: string, localId: string) {
  try {
    return await store.lockOpenLinksOfLocalId(tx, partnershipId, FRONT_DOOR_SOURCE.code, localId);
  } catch (error) {
    if ((error as { code?: unknown }).code === LOCK_NOT_AVAILABLE)
      throw new ConflictError(
        'A person index reviewer is deciding this child’s record right now: look at the contact again',
      );
    throw error;
  }
}

/** A person's own details, taken again from their most recent record (when they have one). */
async function refreshPerson(tx: Tx, partnershipId: string, personId: string, now: Date) {
  const [latest] = await store.recordsOfPerson(tx, partnershipId, personId);
  if (!latest) return;
  const { givenName, familyName, dateOfBirth, sex } = personDetailsOf(
    latest.fields,
    now.toISOString().slice(0, 10),
  );
  await store.setPersonDetails(tx, partnershipId, personId, { givenName, familyName, dateOfBirth, sex });
}

type PersonRecord = Awaited<ReturnType<typeof store.recordsOfPerson>>[number];

const PROVENANCE_FIELDS: [label: string, read: (f: StoredFields) => string | undefined][] = [
  ['Given name', (f) => f.givenName],
  ['Family name', (f) => f.familyName],
  ['Full name', (f) => f.fullName],
  ['Date of birth', (f) => f.dateOfBirth],
  ['Sex', (f) => f.sex],
  [
    'Address',
    (f) =>
      [f.streetNumber, f.addressLine1, f.addressLine2, f.locality, f.city].filter(Boolean).join(', ') ||
      undefined,
  ],
  ['Postcode', (f) => f.postcode],
  ['Email', (f) => f.email],
];

/** Each detail from the most recent record that has it, with that record's source and date. */
export function provenanceOf(records: readonly PersonRecord[]) {
  const rows: { label: string; value: string; sourceName: string; receivedAt: Date }[] = [];
  const from = (label: string, read: (f: StoredFields) => string | undefined) => {
    for (const r of records) {
      const value = read(r.fields);
      if (value) return void rows.push({ label, value, sourceName: r.sourceName, receivedAt: r.receivedAt });
    }
  };
  for (const [label, read] of PROVENANCE_FIELDS) from(label, read);
  const systems = [...new Set(records.flatMap((r) => r.fields.identifiers.map(([system]) => system)))];
  for (const system of systems.sort())
    from(identifierLabel(system), (f) => f.identifiers.find(([s]) => s === system)?.[1]);
  return rows;
}

function identifierLabel(system: string): string {
  const known: Record<string, string> = { nhs: 'NHS number', upn: 'Unique pupil number', chi: 'CHI number' };
  return known[system] ?? `Identifier (${system.replace(/_/g, ' ')})`;
}

/**
 * The record and the person field by field, for the side-by-side view: the person's value is from their
 * most recent record that has it, or their own details when no record has.
 */
function compareFields(
  fields: StoredFields,
  records: readonly PersonRecord[],
  person: Awaited<ReturnType<typeof store.findPersonDetails>>,
) {
  const own: StoredFields = {
    givenName: person.givenName ?? undefined,
    familyName: person.familyName,
    dateOfBirth: person.dateOfBirth ?? undefined,
    sex: person.sex === 'unknown' ? undefined : person.sex,
    addressLine1: person.addressLine1 ?? undefined,
    city: person.town ?? undefined,
    postcode: person.postcode ?? undefined,
    identifiers: [],
  };
  const all = [...records.map((r) => r.fields), own];
  const systems = [...new Set([...fields.identifiers, ...all.flatMap((f) => f.identifiers)].map(([s]) => s))];
  const readers: [string, (f: StoredFields) => string | undefined][] = [
    ...PROVENANCE_FIELDS,
    ...systems
      .sort()
      .map(
        (system) =>
          [identifierLabel(system), (f: StoredFields) => f.identifiers.find(([s]) => s === system)?.[1]] as [
            string,
            (f: StoredFields) => string | undefined,
          ],
      ),
  ];
  return readers.flatMap(([label, read]) => {
    const record = read(fields);
    const theirs = all.map(read).find(Boolean);
    if (!record && !theirs) return [];
    const same =
      label === 'Sex' ? sexFrom(record) === sexFrom(theirs) : normalised(record) === normalised(theirs);
    return [{ label, record: record ?? '', person: theirs ?? '', differs: !same }];
  });
}

function normalised(value: string | undefined): string {
  return (value ?? '').toLowerCase().replace(/[^a-z0-9]/g, '');
}
