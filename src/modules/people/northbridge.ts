/**
 * Northbridge: the fictional English town of the demo partnership. Its localities, streets, postcodes
 * and the names its families give their children. 'NB' is not a real UK postcode area, so no demo
 * address can be mistaken for a real one, yet every postcode has the real format.
 */

export const NORTHBRIDGE_TOWN = 'Northbridge';

export type LocalityCode = 'north' | 'south' | 'east' | 'west';

export type LocalityDefinition = {
  code: LocalityCode;
  name: string;
  postcodeDistricts: readonly string[];
  /** The locality's share of the town's families: uneven, as real localities are. */
  householdShare: number;
};

export const NORTHBRIDGE_LOCALITIES: readonly LocalityDefinition[] = [
  {
    code: 'north',
    name: 'Highfield and Moorside',
    postcodeDistricts: ['NB1', 'NB2', 'NB3'],
    householdShare: 0.3,
  },
  { code: 'south', name: 'Southgate', postcodeDistricts: ['NB7', 'NB8'], householdShare: 0.17 },
  {
    code: 'east',
    name: 'Eastbrook and Canal Side',
    postcodeDistricts: ['NB4', 'NB5', 'NB6'],
    householdShare: 0.34,
  },
  {
    code: 'west',
    name: 'Westfield and Priory',
    postcodeDistricts: ['NB9', 'NB10', 'NB11'],
    householdShare: 0.19,
  },
];

type Street = {
  name: string;
  postcodeDistrict: string;
  /** House numbers run from 1 to this. */
  houses: number;
  /** The street's first postcode unit within its district; each unit covers HOUSES_PER_POSTCODE houses. */
  firstPostcodeUnit: number;
  /** The street's first house in the locality's numbering of all its houses. */
  firstSlot: number;
};

const HOUSES_PER_POSTCODE = 16;

// prettier-ignore
const STREET_STEMS = [
  'Elm', 'Oak', 'Ash', 'Beech', 'Birch', 'Cedar', 'Chestnut', 'Hawthorn', 'Hazel', 'Holly', 'Laurel',
  'Maple', 'Poplar', 'Rowan', 'Sycamore', 'Willow', 'Yew', 'Alder', 'Linden', 'Juniper', 'Church', 'Mill',
  'Station', 'Bridge', 'Market', 'School', 'Park', 'Victoria', 'Albert', "Queen's", "King's", 'Princes',
  'York', 'Windsor', 'Stanley', 'Gladstone', 'Nelson', 'Wellington', 'Cromwell', 'Milton', 'Shakespeare',
  'Chaucer', 'Tennyson', 'Byron', 'Wordsworth', 'Darwin', 'Newton', 'Brunel', 'Telford', 'Stephenson',
  'Priory', 'Abbey', 'Chapel', 'Castle', 'Manor', 'Grange', 'Rectory', 'Vicarage', 'Meadow', 'Orchard',
  'Brook', 'River', 'Canal', 'Lock', 'Wharf', 'Forge', 'Foundry', 'Quarry', 'Moor', 'Heath', 'Fell', 'Beck',
  'Lark', 'Wren', 'Robin', 'Swallow', 'Kestrel', 'Heron', 'Thrush', 'Linnet',
] as const;

// prettier-ignore
const STREET_SUFFIXES = [
  'Road', 'Street', 'Lane', 'Avenue', 'Close', 'Drive', 'Grove', 'Crescent', 'Way', 'Terrace', 'Gardens',
  'Place',
] as const;

/** Letters allowed in the last two characters of a UK postcode (no C, I, K, M, O or V). */
const INWARD_LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';
/** Digit + two letters: 10 × 20 × 20 distinct inward codes per district. */
const INWARD_CODES = 10 * INWARD_LETTERS.length * INWARD_LETTERS.length;

/**
 * The postcode of a unit within a district, e.g. 'NB4 7QT'. Units are spread over the inward codes by a
 * multiplier coprime with their number, so neighbouring units get unrelated-looking codes, never the same one.
 */
function postcodeOf(district: string, unit: number): string {
  const code = (unit * 1237 + 211) % INWARD_CODES;
  const letters = INWARD_LETTERS.length;
  const sector = Math.floor(code / (letters * letters));
  const first = INWARD_LETTERS[Math.floor(code / letters) % letters];
  const second = INWARD_LETTERS[code % letters];
  return `${district} ${sector}${first}${second}`;
}

/**
 * Every stem-and-suffix street belongs to one locality (a fixed mix, so each locality has some of every
 * kind of street), and within it to one postcode district. Built once; the same on every run.
 */
function buildStreets(): ReadonlyMap<LocalityCode, readonly Street[]> {
  const streets = new Map<LocalityCode, Street[]>(NORTHBRIDGE_LOCALITIES.map((l) => [l.code, []]));
  const nextUnit = new Map<string, number>();
  STREET_STEMS.forEach((stem, s) => {
    STREET_SUFFIXES.forEach((suffix, f) => {
      const locality = NORTHBRIDGE_LOCALITIES[(s * 13 + f * 7 + s * f) % NORTHBRIDGE_LOCALITIES.length]!;
      const inLocality = streets.get(locality.code)!;
      const district = locality.postcodeDistricts[inLocality.length % locality.postcodeDistricts.length]!;
      const houses = 40 + ((s * 37 + f * 11) % 161);
      const firstPostcodeUnit = nextUnit.get(district) ?? 0;
      nextUnit.set(district, firstPostcodeUnit + Math.ceil(houses / HOUSES_PER_POSTCODE));
      const previous = inLocality.at(-1);
      const firstSlot = previous ? previous.firstSlot + previous.houses : 0;
      inLocality.push({
        name: `${stem} ${suffix}`,
        postcodeDistrict: district,
        houses,
        firstPostcodeUnit,
        firstSlot,
      });
    });
  });
  return streets;
}

const STREETS = buildStreets();

function streetsOf(code: LocalityCode): readonly Street[] {
  return STREETS.get(code)!;
}

/** How many houses the locality's streets hold. */
export function housesIn(code: LocalityCode): number {
  const last = streetsOf(code).at(-1)!;
  return last.firstSlot + last.houses;
}

export type Address = { line1: string; postcode: string };

/**
 * The address of the locality's house number `slot` (counting every house of every street from 0).
 * Slots past the last house start again as flats (Flat 1, then Flat 2...), so every slot is a distinct
 * address however many families a demo asks for.
 */
export function addressIn(code: LocalityCode, slot: number): Address {
  const houses = housesIn(code);
  const flat = Math.floor(slot / houses);
  const street = streetAt(streetsOf(code), slot % houses);
  const house = (slot % houses) - street.firstSlot + 1;
  const unit = street.firstPostcodeUnit + Math.floor((house - 1) / HOUSES_PER_POSTCODE);
  return {
    line1: `${flat > 0 ? `Flat ${flat}, ` : ''}${house} ${street.name}`,
    postcode: postcodeOf(street.postcodeDistrict, unit),
  };
}

/** The street holding a house slot: a binary search over the streets' first slots. */
function streetAt(streets: readonly Street[], slot: number): Street {
  let low = 0;
  let high = streets.length - 1;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (streets[middle]!.firstSlot <= slot) low = middle;
    else high = middle - 1;
  }
  return streets[low]!;
}

/*
 * Names, chosen to sound like a present-day English town: children's names from the last two decades'
 * most popular baby names, adults' from the decades they were born in, surnames from the most common in
 * England and Wales, with the spread of heritage a real town has (and a few apostrophes and accents).
 */

// prettier-ignore
export const GIRLS_NAMES = [
  'Olivia', 'Amelia', 'Isla', 'Ava', 'Lily', 'Freya', 'Ivy', 'Florence', 'Willow', 'Sophia', 'Grace', 'Mia',
  'Isabella', 'Evie', 'Poppy', 'Ella', 'Emily', 'Sophie', 'Jessica', 'Chloe', 'Ruby', 'Daisy', 'Phoebe',
  'Millie', 'Harper', 'Rosie', 'Sienna', 'Matilda', 'Evelyn', 'Elsie', 'Layla', 'Maya', 'Aria', 'Hallie',
  'Zara', 'Maisie', 'Esme', 'Erin', 'Holly', 'Scarlett', 'Lucy', 'Eva', 'Imogen', 'Isabelle', 'Charlotte',
  'Megan', 'Hannah', 'Lola', 'Darcie', 'Ellie', 'Amber', 'Alice', 'Georgia', 'Harriet', 'Summer', 'Nancy',
  'Bonnie', 'Thea', 'Mila', 'Violet', 'Aisha', 'Fatima', 'Maryam', 'Zainab', 'Hafsa', 'Amélie', 'Niamh',
  'Maja', 'Zuzanna', 'Amira', 'Leah', 'Abigail', 'Molly', 'Katie', 'Bethany', 'Lacey', 'Elizabeth', 'Emma',
  'Anna', 'Ada', 'Iris', 'Penelope', 'Mabel', 'Luna', 'Eliza', 'Orla', 'Jasmine', 'Keira', 'Tilly', 'Robyn',
] as const;

// prettier-ignore
export const BOYS_NAMES = [
  'Oliver', 'Noah', 'George', 'Arthur', 'Muhammad', 'Leo', 'Harry', 'Oscar', 'Archie', 'Henry', 'Theodore',
  'Freddie', 'Jack', 'Charlie', 'Theo', 'Jacob', 'Thomas', 'William', 'James', 'Alfie', 'Joshua', 'Finley',
  'Isaac', 'Lucas', 'Edward', 'Tommy', 'Jude', 'Albert', 'Reggie', 'Ronnie', 'Teddy', 'Max', 'Ethan',
  'Daniel', 'Samuel', 'Joseph', 'Logan', 'Mason', 'Riley', 'Dylan', 'Harrison', 'Toby', 'Elijah', 'Louie',
  'Hugo', 'Rory', 'Jaxon', 'Alexander', 'Benjamin', 'Sebastian', 'Adam', 'Ibrahim', 'Yusuf', 'Ayaan', 'Zayn',
  'Kai', 'Jayden', 'Tyler', 'Callum', 'Kieran', 'Liam', 'Nathan', 'Ryan', 'Lewis', 'Connor', 'Ben', 'Luke',
  'Matthew', 'Aaron', 'Jakub', 'Filip', 'Kacper', 'Zachary', 'Hunter', 'Bobby', 'Stanley', 'Frankie', 'Ezra',
  'Caleb', 'Rowan', 'Luca', 'Ollie', 'Jenson', 'Carter', 'Kwame', 'Tobi',
] as const;

// prettier-ignore
export const WOMENS_NAMES = [
  'Sarah', 'Emma', 'Laura', 'Rebecca', 'Gemma', 'Claire', 'Nicola', 'Lisa', 'Kelly', 'Hayley', 'Rachel',
  'Amy', 'Jennifer', 'Louise', 'Victoria', 'Samantha', 'Charlotte', 'Stacey', 'Kerry', 'Natalie', 'Joanne',
  'Michelle', 'Donna', 'Katie', 'Lauren', 'Jade', 'Sophie', 'Chloe', 'Hannah', 'Danielle', 'Leanne', 'Zoe',
  'Karen', 'Helen', 'Amanda', 'Kirsty', 'Jessica', 'Megan', 'Abbie', 'Shannon', 'Courtney', 'Paige',
  'Bethany', 'Holly', 'Ellie', 'Aimee', 'Jodie', 'Carly', 'Sadia', 'Nadia', 'Ayesha', 'Shabana', 'Farah',
  'Priya', 'Anita', 'Agnieszka', 'Katarzyna', 'Joanna', 'Precious', 'Grace', 'Chantelle', 'Tracey', 'Julie',
  'Susan', 'Angela', 'Dawn', 'Lynne', 'Jacqueline', 'Alison', 'Catherine', 'Kate', 'Lucy', 'Georgia',
  'Eleanor', 'Siobhan', 'Chidinma',
] as const;

// prettier-ignore
export const MENS_NAMES = [
  'David', 'Paul', 'Mark', 'Andrew', 'Richard', 'Daniel', 'James', 'Christopher', 'Michael', 'Matthew',
  'Stephen', 'Lee', 'Craig', 'Gary', 'Darren', 'Jason', 'Wayne', 'Dean', 'Scott', 'Simon', 'Neil', 'Jamie',
  'Ryan', 'Adam', 'Thomas', 'Robert', 'John', 'Ian', 'Kevin', 'Carl', 'Liam', 'Luke', 'Jack', 'Joshua',
  'Connor', 'Callum', 'Nathan', 'Jordan', 'Kyle', 'Aaron', 'Ben', 'Sam', 'Tom', 'Josh', 'Lewis', 'Jake',
  'Bradley', 'Ashley', 'Mohammed', 'Imran', 'Asif', 'Tariq', 'Omar', 'Rajesh', 'Sanjay', 'Piotr', 'Tomasz',
  'Marek', 'Emmanuel', 'Kwame', 'Anthony', 'Martin', 'Peter', 'Shaun', 'Stuart', 'Graham', 'Philip', 'Alan',
  'Steven', 'Gareth', 'Owen', 'Rhys', 'Dominic', 'Joe', 'Declan', 'Chinedu',
] as const;

// prettier-ignore
export const FAMILY_NAMES = [
  'Smith', 'Jones', 'Williams', 'Taylor', 'Brown', 'Davies', 'Evans', 'Wilson', 'Thomas', 'Johnson',
  'Roberts', 'Robinson', 'Thompson', 'Wright', 'Walker', 'White', 'Edwards', 'Hughes', 'Green', 'Hall',
  'Lewis', 'Harris', 'Clarke', 'Patel', 'Jackson', 'Wood', 'Turner', 'Martin', 'Cooper', 'Hill', 'Ward',
  'Morris', 'Moore', 'Clark', 'Lee', 'King', 'Baker', 'Harrison', 'Morgan', 'Allen', 'James', 'Scott',
  'Phillips', 'Watson', 'Davis', 'Parker', 'Price', 'Bennett', 'Young', 'Griffiths', 'Mitchell', 'Kelly',
  'Cook', 'Carter', 'Richardson', 'Bailey', 'Collins', 'Bell', 'Shaw', 'Murphy', 'Miller', 'Cox', 'Richards',
  'Khan', 'Marshall', 'Anderson', 'Simpson', 'Ellis', 'Adams', 'Singh', 'Begum', 'Wilkinson', 'Foster',
  'Chapman', 'Powell', 'Webb', 'Rogers', 'Gray', 'Mason', 'Ali', 'Hunt', 'Hussain', 'Campbell', 'Matthews',
  'Owen', 'Palmer', 'Holmes', 'Mills', 'Barnes', 'Knight', 'Lloyd', 'Butler', 'Russell', 'Barker', 'Fisher',
  'Stevens', 'Jenkins', 'Murray', 'Dixon', 'Harvey', 'Graham', 'Pearson', 'Ahmed', 'Fletcher', 'Walsh',
  'Kaur', 'Gibson', 'Howard', 'Andrews', 'Stewart', 'Elliott', 'Reynolds', 'Saunders', 'Payne', 'Fox',
  'Ford', 'Pearce', 'Day', 'Brooks', 'West', 'Lawrence', 'Cole', 'Atkinson', 'Bradley', 'Spencer', 'Gill',
  'Dawson', 'Ball', 'Burton', "O'Brien", 'Watts', 'Rose', 'Booth', 'Perry', 'Ryan', 'Grant', 'Wells',
  'Armstrong', 'Francis', 'Rees', 'Hayes', 'Hart', 'Hudson', 'Newman', 'Barrett', 'Webster', 'Hunter',
  'Gregory', 'Carr', 'Lowe', 'Page', 'Marsh', 'Riley', 'Dunn', 'Woods', 'Parsons', 'Berry', 'Stone', 'Reid',
  'Holland', 'Hawkins', 'Harding', 'Porter', 'Robertson', 'Newton', 'Oliver', 'Reed', 'Kennedy',
  'Williamson', 'Bird', 'Gardner', 'Shah', 'Dean', 'Lane', 'Cooke', 'Bates', 'Henderson', 'Parry', 'Burgess',
  'Bishop', 'Walton', 'Burns', 'Nicholson', 'Shepherd', 'Ross', 'Cross', 'Long', 'Freeman', 'Warren',
  'Nicholls', 'Hamilton', 'Byrne', 'Sutton', 'McDonald', 'Yates', 'Hodgson', 'Robson', 'Curtis', 'Hopkins',
  "O'Connor", 'Harper', 'Coleman', 'Watkins', 'Moss', 'McCarthy', 'Chambers', "O'Neill", 'Griffin', 'Sharp',
  'Hardy', 'Wheeler', 'Potter', 'Osborne', 'Johnston', 'Gordon', 'Doyle', 'Wallace', 'George', 'Jordan',
  'Hutchinson', 'Rahman', 'Miah', 'Mahmood', 'Iqbal', 'Nowak', 'Wójcik', 'Kaczmarek', 'Okafor', 'Mensah',
  'Adeyemi', 'Osei', 'Nguyen', 'Chen', 'Wong', 'Mohamed', 'Hassan', 'Abdi', 'Popescu', 'Silva', 'Da Costa',
  'Smith-Jones',
] as const;

/*
 * Where Northbridge is. The town is made up, so are its coordinates: a centre in the north of England
 * (53.80 N, 1.55 W) with each locality a few miles across on its own side of it, each postcode district
 * a neighbourhood within its locality, and each street's postcodes a short line within its district.
 * Everything below is computed from the street list with a fixed seed, so it is the same on every run.
 */

export const NORTHBRIDGE_CENTRE = { latitude: 53.8, longitude: -1.55 } as const;

export type NeighbourhoodDefinition = {
  name: string;
  locality: LocalityCode;
  postcodeDistrict: string;
  /** Where the district's heart is, in miles east and north of the town centre. */
  east: number;
  north: number;
};

/** One named neighbourhood per postcode district: the names services give in their addresses. */
export const NORTHBRIDGE_NEIGHBOURHOODS: readonly NeighbourhoodDefinition[] = [
  { name: 'Highfield', locality: 'north', postcodeDistrict: 'NB1', east: 0.3, north: 0.9 },
  { name: 'Moorside', locality: 'north', postcodeDistrict: 'NB2', east: -0.9, north: 2.2 },
  { name: 'Hill Top', locality: 'north', postcodeDistrict: 'NB3', east: 1.0, north: 2.4 },
  { name: 'Eastbrook', locality: 'east', postcodeDistrict: 'NB4', east: 1.1, north: -0.1 },
  { name: 'Canal Side', locality: 'east', postcodeDistrict: 'NB5', east: 2.3, north: 0.8 },
  { name: 'Millbank', locality: 'east', postcodeDistrict: 'NB6', east: 2.4, north: -0.9 },
  { name: 'Southgate', locality: 'south', postcodeDistrict: 'NB7', east: 0.1, north: -1.2 },
  { name: 'Ashton Green', locality: 'south', postcodeDistrict: 'NB8', east: -0.3, north: -2.5 },
  { name: 'Westfield', locality: 'west', postcodeDistrict: 'NB9', east: -1.1, north: 0.0 },
  { name: 'Priory', locality: 'west', postcodeDistrict: 'NB10', east: -2.3, north: 0.9 },
  { name: 'Larkhill', locality: 'west', postcodeDistrict: 'NB11', east: -2.2, north: -1.0 },
];

export type NorthbridgePlace = {
  key: string;
  kind: 'postcode' | 'outcode' | 'place';
  label: string;
  latitude: number;
  longitude: number;
};

/** How far streets lie from their district's heart, at most, in miles. */
const DISTRICT_RADIUS_MILES = 0.8;
/** The distance between neighbouring postcodes along a street, in miles (about 50 metres). */
const POSTCODE_SPACING_MILES = 0.03;
const MILES_PER_DEGREE_LATITUDE = 69.05;
const MILES_PER_DEGREE_LONGITUDE = 69.17 * Math.cos((NORTHBRIDGE_CENTRE.latitude * Math.PI) / 180);

/** Miles east and north of the centre as coordinates, to six decimal places (about 10 cm). */
function coordinates(east: number, north: number) {
  const round = (v: number) => Math.round(v * 1e6) / 1e6;
  return {
    latitude: round(NORTHBRIDGE_CENTRE.latitude + north / MILES_PER_DEGREE_LATITUDE),
    longitude: round(NORTHBRIDGE_CENTRE.longitude + east / MILES_PER_DEGREE_LONGITUDE),
  };
}

/** A small seeded generator (mulberry32) from a text: the same text always gives the same numbers. */
function seededRandom(text: string): () => number {
  let state = 2166136261;
  for (let i = 0; i < text.length; i++) state = Math.imul(state ^ text.charCodeAt(i), 16777619);
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type PostcodeUnit = {
  postcode: string;
  district: string;
  street: string;
  /** The unit's first house number on its street, and how many houses it covers. */
  firstHouse: number;
  houses: number;
  latitude: number;
  longitude: number;
};

/** Every postcode of every street, with its place: streets scattered round their district's heart. */
function buildPostcodeUnits(): readonly PostcodeUnit[] {
  const hearts = new Map(NORTHBRIDGE_NEIGHBOURHOODS.map((n) => [n.postcodeDistrict, n]));
  const units: PostcodeUnit[] = [];
  for (const locality of NORTHBRIDGE_LOCALITIES)
    for (const street of streetsOf(locality.code)) {
      const heart = hearts.get(street.postcodeDistrict)!;
      const random = seededRandom(`${street.postcodeDistrict} ${street.name}`);
      const distance = DISTRICT_RADIUS_MILES * Math.sqrt(random());
      const bearing = random() * 2 * Math.PI;
      const direction = random() * Math.PI;
      const count = Math.ceil(street.houses / HOUSES_PER_POSTCODE);
      for (let u = 0; u < count; u++) {
        const along = (u - (count - 1) / 2) * POSTCODE_SPACING_MILES;
        const east = heart.east + distance * Math.cos(bearing) + along * Math.cos(direction);
        const north = heart.north + distance * Math.sin(bearing) + along * Math.sin(direction);
        units.push({
          postcode: postcodeOf(street.postcodeDistrict, street.firstPostcodeUnit + u),
          district: street.postcodeDistrict,
          street: street.name,
          firstHouse: u * HOUSES_PER_POSTCODE + 1,
          houses: Math.min(HOUSES_PER_POSTCODE, street.houses - u * HOUSES_PER_POSTCODE),
          ...coordinates(east, north),
        });
      }
    }
  return units;
}

let postcodeUnits: readonly PostcodeUnit[] | undefined;
const unitsOfTown = () => (postcodeUnits ??= buildPostcodeUnits());

/**
 * The town's places for the postcode search: every postcode the demo's addresses use, each outward
 * code at the centre of its postcodes, and place names (the town, its centre, the localities and the
 * neighbourhoods). Keys are upper case, as geo_places keeps them.
 */
export function northbridgePlaces(): NorthbridgePlace[] {
  const units = unitsOfTown();
  const postcodes = units.map((u) => ({
    key: u.postcode,
    kind: 'postcode' as const,
    label: u.postcode,
    latitude: u.latitude,
    longitude: u.longitude,
  }));
  const mean = (values: number[]) =>
    Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 1e6) / 1e6;
  const outcodes = NORTHBRIDGE_NEIGHBOURHOODS.map(({ postcodeDistrict }) => {
    const inDistrict = units.filter((u) => u.district === postcodeDistrict);
    return {
      key: postcodeDistrict,
      kind: 'outcode' as const,
      label: postcodeDistrict,
      latitude: mean(inDistrict.map((u) => u.latitude)),
      longitude: mean(inDistrict.map((u) => u.longitude)),
    };
  });
  const place = (label: string, at: { latitude: number; longitude: number }) => ({
    key: label.toUpperCase(),
    kind: 'place' as const,
    label,
    ...at,
  });
  const localities = NORTHBRIDGE_LOCALITIES.map((l) => {
    const hearts = NORTHBRIDGE_NEIGHBOURHOODS.filter((n) => n.locality === l.code);
    return place(l.name, {
      ...coordinates(mean(hearts.map((h) => h.east)), mean(hearts.map((h) => h.north))),
    });
  });
  return [
    ...postcodes,
    ...outcodes,
    place(NORTHBRIDGE_TOWN, NORTHBRIDGE_CENTRE),
    place(`${NORTHBRIDGE_TOWN} town centre`, NORTHBRIDGE_CENTRE),
    ...localities,
    // Neighbourhood names that are also a locality's name (Southgate) are already there.
    ...NORTHBRIDGE_NEIGHBOURHOODS.filter((n) => !localities.some((l) => l.label === n.name)).map((n) =>
      place(n.name, coordinates(n.east, n.north)),
    ),
  ];
}

/**
 * A real demo address near a point given in miles east and north of the town centre: a house on the
 * street whose postcode is nearest, `n` choosing which of the postcode's houses. For services' premises.
 */
export function addressNear(
  east: number,
  north: number,
  n = 0,
): Address & { latitude: number; longitude: number } {
  const at = coordinates(east, north);
  let best = unitsOfTown()[0]!;
  let bestDistance = Infinity;
  for (const unit of unitsOfTown()) {
    const d = (unit.latitude - at.latitude) ** 2 + ((unit.longitude - at.longitude) * 0.59) ** 2;
    if (d < bestDistance) [best, bestDistance] = [unit, d];
  }
  return {
    line1: `${best.firstHouse + (Math.abs(n) % best.houses)} ${best.street}`,
    postcode: best.postcode,
    latitude: best.latitude,
    longitude: best.longitude,
  };
}
