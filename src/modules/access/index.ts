export { AccessService, partnershipOf } from './access.service.ts';
export { SessionService, type SessionLookup, type SessionPolicy } from './access.sessions.ts';
export * as accessSchemas from './access.schemas.ts';
export { SECTORS, SECTOR_LABELS } from './access.schemas.ts';
export { registerAccessRoutes } from './access.routes.ts';
export { registerSignInRoutes } from './access.sign-in.routes.ts';
export { seedAccess, DEMO_PASSWORD, type DemoAccount, type NameLists } from './access.seed.ts';
