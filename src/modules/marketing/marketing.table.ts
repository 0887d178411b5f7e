// Row types of the marketing tables (migration 0871); they never leave this module's repositories.
import { tables, type Executor } from '../../db/database.ts';

export const channels = ['email', 'sms'] as const;
export type Channel = (typeof channels)[number];

/** The contact list's cached state; the truth at send time is the consent record (PV-26), read again per recipient. */
export const contactStates = ['subscribed', 'unsubscribed'] as const;
export type ContactState = (typeof contactStates)[number];

export const suppressionReasons = ['unsubscribed', 'bounced', 'complaint', 'manual', 'sms_stop'] as const;
export type SuppressionReason = (typeof suppressionReasons)[number];

export const campaignStates = ['draft', 'scheduled', 'sending', 'sent', 'canceled'] as const;
export type CampaignState = (typeof campaignStates)[number];

export const textKinds = ['campaign', 'stop_confirmation', 'start_confirmation', 'help'] as const;
export type TextKind = (typeof textKinds)[number];

export const textStates = ['queued', 'sent', 'held', 'failed'] as const;
export type TextState = (typeof textStates)[number];

export interface ContactRow {
  id: string;
  channel: Channel;
  /** A normalized email address or an E.164 number. */
  address: string;
  member_id: string | null;
  region: string | null;
  state: ContactState;
  source: string;
  created_at_ms: number;
  updated_at_ms: number;
}

export interface SuppressionRow {
  id: string;
  channel: Channel;
  address: string;
  member_id: string | null;
  reason: SuppressionReason;
  note: string | null;
  created_by: string | null;
  created_at_ms: number;
}

export interface ConfirmationRow {
  token_hash: string;
  channel: Channel;
  address: string;
  member_id: string | null;
  region: string | null;
  source: string;
  created_at_ms: number;
  expires_at_ms: number;
  used_at_ms: number | null;
}

export interface CampaignRow {
  id: string;
  name: string;
  channel: Channel;
  subject: string | null;
  body: string;
  /** JSON of the audience filter (campaigns.rules.ts). */
  audience: string;
  state: CampaignState;
  scheduled_at_ms: number | null;
  /** The last contact ID a send batch handled; batches walk the contact list in ID order. */
  cursor: string | null;
  queued_count: number;
  skipped_count: number;
  created_by: string;
  created_at_ms: number;
  updated_at_ms: number;
  completed_at_ms: number | null;
}

export interface DeliveryRow {
  id: string;
  campaign_id: string;
  contact_id: string;
  member_id: string | null;
  channel: Channel;
  address: string;
  state: 'queued' | 'skipped';
  skip_reason: string | null;
  message_id: string | null;
  /** 1 when the recipient had consented to tracking (PV-29) when the message was queued. */
  tracked: number;
  created_at_ms: number;
}

export interface CampaignOptOutRow {
  campaign_id: string;
  channel: Channel;
  address: string;
  member_id: string | null;
  created_at_ms: number;
}

export interface TrackingEventRow {
  id: string;
  delivery_id: string;
  campaign_id: string;
  member_id: string | null;
  kind: 'open' | 'click';
  link_url: string | null;
  occurred_at_ms: number;
}

export interface TextRow {
  id: string;
  member_id: string | null;
  phone: string;
  body: string;
  kind: TextKind;
  state: TextState;
  dedupe_key: string | null;
  created_at_ms: number;
  sent_at_ms: number | null;
}

export interface InboundTextRow {
  id: string;
  provider_message_id: string;
  phone: string;
  body: string;
  keyword: string | null;
  received_at_ms: number;
}

export interface NewsletterCodeRow {
  /** HMAC of the normalized address under the server secret: one code per address ever (ST-10), no address kept. */
  email_key: string;
  discount_code_id: string;
  issued_at_ms: number;
}

export interface MarketingTables {
  marketing_contacts: ContactRow;
  marketing_suppressions: SuppressionRow;
  marketing_confirmations: ConfirmationRow;
  marketing_campaigns: CampaignRow;
  marketing_deliveries: DeliveryRow;
  marketing_campaign_optouts: CampaignOptOutRow;
  marketing_tracking_events: TrackingEventRow;
  marketing_texts: TextRow;
  marketing_inbound_texts: InboundTextRow;
  marketing_newsletter_codes: NewsletterCodeRow;
}

export function marketingTables(db: Executor) {
  return tables<MarketingTables>(db);
}
