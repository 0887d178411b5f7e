// The order facts eligibility is decided from (AS-3..AS-8, AS-13), read from the store module: purchase and delivery
// times, whether it was a rewards redemption, where it was bought, and the order's purchase-time Plus snapshot
// (MB-10). One function for every caller that decides eligibility (intake when a case is opened, the agent's
// support → warranty conversion), so both read an order the same way.
import type { Ctx } from '../../deps.ts';
import { notFound } from '../../platform/errors.ts';
import { findExternalOrder, getMemberRedemption, getOrderDetail } from '../store/index.ts';
import type { EligibilityFacts, OrderSource } from './eligibility.rules.ts';

export type OrderFacts = EligibilityFacts['order'];

export interface OrderReference {
  orderSource: OrderSource;
  /** A store order (`ord_…`), a redemption (`rdm_…`), or a marketplace or storefront order's own ID. */
  orderRef: string;
  /** Whose case it is: a redemption is read as the member's own. Null for a guest. */
  memberId: string | null;
}

/** The latest delivery among the shipments, or null while any part is still on its way or none was shipped. */
function deliveredAtOf(shipments: readonly { deliveredAtMs: number | null }[]): number | null {
  if (shipments.length === 0 || shipments.some((s) => s.deliveredAtMs === null)) return null;
  return Math.max(...shipments.map((s) => s.deliveredAtMs!));
}

/** Throws not_found when the store knows no such order (for this member, for a redemption). */
export async function gatherEligibilityFacts(ctx: Ctx, reference: OrderReference): Promise<OrderFacts> {
  const { orderRef, orderSource } = reference;
  if (orderRef.startsWith('rdm_')) {
    if (reference.memberId === null) throw notFound('The redemption');
    const redemption = await getMemberRedemption(ctx, reference.memberId, orderRef);
    return {
      source: orderSource,
      redeemed: true,
      purchasedAtMs: redemption.createdAtMs,
      deliveredAtMs: redemption.shipment?.deliveredAtMs ?? null,
      plusPlanAtPurchase: null,
    };
  }
  if (orderRef.startsWith('ord_')) {
    const order = await getOrderDetail(ctx, orderRef);
    return {
      source: orderSource,
      redeemed: false,
      purchasedAtMs: order.paidAtMs ?? order.placedAtMs,
      deliveredAtMs: deliveredAtOf(order.shipments),
      plusPlanAtPurchase: order.plusPlan,
    };
  }
  // Orders recorded from elsewhere (ST-7): a marketplace order by its marketplace ID, a storefront's by its own.
  const external = await findExternalOrder(ctx, { source: orderSource === 'storefront' ? 'storefront' : 'amazon', externalOrderId: orderRef });
  if (!external) throw notFound('The order');
  return { source: orderSource, redeemed: false, purchasedAtMs: external.purchasedAtMs, deliveredAtMs: null, plusPlanAtPurchase: null };
}
