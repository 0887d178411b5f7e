// /console/outgoing-webhooks: the endpoints other systems receive Patron's events at (issue 13, docs/WEBHOOKS.md),
// and /console/outgoing-webhooks/:id: one endpoint — enable/disable, event types, test message, secret rotation —
// with its delivery log (status codes, attempts, the body sent) and manual redelivery.
import { Fragment, useState } from 'react';
import { webhooksApi, type AttemptResult, type DeliveryState, type WebhookDelivery, type WebhookEndpoint } from '../../api/webhooks.ts';
import { CheckboxField, ErrorSummary, StatusMessage, SubmitButton, TextField, check, useForm, type FormState } from '../../components/forms.tsx';
import { ErrorPanel, Loading, Page, RefreshButton } from '../../components/layout.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { useResource } from '../../lib/use-resource.ts';
import { QueueFilterBar, QueuePager, type QueueFilter } from '../../components/queue-filters.tsx';
import { Link, navigate, useLocation } from '../../router.tsx';

const stateLabels: Record<WebhookEndpoint['state'], [label: string, tone: string]> = {
  enabled: ['Enabled', 'badge success'],
  disabled: ['Disabled', 'badge'],
  auto_disabled: ['Disabled: failing', 'badge danger'],
};
const deliveryTones: Record<DeliveryState, string> = { pending: 'badge warning', succeeded: 'badge success', failed: 'badge danger' };

function EndpointState({ endpoint }: { endpoint: WebhookEndpoint }) {
  const [label, tone] = stateLabels[endpoint.state];
  return <span className={tone}>{label}</span>;
}

function describeResult(result: AttemptResult): string {
  if (result.ok) return `Delivered: HTTP ${result.statusCode ?? '—'} in ${result.durationMs} ms.`;
  return `Not delivered: ${result.statusCode !== null ? `HTTP ${result.statusCode}` : (result.failureCode ?? 'no answer')} after ${result.durationMs} ms.`;
}

/** The secret, shown once after creating or rotating (and on request): receivers verify signatures with it. */
function SecretPanel({ secret, onClose }: { secret: string; onClose: () => void }) {
  return (
    <section className="card" aria-label="Signing secret">
      <p>Give this signing secret to the receiving system; it verifies the <code>webhook-signature</code> header with it (docs/WEBHOOKS.md).</p>
      <p className="secret">
        <code>{secret}</code>
      </p>
      <button type="button" className="button secondary small" onClick={onClose}>
        Hide the secret
      </button>
    </section>
  );
}

function EventTypeChoices({ form, eventTypes, chosen, onChange }: { form: FormState; eventTypes: readonly string[]; chosen: readonly string[]; onChange: (chosen: string[]) => void }) {
  return (
    <fieldset className="stack">
      <legend>Event types</legend>
      {form.errorFor('eventTypes') && <p className="field-error">{form.errorFor('eventTypes')}</p>}
      {eventTypes.map((type) => (
        <CheckboxField
          key={type}
          form={form}
          name={`eventTypes.${type}`}
          label={type}
          checked={chosen.includes(type)}
          onChecked={(checked) => onChange(checked ? [...chosen, type] : chosen.filter((t) => t !== type))}
        />
      ))}
    </fieldset>
  );
}

function NewEndpoint({ eventTypes, onCreated }: { eventTypes: readonly string[]; onCreated: (endpoint: WebhookEndpoint, secret: string) => void }) {
  const form = useForm();
  const [open, setOpen] = useState(false);
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  if (!open) {
    return (
      <button type="button" className="button primary" onClick={() => setOpen(true)}>
        Add an endpoint
      </button>
    );
  }
  return (
    <section className="card" aria-labelledby="new-endpoint-title">
      <h2 id="new-endpoint-title">New endpoint</h2>
      <form
        className="stack"
        noValidate
        onSubmit={form.handle(async () => {
          check([
            ['url', url.trim() === '', 'Enter the URL that receives the events.'],
            ['eventTypes', chosen.length === 0, 'Choose at least one event type.'],
          ]);
          const created = await webhooksApi.create({ url: url.trim(), description: description.trim(), eventTypes: chosen });
          setOpen(false);
          setUrl('');
          setDescription('');
          setChosen([]);
          onCreated(created.endpoint, created.secret);
        })}
      >
        <ErrorSummary form={form} />
        <TextField form={form} name="url" label="URL" hint="https://…; plain http only to localhost (development)." value={url} onValue={setUrl} inputMode="url" spellCheck={false} />
        <TextField form={form} name="description" label="Description" optional value={description} onValue={setDescription} />
        <EventTypeChoices form={form} eventTypes={eventTypes} chosen={chosen} onChange={setChosen} />
        <div className="actions">
          <SubmitButton form={form} busyText="Adding…">
            Add endpoint
          </SubmitButton>
          <button type="button" className="button secondary" onClick={() => setOpen(false)}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}

export function OutgoingWebhooksPage() {
  const endpoints = useResource(() => webhooksApi.endpoints(), []);
  const types = useResource(() => webhooksApi.eventTypes(), []);
  const [created, setCreated] = useState<{ endpoint: WebhookEndpoint; secret: string } | null>(null);
  return (
    <Page
      title="Outgoing webhooks"
      lead="Endpoints that receive Patron's events (orders, Plus membership, cases, rights requests, credits), signed per Standard Webhooks and retried with backoff."
      actions={<RefreshButton resource={endpoints} />}
    >
      <div className="stack-large">
        {created && (
          <>
            <StatusMessage>
              Endpoint {created.endpoint.url} added. <Link to={`/console/outgoing-webhooks/${encodeURIComponent(created.endpoint.id)}`}>Open it</Link>
            </StatusMessage>
            <SecretPanel secret={created.secret} onClose={() => setCreated(null)} />
          </>
        )}
        {types.data && (
          <NewEndpoint
            eventTypes={types.data.eventTypes}
            onCreated={(endpoint, secret) => {
              setCreated({ endpoint, secret });
              endpoints.reload();
            }}
          />
        )}
        {endpoints.loading && !endpoints.data && <Loading label="Loading endpoints…" />}
        {endpoints.error !== undefined && <ErrorPanel error={endpoints.error} onRetry={endpoints.reload} />}
        {endpoints.data && endpoints.data.endpoints.length === 0 && <p className="empty">No endpoints yet.</p>}
        {endpoints.data && endpoints.data.endpoints.length > 0 && (
          <DataTable caption="Outgoing webhook endpoints" columns={['URL', 'Description', 'Event types', 'State', 'Failing since']}>
            {endpoints.data.endpoints.map((endpoint) => (
              <tr key={endpoint.id}>
                <td className="mono small">
                  <Link to={`/console/outgoing-webhooks/${encodeURIComponent(endpoint.id)}`}>{endpoint.url}</Link>
                </td>
                <td className="small">{endpoint.description || '—'}</td>
                <td className="small">{endpoint.eventTypes.join(', ')}</td>
                <td>
                  <EndpointState endpoint={endpoint} />
                </td>
                <td className="nowrap small">{formatDateTime(endpoint.failingSince)}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </div>
    </Page>
  );
}

function DeliveryDetail({ deliveryId, onRedelivered }: { deliveryId: string; onRedelivered: (message: string) => void }) {
  const detail = useResource(() => webhooksApi.delivery(deliveryId), [deliveryId]);
  const [busy, setBusy] = useState(false);
  if (detail.loading && !detail.data) return <Loading label="Loading the delivery…" />;
  if (detail.error !== undefined) return <ErrorPanel error={detail.error} onRetry={detail.reload} />;
  if (!detail.data) return null;
  const { delivery, payload, attempts } = detail.data;
  return (
    <div className="stack">
      <dl className="facts facts-inline">
        <dt>webhook-id</dt>
        <dd className="mono small">{delivery.eventId}</dd>
        <dt>Next attempt</dt>
        <dd>{formatDateTime(delivery.nextAttemptAt)}</dd>
      </dl>
      <pre className="pre-wrap small" aria-label="Body sent">
        {payload}
      </pre>
      <table className="table">
        <caption>Attempts, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Kind</th>
            <th scope="col">Result</th>
            <th scope="col">Duration</th>
            <th scope="col">Answer (start)</th>
          </tr>
        </thead>
        <tbody>
          {attempts.map((attempt) => (
            <tr key={attempt.id}>
              <td className="nowrap small">{formatDateTime(attempt.startedAt)}</td>
              <td className="small">{attempt.kind}</td>
              <td>
                <span className={attempt.status === 'succeeded' ? 'badge success' : 'badge danger'}>{attempt.statusCode !== null ? `HTTP ${attempt.statusCode}` : (attempt.failureCode ?? 'failed')}</span>
              </td>
              <td className="small">{attempt.durationMs} ms</td>
              <td className="details-cell small">{attempt.responseExcerpt ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="actions">
        <button
          type="button"
          className="button secondary small"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            try {
              onRedelivered(describeResult(await webhooksApi.redeliver(deliveryId)));
              detail.reload();
            } catch (error) {
              onRedelivered(error instanceof Error ? error.message : 'The redelivery failed.');
            } finally {
              setBusy(false);
            }
          }}
        >
          {busy ? 'Sending…' : 'Redeliver now'}
        </button>
      </div>
    </div>
  );
}

const deliveryFilters: readonly QueueFilter[] = [
  {
    name: 'state',
    label: 'State',
    placeholder: 'Any state',
    options: [
      { value: 'pending', label: 'Pending' },
      { value: 'succeeded', label: 'Succeeded' },
      { value: 'failed', label: 'Given up' },
    ],
  },
];

function DeliveryLog({ endpointId, onMessage }: { endpointId: string; onMessage: (message: string) => void }) {
  const { search } = useLocation();
  const stateParam = search.get('state') ?? '';
  const state = (['pending', 'succeeded', 'failed'] as const).find((value) => value === stateParam);
  const cursor = search.get('cursor') ?? '';
  const [open, setOpen] = useState<string | null>(null);
  const path = `/console/outgoing-webhooks/${encodeURIComponent(endpointId)}`;
  const log = useResource(() => webhooksApi.deliveries(endpointId, { state, before: cursor || undefined, limit: 50 }), [endpointId, state, cursor]);
  return (
    <section className="stack" aria-labelledby="delivery-log-title">
      <div className="actions">
        <h2 id="delivery-log-title">Delivery log</h2>
        <RefreshButton resource={log} />
      </div>
      <QueueFilterBar key={stateParam} path={path} label="Filter the delivery log" submitLabel="Show deliveries" filters={deliveryFilters} values={{ state: stateParam }} />
      {log.loading && !log.data && <Loading label="Loading deliveries…" />}
      {log.error !== undefined && <ErrorPanel error={log.error} onRetry={log.reload} />}
      {log.data && log.data.deliveries.length === 0 && <p className="empty">No deliveries{state ? ` in this state` : ''}.</p>}
      {log.data && log.data.deliveries.length > 0 && (
        <DataTable caption="Deliveries, newest first" columns={['Event', 'Subject', 'State', 'Attempts', 'Last answer', 'Created', { hidden: 'Details' }]}>
          {log.data.deliveries.map((delivery: WebhookDelivery) => (
            <Fragment key={delivery.id}>
              <tr>
                <td>
                  <code>{delivery.eventType}</code>
                </td>
                <td className="mono small">{delivery.subjectId}</td>
                <td>
                  <span className={deliveryTones[delivery.state]}>{delivery.state === 'failed' ? 'given up' : delivery.state}</span>
                </td>
                <td>{delivery.attempts}</td>
                <td className="small">{delivery.lastStatus !== null ? `HTTP ${delivery.lastStatus}` : (delivery.lastError ?? '—')}</td>
                <td className="nowrap small">{formatDateTime(delivery.createdAt)}</td>
                <td>
                  <button type="button" className="button secondary small" aria-expanded={open === delivery.id} onClick={() => setOpen(open === delivery.id ? null : delivery.id)}>
                    {open === delivery.id ? 'Hide' : 'Details'}
                  </button>
                </td>
              </tr>
              {open === delivery.id && (
                <tr>
                  <td colSpan={7}>
                    <DeliveryDetail
                      deliveryId={delivery.id}
                      onRedelivered={(message) => {
                        onMessage(message);
                        log.reload();
                      }}
                    />
                  </td>
                </tr>
              )}
            </Fragment>
          ))}
        </DataTable>
      )}
      <QueuePager path={path} filters={{ state: stateParam }} cursor={cursor} nextCursor={log.data?.nextBefore} />
    </section>
  );
}

function EditEndpoint({ endpoint, eventTypes, onSaved }: { endpoint: WebhookEndpoint; eventTypes: readonly string[]; onSaved: (endpoint: WebhookEndpoint) => void }) {
  const form = useForm();
  const [url, setUrl] = useState(endpoint.url);
  const [description, setDescription] = useState(endpoint.description);
  const [chosen, setChosen] = useState<string[]>(endpoint.eventTypes);
  return (
    <form
      className="stack card"
      noValidate
      aria-label="Edit the endpoint"
      onSubmit={form.handle(async () => {
        check([['eventTypes', chosen.length === 0, 'Choose at least one event type.']]);
        onSaved(await webhooksApi.change(endpoint.id, { url: url.trim(), description: description.trim(), eventTypes: chosen }));
      })}
    >
      <ErrorSummary form={form} />
      <TextField form={form} name="url" label="URL" value={url} onValue={setUrl} inputMode="url" spellCheck={false} />
      <TextField form={form} name="description" label="Description" optional value={description} onValue={setDescription} />
      <EventTypeChoices form={form} eventTypes={eventTypes} chosen={chosen} onChange={setChosen} />
      <div className="actions">
        <SubmitButton form={form} busyText="Saving…">
          Save changes
        </SubmitButton>
      </div>
    </form>
  );
}

export function OutgoingWebhookPage({ endpointId }: { endpointId: string }) {
  const endpoint = useResource(() => webhooksApi.endpoint(endpointId), [endpointId]);
  const types = useResource(() => webhooksApi.eventTypes(), []);
  const [message, setMessage] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [editing, setEditing] = useState(false);
  const act = async (work: () => Promise<void>) => {
    setBusy(true);
    setMessage(null);
    try {
      await work();
    } catch (error) {
      setMessage(error instanceof Error ? error.message : 'That did not work.');
    } finally {
      setBusy(false);
    }
  };
  const current = endpoint.data;
  return (
    <Page title="Webhook endpoint" lead={current ? current.url : undefined} actions={<RefreshButton resource={endpoint} />}>
      <p>
        <Link to="/console/outgoing-webhooks">All endpoints</Link>
      </p>
      {endpoint.loading && !current && <Loading label="Loading the endpoint…" />}
      {endpoint.error !== undefined && <ErrorPanel error={endpoint.error} onRetry={endpoint.reload} />}
      {current && (
        <div className="stack-large">
          {message && <StatusMessage>{message}</StatusMessage>}
          {secret && <SecretPanel secret={secret} onClose={() => setSecret(null)} />}
          <section className="card stack">
            <dl className="facts facts-inline">
              <dt>State</dt>
              <dd>
                <EndpointState endpoint={current} />
              </dd>
              <dt>Description</dt>
              <dd>{current.description || '—'}</dd>
              <dt>Event types</dt>
              <dd className="small">{current.eventTypes.join(', ')}</dd>
              <dt>Failing since</dt>
              <dd>{formatDateTime(current.failingSince)}</dd>
              {current.previousSecretUntil && (
                <>
                  <dt>Previous secret signs until</dt>
                  <dd>{formatDateTime(current.previousSecretUntil)}</dd>
                </>
              )}
            </dl>
            {current.state === 'auto_disabled' && <p>Disabled after failing for days. Its events are kept and go out in order once you enable it again.</p>}
            <div className="actions">
              <button
                type="button"
                className="button secondary small"
                disabled={busy}
                onClick={() => act(async () => endpoint.set(await webhooksApi.change(current.id, { enabled: current.state !== 'enabled' })))}
              >
                {current.state === 'enabled' ? 'Disable' : 'Enable'}
              </button>
              <button type="button" className="button secondary small" disabled={busy} onClick={() => act(async () => setMessage(`Test event: ${describeResult(await webhooksApi.sendTest(current.id))}`))}>
                Send test event
              </button>
              <button type="button" className="button secondary small" disabled={busy} onClick={() => act(async () => setSecret((await webhooksApi.secret(current.id)).secret))}>
                Show secret
              </button>
              <button
                type="button"
                className="button secondary small"
                disabled={busy}
                onClick={() =>
                  act(async () => {
                    if (!window.confirm('Rotate the signing secret? The old secret keeps signing for 24 hours.')) return;
                    const rotated = await webhooksApi.rotateSecret(current.id);
                    endpoint.set(rotated.endpoint);
                    setSecret(rotated.secret);
                  })
                }
              >
                Rotate secret
              </button>
              <button type="button" className="button secondary small" onClick={() => setEditing(!editing)}>
                {editing ? 'Close editing' : 'Edit'}
              </button>
              <button
                type="button"
                className="button danger small"
                disabled={busy}
                onClick={() =>
                  act(async () => {
                    if (!window.confirm('Remove this endpoint and its delivery log?')) return;
                    await webhooksApi.remove(current.id);
                    navigate('/console/outgoing-webhooks');
                  })
                }
              >
                Remove
              </button>
            </div>
          </section>
          {editing && types.data && (
            <EditEndpoint
              endpoint={current}
              eventTypes={types.data.eventTypes}
              onSaved={(saved) => {
                endpoint.set(saved);
                setEditing(false);
                setMessage('Saved.');
              }}
            />
          )}
          <DeliveryLog endpointId={current.id} onMessage={setMessage} />
        </div>
      )}
    </Page>
  );
}
