// Privacy API (src/flows/account-closure.routes.ts, src/modules/privacy/closure.routes.ts): account closure (AC-10)
// and the member's restriction of processing (PV-20).
import { api } from './client.ts';

/** closurePreviewView: what closing would do now. */
export interface ClosurePreview {
  reauthenticated: boolean;
  recentSignInMinutes: number;
  creditsToForfeit: number;
  plusEnds: boolean;
  blockers: Array<'checkout_in_progress' | 'refund_pending' | 'plus_payment_pending'>;
}

/** closureView: what the closure did. */
export interface Closure {
  id: string;
  memberId: string;
  closedAt: string;
  retentionStartedAt: string;
  creditsForfeited: number;
  creditTransactionId: string | null;
  plusSubscriptionEnded: string | null;
  sessionsEnded: number;
  requestId: string | null;
}

export interface RestrictionStatus {
  restricted: boolean;
  reason: string | null;
  since: string | null;
  effect: string;
}

/** The error code of a closure whose sign-in is too old: the page offers to sign in again. */
export const reauthenticationRequiredCode = 'reauthentication_required';

export const privacyApi = {
  closurePreview: () => api.get<ClosurePreview>('/me/close-account'),
  closeAccount: () => api.post<Closure>('/me/close-account', { confirm: true }),
  restriction: () => api.get<RestrictionStatus>('/me/privacy/restriction'),
};
