// /account/credits: the member's own credits (CR-20): what can be spent now, what unlocks when, what is held or
// expires soon, the lifetime total, any debt, and every change in the history.
import { creditsApi } from '../../api/credits.ts';
import { BalanceSummary, SignedCredits, describeKind, describeReason, usePagedHistory } from '../../components/credits.tsx';
import { ErrorPanel, Loading, Page } from '../../components/layout.tsx';
import { formatCredits, formatDateTime } from '../../lib/format.ts';
import { useResource } from '../../lib/use-resource.ts';

function History() {
  const firstPage = useResource(() => creditsApi.history(), []);
  const { entries, footer } = usePagedHistory(firstPage.data, (cursor) => creditsApi.history(cursor));
  return (
    <section className="card" aria-labelledby="credits-history-title">
      <h2 id="credits-history-title">History</h2>
      {firstPage.loading && !firstPage.data && <Loading label="Loading your history…" />}
      {firstPage.error !== undefined && <ErrorPanel error={firstPage.error} onRetry={firstPage.reload} />}
      {firstPage.data && entries.length === 0 && <p className="muted">No credits yet. Credits you earn on orders appear here.</p>}
      {entries.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Credits history, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">What happened</th>
                <th scope="col" className="numeric">
                  Change
                </th>
                <th scope="col" className="numeric">
                  Available after
                </th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => {
                const reason = describeReason(entry);
                return (
                  <tr key={entry.id}>
                    <td className="nowrap">{formatDateTime(entry.at)}</td>
                    <td>
                      {describeKind(entry.kind)}
                      {reason && <div className="muted small">{reason}</div>}
                      {entry.orderId && <div className="muted small mono">Order {entry.orderId}</div>}
                    </td>
                    <td className="numeric">
                      <SignedCredits value={entry.credits} />
                    </td>
                    <td className="numeric">{formatCredits(entry.balanceAfter.available - entry.balanceAfter.debt)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {footer}
    </section>
  );
}

export function CreditsPage() {
  const balance = useResource(() => creditsApi.balance(), []);
  return (
    <Page title="Credits" lead="Earn credits on your orders and spend them at checkout.">
      <div className="stack-large">
        <section className="card" aria-label="Credits balance">
          {balance.loading && !balance.data && <Loading label="Loading your balance…" />}
          {balance.error !== undefined && <ErrorPanel error={balance.error} onRetry={balance.reload} />}
          {balance.data && <BalanceSummary balance={balance.data} audience="member" />}
        </section>
        <History />
      </div>
    </Page>
  );
}
