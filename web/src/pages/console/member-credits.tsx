// /console/members/:id/credits: a member's ledger for agents: balance, history with adjustment notes and
// authors, the balance at a past moment (LG-4), and adjustments with a reason and a note (CR-21), with the ones above
// the approval threshold waiting for a second staff member's Approve or Reject.
import { useState } from 'react';
import { newIdempotencyKey } from '../../api/client.ts';
import { adjustmentReasonCodes, creditsApi, isPendingRequest, type AdjustmentReasonCode, type CreditBalance } from '../../api/credits.ts';
import { BalanceSummary, SignedCredits, describeKind, describeReason, usePagedHistory } from '../../components/credits.tsx';
import { ErrorSummary, SelectField, StatusMessage, SubmitButton, TextAreaField, TextField, check, useForm } from '../../components/forms.tsx';
import { ErrorPanel, Loading, Page } from '../../components/layout.tsx';
import { formatCredits, formatDateTime } from '../../lib/format.ts';
import { useResource } from '../../lib/use-resource.ts';
import { useSession } from '../../session.tsx';
import { MemberTabs, useMemberHeading } from './member-detail.tsx';

const reasonLabels = {
  goodwill: 'Goodwill',
  service_recovery: 'Service recovery',
  correction: 'Correction of an error',
  missing_credits: 'Missing credits',
  fraud: 'Fraud',
  other: 'Other',
} as const satisfies Record<AdjustmentReasonCode, string>;

const reasonOptions = adjustmentReasonCodes.map((code) => ({ value: code, label: reasonLabels[code] }));

/** `2026-03-02T09:30:15` in the reader's time zone, the value a datetime-local input shows (to the second). */
function toLocalInputValue(iso: string): string {
  const date = new Date(iso);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

function PointInTime({ memberId, now }: { memberId: string; now: string }) {
  const form = useForm({ codeFields: { validation: 'time' } });
  const initial = toLocalInputValue(now);
  const [moment, setMoment] = useState(initial);
  const [result, setResult] = useState<CreditBalance | null>(null);
  return (
    <section className="card" aria-labelledby="point-in-time-title">
      <h2 id="point-in-time-title">Balance at a past moment</h2>
      <p className="muted">Replays the ledger up to the moment you choose, in your time zone.</p>
      <form
        className="inline-form"
        noValidate
        aria-label="Look up a past balance"
        onSubmit={form.handle(async () => {
          const date = new Date(moment);
          check([['time', moment === '' || Number.isNaN(date.getTime()), 'Choose a date and time.']]);
          // The field shows whole seconds; left as it was, it means the exact moment the balance above was read.
          setResult(await creditsApi.memberBalanceAt(memberId, moment === initial ? now : date.toISOString()));
        })}
      >
        <ErrorSummary form={form} />
        <TextField form={form} name="time" label="Date and time" type="datetime-local" value={moment} onValue={setMoment} step={1} />
        <SubmitButton form={form} busyText="Replaying…" className="button secondary">
          Show balance
        </SubmitButton>
      </form>
      {result && (
        <div className="sub-panel" aria-live="polite">
          <BalanceSummary balance={result} audience="agent" />
        </div>
      )}
    </section>
  );
}

function AdjustmentForm({ memberId, onDone }: { memberId: string; onDone: () => void }) {
  const form = useForm({ codeFields: { insufficient_credits: 'credits', invalid_state: 'credits' } });
  const [direction, setDirection] = useState<'add' | 'remove'>('add');
  const [amount, setAmount] = useState('');
  const [reasonCode, setReasonCode] = useState('');
  const [note, setNote] = useState('');
  const [status, setStatus] = useState<string | null>(null);
  // One key per intended adjustment: resubmitting after a failure or a lost answer cannot apply it twice.
  const [idempotencyKey, setIdempotencyKey] = useState(newIdempotencyKey);

  return (
    <section className="card" aria-labelledby="adjust-title">
      <h2 id="adjust-title">Adjust credits</h2>
      <p className="muted">Adjustments are recorded in the ledger with your name, the reason and the note, and cannot be edited afterwards.</p>
      {status && <StatusMessage>{status}</StatusMessage>}
      <form
        className="stack"
        noValidate
        aria-label="Adjust credits"
        onSubmit={form.handle(async () => {
          setStatus(null);
          const credits = Number(amount);
          check([
            ['credits', !/^\d+$/.test(amount.trim()) || credits < 1 || credits > 1_000_000, 'Enter a whole number of credits from 1 to 1,000,000.'],
            ['reasonCode', reasonCode === '', 'Choose a reason.'],
            ['note', note.trim().length < 3, 'Write a note of at least 3 characters that explains the adjustment.'],
          ]);
          const signed = direction === 'add' ? credits : -credits;
          const result = await creditsApi.adjust(memberId, { credits: signed, reasonCode: reasonCode as AdjustmentReasonCode, note: note.trim() }, idempotencyKey);
          setStatus(
            isPendingRequest(result)
              ? `More than ${formatCredits(result.thresholdCredits)} credits needs a second staff member: the request waits for their approval below (request ${result.id}).`
              : `${result.credits > 0 ? 'Added' : 'Removed'} ${formatCredits(Math.abs(result.credits))} credits (transaction ${result.transactionId}).`,
          );
          setAmount('');
          setNote('');
          setReasonCode('');
          setIdempotencyKey(newIdempotencyKey());
          onDone();
        })}
      >
        <ErrorSummary form={form} />
        <fieldset className="radio-group">
          <legend>Direction</legend>
          <label>
            <input type="radio" name="direction" value="add" checked={direction === 'add'} onChange={() => setDirection('add')} /> Add credits
          </label>
          <label>
            <input type="radio" name="direction" value="remove" checked={direction === 'remove'} onChange={() => setDirection('remove')} /> Remove credits
          </label>
        </fieldset>
        <div className="field-row">
          <TextField form={form} name="credits" label="Credits" inputMode="numeric" value={amount} onValue={setAmount} hint="A whole number." />
          <SelectField form={form} name="reasonCode" label="Reason" value={reasonCode} onValue={setReasonCode} options={reasonOptions} placeholder="Choose a reason" />
        </div>
        <TextAreaField form={form} name="note" label="Note" value={note} onValue={setNote} rows={3} hint="Visible to other agents in the ledger. Include a case or order number when there is one." />
        <div className="actions">
          <SubmitButton form={form} busyText="Recording…">
            {direction === 'add' ? 'Add credits' : 'Remove credits'}
          </SubmitButton>
        </div>
      </form>
    </section>
  );
}

/** CR-21: adjustments above the threshold wait here; a staff member other than the requester approves or rejects. */
function PendingAdjustments({ memberId, generation, onDecided }: { memberId: string; generation: number; onDecided: () => void }) {
  const pending = useResource(() => creditsApi.adjustmentRequests({ status: 'pending', memberId }), [memberId, generation]);
  const { state } = useSession();
  const me = state.status === 'signed_in' ? state.member.id : null;
  const form = useForm();
  const [rejecting, setRejecting] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const requests = pending.data?.requests ?? [];
  if (pending.data && requests.length === 0) return null;
  return (
    <section className="card" aria-labelledby="pending-adjustments-title">
      <h2 id="pending-adjustments-title">Adjustments waiting for approval</h2>
      <p className="muted">Above the program's approval threshold, a second staff member approves or rejects; the credits move only on approval.</p>
      {pending.error !== undefined && <ErrorPanel error={pending.error} onRetry={pending.reload} />}
      <ErrorSummary form={form} title="The request was not decided" />
      <ul className="stack" aria-label="Pending adjustment requests">
        {requests.map((request) => (
          <li key={request.id} className="sub-panel stack">
            <div>
              <strong>
                <SignedCredits value={request.credits} /> credits
              </strong>{' '}
              <span className="badge">{request.reasonCode}</span> {request.note}
              <div className="muted small mono">
                {request.id} · by {request.requestedByRole} {request.requestedBy} · {formatDateTime(request.requestedAt)}
              </div>
            </div>
            {request.requestedBy === me ? (
              <p className="muted small">You asked for this adjustment: another staff member decides on it.</p>
            ) : rejecting === request.id ? (
              <form
                className="stack"
                noValidate
                aria-label={`Reject request ${request.id}`}
                onSubmit={form.handle(async () => {
                  check([['note', reason.trim().length < 3, 'Say why, in at least 3 characters.']]);
                  await creditsApi.rejectAdjustment(request.id, reason.trim());
                  setRejecting(null);
                  setReason('');
                  onDecided();
                })}
              >
                <TextAreaField form={form} name="note" label="Why is it rejected?" value={reason} onValue={setReason} rows={2} />
                <div className="actions">
                  <SubmitButton form={form} busyText="Rejecting…" className="button danger">
                    Reject
                  </SubmitButton>
                  <button type="button" className="button secondary" onClick={() => setRejecting(null)}>
                    Keep it waiting
                  </button>
                </div>
              </form>
            ) : (
              <div className="actions">
                <button
                  type="button"
                  className="button"
                  disabled={form.submitting}
                  onClick={() => {
                    form.clear();
                    creditsApi.approveAdjustment(request.id).then(onDecided, form.report);
                  }}
                >
                  Approve
                </button>
                <button type="button" className="button secondary" onClick={() => setRejecting(request.id)}>
                  Reject…
                </button>
              </div>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function Ledger({ memberId, generation }: { memberId: string; generation: number }) {
  const firstPage = useResource(() => creditsApi.memberLedger(memberId), [memberId, generation]);
  const { entries, footer } = usePagedHistory(firstPage.data, (cursor) => creditsApi.memberLedger(memberId, cursor));
  return (
    <section className="card" aria-labelledby="ledger-title">
      <h2 id="ledger-title">Ledger</h2>
      {firstPage.loading && !firstPage.data && <Loading label="Loading the ledger…" />}
      {firstPage.error !== undefined && <ErrorPanel error={firstPage.error} onRetry={firstPage.reload} />}
      {firstPage.data && entries.length === 0 && <p className="muted">No ledger entries yet.</p>}
      {entries.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Ledger entries, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Entry</th>
                <th scope="col" className="numeric">
                  Credits
                </th>
                <th scope="col" className="numeric">
                  Available
                </th>
                <th scope="col" className="numeric">
                  Pending
                </th>
                <th scope="col" className="numeric">
                  Held
                </th>
                <th scope="col" className="numeric">
                  Debt
                </th>
                <th scope="col">Policy</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => {
                const reason = describeReason(entry);
                return (
                  <tr key={entry.id}>
                    <td className="nowrap">{formatDateTime(entry.at)}</td>
                    <td>
                      <code>{entry.kind}</code> {describeKind(entry.kind)}
                      {reason && !entry.adjustment && <div className="muted small">{reason}</div>}
                      {entry.adjustment && (
                        <div className="small">
                          <span className="badge">{entry.adjustment.reasonCode}</span> {entry.adjustment.note}
                          {entry.adjustment.actorId && (
                            <div className="muted mono">
                              by {entry.adjustment.actorRole} {entry.adjustment.actorId}
                            </div>
                          )}
                        </div>
                      )}
                      <div className="muted small mono">
                        {[entry.id, entry.orderId && `order ${entry.orderId}`, entry.caseId && `case ${entry.caseId}`, entry.lotId && `lot ${entry.lotId}`, entry.holdId && `hold ${entry.holdId}`]
                          .filter(Boolean)
                          .join(' · ')}
                      </div>
                    </td>
                    <td className="numeric">
                      <SignedCredits value={entry.credits} />
                    </td>
                    <td className="numeric">{formatCredits(entry.balanceAfter.available)}</td>
                    <td className="numeric">{formatCredits(entry.balanceAfter.pending)}</td>
                    <td className="numeric">{formatCredits(entry.balanceAfter.held)}</td>
                    <td className="numeric">{formatCredits(entry.balanceAfter.debt)}</td>
                    <td>v{entry.policyVersion}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {footer}
    </section>
  );
}

export function MemberCreditsPage({ memberId }: { memberId: string }) {
  const { title, lead } = useMemberHeading(memberId);
  const [generation, setGeneration] = useState(0);
  const balance = useResource(() => creditsApi.memberBalance(memberId), [memberId, generation]);
  return (
    <Page title={title} lead={lead}>
      <MemberTabs memberId={memberId} />
      <div className="stack-large">
        <section className="card" aria-labelledby="balance-title">
          <h2 id="balance-title">Balance</h2>
          {balance.loading && !balance.data && <Loading label="Loading the balance…" />}
          {balance.error !== undefined && <ErrorPanel error={balance.error} onRetry={balance.reload} />}
          {balance.data && <BalanceSummary balance={balance.data} audience="agent" />}
        </section>
        <div className="two-columns">
          <AdjustmentForm memberId={memberId} onDone={() => setGeneration((value) => value + 1)} />
          {balance.data ? <PointInTime key={balance.data.asOf} memberId={memberId} now={balance.data.asOf} /> : <div />}
        </div>
        <PendingAdjustments memberId={memberId} generation={generation} onDecided={() => setGeneration((value) => value + 1)} />
        <Ledger memberId={memberId} generation={generation} />
      </div>
    </Page>
  );
}
