// Marketing API (src/modules/marketing/marketing.routes.ts, shapes in marketing.schemas.ts): the newsletter form,
// unsubscribe links, the member's communication preferences, and the console's campaigns and suppression list.
import { api, query } from './client.ts';

export type Channel = 'email' | 'sms';
export type SuppressionReason = 'unsubscribed' | 'bounced' | 'complaint' | 'manual' | 'sms_stop';
export type Audience = { kind: 'all' } | { kind: 'plus' } | { kind: 'country'; country: string };

export interface ChannelStatus {
  address: string | null;
  subscribed: boolean;
  consent: 'granted' | 'denied';
  suppressed: SuppressionReason | null;
}

export interface Preferences {
  email: ChannelStatus;
  sms: ChannelStatus;
  region: string | null;
  campaignOptOuts: { campaignId: string; campaignName: string; at: string }[];
}

export interface UnsubscribeView {
  campaignName: string;
  channel: Channel;
  maskedAddress: string;
  unsubscribedFromCampaign: boolean;
  unsubscribedFromAll: boolean;
}

export interface Campaign {
  id: string;
  name: string;
  channel: Channel;
  subject: string | null;
  body: string;
  audience: Audience;
  audienceLabel: string;
  state: 'draft' | 'scheduled' | 'sending' | 'sent' | 'canceled';
  scheduledAt: string | null;
  queuedCount: number;
  skippedCount: number;
  createdAt: string;
  completedAt: string | null;
  opens?: number;
  clicks?: number;
}

export interface AudiencePreview {
  listed: number;
  suppressed: number;
  estimated: number;
}

export interface Suppression {
  id: string;
  channel: Channel;
  address: string;
  memberId: string | null;
  reason: SuppressionReason;
  note: string | null;
  createdBy: string | null;
  createdAt: string;
}

export const marketingApi = {
  signUp: (body: { email: string; region: string | null }) => api.post<{ status: 'subscribed' | 'confirmation_sent' }>('/newsletter', body),
  confirm: (token: string) => api.post<{ status: 'subscribed' }>('/newsletter/confirm', { token }),
  unsubscribeInfo: (token: string) => api.get<UnsubscribeView>(`/u/${encodeURIComponent(token)}`),
  unsubscribe: (token: string, scope: 'campaign' | 'all') => api.post<UnsubscribeView & { scope: string; changed: boolean }>(`/u/${encodeURIComponent(token)}`, { scope }),
  preferences: () => api.get<Preferences>('/me/communication-preferences'),
  setPreferences: (body: { email?: boolean; sms?: boolean; phone?: string | null }) => api.put<Preferences>('/me/communication-preferences', body),
  campaigns: () => api.get<{ campaigns: Campaign[] }>('/agent/marketing/campaigns'),
  campaign: (id: string) => api.get<Campaign>(`/agent/marketing/campaigns/${encodeURIComponent(id)}`),
  createCampaign: (body: { name: string; channel: Channel; subject: string | null; body: string; audience: Audience }) => api.post<Campaign>('/agent/marketing/campaigns', body),
  schedule: (id: string, at: string | null) => api.post<Campaign>(`/agent/marketing/campaigns/${encodeURIComponent(id)}/schedule`, { at }),
  cancel: (id: string) => api.post<Campaign>(`/agent/marketing/campaigns/${encodeURIComponent(id)}/cancel`),
  preview: (body: { channel: Channel; audience: Audience }) => api.post<AudiencePreview>('/agent/marketing/audience-preview', body),
  suppressions: (filter: { channel?: Channel; search?: string }) => api.get<{ suppressions: Suppression[] }>(`/agent/marketing/suppressions${query(filter)}`),
  addSuppression: (body: { channel: Channel; address: string; reason: SuppressionReason; note: string | null }) => api.post<Suppression>('/agent/marketing/suppressions', body),
  removeSuppression: (body: { channel: Channel; address: string }) => api.post<{ removed: true }>('/agent/marketing/suppressions/remove', body),
};
