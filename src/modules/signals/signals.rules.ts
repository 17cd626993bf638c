import { z } from 'zod';
import { addDays, daysBetween } from '../../common/plain-dates.ts';
import type { SignalCategory } from '../../db/schema.ts';
import {
  CATEGORY_KEYS,
  FEED_KIND_KEYS,
  FEED_KINDS,
  SEVERITIES,
  SIGNAL_CATEGORIES,
  severityLevel,
  type Severity,
} from './signals.vocabulary.ts';

/**
 * Signal rules are data a partnership writes and versions without code: a rule holds for a child when
 * every clause of it holds, and a clause counts the child's recent signals that match it. This file is
 * pure (no database, no clock): the schemas that check a rule as typed, the evaluation, plain-words
 * descriptions for the alert and the rule's page, and the test fixtures each rule carries.
 */

/** One signal as the rules see it: the facts they can count, nothing a person wrote. */
export type SignalFact = {
  id: string;
  category: SignalCategory;
  /** 1 low, 2 moderate, 3 high, 4 severe. */
  severity: number;
  observedOn: string;
  organisationId: string;
  feedKind: string | null;
  measure: number | null;
};

// --- Schemas: each message says what is wrong and what to write instead ----------------------------

const listOf = (values: readonly string[]) => values.join(', ');

/** A name from a fixed list; an unknown one is named back with the list to choose from. */
const oneOf = <T extends readonly [string, ...string[]]>(what: string, values: T) =>
  z.enum(values, {
    error: (issue) =>
      issue.input === undefined
        ? `is missing: give a ${what}, one of ${listOf(values)}`
        : `unknown ${what} ${JSON.stringify(issue.input)}; use one of ${listOf(values)}`,
  });

const wholeNumber = (min: number, max: number) =>
  z
    .int({
      error: (issue) =>
        `${issue.input === undefined ? 'is missing: give' : 'must be'} a whole number from ${min} to ${max}`,
    })
    .min(min)
    .max(max);

const number = (min: number, max: number) =>
  z
    .number({ error: () => `must be a number from ${min} to ${max}` })
    .min(min)
    .max(max);

const nonEmptyList = <T extends z.ZodType>(item: T, what: string, example: string) =>
  z.array(item, { error: () => `must be a list of one or more ${what}, such as ${example}` }).min(1);

/** An object with only the fields listed; anything else is refused by name. */
const strictObject = <S extends z.ZodRawShape>(shape: S, what: string, example: string) => {
  const fields = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown field ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}; ${what} may have ${listOf(fields)}`
        : `must be ${what} such as ${example}`,
  });
};

const Category = oneOf('category', CATEGORY_KEYS);
const SeverityName = oneOf('severity', SEVERITIES);
const FeedKindName = oneOf('feed kind', FEED_KIND_KEYS);

const Clause = strictObject(
  {
    atLeast: wholeNumber(1, 100),
    withinDays: wholeNumber(1, 730),
    /** Distinct agencies among the clause's matching signals. */
    fromAgencies: wholeNumber(1, 20).optional(),
    categories: nonEmptyList(Category, 'categories', '["neglect"]').optional(),
    /** The least severity a signal needs to count. */
    minSeverity: SeverityName.optional(),
    feedKinds: nonEmptyList(FeedKindName, 'feed kinds', '["school_attendance"]').optional(),
    /** Only signals carrying a measure (attendance %, for instance) below this count. */
    measureBelow: number(0, 100).optional(),
  },
  'a clause',
  '{"atLeast": 3, "withinDays": 90}',
);
export type Clause = z.infer<typeof Clause>;

export const RuleConditions = strictObject(
  {
    all: z
      .array(Clause, {
        error: (issue) =>
          `${issue.input === undefined ? 'is missing: give' : 'must be'} a list of 1 to 10 clauses, every one of which must hold`,
      })
      .min(1)
      .max(10),
  },
  'the conditions',
  '{"all": [{"atLeast": 3, "withinDays": 90}]}',
);
export type RuleConditions = z.infer<typeof RuleConditions>;

const FixtureSignal = strictObject(
  {
    category: Category,
    severity: SeverityName,
    daysAgo: wholeNumber(0, 730),
    /** Any label: fixture signals from the same agency share it. */
    agency: z
      .string({ error: () => 'must name the agency, such as "school"' })
      .trim()
      .min(1)
      .max(100),
    feedKind: FeedKindName.optional(),
    measure: number(0, 100).optional(),
  },
  'a fixture signal',
  '{"category": "neglect", "severity": "moderate", "daysAgo": 10, "agency": "school"}',
);

const Fixture = strictObject(
  {
    name: z
      .string({ error: () => 'must be a name of 1 to 200 characters' })
      .trim()
      .min(1)
      .max(200),
    signals: z.array(FixtureSignal, { error: () => 'must be a list of up to 100 signals' }).max(100),
    expect: z.enum(['alert', 'no_alert'], { error: () => 'must be "alert" or "no_alert"' }),
  },
  'a fixture',
  '{"name": "No signals", "signals": [], "expect": "no_alert"}',
);
export type Fixture = z.infer<typeof Fixture>;

export const RuleFixtures = z
  .array(Fixture, { error: () => 'must be a list of 1 to 50 fixtures' })
  .min(1)
  .max(50)
  .superRefine((fixtures, context) => {
    // Results name fixtures, so two with one name could not be told apart.
    const seen = new Set<string>();
    fixtures.forEach((fixture, index) => {
      if (seen.has(fixture.name))
        context.addIssue({
          code: 'custom',
          path: [index, 'name'],
          message: `another fixture is already called ${JSON.stringify(fixture.name)}; give each a different name`,
        });
      seen.add(fixture.name);
    });
  });
export type RuleFixtures = z.infer<typeof RuleFixtures>;

// --- Parsing typed JSON -------------------------------------------------------------------------------

export type ParsedRuleJson<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/** A zod path as a person would write it into the JSON: all[0].categories[1]. */
function jsonPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i ? '.' : ''}${String(part)}`))
    .join('');
}

/**
 * Where and why `text` stops being JSON, in words: JSON.parse names the place for only some faults,
 * and in terms few editors know. Null when this finds no fault (JSON.parse's own message is used).
 */
function syntaxFault(text: string): { at: number; problem: string } | null {
  class Fault extends Error {
    constructor(
      readonly at: number,
      readonly problem: string,
    ) {
      super(problem);
    }
  }
  let i = 0;
  const fail = (expected: string): never => {
    const found = i < text.length ? `found ${JSON.stringify(text[i])}` : 'found the end of the text';
    throw new Fault(i, `expected ${expected}, ${found}`);
  };
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i += 1;
  };
  const expect = (c: string, what: string) => (text[i] === c ? (i += 1) : fail(what));
  const string = (what: string) => {
    expect('"', what);
    while (i < text.length && text[i] !== '"') {
      if (text[i]! < ' ') fail('the closing " before the line ends (write a line break as \\n)');
      if (text[i] === '\\') {
        i += 1;
        if (!'"\\/bfnrtu'.includes(text[i] ?? '')) fail('one of " \\ / b f n r t u after a backslash');
        if (text[i] === 'u' && !/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5)))
          fail('four hexadecimal digits after \\u');
      }
      i += 1;
    }
    expect('"', 'the closing "');
  };
  const scalar = /true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const list = (close: string, item: () => void) => {
    i += 1;
    space();
    if (text[i] === close) return void (i += 1);
    for (;;) {
      item();
      space();
      if (text[i] !== ',') return void expect(close, `a comma or ${close}`);
      i += 1;
    }
  };
  const value = (): void => {
    space();
    if (text[i] === '{')
      return list('}', () => {
        space();
        string('a field name in double quotes');
        space();
        expect(':', 'a colon after the field name');
        value();
      });
    if (text[i] === '[') return list(']', value);
    if (text[i] === '"') return string('"');
    scalar.lastIndex = i;
    if (!scalar.test(text)) fail('a value (a number, "text", true, false, null, [ or {)');
    i = scalar.lastIndex;
  };
  try {
    value();
    space();
    if (i < text.length) fail('nothing more after the end');
    return null;
  } catch (error) {
    if (error instanceof Fault) return error;
    throw error;
  }
}

/** A JSON syntax error with its line and column, for people who cannot count characters. */
function syntaxMessage(text: string, error: SyntaxError): string {
  const fault = syntaxFault(text);
  if (!fault) return `is not valid JSON: ${error.message}`;
  const before = text.slice(0, fault.at).split('\n');
  return `is not valid JSON at line ${before.length}, column ${before.at(-1)!.length + 1}: ${fault.problem}`;
}

/** Parses JSON a person typed and checks it with a schema: the value, or every fault, path first. */
export function parseRuleJson<S extends z.ZodType>(text: string, schema: S): ParsedRuleJson<z.output<S>> {
  if (!text.trim()) return { ok: false, errors: ['is empty: enter the JSON'] };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, errors: [syntaxMessage(text, error as SyntaxError)] };
  }
  const result = schema.safeParse(json);
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    errors: result.error.issues.map((issue) =>
      issue.path.length ? `${jsonPath(issue.path)}: ${issue.message}` : issue.message,
    ),
  };
}

// --- Plain words --------------------------------------------------------------------------------------

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);
const orList = (items: string[]) =>
  items.length > 1 ? `${items.slice(0, -1).join(', ')} or ${items.at(-1)}` : (items[0] ?? '');

const SEVERITY_AT_LEAST: Record<Severity, string> = {
  low: '',
  moderate: 'moderate, high or severe ',
  high: 'high or severe ',
  severe: 'severe ',
};

/** A clause in plain words: "at least 3 signals from at least 2 agencies in the last 90 days". */
export function describeClause(clause: Clause): string {
  const one = clause.atLeast === 1;
  const severity = clause.minSeverity ? SEVERITY_AT_LEAST[clause.minSeverity] : '';
  const words = [`${one ? 'a' : `at least ${clause.atLeast}`} ${severity}${one ? 'signal' : 'signals'}`];
  if (clause.categories)
    words.push(`about ${orList(clause.categories.map((c) => lowerFirst(SIGNAL_CATEGORIES[c].label)))}`);
  if (clause.feedKinds) {
    const feeds = clause.feedKinds.map((k) => lowerFirst(FEED_KINDS[k].label));
    words.push(`from the ${orList(feeds)} ${feeds.length > 1 ? 'feeds' : 'feed'}`);
  }
  if (clause.measureBelow !== undefined) words.push(`with a measure below ${clause.measureBelow}`);
  if (clause.fromAgencies !== undefined)
    words.push(`from at least ${clause.fromAgencies} ${clause.fromAgencies === 1 ? 'agency' : 'agencies'}`);
  words.push(clause.withinDays === 1 ? 'today' : `in the last ${clause.withinDays} days`);
  return words.join(' ');
}

// --- Evaluation ---------------------------------------------------------------------------------------

export type ClauseResult = {
  clause: Clause;
  description: string;
  /** The signals that match the clause, in the order given. */
  signalIds: string[];
  /** Distinct agencies among them. */
  agencies: number;
  holds: boolean;
};

export type RuleResult = {
  holds: boolean;
  clauses: ClauseResult[];
  /** Every signal some clause matched, in date order: what the alert is made of. */
  signalIds: string[];
};

/** A signal counts for a clause when it was seen in the clause's window and fits each of its filters. */
function matches(clause: Clause, signal: SignalFact, today: string): boolean {
  const age = daysBetween(signal.observedOn, today);
  if (age < 0 || age >= clause.withinDays) return false;
  if (clause.categories && !clause.categories.includes(signal.category)) return false;
  if (clause.minSeverity && signal.severity < severityLevel(clause.minSeverity)) return false;
  if (clause.feedKinds && !(clause.feedKinds as readonly string[]).includes(signal.feedKind ?? ''))
    return false;
  if (clause.measureBelow !== undefined && !(signal.measure !== null && signal.measure < clause.measureBelow))
    return false;
  return true;
}

function evaluateClause(clause: Clause, signals: readonly SignalFact[], today: string): ClauseResult {
  const matching = signals.filter((s) => matches(clause, s, today));
  const agencies = new Set(matching.map((s) => s.organisationId)).size;
  return {
    clause,
    description: describeClause(clause),
    signalIds: matching.map((s) => s.id),
    agencies,
    holds: matching.length >= clause.atLeast && agencies >= (clause.fromAgencies ?? 0),
  };
}

/**
 * Whether a rule holds for one child's signals on a day: every clause must. A clause's window is the
 * `withinDays` days ending today, so 90 days runs from 89 days ago to today; later dates never count.
 */
export function evaluateRule(
  conditions: RuleConditions,
  signals: readonly SignalFact[],
  today: string,
): RuleResult {
  const clauses = conditions.all.map((clause) => evaluateClause(clause, signals, today));
  const matched = new Set(clauses.flatMap((c) => c.signalIds));
  const signalIds = signals
    .filter((s) => matched.has(s.id))
    .sort((a, b) => a.observedOn.localeCompare(b.observedOn))
    .map((s) => s.id);
  return { holds: clauses.every((c) => c.holds), clauses, signalIds };
}

/** How far back a rule looks: signals older than this can never make it hold. */
export function maxWindowDays(conditions: RuleConditions): number {
  return Math.max(...conditions.all.map((c) => c.withinDays));
}

// --- Fixtures -----------------------------------------------------------------------------------------

export type FixtureResult = {
  name: string;
  expected: Fixture['expect'];
  passed: boolean;
  result: RuleResult;
};

/** A fixture's signals as facts dated back from today; agencies are told apart by their label. */
function fixtureFacts(fixture: Fixture, today: string): SignalFact[] {
  return fixture.signals.map((s, i) => ({
    id: `${fixture.name} #${i + 1}`,
    category: s.category,
    severity: severityLevel(s.severity),
    observedOn: addDays(today, -s.daysAgo),
    organisationId: s.agency,
    feedKind: s.feedKind ?? null,
    measure: s.measure ?? null,
  }));
}

/** Runs each fixture through the rule: it passes when the rule raises an alert exactly when expected. */
export function runFixtures(
  conditions: RuleConditions,
  fixtures: RuleFixtures,
  today: string,
): FixtureResult[] {
  return fixtures.map((fixture) => {
    const result = evaluateRule(conditions, fixtureFacts(fixture, today), today);
    return {
      name: fixture.name,
      expected: fixture.expect,
      passed: result.holds === (fixture.expect === 'alert'),
      result,
    };
  });
}

/** Why a fixture failed, in words an editor can act on. */
export function fixtureFailure(run: FixtureResult): string {
  const name = JSON.stringify(run.name);
  if (run.expected === 'no_alert') return `fixture ${name} expected no alert, but the rule raised one`;
  const failed = run.result.clauses.find((c) => !c.holds)!;
  return (
    `fixture ${name} expected an alert, but the rule raised none: ` +
    `it needs ${failed.description} and found ${failed.signalIds.length} ` +
    `${failed.signalIds.length === 1 ? 'signal' : 'signals'} from ${failed.agencies} ` +
    `${failed.agencies === 1 ? 'agency' : 'agencies'}`
  );
}

// --- Showing saved JSON for editing ---------------------------------------------------------------

const INLINE_WIDTH = 80;

/** An object with no object inside it (a clause, a fixture signal) reads best on one line. */
const isLeaf = (v: object) =>
  Object.values(v).every((x) => x === null || typeof x !== 'object' || (Array.isArray(x) && isFlatList(x)));
const isFlatList = (list: unknown[]) => list.every((x) => x === null || typeof x !== 'object');

/** JSON for a textarea: short or flat parts on one line, the rest opened out, two spaces deep. */
export function formatRuleJson(value: unknown, indent = ''): string {
  const inline = (v: unknown): string =>
    Array.isArray(v)
      ? `[${v.map(inline).join(', ')}]`
      : v !== null && typeof v === 'object' && Object.keys(v).length
        ? `{ ${Object.entries(v)
            .map(([k, x]) => `${JSON.stringify(k)}: ${inline(x)}`)
            .join(', ')} }`
        : JSON.stringify(v);
  const flat = inline(value);
  if (value === null || typeof value !== 'object') return flat;
  if (flat.length + indent.length <= INLINE_WIDTH) return flat;
  if (Array.isArray(value) ? isFlatList(value) : isLeaf(value)) return flat;
  const inner = `${indent}  `;
  const lines = Array.isArray(value)
    ? value.map((v) => `${inner}${formatRuleJson(v, inner)}`)
    : Object.entries(value).map(([k, v]) => `${inner}${JSON.stringify(k)}: ${formatRuleJson(v, inner)}`);
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  return `${open}\n${lines.join(',\n')}\n${indent}${close}`;
}
