import { describe, expect, it } from 'vitest';
import {
  CONTACT_ACTIONS,
  CONTACT_STATUSES,
  LEVELS_OF_NEED,
  OUTCOMES,
  isActionAllowed,
  isReferral,
  levelFits,
  timelinessOf,
  type ContactAction,
  type ContactStatus,
} from './referrals.workflow.ts';

describe('the front door’s workflow table', () => {
  // Written out by hand: what each status allows, every other action refused.
  const ALLOWED: Record<ContactStatus, ContactAction[]> = {
    new: ['claim', 'note'],
    in_triage: ['release', 'match', 'prioritise', 'request_information', 'decide', 'note'],
    awaiting_approval: ['approve', 'return', 'note'],
    decided: ['record_feedback', 'note'],
  };
  const cases = CONTACT_STATUSES.flatMap((status) =>
    CONTACT_ACTIONS.map((action) => [status, action, ALLOWED[status].includes(action)] as const),
  );

  it.each(cases)('%s: %s allowed is %s', (status, action, allowed) => {
    expect(isActionAllowed(status, action)).toBe(allowed);
  });

  it('never decides a decided contact twice, nor approves one not awaiting approval', () => {
    expect(isActionAllowed('decided', 'decide')).toBe(false);
    expect(isActionAllowed('in_triage', 'approve')).toBe(false);
  });
});

describe('decisions and levels of need', () => {
  const FITS: [string, string[]][] = [
    ['no_further_action', ['universal', 'additional']],
    ['information_and_signposting', ['universal', 'additional']],
    ['early_help', ['additional', 'complex']],
    ['statutory_assessment', ['complex', 'acute']],
    ['strategy_discussion', ['acute']],
  ];
  it.each(FITS)('%s fits %j', (outcome, levels) => {
    for (const level of LEVELS_OF_NEED)
      expect(levelFits(outcome as (typeof OUTCOMES)[number], level)).toBe(levels.includes(level));
  });

  it('counts statutory assessments and strategy discussions as referrals', () => {
    expect(OUTCOMES.filter(isReferral)).toEqual(['statutory_assessment', 'strategy_discussion']);
  });
});

describe('timeliness', () => {
  const due = new Date('2026-03-03T09:30:00Z');
  const at = (iso: string) => new Date(iso);
  it.each([
    ['well before', '2026-03-03T06:00:00Z', null, 'in_time'],
    ['inside the two-hour warning', '2026-03-03T08:00:00Z', null, 'near_breach'],
    ['after the deadline', '2026-03-03T09:31:00Z', null, 'breached'],
    ['decided in time, looked at later', '2026-03-05T00:00:00Z', '2026-03-03T09:00:00Z', 'in_time'],
    ['decided late', '2026-03-05T00:00:00Z', '2026-03-03T10:00:00Z', 'breached'],
  ] as const)('%s', (_name, now, doneAt, expected) => {
    expect(timelinessOf(due, at(now), 2, doneAt ? at(doneAt) : null)).toBe(expected);
  });
});
