import type { z } from 'zod';
import type { ContactInput } from '../src/modules/referrals/referrals.schemas.ts';

/**
 * The i-th contact as a school would send it: the child described, or now and then (`namedShare` of
 * them) named from `involvedChildren`, children the sender works with.
 */
export function contactInput(
  i: number,
  involvedChildren: readonly string[] = [],
  namedShare = 0,
): z.input<typeof ContactInput> {
  const named = involvedChildren.length > 0 && (i * 7919) % 100 < namedShare * 100;
  return {
    channel: 'online_form',
    child: named
      ? { personId: involvedChildren[i % involvedChildren.length]! }
      : {
          givenName: 'Rowan',
          familyName: `Benchley${i % 997}`,
          dateOfBirth: `201${i % 10}-0${1 + (i % 9)}-1${i % 10}`,
          postcode: 'NB4 2QT',
        },
    worries: 'Came to school with a bruise on the arm and said they were scared to go home.',
    familyAware: false,
    consent: 'not_sought',
    consentReason: 'Asking might put the child at risk before the front door has looked at this',
    urgency: 'today',
    sectorAnswers: { attendance: '82%, down from 96% last year', behaviour: 'Withdrawn since half term' },
  };
}
