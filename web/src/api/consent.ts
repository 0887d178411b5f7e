// Consent API (src/modules/privacy/cookies.routes.ts): the visitor's cookie choices (PV-23), GPC (PV-24), and a
// member's consent history for the console (PV-22).
import { api, query } from './client.ts';

export type CookieCategory = 'analytics' | 'advertising' | 'personalization';
export const cookieCategories: readonly CookieCategory[] = ['analytics', 'advertising', 'personalization'];

export interface PurposeState {
  choice: 'granted' | 'denied';
  recorded: boolean;
  stale: boolean;
  noticeVersion: number | null;
  method: string | null;
  recordedAt: string | null;
}

/** visitorConsentView */
export interface VisitorConsent {
  deviceId: string | null;
  signedIn: boolean;
  region: string | null;
  regime: 'opt_in' | 'opt_out';
  gpc: boolean;
  ask: boolean;
  categories: { necessary: true } & Record<CookieCategory, boolean>;
  advertisingBlock: 'under_16' | 'restricted' | 'opt_out_request' | 'gpc' | 'consent' | null;
  purposes: Record<CookieCategory, PurposeState>;
  noticeVersions: Record<CookieCategory, number>;
}

/** consentRecordView */
export interface ConsentRecord {
  id: string;
  purpose: string;
  choice: 'granted' | 'denied';
  method: string;
  noticeVersion: number;
  region: string | null;
  recordedAt: string;
  source: string | null;
  deviceId: string | null;
}

/** The page's own opt-out preference signal (the browser also sends Sec-GPC: 1 with every request). */
export function pageGpc(): boolean {
  return (navigator as Navigator & { globalPrivacyControl?: boolean }).globalPrivacyControl === true;
}

export const consentApi = {
  read: () => api.get<VisitorConsent>(`/privacy/consent${query({ gpc: pageGpc() ? '1' : undefined })}`),
  save: (choices: Partial<Record<CookieCategory, boolean>>, method: 'banner' | 'settings') => api.post<VisitorConsent>('/privacy/consent', { choices, method, gpc: pageGpc() }),
  history: (memberId: string) => api.get<{ memberId: string; records: ConsentRecord[] }>(`/privacy/members/${encodeURIComponent(memberId)}/consents`),
};
