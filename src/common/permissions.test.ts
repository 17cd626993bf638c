import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ROLES } from './context.ts';
import { buildActor, buildCtx, buildSystemActor } from '../../test/helpers/context.ts';
import { isAllowed, PERMISSIONS, type Permission } from './permissions.ts';

const roleSets = fc.subarray([...ROLES]);
const permissions = fc.constantFrom(...(Object.keys(PERMISSIONS) as Permission[]));

describe('permissions', () => {
  it('allows an action exactly when the actor holds one of the roles it needs', () => {
    fc.assert(
      fc.property(roleSets, permissions, (roles, permission) => {
        const ctx = buildCtx(buildActor('p1', { roles }));
        const needed: readonly string[] = PERMISSIONS[permission];
        expect(isAllowed(ctx, permission)).toBe(roles.some((r) => needed.includes(r)));
      }),
    );
  });

  it('never lets an analyst or an unscheduled-care clinician administer, read the audit trail or see a person', () => {
    const closed: Permission[] = [
      'partnership.administer',
      'audit.read',
      'person.access',
      'involvement.manage',
      'emergency-access.review',
      'sharing.administer',
      'subject-access.export',
    ];
    fc.assert(
      fc.property(
        fc.subarray(['analyst', 'unscheduled_care'] as const),
        fc.constantFrom(...closed),
        (roles, permission) => {
          expect(isAllowed(buildCtx(buildActor('p1', { roles })), permission)).toBe(false);
        },
      ),
    );
  });

  it('keeps the privacy officer’s and administrator’s powers from practitioners and front-door workers', () => {
    const privileged: Permission[] = [
      'partnership.administer',
      'audit.read',
      'emergency-access.review',
      'sharing.administer',
      'subject-access.export',
    ];
    fc.assert(
      fc.property(
        fc.subarray(['practitioner', 'front_door'] as const),
        fc.constantFrom(...privileged),
        (roles, permission) => {
          expect(isAllowed(buildCtx(buildActor('p1', { roles })), permission)).toBe(false);
        },
      ),
    );
  });

  it('lets the system itself (start-up, seeding, the command line) act', () => {
    expect(isAllowed(buildCtx(buildSystemActor('p1')), 'partnership.administer')).toBe(true);
  });
});
