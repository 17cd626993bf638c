import { Faker, base, en, en_GB } from '@faker-js/faker';
import { hash } from 'argon2';
import type { Role } from '../../common/context.ts';
import type { Tx } from '../../db/database.ts';
import type { Sector } from '../../db/schema.ts';
import { twoFactorRequired } from './access.two-factor.ts';
import { enrolKnownSecret } from './access.two-factor.service.ts';

/**
 * The demo partnership's agencies, teams and practitioners. Named demo accounts cover every role and
 * sector; generated colleagues fill the teams to about sixty practitioners.
 */

export const DEMO_PASSWORD = 'northbridge-demo';

/**
 * The demo's privileged accounts (the roles that must use two-factor sign-in) share this published
 * TOTP secret, so a tester can add it to an authenticator app. Base32 for "NORTHBRIDGE DEMO ONLY NOT A
 * SECRET 234": it protects nothing and must never be used outside the demo.
 */
export const DEMO_TOTP_SECRET = 'NORTHBRIDGEDEMOONLYNOTASECRET234';

type OrgSpec = { key: string; name: string; sector: Sector; kind: string; locality?: string };
type TeamSpec = {
  key: string;
  name: string;
  org: string;
  locality?: string;
  multiAgency?: boolean;
  size: number;
};
type PersonSpec = {
  email: string;
  name: string;
  jobTitle: string;
  org: string;
  roles: Role[];
  teams?: { team: string; seconded?: boolean; partTime?: boolean }[];
};

const LOCALITY_NAMES: Record<string, string> = {
  north: 'Highfield',
  south: 'Southgate',
  east: 'Eastbrook',
  west: 'Westfield',
};
const localities = Object.keys(LOCALITY_NAMES);

const ORGANISATIONS: OrgSpec[] = [
  {
    key: 'council',
    name: 'Northbridge Council Children’s Services',
    sector: 'social_care',
    kind: 'Local authority children’s services',
  },
  {
    key: 'housing',
    name: 'Northbridge Council Housing Options',
    sector: 'housing',
    kind: 'Local housing authority',
  },
  { key: 'police', name: 'Northshire Police', sector: 'police', kind: 'Police force' },
  {
    key: 'yjs',
    name: 'Northbridge Youth Justice Service',
    sector: 'youth_justice',
    kind: 'Youth justice service',
  },
  {
    key: 'trust',
    name: 'Northbridge Community Health Trust',
    sector: 'health',
    kind: 'Community health trust',
  },
  { key: 'hospital', name: 'Northbridge General Hospital', sector: 'health', kind: 'Acute hospital trust' },
  ...localities.map((l) => ({
    key: `gp-${l}`,
    name: `${LOCALITY_NAMES[l]} Medical Practice`,
    sector: 'health' as const,
    kind: 'GP practice',
    locality: l,
  })),
  ...localities.flatMap((l) => [
    {
      key: `primary-${l}`,
      name: `${LOCALITY_NAMES[l]} Primary School`,
      sector: 'education' as const,
      kind: 'Primary school',
      locality: l,
    },
    {
      key: `primary2-${l}`,
      name: `St Aidan’s ${LOCALITY_NAMES[l]} CE Primary School`,
      sector: 'education' as const,
      kind: 'Primary school',
      locality: l,
    },
    {
      key: `nursery-${l}`,
      name: `${LOCALITY_NAMES[l]} Children’s Centre Nursery`,
      sector: 'education' as const,
      kind: 'Nursery',
      locality: l,
    },
  ]),
  {
    key: 'secondary-north',
    name: 'Moorside Academy',
    sector: 'education',
    kind: 'Secondary school',
    locality: 'north',
  },
  {
    key: 'secondary-south',
    name: 'Southgate High School',
    sector: 'education',
    kind: 'Secondary school',
    locality: 'south',
  },
  {
    key: 'secondary-east',
    name: 'Canal Side Academy',
    sector: 'education',
    kind: 'Secondary school',
    locality: 'east',
  },
  {
    key: 'secondary-west',
    name: 'Priory School',
    sector: 'education',
    kind: 'Secondary school',
    locality: 'west',
  },
  { key: 'special', name: 'Riverbank Special School', sector: 'education', kind: 'Special school' },
  { key: 'bridges', name: 'Bridges Family Support', sector: 'voluntary', kind: 'Family support charity' },
  {
    key: 'youngminds',
    name: 'Northbridge Young People’s Counselling',
    sector: 'voluntary',
    kind: 'Counselling charity',
  },
  {
    key: 'foodfamilies',
    name: 'Riverside Food and Families',
    sector: 'voluntary',
    kind: 'Community food and family charity',
  },
];

const TEAMS: TeamSpec[] = [
  {
    key: 'front-door',
    name: 'Front Door (Multi-Agency Safeguarding Hub)',
    org: 'council',
    multiAgency: true,
    size: 6,
  },
  { key: 'early-help', name: 'Early Help Hub', org: 'council', multiAgency: true, size: 4 },
  ...localities.map((l) => ({
    key: `locality-${l}`,
    name: `${LOCALITY_NAMES[l]} Locality Social Work Team`,
    org: 'council',
    locality: l,
    size: 4,
  })),
  { key: 'health-visiting', name: 'Health Visiting', org: 'trust', size: 4 },
  { key: 'school-nursing', name: 'School Nursing', org: 'trust', size: 2 },
  { key: 'emergency-dept', name: 'Emergency Department Safeguarding', org: 'hospital', size: 2 },
  { key: 'ppu', name: 'Public Protection Unit', org: 'police', size: 3 },
  { key: 'yjs-team', name: 'Youth Justice Team', org: 'yjs', size: 3 },
  { key: 'housing-team', name: 'Housing Options Team', org: 'housing', size: 2 },
  { key: 'data-protection', name: 'Information Governance', org: 'council', size: 1 },
  { key: 'performance', name: 'Performance and Intelligence', org: 'council', size: 1 },
];

const NAMED: PersonSpec[] = [
  {
    email: 'admin@northbridge.example',
    name: 'Alex Morgan',
    jobTitle: 'Partnership systems administrator',
    org: 'council',
    roles: ['partnership_admin'],
  },
  {
    email: 'frontdoor@northbridge.example',
    name: 'Priya Shah',
    jobTitle: 'Front door social worker',
    org: 'council',
    roles: ['practitioner', 'front_door'],
    teams: [{ team: 'front-door' }],
  },
  {
    email: 'manager@northbridge.example',
    name: 'Helen Okafor',
    jobTitle: 'Front door team manager',
    org: 'council',
    roles: ['practitioner', 'front_door', 'team_manager'],
    teams: [{ team: 'front-door' }],
  },
  {
    email: 'social.worker@northbridge.example',
    name: 'Tom Fletcher',
    jobTitle: 'Social worker',
    org: 'council',
    roles: ['practitioner'],
    teams: [{ team: 'locality-north' }],
  },
  {
    email: 'early.help@northbridge.example',
    name: 'Sarah Quinn',
    jobTitle: 'Family support worker',
    org: 'council',
    roles: ['practitioner'],
    teams: [{ team: 'early-help' }],
  },
  {
    email: 'health.visitor@northbridge.example',
    name: 'Grace Adeyemi',
    jobTitle: 'Health visitor',
    org: 'trust',
    roles: ['practitioner'],
    teams: [{ team: 'health-visiting' }],
  },
  {
    email: 'mash.health@northbridge.example',
    name: 'Ruth Kowalski',
    jobTitle: 'Safeguarding nurse (seconded to the front door)',
    org: 'trust',
    roles: ['practitioner', 'front_door'],
    teams: [
      { team: 'front-door', seconded: true, partTime: true },
      { team: 'health-visiting', partTime: true },
    ],
  },
  {
    email: 'gp@northbridge.example',
    name: 'Dr Imran Hussain',
    jobTitle: 'GP and practice safeguarding lead',
    org: 'gp-east',
    roles: ['practitioner'],
  },
  {
    email: 'teacher@northbridge.example',
    name: 'Claire Bennett',
    jobTitle: 'Designated safeguarding lead',
    org: 'secondary-east',
    roles: ['practitioner'],
  },
  {
    email: 'nursery@northbridge.example',
    name: 'Jade Williams',
    jobTitle: 'Nursery manager',
    org: 'nursery-south',
    roles: ['practitioner'],
  },
  {
    email: 'police@northbridge.example',
    name: 'DC Mark Ellison',
    jobTitle: 'Detective constable (seconded to the front door)',
    org: 'police',
    roles: ['practitioner', 'front_door'],
    teams: [{ team: 'front-door', seconded: true }, { team: 'ppu' }],
  },
  {
    email: 'youth.justice@northbridge.example',
    name: 'Dev Patel',
    jobTitle: 'Youth justice officer',
    org: 'yjs',
    roles: ['practitioner'],
    teams: [{ team: 'yjs-team' }],
  },
  {
    email: 'housing@northbridge.example',
    name: 'Lucy Brennan',
    jobTitle: 'Housing options officer',
    org: 'housing',
    roles: ['practitioner'],
    teams: [{ team: 'housing-team' }],
  },
  {
    email: 'voluntary@northbridge.example',
    name: 'Sam Osei',
    jobTitle: 'Family support coordinator',
    org: 'bridges',
    roles: ['practitioner', 'directory_editor'],
  },
  {
    email: 'ed.clinician@northbridge.example',
    name: 'Dr Fiona Reid',
    jobTitle: 'Emergency department consultant',
    org: 'hospital',
    roles: ['unscheduled_care'],
    teams: [{ team: 'emergency-dept' }],
  },
  {
    email: 'privacy@northbridge.example',
    name: 'Nadia Haddad',
    jobTitle: 'Data protection officer and Caldicott guardian',
    org: 'council',
    roles: ['privacy_officer'],
    teams: [{ team: 'data-protection' }],
  },
  {
    email: 'analyst@northbridge.example',
    name: 'Owen Price',
    jobTitle: 'Performance analyst',
    org: 'council',
    roles: ['analyst'],
    teams: [{ team: 'performance' }],
  },
];

const JOB_TITLES: Record<string, string> = {
  social_care: 'Social worker',
  health: 'Nurse',
  education: 'Teacher',
  police: 'Police constable',
  youth_justice: 'Youth justice officer',
  housing: 'Housing officer',
  voluntary: 'Support worker',
};

export type DemoAccount = {
  email: string;
  name: string;
  jobTitle: string;
  organisation: string;
  /** Set for accounts whose roles need two-factor sign-in: the demo's TOTP secret. */
  totpSecret?: string;
};

/** Name lists for generated colleagues (the people module's, so the area's names are consistent). */
export type NameLists = { given: readonly string[]; family: readonly string[] };

export async function seedAccess(
  tx: Tx,
  opts: { partnershipId: string; localityIds: Record<string, string>; seed: number; names: NameLists },
): Promise<{ accounts: DemoAccount[]; practitioners: number }> {
  const { partnershipId, localityIds } = opts;
  const faker = new Faker({ locale: [en_GB, en, base] });
  faker.seed(opts.seed);

  const orgRows = await tx
    .insertInto('organisations')
    .values(
      ORGANISATIONS.map((o) => ({
        partnershipId,
        name: o.name,
        sector: o.sector,
        kind: o.kind,
        localityId: o.locality ? localityIds[o.locality]! : null,
      })),
    )
    .returning(['id', 'name'])
    .execute();
  const orgId = new Map(ORGANISATIONS.map((o) => [o.key, orgRows.find((r) => r.name === o.name)!.id]));
  const sectorOf = new Map(ORGANISATIONS.map((o) => [o.key, o.sector]));

  const teamRows = await tx
    .insertInto('teams')
    .values(
      TEAMS.map((t) => ({
        partnershipId,
        name: t.name,
        organisationId: orgId.get(t.org)!,
        localityId: t.locality ? localityIds[t.locality]! : null,
        multiAgency: t.multiAgency ?? false,
      })),
    )
    .returning(['id', 'name'])
    .execute();
  const teamId = new Map(TEAMS.map((t) => [t.key, teamRows.find((r) => r.name === t.name)!.id]));

  // Every generated colleague fills a place in a team; named accounts count towards the team size.
  const generated: PersonSpec[] = [];
  const emails = new Set(NAMED.map((p) => p.email));
  for (const team of TEAMS) {
    const named = NAMED.filter((p) => p.teams?.some((m) => m.team === team.key)).length;
    for (let i = named; i < team.size; i++)
      generated.push(colleague(faker, opts.names, emails, team, sectorOf.get(team.org)!));
  }
  for (const org of ORGANISATIONS.filter((o) => o.sector === 'education' && o.kind !== 'Nursery')) {
    generated.push(
      colleague(
        faker,
        opts.names,
        emails,
        { key: '', org: org.key },
        'education',
        'Designated safeguarding lead',
      ),
    );
  }

  const people = [...NAMED, ...generated];
  const passwordHash = await hash(DEMO_PASSWORD);
  const userRows = await tx
    .insertInto('users')
    .values(
      people.map((p) => ({
        partnershipId,
        email: p.email,
        displayName: p.name,
        jobTitle: p.jobTitle,
        organisationId: orgId.get(p.org)!,
        roles: p.roles,
        passwordHash,
      })),
    )
    .returning(['id', 'email'])
    .execute();
  const userId = new Map(userRows.map((r) => [r.email, r.id]));

  const memberships = people.flatMap((p) =>
    (p.teams ?? []).map((m) => ({
      partnershipId,
      userId: userId.get(p.email)!,
      teamId: teamId.get(m.team)!,
      seconded: m.seconded ?? false,
      partTime: m.partTime ?? false,
    })),
  );
  if (memberships.length) await tx.insertInto('memberships').values(memberships).execute();

  const privileged = NAMED.filter((p) => twoFactorRequired(p.roles));
  for (const p of privileged)
    await enrolKnownSecret(tx, partnershipId, userId.get(p.email)!, DEMO_TOTP_SECRET, new Date());

  const orgName = new Map(ORGANISATIONS.map((o) => [o.key, o.name]));
  return {
    accounts: NAMED.map((p) => ({
      email: p.email,
      name: p.name,
      jobTitle: p.jobTitle,
      organisation: orgName.get(p.org)!,
      ...(twoFactorRequired(p.roles) ? { totpSecret: DEMO_TOTP_SECRET } : {}),
    })),
    practitioners: people.filter((p) => p.roles.includes('practitioner')).length,
  };
}

function colleague(
  faker: Faker,
  names: NameLists,
  emails: Set<string>,
  team: Pick<TeamSpec, 'key' | 'org'>,
  sector: Sector,
  jobTitle = JOB_TITLES[sector] ?? 'Practitioner',
): PersonSpec {
  const first = faker.helpers.arrayElement(names.given);
  const last = faker.helpers.arrayElement(names.family);
  const local = `${first}.${last}`.toLowerCase().replace(/[^a-z.]/g, '');
  let email = `${local}@northbridge.example`;
  for (let n = 2; emails.has(email); n++) email = `${local}${n}@northbridge.example`;
  emails.add(email);
  return {
    email,
    name: `${first} ${last}`,
    jobTitle,
    org: team.org,
    roles: ['practitioner'],
    teams: team.key ? [{ team: team.key }] : [],
  };
}
