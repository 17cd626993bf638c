import { Faker, base, en, en_GB } from '@faker-js/faker';
import type { DataType, InvolvementKind, LawfulBasis, Purpose, Sensitivity } from '../../common/sharing.ts';
import type { Tx } from '../../db/database.ts';
import type { Sector } from '../../db/schema.ts';

/**
 * The demo partnership's trust data: sharing agreements for four purposes, involvements for every team and for
 * practitioners who work outside teams (GP, school, nursery), items recorded by their agencies,
 * consent for some children and one sealed record. Overlapping caseloads show sharing at work.
 */

const CASELOAD = 25;
const OVERLAP = 10;

type Note = [title: string, body: string];

const BY_SECTOR: Record<
  Sector,
  { kind: InvolvementKind; purpose: Purpose; dataType: DataType; ages: [number, number]; items: Note[] }
> = {
  education: {
    kind: 'school_safeguarding_lead',
    purpose: 'education',
    dataType: 'education',
    ages: [4, 17],
    items: [
      [
        'Attendance below 85% this term',
        'Absences are mostly Mondays. Parent says the child has stomach aches.',
      ],
      [
        'Arrived hungry on three mornings',
        'Given a breakfast club place. Uniform unwashed on two of those days.',
      ],
      ['Disclosure to class teacher', 'Child said there is shouting at home at night and they cannot sleep.'],
    ],
  },
  health: {
    kind: 'health_visitor',
    purpose: 'health_and_care',
    dataType: 'health',
    ages: [0, 4],
    items: [
      ['Missed two immunisation appointments', 'Letters sent; no reply. The phone number is not in use.'],
      [
        'Weight below expected centile',
        'Dropped two centiles since the last review. Feeding plan agreed with mother.',
      ],
      [
        'Attended ED with a minor injury',
        'Bruise to the forehead; explanation consistent with a fall. Safeguarding check done.',
      ],
    ],
  },
  social_care: {
    kind: 'allocated_worker',
    purpose: 'safeguarding',
    dataType: 'social_care',
    ages: [0, 17],
    items: [
      ['Home visit', 'Home cold and short of food. Child seen and spoken to alone; said they feel safe.'],
      [
        'Strategy discussion held',
        'Police, health and school attended. Agreed that single-agency enquiries continue.',
      ],
      ['Child seen alone', 'Child talked about their friends and football. No worries raised today.'],
    ],
  },
  police: {
    kind: 'team_around_family',
    purpose: 'safeguarding',
    dataType: 'police',
    ages: [0, 17],
    items: [
      [
        'Domestic abuse incident at the home',
        'Officers attended after a neighbour called. Child present, asleep upstairs.',
      ],
      ['Reported missing overnight', 'Found the next morning at a friend’s house. Return interview offered.'],
    ],
  },
  youth_justice: {
    kind: 'team_around_family',
    purpose: 'safeguarding',
    dataType: 'youth_justice',
    ages: [10, 17],
    items: [['Out-of-court disposal agreed', 'Youth caution with a 12-week intervention programme.']],
  },
  housing: {
    kind: 'team_around_family',
    purpose: 'early_help',
    dataType: 'housing',
    ages: [0, 17],
    items: [
      ['Rent arrears: notice served', 'The family owes eight weeks’ rent. Money advice appointment booked.'],
      ['Temporary accommodation offered', 'Offer of a two-bedroom flat while repairs are done.'],
    ],
  },
  voluntary: {
    kind: 'team_around_family',
    purpose: 'early_help',
    dataType: 'family_support',
    ages: [0, 17],
    items: [
      ['Attending parenting group', 'Mother has come to four of six sessions and says routines are easier.'],
      ['Food bank referral', 'Three vouchers issued while benefits are sorted out.'],
    ],
  },
  other: {
    kind: 'other',
    purpose: 'early_help',
    dataType: 'family_support',
    ages: [0, 17],
    items: [['Contact with the family', 'The family asked for information about local support.']],
  },
};

type DemoRule = {
  effect?: 'allow' | 'deny';
  mode?: 'existence' | 'content';
  recipientSector?: Sector;
  sensitivities: Sensitivity[];
};

const AGREEMENTS: { name: string; purpose: Purpose; lawfulBasis: LawfulBasis; rules: DemoRule[] }[] = [
  {
    name: 'Northbridge safeguarding information sharing agreement',
    purpose: 'safeguarding',
    lawfulBasis: 'public_task',
    rules: [
      // Statutory partners share standard and health information to keep children safe...
      { sensitivities: ['standard', 'health'] },
      // ...special category only as "it exists, ask the owner"...
      { mode: 'existence', sensitivities: ['special_category'] },
      // ...and health information is not passed to housing.
      { effect: 'deny', recipientSector: 'housing', sensitivities: ['health'] },
    ],
  },
  {
    name: 'Northbridge health and care agreement',
    purpose: 'health_and_care',
    lawfulBasis: 'public_task',
    rules: [
      { recipientSector: 'health', sensitivities: ['standard', 'health'] },
      { recipientSector: 'social_care', sensitivities: ['standard', 'health'] },
    ],
  },
  {
    name: 'Northbridge schools agreement',
    purpose: 'education',
    lawfulBasis: 'public_task',
    rules: [{ recipientSector: 'education', sensitivities: ['standard'] }],
  },
  {
    name: 'Northbridge early help agreement (with consent)',
    purpose: 'early_help',
    lawfulBasis: 'consent',
    rules: [{ sensitivities: ['standard'] }],
  },
];

const SENSITIVITY_MIX: Sensitivity[] = ['standard', 'standard', 'standard', 'health', 'special_category'];

export async function seedTrust(tx: Tx, opts: { partnershipId: string; seed: number; now: Date }) {
  const { partnershipId, now } = opts;
  const faker = new Faker({ locale: [en_GB, en, base] });
  faker.seed(opts.seed + 7);
  const today = now.toISOString().slice(0, 10);

  for (const agreement of AGREEMENTS) {
    const row = await tx
      .insertInto('sharingAgreements')
      .values({
        partnershipId,
        name: agreement.name,
        purpose: agreement.purpose,
        lawfulBasis: agreement.lawfulBasis,
        validFrom: '2026-01-01',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await tx
      .insertInto('sharingRules')
      .values(
        agreement.rules.map((r) => ({
          partnershipId,
          agreementId: row.id,
          effect: r.effect ?? ('allow' as const),
          mode: r.mode ?? ('content' as const),
          sourceSector: null,
          sourceOrganisationId: null,
          recipientSector: r.recipientSector ?? null,
          recipientOrganisationId: null,
          dataType: null,
          sensitivities: r.sensitivities,
        })),
      )
      .execute();
  }

  const teams = await tx
    .selectFrom('teams as t')
    .innerJoin('organisations as o', (j) =>
      j.onRef('o.partnershipId', '=', 't.partnershipId').onRef('o.id', '=', 't.organisationId'),
    )
    .select(['t.id', 't.organisationId', 'o.sector'])
    .where('t.partnershipId', '=', partnershipId)
    .where('t.name', 'not in', ['Information Governance', 'Performance and Intelligence'])
    .orderBy('t.name')
    .execute();
  // Practitioners in no team (a GP, a school's safeguarding lead) are involved in their own name.
  const loners = await tx
    .selectFrom('users as u')
    .innerJoin('organisations as o', (j) =>
      j.onRef('o.partnershipId', '=', 'u.partnershipId').onRef('o.id', '=', 'u.organisationId'),
    )
    .select(['u.id', 'u.organisationId', 'o.sector'])
    .where('u.partnershipId', '=', partnershipId)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('memberships as m')
            .select('m.id')
            .whereRef('m.userId', '=', 'u.id')
            .whereRef('m.partnershipId', '=', 'u.partnershipId'),
        ),
      ),
    )
    .where((eb) => eb('u.roles', '@>', eb.val(['practitioner'])))
    .orderBy('u.email')
    .execute();
  const holders = [
    ...teams.map((t) => ({ teamId: t.id, userId: null, organisationId: t.organisationId, sector: t.sector })),
    ...loners.map((u) => ({
      teamId: null,
      userId: u.id,
      organisationId: u.organisationId,
      sector: u.sector,
    })),
  ];
  const children = await tx
    .selectFrom('people')
    .select(['id', 'dateOfBirth'])
    .where('partnershipId', '=', partnershipId)
    .where('kind', '=', 'child')
    .orderBy('familyName')
    .orderBy('givenName')
    .orderBy('id')
    .limit(holders.length * CASELOAD * 2)
    .execute();
  const ageOf = (dateOfBirth: string | null) =>
    dateOfBirth ? Math.floor((now.getTime() - Date.parse(dateOfBirth)) / (365.25 * 86_400_000)) : 0;
  /** The holder's caseload: children of the ages their service works with, overlapping the previous holder's. */
  const caseloadOf = (index: number, [youngest, oldest]: [number, number]) => {
    const start = (index * (CASELOAD - OVERLAP)) % Math.max(children.length, 1);
    return [...children.slice(start), ...children.slice(0, start)]
      .filter((c) => {
        const age = ageOf(c.dateOfBirth);
        return age >= youngest && age <= oldest;
      })
      .slice(0, CASELOAD);
  };

  const involvements = [];
  const items = [];
  for (const [index, holder] of holders.entries()) {
    const style = BY_SECTOR[holder.sector];
    const caseload = caseloadOf(index, style.ages);
    for (const child of caseload) {
      const started = faker.date.between({ from: new Date(now.getTime() - 365 * 86_400_000), to: now });
      involvements.push({
        partnershipId,
        personId: child.id,
        userId: holder.userId,
        teamId: holder.teamId,
        kind: style.kind,
        purpose: style.purpose,
        reason: faker.helpers.arrayElement([
          'Referred by the front door',
          'Known to the service',
          'Request for support',
        ]),
        startedAt: started,
      });
      for (let n = faker.number.int({ min: 1, max: 2 }); n > 0; n--) {
        const occurred = faker.date.between({ from: started, to: now });
        const [title, body] = faker.helpers.arrayElement(style.items);
        items.push({
          partnershipId,
          personId: child.id,
          owningOrganisationId: holder.organisationId,
          dataType: style.dataType,
          sensitivity: faker.helpers.arrayElement(SENSITIVITY_MIX),
          title,
          body,
          occurredOn: occurred.toISOString().slice(0, 10),
          thirdParty: faker.datatype.boolean({ probability: 0.2 }),
          recordedAt: occurred,
        });
      }
    }
  }
  if (involvements.length) await tx.insertInto('involvements').values(involvements).execute();
  if (items.length) await tx.insertInto('recordItems').values(items).execute();

  const consenting = children.filter((_, i) => i % 2 === 0);
  if (consenting.length)
    await tx
      .insertInto('consents')
      .values(
        consenting.map((child) => ({
          partnershipId,
          personId: child.id,
          purpose: 'early_help' as const,
          givenBy: 'parental_responsibility' as const,
          givenByName: faker.person.fullName(),
          scope: 'Sharing with the early help partners named in the family plan',
          obtainedHow: 'in_person' as const,
          givenOn: today,
          recordedAt: now,
        })),
      )
      .execute();

  const sealed = children.at(-1);
  if (sealed)
    await tx
      .updateTable('people')
      .set({ sealedAt: now, sealedReason: 'Placed for adoption' })
      .where('partnershipId', '=', partnershipId)
      .where('id', '=', sealed.id)
      .execute();
  return { involvements: involvements.length, items: items.length, consents: consenting.length };
}
