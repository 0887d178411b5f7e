// The cookie banner's rules (PV-23..PV-25): what a visitor's categories are once consent, the opt-out preference
// signal, opt-out requests, restriction and age are combined; when the banner asks; and how a browser's choices
// join an account at sign-in.
import type { ConsentChoice, ConsentPurpose } from './consent.rules.ts';
import { consentRegime, cookiePurposes } from './consent.rules.ts';

export type CookiePurpose = (typeof cookiePurposes)[number];

/** What a storefront may load for a visitor: `necessary` is always on and never asked. */
export interface CookieCategories {
  necessary: true;
  analytics: boolean;
  advertising: boolean;
  personalization: boolean;
}

/** The opt-out requests (PV-4) that end sale/share and targeted advertising. */
export const advertisingOptOuts = ['optout_sale_share', 'optout_targeted_ads', 'withdraw_consent'] as const;

/** Youngest age at which a member may be in a sale/share or targeted-advertising audience (PV-25; CCPA 1798.120(c)). */
export const advertisingMinimumAgeYears = 16;

/** Why a subject's advertising is off, in the order they are checked; null when advertising may run. */
export type AdvertisingBlock = 'under_16' | 'restricted' | 'opt_out_request' | 'gpc' | 'consent';

export interface AdvertisingFacts {
  consent: ConsentChoice;
  gpc: boolean;
  restricted: boolean;
  optedOut: boolean;
  /** True only when a date of birth is known and says under 16. */
  underSixteen: boolean;
}

export function advertisingBlock(facts: AdvertisingFacts): AdvertisingBlock | null {
  if (facts.underSixteen) return 'under_16';
  if (facts.restricted) return 'restricted';
  if (facts.optedOut) return 'opt_out_request';
  if (facts.gpc) return 'gpc';
  return facts.consent === 'granted' ? null : 'consent';
}

/** The categories a storefront may use: consent per purpose, and for advertising every block above as well. */
export function effectiveCategories(choices: Record<CookiePurpose, ConsentChoice>, facts: Omit<AdvertisingFacts, 'consent'>): CookieCategories {
  // Restriction (PV-20) makes the member's data storage-only: no analytics or personalization either.
  return {
    necessary: true,
    analytics: choices.analytics === 'granted' && !facts.restricted,
    advertising: advertisingBlock({ ...facts, consent: choices.advertising }) === null,
    personalization: choices.personalization === 'granted' && !facts.restricted,
  };
}

/**
 * Whether the banner asks: in an opt-in region until every cookie purpose has a current choice; anywhere when a
 * choice was given under an older notice (PV-22 re-asks that purpose).
 */
export function bannerAsks(region: string | null, states: Record<CookiePurpose, { recorded: boolean; stale: boolean }>): boolean {
  const purposes = Object.values(states);
  if (purposes.some((state) => state.stale)) return true;
  return consentRegime(region) === 'opt_in' && purposes.some((state) => !state.recorded);
}

export interface SideChoice {
  choice: ConsentChoice;
  recordedAtMs: number;
}

/**
 * The choice a purpose has once a browser's choices join the account at sign-in (PV-23): for advertising (sale/share)
 * the more restrictive one wins, whichever is newer; for the others the newer choice wins, the browser's on a tie
 * (it is where the person is now). Null when neither side has a current choice.
 */
export function mergedChoice(purpose: ConsentPurpose, device: SideChoice | null, account: SideChoice | null): ConsentChoice | null {
  if (!device) return account?.choice ?? null;
  if (!account) return device.choice;
  if (purpose === 'advertising') return device.choice === 'denied' || account.choice === 'denied' ? 'denied' : 'granted';
  return device.recordedAtMs >= account.recordedAtMs ? device.choice : account.choice;
}
