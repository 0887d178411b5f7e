// Plus benefits on store orders (MB-8): next-day delivery vouchers (one per month of active membership, each used
// once, given back when the order is cancelled before it ships) and the record of every benefit used, against the
// membership period that granted it ("benefits used" on the membership page).
import type { Ctx } from '../../deps.ts';
import { AppError } from '../../platform/errors.ts';
import { voucherReleaseTimesMs, type Plan } from './membership.rules.ts';
import { plusStatusAt } from './history.service.ts';
import { shiftForPause } from './membership.rules.ts';
import { membershipTables, type BenefitKind } from './membership.table.ts';

/** Creates a period's vouchers, each usable from the start of its month of the period. */
export async function grantPeriodVouchers(ctx: Ctx, input: { memberId: string; subscriptionId: string; periodId: string; plan: Plan; startsAtMs: number; vouchersPerMonth: number }): Promise<void> {
  const nowMs = ctx.clock.nowMs();
  const rows = voucherReleaseTimesMs(input.startsAtMs, input.plan, input.vouchersPerMonth).map((availableFromMs) => ({
    id: ctx.ids.next('vch'),
    member_id: input.memberId,
    subscription_id: input.subscriptionId,
    period_id: input.periodId,
    available_from_ms: availableFromMs,
    state: 'available' as const,
    used_order_id: null,
    used_at_ms: null,
    created_at_ms: nowMs,
  }));
  if (rows.length > 0) await membershipTables(ctx.db).insertInto('membership_vouchers').values(rows).execute();
}

/** MB-5: vouchers not yet released when the pause began move out by the paused time, like the renewal. */
export async function shiftUnreleasedVouchers(ctx: Ctx, subscriptionId: string, pausedAtMs: number, resumedAtMs: number): Promise<void> {
  const pending = await membershipTables(ctx.db)
    .selectFrom('membership_vouchers')
    .select(['id', 'available_from_ms'])
    .where('subscription_id', '=', subscriptionId)
    .where('state', '=', 'available')
    .where('available_from_ms', '>', pausedAtMs)
    .execute();
  for (const voucher of pending) {
    await membershipTables(ctx.db)
      .updateTable('membership_vouchers')
      .set({ available_from_ms: shiftForPause(Number(voucher.available_from_ms), pausedAtMs, resumedAtMs) })
      .where('id', '=', voucher.id)
      .execute();
  }
}

export interface VoucherSummary {
  available: number;
  used: number;
  /** When the next voucher becomes usable, if one is still to come in this membership. */
  nextReleaseAtMs: number | null;
}

export async function summarizeVouchers(ctx: Pick<Ctx, 'db'>, subscriptionId: string, atMs: number, options: { usable?: boolean } = {}): Promise<VoucherSummary> {
  const rows = await membershipTables(ctx.db).selectFrom('membership_vouchers').select(['state', 'available_from_ms']).where('subscription_id', '=', subscriptionId).execute();
  let available = 0;
  let used = 0;
  let nextReleaseAtMs: number | null = null;
  for (const row of rows) {
    const from = Number(row.available_from_ms);
    if (row.state === 'used') used++;
    else if (from <= atMs) available++;
    else if (nextReleaseAtMs === null || from < nextReleaseAtMs) nextReleaseAtMs = from;
  }
  return options.usable === false ? { available: 0, used, nextReleaseAtMs: null } : { available, used, nextReleaseAtMs };
}

/**
 * How many next-day delivery vouchers the member could use at `atMs` (MB-8): 0 when Plus is not active then. The
 * store's checkout shows it next to the voucher choice; `useDeliveryVoucher` is the check that counts.
 */
/** The period (and its subscription) whose Plus gives benefits at `atMs`, or undefined when not Plus then. */
async function grantingPeriodAt(ctx: Pick<Ctx, 'db'>, memberId: string, atMs: number): Promise<{ periodId: string; subscriptionId: string } | undefined> {
  const status = await plusStatusAt(ctx, memberId, atMs);
  if (status.plan === null || status.periodId === null) return undefined;
  const period = await membershipTables(ctx.db).selectFrom('membership_periods').select('subscription_id').where('id', '=', status.periodId).executeTakeFirstOrThrow();
  return { periodId: status.periodId, subscriptionId: period.subscription_id };
}

export async function deliveryVouchersLeftAt(ctx: Pick<Ctx, 'db'>, memberId: string, atMs: number): Promise<number> {
  const granting = await grantingPeriodAt(ctx, memberId, atMs);
  return granting ? (await summarizeVouchers(ctx, granting.subscriptionId, atMs)).available : 0;
}

/**
 * Uses one voucher for an order placed at `atMs` (MB-8): Plus must be active then; the oldest released voucher of
 * the current membership is taken. Refused with a clear message when there is none.
 */
export async function useDeliveryVoucher(ctx: Ctx, input: { memberId: string; orderId: string; atMs: number }): Promise<{ voucherId: string; periodId: string }> {
  const granting = await grantingPeriodAt(ctx, input.memberId, input.atMs);
  if (!granting) throw new AppError('not_eligible', 'Next-day delivery vouchers are a Plus benefit, and your Plus membership is not active.');
  const voucher = await membershipTables(ctx.db)
    .selectFrom('membership_vouchers')
    .select(['id', 'period_id'])
    .where('subscription_id', '=', granting.subscriptionId)
    .where('state', '=', 'available')
    .where('available_from_ms', '<=', input.atMs)
    .orderBy('available_from_ms', 'asc')
    .orderBy('id', 'asc')
    .limit(1)
    .executeTakeFirst();
  if (!voucher) throw new AppError('not_eligible', 'You have no next-day delivery voucher left this month.');
  const updated = await membershipTables(ctx.db)
    .updateTable('membership_vouchers')
    .set({ state: 'used', used_order_id: input.orderId, used_at_ms: input.atMs })
    .where('id', '=', voucher.id)
    .where('state', '=', 'available')
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) !== 1) throw new AppError('conflict', 'That voucher was just used by another order. Try again.');
  await recordBenefitUse(ctx, { memberId: input.memberId, orderId: input.orderId, kind: 'delivery_voucher', amountMinor: 0, credits: 0, atMs: input.atMs });
  return { voucherId: voucher.id, periodId: voucher.period_id };
}

/** An order cancelled before it shipped gives its voucher back (MB-8: usable once, and that use did not happen). */
export async function restoreDeliveryVoucher(ctx: Ctx, orderId: string): Promise<boolean> {
  const nowMs = ctx.clock.nowMs();
  const restored = await membershipTables(ctx.db)
    .updateTable('membership_vouchers')
    .set({ state: 'available', used_order_id: null, used_at_ms: null })
    .where('used_order_id', '=', orderId)
    .where('state', '=', 'used')
    .executeTakeFirst();
  if (Number(restored.numUpdatedRows) === 0) return false;
  await membershipTables(ctx.db)
    .updateTable('membership_benefit_uses')
    .set({ state: 'restored', restored_at_ms: nowMs })
    .where('order_id', '=', orderId)
    .where('kind', '=', 'delivery_voucher')
    .execute();
  return true;
}

/** Records a benefit an order used, against the period whose Plus granted it; once per order and kind. */
export async function recordBenefitUse(ctx: Ctx, input: { memberId: string; orderId: string; kind: BenefitKind; amountMinor: number; credits: number; atMs: number }): Promise<boolean> {
  const granting = await grantingPeriodAt(ctx, input.memberId, input.atMs);
  if (!granting) return false;
  const inserted = await membershipTables(ctx.db)
    .insertInto('membership_benefit_uses')
    .values({
      id: ctx.ids.next('bnu'),
      member_id: input.memberId,
      subscription_id: granting.subscriptionId,
      period_id: granting.periodId,
      kind: input.kind,
      order_id: input.orderId,
      amount_minor: input.amountMinor,
      credits: input.credits,
      state: 'used',
      used_at_ms: input.atMs,
      restored_at_ms: null,
    })
    .onConflict((oc) => oc.columns(['order_id', 'kind']).doNothing())
    .executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1;
}

export interface BenefitUse {
  id: string;
  periodId: string;
  kind: BenefitKind;
  orderId: string;
  amountMinor: number;
  credits: number;
  state: 'used' | 'restored';
  usedAtMs: number;
}

export async function listBenefitUses(ctx: Pick<Ctx, 'db'>, subscriptionId: string, limit = 200): Promise<BenefitUse[]> {
  const rows = await membershipTables(ctx.db).selectFrom('membership_benefit_uses').selectAll().where('subscription_id', '=', subscriptionId).orderBy('used_at_ms', 'desc').orderBy('id', 'desc').limit(limit).execute();
  return rows.map((row) => ({
    id: row.id,
    periodId: row.period_id,
    kind: row.kind,
    orderId: row.order_id,
    amountMinor: Number(row.amount_minor),
    credits: Number(row.credits),
    state: row.state,
    usedAtMs: Number(row.used_at_ms),
  }));
}
