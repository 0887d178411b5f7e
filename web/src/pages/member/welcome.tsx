// `/`: the front door for someone who is not signed in; a signed-in member goes straight to their account.
import { Loading, Page } from '../../components/layout.tsx';
import { Link, Redirect } from '../../router.tsx';
import { useSession } from '../../session.tsx';

export function WelcomePage() {
  const { state } = useSession();
  if (state.status === 'loading') return <Loading />;
  if (state.status === 'signed_in') return <Redirect to="/account" />;
  return (
    <Page title="Your rewards, in one place" lead="Earn credits on every order, spend them at checkout, and keep your account safe.">
      <div className="card hero">
        <ul className="benefits">
          <li>
            <strong>Rewards credits</strong>
            <span>See what you have, what is on its way and what expires soon.</span>
          </li>
          <li>
            <strong>Your account, your data</strong>
            <span>Update your details, addresses and privacy choices at any time.</span>
          </li>
          <li>
            <strong>Secure sign-in</strong>
            <span>Add 2-step verification and see every device that is signed in.</span>
          </li>
        </ul>
        <div className="actions">
          <Link to="/sign-up" className="button primary">
            Create an account
          </Link>
          <Link to="/sign-in" className="button secondary">
            Sign in
          </Link>
        </div>
      </div>
    </Page>
  );
}
