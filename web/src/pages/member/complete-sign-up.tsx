// /sign-up/complete#token=…: a person new to Patron signed in with a provider; country and date of birth are
// still needed before the account exists, because eligibility applies to them too (AC-2, AC-7).
import { useState } from 'react';
import { accountsApi } from '../../api/accounts.ts';
import { EligibilityFields, eligibilityRules, type Eligibility } from '../../components/eligibility-fields.tsx';
import { ErrorSummary, SubmitButton, check, useForm } from '../../components/forms.tsx';
import { Page } from '../../components/layout.tsx';
import { Link, navigate } from '../../router.tsx';
import { useSession } from '../../session.tsx';

/** The completion token rides in the URL fragment (never sent to a server); it is read once and removed. */
function takeTokenFromFragment(): string | null {
  const match = /^#token=([^&]+)$/.exec(window.location.hash);
  if (!match?.[1]) return null;
  window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search);
  return decodeURIComponent(match[1]);
}

export function CompleteSignUpPage() {
  const [token] = useState(takeTokenFromFragment);
  const { adopt } = useSession();
  const form = useForm({ codeFields: { not_eligible: 'dateOfBirth' } });
  const [eligibility, setEligibility] = useState<Eligibility>({ country: '', dateOfBirth: '' });

  return (
    <Page title="Finish creating your account">
      <div className="auth-layout">
        <section className="card auth-card" aria-label="Finish creating your account">
          {!token ? (
            <div className="error-summary" role="alert">
              <h2>This page needs a sign-in first</h2>
              <p>
                Start again from the <Link to="/sign-in">sign-in page</Link> and choose your sign-in provider.
              </p>
            </div>
          ) : (
            <>
              <p className="muted">You are almost done. We need two more details to check that you can join the rewards program.</p>
              <form
                className="stack"
                noValidate
                aria-label="Country and date of birth"
                onSubmit={form.handle(async () => {
                  check(eligibilityRules(eligibility));
                  const view = await accountsApi.completeOidcSignUp(token, eligibility.country, eligibility.dateOfBirth);
                  adopt(view);
                  navigate('/account');
                })}
              >
                <ErrorSummary form={form} />
                <EligibilityFields form={form} value={eligibility} onValue={(change) => setEligibility((current) => ({ ...current, ...change }))} />
                <div className="actions">
                  <SubmitButton form={form} busyText="Creating your account…">
                    Create account
                  </SubmitButton>
                </div>
              </form>
            </>
          )}
        </section>
      </div>
    </Page>
  );
}
