// Agent console API: member lookup and detail (accounts), audit trail (audit), mail view (notifications).
import type { Address, MemberProfile, Role } from './accounts.ts';
import { api, query } from './client.ts';

/** memberSummaryView in accounts.schemas.ts: one search result. */
export interface MemberSummary {
  id: string;
  email: string;
  role: Role;
  status: 'active' | 'closed';
  firstName: string | null;
  lastName: string | null;
  preferredName: string | null;
  country: string | null;
  createdAt: string;
}

/** staffMemberView in accounts.schemas.ts: a member's whole record for staff. */
export interface MemberDetail extends MemberProfile {
  status: 'active' | 'closed';
  emailVerifiedAt: string | null;
  updatedAt: string;
  recoveryCodesLeft: number;
  signInProviders: string[];
  addresses: Address[];
}

export interface AuditEntry {
  id: string;
  seq: number;
  at: string;
  actor: { id: string | null; role: string };
  action: string;
  memberId: string | null;
  subject: string | null;
  details: Record<string, unknown>;
}

export type MailState = 'queued' | 'sent' | 'held' | 'failed';

export interface MailSummary {
  id: string;
  to: string;
  subject: string;
  state: MailState;
  createdAt: string;
  memberId: string | null;
}

export interface MailMessage extends MailSummary {
  template: string;
  html: string;
  text: string;
  attempts: number;
  sentAt: string | null;
  lastError: string | null;
}

export const consoleApi = {
  searchMembers: (text: string) => api.get<{ members: MemberSummary[] }>(`/agent/members${query({ q: text })}`),
  member: (id: string) => api.get<MemberDetail>(`/agent/members/${encodeURIComponent(id)}`),
  memberAudit: (id: string, before?: number) =>
    api.get<{ entries: AuditEntry[]; nextBefore: number | null }>(`/agent/members/${encodeURIComponent(id)}/audit${query({ before })}`),
  mail: (page: { before?: string; limit?: number } = {}) => api.get<{ messages: MailSummary[]; nextBefore: string | null }>(`/agent/mail${query(page)}`),
  mailMessage: (id: string) => api.get<MailMessage>(`/agent/mail/${encodeURIComponent(id)}`),
};
