// Newsletter sign-up (ST-10, PV-26): marketing_email consent (method `signup`, source `newsletter`; double opt-in
// where the region asks for it) and a one-time first-order discount code, one per normalized address EVER: the
// register keeps a keyed hash of every address that had its code, so unsubscribing and signing up again, or writing
// the address in another case or with spaces, never yields a second code.
import type { Deps } from '../../deps.ts';
import { randomInt } from '../../platform/ids.ts';
import { queueEmail } from '../notifications/index.ts';
import { createDiscountCode } from '../store/index.ts';
import { newsletterCodeEmail } from './emails/newsletter-code.ts';
import { newsletterEmailKey } from './marketing.rules.ts';
import { marketingTables } from './marketing.table.ts';
import { confirmEmailSignUp, signUpForEmail, type SignUpOutcome } from './subscriptions.service.ts';

const codeAlphabet = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

function newCode(): string {
  let suffix = '';
  for (let i = 0; i < 10; i++) suffix += codeAlphabet[randomInt(codeAlphabet.length)];
  return `WELCOME-${suffix}`;
}

/** Issues the code to a newly subscribed address unless it ever had one; the caller's transaction. */
export async function issueNewsletterCode(deps: Deps, subscriber: { address: string; member_id: string | null }): Promise<{ issued: boolean }> {
  const key = newsletterEmailKey(deps.secret, subscriber.address);
  const earlier = await marketingTables(deps.db).selectFrom('marketing_newsletter_codes').select('email_key').where('email_key', '=', key).executeTakeFirst();
  if (earlier) return { issued: false };
  const percent = deps.config.marketing.newsletterDiscountPercent;
  const code = await createDiscountCode(deps, { id: null, role: 'system' }, { code: newCode(), kind: 'percent', percentBp: percent * 100, maxUses: 1, firstOrderOnly: true });
  // The key is the primary key: a concurrent second sign-up of the same address fails here and rolls its code back.
  await marketingTables(deps.db).insertInto('marketing_newsletter_codes').values({ email_key: key, discount_code_id: code.id, issued_at_ms: deps.clock.nowMs() }).execute();
  await queueEmail(deps, { memberId: subscriber.member_id, to: subscriber.address, template: newsletterCodeEmail, data: { code: code.code, percent } });
  return { issued: true };
}

/** The public form's sign-up, in the caller's transaction. The answer never says whether a code was issued. */
export function signUpForNewsletter(deps: Deps, input: { email: string; region: string | null; memberId: string | null }): Promise<SignUpOutcome> {
  return signUpForEmail(deps, { email: input.email, memberId: input.memberId, region: input.region, source: 'newsletter' }, async (ctx, subscriber) => {
    if (subscriber.source === 'newsletter') await issueNewsletterCode(ctx, subscriber);
  });
}

/** The double opt-in link of a newsletter sign-up; the code follows the confirmation. */
export function confirmNewsletterSignUp(deps: Deps, token: string): Promise<{ email: string }> {
  return confirmEmailSignUp(deps, token, async (ctx, subscriber) => {
    if (subscriber.source === 'newsletter') await issueNewsletterCode(ctx, subscriber);
  });
}
