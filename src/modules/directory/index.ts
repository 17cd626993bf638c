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
export { saveServiceRecords } from './directory.store.ts';
