export { AuditService, type AuditEntry, type AuditEvent, type ChainCheck } from './audit.service.ts';
export { GENESIS, hashOf } from './audit.hash.ts';
export { verifyChains, type VerifyOptions } from './audit.verify.ts';
export { registerAuditRoutes } from './audit.routes.ts';
export { AuditSearch } from './audit.schemas.ts';
