// /console/flows: flow runs needing attention (a refund or void that undoes a checkout or a redemption fee was
// refused or not answered). The resume job retries them with backoff; an operator can retry one now.
import { useState } from 'react';
import { flowsApi, type FlowRunAttention } from '../../api/flows.ts';
import { ErrorPanel, Loading, Page, RefreshButton } from '../../components/layout.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { useResource } from '../../lib/use-resource.ts';

const flowNames: Record<string, string> = { checkout: 'Checkout', refund: 'Refund', 'redemption-fee': 'Reward shipping fee' };

function RetryButton({ run, onDone }: { run: FlowRunAttention; onDone: (message: string) => void }) {
  const [busy, setBusy] = useState(false);
  return (
    <button
      type="button"
      className="button secondary small"
      disabled={busy}
      aria-label={`Retry ${flowNames[run.type] ?? run.type} ${run.key}`}
      onClick={async () => {
        setBusy(true);
        try {
          const result = await flowsApi.retry(run.id);
          onDone(result.state === 'compensated' ? `${run.key}: undone; nothing needs attention any more.` : `${run.key}: still refused (${result.lastErrorCode ?? 'unknown'}); it will be retried automatically.`);
        } catch (error) {
          onDone(`${run.key}: ${error instanceof Error ? error.message : 'the retry failed'}`);
        } finally {
          setBusy(false);
        }
      }}
    >
      {busy ? 'Retrying…' : 'Retry now'}
    </button>
  );
}

export function FlowsPage() {
  const runs = useResource(() => flowsApi.attention(), []);
  const [message, setMessage] = useState<string | null>(null);
  return (
    <Page
      title="Flows needing attention"
      lead="Checkouts, refunds and reward fees whose undoing step (a refund or a void) the payment service refused or did not answer. They are retried automatically with backoff; retry one now once the cause is fixed."
      actions={<RefreshButton resource={runs} />}
    >
      {message && (
        <p className="success-banner" role="status">
          {message}
        </p>
      )}
      {runs.loading && !runs.data && <Loading label="Loading flow runs…" />}
      {runs.error !== undefined && <ErrorPanel error={runs.error} onRetry={runs.reload} />}
      {runs.data && runs.data.runs.length === 0 && <p className="empty">Nothing needs attention.</p>}
      {runs.data && runs.data.runs.length > 0 && (
        <div className="card flush">
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">Flow runs needing attention, most recently changed first</caption>
              <thead>
                <tr>
                  <th scope="col">Flow</th>
                  <th scope="col">Object</th>
                  <th scope="col">Member</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Attempts</th>
                  <th scope="col">Next retry</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {runs.data.runs.map((run) => (
                  <tr key={run.id}>
                    <td>{flowNames[run.type] ?? run.type}</td>
                    <td className="mono small">{run.key}</td>
                    <td className="mono small">{run.memberId ?? '—'}</td>
                    <td className="details-cell small">{run.reason}</td>
                    <td>{run.attempts}</td>
                    <td className="nowrap small">{formatDateTime(run.nextAttemptAt)}</td>
                    <td>
                      <RetryButton
                        run={run}
                        onDone={(text) => {
                          setMessage(text);
                          runs.reload();
                        }}
                      />
                    </td>
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
