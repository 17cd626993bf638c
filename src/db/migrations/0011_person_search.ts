import { sql, type Kysely } from 'kysely';

/**
 * Person search by blocking keys. Search finds its candidates through indexes first, and only when
 * they find nothing through a bounded trigram scan:
 *
 * - a name's sound: Double Metaphone (fuzzystrmatch's `dmetaphone`) of the family name and the given
 *   name together (both names sound right), and of the given name alone (the family name alone is the
 *   first index's leading column), with the date of birth after them so that a date or a window
 *   narrows within the same index;
 * - the start of a name (`text_pattern_ops`, so that `like 'oka%'` can use it in any collation);
 * - the postcode as typed anywhere (no spaces, upper case), on households and on agencies' records;
 * - the fallback: trigrams of the family and of the given name (pg_trgm), or the date of birth
 *   when one is given.
 *
 * Identifiers need nothing new: source_record_identifiers' key starts (partnership, system, value).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create extension if not exists fuzzystrmatch;
    create extension if not exists pg_trgm;

    create index people_name_sound on people
      (partnership_id, dmetaphone(family_name), dmetaphone(given_name), date_of_birth);
    create index people_given_sound on people (partnership_id, dmetaphone(given_name), date_of_birth);
    create index people_family_prefix on people (partnership_id, lower(family_name) text_pattern_ops);
    create index people_given_prefix on people (partnership_id, lower(given_name) text_pattern_ops);
    create index people_family_trigrams on people using gin (lower(family_name) gin_trgm_ops);
    create index people_given_trigrams on people using gin (lower(given_name) gin_trgm_ops);
    create index people_date_of_birth on people (partnership_id, date_of_birth);

    create index households_postcode_key on households (partnership_id, upper(replace(postcode, ' ', '')));
    create index source_records_postcode_key on source_records
      (partnership_id, upper(replace(fields ->> 'postcode', ' ', '')))
      where (fields ->> 'postcode') is not null;
  `.execute(db);
}
