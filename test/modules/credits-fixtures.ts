// Shared helpers for the credits tests (not a test file itself).
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { Ctx } from '../../src/deps.ts';
import { isPostgres } from '../../src/db/database.ts';
import { DAY_MS } from '../../src/platform/clock.ts';
import type { DomainEvent } from '../../src/modules/events/index.ts';
import { auditCreditsLedger, creditFeedEnd, earnForOrder, getBalance, readCreditFeed, type EarnForOrderResult } from '../../src/modules/credits/index.ts';

export { DAY_MS };
export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;

/**
 * Where the credits event feed ends now (the start for `creditEventsSince`): after every transaction committed so far
 * (on PostgreSQL the feed's end stops short of rows past a transaction still running, settleCreditFeed).
 */
export async function creditFeedPosition(ctx: Pick<Ctx, 'db'>): Promise<string> {
  await settleCreditFeed(ctx);
  return creditFeedEnd(ctx.db);
}

/**
 * PostgreSQL: waits until every transaction that started before this call has ended, so the credits feed gives
 * everything committed so far (it holds back rows from past the oldest running transaction, event-feed.ts; test
 * files run at once, and another file's migrations hold a transaction open for a second or more).
 */
export async function settleCreditFeed(ctx: Pick<Ctx, 'db'>): Promise<void> {
  if (!isPostgres(ctx.db)) return;
  const [now] = (await sql<{ x: string }>`select pg_snapshot_xmax(pg_current_snapshot())::text as x`.execute(ctx.db)).rows;
  for (let waited = 0; waited < 60_000; waited += 20) {
    const [done] = (await sql<{ ok: boolean }>`select pg_snapshot_xmin(pg_current_snapshot()) >= ${now!.x}::xid8 as ok`.execute(ctx.db)).rows;
    if (done!.ok) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('a PostgreSQL transaction open for a minute holds the credits event feed back');
}

/** Every credits event committed after `position` (and before the call), in commit order. */
export async function creditEventsSince(ctx: Pick<Ctx, 'db'>, position: string): Promise<DomainEvent[]> {
  await settleCreditFeed(ctx);
  const events: DomainEvent[] = [];
  for (let page = await readCreditFeed(ctx.db, position, 1000); ; page = await readCreditFeed(ctx.db, page.position, 1000)) {
    events.push(...page.events);
    if (page.transactions < 1000) return events;
  }
}

export function newMemberId(ctx: Pick<Ctx, 'ids'>): string {
  return ctx.ids.next('mem');
}

export interface LineSpec {
  qualifyingMinor: number;
  plusBonus?: boolean;
  earnsCredits?: boolean;
}

/** An order paid now (or at paidAtMs) with the given lines; line IDs are `<orderId>-<n>`. */
export async function earnOrder(ctx: Ctx, memberId: string, lines: LineSpec[], options: { orderId?: string; paidAtMs?: number; plusActive?: boolean; idempotencyKey?: string } = {}): Promise<EarnForOrderResult> {
  const orderId = options.orderId ?? ctx.ids.next('ord');
  return earnForOrder(ctx, {
    memberId,
    orderId,
    paidAtMs: options.paidAtMs ?? ctx.clock.nowMs(),
    plusActive: options.plusActive ?? false,
    lines: lines.map((line, i) => ({ lineId: `${orderId}-${i + 1}`, qualifyingMinor: line.qualifyingMinor, plusBonus: line.plusBonus ?? false, earnsCredits: line.earnsCredits ?? true })),
    ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
  });
}

export async function spendable(ctx: Ctx, memberId: string): Promise<number> {
  return (await getBalance(ctx, memberId)).spendable;
}

/** LG-5 after every scenario: the auditor finds nothing. */
export async function assertLedgerSound(ctx: Ctx): Promise<void> {
  const report = await auditCreditsLedger(ctx, { trigger: 'test', actorId: null });
  assert.deepEqual(report.problems, [], `auditor found: ${JSON.stringify(report.problems.slice(0, 5))}`);
  assert.equal(report.ok, true);
}
