export * from './directory.vocabulary.ts';
export * from './directory.schemas.ts';
export {
  POSTCODE_PATTERN,
  normalisePostcode,
  placeKey,
  findPlace,
  savePlaces,
  type Place,
} from './directory.geo.ts';
export {
  NEEDS_TAXONOMY,
  flattenTaxonomy,
  seedNeedsTaxonomy,
  taxonomyTermsOf,
  termWithDescendants,
  type TaxonomyTerm,
} from './directory.taxonomy.ts';
export { loadEntries, saveServiceRecords, type StoredEntry } from './directory.store.ts';
export {
  searchServices,
  type SearchFilters,
  type SearchResult,
  type ServiceSummary,
  type ScheduleSummary,
  type LocationSummary,
} from './directory.search.ts';
export { DirectoryService } from './directory.service.ts';
export { registerDirectoryRoutes } from './directory.routes.ts';
export {
  OpenReferralReader,
  hsdsService,
  recordFromHsds,
  ORUK_PROFILE,
  ORUK_VERSION,
} from './directory.oruk.ts';
export { registerOpenReferralApi } from './directory.api.ts';
export { importDirectory, exportDirectory, loadPlacesCsv, type ImportReport } from './directory.import.ts';
export { SignpostService } from './directory.signposts.ts';
export { DirectoryReferralService } from './directory.referrals.ts';
export { registerDirectoryPracticeRoutes } from './directory.practice.routes.ts';
export { DirectoryEditorService } from './directory.editor.ts';
export { registerDirectoryEditorRoutes } from './directory.editor.routes.ts';
export { remindStaleEntries, scheduleReviewReminders } from './directory.reviews.ts';
export { seedDirectory, buildDirectory, demoDirectorySize } from './directory.seed.ts';
export {
  childrenServedByService,
  listServiceNames,
  seedAcceptedReferrals,
  type ChildrenServed,
  type DirectoryServiceName,
} from './directory.served.ts';
