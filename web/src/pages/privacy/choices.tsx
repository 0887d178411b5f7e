// "Your privacy choices" (PV-23..PV-25): the cookie categories of this browser (and the account, signed in) with
// their switches, the opt-out preference signal's status, and the way to the rights requests. Public: a visitor who
// is not signed in has choices too.
import { useEffect, useState } from 'react';
import type { CookieCategory } from '../../api/consent.ts';
import { CategoryChoices, categoriesOf, gpcHonoredText, useConsent } from '../../components/cookie-banner.tsx';
import { ErrorPanel, Loading, Page } from '../../components/layout.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { Link } from '../../router.tsx';

const advertisingReasons = {
  under_16: 'Members under 16 are never included in advertising, sale or sharing, whatever is chosen here.',
  restricted: 'Processing of your data is restricted, so it is used for nothing but storage and your orders.',
  opt_out_request: 'You asked us not to sell or share your personal information, so advertising stays off.',
  gpc: 'Your browser sends the Global Privacy Control signal, so advertising stays off.',
  consent: null,
} as const;

export function PrivacyChoicesPage() {
  const { consent, error, save } = useConsent();
  const [values, setValues] = useState<Record<CookieCategory, boolean> | null>(null);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const [failure, setFailure] = useState<unknown>(undefined);
  useEffect(() => {
    if (consent) setValues(categoriesOf(consent));
  }, [consent]);

  return (
    <Page title="Your privacy choices" lead="Choose which optional cookies this site may use, see whether your browser’s opt-out signal is honored, and exercise your privacy rights.">
      {!consent && error === undefined && <Loading />}
      {error !== undefined && <ErrorPanel error={error} />}
      {consent && values && (
        <div className="stack-large">
          <section className="card" aria-labelledby="cookie-choices-title">
            <h2 id="cookie-choices-title">Cookies and similar technologies</h2>
            <p className="muted">
              {consent.signedIn ? 'These choices apply to this browser and to your account.' : 'These choices apply to this browser on this site. Sign in to keep them with your account.'}{' '}
              {consent.regime === 'opt_in' ? 'Where you are, nothing optional is used until you say yes.' : 'Where you are, optional cookies are used until you switch them off.'}
            </p>
            <CategoryChoices consent={consent} values={values} onChange={setValues} />
            {consent.advertisingBlock && advertisingReasons[consent.advertisingBlock] && <p className="muted">{advertisingReasons[consent.advertisingBlock]}</p>}
            {failure !== undefined && <ErrorPanel error={failure} />}
            {saved && (
              <p className="status-message" role="status">
                {saved}
              </p>
            )}
            <button
              type="button"
              className="button primary"
              disabled={saving}
              onClick={() => {
                setSaving(true);
                setSaved(null);
                setFailure(undefined);
                save(values, 'settings').then(
                  () => {
                    setSaving(false);
                    setSaved('Your choices are saved.');
                  },
                  (problem: unknown) => {
                    setSaving(false);
                    setFailure(problem);
                  },
                );
              }}
            >
              {saving ? 'Saving…' : 'Save my choices'}
            </button>
          </section>

          <section className="card" aria-labelledby="gpc-title">
            <h2 id="gpc-title">Global Privacy Control</h2>
            {consent.gpc ? (
              <p className="gpc-notice" role="status">
                <strong>{gpcHonoredText}</strong>: your browser asks us not to sell or share your personal information or use it for targeted advertising. We
                treat it as your opt-out for this browser{consent.signedIn ? ' and your account' : ''}; a later visit without the signal does not opt you back in.
              </p>
            ) : (
              <p>
                Your browser does not send the Global Privacy Control signal. If you turn it on in your browser or an extension, we treat it as a request not to sell
                or share your personal information.
              </p>
            )}
            {consent.purposes.advertising.recordedAt && (
              <p className="muted small">
                Advertising choice last recorded {formatDateTime(consent.purposes.advertising.recordedAt)} ({consent.purposes.advertising.method}).
              </p>
            )}
          </section>

          <section className="card" aria-labelledby="rights-title">
            <h2 id="rights-title">Your privacy rights</h2>
            <ul className="plain-list stack-small">
              <li>
                <Link to="/privacy/request?type=optout_sale_share">Do not sell or share my personal information</Link>
              </li>
              <li>
                <Link to="/privacy/request">Make a privacy request</Link> (access, correction, deletion and more)
              </li>
              {consent.signedIn && (
                <li>
                  <Link to="/account/privacy">Your privacy center</Link>: your requests, a copy of your data, restriction and closing your account
                </li>
              )}
            </ul>
          </section>
        </div>
      )}
    </Page>
  );
}
