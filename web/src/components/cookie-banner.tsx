// The cookie banner and its settings (PV-23, PV-24): asks in an opt-in region before anything optional is stored,
// offers "Reject all" exactly like "Accept all" (one component, one style), opens from the footer's "Cookie settings"
// on every page, and says when the browser's opt-out preference signal (Global Privacy Control) is honored.
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { consentApi, cookieCategories, type CookieCategory, type VisitorConsent } from '../api/consent.ts';
import { useSession } from '../session.tsx';
import { Link } from '../router.tsx';

export const categoryLabels: Record<CookieCategory, { title: string; text: string }> = {
  analytics: { title: 'Analytics', text: 'Counts visits and how pages are used, so we can improve the site.' },
  advertising: { title: 'Advertising (sale/share)', text: 'Lets advertising partners show you our ads elsewhere. This counts as selling or sharing personal information.' },
  personalization: { title: 'Personalization', text: 'Remembers what you looked at to suggest products and rewards.' },
};

export const gpcHonoredText = 'Opt-out preference signal honored';

interface ConsentContextValue {
  consent: VisitorConsent | undefined;
  error: unknown;
  settingsOpen: boolean;
  openSettings(): void;
  closeSettings(): void;
  save(choices: Partial<Record<CookieCategory, boolean>>, method: 'banner' | 'settings'): Promise<void>;
}

const ConsentContext = createContext<ConsentContextValue | null>(null);

export function useConsent(): ConsentContextValue {
  const value = useContext(ConsentContext);
  if (!value) throw new Error('useConsent outside ConsentProvider');
  return value;
}

/** Reads the visitor's choices once and again whenever the signed-in member changes (sign-in merges them). */
export function ConsentProvider({ children }: { children: ReactNode }) {
  const { state } = useSession();
  const memberKey = state.status === 'signed_in' ? state.member.id : state.status;
  const [consent, setConsent] = useState<VisitorConsent | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [settingsOpen, setSettingsOpen] = useState(false);
  useEffect(() => {
    if (memberKey === 'loading') return;
    let current = true;
    consentApi.read().then(
      (value) => current && setConsent(value),
      (failure: unknown) => current && setError(failure),
    );
    return () => {
      current = false;
    };
  }, [memberKey]);
  const save = useCallback(async (choices: Partial<Record<CookieCategory, boolean>>, method: 'banner' | 'settings') => {
    setConsent(await consentApi.save(choices, method));
    setSettingsOpen(false);
  }, []);
  const value: ConsentContextValue = { consent, error, settingsOpen, openSettings: () => setSettingsOpen(true), closeSettings: () => setSettingsOpen(false), save };
  return <ConsentContext.Provider value={value}>{children}</ConsentContext.Provider>;
}

/** The three optional categories of an answer (never `necessary`, which is not a choice). */
export function categoriesOf(consent: VisitorConsent): Record<CookieCategory, boolean> {
  return { analytics: consent.categories.analytics, advertising: consent.categories.advertising, personalization: consent.categories.personalization };
}

function allCategories(value: boolean): Record<CookieCategory, boolean> {
  return { analytics: value, advertising: value, personalization: value };
}

/** "Reject all" and "Accept all" are this one component: same element, class, size and weight (PV-23). */
function ChoiceButton({ label, onClick, disabled }: { label: string; onClick: () => void; disabled: boolean }) {
  return (
    <button type="button" className="button primary cookie-choice" onClick={onClick} disabled={disabled}>
      {label}
    </button>
  );
}

/** The per-category checkboxes, shared by the banner's settings and the "Your privacy choices" page. */
export function CategoryChoices({ consent, values, onChange }: { consent: VisitorConsent; values: Record<CookieCategory, boolean>; onChange: (next: Record<CookieCategory, boolean>) => void }) {
  return (
    <fieldset className="cookie-categories">
      <legend className="visually-hidden">Cookie categories</legend>
      <div className="checkbox-field">
        <input type="checkbox" id="cookie-necessary" checked disabled />
        <label htmlFor="cookie-necessary">
          <strong>Necessary</strong> <span className="muted">Always on: sign-in, security and remembering these choices.</span>
        </label>
      </div>
      {cookieCategories.map((category) => {
        const lockedOff = category === 'advertising' && consent.gpc;
        return (
          <div className="checkbox-field" key={category}>
            <input type="checkbox" id={`cookie-${category}`} checked={values[category] && !lockedOff} disabled={lockedOff} onChange={(event) => onChange({ ...values, [category]: event.target.checked })} />
            <label htmlFor={`cookie-${category}`}>
              <strong>{categoryLabels[category].title}</strong> <span className="muted">{categoryLabels[category].text}</span>
              {consent.purposes[category].stale && <span className="badge warning">Updated — please choose again</span>}
            </label>
          </div>
        );
      })}
    </fieldset>
  );
}

export function GpcNotice() {
  return (
    <p className="gpc-notice" role="status">
      <strong>{gpcHonoredText}</strong>: your browser asks us not to sell or share your personal information, so advertising stays off.
    </p>
  );
}

/** Shown when the visitor has to choose (opt-in region, or a changed notice) and when "Cookie settings" is opened. */
export function CookieBanner() {
  const { consent, settingsOpen, closeSettings, save } = useConsent();
  const [showSettings, setShowSettings] = useState(false);
  const [values, setValues] = useState<Record<CookieCategory, boolean>>(allCategories(false));
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  useEffect(() => {
    if (consent) setValues(categoriesOf(consent));
  }, [consent]);
  if (!consent || !(consent.ask || settingsOpen)) return null;
  const detailed = showSettings || settingsOpen;
  const submit = (choices: Partial<Record<CookieCategory, boolean>>, method: 'banner' | 'settings') => {
    setBusy(true);
    setFailure(null);
    save(choices, method).then(
      () => {
        setBusy(false);
        setShowSettings(false);
      },
      (error: unknown) => {
        setBusy(false);
        setFailure(error instanceof Error ? error.message : 'Your choice could not be saved. Try again.');
      },
    );
  };
  return (
    <section className="cookie-banner" role="dialog" aria-labelledby="cookie-banner-title" aria-modal="false">
      <h2 id="cookie-banner-title">Your cookie choices</h2>
      <p>
        We use necessary cookies to run this site. With your permission we also use cookies for analytics, advertising and personalization. You can change your
        mind at any time under “Cookie settings” at the bottom of every page. <Link to="/privacy/choices">Your privacy choices</Link>
      </p>
      {consent.gpc && <GpcNotice />}
      {detailed && <CategoryChoices consent={consent} values={values} onChange={setValues} />}
      {failure && (
        <p className="field-error" role="alert">
          {failure}
        </p>
      )}
      <div className="cookie-banner-actions">
        <ChoiceButton label="Reject all" disabled={busy} onClick={() => submit(allCategories(false), detailed ? 'settings' : 'banner')} />
        <ChoiceButton label="Accept all" disabled={busy} onClick={() => submit(allCategories(true), detailed ? 'settings' : 'banner')} />
        {detailed ? (
          <button type="button" className="button secondary" disabled={busy} onClick={() => submit(values, 'settings')}>
            Save my choices
          </button>
        ) : (
          <button type="button" className="button link-button" onClick={() => setShowSettings(true)}>
            Choose by category
          </button>
        )}
        {settingsOpen && !consent.ask && (
          <button type="button" className="button link-button" onClick={closeSettings}>
            Close
          </button>
        )}
      </div>
    </section>
  );
}

/** The footer's links on every page: "Cookie settings" opens the banner's settings; "Your Privacy Choices" the page. */
export function PrivacyFooterLinks() {
  const { openSettings, consent } = useConsent();
  return (
    <nav aria-label="Privacy" className="footer-links">
      <button type="button" className="button link-button footer-link" onClick={openSettings}>
        Cookie settings
      </button>
      <Link to="/privacy/choices">Your Privacy Choices</Link>
      <Link to="/privacy/request">Privacy request</Link>
      {consent?.gpc && <span className="gpc-badge">{gpcHonoredText}</span>}
    </nav>
  );
}
