import { Faker, base, en, en_GB } from '@faker-js/faker';
import { sql } from 'kysely';
import type { Db, Tx } from '../../db/database.ts';
import type { RelationshipKind, Row } from '../../db/schema.ts';
import {
  BOYS_NAMES,
  FAMILY_NAMES,
  GIRLS_NAMES,
  MENS_NAMES,
  NORTHBRIDGE_LOCALITIES,
  NORTHBRIDGE_TOWN,
  WOMENS_NAMES,
  addressIn,
  housesIn,
  type Address,
  type LocalityCode,
} from './northbridge.ts';

/**
 * The people of the demo partnership: households in Northbridge, their carers and children, and the
 * relationships between them. Generated from a seeded random stream and written in batches, one
 * transaction each, so that a million children need no more memory than a few thousand.
 *
 * Relationships are directed as the table says (person_id is the <kind> of related_person_id):
 * 'parent', 'carer' and 'parental_responsibility' rows point from the adult to the child; 'sibling'
 * rows are written once per pair, from the elder sibling to the younger.
 */

export type SeedProgress = (childrenWritten: number) => void;

export type SeedPeopleOptions = {
  partnershipId: string;
  /** The partnership's locality rows; their codes must be Northbridge's (see NORTHBRIDGE_LOCALITIES). */
  localities: readonly { id: string; code: string }[];
  /** Children to create, unborn children included. */
  children: number;
  seed: number;
  /** Ages and due dates are counted from this day (UTC); the same day and seed give the same people. */
  asOf?: Date;
  onProgress?: SeedProgress;
};

export type PeopleCounts = { children: number; adults: number; households: number };

export async function seedPeople(db: Db, opts: SeedPeopleOptions): Promise<PeopleCounts> {
  const town = new NorthbridgeFamilies(opts);
  const written: PeopleCounts = { children: 0, adults: 0, households: 0 };
  while (written.children < opts.children) {
    const batch = town.nextBatch(opts.children - written.children);
    await db.transaction().execute((tx) => insertBatch(tx, opts.partnershipId, batch));
    written.children += batch.children;
    written.adults += batch.adults;
    written.households += batch.households.length;
    opts.onProgress?.(written.children);
  }
  return written;
}

/** What the partnership already holds: children (unborn included), adults and households. */
export async function countPeople(db: Db, partnershipId: string): Promise<PeopleCounts> {
  const people = await db
    .selectFrom('people')
    .select((eb) => [
      eb.fn.countAll<number>().filterWhere('kind', '!=', 'adult').as('children'),
      eb.fn.countAll<number>().filterWhere('kind', '=', 'adult').as('adults'),
    ])
    .where('partnershipId', '=', partnershipId)
    .executeTakeFirstOrThrow();
  const households = await db
    .selectFrom('households')
    .select((eb) => eb.fn.countAll<number>().as('households'))
    .where('partnershipId', '=', partnershipId)
    .executeTakeFirstOrThrow();
  return { children: people.children, adults: people.adults, households: households.households };
}

// ---------------------------------------------------------------------------------------------------
// Writing

/** Large enough that per-transaction overhead vanishes, small enough to keep memory flat. */
const HOUSEHOLDS_PER_BATCH = 2_000;

type HouseholdRow = Pick<Row<'households'>, 'id' | 'localityId' | 'addressLine1' | 'postcode'>;
type PersonRow = Pick<
  Row<'people'>,
  'id' | 'kind' | 'givenName' | 'familyName' | 'dateOfBirth' | 'expectedDate' | 'sex'
>;
type MemberRow = Pick<Row<'householdMembers'>, 'householdId' | 'personId' | 'startedOn'>;
type RelationshipRow = Pick<Row<'relationships'>, 'personId' | 'relatedPersonId' | 'kind' | 'startedOn'>;

type Batch = {
  households: HouseholdRow[];
  people: PersonRow[];
  members: MemberRow[];
  relationships: RelationshipRow[];
  children: number;
  adults: number;
};

/**
 * One INSERT per table, each column sent as a single array parameter and unnested by the server: no
 * bind-parameter limit to split around (PostgreSQL allows 65,535), and far less SQL to parse than
 * multi-row VALUES lists. Households and people first, as the other two tables refer to them.
 */
async function insertBatch(tx: Tx, partnershipId: string, batch: Batch): Promise<void> {
  const { households: h, people: p, members: m, relationships: r } = batch;
  await tx
    .insertInto('households')
    .columns(['partnershipId', 'town', 'id', 'localityId', 'addressLine1', 'postcode'])
    .expression(
      sql`select ${partnershipId}::uuid, ${NORTHBRIDGE_TOWN}, * from unnest(
        ${column(h, 'id')}::uuid[], ${column(h, 'localityId')}::uuid[],
        ${column(h, 'addressLine1')}::text[], ${column(h, 'postcode')}::text[])`,
    )
    .execute();
  await tx
    .insertInto('people')
    .columns(['partnershipId', 'id', 'kind', 'givenName', 'familyName', 'dateOfBirth', 'expectedDate', 'sex'])
    .expression(
      sql`select ${partnershipId}::uuid, * from unnest(
        ${column(p, 'id')}::uuid[], ${column(p, 'kind')}::text[], ${column(p, 'givenName')}::text[],
        ${column(p, 'familyName')}::text[], ${column(p, 'dateOfBirth')}::date[],
        ${column(p, 'expectedDate')}::date[], ${column(p, 'sex')}::text[])`,
    )
    .execute();
  await tx
    .insertInto('householdMembers')
    .columns(['partnershipId', 'householdId', 'personId', 'startedOn'])
    .expression(
      sql`select ${partnershipId}::uuid, * from unnest(
        ${column(m, 'householdId')}::uuid[], ${column(m, 'personId')}::uuid[], ${column(m, 'startedOn')}::date[])`,
    )
    .execute();
  await tx
    .insertInto('relationships')
    .columns(['partnershipId', 'personId', 'relatedPersonId', 'kind', 'startedOn'])
    .expression(
      sql`select ${partnershipId}::uuid, * from unnest(
        ${column(r, 'personId')}::uuid[], ${column(r, 'relatedPersonId')}::uuid[],
        ${column(r, 'kind')}::text[], ${column(r, 'startedOn')}::date[])`,
    )
    .execute();
}

function column<R, K extends keyof R>(rows: readonly R[], key: K): R[K][] {
  return rows.map((row) => row[key]);
}

// ---------------------------------------------------------------------------------------------------
// Generating

const DAY_MS = 86_400_000;
const years = (n: number) => Math.round(n * 365.25);
/** Just under 18 years, so that every child is 0–17 in whole years whatever the leap years. */
const MAX_CHILD_AGE = 18 * 365 - 1;
const MIN_ADULT_AGE = years(18);
const MAX_ADULT_AGE = years(60);
/** A pregnancy is booked well before the birth: due dates fall within the next nine months. */
const MAX_DAYS_TO_DUE_DATE = 270;

/** Children in a family with dependent children, roughly as the census counts them. */
const FAMILY_SIZES = [
  { value: 1, weight: 42 },
  { value: 2, weight: 38 },
  { value: 3, weight: 13 },
  { value: 4, weight: 5 },
  { value: 5, weight: 1.5 },
  { value: 6, weight: 0.5 },
];
/** With about 1.9 children a family, this makes about 1% of children unborn. */
const EXPECTING_SHARE = 0.019;
const TWIN_SHARE = 0.015;

type Arrangement =
  'two_parents' | 'mother_alone' | 'father_alone' | 'parent_and_partner' | 'grandparents' | 'relative';

const ARRANGEMENTS: { value: Arrangement; weight: number }[] = [
  { value: 'two_parents', weight: 58 },
  { value: 'mother_alone', weight: 22 },
  { value: 'father_alone', weight: 3 },
  { value: 'parent_and_partner', weight: 10 },
  { value: 'grandparents', weight: 4 },
  { value: 'relative', weight: 3 },
];
/** A family expecting a baby has the mother at home. */
const EXPECTING_ARRANGEMENTS: { value: Arrangement; weight: number }[] = [
  { value: 'two_parents', weight: 70 },
  { value: 'mother_alone', weight: 20 },
  { value: 'parent_and_partner', weight: 10 },
];

type Sex = 'female' | 'male';
/** An adult of the household, and what they are to its children. */
type Carer = { kind: RelationshipKind; sex: Sex; familyName: string; age: number };

type Family = {
  carers: Carer[];
  childrenFamilyName: string;
  /** The eldest child is the mother's from an earlier relationship: another family name, a step-father. */
  eldestIsHalfSibling: boolean;
};

/** A person as drawn; days are counted from 1970-01-01. */
type PersonDraft = { id: string; givenName: string | null; familyName: string; sex: Sex | 'unknown' } & (
  { kind: 'adult' | 'child'; born: number } | { kind: 'unborn'; due: number }
);

/** A child as drawn: age in days, or days until the due date for an unborn child. */
type ChildDraft = { age: number } | { dueIn: number };

/** The household being filled: where, since when, and the first names its children already have. */
type Home = { householdId: string; movedIn: number; siblingNames: Set<string> };

/**
 * Hands out a locality's addresses in a scattered but repeatable order: a step coprime with the number
 * of houses visits every house once before any address is used again (as a flat).
 */
class LocalityAddresses {
  private readonly houses: number;
  private readonly step: number;
  private given = 0;

  constructor(
    readonly id: string,
    private readonly code: LocalityCode,
    private readonly start: number,
  ) {
    this.houses = housesIn(code);
    // A step near the golden ratio of the count puts consecutive families far apart.
    this.step = coprimeNear(Math.round(this.houses * 0.618), this.houses);
  }

  next(): Address {
    const n = this.given++;
    const round = Math.floor(n / this.houses);
    return addressIn(this.code, round * this.houses + ((this.start + n * this.step) % this.houses));
  }
}

class NorthbridgeFamilies {
  /**
   * Names, dates and structure. Faker is the seeded random source; names come from Northbridge's own
   * lists, as faker's en_GB locale borrows its first names and surnames from the American lists.
   */
  private readonly random: Faker;
  /** Ids come from their own stream, keyed by the partnership too, so names do not depend on them. */
  private readonly ids: Faker;
  private readonly today: number;
  private readonly localities: { value: LocalityAddresses; weight: number }[];
  /** At most one entry per day in the 60-odd years that birth dates span. */
  private readonly isoDates = new Map<number, string>();

  constructor(opts: SeedPeopleOptions) {
    this.random = new Faker({ locale: [en_GB, en, base] });
    this.random.seed(opts.seed);
    this.ids = new Faker({ locale: base });
    this.ids.seed([opts.seed, ...uuidWords(opts.partnershipId)]);
    this.today = Math.floor((opts.asOf ?? new Date()).getTime() / DAY_MS);
    this.localities = this.localityAddresses(opts.localities);
  }

  /** The next batch of households, holding at most `childrenWanted` children. */
  nextBatch(childrenWanted: number): Batch {
    const batch: Batch = {
      households: [],
      people: [],
      members: [],
      relationships: [],
      children: 0,
      adults: 0,
    };
    while (batch.households.length < HOUSEHOLDS_PER_BATCH && batch.children < childrenWanted) {
      const size = this.random.helpers.weightedArrayElement(FAMILY_SIZES);
      this.addHousehold(batch, Math.min(size, childrenWanted - batch.children));
    }
    return batch;
  }

  private addHousehold(batch: Batch, childCount: number): void {
    const expecting = this.chance(EXPECTING_SHARE);
    const ages = this.childAges(expecting ? childCount - 1 : childCount, expecting);
    const drafts: ChildDraft[] = ages.map((age) => ({ age }));
    if (expecting) drafts.push({ dueIn: this.int(1, MAX_DAYS_TO_DUE_DATE) });
    const arrangement = this.random.helpers.weightedArrayElement(
      expecting ? EXPECTING_ARRANGEMENTS : ARRANGEMENTS,
    );
    const family = this.family(arrangement, ages, drafts.length);

    const householdId = this.newId();
    batch.households.push(this.address(householdId));
    // The carers moved in within the last 15 years, all of them adults by then.
    const youngestCarer = Math.min(...family.carers.map((c) => c.age));
    const movedIn = this.today - this.int(0, Math.min(years(15), youngestCarer - MIN_ADULT_AGE));
    const home: Home = { householdId, movedIn, siblingNames: new Set() };
    const carerIds = family.carers.map((carer) => this.addCarer(batch, home, carer));
    const children = drafts.map((draft, index) => {
      const halfSibling = index === 0 && family.eldestIsHalfSibling;
      const familyName = halfSibling ? this.familyName() : family.childrenFamilyName;
      const child = this.addChild(batch, home, draft, familyName);
      family.carers.forEach((carer, c) => {
        // A half-sibling's step-father is a carer, not a parent. A parent is one since the birth; any
        // other carer since the child came to live with them.
        const kind = halfSibling && carer.sex === 'male' ? 'carer' : carer.kind;
        batch.relationships.push(
          this.relationship(carerIds[c]!, child.id, kind, kind === 'parent' ? child.born : child.joined),
        );
      });
      return child;
    });
    children.forEach((elder, e) => {
      for (const younger of children.slice(e + 1)) {
        batch.relationships.push(this.relationship(elder.id, younger.id, 'sibling', younger.born));
      }
    });
    batch.adults += carerIds.length;
    batch.children += children.length;
  }

  private addCarer(batch: Batch, home: Home, carer: Carer): string {
    const id = this.newId();
    const { familyName, sex } = carer;
    const givenName = this.givenName(sex, WOMENS_NAMES, MENS_NAMES);
    batch.people.push(
      this.person({ id, kind: 'adult', givenName, familyName, sex, born: this.today - carer.age }),
    );
    batch.members.push({
      householdId: home.householdId,
      personId: id,
      startedOn: this.isoDate(home.movedIn),
    });
    return id;
  }

  /** Adds a child to the household; an unborn child joins it on the day it is recorded (today). */
  private addChild(batch: Batch, home: Home, draft: ChildDraft, familyName: string) {
    const id = this.newId();
    const born = 'age' in draft ? this.today - draft.age : null;
    const joined = born === null ? this.today : Math.max(born, home.movedIn);
    batch.people.push(this.childPerson(id, draft, familyName, home.siblingNames));
    batch.members.push({ householdId: home.householdId, personId: id, startedOn: this.isoDate(joined) });
    return { id, born, joined };
  }

  /**
   * Ages in days, eldest first: births one to five years apart, now and then twins. The ages wrap around
   * the range of child ages, which makes every age equally common, as in a real town (a family that wraps
   * has a teenager and a much younger child instead).
   */
  private childAges(count: number, expecting: boolean): number[] {
    if (count === 0) return [];
    // A mother expecting again has no newborn: the youngest is at least ten months old.
    const youngest = expecting ? 300 : 0;
    const range = MAX_CHILD_AGE + 1 - youngest;
    const gaps = Array.from({ length: count - 1 }, () =>
      this.chance(TWIN_SHARE) ? 0 : this.int(300, 1_800),
    );
    // Big families get closer gaps, so that a wrap still leaves ten months between two children.
    const room = range - 300;
    const span = gaps.reduce((a, b) => a + b, 0);
    const fitted = span > room ? gaps.map((g) => Math.floor((g * room) / span)) : gaps;
    const start = this.int(0, range - 1);
    let offset = 0;
    const ages = [youngest + start];
    for (const gap of fitted) {
      offset += gap;
      ages.push(youngest + ((start + offset) % range));
    }
    return ages.sort((a, b) => b - a);
  }

  /** The carers of children of these ages (in days, eldest first; none for a first baby on the way). */
  private family(arrangement: Arrangement, ages: readonly number[], childCount: number): Family {
    const eldestAge = ages[0] ?? 0;
    switch (arrangement) {
      case 'two_parents': {
        const father = this.familyName();
        const mother = this.chance(0.7) ? father : this.familyName();
        const motherAge = this.parentAge(ages);
        return {
          carers: [
            { kind: 'parent', sex: 'female', familyName: mother, age: motherAge },
            {
              kind: 'parent',
              sex: 'male',
              familyName: father,
              age: this.partnerAge(motherAge, eldestAge + MIN_ADULT_AGE),
            },
          ],
          childrenFamilyName: this.chance(0.85) ? father : mother,
          eldestIsHalfSibling: childCount > 1 && this.chance(0.1),
        };
      }
      case 'mother_alone':
      case 'father_alone': {
        const sex: Sex = arrangement === 'mother_alone' ? 'female' : 'male';
        const name = this.familyName();
        const carer: Carer = {
          kind: 'parent',
          sex,
          familyName: name,
          age: this.parentAge(ages),
        };
        return {
          carers: [carer],
          childrenFamilyName: this.chance(0.8) ? name : this.familyName(),
          eldestIsHalfSibling: false,
        };
      }
      case 'parent_and_partner': {
        const sex: Sex = this.chance(0.85) ? 'female' : 'male';
        const name = this.familyName();
        const age = this.parentAge(ages);
        const parent: Carer = { kind: 'parent', sex, familyName: name, age };
        const partner: Carer = {
          kind: 'carer',
          sex: sex === 'female' ? 'male' : 'female',
          familyName: this.chance(0.4) ? name : this.familyName(),
          age: this.partnerAge(age, MIN_ADULT_AGE),
        };
        return {
          carers: [parent, partner],
          childrenFamilyName: this.chance(0.6) ? name : this.familyName(),
          eldestIsHalfSibling: false,
        };
      }
      case 'grandparents':
      case 'relative':
        return this.kinshipFamily(arrangement, eldestAge);
    }
  }

  /** Children living with grandparents or an aunt or uncle: some under a court order that gives parental responsibility. */
  private kinshipFamily(arrangement: 'grandparents' | 'relative', eldestAge: number): Family {
    const name = this.familyName();
    const kind: RelationshipKind = this.chance(arrangement === 'grandparents' ? 0.6 : 0.3)
      ? 'parental_responsibility'
      : 'carer';
    const sex: Sex = this.chance(0.75) ? 'female' : 'male';
    const age =
      arrangement === 'grandparents'
        ? this.ageBetween(Math.max(eldestAge + years(36), years(38)), eldestAge + years(46))
        : this.ageBetween(Math.max(eldestAge + years(12), years(20)), eldestAge + years(30));
    const carers: Carer[] = [{ kind, sex, familyName: name, age }];
    if (arrangement === 'grandparents' && this.chance(0.3)) {
      const partnerSex: Sex = sex === 'female' ? 'male' : 'female';
      carers.push({
        kind,
        sex: partnerSex,
        familyName: name,
        age: this.partnerAge(age, years(38)),
      });
    }
    return {
      carers,
      childrenFamilyName: this.chance(0.5) ? name : this.familyName(),
      eldestIsHalfSibling: false,
    };
  }

  /** The (first) parent was 18 to 42 when the eldest was born, and at most 45 when the youngest was. */
  private parentAge(ages: readonly number[]): number {
    const eldest = ages[0] ?? 0;
    const youngest = ages.at(-1) ?? 0;
    return this.int(eldest + years(18), Math.min(eldest + years(42), youngest + years(45)));
  }

  /** A partner a few years younger or older, and old enough for the role. */
  private partnerAge(age: number, atLeast: number): number {
    return this.ageBetween(Math.max(age - years(4), atLeast, MIN_ADULT_AGE), age + years(8));
  }

  /** An adult's age in days, drawn from the range given, cut at 60 (the oldest carer the demo has). */
  private ageBetween(least: number, most: number): number {
    return this.int(least, Math.min(most, MAX_ADULT_AGE));
  }

  private childPerson(
    id: string,
    draft: ChildDraft,
    familyName: string,
    siblingNames: Set<string>,
  ): PersonRow {
    if ('dueIn' in draft) {
      // Often the sex is not yet known and the name not yet chosen.
      const sex = this.chance(0.4) ? this.sex() : 'unknown';
      const givenName = sex !== 'unknown' && this.chance(0.3) ? this.siblingName(sex, siblingNames) : null;
      return this.person({ id, kind: 'unborn', givenName, familyName, sex, due: this.today + draft.dueIn });
    }
    const sex = this.sex();
    const givenName = this.siblingName(sex, siblingNames);
    return this.person({ id, kind: 'child', givenName, familyName, sex, born: this.today - draft.age });
  }

  private person(p: PersonDraft): PersonRow {
    return {
      id: p.id,
      kind: p.kind,
      givenName: p.givenName,
      familyName: p.familyName,
      dateOfBirth: 'born' in p ? this.isoDate(p.born) : null,
      expectedDate: 'due' in p ? this.isoDate(p.due) : null,
      sex: p.sex,
    };
  }

  private relationship(
    personId: string,
    relatedPersonId: string,
    kind: RelationshipKind,
    since: number | null,
  ): RelationshipRow {
    return {
      personId,
      relatedPersonId,
      kind,
      startedOn: since === null ? null : this.isoDate(since),
    };
  }

  private address(id: string): HouseholdRow {
    const locality = this.random.helpers.weightedArrayElement(this.localities);
    const { line1, postcode } = locality.next();
    return { id, localityId: locality.id, addressLine1: line1, postcode };
  }

  /** Pairs each locality row with Northbridge's definition of it, weighted by its share of families. */
  private localityAddresses(
    rows: SeedPeopleOptions['localities'],
  ): { value: LocalityAddresses; weight: number }[] {
    if (rows.length === 0) throw new Error('Seeding people needs at least one locality');
    return rows.map(({ id, code }) => {
      const definition = NORTHBRIDGE_LOCALITIES.find((l) => l.code === code);
      if (!definition) {
        const known = NORTHBRIDGE_LOCALITIES.map((l) => l.code).join(', ');
        throw new Error(`Locality '${code}' is not one of Northbridge's (${known})`);
      }
      const start = this.int(0, housesIn(definition.code) - 1);
      return { value: new LocalityAddresses(id, definition.code, start), weight: definition.householdShare };
    });
  }

  /** A version-4 uuid from four 32-bit draws: far cheaper than faker's uuid, which draws each hex digit. */
  private newId(): string {
    const word = () => this.ids.number.int(0xffff_ffff).toString(16).padStart(8, '0');
    const [a, b, c, d] = [word(), word(), word(), word()];
    const variant = ((Number.parseInt(c.charAt(0), 16) & 0x3) | 0x8).toString(16);
    return `${a}-${b.slice(0, 4)}-4${b.slice(5)}-${variant}${c.slice(1, 4)}-${c.slice(4)}${d}`;
  }

  /** 'YYYY-MM-DD' for a day number; remembered, as formatting dates is the slowest step otherwise. */
  private isoDate(day: number): string {
    let date = this.isoDates.get(day);
    if (date === undefined) {
      date = new Date(day * DAY_MS).toISOString().slice(0, 10);
      this.isoDates.set(day, date);
    }
    return date;
  }

  /** Siblings get different first names (twins included). */
  private siblingName(sex: Sex, taken: Set<string>): string {
    let name = this.givenName(sex, GIRLS_NAMES, BOYS_NAMES);
    while (taken.has(name)) name = this.givenName(sex, GIRLS_NAMES, BOYS_NAMES);
    taken.add(name);
    return name;
  }

  private givenName(sex: Sex, female: readonly string[], male: readonly string[]): string {
    return this.random.helpers.arrayElement(sex === 'female' ? female : male);
  }

  private familyName(): string {
    return this.random.helpers.arrayElement(FAMILY_NAMES);
  }

  /** Slightly more boys than girls are born. */
  private sex(): Sex {
    return this.chance(0.512) ? 'male' : 'female';
  }

  private chance(probability: number): boolean {
    return this.random.datatype.boolean({ probability });
  }

  private int(min: number, max: number): number {
    return this.random.number.int({ min, max });
  }
}

/** The first number from `near` upwards that shares no factor with `n`. */
function coprimeNear(near: number, n: number): number {
  let step = Math.max(near, 1);
  while (greatestCommonDivisor(step, n) !== 1) step += 1;
  return step;
}

function greatestCommonDivisor(a: number, b: number): number {
  return b === 0 ? a : greatestCommonDivisor(b, a % b);
}

/** A uuid as four 32-bit numbers, to seed a random stream with. */
function uuidWords(uuid: string): number[] {
  return (uuid.replaceAll('-', '').match(/.{8}/g) ?? []).map((word) => Number.parseInt(word, 16));
}
