// /sign-in: email and password (and a 2-step code when enabled), or a configured OpenID Connect provider.
import { useState } from 'react';
import { accountsApi } from '../../api/accounts.ts';
import { Page } from '../../components/layout.tsx';
import { SignInForm } from '../../components/sign-in-form.tsx';
import { safeNextPath } from '../../lib/next-path.ts';
import { useResource } from '../../lib/use-resource.ts';
import { Link, Redirect, navigate, useLocation } from '../../router.tsx';
import { useSession } from '../../session.tsx';

function ProviderButtons() {
  const providers = useResource(() => accountsApi.oidcProviders(), []);
  const list = providers.data?.providers ?? [];
  if (list.length === 0) return null;
  return (
    <div className="providers">
      <p className="divider">
        <span>or</span>
      </p>
      <ul className="plain-list stack-small">
        {list.map((provider) => (
          <li key={provider.id}>
            {/* A full page load: the provider's start route answers with a redirect to the provider. */}
            <a className="button secondary block" href={provider.startUrl}>
              Continue with {provider.name}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * A provider sign-in that needs the 2-step code lands on /sign-in#challenge=…: the fragment never reaches a
 * server. It is read once and removed from the address bar.
 */
function takeChallengeFromFragment(): string | null {
  const match = /^#challenge=([^&]+)$/.exec(window.location.hash);
  if (!match?.[1]) return null;
  window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search);
  return decodeURIComponent(match[1]);
}

/** A provider sign-in that failed lands on /sign-in#error=…&message=…; the reason is shown once. */
function takeProviderErrorFromFragment(): string | null {
  if (!window.location.hash.startsWith('#error=')) return null;
  const message = new URLSearchParams(window.location.hash.slice(1)).get('message');
  window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search);
  return message ?? 'Signing in with that provider did not work. Please try again.';
}

export function SignInPage() {
  const { state } = useSession();
  const { search } = useLocation();
  const [challengeId] = useState(takeChallengeFromFragment);
  const [providerError] = useState(takeProviderErrorFromFragment);
  const next = safeNextPath(search.get('next'), '/account');
  if (state.status === 'signed_in') return <Redirect to={next} />;
  return (
    <Page title="Sign in">
      <div className="auth-layout">
        <section className="card auth-card" aria-label="Sign in to your account">
          <p className="muted">Welcome back. Sign in to see your rewards, orders and account settings.</p>
          {providerError ? (
            <div className="notice" role="alert">
              <div>{providerError}</div>
            </div>
          ) : null}
          <SignInForm
            initialChallengeId={challengeId}
            onSignedIn={(session) => {
              if (session.status === 'signed_in') navigate(next);
            }}
          />
          <ProviderButtons />
          <div className="auth-links">
            <Link to="/forgot-password">Forgot your password?</Link>
            <span>
              New here? <Link to="/sign-up">Create an account</Link>
            </span>
          </div>
        </section>
      </div>
    </Page>
  );
}
