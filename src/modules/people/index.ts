export { seedPeople, countPeople, type PeopleCounts, type SeedProgress } from './people.seed.ts';
export {
  NORTHBRIDGE_LOCALITIES,
  WOMENS_NAMES,
  MENS_NAMES,
  FAMILY_NAMES,
  NORTHBRIDGE_CENTRE,
  NORTHBRIDGE_NEIGHBOURHOODS,
  northbridgePlaces,
  addressNear,
  type LocalityCode,
  type NorthbridgePlace,
} from './northbridge.ts';
export {
  IDENTIFIER_SYSTEMS,
  IDENTIFIER_LABELS,
  checkNhsNumber,
  checkUpn,
  checkChiNumber,
  checkIdentifier,
  identifierSchema,
  formatNhsNumber,
  isNhsTestNumber,
  isTemporaryUpn,
  modulus11CheckDigit,
  upnCheckLetter,
  type IdentifierSystem,
  type IdentifierCheck,
} from './people.identifiers.ts';
export { PeopleService, AGE_BANDS } from './people.service.ts';
export { registerPeopleRoutes } from './people.routes.ts';
export { registerPersonIndexRoutes } from './people.index.routes.ts';
export * as peopleSchemas from './people.schemas.ts';
export {
  prepareRecords,
  matchRecords,
  linkRecords,
  scorePair,
  explainPair,
  guardFor,
  type Guard,
  type MatchModel,
  type MatchStats,
  type ScoredPair,
  type PairExplanation,
  type MatchOptions,
} from './people.matching.ts';
export { LINKAGE_CONFIG, bandOf, type MatchBand } from './people.linkage-config.ts';
export {
  LinkageMap,
  parseLinkageMap,
  parseCsv,
  toLinkageRecords,
  readLinkageFile,
  readLinkageMap,
  writePairs,
  formatProbability,
  CSV_OPTIONS,
  type LinkageRecord,
  type MatchedPair,
} from './people.linkage-io.ts';
export { blockingRules, forEachCandidate, type BlockingRule } from './people.blocking.ts';
export type { PreparedRecord } from './people.normalise.ts';
export { normaliseText } from './people.normalise.ts';
export {
  PersonIndexService,
  contactNumberOf,
  contactRecordId,
  type LinkOutcome,
  type ReviewDecision,
} from './people.index.ts';
export {
  importAgencyFile,
  beginFileImport,
  runFileImport,
  type ImportFile,
  type ImportResult,
} from './people.import.ts';
export { seedRecordSources, seedIndexFeeds, DEMO_SOURCES, GP_FEED_MAP } from './people.index.seed.ts';
export { censusPeople, type CensusPerson } from './people.census.ts';
export { currentHomes, currentLocalityOf, peopleMeasures } from './people.measures.ts';
