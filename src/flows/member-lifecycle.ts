// The flows layer's answer to the accounts module's lifecycle port: the sign-up and profile bonuses (CR-1, CR-2,
// member-bonuses.ts) and, at every sign-in, the browser's cookie choices joining the account (PV-23). It lives here,
// above accounts, credits and privacy, so accounts imports neither.
import type { MemberLifecycle } from '../deps.ts';
import { mergeDeviceConsents } from '../modules/privacy/index.ts';
import { memberBonuses } from './member-bonuses.ts';

export const memberLifecycle: MemberLifecycle = {
  ...memberBonuses,
  async signedIn(ctx, memberId, facts) {
    await memberBonuses.signedIn(ctx, memberId, facts);
    if (facts.deviceId) await mergeDeviceConsents(ctx, { memberId, deviceId: facts.deviceId });
  },
};
