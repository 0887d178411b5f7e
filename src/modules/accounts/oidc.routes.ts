// Sign-in with OpenID Connect providers (AC-7). The start and callback are browser navigations (redirects);
// finishing a provider sign-up is a JSON call from the sign-up form.
import { isAppError } from '../../platform/errors.ts';
import { z } from 'zod';
import { transact, type Deps } from '../../deps.ts';
import type { ZodApp } from '../../http/types.ts';
import { readDeviceId } from '../../http/device-id.ts';
import { oidcCallbackQuery, oidcCompleteBody, oidcCompletedView, providerListView, providerParam, tags } from './accounts.schemas.ts';
import { loadMemberView } from './auth.routes.ts';
import { callbackUrlFor, completeOidcSignUp, findProvider, oidcFlowLifetimeMs, receiveOidcCallback, resolveOidcIdentity, startOidcSignIn } from './oidc.service.ts';
import { rateLimits } from './rate-limits.rules.ts';
import { clearOidcStateCookie, oidcStateCookieName, setOidcStateCookie, setSessionCookie } from './session-cookie.routes.ts';

const redirect = z.null().describe('Redirect (Location header)');

/**
 * Where the callback sends the browser. Tokens for the next step ride in the URL fragment, which browsers never
 * send to a server, so they do not end up in access logs or Referer headers.
 */
export const oidcLandingPaths = {
  signedIn: '/account',
  twoFactor: '/sign-in#challenge=',
  completeSignUp: '/sign-up/complete#token=',
} as const;

export function registerOidcRoutes(app: ZodApp, deps: Deps): void {
  const publicUrl = deps.config.http.publicUrl;
  const providers = deps.config.oidcProviders;

  app.get('/auth/oidc/providers', { schema: { tags, summary: 'The sign-in providers this store offers (AC-7)', response: { 200: providerListView } }, config: { auth: 'public' } }, async () => ({
    providers: providers.map((provider) => ({ id: provider.id, name: provider.name, startUrl: `${publicUrl}/api/v1/auth/oidc/${provider.id}/start` })),
  }));

  app.get(
    '/auth/oidc/:provider/start',
    { schema: { tags, summary: 'Start signing in with a provider: redirects there (AC-7)', params: providerParam, response: { 302: redirect } }, config: { auth: 'public', rateLimit: rateLimits.oidc } },
    async (request, reply) => {
      const provider = findProvider(providers, request.params.provider);
      const { authorizationUrl, state } = await startOidcSignIn(deps, { provider, publicUrl, onProviderError: (error) => request.log.warn({ err: error, provider: provider.id }, 'oidc discovery failed') });
      setOidcStateCookie(reply, deps, state, Math.floor(oidcFlowLifetimeMs / 1000));
      return reply.redirect(authorizationUrl, 302);
    },
  );

  app.get(
    '/auth/oidc/:provider/callback',
    {
      schema: { tags, summary: 'The provider sends the browser back here; signs in, links or starts a sign-up (AC-7)', params: providerParam, querystring: oidcCallbackQuery, response: { 302: redirect } },
      config: { auth: 'public', rateLimit: rateLimits.oidc },
    },
    async (request, reply) => {
      const provider = findProvider(providers, request.params.provider);
      const queryIndex = request.url.indexOf('?');
      const callbackUrl = new URL(callbackUrlFor(publicUrl, provider.id) + (queryIndex === -1 ? '' : request.url.slice(queryIndex)));
      clearOidcStateCookie(reply, deps);
      let outcome: Awaited<ReturnType<typeof resolveOidcIdentity>>;
      try {
        const identity = await receiveOidcCallback(deps, {
          provider,
          callbackUrl,
          browserState: request.cookies[oidcStateCookieName],
          onProviderError: (error) => request.log.warn({ err: error, provider: provider.id }, 'oidc callback failed'),
        });
        outcome = await transact(deps, (ctx) => resolveOidcIdentity(ctx, { identity, publicUrl, userAgent: request.headers['user-agent'], deviceId: readDeviceId(request) }));
      } catch (error) {
        // A person's browser lands here from the provider: show them the sign-in page with the reason rather
        // than a JSON body. API clients (no text/html in Accept) keep the one error shape.
        if (!isAppError(error) || !request.headers.accept?.includes('text/html')) throw error;
        const fragment = new URLSearchParams({ error: error.code, message: error.message });
        return reply.redirect(`${publicUrl}/sign-in#${fragment.toString()}`, 302);
      }
      switch (outcome.status) {
        case 'signed_in':
          setSessionCookie(reply, deps, outcome.session);
          return reply.redirect(`${publicUrl}${oidcLandingPaths.signedIn}`, 302);
        case 'two_factor_required':
          return reply.redirect(`${publicUrl}${oidcLandingPaths.twoFactor}${encodeURIComponent(outcome.challengeId)}`, 302);
        case 'profile_required':
          return reply.redirect(`${publicUrl}${oidcLandingPaths.completeSignUp}${encodeURIComponent(outcome.completionToken)}`, 302);
      }
    },
  );

  app.post(
    '/auth/oidc/complete',
    {
      schema: { tags, summary: 'Finish a provider sign-up with country and date of birth; eligibility applies (AC-2, AC-7)', body: oidcCompleteBody, response: { 200: oidcCompletedView } },
      config: { auth: 'public', rateLimit: rateLimits.signUp },
    },
    async (request, reply) => {
      const { member, session } = await transact(deps, (ctx) => completeOidcSignUp(ctx, { ...request.body, publicUrl, userAgent: request.headers['user-agent'], deviceId: readDeviceId(request) }));
      setSessionCookie(reply, deps, session);
      return { status: 'signed_in' as const, member: await loadMemberView(deps, member.id), csrfToken: session.csrfToken };
    },
  );
}
