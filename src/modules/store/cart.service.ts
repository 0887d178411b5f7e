// A signed-in member's cart (ST-2): lines, a discount code and the shipping region, kept until the order is paid.
import type { Ctx } from '../../deps.ts';
import { AppError } from '../../platform/errors.ts';
import { findProductsByIds, type Product } from './catalog.repository.ts';
import { getProduct } from './catalog.service.ts';
import { maxLinesPerOrder, maxQuantityPerLine } from './pricing.rules.ts';
import { storeTables } from './store.table.ts';

export interface CartLine {
  product: Product;
  quantity: number;
}

export interface Cart {
  memberId: string;
  lines: CartLine[];
  discountCode: string | null;
  region: string | null;
  updatedAtMs: number | null;
}

export async function getCart(ctx: Ctx, memberId: string): Promise<Cart> {
  const header = await storeTables(ctx.db).selectFrom('store_carts').selectAll().where('member_id', '=', memberId).executeTakeFirst();
  const rows = await storeTables(ctx.db).selectFrom('store_cart_lines').selectAll().where('member_id', '=', memberId).orderBy('added_at_ms').orderBy('product_id').execute();
  const products = await findProductsByIds(ctx.db, rows.map((row) => row.product_id));
  // A product archived after it was added drops out of the cart rather than blocking checkout.
  const lines = rows.flatMap((row) => {
    const product = products.get(row.product_id);
    return product && product.status === 'active' ? [{ product, quantity: row.quantity }] : [];
  });
  return { memberId, lines, discountCode: header?.discount_code ?? null, region: header?.region ?? null, updatedAtMs: header?.updated_at_ms ?? null };
}

async function touchCart(ctx: Ctx, memberId: string, changes: { discount_code?: string | null; region?: string | null }): Promise<void> {
  const nowMs = ctx.clock.nowMs();
  await storeTables(ctx.db)
    .insertInto('store_carts')
    .values({ member_id: memberId, discount_code: changes.discount_code ?? null, region: changes.region ?? null, updated_at_ms: nowMs })
    .onConflict((oc) => oc.column('member_id').doUpdateSet({ ...changes, updated_at_ms: nowMs }))
    .execute();
}

/** Sets a line's quantity; 0 removes it. */
export async function setCartLine(ctx: Ctx, memberId: string, productId: string, quantity: number): Promise<Cart> {
  if (!Number.isSafeInteger(quantity) || quantity < 0 || quantity > maxQuantityPerLine) {
    throw new AppError('validation', `A quantity is 0 to ${maxQuantityPerLine}.`, { field: 'quantity' });
  }
  const table = storeTables(ctx.db);
  if (quantity === 0) {
    await table.deleteFrom('store_cart_lines').where('member_id', '=', memberId).where('product_id', '=', productId).execute();
  } else {
    await getProduct(ctx, productId);
    const count = await table.selectFrom('store_cart_lines').select((eb) => eb.fn.countAll<number>().as('n')).where('member_id', '=', memberId).where('product_id', '!=', productId).executeTakeFirstOrThrow();
    if (Number(count.n) >= maxLinesPerOrder) throw new AppError('validation', `A cart holds at most ${maxLinesPerOrder} different products.`);
    await table
      .insertInto('store_cart_lines')
      .values({ member_id: memberId, product_id: productId, quantity, added_at_ms: ctx.clock.nowMs() })
      .onConflict((oc) => oc.columns(['member_id', 'product_id']).doUpdateSet({ quantity }))
      .execute();
  }
  await touchCart(ctx, memberId, {});
  return getCart(ctx, memberId);
}

export async function setCartOptions(ctx: Ctx, memberId: string, options: { discountCode?: string | null; region?: string | null }): Promise<Cart> {
  const changes: { discount_code?: string | null; region?: string | null } = {};
  if (options.discountCode !== undefined) changes.discount_code = options.discountCode;
  if (options.region !== undefined) changes.region = options.region;
  await touchCart(ctx, memberId, changes);
  return getCart(ctx, memberId);
}

export async function clearCart(ctx: Ctx, memberId: string): Promise<void> {
  await storeTables(ctx.db).deleteFrom('store_cart_lines').where('member_id', '=', memberId).execute();
  await storeTables(ctx.db).updateTable('store_carts').set({ discount_code: null, updated_at_ms: ctx.clock.nowMs() }).where('member_id', '=', memberId).execute();
}
