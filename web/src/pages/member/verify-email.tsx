// /verify-email?token=…: confirms the address with the single-use link from the email (AC-6).
import { useEffect, useRef, useState } from 'react';
import { accountsApi } from '../../api/accounts.ts';
import { ApiError } from '../../api/client.ts';
import { Loading, Page } from '../../components/layout.tsx';
import { Link, useLocation } from '../../router.tsx';
import { useSession } from '../../session.tsx';

type Outcome = { status: 'working' } | { status: 'verified' } | { status: 'failed'; message: string };

export function VerifyEmailPage() {
  const { search } = useLocation();
  const token = search.get('token') ?? '';
  const { state, refresh } = useSession();
  const [outcome, setOutcome] = useState<Outcome>(token ? { status: 'working' } : { status: 'failed', message: 'This link has no token. Open the link from the email again.' });
  // The token is single-use: send it once even when React runs effects twice in development.
  const sent = useRef<string | null>(null);

  useEffect(() => {
    if (!token || sent.current === token) return;
    sent.current = token;
    accountsApi.verifyEmail(token).then(
      () => {
        setOutcome({ status: 'verified' });
        void refresh();
      },
      (error: unknown) => {
        const message =
          error instanceof ApiError ? error.message : 'We could not confirm your email address. Please try again.';
        setOutcome({ status: 'failed', message });
      },
    );
  }, [token, refresh]);

  const signedIn = state.status === 'signed_in';
  return (
    <Page title="Confirm your email">
      <div className="auth-layout">
        <section className="card auth-card" aria-label="Email confirmation">
          {outcome.status === 'working' && <Loading label="Confirming your email address…" />}
          {outcome.status === 'verified' && (
            <>
              <p className="success-banner" role="status">
                Your email address is confirmed.
              </p>
              <p>{signedIn ? <Link to="/account">Continue to your account</Link> : <Link to="/sign-in">Sign in to your account</Link>}</p>
            </>
          )}
          {outcome.status === 'failed' && (
            <>
              <div className="error-summary" role="alert">
                <h2>We could not confirm your email</h2>
                <p>{outcome.message}</p>
              </div>
              <p>Links expire and work once. {signedIn ? 'You can send a new one from your account overview.' : 'Sign in to send a new one.'}</p>
              <p>{signedIn ? <Link to="/account">Go to your account</Link> : <Link to="/sign-in">Sign in</Link>}</p>
            </>
          )}
        </section>
      </div>
    </Page>
  );
}
