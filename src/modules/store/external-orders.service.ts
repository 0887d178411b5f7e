// External orders (ST-7): orders from a marketplace (Amazon US/UK/CA/ES/IT/FR/DE) or another storefront, recorded
// for after-sales only (returns, warranty claims look them up). Nothing here calls the credits ledger: they never
// earn (CR-3) and never carry member benefits.
import { z } from 'zod';
import type { Ctx } from '../../deps.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { amazonMarketplaces, amazonOrderIdMessage, isValidAmazonOrderId } from './external-orders.rules.ts';
import { externalSources, storeTables, type ExternalOrderRow, type ExternalSource } from './store.table.ts';

export const externalCurrencies = ['USD', 'GBP', 'CAD', 'EUR'] as const;

const externalItem = z.strictObject({
  sku: z.string().trim().min(1).max(40).optional(),
  name: z.string().trim().min(1).max(200),
  quantity: z.number().int().min(1).max(999),
  unitPriceMinor: z.number().int().min(0).max(100_000_000).optional(),
  serialNumber: z.string().trim().min(1).max(64).optional(),
});

export const externalOrderInputSchema = z.strictObject({
  source: z.enum(externalSources),
  /** Required for Amazon: which Amazon store the order was placed on. */
  marketplace: z.enum(amazonMarketplaces).optional(),
  externalOrderId: z.string().trim().min(1).max(64),
  memberId: z.string().min(1).max(100).nullable().default(null),
  customerEmail: z.email().max(254).nullable().default(null),
  purchasedAt: z.iso.datetime({ offset: true }),
  currency: z.enum(externalCurrencies).default('USD'),
  totalMinor: z.number().int().min(0).max(1_000_000_000),
  items: z.array(externalItem).min(1).max(100),
});
export type ExternalOrderInput = z.input<typeof externalOrderInputSchema>;

export interface ExternalOrderItem {
  sku?: string;
  name: string;
  quantity: number;
  unitPriceMinor?: number;
  serialNumber?: string;
}

export interface ExternalOrder {
  id: string;
  source: ExternalSource;
  marketplace: string | null;
  externalOrderId: string;
  memberId: string | null;
  customerEmail: string | null;
  currency: string;
  totalMinor: number;
  purchasedAtMs: number;
  items: ExternalOrderItem[];
  recordedBy: string;
  createdAtMs: number;
  /** Always false: recorded for after-sales only (ST-7). */
  earnsCredits: false;
}

const storedItems = z.array(externalItem);

function toExternalOrder(row: ExternalOrderRow): ExternalOrder {
  return {
    id: row.id,
    source: row.source,
    marketplace: row.marketplace,
    externalOrderId: row.external_order_id,
    memberId: row.member_id,
    customerEmail: row.customer_email,
    currency: row.currency,
    totalMinor: row.total_minor,
    purchasedAtMs: row.purchased_at_ms,
    items: storedItems.parse(JSON.parse(row.items)),
    recordedBy: row.recorded_by,
    createdAtMs: row.created_at_ms,
    earnsCredits: false,
  };
}

/** Refuses a malformed marketplace order ID with a message that says what a right one looks like. */
export function checkExternalOrderId(source: ExternalSource, marketplace: string | undefined, externalOrderId: string): void {
  if (source === 'amazon') {
    if (!marketplace) throw new AppError('validation', `Choose the Amazon marketplace the order was placed on: ${amazonMarketplaces.join(', ')}.`, { field: 'marketplace' });
    if (!isValidAmazonOrderId(externalOrderId)) throw new AppError('validation', amazonOrderIdMessage, { field: 'externalOrderId' });
  } else if (marketplace) {
    throw new AppError('validation', 'A marketplace is only given for Amazon orders.', { field: 'marketplace' });
  }
}

export async function recordExternalOrder(ctx: Ctx, input: ExternalOrderInput, recordedBy: string): Promise<ExternalOrder> {
  const parsed = externalOrderInputSchema.parse(input);
  checkExternalOrderId(parsed.source, parsed.marketplace, parsed.externalOrderId);
  const purchasedAtMs = Date.parse(parsed.purchasedAt);
  if (purchasedAtMs > ctx.clock.nowMs()) throw new AppError('validation', 'The purchase date cannot be in the future.', { field: 'purchasedAt' });
  // A member ID must name a program member: after-sales finds the order by it, so a typo must not file it under nobody.
  if (parsed.memberId !== null && !(await ctx.ports.memberContacts.memberStatus(ctx.db, parsed.memberId))) throw notFound('The member');
  const row: ExternalOrderRow = {
    id: ctx.ids.next('ext'),
    source: parsed.source,
    marketplace: parsed.marketplace ?? null,
    external_order_id: parsed.externalOrderId,
    member_id: parsed.memberId,
    customer_email: parsed.customerEmail?.toLowerCase() ?? null,
    currency: parsed.currency,
    total_minor: parsed.totalMinor,
    purchased_at_ms: purchasedAtMs,
    items: JSON.stringify(parsed.items),
    recorded_by: recordedBy,
    created_at_ms: ctx.clock.nowMs(),
  };
  const inserted = await storeTables(ctx.db)
    .insertInto('store_external_orders')
    .values(row)
    .onConflict((oc) => oc.columns(['source', 'external_order_id']).doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) {
    const existing = await findExternalOrder(ctx, { source: parsed.source, externalOrderId: parsed.externalOrderId });
    throw new AppError('already_exists', 'This order is already recorded.', { id: existing?.id });
  }
  return toExternalOrder(row);
}

export async function findExternalOrder(ctx: Ctx, input: { source: ExternalSource; externalOrderId: string }): Promise<ExternalOrder | undefined> {
  const row = await storeTables(ctx.db).selectFrom('store_external_orders').selectAll().where('source', '=', input.source).where('external_order_id', '=', input.externalOrderId).executeTakeFirst();
  return row && toExternalOrder(row);
}

export async function getExternalOrder(ctx: Ctx, id: string): Promise<ExternalOrder> {
  const row = await storeTables(ctx.db).selectFrom('store_external_orders').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('The external order');
  return toExternalOrder(row);
}

export async function listExternalOrders(ctx: Ctx, filter: { memberId?: string; source?: ExternalSource; limit?: number }): Promise<ExternalOrder[]> {
  let query = storeTables(ctx.db).selectFrom('store_external_orders').selectAll();
  if (filter.memberId) query = query.where('member_id', '=', filter.memberId);
  if (filter.source) query = query.where('source', '=', filter.source);
  const rows = await query.orderBy('id', 'desc').limit(Math.min(filter.limit ?? 50, 200)).execute();
  return rows.map(toExternalOrder);
}
