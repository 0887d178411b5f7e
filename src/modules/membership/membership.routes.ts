// The membership HTTP surface (MB-1..MB-11): the plans, the member's own membership and its actions, the agent
// console's view of a member's membership with its history, the past-due list, and the admin's policy versions.
import type { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { transact } from '../../deps.ts';
import { idempotencyKeyHeaders } from '../../http/idempotency-key.ts';
import { answerIdempotently } from '../../http/idempotency.ts';
import { requireRole, requireSession } from '../../http/principal.ts';
import type { ZodApp } from '../../http/types.ts';
import { AppError } from '../../platform/errors.ts';
import { getMember } from '../accounts/index.ts';
import { isPriorityMember, plusStatusAt, type MembershipActor } from './history.service.ts';
import { cancelMembership, joinPlus, pauseMembership, resumeMembership, setAutoRenew, switchPlan, updatePaymentMethod } from './lifecycle.service.ts';
import { getMembershipOverview, listMembershipsInState } from './membership.service.ts';
import { getCurrentMembershipPolicy, listMembershipPolicies, publishMembershipPolicy } from './policy.service.ts';
import {
  autoRenewBody, cancelBody, empty, joinBody, joinView, listQuery, memberParams, overviewView, paymentMethodBody, pauseBody, planBody, plansView, policyBody,
  policyListView, policyView, statusAtQuery, statusView, subscriptionListView, subscriptionView, toOverviewView, toPlansView, toPolicyView, toSubscriptionView,
} from './membership.schemas.ts';

const tags = ['membership'];

export function registerMembershipRoutes(app: ZodApp, deps: Deps): void {
  const memberActor = (memberId: string): MembershipActor => ({ id: memberId, role: 'member' });

  app.get('/membership/plans', { schema: { tags, summary: 'The Plus plans and their prices (public)', response: { 200: plansView } }, config: { auth: 'public' } }, async () => toPlansView(await getCurrentMembershipPolicy(deps)));

  app.get('/me/membership', { schema: { tags, summary: 'My Plus membership: plan, state, next renewal and price, benefits used, notices, history', response: { 200: overviewView } }, config: { auth: 'session' } }, async (request) => {
    const principal = requireSession(request);
    return toOverviewView(await getMembershipOverview(deps, principal.memberId));
  });

  app.post(
    '/me/membership',
    {
      schema: {
        tags,
        summary: 'Join Plus: the fee is charged now and benefits start when the payment is confirmed (MB-2); send an Idempotency-Key header',
        headers: idempotencyKeyHeaders,
        body: joinBody,
        response: { 201: joinView, 402: joinView },
      },
      config: { auth: 'session' },
    },
    async (request, reply) => {
      const { memberId } = requireSession(request);
      return answerIdempotently<z.infer<typeof joinView>>(deps, request, reply, { required: true, body: request.body, memberId }, async () => {
        const result = await joinPlus(deps, { memberId, plan: request.body.plan, paymentToken: request.body.paymentToken, actor: memberActor(memberId) });
        if (result.outcome === 'declined') return { status: 402, body: { outcome: 'declined', subscription: null, payment: { code: result.code, message: result.message } } };
        return { status: 201, body: { outcome: 'active', subscription: toSubscriptionView(result.subscription), payment: { code: null, message: null } } };
      });
    },
  );

  app.post('/me/membership/pause', { schema: { tags, summary: 'Pause: no billing and no benefits until resumed (MB-5)', body: pauseBody, response: { 200: subscriptionView } }, config: { auth: 'session' } }, async (request) => {
    const principal = requireSession(request);
    const resumeAtMs = request.body.resumeAt === null ? null : Date.parse(request.body.resumeAt);
    return toSubscriptionView(await transact(deps, (trx) => pauseMembership(trx, { memberId: principal.memberId, resumeAtMs, actor: memberActor(principal.memberId) })));
  });

  app.post('/me/membership/resume', { schema: { tags, summary: 'Resume: the renewal date moves out by the paused time (MB-5)', body: empty, response: { 200: subscriptionView } }, config: { auth: 'session' } }, async (request) => {
    const principal = requireSession(request);
    return toSubscriptionView(await transact(deps, (trx) => resumeMembership(trx, { memberId: principal.memberId, actor: memberActor(principal.memberId) })));
  });

  app.post('/me/membership/cancel', { schema: { tags, summary: 'Cancel now: benefits end at once, nothing is refunded (MB-6, MB-7)', body: cancelBody, response: { 200: subscriptionView } }, config: { auth: 'session' } }, async (request) => {
    const principal = requireSession(request);
    return toSubscriptionView(await transact(deps, (trx) => cancelMembership(trx, { memberId: principal.memberId, actor: memberActor(principal.memberId) })));
  });

  app.put('/me/membership/auto-renew', { schema: { tags, summary: 'Auto-renewal on or off; off keeps benefits to the end of the period (MB-6)', body: autoRenewBody, response: { 200: subscriptionView } }, config: { auth: 'session' } }, async (request) => {
    const principal = requireSession(request);
    return toSubscriptionView(await transact(deps, (trx) => setAutoRenew(trx, { memberId: principal.memberId, enabled: request.body.enabled, actor: memberActor(principal.memberId) })));
  });

  app.put('/me/membership/plan', { schema: { tags, summary: 'Switch monthly ↔ annual at the next renewal (the current plan withdraws a switch)', body: planBody, response: { 200: subscriptionView } }, config: { auth: 'session' } }, async (request) => {
    const principal = requireSession(request);
    return toSubscriptionView(await transact(deps, (trx) => switchPlan(trx, { memberId: principal.memberId, plan: request.body.plan, actor: memberActor(principal.memberId) })));
  });

  app.put('/me/membership/payment-method', { schema: { tags, summary: 'A new payment method for renewals; a past-due membership is retried with it at once', body: paymentMethodBody, response: { 200: subscriptionView } }, config: { auth: 'session' } }, async (request) => {
    const principal = requireSession(request);
    return toSubscriptionView(await transact(deps, (trx) => updatePaymentMethod(trx, { memberId: principal.memberId, paymentToken: request.body.paymentToken, actor: memberActor(principal.memberId) })));
  });

  async function requireMember(memberId: string): Promise<void> {
    const member = await getMember(deps, memberId);
    if (!member || member.role !== 'member') throw new AppError('not_found', 'The member was not found.');
  }

  app.get('/agent/members/:memberId/membership', { schema: { tags, summary: "A member's membership with its history, notices and benefits used", params: memberParams, response: { 200: overviewView } }, config: { auth: 'agent' } }, async (request) => {
    requireRole(request, 'agent');
    await requireMember(request.params.memberId);
    return toOverviewView(await getMembershipOverview(deps, request.params.memberId));
  });

  app.get('/agent/members/:memberId/membership/status-at', { schema: { tags, summary: 'Was this member Plus, and on which plan, at a moment (MB-10)', params: memberParams, querystring: statusAtQuery, response: { 200: statusView } }, config: { auth: 'agent' } }, async (request) => {
    requireRole(request, 'agent');
    await requireMember(request.params.memberId);
    const atMs = Date.parse(request.query.time);
    const status = await plusStatusAt(deps, request.params.memberId, atMs);
    return { memberId: request.params.memberId, at: new Date(atMs).toISOString(), plan: status.plan, periodId: status.periodId, priority: await isPriorityMember(deps, request.params.memberId, atMs) };
  });

  app.post('/agent/members/:memberId/membership/cancel', { schema: { tags, summary: "Cancel a member's membership now (a support request; no refund)", params: memberParams, body: cancelBody, response: { 200: subscriptionView } }, config: { auth: 'agent' } }, async (request) => {
    const staff = requireRole(request, 'agent');
    await requireMember(request.params.memberId);
    return toSubscriptionView(
      await transact(deps, (trx) =>
        cancelMembership(trx, { memberId: request.params.memberId, actor: { id: staff.memberId, role: staff.role === 'admin' ? 'admin' : 'agent' }, reason: 'support_request' }),
      ),
    );
  });

  app.get('/agent/memberships', { schema: { tags, summary: 'Memberships in a state (past due by default), most recently changed first', querystring: listQuery, response: { 200: subscriptionListView } }, config: { auth: 'agent' } }, async (request) => {
    requireRole(request, 'agent');
    return { subscriptions: (await listMembershipsInState(deps, request.query.state, request.query.limit)).map(toSubscriptionView) };
  });

  app.get('/agent/membership/policies', { schema: { tags, summary: 'Membership policy versions, newest first', response: { 200: policyListView } }, config: { auth: 'agent' } }, async (request) => {
    requireRole(request, 'agent');
    return { policies: (await listMembershipPolicies(deps)).map(toPolicyView) };
  });

  app.post('/admin/membership/policies', { schema: { tags, summary: 'Publish a new membership policy version (prices, notice leads, dunning, benefits)', body: policyBody, response: { 201: policyView } }, config: { auth: 'admin' } }, async (request, reply) => {
    const admin = requireRole(request, 'admin');
    const policy = await transact(deps, (trx) => publishMembershipPolicy(trx, { settings: request.body.settings, note: request.body.note, actor: { id: admin.memberId, role: 'admin' } }));
    return reply.status(201).send(toPolicyView(policy));
  });
}
