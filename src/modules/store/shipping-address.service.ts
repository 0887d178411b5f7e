// Where a checkout ships and which tax region prices it (ST-2): a saved address of the member's (read through the
// accounts module) or an address given inline, checked and turned into the snapshot the order keeps.
import type { Ctx } from '../../deps.ts';
import { AppError } from '../../platform/errors.ts';
import { getMemberAddress } from '../accounts/index.ts';
import { selectTaxRates } from './catalog.repository.ts';
import { addressError, isSavedAddress, shippingAddressSchema, stateOfRegion, taxRegionOf, usZipPattern, type ShippingAddress, type ShippingAddressInput } from './shipping-address.rules.ts';

export interface ShippingChoice {
  /** Null for a guest. */
  memberId: string | null;
  /** The address, saved or inline; when given, the tax region derives from it. */
  shippingAddress?: ShippingAddressInput | null;
  /** The tax region alone (`US-CA`): a quote before the address is known, or a member's order without an address. */
  region?: string | null;
}

export interface ResolvedShipping {
  region: string;
  address: ShippingAddress | null;
}

/** Validates an address given in code as the HTTP boundary does, so callers of the services get the same answers. */
function parseAddress(input: ShippingAddressInput): ShippingAddressInput {
  const parsed = shippingAddressSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new AppError(
    'validation',
    'Some fields of the shipping address are missing or invalid.',
    parsed.error.issues.slice(0, 20).map((issue) => ({ path: ['shippingAddress', ...issue.path].join('.'), message: issue.message })),
  );
}

async function savedAddress(ctx: Ctx, memberId: string | null, addressId: number, name: string | null | undefined) {
  if (!memberId) throw addressError('validation', 'addressId', 'Sign in to ship to a saved address, or enter the address.');
  const saved = await getMemberAddress(ctx, memberId, addressId);
  if (!saved) throw addressError('not_found', 'addressId', 'That saved address was not found.');
  if (saved.country.toUpperCase() !== 'US') throw addressError('not_eligible', 'addressId', 'We ship to addresses in the United States only for now.');
  if (!saved.region?.trim()) throw addressError('not_eligible', 'addressId', 'This saved address has no state. Add it in your profile, or enter the address here.');
  if (!saved.postalCode || !usZipPattern.test(saved.postalCode.trim())) {
    throw addressError('not_eligible', 'addressId', 'This saved address has no valid ZIP code. Correct it in your profile, or enter the address here.');
  }
  const recipient = name?.trim() || saved.recipientName;
  if (!recipient) throw addressError('validation', 'name', 'Enter the name of the person receiving the parcel: your profile has no name.');
  return { name: recipient, line1: saved.line1, line2: saved.line2, city: saved.city, state: saved.region, postalCode: saved.postalCode.trim(), country: 'US' };
}

/**
 * The tax region and the address snapshot of a checkout. An address wins over the cart's region; a region given
 * together with an address must be the address's own. Without an address, the region alone (for quotes and members'
 * orders that carry none; a guest's order needs an address, which createPendingOrder checks).
 */
export async function resolveShipping(ctx: Ctx, choice: ShippingChoice): Promise<ResolvedShipping> {
  const wantedRegion = choice.region?.trim().toUpperCase() || null;
  if (!choice.shippingAddress) {
    if (!wantedRegion) throw new AppError('validation', 'Choose where the order ships.', { field: 'region' });
    return { region: wantedRegion, address: null };
  }
  const input = parseAddress(choice.shippingAddress);
  const given = isSavedAddress(input)
    ? await savedAddress(ctx, choice.memberId, input.addressId, input.name)
    : { name: input.name, line1: input.line1, line2: input.line2 ?? null, city: input.city, state: input.region, postalCode: input.postalCode, country: input.country ?? 'US' };
  const region = taxRegionOf(given.country, given.state, await selectTaxRates(ctx.db));
  if (!region) throw addressError('not_eligible', isSavedAddress(input) ? 'addressId' : 'region', `We do not ship to ${given.state.trim()} yet.`);
  if (wantedRegion && wantedRegion !== region) throw new AppError('validation', 'The region does not match the state of the shipping address.', { field: 'region' });
  return {
    region,
    address: { name: given.name, line1: given.line1, line2: given.line2, city: given.city, region: stateOfRegion(region), postalCode: given.postalCode, country: given.country },
  };
}
