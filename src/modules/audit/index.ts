// The audit module's public face (docs/CONTRACTS.md): an append-only, hash-chained log (PV-33).
import type { JobHandler, Schedule } from '../../jobs/index.ts';
import type { RegisterRoutes } from '../../http/types.ts';
import { registerAuditRoutes } from './audit.routes.ts';
import { auditSchedules, verifyAuditChainJob } from './audit.jobs.ts';

export { recordAudit, listAuditEntries, verifyAuditChain, type AuditEntry, type AuditVerification, type RecordAuditInput } from './audit.service.ts';
export { actorRoles, type ActorRole } from './audit.table.ts';

export const registerRoutes: RegisterRoutes = (app, deps) => registerAuditRoutes(app, deps);

export const jobHandlers: Record<string, JobHandler> = { 'audit-verify': verifyAuditChainJob };

export const schedules: Schedule[] = auditSchedules;

/** The personal-data columns of this module's tables (PV-16; docs/PERSONAL-DATA.md). */
export { auditPersonalData as personalData } from './audit.data-map.ts';
