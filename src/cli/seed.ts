// Demo data for a first start on the embedded default: a member and an agent whose sign-in details print once.
import { transact, type Deps } from '../deps.ts';
import { randomToken } from '../platform/ids.ts';
import * as accounts from '../modules/accounts/index.ts';
import * as store from '../modules/store/index.ts';

export interface SeedResult {
  memberEmail: string;
  memberPassword: string;
  agentEmail: string;
  agentPassword: string;
  banner: string;
}

export async function seedDemoData(deps: Deps): Promise<SeedResult> {
  const memberEmail = 'demo.member@patron.localhost';
  const agentEmail = 'demo.agent@patron.localhost';
  const memberPassword = `demo-${randomToken(9)}`;
  const agentPassword = `agent-${randomToken(9)}`;
  await transact(deps, async (ctx) => {
    await accounts.createMemberForSeed(ctx, {
      email: memberEmail,
      password: memberPassword,
      country: 'US',
      dateOfBirth: '1990-04-12',
      firstName: 'Dana',
      lastName: 'Demo',
      emailVerified: true,
    });
    await accounts.createStaffUser(ctx, { email: agentEmail, password: agentPassword, role: 'admin' });
    await store.seedStoreDemoData(ctx);
  });
  const banner = [
    '',
    'Demo data loaded. These sign-in details are shown once; keep them if you need them:',
    `  demo member  ${memberEmail}  /  ${memberPassword}`,
    `  demo agent   ${agentEmail}  /  ${agentPassword}   (admin role: console, mail view, clock)`,
    '',
  ].join('\n');
  return { memberEmail, memberPassword, agentEmail, agentPassword, banner };
}

/** Seeds only into an empty database, so restarts never duplicate or re-print anything. */
export async function seedDemoDataOnFirstStart(deps: Deps): Promise<SeedResult | undefined> {
  if ((await accounts.countUsers(deps)) > 0) return undefined;
  return seedDemoData(deps);
}
