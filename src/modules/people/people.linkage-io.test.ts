import { describe, expect, it } from 'vitest';
import { parseCsv, parseLinkageMap, toLinkageRecords } from './people.linkage-io.ts';

/** The map.json shape of the measurement contract, exactly. */
const CONTRACT_MAP =
  '{"id":"rec_id","given_name":"given_name","family_name":"surname","full_name":"name","street_number":"street_number","address_line_1":"address_1","address_line_2":"address_2","locality":"suburb","city":"city","postcode":"postcode","region":"state","email":"email","sex":"sex","date_of_birth":{"column":"date_of_birth","format":"YYYYMMDD"},"identifiers":{"ssn":"soc_sec_id","nhs_number":"nhs"},"extra":["occupation"]}';

const FEBRL_HEADER =
  'rec_id, given_name, surname, street_number, address_1, address_2, suburb, postcode, state, date_of_birth, soc_sec_id';

describe('map.json', () => {
  it('accepts the contract shape', () => {
    const map = parseLinkageMap(CONTRACT_MAP);
    expect(map.id).toBe('rec_id');
    expect(map.date_of_birth).toEqual({ column: 'date_of_birth', format: 'YYYYMMDD' });
    expect(map.identifiers).toEqual({ ssn: 'soc_sec_id', nhs_number: 'nhs' });
    expect(map.extra).toEqual(['occupation']);
  });

  it('needs only id', () => {
    expect(parseLinkageMap('{"id":"x"}')).toEqual({ id: 'x' });
  });

  it('names the key that is wrong', () => {
    expect(() => parseLinkageMap('{"given_name":"g"}')).toThrow(/map.json: id:/);
    expect(() => parseLinkageMap('{"id":"x","date_of_birth":{"column":"d","format":"MM/DD/YYYY"}}')).toThrow(
      /date_of_birth.format: give one of YYYYMMDD, YYYY-MM-DD, DD\/MM\/YYYY/,
    );
    expect(() => parseLinkageMap('{"id":"x","surname":"s"}')).toThrow(/unknown key "surname"/);
    expect(() => parseLinkageMap('{"id":')).toThrow(/not valid JSON/);
  });
});

describe('CSV files', () => {
  const map = parseLinkageMap(CONTRACT_MAP);

  it('reads comma-and-space files with CRLF and no final newline, keeping leading zeros', () => {
    const text = `${FEBRL_HEADER}\r\nrec-1-org, , waller, 6, tullaroop street, willaroo, st james, 0811, wa, 19081209, 0698804\r\nrec-1-dup-0, lachlan, berry, , giblin street, , bittern, 4814, qld, 19991319, 7364009`;
    const records = toLinkageRecords(parseCsv(text), map);
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({
      id: 'rec-1-org',
      givenName: undefined,
      familyName: 'waller',
      postcode: '0811',
      identifiers: { ssn: '0698804' },
      dateOfBirth: { value: '19081209', format: 'YYYYMMDD' },
    });
    // An impossible date (month 13) is kept, not an error.
    expect(records[1]!.dateOfBirth?.value).toBe('19991319');
    expect(records[1]!.streetNumber).toBeUndefined();
  });

  it('reads plain CSV with quoted fields, and ignores map keys for absent columns', () => {
    const text =
      'rec_id,name,date_of_birth,occupation\n"r1","Smith, John","20100101","teacher, primary"\n"r2","Jo ""JJ"" Smith",20100102,\n';
    const records = toLinkageRecords(parseCsv(text), map);
    expect(records.map((r) => r.fullName)).toEqual(['Smith, John', 'Jo "JJ" Smith']);
    expect(records[0]!.extra).toEqual(['teacher, primary']);
    expect(records[1]!.extra).toEqual([undefined]);
    expect(records[0]!.givenName).toBeUndefined();
  });

  it('reads unquoted files as csv-parse does: BOM, blank lines, LF or CRLF, trimmed fields', () => {
    const text = '\ufeffrec_id , given_name\r\n\r\n a1 ,  Ann \n\na2,Bob\r\n';
    expect(parseCsv(text)).toEqual({
      header: ['rec_id', 'given_name'],
      rows: [
        ['a1', 'Ann'],
        ['a2', 'Bob'],
      ],
    });
  });

  it('still refuses a row of another length, and reads lone CRs and quotes through csv-parse', () => {
    expect(() => parseCsv('rec_id,given_name\na1,Ann,extra\n', 'A.csv')).toThrow(/A.csv: .*record/i);
    expect(parseCsv('rec_id,given_name\ra1,Ann\ra2,Bob').rows).toEqual([
      ['a1', 'Ann'],
      ['a2', 'Bob'],
    ]);
    expect(parseCsv('rec_id,given_name\na1,"Ann, Marie"').rows).toEqual([['a1', 'Ann, Marie']]);
    expect(() => parseCsv('', 'A.csv')).toThrow(/A.csv: the file is empty/);
  });

  it('explains a missing id column or a repeated id', () => {
    expect(() => toLinkageRecords(parseCsv('a,b\n1,2'), map, 'A.csv')).toThrow(
      /A.csv: map.json id: there is no column "rec_id"/,
    );
    expect(() => toLinkageRecords(parseCsv('rec_id\n1\n1'), map, 'A.csv')).toThrow(
      /line 3: the id "1" appears twice/,
    );
  });
});
