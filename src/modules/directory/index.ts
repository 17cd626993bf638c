export * from './directory.vocabulary.ts';
export * from './directory.schemas.ts';
export { POSTCODE_PATTERN, normalisePostcode, placeKey, findPlace, savePlaces, type Place } from './directory.geo.ts';
export {
  NEEDS_TAXONOMY,
  flattenTaxonomy,
  seedNeedsTaxonomy,
  taxonomyTermsOf,
  termWithDescendants,
  type TaxonomyTerm,
} from './directory.taxonomy.ts';
export { saveServiceRecords, serviceDetail, type ServiceDetail } from './directory.store.ts';
export {
  searchServices,
  type SearchFilters,
  type SearchResult,
  type ServiceSummary,
  type ScheduleSummary,
  type LocationSummary,
} from './directory.search.ts';
export { DirectoryService } from './directory.service.ts';
