// Credits displays shared by the member center and the console: the balance summary and the history table.
import { useState, type ReactNode } from 'react';
import type { CreditBalance, HistoryEntry, HistoryPage } from '../api/credits.ts';
import { formatCredits, formatDate, formatDateTime } from '../lib/format.ts';
import { ErrorPanel } from './layout.tsx';

/** Every transaction kind of the ledger (src/modules/credits/ledger.rules.ts), in a member's words. */
const kindLabels: Record<string, string> = {
  bonus: 'Bonus',
  earn: 'Earned on an order',
  unlock: 'Credits unlocked',
  expire: 'Credits expired',
  hold: 'Reserved at checkout',
  capture: 'Spent at checkout',
  release: 'Reservation released',
  hold_expired: 'Reservation timed out',
  spend: 'Spent',
  reversal: 'Taken back after a refund',
  restore: 'Given back after a refund',
  adjustment: 'Adjustment by our support team',
  forfeit: 'Forfeited when the account closed',
};

const reasonLabels: Record<string, string> = {
  registration: 'Welcome bonus for joining',
  profile_completion: 'Bonus for completing your profile',
  refund: 'Refund',
  checkout: 'Checkout',
  checkout_cancelled: 'Checkout cancelled',
  hold_timeout: 'Checkout not completed in time',
  redemption: 'Redemption',
  account_closed: 'Account closed',
  goodwill: 'Goodwill gesture',
  service_recovery: 'To make up for a service problem',
  correction: 'Correction',
  missing_credits: 'Credits that were missing',
  fraud: 'Fraud review',
  other: 'Other',
};

export function describeKind(kind: string): string {
  return kindLabels[kind] ?? kind.replaceAll('_', ' ');
}

export function describeReason(entry: Pick<HistoryEntry, 'kind' | 'reason'>): string | null {
  if (entry.reason === entry.kind || ['unlocked', 'expired', 'order'].includes(entry.reason)) return null;
  // "Taken back after a refund" / "Given back" already say why.
  if (entry.reason === 'refund' && (entry.kind === 'reversal' || entry.kind === 'restore')) return null;
  return reasonLabels[entry.reason] ?? entry.reason.replaceAll('_', ' ');
}

export function SignedCredits({ value }: { value: number }) {
  const tone = value > 0 ? 'credit-plus' : value < 0 ? 'credit-minus' : '';
  const text = value > 0 ? `+${formatCredits(value)}` : value < 0 ? `−${formatCredits(-value)}` : '0';
  return <span className={`numeric ${tone}`.trim()}>{text}</span>;
}

/** One figure of a stats list: a term and a grouped integer, with an optional note below. */
export function Stat({ label, value, children, tone }: { label: string; value: number; children?: ReactNode; tone?: 'primary' | 'warning' | 'danger' }) {
  return (
    <div className={`stat ${tone ? `stat-${tone}` : ''}`.trim()}>
      <dt>{label}</dt>
      <dd>
        <span className="stat-value">{formatCredits(value)}</span>
        {children}
      </dd>
    </div>
  );
}

/** Available, pending with unlock dates, held, expiring soon, lifetime earned and debt. */
export function BalanceSummary({ balance, audience }: { balance: CreditBalance; audience: 'member' | 'agent' }) {
  const expiringTotal = balance.expiringSoon.reduce((sum, lot) => sum + lot.credits, 0);
  const you = audience === 'member';
  return (
    <div className="stack balance">
      {balance.closed && (
        <p className="notice" role="status">
          {you ? 'Your account is closed; its credits were forfeited.' : 'This credits account is closed; its credits were forfeited.'}
        </p>
      )}
      {balance.debt > 0 && (
        <p className="notice" role="status">
          {you
            ? `You owe ${formatCredits(balance.debt)} credits after a refund of an order whose credits were already spent. New credits pay this back first.`
            : `The member owes ${formatCredits(balance.debt)} credits (a refund reversed credits that were already spent). New credits pay the debt first.`}
        </p>
      )}
      <dl className="stats">
        <Stat label="Available to spend" value={balance.available} tone="primary">
          <span className="stat-note">{balance.spendable !== balance.available ? `${formatCredits(balance.spendable)} spendable before debt` : 'Ready to use at checkout'}</span>
        </Stat>
        <Stat label="Pending" value={balance.pendingTotal}>
          {balance.pending.length === 0 ? (
            <span className="stat-note">Nothing waiting to unlock</span>
          ) : (
            <ul className="stat-list" aria-label="Pending credits by unlock date">
              {balance.pending.map((lot) => (
                <li key={lot.unlockAt}>
                  {formatCredits(lot.credits)} unlock {formatDate(lot.unlockAt)}
                </li>
              ))}
            </ul>
          )}
        </Stat>
        <Stat label="Held at checkout" value={balance.held}>
          <span className="stat-note">{balance.held > 0 ? 'Reserved for an order in progress' : 'Nothing reserved'}</span>
        </Stat>
        <Stat label="Expiring soon" value={expiringTotal} tone={expiringTotal > 0 ? 'warning' : undefined}>
          {balance.expiringSoon.length === 0 ? (
            <span className="stat-note">Nothing expires soon</span>
          ) : (
            <ul className="stat-list" aria-label="Credits expiring soon by date">
              {balance.expiringSoon.map((lot) => (
                <li key={lot.expiresAt}>
                  {formatCredits(lot.credits)} expire {formatDate(lot.expiresAt)}
                </li>
              ))}
            </ul>
          )}
        </Stat>
        <Stat label="Earned in total" value={balance.lifetimeEarned}>
          <span className="stat-note">Since {you ? 'you joined' : 'the account opened'}</span>
        </Stat>
        <Stat label="Owed" value={balance.debt} tone={balance.debt > 0 ? 'danger' : undefined}>
          <span className="stat-note">{balance.debt > 0 ? 'Paid back from new credits' : 'No debt'}</span>
        </Stat>
      </dl>
      <p className="muted small">
        As of {formatDateTime(balance.asOf)} · program rules version {balance.policyVersion}
      </p>
    </div>
  );
}

/**
 * A newest-first history with "show older" paging by cursor. The first page is loaded by the caller (so it can
 * reload it after a change); older pages are appended here.
 */
export function usePagedHistory<E>(firstPage: HistoryPage<E> | undefined, loadOlder: (cursor: string) => Promise<HistoryPage<E>>) {
  const [older, setOlder] = useState<{ base: HistoryPage<E> | undefined; entries: E[]; cursor: string | null | undefined }>({
    base: firstPage,
    entries: [],
    cursor: undefined,
  });
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  // A reloaded first page starts the list again.
  const current = older.base === firstPage ? older : { base: firstPage, entries: [] as E[], cursor: undefined };
  const entries = [...(firstPage?.entries ?? []), ...current.entries];
  const cursor = current.cursor === undefined ? firstPage?.nextCursor : current.cursor;

  const more = () => {
    if (!cursor) return;
    setLoading(true);
    setError(undefined);
    loadOlder(cursor)
      .then((page) => setOlder({ base: firstPage, entries: [...current.entries, ...page.entries], cursor: page.nextCursor }), setError)
      .finally(() => setLoading(false));
  };

  const footer =
    error !== undefined ? (
      <ErrorPanel error={error} onRetry={more} />
    ) : cursor ? (
      <div className="actions">
        <button type="button" className="button secondary" disabled={loading} onClick={more}>
          {loading ? 'Loading…' : 'Show older entries'}
        </button>
      </div>
    ) : null;

  return { entries, footer };
}
