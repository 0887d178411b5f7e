// /account/orders and /account/orders/:id: the member's order history (ST-9) and one order: where it ships, lines
// with their components, payment, shipments with tracking numbers, the credits it earned and when they unlock,
// refunds, cancelling while nothing has shipped (ST-6), and a delivered order's way to a return or claim (AS-1).
import { useState } from 'react';
import { newIdempotencyKey } from '../../api/client.ts';
import { creditsApi } from '../../api/credits.ts';
import { storeApi, type Order, type RefundResult } from '../../api/store.ts';
import { ErrorSummary, SubmitButton, TextAreaField, useForm } from '../../components/forms.tsx';
import { ErrorPanel, Loading, Page } from '../../components/layout.tsx';
import { OrderDetailSections, OrderFacts, OrderStatusBadge, isCancellable } from '../../components/store.tsx';
import { formatCalendarDate, formatCredits, formatDate, formatDateTime, formatMoney } from '../../lib/format.ts';
import { useResource } from '../../lib/use-resource.ts';
import { Link, useLocation } from '../../router.tsx';

/** The after-sales form with this order picked. */
const returnLink = (orderId: string) => `/account/returns/new?order=${encodeURIComponent(orderId)}`;

function trackingOf(order: Order): string {
  const numbers = order.shipments.map((shipment) => shipment.trackingNumber).filter((value): value is string => value !== null);
  return numbers.length > 0 ? numbers.join(', ') : '—';
}

export function OrdersPage() {
  const firstPage = useResource(() => storeApi.orders(), []);
  const [older, setOlder] = useState<{ orders: Order[]; nextBefore: string | null | undefined }>({ orders: [], nextBefore: undefined });
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<unknown>(undefined);
  const orders = [...(firstPage.data?.orders ?? []), ...older.orders];
  const cursor = older.nextBefore === undefined ? firstPage.data?.nextBefore : older.nextBefore;
  return (
    <Page title="Orders" lead="Your orders, their shipments and the credits they earned." actions={<Link to="/shop" className="button secondary">Shop</Link>}>
      {firstPage.loading && !firstPage.data && <Loading label="Loading your orders…" />}
      {firstPage.error !== undefined && <ErrorPanel error={firstPage.error} onRetry={firstPage.reload} />}
      {firstPage.data && orders.length === 0 && (
        <div className="card">
          <p>You have no orders yet.</p>
          <p>
            <Link to="/shop">Browse the shop</Link>
          </p>
        </div>
      )}
      {orders.length > 0 && (
        <div className="card flush">
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">Your orders, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Order</th>
                  <th scope="col">Placed</th>
                  <th scope="col">Status</th>
                  <th scope="col">Ships by</th>
                  <th scope="col">Tracking</th>
                  <th scope="col" className="numeric">
                    Total
                  </th>
                  <th scope="col" className="numeric">
                    Credits earned
                  </th>
                </tr>
              </thead>
              <tbody>
                {orders.map((order) => (
                  <tr key={order.id}>
                    <td>
                      <Link to={`/account/orders/${encodeURIComponent(order.id)}`}>
                        {order.lines.length === 1 ? order.lines[0]!.name : `${order.lines[0]?.name ?? 'Order'} and ${order.lines.length - 1} more`}
                      </Link>
                      <div className="muted small mono">{order.id}</div>
                    </td>
                    <td className="nowrap">{formatDate(order.placedAt)}</td>
                    <td>
                      <OrderStatusBadge order={order} />
                      {order.status === 'delivered' && (
                        <div className="small">
                          <Link to={returnLink(order.id)} aria-label={`Return or claim for order ${order.id}`}>
                            Return or claim
                          </Link>
                        </div>
                      )}
                    </td>
                    <td className="nowrap">{formatCalendarDate(order.shipByDate)}</td>
                    <td className="mono small">{trackingOf(order)}</td>
                    <td className="numeric">{formatMoney(order.totalMinor)}</td>
                    <td className="numeric">{formatCredits(order.earnedCredits)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {moreError !== undefined && <ErrorPanel error={moreError} />}
          {cursor && (
            <div className="list-footer">
              <button
                type="button"
                className="button secondary"
                disabled={loadingMore}
                onClick={() => {
                  setLoadingMore(true);
                  setMoreError(undefined);
                  storeApi
                    .orders(cursor)
                    .then((page) => setOlder((current) => ({ orders: [...current.orders, ...page.orders], nextBefore: page.nextBefore })), setMoreError)
                    .finally(() => setLoadingMore(false));
                }}
              >
                {loadingMore ? 'Loading…' : 'Show older orders'}
              </button>
            </div>
          )}
        </div>
      )}
    </Page>
  );
}

/** What the order earned and whether it is still pending (CR-7), against the ledger's own clock. */
function CreditsFacts({ order, asOf }: { order: Order; asOf: string | undefined }) {
  const unlocked = order.creditsUnlockAt !== null && asOf !== undefined && Date.parse(order.creditsUnlockAt) <= Date.parse(asOf);
  const qualifying = order.lines.reduce((sum, line) => sum + line.qualifyingMinor, 0);
  return (
    <dl className="facts" aria-label="Credits on this order">
      <div>
        <dt>Credits earned</dt>
        <dd>
          <strong data-testid="earned-credits">{formatCredits(order.earnedCredits)}</strong>{' '}
          {order.earnedCredits > 0 && order.creditsUnlockAt && (
            <span className={unlocked ? 'badge success' : 'badge warning'}>{unlocked ? `Unlocked ${formatDate(order.creditsUnlockAt)}` : `Pending until ${formatDate(order.creditsUnlockAt)}`}</span>
          )}
          <div className="muted small">
            Earned on {formatMoney(qualifying)}: what you paid in money for merchandise after discounts. Shipping, tax, gift cards and the part paid with credits earn nothing.
          </div>
        </dd>
      </div>
      <div>
        <dt>Credits spent</dt>
        <dd>{order.creditsApplied > 0 ? `${formatCredits(order.creditsApplied)} (${formatMoney(order.creditsValueMinor)})` : 'None'}</dd>
      </div>
    </dl>
  );
}

function CancelOrder({ order, onDone }: { order: Order; onDone: (result: RefundResult) => void }) {
  const form = useForm();
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState('');
  const [idempotencyKey] = useState(newIdempotencyKey);
  if (!open) {
    return (
      <button type="button" className="button danger-outline" onClick={() => setOpen(true)}>
        Cancel this order
      </button>
    );
  }
  return (
    <form
      className="stack confirm-panel"
      noValidate
      aria-label="Cancel this order"
      onSubmit={form.handle(async () => {
        onDone(await storeApi.cancelOrder(order.id, note.trim() || undefined, idempotencyKey));
      })}
    >
      <ErrorSummary form={form} title="The order was not cancelled" />
      <p>
        <strong>Cancel this order?</strong> {formatMoney(order.totalMinor - order.refundedMinor)} goes back to your card
        {order.creditsApplied > 0 && `, the ${formatCredits(order.creditsApplied)} credits you spent come back`}
        {order.earnedCredits > 0 && `, and the ${formatCredits(order.earnedCredits)} credits it earned are taken back`}.
      </p>
      <TextAreaField form={form} name="note" label="Why are you cancelling?" optional rows={2} value={note} onValue={setNote} />
      <div className="actions">
        <SubmitButton form={form} busyText="Cancelling…" className="button danger">
          Yes, cancel the order
        </SubmitButton>
        <button type="button" className="button secondary" onClick={() => setOpen(false)} disabled={form.submitting}>
          Keep the order
        </button>
      </div>
    </form>
  );
}

export function OrderPage({ orderId }: { orderId: string }) {
  const { search } = useLocation();
  const order = useResource(() => storeApi.order(orderId), [orderId]);
  const balance = useResource(() => creditsApi.balance(), [orderId]);
  const [cancelled, setCancelled] = useState<RefundResult | null>(null);
  const data = order.data;
  return (
    <Page title="Order" lead={data ? `Placed ${formatDateTime(data.placedAt)}` : undefined} actions={<Link to="/account/orders" className="button secondary">All orders</Link>}>
      {order.loading && !data && <Loading label="Loading the order…" />}
      {order.error !== undefined && <ErrorPanel error={order.error} onRetry={order.reload} />}
      {data && (
        <div className="stack-large">
          {search.get('placed') === '1' && !cancelled && (
            <p className="success-banner" role="status">
              Thank you! Your order is placed and paid.
            </p>
          )}
          {cancelled && (
            <p className="success-banner" role="status">
              Your order is cancelled. {formatMoney(cancelled.refund.amountMinor)} is on its way back to your card
              {cancelled.refund.creditsRestored > 0 && ` and ${formatCredits(cancelled.refund.creditsRestored)} credits are back in your balance`}.
            </p>
          )}
          <section className="card" aria-labelledby="order-overview-title">
            <div className="section-header">
              <h2 id="order-overview-title">
                Order <span className="mono">{data.id}</span>
              </h2>
              <OrderStatusBadge order={data} />
            </div>
            <dl className="facts facts-inline">
              <OrderFacts order={data} shipByTestId="order-ship-by" codeLabel="Discount code" />
            </dl>
            <CreditsFacts order={data} asOf={balance.data?.asOf} />
            {data.status === 'delivered' && (
              <div className="actions">
                <Link to={returnLink(data.id)} className="button secondary">
                  Return or claim
                </Link>
              </div>
            )}
            {isCancellable(data) && !cancelled && (
              <div className="actions">
                <CancelOrder
                  order={data}
                  onDone={(result) => {
                    setCancelled(result);
                    order.set(result.order);
                  }}
                />
              </div>
            )}
          </section>
          <OrderDetailSections order={data} idPrefix="order-" linesTitle="Items" linesCaption="Items with their share of the discount and the credits" totalLabel="Total paid" refundsTitle="Refunds and cancellation" />
        </div>
      )}
    </Page>
  );
}
