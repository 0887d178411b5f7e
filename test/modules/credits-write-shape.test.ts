// What a ledger write leaves out (ledger.repository.ts asRead): a lot whose state and warning mark are as read is
// written with its amounts only, an account whose next-due time is as read without it (SQLite rewrites every index an
// UPDATE assigns, changed or not). The mark lives on the object, invisible to spreads, JSON and equality.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collectWrites, nextDueUnchanged, onlyAmountsChanged, readLot, toAccount, toLot } from '../../src/modules/credits/ledger.repository.ts';
import { forfeitOnBook, newBook, openTransaction } from '../../src/modules/credits/ledger.rules.ts';
import type { CreditAccountRow, CreditLotRow } from '../../src/modules/credits/ledger.table.ts';

const lotRow: CreditLotRow = {
  id: 'lot_1', member_id: 'mem_1', source: 'order', state: 'available', original: 100, remaining: 100, held: 0, reversed: 0, qualifying_minor: 5000,
  refunded_qualifying_minor: 0, unlock_at_ms: 1_000, expires_at_ms: 9_000, order_id: 'ord_1', order_line_id: 'oln_1', transaction_id: 'ctx_1',
  policy_version: 1, warned_at_ms: null, created_at_ms: 500,
};
const accountRow: CreditAccountRow = {
  member_id: 'mem_1', state: 'open', version: 3, available: 100, pending: 0, held: 0, debt: 0, lifetime_earned: 100, next_due_at_ms: 9_000, unlocked_through_ms: null, created_at_ms: 1, updated_at_ms: 2,
};

test('a lot whose amounts alone changed is written amounts-only; a state or warning change writes it whole', () => {
  const spent = toLot(lotRow, null);
  spent.remaining = 40;
  assert.equal(onlyAmountsChanged(spent), true);

  const depleted = toLot(lotRow, null);
  depleted.remaining = 0;
  depleted.state = 'depleted';
  assert.equal(onlyAmountsChanged(depleted), false);

  const warned = toLot(lotRow, null);
  warned.warnedAtMs = 8_000;
  assert.equal(onlyAmountsChanged(warned), false);

  // Read for a replay, or built by the rules: nothing says what the row holds, so it is written whole.
  assert.equal(onlyAmountsChanged(readLot(lotRow)), false);
  assert.equal(onlyAmountsChanged({ ...toLot(lotRow, null) }), false);
});

test('an account whose next-due time is as read is written without it, including a null one', () => {
  const account = toAccount(accountRow);
  account.available = 60;
  assert.equal(nextDueUnchanged(account), true);
  account.nextDueAtMs = 7_000;
  assert.equal(nextDueUnchanged(account), false);

  const none = toAccount({ ...accountRow, next_due_at_ms: null });
  assert.equal(nextDueUnchanged(none), true);
  none.nextDueAtMs = 7_000;
  assert.equal(nextDueUnchanged(none), false);
  // An account nothing was read for (a new one) carries no mark, not even a null one.
  assert.equal(nextDueUnchanged({ ...toAccount(accountRow), nextDueAtMs: null }), false);
});

test('PF-8 a lot stored as pending reads as available once the account is unlocked through its unlock; an unlock alone writes nothing to the lot', () => {
  const pendingRow: CreditLotRow = { ...lotRow, state: 'pending' };
  assert.equal(toLot(pendingRow, null).state, 'pending');
  assert.equal(toLot(pendingRow, 999).state, 'pending');
  assert.equal(toLot(pendingRow, 1_000).state, 'available');
  assert.equal(toLot({ ...lotRow, state: 'expired' }, 5_000).state, 'expired');

  const changedLots = (change: (lot: ReturnType<typeof toLot>) => void) => {
    const lot = toLot(pendingRow, null);
    lot.state = 'available';
    change(lot);
    const book = newBook(toAccount({ ...accountRow, unlocked_through_ms: 2_000 }), [lot], [], true);
    book.changedLots.add(lot.id);
    return collectWrites([book]).changedLots.map((l) => l.id);
  };
  assert.deepEqual(changedLots(() => {}), [], 'the unlock alone: the account says it');
  assert.deepEqual(changedLots((lot) => (lot.remaining = 60)), ['lot_1'], 'unlocked and spent from');
  assert.deepEqual(changedLots((lot) => (lot.warnedAtMs = 1_500)), ['lot_1'], 'unlocked and warned');
  assert.deepEqual(changedLots((lot) => (lot.unlockAtMs = 3_000)), ['lot_1'], 'an unlock the account does not cover yet');
});

test('the mark is invisible: a read lot equals its plain copy, and spreads and JSON leave it out', () => {
  const lot = toLot(lotRow, null);
  assert.deepEqual(lot, readLot(lotRow));
  assert.deepEqual(Object.keys(lot), Object.keys(readLot(lotRow)));
  assert.equal(JSON.stringify(lot), JSON.stringify(readLot(lotRow)));
  assert.deepEqual(Object.getOwnPropertySymbols({ ...lot }), []);
});

test('CR-22 a closing posts the lots in FIFO order whatever order the book read them in (PostgreSQL answers rows in no set order)', () => {
  const rows: CreditLotRow[] = [
    { ...lotRow, id: 'lot_1', state: 'pending', unlock_at_ms: 20_000, expires_at_ms: 40_000 },
    { ...lotRow, id: 'lot_2', expires_at_ms: 9_000 },
    { ...lotRow, id: 'lot_3', expires_at_ms: 7_000, created_at_ms: 600 },
    { ...lotRow, id: 'lot_4', expires_at_ms: 7_000, created_at_ms: 400 },
  ];
  const close = (order: CreditLotRow[]) => {
    const book = newBook(toAccount({ ...accountRow, available: 300, pending: 100 }), order.map((row) => toLot(row, null)), [], true);
    const tx = openTransaction(book, { nowMs: 8_000, policyVersion: 1, newId: (prefix) => `${prefix}_1` }, { kind: 'forfeit', reason: 'closed', idemScope: 'test', idemKey: 'close', requestHash: '', atMs: 8_000 });
    forfeitOnBook(book, tx);
    return tx.postings.map((p) => p.lotId);
  };
  const expected = ['lot_4', 'lot_4', 'lot_3', 'lot_3', 'lot_2', 'lot_2', 'lot_1', 'lot_1'];
  assert.deepEqual(close(rows), expected);
  assert.deepEqual(close([...rows].reverse()), expected);
  assert.deepEqual(close([rows[2]!, rows[0]!, rows[3]!, rows[1]!]), expected);
});
