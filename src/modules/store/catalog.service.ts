// The catalog (ST-1), the rewards catalog (CR-13), discount codes and the tax rate table, as agents manage them.
import { z } from 'zod';
import type { Ctx } from '../../deps.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { recordAudit, type ActorRole } from '../audit/index.ts';
import {
  findDiscountCode,
  findDiscountCodeById,
  findProduct,
  findRewardItem,
  insertDiscountCode,
  insertProduct,
  insertRewardItem,
  selectDiscountCodes,
  selectProducts,
  selectRewardItems,
  selectTaxRates,
  setDiscountCodeStatus,
  updateProduct,
  updateRewardItem,
  upsertTaxRate,
  type DiscountCode,
  type Product,
  type RewardItem,
  type TaxRate,
} from './catalog.repository.ts';
import { catalogStatuses, productCategories, type ProductCategory } from './store.table.ts';
import { hasPaidOrder } from './orders.repository.ts';
import { regionPattern } from './tax.rules.ts';

export const skuSchema = z.string().trim().toUpperCase().regex(/^[A-Z0-9][A-Z0-9-]{1,39}$/, 'SKUs are 2-40 letters, digits and dashes');
const moneySchema = z.number().int().min(0).max(100_000_000);

export const productInputSchema = z.strictObject({
  sku: skuSchema,
  name: z.string().trim().min(1).max(200),
  description: z.string().trim().max(2000).default(''),
  category: z.enum(productCategories),
  priceMinor: moneySchema,
  /** The "was" price shown struck through; defaults to the price. */
  listPriceMinor: moneySchema.optional(),
  earnsCredits: z.boolean().default(true),
  giftCard: z.boolean().default(false),
  plusBonus: z.boolean().default(false),
  serialNumbered: z.boolean().default(false),
  stock: z.number().int().min(0).max(10_000_000).default(0),
  status: z.enum(catalogStatuses).default('active'),
});
export type ProductInput = z.input<typeof productInputSchema>;

export const productPatchSchema = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  description: z.string().trim().max(2000).optional(),
  category: z.enum(productCategories).optional(),
  priceMinor: moneySchema.optional(),
  listPriceMinor: moneySchema.optional(),
  earnsCredits: z.boolean().optional(),
  giftCard: z.boolean().optional(),
  plusBonus: z.boolean().optional(),
  serialNumbered: z.boolean().optional(),
  stock: z.number().int().min(0).max(10_000_000).optional(),
  status: z.enum(catalogStatuses).optional(),
});
export type ProductPatch = z.input<typeof productPatchSchema>;

export const rewardItemInputSchema = z.strictObject({
  sku: skuSchema,
  name: z.string().trim().min(1).max(200),
  description: z.string().trim().max(2000).default(''),
  creditsPrice: z.number().int().min(1).max(100_000_000),
  stock: z.number().int().min(0).max(10_000_000).default(0),
  perMemberLimit: z.number().int().min(1).max(1000).nullable().default(null),
  shippingFeeMinor: moneySchema.default(0),
  status: z.enum(catalogStatuses).default('active'),
});
export type RewardItemInput = z.input<typeof rewardItemInputSchema>;

export const rewardItemPatchSchema = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  description: z.string().trim().max(2000).optional(),
  creditsPrice: z.number().int().min(1).max(100_000_000).optional(),
  stock: z.number().int().min(0).max(10_000_000).optional(),
  perMemberLimit: z.number().int().min(1).max(1000).nullable().optional(),
  shippingFeeMinor: moneySchema.optional(),
  status: z.enum(catalogStatuses).optional(),
});
export type RewardItemPatch = z.input<typeof rewardItemPatchSchema>;

export const discountCodeSchema = z.string().trim().toUpperCase().regex(/^[A-Z0-9][A-Z0-9_-]{2,31}$/, 'codes are 3-32 letters, digits, dashes and underscores');

export const discountCodeInputSchema = z
  .strictObject({
    code: discountCodeSchema,
    kind: z.enum(['percent', 'fixed']),
    /** Basis points: 1500 = 15 %. */
    percentBp: z.number().int().min(1).max(10_000).optional(),
    amountMinor: z.number().int().min(1).max(100_000_000).optional(),
    minSubtotalMinor: moneySchema.default(0),
    maxUses: z.number().int().min(1).max(10_000_000).nullable().default(null),
    startsAt: z.iso.datetime({ offset: true }).nullable().default(null),
    endsAt: z.iso.datetime({ offset: true }).nullable().default(null),
    /** Valid only on the buyer's first order (ST-10). */
    firstOrderOnly: z.boolean().default(false),
  })
  .refine((v) => (v.kind === 'percent' ? v.percentBp !== undefined && v.amountMinor === undefined : v.amountMinor !== undefined && v.percentBp === undefined), {
    message: 'A percent code takes percentBp, a fixed code takes amountMinor.',
  });
export type DiscountCodeInput = z.input<typeof discountCodeInputSchema>;

export const taxRateInputSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  /** Parts per million: 7.25 % = 72500. */
  ratePpm: z.number().int().min(0).max(1_000_000),
});

export const regionSchema = z.string().trim().toUpperCase().regex(regionPattern, 'regions look like US-CA');

export interface Actor {
  id: string | null;
  role: ActorRole;
}

function conflictOnSku(sku: string): AppError {
  return new AppError('already_exists', `The SKU ${sku} is already in use.`, { field: 'sku' });
}

function checkPrices(priceMinor: number, listPriceMinor: number): void {
  if (listPriceMinor < priceMinor) throw new AppError('validation', 'The list price cannot be below the price.', { field: 'listPriceMinor' });
}

export async function listProducts(ctx: Ctx, filter: { category?: ProductCategory; includeArchived?: boolean; search?: string; limit?: number; offset?: number }): Promise<Product[]> {
  return selectProducts(ctx.db, {
    category: filter.category,
    status: filter.includeArchived ? undefined : 'active',
    search: filter.search,
    limit: Math.min(filter.limit ?? 100, 200),
    offset: filter.offset ?? 0,
  });
}

/** A product as shoppers see it: archived products are not found. */
export async function getProduct(ctx: Ctx, id: string, options: { includeArchived?: boolean } = {}): Promise<Product> {
  const product = await findProduct(ctx.db, id);
  if (!product || (product.status !== 'active' && !options.includeArchived)) throw notFound('The product');
  return product;
}

export async function createProduct(ctx: Ctx, actor: Actor, input: ProductInput): Promise<Product> {
  const parsed = productInputSchema.parse(input);
  const nowMs = ctx.clock.nowMs();
  const product: Product = { id: ctx.ids.next('prd'), ...parsed, listPriceMinor: parsed.listPriceMinor ?? parsed.priceMinor, currency: 'USD', createdAtMs: nowMs, updatedAtMs: nowMs };
  checkPrices(product.priceMinor, product.listPriceMinor);
  if (!(await insertProduct(ctx.db, product))) throw conflictOnSku(product.sku);
  if (actor.role !== 'system') await recordAudit(ctx, { actor, action: 'store.product.created', memberId: null, subject: product.id, details: { sku: product.sku } });
  return product;
}

export async function changeProduct(ctx: Ctx, actor: Actor, id: string, patch: ProductPatch): Promise<Product> {
  const parsed = productPatchSchema.parse(patch);
  const current = await getProduct(ctx, id, { includeArchived: true });
  const defined = Object.fromEntries(Object.entries(parsed).filter(([, value]) => value !== undefined)) as Partial<Product>;
  const next: Product = { ...current, ...defined, updatedAtMs: ctx.clock.nowMs() };
  checkPrices(next.priceMinor, next.listPriceMinor);
  await updateProduct(ctx.db, next);
  await recordAudit(ctx, { actor, action: 'store.product.changed', memberId: null, subject: id, details: { fields: Object.keys(defined) } });
  return next;
}

export async function listRewardItems(ctx: Ctx, filter: { includeArchived?: boolean; limit?: number; offset?: number }): Promise<RewardItem[]> {
  return selectRewardItems(ctx.db, { status: filter.includeArchived ? undefined : 'active', limit: Math.min(filter.limit ?? 100, 200), offset: filter.offset ?? 0 });
}

export async function getRewardItem(ctx: Ctx, id: string, options: { includeArchived?: boolean } = {}): Promise<RewardItem> {
  const item = await findRewardItem(ctx.db, id);
  if (!item || (item.status !== 'active' && !options.includeArchived)) throw notFound('The reward');
  return item;
}

export async function createRewardItem(ctx: Ctx, actor: Actor, input: RewardItemInput): Promise<RewardItem> {
  const parsed = rewardItemInputSchema.parse(input);
  const nowMs = ctx.clock.nowMs();
  const item: RewardItem = { id: ctx.ids.next('rwd'), ...parsed, createdAtMs: nowMs, updatedAtMs: nowMs };
  if (!(await insertRewardItem(ctx.db, item))) throw conflictOnSku(item.sku);
  if (actor.role !== 'system') await recordAudit(ctx, { actor, action: 'store.reward.created', memberId: null, subject: item.id, details: { sku: item.sku } });
  return item;
}

export async function changeRewardItem(ctx: Ctx, actor: Actor, id: string, patch: RewardItemPatch): Promise<RewardItem> {
  const parsed = rewardItemPatchSchema.parse(patch);
  const current = await getRewardItem(ctx, id, { includeArchived: true });
  const defined = Object.fromEntries(Object.entries(parsed).filter(([, value]) => value !== undefined)) as Partial<RewardItem>;
  const next: RewardItem = { ...current, ...defined, updatedAtMs: ctx.clock.nowMs() };
  await updateRewardItem(ctx.db, next);
  await recordAudit(ctx, { actor, action: 'store.reward.changed', memberId: null, subject: id, details: { fields: Object.keys(defined) } });
  return next;
}

export async function listDiscountCodes(ctx: Ctx): Promise<DiscountCode[]> {
  return selectDiscountCodes(ctx.db);
}

export async function createDiscountCode(ctx: Ctx, actor: Actor, input: DiscountCodeInput): Promise<DiscountCode> {
  const parsed = discountCodeInputSchema.parse(input);
  const startsAtMs = parsed.startsAt ? Date.parse(parsed.startsAt) : null;
  const endsAtMs = parsed.endsAt ? Date.parse(parsed.endsAt) : null;
  if (startsAtMs !== null && endsAtMs !== null && endsAtMs <= startsAtMs) throw new AppError('validation', 'A code must end after it starts.', { field: 'endsAt' });
  const code: DiscountCode = {
    id: ctx.ids.next('dsc'),
    code: parsed.code,
    kind: parsed.kind,
    percentBp: parsed.percentBp ?? null,
    amountMinor: parsed.amountMinor ?? null,
    minSubtotalMinor: parsed.minSubtotalMinor,
    maxUses: parsed.maxUses,
    uses: 0,
    startsAtMs,
    endsAtMs,
    status: 'active',
    createdAtMs: ctx.clock.nowMs(),
    firstOrderOnly: parsed.firstOrderOnly,
  };
  if (!(await insertDiscountCode(ctx.db, code))) throw new AppError('already_exists', `The code ${code.code} already exists.`, { field: 'code' });
  if (actor.role !== 'system') await recordAudit(ctx, { actor, action: 'store.discount_code.created', memberId: null, subject: code.id, details: { code: code.code } });
  return code;
}

export async function archiveDiscountCode(ctx: Ctx, actor: Actor, id: string): Promise<DiscountCode> {
  const code = await findDiscountCodeById(ctx.db, id);
  if (!code) throw notFound('The discount code');
  await setDiscountCodeStatus(ctx.db, id, 'archived');
  await recordAudit(ctx, { actor, action: 'store.discount_code.archived', memberId: null, subject: id });
  return { ...code, status: 'archived' };
}

/**
 * A code a shopper typed, if it can be used now; otherwise a clear refusal. A first-order code is refused to a buyer
 * (the member, or a guest's email) with an earlier order that was paid.
 */
export async function usableDiscountCode(ctx: Ctx, text: string, buyer: { memberId: string | null; guestEmail?: string | null } = { memberId: null }): Promise<DiscountCode> {
  const parsed = discountCodeSchema.safeParse(text);
  const code = parsed.success ? await findDiscountCode(ctx.db, parsed.data) : undefined;
  const nowMs = ctx.clock.nowMs();
  if (!code || code.status !== 'active') throw new AppError('not_eligible', 'This discount code is not valid.', { field: 'discountCode' });
  if (code.startsAtMs !== null && nowMs < code.startsAtMs) throw new AppError('not_eligible', 'This discount code is not active yet.', { field: 'discountCode' });
  if (code.endsAtMs !== null && nowMs >= code.endsAtMs) throw new AppError('not_eligible', 'This discount code has expired.', { field: 'discountCode' });
  if (code.maxUses !== null && code.uses >= code.maxUses) throw new AppError('not_eligible', 'This discount code has been used up.', { field: 'discountCode' });
  if (code.firstOrderOnly && (await hasPaidOrder(ctx.db, buyer))) throw new AppError('not_eligible', 'This discount code is for a first order only.', { field: 'discountCode' });
  return code;
}

export async function listTaxRates(ctx: Ctx): Promise<TaxRate[]> {
  return selectTaxRates(ctx.db);
}

export async function setTaxRate(ctx: Ctx, actor: Actor, region: string, input: z.input<typeof taxRateInputSchema>): Promise<TaxRate> {
  const parsedRegion = regionSchema.parse(region);
  const parsed = taxRateInputSchema.parse(input);
  const rate: TaxRate = { region: parsedRegion, name: parsed.name, ratePpm: parsed.ratePpm, updatedAtMs: ctx.clock.nowMs() };
  await upsertTaxRate(ctx.db, rate);
  await recordAudit(ctx, { actor, action: 'store.tax_rate.set', memberId: null, subject: parsedRegion, details: { ratePpm: parsed.ratePpm } });
  return rate;
}
