import { z } from 'zod';
import type { Ctx } from '../../common/context.ts';
import { requirePerson } from '../../common/context.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../common/errors.ts';
import type { Db } from '../../db/database.ts';
import type { AccessGate, AccessService } from '../access/index.ts';
import * as store from './directory.practice.store.ts';

const Uuid = z.uuid({ error: 'Choose a service from the list' });
const Version = z.coerce
  .number({ error: 'The version is missing: reload the page and try again' })
  .int()
  .min(1, 'The version is missing: reload the page and try again');

/** "Suggest to the family": the service, an optional note, and a key so a double click makes one. */
export const SignpostInput = z.object({
  serviceId: Uuid,
  note: z.string().trim().max(2000, 'The note must be 2,000 characters or fewer').optional().default(''),
  idempotencyKey: z
    .string({ error: 'The form is missing its key: reload the page and try again' })
    .trim()
    .min(8, 'The form is missing its key: reload the page and try again')
    .max(100, 'The form is missing its key: reload the page and try again'),
  contactId: z
    .union([z.literal(''), z.uuid({ error: 'The contact is not valid' })])
    .optional()
    .transform((v) => v || null),
});
export type SignpostInput = z.output<typeof SignpostInput>;

export const TAKEN_UP_LABELS = { not_known: 'Not known', yes: 'Yes', no: 'No' } as const;

export const TakenUpInput = z.object({
  takenUp: z.enum(['not_known', 'yes', 'no'], { error: 'Select whether the family took it up' }),
  version: Version,
});
export type TakenUpInput = z.output<typeof TakenUpInput>;

/**
 * What practitioners suggest to a child's family from the directory, and whether the family took it
 * up. A signpost is part of the child's record, so every look and change goes through the access gate.
 */
export class SignpostService {
  constructor(
    private readonly db: Db,
    private readonly access: AccessService,
    private readonly gate: AccessGate,
  ) {}

  /** The child's services page: what was suggested, the referrals made and how they were answered. */
  async ofChild(ctx: Ctx, personId: string, options: { contactId?: string | null } = {}) {
    await this.access.require(ctx, 'directory.signpost', 'directory.signpost.list');
    return this.gate.read(ctx, personId, 'directory.signpost.list', async (access) => {
      const { tx, partnershipId } = access;
      const [person, signposts, referrals, slug, contact] = await Promise.all([
        store.childOf(tx, partnershipId, personId),
        store.signpostsOf(tx, partnershipId, personId),
        store.referralsOfChild(tx, partnershipId, personId),
        store.partnershipSlug(tx, partnershipId),
        options.contactId ? store.contactOfChild(tx, partnershipId, options.contactId, personId) : undefined,
      ]);
      return {
        value: {
          person,
          slug,
          contact: contact ? { ...contact, number: String(contact.number) } : null,
          signposts,
          referrals: referrals.map((r) => ({ ...r, number: String(r.number) })),
        },
        itemIds: [...signposts.map((s) => s.id), ...referrals.map((r) => r.id)],
        detail: { signposts: signposts.length, referrals: referrals.length },
      };
    });
  }

  /** Suggests a service to the family; the same key again answers the signpost it made. */
  async suggest(
    ctx: Ctx,
    personId: string,
    input: SignpostInput,
  ): Promise<{ signpostId: string; replayed: boolean }> {
    await this.access.require(ctx, 'directory.signpost', 'directory.signpost.create');
    const actor = requirePerson(ctx);
    return this.gate.change(ctx, personId, 'directory.signpost.create', async (access) => {
      const { tx, partnershipId } = access;
      const earlier = await store.findSignpostByKey(tx, partnershipId, actor.userId, input.idempotencyKey);
      if (earlier) return this.replay(earlier, personId, input);
      const service = await store.serviceForPractice(tx, partnershipId, input.serviceId);
      if (!service || service.status !== 'active')
        throw new ValidationError([
          { field: 'serviceId', message: 'That service is not in the directory now: search again' },
        ]);
      if (input.contactId && !(await store.contactOfChild(tx, partnershipId, input.contactId, personId)))
        throw new ValidationError([{ field: 'contactId', message: 'That contact is not about this child' }]);
      const id = await store.insertSignpost(tx, {
        partnershipId,
        personId,
        serviceId: input.serviceId,
        note: input.note,
        contactId: input.contactId,
        suggestedBy: actor.userId,
        suggestedAt: ctx.now,
        organisationId: actor.organisationId,
        idempotencyKey: input.idempotencyKey,
      });
      if (!id) {
        // Another request with the same key won the race: answer what it made.
        const made = await store.findSignpostByKey(tx, partnershipId, actor.userId, input.idempotencyKey);
        return this.replay(made!, personId, input);
      }
      return {
        value: { signpostId: id, replayed: false },
        itemIds: [id],
        detail: { serviceId: input.serviceId, contactId: input.contactId, replayed: false },
      };
    });
  }

  private replay(
    earlier: { id: string; personId: string; serviceId: string },
    personId: string,
    input: SignpostInput,
  ) {
    if (earlier.personId !== personId || earlier.serviceId !== input.serviceId)
      throw new ConflictError(
        'This form was already used for another suggestion: reload the page and try again',
      );
    return {
      value: { signpostId: earlier.id, replayed: true },
      itemIds: [earlier.id],
      detail: { serviceId: input.serviceId, replayed: true },
    };
  }

  /** Records whether the family took the suggestion up; refused if someone changed it since it was read. */
  async recordTakenUp(ctx: Ctx, personId: string, signpostId: string, input: TakenUpInput) {
    await this.access.require(ctx, 'directory.signpost', 'directory.signpost.taken-up');
    const actor = requirePerson(ctx);
    await this.gate.change(ctx, personId, 'directory.signpost.taken-up', async (access) => {
      const { tx, partnershipId } = access;
      const signpost = await store.findSignpost(tx, partnershipId, personId, signpostId);
      if (!signpost) throw new NotFoundError('Suggestion');
      const done = await store.recordTakenUp(tx, partnershipId, signpostId, input.version, {
        takenUp: input.takenUp,
        by: actor.userId,
        at: ctx.now,
      });
      if (!done)
        throw new ConflictError(
          `Someone else recorded whether the family took this up since you opened the page (it now says “${TAKEN_UP_LABELS[signpost.takenUp]}”): check it and try again`,
        );
      return { value: undefined, itemIds: [signpostId], detail: { takenUp: input.takenUp } };
    });
  }
}
