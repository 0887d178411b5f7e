// /console/credits: the program's policy versions (CR-6) and the ledger auditor's results (LG-5); admins can
// publish a new policy version and run the auditor now.
import { useState } from 'react';
import { ApiError } from '../../api/client.ts';
import { creditsApi, type AuditRun, type Policy, type PolicySettings } from '../../api/credits.ts';
import { ErrorSummary, StatusMessage, SubmitButton, TextField, check, useForm } from '../../components/forms.tsx';
import { ErrorPanel, Loading, Page } from '../../components/layout.tsx';
import { formatCredits, formatDateTime } from '../../lib/format.ts';
import { useResource } from '../../lib/use-resource.ts';
import { Link } from '../../router.tsx';
import { useSession } from '../../session.tsx';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

function days(ms: number): string {
  const value = ms / DAY_MS;
  return `${Number.isInteger(value) ? value : value.toFixed(2)} ${value === 1 ? 'day' : 'days'}`;
}

function minutes(ms: number): string {
  const value = ms / MINUTE_MS;
  return `${Number.isInteger(value) ? value : value.toFixed(1)} min`;
}

function PolicyTable({ policies }: { policies: Policy[] }) {
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">Policy versions, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Published</th>
            <th scope="col" className="numeric">
              Earn per 1.00
            </th>
            <th scope="col" className="numeric">
              Credits per 1.00 spent
            </th>
            <th scope="col" className="numeric">
              Sign-up / profile bonus
            </th>
            <th scope="col">Pending</th>
            <th scope="col">Lifetime</th>
            <th scope="col">Expiry warning</th>
            <th scope="col">Hold timeout</th>
            <th scope="col" className="numeric">
              Plus ×
            </th>
            <th scope="col" className="numeric">
              Four-eyes above
            </th>
          </tr>
        </thead>
        <tbody>
          {policies.map((policy, index) => (
            <tr key={policy.version}>
              <td>
                v{policy.version} {index === 0 && <span className="badge success">Current</span>}
              </td>
              <td>
                {/* The built-in defaults are version 1, "published" at the epoch. */}
                {Date.parse(policy.publishedAt) === 0 ? 'Built in' : formatDateTime(policy.publishedAt)}
                {policy.publishedBy && <div className="muted small mono">{policy.publishedBy}</div>}
                {policy.note && <div className="small">{policy.note}</div>}
              </td>
              <td className="numeric">{formatCredits(policy.earnCreditsPerMajorUnit)}</td>
              <td className="numeric">{formatCredits(policy.spendCreditsPerMajorUnit)}</td>
              <td className="numeric">
                {formatCredits(policy.registrationBonusCredits)} / {formatCredits(policy.profileBonusCredits)}
              </td>
              <td>{days(policy.pendingPeriodMs)}</td>
              <td>{days(policy.lifetimeMs)}</td>
              <td>{days(policy.expiryWarningMs)}</td>
              <td>{minutes(policy.holdTimeoutMs)}</td>
              <td className="numeric">{policy.plusMultiplier}</td>
              <td className="numeric">{policy.adjustmentApprovalThresholdCredits === undefined ? '—' : formatCredits(policy.adjustmentApprovalThresholdCredits)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

type PolicyDraft = Record<
  'earnCreditsPerMajorUnit' | 'spendCreditsPerMajorUnit' | 'registrationBonusCredits' | 'profileBonusCredits' | 'pendingDays' | 'lifetimeDays' | 'warningDays' | 'holdMinutes' | 'plusMultiplier' | 'approvalThreshold' | 'note',
  string
>;

function draftFrom(policy: PolicySettings): PolicyDraft {
  return {
    earnCreditsPerMajorUnit: String(policy.earnCreditsPerMajorUnit),
    spendCreditsPerMajorUnit: String(policy.spendCreditsPerMajorUnit),
    registrationBonusCredits: String(policy.registrationBonusCredits),
    profileBonusCredits: String(policy.profileBonusCredits),
    pendingDays: String(policy.pendingPeriodMs / DAY_MS),
    lifetimeDays: String(policy.lifetimeMs / DAY_MS),
    warningDays: String(policy.expiryWarningMs / DAY_MS),
    holdMinutes: String(policy.holdTimeoutMs / MINUTE_MS),
    plusMultiplier: String(policy.plusMultiplier),
    approvalThreshold: String(policy.adjustmentApprovalThresholdCredits ?? 1000),
    note: '',
  };
}

const wholeNumber = (text: string) => /^\d+$/.test(text.trim());

/** Server paths (`pendingPeriodMs`) name milliseconds; the form asks for days and minutes under its own names. */
const serverFieldNames: Record<string, keyof PolicyDraft> = {
  pendingPeriodMs: 'pendingDays',
  lifetimeMs: 'lifetimeDays',
  expiryWarningMs: 'warningDays',
  holdTimeoutMs: 'holdMinutes',
  adjustmentApprovalThresholdCredits: 'approvalThreshold',
};

function PublishPolicyForm({ current, onPublished }: { current: Policy; onPublished: () => void }) {
  const form = useForm();
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState<PolicyDraft>(() => draftFrom(current));
  const set = (field: keyof PolicyDraft) => (value: string) => setDraft((existing) => ({ ...existing, [field]: value }));
  const numberField = (name: keyof PolicyDraft, label: string, hint?: string) => (
    <TextField form={form} name={name} label={label} hint={hint} inputMode="numeric" value={draft[name]} onValue={set(name)} />
  );

  if (!open) {
    return (
      <button
        type="button"
        className="button secondary"
        onClick={() => {
          setDraft(draftFrom(current));
          setOpen(true);
        }}
      >
        Publish a new version
      </button>
    );
  }
  return (
    <form
      className="stack sub-panel"
      noValidate
      aria-label="Publish a new policy version"
      onSubmit={form.handle(async () => {
        const numeric = ['earnCreditsPerMajorUnit', 'spendCreditsPerMajorUnit', 'registrationBonusCredits', 'profileBonusCredits', 'pendingDays', 'lifetimeDays', 'warningDays', 'holdMinutes', 'plusMultiplier', 'approvalThreshold'] as const;
        check(numeric.map((name) => [name, !wholeNumber(draft[name]), 'Enter a whole number.']));
        try {
          await creditsApi.publishPolicy({
            earnCreditsPerMajorUnit: Number(draft.earnCreditsPerMajorUnit),
            spendCreditsPerMajorUnit: Number(draft.spendCreditsPerMajorUnit),
            registrationBonusCredits: Number(draft.registrationBonusCredits),
            profileBonusCredits: Number(draft.profileBonusCredits),
            pendingPeriodMs: Number(draft.pendingDays) * DAY_MS,
            lifetimeMs: Number(draft.lifetimeDays) * DAY_MS,
            expiryWarningMs: Number(draft.warningDays) * DAY_MS,
            holdTimeoutMs: Number(draft.holdMinutes) * MINUTE_MS,
            plusMultiplier: Number(draft.plusMultiplier),
            adjustmentApprovalThresholdCredits: Number(draft.approvalThreshold),
            note: draft.note.trim() || null,
          });
        } catch (error) {
          // Show the server's complaint about a duration next to the field that asked for it.
          if (error instanceof ApiError) for (const issue of error.fieldIssues) issue.path = serverFieldNames[issue.path] ?? issue.path;
          throw error;
        }
        setOpen(false);
        onPublished();
      })}
    >
      <h3>New policy version</h3>
      <p className="muted small">A new version applies to credits earned from now on; credits already earned keep the rules they were earned under.</p>
      <ErrorSummary form={form} />
      <div className="field-row">
        {numberField('earnCreditsPerMajorUnit', 'Credits earned per 1.00')}
        {numberField('spendCreditsPerMajorUnit', 'Credits that pay 1.00')}
        {numberField('plusMultiplier', 'Plus multiplier')}
      </div>
      <div className="field-row">
        {numberField('registrationBonusCredits', 'Sign-up bonus (credits)')}
        {numberField('profileBonusCredits', 'Profile bonus (credits)')}
      </div>
      <div className="field-row">
        {numberField('pendingDays', 'Pending period (days)')}
        {numberField('lifetimeDays', 'Lifetime (days)')}
        {numberField('warningDays', 'Expiry warning (days)')}
        {numberField('holdMinutes', 'Hold timeout (minutes)')}
      </div>
      <div className="field-row">
        {numberField('approvalThreshold', 'Second approval above (credits)', 'An agent adjustment of more credits than this waits for another staff member (0 to 100,000).')}
      </div>
      <TextField form={form} name="note" label="Note" optional value={draft.note} onValue={set('note')} hint="Why the rules change, for the other agents." />
      <div className="actions">
        <SubmitButton form={form} busyText="Publishing…">
          Publish version {current.version + 1}
        </SubmitButton>
        <button type="button" className="button secondary" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function AuditRuns({ runs }: { runs: AuditRun[] }) {
  if (runs.length === 0) return <p className="muted">The auditor has not run yet.</p>;
  return (
    <ul className="plain-list stack">
      {runs.map((run) => (
        <li key={run.id} className="audit-run">
          <div className="section-header">
            <div>
              <strong>{formatDateTime(run.finishedAt)}</strong> {run.ok ? <span className="badge success">No problems</span> : <span className="badge danger">{run.problemCount} problems</span>}{' '}
              <span className="badge">{run.trigger}</span>
            </div>
            <span className="muted small">
              {formatCredits(run.membersChecked)} members · {formatCredits(run.transactionsChecked)} transactions
            </span>
          </div>
          <dl className="totals">
            {(
              [
                ['Issued', run.totals.issued],
                ['Adjusted', run.totals.adjusted],
                ['Spent', run.totals.spent],
                ['Expired', run.totals.expired],
                ['Reversed', run.totals.reversed],
                ['Forfeited', run.totals.forfeited],
                ['Outstanding', run.totals.outstanding],
              ] as const
            ).map(([label, value]) => (
              <div key={label}>
                <dt>{label}</dt>
                <dd>{formatCredits(value)}</dd>
              </div>
            ))}
          </dl>
          {run.problems.length > 0 && (
            <ul className="problems">
              {run.problems.map((problem, index) => (
                <li key={index}>
                  <code>{problem.check}</code> {problem.detail}{' '}
                  {problem.memberId && (
                    <Link to={`/console/members/${encodeURIComponent(problem.memberId)}/credits`} className="mono">
                      {problem.memberId}
                    </Link>
                  )}
                </li>
              ))}
            </ul>
          )}
        </li>
      ))}
    </ul>
  );
}

export function CreditsProgramPage() {
  const { state } = useSession();
  const isAdmin = state.status === 'signed_in' && state.member.role === 'admin';
  const policies = useResource(() => creditsApi.policies(), []);
  const runs = useResource(() => creditsApi.auditRuns(), []);
  const runForm = useForm();
  const [status, setStatus] = useState<string | null>(null);
  const current = policies.data?.policies[0];

  return (
    <Page title="Credits program" lead="The rules credits are earned and spent under, and the auditor's checks of the ledger.">
      <div className="stack-large">
        <section className="card" aria-labelledby="policies-title">
          <div className="section-header">
            <h2 id="policies-title">Policy versions</h2>
          </div>
          {status && <StatusMessage>{status}</StatusMessage>}
          {policies.loading && !policies.data && <Loading label="Loading policy versions…" />}
          {policies.error !== undefined && <ErrorPanel error={policies.error} onRetry={policies.reload} />}
          {policies.data && policies.data.policies.length === 0 && <p className="muted">No policy has been published yet; the built-in defaults apply.</p>}
          {policies.data && policies.data.policies.length > 0 && <PolicyTable policies={policies.data.policies} />}
          {isAdmin && current && (
            <div className="section-footer">
              <PublishPolicyForm
                current={current}
                onPublished={() => {
                  setStatus('The new policy version is published.');
                  policies.reload();
                }}
              />
            </div>
          )}
        </section>
        <section className="card" aria-labelledby="auditor-title">
          <div className="section-header">
            <h2 id="auditor-title">Ledger auditor</h2>
            {isAdmin && (
              <form
                noValidate
                aria-label="Run the auditor"
                onSubmit={runForm.handle(async () => {
                  await creditsApi.runAudit();
                  runs.reload();
                })}
              >
                <SubmitButton form={runForm} busyText="Auditing…" className="button secondary small">
                  Run the auditor now
                </SubmitButton>
              </form>
            )}
          </div>
          <p className="muted">Each run checks that every member's postings, balances and lots agree, and that the program's totals add up.</p>
          <ErrorSummary form={runForm} />
          {runs.loading && !runs.data && <Loading label="Loading auditor runs…" />}
          {runs.error !== undefined && <ErrorPanel error={runs.error} onRetry={runs.reload} />}
          {runs.data && <AuditRuns runs={runs.data.runs} />}
        </section>
      </div>
    </Page>
  );
}
