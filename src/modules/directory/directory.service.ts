import { LRUCache } from 'lru-cache';
import { NotFoundError, ValidationError } from '../../common/errors.ts';
import type { Db } from '../../db/database.ts';
import { findPlace, placeKey, type Place } from './directory.geo.ts';
import type { SearchQuery } from './directory.schemas.ts';
import { milesToMetres, searchServices, type SearchResult } from './directory.search.ts';
import { partnershipBySlug } from '../access/index.ts';
import { loadEntry, type StoredEntry } from './directory.store.ts';
import { taxonomyTermsOf, termWithDescendants, type TaxonomyTerm } from './directory.taxonomy.ts';

/**
 * The directory as families and practitioners read it: open to everyone, no sign-in, no personal
 * data, so no access gate and no audit. Everything is scoped to one area (partnership).
 */
export class DirectoryService {
  /**
   * Every search names a need or a place: both change rarely, so they are kept a minute rather than
   * asked for each time (an editor's new term shows within the minute).
   */
  private readonly terms = new LRUCache<string, TaxonomyTerm[]>({ max: 100, ttl: 60_000 });
  private readonly places = new LRUCache<string, { place: Place | null }>({ max: 20_000, ttl: 60_000 });

  constructor(private readonly db: Db) {}

  async area(slug: string) {
    const area = await partnershipBySlug(this.db, slug);
    if (!area) throw new NotFoundError('Area');
    return area;
  }

  async needs(partnershipId: string): Promise<TaxonomyTerm[]> {
    const cached = this.terms.get(partnershipId);
    if (cached) return cached;
    const terms = await taxonomyTermsOf(this.db, partnershipId);
    this.terms.set(partnershipId, terms);
    return terms;
  }

  /** Services matching the query, nearest first when a place is given. Unknown needs and places are refused. */
  async search(partnershipId: string, query: SearchQuery): Promise<SearchResult & { place: Place | null }> {
    const [termIds, place] = await Promise.all([
      this.needTerms(partnershipId, query.need),
      this.place(query.near),
    ]);
    const result = await searchServices(this.db, partnershipId, {
      ...query,
      termIds,
      place,
      withinMetres: milesToMetres(query.within),
    });
    return { ...result, place };
  }

  async service(partnershipId: string, serviceId: string): Promise<StoredEntry> {
    const found = await loadEntry(this.db, partnershipId, serviceId);
    if (!found) throw new NotFoundError('Service');
    return found;
  }

  private async needTerms(partnershipId: string, code: string): Promise<string[] | null> {
    if (!code) return null;
    const terms = await this.needs(partnershipId);
    const term = terms.find((t) => t.code === code);
    if (!term) throw new ValidationError([{ field: 'need', message: 'Select a need from the list' }]);
    return termWithDescendants(terms, term.id);
  }

  private async place(near: string): Promise<Place | null> {
    if (!near) return null;
    const key = placeKey(near);
    if ('error' in key) throw new ValidationError([{ field: 'near', message: key.error }]);
    let known = this.places.get(key.key);
    if (!known) {
      known = { place: await findPlace(this.db, key.key) };
      this.places.set(key.key, known);
    }
    const { place } = known;
    if (!place)
      throw new ValidationError([
        { field: 'near', message: `We do not know where ${near} is: enter a postcode or town in the area` },
      ]);
    return place;
  }
}
