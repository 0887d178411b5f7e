// /forgot-password: asks for a reset link; the answer is the same whether or not the email is registered (AC-4).
import { useState } from 'react';
import { accountsApi } from '../../api/accounts.ts';
import { ErrorSummary, SubmitButton, TextField, check, useForm } from '../../components/forms.tsx';
import { Page } from '../../components/layout.tsx';
import { Link } from '../../router.tsx';

export function ForgotPasswordPage() {
  const form = useForm();
  const [email, setEmail] = useState('');
  const [sentTo, setSentTo] = useState<string | null>(null);
  return (
    <Page title="Reset your password">
      <div className="auth-layout">
        <section className="card auth-card" aria-label="Reset your password">
          {sentTo ? (
            <>
              <p className="success-banner" role="status">
                Check your email.
              </p>
              <p>
                If an account exists for <strong>{sentTo}</strong>, we sent it a link to choose a new password. The link expires soon and works once.
              </p>
              <p>
                <Link to="/sign-in">Back to sign in</Link>
              </p>
            </>
          ) : (
            <>
              <p className="muted">Enter the email address you signed up with and we will send you a link to choose a new password.</p>
              <form
                className="stack"
                noValidate
                aria-label="Request a password reset link"
                onSubmit={form.handle(async () => {
                  check([['email', email.trim() === '', 'Enter your email address.']]);
                  await accountsApi.requestPasswordReset(email.trim());
                  setSentTo(email.trim());
                })}
              >
                <ErrorSummary form={form} />
                <TextField form={form} name="email" label="Email address" type="email" value={email} onValue={setEmail} autoComplete="email" spellCheck={false} />
                <div className="actions">
                  <SubmitButton form={form} busyText="Sending…">
                    Send reset link
                  </SubmitButton>
                  <Link to="/sign-in" className="button secondary">
                    Cancel
                  </Link>
                </div>
              </form>
            </>
          )}
        </section>
      </div>
    </Page>
  );
}
