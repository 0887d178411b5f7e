// What a checkout (a quote or an order) is made of: the lines, code, address and region the request names, or the
// signed-in member's cart. Shared by the quote route here and the place-order route of the checkout flow.
import type { Ctx } from '../../deps.ts';
import { AppError } from '../../platform/errors.ts';
import { getCart } from './cart.service.ts';
import type { LineRequest } from './orders.service.ts';
import type { ShippingAddressInput } from './shipping-address.rules.ts';

export interface CheckoutSourceRequest {
  lines?: LineRequest[];
  discountCode?: string | null;
  shippingAddress?: ShippingAddressInput;
  region?: string;
}

export interface CheckoutSource {
  memberId: string | null;
  lines: LineRequest[];
  discountCode: string | null;
  shippingAddress: ShippingAddressInput | null;
  region: string | null;
  /** The lines came from the member's cart, which is emptied once the order is paid. */
  fromCart: boolean;
}

/**
 * The body's lines, or the signed-in member's cart. The cart's region stands in only when the body names neither an
 * address nor a region: an address brings its own.
 */
export async function checkoutSourceOf(ctx: Ctx, memberId: string | null, body: CheckoutSourceRequest): Promise<CheckoutSource> {
  const shippingAddress = body.shippingAddress ?? null;
  if (body.lines) return { memberId, lines: body.lines, discountCode: body.discountCode ?? null, shippingAddress, region: body.region ?? null, fromCart: false };
  if (!memberId) throw new AppError('validation', 'Send the lines to check out, or sign in to check out your cart.', { field: 'lines' });
  const cart = await getCart(ctx, memberId);
  return {
    memberId,
    lines: cart.lines.map((line) => ({ productId: line.product.id, quantity: line.quantity })),
    discountCode: body.discountCode !== undefined ? body.discountCode : cart.discountCode,
    shippingAddress,
    region: body.region ?? (shippingAddress ? null : cart.region),
    fromCart: true,
  };
}
