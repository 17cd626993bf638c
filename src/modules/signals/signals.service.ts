import type { Ctx } from '../../common/context.ts';
import { requirePerson } from '../../common/context.ts';
import type { Db } from '../../db/database.ts';
import type { AccessGate, AccessService } from '../access/index.ts';
import { evaluateChildren } from './signals.evaluate.ts';
import type { SignalInput } from './signals.schemas.ts';
import * as store from './signals.store.ts';
import { SIGNAL_CATEGORIES, severityLevel } from './signals.vocabulary.ts';

/**
 * Signals recorded by practitioners: a small worry about a child, in under a minute. Recording one
 * re-evaluates the partnership's rules for that child in the same transaction, so an alert is raised
 * (or its live alert grows) the moment the worries add up. A child's signals are shown item by item
 * as the sharing rules allow.
 */
export class SignalService {
  constructor(
    private readonly db: Db,
    private readonly access: AccessService,
    private readonly gate: AccessGate,
  ) {}

  /** The child the form is about; opening the form is a look at their record. */
  async recordForm(ctx: Ctx, personId: string) {
    await this.access.require(ctx, 'signals.record', 'signal.form');
    return this.gate.read(ctx, personId, 'signal.form', async (access) => ({
      value: await store.personName(access.tx, access.partnershipId, personId),
    }));
  }

  async record(
    ctx: Ctx,
    personId: string,
    input: SignalInput,
  ): Promise<{ signalId: string; replayed: boolean; alertsRaised: number }> {
    await this.access.require(ctx, 'signals.record', 'signal.record');
    const actor = requirePerson(ctx);
    const category = SIGNAL_CATEGORIES[input.category];
    return this.gate.change(ctx, personId, 'signal.record', async (access) => {
      const { tx, partnershipId } = access;
      const made = await store.insertSignal(tx, {
        partnershipId,
        personId,
        category: input.category,
        severity: severityLevel(input.severity),
        description: input.description,
        observedOn: input.observedOn,
        organisationId: actor.organisationId,
        dataType: category.dataType,
        sensitivity: category.sensitivity,
        source: 'practitioner',
        feedEventId: null,
        feedKind: null,
        measure: null,
        idempotencyKey: input.idempotencyKey,
        recordedBy: actor.userId,
        recordedAt: ctx.now,
      });
      const evaluated = made.replayed
        ? { raised: 0 }
        : await evaluateChildren(tx, partnershipId, [personId], ctx.now);
      return {
        value: { signalId: made.id, replayed: made.replayed, alertsRaised: evaluated.raised },
        itemIds: [made.id],
        detail: {
          category: input.category,
          severity: input.severity,
          replayed: made.replayed,
          alertsRaised: evaluated.raised,
        },
      };
    });
  }

  /** A child's signals as the viewer may see them, and the alerts they raised. */
  async ofChild(ctx: Ctx, personId: string) {
    return this.gate.read(ctx, personId, 'signal.list', async (access) => {
      const { tx, partnershipId } = access;
      const [person, signals, alerts] = await Promise.all([
        store.personName(tx, partnershipId, personId),
        store.signalsOf(tx, partnershipId, personId),
        store.alertsOfPerson(tx, partnershipId, personId),
      ]);
      const decided = await access.decideItems(signals);
      const shown = decided.filter((d) => d.access.level !== 'hidden');
      return {
        value: {
          person,
          signals: shown.map(({ item, access: a }) =>
            a.level === 'content'
              ? { ...item, withheld: false as const }
              : {
                  id: item.id,
                  withheld: true as const,
                  owningOrganisationName: item.owningOrganisationName,
                  observedOn: item.observedOn,
                },
          ),
          alerts,
        },
        itemIds: decided.filter((d) => d.access.level === 'content').map((d) => d.item.id),
        detail: { withheld: decided.filter((d) => d.access.level !== 'content').length },
      };
    });
  }
}
