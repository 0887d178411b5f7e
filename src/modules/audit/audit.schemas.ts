// What the audit routes accept and return.
import { z } from 'zod';
import { actorRoles } from './audit.table.ts';
import { maxListLimit, type AuditEntry } from './audit.service.ts';

export const memberAuditParams = z.strictObject({ memberId: z.string().min(1).max(100) });

export const memberAuditQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(maxListLimit).default(50),
  before: z.coerce.number().int().min(1).optional(),
});

export const auditEntryView = z.object({
  id: z.string(),
  seq: z.number().int(),
  at: z.iso.datetime(),
  actor: z.object({ id: z.string().nullable(), role: z.enum(actorRoles) }),
  action: z.string(),
  memberId: z.string().nullable(),
  subject: z.string().nullable(),
  details: z.record(z.string(), z.json()),
});

export const auditEntryList = z.object({
  entries: z.array(auditEntryView),
  /** Pass as `before` for the next (older) page; null when this page is the last. */
  nextBefore: z.number().int().nullable(),
});

export const auditVerificationView = z.object({
  ok: z.boolean(),
  checked: z.number().int(),
  firstBadEntryId: z.string().optional(),
  reason: z.string().optional(),
});

export function toEntryView(entry: AuditEntry): z.infer<typeof auditEntryView> {
  return {
    id: entry.id,
    seq: entry.seq,
    at: new Date(entry.atMs).toISOString(),
    actor: entry.actor,
    action: entry.action,
    memberId: entry.memberId,
    subject: entry.subject,
    details: entry.details as z.infer<typeof auditEntryView>['details'],
  };
}
