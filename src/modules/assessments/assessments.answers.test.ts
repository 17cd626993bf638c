import { describe, expect, it } from 'vitest';
import {
  answerLines,
  checkAnswers,
  readSectionForm,
  sectionFormValues,
  sectionStatus,
} from './assessments.answers.ts';
import { loadTemplates } from './assessments.template.ts';

/** Answers by type, without a database: reading the form, checking, showing back, judging complete. */
describe('assessment answers', () => {
  const registry = loadTemplates();
  const section = (templateId: string, sectionId: string) =>
    registry.get(templateId, 1)!.sections.find((s) => s.id === sectionId)!;
  const TODAY = '2026-03-02';

  it('reads a posted form and fills it in again the same way', () => {
    const pregnancy = section('early-help-unborn', 'pregnancy');
    const body = {
      'due-date_day': '1',
      'due-date_month': '7',
      'due-date_year': '2026',
      'antenatal-booked': 'before-10-weeks',
      substances: ['tobacco', 'none'],
      scans_rows: '3',
      scans_0_on_day: '12',
      scans_0_on_month: '1',
      scans_0_on_year: '2026',
      scans_0_check: 'Dating scan',
      'mother-health': '  Well  ',
    };
    const { answers, problems } = checkAnswers(pregnancy, readSectionForm(pregnancy, body), TODAY);
    expect(problems).toEqual([]);
    expect(answers).toEqual({
      'due-date': '2026-07-01',
      'antenatal-booked': 'before-10-weeks',
      substances: ['none', 'tobacco'],
      scans: [{ on: '2026-01-12', check: 'Dating scan' }],
      'mother-health': 'Well',
    });
    const values = sectionFormValues(pregnancy, answers);
    expect(values).toMatchObject({
      'due-date_day': '1',
      'due-date_month': '7',
      'due-date_year': '2026',
      scans_rows: '4',
      scans_0_on_day: '12',
      scans_0_check: 'Dating scan',
    });
    expect(checkAnswers(pregnancy, readSectionForm(pregnancy, values), TODAY).answers).toEqual(answers);
  });

  it('refuses dates on the wrong side of today, and text that is too long', () => {
    const childsWords = section('early-help-5-9', 'childs-words');
    const long = checkAnswers(childsWords, { words: 'x'.repeat(10_001) }, TODAY);
    expect(long.problems).toEqual([
      {
        field: 'words',
        message: 'What the child said, in their own words must be 10,000 characters or fewer',
      },
    ]);
    const dated = {
      ...section('early-help-5-9', 'childs-words'),
      questions: [
        { id: 'seen', type: 'date' as const, label: 'Last seen', required: false, when: 'past' as const },
        { id: 'next', type: 'date' as const, label: 'Next visit', required: false, when: 'future' as const },
      ],
    };
    expect(checkAnswers(dated, { seen: '2026-03-03', next: '2026-03-01' }, TODAY).problems).toEqual([
      { field: 'seen', message: 'Last seen must be today or in the past' },
      { field: 'next', message: 'Next visit must be today or in the future' },
    ]);
    expect(checkAnswers(dated, { seen: '2026-02-30' }, TODAY).problems).toEqual([
      { field: 'seen', message: 'Last seen must be a real date' },
    ]);
  });

  it('judges a section complete, in progress, not started or not recorded with a reason', () => {
    const words = section('early-help-5-9', 'childs-words');
    expect(sectionStatus(words, undefined)).toBe('not_started');
    expect(sectionStatus(words, { answers: { 'going-well': 'School' }, notRecordedReason: null })).toBe(
      'in_progress',
    );
    expect(sectionStatus(words, { answers: {}, notRecordedReason: 'Too young to talk' })).toBe(
      'not_recorded',
    );
    expect(sectionStatus(words, { answers: { words: 'Hello' }, notRecordedReason: null })).toBe('complete');
  });

  it('shows answers in words: options by label, scale points with their label, dates in full', () => {
    const capacity = section('early-help-5-9', 'parenting-capacity');
    const overall = capacity.questions.find((q) => q.id === 'overall')!;
    expect(answerLines(overall, 3)).toEqual(['3 out of 5 (Partly met)']);
    expect(answerLines(overall, 4)).toEqual(['4 out of 5']);
    const household = section('early-help-5-9', 'family-environment').questions.find(
      (q) => q.id === 'household',
    )!;
    expect(answerLines(household, [{ name: 'Ada', born: '2015-01-09' }])).toEqual([
      'Name: Ada; Date of birth: 9 January 2015',
    ]);
  });
});
