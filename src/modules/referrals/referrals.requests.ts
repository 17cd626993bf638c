import type { Ctx } from '../../common/context.ts';
import { requirePerson } from '../../common/context.ts';
import { ConflictError, NotFoundError } from '../../common/errors.ts';
import type { Db } from '../../db/database.ts';
import type { AccessService } from '../access/index.ts';
import type { AuditService } from '../audit/index.ts';
import { recordEvent } from './referrals.history.ts';
import * as store from './referrals.store.ts';
import { timelinessOf } from './referrals.workflow.ts';

/**
 * The partner agencies' side of the front door's requests for information: each agency sees and
 * answers only the requests addressed to it, and sees of the contact only the question and the child.
 */
export class AgencyRequestService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly access: AccessService,
  ) {}

  /** The requests addressed to the person's own agency that are still to be answered. */
  async open(ctx: Ctx) {
    const partnershipId = await this.access.require(ctx, 'contacts.answer', 'information-request.list');
    const actor = requirePerson(ctx);
    const requests = await store.openRequestsFor(this.db, partnershipId, actor.organisationId);
    await this.audit.recordAlone(ctx, {
      action: 'information-request.list',
      subjectType: 'front_door',
      personIds: [...new Set(requests.flatMap((r) => (r.personId ? [r.personId] : [])))],
      basis: { kind: 'permission', permission: 'contacts.answer' },
      detail: { shown: requests.length },
    });
    return requests.map((r) => ({
      ...r,
      number: String(r.number),
      timeliness: timelinessOf(r.dueAt, ctx.now, 1),
    }));
  }

  /** One request, for the agency it is addressed to: the question and who the child is, nothing more. */
  async get(ctx: Ctx, requestId: string) {
    const request = await this.addressedRequest(ctx, requestId, 'information-request.view');
    await this.audit.recordAlone(ctx, {
      action: 'information-request.view',
      subjectType: 'information_request',
      subjectId: requestId,
      personIds: request.personId ? [request.personId] : [],
      basis: { kind: 'permission', permission: 'contacts.answer' },
    });
    return { ...request, number: String(request.number) };
  }

  /** A request addressed to the person's own agency; any other is "not found", and the look is audited. */
  private async addressedRequest(ctx: Ctx, requestId: string, action: string) {
    const partnershipId = await this.access.require(ctx, 'contacts.answer', action);
    const request = await store.findInformationRequest(this.db, partnershipId, requestId);
    if (request && request.organisationId === requirePerson(ctx).organisationId) return request;
    await this.audit.recordAlone(ctx, {
      action,
      outcome: 'denied',
      subjectType: 'information_request',
      subjectId: requestId,
    });
    throw new NotFoundError('Request');
  }

  async answer(ctx: Ctx, requestId: string, input: { version: number; answer: string }) {
    const { partnershipId } = await this.addressedRequest(ctx, requestId, 'information-request.answer');
    const actor = requirePerson(ctx);
    await this.db.transaction().execute(async (tx) => {
      const request = (await store.findInformationRequest(tx, partnershipId, requestId))!;
      if (request.status !== 'open')
        throw new ConflictError(`This request has already been ${request.status}`, []);
      const done = await store.answerInformationRequest(tx, partnershipId, requestId, input.version, {
        status: 'answered',
        answer: input.answer,
        answeredBy: actor.userId,
        answeredAt: ctx.now,
      });
      if (!done) throw new ConflictError('Someone else changed this request: check it and try again');
      await recordEvent(tx, ctx, partnershipId, request.contactId, 'information_received', {
        requestId,
      });
      await this.audit.record(tx, ctx, {
        action: 'information-request.answer',
        subjectType: 'information_request',
        subjectId: requestId,
        personIds: request.personId ? [request.personId] : [],
        basis: { kind: 'permission', permission: 'contacts.answer' },
      });
    });
  }
}
