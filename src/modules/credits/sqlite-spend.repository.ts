// SQLite spend groups (issue 12, PF-2): a group commit's spends written in one write transaction by prepared
// statements on the raw connection, synchronously, as sqlite-append.repository.ts does for appends and migration
// 0424's credits_spend_group does on PostgreSQL. Per spend, in order, the same rules as the general path's spendFifo
// (CR-11, CR-13): a used idempotency key answers `replay`; no account, a closed one, a time event due or another
// policy version answers `fallback` (the general path decides: its refusal, its error, or the due events first);
// fewer spendable credits than asked — counted from the lots, as the rules count them — answers `insufficient`;
// otherwise the available lots are consumed soonest-expiring first, the transaction (with its postings) is inserted
// and the account updated. Every refusal is decided by reads before the spend's first write, so no savepoint is
// needed; an unexpected failure rolls the group back and group-commit.ts re-runs its spends one per group.
import type { Executor } from '../../db/database.ts';
import type { RawSqlite } from '../../db/sqlite-raw.ts';
import { assert } from '../../platform/assert.ts';
import { appendColumns, materializeDeferredLots, type FastAnswer } from './ledger.repository.ts';
import { groupSql, inSqliteGroup, insertText, values, type AccountWithKey } from './sqlite-append.repository.ts';

function lotsText(table: string): string {
  return `select id, remaining, held from ${table} where member_id = ? and (state = 'available' or (state = 'pending' and unlock_at_ms <= ?))
    and remaining > held and expires_at_ms > ? order by expires_at_ms, created_at_ms, id`;
}

const sql = {
  ...groupSql,
  // spendableLots and fifoOrder of ledger.rules.ts, over the lots effectiveLotState reads as available: from the lot
  // rows, and from the deferred lots too when the account marks some (migration 0429).
  lots: lotsText('credit_lots'),
  lotsWithDeferred: lotsText('credit_lots_all'),
  // The lot's state follows its amounts (touchLot): an available lot spent to nothing is depleted; one still stored as
  // pending after its unlock is written as the available lot it is, as the general path writes it.
  lot: `update credit_lots set remaining = ?, state = case when ? = 0 then 'depleted' else 'available' end where member_id = ? and id = ?`,
  transaction: insertText('credit_transactions', appendColumns.transaction),
  // As credits_spend: the next due time stays a lower bound (a depleted lot's expiry no longer comes; the sweep finds that).
  updateAccount: 'update credit_accounts set version = ?, available = ?, updated_at_ms = max(updated_at_ms, ?) where member_id = ?',
};

type Payload = Record<string, unknown>;

/** One group of spends (spend.service.ts spendPayload) in one write transaction; answers one per payload, in order. */
export function sqliteSpendGroup(db: Executor, payloads: readonly Payload[]): Promise<FastAnswer[]> {
  return inSqliteGroup(db, payloads, spendOne);
}

function spendOne(raw: RawSqlite, p: Payload, pv: number | null): FastAnswer {
  const memberId = p.memberId as string;
  const nowMs = p.nowMs as number;
  const credits = p.credits as number;
  const account = raw.statement(sql.account).get(p.idemScope as string, p.idemKey as string, memberId) as AccountWithKey | undefined;
  if (account && account.idem_hash !== null) return { status: 'replay', requestHash: account.idem_hash, result: account.idem_result };
  if (!account || account.state !== 'open' || p.policyVersion !== pv) return { status: 'fallback' };
  if (account.next_due_at_ms !== null && account.next_due_at_ms <= nowMs) return { status: 'fallback' };
  const deferred = account.deferred_from_version != null;
  const lots = raw.statement(deferred ? sql.lotsWithDeferred : sql.lots).all(memberId, account.unlocked_through_ms, nowMs) as { id: string; remaining: number; held: number }[];
  const spendable = lots.reduce((sum, lot) => sum + lot.remaining - lot.held, 0);
  if (spendable < credits) return { status: 'insufficient', available: spendable };

  const postings: [string, string, null, number][] = [];
  const taken: { lotId: string; credits: number }[] = [];
  // A lot still in its transaction row (migration 0429) gets its row first, with the member's other such lots.
  if (deferred) materializeDeferredLots(raw, memberId);
  const lotUpdate = raw.statement(sql.lot);
  let left = credits;
  for (const lot of lots) {
    if (left === 0) break;
    const take = Math.min(left, lot.remaining - lot.held);
    lotUpdate.run(lot.remaining - take, lot.remaining - take, memberId, lot.id);
    postings.push(['available', lot.id, null, -take], ['program:spent', lot.id, null, take]);
    taken.push({ lotId: lot.id, credits: take });
    left -= take;
  }
  const version = account.version + 1;
  const available = account.available - credits;
  const transactionId = p.transactionId as string;
  const orderId = (p.orderId as string | null) ?? null;
  const result = JSON.stringify({ transactionId, memberId, credits, orderId, lots: taken });
  const tx: Payload = {
    member_id: memberId, version, id: transactionId, kind: 'spend', reason: p.reason, idem_scope: p.idemScope, idem_key: p.idemKey, request_hash: p.requestHash,
    policy_version: pv, at_ms: nowMs, recorded_at_ms: nowMs, credits: -credits, available_after: available, pending_after: account.pending, held_after: account.held,
    debt_after: account.debt, lifetime_after: account.lifetime_earned, order_id: orderId, result, postings: JSON.stringify(postings),
  };
  raw.statement(sql.transaction).run(...values(tx, appendColumns.transaction));
  const changed = raw.statement(sql.updateAccount).run(version, available, nowMs, memberId).changes;
  assert(Number(changed) === 1, 'the account of a spend exists');
  return { status: 'applied', result };
}
