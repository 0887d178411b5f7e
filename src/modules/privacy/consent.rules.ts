// Consent vocabulary and the regional regime (PV-22, PV-23, PV-26): which purposes need an opt-in before anything
// happens, and which may run until the subject objects.

/** What a subject can consent to. `necessary` storage needs no consent and is never recorded. */
export const consentPurposes = ['analytics', 'advertising', 'personalization', 'marketing_email', 'marketing_sms'] as const;
export type ConsentPurpose = (typeof consentPurposes)[number];

/** The cookie categories of PV-23 besides `necessary`; `advertising` is sale/share and targeted advertising. */
export const cookiePurposes = ['analytics', 'advertising', 'personalization'] as const satisfies readonly ConsentPurpose[];
export const marketingPurposes = ['marketing_email', 'marketing_sms'] as const satisfies readonly ConsentPurpose[];

export const consentChoices = ['granted', 'denied'] as const;
export type ConsentChoice = (typeof consentChoices)[number];

export const consentMethods = ['banner', 'settings', 'gpc', 'api', 'signup'] as const;
export type ConsentMethod = (typeof consentMethods)[number];

/** Region codes: ISO 3166-1 alpha-2, optionally with an ISO 3166-2 subdivision (`US-CA`), upper case. */
export const regionPattern = /^[A-Z]{2}(-[A-Z0-9]{1,3})?$/;

// The EEA, the UK and Switzerland (GDPR / UK GDPR / revFADP with the ePrivacy rules on cookies and direct marketing)
// and Canada (CASL: express consent for commercial electronic messages) ask for consent before the processing.
const optInCountries = new Set([
  'AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE', 'IT', 'LV', 'LT', 'LU', 'MT', 'NL',
  'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE', 'IS', 'LI', 'NO', 'GB', 'CH', 'CA',
]);

export type ConsentRegime = 'opt_in' | 'opt_out';

/**
 * Whether a purpose needs a yes before it starts in a region. An unknown region is treated as opt-in: the careful
 * default when the store cannot tell where a visitor is.
 */
export function consentRegime(region: string | null): ConsentRegime {
  if (region === null || !regionPattern.test(region)) return 'opt_in';
  return optInCountries.has(region.slice(0, 2)) ? 'opt_in' : 'opt_out';
}

/** What applies when the subject has made no (current) choice: nothing in an opt-in region, the purpose otherwise. */
export function defaultChoice(purpose: ConsentPurpose, region: string | null): ConsentChoice {
  // Texts and promotional email are opt-in everywhere Patron sends them (TCPA prior express written consent for
  // marketing texts in the US; CASL, GDPR elsewhere), so they never default to granted.
  if ((marketingPurposes as readonly string[]).includes(purpose)) return 'denied';
  return consentRegime(region) === 'opt_in' ? 'denied' : 'granted';
}
