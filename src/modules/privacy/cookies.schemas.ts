// Request and response schemas of the cookie banner, notices, consent history and advertising audience routes
// (PV-22..PV-25).
import { z } from 'zod';
import { deviceIdPattern } from '../../http/device-id.ts';
import { consentChoices, consentMethods, consentPurposes, cookiePurposes, regionPattern } from './consent.rules.ts';
import type { ConsentRecord, PurposeState } from './consent.service.ts';
import type { AdvertisingAudience } from './consent-audience.service.ts';
import type { VisitorConsent } from './cookies.service.ts';

export const consentTags = ['privacy — consent'];

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const deviceId = z.string().regex(deviceIdPattern, 'a device ID: 16-64 letters, digits, - or _');

export const consentQuery = z.strictObject({
  deviceId: deviceId.optional().describe('The storefront’s device ID when the Patron device cookie is not sent (another origin)'),
  gpc: z.enum(['1']).optional().describe('1 when the page reads navigator.globalPrivacyControl as true (the Sec-GPC header counts too)'),
});

export const cookieChoiceBody = z.strictObject({
  deviceId: deviceId.optional().describe('The storefront’s device ID; Patron’s own pages use the device cookie'),
  choices: z.strictObject({ analytics: z.boolean().optional(), advertising: z.boolean().optional(), personalization: z.boolean().optional() }).refine((c) => Object.keys(c).length > 0, 'choose at least one category'),
  method: z.enum(['banner', 'settings']),
  gpc: z.boolean().optional().describe('navigator.globalPrivacyControl as the page reads it'),
});

const purposeView = z.object({
  choice: z.enum(consentChoices),
  recorded: z.boolean(),
  stale: z.boolean(),
  noticeVersion: z.number().int().nullable(),
  method: z.enum(consentMethods).nullable(),
  recordedAt: z.iso.datetime().nullable(),
});

const categoriesView = z.object({ necessary: z.literal(true), analytics: z.boolean(), advertising: z.boolean(), personalization: z.boolean() });

export const visitorConsentView = z.object({
  deviceId: z.string().nullable().describe('The device ID the choices are kept under (null before any choice)'),
  signedIn: z.boolean(),
  region: z.string().nullable(),
  regime: z.enum(['opt_in', 'opt_out']),
  gpc: z.boolean().describe('The opt-out preference signal was received and is honored'),
  ask: z.boolean().describe('Show the banner: no current choice in an opt-in region, or a notice changed since the choice'),
  categories: categoriesView.describe('What may be loaded now: consent combined with GPC, opt-out requests, restriction and age'),
  advertisingBlock: z.enum(['under_16', 'restricted', 'opt_out_request', 'gpc', 'consent']).nullable(),
  purposes: z.object({ analytics: purposeView, advertising: purposeView, personalization: purposeView }),
  noticeVersions: z.object({ analytics: z.number().int(), advertising: z.number().int(), personalization: z.number().int() }),
});

function toPurposeView(state: PurposeState) {
  return { choice: state.choice, recorded: state.recorded, stale: state.stale, noticeVersion: state.noticeVersion, method: state.method, recordedAt: iso(state.recordedAtMs) };
}

export function toVisitorConsentView(consent: VisitorConsent, extra: { deviceId: string | null; signedIn: boolean }): z.infer<typeof visitorConsentView> {
  return {
    deviceId: extra.deviceId,
    signedIn: extra.signedIn,
    region: consent.region,
    regime: consent.regime,
    gpc: consent.gpc,
    ask: consent.ask,
    categories: consent.categories,
    advertisingBlock: consent.advertisingBlock,
    purposes: { analytics: toPurposeView(consent.purposes.analytics), advertising: toPurposeView(consent.purposes.advertising), personalization: toPurposeView(consent.purposes.personalization) },
    noticeVersions: consent.noticeVersions,
  };
}

export const noticeBody = z.strictObject({
  purpose: z.enum(consentPurposes),
  text: z.string().trim().min(10).max(20_000).describe('The changed notice text: a new version that asks this purpose again'),
});
export const noticeView = z.object({ purpose: z.enum(consentPurposes), version: z.number().int() });

export const consentRecordView = z.object({
  id: z.string(),
  purpose: z.enum(consentPurposes),
  choice: z.enum(consentChoices),
  method: z.enum(consentMethods),
  noticeVersion: z.number().int(),
  region: z.string().nullable(),
  recordedAt: z.iso.datetime(),
  source: z.string().nullable(),
  deviceId: z.string().nullable(),
});
export const consentHistoryView = z.object({ memberId: z.string(), records: z.array(consentRecordView) });

export function toConsentRecordView(record: ConsentRecord): z.infer<typeof consentRecordView> {
  return { id: record.id, purpose: record.purpose, choice: record.choice, method: record.method, noticeVersion: record.noticeVersion, region: record.region, recordedAt: new Date(record.recordedAtMs).toISOString(), source: record.source, deviceId: record.subject.deviceId };
}

export const audienceQuery = z.strictObject({
  after: z.string().regex(/^mem_[0-9a-z]+$/i).optional().describe('The last member ID of the previous page'),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
  region: z.string().regex(regionPattern).optional().describe('Judge consent by this region instead of each member’s country'),
});
export const audienceView = z.object({
  memberIds: z.array(z.string()),
  counts: z.object({
    considered: z.number().int(),
    included: z.number().int(),
    excluded: z.object({ unknown: z.number().int(), under_16: z.number().int(), restricted: z.number().int(), opt_out_request: z.number().int(), gpc: z.number().int(), consent: z.number().int() }),
  }),
  nextAfter: z.string().nullable(),
});

export function toAudienceView(audience: AdvertisingAudience & { nextAfterId: string | null }): z.infer<typeof audienceView> {
  return { memberIds: audience.memberIds, counts: audience.counts, nextAfter: audience.nextAfterId };
}

export const cookiePurposeList = cookiePurposes;
