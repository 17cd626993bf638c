import type { LinkageMap } from '../../src/modules/people/people.linkage-io.ts';

/** An agency file's columns as the person-index tests write them, and how they map to the index's fields. */
export const TEST_COLUMNS = ['id', 'forename', 'surname', 'dob', 'sex', 'address', 'postcode', 'nhs'];

export const TEST_MAP: LinkageMap = {
  id: 'id',
  given_name: 'forename',
  family_name: 'surname',
  date_of_birth: { column: 'dob', format: 'DD/MM/YYYY' },
  sex: 'sex',
  address_line_1: 'address',
  postcode: 'postcode',
  identifiers: { nhs_number: 'nhs' },
};
