import { createHash } from 'node:crypto';
import { stringify } from 'safe-stable-stringify';
import type { Row } from '../../db/schema.ts';

/** The previous hash of a chain's first event. */
export const GENESIS = '0'.repeat(64);

/** The hash covers every field a reader relies on, and the previous row's hash. */
export function hashOf(e: Omit<Row<'auditEvents'>, 'hash'>): string {
  const content = stringify({
    partnershipId: e.partnershipId,
    seq: e.seq,
    at: new Date(e.at).toISOString(),
    actorUserId: e.actorUserId,
    actorLabel: e.actorLabel,
    action: e.action,
    outcome: e.outcome,
    subjectType: e.subjectType,
    subjectId: e.subjectId,
    requestId: e.requestId,
    detail: e.detail,
    // Added later: left out while empty, so events written before them still verify.
    actorOrganisationId: e.actorOrganisationId ?? undefined,
    actorRoles: e.actorRoles ?? undefined,
    basis: e.basis ?? undefined,
    personIds: e.personIds.length ? e.personIds : undefined,
    itemIds: e.itemIds.length ? e.itemIds : undefined,
    sourceAddress: e.sourceAddress ?? undefined,
    prevHash: e.prevHash,
  });
  return createHash('sha256')
    .update(content ?? '')
    .digest('hex');
}
