// Account closure routes (AC-10, PV-32): the member's own closure (re-authentication and an explicit confirmation),
// what it would do (for the member center's explanation), and staff closing an account on the member's request.
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import type { ZodApp } from '../http/types.ts';
import { requireRole, requireSession } from '../http/principal.ts';
import { clearSessionCookie, memberIdParam, recentSignInMs, signedInRecently } from '../modules/accounts/index.ts';
import { getBalance } from '../modules/credits/index.ts';
import { getMembershipOverview } from '../modules/membership/index.ts';
import { findMoneyInFlight } from '../modules/store/index.ts';
import { agentCloseAccountBody, closeAccountBody, closureView, privacyTags as tags, toClosureView } from '../modules/privacy/index.ts';
import { closeAccount } from './account-closure.ts';

const openPlusStates = new Set(['active', 'past_due', 'paused', 'pending_payment']);

export const closurePreviewView = z.object({
  /** True when the session's sign-in is less than 10 minutes old; otherwise the member must sign in again first. */
  reauthenticated: z.boolean(),
  recentSignInMinutes: z.number().int(),
  /** Every credit the account holds (available, pending and held): all are forfeited (CR-22). */
  creditsToForfeit: z.number().int(),
  /** Plus ends at once without a refund (MB-6). */
  plusEnds: z.boolean(),
  /** What must settle first: an order being paid for, a refund on its way. Empty when the account can close. */
  blockers: z.array(z.enum(['checkout_in_progress', 'refund_pending', 'plus_payment_pending'])),
});

export function registerAccountClosureRoutes(app: ZodApp, deps: Deps): void {
  app.get(
    '/me/close-account',
    { schema: { tags, summary: 'What closing your account would do: credits forfeited, Plus ended, whether you must sign in again first (AC-10)', response: { 200: closurePreviewView } }, config: { auth: 'session' } },
    async (request) => {
      const { memberId, sessionId } = requireSession(request);
      const balance = await getBalance(deps, memberId);
      const overview = await getMembershipOverview(deps, memberId);
      const inFlight = await findMoneyInFlight(deps, memberId);
      const subscriptionState = overview.subscription?.state;
      const blockers: z.infer<typeof closurePreviewView>['blockers'] = [];
      if (inFlight.checkoutOrderIds.length > 0) blockers.push('checkout_in_progress');
      if (inFlight.pendingRefundIds.length > 0) blockers.push('refund_pending');
      if (subscriptionState === 'pending_payment') blockers.push('plus_payment_pending');
      return {
        reauthenticated: await signedInRecently(deps, { memberId, sessionId }),
        recentSignInMinutes: recentSignInMs / 60_000,
        creditsToForfeit: balance.closed ? 0 : balance.spendable + balance.held + balance.pendingTotal,
        plusEnds: subscriptionState !== undefined && openPlusStates.has(subscriptionState),
        blockers,
      };
    },
  );

  app.post(
    '/me/close-account',
    {
      schema: { tags, summary: 'Close your account: needs a sign-in less than 10 minutes old and `confirm: true`; ends Plus without refund, forfeits your credits, signs you out everywhere (AC-10, CR-22, PV-32)', body: closeAccountBody, response: { 200: closureView } },
      config: { auth: 'session' },
    },
    async (request, reply) => {
      const { memberId, sessionId } = requireSession(request);
      // Always as the member: a staff user is not a program member (refused), and never skips re-authentication.
      const record = await closeAccount(deps, { memberId, sessionId, actor: { id: memberId, role: 'member' } });
      // The session ended with the account: the browser's cookie goes too.
      clearSessionCookie(reply, deps);
      return toClosureView(record);
    },
  );

  app.post(
    '/agent/privacy/members/:memberId/close',
    { schema: { tags, summary: 'Close a member’s account on their verified request (AC-10, PV-32); audit-recorded', params: memberIdParam, body: agentCloseAccountBody, response: { 200: closureView } }, config: { auth: 'agent' } },
    async (request) => {
      const principal = requireRole(request, 'agent');
      const record = await closeAccount(deps, {
        memberId: request.params.memberId,
        actor: { id: principal.memberId, role: principal.role === 'admin' ? 'admin' : 'agent' },
        requestId: request.body.requestId ?? null,
      });
      return toClosureView(record);
    },
  );
}
