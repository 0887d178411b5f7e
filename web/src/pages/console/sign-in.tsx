// /console/sign-in: staff sign in with the same sign-in API as members; only agents and admins get in.
import { Page } from '../../components/layout.tsx';
import { SignInForm } from '../../components/sign-in-form.tsx';
import { safeNextPath } from '../../lib/next-path.ts';
import { Link, Redirect, navigate, useLocation } from '../../router.tsx';
import { isStaff, useSession } from '../../session.tsx';

export function ConsoleSignInPage() {
  const { state } = useSession();
  const { search } = useLocation();
  const next = safeNextPath(search.get('next'), '/console/members');
  if (state.status === 'signed_in' && isStaff(state.member)) return <Redirect to={next} />;
  return (
    <Page title="Agent console">
      <div className="auth-layout">
        <section className="card auth-card" aria-label="Sign in to the agent console">
          <p className="muted">Sign in with your staff account to look up members, read outgoing mail and review the audit log.</p>
          {state.status === 'signed_in' && !isStaff(state.member) && (
            <div className="error-summary" role="alert">
              <h2>No console access</h2>
              <p>
                {state.member.email} is a member account. Sign in with a staff account, or <Link to="/account">go to your member account</Link>.
              </p>
            </div>
          )}
          <SignInForm
            onSignedIn={(session) => {
              if (session.status === 'signed_in' && isStaff(session.member)) navigate(next);
            }}
          />
        </section>
      </div>
    </Page>
  );
}
