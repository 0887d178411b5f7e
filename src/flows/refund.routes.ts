// Cancellations and refunds (ST-6, CR-15..CR-18): the refund flow behind the member's and the agents' routes,
// tagged with the store's routes.
import type { Deps } from '../deps.ts';
import type { ZodApp } from '../http/types.ts';
import { requireRole, requireSession } from '../http/principal.ts';
import { idempotencyKeyHeaders } from '../http/idempotency-key.ts';
import { answerIdempotently } from '../http/idempotency.ts';
import {
  agentCancelBody,
  cancelBody,
  getMemberOrder,
  getOrderDetail,
  orderIdParams,
  refundBody,
  refundResult,
  toOrderView,
  toRefundView,
  type RefundRequest,
} from '../modules/store/index.ts';
import { refundOrder } from './refund.ts';
import { requestRef } from './request-ref.ts';

const tags = ['store'];

export function registerRefundRoutes(app: ZodApp, deps: Deps): void {
  app.post(
    '/store/orders/:orderId/cancel',
    { schema: { tags, summary: 'Cancel your order before it ships: money back, credits restored and reversed (ST-6, CR-15, CR-18)', headers: idempotencyKeyHeaders, params: orderIdParams, body: cancelBody, response: { 200: refundResult } }, config: { auth: 'session' } },
    async (request, reply) => {
      const { memberId } = requireSession(request);
      return answerIdempotently(deps, request, reply, { required: false, body: request.body, memberId }, async (key) => {
        const refund = await refundOrder(deps, { orderId: request.params.orderId, memberId, request: { kind: 'cancellation' }, reason: 'cancelled_by_member', note: request.body.note, source: 'member', requestedBy: memberId, externalRef: requestRef(deps, 'refund', memberId, key) });
        return { status: 200, body: { refund: toRefundView(refund), order: toOrderView(await getMemberOrder(deps, memberId, request.params.orderId)) } };
      });
    },
  );

  app.post(
    '/agent/store/orders/:orderId/cancel',
    { schema: { tags, summary: 'Cancel an order before it ships (ST-6, CR-15, CR-18)', headers: idempotencyKeyHeaders, params: orderIdParams, body: agentCancelBody, response: { 200: refundResult } }, config: { auth: 'agent' } },
    async (request, reply) => {
      const principal = requireRole(request, 'agent');
      return answerIdempotently(deps, request, reply, { required: false, body: request.body }, async (key) => {
        const refund = await refundOrder(deps, { orderId: request.params.orderId, request: { kind: 'cancellation' }, reason: request.body.reason, note: request.body.note, source: 'agent', requestedBy: principal.memberId, externalRef: requestRef(deps, 'refund', principal.memberId, key) });
        const order = await getOrderDetail(deps, request.params.orderId);
        return { status: 200, body: { refund: toRefundView(refund), order: toOrderView(order) }, memberId: order.memberId };
      });
    },
  );

  app.post(
    '/agent/store/orders/:orderId/refunds',
    {
      schema: {
        tags,
        summary: 'Refund lines, quantities or an amount, with a reason; money through the gateway, credits reversed and restored (ST-6, CR-15..CR-18)',
        headers: idempotencyKeyHeaders,
        params: orderIdParams,
        body: refundBody,
        response: { 201: refundResult },
      },
      config: { auth: 'agent' },
    },
    async (request, reply) => {
      const principal = requireRole(request, 'agent');
      const body = request.body;
      const refundRequest: RefundRequest = body.kind === 'lines' ? { kind: 'lines', lines: body.lines } : { kind: 'amount', amountMinor: body.amountMinor, lineId: body.lineId };
      return answerIdempotently(deps, request, reply, { required: true, body }, async (key) => {
        const refund = await refundOrder(deps, { orderId: request.params.orderId, request: refundRequest, reason: body.reason, note: body.note, source: 'agent', requestedBy: principal.memberId, externalRef: requestRef(deps, 'refund', principal.memberId, key) });
        const order = await getOrderDetail(deps, request.params.orderId);
        return { status: 201, body: { refund: toRefundView(refund), order: toOrderView(order) }, memberId: order.memberId };
      });
    },
  );
}
