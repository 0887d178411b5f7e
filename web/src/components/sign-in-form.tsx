// Sign-in in two steps: email and password, then (when 2-step verification is on) an authenticator or recovery code.
import { useState } from 'react';
import { accountsApi, type SessionView } from '../api/accounts.ts';
import type { SessionState } from '../session.tsx';
import { useSession } from '../session.tsx';
import { CodeField, ErrorSummary, SubmitButton, TextField, check, compactCode, useForm } from './forms.tsx';

export function SignInForm({ onSignedIn, initialChallengeId }: { onSignedIn: (state: SessionState) => void; initialChallengeId?: string | null }) {
  const { adopt } = useSession();
  const form = useForm();
  const codeForm = useForm({ codeFields: { invalid_credentials: 'code' } });
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [challengeId, setChallengeId] = useState<string | null>(initialChallengeId ?? null);
  const [code, setCode] = useState('');

  const finish = (view: SessionView) => onSignedIn(adopt(view));

  if (challengeId) {
    return (
      <form
        className="stack"
        noValidate
        aria-labelledby="two-factor-title"
        onSubmit={codeForm.handle(async () => {
          const trimmed = compactCode(code);
          check([['code', trimmed === '', 'Enter the code from your authenticator app, or a recovery code.']]);
          finish(await accountsApi.signInTwoFactor(challengeId, trimmed));
        })}
      >
        <h2 id="two-factor-title" className="form-title">
          2-step verification
        </h2>
        <p className="muted">Open your authenticator app and enter the 6-digit code for Patron. Lost your phone? Enter one of your recovery codes instead.</p>
        <ErrorSummary form={codeForm} />
        <CodeField form={codeForm} label="Verification code" value={code} onValue={setCode} inputMode="numeric" autoFocus />
        <div className="actions">
          <SubmitButton form={codeForm} busyText="Verifying…">
            Verify and sign in
          </SubmitButton>
          <button
            type="button"
            className="button secondary"
            onClick={() => {
              setChallengeId(null);
              setCode('');
              setPassword('');
              codeForm.clear();
            }}
          >
            Start over
          </button>
        </div>
      </form>
    );
  }

  return (
    <form
      className="stack"
      noValidate
      aria-label="Sign in"
      onSubmit={form.handle(async () => {
        check([
          ['email', email.trim() === '', 'Enter your email address.'],
          ['password', password === '', 'Enter your password.'],
        ]);
        const result = await accountsApi.signIn(email.trim(), password);
        if (result.status === 'two_factor_required') {
          setChallengeId(result.challengeId);
          return;
        }
        finish(result);
      })}
    >
      <ErrorSummary form={form} />
      <TextField form={form} name="email" label="Email address" type="email" value={email} onValue={setEmail} autoComplete="email" spellCheck={false} />
      <TextField form={form} name="password" label="Password" type="password" value={password} onValue={setPassword} autoComplete="current-password" />
      <div className="actions">
        <SubmitButton form={form} busyText="Signing in…">
          Sign in
        </SubmitButton>
      </div>
    </form>
  );
}
