export { StatutoryReturnService, parseCensusYear, type CinCensusRun } from './interop.service.ts';
export { registerStatutoryReturnRoutes } from './interop.routes.ts';
export { buildCinCensus, censusPeriod, type CinReturn } from './interop.cin-census.ts';
export { validateCinReturn, RULE_TEXTS, type RuleFailure } from './interop.cin-rules.ts';
export { cinCensusXml } from './interop.cin-xml.ts';
export { seedCensusCodes } from './interop.seed.ts';
