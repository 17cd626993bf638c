import { createHash } from 'node:crypto';
import { Faker, base } from '@faker-js/faker';
import { addDays, londonDate } from '../../common/plain-dates.ts';
import type { Db } from '../../db/database.ts';
import type { DirectoryAccessRoute, DirectoryCapacity } from '../../db/schema.ts';
import {
  FAMILY_NAMES,
  MENS_NAMES,
  NORTHBRIDGE_NEIGHBOURHOODS,
  WOMENS_NAMES,
  addressNear,
  northbridgePlaces,
  type LocalityCode,
} from '../people/index.ts';
import { savePlaces } from './directory.geo.ts';
import { ServiceRecord, type ServiceRecordInput } from './directory.schemas.ts';
import { saveServiceRecords } from './directory.store.ts';
import { seedNeedsTaxonomy, taxonomyTermsOf } from './directory.taxonomy.ts';
import { REVIEW_AFTER_MONTHS } from './directory.vocabulary.ts';

/**
 * The demo directory: what a family in Northbridge could find help from. Family hubs in each locality
 * with their groups, health visiting and school nursing, CAMHS and therapy, schools' breakfast and
 * holiday clubs, the voluntary sector (food, domestic abuse, young carers, youth and sports clubs,
 * advice, counselling), police and youth justice prevention and housing options. Every entry is at a
 * real demo address, so the postcode search finds it.
 *
 * The catalogue below is the directory at its natural size (about 300 entries). Asked for more (the
 * benchmark asks for 5,000), the generator goes round again: the same kinds of service, run in
 * another neighbourhood at another venue. Everything, ids included, follows from the seed.
 */

type Session = { byday: string; opensAt: string; closesAt: string; description?: string; holiday?: boolean };
type Cost = { option: string; amount: number | null; amountDescription?: string };

type Offering = {
  org: string;
  name: string;
  description: string;
  terms: string[];
  ages?: [number | null, number | null];
  access: DirectoryAccessRoute[];
  specialist?: boolean;
  languages?: string[];
  /** Paid when any cost has an amount above nothing. */
  costs?: Cost[];
  eligibility?: string;
  fees?: string;
  sessions: Session[];
  capacity?: [DirectoryCapacity, number | null];
  /** Venue keys, the first the main one. */
  venues: string[];
  /** Who answers: a role title. */
  contact: string;
};

type OrganisationSpec = {
  key: string;
  name: string;
  description: string;
  /** The partnership organisation (by name) whose staff keep these entries, when it is one of the demo's agencies. */
  agency?: string;
};

type Venue = { key: string; name: string; neighbourhood: string; east: number; north: number };

type Area = {
  code: LocalityCode;
  /** The locality's short name, as its schools and hub are called. */
  short: string;
  neighbourhoods: string[];
  secondary: string;
  /** Languages spoken by many of the locality's families, offered by some of its groups. */
  languages: string[];
};

const AREAS: Area[] = [
  {
    code: 'north',
    short: 'Highfield',
    neighbourhoods: ['Highfield', 'Moorside', 'Hill Top'],
    secondary: 'Moorside Academy',
    languages: ['pl'],
  },
  {
    code: 'south',
    short: 'Southgate',
    neighbourhoods: ['Southgate', 'Ashton Green'],
    secondary: 'Southgate High School',
    languages: ['ro', 'pl'],
  },
  {
    code: 'east',
    short: 'Eastbrook',
    neighbourhoods: ['Eastbrook', 'Canal Side', 'Millbank'],
    secondary: 'Canal Side Academy',
    languages: ['ur', 'pa', 'bn'],
  },
  {
    code: 'west',
    short: 'Westfield',
    neighbourhoods: ['Westfield', 'Priory', 'Larkhill'],
    secondary: 'Priory School',
    languages: ['ar', 'so', 'pl'],
  },
];

const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR'] as const;
const OFFICE_HOURS: Session = { byday: 'MO,TU,WE,TH,FR', opensAt: '09:00', closesAt: '17:00' };
const COUNCIL = 'Northbridge Council Children’s Services';
const s = (byday: string, opensAt: string, closesAt: string, description?: string): Session => ({
  byday,
  opensAt,
  closesAt,
  ...(description ? { description } : {}),
});
const day = (areaIndex: number, shift = 0) => WEEKDAYS[(areaIndex + shift) % WEEKDAYS.length]!;

/** Where a neighbourhood's heart is, in miles from the town centre. */
function heartOf(neighbourhood: string) {
  const found = NORTHBRIDGE_NEIGHBOURHOODS.find((n) => n.name === neighbourhood);
  return found ? { east: found.east, north: found.north } : { east: 0, north: 0 };
}

/** A number from 0 to 1 that a text always gives. */
function unit(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0) / 2 ** 32;
}

/** A venue in a neighbourhood, a little way from its heart (the same way every run). */
function venue(key: string, name: string, neighbourhood: string, spread = 0.35): Venue {
  const heart = heartOf(neighbourhood);
  return {
    key,
    name,
    neighbourhood,
    east: heart.east + (unit(`${key} east`) - 0.5) * 2 * spread,
    north: heart.north + (unit(`${key} north`) - 0.5) * 2 * spread,
  };
}

const TOWN = 'Northbridge town centre';

function venues(): Venue[] {
  const town = (key: string, name: string) => ({ ...venue(key, name, TOWN, 0.15) });
  return [
    town('town-hall', 'Northbridge Town Hall'),
    town('central-library', 'Northbridge Central Library'),
    town('health-centre-town', 'Northbridge Health Centre'),
    town('riverside-house', 'Riverside House'),
    town('market-street', 'The Advice Centre, Market Street'),
    town('bridges-office', 'Bridges Family Support'),
    town('counselling-office', 'The Base, Young People’s Counselling'),
    town('womens-aid', 'Northbridge Women’s Aid office'),
    town('college', 'Northbridge College'),
    town('arts-centre', 'Northbridge Arts Centre'),
    town('police-station', 'Northbridge Police Station'),
    town('yjs-office', 'Northbridge Youth Justice Service'),
    town('methodist', 'Northbridge Methodist Church'),
    venue('riverbank', 'Riverbank Special School', 'Canal Side'),
    venue('adventure', 'Eastbrook Adventure Playground', 'Eastbrook'),
    venue('al-noor', 'Al-Noor Community Centre', 'Millbank'),
    venue('polish-school', 'St Joseph’s Parish Hall', 'Southgate'),
    venue('football', 'Northbridge Juniors FC, Memorial Park', 'Ashton Green'),
    venue('boxing', 'Eastbrook Amateur Boxing Club', 'Eastbrook'),
    venue('pool', 'Northbridge Swimming Pool', 'Highfield'),
    venue('cricket', 'Westfield Cricket Club', 'Westfield'),
    venue('gymnastics', 'Northbridge Gymnastics Centre', 'Larkhill'),
    venue('rugby', 'Northbridge Rugby League Club', 'Moorside'),
    venue('park', 'Priory Park', 'Priory'),
    venue('food-bank-1', 'Northbridge Food Bank, Hope Church', 'Highfield'),
    venue('food-bank-2', 'Northbridge Food Bank, Canal Side Community Church', 'Canal Side'),
    venue('food-bank-3', 'Northbridge Food Bank, Larkhill Methodist Hall', 'Larkhill'),
    venue('pantry-1', 'Riverside Community Pantry', 'Millbank'),
    venue('pantry-2', 'Ashton Green Community Pantry', 'Ashton Green'),
    ...AREAS.flatMap((a) => {
      const [first, second, third] = a.neighbourhoods;
      const last = third ?? second!;
      return [
        venue(`hub-${a.code}`, `${a.short} Family Hub`, first!),
        venue(`library-${a.code}`, `${second} Library`, second!),
        venue(`community-${a.code}`, `${last} Community Centre`, last),
        venue(`leisure-${a.code}`, `${a.short} Leisure Centre`, first!),
        venue(`health-${a.code}`, `${first} Health Centre`, first!),
        venue(`church-${a.code}`, `St Mary’s Church Hall, ${second}`, second!),
        venue(`primary-${a.code}`, `${a.short} Primary School`, first!),
        venue(`primary2-${a.code}`, `St Aidan’s ${a.short} CE Primary School`, second!),
        venue(`nursery-${a.code}`, `${a.short} Children’s Centre Nursery`, first!),
        venue(`secondary-${a.code}`, a.secondary, last),
        venue(`youth-${a.code}`, `${last} Youth Centre`, last),
      ];
    }),
  ];
}

/** Venue names for the extra rounds of a bigger directory. */
const EXTRA_VENUES = [
  'Community Room',
  'Scout Hut',
  'Church Hall',
  'Sports Pavilion',
  'Neighbourhood Centre',
  'Tenants’ Hall',
  'Village Hall',
  'Library',
];

function organisations(): OrganisationSpec[] {
  return [
    ...AREAS.map((a) => ({
      key: `hub-${a.code}`,
      name: `${a.short} Family Hub`,
      description: `The council’s family hub for ${a.neighbourhoods.join(', ')}: groups, advice and support for families with children from pregnancy to 19 (25 with special educational needs).`,
      agency: COUNCIL,
    })),
    {
      key: 'council',
      name: COUNCIL,
      description: 'Early help, family information, special educational needs support and short breaks.',
      agency: COUNCIL,
    },
    {
      key: 'libraries',
      name: 'Northbridge Libraries',
      description: 'Free libraries with story and rhyme times, homework help and computers.',
      agency: COUNCIL,
    },
    {
      key: 'youth-service',
      name: 'Northbridge Youth Service',
      description: 'The council’s youth workers, in youth centres and out on the streets.',
      agency: COUNCIL,
    },
    {
      key: 'housing',
      name: 'Northbridge Council Housing Options',
      description: 'Help to find or keep a home, and help if you are homeless or about to be.',
      agency: 'Northbridge Council Housing Options',
    },
    {
      key: 'police',
      name: 'Northshire Police',
      description: 'Neighbourhood policing, Safer Schools officers and youth diversion in Northbridge.',
      agency: 'Northshire Police',
    },
    {
      key: 'yjs',
      name: 'Northbridge Youth Justice Service',
      description: 'Works with young people aged 10 to 17 in trouble with the law, or at risk of it.',
      agency: 'Northbridge Youth Justice Service',
    },
    {
      key: 'trust',
      name: 'Northbridge Community Health Trust',
      description:
        'Health visiting, school nursing, children’s therapies and children’s mental health services.',
      agency: 'Northbridge Community Health Trust',
    },
    {
      key: 'hospital',
      name: 'Northbridge General Hospital',
      description: 'Maternity, children’s wards and the emergency department for Northbridge.',
      agency: 'Northbridge General Hospital',
    },
    ...AREAS.map((a) => ({
      key: `gp-${a.code}`,
      name: `${a.short} Medical Practice`,
      description: `GP practice for ${a.neighbourhoods.join(', ')}.`,
      agency: `${a.short} Medical Practice`,
    })),
    ...AREAS.flatMap((a) =>
      [
        ['primary', `${a.short} Primary School`],
        ['primary2', `St Aidan’s ${a.short} CE Primary School`],
        ['nursery', `${a.short} Children’s Centre Nursery`],
        ['secondary', a.secondary],
      ].map(([kind, name]) => ({
        key: `${kind}-${a.code}`,
        name: name!,
        description: `${name} in ${a.neighbourhoods[0]}.`,
        agency: name!,
      })),
    ),
    {
      key: 'riverbank',
      name: 'Riverbank Special School',
      description: 'A special school for children and young people aged 2 to 19.',
      agency: 'Riverbank Special School',
    },
    {
      key: 'bridges',
      name: 'Bridges Family Support',
      description: 'A local charity helping families through hard times, at home and in groups.',
      agency: 'Bridges Family Support',
    },
    {
      key: 'counselling',
      name: 'Northbridge Young People’s Counselling',
      description: 'Free, confidential counselling for young people aged 11 to 25.',
      agency: 'Northbridge Young People’s Counselling',
    },
    {
      key: 'riverside',
      name: 'Riverside Food and Families',
      description: 'Community pantries, a café and a baby bank, run by local people.',
      agency: 'Riverside Food and Families',
    },
    ...(
      [
        ['food-bank', 'Northbridge Food Bank', 'Emergency food for people in crisis, at three centres.'],
        [
          'citizens-advice',
          'Citizens Advice Northbridge',
          'Free, independent advice on money, benefits, work and housing.',
        ],
        [
          'womens-aid',
          'Northbridge Women’s Aid',
          'Safety, refuge and recovery for women and children living with domestic abuse.',
        ],
        [
          'young-carers',
          'Northbridge Young Carers',
          'Breaks, clubs and support for children who look after someone at home.',
        ],
        ['moorside-youth', 'Moorside Youth Club', 'A youth club run by volunteers since 1978.'],
        [
          'canal-youth',
          'Canal Side Youth Project',
          'Youth work, music and sport for young people in Canal Side and Millbank.',
        ],
        [
          'priory-youth',
          'Priory Youth Centre',
          'Open youth sessions and trips for young people in the west of the town.',
        ],
        [
          'southgate-youth',
          'Southgate Boys and Girls Club',
          'Sport, games and a hot meal for young people in Southgate.',
        ],
        ['juniors-fc', 'Northbridge Juniors FC', 'Football for boys and girls aged 5 to 16.'],
        [
          'boxing',
          'Eastbrook Amateur Boxing Club',
          'Boxing training, fitness and mentoring for young people.',
        ],
        ['swimming', 'Northbridge Swimming Club', 'Learn to swim and club swimming.'],
        ['cricket', 'Westfield Cricket Club', 'Junior cricket for all abilities.'],
        ['gymnastics', 'Northbridge Gymnastics Club', 'Gymnastics for children from age 3.'],
        ['rugby', 'Northbridge Rugby League Juniors', 'Tag and full-contact rugby league for ages 6 to 16.'],
        ['parkrun', 'Priory Park junior parkrun', 'A free, weekly 2 km run for children aged 4 to 14.'],
        [
          'parent-forum',
          'Northbridge Parent Carer Forum',
          'Parents of disabled children and children with special educational needs, helping each other and shaping local services.',
        ],
        ['money-advice', 'Northbridge Money Advice', 'Free debt advice and budgeting help.'],
        [
          'credit-union',
          'Northbridge Credit Union',
          'Saving and fair loans for people who live or work in Northbridge.',
        ],
        [
          'home-start',
          'Home-Start Northbridge',
          'Trained volunteers who visit families with young children at home.',
        ],
        ['relationships', 'Northbridge Relationships', 'Counselling for couples, families and children.'],
        [
          'autism',
          'Northbridge Autism Support',
          'Support for autistic children and their families, with or without a diagnosis.',
        ],
        ['mind', 'Northbridge Mind', 'Mental health support for young people and parents.'],
        [
          'compass',
          'Compass Northbridge',
          'Drug and alcohol support for young people, and for families affected by someone’s use.',
        ],
        [
          'safe-steps',
          'Safe Steps Northbridge',
          'Support for young people at risk of exploitation or going missing.',
        ],
        [
          'refugee-welcome',
          'Northbridge Refugee Welcome',
          'Welcome, advice and English classes for refugees and people seeking asylum.',
        ],
        [
          'polish-school',
          'Northbridge Polish Saturday School',
          'Polish language and culture for children aged 4 to 16.',
        ],
        [
          'al-noor',
          'Al-Noor Community Centre',
          'A community centre in Millbank serving families of every background.',
        ],
        ['st-marys', 'St Mary’s Church', 'Parish church groups open to everyone.'],
        ['works', 'Northbridge Works', 'Help into work and training for parents and young people.'],
        ['college', 'Northbridge College', 'Courses for 16 to 18 year olds and adults, and careers advice.'],
        [
          'music-hub',
          'Northbridge Music Hub',
          'Music lessons, bands and choirs for children and young people.',
        ],
        ['youth-theatre', 'Northbridge Youth Theatre', 'Drama for young people aged 8 to 18.'],
        ['adventure', 'Eastbrook Adventure Playground', 'A free, staffed adventure playground.'],
        ['scouts', 'Northbridge District Scouts', 'Scouting for young people aged 6 to 18.'],
        ['girlguiding', 'Girlguiding Northbridge', 'Rainbows, Brownies, Guides and Rangers.'],
        [
          'deaf-children',
          'Northbridge Deaf Children’s Society',
          'Support and activities for deaf children and their families.',
        ],
        ['mediation', 'Northbridge Family Mediation', 'Mediation for separating parents.'],
        [
          'bereavement',
          'Child Bereavement Northbridge',
          'Support for children and families after someone dies.',
        ],
        [
          'anti-bullying',
          'Northbridge Anti-Bullying Project',
          'Help for children who are being bullied, and their schools.',
        ],
        [
          'childrens-rights',
          'Northbridge Children’s Rights Service',
          'Independent advocates for children in care and care leavers.',
        ],
        ['dads', 'Northbridge Dads’ Network', 'Dads and male carers supporting each other.'],
      ] as const
    ).map(([key, name, description]) => ({ key, name, description })),
  ];
}

/** Everything on offer, at the directory's natural size. */
function catalogue(asOf: string): Offering[] {
  const year = Number(asOf.slice(0, 4)) + (Number(asOf.slice(5, 7)) >= 9 ? 1 : 0);
  const summer = { description: `Summer holidays ${year}`, holiday: true };
  const offerings: Offering[] = [];
  const add = (...o: Offering[]) => offerings.push(...o);

  AREAS.forEach((a, i) => {
    const hub = `hub-${a.code}`;
    const [first, second] = a.neighbourhoods;
    const local = ['en', ...a.languages.slice(0, 2)];
    add(
      {
        org: hub,
        name: `Stay and play, ${first}`,
        description:
          'Come along with your baby or young child to play, sing and meet other parents. Family hub staff are there if you want a chat or some advice.',
        terms: ['early-years', 'parenting'],
        ages: [0, 4],
        access: ['drop_in'],
        languages: local,
        sessions: [s(day(i), '09:30', '11:30'), s(day(i, 2), '13:00', '14:30')],
        venues: [hub],
        contact: 'Family hub reception',
      },
      {
        org: hub,
        name: `Baby massage, ${first}`,
        description:
          'A five-week course where you learn gentle massage to soothe and bond with your baby. Bring a towel.',
        terms: ['early-years'],
        ages: [0, 1],
        access: ['self_referral'],
        eligibility: 'Babies from 6 weeks until they are crawling.',
        sessions: [s(day(i, 1), '10:00', '11:00', 'Five-week course')],
        capacity: ['limited', 2],
        venues: [hub],
        contact: 'Family hub reception',
      },
      {
        org: hub,
        name: `Bumps and babies, ${first}`,
        description:
          'A relaxed group for parents-to-be and parents of new babies. Talk to a health visitor and other new parents, and get help with feeding and sleep.',
        terms: ['early-years', 'parenting'],
        ages: [0, 1],
        access: ['drop_in'],
        sessions: [s(day(i, 3), '13:30', '15:00')],
        venues: [hub],
        contact: 'Family hub reception',
      },
      {
        org: hub,
        name: 'Positive parenting course',
        description:
          'An eight-week course for parents of children aged 2 to 12: routines, behaviour, and keeping calm when things get hard. Free, with a crèche.',
        terms: ['parenting'],
        ages: [2, 12],
        access: ['self_referral', 'professional_referral'],
        sessions: [s(day(i, 4), '09:30', '11:30', 'Eight weeks, starts each term')],
        capacity: ['available', 3],
        venues: [hub, `community-${a.code}`],
        contact: 'Parenting coordinator',
      },
      {
        org: hub,
        name: 'Dads’ Saturday club',
        description:
          'Dads, granddads and male carers with their children: play, breakfast and a chat. Just turn up.',
        terms: ['parenting', 'early-years'],
        ages: [0, 11],
        access: ['drop_in'],
        sessions: [s('SA', '09:30', '11:30')],
        venues: [hub],
        contact: 'Family hub reception',
      },
      {
        org: hub,
        name: `Family support, ${a.short}`,
        description:
          'A family support worker can help when things at home are difficult: routines, behaviour, money worries, school or getting other help. They visit you at home.',
        terms: ['parenting', 'family-life'],
        ages: [0, 18],
        access: ['self_referral', 'professional_referral'],
        sessions: [OFFICE_HOURS],
        capacity: ['limited', 3],
        venues: [hub],
        contact: 'Early help duty worker',
      },
      {
        org: hub,
        name: 'Money and benefits drop-in',
        description:
          'Check you are getting all the benefits you are entitled to, get help with forms and find out about the Household Support Fund. With Citizens Advice.',
        terms: ['benefits-debt'],
        access: ['drop_in'],
        languages: local,
        sessions: [s(day(i, 1), '13:00', '15:00')],
        venues: [hub],
        contact: 'Family hub reception',
      },
      {
        org: hub,
        name: 'Toddler talk',
        description:
          'Play sessions that help toddlers start talking, with ideas to try at home. Run with the speech and language therapy team.',
        terms: ['speech-language', 'early-years'],
        ages: [1, 3],
        access: ['drop_in'],
        sessions: [s(day(i, 2), '10:00', '11:00')],
        venues: [hub, `library-${a.code}`],
        contact: 'Family hub reception',
      },
      {
        org: hub,
        name: 'Help with childcare costs',
        description:
          'Find out about free childcare hours for 2, 3 and 4 year olds, Tax-Free Childcare and help with nursery places.',
        terms: ['childcare'],
        ages: [0, 4],
        access: ['drop_in', 'self_referral'],
        sessions: [s(day(i, 3), '09:30', '12:00')],
        venues: [hub],
        contact: 'Family information adviser',
      },
      {
        org: hub,
        name: 'Cooking on a budget',
        description:
          'Six weeks of cooking healthy family meals for less. You take home what you make and a bag of ingredients.',
        terms: ['food', 'healthy-lifestyles'],
        access: ['self_referral'],
        sessions: [s(day(i, 4), '12:30', '14:30', 'Six-week course')],
        capacity: ['limited', 4],
        venues: [`community-${a.code}`],
        contact: 'Family hub reception',
      },
      {
        org: hub,
        name: 'SEND stay and play',
        description:
          'A calm play session for young children with additional needs or a disability, and their families. Sensory toys, quiet space and other parents who understand.',
        terms: ['send', 'early-years'],
        ages: [0, 5],
        access: ['drop_in'],
        sessions: [s(day(i, 1), '13:30', '15:00')],
        venues: [hub],
        contact: 'Family hub reception',
      },
      {
        org: hub,
        name: 'Living with teenagers',
        description:
          'A six-week group for parents of 11 to 18 year olds: arguments, screens, staying safe and keeping talking.',
        terms: ['parenting'],
        ages: [11, 18],
        access: ['self_referral', 'professional_referral'],
        sessions: [s(day(i, 2), '18:00', '20:00', 'Six-week course')],
        venues: [hub],
        contact: 'Parenting coordinator',
      },
      {
        org: hub,
        name: 'Parents’ wellbeing café',
        description:
          'Feeling low, anxious or alone? A friendly café for parents to talk, with a wellbeing worker on hand. Children welcome.',
        terms: ['mental-health', 'parenting'],
        access: ['drop_in'],
        sessions: [s(day(i, 4), '10:00', '12:00')],
        venues: [`community-${a.code}`],
        contact: 'Family hub reception',
      },
      {
        org: hub,
        name: 'English for parents',
        description:
          'Improve your English while your child plays nearby. For parents whose first language is not English, all levels.',
        terms: ['work-skills', 'family-life'],
        access: ['self_referral', 'drop_in'],
        languages: local,
        sessions: [s(day(i), '13:00', '15:00')],
        venues: [hub, `library-${a.code}`],
        contact: 'Family hub reception',
      },
      {
        org: hub,
        name: 'Parents as partners',
        description:
          'For parents who argue a lot, whether together or separated: a course that helps you sort out problems without the children being caught in the middle.',
        terms: ['separation', 'parenting'],
        ages: [0, 16],
        access: ['self_referral', 'professional_referral'],
        sessions: [s(day(i, 3), '18:00', '20:00', 'Sixteen weeks')],
        capacity: ['available', 4],
        venues: [hub],
        contact: 'Parenting coordinator',
      },
    );
    add(
      {
        org: hub,
        name: `Stay and play, ${second}`,
        description:
          'A play session for babies and children under five at the library, with books to borrow and a family hub worker to talk to.',
        terms: ['early-years'],
        ages: [0, 4],
        access: ['drop_in'],
        sessions: [s(day(i, 4), '13:30', '15:00')],
        venues: [`library-${a.code}`],
        contact: 'Family hub reception',
      },
      {
        org: hub,
        name: `Little explorers, ${a.short}`,
        description:
          'Outdoor play and nature for 2 to 5 year olds and their grown-ups: mud, bugs, den building and a snack round the fire. Wear old clothes.',
        terms: ['early-years', 'healthy-lifestyles'],
        ages: [2, 5],
        access: ['self_referral'],
        costs: [{ option: 'Per child', amount: 2 }],
        fees: '£2 a child; free with a Healthy Start card.',
        sessions: [s(day(i, 1), '09:30', '11:00')],
        capacity: ['limited', 2],
        venues: [`community-${a.code}`],
        contact: 'Family hub reception',
      },
      {
        org: 'hospital',
        name: `Antenatal clinic, ${first}`,
        description:
          'Check-ups with a community midwife during pregnancy. Your midwife books you in; ring if you have moved to the area.',
        terms: ['early-years'],
        access: ['self_referral', 'professional_referral'],
        languages: ['en', a.languages[0]!],
        sessions: [s(day(i, 2), '09:00', '12:30')],
        venues: [`health-${a.code}`],
        contact: 'Community midwives',
      },
      {
        org: 'libraries',
        name: `Lego and story club, ${second} Library`,
        description:
          'Build, read and make things after school. All children welcome; under-8s with a grown-up.',
        terms: ['arts', 'education-support'],
        ages: [4, 11],
        access: ['drop_in'],
        sessions: [s(day(i, 3), '15:45', '16:45')],
        venues: [`library-${a.code}`],
        contact: 'Library staff',
      },
      {
        org: 'youth-service',
        name: `Open youth session, ${a.neighbourhoods.at(-1)}`,
        description:
          'The youth centre is open for 11 to 19 year olds: pool, music, games consoles, cooking and youth workers to talk to. Free.',
        terms: ['youth-clubs'],
        ages: [11, 19],
        access: ['drop_in'],
        sessions: [s(day(i, 1), '18:30', '21:00'), s('FR', '19:00', '22:00')],
        venues: [`youth-${a.code}`],
        contact: 'Youth service',
      },
      {
        org: `primary2-${a.code}`,
        name: `Holiday club and lunch, ${second}`,
        description:
          'A free holiday club with a healthy lunch, games, sport and crafts. For children who get free school meals.',
        terms: ['holiday-activities', 'food'],
        ages: [4, 11],
        access: ['self_referral'],
        eligibility: 'Children who get benefits-related free school meals.',
        sessions: [{ ...s('MO,TU,WE,TH', '09:30', '13:30'), ...summer }],
        venues: [`primary2-${a.code}`],
        contact: 'Holiday club coordinator',
      },
      {
        org: 'council',
        name: `Free holiday swimming, ${a.short}`,
        description:
          'Free swimming for under-16s in the school holidays with a Northbridge leisure card. Under-8s with an adult.',
        terms: ['holiday-activities', 'sport'],
        ages: [0, 15],
        access: ['drop_in'],
        sessions: [{ ...s('MO,TU,WE,TH,FR', '13:00', '15:00'), ...summer }],
        venues: [`leisure-${a.code}`],
        contact: 'Leisure centre reception',
      },
      {
        org: 'st-marys',
        name: `Warm space and community lunch, ${a.neighbourhoods.at(-1)}`,
        description:
          'A warm room, hot drinks, Wi-Fi and a free lunch on Thursdays. Everyone welcome, children too.',
        terms: ['food'],
        access: ['drop_in'],
        sessions: [s('TH', '11:00', '14:00')],
        venues: [`community-${a.code}`],
        contact: 'Parish office',
      },
    );
    // Health: clinics, feeding support, school nursing, and a GP clinic for young people.
    add(
      {
        org: 'trust',
        name: `Health visiting clinic, ${first}`,
        description:
          'Get your baby weighed and talk to a health visitor about feeding, sleep, development or how you are feeling. No appointment needed.',
        terms: ['early-years'],
        ages: [0, 4],
        access: ['drop_in'],
        languages: ['en', a.languages[0]!],
        sessions: [s(day(i, 1), '09:30', '11:30')],
        venues: [hub],
        contact: 'Health visiting team',
      },
      {
        org: 'trust',
        name: `Health visiting clinic, ${second}`,
        description:
          'Baby weighing and advice from a health visitor, held at the library. No appointment needed.',
        terms: ['early-years'],
        ages: [0, 4],
        access: ['drop_in'],
        sessions: [s(day(i, 3), '13:30', '15:00')],
        venues: [`library-${a.code}`],
        contact: 'Health visiting team',
      },
      {
        org: 'trust',
        name: `Infant feeding group, ${a.short}`,
        description:
          'Help with breastfeeding, bottle feeding and starting solid food, from infant feeding workers and trained peer supporters.',
        terms: ['early-years', 'healthy-lifestyles'],
        ages: [0, 1],
        access: ['drop_in'],
        sessions: [s(day(i, 2), '10:00', '12:00')],
        venues: [hub],
        contact: 'Infant feeding team',
      },
      {
        org: 'trust',
        name: `School nurse drop-in, ${a.secondary}`,
        description:
          'Students can see the school nurse about anything worrying them: health, feelings, relationships, smoking or vaping. Confidential.',
        terms: ['mental-health', 'sexual-health'],
        ages: [11, 18],
        access: ['drop_in'],
        sessions: [s(day(i, 4), '12:15', '13:15', 'Term time')],
        venues: [`secondary-${a.code}`],
        contact: 'School nursing team',
      },
      {
        org: 'trust',
        name: `Mental health support in ${a.short} schools`,
        description:
          'Wellbeing practitioners in local schools help children and young people with mild to moderate anxiety, low mood and worries, one to one or in groups. Ask the school.',
        terms: ['mental-health'],
        ages: [5, 18],
        access: ['professional_referral'],
        sessions: [s('MO,TU,WE,TH,FR', '08:30', '16:00', 'Term time')],
        capacity: ['limited', 5],
        venues: [`secondary-${a.code}`, `primary-${a.code}`],
        contact: 'Mental health support team',
      },
      {
        org: `gp-${a.code}`,
        name: 'Young people’s health clinic',
        description:
          'After-school appointments for 13 to 19 year olds with a nurse or GP. Come on your own if you want: it is confidential.',
        terms: ['sexual-health', 'mental-health'],
        ages: [13, 19],
        access: ['drop_in', 'self_referral'],
        sessions: [s(day(i, 2), '15:30', '17:30')],
        venues: [`health-${a.code}`],
        contact: 'Practice reception',
      },
    );
    // Schools: breakfast, after-school and holiday clubs; nursery places; homework and careers.
    for (const school of [`primary-${a.code}`, `primary2-${a.code}`])
      add(
        {
          org: school,
          name: 'Breakfast club',
          description:
            'Breakfast and games before school from 7:45. Free for children who get free school meals.',
          terms: ['childcare', 'food'],
          ages: [4, 11],
          access: ['self_referral'],
          costs: [
            { option: 'Per morning', amount: 1.5 },
            { option: 'Children on free school meals', amount: 0 },
          ],
          fees: '£1.50 a morning; free with free school meals.',
          eligibility: 'Children at the school.',
          sessions: [s('MO,TU,WE,TH,FR', '07:45', '08:45', 'Term time')],
          venues: [school],
          contact: 'School office',
        },
        {
          org: school,
          name: 'After-school club',
          description: 'Play, crafts, sport and a snack after school until 6pm.',
          terms: ['childcare'],
          ages: [4, 11],
          access: ['self_referral'],
          costs: [{ option: 'Per session', amount: 9, amountDescription: 'Tax-Free Childcare accepted' }],
          fees: '£9 a session.',
          eligibility: 'Children at the school.',
          sessions: [s('MO,TU,WE,TH,FR', '15:15', '18:00', 'Term time')],
          capacity: ['limited', null],
          venues: [school],
          contact: 'School office',
        },
      );
    add(
      {
        org: `primary-${a.code}`,
        name: `Holiday activities and food, ${a.short}`,
        description:
          'A free holiday club with a hot lunch: sport, crafts, cooking and trips. For children who get free school meals; others may join for a small charge.',
        terms: ['holiday-activities', 'food', 'sport'],
        ages: [5, 11],
        access: ['self_referral'],
        eligibility: 'Children who get benefits-related free school meals.',
        sessions: [{ ...s('MO,TU,WE,TH', '10:00', '14:00'), ...summer }],
        capacity: ['available', null],
        venues: [`primary-${a.code}`, `leisure-${a.code}`],
        contact: 'Holiday club coordinator',
      },
      {
        org: `secondary-${a.code}`,
        name: `Holiday activities and food for teenagers, ${a.short}`,
        description:
          'Free holiday sessions for 11 to 16 year olds: sport, music, cooking and a hot meal. For young people who get free school meals.',
        terms: ['holiday-activities', 'food', 'youth-clubs'],
        ages: [11, 16],
        access: ['self_referral'],
        eligibility: 'Young people who get benefits-related free school meals.',
        sessions: [{ ...s('MO,TU,WE,TH', '11:00', '15:00'), ...summer }],
        venues: [`secondary-${a.code}`],
        contact: 'Holiday club coordinator',
      },
      {
        org: `nursery-${a.code}`,
        name: 'Funded nursery places',
        description:
          'Nursery places for children aged 2 to 4, with free hours for eligible 2 year olds and all 3 and 4 year olds. Ask us about a place.',
        terms: ['childcare', 'early-years'],
        ages: [2, 4],
        access: ['self_referral'],
        costs: [
          { option: 'Funded hours', amount: 0 },
          { option: 'Extra hours', amount: 6.5, amountDescription: 'per hour' },
        ],
        fees: 'Funded hours are free; extra hours £6.50 an hour.',
        sessions: [s('MO,TU,WE,TH,FR', '08:00', '18:00')],
        capacity: ['limited', 8],
        venues: [`nursery-${a.code}`],
        contact: 'Nursery manager',
      },
      {
        org: `secondary-${a.code}`,
        name: 'Homework club',
        description: 'Quiet space, computers and teachers to help with homework after school.',
        terms: ['education-support'],
        ages: [11, 16],
        access: ['drop_in'],
        sessions: [s('MO,TU,WE,TH', '15:00', '16:30', 'Term time')],
        venues: [`secondary-${a.code}`],
        contact: 'School office',
      },
      {
        org: `secondary-${a.code}`,
        name: 'Careers advice',
        description:
          'Talk to a careers adviser about college, apprenticeships, jobs and what to do after Year 11.',
        terms: ['careers'],
        ages: [13, 18],
        access: ['self_referral'],
        sessions: [s(day(i, 1), '09:00', '15:00', 'Term time, by appointment')],
        venues: [`secondary-${a.code}`],
        contact: 'Careers lead',
      },
      {
        org: 'libraries',
        name: `Rhyme time, ${second} Library`,
        description: 'Songs, rhymes and stories for babies and toddlers. Free, just turn up.',
        terms: ['early-years', 'arts'],
        ages: [0, 4],
        access: ['drop_in'],
        sessions: [s(day(i, 2), '10:30', '11:00')],
        venues: [`library-${a.code}`],
        contact: 'Library staff',
      },
      {
        org: 'young-carers',
        name: `Young carers club, ${a.short}`,
        description:
          'A break for children who look after someone at home: games, trips, food and other young carers who understand.',
        terms: ['young-carers'],
        ages: [8, 17],
        access: ['self_referral', 'professional_referral'],
        sessions: [s(day(i, 3), '17:00', '19:00', 'Fortnightly')],
        capacity: ['available', 2],
        venues: [`youth-${a.code}`],
        contact: 'Young carers worker',
      },
      {
        org: 'parent-forum',
        name: `Parent carer coffee morning, ${a.short}`,
        description:
          'Meet other parents of children with special educational needs or a disability. Share tips, get information about EHC plans, and have a cuppa.',
        terms: ['send', 'parenting'],
        ages: [0, 25],
        access: ['drop_in'],
        sessions: [s(day(i, 4), '09:30', '11:30', 'First week of the month')],
        venues: [`community-${a.code}`],
        contact: 'Forum coordinator',
      },
    );
  });

  // Services for the whole town.
  add(
    {
      org: 'trust',
      name: 'Child and Adolescent Mental Health Service (CAMHS)',
      description:
        'Assessment and treatment for children and young people with serious mental health difficulties, such as severe anxiety, depression, self-harm or eating problems. A GP, school or other professional refers.',
      terms: ['mental-health'],
      ages: [0, 17],
      access: ['professional_referral'],
      specialist: true,
      sessions: [OFFICE_HOURS],
      capacity: ['limited', 14],
      venues: ['riverside-house'],
      contact: 'CAMHS single point of access',
    },
    {
      org: 'trust',
      name: 'CAMHS crisis and home treatment',
      description:
        'Urgent help for young people in a mental health crisis, seven days a week, usually within 24 hours of a referral.',
      terms: ['mental-health'],
      ages: [0, 17],
      access: ['professional_referral'],
      specialist: true,
      sessions: [s('MO,TU,WE,TH,FR,SA,SU', '08:00', '22:00')],
      venues: ['riverside-house'],
      contact: 'CAMHS crisis team',
    },
    {
      org: 'trust',
      name: 'Speech and language therapy for under-fives',
      description:
        'If you are worried about how your young child talks, understands or communicates, you can ask for an assessment yourself.',
      terms: ['speech-language', 'early-years'],
      ages: [0, 4],
      access: ['self_referral', 'professional_referral'],
      specialist: true,
      sessions: [OFFICE_HOURS],
      capacity: ['limited', 10],
      venues: ['health-centre-town', 'hub-east', 'hub-west'],
      contact: 'Speech and language therapy admin',
    },
    {
      org: 'trust',
      name: 'Speech and language therapy for school-age children',
      description:
        'Therapy for children and young people with speech, language, communication or swallowing needs, in school, clinic or at home. The school or another professional refers.',
      terms: ['speech-language', 'send'],
      ages: [5, 18],
      access: ['professional_referral'],
      specialist: true,
      sessions: [OFFICE_HOURS],
      capacity: ['limited', 16],
      venues: ['health-centre-town'],
      contact: 'Speech and language therapy admin',
    },
    {
      org: 'trust',
      name: 'Family Nurse Partnership',
      description:
        'A specially trained nurse visits young first-time mums from pregnancy until the child is two.',
      terms: ['early-years', 'parenting'],
      ages: [0, 2],
      access: ['professional_referral'],
      specialist: true,
      eligibility: 'First-time mothers aged 19 or under, referred by a midwife before 28 weeks of pregnancy.',
      sessions: [OFFICE_HOURS],
      capacity: ['available', null],
      venues: ['health-centre-town'],
      contact: 'Family Nurse Partnership team',
    },
    {
      org: 'trust',
      name: 'Young people’s sexual health clinic',
      description:
        'Free, confidential contraception, testing and advice for young people up to 24. Walk in or book.',
      terms: ['sexual-health'],
      ages: [13, 24],
      access: ['drop_in', 'self_referral'],
      languages: ['en', 'pl', 'ur'],
      sessions: [s('TU,TH', '15:30', '19:00'), s('SA', '10:00', '13:00')],
      venues: ['health-centre-town', 'health-east'],
      contact: 'Sexual health reception',
    },
    {
      org: 'trust',
      name: 'Children’s occupational therapy',
      description:
        'Help for children who find everyday things hard, such as dressing, writing or using cutlery, because of a disability or developmental need.',
      terms: ['send'],
      ages: [0, 18],
      access: ['professional_referral'],
      specialist: true,
      sessions: [OFFICE_HOURS],
      capacity: ['full', 18],
      venues: ['health-centre-town'],
      contact: 'Children’s therapies admin',
    },
    {
      org: 'trust',
      name: 'School nursing text service',
      description:
        'Young people aged 11 to 19 can text a school nurse for confidential advice. Replies within one working day.',
      terms: ['mental-health', 'sexual-health', 'healthy-lifestyles'],
      ages: [11, 19],
      access: ['self_referral'],
      sessions: [s('MO,TU,WE,TH,FR', '09:00', '16:30')],
      venues: ['health-centre-town'],
      contact: 'School nursing team',
    },
    {
      org: 'trust',
      name: 'Fit Families',
      description:
        'A ten-week programme for families with children aged 5 to 12 to eat well and be more active together.',
      terms: ['healthy-lifestyles'],
      ages: [5, 12],
      access: ['self_referral', 'professional_referral'],
      sessions: [s('WE', '17:00', '18:30', 'Ten weeks')],
      venues: ['leisure-south', 'leisure-north'],
      contact: 'Healthy lifestyles team',
    },
    {
      org: 'trust',
      name: 'Talking Therapies for parents',
      description:
        'Free NHS talking therapy for adults feeling stressed, anxious or low, including after having a baby. Refer yourself online or by phone.',
      terms: ['mental-health'],
      access: ['self_referral', 'professional_referral'],
      languages: ['en', 'ur', 'pl', 'ar'],
      sessions: [s('MO,TU,WE,TH,FR', '08:00', '20:00')],
      capacity: ['limited', 6],
      venues: ['health-centre-town'],
      contact: 'Talking Therapies',
    },
    {
      org: 'council',
      name: 'Early Help Hub',
      description:
        'If your family needs more support than one service can give, the Early Help Hub brings the right people together with you. Ask yourself, or a school, GP or health visitor can ask for you.',
      terms: ['family-life', 'parenting'],
      ages: [0, 18],
      access: ['self_referral', 'professional_referral'],
      sessions: [OFFICE_HOURS],
      capacity: ['available', 1],
      venues: ['town-hall'],
      contact: 'Early Help Hub duty worker',
    },
    {
      org: 'council',
      name: 'Family Information Service',
      description: 'Free information about childcare, activities and support for families in Northbridge.',
      terms: ['childcare', 'family-life'],
      ages: [0, 19],
      access: ['self_referral', 'drop_in'],
      sessions: [OFFICE_HOURS],
      venues: ['central-library'],
      contact: 'Family information adviser',
    },
    {
      org: 'council',
      name: 'SEND Information, Advice and Support Service (SENDIASS)',
      description:
        'Free, impartial advice about special educational needs and disabilities, EHC needs assessments, school placements and appeals, for parents and young people up to 25.',
      terms: ['send'],
      ages: [0, 25],
      access: ['self_referral'],
      sessions: [OFFICE_HOURS],
      capacity: ['limited', 2],
      venues: ['town-hall'],
      contact: 'SENDIASS adviser',
    },
    {
      org: 'council',
      name: 'Short breaks for disabled children',
      description:
        'Regular breaks for disabled children and young people, and their parents and carers: clubs, overnight stays and sitting services. After an assessment.',
      terms: ['send'],
      ages: [0, 18],
      access: ['professional_referral'],
      specialist: true,
      sessions: [OFFICE_HOURS],
      capacity: ['limited', 12],
      venues: ['town-hall', 'riverbank'],
      contact: 'Short breaks team',
    },
    {
      org: 'council',
      name: 'School attendance support',
      description:
        'Attendance officers work with families and schools when a child is missing school or finds it hard to go, to understand why and help them back.',
      terms: ['attendance'],
      ages: [5, 16],
      access: ['professional_referral', 'self_referral'],
      sessions: [OFFICE_HOURS],
      venues: ['town-hall'],
      contact: 'Attendance team',
    },
    {
      org: 'libraries',
      name: 'Code club',
      description: 'Learn to code games and animations. Laptops provided.',
      terms: ['education-support', 'arts'],
      ages: [8, 13],
      access: ['drop_in'],
      sessions: [s('SA', '10:00', '11:30')],
      venues: ['central-library', 'library-east'],
      contact: 'Library staff',
    },
    {
      org: 'libraries',
      name: 'Homework help at the library',
      description:
        'Volunteers help with reading and homework after school. Free computers and printing for homework.',
      terms: ['education-support'],
      ages: [7, 16],
      access: ['drop_in'],
      sessions: [s('TU,TH', '15:30', '17:30')],
      venues: ['central-library', 'library-west'],
      contact: 'Library staff',
    },
    {
      org: 'youth-service',
      name: 'Detached youth work',
      description:
        'Youth workers out in parks and streets in the evenings, getting to know young people and helping them stay safe.',
      terms: ['youth-clubs', 'exploitation'],
      ages: [11, 19],
      access: ['drop_in'],
      sessions: [s('TU,TH,FR', '18:00', '21:30')],
      venues: ['youth-east', 'youth-north', 'park'],
      contact: 'Youth service',
    },
    {
      org: 'youth-service',
      name: 'Youth voice',
      description: 'Have your say on what happens in Northbridge: the youth council meets every fortnight.',
      terms: ['youth-clubs'],
      ages: [11, 18],
      access: ['self_referral'],
      sessions: [s('WE', '17:00', '18:30', 'Fortnightly')],
      venues: ['town-hall'],
      contact: 'Youth participation worker',
    },
    {
      org: 'housing',
      name: 'Housing advice drop-in',
      description:
        'Worried about rent arrears, an eviction notice, or where you will live? Come and talk to a housing options officer.',
      terms: ['housing'],
      access: ['drop_in'],
      languages: ['en', 'pl', 'ur'],
      sessions: [s('MO,WE,FR', '09:30', '12:30')],
      venues: ['town-hall'],
      contact: 'Housing options',
    },
    {
      org: 'housing',
      name: 'Homelessness prevention for families',
      description:
        'If you might lose your home in the next eight weeks, we will work with you to keep it or find somewhere else. Emergency accommodation if you have nowhere to stay tonight.',
      terms: ['housing'],
      ages: [0, 18],
      access: ['self_referral', 'professional_referral'],
      sessions: [OFFICE_HOURS],
      venues: ['town-hall'],
      contact: 'Housing options',
    },
    {
      org: 'housing',
      name: 'Supported housing for 16 and 17 year olds',
      description:
        'Safe accommodation with support for young people who cannot live at home, after a joint assessment with children’s services.',
      terms: ['housing'],
      ages: [16, 17],
      access: ['professional_referral'],
      specialist: true,
      sessions: [OFFICE_HOURS],
      capacity: ['full', 6],
      venues: ['town-hall'],
      contact: 'Young people’s housing officer',
    },
    {
      org: 'police',
      name: 'Safer Schools officers',
      description:
        'Police officers based in secondary schools, helping young people stay safe and out of trouble, and talking about online safety, knives and exploitation.',
      terms: ['youth-justice', 'bullying'],
      ages: [11, 16],
      access: ['self_referral', 'professional_referral'],
      sessions: [s('MO,TU,WE,TH,FR', '08:30', '16:00', 'Term time')],
      venues: ['secondary-north', 'secondary-east', 'secondary-west'],
      contact: 'Safer Schools team',
    },
    {
      org: 'police',
      name: 'Choices youth diversion',
      description:
        'For young people who have been involved in a minor offence or anti-social behaviour: a youth worker and police officer help them make different choices, instead of a criminal record.',
      terms: ['youth-justice', 'exploitation'],
      ages: [10, 17],
      access: ['professional_referral'],
      specialist: true,
      sessions: [OFFICE_HOURS],
      capacity: ['available', 1],
      venues: ['police-station'],
      contact: 'Youth diversion coordinator',
    },
    {
      org: 'police',
      name: 'Mini Police',
      description: 'Children in Years 5 and 6 learn about keeping safe and helping their community.',
      terms: ['youth-clubs'],
      ages: [9, 11],
      access: ['self_referral'],
      sessions: [s('TH', '15:30', '16:30', 'Term time')],
      venues: ['primary-east', 'primary-west'],
      contact: 'Neighbourhood policing team',
    },
    {
      org: 'police',
      name: 'Police cadets',
      description: 'Volunteering, first aid and teamwork for 13 to 17 year olds. Uniform provided.',
      terms: ['youth-clubs'],
      ages: [13, 17],
      access: ['self_referral'],
      sessions: [s('MO', '18:30', '20:30')],
      venues: ['police-station'],
      contact: 'Cadet leader',
    },
    {
      org: 'police',
      name: 'Online safety for parents',
      description:
        'A free evening session on apps, gaming, sharing images and what to do if something goes wrong.',
      terms: ['bullying', 'parenting'],
      ages: [7, 17],
      access: ['self_referral'],
      sessions: [s('WE', '18:30', '20:00', 'Once a month')],
      venues: ['central-library'],
      contact: 'Neighbourhood policing team',
    },
    {
      org: 'yjs',
      name: 'Turnaround early intervention',
      description:
        'Help for young people on the edge of the youth justice system, and their families, before things get worse: mentoring, activities and family support.',
      terms: ['youth-justice'],
      ages: [10, 17],
      access: ['professional_referral'],
      specialist: true,
      sessions: [OFFICE_HOURS],
      capacity: ['limited', 2],
      venues: ['yjs-office'],
      contact: 'Prevention team',
    },
    {
      org: 'yjs',
      name: 'Out-of-court diversion',
      description:
        'Young people who admit an offence can avoid court by working with the youth justice team on what happened and putting things right.',
      terms: ['youth-justice'],
      ages: [10, 17],
      access: ['professional_referral'],
      specialist: true,
      sessions: [OFFICE_HOURS],
      venues: ['yjs-office'],
      contact: 'Youth justice duty officer',
    },
    {
      org: 'yjs',
      name: 'Junior attendance centre',
      description: 'Saturday sessions of sport, first aid and life skills, as part of a court order.',
      terms: ['youth-justice'],
      ages: [10, 17],
      access: ['professional_referral'],
      specialist: true,
      sessions: [s('SA', '10:00', '13:00')],
      venues: ['leisure-east'],
      contact: 'Youth justice duty officer',
    },
    {
      org: 'riverbank',
      name: 'Riverbank Saturday club',
      description:
        'A Saturday club for disabled children and young people: sensory room, soft play, swimming and friends. A short break for parents too.',
      terms: ['send', 'sport'],
      ages: [5, 19],
      access: ['professional_referral'],
      specialist: true,
      sessions: [s('SA', '10:00', '15:00')],
      capacity: ['full', 12],
      venues: ['riverbank'],
      contact: 'Short breaks coordinator',
    },
    {
      org: 'riverbank',
      name: 'Riverbank holiday club',
      description: 'Holiday days out and activities for children and young people with complex needs.',
      terms: ['send', 'holiday-activities'],
      ages: [5, 19],
      access: ['professional_referral'],
      specialist: true,
      sessions: [{ ...s('TU,WE,TH', '10:00', '15:00'), ...summer }],
      venues: ['riverbank'],
      contact: 'Short breaks coordinator',
    },
  );

  // Bridges Family Support (the demo's voluntary agency), counselling and food.
  add(
    {
      org: 'bridges',
      name: 'Family support at home',
      description:
        'A Bridges family worker visits you at home every week for up to six months, to help with whatever is making family life hard: routines, behaviour, money, housing, or getting to appointments.',
      terms: ['family-life', 'parenting'],
      ages: [0, 18],
      access: ['self_referral', 'professional_referral'],
      languages: ['en', 'pl', 'ur'],
      sessions: [OFFICE_HOURS],
      capacity: ['limited', 4],
      venues: ['bridges-office'],
      contact: 'Family support coordinator',
    },
    {
      org: 'bridges',
      name: 'Incredible Years parenting group',
      description:
        'A 14-week group for parents of children aged 3 to 8 whose behaviour is hard to manage. Lunch and a crèche provided.',
      terms: ['parenting'],
      ages: [3, 8],
      access: ['self_referral', 'professional_referral'],
      sessions: [s('TH', '09:30', '12:00', 'Fourteen weeks')],
      capacity: ['available', 6],
      venues: ['bridges-office', 'community-east'],
      contact: 'Family support coordinator',
    },
    {
      org: 'bridges',
      name: 'Dads Matter',
      description: 'A monthly evening for dads to talk about being a dad, over food. No judgement.',
      terms: ['parenting'],
      access: ['drop_in'],
      sessions: [s('TU', '18:30', '20:30', 'Last Tuesday of the month')],
      venues: ['bridges-office'],
      contact: 'Family support coordinator',
    },
    {
      org: 'bridges',
      name: 'Kinship carers group',
      description:
        'For grandparents, aunts, uncles and friends bringing up a child who cannot live with their parents. Advice, support and a break.',
      terms: ['family-life'],
      ages: [0, 18],
      access: ['drop_in', 'self_referral'],
      sessions: [s('WE', '10:00', '12:00', 'Fortnightly')],
      venues: ['methodist'],
      contact: 'Family support coordinator',
    },
    {
      org: 'bridges',
      name: 'Bridges toddler group, Millbank',
      description: 'A friendly toddler group with toys, crafts, snacks and songs. 50p a family.',
      terms: ['early-years'],
      ages: [0, 4],
      access: ['drop_in'],
      costs: [{ option: 'Per family', amount: 0.5 }],
      fees: '50p a family.',
      languages: ['en', 'ur', 'bn'],
      sessions: [s('MO', '09:30', '11:00')],
      venues: ['al-noor'],
      contact: 'Family support coordinator',
    },
    {
      org: 'bridges',
      name: 'Bridges toddler group, Ashton Green',
      description: 'A friendly toddler group with toys, crafts, snacks and songs. 50p a family.',
      terms: ['early-years'],
      ages: [0, 4],
      access: ['drop_in'],
      costs: [{ option: 'Per family', amount: 0.5 }],
      fees: '50p a family.',
      sessions: [s('FR', '09:30', '11:00')],
      venues: ['church-south'],
      contact: 'Family support coordinator',
    },
    {
      org: 'bridges',
      name: 'Teen Talk for parents',
      description:
        'Parents of teenagers meet to share what works and get ideas from a Bridges family worker.',
      terms: ['parenting'],
      ages: [11, 18],
      access: ['drop_in'],
      sessions: [s('MO', '18:30', '20:00')],
      venues: ['bridges-office'],
      contact: 'Family support coordinator',
    },
    {
      org: 'bridges',
      name: 'Family time after separation',
      description:
        'Support for parents who have separated to agree arrangements for the children, with a safe, friendly place for contact if needed.',
      terms: ['separation'],
      ages: [0, 16],
      access: ['self_referral', 'professional_referral'],
      costs: [
        {
          option: 'Supported contact, per session',
          amount: 15,
          amountDescription: 'Free if you get benefits',
        },
      ],
      fees: '£15 a contact session; free if you get benefits.',
      sessions: [s('SA', '10:00', '16:00')],
      capacity: ['limited', 3],
      venues: ['bridges-office'],
      contact: 'Family support coordinator',
    },
    {
      org: 'counselling',
      name: 'Counselling for young people',
      description:
        'Free, confidential counselling for 11 to 25 year olds, face to face or online, about anything that is worrying you. You can refer yourself.',
      terms: ['mental-health'],
      ages: [11, 25],
      access: ['self_referral', 'professional_referral'],
      languages: ['en', 'pl'],
      sessions: [s('MO,TU,WE,TH', '10:00', '20:00'), s('FR', '10:00', '17:00')],
      capacity: ['limited', 6],
      venues: ['counselling-office', 'secondary-east'],
      contact: 'Counselling service',
    },
    {
      org: 'counselling',
      name: 'Drop-in wellbeing chat',
      description: 'No appointment, no waiting list: a 30-minute chat with a counsellor when you need it.',
      terms: ['mental-health'],
      ages: [11, 25],
      access: ['drop_in'],
      sessions: [s('WE', '15:30', '18:30')],
      venues: ['counselling-office'],
      contact: 'Counselling service',
    },
    {
      org: 'counselling',
      name: 'Out and About LGBTQ+ youth group',
      description: 'A safe, fun group for LGBTQ+ young people and those questioning, aged 13 to 19.',
      terms: ['mental-health', 'youth-clubs'],
      ages: [13, 19],
      access: ['drop_in'],
      sessions: [s('TH', '18:00', '20:00')],
      venues: ['counselling-office'],
      contact: 'Youth worker',
    },
    {
      org: 'counselling',
      name: 'Exam stress group',
      description: 'Four sessions on managing worry, sleep and revision, for students in Years 10 to 13.',
      terms: ['mental-health', 'education-support'],
      ages: [14, 18],
      access: ['self_referral'],
      sessions: [s('TU', '16:00', '17:30', 'Spring term')],
      venues: ['counselling-office'],
      contact: 'Counselling service',
    },
    {
      org: 'riverside',
      name: 'Riverside community pantry',
      description:
        'Join for £4.50 a week and choose at least £20 of food and household items, including fresh fruit and vegetables.',
      terms: ['food'],
      access: ['drop_in', 'self_referral'],
      costs: [{ option: 'Weekly shop', amount: 4.5, amountDescription: 'at least £20 of food' }],
      fees: '£4.50 a visit.',
      eligibility: 'People who live in Northbridge and are struggling with the cost of food.',
      sessions: [s('TU,FR', '10:00', '13:00')],
      capacity: ['available', null],
      venues: ['pantry-1', 'pantry-2'],
      contact: 'Pantry volunteers',
    },
    {
      org: 'riverside',
      name: 'Pay-as-you-feel café',
      description: 'A hot lunch for the whole family. Pay what you can, or nothing at all.',
      terms: ['food'],
      access: ['drop_in'],
      sessions: [s('WE,SA', '12:00', '14:00')],
      venues: ['pantry-1'],
      contact: 'Café team',
    },
    {
      org: 'riverside',
      name: 'Baby bank',
      description:
        'Free prams, cots, clothes, nappies and baby equipment. A midwife, health visitor or family worker refers you.',
      terms: ['food', 'early-years'],
      ages: [0, 4],
      access: ['professional_referral'],
      sessions: [s('TH', '10:00', '14:00')],
      venues: ['pantry-1'],
      contact: 'Baby bank coordinator',
    },
    {
      org: 'riverside',
      name: 'School uniform exchange',
      description:
        'Free, good-as-new school uniform and PE kit for every Northbridge school. Bring what no longer fits.',
      terms: ['food'],
      ages: [4, 16],
      access: ['drop_in'],
      sessions: [s('SA', '10:00', '12:00')],
      venues: ['pantry-2', 'central-library'],
      contact: 'Pantry volunteers',
    },
  );

  // The wider voluntary sector.
  add(
    ...(['food-bank-1', 'food-bank-2', 'food-bank-3'] as const).map((v, k): Offering => ({
      org: 'food-bank',
      name: `Emergency food parcels, ${['Highfield', 'Canal Side', 'Larkhill'][k]}`,
      description:
        'Three days of emergency food for you and your family. You need a food bank voucher from an agency such as Citizens Advice, the family hub or your school, or ring us.',
      terms: ['food'],
      access: ['professional_referral', 'self_referral'],
      sessions: [s(['MO,TH', 'TU,FR', 'WE,SA'][k]!, '12:00', '14:30')],
      venues: [v],
      contact: 'Food bank',
    })),
    {
      org: 'citizens-advice',
      name: 'Citizens Advice drop-in',
      description:
        'Free, confidential advice on benefits, debt, housing, work, consumer problems and immigration. Interpreters available.',
      terms: ['benefits-debt', 'housing'],
      access: ['drop_in'],
      languages: ['en', 'pl', 'ur', 'ar', 'ro'],
      sessions: [s('MO,TU,TH', '09:30', '13:00')],
      venues: ['market-street'],
      contact: 'Advice line',
    },
    {
      org: 'citizens-advice',
      name: 'Help to Claim Universal Credit',
      description: 'Help to make a Universal Credit claim and get your first payment.',
      terms: ['benefits-debt'],
      access: ['self_referral'],
      sessions: [OFFICE_HOURS],
      venues: ['market-street'],
      contact: 'Advice line',
    },
    {
      org: 'citizens-advice',
      name: 'Debt advice',
      description:
        'A debt adviser works out what you owe, talks to the people you owe, and finds the best way out, including breathing space from creditors.',
      terms: ['benefits-debt'],
      access: ['self_referral', 'professional_referral'],
      sessions: [OFFICE_HOURS],
      capacity: ['limited', 3],
      venues: ['market-street', 'hub-east'],
      contact: 'Advice line',
    },
    {
      org: 'citizens-advice',
      name: 'Energy advice',
      description: 'Help with energy bills, arrears, prepayment meters and grants to keep your home warm.',
      terms: ['benefits-debt', 'housing'],
      access: ['self_referral', 'drop_in'],
      sessions: [s('WE', '10:00', '14:00')],
      venues: ['market-street'],
      contact: 'Advice line',
    },
    {
      org: 'womens-aid',
      name: 'Domestic abuse helpline and outreach',
      description:
        'If someone you live with or are close to hurts, threatens or controls you, talk to us. Safety planning, advice and support in the community.',
      terms: ['domestic-abuse'],
      access: ['self_referral', 'professional_referral'],
      languages: ['en', 'ur', 'pa', 'pl', 'ar'],
      sessions: [s('MO,TU,WE,TH,FR', '09:00', '21:00'), s('SA', '10:00', '16:00')],
      venues: ['womens-aid'],
      contact: 'Helpline',
    },
    {
      org: 'womens-aid',
      name: 'Refuge',
      description: 'Safe, confidential accommodation for women and their children escaping domestic abuse.',
      terms: ['domestic-abuse', 'housing'],
      ages: [0, 18],
      access: ['self_referral', 'professional_referral'],
      specialist: true,
      sessions: [s('MO,TU,WE,TH,FR,SA,SU', '00:00', '23:59')],
      capacity: ['full', null],
      venues: ['womens-aid'],
      contact: 'Helpline',
    },
    {
      org: 'womens-aid',
      name: 'Children’s recovery group',
      description:
        'A ten-week group for children aged 4 to 16 who have lived with domestic abuse, to understand their feelings and feel safe again. Mums attend a group alongside.',
      terms: ['domestic-abuse', 'mental-health'],
      ages: [4, 16],
      access: ['self_referral', 'professional_referral'],
      specialist: true,
      sessions: [s('TU', '16:00', '17:30', 'Ten weeks')],
      capacity: ['limited', 8],
      venues: ['womens-aid'],
      contact: 'Children’s worker',
    },
    {
      org: 'womens-aid',
      name: 'Freedom Programme',
      description:
        'A twelve-week course for women to understand abusive relationships and rebuild confidence.',
      terms: ['domestic-abuse'],
      access: ['self_referral'],
      sessions: [s('WE', '10:00', '12:00', 'Twelve weeks')],
      venues: ['methodist'],
      contact: 'Helpline',
    },
    {
      org: 'womens-aid',
      name: 'Independent domestic violence advisers (IDVA)',
      description:
        'Specialist advocates for people at high risk of serious harm, working with police and courts.',
      terms: ['domestic-abuse'],
      access: ['professional_referral'],
      specialist: true,
      sessions: [OFFICE_HOURS],
      capacity: ['limited', 1],
      venues: ['womens-aid'],
      contact: 'IDVA team',
    },
    {
      org: 'young-carers',
      name: 'Young carers assessment and support',
      description:
        'If you help look after someone in your family, we can talk with you about what would make things easier, and tell your school so they understand.',
      terms: ['young-carers'],
      ages: [5, 18],
      access: ['self_referral', 'professional_referral'],
      sessions: [OFFICE_HOURS],
      capacity: ['limited', 4],
      venues: ['methodist'],
      contact: 'Young carers worker',
    },
    {
      org: 'young-carers',
      name: 'Young adult carers group',
      description: 'Support with college, work and caring for young carers aged 16 to 25.',
      terms: ['young-carers', 'careers'],
      ages: [16, 25],
      access: ['self_referral'],
      sessions: [s('MO', '18:00', '20:00', 'Fortnightly')],
      venues: ['methodist'],
      contact: 'Young carers worker',
    },
    ...(
      [
        ['moorside-youth', 'youth-north', 'Moorside Youth Club'],
        ['canal-youth', 'youth-east', 'Canal Side Youth Project'],
        ['priory-youth', 'youth-west', 'Priory Youth Centre'],
        ['southgate-youth', 'youth-south', 'Southgate Boys and Girls Club'],
      ] as const
    ).flatMap(([org, v, club], k): Offering[] => [
      {
        org,
        name: `${club}: juniors`,
        description: 'Games, crafts, pool, tuck shop and outdoor play for 8 to 12 year olds.',
        terms: ['youth-clubs'],
        ages: [8, 12],
        access: ['drop_in'],
        costs: [{ option: 'Per session', amount: 1 }],
        fees: '£1 a session.',
        sessions: [s(WEEKDAYS[k]!, '17:00', '18:30')],
        venues: [v],
        contact: 'Youth worker',
      },
      {
        org,
        name: `${club}: seniors`,
        description:
          'An open youth club for 13 to 19 year olds: music, sport, cooking, trips and youth workers to talk to.',
        terms: ['youth-clubs'],
        ages: [13, 19],
        access: ['drop_in'],
        languages: k === 2 ? ['en', 'ar', 'so'] : ['en'],
        sessions: [s(WEEKDAYS[(k + 2) % 5]!, '18:30', '21:00'), s(WEEKDAYS[(k + 4) % 5]!, '18:30', '21:00')],
        venues: [v],
        contact: 'Youth worker',
      },
    ]),
    {
      org: 'juniors-fc',
      name: 'Junior football',
      description: 'Training and Saturday matches for boys’ and girls’ teams from under-6s to under-16s.',
      terms: ['sport'],
      ages: [5, 16],
      access: ['self_referral'],
      costs: [
        { option: 'Per session', amount: 3 },
        { option: 'Yearly subscription', amount: 60 },
      ],
      fees: '£3 a session, or £60 a year. Kit grants available.',
      sessions: [s('TU,TH', '17:30', '19:00'), s('SA', '09:00', '12:00')],
      venues: ['football'],
      contact: 'Club secretary',
    },
    {
      org: 'boxing',
      name: 'Junior boxing',
      description: 'Boxing fitness and training with qualified coaches. No sparring until you are ready.',
      terms: ['sport'],
      ages: [10, 18],
      access: ['drop_in'],
      costs: [{ option: 'Per session', amount: 2 }],
      fees: '£2 a session.',
      sessions: [s('MO,WE,FR', '17:30', '19:00')],
      venues: ['boxing'],
      contact: 'Head coach',
    },
    {
      org: 'swimming',
      name: 'Learn to swim',
      description: 'Swimming lessons in small groups for children aged 4 and over.',
      terms: ['sport'],
      ages: [4, 16],
      access: ['self_referral'],
      costs: [{ option: 'Per term', amount: 72, amountDescription: 'Twelve lessons' }],
      fees: '£72 a term.',
      sessions: [s('MO,WE', '16:30', '18:30'), s('SA', '08:30', '11:00')],
      capacity: ['limited', 6],
      venues: ['pool'],
      contact: 'Swimming club',
    },
    {
      org: 'cricket',
      name: 'All Stars and junior cricket',
      description:
        'Fun cricket for beginners aged 5 to 8 and junior teams up to under-15s. Free taster sessions.',
      terms: ['sport'],
      ages: [5, 15],
      access: ['self_referral', 'drop_in'],
      costs: [{ option: 'Season', amount: 40 }],
      fees: '£40 a season; first four sessions free.',
      sessions: [s('FR', '17:30', '19:00'), s('SU', '10:00', '12:00')],
      venues: ['cricket'],
      contact: 'Junior coordinator',
    },
    {
      org: 'gymnastics',
      name: 'Gymnastics classes',
      description: 'Pre-school gym, recreational classes and squads.',
      terms: ['sport'],
      ages: [3, 16],
      access: ['self_referral'],
      costs: [{ option: 'Per month', amount: 28 }],
      fees: '£28 a month.',
      sessions: [s('TU,TH', '16:00', '19:00'), s('SA', '09:00', '13:00')],
      capacity: ['full', 12],
      venues: ['gymnastics'],
      contact: 'Club office',
    },
    {
      org: 'rugby',
      name: 'Junior rugby league',
      description: 'Tag rugby for under-7s and full-contact rugby league from under-8s to under-16s.',
      terms: ['sport'],
      ages: [6, 16],
      access: ['drop_in'],
      costs: [{ option: 'Per session', amount: 2 }],
      fees: '£2 a session.',
      sessions: [s('WE', '18:00', '19:30'), s('SU', '10:00', '12:00')],
      venues: ['rugby'],
      contact: 'Junior coordinator',
    },
    {
      org: 'parkrun',
      name: 'Junior parkrun',
      description: 'A free, timed 2 km run every Sunday morning. Register once online; walkers welcome.',
      terms: ['sport', 'healthy-lifestyles'],
      ages: [4, 14],
      access: ['drop_in'],
      sessions: [s('SU', '09:00', '09:45')],
      venues: ['park'],
      contact: 'Event team',
    },
    {
      org: 'parent-forum',
      name: 'EHC plan workshops',
      description:
        'Workshops for parents on education, health and care plans, annual reviews and moving to secondary school.',
      terms: ['send'],
      ages: [0, 25],
      access: ['self_referral'],
      sessions: [s('TH', '18:30', '20:30', 'Monthly')],
      venues: ['town-hall'],
      contact: 'Forum coordinator',
    },
    {
      org: 'money-advice',
      name: 'Free debt advice',
      description: 'Free, confidential help with debts, bailiffs and budgeting, by phone or face to face.',
      terms: ['benefits-debt'],
      access: ['self_referral'],
      sessions: [OFFICE_HOURS],
      capacity: ['limited', 2],
      venues: ['market-street'],
      contact: 'Money adviser',
    },
    {
      org: 'credit-union',
      name: 'Saving and affordable loans',
      description: 'Save from £1 a week and borrow at a fair rate instead of using a doorstep lender.',
      terms: ['benefits-debt'],
      access: ['drop_in', 'self_referral'],
      sessions: [s('MO,WE,FR', '10:00', '15:00')],
      venues: ['market-street', 'hub-south'],
      contact: 'Credit union office',
    },
    {
      org: 'home-start',
      name: 'Home-Start volunteer visits',
      description:
        'A trained volunteer, often a parent themselves, visits you at home each week to offer friendly support with young children.',
      terms: ['parenting', 'early-years'],
      ages: [0, 5],
      access: ['self_referral', 'professional_referral'],
      sessions: [OFFICE_HOURS],
      capacity: ['limited', 5],
      venues: ['methodist'],
      contact: 'Home-Start coordinator',
    },
    {
      org: 'relationships',
      name: 'Couple and family counselling',
      description:
        'Counselling for couples and families going through a difficult time. Fees based on income.',
      terms: ['separation', 'mental-health'],
      access: ['self_referral'],
      costs: [{ option: 'Per session', amount: 45, amountDescription: 'from £10 on a low income' }],
      fees: '£45 a session, less on a low income.',
      sessions: [s('MO,TU,WE,TH', '10:00', '20:00')],
      capacity: ['available', 3],
      venues: ['arts-centre'],
      contact: 'Appointments',
    },
    {
      org: 'relationships',
      name: 'Children’s counselling',
      description: 'Play and talking therapy for children aged 5 to 12 who are struggling with feelings.',
      terms: ['mental-health'],
      ages: [5, 12],
      access: ['self_referral', 'professional_referral'],
      costs: [{ option: 'Per session', amount: 35, amountDescription: 'free for families on benefits' }],
      fees: '£35 a session; free if you get benefits.',
      sessions: [s('TU,TH', '15:30', '19:00')],
      capacity: ['limited', 8],
      venues: ['arts-centre'],
      contact: 'Appointments',
    },
    {
      org: 'autism',
      name: 'Parents’ autism support group',
      description:
        'Meet other parents of autistic children, with or without a diagnosis. Speakers and advice.',
      terms: ['send', 'parenting'],
      ages: [0, 18],
      access: ['drop_in'],
      sessions: [s('TU', '19:00', '21:00', 'Second Tuesday of the month')],
      venues: ['community-west'],
      contact: 'Group coordinator',
    },
    {
      org: 'autism',
      name: 'Saturday social club for autistic young people',
      description:
        'A calm, friendly club with gaming, art and outings, for autistic young people aged 8 to 18.',
      terms: ['send', 'youth-clubs'],
      ages: [8, 18],
      access: ['self_referral'],
      costs: [{ option: 'Per session', amount: 3 }],
      fees: '£3 a session.',
      sessions: [s('SA', '13:00', '16:00')],
      capacity: ['limited', 4],
      venues: ['community-west'],
      contact: 'Group coordinator',
    },
    {
      org: 'autism',
      name: 'Siblings group',
      description: 'Fun and time out for brothers and sisters of autistic children.',
      terms: ['send', 'young-carers'],
      ages: [6, 14],
      access: ['self_referral'],
      sessions: [s('SA', '10:00', '12:00', 'Monthly')],
      venues: ['community-west'],
      contact: 'Group coordinator',
    },
    {
      org: 'mind',
      name: 'Young people’s wellbeing group',
      description: 'A six-week group for 13 to 18 year olds on anxiety, low mood and looking after yourself.',
      terms: ['mental-health'],
      ages: [13, 18],
      access: ['self_referral', 'professional_referral'],
      sessions: [s('WE', '16:30', '18:00', 'Six weeks')],
      venues: ['arts-centre'],
      contact: 'Wellbeing team',
    },
    {
      org: 'mind',
      name: 'Parents’ peer support',
      description:
        'For parents of a child or teenager with mental health difficulties: support from parents who have been there.',
      terms: ['mental-health', 'parenting'],
      ages: [5, 18],
      access: ['drop_in'],
      sessions: [s('MO', '18:30', '20:00')],
      venues: ['arts-centre'],
      contact: 'Wellbeing team',
    },
    {
      org: 'compass',
      name: 'Young people’s drug and alcohol service',
      description:
        'Confidential advice and support for young people under 18 worried about their use of drugs, alcohol or vapes, or someone else’s.',
      terms: ['substance-use'],
      ages: [10, 17],
      access: ['self_referral', 'professional_referral'],
      specialist: true,
      sessions: [OFFICE_HOURS],
      capacity: ['available', 1],
      venues: ['riverside-house'],
      contact: 'Duty worker',
    },
    {
      org: 'compass',
      name: 'Family support for drug and alcohol use',
      description: 'Support for parents and family members affected by someone else’s drinking or drug use.',
      terms: ['substance-use', 'family-life'],
      access: ['self_referral'],
      sessions: [s('TH', '18:00', '20:00')],
      venues: ['riverside-house'],
      contact: 'Duty worker',
    },
    {
      org: 'safe-steps',
      name: 'Exploitation support service',
      description:
        'Specialist workers who build trust with young people at risk of criminal or sexual exploitation, and support their families.',
      terms: ['exploitation'],
      ages: [10, 18],
      access: ['professional_referral'],
      specialist: true,
      sessions: [OFFICE_HOURS],
      capacity: ['limited', 3],
      venues: ['riverside-house'],
      contact: 'Referrals coordinator',
    },
    {
      org: 'safe-steps',
      name: 'Return home interviews',
      description:
        'A talk with an independent worker after a young person has been missing, to understand why and keep them safe.',
      terms: ['exploitation'],
      ages: [10, 18],
      access: ['professional_referral'],
      specialist: true,
      sessions: [s('MO,TU,WE,TH,FR,SA', '09:00', '19:00')],
      venues: ['riverside-house'],
      contact: 'Referrals coordinator',
    },
    {
      org: 'refugee-welcome',
      name: 'Welcome drop-in',
      description:
        'Advice, interpreters, donated clothes and a warm welcome for refugees and people seeking asylum. Children’s corner.',
      terms: ['benefits-debt', 'housing', 'family-life'],
      access: ['drop_in'],
      languages: ['en', 'ar', 'fa', 'ku', 'ti', 'so', 'uk'],
      sessions: [s('TH', '10:00', '14:00')],
      venues: ['methodist'],
      contact: 'Drop-in coordinator',
    },
    {
      org: 'refugee-welcome',
      name: 'English classes for adults',
      description: 'Free English classes at beginner and intermediate levels, with a crèche.',
      terms: ['work-skills'],
      access: ['self_referral', 'drop_in'],
      languages: ['en', 'ar', 'fa', 'uk'],
      sessions: [s('TU,TH', '09:30', '11:30')],
      venues: ['methodist'],
      contact: 'Drop-in coordinator',
    },
    {
      org: 'polish-school',
      name: 'Polish Saturday School',
      description: 'Polish language, history and culture lessons for children aged 4 to 16.',
      terms: ['education-support', 'arts'],
      ages: [4, 16],
      access: ['self_referral'],
      languages: ['pl', 'en'],
      costs: [{ option: 'Per term', amount: 90 }],
      fees: '£90 a term; discounts for brothers and sisters.',
      sessions: [s('SA', '09:00', '13:00')],
      venues: ['polish-school'],
      contact: 'School office',
    },
    {
      org: 'al-noor',
      name: 'After-school homework club',
      description: 'Homework help, reading and a snack for children aged 7 to 14.',
      terms: ['education-support'],
      ages: [7, 14],
      access: ['drop_in'],
      languages: ['en', 'ur', 'pa', 'ar'],
      sessions: [s('MO,TU,WE,TH', '16:00', '18:00')],
      venues: ['al-noor'],
      contact: 'Centre manager',
    },
    {
      org: 'al-noor',
      name: 'Women’s wellbeing group',
      description: 'Exercise, conversation and guest speakers for women, with a crèche.',
      terms: ['mental-health', 'healthy-lifestyles'],
      access: ['drop_in'],
      languages: ['en', 'ur', 'pa', 'bn'],
      sessions: [s('WE', '10:00', '12:00')],
      venues: ['al-noor'],
      contact: 'Centre manager',
    },
    {
      org: 'st-marys',
      name: 'Little Lambs toddler group',
      description: 'Toys, songs, crafts and toast for toddlers and their grown-ups. £1 a family.',
      terms: ['early-years'],
      ages: [0, 4],
      access: ['drop_in'],
      costs: [{ option: 'Per family', amount: 1 }],
      fees: '£1 a family.',
      sessions: [s('WE', '09:30', '11:00')],
      venues: ['church-north', 'church-west'],
      contact: 'Parish office',
    },
    {
      org: 'works',
      name: 'Back to work for parents',
      description:
        'One-to-one help for parents to find work that fits around children: CVs, confidence, training and childcare costs while you start.',
      terms: ['work-skills'],
      access: ['self_referral', 'professional_referral'],
      sessions: [OFFICE_HOURS],
      venues: ['central-library', 'hub-east'],
      contact: 'Employment adviser',
    },
    {
      org: 'works',
      name: 'Youth employment hub',
      description:
        'Help for 16 to 24 year olds not in work or training to find a job, apprenticeship or course.',
      terms: ['work-skills', 'careers'],
      ages: [16, 24],
      access: ['drop_in', 'self_referral'],
      sessions: [s('TU,TH', '10:00', '16:00')],
      venues: ['central-library'],
      contact: 'Employment adviser',
    },
    {
      org: 'college',
      name: 'Careers advice and open days',
      description: 'Talk to an adviser about courses and apprenticeships after Year 11. Free for anyone.',
      terms: ['careers'],
      ages: [14, 19],
      access: ['drop_in'],
      sessions: [s('MO,TU,WE,TH', '10:00', '16:00')],
      venues: ['college'],
      contact: 'Student services',
    },
    {
      org: 'college',
      name: 'Family learning',
      description: 'Short free courses for parents and children together: maths, reading and cooking.',
      terms: ['education-support', 'work-skills'],
      ages: [4, 11],
      access: ['self_referral'],
      sessions: [s('SA', '10:00', '12:00', 'Six-week courses')],
      venues: ['college', 'hub-north'],
      contact: 'Family learning team',
    },
    {
      org: 'music-hub',
      name: 'Music lessons and bands',
      description: 'Instrument lessons, bands and orchestras. Bursaries for families on a low income.',
      terms: ['arts'],
      ages: [7, 18],
      access: ['self_referral'],
      costs: [{ option: 'Per term', amount: 110, amountDescription: 'free with a bursary' }],
      fees: '£110 a term; bursaries available.',
      sessions: [s('SA', '09:00', '13:00')],
      venues: ['arts-centre'],
      contact: 'Music hub office',
    },
    {
      org: 'music-hub',
      name: 'Youth choir',
      description: 'A free choir for young people aged 8 to 16. No auditions.',
      terms: ['arts'],
      ages: [8, 16],
      access: ['drop_in'],
      sessions: [s('WE', '17:00', '18:30')],
      venues: ['arts-centre'],
      contact: 'Music hub office',
    },
    {
      org: 'youth-theatre',
      name: 'Youth theatre',
      description: 'Drama games, acting and a show every term.',
      terms: ['arts'],
      ages: [8, 18],
      access: ['self_referral'],
      costs: [{ option: 'Per session', amount: 4 }],
      fees: '£4 a session; free places for young carers and children in care.',
      sessions: [s('TH', '17:00', '19:00')],
      capacity: ['limited', null],
      venues: ['arts-centre'],
      contact: 'Youth theatre director',
    },
    {
      org: 'adventure',
      name: 'Adventure playground',
      description: 'Climbing, rope swings, den building and a kitchen, with playworkers. Free, just turn up.',
      terms: ['sport', 'holiday-activities'],
      ages: [6, 14],
      access: ['drop_in'],
      sessions: [s('TU,WE,TH,FR', '15:30', '18:30'), s('SA', '11:00', '16:00')],
      venues: ['adventure'],
      contact: 'Playworker',
    },
    {
      org: 'scouts',
      name: 'Beavers, Cubs and Scouts',
      description: 'Outdoor adventures, camping and new skills for young people aged 6 to 14.',
      terms: ['youth-clubs'],
      ages: [6, 14],
      access: ['self_referral'],
      costs: [{ option: 'Per term', amount: 35 }],
      fees: '£35 a term; help available.',
      sessions: [s('MO', '18:00', '19:30'), s('TH', '18:30', '20:00')],
      capacity: ['full', 26],
      venues: ['church-north', 'community-south'],
      contact: 'Group leader',
    },
    {
      org: 'girlguiding',
      name: 'Rainbows, Brownies and Guides',
      description: 'Fun, friendship and adventure for girls aged 4 to 14.',
      terms: ['youth-clubs'],
      ages: [4, 14],
      access: ['self_referral'],
      costs: [{ option: 'Per term', amount: 40 }],
      fees: '£40 a term.',
      sessions: [s('TU', '17:30', '19:00')],
      capacity: ['full', 20],
      venues: ['church-west', 'community-east'],
      contact: 'Unit leader',
    },
    {
      org: 'deaf-children',
      name: 'Deaf children’s family group',
      description:
        'Play, signing and support for deaf children and their families. Family sign language classes.',
      terms: ['send', 'speech-language'],
      ages: [0, 18],
      access: ['drop_in', 'self_referral'],
      languages: ['en', 'sgn'],
      sessions: [s('SA', '10:00', '12:00', 'Monthly')],
      venues: ['central-library'],
      contact: 'Family officer',
    },
    {
      org: 'mediation',
      name: 'Family mediation',
      description:
        'Help for separating parents to agree arrangements for children and money without going to court.',
      terms: ['separation'],
      ages: [0, 18],
      access: ['self_referral'],
      costs: [
        { option: 'First meeting', amount: 0, amountDescription: 'Government voucher for £500 may apply' },
        { option: 'Per session', amount: 120 },
      ],
      fees: 'First meeting free; £120 a session. Legal aid and vouchers available.',
      sessions: [OFFICE_HOURS],
      venues: ['arts-centre'],
      contact: 'Mediation office',
    },
    {
      org: 'bereavement',
      name: 'Child bereavement support',
      description:
        'One-to-one and group support for children and young people after someone important has died.',
      terms: ['mental-health'],
      ages: [4, 18],
      access: ['self_referral', 'professional_referral'],
      specialist: true,
      sessions: [OFFICE_HOURS],
      capacity: ['limited', 6],
      venues: ['methodist'],
      contact: 'Support team',
    },
    {
      org: 'anti-bullying',
      name: 'Bullying support for children and parents',
      description:
        'Advice for children being bullied, in school or online, and for their parents on working with the school.',
      terms: ['bullying'],
      ages: [7, 16],
      access: ['self_referral'],
      sessions: [s('MO,WE', '16:00', '19:00')],
      venues: ['central-library'],
      contact: 'Project worker',
    },
    {
      org: 'childrens-rights',
      name: 'Independent advocacy for children in care',
      description:
        'An advocate who is on your side, helps you say what you want and makes sure you are listened to.',
      terms: ['family-life'],
      ages: [5, 25],
      access: ['self_referral', 'professional_referral'],
      specialist: true,
      sessions: [OFFICE_HOURS],
      venues: ['town-hall'],
      contact: 'Advocacy team',
    },
    {
      org: 'dads',
      name: 'Dads’ walk and talk',
      description: 'A Saturday morning walk with the kids and other dads, ending with a coffee.',
      terms: ['parenting', 'mental-health'],
      access: ['drop_in'],
      sessions: [s('SA', '10:00', '11:30')],
      venues: ['park'],
      contact: 'Organiser',
    },
  );
  return offerings;
}

/** A UUID (version 4 format) that the same parts always give. */
function stableId(...parts: (string | number)[]): string {
  const h = createHash('sha256').update(parts.join(':')).digest('hex');
  const variant = (8 + (parseInt(h[16]!, 16) & 3)).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const slug = (text: string) =>
  text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** A drama-range number (Ofcom reserves 01632 960000 to 960999 for fiction). */
const phoneFor = (text: string) => `01632 960${String(Math.floor(unit(text) * 1000)).padStart(3, '0')}`;

export type BuildOptions = {
  seed: number;
  /** How many services; the catalogue's own size when not given. */
  services?: number;
  asOf: Date;
  /** The partnership's term id for a needs taxonomy code. */
  termId: (code: string) => string;
};

/** How many services the demo directory has when not asked for a number. */
export function demoDirectorySize(asOf = new Date()): number {
  return catalogue(londonDate(asOf)).length;
}

/**
 * The directory's entries, valid ServiceRecords, built without touching the database. Entry `i` is the
 * same whatever the number asked for, so a bigger directory contains the smaller.
 */
export function buildDirectory(options: BuildOptions): ServiceRecord[] {
  const today = londonDate(options.asOf);
  const offerings = catalogue(today);
  const order = shuffled(offerings.length, options.seed);
  const organisationsByKey = new Map(organisations().map((o) => [o.key, o]));
  const venuesByKey = new Map(venues().map((v) => [v.key, v]));
  const neighbourhoods = NORTHBRIDGE_NEIGHBOURHOODS.map((n) => n.name);
  const total = options.services ?? offerings.length;
  const random = new Faker({ locale: base });
  const records: ServiceRecord[] = [];

  for (let i = 0; i < total; i++) {
    random.seed([options.seed, 29, i]);
    const round = Math.floor(i / offerings.length);
    const offering = offerings[order[i % offerings.length]!]!;
    const organisation = organisationsByKey.get(offering.org);
    if (!organisation) throw new Error(`The demo directory has no organisation ${offering.org}`);
    const id = (...parts: (string | number)[]) => stableId(options.seed, ...parts);
    const serviceId = id('service', i);

    // Later rounds: the same kind of service, run in another neighbourhood at another venue.
    const elsewhere = round > 0 ? neighbourhoods[(i * 7 + round) % neighbourhoods.length]! : null;
    const places: Venue[] = elsewhere
      ? Array.from({ length: 1 + (i % 3 === 0 ? 1 : 0) }, (_, k) =>
          venue(
            `extra-${round}-${i}-${k}`,
            `${elsewhere} ${EXTRA_VENUES[(i + k) % EXTRA_VENUES.length]}`,
            k === 0 ? elsewhere : neighbourhoods[(i * 3 + k) % neighbourhoods.length]!,
            0.45,
          ),
        )
      : offering.venues.slice(0, 3).map((key) => {
          const found = venuesByKey.get(key);
          if (!found) throw new Error(`The demo directory has no venue ${key}`);
          return found;
        });
    const name = elsewhere ? `${offering.name} (${elsewhere})` : offering.name;

    const stale = random.number.float() < 0.1;
    const assuredDate = addDays(
      today,
      -(stale
        ? random.number.int({ min: REVIEW_AFTER_MONTHS * 31 + 5, max: 365 })
        : random.number.int({ min: 0, max: REVIEW_AFTER_MONTHS * 30 - 10 })),
    );
    const shift = round === 0 ? 0 : random.number.int({ min: 0, max: 4 });
    const holiday = summerHoliday(today);
    const paid = (offering.costs ?? []).some((c) => (c.amount ?? 0) > 0);
    const given = random.helpers.arrayElement([...WOMENS_NAMES, ...MENS_NAMES]);
    const family = random.helpers.arrayElement(FAMILY_NAMES);
    const orgMail = `${slug(organisation.name)}@example.org`;

    const input: ServiceRecordInput = {
      id: serviceId,
      organization: {
        id: id('organisation', organisation.key),
        name: organisation.name,
        description: organisation.description,
        email: orgMail,
        url: `https://www.example.org/${slug(organisation.name)}`,
        phone: phoneFor(organisation.key),
      },
      name,
      description: offering.description,
      url: `https://www.example.org/${slug(organisation.name)}/${slug(offering.name)}`,
      email: orgMail,
      status: 'active',
      minimumAge: offering.ages?.[0] ?? null,
      maximumAge: offering.ages?.[1] ?? null,
      eligibilityDescription: offering.eligibility ?? '',
      feesDescription: offering.fees ?? (paid ? '' : 'Free.'),
      free: !paid,
      accessRoutes: offering.access,
      languages: offering.languages ?? ['en'],
      specialist: offering.specialist ?? false,
      capacity: offering.capacity?.[0] ?? null,
      waitWeeks: offering.capacity?.[1] ?? null,
      assuredDate,
      taxonomyTermIds: offering.terms.map(options.termId),
      locations: places.map((v, k) => {
        const address = addressNear(v.east, v.north, i + k);
        return {
          id: id('location', v.key),
          name: v.name,
          locationType: 'physical' as const,
          addressLine1: `${address.line1}, ${v.neighbourhood === TOWN ? 'Town Centre' : v.neighbourhood}`,
          city: 'Northbridge',
          postalCode: address.postcode,
        };
      }),
      schedules: offering.sessions.map((session, k) => ({
        id: id('schedule', i, k),
        freq: 'WEEKLY' as const,
        byday: round === 0 ? session.byday : shiftDays(session.byday, shift),
        opensAt: session.opensAt,
        closesAt: session.closesAt,
        validFrom: session.holiday ? holiday.from : null,
        validTo: session.holiday ? holiday.to : null,
        description: session.description ?? '',
      })),
      costOptions: (offering.costs ?? []).map((c, k) => ({
        id: id('cost', i, k),
        option: c.option,
        amount: c.amount,
        currency: 'GBP',
        amountDescription: c.amountDescription ?? '',
      })),
      contacts: [
        {
          id: id('contact', i, 0),
          name: random.number.float() < 0.5 ? `${given} ${family}` : offering.contact,
          title: offering.contact,
          email: `${slug(offering.contact)}.${slug(organisation.key)}@example.org`,
          phone: phoneFor(`${organisation.key} ${offering.contact}`),
        },
      ],
    };
    records.push(ServiceRecord.parse(input));
  }
  return records;
}

/** Catalogue positions in an order the seed fixes, so any first few hundred mix every sector. */
function shuffled(length: number, seed: number): number[] {
  const random = new Faker({ locale: base });
  random.seed([seed, 31]);
  return random.helpers.shuffle(Array.from({ length }, (_, i) => i));
}

/** Weekdays moved on by `shift`, weekends left alone. */
function shiftDays(byday: string, shift: number): string {
  if (!byday || shift === 0) return byday;
  const days = byday.split(',');
  if (days.length >= 5 || days.some((d) => d === 'SA' || d === 'SU')) return byday;
  const moved = days.map((d) => WEEKDAYS[(WEEKDAYS.indexOf(d as (typeof WEEKDAYS)[number]) + shift) % 5]!);
  return [...new Set(moved)].sort((a, b) => WEEKDAYS.indexOf(a) - WEEKDAYS.indexOf(b)).join(',');
}

/** The next English summer holiday (late July to the end of August) from a date. */
function summerHoliday(today: string) {
  const year = Number(today.slice(0, 4)) + (today.slice(5) > '08-31' ? 1 : 0);
  return { from: `${year}-07-22`, to: `${year}-08-31` };
}

export type DirectorySeedOptions = {
  partnershipId: string;
  /** How many services; about 300 (the catalogue) when not given. */
  services?: number;
  seed: number;
  asOf?: Date;
};

const BATCH = 250;

/**
 * Gives a partnership the needs taxonomy, the town's places and the demo directory. Organisations
 * that are the partnership's own agencies (matched by name) are linked to them, so their directory
 * editors keep the entries and their staff answer referrals. Safe to run again: it writes the same.
 */
export async function seedDirectory(
  db: Db,
  options: DirectorySeedOptions,
): Promise<{ services: number; organisations: number; places: number }> {
  const { partnershipId } = options;
  const asOf = options.asOf ?? new Date();
  const places = await db.transaction().execute(async (tx) => {
    await seedNeedsTaxonomy(tx, partnershipId);
    return savePlaces(tx, northbridgePlaces());
  });
  const terms = new Map((await taxonomyTermsOf(db, partnershipId)).map((t) => [t.code, t.id]));
  const records = buildDirectory({
    seed: options.seed,
    asOf,
    ...(options.services === undefined ? {} : { services: options.services }),
    termId: (code) => {
      const found = terms.get(code);
      if (!found) throw new Error(`The needs taxonomy has no term ${code}`);
      return found;
    },
  });
  for (let i = 0; i < records.length; i += BATCH)
    await db
      .transaction()
      .execute((tx) => saveServiceRecords(tx, partnershipId, records.slice(i, i + BATCH), { now: asOf }));

  const agencies = new Map(
    (
      await db
        .selectFrom('organisations')
        .select(['id', 'name'])
        .where('partnershipId', '=', partnershipId)
        .execute()
    ).map((o) => [o.name, o.id]),
  );
  const used = new Set(records.map((r) => r.organization.id));
  for (const spec of organisations()) {
    const agencyId = spec.agency ? agencies.get(spec.agency) : undefined;
    const organisationId = stableId(options.seed, 'organisation', spec.key);
    if (!agencyId || !used.has(organisationId)) continue;
    await db
      .updateTable('directoryOrganizations')
      .set({ agencyOrganisationId: agencyId })
      .where('partnershipId', '=', partnershipId)
      .where('id', '=', organisationId)
      .execute();
  }
  return { services: records.length, organisations: used.size, places };
}
