// /account/membership: Plus (MB-1..MB-11). Not a member: the two plans with their prices and a join form (the fee is
// charged at once through the sandbox gateway, with an Idempotency-Key per attempt). A member: the plan, state, next
// renewal date and price, benefits used, notices sent and history, and the actions: pause (with an optional resume
// date), resume, auto-renewal on or off, switch plan at the next renewal, a new payment method, and cancel after a
// confirmation that says benefits end now and nothing is refunded.
import { useState } from 'react';
import { newIdempotencyKey } from '../../api/client.ts';
import { membershipApi, plans, type MembershipOverview, type MembershipPlans, type Plan, type Subscription } from '../../api/membership.ts';
import { ErrorSummary, FormInvalid, SubmitButton, TextField, check, useForm, type FormState } from '../../components/forms.tsx';
import { ErrorPanel, Loading, Page } from '../../components/layout.tsx';
import { BenefitsUsed, CancelMembershipDialog, MembershipFacts, MembershipHistory, NoticesTable, periodWord, planLabel } from '../../components/membership.tsx';
import { Price, sandboxTokenHelp } from '../../components/store.tsx';
import { formatDate, formatMoney } from '../../lib/format.ts';
import { useResource } from '../../lib/use-resource.ts';

const tokenPattern = /^[A-Za-z0-9_-]{3,200}$/;

function PaymentTokenField({ form, value, onValue, label }: { form: FormState; value: string; onValue: (value: string) => void; label: string }) {
  return (
    <TextField
      form={form}
      name="paymentToken"
      label={label}
      autoComplete="off"
      spellCheck={false}
      placeholder="tok_approve"
      value={value}
      onValue={onValue}
      hint={`Sandbox gateway, no real card is charged: ${sandboxTokenHelp
        .slice(0, 3)
        .map((entry) => `${entry.token} ${entry.effect}`)
        .join('; ')}.`}
    />
  );
}

function checkToken(token: string): void {
  check([
    ['paymentToken', token === '', 'Enter a card token, like tok_approve.'],
    ['paymentToken', !tokenPattern.test(token), 'A card token is letters, digits, - and _.'],
  ]);
}

function PlanCards({ plans: prices }: { plans: MembershipPlans }) {
  return (
    <div className="tiles">
      {plans.map((plan) => (
        <section key={plan} className="card tile" aria-labelledby={`plan-${plan}-title`}>
          <h2 id={`plan-${plan}-title`}>{planLabel(plan)}</h2>
          <p className="tile-figure">
            <Price priceMinor={prices[plan].priceMinor} listPriceMinor={prices[plan].listPriceMinor} /> <span className="muted">a {periodWord(plan)}</span>
          </p>
          <ul className="small stack-small">
            <li>{prices.memberDiscountBp / 100}% member discount on merchandise</li>
            <li>
              {prices.vouchersPerMonth} next-day delivery voucher{prices.vouchersPerMonth === 1 ? '' : 's'} for each month of membership
            </li>
            <li>Bonus credits on Plus products and priority support</li>
            {plan === 'annual' && <li>Annual only: extended warranty and no-questions-asked returns</li>}
          </ul>
          <p className="muted small">Renews automatically every {periodWord(plan)}; we remind you {plan === 'annual' ? '30' : '7'} days before.</p>
        </section>
      ))}
    </div>
  );
}

function JoinForm({ prices, onJoined }: { prices: MembershipPlans; onJoined: (subscription: Subscription) => void }) {
  const form = useForm();
  const [plan, setPlan] = useState<Plan>('annual');
  const [token, setToken] = useState('');
  // One key per join attempt: kept while the answer is unknown (a retry is the same attempt), new once answered.
  const [idempotencyKey, setIdempotencyKey] = useState(newIdempotencyKey);
  return (
    <form
      className="card stack"
      noValidate
      aria-labelledby="join-title"
      onSubmit={form.handle(async () => {
        const paymentToken = token.trim();
        checkToken(paymentToken);
        const result = await membershipApi.join({ plan, paymentToken }, idempotencyKey);
        setIdempotencyKey(newIdempotencyKey());
        if (result.outcome === 'declined') {
          throw new FormInvalid(
            { paymentToken: result.payment.message ?? 'The card was declined.' },
            'Your card was declined: nothing was charged and no membership was started. Try another card.',
          );
        }
        onJoined(result.subscription);
      })}
    >
      <h2 id="join-title">Join Plus</h2>
      <ErrorSummary form={form} title="You have not joined yet" />
      <fieldset className="radio-group">
        <legend>Plan</legend>
        {plans.map((option) => (
          <label key={option}>
            <input type="radio" name="plan" value={option} checked={plan === option} onChange={() => setPlan(option)} /> {planLabel(option)}, {formatMoney(prices[option].priceMinor)} a{' '}
            {periodWord(option)}
          </label>
        ))}
      </fieldset>
      <PaymentTokenField form={form} value={token} onValue={setToken} label="Card token" />
      <p className="small muted">
        The fee is charged now and your benefits start as soon as the payment is confirmed. The membership renews automatically; you can pause, turn off
        auto-renewal or cancel at any time. Membership fees are not refunded.
      </p>
      <div className="actions">
        <SubmitButton form={form} busyText="Joining…">
          Join {planLabel(plan)} for {formatMoney(prices[plan].priceMinor)}
        </SubmitButton>
      </div>
    </form>
  );
}

function NotAMember({ overview, onJoined }: { overview: MembershipOverview; onJoined: (subscription: Subscription) => void }) {
  const prices = useResource(() => membershipApi.plans(), []);
  const ended = overview.subscription;
  return (
    <div className="stack-large">
      {ended && (
        <p className="notice" role="status">
          Your {planLabel(ended.plan)} membership {ended.state === 'lapsed' ? 'lapsed' : 'ended'} on {formatDate(ended.endedAt)}. You can join again below.
        </p>
      )}
      {prices.loading && !prices.data && <Loading label="Loading the plans…" />}
      {prices.error !== undefined && <ErrorPanel error={prices.error} onRetry={prices.reload} />}
      {prices.data && (
        <>
          <PlanCards plans={prices.data} />
          <JoinForm prices={prices.data} onJoined={onJoined} />
        </>
      )}
    </div>
  );
}

/** A button that runs one membership change and reports its outcome. */
function ActionButton({ form, label, busyLabel, className = 'button secondary', run }: { form: FormState; label: string; busyLabel: string; className?: string; run: () => Promise<void> }) {
  const [busy, setBusy] = useState(false);
  return (
    <button
      type="button"
      className={className}
      disabled={busy}
      onClick={() => {
        form.clear();
        setBusy(true);
        run()
          .catch(form.report)
          .finally(() => setBusy(false));
      }}
    >
      {busy ? busyLabel : label}
    </button>
  );
}

function PauseForm({ onDone }: { onDone: (message: string) => Promise<void> }) {
  const form = useForm();
  const [date, setDate] = useState('');
  return (
    <form
      className="action-block stack-small"
      noValidate
      aria-labelledby="pause-title"
      onSubmit={form.handle(async () => {
        check([['resumeAt', date !== '' && !/^\d{4}-\d{2}-\d{2}$/.test(date), 'Enter a date, like 2026-04-01.']]);
        // The start of that day where the member is.
        const resumeAt = date ? new Date(`${date}T00:00:00`).toISOString() : null;
        await membershipApi.pause(resumeAt);
        await onDone(resumeAt ? `Your membership is paused until ${formatDate(resumeAt)}.` : 'Your membership is paused until you resume it.');
      })}
    >
      <h3 id="pause-title">Pause</h3>
      <p className="small">While paused you are not billed and have no benefits. When you resume, your renewal date moves out by the time you were paused.</p>
      <ErrorSummary form={form} title="The membership was not paused" />
      <TextField form={form} name="resumeAt" label="Resume automatically on" type="date" optional value={date} onValue={setDate} hint="Leave empty to pause until you resume it yourself." />
      <div className="actions">
        <SubmitButton form={form} busyText="Pausing…" className="button secondary">
          Pause membership
        </SubmitButton>
      </div>
    </form>
  );
}

function PaymentMethodForm({ onDone }: { onDone: (message: string) => Promise<void> }) {
  const form = useForm();
  const [token, setToken] = useState('');
  return (
    <form
      className="action-block stack-small"
      noValidate
      aria-labelledby="payment-method-title"
      onSubmit={form.handle(async () => {
        const paymentToken = token.trim();
        checkToken(paymentToken);
        await membershipApi.updatePaymentMethod(paymentToken);
        setToken('');
        await onDone('Your payment method is updated; renewals use it from now on.');
      })}
    >
      <h3 id="payment-method-title">Payment method</h3>
      <ErrorSummary form={form} title="The payment method was not changed" />
      <PaymentTokenField form={form} value={token} onValue={setToken} label="New card token" />
      <div className="actions">
        <SubmitButton form={form} busyText="Saving…" className="button secondary">
          Save payment method
        </SubmitButton>
      </div>
    </form>
  );
}

function MemberActions({ overview, onDone }: { overview: MembershipOverview; onDone: (message: string) => Promise<void> }) {
  const form = useForm();
  const [confirming, setConfirming] = useState(false);
  const sub = overview.subscription!;
  const other: Plan = sub.plan === 'monthly' ? 'annual' : 'monthly';
  const switching = sub.nextPlan !== null && sub.nextPlan !== sub.plan;
  // While paused the date moves out day by day; the one shown is where it stands if resumed now.
  const renewsOn = sub.state === 'paused' ? `${formatDate(sub.currentPeriodEndsAt)} plus the time paused` : formatDate(sub.currentPeriodEndsAt);
  return (
    <section className="card stack" aria-labelledby="membership-actions-title">
      <h2 id="membership-actions-title">Manage your membership</h2>
      <ErrorSummary form={form} title="That did not work" />
      <div className="action-grid">
        {sub.state === 'paused' && (
          <div className="action-block stack-small">
            <h3>Resume</h3>
            <p className="small">Benefits come back at once and your renewal date moves out by the time you were paused.</p>
            <div className="actions">
              <ActionButton
                form={form}
                label="Resume membership"
                busyLabel="Resuming…"
                className="button primary"
                run={async () => {
                  const resumed = await membershipApi.resume();
                  await onDone(`Welcome back: your membership is active again and renews on ${formatDate(resumed.currentPeriodEndsAt)}.`);
                }}
              />
            </div>
          </div>
        )}
        {sub.state === 'active' && <PauseForm onDone={onDone} />}
        <div className="action-block stack-small">
          <h3>Auto-renewal</h3>
          <p className="small">
            {sub.autoRenew
              ? `On: your membership renews on ${renewsOn}. Turning it off keeps your benefits until then, and nothing more is charged.`
              : `Off: your benefits last until ${renewsOn}, then the membership ends. Turn it on to keep Plus.`}
          </p>
          <div className="actions">
            <ActionButton
              form={form}
              label={sub.autoRenew ? 'Turn off auto-renewal' : 'Turn on auto-renewal'}
              busyLabel="Saving…"
              run={async () => {
                const changed = await membershipApi.setAutoRenew(!sub.autoRenew);
                await onDone(changed.autoRenew ? 'Auto-renewal is on.' : `Auto-renewal is off: your benefits last until ${formatDate(changed.currentPeriodEndsAt)}.`);
              }}
            />
          </div>
        </div>
        <div className="action-block stack-small">
          <h3>Plan</h3>
          <p className="small">
            {switching
              ? `You switch to ${planLabel(sub.nextPlan!)} at your next renewal on ${renewsOn}. Until then you keep ${planLabel(sub.plan)}.`
              : `A switch takes effect at your next renewal on ${renewsOn}: you keep ${planLabel(sub.plan)} until then and pay the new plan's price from that renewal. Nothing is charged or refunded now.`}
          </p>
          <div className="actions">
            <ActionButton
              form={form}
              label={switching ? `Keep ${planLabel(sub.plan)}` : `Switch to ${planLabel(other)} at next renewal`}
              busyLabel="Saving…"
              run={async () => {
                const changed = await membershipApi.switchPlan(switching ? sub.plan : other);
                await onDone(changed.nextPlan && changed.nextPlan !== changed.plan ? `You switch to ${planLabel(changed.nextPlan)} on ${formatDate(changed.currentPeriodEndsAt)}.` : `You stay on ${planLabel(changed.plan)}.`);
              }}
            />
          </div>
        </div>
        <PaymentMethodForm onDone={onDone} />
        <div className="action-block stack-small">
          <h3>Cancel</h3>
          <p className="small">Canceling ends the membership and all its benefits at once. Fees already paid are not refunded.</p>
          <div className="actions">
            <button type="button" className="button danger-outline" onClick={() => setConfirming(true)}>
              Cancel membership…
            </button>
          </div>
        </div>
      </div>
      {confirming && (
        <CancelMembershipDialog
          audience="member"
          plan={sub.plan}
          onClose={() => setConfirming(false)}
          onConfirm={async () => {
            await membershipApi.cancel();
            setConfirming(false);
            await onDone('Your membership is canceled. Its benefits have ended; nothing was refunded.');
          }}
        />
      )}
    </section>
  );
}

function Membership({ overview, onDone }: { overview: MembershipOverview; onDone: (message: string) => Promise<void> }) {
  const sub = overview.subscription!;
  return (
    <div className="stack-large">
      {sub.state === 'pending_payment' && (
        <p className="notice" role="status">
          Your payment is being confirmed. Your benefits start as soon as it is; reload this page in a few minutes.
        </p>
      )}
      {sub.state === 'past_due' && (
        <p className="notice" role="status">
          Your last renewal payment did not go through, so your benefits are paused.{' '}
          {sub.nextRetryAt ? `We try again on ${formatDate(sub.nextRetryAt)}.` : ''} Update your payment method below to retry now.
        </p>
      )}
      <section className="card" aria-labelledby="membership-summary-title">
        <h2 id="membership-summary-title">Your membership</h2>
        <MembershipFacts overview={overview} audience="member" />
      </section>
      <BenefitsUsed overview={overview} orderLink={(orderId) => `/account/orders/${encodeURIComponent(orderId)}`} />
      {sub.state !== 'pending_payment' && <MemberActions overview={overview} onDone={onDone} />}
      <NoticesTable notices={overview.notices} />
      <MembershipHistory history={overview.history} />
    </div>
  );
}

const isOpen = (sub: Subscription | null) => sub !== null && sub.state !== 'canceled' && sub.state !== 'lapsed';

export function MembershipPage() {
  const overview = useResource(() => membershipApi.mine(), []);
  const [message, setMessage] = useState<string | null>(null);
  const data = overview.data;
  // Every change answers with the subscription; the page reads the whole overview again (renewal, notices, history).
  const done = async (text: string) => {
    overview.set(await membershipApi.mine());
    setMessage(text);
  };
  return (
    <Page title="Plus membership" lead="Member prices, next-day delivery vouchers, bonus credits and priority support.">
      {message && (
        <p className="success-banner" role="status">
          {message}
        </p>
      )}
      {overview.loading && !data && <Loading label="Loading your membership…" />}
      {overview.error !== undefined && <ErrorPanel error={overview.error} onRetry={overview.reload} />}
      {data && !isOpen(data.subscription) && (
        <NotAMember
          overview={data}
          onJoined={(subscription) =>
            void done(`Welcome to ${planLabel(subscription.plan)}! Your benefits have started; your membership renews on ${formatDate(subscription.currentPeriodEndsAt)}.`).catch(() => overview.reload())
          }
        />
      )}
      {data && isOpen(data.subscription) && <Membership overview={data} onDone={done} />}
    </Page>
  );
}
