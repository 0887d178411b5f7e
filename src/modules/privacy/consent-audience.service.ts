// Who may be in a sale/share or targeted-advertising audience or export (PV-24, PV-25): the one check every such
// list goes through. A member is in only when none of these holds: known to be under 16, processing restricted
// (PV-20), an opt-out request in effect (sale/share, targeted ads, consent withdrawn), or no current consent to
// advertising (the regional default where nothing current is recorded; a GPC opt-out is a recorded denial).
import type { Ctx } from '../../deps.ts';
import { activeMemberIdsAfter, memberAudienceFacts, normalizeEmail } from '../accounts/index.ts';
import { defaultChoice, regionPattern } from './consent.rules.ts';
import { selectMemberPurposeRecords, selectOptedOut } from './consent.repository.ts';
import { currentNoticeVersions } from './consent.service.ts';
import { advertisingBlock, advertisingOptOuts, type AdvertisingBlock } from './cookies.rules.ts';
import { isUnderSixteen } from './cookies.service.ts';
import { excludeRestricted } from './restriction.service.ts';

export interface AdvertisingAudience {
  /** The members that may be in the audience, in the order given. */
  memberIds: string[];
  counts: {
    considered: number;
    included: number;
    /** Members left out, by the first reason that applies; `unknown`: no such active member. */
    excluded: Record<AdvertisingBlock | 'unknown', number>;
  };
}

/**
 * The given members that may be used for sale/share and targeted advertising. `region` overrides each member's own
 * country for the consent default (a campaign aimed at one region); by default a member's country decides.
 */
export async function advertisingAudience(ctx: Ctx, memberIds: readonly string[], options: { region?: string | null } = {}): Promise<AdvertisingAudience> {
  const ids = [...new Set(memberIds)];
  const facts = new Map((await memberAudienceFacts(ctx, ids)).map((member) => [member.id, member]));
  const members = ids.filter((id) => facts.get(id)?.status === 'active' && facts.get(id)?.role === 'member');
  const unrestricted = new Set(await excludeRestricted(ctx, members));
  const optedOut = await selectOptedOut(ctx.db, { memberIds: members, emails: members.map((id) => normalizeEmail(facts.get(id)!.email)) }, advertisingOptOuts);
  const advertisingVersion = (await currentNoticeVersions(ctx)).advertising;
  const latest = new Map<string, { choice: 'granted' | 'denied'; method: string; current: boolean }>();
  for (const row of await selectMemberPurposeRecords(ctx.db, members, 'advertising')) {
    latest.set(row.member_id as string, { choice: row.choice, method: row.method, current: Number(row.notice_version) >= advertisingVersion });
  }
  const nowMs = ctx.clock.nowMs();
  const excluded: AdvertisingAudience['counts']['excluded'] = { unknown: ids.length - members.length, under_16: 0, restricted: 0, opt_out_request: 0, gpc: 0, consent: 0 };
  const included: string[] = [];
  for (const id of members) {
    const member = facts.get(id)!;
    const region = options.region !== undefined ? options.region : member.country && regionPattern.test(member.country.toUpperCase()) ? member.country.toUpperCase() : null;
    const record = latest.get(id);
    const consent = record?.current ? record.choice : defaultChoice('advertising', region);
    const block = advertisingBlock({
      underSixteen: isUnderSixteen(member.dateOfBirth, nowMs),
      restricted: !unrestricted.has(id),
      optedOut: optedOut.memberIds.has(id) || optedOut.emails.has(normalizeEmail(member.email)),
      // A GPC opt-out is a recorded denial; it is counted apart so the signal's effect is visible.
      gpc: record?.current === true && record.choice === 'denied' && record.method === 'gpc',
      consent,
    });
    if (block === null) included.push(id);
    else excluded[block] += 1;
  }
  return { memberIds: included, counts: { considered: ids.length, included: included.length, excluded } };
}

/** Whether one member may be used for sale/share or targeted advertising now (PV-25 and the rest above). */
export async function mayUseForAdvertising(ctx: Ctx, memberId: string, region?: string | null): Promise<boolean> {
  return (await advertisingAudience(ctx, [memberId], region === undefined ? {} : { region })).counts.included === 1;
}

/** One page of the whole membership's advertising audience, for the agent endpoint and exports (bounded). */
export async function advertisingAudiencePage(ctx: Ctx, input: { afterId: string | null; limit: number; region?: string | null }): Promise<AdvertisingAudience & { nextAfterId: string | null }> {
  const page = await activeMemberIdsAfter(ctx, input.afterId, input.limit);
  const audience = await advertisingAudience(ctx, page, input.region === undefined ? {} : { region: input.region });
  return { ...audience, nextAfterId: page.length === Math.min(Math.max(1, input.limit), 1000) ? (page.at(-1) ?? null) : null };
}
