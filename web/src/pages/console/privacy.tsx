// /console/privacy and /console/privacy/:requestId: the rights-request queue for agents (PV-10: Plus members first,
// then the earliest due; days left and the due-in-7 / due-in-2 / overdue flags; filters by type, state and regime)
// and one request with what an agent needs: deadlines, verification, the authorized agent's documents, the timeline
// with notes, the actions the state allows (start, hold, resume, extend with a reason, deny or partially fulfil with a
// reason code and the legal basis, fulfil, withdraw, decide an appeal) and, for an erase request, the erasure report.
// /console/privacy/new: an agent enters a request received by email (with the email's receipt time) or by phone or
// in person (PV-1).
import { useState } from 'react';
import { ApiError, newIdempotencyKey } from '../../api/client.ts';
import {
  appealDecisions,
  regimes,
  requestStates,
  requestTypes,
  requestsApi,
  type AgentPrivacyRequest,
  type AgentRequestAction,
  type AppealDecision,
  type ErasureReport,
  type Relationship,
  type RequestType,
} from '../../api/privacy.ts';
import { RadioGroup } from '../../components/case-form.tsx';
import { ErrorSummary, FormInvalid, SelectField, StatusMessage, SubmitButton, TextAreaField, TextField, check, useForm } from '../../components/forms.tsx';
import { ErrorPanel, Loading, Page, RefreshButton } from '../../components/layout.tsx';
import { QueueFilterBar, QueuePager } from '../../components/queue-filters.tsx';
import {
  BrandFields,
  DeadlineFacts,
  LocationFields,
  emptyLocation,
  locationInput,
  requestTypeChoices,
  type LocationDraft,
  DueFlagBadge,
  RequestStateBadge,
  daysLeftText,
  decisionReasonLabels,
  describeRequestAction,
  formatBytes,
  listWords,
  missingStepLabels,
  regimeLabels,
  requestStateLabels,
  requestTypeNames,
} from '../../components/privacy-requests.tsx';
import { formatCalendarDate, formatDate, formatDateTime } from '../../lib/format.ts';
import { useResource } from '../../lib/use-resource.ts';
import { Link, navigate, useLocation } from '../../router.tsx';

const requestPath = (requestId: string) => `/console/privacy/${encodeURIComponent(requestId)}`;
const typeOptions = requestTypes.map((value) => ({ value, label: requestTypeNames[value] }));
const stateOptions = requestStates.map((value) => ({ value, label: requestStateLabels[value] }));
const regimeOptions = regimes.map((value) => ({ value, label: regimeLabels[value] }));
const queueFilters = [
  { name: 'type', label: 'Type', options: typeOptions, placeholder: 'Any type' },
  { name: 'state', label: 'State', options: stateOptions, placeholder: 'Open requests' },
  { name: 'regime', label: 'Regime', options: regimeOptions, placeholder: 'Any regime' },
];
const channelWords = { web_form: 'Web form', member_center: 'Member center', email: 'Email', agent: 'Agent' } as const;

export function PrivacyQueuePage() {
  const { search } = useLocation();
  const type = search.get('type') ?? '';
  const state = search.get('state') ?? '';
  const regime = search.get('regime') ?? '';
  const cursor = search.get('cursor') ?? '';
  const queue = useResource(() => requestsApi.queue({ type: type || undefined, state: state || undefined, regime: regime || undefined, cursor: cursor || undefined }), [type, state, regime, cursor]);
  const rows = queue.data?.requests ?? [];
  return (
    <Page
      title="Privacy requests"
      lead={`Rights requests: Plus members first, then the earliest due.${queue.data ? ` Today is ${formatCalendarDate(queue.data.today)} (UTC).` : ''}`}
      actions={
        <>
          <RefreshButton resource={queue} />
          <Link to="/console/privacy/new" className="button primary">
            New request
          </Link>
        </>
      }
    >
      <QueueFilterBar path="/console/privacy" label="Filter privacy requests" submitLabel="Show requests" filters={queueFilters} values={{ type, state, regime }} />
      {queue.loading && !queue.data && <Loading label="Loading the queue…" />}
      {queue.error !== undefined && <ErrorPanel error={queue.error} onRetry={queue.reload} />}
      {queue.data && rows.length === 0 && (
        <p className="empty" role="status">
          {cursor ? 'No more requests.' : 'No requests match.'}
        </p>
      )}
      {rows.length > 0 && (
        <div className="card flush">
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">Privacy requests, priority first, then earliest due</caption>
              <thead>
                <tr>
                  <th scope="col">Request</th>
                  <th scope="col">State</th>
                  <th scope="col">Subject</th>
                  <th scope="col">Regime</th>
                  <th scope="col">Due</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr key={row.id} className={row.flag ? `due-${row.flag}` : undefined}>
                    <td>
                      <Link to={requestPath(row.id)}>{requestTypeNames[row.type]}</Link>
                      <div className="muted small mono">{row.id}</div>
                      <span className="badges">{row.priority && <span className="badge priority">Plus priority</span>}</span>
                    </td>
                    <td>
                      <RequestStateBadge state={row.state} />
                      {row.verificationMissing.length > 0 && <div className="muted small">needs {listWords(row.verificationMissing.map((step) => missingStepLabels[step]))}</div>}
                    </td>
                    <td className="small">
                      {row.requesterName}
                      <div className="muted">{row.subjectEmail}</div>
                      <div className="muted">
                        {channelWords[row.channel]} · received {formatDate(row.receivedAt)}
                      </div>
                    </td>
                    <td className="small">{regimeLabels[row.regime]}</td>
                    <td className="nowrap">
                      {formatCalendarDate(row.dueDate)}
                      <div className="small">{daysLeftText(row.daysLeft)}</div>
                      <DueFlagBadge flag={row.flag} daysLeft={row.daysLeft} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <QueuePager path="/console/privacy" filters={{ type, state, regime }} cursor={cursor} nextCursor={queue.data?.nextCursor} />
        </div>
      )}
    </Page>
  );
}

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** The request types in the words the public form offers them (what the person asked for). */
const intakeTypeOptions = requestTypes.map((value) => ({ value, label: requestTypeChoices[value].label }));
const channelOptions = [
  { value: 'email', label: 'Received by email', hint: 'The deadlines count from the time the email arrived.' },
  { value: 'agent', label: 'By phone or in person', hint: 'The deadlines count from now.' },
] as const;
const relationshipOptions = [
  { value: 'self', label: 'The person themselves' },
  { value: 'authorized_agent', label: 'An authorized agent acting for the person' },
];

/** A time as a datetime-local input shows it: the browser's time zone, to the minute. */
function localDateTimeValue(ms: number): string {
  const date = new Date(ms);
  const two = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}T${two(date.getHours())}:${two(date.getMinutes())}`;
}

const browserTimeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

/**
 * /console/privacy/new: an agent enters a request that came by email (with the time the email arrived, which starts
 * the deadlines; the server refuses a time in the future or more than 90 days back) or was taken by phone or in person.
 */
export function NewPrivacyRequestConsolePage() {
  const form = useForm();
  const [channel, setChannel] = useState<'email' | 'agent'>('email');
  const [receivedAt, setReceivedAt] = useState(() => localDateTimeValue(Date.now()));
  const [type, setType] = useState<RequestType | ''>('');
  const [requesterName, setRequesterName] = useState('');
  const [requesterEmail, setRequesterEmail] = useState('');
  const [relationship, setRelationship] = useState<Relationship>('self');
  const [subjectEmail, setSubjectEmail] = useState('');
  const [location, setLocation] = useState<LocationDraft>(emptyLocation);
  const [brands, setBrands] = useState<string[]>([]);
  const [comments, setComments] = useState('');
  const [idempotencyKey] = useState(newIdempotencyKey);
  const agent = relationship === 'authorized_agent';

  const submit = async () => {
    const fields: Record<string, string> = {};
    const receivedMs = new Date(receivedAt).getTime();
    if (channel === 'email' && Number.isNaN(receivedMs)) fields.receivedAt = 'Enter the date and time the email arrived.';
    else if (channel === 'email' && receivedMs > Date.now()) fields.receivedAt = 'The time the email arrived cannot be in the future.';
    if (type === '') fields.type = 'Choose what the person asks for.';
    if (requesterName.trim() === '') fields.requesterName = 'Enter the requester’s name.';
    if (!emailPattern.test(requesterEmail.trim())) fields.requesterEmail = 'Enter the requester’s email address, like name@example.com.';
    if ((agent || subjectEmail.trim() !== '') && !emailPattern.test(subjectEmail.trim())) fields.subjectEmail = 'Enter the email address of the person the request is about.';
    const where = locationInput(location, fields);
    if (comments.length > 4000) fields.comments = `This is ${comments.length} characters; at most 4,000.`;
    if (Object.keys(fields).length > 0) throw new FormInvalid(fields);
    const created = await requestsApi.enter(
      {
        channel,
        ...(channel === 'email' ? { receivedAt: new Date(receivedMs).toISOString() } : {}),
        type: type as RequestType,
        requesterName: requesterName.trim(),
        requesterEmail: requesterEmail.trim(),
        relationship,
        subjectEmail: subjectEmail.trim() || requesterEmail.trim(),
        ...where,
        brands,
        comments: comments.trim() || null,
      },
      idempotencyKey,
    );
    navigate(requestPath(created.id));
  };

  return (
    <Page
      title="New privacy request"
      lead="Enter a request that came by email, by phone or in person. The person is asked to verify it as on the web form."
      actions={
        <Link to="/console/privacy" className="button secondary">
          Queue
        </Link>
      }
    >
      <form className="card stack case-form privacy-form" noValidate aria-labelledby="intake-title" onSubmit={form.handle(submit)}>
        <h2 id="intake-title" className="visually-hidden">
          New privacy request
        </h2>
        <ErrorSummary form={form} title="The request was not entered" />
        <fieldset className="form-section">
          <legend>How it came in</legend>
          <RadioGroup form={form} name="channel" legend="Channel" options={channelOptions} value={channel} onValue={setChannel} />
          <div className="field-row">
            {channel === 'email' && (
              <TextField
                form={form}
                name="receivedAt"
                label="Email received"
                type="datetime-local"
                hint={`The date and time on the email, in your time zone (${browserTimeZone}).`}
                max={localDateTimeValue(Date.now())}
                value={receivedAt}
                onValue={setReceivedAt}
              />
            )}
            <SelectField form={form} name="type" label="Request" hint="What the person asks for." value={type} onValue={(value) => setType(value as RequestType | '')} options={intakeTypeOptions} placeholder="Choose the request" />
          </div>
        </fieldset>
        <fieldset className="form-section">
          <legend>Who sent it</legend>
          <div className="field-row">
            <TextField form={form} name="requesterName" label="Requester’s name" autoComplete="off" value={requesterName} onValue={setRequesterName} />
            <TextField form={form} name="requesterEmail" label="Requester’s email address" type="email" autoComplete="off" hint="Verification and the answer go here." value={requesterEmail} onValue={setRequesterEmail} />
          </div>
          <div className="field-row">
            <SelectField form={form} name="relationship" label="The requester is" value={relationship} onValue={(value) => setRelationship(value as Relationship)} options={relationshipOptions} />
            <TextField
              form={form}
              name="subjectEmail"
              label="Email address the request is about"
              type="email"
              autoComplete="off"
              optional={!agent}
              hint={agent ? 'The person the agent acts for; they confirm the agent.' : 'When it is not the requester’s own address.'}
              value={subjectEmail}
              onValue={setSubjectEmail}
            />
          </div>
        </fieldset>
        <fieldset className="form-section">
          <legend>Where the person lives</legend>
          <LocationFields form={form} draft={location} onDraft={setLocation} />
          <BrandFields value={brands} onValue={setBrands} />
        </fieldset>
        <TextAreaField form={form} name="comments" label="Comments" optional rows={4} hint="What the person wrote or said that helps, such as what to correct." value={comments} onValue={setComments} />
        <div className="actions">
          <SubmitButton form={form} busyText="Entering…">
            Enter request
          </SubmitButton>
          <Link to="/console/privacy" className="button secondary">
            Cancel
          </Link>
        </div>
      </form>
    </Page>
  );
}

const actionLabels: Record<AgentRequestAction, string> = {
  start: 'Start work',
  hold: 'Put on hold',
  resume: 'Resume',
  extend: 'Extend the deadline',
  deny: 'Deny',
  partially_fulfil: 'Partially fulfil',
  fulfil: 'Fulfil',
  withdraw: 'Mark withdrawn',
  decide_appeal: 'Decide the appeal',
};

const appealDecisionLabels: Record<AppealDecision, string> = { upheld: 'Upheld (the decision stands)', reversed: 'Reversed', partially_reversed: 'Partially reversed' };

function ActionForm({ data, action, onDone }: { data: AgentPrivacyRequest; action: AgentRequestAction; onDone: (updated: AgentPrivacyRequest, message: string) => void }) {
  const form = useForm();
  const [reason, setReason] = useState('');
  const [months, setMonths] = useState('1');
  const [reasonCode, setReasonCode] = useState('');
  const [legalBasis, setLegalBasis] = useState('');
  const [note, setNote] = useState('');
  const [decision, setDecision] = useState<string>('');
  const needsDecisionReason = action === 'deny' || action === 'partially_fulfil';
  const danger = action === 'deny' || action === 'withdraw';
  const label = actionLabels[action];
  return (
    <form
      className="action-block stack-small"
      noValidate
      aria-label={label}
      onSubmit={form.handle(async () => {
        check([
          ['reason', action === 'extend' && reason.trim() === '', 'Write why more time is needed: the subject is told.'],
          ['reasonCode', (needsDecisionReason || action === 'decide_appeal') && reasonCode === '', 'Choose the reason code.'],
          ['legalBasis', needsDecisionReason && legalBasis.trim() === '', 'Name the legal basis, like “CCPA §1798.105(d)(8)” or “GDPR Art. 17(3)(b)”.'],
          ['decision', action === 'decide_appeal' && decision === '', 'Choose the decision.'],
        ]);
        const updated = await requestsApi.act(data.id, {
          action,
          ...(action === 'extend' ? { reason: reason.trim(), ...(data.regime !== 'us_state' ? { months: Number(months) } : {}) } : {}),
          ...(needsDecisionReason ? { reasonCode, legalBasis: legalBasis.trim() } : {}),
          ...(action === 'decide_appeal' ? { decision: decision as AppealDecision, reasonCode } : {}),
          ...(note.trim() && action !== 'extend' ? { note: note.trim() } : {}),
        });
        onDone(updated, `${label}: done. Now: ${requestStateLabels[updated.state]}.`);
      })}
    >
      <h3>{label}</h3>
      <ErrorSummary form={form} />
      {action === 'extend' && (
        <>
          <p className="small">{data.regime === 'us_state' ? 'One extension of 45 days is allowed.' : 'Up to 2 more months in total.'} Only before the due date; the subject is notified at once.</p>
          {data.regime !== 'us_state' && (
            <SelectField
              form={form}
              name="months"
              label="By"
              value={months}
              onValue={setMonths}
              options={[
                { value: '1', label: '1 month' },
                { value: '2', label: '2 months' },
              ]}
            />
          )}
          <TextAreaField form={form} name="reason" label="Reason, told to the subject" rows={2} value={reason} onValue={setReason} />
        </>
      )}
      {action === 'decide_appeal' && (
        <SelectField form={form} name="decision" label="Decision" value={decision} onValue={setDecision} options={appealDecisions.map((value) => ({ value, label: appealDecisionLabels[value] }))} placeholder="Choose" />
      )}
      {(needsDecisionReason || action === 'decide_appeal') && (
        <SelectField form={form} name="reasonCode" label="Reason code" value={reasonCode} onValue={setReasonCode} options={data.reasonCodes.map((value) => ({ value, label: value.replaceAll('_', ' ') }))} placeholder="Choose a reason" />
      )}
      {needsDecisionReason && (
        <>
          {reasonCode && <p className="small muted">The subject reads: {decisionReasonLabels[reasonCode] ?? reasonCode}</p>}
          <TextField form={form} name="legalBasis" label="Legal basis" value={legalBasis} onValue={setLegalBasis} />
        </>
      )}
      {action !== 'extend' && action !== 'start' && action !== 'resume' && <TextAreaField form={form} name="note" label="Internal note" optional rows={2} value={note} onValue={setNote} />}
      <div className="actions">
        <SubmitButton form={form} busyText="Saving…" className={danger ? 'button danger' : action === 'fulfil' || action === 'start' || action === 'resume' ? 'button primary' : 'button secondary'}>
          {label}
        </SubmitButton>
      </div>
    </form>
  );
}

function VerificationFacts({ data }: { data: AgentPrivacyRequest }) {
  const v = data.verification;
  const yes = (value: boolean) => (value ? <span className="badge success">yes</span> : <span className="badge warning">not yet</span>);
  return (
    <dl className="facts facts-inline privacy-facts">
      <div>
        <dt>Level</dt>
        <dd>{v.level.replaceAll('_', ' ')}</dd>
      </div>
      <div>
        <dt>Verified</dt>
        <dd>{v.verifiedAt ? `${formatDateTime(v.verifiedAt)} (${(v.method ?? '').replaceAll('_', ' ')})` : 'not yet'}</dd>
      </div>
      {v.level !== 'none' && (
        <div>
          <dt>Code</dt>
          <dd>{yes(v.codeVerified)}</dd>
        </div>
      )}
      {v.factsRequired > 0 && (
        <div>
          <dt>Order facts</dt>
          <dd>
            {v.factsMatched} of {v.factsRequired} matched
          </dd>
        </div>
      )}
      {v.declarationRequired && (
        <div>
          <dt>Declaration</dt>
          <dd>{yes(v.declarationSigned)}</dd>
        </div>
      )}
      {v.agentConfirmationRequired && (
        <div>
          <dt>Subject confirmed agent</dt>
          <dd>{yes(v.agentConfirmed)}</dd>
        </div>
      )}
      {v.missing.length > 0 && (
        <div>
          <dt>Missing</dt>
          <dd>{listWords(v.missing.map((step) => missingStepLabels[step]))}</dd>
        </div>
      )}
    </dl>
  );
}

function DocumentButton({ requestId, document }: { requestId: string; document: AgentPrivacyRequest['documents'][number] }) {
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <button
        type="button"
        className="button link-button"
        onClick={() => {
          setError(null);
          requestsApi.document(requestId, document.id).then(
            (blob) => {
              const url = URL.createObjectURL(blob);
              const anchor = window.document.createElement('a');
              anchor.href = url;
              anchor.download = `${document.id}.${document.contentType === 'application/pdf' ? 'pdf' : (document.contentType.split('/')[1] ?? 'bin')}`;
              anchor.click();
              setTimeout(() => URL.revokeObjectURL(url), 60_000);
            },
            (failure: unknown) => setError(failure instanceof ApiError ? failure.message : 'The document could not be read.'),
          );
        }}
      >
        Download
      </button>
      {error && <span className="field-error">{error}</span>}
    </>
  );
}

function ErasureReportSection({ erasureId }: { erasureId: string }) {
  const report = useResource(() => requestsApi.erasure(erasureId).then((value): ErasureReport | 'admins_only' => value).catch((error: unknown) => (error instanceof ApiError && error.status === 403 ? 'admins_only' : Promise.reject(error))), [erasureId]);
  const data = report.data;
  return (
    <section className="card stack-small" aria-labelledby="erasure-title">
      <h2 id="erasure-title">Erasure report</h2>
      {report.loading && !data && <Loading />}
      {report.error !== undefined && <ErrorPanel error={report.error} onRetry={report.reload} />}
      {data === 'admins_only' && <p className="muted">Erasure {erasureId} ran. Its report is open to administrators.</p>}
      {data && data !== 'admins_only' && (
        <>
          <p>
            Erased {formatDateTime(data.erasedAtMs)} · pseudonymous ID <span className="mono">{data.memberId}</span> · {data.filesDeleted} files deleted
          </p>
          <div className="table-wrap">
            <table className="table">
              <caption>Deleted and anonymized</caption>
              <thead>
                <tr>
                  <th scope="col">Table</th>
                  <th scope="col">Done</th>
                  <th scope="col">Columns</th>
                  <th scope="col" className="numeric">
                    Rows
                  </th>
                </tr>
              </thead>
              <tbody>
                {[...data.deleted.map((entry) => ({ ...entry, done: 'deleted' })), ...data.anonymized.map((entry) => ({ ...entry, done: 'anonymized' }))].map((entry) => (
                  <tr key={`${entry.done}-${entry.table}`}>
                    <td className="mono small">{entry.table}</td>
                    <td>{entry.done}</td>
                    <td className="small">{entry.columns.join(', ')}</td>
                    <td className="numeric">{entry.rows}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {data.kept.length > 0 && (
            <div className="table-wrap">
              <table className="table">
                <caption>Kept, and why</caption>
                <thead>
                  <tr>
                    <th scope="col">Column</th>
                    <th scope="col">Legal basis</th>
                    <th scope="col">Until</th>
                  </tr>
                </thead>
                <tbody>
                  {data.kept.map((entry) => (
                    <tr key={`${entry.table}.${entry.column}`}>
                      <td className="mono small">
                        {entry.table}.{entry.column}
                      </td>
                      <td className="small">{entry.legalBasis}</td>
                      <td className="nowrap">{formatCalendarDate(entry.until)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}

const actorWords: Record<string, string> = { requester: 'Requester', member: 'Member', subject: 'Subject', agent: 'Agent', admin: 'Admin', system: 'System' };

export function PrivacyRequestConsolePage({ requestId }: { requestId: string }) {
  const item = useResource(() => requestsApi.agentRequest(requestId), [requestId]);
  const [status, setStatus] = useState<string | null>(null);
  const data = item.data;
  const after = (updated: AgentPrivacyRequest, message: string) => {
    item.set(updated);
    setStatus(message);
  };
  return (
    <Page
      title={data ? `${requestTypeNames[data.type]} request ${data.id}` : 'Privacy request'}
      lead={data ? `${data.requesterName} · ${channelWords[data.channel]} · received ${formatDateTime(data.deadlines.receivedAt)}` : undefined}
      actions={
        <>
          <RefreshButton resource={item} />
          <Link to="/console/privacy" className="button secondary">
            Queue
          </Link>
        </>
      }
    >
      {item.loading && !data && <Loading label="Loading the request…" />}
      {item.error !== undefined && <ErrorPanel error={item.error} onRetry={item.reload} />}
      {data && (
        <div className="stack-large">
          {status && <StatusMessage>{status}</StatusMessage>}
          <section className="card stack" aria-labelledby="request-title">
            <div className="section-header">
              <h2 id="request-title">{requestTypeNames[data.type]}</h2>
              <span className="badges">
                {data.priority && <span className="badge priority">Plus priority</span>}
                <DueFlagBadge flag={data.deadlines.flag} daysLeft={data.deadlines.daysLeft} />
                <span data-testid="request-state">
                  <RequestStateBadge state={data.state} />
                </span>
              </span>
            </div>
            <DeadlineFacts request={data} daysLeft={data.deadlines.flag !== null || ['received', 'awaiting_verification', 'verified', 'in_progress', 'on_hold', 'appealed'].includes(data.state) ? data.deadlines.daysLeft : undefined} />
            <dl className="facts facts-inline privacy-facts">
              <div>
                <dt>Requester</dt>
                <dd>
                  {data.requesterName} · {data.requesterEmail} · {data.relationship === 'self' ? 'the subject' : 'authorized agent'}
                </dd>
              </div>
              <div>
                <dt>Subject</dt>
                <dd>
                  {data.subjectEmail}{' '}
                  {data.memberId ? (
                    <Link to={`/console/members/${encodeURIComponent(data.memberId)}`} className="mono small">
                      {data.memberId}
                    </Link>
                  ) : (
                    <span className="muted small">no member</span>
                  )}
                </dd>
              </div>
              <div>
                <dt>Lives in</dt>
                <dd>
                  {[data.subjectState, data.subjectCountry].filter(Boolean).join(', ')}
                  {data.subjectZip ? ` ${data.subjectZip}` : ''} · {regimeLabels[data.regime]}
                </dd>
              </div>
              {data.brands.length > 0 && (
                <div>
                  <dt>Brands</dt>
                  <dd>{data.brands.join(', ')}</dd>
                </div>
              )}
              {data.groupSize > 1 && (
                <div>
                  <dt>Group</dt>
                  <dd>
                    {data.groupSize} requests · <span className="mono small">{data.groupId}</span>
                  </dd>
                </div>
              )}
            </dl>
            {data.comments && (
              <div>
                <h3>Comments</h3>
                <p className="pre-wrap">{data.comments}</p>
              </div>
            )}
          </section>
          {(data.outcome || data.decisionReasonCode) && (
            <section className={data.state === 'denied' ? 'card stack-small warning-card' : 'card stack-small success-card'} aria-labelledby="answer-title">
              <h2 id="answer-title">Answer</h2>
              {data.outcome && <p className="pre-wrap">{data.outcome}</p>}
              <dl className="facts facts-inline privacy-facts">
                {data.decisionReasonCode && (
                  <div>
                    <dt>Reason code</dt>
                    <dd>{data.decisionReasonCode}</dd>
                  </div>
                )}
                {data.decisionLegalBasis && (
                  <div>
                    <dt>Legal basis</dt>
                    <dd>{data.decisionLegalBasis}</dd>
                  </div>
                )}
                {data.decidedBy && (
                  <div>
                    <dt>Decided by</dt>
                    <dd className="mono small">{data.decidedBy}</dd>
                  </div>
                )}
                {data.appealDecision && (
                  <div>
                    <dt>Appeal decision</dt>
                    <dd>{data.appealDecision.replaceAll('_', ' ')}</dd>
                  </div>
                )}
              </dl>
            </section>
          )}
          {data.availableActions.length > 0 && (
            <section className="card stack" aria-labelledby="actions-title">
              <h2 id="actions-title">Actions</h2>
              {data.type === 'erase' && data.availableActions.includes('fulfil') && <p className="small">Fulfilling an erase request runs the erasure in the background; the request is answered with the erasure report when it is done.</p>}
              <div className="action-grid">
                {data.availableActions.map((action) => (
                  <ActionForm key={`${action}-${data.state}`} data={data} action={action} onDone={after} />
                ))}
              </div>
            </section>
          )}
          <section className="card stack-small" aria-labelledby="verification-title">
            <h2 id="verification-title">Verification</h2>
            <VerificationFacts data={data} />
            {data.relationship === 'authorized_agent' && (
              <>
                <h3>Authorization documents</h3>
                {data.documents.length === 0 ? (
                  <p className="muted">None uploaded yet.</p>
                ) : (
                  <ul className="stack-small">
                    {data.documents.map((document) => (
                      <li key={document.id}>
                        {document.kind === 'power_of_attorney' ? 'Power of attorney' : 'Signed letter'} · {document.contentType} · {formatBytes(document.sizeBytes)} · {formatDateTime(document.uploadedAt)}{' '}
                        <DocumentButton requestId={data.id} document={document} />
                      </li>
                    ))}
                  </ul>
                )}
              </>
            )}
          </section>
          {data.erasureId && <ErasureReportSection erasureId={data.erasureId} />}
          <section className="card" aria-labelledby="timeline-title">
            <h2 id="timeline-title">Timeline</h2>
            <ol className="timeline">
              {data.timeline.map((entry) => (
                <li key={entry.seq}>
                  <div className="timeline-head">
                    <strong>{describeRequestAction(entry.action)}</strong>
                    <span className="muted small">
                      {actorWords[entry.actorRole] ?? entry.actorRole}
                      {entry.actorId ? ` ${entry.actorId}` : ''} · {formatDateTime(entry.at)}
                    </span>
                  </div>
                  <p className="small muted">
                    {entry.fromState ? `${requestStateLabels[entry.fromState]} → ` : ''}
                    {requestStateLabels[entry.toState]}
                    {entry.reasonCode ? ` · ${entry.reasonCode}` : ''}
                    {entry.legalBasis ? ` · ${entry.legalBasis}` : ''}
                  </p>
                  {entry.note && <p className="timeline-note">{entry.note}</p>}
                </li>
              ))}
            </ol>
          </section>
        </div>
      )}
    </Page>
  );
}
