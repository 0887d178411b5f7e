// /account: the member center's overview: who is signed in, what still needs doing, where everything is.
import { useState } from 'react';
import { accountsApi } from '../../api/accounts.ts';
import { creditsApi } from '../../api/credits.ts';
import { ErrorSummary, useForm } from '../../components/forms.tsx';
import { ErrorPanel, Loading, Page } from '../../components/layout.tsx';
import { formatCredits, formatDate } from '../../lib/format.ts';
import { countryName } from '../../lib/places.ts';
import { useResource } from '../../lib/use-resource.ts';
import { Link } from '../../router.tsx';

function VerificationNotice() {
  const form = useForm();
  const [sent, setSent] = useState(false);
  return (
    <div className="notice" aria-label="Email not confirmed" role="region">
      <div>
        <strong>Confirm your email address.</strong> We sent you a link when you signed up. Rewards and order history appear once your
        address is confirmed.
      </div>
      <ErrorSummary form={form} title="Could not send the link" />
      {sent ? (
        <p role="status" className="small">
          A new link is on its way.
        </p>
      ) : (
        <button
          type="button"
          className="button secondary small"
          onClick={() => {
            form.clear();
            accountsApi.resendVerification().then(() => setSent(true), form.report);
          }}
        >
          Send a new link
        </button>
      )}
    </div>
  );
}

function CreditsTile() {
  const balance = useResource(() => creditsApi.balance(), []);
  const data = balance.data;
  return (
    <section className="card tile" aria-labelledby="tile-credits">
      <h2 id="tile-credits">Credits</h2>
      {balance.loading && !data && <Loading label="Loading your balance…" />}
      {balance.error !== undefined && (
        <p className="muted small">
          Your balance could not be loaded.{' '}
          <button type="button" className="button link-button small" onClick={balance.reload}>
            Try again
          </button>
        </p>
      )}
      {data && (
        <>
          <p className="tile-figure">
            <span className="stat-value">{formatCredits(data.available)}</span> <span className="muted">available</span>
          </p>
          <p className="muted small">
            {data.pendingTotal > 0 ? `${formatCredits(data.pendingTotal)} more unlock soon.` : 'Earn credits on every order.'}
            {data.expiringSoon.length > 0 && ` Some credits expire on ${formatDate(data.expiringSoon[0]!.expiresAt)}.`}
          </p>
        </>
      )}
      <Link to="/account/credits" className="tile-link">
        See your credits and history
      </Link>
    </section>
  );
}

export function AccountHomePage() {
  const profile = useResource(() => accountsApi.me(), []);
  const me = profile.data;
  const name = me?.preferredName || me?.firstName;
  return (
    <Page title={name ? `Hello, ${name}` : 'Your account'} lead="Your rewards, orders and settings in one place.">
      {profile.loading && !me && <Loading />}
      {profile.error !== undefined && <ErrorPanel error={profile.error} onRetry={profile.reload} />}
      {me && (
        <>
          {!me.emailVerified && <VerificationNotice />}
          <div className="tiles">
            <CreditsTile />
            <section className="card tile" aria-labelledby="tile-profile">
              <h2 id="tile-profile">Profile</h2>
              <dl className="facts">
                <div>
                  <dt>Email</dt>
                  <dd>
                    {me.email} {me.emailVerified ? <span className="badge success">Confirmed</span> : <span className="badge warning">Not confirmed</span>}
                  </dd>
                </div>
                <div>
                  <dt>Country</dt>
                  <dd>{countryName(me.country)}</dd>
                </div>
                <div>
                  <dt>Member since</dt>
                  <dd>{formatDate(me.createdAt)}</dd>
                </div>
              </dl>
              <Link to="/account/profile" className="tile-link">
                Edit your profile
              </Link>
            </section>
            <section className="card tile" aria-labelledby="tile-security">
              <h2 id="tile-security">Security</h2>
              <dl className="facts">
                <div>
                  <dt>2-step verification</dt>
                  <dd>{me.twoFactorEnabled ? <span className="badge success">On</span> : <span className="badge">Off</span>}</dd>
                </div>
              </dl>
              <p className="muted small">{me.twoFactorEnabled ? 'Your account asks for a code from your authenticator app when you sign in.' : 'Add a code from an authenticator app to every sign-in.'}</p>
              <Link to="/account/security" className="tile-link">
                Manage security and devices
              </Link>
            </section>
          </div>
        </>
      )}
    </Page>
  );
}
