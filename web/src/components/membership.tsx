// Plus membership displays shared by the member center and the console: the plan and state facts, the benefits
// used, the notices sent, the billing periods, the dated history, and the cancel confirmation dialog.
import { useId, type ReactNode } from 'react';
import type { BenefitKind, HistoryEvent, MembershipHistoryEntry, MembershipOverview, Notice, NoticeKind, Period, Plan, SubscriptionState } from '../api/membership.ts';
import { formatCredits, formatDate, formatDateTime, formatMoney } from '../lib/format.ts';
import { Link } from '../router.tsx';
import { Stat } from './credits.tsx';
import { ErrorSummary, SubmitButton, useForm } from './forms.tsx';
import { useModalDialog } from '../lib/use-modal-dialog.ts';

export function planLabel(plan: Plan): string {
  return plan === 'monthly' ? 'Plus Monthly' : 'Plus Annual';
}

/** What a period is called in a sentence: "month" or "year". */
export function periodWord(plan: Plan): string {
  return plan === 'monthly' ? 'month' : 'year';
}

const stateLabels = {
  pending_payment: 'Payment being confirmed',
  active: 'Active',
  past_due: 'Past due',
  paused: 'Paused',
  canceled: 'Canceled',
  lapsed: 'Lapsed',
} as const satisfies Record<SubscriptionState, string>;

const stateTones = {
  pending_payment: 'badge warning',
  active: 'badge success',
  past_due: 'badge danger',
  paused: 'badge warning',
  canceled: 'badge',
  lapsed: 'badge',
} as const satisfies Record<SubscriptionState, string>;

export function MembershipStateBadge({ state }: { state: SubscriptionState }) {
  return <span className={stateTones[state]}>{stateLabels[state]}</span>;
}

const eventLabels = {
  joined: 'Joined',
  renewed: 'Renewed',
  renewal_failed: 'Renewal payment failed',
  retry_failed: 'Payment retry failed',
  reactivated: 'Reactivated after a paid retry',
  lapsed: 'Lapsed after the last retry',
  paused: 'Paused',
  resumed: 'Resumed',
  canceled: 'Canceled',
  not_renewed: 'Ended at the period end (auto-renewal off)',
  auto_renew_off: 'Auto-renewal turned off',
  auto_renew_on: 'Auto-renewal turned on',
  plan_switch_scheduled: 'Plan switch scheduled for the next renewal',
  plan_switch_withdrawn: 'Plan switch withdrawn',
  payment_method_updated: 'Payment method updated',
} as const satisfies Record<HistoryEvent, string>;

const noticeLabels = {
  joined: 'Welcome',
  renewal_reminder: 'Renewal reminder',
  renewed: 'Renewal receipt',
  payment_failed: 'Payment failed',
  lapsed: 'Membership lapsed',
  canceled: 'Membership ended',
} as const satisfies Record<NoticeKind, string>;

const benefitLabels = {
  member_discount: 'Member discount',
  delivery_voucher: 'Next-day delivery voucher',
  earn_multiplier: 'Plus bonus credits',
} as const satisfies Record<BenefitKind, string>;

const actorLabels: Record<string, string> = { member: 'Member', agent: 'Agent', admin: 'Admin', system: 'Renewal run', api_key: 'API' };

/** Plan, state, current period, next renewal with its price, auto-renewal, and the pause or past-due details. */
export function MembershipFacts({ overview, audience }: { overview: MembershipOverview; audience: 'member' | 'agent' }) {
  const sub = overview.subscription;
  if (!sub) return null;
  const open = sub.state === 'active' || sub.state === 'paused' || sub.state === 'past_due';
  return (
    <dl className="facts">
      <div>
        <dt>Plan</dt>
        <dd>
          {planLabel(sub.plan)}
          {sub.nextPlan && sub.nextPlan !== sub.plan && <div className="muted small">Switches to {planLabel(sub.nextPlan)} at the next renewal</div>}
        </dd>
      </div>
      <div>
        <dt>State</dt>
        <dd>
          <MembershipStateBadge state={sub.state} /> {overview.plusActive ? <span className="muted small">benefits on</span> : <span className="muted small">no benefits now</span>}
        </dd>
      </div>
      {open && sub.currentPeriodEndsAt && (
        <div>
          <dt>{sub.state === 'paused' ? 'Paid period (moves out while paused)' : 'Current period ends'}</dt>
          <dd>{formatDate(sub.currentPeriodEndsAt)}</dd>
        </div>
      )}
      <div>
        <dt>Next renewal</dt>
        <dd data-testid="next-renewal">
          {overview.nextRenewal ? (
            <>
              {formatDate(overview.nextRenewal.at)} · {formatMoney(overview.nextRenewal.priceMinor)} ({planLabel(overview.nextRenewal.plan)})
              {sub.state === 'paused' && <div className="muted small">moves out by the time paused</div>}
            </>
          ) : open && !sub.autoRenew ? (
            `None: ${audience === 'member' ? 'your' : 'the'} benefits last until ${formatDate(sub.currentPeriodEndsAt)}`
          ) : (
            'None'
          )}
        </dd>
      </div>
      {open && (
        <div>
          <dt>Auto-renewal</dt>
          <dd>{sub.autoRenew ? 'On' : 'Off'}</dd>
        </div>
      )}
      {sub.state === 'paused' && (
        <div>
          <dt>Paused since</dt>
          <dd>
            {formatDateTime(sub.pausedAt)}
            <div className="muted small">{sub.resumeAt ? `Resumes on ${formatDate(sub.resumeAt)}` : 'Until resumed'}</div>
          </dd>
        </div>
      )}
      {sub.state === 'past_due' && (
        <div>
          <dt>Past due since</dt>
          <dd>
            {formatDateTime(sub.pastDueSince)}
            <div className="muted small">
              {sub.retriesDone} {sub.retriesDone === 1 ? 'retry' : 'retries'} so far{sub.nextRetryAt && `; next try ${formatDateTime(sub.nextRetryAt)}`}
            </div>
          </dd>
        </div>
      )}
      <div>
        <dt>Member since</dt>
        <dd>{formatDate(sub.createdAt)}</dd>
      </div>
      {sub.endedAt && (
        <div>
          <dt>Ended</dt>
          <dd>
            {formatDateTime(sub.endedAt)}
            {sub.endReason && <div className="muted small">{sub.endReason.replaceAll('_', ' ')}</div>}
          </dd>
        </div>
      )}
    </dl>
  );
}

function TableCard({ id, title, caption, empty, isEmpty, children, note }: { id: string; title: string; caption: string; empty: string; isEmpty: boolean; children: ReactNode; note?: ReactNode }) {
  return (
    <section className="card" aria-labelledby={id}>
      <div className="section-header">
        <h2 id={id}>{title}</h2>
        {note && <span className="muted small">{note}</span>}
      </div>
      {isEmpty ? (
        <p className="muted">{empty}</p>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">{caption}</caption>
            {children}
          </table>
        </div>
      )}
    </section>
  );
}

/** Vouchers available and used, and every benefit use with the order it was used on (MB-8). */
export function BenefitsUsed({ overview, orderLink }: { overview: MembershipOverview; orderLink: (orderId: string) => string }) {
  const uses = overview.benefitsUsed;
  const count = (kind: BenefitKind) => uses.filter((use) => use.kind === kind && use.state === 'used').length;
  const ended = overview.subscription?.state === 'canceled' || overview.subscription?.state === 'lapsed';
  return (
    <section className="card" aria-labelledby="membership-benefits-title">
      <h2 id="membership-benefits-title">Benefits used</h2>
      <dl className="stats">
        {ended ? (
          <Stat label="Delivery vouchers left unused" value={overview.vouchers?.available ?? 0}>
            <span className="stat-note">No longer usable: the membership ended</span>
          </Stat>
        ) : (
          <Stat label="Delivery vouchers available" value={overview.vouchers?.available ?? 0} tone="primary">
            <span className="stat-note">
              {!overview.plusActive
                ? 'Usable again once benefits are back on'
                : overview.vouchers?.nextReleaseAt
                  ? `Next one on ${formatDate(overview.vouchers.nextReleaseAt)}`
                  : 'One per month of active membership'}
            </span>
          </Stat>
        )}
        <Stat label="Delivery vouchers used" value={overview.vouchers?.used ?? 0} />
        <Stat label="Member discount uses" value={count('member_discount')} />
        <Stat label="Bonus credit uses" value={count('earn_multiplier')} />
      </dl>
      {uses.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Benefit uses, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Benefit</th>
                <th scope="col">Order</th>
                <th scope="col" className="numeric">
                  Saved or earned
                </th>
              </tr>
            </thead>
            <tbody>
              {uses.map((use) => (
                <tr key={use.id}>
                  <td className="nowrap">{formatDateTime(use.usedAt)}</td>
                  <td>
                    {benefitLabels[use.kind]}
                    {use.state === 'restored' && <div className="muted small">given back (the order was cancelled)</div>}
                  </td>
                  <td>
                    <Link to={orderLink(use.orderId)} className="mono">
                      {use.orderId}
                    </Link>
                  </td>
                  <td className="numeric">{use.kind === 'earn_multiplier' ? `+${formatCredits(use.credits)} credits` : formatMoney(use.amountMinor)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** The emails the membership sent (MB-3's proof of notice): what, when, about which renewal and price. */
export function NoticesTable({ notices, messageLink }: { notices: readonly Notice[]; messageLink?: (messageId: string) => string }) {
  return (
    <TableCard id="membership-notices-title" title="Notices sent" caption="Membership emails, newest first" empty="No membership emails yet." isEmpty={notices.length === 0}>
      <thead>
        <tr>
          <th scope="col">Sent</th>
          <th scope="col">Notice</th>
          <th scope="col">Renewal</th>
          <th scope="col" className="numeric">
            Price
          </th>
        </tr>
      </thead>
      <tbody>
        {notices.map((notice) => (
          <tr key={notice.id}>
            <td className="nowrap">{formatDateTime(notice.createdAt)}</td>
            <td>
              {messageLink && notice.messageId ? <Link to={messageLink(notice.messageId)}>{noticeLabels[notice.kind]}</Link> : noticeLabels[notice.kind]}
              {!notice.sentToMember && <div className="muted small">recorded, not sent (no contact address)</div>}
            </td>
            <td className="nowrap">{notice.renewsAt ? formatDate(notice.renewsAt) : '—'}</td>
            <td className="numeric">{notice.priceMinor === null ? '—' : formatMoney(notice.priceMinor)}</td>
          </tr>
        ))}
      </tbody>
    </TableCard>
  );
}

export function PeriodsTable({ periods }: { periods: readonly Period[] }) {
  return (
    <TableCard id="membership-periods-title" title="Billing periods" caption="Paid periods, oldest first" empty="No paid periods." isEmpty={periods.length === 0}>
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">Plan</th>
          <th scope="col">From</th>
          <th scope="col">To</th>
          <th scope="col">Paid</th>
          <th scope="col" className="numeric">
            Price
          </th>
        </tr>
      </thead>
      <tbody>
        {periods.map((period) => (
          <tr key={period.id}>
            <td>{period.seq + 1}</td>
            <td>{planLabel(period.plan)}</td>
            <td className="nowrap">{formatDateTime(period.startsAt)}</td>
            <td className="nowrap">{formatDateTime(period.endsAt)}</td>
            <td className="nowrap">{formatDateTime(period.paidAt)}</td>
            <td className="numeric">{formatMoney(period.priceMinor)}</td>
          </tr>
        ))}
      </tbody>
    </TableCard>
  );
}

/** Every change of state with the moment it took effect (MB-10), newest first. */
export function MembershipHistory({ history }: { history: readonly MembershipHistoryEntry[] }) {
  return (
    <TableCard
      id="membership-history-title"
      title="Membership history"
      caption="Membership history, newest first"
      empty="No changes yet."
      isEmpty={history.length === 0}
      note="Each change with the moment it took effect."
    >
      <thead>
        <tr>
          <th scope="col">Effective</th>
          <th scope="col">What happened</th>
          <th scope="col">State</th>
          <th scope="col">By</th>
        </tr>
      </thead>
      <tbody>
        {history.map((entry) => (
          <tr key={entry.id}>
            <td className="nowrap">
              {formatDateTime(entry.effectiveAt)}
              {entry.recordedAt !== entry.effectiveAt && <div className="muted small">recorded {formatDateTime(entry.recordedAt)}</div>}
            </td>
            <td>
              {eventLabels[entry.event]}
              <div className="muted small">{planLabel(entry.plan)}</div>
            </td>
            <td>
              {entry.fromState && entry.fromState !== entry.toState && <span className="muted small">{stateLabels[entry.fromState]} → </span>}
              <MembershipStateBadge state={entry.toState} />
            </td>
            <td>{actorLabels[entry.actorRole] ?? entry.actorRole}</td>
          </tr>
        ))}
      </tbody>
    </TableCard>
  );
}

/**
 * The confirmation before canceling (MB-6, MB-7): a modal dialog that says benefits end now and nothing is refunded.
 * The member and the agent see the same facts, in their own words.
 */
export function CancelMembershipDialog({ audience, plan, onConfirm, onClose }: { audience: 'member' | 'agent'; plan: Plan; onConfirm: () => Promise<void>; onClose: () => void }) {
  const dialog = useModalDialog();
  const titleId = useId();
  const form = useForm();
  const your = audience === 'member' ? 'your' : "the member's";
  return (
    <dialog ref={dialog} className="dialog" aria-labelledby={titleId} onCancel={onClose}>
      <form
        className="stack"
        noValidate
        onSubmit={form.handle(async () => {
          await onConfirm();
        })}
      >
        <h2 id={titleId}>{audience === 'member' ? 'Cancel your Plus membership?' : "Cancel this member's Plus membership?"}</h2>
        <ErrorSummary form={form} title="The membership was not canceled" />
        <ul className="stack-small">
          <li>
            <strong>All {your} {planLabel(plan)} benefits end now</strong>: the member discount, delivery vouchers, bonus credits and priority support.
          </li>
          <li>
            <strong>Nothing is refunded</strong>: the fee for the current {periodWord(plan)} is not paid back, in whole or in part.
          </li>
          <li>There will be no more renewals. {audience === 'member' ? 'You can join again at any time as a new membership.' : 'The member can join again as a new membership.'}</li>
        </ul>
        {audience === 'member' && <p className="muted small">To keep your benefits until the end of the paid period instead, turn off auto-renewal.</p>}
        <div className="actions">
          <SubmitButton form={form} busyText="Canceling…" className="button danger">
            Cancel membership now
          </SubmitButton>
          <button type="button" className="button secondary" onClick={onClose} disabled={form.submitting}>
            {audience === 'member' ? 'Keep my membership' : 'Keep the membership'}
          </button>
        </div>
      </form>
    </dialog>
  );
}
