export { AuditService, type AuditEntry, type AuditEvent, type ChainCheck } from './audit.service.ts';
export { registerAuditRoutes } from './audit.routes.ts';
export { AuditSearch } from './audit.schemas.ts';
