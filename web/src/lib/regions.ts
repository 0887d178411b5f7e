// Shipping regions for the cart and checkout: where the store ships, as GET /store/regions answers from the tax-rate
// table (ST-2), so the selects offer only states the store prices, and agents' changes to the table show at once.
import { storeApi, type ShippingAddress, type ShippingRegion } from '../api/store.ts';
import { countryName } from './places.ts';
import { useResource, type Resource } from './use-resource.ts';

export function useShippingRegions(): Resource<ShippingRegion[]> {
  return useResource(() => storeApi.regions().then((answer) => answer.regions), []);
}

/** The select options for addresses in `country` (the store ships to US addresses for now), by name. */
export function regionOptions(regions: readonly ShippingRegion[] | undefined, country = 'US'): Array<{ value: string; label: string }> {
  return (regions ?? []).filter((region) => region.country === country).map((region) => ({ value: region.region, label: region.name }));
}

/** A region code as people read it: the table's name when known (`US-CA` → California), else the code. */
export function regionName(region: string | null | undefined, regions?: readonly ShippingRegion[]): string {
  if (!region) return '—';
  return regions?.find((candidate) => candidate.region === region)?.name ?? region;
}

/** An address as the lines of a label: name, street, city with state and ZIP, and the country when not the US. */
export function addressLines(address: ShippingAddress): string[] {
  const cityLine = [address.city, [address.region, address.postalCode].filter(Boolean).join(' ')].filter(Boolean).join(', ');
  return [address.name, address.line1, address.line2, cityLine, address.country === 'US' ? null : countryName(address.country)].filter((line): line is string => Boolean(line));
}
