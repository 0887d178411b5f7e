// /account/privacy: the member center's privacy section (PV-1, PV-11, PV-15, PV-17, PV-20): my requests (file one
// about myself, verified by a recent sign-in), copies of my data (ask, list, download after a fresh sign-in), what we
// hold about me (know), the restriction notice and the way to close the account. /account/privacy/requests/:id is
// one request (the link the emails carry), with its answer and the appeal.
import { useState } from 'react';
import { newIdempotencyKey } from '../../api/client.ts';
import { exportsApi, needsFreshSignIn, requestTypes, requestsApi, type PrivacyRequest, type RequestType } from '../../api/privacy.ts';
import { ErrorSummary, SelectField, StatusMessage, SubmitButton, TextAreaField, FormInvalid, useForm, check } from '../../components/forms.tsx';
import { ErrorPanel, Loading, Page, RefreshButton } from '../../components/layout.tsx';
import { RestrictionNotice } from '../../components/privacy.tsx';
import {
  BrandFields,
  DownloadMineButton,
  LocationFields,
  RequestAnswer,
  RequestStateBadge,
  RequestSummary,
  RequestTimeline,
  emptyLocation,
  exportStateLabels,
  formatBytes,
  locationInput,
  requestTypeChoices,
  requestTypeNames,
  type LocationDraft,
} from '../../components/privacy-requests.tsx';
import { SignInForm } from '../../components/sign-in-form.tsx';
import { formatCalendarDate, formatDateTime } from '../../lib/format.ts';
import { useResource } from '../../lib/use-resource.ts';
import { Link, navigate } from '../../router.tsx';
import { useSession } from '../../session.tsx';

const requestPath = (requestId: string) => `/account/privacy/requests/${encodeURIComponent(requestId)}`;
const typeOptions = requestTypes.filter((type) => type !== 'appeal').map((value) => ({ value, label: requestTypeChoices[value].label }));

/** "Sign in again" in place: the member's sign-in must be less than 10 minutes old for some privacy steps. */
function FreshSignIn({ why, onDone, onCancel }: { why: string; onDone: () => void; onCancel: () => void }) {
  return (
    <div className="stack-small notice-block" role="region" aria-label="Sign in again">
      <p>{why}</p>
      <SignInForm onSignedIn={onDone} />
      <div className="actions">
        <button type="button" className="button link-button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}

function NewRequestForm({ onFiled }: { onFiled: (request: PrivacyRequest) => void }) {
  const form = useForm();
  const { state: session } = useSession();
  const memberCountry = session.status === 'signed_in' ? session.member.country : null;
  const [type, setType] = useState<string>('');
  const [brands, setBrands] = useState<string[]>([]);
  const [location, setLocation] = useState<LocationDraft>({ ...emptyLocation, country: memberCountry && /^[A-Z]{2}$/.test(memberCountry) ? memberCountry : 'US' });
  const [comments, setComments] = useState('');
  const [idempotencyKey, setIdempotencyKey] = useState(newIdempotencyKey);
  return (
    <form
      className="stack"
      noValidate
      aria-label="New privacy request"
      onSubmit={form.handle(async () => {
        const fields: Record<string, string> = {};
        if (type === '') fields.type = 'Choose what you would like us to do.';
        const where = locationInput(location, fields);
        if (Object.keys(fields).length > 0) throw new FormInvalid(fields);
        check([['comments', comments.length > 4000, 'At most 4,000 characters.']]);
        const filed = await requestsApi.fileMine({ type: type as RequestType, brands, ...where, comments: comments.trim() || null }, idempotencyKey);
        setIdempotencyKey(newIdempotencyKey());
        onFiled(filed);
      })}
    >
      <ErrorSummary form={form} title="The request was not sent" />
      <SelectField form={form} name="type" label="What would you like us to do?" hint="About your own account. To act for someone else, use the public privacy request form." value={type} onValue={setType} options={typeOptions} placeholder="Choose a request" />
      {type !== '' && <p className="hint">{requestTypeChoices[type as RequestType].hint}</p>}
      <LocationFields form={form} draft={location} onDraft={setLocation} />
      <BrandFields value={brands} onValue={setBrands} />
      <TextAreaField form={form} name="comments" label="Comments" optional rows={3} value={comments} onValue={setComments} />
      <div className="actions">
        <SubmitButton form={form} busyText="Sending…">
          Send request
        </SubmitButton>
      </div>
    </form>
  );
}

function RequestsSection() {
  const requests = useResource(() => requestsApi.mine(), []);
  const [filing, setFiling] = useState(false);
  const rows = requests.data?.requests ?? [];
  return (
    <section className="card stack" aria-labelledby="requests-title">
      <div className="section-header">
        <h2 id="requests-title">Your privacy requests</h2>
        {!filing && (
          <button type="button" className="button secondary" onClick={() => setFiling(true)}>
            New request
          </button>
        )}
      </div>
      {filing && <NewRequestForm onFiled={(request) => navigate(`${requestPath(request.id)}?new=1`)} />}
      {requests.loading && !requests.data && <Loading />}
      {requests.error !== undefined && <ErrorPanel error={requests.error} onRetry={requests.reload} />}
      {requests.data && rows.length === 0 && <p className="muted">You have not made a privacy request from your account.</p>}
      {rows.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Your privacy requests, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Request</th>
                <th scope="col">State</th>
                <th scope="col">Received</th>
                <th scope="col">Answer by</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.id}>
                  <td>
                    <Link to={requestPath(row.id)}>{requestTypeNames[row.type]}</Link>
                    <div className="muted small mono">{row.id}</div>
                  </td>
                  <td>
                    <RequestStateBadge state={row.state} />
                  </td>
                  <td>{formatCalendarDate(row.deadlines.receivedDate)}</td>
                  <td>{formatCalendarDate(row.deadlines.dueDate)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function ExportsSection() {
  const exports = useResource(() => exportsApi.mine(), []);
  const form = useForm();
  const [status, setStatus] = useState<string | null>(null);
  const [signingIn, setSigningIn] = useState(false);
  const rows = exports.data?.exports ?? [];
  // "Being prepared" holds while the copy asked for is queued; the list shows it once it is ready.
  const [preparing, setPreparing] = useState<string | null>(null);
  const stillPreparing = preparing !== null && rows.some((row) => row.id === preparing && row.state === 'queued');
  return (
    <section className="card stack" aria-labelledby="exports-title">
      <div className="section-header">
        <h2 id="exports-title">Copies of your data</h2>
        <RefreshButton resource={exports} />
      </div>
      <p>A ZIP file with everything we hold about you: a page to read in your browser, the data as JSON and CSV files, and a manifest with each file’s checksum. A copy stays available for 7 days.</p>
      <form
        noValidate
        aria-label="Request a copy of my data"
        onSubmit={form.handle(async () => {
          const made = await exportsApi.requestMine();
          setStatus(made.state === 'ready' ? 'Your copy from today is ready below.' : null);
          setPreparing(made.state === 'queued' ? made.id : null);
          exports.reload();
        })}
      >
        <ErrorSummary form={form} title="No copy was requested" />
        {status && <StatusMessage>{status}</StatusMessage>}
        {stillPreparing && <StatusMessage>We are preparing your copy. It is usually ready within minutes: use Refresh to see it.</StatusMessage>}
        <div className="actions">
          <SubmitButton form={form} busyText="Requesting…">
            Request a copy of my data
          </SubmitButton>
        </div>
      </form>
      {signingIn && (
        <FreshSignIn
          why="For your security, downloading your data needs a sign-in from the last 10 minutes."
          onCancel={() => setSigningIn(false)}
          onDone={() => {
            setSigningIn(false);
            setStatus('You are signed in again. Download your copy now.');
          }}
        />
      )}
      {exports.loading && !exports.data && <Loading />}
      {exports.error !== undefined && <ErrorPanel error={exports.error} onRetry={exports.reload} />}
      {rows.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Your data copies, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Asked for</th>
                <th scope="col">State</th>
                <th scope="col">Size</th>
                <th scope="col">Available until</th>
                <th scope="col">
                  <span className="visually-hidden">Download</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.id}>
                  <td>
                    {formatDateTime(row.createdAt)}
                    <div className="muted small mono">{row.id}</div>
                  </td>
                  <td>
                    <span className={row.state === 'ready' ? 'badge success' : row.state === 'failed' ? 'badge danger' : 'badge'}>{exportStateLabels[row.state]}</span>
                  </td>
                  <td>{formatBytes(row.sizeBytes)}</td>
                  <td>{row.expiresAt ? formatDateTime(row.expiresAt) : '—'}</td>
                  <td>{row.state === 'ready' && <DownloadMineButton item={row} onReauthenticate={() => setSigningIn(true)} onDownloaded={(fileName) => setStatus(`Your download has started: ${fileName}.`)} />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function KnowSection() {
  const report = useResource(() => exportsApi.know(), []);
  const data = report.data;
  const list = (items: readonly string[]) => (items.length === 0 ? <span className="muted">none</span> : <ul className="tag-list">{items.map((item) => <li key={item}>{item}</li>)}</ul>);
  return (
    <section className="card stack" aria-labelledby="know-title">
      <h2 id="know-title">What we hold about you</h2>
      {report.loading && !data && <Loading />}
      {report.error !== undefined && <ErrorPanel error={report.error} onRetry={report.reload} />}
      {data && (
        <>
          <dl className="facts">
            <div>
              <dt>Kinds of data</dt>
              <dd>{list(data.categories)}</dd>
            </div>
            <div>
              <dt>Where it comes from</dt>
              <dd>{list(data.sources)}</dd>
            </div>
            <div>
              <dt>Who receives it</dt>
              <dd>{list(data.recipientCategories)}</dd>
            </div>
          </dl>
          {data.disclosures.length > 0 && (
            <div className="table-wrap">
              <table className="table">
                <caption>What we disclosed</caption>
                <thead>
                  <tr>
                    <th scope="col">To</th>
                    <th scope="col">What</th>
                    <th scope="col" className="numeric">
                      Times
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.disclosures.map((item) => (
                    <tr key={`${item.recipient}-${item.what}`}>
                      <td>{item.recipient}</td>
                      <td>{item.what}</td>
                      <td className="numeric">{item.count}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <details>
            <summary>Why we use it, and for how long ({data.sections.length} kinds of record)</summary>
            <div className="table-wrap">
              <table className="table">
                <caption className="visually-hidden">Records we hold about you, with their purposes and how long we keep them</caption>
                <thead>
                  <tr>
                    <th scope="col">Record</th>
                    <th scope="col" className="numeric">
                      Rows
                    </th>
                    <th scope="col">Purposes</th>
                    <th scope="col">Kept</th>
                  </tr>
                </thead>
                <tbody>
                  {data.sections.map((section) => (
                    <tr key={section.table}>
                      <td className="mono small">{section.table}</td>
                      <td className="numeric">{section.rows}</td>
                      <td className="small">{section.purposes.join('; ')}</td>
                      <td className="small">{section.retention.join(', ')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </>
      )}
    </section>
  );
}

export function MemberPrivacyPage() {
  return (
    <Page title="Privacy" lead="Your data, your choices: copies of your data, requests to our privacy team, and what we hold about you.">
      <div className="stack-large">
        <RestrictionNotice />
        <ExportsSection />
        <RequestsSection />
        <KnowSection />
        <section className="card stack-small" aria-labelledby="more-title">
          <h2 id="more-title">More</h2>
          <ul className="stack-small">
            <li>
              <Link to="/account/privacy/choices">Your privacy choices</Link> <span className="muted small">(cookies, advertising and Global Privacy Control)</span>
            </li>
            <li>
              <Link to="/account/security#close-account-title">Close your account</Link> <span className="muted small">(on the Security page)</span>
            </li>
            <li>
              <Link to="/privacy/request">Make a request for someone else</Link> <span className="muted small">(as their authorized agent)</span>
            </li>
          </ul>
        </section>
      </div>
    </Page>
  );
}

export function MemberRequestPage({ requestId, appeal = false }: { requestId: string; appeal?: boolean }) {
  const item = useResource(() => requestsApi.mineOne(requestId), [requestId]);
  const verifyForm = useForm();
  const appealForm = useForm();
  const [note, setNote] = useState('');
  const [signingIn, setSigningIn] = useState(false);
  const [status, setStatus] = useState<string | null>(new URLSearchParams(window.location.search).get('new') === '1' ? 'We received your request and emailed you its reference.' : null);
  const data = item.data;
  const verify = async () => {
    try {
      item.set(await requestsApi.verifyMine(requestId));
      setStatus('Thank you: the request is verified. We are on it.');
    } catch (error) {
      if (needsFreshSignIn(error)) setSigningIn(true);
      throw error;
    }
  };
  return (
    <Page title="Your privacy request" lead={data ? `Reference ${data.id}` : undefined} actions={<Link to="/account/privacy" className="button secondary">Privacy</Link>}>
      {item.loading && !data && <Loading />}
      {item.error !== undefined && <ErrorPanel error={item.error} onRetry={item.reload} />}
      {data && (
        <div className="stack-large">
          {status && <StatusMessage>{status}</StatusMessage>}
          <RequestSummary request={data} />
          {data.state === 'awaiting_verification' && (
            <section className="card stack-small warning-card" aria-labelledby="verify-title">
              <h2 id="verify-title">Confirm it is you</h2>
              <p>Your last sign-in is more than 10 minutes old. Sign in again, then confirm the request.</p>
              {signingIn ? (
                <FreshSignIn
                  why="Sign in again to confirm the request."
                  onCancel={() => setSigningIn(false)}
                  onDone={() => {
                    setSigningIn(false);
                    verify().catch((error: unknown) => verifyForm.report(error));
                  }}
                />
              ) : (
                <form noValidate aria-label="Confirm the request" onSubmit={verifyForm.handle(verify)}>
                  <ErrorSummary form={verifyForm} title="Not confirmed yet" />
                  <div className="actions">
                    <SubmitButton form={verifyForm} busyText="Confirming…">
                      Confirm the request
                    </SubmitButton>
                  </div>
                </form>
              )}
            </section>
          )}
          <RequestAnswer request={data} exportLink={() => '/account/privacy'} />
          {data.canAppeal && (
            <section className="card stack-small" aria-labelledby="appeal-title" id="appeal">
              <h2 id="appeal-title">Disagree with the answer?</h2>
              <form
                className="stack-small"
                noValidate
                aria-label="Appeal"
                onSubmit={appealForm.handle(async () => {
                  item.set(await requestsApi.appealMine(requestId, note.trim() || undefined));
                  setStatus('Your appeal is with our privacy team. We email you the decision.');
                })}
              >
                <ErrorSummary form={appealForm} title="The appeal was not sent" />
                <TextAreaField form={appealForm} name="note" label="Why do you disagree?" optional rows={3} autoFocus={appeal} value={note} onValue={setNote} />
                <div className="actions">
                  <SubmitButton form={appealForm} busyText="Sending…" className="button secondary">
                    Appeal the decision
                  </SubmitButton>
                </div>
              </form>
            </section>
          )}
          <RequestTimeline request={data} />
        </div>
      )}
    </Page>
  );
}
