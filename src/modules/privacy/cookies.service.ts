// Cookie choices of a visitor (PV-23..PV-25): where they are, what they chose in this browser and, signed in, in their
// account; what a storefront may therefore load; saving a banner or settings choice; and the browser's choices joining
// the account at sign-in (the most restrictive wins for advertising, i.e. sale/share).
import type { Ctx } from '../../deps.ts';
import { ageInYears, calendarDateOfMs, getMember, normalizeEmail, parseCalendarDate } from '../accounts/index.ts';
import { consentRegime, cookiePurposes, regionPattern, type ConsentChoice, type ConsentMethod, type ConsentRegime } from './consent.rules.ts';
import { currentConsents, currentNoticeVersions, recordConsent, type ConsentRecord, type PurposeState } from './consent.service.ts';
import { selectOptedOut } from './consent.repository.ts';
import { advertisingBlock, advertisingMinimumAgeYears, advertisingOptOuts, bannerAsks, effectiveCategories, mergedChoice, type AdvertisingBlock, type CookieCategories, type CookiePurpose } from './cookies.rules.ts';
import { isRestricted } from './restriction.service.ts';

/** Who is looking: the browser's device ID and, signed in, the member; where they are; whether they send GPC. */
export interface Visitor {
  deviceId: string | null;
  memberId: string | null;
  region: string | null;
  /** The opt-out preference signal: `Sec-GPC: 1` on this request or `navigator.globalPrivacyControl` (PV-24). */
  gpc: boolean;
}

export interface VisitorConsent {
  region: string | null;
  regime: ConsentRegime;
  gpc: boolean;
  /** Whether the banner should ask: nothing current in an opt-in region, or a choice under an older notice. */
  ask: boolean;
  categories: CookieCategories;
  advertisingBlock: AdvertisingBlock | null;
  purposes: Record<CookiePurpose, PurposeState>;
  noticeVersions: Record<CookiePurpose, number>;
}

// Cloudflare answers XX for an unknown country and T1 for Tor: neither is a place.
const unknownRegionCodes = new Set(['XX', 'T1']);

/** A region header's value (CF-IPCountry `DE`, or `US-CA`), upper-cased, or null when missing or not a region. */
export function regionFromHeader(value: string | string[] | undefined): string | null {
  const text = (Array.isArray(value) ? value[0] : value)?.trim().toUpperCase();
  if (!text || !regionPattern.test(text) || unknownRegionCodes.has(text)) return null;
  return text;
}

/** Where the visitor is (PV-23): the configured request header, else a signed-in member's country, else the default. */
export async function resolveRegion(ctx: Ctx, input: { headerRegion: string | null; memberId: string | null; defaultRegion: string | null }): Promise<string | null> {
  if (input.headerRegion) return input.headerRegion;
  if (input.memberId) {
    const country = (await getMember(ctx, input.memberId))?.country?.toUpperCase();
    if (country && regionPattern.test(country)) return country;
  }
  return input.defaultRegion;
}

/** True only when the date of birth is known and the member is under 16 today (PV-25). */
export function isUnderSixteen(dateOfBirth: string | null, nowMs: number): boolean {
  const birth = dateOfBirth ? parseCalendarDate(dateOfBirth) : undefined;
  return birth !== undefined && ageInYears(birth, calendarDateOfMs(nowMs)) < advertisingMinimumAgeYears;
}

interface MemberBlocks {
  restricted: boolean;
  optedOut: boolean;
  underSixteen: boolean;
}

async function memberBlocks(ctx: Ctx, memberId: string | null): Promise<MemberBlocks> {
  if (!memberId) return { restricted: false, optedOut: false, underSixteen: false };
  const member = await getMember(ctx, memberId);
  const optedOut = await selectOptedOut(ctx.db, { memberIds: [memberId], emails: member ? [normalizeEmail(member.email)] : [] }, advertisingOptOuts);
  return {
    restricted: await isRestricted(ctx, memberId),
    optedOut: optedOut.memberIds.size > 0 || optedOut.emails.size > 0,
    underSixteen: isUnderSixteen(member?.dateOfBirth ?? null, ctx.clock.nowMs()),
  };
}

function pickCookiePurposes<T>(all: Record<string, T>): Record<CookiePurpose, T> {
  return Object.fromEntries(cookiePurposes.map((purpose) => [purpose, all[purpose] as T])) as Record<CookiePurpose, T>;
}

/** Default states (nothing recorded) when the visitor has neither a device ID nor a session. */
function unrecordedStates(region: string | null, consents: Record<CookiePurpose, ConsentChoice>): Record<CookiePurpose, PurposeState> {
  return Object.fromEntries(cookiePurposes.map((purpose) => [purpose, { choice: consents[purpose], recorded: false, stale: false, noticeVersion: null, method: null, recordedAtMs: null, region }])) as Record<CookiePurpose, PurposeState>;
}

/** The visitor's current choices and what a storefront may load for them. */
export async function visitorConsent(ctx: Ctx, visitor: Visitor): Promise<VisitorConsent> {
  const subject = { deviceId: visitor.deviceId, memberId: visitor.memberId };
  const regime = consentRegime(visitor.region);
  const deniedUnlessOptOut: ConsentChoice = regime === 'opt_in' ? 'denied' : 'granted';
  const purposes = subject.deviceId || subject.memberId
    ? pickCookiePurposes(await currentConsents(ctx, subject, { region: visitor.region }))
    : unrecordedStates(visitor.region, { analytics: deniedUnlessOptOut, advertising: deniedUnlessOptOut, personalization: deniedUnlessOptOut });
  const blocks = await memberBlocks(ctx, visitor.memberId);
  const choices = { analytics: purposes.analytics.choice, advertising: purposes.advertising.choice, personalization: purposes.personalization.choice };
  return {
    region: visitor.region,
    regime,
    gpc: visitor.gpc,
    ask: bannerAsks(visitor.region, purposes),
    categories: effectiveCategories(choices, { ...blocks, gpc: visitor.gpc }),
    advertisingBlock: advertisingBlock({ ...blocks, gpc: visitor.gpc, consent: choices.advertising }),
    purposes,
    noticeVersions: pickCookiePurposes(await currentNoticeVersions(ctx)),
  };
}

export interface CookieChoiceInput {
  /** The categories the visitor turned on or off; the ones left out keep their current choice. */
  choices: Partial<Record<CookiePurpose, boolean>>;
  method: Extract<ConsentMethod, 'banner' | 'settings'>;
}

/**
 * Records a banner or settings choice for the browser (and the account, signed in) in the caller's transaction.
 * Every category in the choice is written once under the current notice, unchanged ones included when the banner
 * asked (so a re-asked purpose is answered); with the opt-out preference signal on, advertising stays denied and
 * that denial is recorded with method `gpc` (PV-24).
 */
export async function saveCookieChoices(ctx: Ctx, visitor: Visitor, input: CookieChoiceInput): Promise<ConsentRecord[]> {
  const subject = { deviceId: visitor.deviceId, memberId: visitor.memberId };
  const records: ConsentRecord[] = [];
  if (visitor.gpc) records.push(...(await honourGpc(ctx, visitor)));
  const choices = cookiePurposes
    .filter((purpose) => input.choices[purpose] !== undefined && !(visitor.gpc && purpose === 'advertising'))
    .map((purpose) => ({ purpose, choice: (input.choices[purpose] ? 'granted' : 'denied') as ConsentChoice }));
  if (choices.length > 0) records.push(...(await recordConsent(ctx, { subject, choices, method: input.method, region: visitor.region })));
  return records;
}

/**
 * Turns advertising (sale/share) off for the browser and the signed-in account with method `gpc`, once per change:
 * nothing is written when it is already off under the current notice (PV-24). Without a device ID or a session
 * there is nothing to remember it by; the signal itself, sent with every request, is honoured anyway.
 */
export async function honourGpc(ctx: Ctx, visitor: Pick<Visitor, 'deviceId' | 'memberId' | 'region'>): Promise<ConsentRecord[]> {
  if (!visitor.deviceId && !visitor.memberId) return [];
  return recordConsent(ctx, { subject: { deviceId: visitor.deviceId, memberId: visitor.memberId }, choices: [{ purpose: 'advertising', choice: 'denied' }], method: 'gpc', region: visitor.region, source: 'gpc' });
}

/** Whether a GPC request would change anything: a cheap read before opening a write transaction. */
export async function gpcWouldChange(ctx: Pick<Ctx, 'db'>, visitor: Pick<Visitor, 'deviceId' | 'memberId' | 'region'>): Promise<boolean> {
  if (!visitor.deviceId && !visitor.memberId) return false;
  const advertising = (await currentConsents(ctx, { deviceId: visitor.deviceId, memberId: visitor.memberId }, { region: visitor.region })).advertising;
  return !(advertising.recorded && advertising.choice === 'denied');
}

/**
 * The browser's cookie choices join the account at sign-in (PV-23), in the sign-in's transaction. Per purpose the
 * merged choice (cookies.rules.ts mergedChoice: the more restrictive for advertising, else the newer) is written
 * once, keyed by both the member and the device, wherever it differs from what either side holds, so the account
 * keeps it in other browsers and this browser follows the account from now on.
 */
export async function mergeDeviceConsents(ctx: Ctx, input: { memberId: string; deviceId: string }): Promise<ConsentRecord[]> {
  const device = await currentConsents(ctx, { deviceId: input.deviceId }, { region: null });
  const account = await currentConsents(ctx, { memberId: input.memberId }, { region: null });
  const side = (state: PurposeState) => (state.recorded && state.recordedAtMs !== null ? { choice: state.choice, recordedAtMs: state.recordedAtMs } : null);
  const written: ConsentRecord[] = [];
  for (const purpose of cookiePurposes) {
    const merged = mergedChoice(purpose, side(device[purpose]), side(account[purpose]));
    if (merged === null) continue;
    const deviceAgrees = device[purpose].recorded && device[purpose].choice === merged;
    const accountAgrees = account[purpose].recorded && account[purpose].choice === merged;
    if (deviceAgrees && accountAgrees) continue;
    // The record carries the method and region of the side whose choice won (the browser's on a tie).
    const from = deviceAgrees ? device[purpose] : account[purpose];
    written.push(
      ...(await recordConsent(
        ctx,
        { subject: { memberId: input.memberId, deviceId: input.deviceId }, choices: [{ purpose, choice: merged }], method: from.method ?? 'banner', region: from.region, source: 'sign_in' },
        { always: true },
      )),
    );
  }
  return written;
}
