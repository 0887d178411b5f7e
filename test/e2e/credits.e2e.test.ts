// The credits ledger's acceptance path in a real browser, on the simulated clock (issue 3; CR-1, CR-4, CR-7..CR-10,
// CR-16, CR-20): a person signs up (500 available), buys in the shop with the approve token (pending credits on the
// qualifying amount, with their unlock date), 30 days pass (available before the sweep has run, and the same after
// it, with the unlock in the history), an agent refunds one of two units of a line in the console (a proportional
// reversal), and a year passes in steps (each lot warned 30 days ahead, then expired; expiry postings in the
// history; the notices in the console's mail view). The member's credits page is photographed at each step.
//
// The server runs without its job worker: the test runs the jobs itself (runDueJobs), so "before the sweep" is a
// state the page is really read in, not a race with a worker polling every half second.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { transact } from '../../src/deps.ts';
import { runDueJobs } from '../../src/modules.ts';
import { getBalance, getCurrentPolicy, getHistory } from '../../src/modules/credits/index.ts';
import { listMessages } from '../../src/modules/notifications/index.ts';
import { seedStoreDemoData } from '../../src/modules/store/index.ts';
import type { SimulatedClock } from '../../src/platform/clock.ts';
import { advanceSimulatedClock } from '../../src/db/simulated-clock-store.ts';
import { watchPageProblems } from '../support/browser.ts';
import { browserSuite, heading, isPlaceOrder, photograph, signIn as signInAt } from '../support/e2e-helpers.ts';
import { startTestServer } from '../support/server.ts';

const shopper = { email: 'katherine.johnson@example.com', password: 'orbital-mechanics-1962', country: 'US', dateOfBirth: '1988-08-26' };
const pairProduct = 'Power Bank 20,000 mAh PD';
const singleProduct = 'USB-C to USB-C Cable, 1 m';
const discountCode = 'WELCOME10';
const MINUTE_MS = 60_000;

/** The fields of the API's order this test reads (store.schemas.ts orderView). */
interface OrderData {
  id: string;
  status: string;
  merchandiseMinor: number;
  discountMinor: number;
  totalMinor: number;
  earnedCredits: number;
  paidAt: string | null;
  creditsUnlockAt: string | null;
  lines: Array<{ id: string; name: string; quantity: number; qualifyingMinor: number; earnedCredits: number }>;
}

interface RefundData {
  refund: { id: string; status: string; creditsRestored: number; lines: Array<{ orderLineId: string; quantity: number; qualifyingMinor: number }> };
  order: OrderData;
}

const { running, open, saveFailureScreenshots } = browserSuite('credits', () => startTestServer({ worker: false }), async (server) => {
  await transact(server.deps, (trx) => seedStoreDemoData(trx));
});

/** A date as the credits page writes it (en-US browser in UTC): "Mar 2, 2026". */
function shortDate(ms: number): string {
  return new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' }).format(ms);
}

const grouped = (credits: number) => new Intl.NumberFormat('en-US').format(credits);

/** Moves the server's clock (the server and the test share it; other processes read it from the database). */
async function advance(durationMs: number): Promise<number> {
  const { deps } = running();
  return advanceSimulatedClock(deps.db, deps.clock as SimulatedClock, durationMs);
}

async function advanceTo(targetMs: number): Promise<number> {
  return advance(targetMs - running().deps.clock.nowMs());
}

/** One figure of the balance summary: the definition next to its term. */
function stat(page: Page, label: string) {
  return page.locator('.stat').filter({ has: page.getByRole('term').filter({ hasText: label }) });
}

async function expectStat(page: Page, label: string, credits: number): Promise<void> {
  await stat(page, label).locator('.stat-value').filter({ hasText: new RegExp(`^${grouped(credits)}$`) }).waitFor();
}

/** The history table's rows of one kind of change (the first cell after the date names it). */
function historyRows(page: Page, what: string) {
  return page.getByRole('table', { name: /Credits history/ }).getByRole('row').filter({ hasText: what });
}

/** The credits page, read fresh from the server (after a change made elsewhere or a move of the clock). */
async function openCredits(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Credits' }).click();
  await heading(page, 'Credits');
  await page.getByText('Loading your balance…').waitFor({ state: 'detached' });
  await page.getByText('Loading your history…').waitFor({ state: 'detached' });
}

async function reloadCredits(page: Page): Promise<void> {
  await page.reload();
  await heading(page, 'Credits');
  await page.getByText('Loading your balance…').waitFor({ state: 'detached' });
  await page.getByText('Loading your history…').waitFor({ state: 'detached' });
}

/** A session lasts at most 30 days (14 idle): after a long move of the clock the person signs in again. */
async function signIn(page: Page, person: { email: string; password: string }, atConsole = false): Promise<void> {
  await signInAt(page, running().url, person, atConsole);
}

/** The member's credits as the API reports them, to check the page against. */
async function ledger(memberId: string) {
  const { deps } = running();
  return { balance: await getBalance(deps, memberId), history: (await getHistory(deps, memberId, { limit: 200 })).entries };
}

/** Emails queued to the shopper with this subject (the outbox the console's mail view reads). */
async function mailCount(subject: string): Promise<number> {
  const messages = await listMessages(running().deps, { limit: 200 });
  return messages.filter((message) => message.to === shopper.email && message.subject === subject).length;
}

test('credits over a year on the simulated clock: sign-up bonus, pending with its date, unlocked before and after the sweep, a proportional reversal, warned and expired (CR-1, CR-4, CR-7..CR-10, CR-16)', async () => {
  try {
    await creditsOverAYear();
  } catch (error) {
    await saveFailureScreenshots();
    throw error;
  }
});

async function creditsOverAYear(): Promise<void> {
  const { url, deps, agent } = running();
  const policy = await getCurrentPolicy(deps);
  assert.equal(policy.registrationBonusCredits, 500, 'the program gives 500 credits on sign-up');
  const memberBrowser = await open();
  const page = memberBrowser.page;
  const memberProblems = watchPageProblems(page);

  // 1. Sign up in the UI: the registration bonus is available at once (CR-1).
  await page.goto(`${url}/sign-up`);
  await heading(page, 'Create your account');
  await page.getByLabel('Email address').fill(shopper.email);
  await page.getByLabel('Password', { exact: true }).fill(shopper.password);
  await page.getByLabel('Country of residence').selectOption(shopper.country);
  await page.getByLabel('Date of birth').fill(shopper.dateOfBirth);
  const signedUp = page.waitForResponse((response) => response.url().endsWith('/api/v1/accounts') && response.request().method() === 'POST');
  await page.getByRole('button', { name: 'Create account' }).click();
  const signUpAnswer = await signedUp;
  assert.equal(signUpAnswer.status(), 201, 'the account was created');
  const memberId = ((await signUpAnswer.json()) as { member: { id: string } }).member.id;
  await heading(page, 'Check your email');
  await page.getByRole('link', { name: 'Continue to your account' }).click();
  await heading(page, /Hello|Your account/);
  await openCredits(page);
  await expectStat(page, 'Available to spend', 500);
  await expectStat(page, 'Pending', 0);
  await stat(page, 'Pending').getByText('Nothing waiting to unlock').waitFor();
  await historyRows(page, 'Welcome bonus for joining').getByText('+500').waitFor();
  const start = await ledger(memberId);
  assert.equal(start.balance.available, 500);
  const bonusAtMs = start.history.find((entry) => entry.kind === 'bonus')!.atMs;
  const bonusExpiresAtMs = bonusAtMs + policy.lifetimeMs;
  await photograph(page, 'credits-1-signup');

  // 2. The shop: two of one product and one of another, a discount code, paid by card with the approve token. The
  // order earns on its qualifying amount (merchandise after the discount; never shipping or tax, CR-4), pending
  // until the payment time plus the pending period (CR-7).
  await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Shop' }).click();
  await heading(page, 'Shop');
  for (const name of [pairProduct, singleProduct]) {
    await page.getByRole('button', { name: `Add ${name} to cart` }).click();
    await page.getByRole('status').filter({ hasText: `Added ${name} to your cart.` }).waitFor();
  }
  await page.getByRole('link', { name: 'Cart (2)' }).click();
  await heading(page, 'Your cart');
  await page.getByLabel(`Quantity of ${pairProduct}`).selectOption('2');
  await page.getByText(`${pairProduct}: quantity 2.`).waitFor();
  await page.getByLabel('Ships to').selectOption('US-CA');
  await page.getByText('Shipping region saved.').waitFor();
  await page.getByLabel('Discount code', { exact: true }).fill(discountCode);
  await page.getByRole('button', { name: 'Apply code' }).click();
  await page.getByText(`Discount code ${discountCode} applied.`).waitFor();
  await page.getByRole('link', { name: 'Continue to checkout' }).click();
  await heading(page, 'Checkout');
  await page.getByText('You have 500 credits available.', { exact: false }).waitFor();
  const address = page.getByRole('group', { name: 'New address' });
  await address.getByLabel('Full name', { exact: true }).fill('Katherine Johnson');
  await address.getByLabel('Street address', { exact: true }).fill('1 Langley Boulevard');
  await address.getByLabel('City', { exact: true }).fill('Los Angeles');
  await address.getByLabel('State', { exact: true }).selectOption({ label: 'California' });
  await address.getByLabel('ZIP code', { exact: true }).fill('90012');
  await page.getByLabel('Card token').fill('tok_approve');
  const placing = page.waitForResponse(isPlaceOrder);
  await page.getByRole('button', { name: /^Place order and pay \$/ }).click();
  const placed = (await (await placing).json()) as { order: OrderData; payment: { outcome: string } };
  assert.equal(placed.payment.outcome, 'approved');
  const order = placed.order;
  await page.waitForURL(`**/account/orders/${order.id}?placed=1`);
  await page.getByText('Thank you! Your order is placed and paid.').waitFor();
  assert.equal(order.status, 'paid');
  assert.ok(order.discountMinor > 0, 'the code took money off');
  const qualifyingMinor = order.merchandiseMinor - order.discountMinor;
  assert.equal(order.lines.reduce((sum, line) => sum + line.qualifyingMinor, 0), qualifyingMinor, 'the lines share the qualifying amount');
  const earned = Math.floor((qualifyingMinor * policy.earnCreditsPerMajorUnit) / 100);
  assert.equal(order.earnedCredits, earned, `credits on ${qualifyingMinor} cents qualifying`);
  assert.ok(earned < Math.floor(order.totalMinor / 100), 'shipping and tax did not earn');
  assert.ok(order.paidAt && order.creditsUnlockAt, 'the order has a payment time and an unlock time');
  const unlockAtMs = Date.parse(order.creditsUnlockAt);
  assert.equal(unlockAtMs, Date.parse(order.paidAt) + policy.pendingPeriodMs, 'pending for the policy’s period from the payment');
  const earnedExpiresAtMs = unlockAtMs + policy.lifetimeMs;

  await openCredits(page);
  await expectStat(page, 'Available to spend', 500);
  await expectStat(page, 'Pending', earned);
  await stat(page, 'Pending').getByRole('listitem').filter({ hasText: `${earned} unlock ${shortDate(unlockAtMs)}` }).waitFor();
  const earnRow = historyRows(page, 'Earned on an order');
  await earnRow.getByText(`+${earned}`).waitFor();
  await earnRow.getByRole('link', { name: new RegExp(order.id) }).waitFor();
  const pending = await ledger(memberId);
  assert.equal(pending.balance.pendingTotal, earned);
  assert.deepEqual(pending.balance.pending, [{ credits: earned, unlockAtMs }]);
  await photograph(page, 'credits-2-pending');

  // 3. 30 days and a minute later the credits are available, though no sweep has run: the balance is computed for
  // now from the lots' times (CR-9). Sessions last 30 days at most, so the member signs in again.
  await advanceTo(unlockAtMs + MINUTE_MS);
  await signIn(page, shopper);
  await openCredits(page);
  await expectStat(page, 'Available to spend', 500 + earned);
  await expectStat(page, 'Pending', 0);
  await page.getByText(`As of ${shortDate(deps.clock.nowMs())}`, { exact: false }).waitFor();
  assert.equal(await historyRows(page, 'Credits unlocked').count(), 0, 'the unlock is not written down yet');
  const beforeSweep = await ledger(memberId);
  assert.equal(beforeSweep.balance.available, 500 + earned);
  assert.ok(!beforeSweep.history.some((entry) => entry.kind === 'unlock'), 'no sweep has run: the ledger holds no unlock posting');
  await photograph(page, 'credits-3-unlocked-before-sweep');

  // The sweep writes the unlock down, one posting per lot (each line earned a lot of its own); the numbers do not move.
  const earningLines = order.lines.filter((line) => line.earnedCredits > 0);
  assert.equal(earningLines.length, 2, 'both lines earned');
  assert.ok((await runDueJobs(deps)) > 0, 'the due jobs ran');
  await reloadCredits(page);
  await expectStat(page, 'Available to spend', 500 + earned);
  await expectStat(page, 'Pending', 0);
  for (const line of earningLines) {
    const row = historyRows(page, 'Credits unlocked').filter({ hasText: `+${line.earnedCredits}` });
    await row.getByText('now available').waitFor();
    await row.getByText(line.name, { exact: false }).waitFor();
  }
  assert.equal(await historyRows(page, 'Credits unlocked').count(), earningLines.length);
  const afterSweep = await ledger(memberId);
  assert.deepEqual(afterSweep.balance, beforeSweep.balance, 'the sweep changed nothing a read would show');
  const unlocks = afterSweep.history.filter((entry) => entry.kind === 'unlock');
  assert.deepEqual(unlocks.map((entry) => entry.changes.available).sort((a, b) => a - b), earningLines.map((line) => line.earnedCredits).sort((a, b) => a - b));
  assert.ok(unlocks.every((entry) => entry.credits === 0 && entry.atMs === unlockAtMs), 'an unlock moves pending to available, dated at the unlock time');
  await photograph(page, 'credits-3-unlocked');

  // 4. An agent refunds one of the two units of a line in the console: the line's earning is reversed in proportion
  // to the qualifying amount refunded (CR-16), from the unlocked credits.
  const agentBrowser = await open();
  const desk = agentBrowser.page;
  const agentProblems = watchPageProblems(desk);
  await signIn(desk, agent, true);
  await desk.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Orders', exact: true }).click();
  await heading(desk, 'Orders');
  await desk.getByRole('link', { name: order.id }).click();
  await heading(desk, 'Order');
  const pair = order.lines.find((line) => line.name === pairProduct)!;
  assert.equal(pair.quantity, 2);
  await desk.getByLabel(`Quantity of ${pairProduct} to refund`).fill('1');
  const refundForm = desk.getByRole('form', { name: 'Refund' });
  await refundForm.getByLabel('Reason').selectOption('returned');
  await refundForm.getByLabel('Note').fill('One of the two came back unopened.');
  const refunding = desk.waitForResponse((response) => response.url().endsWith(`/api/v1/agent/store/orders/${order.id}/refunds`) && response.request().method() === 'POST');
  await desk.getByRole('button', { name: 'Refund', exact: true }).click();
  const refunded = (await (await refunding).json()) as RefundData;
  assert.equal(refunded.refund.status, 'completed');
  const refundedLine = refunded.refund.lines.find((line) => line.orderLineId === pair.id);
  assert.ok(refundedLine, 'the refund names the line');
  assert.equal(refundedLine.quantity, 1);
  const reversed = Math.floor((pair.earnedCredits * refundedLine.qualifyingMinor) / pair.qualifyingMinor);
  assert.ok(reversed > 0 && reversed < pair.earnedCredits, `a part of the line’s ${pair.earnedCredits} credits is reversed (${reversed})`);
  await desk.getByRole('status').filter({ hasText: `${reversed} earned credits reversed` }).waitFor();

  await reloadCredits(page);
  const afterRefund = 500 + earned - reversed;
  await expectStat(page, 'Available to spend', afterRefund);
  const reversalRow = historyRows(page, 'Taken back after a refund');
  await reversalRow.getByText(`−${reversed}`).waitFor();
  await reversalRow.getByText(pairProduct, { exact: false }).waitFor();
  await reversalRow.getByRole('link', { name: new RegExp(order.id) }).waitFor();
  const refundedLedger = await ledger(memberId);
  assert.equal(refundedLedger.balance.available, afterRefund);
  assert.equal(refundedLedger.history.filter((entry) => entry.kind === 'reversal').reduce((sum, entry) => sum + entry.credits, 0), -reversed);
  await photograph(page, 'credits-4-refund');

  // 5. A year on, in steps, so the sweep runs inside each lot's warning window as a running worker would (CR-10):
  // (a) within the bonus's window; (b) just past the bonus's expiry, inside the earned lot's window; (c) just past
  // the earned lot's expiry. Expired credits leave the balance at their expiry, before the sweep writes them down
  // (CR-8, CR-9).
  const earnedLeft = earned - reversed;
  assert.ok(bonusExpiresAtMs < earnedExpiresAtMs, 'the bonus expires first');

  // (a) The bonus's warning goes out with the first sweep inside its window, 30 days before it expires (CR-10): a
  // minute before the window nothing is sent; a minute into it, the warning is queued once.
  const expiringSubject = 'Your rewards credits expire soon';
  const expiredSubject = 'Some of your rewards credits have expired';
  await advanceTo(bonusExpiresAtMs - policy.expiryWarningMs - MINUTE_MS);
  await runDueJobs(deps);
  assert.equal(await mailCount(expiringSubject), 0, 'no warning before the window');
  await advance(2 * MINUTE_MS);
  await runDueJobs(deps);
  assert.equal(await mailCount(expiringSubject), 1, 'the bonus’s warning');
  await runDueJobs(deps);
  assert.equal(await mailCount(expiringSubject), 1, 'a lot is warned once');
  await signIn(page, shopper);
  await openCredits(page);
  await expectStat(page, 'Available to spend', afterRefund);
  await expectStat(page, 'Expiring soon', 500);
  await stat(page, 'Expiring soon').getByRole('listitem').filter({ hasText: `500 expire ${shortDate(bonusExpiresAtMs)}` }).waitFor();
  await photograph(page, 'credits-5-expiring');

  // (b) A minute after the bonus expired: gone from the balance before the sweep; then written down.
  await advanceTo(bonusExpiresAtMs + MINUTE_MS);
  await signIn(page, shopper);
  await openCredits(page);
  await expectStat(page, 'Available to spend', earnedLeft);
  assert.equal(await historyRows(page, 'Credits expired').count(), 0, 'the expiry is not written down yet');
  await runDueJobs(deps);
  await reloadCredits(page);
  await expectStat(page, 'Available to spend', earnedLeft);
  await historyRows(page, 'Credits expired').getByText('−500').waitFor();
  // The earned lots are inside their own warning window now: each is warned.
  await expectStat(page, 'Expiring soon', earnedLeft);
  await stat(page, 'Expiring soon').getByRole('listitem').filter({ hasText: `${earnedLeft} expire ${shortDate(earnedExpiresAtMs)}` }).waitFor();
  assert.equal(await mailCount(expiredSubject), 1, 'the bonus’s expired notice');
  assert.equal(await mailCount(expiringSubject), 1 + 1, 'and one warning for both earned lots: each lot is warned once, in one email per member (CR-10)');

  // (c) A minute after the earned credits expired, a year after they unlocked.
  const single = order.lines.find((line) => line.name === singleProduct)!;
  const lotsLeft = [pair.earnedCredits - reversed, single.earnedCredits];
  assert.equal(lotsLeft[0]! + lotsLeft[1]!, earnedLeft);
  await advanceTo(earnedExpiresAtMs + MINUTE_MS);
  await signIn(page, shopper);
  await openCredits(page);
  await expectStat(page, 'Available to spend', 0);
  assert.equal(await historyRows(page, 'Credits expired').count(), 1, 'only the bonus’s expiry is written down yet');
  await runDueJobs(deps);
  await reloadCredits(page);
  await expectStat(page, 'Available to spend', 0);
  await expectStat(page, 'Expiring soon', 0);
  for (const credits of lotsLeft) await historyRows(page, 'Credits expired').getByText(`−${credits}`).waitFor();
  assert.equal(await historyRows(page, 'Credits expired').count(), 3, 'one expiry posting per lot');
  assert.equal(await mailCount(expiredSubject), 2, 'one expired notice for the two earned lots the sweep expired together');
  assert.equal(await mailCount(expiringSubject), 2, 'no second warning for any lot');
  const final = await ledger(memberId);
  assert.equal(final.balance.available, 0);
  assert.deepEqual(
    final.history.filter((entry) => entry.kind === 'expire').map((entry) => entry.credits).sort((a, b) => a - b),
    [-500, ...lotsLeft.map((credits) => -credits)].sort((a, b) => a - b),
    'each lot expires what was left of it',
  );
  await photograph(page, 'credits-5-expired');

  // The console's mail view: the warnings sent ahead of each expiry, and the expired notices.
  await signIn(desk, agent, true);
  await desk.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Mail' }).click();
  await heading(desk, 'Mail');
  await desk.getByLabel('Filter by recipient or subject').fill(shopper.email);
  const messages = desk.getByRole('region', { name: 'Messages' }).getByRole('link');
  const expiring = messages.filter({ hasText: expiringSubject });
  const expired = messages.filter({ hasText: expiredSubject });
  await expired.first().waitFor();
  // Every lot is warned once (CR-10), in one email per member and sweep; the expired notice is one email per sweep too.
  assert.equal(await expiring.count(), 2, 'one warning email per member and sweep, covering every lot once');
  assert.equal(await expired.count(), 2, 'an expired notice after each of the two sweeps that expired credits');
  // Each message is read in its HTML frame; the reader shows the message clicked once it has loaded it.
  const read = async (message: ReturnType<typeof messages.nth>, text: RegExp) => {
    await message.click();
    await desk.frameLocator('iframe.mail-frame').getByText(text).waitFor();
  };
  // Newest first: the earned lots' warning and notice, then the bonus's.
  await read(expiring.nth(1), /^500 credits in your account will expire on /);
  await read(expired.nth(1), /^500 credits in your account reached their expiry date/);
  await read(expired.nth(0), new RegExp(`^${earnedLeft} credits in your account reached their expiry date`));
  await photograph(desk, 'credits-5-mail');

  assert.deepEqual(memberProblems, [], 'the member pages ran without errors or CSP violations');
  assert.deepEqual(agentProblems, [], 'the console ran without errors or CSP violations');
}
