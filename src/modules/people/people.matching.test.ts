import { beforeAll, describe, expect, it } from 'vitest';
import { LINKAGE_CONFIG, bandOf } from './people.linkage-config.ts';
import type { LinkageRecord } from './people.linkage-io.ts';
import {
  GivenNameIndex,
  editDistance,
  explainPair,
  impliedPairs,
  matchRecords,
  prepareRecords,
  scorePair,
  type MatchModel,
  type ScoredPair,
} from './people.matching.ts';
import { modulus11CheckDigit } from './people.identifiers.ts';
import type { PreparedRecord } from './people.normalise.ts';
import { BOYS_NAMES, FAMILY_NAMES, GIRLS_NAMES } from './northbridge.ts';

/** A seeded generator, so the synthetic town is the same every run. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const next = random(7);
const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!;

/** NHS numbers in the test range 999 000 0000–999 999 9999, with a correct check digit. */
function nhsNumber(): string {
  for (;;) {
    const nine = `999${String(Math.floor(next() * 1e6)).padStart(6, '0')}`;
    const check = modulus11CheckDigit(nine);
    if (check !== undefined) return `${nine}${check}`;
  }
}

function typo(s: string): string {
  if (s.length < 3) return s;
  const i = 1 + Math.floor(next() * (s.length - 2));
  return `${s.slice(0, i)}${s[i + 1]}${s[i]}${s.slice(i + 2)}`;
}

const iso = (d: Date) => d.toISOString().slice(0, 10);

type Person = LinkageRecord & { person: number };

/** Children of a synthetic town, a third of them recorded twice with the errors agencies make. */
function town(size: number, duplicateRate = 0.35): Person[] {
  const people: Person[] = [];
  for (let p = 0; p < size; p++) {
    const girl = next() < 0.5;
    const base: Person = {
      person: p,
      id: `p${p}`,
      givenName: pick(girl ? GIRLS_NAMES : BOYS_NAMES),
      familyName: pick(FAMILY_NAMES),
      sex: girl ? 'F' : 'M',
      dateOfBirth: {
        value: iso(new Date(Date.UTC(2008, 0, 1) + Math.floor(next() * 16 * 365) * 86_400_000)),
        format: 'YYYY-MM-DD',
      },
      postcode: `NB${1 + Math.floor(next() * 11)} ${Math.floor(next() * 10)}${pick(['A', 'B', 'D', 'E'])}${pick(['F', 'G', 'H', 'J'])}`,
      streetNumber: String(1 + Math.floor(next() * 150)),
      addressLine1: `${pick(['Mill', 'Church', 'Station', 'Victoria', 'Park', 'Queen', 'Moor', 'Canal'])} ${pick(['Road', 'Street', 'Lane', 'Close'])}`,
      identifiers: next() < 0.6 ? { nhs: nhsNumber() } : {},
      extra: [],
    };
    people.push(base);
    if (next() < duplicateRate) {
      const dup: Person = { ...base, id: `p${p}-dup`, identifiers: next() < 0.5 ? base.identifiers : {} };
      if (next() < 0.15) dup.givenName = typo(dup.givenName!);
      if (next() < 0.1) dup.familyName = typo(dup.familyName!);
      if (next() < 0.1)
        dup.dateOfBirth = {
          ...base.dateOfBirth!,
          value: base.dateOfBirth!.value.replace(/(\d)$/, (d) => String((Number(d) + 1) % 10)),
        };
      if (next() < 0.2) dup.postcode = undefined;
      if (next() < 0.1) dup.addressLine1 = typo(dup.addressLine1!);
      people.push(dup);
    }
  }
  return people;
}

const child = (id: string, fields: Partial<LinkageRecord>): Person => ({
  person: -1,
  id,
  familyName: 'Whitworth',
  sex: 'F',
  dateOfBirth: { value: '2019-05-14', format: 'YYYY-MM-DD' },
  postcode: 'NB4 2DH',
  streetNumber: '27',
  addressLine1: 'Lapwing Close',
  identifiers: {},
  extra: [],
  ...fields,
});

const HAZARDS: Person[] = [
  // Twins and triplets: same surname, date of birth and address; different given names.
  child('twin-a', { givenName: 'Olivia' }),
  child('twin-b', { givenName: 'Sophia' }),
  child('trip-a', {
    givenName: 'Jack',
    sex: 'M',
    familyName: 'Okonkwo',
    dateOfBirth: { value: '2021-02-03', format: 'YYYY-MM-DD' },
  }),
  child('trip-b', {
    givenName: 'Jake',
    sex: 'M',
    familyName: 'Okonkwo',
    dateOfBirth: { value: '2021-02-03', format: 'YYYY-MM-DD' },
  }),
  child('trip-c', {
    givenName: 'Noah',
    sex: 'M',
    familyName: 'Okonkwo',
    dateOfBirth: { value: '2021-02-03', format: 'YYYY-MM-DD' },
  }),
  // Twins with different NHS numbers.
  child('nhs-twin-a', { givenName: 'Ella', familyName: 'Lindqvist', identifiers: { nhs: '9434765919' } }),
  child('nhs-twin-b', { givenName: 'Emma', familyName: 'Lindqvist', identifiers: { nhs: '9449306753' } }),
  // Siblings: same household, born two years apart.
  child('sib-a', { givenName: 'Harry', sex: 'M', familyName: 'Brennan' }),
  child('sib-b', {
    givenName: 'Henry',
    sex: 'M',
    familyName: 'Brennan',
    dateOfBirth: { value: '2017-03-09', format: 'YYYY-MM-DD' },
  }),
  // A father and his son of the same name, at the same address.
  child('junior', {
    givenName: 'Kwame',
    sex: 'M',
    familyName: 'Asante',
    dateOfBirth: { value: '2012-11-23', format: 'YYYY-MM-DD' },
  }),
  child('senior', {
    givenName: 'Kwame',
    sex: 'M',
    familyName: 'Asante',
    dateOfBirth: { value: '1989-07-24', format: 'YYYY-MM-DD' },
  }),
  // A newborn recorded as "baby of" the mother, later named; the mother; twins as "baby of".
  child('baby-of', {
    givenName: 'Baby of Sarah',
    familyName: 'Pennington',
    dateOfBirth: { value: '2025-11-02', format: 'YYYY-MM-DD' },
  }),
  child('baby-named', {
    givenName: 'Isla',
    familyName: 'Pennington',
    dateOfBirth: { value: '2025-11-02', format: 'YYYY-MM-DD' },
  }),
  child('baby-mother', {
    givenName: 'Sarah',
    familyName: 'Pennington',
    dateOfBirth: { value: '1994-07-21', format: 'YYYY-MM-DD' },
  }),
  child('baby-of-2', {
    givenName: 'Baby of Sarah',
    familyName: 'Pennington',
    dateOfBirth: { value: '2025-11-02', format: 'YYYY-MM-DD' },
  }),
  // A surname changed after a parent's marriage; the same child with an NHS number; a step-sibling.
  child('surname-old', { givenName: 'Amelia', familyName: 'Hartley', identifiers: { nhs: '6541003238' } }),
  child('surname-new', { givenName: 'Amelia', familyName: 'Obi', identifiers: { nhs: '6541003238' } }),
  child('surname-new-no-id', { givenName: 'Amelia', familyName: 'Obi' }),
  child('step-sibling', {
    givenName: 'Chidi',
    sex: 'M',
    familyName: 'Obi',
    dateOfBirth: { value: '2015-08-30', format: 'YYYY-MM-DD' },
  }),
  // Spellings across languages: one child, and two different children with one name.
  child('translit-a', {
    givenName: 'Mohammed',
    sex: 'M',
    familyName: 'Rahman',
    postcode: 'NB5 1QT',
    addressLine1: 'Canal Side',
    streetNumber: '3',
  }),
  child('translit-b', {
    givenName: 'Muhammad',
    sex: 'M',
    familyName: 'Rahman',
    postcode: 'NB5 1QT',
    addressLine1: 'Canal Side',
    streetNumber: '3',
  }),
  child('translit-other', {
    givenName: 'Muhammed',
    sex: 'M',
    familyName: 'Rahman',
    dateOfBirth: { value: '2012-01-17', format: 'YYYY-MM-DD' },
    postcode: 'NB9 4LP',
    addressLine1: 'Priory Road',
    streetNumber: '88',
  }),
  child('cyrillic-a', {
    givenName: 'Александр',
    sex: 'M',
    familyName: 'Иванов',
    postcode: 'NB7 3RW',
    addressLine1: 'Moor Lane',
    streetNumber: '9',
  }),
  child('cyrillic-b', {
    givenName: 'Aleksandr',
    sex: 'M',
    familyName: 'Ivanov',
    postcode: 'NB7 3RW',
    addressLine1: 'Moor Lane',
    streetNumber: '9',
  }),
];

let model: MatchModel;
let byId: Map<string, PreparedRecord>;
let population: Person[];
const score = (a: string, b: string) => scorePair(model, byId.get(a)!, byId.get(b)!);
const band = (a: string, b: string) => bandOf(score(a, b));

beforeAll(() => {
  population = [...town(1500), ...HAZARDS];
  const prepared = prepareRecords(population);
  byId = new Map(prepared.map((r) => [r.id, r]));
  model = matchRecords(prepared, null, { threshold: 0.5 }).model;
});

describe('estimating the model (EM)', () => {
  it('converges, and finds agreement likelier among matches than among non-matches', () => {
    expect(model.training.converged).toBe(true);
    for (const [k, c] of model.comparisons.entries()) {
      const { m, u } = model.parameters[k]!;
      expect(m[1]!, c.key).toBeGreaterThan(u[1]!);
      expect(model.weights[k]![1]!, c.key).toBeGreaterThan(model.weights[k]![c.levels.length - 1]!);
    }
  });

  it('recovers how often duplicates keep a field exactly', () => {
    const at = (key: string) => model.comparisons.findIndex((c) => c.key === key);
    // The town's duplicates keep the given name 85% of the time, the date of birth 90%.
    expect(model.parameters[at('given_name')]!.m[1]!).toBeGreaterThan(0.78);
    expect(model.parameters[at('given_name')]!.m[1]!).toBeLessThan(0.92);
    expect(model.parameters[at('date_of_birth')]!.m[1]!).toBeGreaterThan(0.83);
    expect(model.parameters[at('date_of_birth')]!.m[1]!).toBeLessThan(0.96);
  });

  it('finds the town’s duplicates with few mistakes', () => {
    const prepared = prepareRecords(population.filter((p) => p.person >= 0));
    const { pairs } = matchRecords(prepared, null);
    const person = new Map(population.map((p) => [p.id, p.person]));
    const right = pairs.filter((p) => person.get(prepared[p.left]!.id) === person.get(prepared[p.right]!.id));
    const truth = population.filter((p) => p.id.endsWith('-dup')).length;
    expect(right.length / pairs.length).toBeGreaterThan(0.99);
    expect(right.length / truth).toBeGreaterThan(0.9);
  });

  it('weighs agreement on a rare surname above agreement on a common one', () => {
    const at = model.comparisons.findIndex((c) => c.key === 'family_name');
    const adjust = model.termAdjustment[at]!;
    const counts = new Map<string, number>();
    for (const r of byId.values()) counts.set(r.family, (counts.get(r.family) ?? 0) + 1);
    const sorted = [...counts].filter(([f]) => f).sort((a, b) => b[1] - a[1]);
    expect(adjust(sorted[0]![0])).toBeLessThan(adjust(sorted[sorted.length - 1]![0]));
  });
});

describe("children's hazards", () => {
  it('never auto-links twins or triplets', () => {
    expect(band('twin-a', 'twin-b')).not.toBe('auto-link');
    for (const [a, b] of [
      ['trip-a', 'trip-b'],
      ['trip-a', 'trip-c'],
      ['trip-b', 'trip-c'],
    ] as const)
      expect(band(a, b)).not.toBe('auto-link');
    expect(band('nhs-twin-a', 'nhs-twin-b')).toBe('no link');
  });

  it('does not link siblings', () => {
    expect(band('sib-a', 'sib-b')).toBe('no link');
  });

  it('does not link a parent and a child of the same name', () => {
    expect(band('junior', 'senior')).toBe('no link');
    expect(explainPair(model, byId.get('junior')!, byId.get('senior')!).guard).toMatch(/years apart/);
  });

  it('holds "baby of" records for a person, and never links them to the mother', () => {
    expect(band('baby-of', 'baby-mother')).toBe('no link');
    expect(band('baby-of', 'baby-named')).not.toBe('auto-link');
    expect(band('baby-of', 'baby-of-2')).not.toBe('auto-link');
    expect(explainPair(model, byId.get('baby-of')!, byId.get('baby-named')!).guard).toMatch(/placeholder/);
  });

  it('follows a surname change through the NHS number, and does not link a step-sibling', () => {
    expect(band('surname-old', 'surname-new')).toBe('auto-link');
    expect(band('surname-old', 'surname-new-no-id')).not.toBe('no link');
    expect(band('surname-new-no-id', 'step-sibling')).toBe('no link');
    expect(band('surname-new', 'step-sibling')).toBe('no link');
  });

  it('matches spellings across languages of one child, not of different children', () => {
    expect(band('translit-a', 'translit-b')).toBe('auto-link');
    expect(band('cyrillic-a', 'cyrillic-b')).toBe('auto-link');
    expect(band('translit-a', 'translit-other')).toBe('no link');
  });
});

describe('telling a misspelt given name from a different one (twins guard)', () => {
  const names = (list: Record<string, number>) =>
    new GivenNameIndex(Object.entries(list).flatMap(([n, c]) => new Array<string>(c).fill(n)));

  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('kia', 'kai')).toBe(1);
    expect(editDistance('harley', 'haryley')).toBe(1);
    expect(editDistance('jack', 'jake')).toBe(2);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('abcdef', 'uvwxyz', 2)).toBeGreaterThan(2);
  });

  it('lets a name seen once be a misspelling of its one nearest well-attested name', () => {
    const index = names({ william: 5, rachel: 4, harley: 4, hayley: 4, jack: 6, jake: 6, willaim: 1 });
    expect(index.misspelt('willaim', 'william')).toBe(true);
    expect(index.misspelt('william', 'willaim')).toBe(true);
    // Both rare, both nearest to Rachel.
    expect(index.misspelt('rahcel', 'rachyel')).toBe(true);
  });

  it('holds two names in use, an ambiguous misspelling, a far one, and one nearer another name', () => {
    const index = names({ jack: 6, jake: 6, harley: 4, hayley: 4, oliver: 5, ava: 3, eva: 3 });
    expect(index.misspelt('jack', 'jake')).toBe(false);
    expect(index.misspelt('ava', 'eva')).toBe(false);
    // "haryley" is one edit from Harley and from Hayley: twins may be called Harley and Hayley.
    expect(index.misspelt('haryley', 'harley')).toBe(false);
    // "jkae" is a misspelling of Jake, not of his twin Jack.
    expect(index.misspelt('jkae', 'jack')).toBe(false);
    expect(index.misspelt('jkae', 'jake')).toBe(true);
    // Within two edits (a swap counts as one), or too far from any name to say.
    expect(index.misspelt('oievr', 'oliver')).toBe(true);
    expect(index.misspelt('oxxvxr', 'oliver')).toBe(false);
    // A name seen twice is not rare; a missing name is no misspelling.
    expect(names({ jack: 6, jakc: 2 }).misspelt('jakc', 'jack')).toBe(false);
    expect(index.misspelt('', 'jack')).toBe(false);
  });

  it('never auto-links twins or triplets whose names are near, even with a typing error', () => {
    const twins = prepareRecords([
      ...town(600),
      child('near-a', { givenName: 'Jack', sex: 'M', familyName: 'Achterberg' }),
      child('near-b', { givenName: 'Jake', sex: 'M', familyName: 'Achterberg' }),
      child('near-b-typo', { givenName: 'Jkae', sex: 'M', familyName: 'Achterberg' }),
      child('ella', { givenName: 'Ella', familyName: 'Achterberg' }),
      child('emma', { givenName: 'Emma', familyName: 'Achterberg' }),
    ]);
    const own = matchRecords(twins, null, { threshold: 0.5 }).model;
    const at = (id: string) => twins.find((r) => r.id === id)!;
    expect(bandOf(scorePair(own, at('near-a'), at('near-b')))).not.toBe('auto-link');
    expect(bandOf(scorePair(own, at('near-a'), at('near-b-typo')))).not.toBe('auto-link');
    expect(bandOf(scorePair(own, at('ella'), at('emma')))).not.toBe('auto-link');
  });

  it('without a name index (a model built by hand), holds every near given name', () => {
    const a = byId.get('trip-a')!;
    const b = byId.get('trip-b')!;
    expect(scorePair({ ...model, givenNames: undefined }, a, b)).toBeLessThanOrEqual(
      LINKAGE_CONFIG.guards.reviewCeiling,
    );
  });
});

describe('pairs implied by links', () => {
  it('adds A–C when A–B and B–C are linked, and nothing for lone pairs', () => {
    const people = prepareRecords([
      child('x1', { givenName: 'Rosalind', familyName: 'Featherstonehaugh' }),
      child('x2', { givenName: 'Rosalind', familyName: 'Featherstonehaugh', postcode: undefined }),
      child('x3', { givenName: 'Rosalind', familyName: 'Featherstonehaugh', streetNumber: undefined }),
      child('y1', { givenName: 'Tobias', sex: 'M', familyName: 'Quennell' }),
      child('y2', { givenName: 'Tobias', sex: 'M', familyName: 'Quennell' }),
    ]);
    const links: ScoredPair[] = [
      { left: 0, right: 1, probability: 0.995, raw: 0.995 },
      { left: 1, right: 2, probability: 0.999, raw: 0.999 },
      { left: 3, right: 4, probability: 0.999, raw: 0.999 },
    ];
    const implied = impliedPairs(model, people, null, links, LINKAGE_CONFIG.bands.autoLink);
    expect(implied).toEqual([{ left: 0, right: 2, probability: 0.995, raw: 0.995, implied: true }]);
    // Links below the line join nothing.
    expect(impliedPairs(model, people, null, links, 0.9999)).toEqual([]);
  });

  it('never joins twins through a record that has no given name', () => {
    const people = prepareRecords([
      child('t-olivia', { givenName: 'Olivia' }),
      child('t-none', {}),
      child('t-sophia', { givenName: 'Sophia' }),
    ]);
    const links: ScoredPair[] = [
      { left: 0, right: 1, probability: 0.999, raw: 0.999 },
      { left: 1, right: 2, probability: 0.999, raw: 0.999 },
    ];
    expect(impliedPairs(model, people, null, links, LINKAGE_CONFIG.bands.autoLink)).toEqual([]);
  });

  it('links two files only left to right, and can be turned off', () => {
    const left = prepareRecords([
      child('l1', { givenName: 'Rosalind', familyName: 'Featherstonehaugh' }),
      child('l2', { givenName: 'Rosalind', familyName: 'Featherstonehaugh', postcode: undefined }),
    ]);
    const right = prepareRecords([child('r1', { givenName: 'Rosalind', familyName: 'Featherstonehaugh' })]);
    const links: ScoredPair[] = [{ left: 0, right: 0, probability: 0.999, raw: 0.999 }];
    expect(impliedPairs(model, left, right, links, 0.99)).toEqual([]);
    const both: ScoredPair[] = [...links, { left: 1, right: 0, probability: 0.995, raw: 0.995 }];
    expect(impliedPairs(model, left, right, both, 0.99)).toEqual([]);
    const people = prepareRecords(town(300));
    const on = matchRecords(people, null).pairs;
    const off = matchRecords(people, null, { implied: false }).pairs;
    expect(off.every((p) => !p.implied)).toBe(true);
    expect(on.length).toBeGreaterThanOrEqual(off.length);
  });
});

describe('explanations', () => {
  it('give every comparison its level and weight, adding up to the score', () => {
    const e = explainPair(model, byId.get('translit-a')!, byId.get('translit-b')!);
    expect(e.comparisons.map((c) => c.key)).toEqual(model.comparisons.map((c) => c.key));
    const given = e.comparisons.find((c) => c.key === 'given_name')!;
    expect(given.level).toMatch(/nickname, variant/);
    const sum = e.priorBits + e.comparisons.reduce((s, c) => s + c.weightBits + c.termFrequencyBits, 0);
    expect(sum).toBeCloseTo(e.totalBits, 9);
    expect(e.probability).toBeCloseTo(1 / (1 + 2 ** -e.totalBits), 9);
    expect(e.band).toBe('auto-link');
  });

  it('bands by the configured thresholds', () => {
    expect(bandOf(LINKAGE_CONFIG.bands.autoLink)).toBe('auto-link');
    expect(bandOf(LINKAGE_CONFIG.bands.review)).toBe('review');
    expect(bandOf(LINKAGE_CONFIG.bands.review - 1e-9)).toBe('no link');
  });
});

describe('linking two files', () => {
  it('finds each pair once and reports blocking', () => {
    const people = town(400, 0);
    const left = prepareRecords(people);
    const right = prepareRecords(
      people.filter((_, i) => i % 2 === 0).map((p) => ({ ...p, id: `${p.id}-r` })),
    );
    const { pairs, stats } = matchRecords(left, right);
    expect(stats.candidates).toBeLessThan(left.length * right.length * 0.2);
    const found = new Set(pairs.map((p) => `${left[p.left]!.id}-r` === right[p.right]!.id));
    expect([...found]).toEqual([true]);
    expect(pairs.length).toBeGreaterThan(right.length * 0.95);
  });
});
