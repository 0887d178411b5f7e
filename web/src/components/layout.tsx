// Page chrome: the member center and agent console frames, page titles, loading and error panels, guards.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { ApiError } from '../api/client.ts';
import { Link, NavLink, Redirect, navigate, useLocation } from '../router.tsx';
import { isStaff, useSession } from '../session.tsx';
import { PrivacyFooterLinks } from './cookie-banner.tsx';

/** Sets the document title and moves focus to the page heading, so a route change is announced. */
export function Page({ title, children, actions, lead }: { title: string; children: ReactNode; actions?: ReactNode; lead?: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  const { pathname } = useLocation();
  useEffect(() => {
    document.title = `${title} · Patron`;
  }, [title]);
  useEffect(() => {
    // Only after a client-side navigation: on first load the browser starts at the top of the document anyway.
    if (window.history.state !== null || document.activeElement !== document.body) heading.current?.focus({ preventScroll: true });
  }, [pathname]);
  return (
    <>
      <div className="page-header">
        <div>
          <h1 ref={heading} tabIndex={-1}>
            {title}
          </h1>
          {lead && <p className="lead">{lead}</p>}
        </div>
        {actions && <div className="page-actions">{actions}</div>}
      </div>
      {children}
    </>
  );
}

/** The "Refresh" action of a list page: reads the page's data again, disabled while it loads. */
export function RefreshButton({ resource }: { resource: { loading: boolean; reload: () => void } }) {
  return (
    <button type="button" className="button secondary" onClick={resource.reload} disabled={resource.loading}>
      {resource.loading ? 'Refreshing…' : 'Refresh'}
    </button>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}

export function ErrorPanel({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const message = error instanceof Error ? error.message : 'Something went wrong.';
  const requestId = error instanceof ApiError ? error.requestId : undefined;
  return (
    <div className="error-summary" role="alert">
      <h2>Something went wrong</h2>
      <p>{message}</p>
      {requestId && <p className="muted small">Request ID: {requestId}</p>}
      {onRetry && (
        <button type="button" className="button secondary" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

function SkipLink() {
  return (
    <a
      className="skip-link"
      href="#main"
      onClick={(event) => {
        event.preventDefault();
        document.getElementById('main')?.focus();
      }}
    >
      Skip to main content
    </a>
  );
}

function SignOutButton({ to }: { to: string }) {
  const { signOut } = useSession();
  const [busy, setBusy] = useState(false);
  return (
    <button
      type="button"
      className="button link-button"
      disabled={busy}
      onClick={() => {
        setBusy(true);
        signOut()
          .then(() => navigate(to))
          .catch(() => setBusy(false));
      }}
    >
      {busy ? 'Signing out…' : 'Sign out'}
    </button>
  );
}

/**
 * The member center's navigation. Later modules add their pages here (cases, privacy center), each
 * next to its route in app.tsx.
 */
export const memberNavigation: ReadonlyArray<{ to: string; label: string; exact?: boolean; exclude?: readonly string[] }> = [
  { to: '/account', label: 'Overview', exact: true },
  { to: '/shop', label: 'Shop', exclude: ['/shop/rewards'] },
  { to: '/account/orders', label: 'Orders' },
  { to: '/account/returns', label: 'Returns & claims' },
  { to: '/shop/rewards', label: 'Rewards' },
  { to: '/account/credits', label: 'Credits' },
  { to: '/account/membership', label: 'Plus' },
  { to: '/account/profile', label: 'Profile' },
  { to: '/account/security', label: 'Security' },
  { to: '/account/privacy', label: 'Privacy' },
  { to: '/account/communication', label: 'Communication' },
];

export function MemberLayout({ children }: { children: ReactNode }) {
  const { state } = useSession();
  const signedIn = state.status === 'signed_in';
  return (
    <div className="shell member-shell">
      <SkipLink />
      <header className="topbar">
        <div className="topbar-inner">
          <Link to={signedIn ? '/account' : '/'} className="brand">
            <span className="brand-mark" aria-hidden="true">
              P
            </span>
            Patron
          </Link>
          {signedIn ? (
            <nav aria-label="Account" className="topnav">
              {memberNavigation.map((item) => (
                <NavLink key={item.to} to={item.to} exact={item.exact} exclude={item.exclude}>
                  {item.label}
                </NavLink>
              ))}
            </nav>
          ) : (
            <nav aria-label="Store" className="topnav">
              <NavLink to="/shop" exclude={['/shop/rewards']}>
                Shop
              </NavLink>
              <NavLink to="/returns/new">Refund &amp; exchange</NavLink>
            </nav>
          )}
          <div className="topbar-end">
            {signedIn ? (
              <>
                <span className="who" title={state.member.email}>
                  {state.member.email}
                </span>
                <SignOutButton to="/sign-in" />
              </>
            ) : (
              <>
                <NavLink to="/sign-in">Sign in</NavLink>
                <Link to="/sign-up" className="button primary small">
                  Create account
                </Link>
              </>
            )}
          </div>
        </div>
      </header>
      <main id="main" tabIndex={-1} className="content">
        {children}
      </main>
      <footer className="footer">
        <div className="footer-inner">
          <span>Patron member center</span>
          <PrivacyFooterLinks />
          <span className="muted">Your rewards, account and privacy in one place.</span>
        </div>
      </footer>
    </div>
  );
}

/** Agent console navigation; later modules add the case queue, rights requests and audit log. */
export const consoleNavigation: ReadonlyArray<{ to: string; label: string }> = [
  { to: '/console/members', label: 'Members' },
  { to: '/console/orders', label: 'Orders' },
  { to: '/console/cases', label: 'Cases' },
  { to: '/console/privacy', label: 'Privacy' },
  { to: '/console/catalog', label: 'Catalog' },
  { to: '/console/external-orders', label: 'External orders' },
  { to: '/console/webhooks', label: 'Incoming webhooks' },
  { to: '/console/marketing', label: 'Marketing' },
  { to: '/console/outgoing-webhooks', label: 'Outgoing webhooks' },
  { to: '/console/flows', label: 'Flows' },
  { to: '/console/credits', label: 'Credits program' },
  { to: '/console/memberships', label: 'Plus past due' },
  { to: '/console/mail', label: 'Mail' },
];

export function ConsoleLayout({ children }: { children: ReactNode }) {
  const { state } = useSession();
  const staff = state.status === 'signed_in' && isStaff(state.member);
  return (
    <div className="shell console-shell">
      <SkipLink />
      <header className="topbar console-topbar">
        <div className="topbar-inner">
          <Link to="/console" className="brand">
            <span className="brand-mark" aria-hidden="true">
              P
            </span>
            Patron <span className="brand-suffix">Console</span>
          </Link>
          {staff ? (
            <nav aria-label="Console" className="topnav">
              {consoleNavigation.map((item) => (
                <NavLink key={item.to} to={item.to}>
                  {item.label}
                </NavLink>
              ))}
            </nav>
          ) : (
            <span className="topnav-spacer" />
          )}
          <div className="topbar-end">
            {staff && state.status === 'signed_in' && (
              <>
                <span className="who" title={state.member.email}>
                  {state.member.email} <span className="badge">{state.member.role}</span>
                </span>
                <SignOutButton to="/console/sign-in" />
              </>
            )}
          </div>
        </div>
      </header>
      <main id="main" tabIndex={-1} className="content content-wide">
        {children}
      </main>
      <footer className="footer">
        <div className="footer-inner">
          <span>Patron console</span>
          <PrivacyFooterLinks />
        </div>
      </footer>
    </div>
  );
}

function currentPathForReturn(): string {
  return encodeURIComponent(window.location.pathname + window.location.search);
}

/** Renders its children for a signed-in person; otherwise sends them to sign in and back. */
export function RequireMember({ children }: { children: ReactNode }) {
  const { state, refresh } = useSession();
  if (state.status === 'loading') return <Loading />;
  if (state.status === 'error') return <ErrorPanel error={new Error(state.message)} onRetry={() => void refresh()} />;
  if (state.status === 'signed_out') return <Redirect to={`/sign-in?next=${currentPathForReturn()}`} />;
  return <>{children}</>;
}

/** Renders its children for an agent or admin; members see a clear refusal. */
export function RequireStaff({ children }: { children: ReactNode }) {
  const { state, refresh } = useSession();
  if (state.status === 'loading') return <Loading />;
  if (state.status === 'error') return <ErrorPanel error={new Error(state.message)} onRetry={() => void refresh()} />;
  if (state.status === 'signed_out') return <Redirect to={`/console/sign-in?next=${currentPathForReturn()}`} />;
  if (!isStaff(state.member)) {
    return (
      <Page title="No console access">
        <div className="card">
          <p>
            You are signed in as {state.member.email}, which is a member account. The agent console is for support agents and
            administrators.
          </p>
          <p>
            <Link to="/account">Go to your account</Link>
          </p>
        </div>
      </Page>
    );
  }
  return <>{children}</>;
}

export function NotFound({ home }: { home: string }) {
  return (
    <Page title="Page not found">
      <div className="card">
        <p>There is no page at this address. Check the link, or start again from the home page.</p>
        <p>
          <Link to={home}>Go to the home page</Link>
        </p>
      </div>
    </Page>
  );
}
