// The store module's public face (docs/CONTRACTS.md): catalog, checkout, orders, refunds, rewards redemption,
// external orders and storefront webhooks; money moves through the payments module. Other modules and the flows use
// only what this file exports.
import type { JobHandler, Schedule } from '../../jobs/index.ts';
import type { RegisterRoutes } from '../../http/types.ts';
import { registerStoreRoutes, registerStorefrontWebhookRoute } from './store.routes.ts';
import { storeJobHandlers, storeSchedules } from './store.jobs.ts';
import { redemptionConfirmationEmail } from './emails/redemption-confirmation.ts';
import { redemptionShippedEmail } from './emails/redemption-shipped.ts';

export const registerRoutes: RegisterRoutes = async (app, deps) => {
  registerStoreRoutes(app, deps);
  await registerStorefrontWebhookRoute(app, deps);
};

export const jobHandlers: Record<string, JobHandler> = storeJobHandlers;
export const schedules: Schedule[] = storeSchedules;

export { seedStoreDemoData, demoProducts, demoRewards, demoDiscountCodes } from './store.seed.ts';

// Catalog
export { listProducts, getProduct, createProduct, changeProduct, listRewardItems, getRewardItem, createRewardItem, changeRewardItem, createDiscountCode, setTaxRate, type Actor } from './catalog.service.ts';
export type { Product, RewardItem, DiscountCode, TaxRate } from './catalog.repository.ts';
export { productCategories, type ProductCategory, type OrderStatus } from './store.table.ts';

// Checkout and orders (the checkout flow's steps)
export {
  quoteCheckout,
  createPendingOrder,
  recordAuthorization,
  finalizePaidOrder,
  failOrderPayment,
  getOrderDetail,
  findOrderForRequest,
  getMemberOrder,
  listMemberOrders,
  listOrdersForAgents,
  shipOrder,
  markOrderDelivered,
  findOrderPayment as findOrderPaymentForFlow,
  staleCheckouts,
  staleCheckoutAfterMs,
  orderTransitions,
  type CheckoutQuote,
  type CheckoutRequest,
  type PlaceOrderInput,
  type OrderDetail,
  type LineRequest,
} from './orders.service.ts';
export type { Order, OrderLine, Shipment } from './orders.repository.ts';
export { getCart, setCartLine, setCartOptions } from './cart.service.ts';
export { checkoutSourceOf, type CheckoutSource, type CheckoutSourceRequest } from './checkout-source.service.ts';
export { shippingAddressSchema, taxRegionOf, type ShippingAddress, type ShippingAddressInput, type InlineShippingAddress, type SavedShippingAddress } from './shipping-address.rules.ts';

// Refunds (the refund flow's steps)
export { beginRefund, completeRefund, failRefund, findRefundForFlow, gatewayPaymentIdForOrder, refundReasons, type BeginRefundInput, type RefundReason } from './refunds.service.ts';
export type { Refund } from './refunds.repository.ts';
export { findRefundForRequest } from './refunds.service.ts';

// Rewards redemption (the redemption flow's steps when the item has a shipping fee; the ship job's work; delivery)
export {
  prepareRedemption,
  confirmRedemption,
  listMemberRedemptions,
  getMemberRedemption,
  shipRedemption,
  markRedemptionDelivered,
  type PreparedRedemption,
  type RedeemInput,
  type Redemption,
} from './redemptions.service.ts';

// HTTP pieces the flows' routes share with the store's (same views, same idempotent answers)
export {
  agentCancelBody,
  cancelBody,
  orderIdParams,
  placeOrderBody,
  placeOrderView,
  redeemBody,
  redemptionView,
  refundBody,
  refundResult,
  rewardIdParams,
  toOrderView,
  toRedemptionView,
  toRefundView,
} from './store.schemas.ts';
export type { RefundRequest } from './refunds.rules.ts';

// After-sales replacements and resolutions (AS-7, AS-11)
export {
  createReplacementOrder,
  createReplacementRedemption,
  restoreRedemptionCredits,
  findStorefrontLineRefunds,
  type CreateReplacementOrderInput,
  type ReplacementSource,
} from './replacements.service.ts';
export { getRedemptionForFlow } from './redemptions.service.ts';

// External orders and storefront webhooks (after-sales looks orders up here)
export { recordExternalOrder, findExternalOrder, getExternalOrder, listExternalOrders, type ExternalOrder } from './external-orders.service.ts';
export { amazonMarketplaces, isValidAmazonOrderId } from './external-orders.rules.ts';
export { receiveStorefrontWebhook, processStorefrontWebhook, webhookTopics } from './webhooks.service.ts';
export { storefrontWebhookSecret, signStorefrontBody, storefrontHeaders } from './webhooks.rules.ts';

// Rules other parts may show (ship-by dates, pricing previews)
export { shippingPromise, nextDayDeliveryDate, usFederalHolidays, isBusinessDay } from './shipping-promise.rules.ts';

// Account closure (AC-10) waits for unsettled checkouts and refunds
export { findMoneyInFlight, type MoneyInFlight } from './money-in-flight.service.ts';

/** This module's emails (src/modules.ts lists them for the mail preview and the template test). */
export const templates = [redemptionConfirmationEmail, redemptionShippedEmail];

/** The personal-data columns of this module's tables (PV-16; docs/PERSONAL-DATA.md). */
export { storePersonalData as personalData } from './store.data-map.ts';
