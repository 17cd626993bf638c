import { Readable } from 'node:stream';
import { Faker, en } from '@faker-js/faker';
import { sql } from 'kysely';
import type { Ctx } from '../../common/context.ts';
import type { Db, Tx } from '../../db/database.ts';
import type { PersonIndexService } from './people.index.ts';
import { modulus11CheckDigit } from './people.identifiers.ts';
import { importAgencyFile } from './people.import.ts';
import { csvField, type LinkageMap } from './people.linkage-io.ts';

/**
 * The demo's agency feeds: the sources records come from, and a GP registration feed for the seeded
 * children, imported and linked as a real one would be. Its rows carry what agency data carries:
 * typing errors, a day and month swapped, a missing postcode, a name spelt another way, and a few
 * children the index has not met, so that the review queue has real work in it.
 */

export const DEMO_SOURCES = [
  {
    code: 'gp-registrations',
    name: 'GP registrations',
    kind: 'gp_registrations',
    organisation: 'Northbridge Community Health Trust',
  },
  {
    code: 'school-roll',
    name: 'School census',
    kind: 'school_roll',
    organisation: 'Northbridge Council Children’s Services',
  },
  {
    code: 'social-care',
    name: 'Children’s social care clients',
    kind: 'social_care',
    organisation: 'Northbridge Council Children’s Services',
  },
  { code: 'police', name: 'Police child notifications', kind: 'police', organisation: 'Northshire Police' },
] as const;

export const GP_FEED_MAP: LinkageMap = {
  id: 'patient_id',
  given_name: 'forename',
  family_name: 'surname',
  date_of_birth: { column: 'dob', format: 'DD/MM/YYYY' },
  sex: 'sex',
  address_line_1: 'address',
  postcode: 'postcode',
  identifiers: { nhs_number: 'nhs_number' },
};
const GP_COLUMNS = ['patient_id', 'forename', 'surname', 'dob', 'sex', 'address', 'postcode', 'nhs_number'];

export async function seedRecordSources(tx: Tx, partnershipId: string) {
  const organisations = await tx
    .selectFrom('organisations')
    .select(['id', 'name'])
    .where('partnershipId', '=', partnershipId)
    .execute();
  const idOf = new Map(organisations.map((o) => [o.name, o.id]));
  await tx
    .insertInto('recordSources')
    .values(
      DEMO_SOURCES.map((s) => ({
        partnershipId,
        code: s.code,
        name: s.name,
        kind: s.kind,
        organisationId: idOf.get(s.organisation)!,
      })),
    )
    .execute();
}

/** A valid NHS number in the range never issued (999 …), so demo numbers cannot be anyone's. */
function testNhsNumber(faker: Faker): string {
  for (;;) {
    const nine = `999${faker.string.numeric(6)}`;
    const check = modulus11CheckDigit(nine);
    if (check !== undefined) return `${nine}${check}`;
  }
}

function typo(faker: Faker, word: string): string {
  if (word.length < 4) return word;
  const at = faker.number.int({ min: 1, max: word.length - 2 });
  return word.slice(0, at) + word[at + 1] + word[at] + word.slice(at + 2);
}

/** The GP registration feed's rows for the seeded children, with agency-style variation. */
export async function gpFeedRows(db: Db, partnershipId: string, seed: number): Promise<string[][]> {
  const faker = new Faker({ locale: [en] });
  faker.seed(seed + 17);
  const children = await sql<{
    givenName: string | null;
    familyName: string;
    dateOfBirth: string;
    sex: string;
    addressLine1: string | null;
    postcode: string | null;
  }>`
    select p.given_name, p.family_name, p.date_of_birth, p.sex, h.address_line1, h.postcode
    from people p
    left join household_members m on m.partnership_id = p.partnership_id and m.person_id = p.id
      and m.ended_on is null
    left join households h on h.partnership_id = m.partnership_id and h.id = m.household_id
    where p.partnership_id = ${partnershipId} and p.kind = 'child' and p.sealed_at is null
    order by p.family_name, p.given_name, p.date_of_birth, p.id
  `.execute(db);
  const rows: string[][] = [];
  for (const c of children.rows) {
    const roll = faker.number.float();
    if (roll < 0.05) continue; // not registered with a GP
    let given = c.givenName ?? '';
    let family = c.familyName;
    let [y, m, d] = c.dateOfBirth.split('-');
    let postcode = c.postcode ?? '';
    if (roll < 0.1) given = typo(faker, given);
    else if (roll < 0.14) family = typo(faker, family);
    else if (roll < 0.17 && Number(d) <= 12) [m, d] = [d, m];
    else if (roll < 0.22) postcode = '';
    else if (roll < 0.24) y = String(Number(y) + 1);
    rows.push([
      `GP${String(rows.length + 1).padStart(6, '0')}`,
      given,
      family,
      `${d}/${m}/${y}`,
      c.sex === 'female' ? 'F' : c.sex === 'male' ? 'M' : 'U',
      c.addressLine1 ?? '',
      postcode,
      testNhsNumber(faker),
    ]);
  }
  // Children new to the index: recently born or moved in.
  for (let i = 0; i < Math.max(3, Math.round(children.rows.length / 200)); i++) {
    const born = faker.date.birthdate({ mode: 'age', min: 0, max: 15 });
    rows.push([
      `GP${String(rows.length + 1).padStart(6, '0')}`,
      faker.person.firstName(),
      faker.person.lastName(),
      `${String(born.getUTCDate()).padStart(2, '0')}/${String(born.getUTCMonth() + 1).padStart(2, '0')}/${born.getUTCFullYear()}`,
      faker.helpers.arrayElement(['F', 'M']),
      `${faker.number.int({ min: 1, max: 120 })} ${faker.location.street()}`,
      '',
      testNhsNumber(faker),
    ]);
  }
  return rows;
}

/** Imports the demo GP feed through the person index, as an administrator's import would. */
export async function seedIndexFeeds(
  db: Db,
  index: PersonIndexService,
  opts: { partnershipId: string; seed: number; now: Date },
) {
  const ctx: Ctx = {
    actor: { system: 'demo seed', partnershipId: opts.partnershipId },
    requestId: 'seed-index',
    now: opts.now,
  };
  const rows = await gpFeedRows(db, opts.partnershipId, opts.seed);
  const csv = [GP_COLUMNS, ...rows].map((r) => r.map(csvField).join(',')).join('\n');
  return importAgencyFile(index, ctx, {
    source: 'gp-registrations',
    fileName: 'gp-registrations-demo.csv',
    open: () => Readable.from([Buffer.from(csv)]),
    map: GP_FEED_MAP,
  });
}
