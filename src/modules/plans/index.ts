export { PlanService } from './plans.service.ts';
export { PlanWorkService } from './plans.work.ts';
export { FamilyService } from './plans.family.ts';
export { registerPlanRoutes } from './plans.routes.ts';
export { registerPlanWorkRoutes } from './plans.work.routes.ts';
export { registerFamilyRoutes } from './plans.family.routes.ts';
export { seedPlans, DEMO_FAMILY_EMAIL, type PlanSeedCounts } from './plans.seed.ts';
export * as planSchemas from './plans.schemas.ts';
