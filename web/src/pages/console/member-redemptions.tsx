// A member's reward redemptions on the console's member page (CR-13): each with its status, carrier and tracking
// number, and a "Mark as delivered" action for shipped ones. The delivery time starts the 7-day window in which the
// member may report damage (AS-7), so it is recorded here when the carrier confirms it.
import { useState } from 'react';
import { storeApi, type Redemption } from '../../api/store.ts';
import { ErrorSummary, StatusMessage, useForm } from '../../components/forms.tsx';
import { ErrorPanel, Loading } from '../../components/layout.tsx';
import { RedemptionStatusBadge, redemptionProgress } from '../../components/store.tsx';
import { formatCredits, formatDateTime } from '../../lib/format.ts';
import { useResource } from '../../lib/use-resource.ts';

export function RedemptionsSection({ memberId }: { memberId: string }) {
  const list = useResource(() => storeApi.agentRedemptions(memberId), [memberId]);
  const deliverForm = useForm();
  const [delivering, setDelivering] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const redemptions = list.data?.redemptions ?? [];

  const deliver = (redemption: Redemption) => {
    deliverForm.clear();
    setStatus(null);
    setDelivering(redemption.id);
    storeApi
      .deliverRedemption(redemption.id)
      .then((updated) => {
        list.set({ redemptions: redemptions.map((one) => (one.id === updated.id ? updated : one)) });
        setStatus(`${updated.name} marked as delivered ${formatDateTime(updated.shipment?.deliveredAt)}.`);
      }, deliverForm.report)
      .finally(() => setDelivering(null));
  };

  return (
    <section className="card" aria-labelledby="member-redemptions-title">
      <div className="section-header">
        <h2 id="member-redemptions-title">Reward redemptions</h2>
        <span className="muted small">Newest first. A damage report is possible for 7 days after delivery.</span>
      </div>
      {status && <StatusMessage>{status}</StatusMessage>}
      <ErrorSummary form={deliverForm} />
      {list.loading && !list.data && <Loading label="Loading redemptions…" />}
      {list.error !== undefined && <ErrorPanel error={list.error} onRetry={list.reload} />}
      {list.data && redemptions.length === 0 && <p className="muted">No rewards redeemed.</p>}
      {redemptions.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Reward redemptions of this member, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Reward</th>
                <th scope="col">Redeemed</th>
                <th scope="col" className="numeric">
                  Credits
                </th>
                <th scope="col">Status</th>
                <th scope="col">Tracking number</th>
                <th scope="col">Delivered</th>
              </tr>
            </thead>
            <tbody>
              {redemptions.map((redemption) => (
                <tr key={redemption.id}>
                  <td>
                    {redemption.quantity > 1 ? `${redemption.quantity} × ` : ''}
                    {redemption.name}
                    <div className="muted small mono">{redemption.id}</div>
                  </td>
                  <td className="nowrap">{formatDateTime(redemption.createdAt)}</td>
                  <td className="numeric">{formatCredits(redemption.credits)}</td>
                  <td>
                    <RedemptionStatusBadge redemption={redemption} />
                  </td>
                  <td className="mono small">
                    {redemption.shipment?.trackingNumber ?? '—'}
                    {redemption.shipment?.carrier && <div className="muted">{redemption.shipment.carrier}</div>}
                    {redemption.shipment?.shippedAt && <div className="muted">Shipped {formatDateTime(redemption.shipment.shippedAt)}</div>}
                  </td>
                  <td className="nowrap">
                    {redemptionProgress(redemption) === 'delivered' && formatDateTime(redemption.shipment?.deliveredAt)}
                    {redemptionProgress(redemption) === 'shipped' && (
                      <button
                        type="button"
                        className="button secondary small"
                        disabled={delivering !== null}
                        aria-busy={delivering === redemption.id || undefined}
                        aria-label={`Mark as delivered: ${redemption.name} (${redemption.id})`}
                        onClick={() => deliver(redemption)}
                      >
                        {delivering === redemption.id ? 'Saving…' : 'Mark as delivered'}
                      </button>
                    )}
                    {redemptionProgress(redemption) === 'confirmed' && <span className="muted">Not shipped yet</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
