// /console/orders and /console/orders/:id: orders for agents (ST-6, ST-9, CR-15..CR-18): the list by status or
// member; one order with where it ships, its lines, payment, shipments and refunds; shipping with a tracking number,
// delivery, cancellation, and refunds per line, per quantity or as an amount with a reason, showing the credits each
// refund reversed and restored as the refund reports them; the serials shipped on serial-numbered lines (AS-2).
import { useState } from 'react';
import { newIdempotencyKey } from '../../api/client.ts';
import { orderStatuses, refundReasons, storeApi, type Order, type OrderStatus, type RefundReason, type RefundResult } from '../../api/store.ts';
import { ErrorSummary, SelectField, StatusMessage, SubmitButton, TextAreaField, TextField, check, useForm } from '../../components/forms.tsx';
import { ErrorPanel, Loading, Page } from '../../components/layout.tsx';
import { OrderDetailSections, OrderFacts, OrderStatusBadge, describeRefundReason, isCancellable } from '../../components/store.tsx';
import { isRefundableHere } from '../../lib/order-actions.ts';
import { OrderSerialsSection } from '../../components/order-serials.tsx';
import { formatCalendarDate, formatCredits, formatDateTime, formatMoney, parseMoney } from '../../lib/format.ts';
import { useResource } from '../../lib/use-resource.ts';
import { Link, navigate, useLocation } from '../../router.tsx';

const statusOptions = orderStatuses.map((value) => ({ value, label: value.replaceAll('_', ' ') }));
const agentReasons = refundReasons.filter((reason) => reason !== 'cancelled_by_member' && reason !== 'storefront');
const reasonOptions = agentReasons.map((value) => ({ value, label: describeRefundReason(value) }));

export function OrdersConsolePage() {
  const { search } = useLocation();
  const status = search.get('status') ?? '';
  const memberId = search.get('member') ?? '';
  const [draftStatus, setDraftStatus] = useState(status);
  const [draftMember, setDraftMember] = useState(memberId);
  const form = useForm();
  const orders = useResource(() => storeApi.agentOrders({ status: status || undefined, memberId: memberId || undefined }), [status, memberId]);
  return (
    <Page title="Orders" lead="Store and storefront orders, newest first.">
      <form
        className="inline-form filter-bar"
        role="search"
        aria-label="Filter orders"
        onSubmit={(event) => {
          event.preventDefault();
          const params = new URLSearchParams();
          if (draftStatus) params.set('status', draftStatus);
          if (draftMember.trim()) params.set('member', draftMember.trim());
          navigate(`/console/orders${params.size > 0 ? `?${params.toString()}` : ''}`);
        }}
      >
        <SelectField form={form} name="status" label="Status" optional value={draftStatus} onValue={setDraftStatus} options={statusOptions} placeholder="Any status" />
        <TextField form={form} name="member" label="Member ID" optional value={draftMember} onValue={setDraftMember} placeholder="mem_…" spellCheck={false} />
        <button type="submit" className="button primary">
          Show orders
        </button>
      </form>
      {orders.loading && !orders.data && <Loading label="Loading orders…" />}
      {orders.error !== undefined && <ErrorPanel error={orders.error} onRetry={orders.reload} />}
      {orders.data && orders.data.orders.length === 0 && (
        <p className="empty" role="status">
          No orders match.
        </p>
      )}
      {orders.data && orders.data.orders.length > 0 && (
        <div className="card flush">
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">Orders, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Order</th>
                  <th scope="col">Placed</th>
                  <th scope="col">Member</th>
                  <th scope="col">Status</th>
                  <th scope="col">Ships by</th>
                  <th scope="col" className="numeric">
                    Total
                  </th>
                  <th scope="col" className="numeric">
                    Credits spent
                  </th>
                  <th scope="col" className="numeric">
                    Credits earned
                  </th>
                </tr>
              </thead>
              <tbody>
                {orders.data.orders.map((order) => (
                  <tr key={order.id}>
                    <td>
                      <Link to={`/console/orders/${encodeURIComponent(order.id)}`} className="mono">
                        {order.id}
                      </Link>
                      <div className="muted small">
                        {order.channel === 'storefront' ? 'Storefront' : 'Store'} · {order.lines.length} {order.lines.length === 1 ? 'line' : 'lines'}
                      </div>
                    </td>
                    <td className="nowrap">{formatDateTime(order.placedAt)}</td>
                    <td className="mono small">{order.memberId ? <Link to={`/console/members/${encodeURIComponent(order.memberId)}`}>{order.memberId}</Link> : 'Guest'}</td>
                    <td>
                      <OrderStatusBadge order={order} />
                    </td>
                    <td className="nowrap">{formatCalendarDate(order.shipByDate)}</td>
                    <td className="numeric">{formatMoney(order.totalMinor)}</td>
                    <td className="numeric">{formatCredits(order.creditsApplied)}</td>
                    <td className="numeric">{formatCredits(order.earnedCredits)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {orders.data.nextBefore && (
            <p className="list-footer muted small">
              Showing the newest {orders.data.orders.length}. Filter by status or member to find older orders.
            </p>
          )}
        </div>
      )}
    </Page>
  );
}

const unpaid: readonly OrderStatus[] = ['pending_payment', 'payment_failed', 'abandoned'];

/** The order's credits: spent at checkout, earned, and what its completed refunds reversed and restored. */
function creditTotals(order: Order) {
  const completed = order.refunds.filter((refund) => refund.status === 'completed');
  return {
    spent: unpaid.includes(order.status) ? 0 : order.creditsApplied,
    earned: order.earnedCredits,
    reversed: completed.reduce((sum, refund) => sum + refund.creditsReversed, 0),
    restored: completed.reduce((sum, refund) => sum + refund.creditsRestored, 0),
  };
}

function CreditsOnOrder({ order }: { order: Order }) {
  const totals = creditTotals(order);
  return (
    <dl className="totals" aria-label="Credits on this order">
      <div>
        <dt>Spent at checkout</dt>
        <dd>{formatCredits(totals.spent)}</dd>
      </div>
      <div>
        <dt>Earned</dt>
        <dd>{formatCredits(totals.earned)}</dd>
      </div>
      <div>
        <dt>Reversed by refunds</dt>
        <dd>{formatCredits(totals.reversed)}</dd>
      </div>
      <div>
        <dt>Restored by refunds</dt>
        <dd>{formatCredits(totals.restored)}</dd>
      </div>
    </dl>
  );
}

function ShipForm({ order, onDone }: { order: Order; onDone: (order: Order, message: string) => void }) {
  const form = useForm({ codeFields: { invalid_state: 'trackingNumber' } });
  const [carrier, setCarrier] = useState('UPS');
  const [tracking, setTracking] = useState('');
  return (
    <form
      className="stack"
      noValidate
      aria-label="Ship the order"
      onSubmit={form.handle(async () => {
        check([
          ['carrier', carrier.trim() === '', 'Enter the carrier.'],
          ['trackingNumber', !/^[A-Za-z0-9-]{3,64}$/.test(tracking.trim()), 'Enter the tracking number: letters, digits and dashes.'],
        ]);
        const updated = await storeApi.shipOrder(order.id, carrier.trim(), tracking.trim());
        onDone(updated, `Shipped with ${carrier.trim()}, tracking number ${tracking.trim()}.`);
      })}
    >
      <h3>Ship</h3>
      <ErrorSummary form={form} />
      <div className="field-row">
        <TextField form={form} name="carrier" label="Carrier" value={carrier} onValue={setCarrier} />
        <TextField form={form} name="trackingNumber" label="Tracking number" value={tracking} onValue={setTracking} spellCheck={false} autoComplete="off" />
      </div>
      <div className="actions">
        <SubmitButton form={form} busyText="Shipping…">
          Mark as shipped
        </SubmitButton>
      </div>
    </form>
  );
}

function CancelForm({ order, onDone }: { order: Order; onDone: (result: RefundResult) => void }) {
  const form = useForm();
  const [reason, setReason] = useState<string>('cancelled_by_agent');
  const [note, setNote] = useState('');
  const [idempotencyKey, setIdempotencyKey] = useState(newIdempotencyKey);
  return (
    <form
      className="stack"
      noValidate
      aria-label="Cancel the order"
      onSubmit={form.handle(async () => {
        const result = await storeApi.agentCancelOrder(order.id, { reason: reason as RefundReason, note: note.trim() || undefined }, idempotencyKey);
        setIdempotencyKey(newIdempotencyKey());
        onDone(result);
      })}
    >
      <h3>Cancel</h3>
      <p className="small muted">Before it ships: the money goes back to the card, spent credits come back, earned credits are taken back.</p>
      <ErrorSummary form={form} />
      <SelectField form={form} name="reason" label="Reason" value={reason} onValue={setReason} options={reasonOptions} />
      <TextAreaField form={form} name="note" label="Note" optional rows={2} value={note} onValue={setNote} />
      <div className="actions">
        <SubmitButton form={form} busyText="Cancelling…" className="button danger">
          Cancel the order
        </SubmitButton>
      </div>
    </form>
  );
}

function RefundForm({ order, onDone }: { order: Order; onDone: (result: RefundResult) => void }) {
  const form = useForm();
  const [kind, setKind] = useState<'lines' | 'amount'>('lines');
  const [quantities, setQuantities] = useState<Record<string, string>>({});
  const [amount, setAmount] = useState('');
  const [amountLine, setAmountLine] = useState('');
  const [reason, setReason] = useState('');
  const [note, setNote] = useState('');
  // One key per intended refund: a retried submission cannot refund twice.
  const [idempotencyKey, setIdempotencyKey] = useState(newIdempotencyKey);
  const lineOptions = order.lines.map((line) => ({ value: line.id, label: `${line.lineNo}. ${line.name}` }));

  return (
    <form
      className="stack"
      noValidate
      aria-label="Refund"
      onSubmit={form.handle(async () => {
        const rules: Array<[string, boolean, string]> = [['reason', reason === '', 'Choose a reason.']];
        const chosen: Array<{ lineId: string; quantity: number }> = [];
        if (kind === 'lines') {
          for (const line of order.lines) {
            const text = (quantities[line.id] ?? '').trim();
            if (text === '' || text === '0') continue;
            const remaining = line.quantity - line.refundedQuantity;
            const valid = /^\d+$/.test(text) && Number(text) <= remaining;
            rules.push([`quantity-${line.id}`, !valid, `Enter 0 to ${remaining}.`]);
            if (valid) chosen.push({ lineId: line.id, quantity: Number(text) });
          }
          rules.push(['lines', chosen.length === 0 && rules.length === 1, 'Enter a quantity to refund on at least one line.']);
        }
        const amountMinor = parseMoney(amount);
        if (kind === 'amount') rules.push(['amountMinor', amountMinor === null || amountMinor < 1, 'Enter the amount in dollars, like 10.00.']);
        check(rules);
        const request =
          kind === 'lines'
            ? { kind: 'lines' as const, reason: reason as RefundReason, note: note.trim() || undefined, lines: chosen }
            : { kind: 'amount' as const, reason: reason as RefundReason, note: note.trim() || undefined, amountMinor: amountMinor!, lineId: amountLine || undefined };
        const result = await storeApi.refundOrder(order.id, request, idempotencyKey);
        setIdempotencyKey(newIdempotencyKey());
        setQuantities({});
        setAmount('');
        setNote('');
        onDone(result);
      })}
    >
      <h3>Refund</h3>
      <ErrorSummary form={form} />
      <fieldset className="radio-group">
        <legend>What to refund</legend>
        <label>
          <input type="radio" name="refund-kind" value="lines" checked={kind === 'lines'} onChange={() => setKind('lines')} /> Items, by quantity
        </label>
        <label>
          <input type="radio" name="refund-kind" value="amount" checked={kind === 'amount'} onChange={() => setKind('amount')} /> An amount (price adjustment)
        </label>
      </fieldset>
      {kind === 'lines' && (
        <div className="stack-small refund-lines" id={form.fieldId('lines')} tabIndex={-1}>
          {form.errorFor('lines') && <p className="field-error">{form.errorFor('lines')}</p>}
          {order.lines.map((line) => {
            const remaining = line.quantity - line.refundedQuantity;
            return (
              <TextField
                key={line.id}
                form={form}
                name={`quantity-${line.id}`}
                label={`Quantity of ${line.name} to refund`}
                optional
                inputMode="numeric"
                value={quantities[line.id] ?? ''}
                onValue={(value) => setQuantities((current) => ({ ...current, [line.id]: value }))}
                hint={remaining > 0 ? `${remaining} of ${line.quantity} can be refunded (${formatMoney(line.paidMinor - line.refundedMinor)} left, ${formatCredits(line.credits - line.restoredCredits)} credits paid).` : 'Already refunded in full.'}
                disabled={remaining === 0}
              />
            );
          })}
        </div>
      )}
      {kind === 'amount' && (
        <div className="field-row">
          <TextField form={form} name="amountMinor" label="Amount (USD)" inputMode="decimal" value={amount} onValue={setAmount} hint={`Up to ${formatMoney(order.lines.reduce((sum, line) => sum + line.paidMinor - line.refundedMinor, 0))} is left.`} />
          <SelectField form={form} name="lineId" label="From line" optional value={amountLine} onValue={setAmountLine} options={lineOptions} placeholder="Spread over all lines" />
        </div>
      )}
      <div className="field-row">
        <SelectField form={form} name="reason" label="Reason" value={reason} onValue={setReason} options={reasonOptions} placeholder="Choose a reason" />
        <TextAreaField form={form} name="note" label="Note" optional rows={2} value={note} onValue={setNote} />
      </div>
      <div className="actions">
        <SubmitButton form={form} busyText="Refunding…">
          Refund
        </SubmitButton>
      </div>
    </form>
  );
}

function RefundOutcome({ result }: { result: RefundResult }) {
  const { refund } = result;
  return (
    <div className="success-banner" role="status">
      {refund.kind === 'cancellation' ? 'Order cancelled.' : 'Refund recorded.'} {formatMoney(refund.amountMinor)} back to the card · {formatCredits(refund.creditsRestored)} credits restored ·{' '}
      {formatCredits(refund.creditsReversed)} earned credits reversed <span className="mono small">({refund.id}, {refund.status})</span>
    </div>
  );
}

export function OrderConsolePage({ orderId }: { orderId: string }) {
  const order = useResource(() => storeApi.agentOrder(orderId), [orderId]);
  const data = order.data;
  const [status, setStatus] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<RefundResult | null>(null);

  const afterRefund = (result: RefundResult) => {
    order.set(result.order);
    setStatus(null);
    setOutcome(result);
  };

  return (
    <Page title="Order" lead={data ? `${data.channel === 'storefront' ? 'Storefront' : 'Store'} order placed ${formatDateTime(data.placedAt)}` : undefined} actions={<Link to="/console/orders" className="button secondary">All orders</Link>}>
      {order.loading && !data && <Loading label="Loading the order…" />}
      {order.error !== undefined && <ErrorPanel error={order.error} onRetry={order.reload} />}
      {data && (
        <div className="stack-large">
          {status && <StatusMessage>{status}</StatusMessage>}
          {outcome && <RefundOutcome result={outcome} />}
          <section className="card" aria-labelledby="order-title">
            <div className="section-header">
              <h2 id="order-title" className="mono">
                {data.id}
              </h2>
              <OrderStatusBadge order={data} />
            </div>
            <dl className="facts facts-inline">
              <div>
                <dt>Member</dt>
                <dd className="mono">{data.memberId ? <Link to={`/console/members/${encodeURIComponent(data.memberId)}/credits`}>{data.memberId}</Link> : `Guest ${data.guestEmail ?? ''}`}</dd>
              </div>
              <OrderFacts order={data} codeLabel="Code" />
              <div>
                <dt>Plus at payment</dt>
                <dd data-testid="order-plus-at-payment">{data.plusPlan ? `Yes, ${data.plusPlan}${data.plusPeriodId ? ` (period ${data.plusPeriodId})` : ''}` : 'No'}</dd>
              </div>
            </dl>
            {data.memberId && (
              <>
                <CreditsOnOrder order={data} />
                {data.creditsUnlockAt && <p className="small muted">Earned credits unlock {formatDateTime(data.creditsUnlockAt)}.</p>}
              </>
            )}
          </section>
          <OrderDetailSections order={data} linesTitle="Lines" linesCaption="Order lines with every component" refundsTitle="Refunds" showRefundNotes showEmptyRefunds />
          {data.channel === 'store' && <OrderSerialsSection order={data} />}
          {data.channel === 'store' && <OrderActions order={data} onOrder={(updated, message) => { order.set(updated); setOutcome(null); setStatus(message); }} onRefund={afterRefund} />}
          {data.channel === 'storefront' && <p className="muted">This order was placed on the storefront: it is cancelled and refunded there, and its webhooks update it here.</p>}
        </div>
      )}
    </Page>
  );
}

function OrderActions({ order, onOrder, onRefund }: { order: Order; onOrder: (order: Order, message: string) => void; onRefund: (result: RefundResult) => void }) {
  const deliverForm = useForm();
  const canShip = order.status === 'paid';
  const canDeliver = order.status === 'shipped';
  const canRefund = isRefundableHere(order);
  if (!canShip && !canDeliver && !canRefund) return null;
  return (
    <section className="card stack" aria-labelledby="actions-title">
      <h2 id="actions-title">Actions</h2>
      <div className="two-columns">
        {canShip && <ShipForm order={order} onDone={onOrder} />}
        {canDeliver && (
          <div className="stack">
            <h3>Delivery</h3>
            <ErrorSummary form={deliverForm} />
            <button
              type="button"
              className="button secondary"
              disabled={deliverForm.submitting}
              onClick={() => {
                deliverForm.clear();
                storeApi.deliverOrder(order.id).then((updated) => onOrder(updated, 'Marked as delivered.'), deliverForm.report);
              }}
            >
              Mark as delivered
            </button>
          </div>
        )}
        {isCancellable(order) && <CancelForm order={order} onDone={onRefund} />}
      </div>
      {canRefund && (
        <div className="sub-panel">
          <RefundForm key={order.refunds.length} order={order} onDone={onRefund} />
        </div>
      )}
    </section>
  );
}
