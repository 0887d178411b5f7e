// Random operation sequences against a small, independent in-memory model of the ledger (fast-check), on each
// database. Each sequence uses a fresh member on one shared database; PATRON_PROPERTY_RUNS raises the count.
// Invariants: double entry, cached = postings = lots, 0 ≤ held ≤ remaining ≤ original, gap-free versions (the
// per-member auditor); no double spend, FIFO, lifecycle, holds, reversal bounds, idempotency (the model); point in
// time = replay; immutability of recorded transactions; global conservation (the full auditor at the end).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { AppError } from '../../src/platform/errors.ts';
import {
  adjustCredits, auditCreditsLedger, captureHold, computeOrderEarnings, cumulativeReversalTarget, defaultPolicySettings, earnForOrder, getBalance,
  getBalanceAt, getHistory, grantBonus, placeHold, releaseHold, restoreSpend, reverseForRefund, runCreditsSweep, spendCredits, type CreditBalance,
  type HistoryEntry,
} from '../../src/modules/credits/index.ts';
import type { Ctx } from '../../src/deps.ts';
import { createTestDeps, ledgerOnlyMembers, type TestDeps } from '../support/deps.ts';
import { testDialects } from '../support/databases.ts';
import { DAY_MS, MINUTE_MS } from './credits-fixtures.ts';

const runs = Number(process.env.PATRON_PROPERTY_RUNS ?? 1000);
const policy = defaultPolicySettings;

// ---------------------------------------------------------------------------------------------------------------
// The model: lots with their buckets, holds, debt; written from the rules, independently of ledger.rules.ts.

interface MLot {
  id: string;
  createdAt: number;
  unlockAt: number;
  expiresAt: number;
  pending: number;
  avail: number;
  held: number;
  expired: boolean;
  original: number;
  reversed: number;
  refunded: number;
  qualifying: number;
}

interface MHold {
  id: string;
  orderId: string;
  expiresAt: number;
  active: boolean;
  lots: Map<string, number>;
}

class Model {
  now: number;
  lots = new Map<string, MLot>();
  holds = new Map<string, MHold>();
  debt = 0;
  lifetime = 0;
  bonuses = new Set<string>();
  lines = new Map<string, string | null>();
  /** orderId → lot → credits spent and not yet restored. */
  spentByOrder = new Map<string, Map<string, number>>();

  constructor(now: number) {
    this.now = now;
  }

  fifo(a: MLot, b: MLot): number {
    return a.expiresAt - b.expiresAt || a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  }

  spendableLots(at: number): MLot[] {
    return [...this.lots.values()].filter((l) => l.pending === 0 && !l.expired && l.avail > 0 && l.expiresAt > at).sort((a, b) => this.fifo(a, b));
  }

  spendable(at = this.now): number {
    return this.spendableLots(at).reduce((s, l) => s + l.avail, 0);
  }

  settle(at: number): void {
    for (const lot of this.spendableLots(at)) {
      if (this.debt === 0) return;
      const take = Math.min(this.debt, lot.avail);
      lot.avail -= take;
      this.debt -= take;
    }
  }

  release(hold: MHold, at: number): number {
    let released = 0;
    for (const [lotId, amount] of hold.lots) {
      const lot = this.lots.get(lotId)!;
      lot.held -= amount;
      released += amount;
      if (lot.expiresAt > at) lot.avail += amount;
      hold.lots.set(lotId, 0);
    }
    hold.active = false;
    return released;
  }

  /** Time events due by `to`, in time order: unlocks, then hold timeouts, then expiries. */
  advance(to: number): void {
    const events: { at: number; rank: number; id: string }[] = [];
    for (const lot of this.lots.values()) {
      if (lot.pending > 0 && lot.unlockAt <= to) events.push({ at: lot.unlockAt, rank: 0, id: lot.id });
      if (!lot.expired && lot.expiresAt <= to) events.push({ at: lot.expiresAt, rank: 2, id: lot.id });
    }
    for (const hold of this.holds.values()) if (hold.active && hold.expiresAt <= to) events.push({ at: hold.expiresAt, rank: 1, id: hold.id });
    events.sort((a, b) => a.at - b.at || a.rank - b.rank || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const event of events) {
      if (event.rank === 0) {
        const lot = this.lots.get(event.id)!;
        lot.avail += lot.pending;
        lot.pending = 0;
        this.settle(event.at);
      } else if (event.rank === 1) {
        this.release(this.holds.get(event.id)!, event.at);
        this.settle(event.at);
      } else {
        const lot = this.lots.get(event.id)!;
        if (lot.pending > 0) continue;
        lot.avail = 0;
        lot.expired = true;
      }
    }
    this.now = to;
  }

  addLot(id: string, credits: number, unlockAt: number, qualifying: number): void {
    const pending = unlockAt > this.now;
    this.lots.set(id, {
      id, createdAt: this.now, unlockAt, expiresAt: unlockAt + policy.lifetimeMs, pending: pending ? credits : 0, avail: pending ? 0 : credits, held: 0,
      expired: false, original: credits, reversed: 0, refunded: 0, qualifying,
    });
    if (!pending) this.settle(this.now);
  }

  consume(credits: number): { lotId: string; credits: number }[] {
    const taken: { lotId: string; credits: number }[] = [];
    let left = credits;
    for (const lot of this.spendableLots(this.now)) {
      if (left === 0) break;
      const take = Math.min(left, lot.avail);
      lot.avail -= take;
      left -= take;
      taken.push({ lotId: lot.id, credits: take });
    }
    return taken;
  }

  view() {
    let pending = 0;
    let held = 0;
    for (const lot of this.lots.values()) {
      pending += lot.pending;
      held += lot.held;
    }
    const spendable = this.spendable();
    return { spendable, available: spendable - this.debt, pendingTotal: pending, held, debt: this.debt, lifetimeEarned: this.lifetime };
  }

  nextEventAfterNow(): number | undefined {
    const times: number[] = [];
    for (const lot of this.lots.values()) {
      if (lot.pending > 0) times.push(lot.unlockAt);
      if (!lot.expired && (lot.avail > 0 || lot.held > 0 || lot.pending > 0)) times.push(lot.expiresAt);
    }
    for (const hold of this.holds.values()) if (hold.active) times.push(hold.expiresAt);
    const future = times.filter((t) => t > this.now);
    return future.length ? Math.min(...future) : undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Commands

type Command =
  | { kind: 'bonus'; which: 'registration' | 'profile_completion' }
  | { kind: 'earn'; lines: { qualifyingMinor: number; plusBonus: boolean; earnsCredits: boolean }[]; plusActive: boolean; paidAgo: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'toEvent'; offset: -1 | 0 | 1 }
  | { kind: 'spend'; percent: number }
  | { kind: 'hold'; percent: number }
  | { kind: 'capture'; pick: number; percent: number }
  | { kind: 'release'; pick: number }
  | { kind: 'refund'; pick: number; percent: number }
  | { kind: 'restore'; pick: number; percent: number }
  | { kind: 'adjust'; up: boolean; amount: number }
  | { kind: 'replay'; pick: number }
  | { kind: 'conflict'; pick: number }
  | { kind: 'sweep' };

const command: fc.Arbitrary<Command> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('bonus' as const), which: fc.constantFrom('registration' as const, 'profile_completion' as const) }), weight: 2 },
  {
    arbitrary: fc.record({
      kind: fc.constant('earn' as const),
      lines: fc.array(fc.record({ qualifyingMinor: fc.integer({ min: 0, max: 40_000 }), plusBonus: fc.boolean(), earnsCredits: fc.integer({ min: 0, max: 99 }).map((n) => n < 85) }), { minLength: 1, maxLength: 3 }),
      plusActive: fc.boolean(),
      paidAgo: fc.constantFrom(0, 0, 10 * DAY_MS, 30 * DAY_MS, 31 * DAY_MS),
    }),
    weight: 4,
  },
  { arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.constantFrom(MINUTE_MS, 29 * MINUTE_MS, 31 * MINUTE_MS, DAY_MS, 29 * DAY_MS, 31 * DAY_MS, 200 * DAY_MS, 366 * DAY_MS) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('toEvent' as const), offset: fc.constantFrom(-1 as const, 0 as const, 1 as const) }), weight: 2 },
  // Amounts relative to what is spendable (above 100 % must fail), so that most attempts have something to work on.
  { arbitrary: fc.record({ kind: fc.constant('spend' as const), percent: fc.integer({ min: 1, max: 115 }) }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('hold' as const), percent: fc.integer({ min: 1, max: 115 }) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('capture' as const), pick: fc.nat(), percent: fc.integer({ min: 1, max: 100 }) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('refund' as const), pick: fc.nat(), percent: fc.integer({ min: 0, max: 100 }) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('restore' as const), pick: fc.nat(), percent: fc.integer({ min: 1, max: 110 }) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('adjust' as const), up: fc.boolean(), amount: fc.integer({ min: 1, max: 300 }) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('replay' as const), pick: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('conflict' as const), pick: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('sweep' as const) }), weight: 1 },
);

// Most sequences start with something to spend: the registration bonus, and an order that has unlocked.
const starts: Command[][] = [
  [],
  [{ kind: 'bonus', which: 'registration' }],
  [{ kind: 'bonus', which: 'registration' }, { kind: 'earn', lines: [{ qualifyingMinor: 31_000, plusBonus: false, earnsCredits: true }, { qualifyingMinor: 12_345, plusBonus: true, earnsCredits: true }], plusActive: true, paidAgo: 0 }, { kind: 'toEvent', offset: 0 }],
  [{ kind: 'earn', lines: [{ qualifyingMinor: 20_000, plusBonus: false, earnsCredits: true }], plusActive: false, paidAgo: 31 * DAY_MS }],
];
const sequenceOf = fc.tuple(fc.constantFrom(...starts), fc.array(command, { minLength: 1, maxLength: 8 })).map(([start, rest]) => [...start, ...rest]);

const isCode = (error: unknown, code: string) => error instanceof AppError && error.code === code;

interface Done {
  call: () => Promise<unknown>;
  altered?: () => Promise<unknown>;
  result: unknown;
}

async function expectError(promise: Promise<unknown>, code: string, what: string): Promise<void> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isCode(error, code), `${what}: expected ${code}, got ${String(error)}`);
    return;
  }
  assert.fail(`${what}: expected ${code}, but it succeeded`);
}

async function runSequence(deps: TestDeps, commands: Command[], sequence: number): Promise<void> {
  const ctx: Ctx = deps;
  const memberId = deps.ids.next('mem');
  const model = new Model(deps.clock.nowMs());
  const done: Done[] = [];
  const looks: CreditBalance[] = [];
  let historyMid: HistoryEntry[] | undefined;
  let n = 0;
  const key = (what: string) => `${what}-${sequence}-${++n}`;
  const lineIds: string[] = [];
  const orderIds: string[] = [];
  const holdIds: string[] = [];

  const check = async (label: string) => {
    const real = await getBalance(ctx, memberId);
    const expected = model.view();
    assert.deepEqual(
      { spendable: real.spendable, available: real.available, pendingTotal: real.pendingTotal, held: real.held, debt: real.debt, lifetimeEarned: real.lifetimeEarned },
      expected,
      `after ${label}`,
    );
  };

  // Operations issued concurrently (group commit, issue 12): before each command, in the same turn of the event loop,
  // an operation on a second member joins the same group: a +1 adjustment, or (every third) a spend that must fail.
  // Whether the command succeeds or fails, the other operation's outcome is its own (savepoint per operation).
  const other = `${memberId}-other`;
  const otherOps: Promise<unknown>[] = [];
  const otherSpends: Promise<unknown>[] = [];
  for (const [index, cmd] of commands.entries()) {
    const label = `${index}:${JSON.stringify(cmd)}`;
    if (index % 3 === 2) otherSpends.push(spendCredits(ctx, { memberId: other, credits: 1_000_000_000, idempotencyKey: key('other-spend') }).then(() => 'spent', (error: unknown) => (isCode(error, 'insufficient_credits') ? 'refused' : error)));
    else otherOps.push(adjustCredits(ctx, { memberId: other, credits: 1, reasonCode: 'correction', note: 'concurrent', actor: { id: 'mem_agent', role: 'agent' }, idempotencyKey: key('other-adjust') }));
    switch (cmd.kind) {
      case 'bonus': {
        const call = () => grantBonus(ctx, { memberId, kind: cmd.which });
        model.advance(deps.clock.nowMs());
        const result = await call();
        if (!model.bonuses.has(cmd.which)) {
          model.bonuses.add(cmd.which);
          const credits = cmd.which === 'registration' ? policy.registrationBonusCredits : policy.profileBonusCredits;
          model.lifetime += credits;
          model.addLot(result.lotId!, credits, model.now, 0);
        }
        done.push({ call, result });
        break;
      }
      case 'earn': {
        const orderId = key('ord');
        const lines = cmd.lines.map((l, i) => ({ lineId: `${orderId}-${i}`, ...l }));
        const input = { memberId, orderId, paidAtMs: deps.clock.nowMs() - cmd.paidAgo, plusActive: cmd.plusActive, lines };
        const call = () => earnForOrder(ctx, input);
        model.advance(deps.clock.nowMs());
        const result = await call();
        const expected = computeOrderEarnings(policy, lines, cmd.plusActive);
        assert.equal(result.credits, expected.total, label);
        model.lifetime += expected.total;
        for (const [i, line] of result.lines.entries()) {
          assert.equal(line.credits, expected.lines[i]!.credits, label);
          model.lines.set(line.lineId, line.lotId);
          lineIds.push(line.lineId);
          if (line.lotId) model.addLot(line.lotId, line.credits, input.paidAtMs + policy.pendingPeriodMs, expected.lines[i]!.qualifyingMinor);
        }
        done.push({ call, result, altered: () => earnForOrder(ctx, { ...input, plusActive: !input.plusActive }) });
        break;
      }
      case 'advance':
      case 'toEvent': {
        let to = deps.clock.nowMs() + (cmd.kind === 'advance' ? cmd.ms : 0);
        if (cmd.kind === 'toEvent') {
          const next = model.nextEventAfterNow();
          if (next === undefined) break;
          to = Math.max(deps.clock.nowMs() + 1, next + cmd.offset);
        }
        // The last state at this moment, before time moves on: what a point-in-time read must reproduce.
        looks.push(await getBalance(ctx, memberId));
        deps.clock.setMs(to);
        model.advance(to);
        break;
      }
      case 'spend': {
        model.advance(deps.clock.nowMs());
        const credits = Math.max(1, Math.floor((model.spendable() * cmd.percent) / 100));
        const orderId = key('sp');
        const input = { memberId, credits, orderId, idempotencyKey: key('spend') };
        const call = () => spendCredits(ctx, input);
        if (model.spendable() < credits) {
          await expectError(call(), 'insufficient_credits', label);
          break;
        }
        const result = await call();
        const taken = model.consume(credits);
        assert.deepEqual(result.lots, taken, `${label}: FIFO`);
        model.spentByOrder.set(orderId, new Map(taken.map((t) => [t.lotId, t.credits])));
        orderIds.push(orderId);
        done.push({ call, result, altered: () => spendCredits(ctx, { ...input, credits: input.credits + 1 }) });
        break;
      }
      case 'hold': {
        model.advance(deps.clock.nowMs());
        const credits = Math.max(1, Math.floor((model.spendable() * cmd.percent) / 100));
        const orderId = key('ho');
        const input = { memberId, credits, orderId, idempotencyKey: key('hold') };
        const call = () => placeHold(ctx, input);
        if (model.spendable() < credits) {
          await expectError(call(), 'insufficient_credits', label);
          break;
        }
        const result = await call();
        const taken = model.consume(credits);
        for (const t of taken) model.lots.get(t.lotId)!.held += t.credits;
        model.holds.set(result.holdId, { id: result.holdId, orderId, expiresAt: model.now + policy.holdTimeoutMs, active: true, lots: new Map(taken.map((t) => [t.lotId, t.credits])) });
        holdIds.push(result.holdId);
        done.push({ call, result, altered: () => placeHold(ctx, { ...input, credits: input.credits + 1 }) });
        break;
      }
      case 'capture':
      case 'release': {
        if (holdIds.length === 0) break;
        const holdId = holdIds[cmd.pick % holdIds.length]!;
        const hold = model.holds.get(holdId)!;
        model.advance(deps.clock.nowMs());
        const heldNow = [...hold.lots.values()].reduce((s, a) => s + a, 0);
        if (cmd.kind === 'release') {
          const input = { memberId, holdId, idempotencyKey: key('release') };
          const call = () => releaseHold(ctx, input);
          if (!hold.active) {
            await expectError(call(), 'invalid_state', label);
            break;
          }
          const result = await call();
          assert.equal(result.released, heldNow, label);
          model.release(hold, model.now);
          model.settle(model.now);
          done.push({ call, result });
          break;
        }
        const credits = Math.max(1, Math.floor((heldNow * cmd.percent) / 100));
        const input = { memberId, holdId, credits, idempotencyKey: key('capture') };
        const call = () => captureHold(ctx, input);
        if (!hold.active) {
          await expectError(call(), 'invalid_state', label);
          break;
        }
        const result = await call();
        assert.deepEqual({ captured: result.captured, released: result.released }, { captured: credits, released: heldNow - credits }, label);
        let left = credits;
        const spent = new Map<string, number>();
        const order = [...hold.lots.keys()].map((id) => model.lots.get(id)!).sort((a, b) => model.fifo(a, b));
        for (const lot of order) {
          const take = Math.min(left, hold.lots.get(lot.id)!);
          lot.held -= take;
          hold.lots.set(lot.id, hold.lots.get(lot.id)! - take);
          left -= take;
          if (take > 0) spent.set(lot.id, take);
        }
        model.release(hold, model.now);
        model.settle(model.now);
        model.spentByOrder.set(hold.orderId, spent);
        orderIds.push(hold.orderId);
        done.push({ call, result, altered: () => captureHold(ctx, { ...input, credits: credits === 1 ? 2 : credits - 1 }) });
        break;
      }
      case 'refund': {
        if (lineIds.length === 0) break;
        const lineId = lineIds[cmd.pick % lineIds.length]!;
        const lotId = model.lines.get(lineId) ?? null;
        const lot = lotId ? model.lots.get(lotId)! : undefined;
        const qualifying = lot?.qualifying ?? 1000;
        const part = Math.floor((qualifying * cmd.percent) / 100);
        const input = { memberId, orderLineId: lineId, refundedQualifyingMinor: part, lineQualifyingMinor: qualifying, idempotencyKey: key('refund') };
        const call = () => reverseForRefund(ctx, input);
        model.advance(deps.clock.nowMs());
        const result = await call();
        let delta = 0;
        if (lot) {
          const cumulative = Math.min(qualifying, lot.refunded + part);
          delta = Math.max(0, cumulativeReversalTarget(lot.original, qualifying, cumulative) - lot.reversed);
          lot.refunded = cumulative;
          let left = delta;
          if (lot.pending > 0) {
            const take = Math.min(left, lot.pending);
            lot.pending -= take;
            left -= take;
          } else if (!lot.expired && lot.expiresAt > model.now) {
            const take = Math.min(left, lot.avail);
            lot.avail -= take;
            left -= take;
          }
          left -= model.consume(left).reduce((s, t) => s + t.credits, 0);
          model.debt += left;
          lot.reversed += delta;
          assert.ok(lot.reversed <= lot.original, `${label}: reversal bound`);
          model.lifetime = Math.max(0, model.lifetime - delta);
        }
        assert.equal(result.reversedCredits, delta, label);
        done.push({ call, result, altered: () => reverseForRefund(ctx, { ...input, refundedQualifyingMinor: part + 1 }) });
        break;
      }
      case 'restore': {
        if (orderIds.length === 0) break;
        const orderId = orderIds[cmd.pick % orderIds.length]!;
        const spent = model.spentByOrder.get(orderId)!;
        const restorable = [...spent.values()].reduce((s, a) => s + a, 0);
        const credits = Math.max(1, Math.floor((restorable * cmd.percent) / 100));
        const input = { memberId, orderId, credits, idempotencyKey: key('restore') };
        const call = () => restoreSpend(ctx, input);
        model.advance(deps.clock.nowMs());
        if (credits > restorable) {
          await expectError(call(), 'invalid_state', label);
          break;
        }
        const result = await call();
        let left = credits;
        const lots = [...spent.keys()].map((id) => model.lots.get(id)!).sort((a, b) => model.fifo(b, a));
        const expected: { lotId: string; restored: number; expired: number }[] = [];
        for (const lot of lots) {
          if (left === 0) break;
          const take = Math.min(left, spent.get(lot.id)!);
          if (take === 0) continue;
          spent.set(lot.id, spent.get(lot.id)! - take);
          left -= take;
          if (lot.expiresAt <= model.now) expected.push({ lotId: lot.id, restored: 0, expired: take });
          else {
            lot.avail += take;
            expected.push({ lotId: lot.id, restored: take, expired: 0 });
          }
        }
        model.settle(model.now);
        assert.deepEqual(result.lots, expected, label);
        done.push({ call, result, altered: () => restoreSpend(ctx, { ...input, credits: input.credits + 1 }) });
        break;
      }
      case 'adjust': {
        model.advance(deps.clock.nowMs());
        const credits = cmd.up ? cmd.amount : -Math.max(1, Math.floor((model.spendable() * Math.min(cmd.amount, 110)) / 100));
        const input = { memberId, credits, reasonCode: 'correction' as const, note: 'property test', actor: { id: 'mem_agent', role: 'agent' as const }, idempotencyKey: key('adjust') };
        const call = () => adjustCredits(ctx, input);
        if (credits < 0 && model.spendable() < -credits) {
          await expectError(call(), 'insufficient_credits', label);
          break;
        }
        const result = await call();
        if (credits > 0) model.addLot(result.lotId!, credits, model.now, 0);
        else model.consume(-credits);
        done.push({ call, result, altered: () => adjustCredits(ctx, { ...input, note: 'something else' }) });
        break;
      }
      case 'replay': {
        if (done.length === 0) break;
        const entry = done[cmd.pick % done.length]!;
        assert.deepEqual(await entry.call(), entry.result, `${label}: a replay returns the first result`);
        break;
      }
      case 'conflict': {
        const altered = done.filter((d) => d.altered);
        if (altered.length === 0) break;
        await expectError(altered[cmd.pick % altered.length]!.altered!(), 'idempotency_conflict', label);
        break;
      }
      case 'sweep': {
        await runCreditsSweep(ctx, { maxBatches: 3 });
        break;
      }
    }
    await check(label);
    if (index === Math.floor(commands.length / 2)) historyMid = (await getHistory(ctx, memberId, { limit: 200 })).entries;
  }
  looks.push(await getBalance(ctx, memberId));
  const adjusted = (await Promise.all(otherOps)) as { transactionId: string }[];
  assert.equal(new Set(adjusted.map((a) => a.transactionId)).size, otherOps.length, 'each concurrent adjustment committed once');
  for (const outcome of await Promise.all(otherSpends)) assert.equal(outcome, 'refused');
  const otherHistory = (await getHistory(ctx, other, { limit: 200 })).entries.filter((e) => e.kind === 'adjustment');
  assert.equal(otherHistory.length, otherOps.length, 'the concurrent operations are in the ledger, once each');
  assert.equal(otherHistory.reduce((sum, e) => sum + e.credits, 0), otherOps.length);

  // Point in time = replay, for every moment the sequence looked at (the last state at that moment).
  for (const look of looks) assert.deepEqual(await getBalanceAt(ctx, memberId, look.asOfMs), look, `point in time ${look.asOfMs}`);
  // Immutability: what was recorded by the middle of the sequence is still recorded, unchanged.
  if (historyMid) {
    const now = (await getHistory(ctx, memberId, { limit: 200 })).entries;
    const byVersion = new Map(now.map((e) => [e.version, e]));
    for (const entry of historyMid) assert.deepEqual(byVersion.get(entry.version), entry, 'recorded transactions never change');
  }
  const report = await auditCreditsLedger(ctx, { trigger: 'test', actorId: null, memberId });
  assert.deepEqual(report.problems, [], `auditor on ${memberId}`);
  const otherReport = await auditCreditsLedger(ctx, { trigger: 'test', actorId: null, memberId: other });
  assert.deepEqual(otherReport.problems, [], `auditor on ${other}`);
}

for (const dialect of testDialects()) {
  // PostgreSQL serves several connections at once: the runs are split over lanes that run side by side, each with a
  // database (and clock) of its own, so 1,000 runs stay within CI's time. SQLite has one writer: one lane.
  const lanes = dialect === 'postgres' ? 4 : 1;
  const all: TestDeps[] = [];
  after(async () => Promise.all(all.map((d) => d.database.dispose())));
  test(`LG-2 LG-3 LG-4 CR-11 CR-12 CR-14 CR-16 ledger properties over random operation sequences, operations issued concurrently [${dialect}] (${runs} runs)`, async () => {
    await Promise.all(
      Array.from({ length: lanes }, async () => {
        const deps = await createTestDeps(dialect, { ports: { memberContacts: ledgerOnlyMembers } });
        all.push(deps);
        let sequence = 0;
        await fc.assert(
          fc.asyncProperty(sequenceOf, async (commands) => {
            sequence += 1;
            await runSequence(deps, commands, sequence);
          }),
          { numRuns: Math.ceil(runs / lanes) },
        );
        // Global conservation over everything the runs did: issued − spent − expired − reversed ± adjusted = outstanding.
        const report = await auditCreditsLedger(deps, { trigger: 'test', actorId: null });
        assert.deepEqual(report.problems, []);
        assert.equal(report.totals.outstanding, report.totals.accountBalances);
      }),
    );
  });
}
