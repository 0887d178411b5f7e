// Child process for the flow crash tests (test/e2e/flows-crash.test.ts): runs one flow up to a point between two
// steps, where everything before has committed, and dies by SIGKILL there.
//
//   checkout first      a member checks out with credits; killed after the capture's record, before finalize
//   checkout resume     the resume job undoes the stale checkout; killed after the refund's record, before the
//                       order is abandoned
//   redemption first    a member redeems a reward with a shipping fee; killed after the fee's capture record,
//                       before the redemption is confirmed
//   redemption resume   the resume job refunds the fee; killed after the refund's record, before the rest
//   case-resolution first  an agent resolves a received return of one line with a refund; killed after the
//                       gateway refund's record, before the transaction that reverses the credits and resolves
import { loadConfig } from '../../src/config.ts';
import { transact } from '../../src/deps.ts';
import { createRuntime } from '../../src/runtime.ts';
import { advanceSimulatedClock } from '../../src/db/simulated-clock-store.ts';
import type { SimulatedClock } from '../../src/platform/clock.ts';
import { createMemberForSeed } from '../../src/modules/accounts/index.ts';
import { adjustCredits } from '../../src/modules/credits/index.ts';
import { createProduct, createRewardItem } from '../../src/modules/store/index.ts';
import { createProduct as createStoreProduct, markOrderDelivered, shipOrder } from '../../src/modules/store/index.ts';
import { moveCase } from '../../src/modules/aftersales/index.ts';
import { insertCase } from '../../src/modules/aftersales/cases.repository.ts';
import { caseResolutionFlow, checkout, checkoutFlow, redeemReward, redemptionFeeFlow, resolveCase, resumeDueRuns } from '../../src/flows/index.ts';
import { checkoutOf, stopBefore } from './flow-faults.ts';

const [scenario, phase] = process.argv.slice(2);
const kill = (): Promise<never> => {
  process.kill(process.pid, 'SIGKILL');
  return new Promise<never>(() => undefined);
};

const runtime = await createRuntime(loadConfig());
const deps = runtime.deps;
const system = { id: null, role: 'system' as const };

async function newMember(credits: number): Promise<string> {
  const { memberId } = await createMemberForSeed(deps, { email: `crash.${scenario}@example.com`, password: 'a long password for tests', country: 'US', dateOfBirth: '1990-01-01', emailVerified: true });
  await adjustCredits(deps, { memberId, credits, reasonCode: 'goodwill', note: 'crash test', actor: { id: 'mem_crash_agent', role: 'agent' }, idempotencyKey: `crash-gift-${scenario}` });
  return memberId;
}

if (phase === 'first' && scenario === 'checkout') {
  const memberId = await newMember(500);
  const product = await transact(deps, (trx) => createProduct(trx, system, { sku: 'CRASH-1', name: 'Crash charger', category: 'chargers', priceMinor: 3000, stock: 10 }));
  await checkout(
    deps,
    checkoutOf(memberId, product.id, 500),
    stopBefore(checkoutFlow, 'finalize', 'run', kill),
  );
} else if (phase === 'first' && scenario === 'redemption') {
  const memberId = await newMember(2000);
  const item = await transact(deps, (trx) => createRewardItem(trx, system, { sku: 'CRASH-RW', name: 'Crash reward', creditsPrice: 1000, stock: 5, shippingFeeMinor: 499 }));
  await redeemReward(deps, { memberId, rewardItemId: item.id, quantity: 1, paymentToken: 'tok_approve' }, stopBefore(redemptionFeeFlow, 'confirm', 'run', kill));
} else if (phase === 'first' && scenario === 'case-resolution') {
  const memberId = await newMember(100);
  const first = await transact(deps, (trx) => createStoreProduct(trx, system, { sku: 'CRASH-C1', name: 'Crash cable', category: 'cables', priceMinor: 2000, stock: 10 }));
  const second = await transact(deps, (trx) => createStoreProduct(trx, system, { sku: 'CRASH-C2', name: 'Crash hub', category: 'hubs-and-docks', priceMinor: 6000, stock: 10 }));
  const placed = await checkout(deps, {
    ...checkoutOf(memberId, first.id, 0),
    lines: [
      { productId: first.id, quantity: 1 },
      { productId: second.id, quantity: 1 },
    ],
  });
  await transact(deps, (trx) => shipOrder(trx, { orderId: placed.order.id, carrier: 'UPS', trackingNumber: '1ZCRASH' }));
  const order = await transact(deps, (trx) => markOrderDelivered(trx, placed.order.id));
  const line = order.lines.find((candidate) => candidate.sku === 'CRASH-C2')!;
  const caseId = deps.ids.next('cas');
  const agent = { role: 'agent' as const, id: 'mem_crash_agent' };
  await transact(deps, (trx) =>
    insertCase(
      trx.db,
      {
        id: caseId,
        memberId,
        guestEmail: null,
        contactName: 'Crash Tester',
        kind: 'return',
        state: 'submitted',
        reason: 'defective',
        remedy: 'refund',
        orderRef: order.id,
        orderSource: 'store',
        orderLineId: line.id,
        productSku: line.sku,
        serial: null,
        details: 'It does not power on.',
        priority: false,
        eligibility: { outcome: 'eligible', allowedRemedies: ['refund', 'exchange'], moneyMoves: true, creditsMove: true, requiresProofImage: false, trace: [] },
        createdAtMs: deps.clock.nowMs(),
      },
      { id: deps.ids.next('cst'), action: 'submit', actorRole: 'member', actorId: memberId, atMs: deps.clock.nowMs() },
    ),
  );
  for (const action of ['approve', 'await_return', 'mark_received'] as const) {
    await transact(deps, (trx) => moveCase(trx, { caseId, action, actor: agent, reasonCode: action === 'mark_received' ? 'as_described' : null }));
  }
  await resolveCase(deps, { caseId, remedy: 'refund', note: null, quantity: 1, actor: { id: agent.id, role: 'agent' } }, stopBefore(caseResolutionFlow, 'resolve', 'run', kill));
} else if (phase === 'resume') {
  // Past the backoff of the refused attempt, as a worker would be a minute later.
  await advanceSimulatedClock(deps.db, deps.clock as SimulatedClock, 60_000);
  const definitions =
    scenario === 'checkout'
      ? { [checkoutFlow.type]: stopBefore(checkoutFlow, 'create-order', 'compensate', kill) }
      : { [redemptionFeeFlow.type]: stopBefore(redemptionFeeFlow, 'authorize', 'compensate', kill) };
  await resumeDueRuns(deps, definitions as never);
}
// Reaching this line means the flow never got to the crash point: the parent sees a normal exit and fails.
await runtime.close();
process.exit(3);
