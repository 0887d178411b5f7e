// Demo data for the store (PL-11 seeding): a catalog in the seeds' categories, a rewards catalog and discount codes.
// Idempotent: products, rewards and codes are keyed by SKU or code, so seeding twice adds nothing.
import type { Ctx } from '../../deps.ts';
import { findDiscountCode, findProductBySku, insertDiscountCode, insertProduct, insertRewardItem } from './catalog.repository.ts';
import type { ProductCategory } from './store.table.ts';
import { storeTables } from './store.table.ts';

interface DemoProduct {
  sku: string;
  name: string;
  category: ProductCategory;
  priceMinor: number;
  listPriceMinor: number;
  description: string;
  plusBonus?: boolean;
  serialNumbered?: boolean;
  giftCard?: boolean;
  earnsCredits?: boolean;
  stock?: number;
}

export const demoProducts: readonly DemoProduct[] = [
  { sku: 'PB-10K-SLIM', name: 'Slim Power Bank 10,000 mAh', category: 'power-banks', priceMinor: 2999, listPriceMinor: 3999, description: 'Pocket-size 10,000 mAh with 20 W USB-C fast charging.', serialNumbered: true },
  { sku: 'PB-20K-PD', name: 'Power Bank 20,000 mAh PD', category: 'power-banks', priceMinor: 4999, listPriceMinor: 5999, description: 'Charges a laptop and a phone at once, 65 W.', plusBonus: true, serialNumbered: true },
  { sku: 'PS-300-PORT', name: 'Portable Power Station 300 W', category: 'power-banks', priceMinor: 24999, listPriceMinor: 29999, description: '288 Wh, two AC outlets, solar input.', plusBonus: true, serialNumbered: true },
  { sku: 'CH-30W-NANO', name: 'Nano Charger 30 W', category: 'chargers', priceMinor: 1999, listPriceMinor: 2499, description: 'Tiny USB-C wall charger for phones and tablets.' },
  { sku: 'CH-100W-GAN', name: 'GaN Charger 100 W, 4 ports', category: 'chargers', priceMinor: 6999, listPriceMinor: 8499, description: 'Four ports, one laptop at full speed.', plusBonus: true, serialNumbered: true },
  { sku: 'CH-CAR-DUAL', name: 'Dual-Port Car Charger', category: 'chargers', priceMinor: 1599, listPriceMinor: 1599, description: 'USB-C and USB-A in the car.' },
  { sku: 'WL-PAD-15W', name: 'Wireless Charging Pad 15 W', category: 'wireless', priceMinor: 2499, listPriceMinor: 2999, description: 'Qi2 magnetic pad.' },
  { sku: 'WL-STAND-3IN1', name: '3-in-1 Wireless Charging Stand', category: 'wireless', priceMinor: 7999, listPriceMinor: 9999, description: 'Phone, watch and earbuds at once.', plusBonus: true },
  { sku: 'CB-USBC-1M', name: 'USB-C to USB-C Cable, 1 m', category: 'cables', priceMinor: 1299, listPriceMinor: 1299, description: 'Braided, 100 W.' },
  { sku: 'CB-USBC-LTG', name: 'USB-C to Lightning Cable, 1.8 m', category: 'cables', priceMinor: 1599, listPriceMinor: 1999, description: 'Certified, fast charging.' },
  { sku: 'HB-7IN1', name: '7-in-1 USB-C Hub', category: 'hubs-and-docks', priceMinor: 3999, listPriceMinor: 4999, description: 'HDMI 4K, SD, three USB, 100 W pass-through.', serialNumbered: true },
  { sku: 'DK-13IN1', name: '13-in-1 Docking Station', category: 'hubs-and-docks', priceMinor: 19999, listPriceMinor: 22999, description: 'Dual monitors, Ethernet, 85 W charging.', plusBonus: true, serialNumbered: true },
  { sku: 'GC-25', name: 'Gift Card $25', category: 'gift-cards', priceMinor: 2500, listPriceMinor: 2500, description: 'Delivered by email.', giftCard: true, stock: 100_000 },
  { sku: 'GC-50', name: 'Gift Card $50', category: 'gift-cards', priceMinor: 5000, listPriceMinor: 5000, description: 'Delivered by email.', giftCard: true, stock: 100_000 },
  { sku: 'RF-PB-10K', name: 'Certified Refurbished Power Bank 10,000 mAh', category: 'power-banks', priceMinor: 1799, listPriceMinor: 2999, description: 'Refurbished: does not earn credits.', earnsCredits: false, serialNumbered: true },
];

export const demoRewards = [
  { sku: 'RW-CABLE-USBC', name: 'USB-C Cable (reward)', description: 'A braided 1 m USB-C cable.', creditsPrice: 1500, stock: 500, perMemberLimit: 2, shippingFeeMinor: 0 },
  { sku: 'RW-NANO-CHARGER', name: 'Nano Charger 20 W (reward)', description: 'Our smallest charger.', creditsPrice: 3000, stock: 200, perMemberLimit: 1, shippingFeeMinor: 0 },
  { sku: 'RW-PAD-10W', name: 'Wireless Pad 10 W (reward)', description: 'A compact Qi pad.', creditsPrice: 4500, stock: 100, perMemberLimit: null, shippingFeeMinor: 0 },
  { sku: 'RW-PB-5K', name: 'Mini Power Bank 5,000 mAh (reward)', description: 'Ships with a small handling fee.', creditsPrice: 6000, stock: 50, perMemberLimit: 1, shippingFeeMinor: 499 },
] as const;

export const demoDiscountCodes = [
  { code: 'WELCOME10', kind: 'percent' as const, percentBp: 1000, amountMinor: null, minSubtotalMinor: 0 },
  { code: 'SAVE5', kind: 'fixed' as const, percentBp: null, amountMinor: 500, minSubtotalMinor: 2500 },
];

export async function seedStoreDemoData(ctx: Ctx): Promise<{ products: number; rewards: number; discountCodes: number }> {
  const nowMs = ctx.clock.nowMs();
  let products = 0;
  for (const demo of demoProducts) {
    if (await findProductBySku(ctx.db, demo.sku)) continue;
    const inserted = await insertProduct(ctx.db, {
      id: ctx.ids.next('prd'),
      sku: demo.sku,
      name: demo.name,
      description: demo.description,
      category: demo.category,
      priceMinor: demo.priceMinor,
      listPriceMinor: demo.listPriceMinor,
      currency: 'USD',
      earnsCredits: demo.earnsCredits ?? true,
      giftCard: demo.giftCard ?? false,
      plusBonus: demo.plusBonus ?? false,
      serialNumbered: demo.serialNumbered ?? false,
      stock: demo.stock ?? 250,
      status: 'active',
      createdAtMs: nowMs,
      updatedAtMs: nowMs,
    });
    if (inserted) products++;
  }
  let rewards = 0;
  for (const demo of demoRewards) {
    const exists = await storeTables(ctx.db).selectFrom('store_reward_items').select('id').where('sku', '=', demo.sku).executeTakeFirst();
    if (exists) continue;
    if (await insertRewardItem(ctx.db, { id: ctx.ids.next('rwd'), ...demo, status: 'active', createdAtMs: nowMs, updatedAtMs: nowMs })) rewards++;
  }
  let discountCodes = 0;
  for (const demo of demoDiscountCodes) {
    if (await findDiscountCode(ctx.db, demo.code)) continue;
    const inserted = await insertDiscountCode(ctx.db, {
      id: ctx.ids.next('dsc'),
      ...demo,
      maxUses: null,
      firstOrderOnly: false,
      uses: 0,
      startsAtMs: null,
      endsAtMs: null,
      status: 'active',
      createdAtMs: nowMs,
    });
    if (inserted) discountCodes++;
  }
  return { products, rewards, discountCodes };
}
