// /sign-up: email, password, country and date of birth (AC-1, AC-2); then a verification email is on its way.
import { useState } from 'react';
import { accountsApi, minimumPasswordLength } from '../../api/accounts.ts';
import { EligibilityFields, eligibilityRules, type Eligibility } from '../../components/eligibility-fields.tsx';
import { ErrorSummary, SubmitButton, TextField, check, useForm } from '../../components/forms.tsx';
import { Page } from '../../components/layout.tsx';
import { Link, Redirect } from '../../router.tsx';
import { useSession } from '../../session.tsx';

export function SignUpPage() {
  const form = useForm({ codeFields: { weak_password: 'password', not_eligible: 'dateOfBirth', already_exists: 'email' } });
  const { state, adopt } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [eligibility, setEligibility] = useState<Eligibility>({ country: '', dateOfBirth: '' });
  const [createdFor, setCreatedFor] = useState<string | null>(null);

  // Someone already signed in has an account; the form is for new people (the confirmation below excepted).
  if (state.status === 'signed_in' && !createdFor) return <Redirect to="/account" />;

  if (createdFor) {
    return (
      <Page title="Check your email">
        <div className="auth-layout">
          <section className="card auth-card" aria-label="Account created">
            <p className="success-banner" role="status">
              Your account has been created.
            </p>
            <p>
              We sent a link to <strong>{createdFor}</strong>. Open it to confirm your email address. The link works once.
            </p>
            <p>
              <Link to="/account">Continue to your account</Link>
            </p>
          </section>
        </div>
      </Page>
    );
  }

  return (
    <Page title="Create your account">
      <div className="auth-layout">
        <section className="card auth-card" aria-label="Create your account">
          <p className="muted">Earn rewards credits on every order and manage your account in one place.</p>
          <form
            className="stack"
            noValidate
            aria-label="Create account"
            onSubmit={form.handle(async () => {
              check([
                ['email', !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim()), 'Enter an email address like name@example.com.'],
                ['password', password.length < minimumPasswordLength, `Use at least ${minimumPasswordLength} characters.`],
                ...eligibilityRules(eligibility),
              ]);
              // Sign-up also signs in (POST /accounts answers with the new session).
              const view = await accountsApi.signUp({ email: email.trim(), password, ...eligibility });
              adopt(view);
              setCreatedFor(view.member.email);
            })}
          >
            <ErrorSummary form={form} />
            <TextField form={form} name="email" label="Email address" type="email" value={email} onValue={setEmail} autoComplete="email" spellCheck={false} />
            <TextField
              form={form}
              name="password"
              label="Password"
              type="password"
              value={password}
              onValue={setPassword}
              autoComplete="new-password"
              hint={`At least ${minimumPasswordLength} characters. Avoid common passwords; a short sentence works well.`}
            />
            <EligibilityFields form={form} value={eligibility} onValue={(change) => setEligibility((current) => ({ ...current, ...change }))} />
            <div className="actions">
              <SubmitButton form={form} busyText="Creating your account…">
                Create account
              </SubmitButton>
            </div>
          </form>
          <div className="auth-links">
            <span>
              Already have an account? <Link to="/sign-in">Sign in</Link>
            </span>
          </div>
        </section>
      </div>
    </Page>
  );
}
