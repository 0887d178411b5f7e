// After-sales pieces shared by the member center, the guest pages and the console: the words for kinds, reasons,
// remedies and states; the state badge and step indicator; the timeline; photos fetched through the API; the photo
// picker with the browser's size and type checks; the serial field with its normalized preview; and the customer's
// status page (answer and cancel) that members and guests share.
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import type { CaseImage, CaseKind, CaseState, CaseTimelineEntry, CustomerCase, ReasonCode, Remedy } from '../api/aftersales.ts';
import { formatDate, formatDateTime } from '../lib/format.ts';
import { isValidSerial, normalizeSerial } from '../lib/serials.ts';
import { ErrorSummary, FormInvalid, SubmitButton, TextAreaField, useForm, type FormState } from './forms.tsx';
import { useModalDialog } from '../lib/use-modal-dialog.ts';

export const kindLabels: Record<CaseKind, string> = {
  return: 'Return',
  exchange: 'Exchange',
  warranty_claim: 'Warranty claim',
  damage_report: 'Damage report',
  support: 'Technical support',
};

/** What the form asks ("What do you need?"), in the customer's words. */
export const kindChoices: Record<CaseKind, { label: string; hint: string }> = {
  return: { label: 'Return it', hint: 'Within 30 days of delivery, for any reason.' },
  exchange: { label: 'Exchange it', hint: 'Within 30 days of delivery: the same product, or another one.' },
  warranty_claim: { label: 'Warranty claim', hint: 'It stopped working or has a defect, within the warranty period.' },
  damage_report: { label: 'Report damage', hint: 'It arrived damaged or broken.' },
  support: { label: 'Technical support', hint: 'Help with a product you bought from us, at any time.' },
};

/** The six reason codes of the form (AS-1), as the seed's form words them. */
export const reasonLabels: Record<ReasonCode, string> = {
  damaged_on_arrival: 'It arrived damaged',
  defective: 'It is defective or stopped working',
  wrong_item_sent: 'You sent the wrong item',
  ordered_wrong_item: 'I ordered the wrong item',
  no_longer_needed: 'I no longer need it',
  other: 'Something else',
};

export const remedyLabels: Record<Remedy, string> = {
  refund: 'Refund',
  exchange: 'Exchange',
  replacement: 'Replacement',
  credit_restore: 'Credits back',
  none: 'No remedy needed',
};

export const stateLabels: Record<CaseState, string> = {
  submitted: 'Submitted',
  under_review: 'Under review',
  needs_info: 'Waiting for your answer',
  approved: 'Approved',
  awaiting_return: 'Waiting for the item',
  received: 'Received and inspected',
  resolved: 'Resolved',
  rejected: 'Not approved',
  canceled: 'Canceled',
  expired: 'Closed (ran out of time)',
};

/** The console names needs_info from the agent's side. */
export const agentStateLabels: Record<CaseState, string> = { ...stateLabels, needs_info: 'Needs info', rejected: 'Rejected' };

const stateTones: Record<CaseState, '' | 'success' | 'warning' | 'danger'> = {
  submitted: '',
  under_review: '',
  needs_info: 'warning',
  approved: 'success',
  awaiting_return: 'warning',
  received: '',
  resolved: 'success',
  rejected: 'danger',
  canceled: '',
  expired: 'danger',
};

export function CaseStateBadge({ state, agent = false }: { state: CaseState; agent?: boolean }) {
  const tone = stateTones[state];
  return <span className={tone ? `badge ${tone}` : 'badge'}>{(agent ? agentStateLabels : stateLabels)[state]}</span>;
}

export const finalStates: readonly CaseState[] = ['resolved', 'rejected', 'canceled', 'expired'];

/**
 * The case's way from submission to resolution, with the step it is on. The return step shows only where something
 * has to come back (the case went, or is, through awaiting_return).
 */
export function CaseSteps({ state, timeline }: { state: CaseState; timeline: ReadonlyArray<{ toState: CaseState }> }) {
  const returned = state === 'awaiting_return' || state === 'received' || timeline.some((entry) => entry.toState === 'awaiting_return');
  const steps: Array<{ label: string; states: CaseState[] }> = [
    { label: 'Submitted', states: ['submitted'] },
    { label: 'Reviewed', states: ['under_review', 'needs_info'] },
    { label: 'Approved', states: ['approved'] },
    ...(returned ? [{ label: 'Item returned', states: ['awaiting_return', 'received'] as CaseState[] }] : []),
    { label: 'Resolved', states: ['resolved'] },
  ];
  // A closed case (rejected, canceled, expired) stops at the last step it reached.
  const reached = (target: CaseState) => steps.findIndex((step) => step.states.includes(target));
  let current = reached(state);
  if (current < 0) {
    const previous = [...timeline].reverse().find((entry) => reached(entry.toState) >= 0);
    current = previous ? reached(previous.toState) : 0;
  }
  const closed = state === 'rejected' || state === 'canceled' || state === 'expired';
  return (
    <ol className="case-steps" aria-label="Progress">
      {steps.map((step, index) => {
        const status = index < current || (index === current && state === 'resolved') ? 'done' : index === current ? (closed ? 'stopped' : 'current') : 'todo';
        return (
          <li key={step.label} className={`case-step ${status}`} aria-current={index === current ? 'step' : undefined}>
            <span className="case-step-mark" aria-hidden="true">
              {status === 'done' ? '✓' : index + 1}
            </span>
            <span className="case-step-label">
              {step.label}
              <span className="visually-hidden">{status === 'done' ? ' (done)' : status === 'current' ? ' (current step)' : status === 'stopped' ? ' (stopped here)' : ''}</span>
            </span>
          </li>
        );
      })}
    </ol>
  );
}

const actionWords: Record<string, string> = {
  submit: 'Submitted',
  open: 'Submitted',
  confirm_email: 'Email confirmed',
  review: 'Taken into review',
  ask_for_info: 'More information asked for',
  answer: 'Answered',
  approve: 'Approved',
  reject: 'Not approved',
  await_return: 'Waiting for the item to come back',
  mark_received: 'Received and inspected',
  resolve: 'Resolved',
  cancel: 'Canceled',
  expire: 'Closed: it ran out of time',
  convert: 'Turned into a warranty claim',
};

export function describeAction(entry: { action: string; fromState: CaseState | null; toState: CaseState }): string {
  if (entry.fromState === null) return actionWords.submit!;
  return actionWords[entry.action] ?? stateLabels[entry.toState];
}

export const inspectionLabels: Record<string, string> = {
  as_described: 'as described',
  not_as_described: 'not as described',
  not_received_complete: 'not received complete',
};

const customerActors: Record<CaseTimelineEntry['actor'], string> = { you: 'You', agent: 'Support team', system: 'Automatically' };

/** The customer's timeline: when, who, what, and what was said (the agent's question, the answer). */
export function CaseTimeline({ timeline }: { timeline: readonly CaseTimelineEntry[] }) {
  return (
    <ol className="timeline">
      {timeline.map((entry, index) => (
        <li key={`${entry.at}-${index}`}>
          <div className="timeline-head">
            <strong>{describeAction(entry)}</strong>
            <span className="muted small">
              {customerActors[entry.actor]} · <time dateTime={entry.at}>{formatDateTime(entry.at)}</time>
            </span>
          </div>
          {entry.reasonCode && <p className="small muted">Reason: {inspectionLabels[entry.reasonCode] ?? entry.reasonCode.replaceAll('_', ' ')}</p>}
          {entry.note && <p className="timeline-note">{entry.note}</p>}
        </li>
      ))}
    </ol>
  );
}

/** A Blob as a data: URL (the CSP allows data: images, not blob:). */
export function readAsDataUrl(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error('The photo could not be read.'));
    reader.readAsDataURL(blob);
  });
}

function CasePhoto({ image, index, load }: { image: CaseImage; index: number; load: (imageId: string) => Promise<Blob> }) {
  const [source, setSource] = useState<string | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    load(image.id)
      .then(readAsDataUrl)
      .then(
        (url) => live && setSource(url),
        (error: unknown) => live && setFailed(error instanceof Error ? error.message : 'The photo could not be loaded.'),
      );
    return () => {
      live = false;
    };
    // `load` is rebuilt every render; the image is what it depends on.
  }, [image.id]);
  const label = `Photo ${index + 1}, ${image.width} × ${image.height}`;
  return (
    <li className="photo-tile">
      {source ? (
        <a href={source} target="_blank" rel="noreferrer" aria-label={`${label}, open full size`}>
          <img src={source} alt={label} width={image.width} height={image.height} />
        </a>
      ) : (
        <div className="photo-placeholder" role={failed ? 'alert' : 'status'}>
          {failed ?? 'Loading the photo…'}
        </div>
      )}
      <span className="muted small">
        {image.width} × {image.height} · {formatBytes(image.sizeBytes)}
      </span>
    </li>
  );
}

export function CasePhotos({ images, load }: { images: readonly CaseImage[]; load: (imageId: string) => Promise<Blob> }) {
  if (images.length === 0) return <p className="muted">No photos.</p>;
  return (
    <ul className="photo-grid" aria-label="Photos">
      {images.map((image, index) => (
        <CasePhoto key={image.id} image={image} index={index} load={load} />
      ))}
    </ul>
  );
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

// ---------------------------------------------------------------------------------------------------------------
// The photo picker

export const maxPhotos = 5;
export const maxPhotoBytes = 10 * 1024 * 1024;
const photoTypes = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/heic', 'image/heif']);
const photoExtensions = /\.(jpe?g|png|webp|heic|heif)$/i;
const previewable = new Set(['image/jpeg', 'image/png', 'image/webp']);

/** Why the browser will not send a file, or null: the server checks the bytes again (AS-9). */
export function photoProblem(file: File): string | null {
  const typed = file.type ? photoTypes.has(file.type.toLowerCase()) : photoExtensions.test(file.name);
  if (!typed) return `${file.name} is not a JPEG, PNG, WebP or HEIC photo.`;
  if (file.size > maxPhotoBytes) return `${file.name} is ${formatBytes(file.size)}; a photo can be at most 10 MB.`;
  if (file.size === 0) return `${file.name} is empty.`;
  return null;
}

interface PickedPhoto {
  file: File;
  preview: string | null;
}

/**
 * Up to `max` photos with previews; files that are too big or of another type are refused here with a message, before
 * anything is uploaded. HEIC photos are sent but not previewed (browsers do not decode them).
 */
export function PhotoPicker({ form, name = 'images', label = 'Photos', hint, max = maxPhotos, files, onFiles, optional = true }: { form: FormState; name?: string; label?: string; hint?: ReactNode; max?: number; files: File[]; onFiles: (files: File[]) => void; optional?: boolean }) {
  const id = form.fieldId(name);
  form.labels.set(name, label);
  const error = form.errorFor(name);
  const [problems, setProblems] = useState<string[]>([]);
  const [previews, setPreviews] = useState<PickedPhoto[]>([]);
  const input = useRef<HTMLInputElement>(null);
  const hintId = `${id}-hint`;
  const problemsId = `${id}-problems`;
  useEffect(() => {
    let live = true;
    Promise.all(files.map(async (file) => ({ file, preview: previewable.has(file.type) ? await readAsDataUrl(file).catch(() => null) : null }))).then((list) => live && setPreviews(list));
    return () => {
      live = false;
    };
  }, [files]);
  const left = max - files.length;
  return (
    <div className={error || problems.length > 0 ? 'field field-invalid' : 'field'}>
      <label htmlFor={id}>
        {label}
        {optional && <span className="optional"> (optional)</span>}
      </label>
      <p className="hint" id={hintId}>
        {hint ?? null} Up to {max} photos, JPEG, PNG, WebP or HEIC, each at most 10 MB. We remove location data before we store them.
      </p>
      {error && (
        <p className="field-error" id={`${id}-error`}>
          <span className="visually-hidden">Error: </span>
          {error}
        </p>
      )}
      {problems.length > 0 && (
        <ul className="field-error plain-list" id={problemsId} role="alert">
          {problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      )}
      <input
        ref={input}
        id={id}
        type="file"
        name={name}
        multiple
        accept="image/jpeg,image/png,image/webp,image/heic,image/heif,.heic,.heif"
        disabled={left <= 0}
        aria-describedby={[hintId, error ? `${id}-error` : '', problems.length > 0 ? problemsId : ''].filter(Boolean).join(' ')}
        aria-invalid={error || problems.length > 0 ? true : undefined}
        onChange={(event) => {
          const chosen = Array.from(event.target.files ?? []);
          const found: string[] = [];
          const accepted: File[] = [];
          for (const file of chosen) {
            const problem = photoProblem(file);
            if (problem) found.push(problem);
            else if (accepted.length < left) accepted.push(file);
            else found.push(`${file.name} was not added: at most ${max} photos.`);
          }
          setProblems(found);
          if (accepted.length > 0) onFiles([...files, ...accepted]);
          // The same file can be chosen again after it was removed.
          event.target.value = '';
        }}
      />
      {left <= 0 && <p className="small muted">That is the most photos you can add. Remove one to choose another.</p>}
      {files.length > 0 && (
        <ul className="photo-grid" aria-label="Chosen photos">
          {files.map((file, index) => {
            const preview = previews.find((item) => item.file === file)?.preview ?? null;
            return (
              <li key={`${file.name}-${file.size}-${index}`} className="photo-tile">
                {preview ? <img src={preview} alt={`Preview of ${file.name}`} /> : <div className="photo-placeholder">{/\.hei[cf]$/i.test(file.name) || /hei[cf]/.test(file.type) ? 'HEIC photo (no preview)' : 'Preview…'}</div>}
                <span className="small photo-name" title={file.name}>
                  {file.name} · {formatBytes(file.size)}
                </span>
                <button
                  type="button"
                  className="button link-button small"
                  aria-label={`Remove ${file.name}`}
                  onClick={() => {
                    onFiles(files.filter((_, other) => other !== index));
                    input.current?.focus();
                  }}
                >
                  Remove
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// The serial field (AS-2)

export const serialHint = 'SN: A1234567 printed on the product: the letter A and 7 letters or digits.';

export { isValidSerial, normalizeSerial };

/** The serial as typed, with a live preview of how it will be read. */
export function SerialField({ form, value, onValue, optional = true }: { form: FormState; value: string; onValue: (value: string) => void; optional?: boolean }) {
  const id = form.fieldId('serial');
  form.labels.set('serial', 'Serial number');
  const error = form.errorFor('serial');
  const normalized = normalizeSerial(value);
  const previewId = `${id}-preview`;
  return (
    <div className={error ? 'field field-invalid' : 'field'}>
      <label htmlFor={id}>
        Serial number{optional && <span className="optional"> (optional)</span>}
      </label>
      <p className="hint" id={`${id}-hint`}>
        {serialHint}
      </p>
      {error && (
        <p className="field-error" id={`${id}-error`}>
          <span className="visually-hidden">Error: </span>
          {error}
        </p>
      )}
      <input
        id={id}
        name="serial"
        type="text"
        className="code-input serial-input"
        autoComplete="off"
        spellCheck={false}
        autoCapitalize="characters"
        placeholder="A1234567"
        value={value}
        onChange={(event) => onValue(event.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={[`${id}-hint`, error ? `${id}-error` : '', value.trim() ? previewId : ''].filter(Boolean).join(' ')}
        aria-required={optional ? undefined : true}
      />
      {value.trim() !== '' && (
        <p id={previewId} className={isValidSerial(normalized) ? 'small serial-preview ok' : 'small serial-preview'} aria-live="polite">
          {isValidSerial(normalized) ? (
            <>
              We read it as <strong className="mono">{normalized}</strong>.
            </>
          ) : (
            <>
              <span className="mono">{normalized || '—'}</span> does not look like a serial yet: the letter A, then 7 letters or digits.
            </>
          )}
        </p>
      )}
    </div>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// The customer's status page

export interface CaseStatusActions {
  loadImage: (imageId: string) => Promise<Blob>;
  answer: (message: string, images: File[]) => Promise<CustomerCase>;
  cancel: () => Promise<CustomerCase>;
}

function AnswerForm({ data, actions, onDone }: { data: CustomerCase; actions: CaseStatusActions; onDone: (updated: CustomerCase, message: string) => void }) {
  const form = useForm({ codeFields: { payload_too_large: 'images' } });
  const [message, setMessage] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const question = [...data.timeline].reverse().find((entry) => entry.toState === 'needs_info');
  return (
    <form
      className="card stack"
      noValidate
      aria-labelledby="answer-title"
      onSubmit={form.handle(async () => {
        const text = message.trim();
        const fields: Record<string, string> = {};
        if (text === '') fields.message = 'Write your answer.';
        else if (text.length > 4000) fields.message = `Your answer is ${text.length} characters; it can be at most 4,000.`;
        if (Object.keys(fields).length > 0) throw new FormInvalid(fields);
        const updated = await actions.answer(text, files);
        setMessage('');
        setFiles([]);
        onDone(updated, 'Thank you: your answer is sent, and the case is back with our team.');
      })}
    >
      <h2 id="answer-title">We need more information</h2>
      {question?.note && (
        <blockquote className="question">
          <p className="small muted">Our question{question.at ? `, ${formatDate(question.at)}` : ''}:</p>
          <p>{question.note}</p>
        </blockquote>
      )}
      {data.expiresAt && <p className="small">Please answer by {formatDate(data.expiresAt)}; after that the case is closed.</p>}
      <ErrorSummary form={form} title="Your answer was not sent" />
      <TextAreaField form={form} name="message" label="Your answer" rows={5} maxLength={4000} value={message} onValue={setMessage} />
      <PhotoPicker form={form} label="Add photos" max={Math.max(0, maxPhotos - data.images.length)} files={files} onFiles={setFiles} hint={data.images.length > 0 ? `You already sent ${data.images.length}.` : undefined} />
      <div className="actions">
        <SubmitButton form={form} busyText="Sending…">
          Send answer
        </SubmitButton>
      </div>
    </form>
  );
}

function CancelCaseDialog({ onConfirm, onClose }: { onConfirm: () => Promise<void>; onClose: () => void }) {
  const dialog = useModalDialog();
  const titleId = useId();
  const form = useForm();
  return (
    <dialog ref={dialog} className="dialog" aria-labelledby={titleId} onCancel={onClose}>
      <form className="stack" noValidate onSubmit={form.handle(onConfirm)}>
        <h2 id={titleId}>Cancel this request?</h2>
        <ErrorSummary form={form} title="The request was not canceled" />
        <p>We stop working on it and nothing more happens. If you still need help later, you can start a new request.</p>
        <div className="actions">
          <SubmitButton form={form} busyText="Canceling…" className="button danger">
            Yes, cancel the request
          </SubmitButton>
          <button type="button" className="button secondary" onClick={onClose} disabled={form.submitting}>
            Keep it open
          </button>
        </div>
      </form>
    </dialog>
  );
}

/** What the customer sees of the decision: the outcome and why, in their words. */
function DecisionPanel({ data }: { data: CustomerCase }) {
  const { decision } = data;
  const heading = decision.outcome === 'auto_approved' ? 'Approved at once' : decision.outcome === 'refused' ? 'Not covered' : 'Covered';
  return (
    <section className="card stack-small" aria-labelledby="decision-title">
      <h2 id="decision-title">{heading}</h2>
      {decision.texts.length > 0 ? (
        <ul className="stack-small">
          {decision.texts.map((text) => (
            <li key={text}>{text}</li>
          ))}
        </ul>
      ) : (
        <p className="muted">Our team decides this case.</p>
      )}
      {decision.allowedRemedies.length > 0 && decision.outcome !== 'refused' && (
        <p className="small muted">Possible outcomes: {decision.allowedRemedies.map((remedy) => remedyLabels[remedy].toLowerCase()).join(', ')}.</p>
      )}
    </section>
  );
}

/** What the state means for the customer now: one sentence at the top of the page. */
function stateSentence(data: CustomerCase): string {
  switch (data.state) {
    case 'submitted':
      return data.emailConfirmed ? 'We have your request and will look at it soon.' : 'Confirm your email address with the link we sent, then we start.';
    case 'under_review':
      return 'Our team is looking at your request.';
    case 'needs_info':
      return 'We need more information from you: answer below.';
    case 'approved':
      return 'Your request is approved. We let you know when it is resolved.';
    case 'awaiting_return':
      return `Your request is approved: please send the item back${data.expiresAt ? ` by ${formatDate(data.expiresAt)}` : ''}. We resolve it once it arrives.`;
    case 'received':
      return 'We received the item and inspected it; we resolve your request next.';
    case 'resolved':
      return 'Your request is resolved.';
    case 'rejected':
      return 'We could not approve this request. The timeline says why.';
    case 'canceled':
      return 'This request was canceled.';
    case 'expired':
      return 'This request was closed because we did not hear back in time.';
  }
}

export function CaseFacts({ data, extra }: { data: Pick<CustomerCase, 'kind' | 'reason' | 'remedy' | 'orderRef' | 'productSku' | 'serial' | 'createdAt' | 'contactName'>; extra?: ReactNode }) {
  return (
    <dl className="facts facts-inline case-facts">
      <div>
        <dt>Request</dt>
        <dd>{kindLabels[data.kind]}</dd>
      </div>
      <div>
        <dt>Asked for</dt>
        <dd>{remedyLabels[data.remedy]}</dd>
      </div>
      <div>
        <dt>Reason</dt>
        <dd>{reasonLabels[data.reason]}</dd>
      </div>
      <div>
        <dt>Order</dt>
        <dd className="mono">{data.orderRef}</dd>
      </div>
      {data.productSku && (
        <div>
          <dt>Product</dt>
          <dd className="mono">{data.productSku}</dd>
        </div>
      )}
      {data.serial && (
        <div>
          <dt>Serial</dt>
          <dd className="mono">{data.serial}</dd>
        </div>
      )}
      <div>
        <dt>Opened</dt>
        <dd>{formatDateTime(data.createdAt)}</dd>
      </div>
      {extra}
    </dl>
  );
}

/** The status page's body: state and steps, decision, resolution, answer box, photos, details, timeline, cancel. */
export function CaseStatus({ data, actions, onChange }: { data: CustomerCase; actions: CaseStatusActions; onChange: (updated: CustomerCase) => void }) {
  const [message, setMessage] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  return (
    <div className="stack-large">
      {message && (
        <p className="success-banner" role="status">
          {message}
        </p>
      )}
      <section className="card stack" aria-labelledby="case-state-title">
        <div className="section-header">
          <h2 id="case-state-title">
            {kindLabels[data.kind]} <span className="mono muted small">{data.id}</span>
          </h2>
          <CaseStateBadge state={data.state} />
        </div>
        <p data-testid="case-state-sentence">{stateSentence(data)}</p>
        <CaseSteps state={data.state} timeline={data.timeline} />
        <CaseFacts data={data} />
      </section>
      {data.resolution && (
        <section className="card success-card stack-small" aria-labelledby="resolution-title">
          <h2 id="resolution-title">Resolution: {remedyLabels[data.resolution.remedy]}</h2>
          {data.resolution.detail && <p data-testid="resolution-detail">{data.resolution.detail}</p>}
          {data.resolvedAt && <p className="small muted">Resolved {formatDateTime(data.resolvedAt)}.</p>}
        </section>
      )}
      {data.canAnswer && (
        <AnswerForm
          data={data}
          actions={actions}
          onDone={(updated, text) => {
            setMessage(text);
            onChange(updated);
          }}
        />
      )}
      <DecisionPanel data={data} />
      <section className="card stack-small" aria-labelledby="details-title">
        <h2 id="details-title">What you told us</h2>
        <p className="pre-wrap">{data.details}</p>
        <h3>Photos</h3>
        <CasePhotos images={data.images} load={actions.loadImage} />
      </section>
      <section className="card" aria-labelledby="timeline-title">
        <h2 id="timeline-title">Timeline</h2>
        <CaseTimeline timeline={data.timeline} />
      </section>
      {data.canCancel && (
        <section className="card stack-small" aria-labelledby="cancel-title">
          <h2 id="cancel-title">Changed your mind?</h2>
          <p className="small">You can cancel this request until we receive the item.</p>
          <div className="actions">
            <button type="button" className="button danger-outline" onClick={() => setConfirming(true)}>
              Cancel this request…
            </button>
          </div>
        </section>
      )}
      {confirming && (
        <CancelCaseDialog
          onClose={() => setConfirming(false)}
          onConfirm={async () => {
            const updated = await actions.cancel();
            setConfirming(false);
            setMessage('Your request is canceled.');
            onChange(updated);
          }}
        />
      )}
    </div>
  );
}
