// Shipping addresses on orders (ST-2, ST-9): the shapes a checkout accepts, and the rule that turns an address's
// state into the store's tax region (`US-CA`), which the tax-rate table prices (tax.rules.ts).
//
// A checkout names its address one of two ways: `{ addressId }`, one of the member's saved addresses (AC-8), with an
// optional `name` to ship to (by default the member's own name), or the address itself, inline. Guests give it
// inline. The order keeps a snapshot of the address as it was when the order was placed. Only US addresses for now.
import { z } from 'zod';
import { AppError } from '../../platform/errors.ts';
import { addressText, addressTextFields } from '../accounts/index.ts';

export const shippingCountries = ['US'] as const;
export type ShippingCountry = (typeof shippingCountries)[number];

/** The address an order ships to, as the order keeps it. Storefront orders may lack a state or postal code. */
export interface ShippingAddress {
  name: string;
  line1: string;
  line2: string | null;
  city: string;
  region: string | null;
  postalCode: string | null;
  country: string;
}

export interface InlineShippingAddress {
  name: string;
  line1: string;
  line2?: string | null;
  city: string;
  /** The state: its code (`CA`), the store's region code (`US-CA`) or its name (`California`). */
  region: string;
  postalCode: string;
  country?: ShippingCountry;
}

export interface SavedShippingAddress {
  /** The saved address's ID (AC-8: its number among the member's addresses). */
  addressId: number;
  /** Who receives the parcel; by default the member's name from their profile. */
  name?: string | null;
}

export type ShippingAddressInput = SavedShippingAddress | InlineShippingAddress;

export function isSavedAddress(input: ShippingAddressInput): input is SavedShippingAddress {
  return 'addressId' in input && input.addressId !== undefined;
}

/** US ZIP codes: five digits, optionally a dash and four more. */
export const usZipPattern = /^\d{5}(-\d{4})?$/;

/**
 * The `shippingAddress` of a quote or an order (PL-13: unknown keys refused, sizes bounded, the text fields checked
 * as the accounts module checks a saved address; the ZIP code and country are the store's). One object rather than
 * a union of two, so that a missing field is reported at its own path (`shippingAddress.city`) for the form.
 */
export const shippingAddressSchema = z
  .strictObject({
    addressId: z.number().int().min(1).max(1_000_000).optional(),
    name: addressText(100, 'Enter the name of the person receiving the parcel.').optional().nullable(),
    line1: addressTextFields.line1.optional(),
    line2: addressTextFields.line2.nullable().optional(),
    city: addressTextFields.city.optional(),
    region: addressText(100, 'Choose the state.').optional(),
    postalCode: z.string().trim().regex(usZipPattern, 'Enter a ZIP code like 94107 or 94107-1234.').optional(),
    country: z.enum(shippingCountries, 'We ship to addresses in the United States (US) only for now.').optional(),
  })
  .superRefine((value, context) => {
    if (value.addressId !== undefined) {
      for (const field of ['line1', 'line2', 'city', 'region', 'postalCode', 'country'] as const) {
        if (value[field] !== undefined) context.addIssue({ code: 'custom', path: [field], message: 'Give either a saved address (addressId) or the address itself, not both.' });
      }
      return;
    }
    const required: Array<[keyof typeof value, string]> = [
      ['name', 'Enter the name of the person receiving the parcel.'],
      ['line1', 'Enter the street address.'],
      ['city', 'Enter the city.'],
      ['region', 'Choose the state.'],
      ['postalCode', 'Enter the ZIP code.'],
    ];
    for (const [field, message] of required) {
      if (value[field] === undefined || value[field] === null) context.addIssue({ code: 'custom', path: [field], message });
    }
  })
  .transform((value): ShippingAddressInput => {
    if (value.addressId !== undefined) return { addressId: value.addressId, name: value.name ?? null };
    return { name: value.name!, line1: value.line1!, line2: value.line2 || null, city: value.city!, region: value.region!, postalCode: value.postalCode!, country: value.country ?? 'US' };
  });

/**
 * The store's tax region for a state given as its code (`CA`), the region code (`US-CA`) or its name as the
 * tax-rate table names it (`California`, any case); undefined when the store does not ship there. `shipsTo` is the
 * tax-rate table: a region without a rate is a region the store does not ship to (ST-2).
 */
export function taxRegionOf(country: string, state: string, shipsTo: ReadonlyArray<{ region: string; name: string }>): string | undefined {
  const countryCode = country.trim().toUpperCase();
  const wanted = state.trim().toUpperCase().replace(/\s+/g, ' ');
  if (wanted === '') return undefined;
  const prefixed = wanted.startsWith(`${countryCode}-`) ? wanted : `${countryCode}-${wanted}`;
  const byCode = shipsTo.find((rate) => rate.region === prefixed);
  if (byCode) return byCode.region;
  const byName = shipsTo.find((rate) => rate.region.startsWith(`${countryCode}-`) && rate.name.trim().toUpperCase() === wanted);
  return byName?.region;
}

/** The state as the snapshot keeps it: the subdivision part of the region code (`US-CA` → `CA`). */
export function stateOfRegion(region: string): string {
  const dash = region.indexOf('-');
  return dash === -1 ? region : region.slice(dash + 1);
}

/** Refuses an address field with a message for the checkout form, at the field's path. */
export function addressError(code: 'validation' | 'not_eligible' | 'not_found', field: string, message: string): AppError {
  return new AppError(code, message, { field: `shippingAddress${field ? `.${field}` : ''}` });
}
