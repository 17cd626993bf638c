import { sql } from 'kysely';
import type { Ctx, SystemActor } from '../../common/context.ts';
import { isSystem } from '../../common/context.ts';
import type { Db, Tx } from '../../db/database.ts';
import type { Row } from '../../db/schema.ts';
import { ForbiddenError } from '../../common/errors.ts';
import { isAllowed } from '../../common/permissions.ts';
import type { AuditSearch } from './audit.schemas.ts';
import { GENESIS, hashOf } from './audit.hash.ts';
import { verifyChains, type VerifyOptions } from './audit.verify.ts';

export type AuditEntry = {
  action: string;
  outcome?: 'success' | 'denied' | 'failed';
  subjectType?: string;
  subjectId?: string;
  detail?: Record<string, unknown>;
  /** What the access rested on: an involvement, emergency access and its reason, consent, a legal basis. */
  basis?: Record<string, unknown>;
  /** Every person the event is about (for "who has looked at this record"), and every item shown. */
  personIds?: readonly string[];
  itemIds?: readonly string[];
};

export type AuditEvent = Row<'auditEvents'>;

export const SEARCH_PAGE_SIZE = 50;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function escapeLike(text: string) {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export type ChainCheck =
  { ok: true; events: number } | { ok: false; events: number; brokenAt: number; reason: string };

/**
 * Append-only, hash-chained audit events. `record` runs inside the caller's transaction, so the event
 * and the change it describes commit together or not at all.
 */
export class AuditService {
  constructor(private readonly db: Db) {}

  async record(tx: Tx, ctx: Ctx, entry: AuditEntry, partnershipId = partnershipOf(ctx)): Promise<void> {
    // One writer at a time per partnership's chain; the lock ends with the transaction.
    await sql`select pg_advisory_xact_lock(hashtextextended(${partnershipId}, 0))`.execute(tx);
    const last = await tx
      .selectFrom('auditEvents')
      .select(['seq', 'hash'])
      .where('partnershipId', '=', partnershipId)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    const person = isSystem(ctx.actor) ? null : ctx.actor;
    const event: Omit<AuditEvent, 'hash'> = {
      partnershipId,
      seq: (last?.seq ?? 0) + 1,
      at: ctx.now,
      actorUserId: person?.userId ?? null,
      actorLabel: person ? person.displayName : `system: ${(ctx.actor as SystemActor).system}`,
      actorOrganisationId: person?.organisationId ?? null,
      actorRoles: person ? [...person.roles] : null,
      action: entry.action,
      outcome: entry.outcome ?? 'success',
      subjectType: entry.subjectType ?? null,
      subjectId: entry.subjectId ?? null,
      requestId: ctx.requestId,
      detail: entry.detail ?? {},
      basis: entry.basis ?? null,
      personIds: [...(entry.personIds ?? [])],
      itemIds: [...(entry.itemIds ?? [])],
      sourceAddress: ctx.sourceAddress ?? null,
      prevHash: last?.hash ?? GENESIS,
    };
    await tx
      .insertInto('auditEvents')
      .values({
        ...event,
        detail: JSON.stringify(event.detail),
        basis: event.basis === null ? null : JSON.stringify(event.basis),
        hash: hashOf(event),
      })
      .execute();
  }

  /** For refusals and failures, whose own transaction rolls back: recorded in a transaction of its own. */
  async recordAlone(ctx: Ctx, entry: AuditEntry, partnershipId = partnershipOf(ctx)): Promise<void> {
    await this.db.transaction().execute((tx) => this.record(tx, ctx, entry, partnershipId));
  }

  /** A refused look at or change to a person's record: recorded on its own, as the work rolls back. */
  async recordPersonRefusal(ctx: Ctx, action: string, personId: string, reason: string): Promise<void> {
    await this.recordAlone(ctx, {
      action,
      outcome: 'denied',
      subjectType: 'person',
      subjectId: personId,
      personIds: [personId],
      detail: { reason },
    });
  }

  async listForSubject(partnershipId: string, subjectType: string, subjectId: string, limit = 50) {
    return this.db
      .selectFrom('auditEvents')
      .selectAll()
      .where('partnershipId', '=', partnershipId)
      .where('subjectType', '=', subjectType)
      .where('subjectId', '=', subjectId)
      .orderBy('seq', 'desc')
      .limit(limit)
      .execute();
  }

  /** Every event that touched a person, newest first: "who has looked at this child's record". */
  async listForPerson(q: Db | Tx, partnershipId: string, personId: string, limit = 200) {
    return q
      .selectFrom('auditEvents as e')
      .leftJoin('organisations as o', (j) =>
        j.onRef('o.partnershipId', '=', 'e.partnershipId').onRef('o.id', '=', 'e.actorOrganisationId'),
      )
      .select([
        'e.seq',
        'e.at',
        'e.actorLabel',
        'e.actorRoles',
        'e.action',
        'e.outcome',
        'e.basis',
        'o.name as organisationName',
      ])
      .where('e.partnershipId', '=', partnershipId)
      .where(sql<boolean>`e.person_ids @> array[${personId}]::uuid[]`)
      .orderBy('e.seq', 'desc')
      .limit(limit)
      .execute();
  }

  /** The privacy officer's search of the trail: newest first, a page at a time, and itself audited. */
  async search(ctx: Ctx, filters: AuditSearch) {
    const partnershipId = partnershipOf(ctx);
    if (!isAllowed(ctx, 'audit.read')) {
      await this.recordAlone(ctx, { action: 'audit.search', outcome: 'denied' });
      throw new ForbiddenError('Only a privacy officer can search the audit trail');
    }
    let query = this.db
      .selectFrom('auditEvents as e')
      .leftJoin('users as u', (j) =>
        j.onRef('u.partnershipId', '=', 'e.partnershipId').onRef('u.id', '=', 'e.actorUserId'),
      )
      .where('e.partnershipId', '=', partnershipId);
    if (filters.who) {
      const like = `%${escapeLike(filters.who)}%`;
      query = query.where((eb) => eb.or([eb('e.actorLabel', 'ilike', like), eb('u.email', 'ilike', like)]));
    }
    if (filters.subject) {
      const subject = filters.subject;
      // A person's id finds every event that touched them, not only those about their record itself.
      query = UUID.test(subject)
        ? query.where((eb) =>
            eb.or([eb('e.subjectId', '=', subject), sql<boolean>`e.person_ids @> array[${subject}]::uuid[]`]),
          )
        : query.where('e.subjectId', '=', subject);
    }
    if (filters.action) query = query.where('e.action', 'like', `${escapeLike(filters.action)}%`);
    if (filters.outcome) query = query.where('e.outcome', '=', filters.outcome);
    if (filters.from) query = query.where('e.at', '>=', new Date(`${filters.from}T00:00:00Z`));
    if (filters.to)
      query = query.where('e.at', '<', new Date(Date.parse(`${filters.to}T00:00:00Z`) + 86_400_000));
    const [rows, total] = await Promise.all([
      query
        .select([
          'e.seq',
          'e.at',
          'e.actorLabel',
          'e.action',
          'e.outcome',
          'e.subjectType',
          'e.subjectId',
          'e.requestId',
          'u.email',
        ])
        .orderBy('e.seq', 'desc')
        .limit(SEARCH_PAGE_SIZE)
        .offset((filters.page - 1) * SEARCH_PAGE_SIZE)
        .execute(),
      query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    const { page, ...criteria } = filters;
    await this.recordAlone(ctx, {
      action: 'audit.search',
      detail: { criteria, page, shown: rows.length, total: total.n },
    });
    return { rows, total: total.n, pages: Math.max(1, Math.ceil(total.n / SEARCH_PAGE_SIZE)) };
  }

  /** The last event of each partnership's chain: an operator keeps these outside the database. */
  async heads() {
    return this.db
      .selectFrom('auditEvents as e')
      .innerJoin('partnerships as p', 'p.id', 'e.partnershipId')
      .select(['p.slug', 'e.partnershipId', 'e.seq', 'e.hash', 'e.at'])
      .where((eb) =>
        eb(
          'e.seq',
          '=',
          eb
            .selectFrom('auditEvents as l')
            .whereRef('l.partnershipId', '=', 'e.partnershipId')
            .select((sub) => sub.fn.max('l.seq').as('m')),
        ),
      )
      .orderBy('p.slug')
      .execute();
  }

  /**
   * Names the first row of the chain whose content, link or place does not hold (see audit.verify.ts:
   * with a connection string and workers, ranges are checked in parallel on PostgreSQL).
   */
  async verifyChain(partnershipId: string, options: VerifyOptions = {}): Promise<ChainCheck> {
    const [check] = await verifyChains(this.db, [partnershipId], options);
    return check!;
  }
}

function partnershipOf(ctx: Ctx): string {
  const id = ctx.actor.partnershipId;
  if (!id) throw new Error('An audit event needs a partnership');
  return id;
}
