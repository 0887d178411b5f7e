// /console/webhooks: the storefront webhook inbox (ST-8, docs/WEBHOOKS.md): every delivery stored on receipt,
// newest first, with its processing status and result.
import { storeApi } from '../../api/store.ts';
import { ErrorPanel, Loading, Page, RefreshButton } from '../../components/layout.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { useResource } from '../../lib/use-resource.ts';

const statusTones: Record<string, string> = { received: 'badge warning', processed: 'badge success', ignored: 'badge', failed: 'badge danger' };

export function WebhooksPage() {
  const events = useResource(() => storeApi.webhooks(), []);
  return (
    <Page
      title="Storefront webhooks"
      lead="Order events from the storefront: stored when they arrive, then processed from the queue. A repeated delivery of the same event is stored once."
      actions={<RefreshButton resource={events} />}
    >
      {events.loading && !events.data && <Loading label="Loading the inbox…" />}
      {events.error !== undefined && <ErrorPanel error={events.error} onRetry={events.reload} />}
      {events.data && events.data.events.length === 0 && <p className="empty">No webhook deliveries yet.</p>}
      {events.data && events.data.events.length > 0 && (
        <div className="card flush">
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">Webhook deliveries, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  <th scope="col">Topic</th>
                  <th scope="col">Shop</th>
                  <th scope="col">Status</th>
                  <th scope="col">Result</th>
                  <th scope="col">Sent</th>
                  <th scope="col">Received</th>
                  <th scope="col">Processed</th>
                </tr>
              </thead>
              <tbody>
                {events.data.events.map((event) => (
                  <tr key={event.eventId}>
                    <td className="mono small">{event.eventId}</td>
                    <td>
                      <code>{event.topic}</code>
                    </td>
                    <td className="small">{event.shopDomain}</td>
                    <td>
                      <span className={statusTones[event.status] ?? 'badge'}>{event.status}</span>
                    </td>
                    <td className="details-cell small">{event.result ?? '—'}</td>
                    <td className="nowrap small">{formatDateTime(event.triggeredAt)}</td>
                    <td className="nowrap small">{formatDateTime(event.receivedAt)}</td>
                    <td className="nowrap small">{formatDateTime(event.processedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </Page>
  );
}
