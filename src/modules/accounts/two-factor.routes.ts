// 2-step verification settings for the signed-in member (AC-5).
import { transact, type Deps } from '../../deps.ts';
import { requireSession } from '../../http/principal.ts';
import { noBody } from '../../http/route-guards.ts';
import type { ZodApp } from '../../http/types.ts';
import { AppError } from '../../platform/errors.ts';
import { codeBody, recoveryCodesView, tags, twoFactorSetupView, twoFactorStatusView } from './accounts.schemas.ts';
import { getMemberDetails } from './members.service.ts';
import { rateLimits } from './rate-limits.rules.ts';
import { beginTwoFactorSetup, disableTwoFactor, enableTwoFactor, regenerateRecoveryCodes, totpKeyFor } from './two-factor.service.ts';

export function registerTwoFactorRoutes(app: ZodApp, deps: Deps): void {
  const totpKey = totpKeyFor(deps.secret);
  app.get('/me/two-factor', { schema: { tags, summary: 'Whether 2-step verification is on, and how many recovery codes are left', response: { 200: twoFactorStatusView } }, config: { auth: 'session' } }, async (request) => {
    const principal = requireSession(request);
    const details = await getMemberDetails(deps, principal.memberId);
    if (!details) throw new AppError('unauthenticated', 'Please sign in.');
    return { enabled: details.twoFactorEnabled, recoveryCodesLeft: details.recoveryCodesLeft };
  });

  app.post(
    '/me/two-factor/setup',
    { schema: { tags, summary: 'Start 2-step set-up: a secret and otpauth:// URL for an authenticator app (AC-5)', body: noBody, response: { 200: twoFactorSetupView } }, config: { auth: 'session', rateLimit: rateLimits.codeEntry } },
    async (request) => {
      const principal = requireSession(request);
      return transact(deps, (ctx) => beginTwoFactorSetup({ ...ctx, totpKey }, { memberId: principal.memberId }));
    },
  );

  app.post(
    '/me/two-factor/enable',
    {
      schema: { tags, summary: 'Turn 2-step verification on with a first code; returns 10 recovery codes, shown once (AC-5)', body: codeBody, response: { 200: recoveryCodesView } },
      config: { auth: 'session', rateLimit: rateLimits.codeEntry },
    },
    async (request) => {
      const principal = requireSession(request);
      return transact(deps, (ctx) => enableTwoFactor({ ...ctx, totpKey }, { memberId: principal.memberId, code: request.body.code }));
    },
  );

  app.post(
    '/me/two-factor/disable',
    { schema: { tags, summary: 'Turn 2-step verification off; needs a current code or a recovery code (AC-5)', body: codeBody, response: { 200: twoFactorStatusView } }, config: { auth: 'session', rateLimit: rateLimits.codeEntry } },
    async (request) => {
      const principal = requireSession(request);
      await transact(deps, (ctx) => disableTwoFactor({ ...ctx, totpKey }, { memberId: principal.memberId, code: request.body.code }));
      return { enabled: false, recoveryCodesLeft: 0 };
    },
  );

  app.post(
    '/me/two-factor/recovery-codes',
    { schema: { tags, summary: 'Replace all recovery codes; needs a current code (AC-5)', body: codeBody, response: { 200: recoveryCodesView } }, config: { auth: 'session', rateLimit: rateLimits.codeEntry } },
    async (request) => {
      const principal = requireSession(request);
      return transact(deps, (ctx) => regenerateRecoveryCodes({ ...ctx, totpKey }, { memberId: principal.memberId, code: request.body.code }));
    },
  );
}
