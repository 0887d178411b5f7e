// Store displays shared by the member center and the console: prices, order status, lines with their components,
// totals, payment, shipments with tracking, refunds, and the sandbox card tokens.
import type { ReactNode } from 'react';
import type { Order, OrderLine, OrderStatus, OrderSummary, ProductCategory, Redemption, Refund, Shipment } from '../api/store.ts';
import { formatCredits, formatDateTime, formatMoney, formatMoneyOff, formatShipDate } from '../lib/format.ts';
import { addressLines, regionName } from '../lib/regions.ts';

export const categoryLabels: Record<ProductCategory, string> = {
  'power-banks': 'Power banks',
  chargers: 'Chargers',
  wireless: 'Wireless',
  cables: 'Cables',
  'hubs-and-docks': 'Hubs and docks',
  'gift-cards': 'Gift cards',
};

export function categoryLabel(category: string): string {
  return categoryLabels[category as ProductCategory] ?? category.replaceAll('-', ' ');
}

/** The server's rounding of credits into money (CR-12), shared so the pages that import it from here keep working. */
export { creditsValueMinor } from '../lib/credits-money.ts';

/** The price, with the list price struck through when it is higher. */
export function Price({ priceMinor, listPriceMinor }: { priceMinor: number; listPriceMinor: number }) {
  return (
    <span className="price">
      <span className="price-now">{formatMoney(priceMinor)}</span>
      {listPriceMinor > priceMinor && (
        <>
          {' '}
          <s className="price-was">
            <span className="visually-hidden">List price </span>
            {formatMoney(listPriceMinor)}
          </s>
        </>
      )}
    </span>
  );
}

const statusLabels: Record<OrderStatus, string> = {
  pending_payment: 'Awaiting payment',
  paid: 'Paid',
  shipped: 'Shipped',
  delivered: 'Delivered',
  cancelled: 'Cancelled',
  payment_failed: 'Payment failed',
  abandoned: 'Not completed',
};

const statusTones: Record<OrderStatus, string> = {
  pending_payment: 'badge warning',
  paid: 'badge success',
  shipped: 'badge success',
  delivered: 'badge success',
  cancelled: 'badge',
  payment_failed: 'badge danger',
  abandoned: 'badge',
};

export function OrderStatusBadge({ order }: { order: Pick<OrderSummary, 'status' | 'refundState'> }) {
  return (
    <span className="badges">
      <span className={statusTones[order.status]}>{statusLabels[order.status]}</span>
      {order.refundState !== 'none' && <span className="badge warning">{order.refundState === 'full' ? 'Refunded' : 'Partly refunded'}</span>}
    </span>
  );
}

/**
 * A redemption's progress: confirmed, shipped, then delivered. The redemption's own status stops at shipped; its
 * shipment records the delivery (the start of the 7-day damage-report window, AS-7).
 */
export function redemptionProgress(redemption: Pick<Redemption, 'status' | 'shipment'>): 'confirmed' | 'shipped' | 'delivered' {
  if (redemption.shipment?.status === 'delivered') return 'delivered';
  return redemption.status;
}

type RedemptionProgress = ReturnType<typeof redemptionProgress>;
const redemptionLabels: Record<RedemptionProgress, string> = { confirmed: 'Confirmed', shipped: 'Shipped', delivered: 'Delivered' };
const redemptionTones: Record<RedemptionProgress, string> = { confirmed: 'badge warning', shipped: 'badge success', delivered: 'badge success' };

export function RedemptionStatusBadge({ redemption }: { redemption: Pick<Redemption, 'status' | 'shipment'> }) {
  const progress = redemptionProgress(redemption);
  return <span className={redemptionTones[progress]}>{redemptionLabels[progress]}</span>;
}

/** Where an order ships: its address as it was when placed, or only its tax region for an order without one. */
export function ShipTo({ order, testId }: { order: Pick<OrderSummary, 'shippingAddress' | 'region'>; testId?: string }) {
  if (!order.shippingAddress) return <span data-testid={testId}>{regionName(order.region)} (no street address)</span>;
  return (
    <address className="address" data-testid={testId}>
      {addressLines(order.shippingAddress).map((line, index) => (
        <span key={index}>{line}</span>
      ))}
    </address>
  );
}

/** Whether the order can still be cancelled here (web/src/lib/order-actions.ts: never a storefront order). */
export { isCancellable } from '../lib/order-actions.ts';

function Row({ label, children, strong }: { label: ReactNode; children: ReactNode; strong?: boolean }) {
  return (
    <div className={strong ? 'summary-total' : undefined}>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** Merchandise, discounts, credits, shipping, tax and the total, as a quote or an order has them. */
export function OrderTotals({
  totals,
  totalLabel = 'Total',
}: {
  totals: Pick<OrderSummary, 'merchandiseMinor' | 'discountMinor' | 'plusDiscountMinor' | 'creditsApplied' | 'creditsValueMinor' | 'shippingMinor' | 'taxMinor' | 'totalMinor'> & { discountCode?: string | null };
  totalLabel?: string;
}) {
  const codeDiscount = totals.discountMinor - totals.plusDiscountMinor;
  return (
    <dl className="summary" aria-label="Order totals">
      <Row label="Merchandise">{formatMoney(totals.merchandiseMinor)}</Row>
      {codeDiscount > 0 && <Row label={totals.discountCode ? `Discount (${totals.discountCode})` : 'Discount'}>{formatMoneyOff(codeDiscount)}</Row>}
      {totals.plusDiscountMinor > 0 && <Row label="Plus member discount">{formatMoneyOff(totals.plusDiscountMinor)}</Row>}
      {totals.creditsApplied > 0 && <Row label={`Credits (${formatCredits(totals.creditsApplied)})`}>{formatMoneyOff(totals.creditsValueMinor)}</Row>}
      <Row label="Shipping">{totals.shippingMinor > 0 ? formatMoney(totals.shippingMinor) : 'Free'}</Row>
      <Row label="Tax">{formatMoney(totals.taxMinor)}</Row>
      <Row label={totalLabel} strong>
        {formatMoney(totals.totalMinor)}
      </Row>
    </dl>
  );
}

type LineLike = Pick<OrderLine, 'lineNo' | 'sku' | 'name' | 'quantity' | 'listPriceMinor' | 'unitPriceMinor' | 'discountMinor' | 'creditsMinor' | 'credits' | 'taxMinor' | 'qualifyingMinor' | 'paidMinor' | 'giftCard'> &
  Partial<Pick<OrderLine, 'earnedCredits' | 'refundedQuantity' | 'refundedMinor' | 'restoredCredits' | 'earnsCredits'>>;

/**
 * Each line with its components (ST-2): price, its share of the discounts and of the credits, tax, what was paid
 * in money, and the qualifying amount that earns credits (CR-4).
 */
export function LinesTable({ lines, caption, showOutcome = false }: { lines: readonly LineLike[]; caption: string; showOutcome?: boolean }) {
  return (
    <div className="table-wrap">
      <table className="table lines-table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Item</th>
            <th scope="col" className="numeric">
              Qty
            </th>
            <th scope="col" className="numeric">
              Price
            </th>
            <th scope="col" className="numeric">
              Discount
            </th>
            <th scope="col" className="numeric">
              Credits
            </th>
            <th scope="col" className="numeric">
              Tax
            </th>
            <th scope="col" className="numeric">
              Paid
            </th>
            <th scope="col" className="numeric">
              Qualifies
            </th>
            {showOutcome && (
              <>
                <th scope="col" className="numeric">
                  Earned
                </th>
                <th scope="col" className="numeric">
                  Refunded
                </th>
              </>
            )}
          </tr>
        </thead>
        <tbody>
          {lines.map((line) => (
            <tr key={line.lineNo}>
              <td>
                {line.name}
                <div className="muted small mono">{line.sku}</div>
                {line.giftCard && <span className="badge">Gift card: earns no credits</span>}
                {!line.giftCard && line.earnsCredits === false && <span className="badge">Earns no credits</span>}
              </td>
              <td className="numeric">{line.quantity}</td>
              <td className="numeric">
                <Price priceMinor={line.unitPriceMinor} listPriceMinor={line.listPriceMinor} />
              </td>
              <td className="numeric">{line.discountMinor > 0 ? formatMoneyOff(line.discountMinor) : '—'}</td>
              <td className="numeric">
                {line.creditsMinor > 0 ? (
                  <>
                    {formatMoneyOff(line.creditsMinor)}
                    <div className="muted small">{formatCredits(line.credits)} credits</div>
                  </>
                ) : (
                  '—'
                )}
              </td>
              <td className="numeric">{formatMoney(line.taxMinor)}</td>
              <td className="numeric">{formatMoney(line.paidMinor)}</td>
              <td className="numeric">{formatMoney(line.qualifyingMinor)}</td>
              {showOutcome && (
                <>
                  <td className="numeric">{formatCredits(line.earnedCredits ?? 0)}</td>
                  <td className="numeric">
                    {(line.refundedMinor ?? 0) > 0 || (line.refundedQuantity ?? 0) > 0 || (line.restoredCredits ?? 0) > 0 ? (
                      <>
                        {formatMoney(line.refundedMinor ?? 0)}
                        <div className="muted small">
                          {line.refundedQuantity ?? 0} of {line.quantity}
                          {(line.restoredCredits ?? 0) > 0 && ` · ${formatCredits(line.restoredCredits)} credits back`}
                        </div>
                      </>
                    ) : (
                      '—'
                    )}
                  </td>
                </>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const shipmentLabels: Record<Shipment['status'], string> = { pending: 'Being prepared', shipped: 'Shipped', delivered: 'Delivered', cancelled: 'Cancelled' };

export function ShipmentsTable({ shipments }: { shipments: readonly Shipment[] }) {
  if (shipments.length === 0) return <p className="muted">No shipments.</p>;
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">Shipments</caption>
        <thead>
          <tr>
            <th scope="col">Status</th>
            <th scope="col">Ships by</th>
            <th scope="col">Carrier</th>
            <th scope="col">Tracking number</th>
            <th scope="col">Shipped</th>
            <th scope="col">Delivered</th>
          </tr>
        </thead>
        <tbody>
          {shipments.map((shipment) => (
            <tr key={shipment.id}>
              <td>
                <span className={shipment.status === 'cancelled' ? 'badge' : shipment.status === 'pending' ? 'badge warning' : 'badge success'}>{shipmentLabels[shipment.status]}</span>
              </td>
              <td className="nowrap">{formatShipDate(shipment.shipByDate)}</td>
              <td>{shipment.carrier ?? '—'}</td>
              <td className="mono">{shipment.trackingNumber ?? '—'}</td>
              <td className="nowrap">{formatDateTime(shipment.shippedAt)}</td>
              <td className="nowrap">{formatDateTime(shipment.deliveredAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function PaymentFacts({ payment, order }: { payment: Order['payment']; order: Pick<Order, 'paidAt' | 'paymentFailureCode' | 'status'> }) {
  if (!payment) {
    return <p className="muted">{order.paymentFailureCode ? `The payment did not go through (${order.paymentFailureCode.replaceAll('_', ' ')}).` : 'No card payment: credits paid the whole order, or nothing was charged.'}</p>;
  }
  return (
    <dl className="facts">
      <div>
        <dt>Status</dt>
        <dd>{payment.status.replaceAll('_', ' ')}</dd>
      </div>
      <div>
        <dt>Authorized</dt>
        <dd>{formatMoney(payment.amountMinor)}</dd>
      </div>
      <div>
        <dt>Charged</dt>
        <dd>{formatMoney(payment.capturedMinor)}</dd>
      </div>
      <div>
        <dt>Refunded</dt>
        <dd>{formatMoney(payment.refundedMinor)}</dd>
      </div>
      <div>
        <dt>Confirmed by the card network</dt>
        <dd>{formatDateTime(payment.confirmedAt ?? order.paidAt)}</dd>
      </div>
    </dl>
  );
}

export function describeRefundReason(reason: string): string {
  return reason.replaceAll('_', ' ');
}

/** `showNotes` for agents: a refund's note is written for the team, not the member. */
export function RefundsTable({ refunds, lines, showNotes = false }: { refunds: readonly Refund[]; lines: readonly OrderLine[]; showNotes?: boolean }) {
  if (refunds.length === 0) return <p className="muted">No refunds.</p>;
  const nameOf = (lineId: string) => lines.find((line) => line.id === lineId)?.name ?? lineId;
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">Refunds</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">What</th>
            <th scope="col">Reason</th>
            <th scope="col">Status</th>
            <th scope="col" className="numeric">
              Money back
            </th>
            <th scope="col" className="numeric">
              Credits back
            </th>
            <th scope="col" className="numeric">
              Earned credits taken back
            </th>
          </tr>
        </thead>
        <tbody>
          {refunds.map((refund) => (
            <tr key={refund.id}>
              <td className="nowrap">{formatDateTime(refund.createdAt)}</td>
              <td>
                {refund.kind === 'cancellation' ? 'Cancellation' : refund.kind === 'amount' ? 'Price adjustment' : 'Items'}
                <ul className="plain-list small muted">
                  {refund.lines
                    .filter((part) => part.quantity > 0 || part.amountMinor > 0)
                    .map((part) => (
                      <li key={part.orderLineId}>
                        {part.quantity > 0 ? `${part.quantity} × ` : ''}
                        {nameOf(part.orderLineId)}: {formatMoney(part.amountMinor)}
                      </li>
                    ))}
                </ul>
                {showNotes && refund.note && <div className="small">“{refund.note}”</div>}
              </td>
              <td>{describeRefundReason(refund.reason)}</td>
              <td>
                <span className={refund.status === 'completed' ? 'badge success' : refund.status === 'failed' ? 'badge danger' : 'badge warning'}>{refund.status}</span>
                {refund.failureCode && <div className="muted small">{refund.failureCode.replaceAll('_', ' ')}</div>}
              </td>
              <td className="numeric">{formatMoney(refund.amountMinor)}</td>
              <td className="numeric">{formatCredits(refund.creditsRestored)}</td>
              <td className="numeric">{refund.status === 'completed' ? formatCredits(refund.creditsReversed) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** An order's shipping and payment facts (entries of the page's `dl`): ship-by date, address, payment time, code. */
export function OrderFacts({ order, codeLabel, shipByTestId }: { order: Order; codeLabel: string; shipByTestId?: string }) {
  return (
    <>
      <div>
        <dt>Ships by</dt>
        <dd data-testid={shipByTestId}>{formatShipDate(order.shipByDate)}</dd>
      </div>
      {order.delivery === 'next_day' && (
        <div>
          <dt>Next-day delivery (Plus voucher)</dt>
          <dd data-testid="order-deliver-by">Arrives by {formatShipDate(order.deliverByDate)}</dd>
        </div>
      )}
      <div>
        <dt>Ships to</dt>
        <dd>
          <ShipTo order={order} testId="order-ship-to" />
        </dd>
      </div>
      <div>
        <dt>Paid</dt>
        <dd>{formatDateTime(order.paidAt)}</dd>
      </div>
      {order.discountCode && (
        <div>
          <dt>{codeLabel}</dt>
          <dd className="mono">{order.discountCode}</dd>
        </div>
      )}
    </>
  );
}

/**
 * One order's detail cards, shared by the member's order page and the console's: the lines with the totals, the
 * shipments, the payment and the refunds. `idPrefix` keeps each page's heading ids; the console shows the refunds'
 * notes and the refunds card even while there are none.
 */
export function OrderDetailSections({
  order,
  idPrefix = '',
  linesTitle,
  linesCaption,
  totalLabel,
  refundsTitle,
  showRefundNotes = false,
  showEmptyRefunds = false,
}: {
  order: Order;
  idPrefix?: string;
  linesTitle: string;
  linesCaption: string;
  totalLabel?: string;
  refundsTitle: string;
  showRefundNotes?: boolean;
  showEmptyRefunds?: boolean;
}) {
  return (
    <>
      <section className="card" aria-labelledby={`${idPrefix}lines-title`}>
        <h2 id={`${idPrefix}lines-title`}>{linesTitle}</h2>
        <LinesTable lines={order.lines} caption={linesCaption} showOutcome />
        <div className="totals-aside">
          <OrderTotals totals={order} totalLabel={totalLabel} />
        </div>
      </section>
      <section className="card" aria-labelledby={`${idPrefix}shipments-title`}>
        <h2 id={`${idPrefix}shipments-title`}>Shipments</h2>
        <ShipmentsTable shipments={order.shipments} />
      </section>
      <section className="card" aria-labelledby={`${idPrefix}payment-title`}>
        <h2 id={`${idPrefix}payment-title`}>Payment</h2>
        <PaymentFacts payment={order.payment} order={order} />
      </section>
      {(showEmptyRefunds || order.refunds.length > 0) && (
        <section className="card" aria-labelledby={`${idPrefix}refunds-title`}>
          <h2 id={`${idPrefix}refunds-title`}>{refundsTitle}</h2>
          <RefundsTable refunds={order.refunds} lines={order.lines} showNotes={showRefundNotes} />
        </section>
      )}
    </>
  );
}

/** The sandbox gateway's test tokens (src/modules/payments/sandbox.gateway.ts), for the card field's hint. */
export const sandboxTokenHelp: ReadonlyArray<{ token: string; effect: string }> = [
  { token: 'tok_approve', effect: 'approves the payment' },
  { token: 'tok_decline', effect: 'the card is declined' },
  { token: 'tok_insufficient_funds', effect: 'declined for insufficient funds' },
  { token: 'tok_fail_after_delay', effect: 'the card network times out after a moment' },
  { token: 'tok_capture_fail', effect: 'authorized, but the charge fails' },
  { token: 'tok_refund_fail', effect: 'charged; later refunds fail' },
];
