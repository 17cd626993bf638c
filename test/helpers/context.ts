import { randomUUID } from 'node:crypto';
import type { Actor, Ctx, SystemActor } from '../../src/common/context.ts';

/** A fixed instant, so tests that record times are repeatable. */
export const TEST_NOW = new Date('2026-03-02T09:30:00.000Z');

/** A service context; pass the actor (and `now` where time matters) the test is about. */
export function buildCtx(actor: Actor | SystemActor, overrides: Partial<Omit<Ctx, 'actor'>> = {}): Ctx {
  return { actor, requestId: `test-${randomUUID()}`, now: TEST_NOW, ...overrides };
}

/** A signed-in practitioner in the given partnership; ids are random unless given. */
export function buildActor(
  partnershipId: string,
  overrides: Partial<Omit<Actor, 'partnershipId'>> = {},
): Actor {
  return {
    userId: randomUUID(),
    partnershipId,
    organisationId: randomUUID(),
    roles: ['practitioner'],
    displayName: 'Test Practitioner',
    ...overrides,
  };
}

export function buildSystemActor(partnershipId?: string): SystemActor {
  return partnershipId === undefined ? { system: 'test' } : { system: 'test', partnershipId };
}
