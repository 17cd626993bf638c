export { FrontDoorService } from './referrals.service.ts';
export { AgencyRequestService } from './referrals.requests.ts';
export { EnquiryService } from './referrals.enquiries.ts';
export { registerFrontDoorRoutes } from './referrals.routes.ts';
export { FrontDoorDashboard } from './referrals.dashboard.ts';
export { registerFrontDoorDashboardRoutes } from './referrals.dashboard.routes.ts';
export { registerFrontDoorApi } from './referrals.api.ts';
export { seedFrontDoor, type FrontDoorSeedCounts, type SeedFrontDoorOptions } from './referrals.seed.ts';
export * as referralsSchemas from './referrals.schemas.ts';
export * from './referrals.workflow.ts';
export { holidayCalendar } from './referrals.store.ts';
export { censusReferrals, type CensusReferral } from './referrals.census.ts';
export { referralMeasures } from './referrals.measures.ts';
export {
  cohortStrata,
  COHORT_DECISIONS,
  AGE_BANDS,
  type CohortStratum,
  type CohortDecision,
  type CohortQuery,
  type AgeBand,
} from './referrals.cohorts.ts';
