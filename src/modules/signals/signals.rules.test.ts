import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { addDays } from '../../common/plain-dates.ts';
import { defaultRules } from './signals.rules.seed.ts';
import {
  describeClause,
  evaluateRule,
  fixtureFailure,
  formatRuleJson,
  maxWindowDays,
  parseRuleJson,
  RuleConditions,
  RuleFixtures,
  runFixtures,
  type SignalFact,
} from './signals.rules.ts';
import { CATEGORY_KEYS } from './signals.vocabulary.ts';

const TODAY = '2026-03-02';

let ids = 0;
/** A signal seen `daysAgo` days before TODAY; moderate neglect from the school unless told otherwise. */
const signal = (daysAgo: number, overrides: Partial<SignalFact> = {}): SignalFact => ({
  id: `s${++ids}`,
  category: 'neglect',
  severity: 2,
  observedOn: addDays(TODAY, -daysAgo),
  organisationId: 'school',
  feedKind: null,
  measure: null,
  ...overrides,
});

const conditions = (text: string) => {
  const parsed = parseRuleJson(text, RuleConditions);
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  return parsed.value;
};

describe('parsing a rule as typed', () => {
  it('accepts every field of a clause and keeps them in the order the help explains them', () => {
    const parsed = parseRuleJson(
      '{"all": [{"measureBelow": 90, "feedKinds": ["school_attendance"], "minSeverity": "high", "categories": ["neglect"], "fromAgencies": 2, "withinDays": 42, "atLeast": 1}]}',
      RuleConditions,
    );
    expect(parsed.ok && Object.keys(parsed.value.all[0]!)).toEqual([
      'atLeast',
      'withinDays',
      'fromAgencies',
      'categories',
      'minSeverity',
      'feedKinds',
      'measureBelow',
    ]);
  });

  it('names an unknown category by its path and lists the ones to use', () => {
    const parsed = parseRuleJson(
      '{"all": [{"atLeast": 1, "withinDays": 30, "categories": ["neglect", "negelct"]}]}',
      RuleConditions,
    );
    expect(parsed).toEqual({
      ok: false,
      errors: [`all[0].categories[1]: unknown category "negelct"; use one of ${CATEGORY_KEYS.join(', ')}`],
    });
  });

  it.each([
    ['{"all": []}', 'all: must be a list of 1 to 10 clauses, every one of which must hold'],
    ['{"all": [{"withinDays": 30}]}', 'all[0].atLeast: is missing: give a whole number from 1 to 100'],
    ['{"all": [{"atLeast": 1.5, "withinDays": 30}]}', 'all[0].atLeast: must be a whole number from 1 to 100'],
    [
      '{"all": [{"atLeast": 1, "withinDays": 731}]}',
      'all[0].withinDays: must be a whole number from 1 to 730',
    ],
    [
      '{"all": [{"atLeast": 1, "withinDays": 30, "fromAgencies": 0}]}',
      'all[0].fromAgencies: must be a whole number from 1 to 20',
    ],
    [
      '{"all": [{"atLeast": 1, "withinDays": 30, "categories": []}]}',
      'all[0].categories: must be a list of one or more categories, such as ["neglect"]',
    ],
    [
      '{"all": [{"atLeast": 1, "withinDays": 30, "minSeverity": "awful"}]}',
      'all[0].minSeverity: unknown severity "awful"; use one of low, moderate, high, severe',
    ],
    [
      '{"all": [{"atLeast": 1, "withinDays": 30, "feedKinds": ["tarot"]}]}',
      'all[0].feedKinds[0]: unknown feed kind "tarot"; use one of',
    ],
    [
      '{"all": [{"atLeast": 1, "withinDays": 30, "measureBelow": 101}]}',
      'all[0].measureBelow: must be a number from 0 to 100',
    ],
    [
      '{"all": [{"atLeast": 1, "withinDays": 30, "within": 5}]}',
      'all[0]: unknown field "within"; a clause may have atLeast, withinDays,',
    ],
    ['{"all": ["three signals"]}', 'all[0]: must be a clause such as {"atLeast": 3, "withinDays": 90}'],
    ['{"any": []}', 'unknown field "any"; the conditions may have all'],
    ['[]', 'must be the conditions such as {"all": [{"atLeast": 3, "withinDays": 90}]}'],
    ['', 'is empty: enter the JSON'],
  ])('refuses %s, saying what to do', (text, message) => {
    const parsed = parseRuleJson(text, RuleConditions);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.errors.join(' | ')).toContain(message);
  });

  it('says where a JSON syntax error is, by line and column', () => {
    const parsed = parseRuleJson('{\n  "all": [\n    {"atLeast": 1, withinDays: 30}\n  ]\n}', RuleConditions);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.errors[0]).toBe(
      'is not valid JSON at line 3, column 20: expected a field name in double quotes, found "w"',
    );
  });

  it('checks fixtures: their signals, what they expect, and that each has its own name', () => {
    const parsed = parseRuleJson(
      JSON.stringify([
        {
          name: 'A',
          signals: [{ category: 'neglect', severity: 'bad', daysAgo: -1, agency: '' }],
          expect: 'alert',
        },
        { name: 'A', signals: [], expect: 'maybe' },
      ]),
      RuleFixtures,
    );
    expect(!parsed.ok && parsed.errors).toEqual([
      '[0].signals[0].severity: unknown severity "bad"; use one of low, moderate, high, severe',
      '[0].signals[0].daysAgo: must be a whole number from 0 to 730',
      '[0].signals[0].agency: must name the agency, such as "school"',
      '[1].expect: must be "alert" or "no_alert"',
    ]);
    const twins = parseRuleJson(
      JSON.stringify([
        { name: 'A', signals: [], expect: 'no_alert' },
        { name: 'A', signals: [], expect: 'no_alert' },
      ]),
      RuleFixtures,
    );
    expect(!twins.ok && twins.errors).toEqual([
      '[1].name: another fixture is already called "A"; give each a different name',
    ]);
  });
});

describe('evaluating a rule', () => {
  const threeFromTwo = conditions('{"all": [{"atLeast": 3, "withinDays": 90, "fromAgencies": 2}]}');

  it('holds with enough signals from enough agencies in the window, and lists them in date order', () => {
    const a = signal(5);
    const b = signal(89, { organisationId: 'gp' });
    const c = signal(40);
    const result = evaluateRule(threeFromTwo, [a, b, c], TODAY);
    expect(result.holds).toBe(true);
    expect(result.signalIds).toEqual([b.id, c.id, a.id]);
    expect(result.clauses[0]).toMatchObject({ agencies: 2, holds: true, signalIds: [a.id, b.id, c.id] });
  });

  it('does not hold with too few agencies or too few signals', () => {
    expect(evaluateRule(threeFromTwo, [signal(1), signal(2), signal(3)], TODAY).holds).toBe(false);
    expect(evaluateRule(threeFromTwo, [signal(1), signal(2, { organisationId: 'gp' })], TODAY).holds).toBe(
      false,
    );
  });

  it('counts today and the 89 days before it in a 90-day window, never later or earlier', () => {
    const rule = conditions('{"all": [{"atLeast": 1, "withinDays": 90}]}');
    expect(evaluateRule(rule, [signal(0)], TODAY).holds).toBe(true);
    expect(evaluateRule(rule, [signal(89)], TODAY).holds).toBe(true);
    expect(evaluateRule(rule, [signal(90)], TODAY).holds).toBe(false);
    expect(evaluateRule(rule, [signal(-1)], TODAY).holds).toBe(false);
  });

  it('filters by category, least severity, feed and measure', () => {
    const rule = conditions(
      '{"all": [{"atLeast": 1, "withinDays": 42, "categories": ["school_attendance"], "minSeverity": "moderate", "feedKinds": ["school_attendance"], "measureBelow": 90}]}',
    );
    const fits = {
      category: 'school_attendance',
      severity: 2,
      feedKind: 'school_attendance',
      measure: 85,
    } as const;
    expect(evaluateRule(rule, [signal(3, fits)], TODAY).holds).toBe(true);
    for (const miss of [
      { category: 'neglect' },
      { severity: 1 },
      { feedKind: 'school_exclusion' },
      { feedKind: null },
      { measure: 90 },
      { measure: null },
    ] as const)
      expect(evaluateRule(rule, [signal(3, { ...fits, ...miss })], TODAY).holds, JSON.stringify(miss)).toBe(
        false,
      );
  });

  it('holds only when every clause holds, and its signals are all the clauses matched', () => {
    const rule = conditions(
      '{"all": [{"atLeast": 1, "withinDays": 42, "categories": ["school_attendance"]}, {"atLeast": 1, "withinDays": 90, "categories": ["health_needs_not_met"]}]}',
    );
    const attendance = signal(7, { category: 'school_attendance' });
    const health = signal(60, { category: 'health_needs_not_met', organisationId: 'gp' });
    expect(evaluateRule(rule, [attendance], TODAY).holds).toBe(false);
    const both = evaluateRule(rule, [attendance, health, signal(1)], TODAY);
    expect(both.holds).toBe(true);
    expect(both.signalIds).toEqual([health.id, attendance.id]);
    expect(both.clauses.map((c) => c.holds)).toEqual([true, true]);
  });

  it('knows how far back a rule looks', () => {
    expect(
      maxWindowDays(
        conditions('{"all": [{"atLeast": 1, "withinDays": 42}, {"atLeast": 1, "withinDays": 180}]}'),
      ),
    ).toBe(180);
  });

  const clause = fc.record(
    {
      atLeast: fc.integer({ min: 1, max: 4 }),
      withinDays: fc.integer({ min: 1, max: 120 }),
      fromAgencies: fc.integer({ min: 1, max: 3 }),
      categories: fc.uniqueArray(fc.constantFrom('neglect', 'housing', 'domestic_abuse'), { minLength: 1 }),
      minSeverity: fc.constantFrom('low', 'moderate', 'high', 'severe'),
      measureBelow: fc.integer({ min: 0, max: 100 }),
    },
    { requiredKeys: ['atLeast', 'withinDays'] },
  );
  const rules = fc.array(clause, { minLength: 1, maxLength: 3 }).map((all) => RuleConditions.parse({ all }));
  const facts = (min: number, max: number) =>
    fc
      .array(
        fc.record({
          daysAgo: fc.integer({ min, max }),
          category: fc.constantFrom('neglect', 'housing', 'domestic_abuse'),
          severity: fc.integer({ min: 1, max: 4 }),
          organisationId: fc.constantFrom('school', 'gp', 'police'),
          measure: fc.option(fc.integer({ min: 0, max: 100 })),
        }),
        { maxLength: 12 },
      )
      .map((rows) => rows.map(({ daysAgo, ...row }) => signal(daysAgo, row)));

  it('never stops holding when a signal is added', () => {
    fc.assert(
      fc.property(rules, facts(-5, 150), facts(-5, 150), (rule, before, more) => {
        if (evaluateRule(rule, before, TODAY).holds)
          expect(evaluateRule(rule, [...before, ...more], TODAY).holds).toBe(true);
      }),
    );
  });

  it('ignores signals outside every window: older than the rule looks, or dated after today', () => {
    fc.assert(
      fc.property(rules, facts(0, 150), facts(-30, -1), facts(0, 30), (rule, inside, future, old) => {
        const tooOld = old.map((s) => ({ ...s, observedOn: addDays(s.observedOn, -maxWindowDays(rule)) }));
        const alone = evaluateRule(rule, inside, TODAY);
        const withOutside = evaluateRule(rule, [...future, ...inside, ...tooOld], TODAY);
        expect(withOutside.holds).toBe(alone.holds);
        expect(withOutside.signalIds).toEqual(alone.signalIds);
      }),
    );
  });
});

describe('describing a rule in plain words', () => {
  it.each([
    [
      { atLeast: 3, withinDays: 90, fromAgencies: 2 },
      'at least 3 signals from at least 2 agencies in the last 90 days',
    ],
    [{ atLeast: 1, withinDays: 30, minSeverity: 'severe' }, 'a severe signal in the last 30 days'],
    [
      { atLeast: 2, withinDays: 180, categories: ['domestic_abuse'] },
      'at least 2 signals about domestic abuse in the last 180 days',
    ],
    [
      { atLeast: 1, withinDays: 42, categories: ['school_attendance'], measureBelow: 90 },
      'a signal about school attendance with a measure below 90 in the last 42 days',
    ],
    [
      {
        atLeast: 2,
        withinDays: 1,
        minSeverity: 'high',
        categories: ['neglect', 'housing', 'other'],
        feedKinds: ['was_not_brought', 'emergency_department'],
        fromAgencies: 1,
      },
      'at least 2 high or severe signals about neglect, housing or other from the health appointment the child was not brought to or emergency department attendance feeds from at least 1 agency today',
    ],
  ] as const)('%j reads "%s"', (input, words) => {
    expect(describeClause(RuleConditions.parse({ all: [input] }).all[0]!)).toBe(words);
  });
});

describe('fixtures', () => {
  const rule = conditions('{"all": [{"atLeast": 2, "withinDays": 30, "fromAgencies": 2}]}');
  const fixtures = RuleFixtures.parse([
    {
      name: 'Two agencies',
      signals: [
        { category: 'neglect', severity: 'low', daysAgo: 1, agency: 'school' },
        { category: 'housing', severity: 'low', daysAgo: 29, agency: 'housing' },
      ],
      expect: 'alert',
    },
    {
      name: 'One agency',
      signals: [
        { category: 'neglect', severity: 'low', daysAgo: 1, agency: 'school' },
        { category: 'neglect', severity: 'low', daysAgo: 2, agency: 'school' },
      ],
      expect: 'alert',
    },
    { name: 'Nothing', signals: [], expect: 'alert' },
    {
      name: 'Too old',
      signals: [
        { category: 'neglect', severity: 'low', daysAgo: 1, agency: 'school' },
        { category: 'housing', severity: 'low', daysAgo: 30, agency: 'housing' },
      ],
      expect: 'no_alert',
    },
  ]);

  it('passes a fixture when the rule raises an alert exactly when it expects one', () => {
    expect(runFixtures(rule, fixtures, TODAY).map((r) => [r.name, r.passed])).toEqual([
      ['Two agencies', true],
      ['One agency', false],
      ['Nothing', false],
      ['Too old', true],
    ]);
  });

  it('says why a fixture failed: what it expected and what the rule found', () => {
    const [, oneAgency, nothing] = runFixtures(rule, fixtures, TODAY);
    expect(fixtureFailure(oneAgency!)).toBe(
      'fixture "One agency" expected an alert, but the rule raised none: it needs at least 2 signals from at least 2 agencies in the last 30 days and found 2 signals from 1 agency',
    );
    expect(fixtureFailure(nothing!)).toContain('found 0 signals from 0 agencies');
    const raised = runFixtures(rule, [{ ...fixtures[0]!, expect: 'no_alert' }], TODAY)[0]!;
    expect(fixtureFailure(raised)).toBe('fixture "Two agencies" expected no alert, but the rule raised one');
  });

  it('ships default rules whose fixtures all pass, whatever the day', () => {
    for (const today of [TODAY, '2028-02-29', '2030-12-31']) {
      const rules = defaultRules(today);
      expect(rules.map((r) => r.key)).toEqual([
        'three-signals-two-agencies',
        'any-severe-signal',
        'attendance-and-health',
        'repeated-domestic-abuse',
      ]);
      for (const r of rules)
        expect(
          runFixtures(r.conditions, r.fixtures, today).every((f) => f.passed),
          r.key,
        ).toBe(true);
    }
  });
});

describe('showing saved JSON for editing', () => {
  it('keeps short parts on one line and reads back as the same value', () => {
    const value = RuleFixtures.parse([
      {
        name: 'Attendance and health',
        signals: [
          { category: 'school_attendance', severity: 'low', daysAgo: 3, agency: 'school', measure: 85 },
          { category: 'health_needs_not_met', severity: 'low', daysAgo: 9, agency: 'gp' },
        ],
        expect: 'alert',
      },
      { name: 'Nothing', signals: [], expect: 'no_alert' },
    ]);
    const text = formatRuleJson(value);
    expect(JSON.parse(text)).toEqual(value);
    expect(text).toBe(
      [
        '[',
        '  {',
        '    "name": "Attendance and health",',
        '    "signals": [',
        '      { "category": "school_attendance", "severity": "low", "daysAgo": 3, "agency": "school", "measure": 85 },',
        '      { "category": "health_needs_not_met", "severity": "low", "daysAgo": 9, "agency": "gp" }',
        '    ],',
        '    "expect": "alert"',
        '  },',
        '  { "name": "Nothing", "signals": [], "expect": "no_alert" }',
        ']',
      ].join('\n'),
    );
    expect(formatRuleJson({ all: [{ atLeast: 3, withinDays: 90 }] })).toBe(
      '{ "all": [{ "atLeast": 3, "withinDays": 90 }] }',
    );
    expect(formatRuleJson({})).toBe('{}');
  });
});

describe('finding a JSON syntax error', () => {
  it.each([
    [
      '{"all": [}',
      'line 1, column 10: expected a value (a number, "text", true, false, null, [ or {), found "}"',
    ],
    [
      '{\n  "all": [\n    {"atLeast": 1 "withinDays": 30}\n  ]\n}',
      'line 3, column 19: expected a comma or }, found "\\""',
    ],
    ['{"all": [{"atLeast": tru}]}', 'line 1, column 22: expected a value'],
    ['{"all": []} extra', 'line 1, column 13: expected nothing more after the end, found "e"'],
    ['{"all": ["a\nb"]}', 'line 1, column 12: expected the closing " before the line ends'],
    ['{all: []}', 'line 1, column 2: expected a field name in double quotes, found "a"'],
    ['{"all" []}', 'line 1, column 8: expected a colon after the field name, found "["'],
    ['{"all": ["\\x"]}', 'line 1, column 12: expected one of " \\ / b f n r t u after a backslash'],
    ['{"all": ["\\u12G4"]}', 'line 1, column 12: expected four hexadecimal digits after \\u, found "u"'],
    [
      '{"all": [',
      'line 1, column 10: expected a value (a number, "text", true, false, null, [ or {), found the end of the text',
    ],
  ])('places the fault in %j', (text, message) => {
    const parsed = parseRuleJson(text, RuleConditions);
    expect(!parsed.ok && parsed.errors[0]).toContain(`is not valid JSON at ${message}`);
  });

  it('finds a place for every fault JSON.parse finds, and none where it finds none', () => {
    // JSON with one character dropped or one put in: often broken, sometimes still JSON.
    const edited = fc
      .tuple(fc.json(), fc.nat(), fc.constantFrom('', ',', '"', '}', ']', ':', '\\', '\n', 'x', '1'))
      .map(
        ([json, at, put]) =>
          json.slice(0, at % (json.length + 1)) + put + json.slice((at % (json.length + 1)) + (put ? 0 : 1)),
      );
    fc.assert(
      fc.property(edited, (text) => {
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        const parsed = parseRuleJson(text, z.unknown());
        const placed = !parsed.ok && /^is not valid JSON at line \d+, column \d+: /.test(parsed.errors[0]!);
        expect(placed).toBe(!valid && text.trim() !== '');
      }),
      { numRuns: 500 },
    );
  });
});
