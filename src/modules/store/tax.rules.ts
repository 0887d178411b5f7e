// Sales tax from a per-region rate table (ST-2).
//
// Rates are stored in parts per million (7.25 % = 72 500 ppm), so rates with three decimals such as 8.875 % are exact.
// Tax is computed per order line on the line's merchandise after discounts and rounded half up, and the order's tax
// is the sum of its lines' taxes, so every line carries its own tax and a refund of a line refunds exactly that.
// Credits applied at checkout are a means of payment, not a discount: they do not lower the taxable amount. Gift
// cards are not taxed (tax is due when the card is spent), and neither is shipping in the default table.
import { mulDivRoundHalfUp } from '../../platform/money.ts';
import { assert } from '../../platform/assert.ts';

export const ppmPerUnit = 1_000_000;

/** Region codes are a country code, optionally a dash and a subdivision: `US-CA`, `US-NY`, `GB`. */
export const regionPattern = /^[A-Z]{2}(-[A-Z0-9]{1,3})?$/;

export function lineTaxMinor(taxableMinor: number, ratePpm: number, giftCard: boolean): number {
  assert(Number.isSafeInteger(taxableMinor) && taxableMinor >= 0, 'the taxable amount must be a non-negative integer');
  assert(Number.isSafeInteger(ratePpm) && ratePpm >= 0 && ratePpm <= ppmPerUnit, 'a tax rate is 0..1 000 000 ppm');
  if (giftCard) return 0;
  return mulDivRoundHalfUp(taxableMinor, ratePpm, ppmPerUnit);
}

/** `7.25 %` ⇄ 72 500 ppm, for people typing rates into the console. */
export function percentTextToPpm(text: string): number {
  const match = /^(\d{1,3})(?:\.(\d{1,4}))?$/.exec(text.trim());
  if (!match) throw new RangeError(`"${text}" is not a percentage like 7.25`);
  const whole = Number(match[1]);
  const fraction = Number((match[2] ?? '').padEnd(4, '0'));
  const ppm = whole * 10_000 + fraction;
  if (ppm > ppmPerUnit) throw new RangeError('a tax rate cannot exceed 100 %');
  return ppm;
}

/** The table migration 0500 installs (kept here for tests and documentation); agents edit it in the console. */
export const defaultTaxRates: ReadonlyArray<{ region: string; name: string; ratePpm: number }> = [
  { region: 'US-CA', name: 'California', ratePpm: 72_500 },
  { region: 'US-NY', name: 'New York', ratePpm: 40_000 },
  { region: 'US-TX', name: 'Texas', ratePpm: 62_500 },
  { region: 'US-WA', name: 'Washington', ratePpm: 65_000 },
  { region: 'US-OR', name: 'Oregon', ratePpm: 0 },
];
