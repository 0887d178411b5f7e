// Plus at checkout in a real browser (issue 8 point 6; ST-2, MB-8): a Plus member sees the member discount line and
// the next-day delivery voucher choice with how many are left, uses the voucher (shipping becomes free, the delivery
// date appears), pays, and the order page shows the next-day delivery; the voucher count drops to none.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { transact } from '../../src/deps.ts';
import { createMemberForSeed } from '../../src/modules/accounts/index.ts';
import { getMembershipOverview, joinPlus } from '../../src/modules/membership/index.ts';
import { seedStoreDemoData } from '../../src/modules/store/index.ts';
import { watchPageProblems } from '../support/browser.ts';
import { addToCart, browserSuite, goToCheckout, heading, isPlaceOrder, photograph, signIn } from '../support/e2e-helpers.ts';
import { startTestServer } from '../support/server.ts';

const shopper = { email: 'katherine.johnson@example.com', password: 'trajectory-1962-friendship7', country: 'US', dateOfBirth: '1978-08-26', firstName: 'Katherine' };
const product = 'Nano Charger 30 W';
let memberId = '';

const { running, open, saveFailureScreenshots } = browserSuite('store-plus', () => startTestServer(), async ({ deps }) => {
  await transact(deps, (trx) => seedStoreDemoData(trx));
  memberId = (await transact(deps, (trx) => createMemberForSeed(trx, { ...shopper, emailVerified: true }))).memberId;
  const joined = await joinPlus(deps, { memberId, plan: 'annual', paymentToken: 'tok_approve', actor: { id: memberId, role: 'member' } });
  assert.equal(joined.outcome, 'active');
});

test('MB-8 ST-2 a Plus member sees the member discount and uses a next-day delivery voucher at checkout', async () => {
  try {
    await checkoutWithVoucher();
  } catch (error) {
    await saveFailureScreenshots();
    throw error;
  }
});

async function checkoutWithVoucher(): Promise<void> {
  const { url, deps } = running();
  const { page } = await open();
  const problems = watchPageProblems(page);
  await signIn(page, url, shopper);
  const { csrfToken } = (await (await page.request.get(`${url}/api/v1/session`)).json()) as { csrfToken: string };
  const saved = await page.request.post(`${url}/api/v1/me/addresses`, { data: { line1: '1 Orbit Way', city: 'Hampton', region: 'California', postalCode: '94107', country: 'US' }, headers: { 'x-csrf-token': csrfToken } });
  assert.equal(saved.status(), 201, await saved.text());

  await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Shop' }).click();
  await heading(page, 'Shop');
  await addToCart(page, product);
  await goToCheckout(page);

  const quoteBox = page.getByTestId('quote');
  await quoteBox.getByText('Plus member discount', { exact: true }).waitFor();
  await page.getByTestId('plus-discount-note').filter({ hasText: '5 % off merchandise' }).waitFor();
  const voucher = page.getByLabel('Use a next-day delivery voucher (1 voucher left)');
  assert.equal(await voucher.isChecked(), false);
  const withVoucher = page.waitForResponse((response) => response.url().endsWith('/api/v1/store/checkout/quote') && response.request().postDataJSON()?.useDeliveryVoucher === true && response.ok());
  await voucher.check();
  const quote = (await (await withVoucher).json()) as { shippingMinor: number; totalMinor: number; plusDiscountMinor: number; delivery: string; deliverByDate: string };
  assert.equal(quote.shippingMinor, 0, 'the voucher waives the shipping fee');
  assert.equal(quote.delivery, 'next_day');
  assert.ok(quote.plusDiscountMinor > 0);
  await page.getByTestId('deliver-by').waitFor();
  await quoteBox.getByText('Free', { exact: true }).waitFor();
  await page.getByLabel('Card token').fill('tok_approve');
  await photograph(page, 'store-plus-checkout');

  const placed = page.waitForResponse(isPlaceOrder);
  const totalText = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(quote.totalMinor / 100);
  await page.getByRole('button', { name: `Place order and pay ${totalText}` }).click();
  const answer = (await (await placed).json()) as { order: { id: string; delivery: string; shippingMinor: number; plusPlan: string | null }; payment: { outcome: string } };
  assert.equal(answer.payment.outcome, 'approved');
  assert.equal(answer.order.delivery, 'next_day');
  assert.equal(answer.order.plusPlan, 'annual');
  await page.waitForURL(`**/account/orders/${answer.order.id}?placed=1`);
  await page.getByTestId('order-deliver-by').waitFor();
  await photograph(page, 'store-plus-order');
  assert.equal((await getMembershipOverview(deps, memberId)).vouchers?.available, 0, 'the voucher was used');
  assert.deepEqual(problems, []);
}
