// The refund & exchange form's shared part (AS-1), used by the member center and the public guest form: what the
// customer needs, refund or exchange, the reason, the serial, the details and the photos; the purchase-place choice
// with Amazon's marketplaces; the ALTCHA captcha; and the refusal panel that shows the server's customer texts.
import { useEffect, useRef, useState } from 'react';
import { aftersalesApi, marketplaces, reasonCodes, type CaseKind, type Marketplace, type ReasonCode, type Remedy } from '../api/aftersales.ts';
import { solveInWorker } from '../lib/altcha.ts';
import { kindChoices, PhotoPicker, reasonLabels, remedyLabels, SerialField, normalizeSerial, isValidSerial } from './aftersales.tsx';
import { FormInvalid, SelectField, TextAreaField, type FormState } from './forms.tsx';

/** Where the product was bought: decides which requests are possible (AS-7, AS-8). */
export type PurchaseSource = 'store' | 'redemption' | 'marketplace';

export const kindsFor: Record<PurchaseSource, readonly CaseKind[]> = {
  store: ['return', 'exchange', 'warranty_claim', 'damage_report', 'support'],
  // AS-7: a redeemed product can only be reported damaged (and, as everything bought, get support).
  redemption: ['damage_report', 'support'],
  // AS-8: marketplace purchases: warranty and support.
  marketplace: ['warranty_claim', 'support'],
};

export function remediesFor(source: PurchaseSource, kind: CaseKind | ''): readonly Remedy[] {
  if (kind === '' || kind === 'support') return [];
  if (source === 'redemption') return ['replacement', 'credit_restore'];
  return kind === 'exchange' ? ['exchange', 'refund'] : ['refund', 'exchange'];
}

const defaultReason: Partial<Record<CaseKind, ReasonCode>> = { warranty_claim: 'defective', damage_report: 'damaged_on_arrival', support: 'other' };

/**
 * The reason once the request changes: the new kind's usual reason when the person has not picked one, or when the
 * reason there is only the previous kind's usual one (a damage report's "arrived damaged" is no warranty reason).
 */
function reasonAfterKindChange(draft: CaseDraft, kind: CaseKind | ''): ReasonCode | '' {
  const filledIn = draft.kind !== '' && draft.reason === defaultReason[draft.kind];
  if (draft.reason !== '' && !filledIn) return draft.reason;
  return kind === '' ? '' : (defaultReason[kind] ?? '');
}

export const marketplaceNames: Record<Marketplace, string> = {
  US: 'amazon.com (US)',
  UK: 'amazon.co.uk (UK)',
  CA: 'amazon.ca (Canada)',
  ES: 'amazon.es (Spain)',
  IT: 'amazon.it (Italy)',
  FR: 'amazon.fr (France)',
  DE: 'amazon.de (Germany)',
};

export const marketplaceOptions = marketplaces.map((value) => ({ value, label: marketplaceNames[value] }));

/** Amazon's order ID: 3, 7 and 7 digits (`112-1234567-1234567`). */
export const amazonOrderPattern = /^\d{3}-\d{7}-\d{7}$/;

export interface CaseDraft {
  kind: CaseKind | '';
  remedy: Remedy | '';
  reason: ReasonCode | '';
  serial: string;
  details: string;
  files: File[];
}

export const emptyDraft: CaseDraft = { kind: '', remedy: '', reason: '', serial: '', details: '', files: [] };

/** The draft's own checks, before anything is sent; field names as the server names them. */
export function draftProblems(draft: CaseDraft, source: PurchaseSource): Record<string, string> {
  const fields: Record<string, string> = {};
  if (draft.kind === '') fields.kind = 'Choose what you need.';
  if (draft.kind !== '' && remediesFor(source, draft.kind).length > 0 && draft.remedy === '') fields.remedy = 'Choose what you would like.';
  if (draft.reason === '') fields.reason = 'Choose the reason.';
  const serial = normalizeSerial(draft.serial);
  if (serial !== '' && !isValidSerial(serial)) fields.serial = 'The serial number is the letter A followed by 7 letters or digits, like A1B2C3D4.';
  const details = draft.details.trim();
  if (details === '') fields.details = 'Tell us what happened.';
  else if (details.length > 4000) fields.details = `This is ${details.length} characters; at most 4,000.`;
  // AS-8: a marketplace warranty claim needs a photo of the proof of purchase.
  if (source === 'marketplace' && draft.kind === 'warranty_claim' && draft.files.length === 0) fields.images = 'Add a photo of your Amazon invoice or order confirmation as proof of purchase.';
  return fields;
}

/** The remedy the request carries: none for support, else the chosen one. */
export function draftRemedy(draft: CaseDraft): Remedy {
  return draft.kind === 'support' || draft.remedy === '' ? 'none' : draft.remedy;
}

/** A radio group with a legend, an error bound to the group, and a hint per option. */
export function RadioGroup<T extends string>({ form, name, legend, options, value, onValue }: { form: FormState; name: string; legend: string; options: ReadonlyArray<{ value: T; label: string; hint?: string }>; value: T | ''; onValue: (value: T) => void }) {
  const id = form.fieldId(name);
  form.labels.set(name, legend);
  const error = form.errorFor(name);
  return (
    <fieldset className={error ? 'radio-group choice-group field-invalid' : 'radio-group choice-group'} id={id} tabIndex={-1} aria-describedby={error ? `${id}-error` : undefined}>
      <legend>{legend}</legend>
      {error && (
        <p className="field-error" id={`${id}-error`}>
          <span className="visually-hidden">Error: </span>
          {error}
        </p>
      )}
      {options.map((option) => {
        const optionId = `${id}-${option.value}`;
        // The hint describes the option rather than naming it: a screen reader reads "Return it, radio button", then the hint.
        return (
          <div key={option.value} className="choice">
            <input type="radio" id={optionId} name={name} value={option.value} checked={value === option.value} onChange={() => onValue(option.value)} aria-describedby={option.hint ? `${optionId}-hint` : undefined} />
            <div>
              <label htmlFor={optionId}>{option.label}</label>
              {option.hint && (
                <span className="choice-hint" id={`${optionId}-hint`}>
                  {option.hint}
                </span>
              )}
            </div>
          </div>
        );
      })}
    </fieldset>
  );
}

/** Where was it bought: our store (or a reward, for members) or Amazon, with the marketplace. */
export function PurchaseSourceField({ form, value, onValue, options }: { form: FormState; value: PurchaseSource; onValue: (value: PurchaseSource) => void; options: ReadonlyArray<{ value: PurchaseSource; label: string; hint?: string }> }) {
  return <RadioGroup form={form} name="source" legend="Where did you get it?" options={options} value={value} onValue={onValue} />;
}

export function CaseRequestFields({ form, source, draft, onDraft }: { form: FormState; source: PurchaseSource; draft: CaseDraft; onDraft: (draft: CaseDraft) => void }) {
  const kinds = kindsFor[source];
  const remedyOptions = remediesFor(source, draft.kind);
  // A purchase-place change can leave a request that is not possible there: start that part again.
  useEffect(() => {
    if (draft.kind !== '' && !kinds.includes(draft.kind)) onDraft({ ...draft, kind: '', remedy: '', reason: reasonAfterKindChange(draft, '') });
    else if (draft.remedy !== '' && !remedyOptions.includes(draft.remedy)) onDraft({ ...draft, remedy: '' });
  }, [source, draft.kind]);
  return (
    <>
      <RadioGroup
        form={form}
        name="kind"
        legend="What do you need?"
        options={kinds.map((kind) => ({ value: kind, label: kindChoices[kind].label, hint: source === 'redemption' && kind === 'damage_report' ? 'Within 7 days of delivery. Rewards cannot be returned.' : kindChoices[kind].hint }))}
        value={draft.kind}
        onValue={(kind) => {
          const remedies = remediesFor(source, kind);
          onDraft({ ...draft, kind, remedy: remedies[0] ?? '', reason: reasonAfterKindChange(draft, kind) });
        }}
      />
      {remedyOptions.length > 0 && (
        <RadioGroup
          form={form}
          name="remedy"
          legend={source === 'redemption' ? 'Replacement or your credits back?' : 'Refund or exchange?'}
          options={remedyOptions.map((remedy) => ({
            value: remedy,
            label: remedyLabels[remedy],
            hint: remedy === 'credit_restore' ? 'The credits you spent come back to your balance.' : source === 'marketplace' && remedy === 'refund' ? 'Amazon pays the refund; no credits move.' : undefined,
          }))}
          value={draft.remedy}
          onValue={(remedy) => onDraft({ ...draft, remedy })}
        />
      )}
      <SelectField
        form={form}
        name="reason"
        label="Reason for your request"
        value={draft.reason}
        onValue={(reason) => onDraft({ ...draft, reason: reason as ReasonCode | '' })}
        options={reasonCodes.map((value) => ({ value, label: reasonLabels[value] }))}
        placeholder="Choose a reason"
      />
      <SerialField form={form} value={draft.serial} onValue={(serial) => onDraft({ ...draft, serial })} />
      <TextAreaField
        form={form}
        name="details"
        label="What happened?"
        hint="What is wrong, when it started, what you tried. The more we know, the faster we can help."
        rows={5}
        maxLength={4000}
        value={draft.details}
        onValue={(details) => onDraft({ ...draft, details })}
      />
      <PhotoPicker
        form={form}
        files={draft.files}
        onFiles={(files) => onDraft({ ...draft, files })}
        optional={!(source === 'marketplace' && draft.kind === 'warranty_claim')}
        hint={source === 'marketplace' ? 'For an Amazon purchase, include a photo of the invoice or order confirmation as proof of purchase.' : 'A photo of the damage or the problem helps us decide quickly.'}
      />
    </>
  );
}

export function MarketplaceField({ form, value, onValue }: { form: FormState; value: Marketplace; onValue: (value: Marketplace) => void }) {
  return <SelectField form={form} name="marketplace" label="Amazon store" value={value} onValue={(next) => onValue(next as Marketplace)} options={marketplaceOptions} />;
}

// ---------------------------------------------------------------------------------------------------------------
// The captcha (ALTCHA: a proof of work the browser solves; no third party, no tracking)

export type CaptchaState = { status: 'idle' } | { status: 'solving' } | { status: 'solved'; payload: string } | { status: 'failed'; message: string };

/**
 * The captcha as a checkbox: checking it fetches a challenge and solves it in a worker. `solve` is also called by the
 * form when it is submitted before the captcha finished, so one click on Submit is enough.
 */
export function useCaptcha() {
  const [state, setState] = useState<CaptchaState>({ status: 'idle' });
  const running = useRef<Promise<string> | null>(null);
  const stop = useRef<(() => void) | null>(null);
  useEffect(() => () => stop.current?.(), []);
  const solve = (): Promise<string> => {
    if (state.status === 'solved') return Promise.resolve(state.payload);
    if (running.current) return running.current;
    setState({ status: 'solving' });
    const attempt = aftersalesApi
      .captcha()
      .then((challenge) => {
        const job = solveInWorker(challenge);
        stop.current = job.stop;
        return job.result;
      })
      .then(
        (payload) => {
          setState({ status: 'solved', payload });
          return payload;
        },
        (error: unknown) => {
          const message = error instanceof Error ? error.message : 'The check could not run.';
          setState({ status: 'failed', message });
          throw new FormInvalid({ altcha: message }, 'The "not a robot" check did not work.');
        },
      )
      .finally(() => {
        running.current = null;
      });
    running.current = attempt;
    return attempt;
  };
  const reset = () => {
    stop.current?.();
    running.current = null;
    setState({ status: 'idle' });
  };
  return { state, solve, reset };
}

export function CaptchaField({ form, captcha }: { form: FormState; captcha: ReturnType<typeof useCaptcha> }) {
  const id = form.fieldId('altcha');
  form.labels.set('altcha', 'I am not a robot');
  const error = form.errorFor('altcha') ?? (captcha.state.status === 'failed' ? captcha.state.message : undefined);
  const { status } = captcha.state;
  return (
    <div className={error ? 'captcha field-invalid' : 'captcha'}>
      <div className="captcha-box">
        <input
          type="checkbox"
          id={id}
          checked={status === 'solving' || status === 'solved'}
          disabled={status === 'solving' || status === 'solved'}
          aria-describedby={`${id}-status`}
          aria-invalid={error ? true : undefined}
          onChange={(event) => {
            if (event.target.checked) captcha.solve().catch(() => undefined);
          }}
        />
        <label htmlFor={id}>I am not a robot</label>
        <span id={`${id}-status`} className="small muted captcha-status" role="status">
          {status === 'solving' && (
            <>
              <span className="spinner" aria-hidden="true" /> Checking…
            </>
          )}
          {status === 'solved' && 'Verified'}
        </span>
      </div>
      <p className="hint">Your browser solves a small puzzle to show it is not a robot. No tracking, no third party (ALTCHA).</p>
      {error && (
        <p className="field-error">
          <span className="visually-hidden">Error: </span>
          {error}{' '}
          <button type="button" className="button link-button" onClick={() => captcha.reset()}>
            Try again
          </button>
        </p>
      )}
    </div>
  );
}

/** The server's "not covered" answer (422 not_eligible): its message and the customer texts, nothing stored. */
export function RefusalPanel({ message, texts }: { message: string; texts: string[] }) {
  const panel = useRef<HTMLDivElement>(null);
  // Like the error summary: focused when it appears, so the reasons are read out and in view.
  useEffect(() => panel.current?.focus(), [message]);
  return (
    <div className="error-summary refusal" role="alert" tabIndex={-1} ref={panel}>
      <h2>We cannot open this request</h2>
      <p>{message}</p>
      {texts.filter((text) => text !== message).length > 0 && (
        <ul>
          {texts.filter((text) => text !== message).map((text) => (
            <li key={text}>{text}</li>
          ))}
        </ul>
      )}
      <p className="small">Nothing was saved. If you think this is wrong, choose Technical support: our team answers every product question.</p>
    </div>
  );
}
