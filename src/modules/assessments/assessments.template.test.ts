import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ageBandOn,
  checkTemplateFile,
  loadTemplates,
  TemplateError,
  templateJurisdiction,
} from './assessments.template.ts';

/** The form engine's templates: the shipped ones load; broken ones are refused with the path of each fault. */

const section = (overrides: Record<string, unknown> = {}) => ({
  id: 'a-section',
  title: 'A section',
  contributors: 'any',
  required: true,
  questions: [{ id: 'q', type: 'text', label: 'Q' }],
  ...overrides,
});
/** The three sections every template needs, then whatever the test adds. */
const template = (sections: unknown[] = [], overrides: Record<string, unknown> = {}) => ({
  id: 'test-template',
  version: 1,
  title: 'Test',
  jurisdiction: 'all',
  sections: [
    section({ id: 'words', role: 'child-voice' }),
    section({ id: 'views', role: 'parents-views' }),
    section({
      id: 'analysis',
      role: 'analysis',
      questions: [{ id: 'worries', type: 'text', label: 'Worries', feeds: 'worries' }],
    }),
    ...sections,
  ],
  ...overrides,
});

describe('assessment templates', () => {
  let dir: string | undefined;
  const folder = (files: Record<string, unknown>) => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'wa-templates-'));
    for (const [name, content] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
    }
    return dir;
  };
  const faultsOf = (files: Record<string, unknown>) => {
    try {
      loadTemplates(folder(files));
    } catch (error) {
      if (error instanceof TemplateError) return error.faults;
      throw error;
    }
    return [];
  };
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('loads every shipped template: five early-help age versions and the Scottish pack, with shared sections resolved', () => {
    const registry = loadTemplates();
    const latest = registry.latest();
    expect(latest.map((t) => [t.id, t.version, t.jurisdiction, t.ageBand ?? 'any age']).sort()).toEqual(
      [
        ['early-help-10-14', 1, 'all', '10-14'],
        ['early-help-15-plus', 1, 'all', '15-plus'],
        ['early-help-5-9', 1, 'all', '5-9'],
        ['early-help-under-5', 1, 'all', 'under-5'],
        ['early-help-unborn', 1, 'all', 'unborn'],
        ['my-world-triangle', 1, 'scotland', 'any age'],
      ].sort(),
    );
    for (const t of latest) {
      const roles = t.sections.map((s) => s.role).filter(Boolean);
      expect(roles, t.id).toEqual(
        expect.arrayContaining(['child-voice', 'parents-views', 'analysis', 'family-resources']),
      );
    }
    // The shared family resources section: the family's own and the neighbourhood's, each rated.
    const resources = registry.get('early-help-5-9', 1)!.sections.find((s) => s.role === 'family-resources')!;
    expect(resources.questions.filter((q) => q.type === 'scale').map((q) => q.id)).toEqual([
      'money-housing',
      'health',
      'network',
      'skills',
      'trust',
      'shared-resources',
      'reciprocity',
      'engagement',
    ]);
    // Questions for the age: pregnancy before birth, milestones under 5, education at school age,
    // independence and employment at 15.
    const ids = (id: string) => registry.get(id, 1)!.sections.map((s) => s.id);
    expect(ids('early-help-unborn')).toContain('pregnancy');
    expect(ids('early-help-under-5')).toContain('development');
    expect(ids('early-help-5-9')).toContain('education');
    expect(ids('early-help-10-14')).toContain('education');
    expect(ids('early-help-15-plus')).toEqual(
      expect.arrayContaining(['independence', 'education-employment']),
    );
    const wellbeing = registry.get('my-world-triangle', 1)!.sections.find((s) => s.id === 'wellbeing')!;
    expect(wellbeing.questions.filter((q) => q.type === 'scale').map((q) => q.id)).toEqual([
      'safe',
      'healthy',
      'achieving',
      'nurtured',
      'active',
      'respected',
      'responsible',
      'included',
    ]);
  });

  it('names the file and the path of every fault, including in an included section', () => {
    const faults = faultsOf({
      'early-help-5-9.json': template([{ include: 'sections/shared.json' }], {
        version: 0,
        jurisdiction: 'wales',
      }),
      'sections/shared.json': section({
        id: 'shared',
        questions: [
          { id: 'one', type: 'text', label: 'One' },
          { id: 'pick', type: 'choice', label: 'Pick', options: [{ value: 'a', label: 'A' }] },
        ],
      }),
    });
    expect(faults).toEqual([
      'early-help-5-9.json: version: must be 1 or more',
      'early-help-5-9.json: jurisdiction: must be one of all, england-and-wales, scotland, northern-ireland',
      'early-help-5-9.json: sections[3].questions[1].options (from sections/shared.json): needs at least two options',
    ]);
  });

  it('checks each kind of question: types, scales, repeating rows, ids, misspelt fields', () => {
    const faults = faultsOf({
      'broken.json': template([
        section({
          questions: [
            {
              id: 'scale',
              type: 'scale',
              label: 'Scale',
              min: 1,
              max: 5,
              labels: { '1': 'Low', '7': 'High' },
            },
            { id: 'slider', type: 'slider', label: 'Slider' },
            { id: 'rows', type: 'rows', label: 'Rows', columns: [] },
            { id: 'Bad Id', type: 'text', label: '' },
            { id: 'when', type: 'date', label: 'When', when: 'someday' },
            { id: 'note', type: 'text', label: 'Note', colour: 'red' },
            { id: 'version', type: 'text', label: 'Version' },
          ],
        }),
      ]),
    });
    expect(faults).toEqual([
      'broken.json: sections[3].questions[0].labels.7: is not a point from 1 to 5',
      'broken.json: sections[3].questions[0].labels: must label at least the lowest and the highest point',
      'broken.json: sections[3].questions[1].type: must be one of text, choice, scale, date or rows',
      'broken.json: sections[3].questions[2].columns: needs at least one column',
      'broken.json: sections[3].questions[3].id: must be lower-case letters and digits joined by hyphens',
      'broken.json: sections[3].questions[3].label: must not be empty',
      'broken.json: sections[3].questions[4].when: must be past, future or any',
      'broken.json: sections[3].questions[5]: has an unknown field: colour',
      'broken.json: sections[3].questions[6].id: is a name the form keeps for itself',
    ]);
  });

  it('requires the child’s words, the parents’ views and an analysis that feeds a referral', () => {
    const faults = faultsOf({
      'thin.json': {
        id: 'thin',
        version: 1,
        title: 'Thin',
        jurisdiction: 'all',
        sections: [
          section({ id: 'words', role: 'child-voice', required: false }),
          section({ id: 'analysis', role: 'analysis' }),
          section({ id: 'words', contributors: ['teachers'] }),
        ],
      },
    });
    expect(faults).toEqual([
      'thin.json: sections[0].required: must be true: the child’s own words and the parents’ views are required sections',
      'thin.json: sections[1].questions: the analysis section needs a text question that feeds "worries", for an onward referral',
      'thin.json: sections[2].contributors: must be "any" or a list of sectors (education, health, social_care, police, youth_justice, housing, voluntary, other)',
    ]);
    const repeated = faultsOf({ 'again.json': template([section({ id: 'words' })]) });
    expect(repeated).toEqual(['again.json: sections[3]: repeats the section id "words"']);
    const noVoice = faultsOf({
      'no-voice.json': template([], {
        sections: [
          section({
            id: 'analysis',
            role: 'analysis',
            questions: [{ id: 'w', type: 'text', label: 'W', feeds: 'worries' }],
          }),
        ],
      }),
    });
    expect(noVoice).toEqual([
      'no-voice.json: sections: needs exactly one section with the role "child-voice" (it has 0)',
      'no-voice.json: sections: needs exactly one section with the role "parents-views" (it has 0)',
    ]);
  });

  it('refuses includes that are missing, not JSON, outside the folder or nested', () => {
    const faults = faultsOf({
      'includes.json': template([
        { include: 'sections/missing.json' },
        { include: 'sections/bad.json' },
        { include: '../outside.json' },
        section({ id: 'nested', questions: [{ include: 'questions/nested.json' }] }),
      ]),
      'sections/bad.json': '{ not json',
      'questions/nested.json': [{ include: 'questions/other.json' }],
    });
    expect(faults).toHaveLength(4);
    expect(faults[0]).toBe('includes.json: sections[3].include: sections/missing.json cannot be read');
    expect(faults[1]).toMatch(
      /^includes\.json: sections\[4\]\.include: sections\/bad\.json is not valid JSON/,
    );
    expect(faults[2]).toBe(
      "includes.json: sections[5].include: must name a file inside the template's folder",
    );
    expect(faults[3]).toBe(
      'includes.json: sections[6].questions[0]: questions/nested.json may not include another file',
    );
  });

  it('refuses two files with the same template version, and a file that is not JSON', () => {
    expect(faultsOf({ 'a.json': template(), 'b.json': template() })).toEqual([
      'b.json: id: test-template version 1 is also in a.json',
    ]);
    const [notJson] = faultsOf({ 'x.json': '{' });
    expect(notJson).toMatch(/^x\.json: is not valid JSON/);
  });

  it('accepts a second version beside the first, and offers the latest', () => {
    const registry = loadTemplates(
      folder({ 'v1.json': template(), 'v2.json': template([], { version: 2, title: 'Test 2' }) }),
    );
    expect(registry.get('test-template', 1)?.title).toBe('Test');
    expect(registry.latest().map((t) => t.version)).toEqual([2]);
  });

  it('checks a single file for the command line', () => {
    const d = folder({ 'one.json': template([section({ id: 'extra', required: 'yes' })]) });
    expect(checkTemplateFile(path.join(d, 'one.json')).faults).toEqual([
      'one.json: sections[3].required: must be true or false',
    ]);
  });

  it('suggests the version for the child’s age and the partnership’s jurisdiction', () => {
    const registry = loadTemplates();
    const on = '2026-03-02';
    expect(ageBandOn({ dateOfBirth: null, expectedDate: '2026-06-01' }, on)).toBe('unborn');
    expect(ageBandOn({ dateOfBirth: '2024-03-03', expectedDate: null }, on)).toBe('under-5');
    expect(ageBandOn({ dateOfBirth: '2021-03-02', expectedDate: null }, on)).toBe('5-9');
    expect(ageBandOn({ dateOfBirth: '2016-03-03', expectedDate: null }, on)).toBe('5-9');
    expect(ageBandOn({ dateOfBirth: '2016-03-02', expectedDate: null }, on)).toBe('10-14');
    expect(ageBandOn({ dateOfBirth: '2010-01-01', expectedDate: null }, on)).toBe('15-plus');
    expect(ageBandOn({ dateOfBirth: null, expectedDate: null }, on)).toBeNull();
    expect(registry.recommended('england-and-wales', '10-14')?.id).toBe('early-help-10-14');
    expect(registry.recommended('northern-ireland', 'unborn')?.id).toBe('early-help-unborn');
    expect(registry.recommended('scotland', '5-9')?.id).toBe('my-world-triangle');
    expect(registry.recommended('england-and-wales', null)).toBeNull();
    expect(templateJurisdiction('england')).toBe('england-and-wales');
    expect(templateJurisdiction('scotland')).toBe('scotland');
    expect(templateJurisdiction('northern_ireland')).toBe('northern-ireland');
  });
});
