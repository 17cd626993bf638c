export * from './signals.vocabulary.ts';
export {
  signalSettingsOf,
  seedSignalSettings,
  SignalSettingsService,
  type SignalSettings,
} from './signals.settings.ts';
export { registerSignalSettingsRoutes } from './signals.settings.routes.ts';
export { FlagService } from './signals.flags.ts';
export { registerFlagRoutes } from './signals.flags.routes.ts';
export { registerFhirRoutes } from './signals.fhir.ts';
export { SignalService } from './signals.service.ts';
export { AlertService } from './signals.alerts.ts';
export { evaluateChildren } from './signals.evaluate.ts';
export { registerSignalRoutes } from './signals.routes.ts';
export * as signalSchemas from './signals.schemas.ts';
export { SignalRuleService } from './signals.rules.service.ts';
export { registerSignalRuleRoutes } from './signals.rules.routes.ts';
export { seedSignalRules } from './signals.rules.seed.ts';
export {
  importFeedFile,
  convertWaitingFeedEvents,
  convertFeedEventsOfRecord,
  moveFeedSignalsOfRecord,
  FEED_SOURCES,
  FEED_MAP,
  type FeedFile,
  type FeedResult,
} from './signals.feeds.ts';
export { seedFeedSignals, seedSignals } from './signals.seed.ts';
export { ChronologyService } from './signals.chronology.ts';
export { registerChronologyRoutes } from './signals.chronology.routes.ts';
export { signalMeasures } from './signals.measures.ts';
