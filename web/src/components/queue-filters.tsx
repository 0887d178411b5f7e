// The filter bar and pager of the console's queues (cases, privacy requests): a few select filters kept in the address, so a
// filtered queue is a link, and the query string the queue's paging links add their cursor to.
import { useState } from 'react';
import { SelectField, useForm } from './forms.tsx';
import { Link, navigate } from '../router.tsx';

export interface QueueFilter {
  name: string;
  label: string;
  options: ReadonlyArray<{ value: string; label: string }>;
  /** What the empty choice means ("Any kind", "Open cases"). */
  placeholder: string;
}

/** `?a=1&b=2` of the non-empty values, or '' when none is set. */
export function queueQuery(values: Readonly<Record<string, string>>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value) params.set(key, value);
  return params.size > 0 ? `?${params.toString()}` : '';
}

export function QueueFilterBar({ path, label, submitLabel, filters, values }: { path: string; label: string; submitLabel: string; filters: readonly QueueFilter[]; values: Readonly<Record<string, string>> }) {
  const [draft, setDraft] = useState<Record<string, string>>({ ...values });
  const form = useForm();
  return (
    <form
      className="inline-form filter-bar"
      role="search"
      aria-label={label}
      onSubmit={(event) => {
        event.preventDefault();
        navigate(`${path}${queueQuery(draft)}`);
      }}
    >
      {filters.map((filter) => (
        <SelectField
          key={filter.name}
          form={form}
          name={filter.name}
          label={filter.label}
          optional
          value={draft[filter.name] ?? ''}
          onValue={(value) => setDraft({ ...draft, [filter.name]: value })}
          options={filter.options}
          placeholder={filter.placeholder}
        />
      ))}
      <button type="submit" className="button primary">
        {submitLabel}
      </button>
    </form>
  );
}

/** "First page" / "Next page" under a keyset-paged queue, keeping the filters. */
export function QueuePager({ path, filters, cursor, nextCursor }: { path: string; filters: Readonly<Record<string, string>>; cursor: string; nextCursor: string | null | undefined }) {
  if (!nextCursor && !cursor) return null;
  return (
    <div className="list-footer actions">
      {cursor && (
        <Link to={`${path}${queueQuery(filters)}`} className="button secondary">
          First page
        </Link>
      )}
      {nextCursor && (
        <Link to={`${path}${queueQuery({ ...filters, cursor: nextCursor })}`} className="button secondary">
          Next page
        </Link>
      )}
    </div>
  );
}
