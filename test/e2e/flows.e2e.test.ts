// The operator's view of failed compensations in a real browser (issue 7 point 5; CR-12, ST-3): a checkout was
// interrupted after its capture, the stale-checkout settlement's refund is refused, and an agent sees the run with
// its reason on /console/flows, then retries it once the payment service recovers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { transact } from '../../src/deps.ts';
import type { SimulatedClock } from '../../src/platform/clock.ts';
import { advanceSimulatedClock } from '../../src/db/simulated-clock-store.ts';
import { createMemberForSeed } from '../../src/modules/accounts/index.ts';
import { adjust } from '../../src/modules/credits/index.ts';
import { createProduct, getOrderDetail } from '../../src/modules/store/index.ts';
import { checkout, checkoutFlow, flowDefinitions, resumeDueRuns } from '../../src/flows/index.ts';
import { watchPageProblems } from '../support/browser.ts';
import { browserSuite, heading, signIn } from '../support/e2e-helpers.ts';
import { checkoutOf, hangAt, refusingRefunds, stopBefore } from '../support/flow-faults.ts';
import { startTestServer } from '../support/server.ts';

let orderId = '';
let recover: () => void = () => undefined;

const { running, open, saveFailureScreenshots } = browserSuite('flows', () => startTestServer({ worker: false }), async ({ deps }) => {
  const { memberId } = await createMemberForSeed(deps, { email: 'flows.e2e@example.com', password: 'a long password for tests', country: 'US', dateOfBirth: '1990-01-01', emailVerified: true });
  await adjust(deps, { memberId, credits: 200, reasonCode: 'goodwill', note: 'E2E flows', actor: { id: 'mem_e2e_agent', role: 'agent' }, idempotencyKey: 'e2e-flows-gift' });
  const product = await transact(deps, (trx) => createProduct(trx, { id: null, role: 'system' }, { sku: 'E2E-FLOW', name: 'Flow charger', category: 'chargers', priceMinor: 2500, stock: 5 }));
  const crash = hangAt();
  void checkout(
    deps,
    checkoutOf(memberId, product.id, 200),
    stopBefore(checkoutFlow, 'finalize', 'run', crash.stop),
  );
  await crash.reached;
  const flaky = refusingRefunds(deps.ports.payments);
  deps.ports.payments = flaky.gateway;
  recover = flaky.recover;
  await advanceSimulatedClock(deps.db, deps.clock as SimulatedClock, 36 * 60_000);
  await resumeDueRuns(deps, flowDefinitions);
  const run = await deps.db.selectFrom('flow_runs').select(['key', 'state']).executeTakeFirstOrThrow();
  assert.equal(run.state, 'needs_attention');
  orderId = String(run.key).slice('checkout:'.length);
});

test('CR-12 ST-3 an agent sees a stale checkout whose refund was refused, with the reason, and retries it once the payment service recovers', async () => {
  try {
    await retryFromTheConsole();
  } catch (error) {
    await saveFailureScreenshots();
    throw error;
  }
});

async function retryFromTheConsole(): Promise<void> {
  const { url, agent, deps } = running();
  const { page } = await open();
  const problems = watchPageProblems(page);
  await signIn(page, url, agent, true);
  await page.getByRole('link', { name: 'Flows' }).click();
  await heading(page, 'Flows needing attention');
  const row = page.getByRole('row').filter({ hasText: `checkout:${orderId}` });
  await row.waitFor();
  assert.match(await row.innerText(), /Checkout/);
  assert.match(await row.innerText(), /capture.*processing_error.*abandoned/s);

  // Still refused: the run stays, and the page says so.
  await row.getByRole('button', { name: /Retry/ }).click();
  await page.getByRole('status').filter({ hasText: 'still refused (processing_error)' }).waitFor();
  assert.equal((await getOrderDetail(deps, orderId)).status, 'pending_payment');

  recover();
  await page.getByRole('row').filter({ hasText: `checkout:${orderId}` }).getByRole('button', { name: /Retry/ }).click();
  await page.getByRole('status').filter({ hasText: 'undone; nothing needs attention any more' }).waitFor();
  await page.getByText('Nothing needs attention.').waitFor();
  assert.equal((await getOrderDetail(deps, orderId)).status, 'abandoned');
  assert.deepEqual(problems, []);
}
