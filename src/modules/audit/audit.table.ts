// Row types of the audit tables; they never leave this module's repository.
import type { Executor } from '../../db/database.ts';
import { tables } from '../../db/database.ts';

export const actorRoles = ['member', 'agent', 'admin', 'system', 'api_key'] as const;
export type ActorRole = (typeof actorRoles)[number];

export interface AuditEntryRow {
  id: string;
  seq: number;
  at_ms: number;
  actor_id: string | null;
  actor_role: ActorRole;
  action: string;
  member_id: string | null;
  subject: string | null;
  /** Canonical JSON (sorted keys): hashed exactly as stored. */
  details: string;
  prev_hash: string;
  hash: string;
}

export interface AuditChainHeadRow {
  id: 'head';
  last_seq: number;
  last_hash: string;
}

export interface AuditTables {
  audit_entries: AuditEntryRow;
  audit_chain_head: AuditChainHeadRow;
}

export function auditTables(db: Executor) {
  return tables<AuditTables>(db);
}
