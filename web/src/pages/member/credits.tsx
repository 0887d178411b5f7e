// /account/credits: the member's own credits (CR-20): what can be spent now, what unlocks when, what is held or
// expires soon, the lifetime total, any debt, and every change in the history.
import { creditsApi, type HistoryEntry } from '../../api/credits.ts';
import { BalanceSummary, SignedCredits, describeKind, describeReason, usePagedHistory } from '../../components/credits.tsx';
import { ErrorPanel, Loading, Page } from '../../components/layout.tsx';
import { membershipApi } from '../../api/membership.ts';
import { storeApi } from '../../api/store.ts';
import { formatCredits, formatDateTime } from '../../lib/format.ts';
import { useResource } from '../../lib/use-resource.ts';
import { Link } from '../../router.tsx';

/**
 * The change a row made, in the member's terms. Most rows change the total (earned, spent, expired, taken back);
 * some only move credits between buckets (an unlock, a reservation at checkout), where a bare "0" would say nothing.
 */
function Change({ entry }: { entry: HistoryEntry }) {
  const { credits, changes } = entry;
  if (credits !== 0) {
    // Earned credits that are not spendable yet, or pending credits taken back, say so.
    const pendingOnly = changes.pending === credits && changes.available === 0 && changes.held === 0;
    return (
      <>
        <SignedCredits value={credits} />
        {pendingOnly && <div className="muted small">pending</div>}
      </>
    );
  }
  if (changes.pending < 0 && changes.available > 0) {
    return (
      <>
        <SignedCredits value={changes.available} />
        <div className="muted small">now available</div>
      </>
    );
  }
  if (changes.held !== 0) {
    return (
      <>
        <span className="numeric">{formatCredits(Math.abs(changes.held))}</span>
        <div className="muted small">{changes.held > 0 ? 'reserved' : 'no longer reserved'}</div>
      </>
    );
  }
  return <SignedCredits value={0} />;
}

/** Orders whose line names the history looks up: the most recent ones, so a long history costs a few reads. */
const lineNameOrders = 10;

/**
 * The names of the order lines the shown entries are about (an unlock, a refund's reversal, an expiry name a line),
 * read from the member's own orders. Only a nicety: a row whose order is not read keeps the order link alone.
 */
function useLineNames(entries: readonly HistoryEntry[]): ReadonlyMap<string, string> {
  const orderIds = [...new Set(entries.flatMap((entry) => (entry.orderId && entry.orderLineId ? [entry.orderId] : [])))].slice(0, lineNameOrders);
  const names = useResource(async () => {
    const orders = await Promise.all(orderIds.map((orderId) => storeApi.order(orderId).catch(() => null)));
    return new Map(orders.flatMap((order) => order?.lines.map((line) => [line.id, line.name] as const) ?? []));
  }, [orderIds.join(' ')]);
  return names.data ?? new Map<string, string>();
}

/** Plus earns bonus credits on flagged products (CR-5): the way to join, or to the membership for a member. */
function PlusPanel() {
  const membership = useResource(() => membershipApi.mine(), []);
  if (!membership.data) return null;
  const member = membership.data.plusActive;
  return (
    <section className="card" aria-labelledby="credits-plus-title">
      <div className="section-header">
        <h2 id="credits-plus-title">{member ? 'You are a Plus member' : 'Earn more with Plus'}</h2>
        <Link to="/account/membership" className={member ? 'button secondary small' : 'button primary small'}>
          {member ? 'Your membership' : 'Join Plus'}
        </Link>
      </div>
      <p className="muted small">
        Plus members earn bonus credits on products marked “Plus bonus credits”, get a member discount on merchandise and a next-day delivery voucher every month.
      </p>
    </section>
  );
}

function History() {
  const firstPage = useResource(() => creditsApi.history(), []);
  const { entries, footer } = usePagedHistory(firstPage.data, (cursor) => creditsApi.history(cursor));
  const lineNames = useLineNames(entries);
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
                      {entry.orderId && (
                        <div className="small">
                          {entry.orderLineId && lineNames.get(entry.orderLineId) && <span>{lineNames.get(entry.orderLineId)} · </span>}
                          <Link to={`/account/orders/${encodeURIComponent(entry.orderId)}`}>
                            Order <span className="mono">{entry.orderId}</span>
                          </Link>
                        </div>
                      )}
                      {entry.caseId && <div className="muted small mono">Case {entry.caseId}</div>}
                    </td>
                    <td className="numeric">
                      <Change entry={entry} />
                    </td>
                    <td className="numeric">
                      {formatCredits(entry.balanceAfter.available - entry.balanceAfter.debt)}
                      {entry.balanceAfter.pending > 0 && <div className="muted small">{formatCredits(entry.balanceAfter.pending)} pending</div>}
                    </td>
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
        <PlusPanel />
        <History />
      </div>
    </Page>
  );
}
