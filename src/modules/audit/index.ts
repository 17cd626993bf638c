export { AuditService, type AuditEntry, type AuditEvent, type ChainCheck } from './audit.service.ts';
