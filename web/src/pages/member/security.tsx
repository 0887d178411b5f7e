// /account/security: 2-step verification with an authenticator app and recovery codes (AC-5), signed-in devices (AC-4),
// and closing the account (AC-10).
import { useState } from 'react';
import { accountsApi, minimumPasswordLength, type TwoFactorSetup } from '../../api/accounts.ts';
import { CodeField, ErrorSummary, StatusMessage, SubmitButton, TextField, check, compactCode, useForm } from '../../components/forms.tsx';
import { ErrorPanel, Loading, Page } from '../../components/layout.tsx';
import { describeUserAgent, formatDateTime } from '../../lib/format.ts';
import { useResource } from '../../lib/use-resource.ts';
import { navigate } from '../../router.tsx';
import { useSession } from '../../session.tsx';
import { CloseAccountSection, RestrictionNotice } from '../../components/privacy.tsx';

/** Groups a base32 secret in fours so it can be typed into an app by hand. */
function groupSecret(secret: string): string {
  return secret.replace(/\s+/g, '').replace(/(.{4})/g, '$1 ').trim();
}

function RecoveryCodes({ codes, onDone, banner }: { codes: string[]; onDone: () => void; banner: string }) {
  return (
    <div className="stack">
      <p className="success-banner" role="status">
        {banner}
      </p>
      <h3>Save your recovery codes</h3>
      <p>
        Each code signs you in once if you lose your phone. Store them somewhere safe, such as a password manager.{' '}
        <strong>This is the only time they are shown.</strong>
      </p>
      <ul className="recovery-codes" aria-label="Recovery codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ul>
      <div className="actions">
        <button type="button" className="button primary" onClick={onDone}>
          I have saved my recovery codes
        </button>
      </div>
    </div>
  );
}

function EnableTwoFactor({ setup, onEnabled, onCancel }: { setup: TwoFactorSetup; onEnabled: (codes: string[]) => void; onCancel: () => void }) {
  const form = useForm();
  const [code, setCode] = useState('');
  return (
    <div className="stack">
      <ol className="steps">
        <li>
          <p>Open an authenticator app (for example 1Password, Google Authenticator or Microsoft Authenticator) and add an account.</p>
        </li>
        <li>
          <p>Enter this setup key in the app:</p>
          <p className="secret" aria-label="Setup key">
            <code data-testid="totp-secret">{groupSecret(setup.secret)}</code>
          </p>
          <details className="otpauth">
            <summary>Or use the setup link</summary>
            <p className="muted small">Some apps and password managers accept this link instead of the key:</p>
            <code className="wrap" data-testid="totp-uri">
              {setup.otpauthUrl}
            </code>
          </details>
        </li>
        <li>
          <form
            className="stack"
            noValidate
            aria-label="Confirm 2-step verification"
            onSubmit={form.handle(async () => {
              const trimmed = compactCode(code);
              check([['code', !/^\d{6}$/.test(trimmed), 'Enter the 6-digit code your app shows.']]);
              const result = await accountsApi.enableTwoFactor(trimmed);
              onEnabled(result.recoveryCodes);
            })}
          >
            <ErrorSummary form={form} />
            <CodeField form={form} label="Enter the 6-digit code from the app" value={code} onValue={setCode} inputMode="numeric" />
            <div className="actions">
              <SubmitButton form={form} busyText="Turning on…">
                Turn on 2-step verification
              </SubmitButton>
              <button type="button" className="button secondary" onClick={onCancel}>
                Cancel
              </button>
            </div>
          </form>
        </li>
      </ol>
    </div>
  );
}

function DisableTwoFactor({ onDisabled }: { onDisabled: () => void }) {
  const form = useForm({ codeFields: { invalid_credentials: 'code' } });
  const [open, setOpen] = useState(false);
  const [code, setCode] = useState('');
  if (!open) {
    return (
      <button type="button" className="button danger-outline" onClick={() => setOpen(true)}>
        Turn off 2-step verification
      </button>
    );
  }
  return (
    <form
      className="stack"
      noValidate
      aria-label="Turn off 2-step verification"
      onSubmit={form.handle(async () => {
        const trimmed = compactCode(code);
        check([['code', trimmed === '', 'Enter a code from your authenticator app or a recovery code.']]);
        await accountsApi.disableTwoFactor(trimmed);
        onDisabled();
      })}
    >
      <ErrorSummary form={form} />
      <CodeField form={form} label="Code from your authenticator app, or a recovery code" value={code} onValue={setCode} />
      <div className="actions">
        <SubmitButton form={form} className="button danger" busyText="Turning off…">
          Turn off 2-step verification
        </SubmitButton>
        <button type="button" className="button secondary" onClick={() => setOpen(false)}>
          Keep it on
        </button>
      </div>
    </form>
  );
}

type TwoFactorStage = { step: 'idle' } | { step: 'setup'; setup: TwoFactorSetup } | { step: 'codes'; codes: string[]; first: boolean };

function RegenerateRecoveryCodes({ left, onCodes }: { left: number; onCodes: (codes: string[]) => void }) {
  const form = useForm({ codeFields: { invalid_credentials: 'code' } });
  const [open, setOpen] = useState(false);
  const [code, setCode] = useState('');
  return (
    <div className="stack-small">
      <p className="muted small">
        {left === 1 ? '1 recovery code left.' : `${left} recovery codes left.`} Used codes do not work again; make new ones when you run low.
      </p>
      {!open ? (
        <button type="button" className="button secondary" onClick={() => setOpen(true)}>
          Make new recovery codes
        </button>
      ) : (
        <form
          className="stack"
          noValidate
          aria-label="Make new recovery codes"
          onSubmit={form.handle(async () => {
            const trimmed = compactCode(code);
            check([['code', trimmed === '', 'Enter the code your authenticator app shows now.']]);
            const result = await accountsApi.regenerateRecoveryCodes(trimmed);
            onCodes(result.recoveryCodes);
          })}
        >
          <ErrorSummary form={form} />
          <CodeField form={form} label="Code from your authenticator app" hint="Your old recovery codes stop working." value={code} onValue={setCode} inputMode="numeric" />
          <div className="actions">
            <SubmitButton form={form} busyText="Making codes…">
              Make new recovery codes
            </SubmitButton>
            <button type="button" className="button secondary" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </div>
  );
}

function TwoFactorSection() {
  const twoFactor = useResource(() => accountsApi.twoFactorStatus(), []);
  const { refresh } = useSession();
  const [stage, setStage] = useState<TwoFactorStage>({ step: 'idle' });
  const [status, setStatus] = useState<string | null>(null);
  const startForm = useForm();
  const enabled = twoFactor.data?.enabled ?? false;

  return (
    <section className="card" aria-labelledby="two-factor-title">
      <div className="section-header">
        <h2 id="two-factor-title">2-step verification</h2>
        {twoFactor.data && stage.step === 'idle' && (enabled ? <span className="badge success">On</span> : <span className="badge">Off</span>)}
      </div>
      <p className="muted">When it is on, signing in asks for your password and a code from an authenticator app on your phone.</p>
      {status && <StatusMessage>{status}</StatusMessage>}
      {twoFactor.loading && !twoFactor.data && <Loading />}
      {twoFactor.error !== undefined && <ErrorPanel error={twoFactor.error} onRetry={twoFactor.reload} />}
      {stage.step === 'codes' && (
        <RecoveryCodes
          codes={stage.codes}
          banner={stage.first ? '2-step verification is on.' : 'You have new recovery codes. The old ones no longer work.'}
          onDone={() => {
            setStage({ step: 'idle' });
            setStatus('2-step verification is on. Keep your recovery codes safe.');
          }}
        />
      )}
      {stage.step === 'setup' && (
        <EnableTwoFactor
          setup={stage.setup}
          onCancel={() => setStage({ step: 'idle' })}
          onEnabled={(codes) => {
            setStage({ step: 'codes', codes, first: true });
            twoFactor.reload();
            void refresh();
          }}
        />
      )}
      {stage.step === 'idle' && twoFactor.data && !enabled && (
        <form
          noValidate
          aria-label="Set up 2-step verification"
          onSubmit={startForm.handle(async () => {
            setStatus(null);
            const setup = await accountsApi.setupTwoFactor();
            setStage({ step: 'setup', setup });
          })}
        >
          <ErrorSummary form={startForm} />
          <SubmitButton form={startForm} busyText="Preparing…">
            Set up 2-step verification
          </SubmitButton>
        </form>
      )}
      {stage.step === 'idle' && twoFactor.data && enabled && (
        <div className="stack">
          <RegenerateRecoveryCodes
            left={twoFactor.data.recoveryCodesLeft}
            onCodes={(codes) => {
              setStatus(null);
              setStage({ step: 'codes', codes, first: false });
              twoFactor.reload();
            }}
          />
          <DisableTwoFactor
            onDisabled={() => {
              setStatus('2-step verification is off.');
              twoFactor.reload();
              void refresh();
            }}
          />
        </div>
      )}
    </section>
  );
}

function PasswordSection() {
  const { state } = useSession();
  const form = useForm({ codeFields: { invalid_credentials: 'currentPassword', weak_password: 'newPassword' } });
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [status, setStatus] = useState<string | null>(null);
  const hasPassword = state.status === 'signed_in' && state.member.hasPassword;

  return (
    <section className="card" aria-labelledby="password-title">
      <h2 id="password-title">Password</h2>
      {!hasPassword ? (
        <p className="muted">
          You sign in with a provider and have no Patron password. To set one, sign out and use “Forgot your password?” on the sign-in page.
        </p>
      ) : (
        <form
          className="stack"
          noValidate
          aria-label="Change your password"
          onSubmit={form.handle(async () => {
            setStatus(null);
            check([
              ['currentPassword', currentPassword === '', 'Enter your current password.'],
              ['newPassword', newPassword.length < minimumPasswordLength, `Use at least ${minimumPasswordLength} characters.`],
              ['confirmation', confirmation !== newPassword, 'The two new passwords do not match.'],
            ]);
            const result = await accountsApi.changePassword(currentPassword, newPassword);
            setCurrentPassword('');
            setNewPassword('');
            setConfirmation('');
            setStatus(
              result.sessionsEnded > 0
                ? `Your password has been changed, and ${result.sessionsEnded === 1 ? '1 other device was' : `${result.sessionsEnded} other devices were`} signed out.`
                : 'Your password has been changed.',
            );
          })}
        >
          <p className="muted">Changing your password signs out every other device.</p>
          {status && <StatusMessage>{status}</StatusMessage>}
          <ErrorSummary form={form} />
          <TextField form={form} name="currentPassword" label="Current password" type="password" value={currentPassword} onValue={setCurrentPassword} autoComplete="current-password" />
          <div className="field-row">
            <TextField
              form={form}
              name="newPassword"
              label="New password"
              type="password"
              value={newPassword}
              onValue={setNewPassword}
              autoComplete="new-password"
              hint={`At least ${minimumPasswordLength} characters.`}
            />
            <TextField form={form} name="confirmation" label="Repeat the new password" type="password" value={confirmation} onValue={setConfirmation} autoComplete="new-password" />
          </div>
          <div className="actions">
            <SubmitButton form={form} busyText="Changing…">
              Change password
            </SubmitButton>
          </div>
        </form>
      )}
    </section>
  );
}

function SessionsSection() {
  const sessions = useResource(() => accountsApi.sessions(), []);
  const { forget } = useSession();
  const form = useForm();
  const [status, setStatus] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const list = sessions.data?.sessions ?? [];

  const revoke = (id: string) => {
    form.clear();
    setBusy(id);
    accountsApi
      .revokeSession(id)
      .then(() => {
        setStatus('That device has been signed out.');
        sessions.reload();
      }, form.report)
      .finally(() => setBusy(null));
  };

  return (
    <section className="card" aria-labelledby="sessions-title">
      <div className="section-header">
        <h2 id="sessions-title">Where you are signed in</h2>
      </div>
      <p className="muted">If you do not recognise a device, sign it out and change your password.</p>
      {status && <StatusMessage>{status}</StatusMessage>}
      <ErrorSummary form={form} />
      {sessions.loading && !sessions.data && <Loading label="Loading devices…" />}
      {sessions.error !== undefined && <ErrorPanel error={sessions.error} onRetry={sessions.reload} />}
      {list.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Signed-in devices</caption>
            <thead>
              <tr>
                <th scope="col">Device</th>
                <th scope="col">Signed in</th>
                <th scope="col">Last active</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((session) => (
                <tr key={session.id}>
                  <td>
                    {describeUserAgent(session.userAgent)}{' '}
                    {session.current && <span className="badge success">This device</span>}
                  </td>
                  <td>{formatDateTime(session.createdAt)}</td>
                  <td>{formatDateTime(session.lastSeenAt ?? session.createdAt)}</td>
                  <td className="cell-actions">
                    {!session.current && (
                      <button
                        type="button"
                        className="button secondary small"
                        disabled={busy === session.id}
                        onClick={() => revoke(session.id)}
                        aria-label={`Sign out ${describeUserAgent(session.userAgent)}, signed in ${formatDateTime(session.createdAt)}`}
                      >
                        Sign out
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div className="actions">
        <button
          type="button"
          className="button danger-outline"
          disabled={busy === 'all'}
          onClick={() => {
            form.clear();
            setBusy('all');
            // This browser's session ends too, so the next stop is the sign-in page.
            accountsApi.revokeAllSessions().then(
              () => {
                forget();
                navigate('/sign-in');
              },
              (error: unknown) => {
                form.report(error);
                setBusy(null);
              },
            );
          }}
        >
          Sign out everywhere
        </button>
      </div>
    </section>
  );
}

export function SecurityPage() {
  return (
    <Page title="Security" lead="Protect your account and see where it is signed in.">
      <RestrictionNotice />
      <div className="stack-large">
        <TwoFactorSection />
        <PasswordSection />
        <SessionsSection />
        <CloseAccountSection />
      </div>
    </Page>
  );
}
