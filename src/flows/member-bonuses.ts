// The sign-up and profile bonuses (CR-1, CR-2) as the flows layer's answer to the accounts module's lifecycle port:
// accounts creates the member or completes the profile, and this grants the bonus in the same transaction. It lives
// here, above both modules, so accounts never imports credits.
import type { MemberLifecycle } from '../deps.ts';
import { grantBonus } from '../modules/credits/index.ts';

export const memberBonuses: MemberLifecycle = {
  async memberCreated(ctx, memberId, facts) {
    // CR-1: one registration bonus per person, ever: a sign-up with an address a closed account had earns nothing.
    if (facts.emailClosedBefore) return;
    await grantBonus(ctx, { memberId, kind: 'registration' });
  },
  async profileCompleted(ctx, memberId) {
    // The credits module keys the bonus once per account, so a profile cleared and completed again gets the first
    // grant back, unchanged.
    await grantBonus(ctx, { memberId, kind: 'profile_completion' });
  },
  // A sign-in earns nothing; the full lifecycle (member-lifecycle.ts) adds the consent merge to it (PV-23).
  async signedIn() {},
};
