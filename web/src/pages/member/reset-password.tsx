// /reset-password?token=…: chooses a new password with the single-use link; other sessions are signed out (AC-6).
import { useState } from 'react';
import { accountsApi, minimumPasswordLength } from '../../api/accounts.ts';
import { ErrorSummary, SubmitButton, TextField, check, useForm } from '../../components/forms.tsx';
import { Page } from '../../components/layout.tsx';
import { Link, useLocation } from '../../router.tsx';

export function ResetPasswordPage() {
  const { search } = useLocation();
  const token = search.get('token') ?? '';
  const form = useForm({ codeFields: { weak_password: 'newPassword' } });
  const [password, setPassword] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [done, setDone] = useState(false);

  return (
    <Page title="Choose a new password">
      <div className="auth-layout">
        <section className="card auth-card" aria-label="Choose a new password">
          {done ? (
            <>
              <p className="success-banner" role="status">
                Your password has been changed.
              </p>
              <p>For your security, every device that was signed in has been signed out.</p>
              <p>
                <Link to="/sign-in">Sign in with your new password</Link>
              </p>
            </>
          ) : !token ? (
            <div className="error-summary" role="alert">
              <h2>This link is incomplete</h2>
              <p>
                Open the link from the email again, or <Link to="/forgot-password">ask for a new one</Link>.
              </p>
            </div>
          ) : (
            <form
              className="stack"
              noValidate
              aria-label="New password"
              onSubmit={form.handle(async () => {
                check([
                  ['newPassword', password.length < minimumPasswordLength, `Use at least ${minimumPasswordLength} characters.`],
                  ['confirmation', confirmation !== password, 'The two passwords do not match.'],
                ]);
                await accountsApi.confirmPasswordReset(token, password);
                setDone(true);
              })}
            >
              <ErrorSummary form={form} />
              <TextField
                form={form}
                name="newPassword"
                label="New password"
                type="password"
                value={password}
                onValue={setPassword}
                autoComplete="new-password"
                hint={`At least ${minimumPasswordLength} characters. Avoid common passwords.`}
              />
              <TextField form={form} name="confirmation" label="Repeat the new password" type="password" value={confirmation} onValue={setConfirmation} autoComplete="new-password" />
              <div className="actions">
                <SubmitButton form={form} busyText="Saving…">
                  Save new password
                </SubmitButton>
              </div>
              <p className="muted small">
                Link expired? <Link to="/forgot-password">Ask for a new one</Link>.
              </p>
            </form>
          )}
        </section>
      </div>
    </Page>
  );
}
