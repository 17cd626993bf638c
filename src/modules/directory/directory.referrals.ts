import { createHash } from 'node:crypto';
import stringify from 'safe-stable-stringify';
import { z } from 'zod';
import type { Ctx } from '../../common/context.ts';
import { requirePerson } from '../../common/context.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../common/errors.ts';
import type { Db } from '../../db/database.ts';
import type { AccessGate, AccessService } from '../access/index.ts';
import type { AuditService } from '../audit/index.ts';
import * as store from './directory.practice.store.ts';

export const NO_CONSENT_MESSAGE =
  'A professional referral to a directory service needs the family’s agreement. If you are worried about the child’s safety, tell the front door instead.';

/** A practitioner's referral of a child to a service that takes professional referrals. */
export const ReferralInput = z.object({
  reason: z
    .string({ error: 'Enter why you are referring the child' })
    .trim()
    .min(1, 'Enter why you are referring the child')
    .max(4000, 'The reason must be 4,000 characters or fewer'),
  familyConsent: z.enum(['yes', 'no'], { error: 'Select whether the family agreed to the referral' }),
  idempotencyKey: z
    .string({ error: 'The form is missing its key: reload the page and try again' })
    .trim()
    .min(8, 'The form is missing its key: reload the page and try again')
    .max(100, 'The form is missing its key: reload the page and try again'),
});
export type ReferralInput = z.output<typeof ReferralInput>;

/** A provider's answer to a referral: accepted, or declined with a reason. */
export const ReferralDecisionInput = z
  .object({
    decision: z.enum(['accept', 'decline'], { error: 'Select whether you accept the referral' }),
    reason: z
      .string()
      .trim()
      .max(2000, 'The reason must be 2,000 characters or fewer')
      .optional()
      .default(''),
    version: z.coerce
      .number({ error: 'The version is missing: reload the page and try again' })
      .int()
      .min(1, 'The version is missing: reload the page and try again'),
  })
  .superRefine((d, ctx) => {
    if (d.decision === 'decline' && d.reason === '')
      ctx.addIssue({ code: 'custom', path: ['reason'], message: 'Enter why you are declining the referral' });
  });
export type ReferralDecisionInput = z.output<typeof ReferralDecisionInput>;

export const REFERRAL_STATUS_LABELS = {
  sent: 'Waiting for an answer',
  accepted: 'Accepted',
  declined: 'Declined',
  withdrawn: 'Withdrawn',
} as const;

const DAY = 86_400_000;

/**
 * Referrals of children to directory services: made from the child's record (through the access gate)
 * with the family's agreement, and answered by the agency that runs the service. The agency's staff
 * are not involved with the child; what lets them read the child's name, date of birth and the reason
 * is the referral itself, made with the family's agreement, so every look is audited with that basis.
 */
export class DirectoryReferralService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly access: AccessService,
    private readonly gate: AccessGate,
  ) {}

  /** The referral form: the child and the service, with the capacity and wait its provider published. */
  async referForm(ctx: Ctx, personId: string, serviceId: string) {
    await this.access.require(ctx, 'directory.signpost', 'directory.referral.form');
    return this.gate.read(ctx, personId, 'directory.referral.form', async (access) => {
      const { tx, partnershipId } = access;
      const [person, service, slug] = await Promise.all([
        store.childOf(tx, partnershipId, personId),
        store.serviceForPractice(tx, partnershipId, serviceId),
        store.partnershipSlug(tx, partnershipId),
      ]);
      if (!service) throw new NotFoundError('Service');
      return {
        value: { person, service, slug, refusal: refusalOf(service) },
        detail: { serviceId },
      };
    });
  }

  async refer(
    ctx: Ctx,
    personId: string,
    serviceId: string,
    input: ReferralInput,
  ): Promise<{ referralId: string; number: string; replayed: boolean }> {
    await this.access.require(ctx, 'directory.signpost', 'directory.referral.create');
    const actor = requirePerson(ctx);
    const requestHash = createHash('sha256')
      .update(
        stringify({ personId, serviceId, reason: input.reason, familyConsent: input.familyConsent }) ?? '',
      )
      .digest('hex');
    return this.gate.change(ctx, personId, 'directory.referral.create', async (access) => {
      const { tx, partnershipId } = access;
      const replay = async () => {
        const earlier = await store.findReferralByKey(tx, partnershipId, actor.userId, input.idempotencyKey);
        if (!earlier) return null;
        if (earlier.requestHash !== requestHash)
          throw new ConflictError(
            'This form was already used to send a different referral: reload the page to make a new one',
          );
        return {
          value: { referralId: earlier.id, number: String(earlier.number), replayed: true },
          itemIds: [earlier.id],
          detail: { serviceId, replayed: true },
        };
      };
      const replayed = await replay();
      if (replayed) return replayed;
      if (input.familyConsent !== 'yes')
        throw new ValidationError([{ field: 'familyConsent', message: NO_CONSENT_MESSAGE }]);
      const service = await store.serviceForPractice(tx, partnershipId, serviceId);
      if (!service) throw new NotFoundError('Service');
      const refusal = refusalOf(service);
      if (refusal) throw new ConflictError(refusal);
      const made = await store.insertReferral(tx, {
        partnershipId,
        serviceId,
        personId,
        reason: input.reason,
        familyConsent: true,
        referredBy: actor.userId,
        referredAt: ctx.now,
        organisationId: actor.organisationId,
        idempotencyKey: input.idempotencyKey,
        requestHash,
      });
      if (!made) return (await replay())!;
      const number = String(made.number);
      const providers = await store.providerUsers(tx, partnershipId, service.agencyOrganisationId!);
      await store.insertNotifications(
        tx,
        providers.map((u) => ({
          partnershipId,
          userId: u.id,
          kind: 'directory_referral' as const,
          personId: null,
          message: `New referral ${number} to ${service.name}`,
          link: `/directory/referrals/${made.id}`,
          createdAt: ctx.now,
          dueBy: null,
          readAt: null,
        })),
      );
      return {
        value: { referralId: made.id, number, replayed: false },
        itemIds: [made.id],
        detail: { serviceId, familyConsent: true, notified: providers.length, replayed: false },
      };
    });
  }

  /** The referrals to the services the person's own agency runs: waiting first, with their age in days. */
  async inbox(ctx: Ctx) {
    const partnershipId = await this.access.require(ctx, 'directory.referrals', 'directory.referral.list');
    const actor = requirePerson(ctx);
    const rows = await store.referralsToAgency(this.db, partnershipId, actor.organisationId);
    await this.audit.recordAlone(ctx, {
      action: 'directory.referral.list',
      subjectType: 'directory_referral',
      personIds: [...new Set(rows.map((r) => r.personId))],
      basis: { kind: 'directory_referral', permission: 'directory.referrals', familyConsent: true },
      detail: { shown: rows.length },
    });
    return rows.map((r) => ({
      ...r,
      number: String(r.number),
      ageDays: Math.max(0, Math.floor((ctx.now.getTime() - new Date(r.referredAt).getTime()) / DAY)),
    }));
  }

  /** One referral, for the agency that runs the service: a look at the child's details, audited. */
  async get(ctx: Ctx, referralId: string) {
    const referral = await this.addressed(ctx, referralId, 'directory.referral.view');
    await this.audit.recordAlone(ctx, {
      action: 'directory.referral.view',
      subjectType: 'directory_referral',
      subjectId: referralId,
      personIds: [referral.personId],
      itemIds: [referralId],
      basis: basisOf(referral),
    });
    return shape(referral, ctx.now);
  }

  /** Accepts or declines a referral (a reason is needed to decline) and tells the referrer. */
  async decide(ctx: Ctx, referralId: string, input: ReferralDecisionInput) {
    const referral = await this.addressed(ctx, referralId, 'directory.referral.decide');
    const actor = requirePerson(ctx);
    if (input.decision === 'decline' && !input.reason)
      throw new ValidationError([{ field: 'reason', message: 'Enter why you are declining the referral' }]);
    const status = input.decision === 'accept' ? 'accepted' : 'declined';
    await this.db.transaction().execute(async (tx) => {
      const done = await store.decideReferral(tx, referral.partnershipId, referralId, input.version, {
        status,
        decisionReason: input.reason || null,
        by: actor.userId,
        at: ctx.now,
      });
      if (!done) {
        const now = await store.referralForProvider(tx, referral.partnershipId, referralId);
        throw new ConflictError(
          now && now.status !== 'sent'
            ? `This referral has already been ${now.status}: it cannot be answered again`
            : 'Someone else changed this referral since you opened it: check it and try again',
        );
      }
      await store.insertNotifications(tx, [
        {
          partnershipId: referral.partnershipId,
          userId: referral.referredBy,
          kind: 'directory_referral_decided',
          personId: referral.personId,
          message: `${referral.serviceName} ${status} your referral ${String(referral.number)}`,
          link: `/people/${referral.personId}/services`,
          createdAt: ctx.now,
          dueBy: null,
          readAt: null,
        },
      ]);
      await this.audit.record(tx, ctx, {
        action: 'directory.referral.decide',
        subjectType: 'directory_referral',
        subjectId: referralId,
        personIds: [referral.personId],
        itemIds: [referralId],
        basis: basisOf(referral),
        detail: { status },
      });
    });
    return { status };
  }

  /** How many referrals wait for the person's agency, or null when it runs no service in the directory. */
  async waiting(ctx: Ctx): Promise<number | null> {
    const actor = requirePerson(ctx);
    return store.waitingForAgency(this.db, actor.partnershipId, actor.organisationId);
  }

  /** A referral to a service the person's own agency runs; any other is "not found", and the look is audited. */
  private async addressed(ctx: Ctx, referralId: string, action: string) {
    const partnershipId = await this.access.require(ctx, 'directory.referrals', action);
    const actor = requirePerson(ctx);
    const referral = await store.referralForProvider(this.db, partnershipId, referralId);
    if (referral && referral.agencyOrganisationId === actor.organisationId)
      return { ...referral, partnershipId };
    await this.audit.recordAlone(ctx, {
      action,
      outcome: 'denied',
      subjectType: 'directory_referral',
      subjectId: referralId,
      personIds: referral ? [referral.personId] : [],
      detail: { reason: referral ? 'another organisation’s service' : 'not found' },
    });
    throw new NotFoundError('Referral');
  }
}

/** Why a referral to this service cannot be made here, or null when it can. */
function refusalOf(service: {
  status: string;
  accessRoutes: string[];
  agencyOrganisationId: string | null;
}): string | null {
  if (service.status !== 'active') return 'This service is not taking anyone at the moment.';
  if (!service.accessRoutes.includes('professional_referral'))
    return 'This service does not take professional referrals: suggest it to the family instead.';
  if (!service.agencyOrganisationId)
    return 'This service’s provider does not answer referrals through Wraparound: contact them directly, or suggest it to the family.';
  return null;
}

function basisOf(referral: { id: string; familyConsent: boolean }) {
  return {
    kind: 'directory_referral',
    referralId: referral.id,
    familyConsent: referral.familyConsent,
    permission: 'directory.referrals',
  };
}

function shape(referral: NonNullable<Awaited<ReturnType<typeof store.referralForProvider>>>, now: Date) {
  return {
    ...referral,
    number: String(referral.number),
    ageDays: Math.max(0, Math.floor((now.getTime() - new Date(referral.referredAt).getTime()) / DAY)),
  };
}
