// The member center's privacy pieces: closing the account (AC-10, PV-32) with its confirmation dialog and the
// "sign in again" step, and the notice shown while the member's data is restricted (PV-20).
import { useId, useState } from 'react';
import { ApiError } from '../api/client.ts';
import { privacyApi, reauthenticationRequiredCode, type Closure } from '../api/privacy.ts';
import { ErrorSummary, SubmitButton, useForm } from './forms.tsx';
import { ErrorPanel, Loading } from './layout.tsx';
import { SignInForm } from './sign-in-form.tsx';
import { formatCredits, formatDateTime } from '../lib/format.ts';
import { useResource } from '../lib/use-resource.ts';
import { navigate } from '../router.tsx';
import { useSession } from '../session.tsx';
import { useModalDialog } from '../lib/use-modal-dialog.ts';

const blockerText = {
  checkout_in_progress: 'An order is still being paid for. Wait until its payment has gone through or been cancelled.',
  refund_pending: 'A refund is still on its way to you. Wait until it has completed.',
  plus_payment_pending: 'Your Plus payment is still being processed. Wait a few minutes.',
} as const;

/** The notice on member pages while processing is restricted to storage (PV-20). */
export function RestrictionNotice() {
  const restriction = useResource(() => privacyApi.restriction(), []);
  if (!restriction.data?.restricted) return null;
  return (
    <div className="notice" role="region" aria-label="Restricted">
      <div>
        <strong>Restricted</strong>
        {restriction.data.since && <span className="muted small"> since {formatDateTime(restriction.data.since)}</span>}
        <p className="small">{restriction.data.effect}</p>
      </div>
    </div>
  );
}

function CloseAccountDialog({ creditsToForfeit, plusEnds, onConfirm, onClose }: { creditsToForfeit: number; plusEnds: boolean; onConfirm: () => Promise<void>; onClose: () => void }) {
  const dialog = useModalDialog();
  const titleId = useId();
  const form = useForm();
  return (
    <dialog ref={dialog} className="dialog" aria-labelledby={titleId} onCancel={onClose}>
      <form className="stack" noValidate onSubmit={form.handle(onConfirm)}>
        <h2 id={titleId}>Close your account?</h2>
        <ErrorSummary form={form} title="Your account was not closed" />
        <ul className="stack-small">
          {plusEnds && (
            <li>
              <strong>Your Plus membership ends now</strong>, without a refund.
            </li>
          )}
          <li>
            <strong>{creditsToForfeit > 0 ? `${formatCredits(creditsToForfeit)} credits are forfeited` : 'You have no credits to lose'}</strong>
            {creditsToForfeit > 0 ? ', including pending and held credits. They cannot be restored.' : '.'}
          </li>
          <li>You are signed out everywhere and cannot sign in again.</li>
        </ul>
        <div className="actions">
          <SubmitButton form={form} busyText="Closing…" className="button danger">
            Close my account
          </SubmitButton>
          <button type="button" className="button secondary" onClick={onClose} disabled={form.submitting}>
            Keep my account
          </button>
        </div>
      </form>
    </dialog>
  );
}

/** "Close account" on the security page: what happens, a fresh sign-in when the last is too old, then a confirmation. */
export function CloseAccountSection() {
  const preview = useResource(() => privacyApi.closurePreview(), []);
  const { forget } = useSession();
  const [confirming, setConfirming] = useState(false);
  const [signingIn, setSigningIn] = useState(false);
  const [closed, setClosed] = useState<Closure | null>(null);

  if (closed) {
    return (
      <section className="card" aria-labelledby="close-account-title">
        <h2 id="close-account-title">Your account is closed</h2>
        <p className="success-banner" role="status">
          Closed on {formatDateTime(closed.closedAt)}. {closed.creditsForfeited > 0 ? `${formatCredits(closed.creditsForfeited)} credits were forfeited. ` : ''}A confirmation is on its way to your email.
        </p>
        <div className="actions">
          <button
            type="button"
            className="button primary"
            onClick={() => {
              forget();
              navigate('/');
            }}
          >
            Done
          </button>
        </div>
      </section>
    );
  }

  const data = preview.data;
  return (
    <section className="card" aria-labelledby="close-account-title">
      <div className="section-header">
        <h2 id="close-account-title">Close account</h2>
      </div>
      <p>Closing your account is leaving the rewards program. It cannot be undone:</p>
      {preview.loading && !data && <Loading label="Checking your account…" />}
      {preview.error !== undefined && <ErrorPanel error={preview.error} onRetry={preview.reload} />}
      {data && (
        <div className="stack">
          <ul className="stack-small">
            {data.plusEnds && <li>Your Plus membership ends at once, without a refund.</li>}
            <li>
              {data.creditsToForfeit > 0 ? (
                <>
                  Your <strong data-testid="credits-to-forfeit">{formatCredits(data.creditsToForfeit)} credits</strong> are forfeited (available, pending and held).
                </>
              ) : (
                'You have no credits to lose.'
              )}
            </li>
            <li>You are signed out on every device.</li>
            <li>We keep your records, used for nothing else, only for the period the law requires (for example tax records of your orders), then delete them.</li>
            <li>You can join again later with a new account, but the sign-up bonus is given only once.</li>
          </ul>
          {data.blockers.map((blocker) => (
            <p key={blocker} className="notice" role="status">
              {blockerText[blocker]}
            </p>
          ))}
          {!data.reauthenticated && !signingIn && (
            <div className="stack-small">
              <p className="muted">For your security, closing needs a sign-in from the last {data.recentSignInMinutes} minutes.</p>
              <div className="actions">
                <button type="button" className="button secondary" onClick={() => setSigningIn(true)}>
                  Sign in again
                </button>
              </div>
            </div>
          )}
          {!data.reauthenticated && signingIn && (
            <div className="stack-small" aria-label="Sign in again" role="region">
              <SignInForm
                onSignedIn={() => {
                  setSigningIn(false);
                  preview.reload();
                }}
              />
            </div>
          )}
          {data.reauthenticated && (
            <div className="actions">
              <button type="button" className="button danger-outline" disabled={data.blockers.length > 0} onClick={() => setConfirming(true)}>
                Close my account…
              </button>
            </div>
          )}
        </div>
      )}
      {confirming && data && (
        <CloseAccountDialog
          creditsToForfeit={data.creditsToForfeit}
          plusEnds={data.plusEnds}
          onClose={() => setConfirming(false)}
          onConfirm={async () => {
            try {
              setClosed(await privacyApi.closeAccount());
              setConfirming(false);
            } catch (error) {
              // The sign-in aged past the limit while the dialog was open: back to the "sign in again" step.
              if (error instanceof ApiError && error.code === reauthenticationRequiredCode) {
                setConfirming(false);
                preview.reload();
              }
              throw error;
            }
          }}
        />
      )}
    </section>
  );
}
