import { createHash } from 'node:crypto';
import type { ReceivedRow, StoredFields } from '../../db/schema.ts';
import { checkIdentifier, type IdentifierSystem } from './people.identifiers.ts';
import type { LinkageRecord } from './people.linkage-io.ts';
import { prepareDate, splitFullName } from './people.normalise.ts';

/**
 * An agency's row on its way into the person index: checked (a row the index cannot use is rejected
 * with its reason), turned into the fields it is stored and matched by, and back into the matching
 * engine's record.
 */

/** The map.json names an identifier system may go by, and the system each means. */
const SYSTEM_NAMES: Record<string, IdentifierSystem> = {
  nhs: 'nhs',
  nhs_number: 'nhs',
  upn: 'upn',
  chi: 'chi',
  chi_number: 'chi',
};

export function identifierSystem(name: string): string {
  return SYSTEM_NAMES[name.toLowerCase()] ?? name.toLowerCase();
}

/** Why the index cannot take the record, or null when it can. */
export function rejectionOf(record: LinkageRecord, today: string): string | null {
  if (!record.givenName && !record.familyName && !record.fullName)
    return 'no name: the row needs a family name, a given name or a full name';
  if (!record.dateOfBirth) return 'no date of birth: the index needs one to tell children apart';
  const { value, format } = record.dateOfBirth;
  const dob = prepareDate(value, format);
  if (!dob || dob.epochDay === null) return `impossible date of birth "${value}" (expected ${format})`;
  if (isoOf(dob.text) > today) return `date of birth ${isoOf(dob.text)} is in the future`;
  for (const [name, raw] of Object.entries(record.identifiers)) {
    const system = identifierSystem(name);
    if (system !== 'nhs' && system !== 'upn' && system !== 'chi') continue;
    const check = checkIdentifier(system, raw);
    if (!check.ok) return `${name} "${raw}": ${check.reason}`;
  }
  return null;
}

function isoOf(yyyymmdd: string): string {
  return `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}`;
}

/** The text fields a record keeps for matching and display. */
const TEXT_FIELDS = [
  'givenName',
  'familyName',
  'fullName',
  'streetNumber',
  'addressLine1',
  'addressLine2',
  'locality',
  'city',
  'postcode',
  'region',
  'email',
  'sex',
] as const;

/** The fields a checked record is stored and matched by: identifiers under their system's name. */
export function storedFieldsOf(record: LinkageRecord): StoredFields {
  const fields: StoredFields = {
    identifiers: Object.entries(record.identifiers).map(([name, value]) => [
      identifierSystem(name),
      value.replace(/[\s-]/g, '').toUpperCase(),
    ]),
  };
  for (const key of TEXT_FIELDS) if (record[key]) fields[key] = record[key];
  const dob = record.dateOfBirth ? prepareDate(record.dateOfBirth.value, record.dateOfBirth.format) : null;
  if (dob) fields.dateOfBirth = dob.epochDay === null ? dob.text : isoOf(dob.text);
  return fields;
}

/**
 * A record made in the service (not sent in a file) as if received: its fields as columns, in a fixed
 * order, so the same fields always have the same fingerprint.
 */
export function receivedRowOf(fields: StoredFields): ReceivedRow {
  const pairs: [string, string][] = [
    ...[...TEXT_FIELDS, 'dateOfBirth' as const].flatMap((key): [string, string][] => {
      const value = fields[key];
      return value ? [[key, value]] : [];
    }),
    ...fields.identifiers,
  ];
  return { columns: pairs.map(([column]) => column), values: pairs.map(([, value]) => value) };
}

/** The matching engine's record for stored fields. */
export function linkageRecordOf(id: string, fields: StoredFields): LinkageRecord {
  const { dateOfBirth, identifiers, ...text } = fields;
  return {
    ...text,
    id,
    ...(dateOfBirth ? { dateOfBirth: { value: dateOfBirth, format: 'YYYY-MM-DD' as const } } : {}),
    identifiers: Object.fromEntries(identifiers),
    extra: [],
  };
}

/** The index person's own details taken from a record: names split, sex read, child or adult. */
export function personDetailsOf(fields: StoredFields, today: string) {
  let given = fields.givenName?.trim() ?? '';
  let family = fields.familyName?.trim() ?? '';
  if (fields.fullName && (!given || !family)) {
    const split = splitFullName(fields.fullName);
    given ||= split.given;
    family ||= split.family;
  }
  if (!family) [given, family] = ['', given];
  const dateOfBirth = fields.dateOfBirth!;
  const sex = sexFrom(fields.sex);
  const adultFrom = `${Number(today.slice(0, 4)) - 18}${today.slice(4)}`;
  return {
    kind: dateOfBirth <= adultFrom ? ('adult' as const) : ('child' as const),
    givenName: given || null,
    familyName: family,
    dateOfBirth,
    sex,
  };
}

/** Sex as the index records it, from what an agency wrote ("F", "female", "Boy"). */
export function sexFrom(raw: string | undefined): 'female' | 'male' | 'unknown' {
  if (/^(f|female|girl)$/i.test(raw?.trim() ?? '')) return 'female';
  if (/^(m|male|boy)$/i.test(raw?.trim() ?? '')) return 'male';
  return 'unknown';
}

/** The fingerprint of a row as received: the same row sent again is found, not stored twice. */
export function contentHashOf(row: ReceivedRow): string {
  return createHash('sha256')
    .update(JSON.stringify([row.columns, row.values]))
    .digest('hex');
}
