// Drill (a), issue 13 part 4: `patron serve` is killed with SIGKILL during mixed load (members' checkouts paying
// partly with credits, signed storefront `orders/paid` webhooks that earn credits, agents' refunds), restarted, and
// the books are checked: every request that got a 2xx is there exactly once, nothing is there twice, and the credits
// auditor is clean. Requests that got no answer (in flight at the kill) are retried after the restart with the same
// Idempotency-Key / event ID, as a client would. Used by test/e2e/drill-crash.test.ts (short) and
// bench/drill-crash.ts (long).
import { transact, type Deps } from '../../src/deps.ts';
import { createMemberForSeed, createStaffUser } from '../../src/modules/accounts/index.ts';
import { adjustCredits, runCreditsAudit } from '../../src/modules/credits/index.ts';
import * as store from '../../src/modules/store/index.ts';
import { withRestart, type Installation } from './crash-installation.ts';
import type { TestDialect } from './databases.ts';
import { send, signIn, storefrontOrderPaid, type DrillOutcome, type DrillSession } from './drill-http.ts';
import { newDrillInstallation, queueIsQuiet, startPatron, waitFor, type PatronProcess } from './drill-processes.ts';

export interface CrashDrillOptions {
  dialect: TestDialect;
  /** Requests to send in all (each one a checkout, a webhook or a refund, in turn). */
  operations: number;
  /** How many times the server is killed during the load. */
  kills: number;
  /** Requests in flight at once. */
  concurrency: number;
  members?: number;
  log?: (line: string) => void;
}

export type Kind = 'checkout' | 'webhook' | 'refund';

export interface Operation {
  index: number;
  kind: Kind;
  member: number;
  key: string;
  /** Refunds: the order, chosen once (a retry repeats the same request). */
  orderId?: string;
  /** Webhooks: the storefront's order number. */
  externalOrderId?: number;
  /** Set by the first 2xx; `completed` is false for a checkout answered as not completed (undone after a kill). */
  ack?: { id: string; session: number; completed: boolean };
  /** Got no answer at least once (in flight at a kill) and was retried. */
  retried: boolean;
  /** The last 409/503 answer, while it is waiting to be sent again. */
  lastRefusal?: unknown;
  /** A final refusal (any status but 2xx, 409 in progress and 503). */
  refused?: { status: number; body: unknown };
}

export interface CrashDrillReport extends Verification {
  dialect: TestDialect;
  sent: number;
  /** Requests (HTTP attempts) made in all, retries included. */
  attempts: number;
  acknowledged: number;
  acknowledgedBeforeAKill: number;
  /** Checkouts answered (2xx) with an order that was not completed: one a kill interrupted, undone, then asked again. */
  answeredNotCompleted: number;
  byKind: Record<Kind, { sent: number; acknowledged: number }>;
  kills: number;
  /** Requests without an answer (in flight at a kill), retried after the restart with the same key. */
  retriedAfterNoAnswer: number;
  /** Retries that were answered from the idempotency record or as a duplicate delivery. */
  replays: number;
  /** Answers of 5xx other than 503 (bugs), and other refusals. */
  serverErrors: number;
  refused: number;
  refusals: { kind: Kind; status: number; body: unknown }[];
  elapsedMs: number;
}

const password = 'a long password for the crash drill';
const shopDomain = 'drill.example.com';
const productSku = 'DRILL-CHARGER';

export interface World {
  installation: Installation;
  secret: string;
  productId: string;
  memberIds: string[];
}

/** The drill's shop: demo catalog and tax rates, one product with ample stock, members with credits, an agent, an admin. */
export async function prepareWorld(installation: Installation, members: number): Promise<World> {
  const world = await withRestart(installation, async (deps: Deps) => {
    const system = { id: null, role: 'system' as const };
    await transact(deps, (trx) => store.seedStoreDemoData(trx));
    const product = await transact(deps, (trx) => store.createProduct(trx, system, { sku: productSku, name: 'Drill charger', category: 'chargers', priceMinor: 2000, stock: 1_000_000 }));
    const memberIds: string[] = [];
    for (let index = 0; index < members; index++) {
      const { memberId } = await createMemberForSeed(deps, { email: `drill.${index}@example.com`, password, country: 'US', dateOfBirth: '1990-01-01', emailVerified: true });
      await adjustCredits(deps, { memberId, credits: 100_000, reasonCode: 'goodwill', note: 'crash drill', actor: { id: 'mem_drill_agent', role: 'agent' }, idempotencyKey: `drill-gift-${index}` });
      memberIds.push(memberId);
    }
    await createStaffUser(deps, { email: 'drill.agent@example.com', password, role: 'agent' });
    await createStaffUser(deps, { email: 'drill.admin@example.com', password, role: 'admin' });
    return { secret: store.storefrontWebhookSecret(deps.secret), productId: product.id, memberIds };
  });
  return { installation, ...world };
}

export async function runCrashDrill(options: CrashDrillOptions): Promise<CrashDrillReport> {
  const startedMs = Date.now();
  const log = options.log ?? (() => undefined);
  const world = await prepareWorld(await newDrillInstallation(options.dialect, 'drill-crash'), options.members ?? 6);
  const operations = newOperations(world, options.operations);
  const report: CrashDrillReport = {
    dialect: options.dialect,
    sent: 0,
    attempts: 0,
    acknowledged: 0,
    acknowledgedBeforeAKill: 0,
    answeredNotCompleted: 0,
    byKind: { checkout: { sent: 0, acknowledged: 0 }, webhook: { sent: 0, acknowledged: 0 }, refund: { sent: 0, acknowledged: 0 } },
    kills: 0,
    retriedAfterNoAnswer: 0,
    replays: 0,
    serverErrors: 0,
    refused: 0,
    refusals: [],
    ...unverified(),
    elapsedMs: 0,
  };
  let server: PatronProcess | undefined;
  try {
    let nowIso = '2026-03-02T17:00:00.000Z';
    let nextNew = 0;
    let retryQueue: Operation[] = [];
    const ackedCheckouts: string[] = [];
    let refundTurn = 0;
    const refundsPerOrder = new Map<string, number>();
    let sessionNumber = 0;

    for (let session = 0; session <= options.kills; session++) {
      sessionNumber = session;
      server = await startPatron(world.installation.environment, { name: `serve #${session + 1}` });
      const base = server.url;
      const admin = await signIn(base, 'drill.admin@example.com', password);
      if (session > 0) {
        // Past the idempotency lease (60 s) of the requests the kill interrupted, so their retries take them over.
        const advanced = await send(`${base}/api/v1/admin/clock/advance`, { method: 'POST', session: admin, body: { duration: '2m' } });
        if (advanced.kind !== 'ack') throw new Error(`clock advance: ${JSON.stringify(advanced)}`);
        nowIso = (advanced.body as { now: string }).now;
      }
      const agent = await signIn(base, 'drill.agent@example.com', password);
      const members: DrillSession[] = [];
      for (let index = 0; index < world.memberIds.length; index++) members.push(await signIn(base, `drill.${index}@example.com`, password));

      const isLast = session === options.kills;
      const quota = isLast ? Number.POSITIVE_INFINITY : Math.ceil(options.operations / (options.kills + 1)) * (session + 1);
      let killing = false;
      let pendingRetry = retryQueue;
      retryQueue = [];
      const later: Operation[] = [];

      const attempt = (operation: Operation): Promise<DrillOutcome> => {
        report.attempts++;
        return sendOperation({ base, world, members, agent, nowIso }, operation);
      };

      const take = (): Operation | undefined => {
        if (killing) return undefined;
        const retry = pendingRetry.shift();
        if (retry) return retry;
        while (nextNew < operations.length) {
          const operation = operations[nextNew++]!;
          if (operation.kind === 'refund') {
            // A refund needs an order acknowledged before; the first ones become checkouts.
            if (ackedCheckouts.length === 0) operation.kind = 'checkout';
            else {
              // At most 10 refunds of $1 an order (each order is about $20): a refund past what is left would be refused.
              let orderId = ackedCheckouts[refundTurn++ % ackedCheckouts.length]!;
              for (let tries = 0; (refundsPerOrder.get(orderId) ?? 0) >= 10 && tries < ackedCheckouts.length; tries++) orderId = ackedCheckouts[refundTurn++ % ackedCheckouts.length]!;
              if ((refundsPerOrder.get(orderId) ?? 0) >= 10) operation.kind = 'checkout';
              else {
                operation.orderId = orderId;
                refundsPerOrder.set(orderId, (refundsPerOrder.get(orderId) ?? 0) + 1);
              }
            }
          }
          report.sent++;
          report.byKind[operation.kind].sent++;
          return operation;
        }
        return undefined;
      };

      const loop = async (): Promise<void> => {
        for (let operation = take(); operation; operation = take()) {
          const outcome = await attempt(operation);
          if (outcome.kind === 'ack') {
            if (outcome.replayed || (outcome.body as { duplicate?: boolean }).duplicate === true) report.replays++;
            if (!operation.ack) {
              operation.ack = ackOf(operation, outcome.body, session);
              const id = operation.ack.id;
              report.acknowledged++;
              if (session < options.kills) report.acknowledgedBeforeAKill++;
              if (!operation.ack.completed) report.answeredNotCompleted++;
              report.byKind[operation.kind].acknowledged++;
              if (operation.kind === 'checkout' && operation.ack.completed) ackedCheckouts.push(id);
            }
            if (!killing && report.acknowledged >= quota) {
              killing = true;
              log(`kill ${session + 1}: SIGKILL after ${report.acknowledged} acknowledged requests`);
              report.kills++;
              void server!.kill();
            }
          } else if (outcome.kind === 'no_answer') {
            if (!killing) throw new Error(`no answer from a running server (${operation.kind}): ${outcome.error}`);
            operation.retried = true;
            report.retriedAfterNoAnswer++;
            retryQueue.push(operation);
          } else if (outcome.status === 503 || (outcome.status === 409 && (outcome.body as { error?: { code?: string } }).error?.code === 'conflict')) {
            // Still running elsewhere (the killed attempt's lease) or unavailable for a moment: try again later.
            operation.lastRefusal = outcome.body;
            later.push(operation);
          } else {
            if (outcome.status >= 500) report.serverErrors++;
            report.refused++;
            operation.refused = { status: outcome.status, body: outcome.body };
            report.refusals.push({ kind: operation.kind, status: outcome.status, body: outcome.body });
          }
        }
      };
      await Promise.all(Array.from({ length: options.concurrency }, () => loop()));
      retryQueue.push(...later, ...pendingRetry);
      if (isLast) {
        // Whatever is still waiting (a lease not yet over) is retried until it is answered.
        for (let round = 0; retryQueue.length > 0; round++) {
          // A checkout the kill interrupted holds its key until it is undone as stale (35 minutes of the clock).
          if (round > 30) throw new Error(`${retryQueue.length} requests never got an answer: ${JSON.stringify(retryQueue.map((operation) => ({ kind: operation.kind, key: operation.key, last: operation.lastRefusal })))}`);
          const advanced = await send(`${base}/api/v1/admin/clock/advance`, { method: 'POST', session: admin, body: { duration: '5m' } });
          if (advanced.kind === 'ack') nowIso = (advanced.body as { now: string }).now;
          // The worker catches up with the new time first (the resume job that undoes or finishes the interrupted work).
          await waitForIdleQueue(world.installation);
          pendingRetry = retryQueue;
          retryQueue = [];
          killing = false;
          later.length = 0;
          await Promise.all(Array.from({ length: options.concurrency }, () => loop()));
          retryQueue.push(...later);
        }
        // Let the worker finish: webhook processing, and checkouts the kill interrupted undone once stale (past the
        // 35-minute stale-checkout timeout), then a few minutes more for their compensation steps' retries.
        for (const duration of ['40m', '5m', '5m']) {
          await send(`${base}/api/v1/admin/clock/advance`, { method: 'POST', session: admin, body: { duration } });
          await waitForIdleQueue(world.installation);
        }
      } else {
        await server.kill();
      }
    }
    log(`sessions: ${sessionNumber + 1}`);
    Object.assign(report, await verifyWorld(world, operations));
    await server?.stop();
  } finally {
    await server?.kill();
    await world.installation.dispose();
  }
  report.elapsedMs = Date.now() - startedMs;
  return report;
}

/** Waits until no job is due or running and no storefront delivery waits for processing. */
export async function waitForIdleQueue(installation: Installation): Promise<void> {
  await withRestart(installation, async (deps) => {
    await waitFor('the job queue to drain', () => queueIsQuiet(deps), { timeoutMs: 300_000, pollMs: 200 });
  });
}

export interface Verification {
  /** Acknowledged but not found afterwards. */
  lost: number;
  /** Effects found more times than requests acknowledged them. */
  duplicated: number;
  duplicates: string[];
  auditorOk: boolean;
  auditorProblems: number;
}

/** A report's verification figures before the books were checked. */
export function unverified(): Verification {
  return { lost: 0, duplicated: 0, duplicates: [], auditorOk: false, auditorProblems: -1 };
}

/** What a first 2xx says: the order, refund or event it is about, and whether the work was done. */
export function ackOf(operation: Operation, body: unknown, session: number): NonNullable<Operation['ack']> {
  const answer = body as { order?: { id: string }; refund?: { id: string }; eventId?: string };
  const id = operation.kind === 'checkout' ? answer.order!.id : operation.kind === 'refund' ? answer.refund!.id : answer.eventId!;
  return { id, session, completed: ackCompleted(operation, body) };
}

/**
 * Checks the books against the answers: every acknowledged checkout's order paid, refund completed, storefront
 * order recorded; no member with more paid orders than acknowledged checkouts, no order with more refunds than
 * acknowledged refund requests, no storefront order twice; the credits auditor clean.
 */
export async function verifyWorld(world: World, operations: Operation[]): Promise<Verification> {
  const report: Verification = { lost: 0, duplicated: 0, duplicates: [], auditorOk: false, auditorProblems: -1 };
  await withRestart(world.installation, async (deps) => {
    const orders = await deps.db.selectFrom('store_orders').select(['id', 'member_id', 'channel', 'external_ref', 'status']).execute();
    const refunds = await deps.db.selectFrom('store_refunds').select(['id', 'order_id', 'status', 'source']).execute();
    const orderById = new Map(orders.map((order) => [String(order.id), order]));
    const refundById = new Map(refunds.map((refund) => [String(refund.id), refund]));
    const countBy = <T>(items: T[], keyOf: (item: T) => string) => {
      const counts = new Map<string, number>();
      for (const item of items) counts.set(keyOf(item), (counts.get(keyOf(item)) ?? 0) + 1);
      return counts;
    };
    const acked = operations.filter((operation) => operation.ack);
    for (const operation of acked) {
      const id = operation.ack!.id;
      if (operation.kind === 'checkout' && operation.ack!.completed && orderById.get(id)?.status !== 'paid') report.lost++;
      if (operation.kind === 'checkout' && !operation.ack!.completed && orderById.get(id)?.status === 'paid') report.lost++;
      if (operation.kind === 'refund' && refundById.get(id)?.status !== 'completed') report.lost++;
    }
    // Store orders per member: one paid order per acknowledged checkout, none besides.
    const paidStoreOrders = countBy(orders.filter((order) => order.channel === 'store' && order.status === 'paid'), (order) => String(order.member_id));
    const ackedCheckouts = countBy(acked.filter((operation) => operation.kind === 'checkout' && operation.ack!.completed), (operation) => world.memberIds[operation.member]!);
    for (const [memberId, count] of paidStoreOrders) {
      const expected = ackedCheckouts.get(memberId) ?? 0;
      if (count > expected) {
        report.duplicated += count - expected;
        const ackedIds = new Set(acked.map((operation) => operation.ack!.id));
        const extra = orders.filter((order) => order.member_id === memberId && order.channel === 'store' && order.status === 'paid' && !ackedIds.has(String(order.id))).map((order) => String(order.id));
        const runs = await deps.db.selectFrom('flow_runs').select(['key', 'state', 'current_step']).where('key', 'in', extra.map((id) => `checkout:${id}`)).execute();
        report.duplicates.push(`member ${memberId}: ${count} paid orders for ${expected} acknowledged checkouts (not acknowledged: ${runs.map((run) => `${run.key} ${run.state} at ${run.current_step}`).join(', ')})`);
      }
    }
    // Storefront orders: each acknowledged event's order recorded exactly once (and earning: the auditor checks).
    const storefront = countBy(orders.filter((order) => order.channel === 'storefront'), (order) => /(\d+)$/.exec(String(order.external_ref))?.[1] ?? '?');
    for (const operation of acked.filter((candidate) => candidate.kind === 'webhook')) {
      const count = storefront.get(String(operation.externalOrderId)) ?? 0;
      if (count === 0) report.lost++;
      if (count > 1) {
        report.duplicated += count - 1;
        report.duplicates.push(`storefront order ${operation.externalOrderId}: recorded ${count} times`);
      }
    }
    const processed = await deps.db.selectFrom('store_webhook_events').select(['event_id', 'status', 'result']).execute();
    for (const event of processed) if (event.status !== 'processed') report.duplicates.push(`event ${event.event_id}: ${event.status} ${event.result}`);
    // Agents' refunds per order: one per acknowledged refund request.
    const agentRefunds = countBy(refunds.filter((refund) => refund.source === 'agent' && refund.status === 'completed'), (refund) => String(refund.order_id));
    const ackedRefunds = countBy(acked.filter((operation) => operation.kind === 'refund'), (operation) => operation.orderId!);
    for (const [orderId, count] of agentRefunds) {
      const expected = ackedRefunds.get(orderId) ?? 0;
      if (count > expected) {
        report.duplicated += count - expected;
        report.duplicates.push(`order ${orderId}: ${count} refunds for ${expected} acknowledged refund requests`);
      }
    }
    const audit = await runCreditsAudit(deps);
    report.auditorOk = audit.ok;
    report.auditorProblems = audit.problemCount;
  });
  return report;
}

/** Whether a 2xx answer says the work was done: a checkout may be answered with an order that was not completed. */
export function ackCompleted(operation: Operation, body: unknown): boolean {
  if (operation.kind !== 'checkout') return true;
  return (body as { payment?: { outcome?: string } }).payment?.outcome === 'approved';
}

/** `count` requests, a checkout, a webhook and a refund in turn, spread over the members. */
export function newOperations(world: World, count: number, tag = 'drill'): Operation[] {
  const kinds: Kind[] = ['checkout', 'webhook', 'refund'];
  return Array.from({ length: count }, (_, index) => ({
    index,
    kind: kinds[index % 3]!,
    member: Math.floor(index / 3) % world.memberIds.length,
    key: `${tag}-${index}-0123456789abcdef`,
    retried: false,
  }));
}

export interface Senders {
  base: string;
  world: World;
  members: DrillSession[];
  agent: DrillSession;
  /** The server's simulated time, which a webhook's timestamp must be within 5 minutes of. */
  nowIso: string;
}

/** Sends one operation's request (the same request every time for the same operation). */
export function sendOperation(senders: Senders, operation: Operation): Promise<DrillOutcome> {
  const { base, world } = senders;
  const member = senders.members[operation.member]!;
  if (operation.kind === 'checkout') {
    return send(`${base}/api/v1/store/orders`, { method: 'POST', session: member, headers: { 'idempotency-key': operation.key }, body: { lines: [{ productId: world.productId, quantity: 1 }], credits: 100, paymentToken: 'tok_approve', region: 'US-CA' } });
  }
  if (operation.kind === 'webhook') {
    operation.externalOrderId ??= 700_000 + operation.index;
    const delivery = storefrontOrderPaid({ secret: world.secret, eventId: `evt_drill_${operation.index}`, orderId: operation.externalOrderId, memberId: world.memberIds[operation.member]!, sku: productSku, priceText: '20.00', nowIso: senders.nowIso, shopDomain });
    return send(`${base}/api/v1/webhooks/storefront`, { method: 'POST', rawBody: delivery.rawBody, headers: delivery.headers });
  }
  return send(`${base}/api/v1/agent/store/orders/${operation.orderId}/refunds`, { method: 'POST', session: senders.agent, headers: { 'idempotency-key': operation.key }, body: { kind: 'amount', reason: 'price_adjustment', amountMinor: 100 } });
}

export function formatCrashDrillReport(report: CrashDrillReport): string {
  const kinds = (['checkout', 'webhook', 'refund'] as const).map((kind) => `${kind} ${report.byKind[kind].acknowledged}/${report.byKind[kind].sent}`).join(', ');
  return [
    `drill (a) SIGKILL during mixed load [${report.dialect}]: ${report.kills} kill(s), ${(report.elapsedMs / 1000).toFixed(1)} s`,
    `  requests sent ${report.sent} (HTTP attempts ${report.attempts}); acknowledged 2xx ${report.acknowledged} (${kinds}), ${report.acknowledgedBeforeAKill} of them before a kill`,
    `  no answer at a kill, retried with the same key ${report.retriedAfterNoAnswer}; answered as replay/duplicate ${report.replays}; checkouts answered as not completed (undone after the kill) ${report.answeredNotCompleted}`,
    `  refused ${report.refused} (5xx ${report.serverErrors})${report.refusals.length > 0 ? `: ${JSON.stringify(report.refusals.slice(0, 3))}` : ''}`,
    `  lost ${report.lost}, duplicated ${report.duplicated}${report.duplicates.length > 0 ? `: ${report.duplicates.slice(0, 5).join('; ')}` : ''}`,
    `  auditor ${report.auditorOk ? 'clean' : `FOUND ${report.auditorProblems} PROBLEM(S)`}`,
  ].join('\n');
}
