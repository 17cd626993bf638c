import { describe, expect, it } from 'vitest';
import { calendarFor } from '../../common/working-days.ts';
import type { PlanKind } from '../../db/schema.ts';
import {
  ageOn,
  EPISODE_PLAN_KIND,
  involvementPurpose,
  latestNextReview,
  personName,
  reviewState,
  stepDirection,
} from './plans.workflow.ts';

const settings = { earlyHelpReviewWeeks: 8, childInNeedReviewWeeks: 10 };
const england = calendarFor('england-and-wales');

describe('the latest date of the next review', () => {
  it.each<[string, PlanKind, string, string[], string]>([
    ['early help: the partnership’s weeks from the start', 'early_help', '2026-03-02', [], '2026-04-27'],
    ['early help: then from the last review', 'early_help', '2026-03-02', ['2026-04-20'], '2026-06-15'],
    ['child in need: its own interval', 'child_in_need', '2026-03-02', [], '2026-05-11'],
    [
      'child protection: the first review within 3 months',
      'child_protection',
      '2026-01-31',
      [],
      '2026-04-30',
    ],
    ['child protection: then every 6 months', 'child_protection', '2026-01-31', ['2026-04-15'], '2026-10-15'],
    ['looked after: the first review within 20 working days', 'looked_after', '2026-03-02', [], '2026-03-30'],
    [
      'looked after: the second within 3 months of the first',
      'looked_after',
      '2026-03-02',
      ['2026-03-25'],
      '2026-06-25',
    ],
    [
      'looked after: then every 6 months',
      'looked_after',
      '2026-03-02',
      ['2026-03-25', '2026-06-20'],
      '2026-12-20',
    ],
  ])('%s', (_name, kind, started, reviews, due) => {
    expect(latestNextReview(kind, started, reviews, settings, england)).toBe(due);
  });

  it('counts working days by the partnership’s own bank holidays', () => {
    // Good Friday and Easter Monday 2026 are holidays in England; Scotland keeps Good Friday only.
    expect(latestNextReview('looked_after', '2026-03-20', [], settings, england)).toBe('2026-04-21');
    expect(latestNextReview('looked_after', '2026-03-20', [], settings, calendarFor('scotland'))).toBe(
      '2026-04-20',
    );
  });
});

describe('the state of a review', () => {
  it.each([
    ['2026-03-01', 'overdue'],
    ['2026-03-02', 'due_soon'],
    ['2026-03-09', 'due_soon'],
    ['2026-03-10', 'on_track'],
  ] as const)('due %s, today 2 March, reminding 7 days ahead: %s', (due, state) => {
    expect(reviewState(due, '2026-03-02', 7)).toBe(state);
  });
});

describe('plan kinds', () => {
  it('starts the plan a front-door decision usually leads to', () => {
    expect(EPISODE_PLAN_KIND).toEqual({
      early_help: 'early_help',
      statutory_assessment: 'child_in_need',
      strategy_discussion: 'child_protection',
    });
  });

  it('gives the team early help access on an early help plan, and safeguarding access on any statutory plan', () => {
    expect(involvementPurpose('early_help')).toBe('early_help');
    for (const kind of ['child_in_need', 'child_protection', 'looked_after'] as const)
      expect(involvementPurpose(kind)).toBe('safeguarding');
  });

  it('calls a move to a more intensive plan a step up, and to a lighter one a step down', () => {
    expect(stepDirection('early_help', 'child_protection')).toBe('up');
    expect(stepDirection('child_in_need', 'early_help')).toBe('down');
    expect(stepDirection('looked_after', 'child_protection')).toBe('down');
  });
});

describe('people on a plan', () => {
  it('gives age in whole years, turning on the birthday', () => {
    expect(ageOn('2016-03-02', '2026-03-01')).toBe(9);
    expect(ageOn('2016-03-02', '2026-03-02')).toBe(10);
    expect(ageOn('2016-02-29', '2026-02-28')).toBe(9);
  });

  it('names a person by given then family name, or family name alone', () => {
    expect(personName({ givenName: 'Amy', familyName: 'Hughes' })).toBe('Amy Hughes');
    expect(personName({ givenName: null, familyName: 'Hughes' })).toBe('Hughes');
  });
});
