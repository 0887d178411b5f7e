// SQL for the catalog (ST-1), the rewards catalog (CR-13), discount codes and tax rates, with row ↔ domain mappers.
import type { Executor } from '../../db/database.ts';
import { forUpdate } from '../../db/database.ts';
import { flag, storeTables, type CatalogStatus, type DiscountCodeRow, type ProductCategory, type ProductRow, type RewardItemRow, type TaxRateRow } from './store.table.ts';

export interface Product {
  id: string;
  sku: string;
  name: string;
  description: string;
  category: ProductCategory;
  priceMinor: number;
  listPriceMinor: number;
  currency: 'USD';
  earnsCredits: boolean;
  giftCard: boolean;
  plusBonus: boolean;
  serialNumbered: boolean;
  stock: number;
  status: CatalogStatus;
  createdAtMs: number;
  updatedAtMs: number;
}

export interface RewardItem {
  id: string;
  sku: string;
  name: string;
  description: string;
  creditsPrice: number;
  stock: number;
  perMemberLimit: number | null;
  shippingFeeMinor: number;
  status: CatalogStatus;
  createdAtMs: number;
  updatedAtMs: number;
}

export interface DiscountCode {
  id: string;
  code: string;
  kind: 'percent' | 'fixed';
  percentBp: number | null;
  amountMinor: number | null;
  minSubtotalMinor: number;
  maxUses: number | null;
  uses: number;
  startsAtMs: number | null;
  endsAtMs: number | null;
  status: CatalogStatus;
  createdAtMs: number;
  firstOrderOnly: boolean;
}

export interface TaxRate {
  region: string;
  name: string;
  ratePpm: number;
  updatedAtMs: number;
}

export function toProduct(row: ProductRow): Product {
  return {
    id: row.id,
    sku: row.sku,
    name: row.name,
    description: row.description,
    category: row.category,
    priceMinor: row.price_minor,
    listPriceMinor: row.list_price_minor,
    currency: row.currency,
    earnsCredits: row.earns_credits === 1,
    giftCard: row.gift_card === 1,
    plusBonus: row.plus_bonus === 1,
    serialNumbered: row.serial_numbered === 1,
    stock: row.stock,
    status: row.status,
    createdAtMs: row.created_at_ms,
    updatedAtMs: row.updated_at_ms,
  };
}

export function toProductRow(product: Product): ProductRow {
  return {
    id: product.id,
    sku: product.sku,
    name: product.name,
    description: product.description,
    category: product.category,
    price_minor: product.priceMinor,
    list_price_minor: product.listPriceMinor,
    currency: product.currency,
    earns_credits: flag(product.earnsCredits),
    gift_card: flag(product.giftCard),
    plus_bonus: flag(product.plusBonus),
    serial_numbered: flag(product.serialNumbered),
    stock: product.stock,
    status: product.status,
    created_at_ms: product.createdAtMs,
    updated_at_ms: product.updatedAtMs,
  };
}

export function toRewardItem(row: RewardItemRow): RewardItem {
  return {
    id: row.id,
    sku: row.sku,
    name: row.name,
    description: row.description,
    creditsPrice: row.credits_price,
    stock: row.stock,
    perMemberLimit: row.per_member_limit,
    shippingFeeMinor: row.shipping_fee_minor,
    status: row.status,
    createdAtMs: row.created_at_ms,
    updatedAtMs: row.updated_at_ms,
  };
}

export function toRewardItemRow(item: RewardItem): RewardItemRow {
  return {
    id: item.id,
    sku: item.sku,
    name: item.name,
    description: item.description,
    credits_price: item.creditsPrice,
    stock: item.stock,
    per_member_limit: item.perMemberLimit,
    shipping_fee_minor: item.shippingFeeMinor,
    status: item.status,
    created_at_ms: item.createdAtMs,
    updated_at_ms: item.updatedAtMs,
  };
}

export function toDiscountCode(row: DiscountCodeRow): DiscountCode {
  return {
    id: row.id,
    code: row.code,
    kind: row.kind,
    percentBp: row.percent_bp,
    amountMinor: row.amount_minor,
    minSubtotalMinor: row.min_subtotal_minor,
    maxUses: row.max_uses,
    uses: row.uses,
    startsAtMs: row.starts_at_ms,
    endsAtMs: row.ends_at_ms,
    status: row.status,
    createdAtMs: row.created_at_ms,
    firstOrderOnly: Number(row.first_order_only) === 1,
  };
}

export function toTaxRate(row: TaxRateRow): TaxRate {
  return { region: row.region, name: row.name, ratePpm: row.rate_ppm, updatedAtMs: row.updated_at_ms };
}

export async function selectProducts(db: Executor, filter: { category?: ProductCategory; status?: CatalogStatus; search?: string; limit: number; offset: number }): Promise<Product[]> {
  let query = storeTables(db).selectFrom('store_products').selectAll();
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.category) query = query.where('category', '=', filter.category);
  if (filter.search) {
    const pattern = `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`).toLowerCase()}%`;
    query = query.where((eb) => eb.or([eb(eb.fn('lower', ['name']), 'like', pattern), eb(eb.fn('lower', ['sku']), 'like', pattern)]));
  }
  const rows = await query.orderBy('category').orderBy('name').orderBy('id').limit(filter.limit).offset(filter.offset).execute();
  return rows.map(toProduct);
}

export async function findProduct(db: Executor, id: string): Promise<Product | undefined> {
  const row = await storeTables(db).selectFrom('store_products').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toProduct(row);
}

export async function findProductBySku(db: Executor, sku: string): Promise<Product | undefined> {
  const row = await storeTables(db).selectFrom('store_products').selectAll().where('sku', '=', sku).executeTakeFirst();
  return row && toProduct(row);
}

export async function findProductsByIds(db: Executor, ids: readonly string[]): Promise<Map<string, Product>> {
  if (ids.length === 0) return new Map();
  const rows = await storeTables(db).selectFrom('store_products').selectAll().where('id', 'in', [...ids]).execute();
  return new Map(rows.map((row) => [row.id, toProduct(row)]));
}

export async function insertProduct(db: Executor, product: Product): Promise<boolean> {
  const result = await storeTables(db).insertInto('store_products').values(toProductRow(product)).onConflict((oc) => oc.column('sku').doNothing()).executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}

export async function updateProduct(db: Executor, product: Product): Promise<void> {
  const { id, created_at_ms: _created, ...rest } = toProductRow(product);
  await storeTables(db).updateTable('store_products').set(rest).where('id', '=', id).execute();
}

/** Takes stock for a line: a guarded decrement, so stock never goes below zero under concurrency. */
export async function takeProductStock(db: Executor, productId: string, quantity: number, nowMs: number): Promise<boolean> {
  const result = await storeTables(db)
    .updateTable('store_products')
    .set((eb) => ({ stock: eb('stock', '-', quantity), updated_at_ms: nowMs }))
    .where('id', '=', productId)
    .where('stock', '>=', quantity)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function returnProductStock(db: Executor, productId: string, quantity: number, nowMs: number): Promise<void> {
  await storeTables(db)
    .updateTable('store_products')
    .set((eb) => ({ stock: eb('stock', '+', quantity), updated_at_ms: nowMs }))
    .where('id', '=', productId)
    .execute();
}

export async function selectRewardItems(db: Executor, filter: { status?: CatalogStatus; limit: number; offset: number }): Promise<RewardItem[]> {
  let query = storeTables(db).selectFrom('store_reward_items').selectAll();
  if (filter.status) query = query.where('status', '=', filter.status);
  const rows = await query.orderBy('credits_price').orderBy('id').limit(filter.limit).offset(filter.offset).execute();
  return rows.map(toRewardItem);
}

export async function findRewardItem(db: Executor, id: string, options: { lock?: boolean } = {}): Promise<RewardItem | undefined> {
  const query = storeTables(db).selectFrom('store_reward_items').selectAll().where('id', '=', id);
  const row = await (options.lock ? forUpdate(db, query) : query).executeTakeFirst();
  return row && toRewardItem(row);
}

export async function insertRewardItem(db: Executor, item: RewardItem): Promise<boolean> {
  const result = await storeTables(db).insertInto('store_reward_items').values(toRewardItemRow(item)).onConflict((oc) => oc.column('sku').doNothing()).executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}

export async function updateRewardItem(db: Executor, item: RewardItem): Promise<void> {
  const { id, created_at_ms: _created, ...rest } = toRewardItemRow(item);
  await storeTables(db).updateTable('store_reward_items').set(rest).where('id', '=', id).execute();
}

export async function takeRewardStock(db: Executor, itemId: string, quantity: number, nowMs: number): Promise<boolean> {
  const result = await storeTables(db)
    .updateTable('store_reward_items')
    .set((eb) => ({ stock: eb('stock', '-', quantity), updated_at_ms: nowMs }))
    .where('id', '=', itemId)
    .where('stock', '>=', quantity)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Counts a member's redemptions of a limited reward; refuses (false) when the limit would be passed. */
export async function countRewardRedemption(db: Executor, memberId: string, itemId: string, quantity: number, limit: number): Promise<boolean> {
  await storeTables(db)
    .insertInto('store_reward_counts')
    .values({ member_id: memberId, reward_item_id: itemId, quantity: 0 })
    .onConflict((oc) => oc.columns(['member_id', 'reward_item_id']).doNothing())
    .execute();
  const result = await storeTables(db)
    .updateTable('store_reward_counts')
    .set((eb) => ({ quantity: eb('quantity', '+', quantity) }))
    .where('member_id', '=', memberId)
    .where('reward_item_id', '=', itemId)
    .where((eb) => eb(eb('quantity', '+', quantity), '<=', limit))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function rewardRedeemedQuantity(db: Executor, memberId: string, itemId: string): Promise<number> {
  const row = await storeTables(db).selectFrom('store_reward_counts').select('quantity').where('member_id', '=', memberId).where('reward_item_id', '=', itemId).executeTakeFirst();
  return row?.quantity ?? 0;
}

export async function selectDiscountCodes(db: Executor): Promise<DiscountCode[]> {
  const rows = await storeTables(db).selectFrom('store_discount_codes').selectAll().orderBy('created_at_ms', 'desc').orderBy('id').limit(500).execute();
  return rows.map(toDiscountCode);
}

export async function findDiscountCode(db: Executor, code: string): Promise<DiscountCode | undefined> {
  const row = await storeTables(db).selectFrom('store_discount_codes').selectAll().where('code', '=', code).executeTakeFirst();
  return row && toDiscountCode(row);
}

export async function findDiscountCodeById(db: Executor, id: string): Promise<DiscountCode | undefined> {
  const row = await storeTables(db).selectFrom('store_discount_codes').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toDiscountCode(row);
}

export async function insertDiscountCode(db: Executor, code: DiscountCode): Promise<boolean> {
  const result = await storeTables(db)
    .insertInto('store_discount_codes')
    .values({
      id: code.id,
      code: code.code,
      kind: code.kind,
      percent_bp: code.percentBp,
      amount_minor: code.amountMinor,
      min_subtotal_minor: code.minSubtotalMinor,
      max_uses: code.maxUses,
      uses: code.uses,
      starts_at_ms: code.startsAtMs,
      ends_at_ms: code.endsAtMs,
      status: code.status,
      created_at_ms: code.createdAtMs,
      first_order_only: code.firstOrderOnly ? 1 : 0,
    })
    .onConflict((oc) => oc.column('code').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}

export async function setDiscountCodeStatus(db: Executor, id: string, status: CatalogStatus): Promise<void> {
  await storeTables(db).updateTable('store_discount_codes').set({ status }).where('id', '=', id).execute();
}

/** Counts one use of a code; refuses (false) once a limited code is used up, under concurrency too. */
export async function useDiscountCode(db: Executor, code: string): Promise<boolean> {
  const result = await storeTables(db)
    .updateTable('store_discount_codes')
    .set((eb) => ({ uses: eb('uses', '+', 1) }))
    .where('code', '=', code)
    .where((eb) => eb.or([eb('max_uses', 'is', null), eb('uses', '<', eb.ref('max_uses'))]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function releaseDiscountCode(db: Executor, code: string): Promise<void> {
  await storeTables(db)
    .updateTable('store_discount_codes')
    .set((eb) => ({ uses: eb('uses', '-', 1) }))
    .where('code', '=', code)
    .where('uses', '>', 0)
    .execute();
}

export async function selectTaxRates(db: Executor): Promise<TaxRate[]> {
  const rows = await storeTables(db).selectFrom('store_tax_rates').selectAll().orderBy('region').execute();
  return rows.map(toTaxRate);
}

export async function findTaxRate(db: Executor, region: string): Promise<TaxRate | undefined> {
  const row = await storeTables(db).selectFrom('store_tax_rates').selectAll().where('region', '=', region).executeTakeFirst();
  return row && toTaxRate(row);
}

export async function upsertTaxRate(db: Executor, rate: TaxRate): Promise<void> {
  await storeTables(db)
    .insertInto('store_tax_rates')
    .values({ region: rate.region, name: rate.name, rate_ppm: rate.ratePpm, updated_at_ms: rate.updatedAtMs })
    .onConflict((oc) => oc.column('region').doUpdateSet({ name: rate.name, rate_ppm: rate.ratePpm, updated_at_ms: rate.updatedAtMs }))
    .execute();
}
