// Placing an order (ST-2..ST-4, CR-12): the checkout flow behind POST /store/orders, tagged with the store's routes.
import type { Deps } from '../deps.ts';
import type { ZodApp } from '../http/types.ts';
import { idempotencyKeyHeaders } from '../http/idempotency-key.ts';
import { answerIdempotently, idempotencyCaller } from '../http/idempotency.ts';
import { checkoutSourceOf, placeOrderBody, placeOrderView, toOrderView } from '../modules/store/index.ts';
import { checkout } from './checkout.ts';
import { requestRef } from './request-ref.ts';

const tags = ['store'];

export function registerCheckoutRoutes(app: ZodApp, deps: Deps): void {
  app.post(
    '/store/orders',
    {
      schema: {
        tags,
        summary:
          'Place an order and pay for it (ST-2..ST-4, CR-12): it ships to a saved address or one given inline (guests), whose state sets the tax region; a declined payment answers with the failed order and releases the credits hold',
        headers: idempotencyKeyHeaders,
        body: placeOrderBody,
        response: { 201: placeOrderView },
      },
      config: { auth: 'public' },
    },
    async (request, reply) => {
      const body = request.body;
      const source = await checkoutSourceOf(deps, request.principal?.kind === 'session' ? request.principal.memberId : null, body);
      return answerIdempotently(deps, request, reply, { required: true, body, guestEmail: body.email, memberId: source.memberId }, async (key) => {
        const result = await checkout(deps, {
          requestRef: requestRef(deps, 'checkout', idempotencyCaller(deps, request.principal ?? null, body.email), key),
          memberId: source.memberId,
          guestEmail: source.memberId ? null : (body.email ?? null),
          lines: source.lines,
          discountCode: source.discountCode,
          shippingAddress: source.shippingAddress,
          region: source.region,
          credits: body.credits,
          useDeliveryVoucher: body.useDeliveryVoucher,
          paymentToken: body.paymentToken ?? null,
          fromCart: source.fromCart,
        });
        return { status: 201, body: { order: toOrderView(result.order), payment: result.payment } };
      });
    },
  );
}
