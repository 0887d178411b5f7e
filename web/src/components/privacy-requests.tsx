// What the privacy pages share (PV-1..PV-17): the request types in plain words, state badges, deadlines in words,
// the due flags of the agents' queue, the location fields of the request forms, and the export download block.
import { useState } from 'react';
import { ApiError } from '../api/client.ts';
import {
  exportsApi,
  needsFreshSignIn,
  saveBlob,
  type DueFlag,
  type MissingStep,
  type PrivacyExport,
  type PrivacyRequest,
  type RequestState,
  type RequestType,
} from '../api/privacy.ts';
import { formatCalendarDate, formatDateTime } from '../lib/format.ts';
import { SelectField, TextField, type FormState } from './forms.tsx';
import { Link } from '../router.tsx';

/** The choices of the request form: what a person wants, in their words (PV-1's 13 types). */
export const requestTypeChoices: Record<RequestType, { label: string; hint: string }> = {
  access: { label: 'Get a copy of my personal data', hint: 'A ZIP file with everything we hold about you, readable in a browser.' },
  portability: { label: 'Get my data to take it elsewhere', hint: 'The same data in machine-readable files (JSON and CSV).' },
  know: { label: 'Know what data you hold about me', hint: 'The categories, where they come from, why we use them and whom we share them with.' },
  rectify: { label: 'Correct my personal data', hint: 'Tell us in the comments what is wrong and what is right.' },
  erase: { label: 'Delete my personal data', hint: 'We delete what the law lets us delete and tell you what we must keep, and until when.' },
  restrict: { label: 'Limit how you use my data', hint: 'We only store it and use it for nothing else, for example while you contest it.' },
  object: { label: 'Stop using my data for direct marketing', hint: 'Takes effect at once.' },
  withdraw_consent: { label: 'Withdraw a consent I gave', hint: 'Takes effect at once.' },
  optout_sale_share: { label: 'Do not sell or share my personal data', hint: 'Takes effect at once.' },
  optout_targeted_ads: { label: 'Do not use my data for targeted advertising', hint: 'Takes effect at once.' },
  limit_sensitive: { label: 'Limit the use of my sensitive personal data', hint: 'Takes effect at once.' },
  complaint: { label: 'Make a privacy complaint', hint: 'Tell us in the comments what went wrong. We answer within 30 days.' },
  appeal: { label: 'Appeal a decision on an earlier request', hint: 'Name the earlier request in the comments. A different person reviews it.' },
};

/** Short names of the types, for lists and the console. */
export const requestTypeNames: Record<RequestType, string> = {
  access: 'Access',
  portability: 'Portability',
  know: 'Know',
  rectify: 'Rectify',
  erase: 'Erase',
  restrict: 'Restrict',
  object: 'Object to marketing',
  withdraw_consent: 'Withdraw consent',
  optout_sale_share: 'Opt out of sale/share',
  optout_targeted_ads: 'Opt out of targeted ads',
  limit_sensitive: 'Limit sensitive data',
  complaint: 'Complaint',
  appeal: 'Appeal',
};

export const requestStateLabels: Record<RequestState, string> = {
  received: 'Received',
  awaiting_verification: 'Waiting for verification',
  verified: 'Verified',
  in_progress: 'In progress',
  on_hold: 'On hold',
  fulfilled: 'Completed',
  partially_fulfilled: 'Partly completed',
  denied: 'Denied',
  withdrawn: 'Withdrawn',
  closed_unverified: 'Closed: not verified',
  appealed: 'Under appeal',
  appeal_decided: 'Appeal decided',
};

const stateTones: Record<RequestState, string> = {
  received: '',
  awaiting_verification: 'warning',
  verified: '',
  in_progress: '',
  on_hold: 'warning',
  fulfilled: 'success',
  partially_fulfilled: 'warning',
  denied: 'danger',
  withdrawn: '',
  closed_unverified: 'danger',
  appealed: 'warning',
  appeal_decided: 'success',
};

export function RequestStateBadge({ state }: { state: RequestState }) {
  const tone = stateTones[state];
  return <span className={tone ? `badge ${tone}` : 'badge'}>{requestStateLabels[state]}</span>;
}

export const regimeLabels = { us_state: 'US state law', gdpr: 'GDPR', uk: 'UK GDPR', other: 'Other (GDPR timing)' } as const;

export const missingStepLabels: Record<MissingStep, string> = {
  code: 'the emailed code',
  facts: 'order details',
  declaration: 'the signed declaration',
  agent_document: 'the authorization document',
  subject_confirmation: 'the person’s own confirmation',
};

/** The queue's due flag as colour and words (never colour alone). */
export function DueFlagBadge({ flag, daysLeft }: { flag: DueFlag; daysLeft: number }) {
  if (flag === 'overdue') return <span className="badge danger">Overdue by {Math.abs(daysLeft) === 1 ? '1 day' : `${Math.abs(daysLeft)} days`}</span>;
  if (flag === 'due_in_2') return <span className="badge danger">Due in {daysLeft <= 0 ? 'today' : daysLeft === 1 ? '1 day' : '2 days'}</span>;
  if (flag === 'due_in_7') return <span className="badge warning">Due within 7 days</span>;
  return null;
}

export function daysLeftText(daysLeft: number): string {
  if (daysLeft < 0) return `${Math.abs(daysLeft)} ${Math.abs(daysLeft) === 1 ? 'day' : 'days'} overdue`;
  if (daysLeft === 0) return 'due today';
  return `${daysLeft} ${daysLeft === 1 ? 'day' : 'days'} left`;
}

const openStates: readonly RequestState[] = ['received', 'awaiting_verification', 'verified', 'in_progress', 'on_hold', 'appealed'];

/** The deadlines of a request in a sentence a requester can read. */
export function deadlineWords(request: Pick<PrivacyRequest, 'state' | 'deadlines' | 'type'>): string {
  const { deadlines } = request;
  const received = `Received ${formatCalendarDate(deadlines.receivedDate)}.`;
  if (!openStates.includes(request.state)) return received;
  const extended = deadlines.extensionCount > 0 ? ` We extended the time to answer (first due ${formatCalendarDate(deadlines.originalDueDate)}) and told you why.` : '';
  const answer = request.state === 'appealed' ? `We answer your appeal by ${formatCalendarDate(deadlines.dueDate)} at the latest.` : `We answer by ${formatCalendarDate(deadlines.dueDate)} at the latest.`;
  return `${received} ${answer}${extended}`;
}

/** The facts list of deadlines (dates in UTC, as the server counts them). */
export function DeadlineFacts({ request, daysLeft }: { request: Pick<PrivacyRequest, 'deadlines'>; daysLeft?: number }) {
  const { deadlines } = request;
  return (
    <dl className="facts facts-inline privacy-facts">
      <div>
        <dt>Received</dt>
        <dd>{formatDateTime(deadlines.receivedAt)}</dd>
      </div>
      <div>
        <dt>Acknowledge by</dt>
        <dd>
          {formatCalendarDate(deadlines.acknowledgeDueDate)}
          {deadlines.acknowledgedAt && <span className="muted small"> · done {formatDateTime(deadlines.acknowledgedAt)}</span>}
        </dd>
      </div>
      <div>
        <dt>Answer by</dt>
        <dd>
          {formatCalendarDate(deadlines.dueDate)}
          {daysLeft !== undefined && <span className="muted small"> · {daysLeftText(daysLeft)}</span>}
        </dd>
      </div>
      {deadlines.extensionCount > 0 && (
        <div>
          <dt>First due</dt>
          <dd>
            {formatCalendarDate(deadlines.originalDueDate)} · extended {deadlines.extensionCount === 1 ? 'once' : `${deadlines.extensionCount} times`}
          </dd>
        </div>
      )}
    </dl>
  );
}

/** The brands the privacy notice covers (PV-2: "brands concerned"). */
export const brands = ['Anker', 'eufy', 'eufyMake', 'AnkerWork', 'Nebula', 'soundcore'] as const;

export const countryOptions = [
  { value: 'US', label: 'United States' },
  { value: 'CA', label: 'Canada' },
  { value: 'GB', label: 'United Kingdom' },
  { value: 'DE', label: 'Germany' },
  { value: 'FR', label: 'France' },
  { value: 'IE', label: 'Ireland' },
  { value: 'NL', label: 'Netherlands' },
  { value: 'ES', label: 'Spain' },
  { value: 'IT', label: 'Italy' },
  { value: 'AT', label: 'Austria' },
  { value: 'BE', label: 'Belgium' },
  { value: 'DK', label: 'Denmark' },
  { value: 'SE', label: 'Sweden' },
  { value: 'FI', label: 'Finland' },
  { value: 'PL', label: 'Poland' },
  { value: 'PT', label: 'Portugal' },
  { value: 'NO', label: 'Norway' },
  { value: 'CH', label: 'Switzerland' },
  { value: 'AU', label: 'Australia' },
  { value: 'JP', label: 'Japan' },
  { value: 'other', label: 'Another country' },
] as const;

export const usStateOptions = (
  [
    ['AL', 'Alabama'], ['AK', 'Alaska'], ['AZ', 'Arizona'], ['AR', 'Arkansas'], ['CA', 'California'], ['CO', 'Colorado'], ['CT', 'Connecticut'], ['DE', 'Delaware'], ['DC', 'District of Columbia'],
    ['FL', 'Florida'], ['GA', 'Georgia'], ['HI', 'Hawaii'], ['ID', 'Idaho'], ['IL', 'Illinois'], ['IN', 'Indiana'], ['IA', 'Iowa'], ['KS', 'Kansas'], ['KY', 'Kentucky'], ['LA', 'Louisiana'],
    ['ME', 'Maine'], ['MD', 'Maryland'], ['MA', 'Massachusetts'], ['MI', 'Michigan'], ['MN', 'Minnesota'], ['MS', 'Mississippi'], ['MO', 'Missouri'], ['MT', 'Montana'], ['NE', 'Nebraska'],
    ['NV', 'Nevada'], ['NH', 'New Hampshire'], ['NJ', 'New Jersey'], ['NM', 'New Mexico'], ['NY', 'New York'], ['NC', 'North Carolina'], ['ND', 'North Dakota'], ['OH', 'Ohio'], ['OK', 'Oklahoma'],
    ['OR', 'Oregon'], ['PA', 'Pennsylvania'], ['RI', 'Rhode Island'], ['SC', 'South Carolina'], ['SD', 'South Dakota'], ['TN', 'Tennessee'], ['TX', 'Texas'], ['UT', 'Utah'], ['VT', 'Vermont'],
    ['VA', 'Virginia'], ['WA', 'Washington'], ['WV', 'West Virginia'], ['WI', 'Wisconsin'], ['WY', 'Wyoming'],
  ] as const
).map(([value, label]) => ({ value, label }));

export interface LocationDraft {
  country: string;
  otherCountry: string;
  state: string;
  zip: string;
}

export const emptyLocation: LocationDraft = { country: 'US', otherCountry: '', state: '', zip: '' };

/** Checks the location and returns it as the API wants it; adds field messages to `fields`. */
export function locationInput(draft: LocationDraft, fields: Record<string, string>): { country: string; state: string | null; zip: string | null } {
  const country = draft.country === 'other' ? draft.otherCountry.trim().toUpperCase() : draft.country;
  if (draft.country === 'other' && !/^[A-Z]{2}$/.test(country)) fields.country = 'Enter the two-letter country code, like MX or BR.';
  if (country === 'US' && draft.state === '') fields.state = 'Choose the US state the person lives in: the state’s law decides the deadline.';
  const zip = draft.zip.trim();
  if (zip !== '' && !/^[A-Za-z0-9 -]{3,12}$/.test(zip)) fields.zip = 'Enter the zip or postal code, like 97201.';
  return { country, state: country === 'US' ? draft.state : null, zip: zip || null };
}

/** Country, US state and zip: where the person the request is about lives (it decides the law and the deadline). */
export function LocationFields({ form, draft, onDraft }: { form: FormState; draft: LocationDraft; onDraft: (draft: LocationDraft) => void }) {
  return (
    <div className="field-row">
      <SelectField form={form} name="country" label="Country" hint="Where the person lives." value={draft.country} onValue={(country) => onDraft({ ...draft, country })} options={countryOptions} />
      {draft.country === 'other' && (
        <TextField form={form} name="otherCountry" label="Country code" hint="Two letters, like MX." maxLength={2} value={draft.otherCountry} onValue={(otherCountry) => onDraft({ ...draft, otherCountry })} />
      )}
      {draft.country === 'US' && <SelectField form={form} name="state" label="State" hint="Its law sets the deadline." value={draft.state} onValue={(state) => onDraft({ ...draft, state })} options={usStateOptions} placeholder="Choose a state" />}
      <TextField form={form} name="zip" label="Zip or postal code" optional hint="Helps us find the right records." autoComplete="postal-code" value={draft.zip} onValue={(zip) => onDraft({ ...draft, zip })} />
    </div>
  );
}

export function BrandFields({ value, onValue }: { value: readonly string[]; onValue: (brands: string[]) => void }) {
  return (
    <fieldset className="checkbox-group">
      <legend>
        Brands <span className="optional">(optional)</span>
      </legend>
      <p className="hint">Leave them all unticked if the request is about every brand.</p>
      <div className="checkbox-row">
        {brands.map((brand) => (
          <label key={brand} className="inline-check">
            <input type="checkbox" checked={value.includes(brand)} onChange={(event) => onValue(event.target.checked ? [...value, brand] : value.filter((item) => item !== brand))} /> {brand}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

/** "a, b and c". */
export function listWords(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

export function formatBytes(bytes: number | null): string {
  if (bytes === null) return '—';
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export const exportStateLabels = { queued: 'Being prepared', ready: 'Ready', failed: 'Failed', expired: 'Expired' } as const;

/**
 * A member's export row action: downloads the ZIP, or, when the sign-in is too old (403 reauthentication), asks the
 * page to show the "sign in again" step.
 */
export function DownloadMineButton({ item, onReauthenticate, onDownloaded }: { item: PrivacyExport; onReauthenticate: () => void; onDownloaded: (fileName: string) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <span className="stack-small">
      <button
        type="button"
        className="button primary small"
        disabled={busy}
        onClick={() => {
          setBusy(true);
          setError(null);
          exportsApi
            .downloadMine(item.id)
            .then((blob) => {
              const fileName = `patron-export-${item.id}.zip`;
              saveBlob(blob, fileName);
              onDownloaded(fileName);
            })
            .catch((failure: unknown) => {
              if (needsFreshSignIn(failure)) onReauthenticate();
              else setError(failure instanceof ApiError ? failure.message : 'The download failed. Please try again.');
            })
            .finally(() => setBusy(false));
        }}
      >
        {busy ? 'Downloading…' : 'Download ZIP'}
      </button>
      {error && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}

/** The reasons of a denial or partial answer (PV-3), in the requester's words. */
export const decisionReasonLabels: Record<string, string> = {
  identity_not_verified: 'We could not verify the identity of the person the request is about.',
  not_a_resident: 'The law that gives this right does not apply where the person lives.',
  no_data_found: 'We found no personal data about the person.',
  legal_obligation_to_keep: 'We must keep some of the data to comply with a legal obligation.',
  legal_claims: 'We need the data to establish, exercise or defend legal claims.',
  rights_of_others: 'Acting on the request would affect the rights of other people.',
  manifestly_unfounded: 'The request is manifestly unfounded.',
  excessive: 'The request is excessive, in particular because it repeats an earlier one.',
  exemption_applies: 'A legal exemption applies to this data.',
  other: 'Our privacy team explains the reason in its answer.',
};

const answeredStates: readonly RequestState[] = ['fulfilled', 'partially_fulfilled', 'denied', 'appealed', 'appeal_decided', 'withdrawn', 'closed_unverified'];

/** The answer to a request: the outcome, the reason and legal basis of a denial, the export's download link. */
export function RequestAnswer({ request, exportLink }: { request: PrivacyRequest; exportLink: (exportId: string) => string }) {
  if (!answeredStates.includes(request.state)) return null;
  const answer = request.export;
  const denied = request.decisionReasonCode !== null && request.decisionReasonCode !== 'fulfilled';
  return (
    <section className={request.state === 'denied' || request.state === 'closed_unverified' ? 'card stack-small warning-card' : 'card stack-small success-card'} aria-labelledby="answer-title">
      <h2 id="answer-title">Our answer</h2>
      {request.state === 'withdrawn' && <p>The request was withdrawn.</p>}
      {request.state === 'closed_unverified' && <p>We closed the request because it was not verified within 7 days. You can send a new one at any time.</p>}
      {request.outcome && <p className="pre-wrap">{request.outcome}</p>}
      {denied && (request.state === 'denied' || request.state === 'partially_fulfilled' || request.state === 'appealed') && (
        <dl className="facts">
          <div>
            <dt>Reason</dt>
            <dd>{decisionReasonLabels[request.decisionReasonCode!] ?? request.decisionReasonCode}</dd>
          </div>
          {request.decisionLegalBasis && (
            <div>
              <dt>Legal basis</dt>
              <dd>{request.decisionLegalBasis}</dd>
            </div>
          )}
        </dl>
      )}
      {request.appealDecision && (
        <p>
          <strong>Appeal decision:</strong> {request.appealDecision === 'upheld' ? 'the decision stands' : request.appealDecision === 'reversed' ? 'the decision was reversed' : 'the decision was partly reversed'}.
        </p>
      )}
      {answer && answer.state === 'ready' && (
        <div className="stack-small">
          <p>
            <Link to={exportLink(answer.id)} className="button primary">
              Download your data
            </Link>
          </p>
          <p className="muted small">Available until {formatDateTime(answer.expiresAt)}.</p>
        </div>
      )}
      {answer && answer.state === 'queued' && <p className="notice">Your copy is being prepared. It is usually ready within minutes: reload this page to get the download link.</p>}
      {answer && answer.state === 'expired' && <p className="muted">The download link has expired. Send a new request to get a fresh copy.</p>}
      {answer && answer.state === 'failed' && <p className="notice">We could not prepare your copy. Our privacy team has been told; you can also send a new request.</p>}
    </section>
  );
}

const actionWords: Record<string, string> = {
  submit: 'Received',
  upload_document: 'Authorization uploaded',
  confirm_agent: 'Authorized agent confirmed',
  request_verification: 'Waiting for verification',
  verify: 'Verified',
  start: 'Work started',
  hold: 'Put on hold',
  resume: 'Work resumed',
  fulfil: 'Completed',
  partially_fulfil: 'Partly completed',
  deny: 'Denied',
  withdraw: 'Withdrawn',
  close_unverified: 'Closed: not verified in time',
  appeal: 'Appealed',
  decide_appeal: 'Appeal decided',
  extend: 'Time to answer extended',
};

export function describeRequestAction(action: string): string {
  return actionWords[action] ?? action.replaceAll('_', ' ');
}

export function RequestTimeline({ request }: { request: Pick<PrivacyRequest, 'timeline'> }) {
  return (
    <section className="card" aria-labelledby="timeline-title">
      <h2 id="timeline-title">History</h2>
      <ol className="timeline">
        {request.timeline.map((entry, index) => (
          <li key={`${entry.at}-${index}`}>
            <div className="timeline-head">
              <strong>{describeRequestAction(entry.action)}</strong>
              <span className="muted small">{formatDateTime(entry.at)}</span>
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}

/** The type, state and deadlines of a request, at the top of its page. */
export function RequestSummary({ request }: { request: PrivacyRequest }) {
  return (
    <section className="card stack-small" aria-labelledby="request-title">
      <div className="section-header">
        <h2 id="request-title">{requestTypeChoices[request.type].label}</h2>
        <span data-testid="request-state">
          <RequestStateBadge state={request.state} />
        </span>
      </div>
      <p>{deadlineWords(request)}</p>
      {request.state === 'verified' || request.state === 'in_progress' ? <p className="muted small">Verified. Our privacy team is working on it; we email you the answer.</p> : null}
      {request.state === 'on_hold' && <p className="muted small">On hold for the moment. We email you if we need anything from you.</p>}
    </section>
  );
}
