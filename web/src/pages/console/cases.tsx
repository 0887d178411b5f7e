// /console/cases and /console/cases/:caseId: the after-sales queue for agents (AS-10: priority first, then oldest;
// filters by kind, state and reason; the Plus priority flag, age and the serial-reuse flag) and one case with all an
// agent needs: the eligibility trace rule by rule, the timeline, internal notes, photos, the serial check and reuse
// warning, the actions the case allows now, Resolve with the allowed remedies (AS-11), and turning a support case
// into a warranty claim (AS-13).
import { useState } from 'react';
import {
  aftersalesApi,
  caseKinds,
  caseStates,
  inspectionResults,
  reasonCodes,
  rejectionReasons,
  type AgentAction,
  type AgentCase,
  type AgentResolution,
  type Remedy,
} from '../../api/aftersales.ts';
import { newIdempotencyKey } from '../../api/client.ts';
import {
  CaseFacts,
  CasePhotos,
  CaseStateBadge,
  CaseSteps,
  agentStateLabels,
  describeAction,
  finalStates,
  inspectionLabels,
  kindLabels,
  reasonLabels,
  remedyLabels,
} from '../../components/aftersales.tsx';
import { ErrorSummary, SelectField, StatusMessage, SubmitButton, TextAreaField, TextField, check, useForm } from '../../components/forms.tsx';
import { ErrorPanel, Loading, Page, RefreshButton } from '../../components/layout.tsx';
import { QueueFilterBar, QueuePager } from '../../components/queue-filters.tsx';
import { formatCredits, formatDate, formatDateTime, formatMoney } from '../../lib/format.ts';
import { useResource } from '../../lib/use-resource.ts';
import { Link, navigate, useLocation } from '../../router.tsx';

const casePath = (caseId: string) => `/console/cases/${encodeURIComponent(caseId)}`;
const orderLink = (orderRef: string) => (orderRef.startsWith('ord_') ? `/console/orders/${encodeURIComponent(orderRef)}` : null);

const kindOptions = caseKinds.map((value) => ({ value, label: kindLabels[value] }));
const stateOptions = caseStates.map((value) => ({ value, label: agentStateLabels[value] }));
const reasonOptions = reasonCodes.map((value) => ({ value, label: reasonLabels[value] }));
const queueFilters = [
  { name: 'kind', label: 'Kind', options: kindOptions, placeholder: 'Any kind' },
  { name: 'state', label: 'State', options: stateOptions, placeholder: 'Open cases' },
  { name: 'reason', label: 'Reason', options: reasonOptions, placeholder: 'Any reason' },
];

function ageText(days: number): string {
  return days === 0 ? 'today' : days === 1 ? '1 day' : `${days} days`;
}

export function CasesQueuePage() {
  const { search } = useLocation();
  const kind = search.get('kind') ?? '';
  const state = search.get('state') ?? '';
  const reason = search.get('reason') ?? '';
  const cursor = search.get('cursor') ?? '';
  const queue = useResource(() => aftersalesApi.queue({ kind: kind || undefined, state: state || undefined, reason: reason || undefined, cursor: cursor || undefined }), [kind, state, reason, cursor]);
  const rows = queue.data?.cases ?? [];
  return (
    <Page title="Cases" lead="Returns, exchanges, warranty claims, damage reports and support. Plus members first, then the oldest." actions={<RefreshButton resource={queue} />}>
      <QueueFilterBar path="/console/cases" label="Filter cases" submitLabel="Show cases" filters={queueFilters} values={{ kind, state, reason }} />
      {queue.loading && !queue.data && <Loading label="Loading the queue…" />}
      {queue.error !== undefined && <ErrorPanel error={queue.error} onRetry={queue.reload} />}
      {queue.data && rows.length === 0 && (
        <p className="empty" role="status">
          {cursor ? 'No more cases.' : 'No cases match.'}
        </p>
      )}
      {rows.length > 0 && (
        <div className="card flush">
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">Cases, priority first, then oldest</caption>
              <thead>
                <tr>
                  <th scope="col">Case</th>
                  <th scope="col">State</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Order</th>
                  <th scope="col">Requester</th>
                  <th scope="col" className="numeric">
                    Age
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr key={row.id}>
                    <td>
                      <Link to={casePath(row.id)}>{kindLabels[row.kind]}</Link>
                      <div className="muted small mono">{row.id}</div>
                      <span className="badges">
                        {row.priority && <span className="badge priority">Plus priority</span>}
                        {row.serialFlagged && <span className="badge danger">Serial reused</span>}
                      </span>
                    </td>
                    <td>
                      <CaseStateBadge state={row.state} agent />
                      <div className="muted small">since {formatDate(row.stateEnteredAt)}</div>
                    </td>
                    <td>
                      {reasonLabels[row.reason]}
                      <div className="muted small">asks for {remedyLabels[row.remedy].toLowerCase()}</div>
                    </td>
                    <td className="small">
                      <span className="mono">{row.orderRef}</span>
                      <div className="muted">
                        {row.orderSource}
                        {row.productSku ? ` · ${row.productSku}` : ''}
                      </div>
                    </td>
                    <td className="small">
                      {row.contactName}
                      <div className="muted mono">{row.memberId ? <Link to={`/console/members/${encodeURIComponent(row.memberId)}`}>{row.memberId}</Link> : 'Guest'}</div>
                    </td>
                    <td className="numeric nowrap" title={`Opened ${formatDateTime(row.createdAt)}`}>
                      {ageText(row.ageDays)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <QueuePager path="/console/cases" filters={{ kind, state, reason }} cursor={cursor} nextCursor={queue.data?.nextCursor} />
        </div>
      )}
    </Page>
  );
}

const rejectOptions = rejectionReasons.map((value) => ({ value, label: value.replaceAll('_', ' ') }));
const inspectionOptions = inspectionResults.map((value) => ({ value, label: inspectionLabels[value] ?? value }));

const actionButtonLabels: Record<AgentAction, string> = {
  review: 'Take into review',
  ask_for_info: 'Ask for information',
  approve: 'Approve',
  reject: 'Reject',
  await_return: 'Wait for the item to come back',
  mark_received: 'Mark received and inspected',
};

/** One case action with its inputs: a question (ask_for_info), a reason code (reject, mark_received), a remedy (approve). */
function ActionForm({ data, action, onDone }: { data: AgentCase; action: AgentAction; onDone: (updated: AgentCase, message: string) => void }) {
  const form = useForm();
  const [note, setNote] = useState('');
  const [reasonCode, setReasonCode] = useState(action === 'mark_received' ? 'as_described' : '');
  const [remedy, setRemedy] = useState<string>(data.remedy !== 'none' && data.eligibility.allowedRemedies.includes(data.remedy) ? data.remedy : '');
  const needsNote = action === 'ask_for_info';
  const needsReason = action === 'reject' || action === 'mark_received';
  const danger = action === 'reject';
  return (
    <form
      className="action-block stack-small"
      noValidate
      aria-label={actionButtonLabels[action]}
      onSubmit={form.handle(async () => {
        check([
          ['note', needsNote && note.trim() === '', 'Write the question the customer gets by email.'],
          ['reasonCode', needsReason && reasonCode === '', action === 'reject' ? 'Choose why the case is rejected.' : 'Choose the inspection result.'],
        ]);
        const updated = await aftersalesApi.act(data.id, {
          action,
          ...(note.trim() ? { note: note.trim() } : {}),
          ...(needsReason ? { reasonCode } : {}),
          ...(action === 'approve' && remedy ? { remedy: remedy as Remedy } : {}),
        });
        onDone(updated, `${actionButtonLabels[action]}: done. Now: ${agentStateLabels[updated.state]}.`);
      })}
    >
      <h3>{actionButtonLabels[action]}</h3>
      <ErrorSummary form={form} />
      {action === 'approve' && data.eligibility.allowedRemedies.length > 0 && (
        <SelectField form={form} name="remedy" label="Remedy" optional value={remedy} onValue={setRemedy} options={data.eligibility.allowedRemedies.map((value) => ({ value, label: remedyLabels[value] }))} placeholder="As requested" />
      )}
      {action === 'reject' && <SelectField form={form} name="reasonCode" label="Reason code" value={reasonCode} onValue={setReasonCode} options={rejectOptions} placeholder="Choose a reason" />}
      {action === 'mark_received' && <SelectField form={form} name="reasonCode" label="Inspection result" value={reasonCode} onValue={setReasonCode} options={inspectionOptions} />}
      {(needsNote || action === 'reject' || action === 'mark_received') && (
        <TextAreaField
          form={form}
          name="note"
          label={needsNote ? 'Question to the customer' : action === 'reject' ? 'Explanation for the customer' : 'Inspection note'}
          hint={needsNote ? 'Emailed to the customer and shown on their status page.' : undefined}
          optional={!needsNote}
          rows={3}
          value={note}
          onValue={setNote}
        />
      )}
      <div className="actions">
        <SubmitButton form={form} busyText="Saving…" className={danger ? 'button danger' : action === 'approve' ? 'button primary' : 'button secondary'}>
          {actionButtonLabels[action]}
        </SubmitButton>
      </div>
    </form>
  );
}

/** POST /agent/cases/:caseId/resolve with one of the allowed remedies; one Idempotency-Key per intended resolution. */
function ResolveForm({ data, onDone }: { data: AgentCase; onDone: (message: string) => Promise<void> }) {
  const form = useForm();
  const allowed: Remedy[] = data.eligibility.allowedRemedies.filter((remedy) => remedy !== 'none');
  const [remedy, setRemedy] = useState<string>(allowed.includes(data.remedy) ? data.remedy : (allowed[0] ?? ''));
  const [note, setNote] = useState('');
  const [quantity, setQuantity] = useState('');
  const [idempotencyKey, setIdempotencyKey] = useState(newIdempotencyKey);
  return (
    <form
      className="action-block stack-small resolve-block"
      noValidate
      aria-label="Resolve"
      onSubmit={form.handle(async () => {
        check([
          ['remedy', remedy === '', 'Choose the remedy.'],
          ['quantity', quantity.trim() !== '' && !/^[1-9]\d*$/.test(quantity.trim()), 'Enter a whole number of items, or leave it empty for one.'],
        ]);
        const result = await aftersalesApi.resolve(data.id, { remedy: remedy as Remedy, ...(note.trim() ? { note: note.trim() } : {}), ...(quantity.trim() ? { quantity: Number(quantity.trim()) } : {}) }, idempotencyKey);
        setIdempotencyKey(newIdempotencyKey());
        await onDone(result.state === 'resolved' ? `Resolved with ${remedyLabels[remedy as Remedy].toLowerCase()}.` : `Resolution with ${remedyLabels[remedy as Remedy].toLowerCase()} started; it finishes in the background.`);
      })}
    >
      <h3>Resolve</h3>
      <p className="small">
        {data.orderSource === 'marketplace'
          ? 'A marketplace order: Amazon refunds; no credits move.'
          : data.orderRef.startsWith('rdm_')
            ? 'A redeemed reward: a replacement or the credits back, never money.'
            : 'A refund goes back to the card and reverses the line’s credits; an exchange or replacement ships a zero-price order that earns nothing.'}
      </p>
      <ErrorSummary form={form} title="The case was not resolved" />
      {allowed.length === 0 ? (
        <p className="muted">No remedy is allowed on this case.</p>
      ) : (
        <fieldset className="radio-group" id={form.fieldId('remedy')} tabIndex={-1}>
          <legend>Remedy</legend>
          {form.errorFor('remedy') && <p className="field-error">{form.errorFor('remedy')}</p>}
          {allowed.map((value) => (
            <label key={value}>
              <input type="radio" name="resolve-remedy" value={value} checked={remedy === value} onChange={() => setRemedy(value)} /> {remedyLabels[value]}
              {value === data.remedy && <span className="muted small"> (asked for)</span>}
            </label>
          ))}
        </fieldset>
      )}
      {(remedy === 'refund' || remedy === 'replacement' || remedy === 'exchange') && data.orderSource === 'store' && (
        <TextField form={form} name="quantity" label="Items" optional inputMode="numeric" hint="How many of the line's items this covers; 1 when empty." value={quantity} onValue={setQuantity} />
      )}
      <TextAreaField form={form} name="note" label="Note for the customer" optional rows={2} value={note} onValue={setNote} />
      <div className="actions">
        <SubmitButton form={form} busyText="Resolving…">
          Resolve with {remedy ? remedyLabels[remedy as Remedy].toLowerCase() : '…'}
        </SubmitButton>
      </div>
    </form>
  );
}

function ConvertBlock({ data }: { data: AgentCase }) {
  const form = useForm();
  return (
    <form
      className="action-block stack-small"
      noValidate
      aria-label="Convert to a warranty claim"
      onSubmit={form.handle(async () => {
        const converted = await aftersalesApi.convert(data.id);
        navigate(`${casePath(converted.id)}?converted=1`);
      })}
    >
      <h3>Turn into a warranty claim</h3>
      <p className="small">The customer does not type anything again: the details and photos carry over, and eligibility is decided anew.</p>
      <ErrorSummary form={form} />
      <div className="actions">
        <SubmitButton form={form} busyText="Converting…" className="button secondary">
          Convert to warranty claim
        </SubmitButton>
      </div>
    </form>
  );
}

function ResolutionFacts({ resolution, flowState }: { resolution: AgentResolution; flowState: string | null }) {
  const replacement = resolution.replacementOrderId;
  return (
    <dl className="facts facts-inline case-facts">
      <div>
        <dt>Remedy</dt>
        <dd>{remedyLabels[resolution.remedy]}</dd>
      </div>
      {flowState && (
        <div>
          <dt>Refund run</dt>
          <dd>{flowState}</dd>
        </div>
      )}
      {resolution.refundId && (
        <div>
          <dt>Refund</dt>
          <dd className="mono">{resolution.refundId}</dd>
        </div>
      )}
      {replacement && (
        <div>
          <dt>Replacement order</dt>
          <dd className="mono">{replacement.startsWith('ord_') ? <Link to={`/console/orders/${encodeURIComponent(replacement)}`}>{replacement}</Link> : replacement}</dd>
        </div>
      )}
      {resolution.amountMinor !== null && (
        <div>
          <dt>Amount</dt>
          <dd>{formatMoney(resolution.amountMinor)}</dd>
        </div>
      )}
      {resolution.creditsReversed !== null && (
        <div>
          <dt>Credits reversed</dt>
          <dd>{formatCredits(resolution.creditsReversed)}</dd>
        </div>
      )}
      {resolution.creditsRestored !== null && (
        <div>
          <dt>Credits restored</dt>
          <dd>{formatCredits(resolution.creditsRestored)}</dd>
        </div>
      )}
      {resolution.detail && (
        <div>
          <dt>Detail</dt>
          <dd>{resolution.detail}</dd>
        </div>
      )}
    </dl>
  );
}

const serialCheckWords = {
  matches: { text: 'Matches the serial recorded at shipment', tone: 'success' },
  mismatch: { text: 'Does not match the serial recorded at shipment', tone: 'danger' },
  not_recorded: { text: 'No serial was recorded at shipment', tone: '' },
} as const;

function SerialSection({ data }: { data: AgentCase }) {
  if (!data.serial && data.serialReuse.length === 0) return null;
  const checked = data.serialCheck ? serialCheckWords[data.serialCheck] : null;
  return (
    <section className={data.serialReuse.length > 0 ? 'card stack-small warning-card' : 'card stack-small'} aria-labelledby="serial-title">
      <h2 id="serial-title">Serial number</h2>
      <p>
        <span className="mono">{data.serial ?? 'none given'}</span> {checked && <span className={checked.tone ? `badge ${checked.tone}` : 'badge'}>{checked.text}</span>}
      </p>
      {data.serialReuse.length > 0 && (
        <div role="alert" className="stack-small">
          <p>
            <strong>This serial was already refunded or replaced</strong> on {data.serialReuse.length === 1 ? 'another approved case' : `${data.serialReuse.length} other approved cases`}:
          </p>
          <ul>
            {data.serialReuse.map((other) => (
              <li key={other.caseId}>
                <Link to={casePath(other.caseId)} className="mono">
                  {other.caseId}
                </Link>{' '}
                · {agentStateLabels[other.state]} · {remedyLabels[other.remedy]} · order <span className="mono">{other.orderRef}</span> · {formatDate(other.createdAt)}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

function NotesSection({ data, onNote }: { data: AgentCase; onNote: (note: AgentCase['notes'][number]) => void }) {
  const form = useForm();
  const [body, setBody] = useState('');
  return (
    <section className="card stack" aria-labelledby="notes-title">
      <h2 id="notes-title">Internal notes</h2>
      <p className="small muted">Only agents see these.</p>
      {data.notes.length === 0 ? (
        <p className="muted">No notes yet.</p>
      ) : (
        <ol className="timeline">
          {data.notes.map((note) => (
            <li key={note.id}>
              <div className="timeline-head">
                <span className="mono small">{note.authorId}</span>
                <span className="muted small">{formatDateTime(note.at)}</span>
              </div>
              <p className="timeline-note">{note.body}</p>
            </li>
          ))}
        </ol>
      )}
      <form
        className="stack-small"
        noValidate
        aria-label="Add a note"
        onSubmit={form.handle(async () => {
          check([['body', body.trim() === '', 'Write the note.']]);
          onNote(await aftersalesApi.addNote(data.id, body.trim()));
          setBody('');
        })}
      >
        <ErrorSummary form={form} title="The note was not added" />
        <TextAreaField form={form} name="body" label="New note" rows={3} value={body} onValue={setBody} />
        <div className="actions">
          <SubmitButton form={form} busyText="Adding…" className="button secondary">
            Add note
          </SubmitButton>
        </div>
      </form>
    </section>
  );
}

const actorWords: Record<string, string> = { member: 'Customer', guest: 'Customer', customer: 'Customer', agent: 'Agent', admin: 'Admin', system: 'System' };

export function CaseConsolePage({ caseId }: { caseId: string }) {
  const { search } = useLocation();
  const item = useResource(() => aftersalesApi.agentCase(caseId), [caseId]);
  const [status, setStatus] = useState<string | null>(search.get('converted') === '1' ? 'A new warranty claim, made from the support case.' : null);
  const data = item.data;
  // The refund run's state lives with the flow (GET …/resolution); the case view carries the outcome.
  const resolved = data?.resolution !== null && data?.resolution !== undefined;
  const flow = useResource(() => (resolved ? aftersalesApi.resolution(caseId) : Promise.resolve(null)), [caseId, resolved]);
  const plainActions = (data?.availableActions ?? []).filter((action): action is AgentAction => (['review', 'ask_for_info', 'approve', 'reject', 'await_return', 'mark_received'] as string[]).includes(action));
  const canResolve = data !== undefined && (data.availableActions.includes('resolve') || data.state === 'approved' || data.state === 'received');
  const canConvert = data !== undefined && data.kind === 'support' && data.convertedToCaseId === null && (data.availableActions.includes('convert') || !finalStates.includes(data.state));
  const after = (updated: AgentCase, message: string) => {
    item.set(updated);
    setStatus(message);
  };
  return (
    <Page title={data ? `${kindLabels[data.kind]} ${data.id}` : 'Case'} lead={data ? `${data.contactName} · opened ${formatDateTime(data.createdAt)}` : undefined} actions={<Link to="/console/cases" className="button secondary">Queue</Link>}>
      {item.loading && !data && <Loading label="Loading the case…" />}
      {item.error !== undefined && <ErrorPanel error={item.error} onRetry={item.reload} />}
      {data && (
        <div className="stack-large">
          {status && <StatusMessage>{status}</StatusMessage>}
          <section className="card stack" aria-labelledby="case-title">
            <div className="section-header">
              <h2 id="case-title">
                {kindLabels[data.kind]} · {reasonLabels[data.reason]}
              </h2>
              <span className="badges">
                {data.priority && <span className="badge priority">Plus priority</span>}
                <span data-testid="case-state">
                  <CaseStateBadge state={data.state} agent />
                </span>
              </span>
            </div>
            <CaseSteps state={data.state} timeline={data.timeline} />
            <CaseFacts
              data={data}
              extra={
                <>
                  <div>
                    <dt>Requester</dt>
                    <dd>
                      {data.contactName}{' '}
                      {data.memberId ? (
                        <Link to={`/console/members/${encodeURIComponent(data.memberId)}`} className="mono small">
                          {data.memberId}
                        </Link>
                      ) : (
                        <span className="small">
                          guest {data.guestEmail} {data.emailConfirmed ? <span className="badge success">email confirmed</span> : <span className="badge warning">email not confirmed</span>}
                        </span>
                      )}
                    </dd>
                  </div>
                  <div>
                    <dt>Order source</dt>
                    <dd>
                      {data.orderSource}
                      {orderLink(data.orderRef) && (
                        <>
                          {' '}
                          · <Link to={orderLink(data.orderRef)!}>open the order</Link>
                        </>
                      )}
                    </dd>
                  </div>
                  {data.expiresAt && (
                    <div>
                      <dt>Expires</dt>
                      <dd>{formatDateTime(data.expiresAt)}</dd>
                    </div>
                  )}
                  {data.convertedFromCaseId && (
                    <div>
                      <dt>Made from</dt>
                      <dd>
                        <Link to={casePath(data.convertedFromCaseId)} className="mono">
                          {data.convertedFromCaseId}
                        </Link>
                      </dd>
                    </div>
                  )}
                  {data.convertedToCaseId && (
                    <div>
                      <dt>Turned into</dt>
                      <dd>
                        <Link to={casePath(data.convertedToCaseId)} className="mono">
                          {data.convertedToCaseId}
                        </Link>
                      </dd>
                    </div>
                  )}
                </>
              }
            />
          </section>
          {data.resolution && (
            <section className="card success-card" aria-labelledby="resolution-title">
              <h2 id="resolution-title">Resolution</h2>
              <ResolutionFacts resolution={data.resolution} flowState={flow.data?.resolution?.flowState ?? null} />
            </section>
          )}
          <SerialSection data={data} />
          {(plainActions.length > 0 || canResolve || canConvert) && (
            <section className="card stack" aria-labelledby="actions-title">
              <h2 id="actions-title">Actions</h2>
              <div className="action-grid">
                {plainActions.map((action) => (
                  <ActionForm key={`${action}-${data.state}`} data={data} action={action} onDone={after} />
                ))}
                {canResolve && (
                  <ResolveForm
                    key={`resolve-${data.state}`}
                    data={data}
                    onDone={async (message) => {
                      item.set(await aftersalesApi.agentCase(caseId));
                      setStatus(message);
                    }}
                  />
                )}
                {canConvert && <ConvertBlock data={data} />}
              </div>
            </section>
          )}
          <section className="card stack-small" aria-labelledby="trace-title">
            <h2 id="trace-title">Eligibility</h2>
            <p>
              <strong>{data.eligibility.outcome === 'auto_approved' ? 'Approved automatically' : data.eligibility.outcome === 'refused' ? 'Refused' : 'Eligible'}</strong>
              {data.eligibility.allowedRemedies.length > 0 && <> · allowed: {data.eligibility.allowedRemedies.map((remedy) => remedyLabels[remedy].toLowerCase()).join(', ')}</>}
              {data.eligibility.moneyMoves ? ' · money can move' : ' · no money moves'}
              {data.eligibility.creditsMove ? ' · credits can move' : ' · no credits move'}
              {data.eligibility.requiresProofImage && ' · proof-of-purchase photo required'}
            </p>
            <div className="table-wrap">
              <table className="table">
                <caption className="visually-hidden">The rules that decided, in order</caption>
                <thead>
                  <tr>
                    <th scope="col">Rule</th>
                    <th scope="col">Decided</th>
                    <th scope="col">The customer reads</th>
                  </tr>
                </thead>
                <tbody>
                  {data.eligibility.trace.map((entry, index) => (
                    <tr key={`${entry.rule}-${index}`}>
                      <td className="mono nowrap">{entry.rule}</td>
                      <td>{entry.decided}</td>
                      <td className="muted small">{entry.customerText}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
          <section className="card stack-small" aria-labelledby="details-title">
            <h2 id="details-title">The customer's description</h2>
            <p className="pre-wrap">{data.details}</p>
            <h3>Photos</h3>
            <CasePhotos images={data.images} load={(imageId) => aftersalesApi.agentImage(caseId, imageId)} />
          </section>
          <section className="card" aria-labelledby="timeline-title">
            <h2 id="timeline-title">Timeline</h2>
            <ol className="timeline">
              {data.timeline.map((entry, index) => (
                <li key={`${entry.at}-${index}`}>
                  <div className="timeline-head">
                    <strong>{describeAction(entry)}</strong>
                    <span className="muted small">
                      {actorWords[entry.actorRole] ?? entry.actorRole}
                      {entry.actorId ? ` ${entry.actorId}` : ''} · {formatDateTime(entry.at)}
                    </span>
                  </div>
                  <p className="small muted">
                    {entry.fromState ? `${agentStateLabels[entry.fromState]} → ` : ''}
                    {agentStateLabels[entry.toState]}
                    {entry.reasonCode ? ` · ${entry.reasonCode}` : ''}
                  </p>
                  {entry.note && <p className="timeline-note">{entry.note}</p>}
                </li>
              ))}
            </ol>
          </section>
          <NotesSection data={data} onNote={(note) => item.set({ ...data, notes: [...data.notes, note] })} />
        </div>
      )}
    </Page>
  );
}
