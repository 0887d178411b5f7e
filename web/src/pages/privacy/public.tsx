// The public privacy pages, no sign-in (PV-1..PV-15): /privacy/request (the rights request form of PV-2), the
// request's own page /privacy/requests/:id?t= (state, deadlines in words, verification by the emailed code, order
// facts and the signed declaration, the authorized agent's document, the answer and the appeal), the subject's
// confirmation of an authorized agent, and /privacy/exports/:exportId (an emailed code, then the ZIP).
import { useEffect, useRef, useState } from 'react';
import { ApiError, newIdempotencyKey } from '../../api/client.ts';
import { exportsApi, requestTypes, requestsApi, saveBlob, type DocumentKind, type PrivacyRequest, type Relationship, type RequestType } from '../../api/privacy.ts';
import { RadioGroup } from '../../components/case-form.tsx';
import { CheckboxField, ErrorSummary, FormInvalid, SelectField, StatusMessage, SubmitButton, TextAreaField, TextField, check, compactCode, useForm } from '../../components/forms.tsx';
import { ErrorPanel, Loading, Page } from '../../components/layout.tsx';
import {
  BrandFields,
  LocationFields,
  RequestAnswer,
  RequestSummary,
  RequestTimeline,
  emptyLocation,
  locationInput,
  listWords,
  missingStepLabels,
  requestTypeChoices,
  type LocationDraft,
} from '../../components/privacy-requests.tsx';
import { formatMoney, parseMoney } from '../../lib/format.ts';
import { useResource } from '../../lib/use-resource.ts';
import { Link, navigate, useLocation } from '../../router.tsx';
import { useSession } from '../../session.tsx';

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const typeOptions = requestTypes.map((value) => ({ value, label: requestTypeChoices[value].label, hint: requestTypeChoices[value].hint }));
const documentKindOptions = [
  { value: 'power_of_attorney', label: 'Power of attorney' },
  { value: 'signed_letter', label: 'Letter signed by the person (they will also confirm by email)' },
];
const acceptedDocuments = 'application/pdf,image/jpeg,image/png,image/webp';

export const requestPagePath = (requestId: string, token: string) => `/privacy/requests/${encodeURIComponent(requestId)}?t=${encodeURIComponent(token)}`;

function documentProblem(file: File | null): string | null {
  if (!file) return 'Attach the power of attorney or the signed letter (PDF, JPEG, PNG or WebP).';
  if (!/^(application\/pdf|image\/(jpeg|png|webp))$/.test(file.type)) return `${file.name} is not a PDF, JPEG, PNG or WebP file.`;
  if (file.size > 10 * 1024 * 1024) return `${file.name} is larger than 10 MB.`;
  return null;
}

export function PrivacyRequestFormPage() {
  const form = useForm({ codeFields: { payload_too_large: 'document' } });
  const { state: session } = useSession();
  const { search } = useLocation();
  // The footer's "Your privacy choices" opens the form on the opt-out of sale and sharing.
  const preset = search.get('type');
  const [type, setType] = useState<RequestType | ''>(requestTypes.find((value) => value === preset) ?? '');
  const [relationship, setRelationship] = useState<Relationship>('self');
  const [requesterName, setRequesterName] = useState('');
  const [requesterEmail, setRequesterEmail] = useState('');
  const [subjectEmail, setSubjectEmail] = useState('');
  const [documentKind, setDocumentKind] = useState<DocumentKind>('power_of_attorney');
  const [document, setDocument] = useState<File | null>(null);
  const [brands, setBrands] = useState<string[]>([]);
  const [location, setLocation] = useState<LocationDraft>(emptyLocation);
  const [comments, setComments] = useState('');
  const [idempotencyKey] = useState(newIdempotencyKey);
  const agent = relationship === 'authorized_agent';

  const submit = async () => {
    const fields: Record<string, string> = {};
    if (type === '') fields.type = 'Choose what you would like us to do.';
    if (requesterName.trim() === '') fields.requesterName = 'Enter your name.';
    if (!emailPattern.test(requesterEmail.trim())) fields.requesterEmail = 'Enter your email address, like name@example.com.';
    if (agent && !emailPattern.test(subjectEmail.trim())) fields.subjectEmail = 'Enter the email address of the person you act for.';
    if (agent) {
      const problem = documentProblem(document);
      if (problem) fields.document = problem;
    }
    const where = locationInput(location, fields);
    if (comments.length > 4000) fields.comments = `This is ${comments.length} characters; at most 4,000.`;
    if (Object.keys(fields).length > 0) throw new FormInvalid(fields);
    const accepted = await requestsApi.submit(
      {
        type: type as RequestType,
        requesterName: requesterName.trim(),
        requesterEmail: requesterEmail.trim(),
        relationship,
        brands,
        subjectEmail: agent ? subjectEmail.trim() : requesterEmail.trim(),
        ...where,
        comments: comments.trim() || null,
      },
      idempotencyKey,
    );
    if (agent && document) {
      // The request exists now; the document goes with its token. A refused upload can be repeated on the request's page.
      try {
        await requestsApi.uploadDocument(accepted.requestId, accepted.token, documentKind, document);
      } catch {
        navigate(`${requestPagePath(accepted.requestId, accepted.token)}&new=upload`);
        return;
      }
    }
    navigate(`${requestPagePath(accepted.requestId, accepted.token)}&new=1`);
  };

  return (
    <Page title="Privacy request" lead="Ask for a copy of your data, a correction, its deletion, or tell us your privacy choices. No account is needed.">
      {session.status === 'signed_in' && (
        <p className="notice">
          You are signed in: requests about your own account are quicker from <Link to="/account/privacy">your account’s privacy page</Link>, where signing in proves it is you.
        </p>
      )}
      <form className="card stack case-form privacy-form" noValidate aria-labelledby="privacy-form-title" onSubmit={form.handle(submit)}>
        <h2 id="privacy-form-title" className="visually-hidden">
          Your request
        </h2>
        <ErrorSummary form={form} title="Your request was not sent" />
        <fieldset className="form-section">
          <legend>Your request</legend>
          <RadioGroup form={form} name="type" legend="What would you like us to do?" options={typeOptions} value={type} onValue={setType} />
        </fieldset>
        <fieldset className="form-section">
          <legend>About you</legend>
          <RadioGroup
            form={form}
            name="relationship"
            legend="Who is the request about?"
            options={[
              { value: 'self', label: 'Me' },
              { value: 'authorized_agent', label: 'Someone I am authorized to act for', hint: 'You upload a power of attorney or a letter they signed.' },
            ]}
            value={relationship}
            onValue={setRelationship}
          />
          <div className="field-row">
            <TextField form={form} name="requesterName" label="Your name" hint="As you would sign a letter." autoComplete="name" value={requesterName} onValue={setRequesterName} />
            <TextField form={form} name="requesterEmail" label="Your email address" type="email" autoComplete="email" hint={agent ? 'We send our answers here.' : 'The address the request is about; we send a code to it.'} value={requesterEmail} onValue={setRequesterEmail} />
          </div>
          {agent && (
            <div className="stack">
              <TextField form={form} name="subjectEmail" label="Email address of the person you act for" type="email" hint="We send them a code to confirm the request." value={subjectEmail} onValue={setSubjectEmail} />
              <div className="field-row">
                <SelectField form={form} name="documentKind" label="Your authorization" value={documentKind} onValue={(value) => setDocumentKind(value as DocumentKind)} options={documentKindOptions} />
                <DocumentField form={form} file={document} onFile={setDocument} />
              </div>
            </div>
          )}
        </fieldset>
        <fieldset className="form-section">
          <legend>Where the person lives</legend>
          <LocationFields form={form} draft={location} onDraft={setLocation} />
          <BrandFields value={brands} onValue={setBrands} />
        </fieldset>
        <TextAreaField form={form} name="comments" label="Comments" optional rows={4} hint="Anything that helps us, such as what to correct or which earlier request you appeal." value={comments} onValue={setComments} />
        <div className="actions">
          <SubmitButton form={form} busyText="Sending…">
            Send request
          </SubmitButton>
        </div>
      </form>
    </Page>
  );
}

function DocumentField({ form, file, onFile }: { form: ReturnType<typeof useForm>; file: File | null; onFile: (file: File | null) => void }) {
  const id = form.fieldId('document');
  form.labels.set('document', 'Document');
  const error = form.errorFor('document');
  return (
    <div className={error ? 'field field-invalid' : 'field'}>
      <label htmlFor={id}>Document</label>
      <p className="hint" id={`${id}-hint`}>
        PDF, JPEG, PNG or WebP, at most 10 MB.
      </p>
      {error && (
        <p className="field-error" id={`${id}-error`}>
          <span className="visually-hidden">Error: </span>
          {error}
        </p>
      )}
      <input id={id} type="file" accept={acceptedDocuments} aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-hint ${id}-error` : `${id}-hint`} onChange={(event) => onFile(event.target.files?.[0] ?? null)} />
      {file && <p className="small muted">{file.name}</p>}
    </div>
  );
}

/** The authorized agent's document, when it is still missing (the upload after the form failed, or came later). */
function AgentDocumentForm({ request, token, onChange }: { request: PrivacyRequest; token: string; onChange: (request: PrivacyRequest) => void }) {
  const form = useForm({ codeFields: { payload_too_large: 'document' } });
  const [kind, setKind] = useState<DocumentKind>('power_of_attorney');
  const [file, setFile] = useState<File | null>(null);
  return (
    <form
      className="stack-small"
      noValidate
      aria-label="Upload your authorization"
      onSubmit={form.handle(async () => {
        const problem = documentProblem(file);
        check([['document', problem !== null, problem ?? '']]);
        onChange(await requestsApi.uploadDocument(request.id, token, kind, file!));
      })}
    >
      <h3>Upload your authorization</h3>
      <ErrorSummary form={form} title="The document was not uploaded" />
      <div className="field-row">
        <SelectField form={form} name="documentKind" label="Your authorization" value={kind} onValue={(value) => setKind(value as DocumentKind)} options={documentKindOptions} />
        <DocumentField form={form} file={file} onFile={setFile} />
      </div>
      <div className="actions">
        <SubmitButton form={form} busyText="Uploading…" className="button secondary">
          Upload
        </SubmitButton>
      </div>
    </form>
  );
}

/** The code, the order facts and the declaration, as many as the request still needs, sent together. */
function VerificationForm({ request, token, onChange, reload }: { request: PrivacyRequest; token: string; onChange: (request: PrivacyRequest) => void; reload: () => void }) {
  const form = useForm();
  const resendForm = useForm();
  const missing = request.verification.missing;
  const needsCode = missing.includes('code');
  const needsFacts = missing.includes('facts');
  const needsDeclaration = missing.includes('declaration');
  const [code, setCode] = useState('');
  const [orderNumber, setOrderNumber] = useState('');
  const [shipToZip, setShipToZip] = useState('');
  const [orderDate, setOrderDate] = useState('');
  const [amount, setAmount] = useState('');
  const [accepted, setAccepted] = useState(false);
  const [typedName, setTypedName] = useState('');
  const [resent, setResent] = useState<string | null>(null);
  if (!needsCode && !needsFacts && !needsDeclaration) return null;
  return (
    <div className="stack">
      <form
        className="stack privacy-verify"
        noValidate
        aria-label="Verify the request"
        onSubmit={form.handle(async () => {
          const trimmed = compactCode(code);
          const amountMinor = amount.trim() === '' ? null : parseMoney(amount);
          check([
            ['code', needsCode && !/^\d{6}$/.test(trimmed), 'Enter the 6-digit code from the email.'],
            ['orderNumber', needsFacts && !/^ord_[A-Za-z0-9]+$/.test(orderNumber.trim()), 'Enter an order number from your order confirmation; it starts with ord_.'],
            ['shipToZip', needsFacts && shipToZip.trim() === '', 'Enter the zip code the order was shipped to.'],
            ['orderDate', needsFacts && orderDate === '' && amount.trim() === '', 'Enter the order date or its amount.'],
            ['amount', needsFacts && amount.trim() !== '' && amountMinor === null, 'Enter the amount as on the confirmation, like 49.99.'],
            ['declaration', needsDeclaration && !accepted, 'Tick the declaration to sign it.'],
            ['typedName', needsDeclaration && typedName.trim() === '', 'Type your name as you entered it on the request.'],
          ]);
          try {
            onChange(
              await requestsApi.verify(request.id, token, {
                ...(needsCode ? { code: trimmed } : {}),
                ...(needsFacts
                  ? { facts: { orderNumber: orderNumber.trim(), shipToZip: shipToZip.trim(), ...(orderDate ? { orderDate } : {}), ...(amountMinor !== null ? { amountMinor } : {}) } }
                  : {}),
                ...(needsDeclaration ? { declaration: { accepted, typedName: typedName.trim() } } : {}),
              }),
            );
          } catch (error) {
            // A part that was right is recorded even when another is refused: the page asks only for what is left.
            reload();
            throw error;
          }
        })}
      >
        <ErrorSummary form={form} title="The request is not verified yet" />
        {needsCode && (
          <TextField
            form={form}
            name="code"
            label="6-digit code"
            hint="We emailed it to the address the request is about. It works for 10 minutes and 3 tries."
            inputMode="numeric"
            autoComplete="one-time-code"
            className="code-input"
            value={code}
            onValue={setCode}
          />
        )}
        {needsFacts && (
          <fieldset className="form-section" id={form.fieldId('facts')} tabIndex={-1}>
            <legend>An order of yours</legend>
            <p className="hint">To protect the data, we check {request.verification.factsRequired} details of one of your orders against our records.</p>
            {form.errorFor('facts') && <p className="field-error">{form.errorFor('facts')}</p>}
            <div className="field-row">
              <TextField form={form} name="orderNumber" label="Order number" hint="Like ord_…, in the order confirmation." spellCheck={false} value={orderNumber} onValue={setOrderNumber} />
              <TextField form={form} name="shipToZip" label="Ship-to zip code" hint="Where the order was delivered." autoComplete="off" value={shipToZip} onValue={setShipToZip} />
            </div>
            <div className="field-row">
              <TextField form={form} name="orderDate" label="Order date" type="date" hint="The day you ordered; or give the amount." value={orderDate} onValue={setOrderDate} />
              <TextField form={form} name="amount" label="Order amount" inputMode="decimal" hint={`The total paid, like ${formatMoney(4999)}; or give the date.`} value={amount} onValue={setAmount} />
            </div>
          </fieldset>
        )}
        {needsDeclaration && (
          <fieldset className="form-section" id={form.fieldId('declaration-group')}>
            <legend>Signed declaration</legend>
            <blockquote className="declaration">{request.verification.declarationText}</blockquote>
            <CheckboxField form={form} name="declaration" label="I sign this declaration" checked={accepted} onChecked={setAccepted} />
            <TextField form={form} name="typedName" label="Your name, as your signature" hint="As you entered it on the request." autoComplete="name" value={typedName} onValue={setTypedName} />
          </fieldset>
        )}
        <div className="actions">
          <SubmitButton form={form} busyText="Checking…">
            Verify
          </SubmitButton>
        </div>
      </form>
      {needsCode && (
        <form
          className="stack-small"
          noValidate
          aria-label="Send a new code"
          onSubmit={resendForm.handle(async () => {
            setResent(null);
            onChange(await requestsApi.resendCode(request.id, token));
            setResent('We sent a new code. The earlier one no longer works.');
          })}
        >
          <ErrorSummary form={resendForm} title="No new code was sent" />
          {resent && <StatusMessage>{resent}</StatusMessage>}
          <p className="small muted">
            No email, or the code expired?{' '}
            <button type="submit" className="button link-button" disabled={resendForm.submitting}>
              Send a new code
            </button>
          </p>
        </form>
      )}
    </div>
  );
}

function VerificationSection({ request, token, onChange, reload }: { request: PrivacyRequest; token: string; onChange: (request: PrivacyRequest) => void; reload: () => void }) {
  const missing = request.verification.missing;
  return (
    <section className="card stack warning-card" aria-labelledby="verify-title">
      <h2 id="verify-title">Confirm it is you</h2>
      <p>Before we act on the request we need {listWords(missing.map((step) => missingStepLabels[step]))}.</p>
      {missing.includes('agent_document') && <AgentDocumentForm request={request} token={token} onChange={onChange} />}
      {missing.includes('subject_confirmation') && (
        <p className="notice">We emailed the person you act for a link to confirm that you act for them. The request goes on once they have.</p>
      )}
      <VerificationForm request={request} token={token} onChange={onChange} reload={reload} />
    </section>
  );
}

function AppealForm({ onAppeal }: { onAppeal: (note: string) => Promise<void> }) {
  const form = useForm();
  const [note, setNote] = useState('');
  return (
    <section className="card stack-small" aria-labelledby="appeal-title" id="appeal">
      <h2 id="appeal-title">Disagree with the answer?</h2>
      <p>You can appeal. A different person reviews the request and answers you.</p>
      <form
        className="stack-small"
        noValidate
        aria-label="Appeal"
        onSubmit={form.handle(async () => {
          check([['note', note.length > 4000, `This is ${note.length} characters; at most 4,000.`]]);
          await onAppeal(note.trim());
        })}
      >
        <ErrorSummary form={form} title="The appeal was not sent" />
        <TextAreaField form={form} name="note" label="Why do you disagree?" optional rows={3} value={note} onValue={setNote} />
        <div className="actions">
          <SubmitButton form={form} busyText="Sending…" className="button secondary">
            Appeal the decision
          </SubmitButton>
        </div>
      </form>
    </section>
  );
}

export function PrivacyRequestStatusPage({ requestId, appeal = false }: { requestId: string; appeal?: boolean }) {
  const { search } = useLocation();
  const token = search.get('t') ?? '';
  const fresh = search.get('new');
  const item = useResource(() => (token ? requestsApi.status(requestId, token) : Promise.reject(new Error('This link is incomplete. Open the link from the email again.'))), [requestId, token]);
  const [status, setStatus] = useState<string | null>(fresh === '1' ? 'We received your request. We also sent you an email with its reference.' : null);
  const data = item.data;
  useEffect(() => {
    // The "just sent" marker is for this visit only: a reload or a bookmark shows the request without it.
    if (fresh === null) return;
    const url = new URL(window.location.href);
    url.searchParams.delete('new');
    navigate(url.pathname + url.search, { replace: true });
  }, [fresh]);
  useEffect(() => {
    if (appeal && data?.canAppeal) document.getElementById('appeal')?.scrollIntoView();
  }, [appeal, data?.canAppeal]);
  return (
    <Page title="Your privacy request" lead={data ? `Reference ${data.id}` : undefined}>
      {item.loading && !data && <Loading label="Loading your request…" />}
      {item.error !== undefined &&
        (item.error instanceof ApiError && item.error.status === 404 ? (
          <div className="error-summary" role="alert">
            <h2>We could not find this request</h2>
            <p>The link may be incomplete. Open it again from the latest email about your request.</p>
          </div>
        ) : (
          <ErrorPanel error={item.error} onRetry={item.reload} />
        ))}
      {data && (
        <div className="stack-large">
          {status && <StatusMessage>{status}</StatusMessage>}
          {fresh === 'upload' && data.verification.missing.includes('agent_document') && <p className="notice">The request was sent, but the document was not uploaded. Please upload it below.</p>}
          <RequestSummary request={data} />
          {data.state === 'awaiting_verification' && (
            <VerificationSection
              request={data}
              token={token}
              reload={item.reload}
              onChange={(updated) => {
                item.set(updated);
                setStatus(updated.state === 'awaiting_verification' ? 'Thank you. We still need the steps below.' : 'Thank you: the request is verified. We are on it.');
              }}
            />
          )}
          <RequestAnswer request={data} exportLink={(exportId) => `/privacy/exports/${encodeURIComponent(exportId)}`} />
          {data.canAppeal && (
            <AppealForm
              onAppeal={async (note) => {
                item.set(await requestsApi.appeal(data.id, token, note || undefined));
                setStatus('Your appeal is with our privacy team. We email you the decision.');
              }}
            />
          )}
          <RequestTimeline request={data} />
        </div>
      )}
    </Page>
  );
}

/** The link emailed to the person an authorized agent acts for (PV-14). */
export function ConfirmAgentPage({ requestId }: { requestId: string }) {
  const { search } = useLocation();
  const token = search.get('t') ?? '';
  const form = useForm();
  const [done, setDone] = useState(false);
  return (
    <Page title="Confirm your authorized agent">
      <form
        className="card stack-small"
        noValidate
        aria-label="Confirm"
        onSubmit={form.handle(async () => {
          if (!token) throw new Error('This link is incomplete. Open the link from the email again.');
          await requestsApi.confirmAgent(requestId, token);
          setDone(true);
        })}
      >
        <ErrorSummary form={form} title="Not confirmed" />
        {done ? (
          <p className="success-banner" role="status">
            Thank you. The request goes on; we email the answer to you and to your agent.
          </p>
        ) : (
          <>
            <p>Someone filed a privacy request about you as your authorized agent (reference {requestId}). Confirm only if you asked them to.</p>
            <div className="actions">
              <SubmitButton form={form} busyText="Confirming…">
                Yes, they act for me
              </SubmitButton>
            </div>
          </>
        )}
      </form>
    </Page>
  );
}

/** /privacy/exports/:exportId: the copy of the data, downloaded with a code emailed to its owner (PV-15). */
export function ExportDownloadPage({ exportId }: { exportId: string }) {
  const sendForm = useForm();
  const form = useForm({ codeFields: { forbidden: 'code', rate_limited: 'code', validation: 'code' } });
  const [sent, setSent] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [downloaded, setDownloaded] = useState<string | null>(null);
  const codeInput = useRef<HTMLDivElement>(null);
  return (
    <Page title="Download your personal data" lead={`Export ${exportId}`}>
      <div className="stack-large">
        <section className="card stack-small" aria-labelledby="code-title">
          <h2 id="code-title">1. Get a code</h2>
          <p>To keep the data safe, we email a 6-digit code to the address the data belongs to. The code works once, for 10 minutes.</p>
          <form
            noValidate
            aria-label="Email me a code"
            onSubmit={sendForm.handle(async () => {
              const answer = await exportsApi.sendCode(exportId);
              setSent(answer.message);
              codeInput.current?.querySelector('input')?.focus();
            })}
          >
            <ErrorSummary form={sendForm} title="No code was sent" />
            {sent && <StatusMessage>{sent}</StatusMessage>}
            <div className="actions">
              <SubmitButton form={sendForm} busyText="Sending…" className={sent ? 'button secondary' : 'button primary'}>
                {sent ? 'Email me a new code' : 'Email me a code'}
              </SubmitButton>
            </div>
          </form>
        </section>
        <section className="card stack-small" aria-labelledby="download-title">
          <h2 id="download-title">2. Download</h2>
          <form
            className="stack-small"
            noValidate
            aria-label="Download with the code"
            onSubmit={form.handle(async () => {
              const trimmed = compactCode(code);
              check([['code', !/^\d{6}$/.test(trimmed), 'Enter the 6-digit code from the email.']]);
              setDownloaded(null);
              try {
                const blob = await exportsApi.downloadWithCode(exportId, trimmed);
                const fileName = `patron-export-${exportId}.zip`;
                saveBlob(blob, fileName);
                setDownloaded(fileName);
                setCode('');
              } catch (error) {
                if (error instanceof ApiError && error.status === 410) throw new ApiError(410, 'gone', `${error.message} Ask for a new copy of your data.`);
                throw error;
              }
            })}
          >
            <ErrorSummary form={form} title="The download did not start" />
            {downloaded && (
              <p className="success-banner" role="status">
                Your download has started: {downloaded}. Open it to find index.html (readable in a browser), data.json, a CSV per kind of record and manifest.json with each file’s SHA-256.
              </p>
            )}
            <div ref={codeInput}>
              <TextField form={form} name="code" label="6-digit code" inputMode="numeric" autoComplete="one-time-code" className="code-input" value={code} onValue={setCode} />
            </div>
            <div className="actions">
              <SubmitButton form={form} busyText="Downloading…">
                Download ZIP
              </SubmitButton>
            </div>
          </form>
          <p className="small muted section-note">
            Have an account? <Link to="/sign-in?next=%2Faccount%2Fprivacy">Sign in</Link> and download it from your account’s privacy page instead.
          </p>
        </section>
      </div>
    </Page>
  );
}
