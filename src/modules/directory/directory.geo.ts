import { sql } from 'kysely';
import type { Db, Tx } from '../../db/database.ts';

/**
 * Where a searcher is: a full postcode, an outward code ('NB4') or a place name, looked up in the
 * geo_places reference table. Coordinates ship with the platform for the demo area only; a real
 * partnership loads its own (the ONS postcode directory) with `wraparound directory places`.
 */

/** A UK postcode: outward code (area letters, district), optional space, inward code. */
export const POSTCODE_PATTERN = /^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$/;
const OUTCODE_PATTERN = /^[A-Z]{1,2}\d[A-Z\d]?$/;

export type Place = { key: string; label: string; latitude: number; longitude: number };

/** 'nb47qt', ' NB4  7QT ' → 'NB4 7QT'. Answers null when the text is not a postcode. */
export function normalisePostcode(text: string): string | null {
  const compact = text.replace(/\s+/g, '').toUpperCase();
  if (!POSTCODE_PATTERN.test(compact)) return null;
  return `${compact.slice(0, -3)} ${compact.slice(-3)}`;
}

/** How the search box's text is to be looked up, or why it cannot be. */
export function placeKey(text: string): { key: string } | { error: string } {
  const trimmed = text.trim();
  const postcode = normalisePostcode(trimmed);
  if (postcode) return { key: postcode };
  const upper = trimmed.toUpperCase().replace(/\s+/g, ' ');
  if (OUTCODE_PATTERN.test(upper)) return { key: upper };
  // Looks like a postcode attempt (has digits) but is not one.
  if (/\d/.test(upper)) return { error: 'Enter a real postcode, like NB4 7QT, or a place name' };
  return { key: upper };
}

export async function findPlace(db: Db | Tx, key: string): Promise<Place | null> {
  const row = await db
    .selectFrom('geoPlaces')
    .select(['key', 'label', 'latitude', 'longitude'])
    .where('key', '=', key)
    .executeTakeFirst();
  return row ?? null;
}

/** Loads places, replacing any with the same key; answers how many were written. */
export async function savePlaces(
  tx: Tx,
  places: readonly (Place & { kind: 'postcode' | 'outcode' | 'place' })[],
): Promise<number> {
  const chunk = 5000;
  for (let i = 0; i < places.length; i += chunk) {
    const rows = places.slice(i, i + chunk);
    const column = <K extends keyof (typeof rows)[number]>(k: K) => rows.map((p) => p[k]);
    // One statement per chunk: arrays, not thousands of parameters.
    await sql`
      insert into geo_places (key, kind, label, latitude, longitude)
      select upper(key), kind, label, latitude, longitude
      from unnest(${column('key')}::text[], ${column('kind')}::text[], ${column('label')}::text[],
        ${column('latitude')}::float8[], ${column('longitude')}::float8[]) as p (key, kind, label, latitude, longitude)
      on conflict (key) do update set kind = excluded.kind, label = excluded.label,
        latitude = excluded.latitude, longitude = excluded.longitude`.execute(tx);
  }
  return places.length;
}
