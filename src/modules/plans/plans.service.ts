import type { Ctx } from '../../common/context.ts';
import { requirePerson } from '../../common/context.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../common/errors.ts';
import { isAllowed } from '../../common/permissions.ts';
import { addDays, daysBetween, londonDate } from '../../common/plain-dates.ts';
import type { Db } from '../../db/database.ts';
import type { AccessGate, AccessService, InvolvementService } from '../access/index.ts';
import { partnershipOf } from '../access/index.ts';
import type { AuditService } from '../audit/index.ts';
import { requirePlanRole, withPlan, type PlanRole, type PlanScope } from './plans.access.ts';
import { recordPlanEvent } from './plans.history.ts';
import { changesSince, MergeConflict } from './plans.merge.ts';
import {
  SUMMARY_FIELDS,
  type AllocationInput,
  type ChildInput,
  type CloseInput,
  type HandoverInput,
  type MemberInput,
  type PlanInput,
  type PlanSettingsInput,
  type ReasonInput,
  type StageInput,
  type SummaryInput,
} from './plans.schemas.ts';
import * as store from './plans.store.ts';
import * as team from './plans.team.ts';
import { createPlan, familyOf, nextReview } from './plans.start.ts';
import { loadPlanWork } from './plans.work.store.ts';
import { ageOn, EPISODE_PLAN_KIND, PLAN_KIND_LABELS, reviewState, stepDirection } from './plans.workflow.ts';

/** What a change to a plan is called in its history; the audit action is `plan.<name>`. */
export const PLAN_ACTIONS = [
  'summary',
  'handover',
  'add-member',
  'remove-member',
  'add-child',
  'remove-child',
  'change-kind',
  'close',
] as const;
type PlanAction = (typeof PLAN_ACTIONS)[number];

/** PlanRole may make a change: the team (members, the lead professional, managers) or only its stewards. */

const CONFLICT =
  'Someone else changed this plan while you were working on it: check the plan as it is now, then try again';

/**
 * The family plan: starting one (from a child's record, or by a manager from a front-door episode),
 * the plan page and lists, and every change to its summary, lead professional, team, children and
 * kind, until it closes. Each change is checked against the plan's version under a row lock, written
 * with a history entry, and audited through the access gate, in one transaction.
 */
export class PlanService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly access: AccessService,
    private readonly gate: AccessGate,
    private readonly involvements: InvolvementService,
  ) {}

  // --- Settings ---------------------------------------------------------------------------------

  async settings(ctx: Ctx) {
    return store.settingsOf(this.db, await this.requireSettingsAccess(ctx, 'plan.settings-view'));
  }

  /** The partnership's review intervals and reminder; the first save creates the row. */
  async updateSettings(ctx: Ctx, input: PlanSettingsInput): Promise<void> {
    const partnershipId = await this.requireSettingsAccess(ctx, 'plan.settings');
    const { version, ...values } = input;
    await this.db.transaction().execute(async (tx) => {
      const by = requirePerson(ctx).userId;
      if (!(await store.saveSettings(tx, partnershipId, version, values, ctx.now, by)))
        throw new ConflictError('Someone else changed these settings: check them and try again');
      await this.audit.record(tx, ctx, {
        action: 'plan.settings',
        subjectType: 'plan_settings',
        detail: values,
      });
    });
  }

  private async requireSettingsAccess(ctx: Ctx, action: string) {
    if (isAllowed(ctx, 'plans.allocate')) return partnershipOf(ctx);
    return this.access.require(ctx, 'partnership.administer', action);
  }

  /** PlanRole may lead a plan or join a team: active users able to work with children, by name. */
  async eligibleUsers(ctx: Ctx) {
    return store.eligibleUsers(this.db, await this.access.require(ctx, 'plans.contribute', 'plan.people'));
  }

  // --- Starting a plan ----------------------------------------------------------------------------

  /** The start form for a child: them, their brothers and sisters, and who could lead. */
  async startForm(ctx: Ctx, childId: string) {
    const partnershipId = await this.access.require(ctx, 'plans.contribute', 'plan.start-form');
    const found = await this.gate.read(ctx, childId, 'plan.start-form', async (access) => {
      const family = await familyOf(access.tx, partnershipId, childId);
      return { value: family, personIds: family.related.map((c) => c.id) };
    });
    const related = await Promise.all(
      found.related.map(async (c) => ({ ...c, canAdd: (await this.gate.basisFor(ctx, c.id)) !== null })),
    );
    return { child: found.child, related, users: await store.eligibleUsers(this.db, partnershipId) };
  }

  /** The open plan a child is on, if any: read through the gate, as the child's record is. */
  async openPlanOf(ctx: Ctx, childId: string): Promise<string | null> {
    const partnershipId = await this.access.require(ctx, 'plans.contribute', 'plan.find');
    return this.gate.read(ctx, childId, 'plan.find', async (access) => {
      const [open] = await store.openPlansOf(access.tx, partnershipId, [childId]);
      return { value: open?.planId ?? null, ...(open ? { detail: { planId: open.planId } } : {}) };
    });
  }

  /** A practitioner starts a plan for children they are involved with, and becomes its lead or names one. */
  async start(ctx: Ctx, input: PlanInput): Promise<{ id: string; number: string }> {
    const partnershipId = await this.access.require(ctx, 'plans.contribute', 'plan.start');
    const lead = await this.checkNewPlan(ctx, partnershipId, input);
    for (const childId of input.childIds) await this.requireChild(ctx, childId, 'plan.start', false);
    return this.oneOpenPlan(partnershipId, input.childIds, () =>
      this.gate.change(ctx, input.childIds[0]!, 'plan.start', async (access) => {
        const made = await createPlan(
          access.tx,
          this.involvements,
          ctx,
          partnershipId,
          input,
          lead,
          null,
          'Plan started',
        );
        return { value: made, personIds: input.childIds, detail: { planId: made.id, kind: input.kind } };
      }),
    );
  }

  /** What a new plan must make sense of before anything is written; answers the lead professional. */
  private async checkNewPlan(ctx: Ctx, partnershipId: string, input: PlanInput) {
    const problems: { field: string; message: string }[] = [];
    if (input.startedOn > londonDate(ctx.now))
      problems.push({ field: 'started-day', message: 'The date the plan starts cannot be in the future' });
    const lead = await store.findEligibleUser(this.db, partnershipId, input.leadUserId);
    if (!lead)
      problems.push({
        field: 'leadUserId',
        message: 'Select an active practitioner of the partnership as the lead professional',
      });
    if (!lead || problems.length > 0) throw new ValidationError(problems);
    return lead;
  }

  /**
   * Someone may put a child on a plan when they have a basis for the child's record, or (a manager,
   * when `allocating`) when they could find the child. Anyone else is refused by the gate, audited.
   */
  private async requireChild(ctx: Ctx, childId: string, action: string, allocating: boolean) {
    if (allocating && isAllowed(ctx, 'involvement.manage'))
      return this.involvements.requireCanAdd(ctx, childId);
    if (await this.gate.basisFor(ctx, childId)) return;
    await this.gate.change(ctx, childId, action, async () => ({ value: undefined }));
  }

  /** The unique index plan_children_one_open_plan refuses a race's loser: it reads as the same error. */
  private async oneOpenPlan<T>(partnershipId: string, childIds: string[], run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (!team.isOneOpenPlanViolation(error)) throw error;
      throw (
        (await team.oneOpenPlanError(this.db, partnershipId, childIds, 'childIds')) ??
        new ConflictError('A child on this plan has just been put on another plan: try again')
      );
    }
  }

  // --- Allocation from the front door ---------------------------------------------------------------

  /** The manager's queue: episodes waiting for a lead professional, reviews due, overdue actions. */
  async allocation(ctx: Ctx) {
    const partnershipId = await this.access.require(ctx, 'plans.allocate', 'plan.allocation');
    const today = londonDate(ctx.now);
    const settings = await store.settingsOf(this.db, partnershipId);
    const [episodes, reviews, overdue] = await Promise.all([
      store.episodesAwaiting(this.db, partnershipId, requirePerson(ctx).userId),
      store.reviewsDue(this.db, partnershipId, addDays(today, settings.reminderDays)),
      store.plansWithOverdueActions(this.db, partnershipId, today),
    ]);
    const planIds = [...new Set([...reviews, ...overdue].map((p) => p.id))];
    const planChildren = await store.childrenOfPlans(this.db, partnershipId, planIds);
    await this.audit.recordAlone(ctx, {
      action: 'plan.allocation',
      subjectType: 'plans',
      personIds: [...new Set([...episodes.map((e) => e.personId), ...planChildren])],
      basis: { kind: 'permission', permission: 'plans.allocate' },
      detail: { episodes: episodes.length, reviews: reviews.length, overdueActions: overdue.length },
    });
    return {
      reminderDays: settings.reminderDays,
      episodes: episodes.map((e) => ({
        ...e,
        contactNumber: String(e.contactNumber),
        waitingDays: daysBetween(londonDate(e.openedAt), today),
      })),
      reviews: reviews.map((r) => ({
        ...r,
        number: String(r.number),
        reviewState: reviewState(r.nextReviewDue, today, settings.reminderDays),
      })),
      overdueActions: overdue.map((o) => ({ ...o, number: String(o.number) })),
    };
  }

  /** The allocation form: the episode, its child and their brothers and sisters, who could lead. */
  async allocationForm(ctx: Ctx, episodeId: string) {
    const partnershipId = await this.access.require(ctx, 'plans.allocate', 'plan.allocate-form');
    const episode = await this.findEpisode(partnershipId, episodeId);
    await this.involvements.requireCanAdd(ctx, episode.personId);
    const family = await familyOf(this.db, partnershipId, episode.personId);
    await this.audit.recordAlone(ctx, {
      action: 'plan.allocate-form',
      subjectType: 'episode',
      subjectId: episodeId,
      personIds: [episode.personId, ...family.related.map((r) => r.id)],
      basis: { kind: 'permission', permission: 'plans.allocate' },
    });
    return {
      episode: { ...episode, contactNumber: String(episode.contactNumber) },
      child: family.child,
      related: family.related.map((r) => ({ ...r, canAdd: true })),
      proposedKind: EPISODE_PLAN_KIND[episode.kind],
      users: await store.eligibleUsers(this.db, partnershipId),
    };
  }

  /**
   * A manager starts the plan for a front-door episode with the lead professional they choose; they
   * need no involvement of their own. The episode is then open, with its lead professional.
   */
  async allocate(
    ctx: Ctx,
    episodeId: string,
    input: AllocationInput,
  ): Promise<{ id: string; number: string }> {
    const partnershipId = await this.access.require(ctx, 'plans.allocate', 'plan.allocate');
    const episode = await this.findEpisode(partnershipId, episodeId);
    const lead = await this.checkNewPlan(ctx, partnershipId, input);
    const childIds = [...new Set([episode.personId, ...input.childIds])];
    for (const childId of childIds) await this.requireChild(ctx, childId, 'plan.allocate', true);
    return this.oneOpenPlan(partnershipId, childIds, () =>
      this.db.transaction().execute(async (tx) => {
        if (!(await store.allocateEpisode(tx, partnershipId, episodeId, input.version, lead.id))) {
          const now = await store.findEpisode(tx, partnershipId, episodeId);
          throw new ConflictError(
            now?.status === 'awaiting_allocation'
              ? 'Someone else changed this episode: check it and try again'
              : 'This episode has already been allocated',
          );
        }
        const reason = `Allocated from the front door (contact ${episode.contactNumber})`;
        const made = await createPlan(
          tx,
          this.involvements,
          ctx,
          partnershipId,
          { ...input, childIds },
          lead,
          episodeId,
          reason,
        );
        await this.audit.record(tx, ctx, {
          action: 'plan.allocate',
          subjectType: 'plan',
          subjectId: made.id,
          personIds: childIds,
          basis: { kind: 'permission', permission: 'plans.allocate' },
          detail: { episodeId, kind: input.kind, leadUserId: lead.id },
        });
        return made;
      }),
    );
  }

  private async findEpisode(partnershipId: string, episodeId: string) {
    const episode = await store.findEpisode(this.db, partnershipId, episodeId);
    if (!episode) throw new NotFoundError('Episode');
    return episode;
  }

  // --- Reading ----------------------------------------------------------------------------------

  /** Reviews overdue or due soon on the person's plans, and their own overdue actions: counts only. */
  async reminders(ctx: Ctx) {
    const partnershipId = await this.access.require(ctx, 'plans.contribute', 'plan.reminders');
    const today = londonDate(ctx.now);
    const settings = await store.settingsOf(this.db, partnershipId);
    const soon = addDays(today, settings.reminderDays);
    return store.reminderCounts(this.db, partnershipId, requirePerson(ctx).userId, today, soon);
  }

  /** "Plans you work on": those the person leads or serves on, open first, with what needs doing. */
  async mine(ctx: Ctx) {
    const partnershipId = await this.access.require(ctx, 'plans.contribute', 'plan.list-mine');
    const { userId } = requirePerson(ctx);
    const today = londonDate(ctx.now);
    const settings = await store.settingsOf(this.db, partnershipId);
    const rows = await store.plansOfUser(this.db, partnershipId, userId, today, addDays(today, -365));
    await this.audit.recordAlone(ctx, {
      action: 'plan.list-mine',
      subjectType: 'plans',
      personIds: [...new Set(rows.flatMap((r) => r.children.map((c) => c.id)))],
      basis: { kind: 'plan_member' },
      detail: { shown: rows.length },
    });
    return rows.map((r) => ({
      ...r,
      number: String(r.number),
      leading: r.leadProfessionalId === userId,
      reviewState: r.status === 'open' ? reviewState(r.nextReviewDue, today, settings.reminderDays) : null,
    }));
  }

  /**
   * The plan page: the children, lead professional, team, stages and leads, the review's state, and
   * (unless `work: false`, for the edit forms) the goals, actions, reviews and comments.
   */
  async get(ctx: Ctx, planId: string, options: { work?: boolean } = {}) {
    const { userId } = requirePerson(ctx);
    const today = londonDate(ctx.now);
    return withPlan(this.db, this.gate, ctx, planId, 'plan.view', 'read', async (scope) => {
      const { tx, plan, partnershipId } = scope;
      const page = await store.planPage(tx, partnershipId, planId);
      const settings = await store.settingsOf(tx, partnershipId);
      const work =
        options.work === false
          ? null
          : await loadPlanWork(tx, partnershipId, planId, { familyView: false, today });
      const open = plan.status === 'open';
      const steward = plan.leadProfessionalId === userId || isAllowed(ctx, 'plans.allocate');
      const member = page.members.some((m) => m.userId === userId && !m.leftAt);
      const children = page.children.map((c) => ({
        ...c,
        age: c.dateOfBirth ? ageOn(c.dateOfBirth, today) : null,
      }));
      return {
        value: {
          plan: { ...plan, number: String(plan.number) },
          leadName: page.leadName,
          children: children.filter((c) => !c.removedOn),
          formerChildren: children.filter((c) => c.removedOn),
          members: page.members.filter((m) => !m.leftAt),
          formerMembers: page.members.filter((m) => m.leftAt),
          stages: page.stages,
          leads: page.leads,
          work,
          reviewState: open ? reviewState(plan.nextReviewDue, today, settings.reminderDays) : null,
          reminderDays: settings.reminderDays,
          leading: plan.leadProfessionalId === userId,
          canEdit: open && (steward || member),
          canManage: open && steward,
        },
      };
    });
  }

  /** The plan's history, newest first. */
  async history(ctx: Ctx, planId: string) {
    return withPlan(this.db, this.gate, ctx, planId, 'plan.history', 'read', async (scope) => ({
      value: {
        plan: { ...scope.plan, number: String(scope.plan.number) },
        events: await store.eventsOf(scope.tx, scope.partnershipId, planId, 500),
      },
    }));
  }

  /** Children who could join the plan: the brothers and sisters of those on it, not on it already. */
  async childOptions(ctx: Ctx, planId: string) {
    const found = await withPlan(
      this.db,
      this.gate,
      ctx,
      planId,
      'plan.child-options',
      'read',
      async (scope) => {
        const families = [];
        for (const childId of scope.childIds)
          families.push(await familyOf(scope.tx, scope.partnershipId, childId));
        const seen = new Set(scope.childIds);
        const related = families
          .flatMap((f) => f.related)
          .filter((r) => !seen.has(r.id) && (seen.add(r.id), true));
        return {
          value: { plan: { ...scope.plan, number: String(scope.plan.number) }, related },
          personIds: related.map((r) => r.id),
        };
      },
    );
    const manager = isAllowed(ctx, 'involvement.manage');
    const related = await Promise.all(
      found.related.map(async (r) => ({
        ...r,
        canAdd: manager || (await this.gate.basisFor(ctx, r.id)) !== null,
      })),
    );
    return { plan: found.plan, related };
  }

  // --- Changes ----------------------------------------------------------------------------------

  /**
   * The family name, worries and strengths. Saving over a newer version is refused with the fields
   * someone else changed since (a MergeConflict) unless nothing they saved differs from this save.
   */
  async editSummary(ctx: Ctx, planId: string, input: SummaryInput): Promise<void> {
    await this.change(
      ctx,
      planId,
      input.version,
      'summary',
      'team',
      async ({ plan }) => {
        const changes = Object.fromEntries(
          SUMMARY_FIELDS.filter((f) => input[f] !== plan[f]).map((f) => [f, input[f]]),
        );
        return { patch: changes, event: { changes }, audit: { fields: Object.keys(changes) } };
      },
      async ({ tx, partnershipId, plan }) => {
        const since = await changesSince(tx, partnershipId, planId, 'summary', input.version, SUMMARY_FIELDS);
        const differing = since.filter((c) => c.saved !== input[c.field as (typeof SUMMARY_FIELDS)[number]]);
        if (differing.length > 0) throw new MergeConflict(plan.version, differing);
      },
    );
  }

  async handOver(ctx: Ctx, planId: string, input: HandoverInput): Promise<void> {
    await this.change(ctx, planId, input.version, 'handover', 'steward', (scope) =>
      team.handOver(this.involvements, ctx, scope, input),
    );
  }

  async addMember(ctx: Ctx, planId: string, input: MemberInput): Promise<void> {
    await this.change(ctx, planId, input.version, 'add-member', 'steward', (scope) =>
      team.addMember(this.involvements, ctx, scope, input),
    );
  }

  async removeMember(ctx: Ctx, planId: string, memberId: string, input: ReasonInput): Promise<void> {
    await this.change(ctx, planId, input.version, 'remove-member', 'steward', (scope) =>
      team.removeMember(this.involvements, ctx, scope, memberId, input),
    );
  }

  /** A brother or sister joins: the steward needs a basis for them, or to be a manager who can find them. */
  async addChild(ctx: Ctx, planId: string, input: ChildInput): Promise<void> {
    const partnershipId = partnershipOf(ctx);
    await this.requireChild(ctx, input.childId, 'plan.add-child', true);
    await this.oneOpenPlan(partnershipId, [input.childId], () =>
      this.change(ctx, planId, input.version, 'add-child', 'steward', (scope) =>
        team.addChild(this.involvements, ctx, scope, input),
      ),
    );
  }

  async removeChild(ctx: Ctx, planId: string, childId: string, input: ReasonInput): Promise<void> {
    await this.change(ctx, planId, input.version, 'remove-child', 'steward', (scope) =>
      team.removeChild(this.involvements, ctx, scope, childId, input),
    );
  }

  /** A step up or down: the current stage ends, the next begins, and the review clock restarts with it. */
  async changeStage(ctx: Ctx, planId: string, input: StageInput): Promise<void> {
    await this.change(ctx, planId, input.version, 'change-kind', 'steward', async (scope) => {
      const { tx, plan, partnershipId } = scope;
      if (input.kind === plan.kind)
        throw new ValidationError([
          {
            field: 'kind',
            message: `The plan is already of this kind (${PLAN_KIND_LABELS[plan.kind].toLowerCase()}): choose another`,
          },
        ]);
      const stage = await store.currentStage(tx, partnershipId, planId);
      checkDate(ctx, input.startedOn, stage.startedOn, 'stage', 'The date of the change');
      await store.endStage(tx, partnershipId, stage.id, input.startedOn);
      await store.insertStage(tx, {
        partnershipId,
        planId,
        kind: input.kind,
        startedOn: input.startedOn,
        reason: input.reason,
        decidedBy: requirePerson(ctx).userId,
      });
      await team.changePurpose(this.involvements, ctx, scope, input.kind);
      const nextReviewDue = await nextReview(tx, partnershipId, input.kind, input.startedOn);
      const step = { from: plan.kind, to: input.kind, direction: stepDirection(plan.kind, input.kind) };
      return {
        patch: { kind: input.kind, nextReviewDue },
        event: { ...step, startedOn: input.startedOn, reason: input.reason, nextReviewDue },
        audit: { ...step, startedOn: input.startedOn },
      };
    });
  }

  /** Closing ends the team's access through the plan, frees the children and closes the episode. */
  async close(ctx: Ctx, planId: string, input: CloseInput): Promise<void> {
    await this.change(ctx, planId, input.version, 'close', 'steward', async (scope) => {
      const { tx, plan, partnershipId } = scope;
      const stage = await store.currentStage(tx, partnershipId, planId);
      checkDate(ctx, input.closedOn, stage.startedOn, 'closed', 'The date the plan closed');
      await store.endStage(tx, partnershipId, stage.id, input.closedOn);
      await team.closeTeam(this.involvements, ctx, scope);
      if (plan.episodeId) await store.closeEpisode(tx, partnershipId, plan.episodeId);
      return {
        patch: { status: 'closed', closedOn: input.closedOn, closeReason: input.reason },
        event: { closedOn: input.closedOn, reason: input.reason },
        audit: { closedOn: input.closedOn },
      };
    });
  }

  /**
   * One change to an open plan, through the gate: the actor's part on the plan, the version they saw
   * (or `onStale` to decide what a newer version means), the change, the plan's new version, its
   * history entry; the gate audits it in the same transaction.
   */
  private async change(
    ctx: Ctx,
    planId: string,
    version: number,
    action: PlanAction,
    who: PlanRole,
    work: (scope: PlanScope) => Promise<team.PlanChange>,
    onStale?: (scope: PlanScope) => Promise<void>,
  ): Promise<void> {
    await this.access.require(ctx, 'plans.contribute', `plan.${action}`);
    const { userId } = requirePerson(ctx);
    await withPlan(this.db, this.gate, ctx, planId, `plan.${action}`, 'change', async (scope) => {
      const { tx, plan, partnershipId } = scope;
      if (plan.status === 'closed')
        throw new ConflictError('This plan is closed, so it can no longer be changed');
      await requirePlanRole(ctx, scope, who);
      if (plan.version !== version) {
        if (!onStale) throw new ConflictError(CONFLICT);
        await onStale(scope);
      }
      const change = await work(scope);
      const patch = { ...change.patch, updatedAt: ctx.now, updatedBy: userId };
      if (!(await store.updatePlan(tx, partnershipId, planId, plan.version, patch)))
        throw new ConflictError(CONFLICT);
      await recordPlanEvent(tx, ctx, partnershipId, planId, action, {
        ...change.event,
        version: plan.version + 1,
      });
      return { value: undefined, personIds: change.personIds, detail: change.audit ?? change.event };
    });
  }
}

/** A decision's date: not in the future, and not before the stage it ends began. */
function checkDate(ctx: Ctx, date: string, notBefore: string, prefix: string, label: string) {
  if (date > londonDate(ctx.now))
    throw new ValidationError([{ field: `${prefix}-day`, message: `${label} cannot be in the future` }]);
  if (date < notBefore)
    throw new ValidationError([
      {
        field: `${prefix}-day`,
        message: `${label} cannot be before ${new Date(`${notBefore}T00:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })}, when the plan’s current stage began`,
      },
    ]);
}
