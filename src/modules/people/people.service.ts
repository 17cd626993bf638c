import type { Ctx } from '../../common/context.ts';
import { isSystem } from '../../common/context.ts';
import { ConflictError, ForbiddenError } from '../../common/errors.ts';
import { isAllowed } from '../../common/permissions.ts';
import { formatShown, suppressTable } from '../../common/suppression.ts';
import type { Db } from '../../db/database.ts';
import type { AccessGate } from '../access/index.ts';
import type { AuditService } from '../audit/index.ts';
import type { DetailsInput, ItemInput, NameInput } from './people.schemas.ts';
import { rankCandidates, type SearchCriteria } from './people.search.ts';
import * as store from './people.store.ts';

export const AGE_BANDS = ['0-4', '5-10', '11-15', '16-17'] as const;

/**
 * A child's record as the trust layer lets each person see it: the summary, items item by item,
 * search, "my children", who has looked, the analysts' aggregates and the subject access export.
 * Every path goes through the gate or checks a permission, and every one is audited.
 */
export class PeopleService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly gate: AccessGate,
  ) {}

  async summary(ctx: Ctx, personId: string) {
    return this.gate.read(ctx, personId, 'person.view', async (access) => {
      const { tx, partnershipId } = access;
      const [{ person, household, relationships, otherNames }, items, involvements, consents] =
        await Promise.all([
          store.findPersonWithFamily(tx, partnershipId, personId),
          store.itemsOf(tx, partnershipId, personId),
          access.involvements(),
          access.consents(),
        ]);
      const decided = await access.decideItems(items);
      const shown = decided.filter((d) => d.access.level !== 'hidden');
      return {
        value: {
          person,
          basis: access.basis,
          household: person.protectedAddress ? null : (household ?? null),
          locality: household?.localityName ?? null,
          relationships,
          otherNames,
          involvements,
          consents,
          items: shown.map(({ item, access: a }) =>
            a.level === 'content'
              ? { ...item, level: 'content' as const, basis: a.basis }
              : {
                  id: item.id,
                  level: 'existence' as const,
                  owningOrganisationName: item.owningOrganisationName,
                  dataType: item.dataType,
                  occurredOn: item.occurredOn,
                },
          ),
        },
        personIds: relationships.map((r) => r.id),
        itemIds: decided.filter((d) => d.access.level === 'content').map((d) => d.item.id),
        detail: { withheld: decided.length - decided.filter((d) => d.access.level === 'content').length },
      };
    });
  }

  /** A person's details as the edit form shows them; reading them is a look at the record. */
  async details(ctx: Ctx, personId: string) {
    return this.gate.read(ctx, personId, 'person.details.form', async (access) => ({
      value: await store.findPerson(access.tx, access.partnershipId, personId),
    }));
  }

  /** Changes a person's details unless someone else has since; refused with 409 if they have. */
  async updateDetails(ctx: Ctx, personId: string, input: DetailsInput): Promise<void> {
    const { version, ...details } = input;
    await this.gate.change(ctx, personId, 'person.details.update', async (access) => {
      if (!(await store.updatePersonDetails(access.tx, access.partnershipId, personId, version, details)))
        throw new ConflictError(
          'Someone else has changed these details since you opened them; check them again',
        );
      return { value: undefined, detail: { changed: Object.keys(details) } };
    });
  }

  /** Records another name the person is or was known by. */
  async addName(ctx: Ctx, personId: string, input: NameInput): Promise<void> {
    await this.gate.change(ctx, personId, 'person.name.add', async (access) => {
      await store.insertOtherName(access.tx, {
        partnershipId: access.partnershipId,
        personId,
        ...input,
        recordedBy: isSystem(ctx.actor) ? null : ctx.actor.userId,
        recordedAt: ctx.now,
      });
      return { value: undefined, detail: { kind: input.kind } };
    });
  }

  async addItem(ctx: Ctx, personId: string, input: ItemInput): Promise<string> {
    if (isSystem(ctx.actor)) throw new ForbiddenError('Items are recorded by people');
    const actor = ctx.actor;
    return this.gate.change(ctx, personId, 'item.record', async (access) => {
      const id = await store.insertItem(access.tx, {
        partnershipId: access.partnershipId,
        personId,
        owningOrganisationId: actor.organisationId,
        ...input,
        recordedBy: actor.userId,
        recordedAt: ctx.now,
      });
      return {
        value: id,
        itemIds: [id],
        detail: { dataType: input.dataType, sensitivity: input.sensitivity },
      };
    });
  }

  /**
   * Search by name (typos allowed, any order), date of birth (or a year around it), identifier and
   * postcode, ranked, each result with the reason it matched. A sealed record shows only to those
   * named on it; a child the searcher is not involved with shows only enough to identify them and ask
   * for access (name, date of birth, locality). Audited with every person shown.
   */
  async search(ctx: Ctx, search: SearchCriteria) {
    if (isSystem(ctx.actor)) throw new ForbiddenError('Search is for people');
    const actor = ctx.actor;
    // Practitioners search to open a record; the privacy officer, to answer a subject access request.
    if (!isAllowed(ctx, 'person.access') && !isAllowed(ctx, 'subject-access.export')) {
      await this.audit.recordAlone(ctx, {
        action: 'person.search',
        outcome: 'denied',
        detail: { ...search },
      });
      throw new ForbiddenError('Your role does not give access to children’s records');
    }
    return this.db.transaction().execute(async (tx) => {
      const found = await store.searchPeople(tx, actor.partnershipId, actor.userId, search);
      const ranked = rankCandidates(search, found.wordCodes, found.candidates).slice(0, store.SEARCH_LIMIT);
      const ids = ranked.map((r) => r.id);
      const involved = await store.involvedAmong(tx, actor.partnershipId, actor.userId, ids, ctx.now);
      const total = found.candidates.length;
      await this.audit.record(tx, ctx, {
        action: 'person.search',
        personIds: ids,
        detail: { criteria: search, shown: ids.length, total, fallback: found.fallback },
      });
      return {
        total,
        more: found.more,
        rows: ranked.map(({ score: _score, reasons: _reasons, ...r }) => ({
          ...r,
          involved: involved.has(r.id),
        })),
      };
    });
  }

  /** The children the signed-in person is involved with, through themselves or a team. */
  async mine(ctx: Ctx) {
    if (isSystem(ctx.actor)) throw new ForbiddenError('This list is for people');
    const actor = ctx.actor;
    return this.db.transaction().execute(async (tx) => {
      const rows = await store.involvedWith(tx, actor.partnershipId, actor.userId, ctx.now);
      await this.audit.record(tx, ctx, {
        action: 'person.list',
        personIds: [...new Set(rows.map((r) => r.id))],
        detail: { list: 'involved', shown: rows.length },
      });
      return rows;
    });
  }

  /** Every recorded look at and change to this child's record: for the privacy officer and those involved. */
  async accessLog(ctx: Ctx, personId: string) {
    return this.gate.read(
      ctx,
      personId,
      'person.access-log.view',
      async (access) => ({
        value: await this.audit.listForPerson(access.tx, access.partnershipId, personId),
      }),
      { subjectAccess: isAllowed(ctx, 'audit.read') },
    );
  }

  /**
   * Everything held about a person, for a subject access request: their details, addresses,
   * relationships, involvements, consent, every item (those with third-party information marked for
   * redaction review), emergency access, sharing decisions and every recorded look at the record.
   */
  async subjectAccess(ctx: Ctx, personId: string) {
    if (!isAllowed(ctx, 'subject-access.export')) {
      await this.audit.recordPersonRefusal(
        ctx,
        'person.subject-access-export',
        personId,
        'not a privacy officer',
      );
      throw new ForbiddenError('Only a privacy officer can answer a subject access request');
    }
    return this.gate.read(
      ctx,
      personId,
      'person.subject-access-export',
      async (access) => {
        const { tx, partnershipId } = access;
        const [
          person,
          households,
          relationships,
          items,
          involvements,
          consents,
          emergencyAccesses,
          decisions,
        ] = await Promise.all([
          store.findPerson(tx, partnershipId, personId),
          store.householdsOf(tx, partnershipId, personId),
          store.relationshipsOf(tx, partnershipId, personId),
          store.itemsOf(tx, partnershipId, personId),
          access.involvements(),
          access.consents(),
          access.emergencyAccesses(),
          access.sharingDecisions(),
        ]);
        const accessLog = await this.audit.listForPerson(tx, partnershipId, personId, 10_000);
        return {
          value: {
            generatedAt: ctx.now.toISOString(),
            person,
            households,
            relationships,
            involvements,
            consents,
            items: items.map((item) => ({ ...item, redactionReview: item.thirdParty })),
            emergencyAccesses,
            sharingDecisions: decisions,
            accessLog,
          },
          personIds: relationships.map((r) => r.id),
          itemIds: items.map((i) => i.id),
          detail: { items: items.length, thirdPartyItems: items.filter((i) => i.thirdParty).length },
        };
      },
      { subjectAccess: true },
    );
  }

  /** Children by locality and age band, small numbers suppressed: what an analyst may see. */
  async childrenByLocality(ctx: Ctx) {
    const partnershipId = ctx.actor.partnershipId!;
    if (!isAllowed(ctx, 'aggregates.view')) {
      await this.audit.recordAlone(ctx, { action: 'aggregate.view', outcome: 'denied' });
      throw new ForbiddenError('Only analysts, managers and privacy officers see these figures');
    }
    return this.db.transaction().execute(async (tx) => {
      const today = ctx.now.toISOString().slice(0, 10);
      const counts = await store.childrenByLocalityAndAge(tx, partnershipId, today);
      const localities = [...new Set(counts.map((c) => c.locality))].sort();
      const grid = localities.map((l) =>
        AGE_BANDS.map((band) => counts.find((c) => c.locality === l && c.band === band)?.n ?? 0),
      );
      const table = suppressTable(grid);
      await this.audit.record(tx, ctx, {
        action: 'aggregate.view',
        detail: { table: 'children-by-locality-age' },
      });
      return {
        bands: AGE_BANDS,
        rows: localities.map((name, r) => ({
          name,
          cells: table.cells[r]!.map(formatShown),
          total: formatShown(table.rowTotals[r]!),
        })),
        columnTotals: table.columnTotals.map(formatShown),
        grandTotal: formatShown(table.grandTotal),
      };
    });
  }
}
