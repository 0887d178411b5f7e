// Integer money (PL-2): amounts are minor units with a currency code; no floating point touches them.
import { assert } from './assert.ts';

export type Currency = 'USD';

export interface Money {
  amountMinor: number;
  currency: Currency;
}

export function assertMinor(amountMinor: number, what = 'amount'): void {
  assert(Number.isSafeInteger(amountMinor), `${what} must be a safe integer of minor units, got ${amountMinor}`);
}

export function money(amountMinor: number, currency: Currency = 'USD'): Money {
  assertMinor(amountMinor);
  return { amountMinor, currency };
}

/** floor(amount × numerator / denominator) for non-negative integers, exact for values below 2^53. */
export function mulDivFloor(amount: number, numerator: number, denominator: number): number {
  assert(denominator > 0, 'denominator must be positive');
  return Number((BigInt(amount) * BigInt(numerator)) / BigInt(denominator));
}

/** Rounds half away from zero: the rule for a single computed share such as tax on a line. */
export function mulDivRoundHalfUp(amount: number, numerator: number, denominator: number): number {
  assert(denominator > 0, 'denominator must be positive');
  const product = BigInt(amount) * BigInt(numerator);
  const d = BigInt(denominator);
  const sign = product < 0n ? -1n : 1n;
  const magnitude = product < 0n ? -product : product;
  return Number(sign * ((magnitude * 2n + d) / (2n * d)));
}

/**
 * Splits `total` across parts in proportion to `weights` by the largest-remainder rule: each part gets the
 * floor of its exact share, then the leftover units go one each to the parts with the largest remainders
 * (ties: earlier part first). The parts always sum to `total` exactly.
 */
export function allocateLargestRemainder(total: number, weights: readonly number[]): number[] {
  assertMinor(total, 'total');
  assert(total >= 0, 'total to allocate must not be negative');
  const weightSum = weights.reduce((sum, w) => sum + w, 0);
  if (weights.length === 0) {
    assert(total === 0, 'cannot allocate a non-zero total across no parts');
    return [];
  }
  if (weightSum === 0) {
    assert(total === 0, 'cannot allocate a non-zero total across zero weights');
    return weights.map(() => 0);
  }
  const bigTotal = BigInt(total);
  const bigSum = BigInt(weightSum);
  const parts = weights.map((w) => {
    assert(Number.isSafeInteger(w) && w >= 0, 'weights must be non-negative integers');
    const exact = bigTotal * BigInt(w);
    return { floor: exact / bigSum, remainder: exact % bigSum };
  });
  let leftover = total - parts.reduce((sum, p) => sum + Number(p.floor), 0);
  const order = parts.map((_, i) => i).sort((a, b) => {
    const diff = parts[b]!.remainder - parts[a]!.remainder;
    return diff > 0n ? 1 : diff < 0n ? -1 : a - b;
  });
  const result = parts.map((p) => Number(p.floor));
  for (const index of order) {
    if (leftover === 0) break;
    result[index]! += 1;
    leftover--;
  }
  return result;
}

/** An amount as people read it: `$1,234.56`, `-$0.05` (digits grouped by thousands, two decimals, no float). */
export function formatMoney({ amountMinor, currency }: Money): string {
  assertMinor(amountMinor);
  const sign = amountMinor < 0 ? '-' : '';
  const abs = Math.abs(amountMinor);
  const major = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${currency === 'USD' ? '$' : ''}${major}.${String(abs % 100).padStart(2, '0')}`;
}

/**
 * The one way a user-facing message states an amount of minor units: `formatAmount(1234)` → `$12.34`. Error
 * messages and other text people read never show raw minor units ("At most $12.34 can still be refunded", not 1234).
 */
export function formatAmount(amountMinor: number, currency: Currency = 'USD'): string {
  return formatMoney(money(amountMinor, currency));
}
