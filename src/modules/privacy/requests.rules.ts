// Rights-request rules (PV-1..PV-5, PV-13) as pure data and functions: the request types and channels, the regime a
// subject's residence puts a request under, the state machine with its guard, which types need which verification,
// the authority a subject may complain to, and the reason codes of a denial. No database, no clock.
import { AppError } from '../../platform/errors.ts';
import { assert } from '../../platform/assert.ts';

/** PV-1: the thirteen request types. */
export const requestTypes = [
  'access', 'portability', 'know', 'rectify', 'erase', 'restrict', 'object', 'withdraw_consent', 'optout_sale_share', 'optout_targeted_ads', 'limit_sensitive', 'complaint', 'appeal',
] as const;
export type RequestType = (typeof requestTypes)[number];

/** PV-1: web form (no account), member center (signed in), email (typed in by an agent with its receipt time), agent. */
export const requestChannels = ['web_form', 'member_center', 'email', 'agent'] as const;
export type RequestChannel = (typeof requestChannels)[number];

export const relationships = ['self', 'authorized_agent'] as const;
export type Relationship = (typeof relationships)[number];

/** PV-14: the evidence an authorized agent uploads. */
export const documentKinds = ['power_of_attorney', 'signed_letter'] as const;
export type DocumentKind = (typeof documentKinds)[number];

export const regimes = ['us_state', 'gdpr', 'uk', 'other'] as const;
export type Regime = (typeof regimes)[number];

/** PV-4: these take effect at once and need no identity verification. */
export const optOutTypes = ['optout_sale_share', 'optout_targeted_ads', 'limit_sensitive', 'withdraw_consent', 'object'] as const satisfies readonly RequestType[];
export type OptOutType = (typeof optOutTypes)[number];

export function isOptOut(type: RequestType): type is OptOutType {
  return (optOutTypes as readonly RequestType[]).includes(type);
}

// ---------------------------------------------------------------------------------------------------------------
// Regime

/** EU member states and the other EEA countries (Iceland, Liechtenstein, Norway): the GDPR applies. */
export const gdprCountries: ReadonlySet<string> = new Set([
  'AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE', 'IT', 'LV', 'LT', 'LU', 'MT', 'NL', 'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE', 'IS', 'LI', 'NO',
]);

export const usStates = [
  'AL', 'AK', 'AZ', 'AR', 'CA', 'CO', 'CT', 'DE', 'DC', 'FL', 'GA', 'HI', 'ID', 'IL', 'IN', 'IA', 'KS', 'KY', 'LA', 'ME', 'MD', 'MA', 'MI', 'MN', 'MS', 'MO', 'MT', 'NE', 'NV', 'NH', 'NJ', 'NM',
  'NY', 'NC', 'ND', 'OH', 'OK', 'OR', 'PA', 'RI', 'SC', 'SD', 'TN', 'TX', 'UT', 'VT', 'VA', 'WA', 'WV', 'WI', 'WY',
] as const;

/**
 * Where the subject lives decides the rules (PV-7, PV-8): a US state → `us_state`; an EU/EEA country → `gdpr`; the
 * United Kingdom → `uk`; anywhere else → `other`, which follows the GDPR's timing (one calendar month, at most two
 * more), the stricter of the two clocks we keep, so a request from a country without its own rule here is still
 * answered in time under the rules most such laws copy.
 */
export function regimeOf(location: { country: string }): Regime {
  const country = location.country.toUpperCase();
  if (country === 'US') return 'us_state';
  if (country === 'GB' || country === 'UK') return 'uk';
  if (gdprCountries.has(country)) return 'gdpr';
  return 'other';
}

// ---------------------------------------------------------------------------------------------------------------
// States (PV-3)

export const requestStates = [
  'received', 'awaiting_verification', 'verified', 'in_progress', 'on_hold', 'fulfilled', 'partially_fulfilled', 'denied', 'withdrawn', 'closed_unverified', 'appealed', 'appeal_decided',
] as const;
export type RequestState = (typeof requestStates)[number];

/** The states an agent still has work in (the queue's). */
export const openRequestStates = ['received', 'awaiting_verification', 'verified', 'in_progress', 'on_hold', 'appealed'] as const satisfies readonly RequestState[];

/**
 * PV-3's machine. Besides the spec's chain: `received → verified` for requests that need no verification (opt-outs,
 * complaints, appeals) or whose member re-authenticated at submission; a request may be denied (e.g. a manifestly
 * unfounded or a non-resident's request) or withdrawn from any open state before an answer. `withdrawn`,
 * `closed_unverified` and `appeal_decided` never change; an answer (`fulfilled`, `partially_fulfilled`, `denied`)
 * changes only by an appeal.
 */
export const requestTransitions = {
  received: ['awaiting_verification', 'verified', 'denied', 'withdrawn'],
  awaiting_verification: ['verified', 'denied', 'withdrawn', 'closed_unverified'],
  verified: ['in_progress', 'denied', 'withdrawn'],
  in_progress: ['on_hold', 'fulfilled', 'partially_fulfilled', 'denied', 'withdrawn'],
  on_hold: ['in_progress', 'denied', 'withdrawn'],
  fulfilled: ['appealed'],
  partially_fulfilled: ['appealed'],
  denied: ['appealed'],
  withdrawn: [],
  closed_unverified: [],
  appealed: ['appeal_decided'],
  appeal_decided: [],
} as const satisfies Record<RequestState, readonly RequestState[]>;

export const requestActions = ['request_verification', 'verify', 'start', 'hold', 'resume', 'fulfil', 'partially_fulfil', 'deny', 'withdraw', 'close_unverified', 'appeal', 'decide_appeal'] as const;
export type RequestAction = (typeof requestActions)[number];

export const requestActionTarget = {
  request_verification: 'awaiting_verification',
  verify: 'verified',
  start: 'in_progress',
  hold: 'on_hold',
  resume: 'in_progress',
  fulfil: 'fulfilled',
  partially_fulfil: 'partially_fulfilled',
  deny: 'denied',
  withdraw: 'withdrawn',
  close_unverified: 'closed_unverified',
  appeal: 'appealed',
  decide_appeal: 'appeal_decided',
} as const satisfies Record<RequestAction, RequestState>;

const stateWords: Record<RequestState, string> = {
  received: 'received',
  awaiting_verification: 'waiting for identity verification',
  verified: 'verified',
  in_progress: 'in progress',
  on_hold: 'on hold',
  fulfilled: 'fulfilled',
  partially_fulfilled: 'partially fulfilled',
  denied: 'denied',
  withdrawn: 'withdrawn',
  closed_unverified: 'closed because the identity was not verified in time',
  appealed: 'under appeal',
  appeal_decided: 'closed with an appeal decision',
};

const actionWords: Record<RequestAction, string> = {
  request_verification: 'sent for verification',
  verify: 'verified',
  start: 'started',
  hold: 'put on hold',
  resume: 'resumed',
  fulfil: 'fulfilled',
  partially_fulfil: 'partially fulfilled',
  deny: 'denied',
  withdraw: 'withdrawn',
  close_unverified: 'closed as unverified',
  appeal: 'appealed',
  decide_appeal: 'given an appeal decision',
};

export function canRequestTransition(from: RequestState, to: RequestState): boolean {
  return (requestTransitions[from] as readonly RequestState[]).includes(to);
}

export function isTerminalRequestState(state: RequestState): boolean {
  return requestTransitions[state].length === 0;
}

/** A move the machine lacks is a user-visible 409 with a sentence; an action that does not lead to `to` is a bug. */
export function assertRequestTransition(from: RequestState, action: RequestAction): RequestState {
  const to = requestActionTarget[action];
  assert(requestActions.includes(action), `unknown request action ${action}`);
  if (!canRequestTransition(from, to)) {
    throw new AppError('invalid_state', `The request is ${stateWords[from]}, so it cannot be ${actionWords[action]}.`, { state: from, to, action });
  }
  return to;
}

export function requestStateWords(state: RequestState): string {
  return stateWords[state];
}

// ---------------------------------------------------------------------------------------------------------------
// Verification (PV-4, PV-11..PV-13)

/**
 * How much proof a type needs from someone who is not a signed-in member (CCPA regulations §7062: a reasonable degree
 * of certainty for categories and deletion, a reasonably high one for specific pieces):
 * - `none`: opt-outs take effect at once (PV-4); complaints and appeals disclose nothing.
 * - `code`: the emailed code (PV-12): know, rectify, restrict.
 * - `code_and_two_facts`: plus 2 facts matching the store's records (PV-13): erase.
 * - `code_three_facts_declaration`: plus 3 facts and a signed declaration (PV-13): access and portability (specific
 *   pieces of data).
 */
export const verificationLevels = ['none', 'code', 'code_and_two_facts', 'code_three_facts_declaration'] as const;
export type VerificationLevel = (typeof verificationLevels)[number];

export const verificationLevelOf = {
  access: 'code_three_facts_declaration',
  portability: 'code_three_facts_declaration',
  know: 'code',
  rectify: 'code',
  erase: 'code_and_two_facts',
  restrict: 'code',
  object: 'none',
  withdraw_consent: 'none',
  optout_sale_share: 'none',
  optout_targeted_ads: 'none',
  limit_sensitive: 'none',
  complaint: 'none',
  appeal: 'none',
} as const satisfies Record<RequestType, VerificationLevel>;

export function factsRequired(level: VerificationLevel): number {
  return level === 'code_and_two_facts' ? 2 : level === 'code_three_facts_declaration' ? 3 : 0;
}

/** The declaration a requester signs (typed name + checkbox) for the highest-risk requests (PV-13). */
export const declarationText =
  'I declare under penalty of perjury that I am the person whose personal information is the subject of this request, or that I am authorized to act on their behalf.';

// ---------------------------------------------------------------------------------------------------------------
// Denials and authorities (PV-3)

export const decisionReasonCodes = [
  'identity_not_verified', 'not_a_resident', 'no_data_found', 'legal_obligation_to_keep', 'legal_claims', 'rights_of_others', 'manifestly_unfounded', 'excessive', 'exemption_applies', 'other',
] as const;
export type DecisionReasonCode = (typeof decisionReasonCodes)[number];

export const appealDecisions = ['upheld', 'reversed', 'partially_reversed'] as const;
export type AppealDecision = (typeof appealDecisions)[number];

/** State attorneys general's consumer-privacy complaint pages, for the states whose laws we list (notice §15). */
const usStateAuthorities: Partial<Record<string, { name: string; url: string }>> = {
  CA: { name: 'California Privacy Protection Agency', url: 'https://cppa.ca.gov/webapplications/complaint' },
  CO: { name: 'Colorado Attorney General', url: 'https://coag.gov/file-complaint/' },
  CT: { name: 'Connecticut Attorney General', url: 'https://portal.ct.gov/ag/sections/privacy/the-connecticut-data-privacy-act' },
  MT: { name: 'Montana Attorney General, Office of Consumer Protection', url: 'https://dojmt.gov/consumer/' },
  NV: { name: 'Nevada Attorney General', url: 'https://ag.nv.gov/Complaints/File_Complaint/' },
  OR: { name: 'Oregon Department of Justice', url: 'https://www.doj.state.or.us/consumer-protection/' },
  TX: { name: 'Texas Attorney General', url: 'https://www.texasattorneygeneral.gov/consumer-protection/file-consumer-complaint' },
  UT: { name: 'Utah Division of Consumer Protection', url: 'https://dcp.utah.gov/complaints/' },
  VA: { name: 'Virginia Attorney General', url: 'https://www.oag.state.va.us/consumer-protection/index.php/file-a-complaint' },
};

/** Data protection authorities of the EU/EEA countries (the notice names Bavaria's for Germany). */
const dataProtectionAuthorities: Partial<Record<string, { name: string; url: string }>> = {
  DE: { name: 'Bayerisches Landesamt für Datenschutzaufsicht (Promenade 18, 91522 Ansbach)', url: 'https://www.lda.bayern.de/' },
  FR: { name: 'Commission Nationale de l’Informatique et des Libertés (CNIL)', url: 'https://www.cnil.fr/' },
  IE: { name: 'Data Protection Commission', url: 'https://www.dataprotection.ie/' },
  NL: { name: 'Autoriteit Persoonsgegevens', url: 'https://autoriteitpersoonsgegevens.nl/' },
  ES: { name: 'Agencia Española de Protección de Datos', url: 'https://www.aepd.es/' },
  IT: { name: 'Garante per la protezione dei dati personali', url: 'https://www.garanteprivacy.it/' },
};

export interface Authority {
  name: string;
  url: string;
}

/**
 * Whom the subject may complain to (PV-3; notice §9 and §15): the state's attorney general (or privacy agency) for a
 * US state, the data protection authority of the EU/EEA country they live in, the UK's ICO; elsewhere, and for
 * states or countries not in the table, the general pointer (the EDPB's list of authorities, the state attorney
 * general's office).
 */
export function authorityFor(location: { regime: Regime; country: string; state: string | null }): Authority {
  switch (location.regime) {
    case 'us_state':
      return (location.state && usStateAuthorities[location.state.toUpperCase()]) || { name: `the Attorney General of your state${location.state ? ` (${location.state.toUpperCase()})` : ''}`, url: 'https://www.naag.org/find-my-ag/' };
    case 'gdpr':
      return dataProtectionAuthorities[location.country.toUpperCase()] ?? { name: `the data protection authority of ${location.country.toUpperCase()}`, url: 'https://www.edpb.europa.eu/about-edpb/about-edpb/members_en' };
    case 'uk':
      return { name: 'Information Commissioner’s Office (ICO)', url: 'https://ico.org.uk/make-a-complaint/' };
    case 'other':
      return { name: 'the data protection authority where you live', url: 'https://www.edpb.europa.eu/about-edpb/about-edpb/members_en' };
  }
}

/** How to appeal (notice §15: reply to the answer; here also the link in the answer). */
export function appealInstructions(regime: Regime): string {
  return regime === 'us_state'
    ? 'You can appeal this decision: use the appeal link below or reply to this email. A different person reviews your request and answers within 45 days.'
    : 'If you disagree, you can ask us to review this decision: use the appeal link below or reply to this email. A different person reviews your request.';
}
