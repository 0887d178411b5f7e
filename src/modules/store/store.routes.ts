// The store's HTTP face (ST-1..ST-9, CR-12, CR-13): catalog, cart, checkout quotes, orders, rewards, external orders
// and the storefront webhook. Writes that a caller may retry take an Idempotency-Key header (PL-4). Placing an
// order, cancelling, refunding and redeeming are flows with outside calls: their routes are in src/flows.
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { transact, type Deps } from '../../deps.ts';
import { AppError } from '../../platform/errors.ts';
import { MINUTE_MS } from '../../platform/clock.ts';
import { requireRole, requireScope, requireSession, type Principal } from '../../http/principal.ts';
import { noBody } from '../../http/route-guards.ts';
import type { ZodApp } from '../../http/types.ts';
import { idempotencyKeyHeaders } from '../../http/idempotency-key.ts';
import { answerIdempotently } from '../../http/idempotency.ts';
import {
  archiveDiscountCode,
  changeProduct,
  changeRewardItem,
  createDiscountCode,
  createProduct,
  createRewardItem,
  discountCodeInputSchema,
  getProduct,
  listDiscountCodes,
  listProducts,
  listRewardItems,
  listTaxRates,
  productInputSchema,
  productPatchSchema,
  rewardItemInputSchema,
  rewardItemPatchSchema,
  setTaxRate,
  taxRateInputSchema,
  type Actor,
} from './catalog.service.ts';
import { getCart, setCartLine, setCartOptions } from './cart.service.ts';
import { externalOrderInputSchema, findExternalOrder, getExternalOrder, listExternalOrders, recordExternalOrder } from './external-orders.service.ts';
import { checkoutSourceOf } from './checkout-source.service.ts';
import { getMemberOrder, getOrderDetail, listMemberOrders, listOrdersForAgents, markOrderDelivered, quoteCheckout, shipOrder } from './orders.service.ts';
import { getMemberRedemption, listMemberRedemptions, markRedemptionDelivered } from './redemptions.service.ts';
import {
  agentOrderList,
  agentOrderListQuery,
  agentRedemptionListQuery,
  cartLineBody,
  cartOptionsBody,
  cartView,
  categoryList,
  categoryNames,
  discountCodeIdParams,
  discountCodeList,
  discountCodeView,
  externalOrderIdParams,
  externalOrderList,
  externalOrderListQuery,
  externalOrderView,
  memberOrderListQuery,
  orderIdParams,
  orderList,
  orderView,
  productIdParams,
  productList,
  productListQuery,
  productView,
  quoteBody,
  quoteView,
  redemptionIdParams,
  redemptionList,
  redemptionView,
  regionParams,
  rewardIdParams,
  rewardList,
  rewardView,
  shipBody,
  shippingRegionList,
  taxRateList,
  taxRateView,
  toCartView,
  toDiscountCodeView,
  toExternalOrderView,
  toOrderSummaryView,
  toOrderView,
  toProductView,
  toQuoteView,
  toRedemptionView,
  toRewardView,
  toShippingRegionView,
  toTaxRateView,
  toWebhookEventView,
  webhookAck,
  webhookEventList,
  webhookSecretView,
} from './store.schemas.ts';
import { productCategories } from './store.table.ts';
import { listWebhookEvents, receiveStorefrontWebhook } from './webhooks.service.ts';
import { storefrontHeaders, storefrontWebhookSecret, webhookToleranceMs } from './webhooks.rules.ts';

const tags = ['store'];
export const webhookPath = '/webhooks/storefront';
/** Generous for a storefront's bursts, still a ceiling for a flood from one address (PL-16). */
const webhookRateLimit = { max: 6000, timeWindow: MINUTE_MS };

/** The member behind a session, or the API key itself. */
function callerIdOf(principal: Principal): string {
  return principal.kind === 'session' ? principal.memberId : principal.keyId;
}

function actorOf(principal: Principal): Actor {
  return { id: callerIdOf(principal), role: principal.kind === 'session' ? principal.role : 'api_key' };
}

export function registerStoreRoutes(app: ZodApp, deps: Deps): void {
  // ---- Catalog (public) -------------------------------------------------------------------------------------
  app.get('/store/categories', { schema: { tags, summary: 'Product categories (ST-1)', response: { 200: categoryList } }, config: { auth: 'public' } }, async () => ({
    categories: productCategories.map((id) => ({ id, name: categoryNames[id] })),
  }));

  app.get('/store/products', { schema: { tags, summary: 'The catalog: products on sale (ST-1)', querystring: productListQuery, response: { 200: productList } }, config: { auth: 'public' } }, async (request) => ({
    products: (await listProducts(deps, request.query)).map(toProductView),
  }));

  app.get('/store/products/:productId', { schema: { tags, summary: 'One product (ST-1)', params: productIdParams, response: { 200: productView } }, config: { auth: 'public' } }, async (request) =>
    toProductView(await getProduct(deps, request.params.productId)),
  );

  app.get(
    '/store/regions',
    { schema: { tags, summary: 'Where the store ships: the regions of the tax-rate table with their rates, by name (ST-2)', response: { 200: shippingRegionList } }, config: { auth: 'public' } },
    async () => ({ regions: (await listTaxRates(deps)).sort((a, b) => a.name.localeCompare(b.name, 'en') || (a.region < b.region ? -1 : 1)).map(toShippingRegionView) }),
  );

  app.get('/store/rewards', { schema: { tags, summary: 'The rewards catalog: items bought with credits (CR-13)', response: { 200: rewardList } }, config: { auth: 'public' } }, async () => ({
    rewards: (await listRewardItems(deps, {})).map(toRewardView),
  }));

  // ---- Cart (member) ----------------------------------------------------------------------------------------
  app.get('/store/cart', { schema: { tags, summary: 'Your cart', response: { 200: cartView } }, config: { auth: 'session' } }, async (request) => toCartView(await getCart(deps, requireSession(request).memberId)));

  app.put(
    '/store/cart/lines/:productId',
    { schema: { tags, summary: 'Set the quantity of a product in your cart (0 removes it)', params: productIdParams, body: cartLineBody, response: { 200: cartView } }, config: { auth: 'session' } },
    async (request) => {
      const { memberId } = requireSession(request);
      return toCartView(await transact(deps, (trx) => setCartLine(trx, memberId, request.params.productId, request.body.quantity)));
    },
  );

  app.delete('/store/cart/lines/:productId', { schema: { tags, summary: 'Remove a product from your cart', params: productIdParams, body: noBody, response: { 200: cartView } }, config: { auth: 'session' } }, async (request) => {
    const { memberId } = requireSession(request);
    return toCartView(await transact(deps, (trx) => setCartLine(trx, memberId, request.params.productId, 0)));
  });

  app.patch('/store/cart', { schema: { tags, summary: 'Set the discount code and shipping region of your cart', body: cartOptionsBody, response: { 200: cartView } }, config: { auth: 'session' } }, async (request) => {
    const { memberId } = requireSession(request);
    return toCartView(await transact(deps, (trx) => setCartOptions(trx, memberId, request.body)));
  });

  // ---- Checkout ---------------------------------------------------------------------------------------------
  app.post(
    '/store/checkout/quote',
    { schema: { tags, summary: 'Price a checkout: every component per line, the Plus member discount, credits applied, a next-day delivery voucher, the ship-by date (ST-2, ST-5, CR-12, MB-8)', body: quoteBody, response: { 200: quoteView } }, config: { auth: 'public' } },
    async (request) => {
      const source = await checkoutSourceOf(deps, request.principal?.kind === 'session' ? request.principal.memberId : null, request.body);
      return toQuoteView(await quoteCheckout(deps, { ...source, credits: request.body.credits, useDeliveryVoucher: request.body.useDeliveryVoucher }));
    },
  );

  // ---- Orders (member) --------------------------------------------------------------------------------------
  app.get('/store/orders', { schema: { tags, summary: 'Your orders with shipments and tracking, newest first (ST-9)', querystring: memberOrderListQuery, response: { 200: orderList } }, config: { auth: 'session' } }, async (request) => {
    const { memberId } = requireSession(request);
    const orders = await listMemberOrders(deps, memberId, { beforeId: request.query.before, limit: request.query.limit });
    return { orders: orders.map(toOrderView), nextBefore: orders.length === request.query.limit ? orders.at(-1)!.id : null };
  });

  app.get('/store/orders/:orderId', { schema: { tags, summary: 'One of your orders (ST-9); anyone else’s is not found (PL-15)', params: orderIdParams, response: { 200: orderView } }, config: { auth: 'session' } }, async (request) =>
    toOrderView(await getMemberOrder(deps, requireSession(request).memberId, request.params.orderId)),
  );

  // ---- Rewards redemption (member) --------------------------------------------------------------------------
  app.get('/store/redemptions', { schema: { tags, summary: 'Your redemptions with their shipments (CR-13, ST-9)', response: { 200: redemptionList } }, config: { auth: 'session' } }, async (request) => ({
    redemptions: (await listMemberRedemptions(deps, requireSession(request).memberId)).map(toRedemptionView),
  }));

  app.get('/store/redemptions/:redemptionId', { schema: { tags, summary: 'One of your redemptions', params: redemptionIdParams, response: { 200: redemptionView } }, config: { auth: 'session' } }, async (request) =>
    toRedemptionView(await getMemberRedemption(deps, requireSession(request).memberId, request.params.redemptionId)),
  );

  // ---- External orders (API key orders:write, or staff) ----------------------------------------------------
  app.post(
    '/store/external-orders',
    { schema: { tags, summary: 'Record a marketplace or storefront order for after-sales; it never earns credits (ST-7)', headers: idempotencyKeyHeaders, body: externalOrderInputSchema, response: { 201: externalOrderView } }, config: { auth: { scope: 'orders:write' } } },
    async (request, reply) => {
      const principal = requireScope(request, 'orders:write');
      return answerIdempotently(deps, request, reply, { required: false, body: request.body }, async () => {
        const recorded = await transact(deps, (trx) => recordExternalOrder(trx, request.body, callerIdOf(principal)));
        return { status: 201, body: toExternalOrderView(recorded), memberId: recorded.memberId };
      });
    },
  );

  // ---- Agent console ----------------------------------------------------------------------------------------
  app.get('/agent/store/products', { schema: { tags, summary: 'All products, archived ones too', querystring: productListQuery, response: { 200: productList } }, config: { auth: 'agent' } }, async (request) => {
    requireRole(request, 'agent');
    return { products: (await listProducts(deps, { ...request.query, includeArchived: true })).map(toProductView) };
  });

  app.post('/agent/store/products', { schema: { tags, summary: 'Add a product (ST-1)', body: productInputSchema, response: { 201: productView } }, config: { auth: 'agent' } }, async (request, reply) => {
    const actor = actorOf(requireRole(request, 'agent'));
    return reply.status(201).send(toProductView(await transact(deps, (trx) => createProduct(trx, actor, request.body))));
  });

  app.patch('/agent/store/products/:productId', { schema: { tags, summary: 'Change a product', params: productIdParams, body: productPatchSchema, response: { 200: productView } }, config: { auth: 'agent' } }, async (request) => {
    const actor = actorOf(requireRole(request, 'agent'));
    return toProductView(await transact(deps, (trx) => changeProduct(trx, actor, request.params.productId, request.body)));
  });

  app.get('/agent/store/rewards', { schema: { tags, summary: 'The rewards catalog, archived items too', response: { 200: rewardList } }, config: { auth: 'agent' } }, async (request) => {
    requireRole(request, 'agent');
    return { rewards: (await listRewardItems(deps, { includeArchived: true })).map(toRewardView) };
  });

  app.post('/agent/store/rewards', { schema: { tags, summary: 'Add a reward (CR-13)', body: rewardItemInputSchema, response: { 201: rewardView } }, config: { auth: 'agent' } }, async (request, reply) => {
    const actor = actorOf(requireRole(request, 'agent'));
    return reply.status(201).send(toRewardView(await transact(deps, (trx) => createRewardItem(trx, actor, request.body))));
  });

  app.patch('/agent/store/rewards/:rewardId', { schema: { tags, summary: 'Change a reward', params: rewardIdParams, body: rewardItemPatchSchema, response: { 200: rewardView } }, config: { auth: 'agent' } }, async (request) => {
    const actor = actorOf(requireRole(request, 'agent'));
    return toRewardView(await transact(deps, (trx) => changeRewardItem(trx, actor, request.params.rewardId, request.body)));
  });

  app.get('/agent/store/discount-codes', { schema: { tags, summary: 'Discount codes', response: { 200: discountCodeList } }, config: { auth: 'agent' } }, async (request) => {
    requireRole(request, 'agent');
    return { discountCodes: (await listDiscountCodes(deps)).map(toDiscountCodeView) };
  });

  app.post('/agent/store/discount-codes', { schema: { tags, summary: 'Create a discount code (percentage or fixed)', body: discountCodeInputSchema, response: { 201: discountCodeView } }, config: { auth: 'agent' } }, async (request, reply) => {
    const actor = actorOf(requireRole(request, 'agent'));
    return reply.status(201).send(toDiscountCodeView(await transact(deps, (trx) => createDiscountCode(trx, actor, request.body))));
  });

  app.post('/agent/store/discount-codes/:discountCodeId/archive', { schema: { tags, summary: 'Stop a discount code', params: discountCodeIdParams, body: noBody, response: { 200: discountCodeView } }, config: { auth: 'agent' } }, async (request) => {
    const actor = actorOf(requireRole(request, 'agent'));
    return toDiscountCodeView(await transact(deps, (trx) => archiveDiscountCode(trx, actor, request.params.discountCodeId)));
  });

  app.get('/agent/store/tax-rates', { schema: { tags, summary: 'The tax rate table (ST-2)', response: { 200: taxRateList } }, config: { auth: 'agent' } }, async (request) => {
    requireRole(request, 'agent');
    return { taxRates: (await listTaxRates(deps)).map(toTaxRateView) };
  });

  app.put('/agent/store/tax-rates/:region', { schema: { tags, summary: 'Set the tax rate of a region', params: regionParams, body: taxRateInputSchema, response: { 200: taxRateView } }, config: { auth: 'agent' } }, async (request) => {
    const actor = actorOf(requireRole(request, 'agent'));
    return toTaxRateView(await transact(deps, (trx) => setTaxRate(trx, actor, request.params.region, request.body)));
  });

  app.get('/agent/store/orders', { schema: { tags, summary: 'Orders, newest first', querystring: agentOrderListQuery, response: { 200: agentOrderList } }, config: { auth: 'agent' } }, async (request) => {
    requireRole(request, 'agent');
    const orders = await listOrdersForAgents(deps, { memberId: request.query.memberId, status: request.query.status, beforeId: request.query.before, limit: request.query.limit });
    return { orders: orders.map(toOrderSummaryView), nextBefore: orders.length === request.query.limit ? orders.at(-1)!.id : null };
  });

  app.get('/agent/store/orders/:orderId', { schema: { tags, summary: 'An order with its shipments, refunds and payment', params: orderIdParams, response: { 200: orderView } }, config: { auth: 'agent' } }, async (request) => {
    requireRole(request, 'agent');
    return toOrderView(await getOrderDetail(deps, request.params.orderId));
  });

  app.post('/agent/store/orders/:orderId/ship', { schema: { tags, summary: 'Hand an order to the carrier with its tracking number (ST-9)', params: orderIdParams, body: shipBody, response: { 200: orderView } }, config: { auth: 'agent' } }, async (request) => {
    requireRole(request, 'agent');
    return toOrderView(await transact(deps, (trx) => shipOrder(trx, { orderId: request.params.orderId, ...request.body })));
  });

  app.post('/agent/store/orders/:orderId/deliver', { schema: { tags, summary: 'Record that an order was delivered', params: orderIdParams, body: noBody, response: { 200: orderView } }, config: { auth: 'agent' } }, async (request) => {
    requireRole(request, 'agent');
    return toOrderView(await transact(deps, (trx) => markOrderDelivered(trx, request.params.orderId)));
  });

  app.get('/agent/store/redemptions', { schema: { tags, summary: "A member's reward redemptions with their shipments, newest first (CR-13)", querystring: agentRedemptionListQuery, response: { 200: redemptionList } }, config: { auth: 'agent' } }, async (request) => {
    requireRole(request, 'agent');
    return { redemptions: (await listMemberRedemptions(deps, request.query.memberId, request.query.limit)).map(toRedemptionView) };
  });

  app.post(
    '/agent/store/redemptions/:redemptionId/deliver',
    { schema: { tags, summary: 'Record that a shipped redemption was delivered; its damage-report window starts then (CR-13, AS-7)', params: redemptionIdParams, body: noBody, response: { 200: redemptionView } }, config: { auth: 'agent' } },
    async (request) => {
      requireRole(request, 'agent');
      return toRedemptionView(await transact(deps, (trx) => markRedemptionDelivered(trx, request.params.redemptionId)));
    },
  );

  app.get('/agent/store/external-orders', { schema: { tags, summary: 'External orders, or one by its marketplace ID (ST-7)', querystring: externalOrderListQuery, response: { 200: externalOrderList } }, config: { auth: 'agent' } }, async (request) => {
    requireRole(request, 'agent');
    const { source, externalOrderId, memberId, limit } = request.query;
    if (externalOrderId) {
      if (!source) throw new AppError('validation', 'Give the source with an external order ID.', { field: 'source' });
      const found = await findExternalOrder(deps, { source, externalOrderId });
      return { externalOrders: found ? [toExternalOrderView(found)] : [] };
    }
    return { externalOrders: (await listExternalOrders(deps, { memberId, source, limit })).map(toExternalOrderView) };
  });

  app.get('/agent/store/external-orders/:externalOrderId', { schema: { tags, summary: 'One external order', params: externalOrderIdParams, response: { 200: externalOrderView } }, config: { auth: 'agent' } }, async (request) => {
    requireRole(request, 'agent');
    return toExternalOrderView(await getExternalOrder(deps, request.params.externalOrderId));
  });

  app.get('/agent/store/webhooks', { schema: { tags, summary: 'The storefront webhook inbox, newest first (ST-8)', response: { 200: webhookEventList } }, config: { auth: 'agent' } }, async (request) => {
    requireRole(request, 'agent');
    return { events: (await listWebhookEvents(deps)).map(toWebhookEventView) };
  });

  app.get('/admin/webhooks/storefront/secret', { schema: { tags, summary: 'The storefront webhook signing secret (ST-8, docs/WEBHOOKS.md)', response: { 200: webhookSecretView } }, config: { auth: 'admin' } }, async (request) => {
    requireRole(request, 'admin');
    return {
      secret: storefrontWebhookSecret(deps.secret),
      algorithm: 'HMAC-SHA256' as const,
      signatureHeader: storefrontHeaders.signature,
      endpoint: `${deps.config.http.publicUrl}/api/v1${webhookPath}`,
      toleranceSeconds: webhookToleranceMs / 1000,
    };
  });
}

/**
 * The webhook's body is the raw bytes the HMAC covers (the scope's parser below keeps them): the route's schema only
 * asks for bytes, and the envelope's shape is validated after the signature (webhooks.service.ts).
 */
const rawWebhookBody = z
  .custom<Buffer>((value) => Buffer.isBuffer(value), 'Send the webhook body as application/json.')
  .meta({ description: 'A signed storefront event (docs/WEBHOOKS.md), as JSON' });

/**
 * The webhook needs the raw body for its HMAC, so it lives in a scope of its own whose JSON parser keeps the bytes
 * (the rest of the API keeps Fastify's parser). Returns a promise: register it with `await`.
 */
export async function registerStorefrontWebhookRoute(app: ZodApp, deps: Deps): Promise<void> {
  await app.register(async (scope) => {
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: 1_048_576 }, (_request, body, done) => done(null, body));
    scope.withTypeProvider<ZodTypeProvider>().post(
      webhookPath,
      {
        schema: {
          tags,
          summary: 'Storefront order events, signed with HMAC-SHA256 over the raw body (ST-8, docs/WEBHOOKS.md); stored and acknowledged, processed from the queue',
          body: rawWebhookBody, response: { 200: webhookAck },
        },
        config: { auth: 'public', rateLimit: webhookRateLimit },
      },
      async (request) => {
        if (!Buffer.isBuffer(request.body)) throw new AppError('bad_request', 'Send the webhook body as application/json.');
        const received = await receiveStorefrontWebhook(deps, { rawBody: request.body, headers: request.headers });
        return { received: true as const, eventId: received.eventId, duplicate: received.duplicate };
      },
    );
  });
}

