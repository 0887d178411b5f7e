// The daily audit chain check (PV-33): a broken chain is logged at error level for the operator's alerting.
import { z } from 'zod';
import { DAY_MS } from '../../platform/clock.ts';
import type { JobHandler, Schedule } from '../../jobs/index.ts';
import { verifyAuditChain } from './audit.service.ts';

export const verifyAuditChainJob: JobHandler = async (deps, payload) => {
  z.null().parse(payload);
  const result = await verifyAuditChain(deps);
  if (result.ok) deps.logger.info({ checked: result.checked }, 'audit chain verified');
  else deps.logger.error({ checked: result.checked, firstBadEntryId: result.firstBadEntryId, reason: result.reason }, 'audit chain is broken (PV-33)');
};

export const auditSchedules: Schedule[] = [{ type: 'audit-verify', everyMs: DAY_MS }];
