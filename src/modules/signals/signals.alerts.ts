import type { Ctx } from '../../common/context.ts';
import { requirePerson } from '../../common/context.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../common/errors.ts';
import { isAllowed } from '../../common/permissions.ts';
import type { Db, Tx } from '../../db/database.ts';
import type { AccessGate, AccessService, InvolvementService } from '../access/index.ts';
import { partnershipOf } from '../access/index.ts';
import type { AuditService } from '../audit/index.ts';
import type { PlanWorkService } from '../plans/index.ts';
import { referralsSchemas, type FrontDoorService } from '../referrals/index.ts';
import type { AlertContactInput, AlertVersion, NoActionInput, PlanNoteInput } from './signals.schemas.ts';
import { signalSettingsOf } from './signals.settings.ts';
import * as store from './signals.store.ts';

/** The most alerts one inbox lists; the oldest come first, so none waits unseen. */
const INBOX_LIMIT = 200;

const CHANGED =
  'Someone else has acted on this alert since you opened it: check it as it is now, then try again';

/**
 * The alerts rules raise: an inbox per role (the lead professional's own, the front door's, and the
 * escalated ones a team manager picks up), acknowledging, and acting on one: a contact at the front
 * door, a note to the child's plan, or no action with a reason. Every change is version-checked and
 * goes through the access gate; a front-door worker or manager who picks an alert up gains an
 * involvement with the child, which ends when the alert closes.
 */
export class AlertService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly access: AccessService,
    private readonly gate: AccessGate,
    private readonly involvements: InvolvementService,
    private readonly frontDoor: FrontDoorService,
    private readonly planWork: PlanWorkService,
  ) {}

  /** The inboxes the person works: their own, and the front door's and escalated ones by role. */
  async inbox(ctx: Ctx) {
    const partnershipId = await this.access.require(ctx, 'signals.record', 'alert.inbox');
    const { userId } = requirePerson(ctx);
    const raisedBefore = await this.escalationCutoff(ctx, partnershipId);
    const [mine, frontDoor, escalated] = await Promise.all([
      store.inbox(this.db, partnershipId, { kind: 'mine', userId }, INBOX_LIMIT),
      isAllowed(ctx, 'contacts.triage')
        ? store.inbox(this.db, partnershipId, { kind: 'front_door' }, INBOX_LIMIT)
        : null,
      isAllowed(ctx, 'plans.allocate')
        ? store.inbox(this.db, partnershipId, { kind: 'escalated', raisedBefore }, INBOX_LIMIT)
        : null,
    ]);
    const listed = [...mine, ...(frontDoor ?? []), ...(escalated ?? [])];
    await this.audit.recordAlone(ctx, {
      action: 'alert.inbox',
      subjectType: 'alerts',
      personIds: [...new Set(listed.map((a) => a.personId))],
      detail: { mine: mine.length, frontDoor: frontDoor?.length, escalated: escalated?.length },
    });
    const mark = <A extends { status: string; raisedAt: Date }>(a: A) => ({
      ...a,
      escalated: a.status === 'open' && new Date(a.raisedAt) < raisedBefore,
    });
    return {
      mine: mine.map(mark),
      frontDoor: frontDoor?.map(mark) ?? null,
      escalated: escalated?.map(mark) ?? null,
    };
  }

  /** How many live alerts wait in each of the person's inboxes, for the home page. */
  async counts(ctx: Ctx) {
    if (!isAllowed(ctx, 'signals.record')) return null;
    const partnershipId = partnershipOf(ctx);
    const raisedBefore = await this.escalationCutoff(ctx, partnershipId);
    const counts = await store.inboxCounts(this.db, partnershipId, requirePerson(ctx).userId, raisedBefore);
    return {
      mine: counts.mine,
      frontDoor: isAllowed(ctx, 'contacts.triage') ? counts.frontDoor : null,
      escalated: isAllowed(ctx, 'plans.allocate') ? counts.escalated : null,
    };
  }

  /**
   * One alert with its signals as the viewer may see them. Someone who may pick it up but is not yet
   * involved with the child sees only what the inbox showed, and the way to pick it up.
   */
  async get(ctx: Ctx, alertId: string) {
    const partnershipId = await this.access.require(ctx, 'signals.record', 'alert.view');
    const alert = await this.find(partnershipId, alertId);
    const raisedBefore = await this.escalationCutoff(ctx, partnershipId);
    const escalated = alert.status === 'open' && new Date(alert.raisedAt) < raisedBefore;
    if (!(await this.gate.basisFor(ctx, alert.personId))) {
      if (alert.status === 'closed' || !this.mayPickUp(ctx, alert, escalated))
        throw new NotFoundError('Alert');
      await this.audit.recordAlone(ctx, {
        action: 'alert.view-before-pick-up',
        subjectType: 'person',
        subjectId: alert.personId,
        personIds: [alert.personId],
        detail: { alertId },
      });
      return { alert: { ...alert, escalated }, pickUpNeeded: true as const };
    }
    return this.gate.read(ctx, alert.personId, 'alert.view', async (access) => {
      const signals = await store.signalsOf(access.tx, partnershipId, alert.personId);
      const ofAlert = signals.filter((s) => alert.signalIds.includes(s.id));
      const decided = await access.decideItems(ofAlert);
      const plan = await store.openPlanOf(access.tx, partnershipId, alert.personId);
      return {
        value: {
          alert: { ...alert, escalated },
          pickUpNeeded: false as const,
          plan: plan ?? null,
          signals: decided
            .filter((d) => d.access.level !== 'hidden')
            .map(({ item, access: a }) =>
              a.level === 'content'
                ? { ...item, withheld: false as const }
                : {
                    id: item.id,
                    withheld: true as const,
                    owningOrganisationName: item.owningOrganisationName,
                  },
            ),
        },
        itemIds: decided.filter((d) => d.access.level === 'content').map((d) => d.item.id),
        detail: { alertId },
      };
    });
  }

  /**
   * A front-door worker (for an alert routed to the front door) or a team manager (for an escalated
   * one) takes it on: they gain an involvement with the child for as long as the alert is open, and
   * the alert counts as acknowledged.
   */
  async pickUp(ctx: Ctx, alertId: string, input: AlertVersion): Promise<void> {
    const partnershipId = await this.access.require(ctx, 'signals.record', 'alert.pick-up');
    const { userId } = requirePerson(ctx);
    const alert = await this.find(partnershipId, alertId);
    const raisedBefore = await this.escalationCutoff(ctx, partnershipId);
    const escalated = alert.status === 'open' && new Date(alert.raisedAt) < raisedBefore;
    if (alert.status === 'closed' || !this.mayPickUp(ctx, alert, escalated))
      throw new ForbiddenError(
        'Only the front door can pick up its alerts, and a team manager escalated ones',
      );
    await this.db.transaction().execute(async (tx) => {
      const involvementId = await this.involvements.openWithin(tx, partnershipId, {
        personId: alert.personId,
        userId,
        kind: 'front_door',
        purpose: 'safeguarding',
        reason: `Alert ${alert.number}: ${alert.ruleName}`,
        at: ctx.now,
        createdBy: userId,
      });
      const changed = await store.updateAlert(tx, partnershipId, alertId, input.version, {
        pickedUpInvolvementId: involvementId,
        ...(alert.status === 'open'
          ? { status: 'acknowledged', acknowledgedAt: ctx.now, acknowledgedBy: userId }
          : {}),
        updatedAt: ctx.now,
      });
      if (!changed) throw new ConflictError(CHANGED);
      await this.audit.record(tx, ctx, {
        action: 'alert.pick-up',
        subjectType: 'person',
        subjectId: alert.personId,
        personIds: [alert.personId],
        basis: { kind: 'permission', permission: escalated ? 'plans.allocate' : 'contacts.triage' },
        detail: { alertId, involvementId },
      });
    });
  }

  async acknowledge(ctx: Ctx, alertId: string, input: AlertVersion): Promise<void> {
    await this.change(ctx, alertId, 'alert.acknowledge', async (tx, alert, userId) => {
      if (alert.status !== 'open') throw new ConflictError('This alert has already been acknowledged');
      return store.updateAlert(tx, alert.partnershipId, alertId, input.version, {
        status: 'acknowledged',
        acknowledgedAt: ctx.now,
        acknowledgedBy: userId,
        updatedAt: ctx.now,
      });
    });
  }

  async closeWithNoAction(ctx: Ctx, alertId: string, input: NoActionInput): Promise<void> {
    await this.close(ctx, alertId, input.version, { outcome: 'no_action', outcomeNote: input.reason });
  }

  /** Tells the team around the family on the child's plan, then closes the alert. */
  async addToPlan(ctx: Ctx, alertId: string, input: PlanNoteInput): Promise<string> {
    const { alert, plan } = await this.checkOpen(ctx, alertId, input.version);
    if (!plan) throw new ValidationError([{ field: 'note', message: 'The child is not on an open plan' }]);
    await this.planWork.addComment(ctx, plan.id, {
      body: `${input.note}\n\nFrom alert ${alert.number}: ${alert.explanation}`,
      forFamily: false,
    });
    await this.close(ctx, alertId, input.version, { outcome: 'plan', outcomeNote: input.note });
    return plan.id;
  }

  /**
   * Opens a contact at the front door about the child, made with a key derived from the alert so a
   * retry finds the contact already made, then closes the alert with it.
   */
  async referToFrontDoor(ctx: Ctx, alertId: string, input: AlertContactInput): Promise<string> {
    const actor = requirePerson(ctx);
    const { alert } = await this.checkOpen(ctx, alertId, input.version);
    const sector = (await this.access.getOrganisation(ctx, actor.organisationId)).sector;
    const contact = referralsSchemas.ContactInput.safeParse({
      channel: 'online_form',
      child: { personId: alert.personId },
      worries: input.worries,
      actionsTaken: `Raised by alert ${alert.number}: ${alert.explanation}`,
      familyAware: input.familyAware,
      consent: input.consent,
      consentReason: input.consentReason,
      urgency: input.urgency,
      sectorAnswers: input.sectorAnswers,
    });
    const problems = [
      ...(contact.success
        ? []
        : contact.error.issues.map((i) => ({ field: i.path.join('.') || 'form', message: i.message }))),
      ...referralsSchemas.sectorAnswerProblems(sector, input.sectorAnswers),
    ].map((p) => ({ ...p, field: p.field.replace(/^sectorAnswers\./, 'answer-') }));
    if (!contact.success || problems.length) throw new ValidationError(problems);
    const made = await this.frontDoor.create(ctx, contact.data, {
      idempotencyKey: `alert:${alertId}:contact`,
    });
    await this.close(ctx, alertId, input.version, {
      outcome: 'contact',
      outcomeNote: `Contact ${made.number}`,
      contactId: made.id,
    });
    return made.id;
  }

  // --- Notifications ----------------------------------------------------------------------------

  async notifications(ctx: Ctx) {
    const { userId, partnershipId } = requirePerson(ctx);
    return store.unreadNotifications(this.db, partnershipId, userId, 50);
  }

  async markRead(ctx: Ctx, notificationId: string): Promise<void> {
    const { userId, partnershipId } = requirePerson(ctx);
    await store.markNotificationRead(this.db, partnershipId, userId, notificationId, ctx.now);
  }

  // --- Inside -----------------------------------------------------------------------------------

  private async find(partnershipId: string, alertId: string) {
    const alert = await store.findAlert(this.db, partnershipId, alertId);
    if (!alert) throw new NotFoundError('Alert');
    return { ...alert, partnershipId };
  }

  private async escalationCutoff(ctx: Ctx, partnershipId: string): Promise<Date> {
    const { escalationHours } = await signalSettingsOf(this.db, partnershipId);
    return new Date(ctx.now.getTime() - escalationHours * 3_600_000);
  }

  private mayPickUp(ctx: Ctx, alert: { routedTo: string }, escalated: boolean): boolean {
    return (
      (alert.routedTo === 'front_door' && isAllowed(ctx, 'contacts.triage')) ||
      (escalated && isAllowed(ctx, 'plans.allocate'))
    );
  }

  /** Checks that the alert is still open at the version the person saw, and finds the child's plan. */
  private async checkOpen(ctx: Ctx, alertId: string, version: number) {
    const partnershipId = await this.access.require(ctx, 'signals.record', 'alert.act');
    const alert = await this.find(partnershipId, alertId);
    return this.gate.read(ctx, alert.personId, 'alert.act', async (access) => {
      if (alert.status === 'closed' || alert.version !== version) throw new ConflictError(CHANGED);
      return {
        value: { alert, plan: await store.openPlanOf(access.tx, partnershipId, alert.personId) },
        detail: { alertId },
      };
    });
  }

  private async close(
    ctx: Ctx,
    alertId: string,
    version: number,
    outcome: { outcome: 'contact' | 'plan' | 'no_action'; outcomeNote: string; contactId?: string },
  ): Promise<void> {
    await this.change(ctx, alertId, `alert.close.${outcome.outcome}`, async (tx, alert, userId) => {
      const closed = await store.updateAlert(tx, alert.partnershipId, alertId, version, {
        status: 'closed',
        closedAt: ctx.now,
        closedBy: userId,
        outcome: outcome.outcome,
        outcomeNote: outcome.outcomeNote,
        contactId: outcome.contactId ?? null,
        ...(alert.acknowledgedAt ? {} : { acknowledgedAt: ctx.now, acknowledgedBy: userId }),
        updatedAt: ctx.now,
      });
      if (closed && alert.pickedUpInvolvementId)
        await this.involvements.endWithin(tx, alert.partnershipId, {
          involvementId: alert.pickedUpInvolvementId,
          at: ctx.now,
          reason: `Alert ${alert.number} closed`,
          endedBy: userId,
        });
      return closed;
    });
  }

  /** A change to an alert through the gate: refused with a conflict if someone changed it first. */
  private async change(
    ctx: Ctx,
    alertId: string,
    action: string,
    work: (tx: Tx, alert: Awaited<ReturnType<AlertService['find']>>, userId: string) => Promise<boolean>,
  ): Promise<void> {
    const partnershipId = await this.access.require(ctx, 'signals.record', action);
    const { userId } = requirePerson(ctx);
    const alert = await this.find(partnershipId, alertId);
    await this.gate.change(ctx, alert.personId, action, async (access) => {
      if (!(await work(access.tx, alert, userId))) throw new ConflictError(CHANGED);
      return { value: undefined, detail: { alertId } };
    });
  }
}
