// /shop/rewards: the rewards catalog (CR-13): items bought with credits, redeemed after a confirmation (a
// redemption is final: it ships on its own and cannot be cancelled or returned), and the member's redemptions with
// their shipments (shipped, then delivered).
import { useState } from 'react';
import { newIdempotencyKey } from '../../api/client.ts';
import { creditsApi } from '../../api/credits.ts';
import { storeApi, type Redemption, type Reward } from '../../api/store.ts';
import { ErrorSummary, SubmitButton, TextField, useForm } from '../../components/forms.tsx';
import { ErrorPanel, Loading, Page } from '../../components/layout.tsx';
import { RedemptionStatusBadge, sandboxTokenHelp } from '../../components/store.tsx';
import { formatCredits, formatDateTime, formatMoney } from '../../lib/format.ts';
import { useResource } from '../../lib/use-resource.ts';
import { Link } from '../../router.tsx';

function RedeemConfirmation({ reward, available, onDone, onCancel }: { reward: Reward; available: number; onDone: (redemption: Redemption) => void; onCancel: () => void }) {
  const form = useForm();
  const [token, setToken] = useState('');
  // One key per confirmation: a double click or a retried request redeems once.
  const [idempotencyKey] = useState(newIdempotencyKey);
  const enough = available >= reward.creditsPrice;
  return (
    <form
      className="stack confirm-panel"
      noValidate
      aria-label={`Confirm redeeming ${reward.name}`}
      onSubmit={form.handle(async () => {
        onDone(await storeApi.redeem(reward.id, { quantity: 1, paymentToken: reward.shippingFeeMinor > 0 ? token.trim() || undefined : undefined }, idempotencyKey));
      })}
    >
      <ErrorSummary form={form} title="The reward was not redeemed" />
      <p>
        <strong>
          Redeem {reward.name} for {formatCredits(reward.creditsPrice)} credits?
        </strong>{' '}
        You have {formatCredits(available)} available; {enough ? `${formatCredits(available - reward.creditsPrice)} will be left.` : 'that is not enough yet.'}
      </p>
      <p className="small">Redemptions are final: the reward ships on its own and cannot be cancelled or returned.</p>
      {reward.shippingFeeMinor > 0 && (
        <TextField
          form={form}
          name="paymentToken"
          label={`Card token for the ${formatMoney(reward.shippingFeeMinor)} shipping fee`}
          autoComplete="off"
          spellCheck={false}
          value={token}
          onValue={setToken}
          hint={`Sandbox gateway: ${sandboxTokenHelp
            .slice(0, 2)
            .map((entry) => `${entry.token} ${entry.effect}`)
            .join('; ')}.`}
        />
      )}
      <div className="actions">
        <SubmitButton form={form} busyText="Redeeming…">
          Confirm redemption
        </SubmitButton>
        <button type="button" className="button secondary" onClick={onCancel} disabled={form.submitting}>
          Keep my credits
        </button>
      </div>
    </form>
  );
}

function Redemptions({ redemptions }: { redemptions: Redemption[] }) {
  if (redemptions.length === 0) return <p className="muted">You have not redeemed any rewards yet.</p>;
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">Your redemptions, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Reward</th>
            <th scope="col">Redeemed</th>
            <th scope="col" className="numeric">
              Credits
            </th>
            <th scope="col">Status</th>
            <th scope="col">Tracking number</th>
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
                {redemption.shipment?.deliveredAt && <div className="muted small">{formatDateTime(redemption.shipment.deliveredAt)}</div>}
              </td>
              <td className="mono small">
                {redemption.shipment?.trackingNumber ?? '—'}
                {redemption.shipment?.carrier && <div className="muted">{redemption.shipment.carrier}</div>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function RewardsPage() {
  const rewards = useResource(() => storeApi.rewards(), []);
  const [generation, setGeneration] = useState(0);
  const balance = useResource(() => creditsApi.balance(), [generation]);
  const redemptions = useResource(() => storeApi.redemptions(), [generation]);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [done, setDone] = useState<Redemption | null>(null);
  const available = balance.data?.available ?? 0;

  return (
    <Page title="Rewards" lead="Spend your credits on rewards. Each one ships on its own." actions={<Link to="/account/credits" className="button secondary">Your credits</Link>}>
      <div className="stack-large">
        <section className="card" aria-label="Your credits">
          {balance.loading && !balance.data && <Loading label="Loading your balance…" />}
          {balance.error !== undefined && <ErrorPanel error={balance.error} onRetry={balance.reload} />}
          {balance.data && (
            <p className="tile-figure">
              <span className="stat-value" data-testid="rewards-available">
                {formatCredits(balance.data.available)}
              </span>{' '}
              <span className="muted">credits available</span>
              {balance.data.pendingTotal > 0 && <span className="muted small"> · {formatCredits(balance.data.pendingTotal)} more pending</span>}
            </p>
          )}
        </section>
        {done && (
          <p className="success-banner" role="status">
            You redeemed {done.name} for {formatCredits(done.credits)} credits. We emailed you a confirmation, and another email with the tracking number when it ships.
          </p>
        )}
        {rewards.loading && !rewards.data && <Loading label="Loading rewards…" />}
        {rewards.error !== undefined && <ErrorPanel error={rewards.error} onRetry={rewards.reload} />}
        {rewards.data && rewards.data.rewards.length === 0 && <p className="empty">No rewards are on offer right now.</p>}
        {rewards.data && rewards.data.rewards.length > 0 && (
          <ul className="product-grid" aria-label="Rewards">
            {rewards.data.rewards.map((reward) => (
              <li key={reward.id} className="card product-card">
                <h2 className="product-name">{reward.name}</h2>
                <p className="small muted">{reward.description}</p>
                <p className="badges">
                  {reward.perMemberLimit !== null && <span className="badge">Limit {reward.perMemberLimit} per member</span>}
                  {reward.shippingFeeMinor > 0 ? <span className="badge warning">{formatMoney(reward.shippingFeeMinor)} shipping</span> : <span className="badge success">Free shipping</span>}
                  {reward.stock === 0 && <span className="badge danger">Out of stock</span>}
                </p>
                <div className="product-buy">
                  <span className="price-now">{formatCredits(reward.creditsPrice)} credits</span>
                  {confirming !== reward.id && (
                    <button
                      type="button"
                      className="button primary small"
                      disabled={reward.stock === 0}
                      onClick={() => {
                        setDone(null);
                        setConfirming(reward.id);
                      }}
                      aria-label={`Redeem ${reward.name}`}
                    >
                      Redeem
                    </button>
                  )}
                </div>
                {confirming === reward.id && (
                  <RedeemConfirmation
                    reward={reward}
                    available={available}
                    onCancel={() => setConfirming(null)}
                    onDone={(redemption) => {
                      setConfirming(null);
                      setDone(redemption);
                      setGeneration((value) => value + 1);
                    }}
                  />
                )}
              </li>
            ))}
          </ul>
        )}
        <section className="card" aria-labelledby="redemptions-title">
          <h2 id="redemptions-title">Your redemptions</h2>
          {redemptions.loading && !redemptions.data && <Loading label="Loading your redemptions…" />}
          {redemptions.error !== undefined && <ErrorPanel error={redemptions.error} onRetry={redemptions.reload} />}
          {redemptions.data && <Redemptions redemptions={redemptions.data.redemptions} />}
        </section>
      </div>
    </Page>
  );
}
