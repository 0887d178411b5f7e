// Accessible forms: labelled fields, errors bound with aria-invalid/aria-describedby, an error summary (role=alert).
import {
  useCallback,
  useEffect,
  useId,
  useRef,
  useState,
  type ChangeEvent,
  type FormEvent,
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
} from 'react';
import { ApiError } from '../api/client.ts';

/** Thrown by a form's own checks before anything is sent: field name → message. */
export class FormInvalid extends Error {
  readonly fields: Record<string, string>;

  constructor(fields: Record<string, string>, message = 'Some fields need your attention.') {
    super(message);
    this.name = 'FormInvalid';
    this.fields = fields;
  }
}

/** Collects messages for the fields that fail; throws FormInvalid when any did. */
export function check(rules: Array<[field: string, failed: boolean, message: string]>): void {
  const fields: Record<string, string> = {};
  for (const [field, failed, message] of rules) if (failed && !fields[field]) fields[field] = message;
  if (Object.keys(fields).length > 0) throw new FormInvalid(fields);
}

export interface FormState {
  submitting: boolean;
  /** The message at the top of the error summary, or null when there is nothing to report. */
  message: string | null;
  /** Server or client errors by field path. */
  fieldErrors: Record<string, string>;
  /** The id of the input for a field, so the summary can link to it. */
  fieldId(name: string): string;
  errorFor(name: string): string | undefined;
  /** Wraps a submit handler: prevents the page load, clears old errors, reports new ones. */
  handle(action: () => Promise<void>): (event: FormEvent<HTMLFormElement>) => void;
  /** Shows an error that did not come from a submit (for example a failed button action). */
  report(error: unknown): void;
  clear(): void;
  /** Registers a field label for the summary's links. */
  labels: Map<string, string>;
}

/** Error codes that are about one field although the server names none (`weak_password` → `password`). */
export type CodeFields = Partial<Record<string, string>>;

function sentence(text: string): string {
  const trimmed = text.trim();
  const capitalized = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capitalized) ? capitalized : `${capitalized}.`;
}

function describe(error: unknown, codeFields: CodeFields): { message: string | null; fields: Record<string, string> } {
  if (error instanceof FormInvalid) return { message: error.message, fields: error.fields };
  if (error instanceof ApiError) {
    const fields: Record<string, string> = {};
    const named = error.fieldIssues.filter((issue) => issue.path !== '');
    for (const issue of named) {
      if (fields[issue.path]) continue;
      // A rule's error message is the full explanation and its detail only a short reason: with one field in
      // error, the explanation goes next to the field.
      fields[issue.path] = issue.source === 'rule' && named.length === 1 ? error.message : sentence(issue.message);
    }
    const codeField = codeFields[error.code];
    if (named.length === 0 && codeField) fields[codeField] = error.message;
    const reference = error.code === 'internal' && error.requestId ? ` (request ${error.requestId})` : '';
    const repeated = Object.values(fields).includes(error.message);
    return { message: repeated ? null : `${error.message}${reference}`, fields };
  }
  return { message: 'Something went wrong. Please try again.', fields: {} };
}

export function useForm(options: { codeFields?: CodeFields } = {}): FormState {
  // Fixed for the form's lifetime, so handlers need not change when a caller passes a new object each render.
  const codeFields = useRef<CodeFields>(options.codeFields ?? {}).current;
  const prefix = useId().replace(/[^a-zA-Z0-9_-]/g, '');
  const [submitting, setSubmitting] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const mounted = useRef(true);
  const labels = useRef(new Map<string, string>()).current;
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const report = useCallback(
    (error: unknown) => {
      const described = describe(error, codeFields);
      setMessage(described.message);
      setFieldErrors(described.fields);
    },
    [codeFields],
  );

  const clear = useCallback(() => {
    setMessage(null);
    setFieldErrors({});
  }, []);

  const handle = useCallback(
    (action: () => Promise<void>) => (event: FormEvent<HTMLFormElement>) => {
      event.preventDefault();
      if (submitting) return;
      clear();
      setSubmitting(true);
      action()
        .catch((error: unknown) => {
          if (mounted.current) report(error);
        })
        .finally(() => {
          if (mounted.current) setSubmitting(false);
        });
    },
    [submitting, clear, report],
  );

  return {
    submitting,
    message,
    fieldErrors,
    fieldId: (name) => `${prefix}-${name.replace(/[^a-zA-Z0-9_-]/g, '-')}`,
    errorFor: (name) => fieldErrors[name],
    handle,
    report,
    clear,
    labels,
  };
}

/** The summary at the top of a form: announced when it appears, with links to each field in error. */
export function ErrorSummary({ form, title = 'There is a problem' }: { form: FormState; title?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const entries = Object.entries(form.fieldErrors);
  const visible = form.message !== null || entries.length > 0;
  useEffect(() => {
    if (visible) ref.current?.focus();
  }, [visible, form.message, form.fieldErrors]);
  if (!visible) return null;
  return (
    <div className="error-summary" role="alert" tabIndex={-1} ref={ref} aria-labelledby={`${form.fieldId('summary')}-title`}>
      <h2 id={`${form.fieldId('summary')}-title`}>{title}</h2>
      {form.message && <p>{form.message}</p>}
      {entries.length > 0 && (
        <ul>
          {entries.map(([name, text]) => {
            const label = form.labels.get(name);
            const target = form.fieldId(name);
            return (
              <li key={name}>
                {label ? (
                  <a
                    href={`#${target}`}
                    onClick={(event) => {
                      event.preventDefault();
                      document.getElementById(target)?.focus();
                    }}
                  >
                    {label}: {text}
                  </a>
                ) : (
                  <span>
                    {name}: {text}
                  </span>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}

/** A field's id, its error, and the ids of its hint and error that describe the control. */
function fieldState(form: FormState, name: string, label: string, hint: ReactNode) {
  const id = form.fieldId(name);
  form.labels.set(name, label);
  const error = form.errorFor(name);
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return { id, error, hintId, errorId, describedBy };
}

/** A field's hint and its error, under its label. */
function FieldMessages({ hint, hintId, error, errorId }: { hint: ReactNode; hintId: string | undefined; error: string | undefined; errorId: string | undefined }) {
  return (
    <>
      {hint && (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={errorId}>
          <span className="visually-hidden">Error: </span>
          {error}
        </p>
      )}
    </>
  );
}

/** What the shell gives its control: id and name, the value with its change handler, and the ARIA state. */
interface ControlProps {
  id: string;
  name: string;
  value: string;
  onChange: (event: ChangeEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>) => void;
  'aria-invalid': true | undefined;
  'aria-describedby': string | undefined;
  'aria-required': true | undefined;
}

interface FieldShellProps {
  form: FormState;
  name: string;
  label: string;
  hint?: ReactNode;
  optional?: boolean;
  value: string;
  onValue: (value: string) => void;
  children: (control: ControlProps) => ReactNode;
}

/** The wrapper of the text, select and text-area fields: label, hint, error, and the control bound to them. */
function FieldShell({ form, name, label, hint, optional, value, onValue, children }: FieldShellProps) {
  const { id, error, hintId, errorId, describedBy } = fieldState(form, name, label, hint);
  return (
    <div className={error ? 'field field-invalid' : 'field'}>
      <label htmlFor={id}>
        {label}
        {optional && <span className="optional"> (optional)</span>}
      </label>
      <FieldMessages hint={hint} hintId={hintId} error={error} errorId={errorId} />
      {children({
        id,
        name,
        value,
        onChange: (event) => onValue(event.target.value),
        'aria-invalid': error ? true : undefined,
        'aria-describedby': describedBy,
        'aria-required': optional ? undefined : true,
      })}
    </div>
  );
}

/** The props every field takes; each kind adds its control's own attributes. */
interface FieldProps {
  form: FormState;
  name: string;
  label: string;
  hint?: ReactNode;
  optional?: boolean;
  value: string;
  onValue: (value: string) => void;
}

type ControlAttributes = 'name' | 'id' | 'onChange' | 'value' | 'form';

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, ControlAttributes> & FieldProps;

export function TextField({ form, name, label, hint, optional, value, onValue, ...input }: InputProps) {
  return (
    <FieldShell form={form} name={name} label={label} hint={hint} optional={optional} value={value} onValue={onValue}>
      {(control) => <input type="text" {...input} {...control} />}
    </FieldShell>
  );
}

/** The code of 2-step verification (from an authenticator app, or a recovery code): the field is always `code`. */
export function CodeField(props: Omit<InputProps, 'name'>) {
  return <TextField name="code" autoComplete="one-time-code" spellCheck={false} className="code-input" {...props} />;
}

/** A typed code without the spaces apps show in it (`123 456`). */
export function compactCode(code: string): string {
  return code.replace(/\s+/g, '');
}

type SelectProps = Omit<SelectHTMLAttributes<HTMLSelectElement>, ControlAttributes> &
  FieldProps & {
    options: ReadonlyArray<{ value: string; label: string }>;
    placeholder?: string;
  };

export function SelectField({ form, name, label, hint, optional, value, onValue, options, placeholder, ...select }: SelectProps) {
  return (
    <FieldShell form={form} name={name} label={label} hint={hint} optional={optional} value={value} onValue={onValue}>
      {(control) => (
        <select {...select} {...control}>
          {placeholder !== undefined && <option value="">{placeholder}</option>}
          {options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      )}
    </FieldShell>
  );
}

type TextAreaProps = Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, ControlAttributes> & FieldProps;

export function TextAreaField({ form, name, label, hint, optional, value, onValue, ...area }: TextAreaProps) {
  return (
    <FieldShell form={form} name={name} label={label} hint={hint} optional={optional} value={value} onValue={onValue}>
      {(control) => <textarea {...area} {...control} />}
    </FieldShell>
  );
}

/** A checkbox with its label beside it, and an error bound like the other fields. */
export function CheckboxField({ form, name, label, hint, checked, onChecked }: { form: FormState; name: string; label: string; hint?: ReactNode; checked: boolean; onChecked: (checked: boolean) => void }) {
  const { id, error, hintId, errorId, describedBy } = fieldState(form, name, label, hint);
  return (
    <div className={error ? 'checkbox-field field-invalid' : 'checkbox-field'}>
      <input
        type="checkbox"
        id={id}
        name={name}
        checked={checked}
        onChange={(event) => onChecked(event.target.checked)}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
      />
      <div>
        <label htmlFor={id}>{label}</label>
        <FieldMessages hint={hint} hintId={hintId} error={error} errorId={errorId} />
      </div>
    </div>
  );
}

export function SubmitButton({ form, children, busyText, className }: { form: FormState; children: ReactNode; busyText?: string; className?: string }) {
  return (
    <button type="submit" className={className ?? 'button primary'} disabled={form.submitting} aria-busy={form.submitting || undefined}>
      {form.submitting ? (busyText ?? 'Please wait…') : children}
    </button>
  );
}

/** A polite status line for confirmations ("Profile saved."). */
export function StatusMessage({ children }: { children: ReactNode }) {
  return (
    <p className="status-message" role="status">
      {children}
    </p>
  );
}
